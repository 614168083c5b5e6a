"""Numbers as real exports write them, read with one decision per column.

A column's number format (decimal mark, thousands separator, currency) is decided once, from all
its distinct values, never row by row, and comes back as a :class:`~segkit.data.decisions.Decision`
with its evidence. When the values cannot settle it (every amount looks like ``'1.500'``),
:func:`parse_numbers` refuses with a :class:`segkit.DataError` that names the file, the column,
examples and the setting that settles it (``reading: {decimal: ","}``); :class:`AmbiguousDecimal`
lets the loader settle such a column from the file's other columns first.

It works on the distinct values (``pd.factorize``) and maps the result back, so a column of
millions of rows with repeated values costs little more than its distinct values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from segkit.data._parsing import _as_series, _clean_text, _examples, _factorize, _fix, _kinds, _map_back, _where
from segkit.data.decisions import Decision
from segkit.errors import DataError

# currency sign or code as written (upper case, after NFKC) -> the currency it names
_CURRENCIES: dict[str, str] = {
    "$": "$", "US$": "USD", "USD": "USD", "C$": "CAD", "CA$": "CAD", "CAD": "CAD", "A$": "AUD",
    "AU$": "AUD", "AUD": "AUD", "NZ$": "NZD", "NZD": "NZD", "HK$": "HKD", "HKD": "HKD", "S$": "SGD",
    "SGD": "SGD", "MX$": "MXN", "MXN": "MXN", "R$": "BRL", "BRL": "BRL",
    "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
    "¥": "¥", "CN¥": "CNY", "元": "CNY", "RMB": "CNY", "CNY": "CNY", "JP¥": "JPY", "円": "JPY", "JPY": "JPY",
    "₽": "RUB", "РУБ.": "RUB", "РУБ": "RUB", "Р.": "RUB", "RUB": "RUB",
    "₹": "INR", "INR": "INR", "₩": "KRW", "KRW": "KRW", "₺": "TRY", "TRY": "TRY", "TL": "TRY",
    "₴": "UAH", "ГРН.": "UAH", "ГРН": "UAH", "UAH": "UAH", "₸": "KZT", "KZT": "KZT",
    "₪": "ILS", "ILS": "ILS",
    "ZŁ": "PLN", "PLN": "PLN", "KČ": "CZK", "CZK": "CZK", "FT": "HUF", "HUF": "HUF",
    "CHF": "CHF", "FR.": "CHF", "KR.": "kr", "KR": "kr", "SEK": "SEK", "NOK": "NOK", "DKK": "DKK",
    "฿": "THB", "THB": "THB", "₱": "PHP", "PHP": "PHP", "₫": "VND", "VND": "VND", "ZAR": "ZAR",
}
# a sign used by several currencies -> the currencies it may stand for
_GENERIC: dict[str, set[str]] = {
    "$": {"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN"},
    "¥": {"CNY", "JPY"},
    "kr": {"SEK", "NOK", "DKK"},
}
_CURRENCY = "(?i:" + "|".join(re.escape(t) for t in sorted(_CURRENCIES, key=len, reverse=True)) + ")"
_MINUS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash
_SIGN = r"[+\-\u2212\u2013]"
_MINUS_SIGN = r"[\-\u2212\u2013]"
_GROUPERS = ",.' \u00a0\u202f\u2019"
_NUMBER = (
    rf"^\s*(?P<open>\()?\s*(?P<lead>{_SIGN})?\s*(?:(?P<cur1>{_CURRENCY})\s*)?(?P<lead2>{_SIGN})?"
    rf"\s*(?P<open2>\()?\s*(?P<body>[.,]?[0-9]+(?:[{_GROUPERS}][0-9]+)*)(?P<exp>[eE][+-]?[0-9]+)?"
    rf"\s*(?P<close2>\))?\s*(?P<trail>{_MINUS_SIGN})?\s*(?:(?P<cur2>{_CURRENCY})\s*)?(?P<trail2>{_MINUS_SIGN})?"
    rf"\s*(?P<close>\))?\s*$"
)
# thousands separator (as decided) -> the characters that count as it
_THOUSANDS: dict[str | None, str] = {None: "", ",": ",", ".": ".", " ": " \u00a0\u202f", "'": "'\u2019"}
_THOUSANDS_LABEL = {",": "','", ".": "'.'", " ": "' '", "'": '"\'"'}
_THOUSANDS_KEY = {",": ",", ".": ".", " ": " ", "\u00a0": " ", "\u202f": " ", "'": "'", "\u2019": "'", "": None}


def _body_pattern(decimal: str, thousands: str | None) -> str:
    """A number without sign or currency, as written with this decimal mark and separator."""
    mark = re.escape(decimal)
    integer = "[0-9]+"
    if thousands is not None:
        integer = rf"(?:[0-9]+|[0-9]{{1,3}}(?:[{re.escape(_THOUSANDS[thousands])}][0-9]{{3}})+)"
    return rf"(?:{integer}(?:{mark}[0-9]+)?|{mark}[0-9]+)"


def _read_body(body: pd.Series, exponent: pd.Series, decimal: str, thousands: str | None) -> np.ndarray:
    if thousands is not None:
        body = body.str.replace(f"[{re.escape(_THOUSANDS[thousands])}]", "", regex=True)
    plain = body.str.replace(decimal, ".", regex=False) + exponent.fillna("")
    return pd.to_numeric(plain, errors="coerce").to_numpy(dtype="float64")


class _Reading:
    """One decimal mark: the thousands separator that fits most values, and its numbers."""

    def __init__(self, parts: pd.DataFrame, decimal: str, thousands_options: list) -> None:
        self.decimal = decimal
        self.fits_any = np.zeros(len(parts), dtype=bool)
        self.thousands, self.fits = None, None
        for thousands in thousands_options:  # None first, so that it wins ties
            if thousands == decimal:
                continue
            fits = parts["body"].str.fullmatch(_body_pattern(decimal, thousands)).to_numpy(dtype=bool)
            self.fits_any |= fits
            if self.fits is None or fits.sum() > self.fits.sum():
                self.thousands, self.fits = thousands, fits
        self.complete = bool(self.fits.all())
        self.numbers = _read_body(parts["body"], parts["exp"], decimal, self.thousands)

    def label(self) -> str:
        return f"decimal '{self.decimal}'" + ("" if self.thousands is None else f" thousands {self.grouping()}")

    def grouping(self) -> str:
        return _THOUSANDS_LABEL[self.thousands]


def _number_parts(text: pd.Series) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Split each text into sign, currency and digits; also whether it is shaped like a number
    and whether it is negative."""
    parts = text.str.extract(_NUMBER)
    opened = parts["open"].notna().astype(int) + parts["open2"].notna().astype(int)
    closed = parts["close"].notna().astype(int) + parts["close2"].notna().astype(int)
    signs = sum(parts[g].notna().astype(int) for g in ("lead", "lead2", "trail", "trail2"))
    shaped = parts["body"].notna() & (opened == closed) & (signs + opened <= 1)
    minus = (parts["lead"].isin(list(_MINUS)) | parts["lead2"].isin(list(_MINUS))
             | parts["trail"].notna() | parts["trail2"].notna() | (opened == 1))
    return parts, shaped.to_numpy(dtype=bool), minus.to_numpy(dtype=bool)


def _currency(parts: pd.DataFrame, rows: np.ndarray, texts: np.ndarray, where: str) -> tuple[str, str]:
    """The one currency of the column as (value text, evidence); ('', '') when none is written."""
    tokens = parts["cur1"].fillna(parts["cur2"])
    both = parts["cur1"].notna() & parts["cur2"].notna()
    seen = pd.concat([tokens, parts["cur2"][both]]).dropna()
    if seen.empty:
        return "", ""
    canonical = seen.str.upper().map(_CURRENCIES)
    names = set(canonical)
    specific = names - set(_GENERIC)
    generic = names & set(_GENERIC)
    if len(specific) > 1 or (not specific and len(generic) > 1) or any(
            not specific <= _GENERIC[g] for g in generic):
        raise _mixed_currencies(where, canonical, rows, texts)
    written = seen.value_counts()
    label = f"'{written.index[0]}'" if len(written) == 1 else (
        f"{(specific or generic).pop()} (written {', '.join(repr(t) for t in written.index)})")
    return f"currency {label}", f"currency {label} in {tokens.notna().sum():,} distinct values"


def _mixed_currencies(where: str, canonical: pd.Series, rows: np.ndarray, texts: np.ndarray) -> DataError:
    listing = []
    for name in sorted(set(canonical)):
        members = canonical.index[canonical == name].unique()
        listing.append(f"{name} ({int(rows[members].sum()):,} row(s), e.g. {_examples(texts[members])})")
    return DataError(
        f"{where} has amounts in more than one currency: {'; '.join(listing)}. Amounts in different "
        "currencies cannot be added: convert them to one currency (or split the file by currency) "
        "and load again."
    )


def _not_numbers(where: str, bad: np.ndarray, rows: np.ndarray, texts: np.ndarray, decimal: str | None) -> DataError:
    how = "" if decimal is None else f" with decimal '{decimal}'"
    fix = ("Fix or blank those cells (blank cells are read as missing)" if decimal is None
           else "Check the decimal setting, or fix or blank those cells")
    return DataError(
        f"{where} has {int(rows[bad].sum()):,} value(s) that cannot be read as numbers{how} "
        f"({int(bad.sum()):,} distinct), e.g. {_examples(texts[bad])}. Signs, currency signs and codes and "
        f"thousands separators are understood. {fix}, then load again."
    )


def _show(number: float) -> str:
    return np.format_float_positional(number, trim="-")


class AmbiguousDecimal(DataError):
    """A number column that reads with either decimal mark: another column of the file may settle it."""


def _ambiguous_decimal(where: str, point: _Reading, comma: _Reading, texts: np.ndarray) -> DataError:
    differ = np.flatnonzero(point.numbers != comma.numbers)
    i = differ[0]
    return AmbiguousDecimal(
        f"{where}: the decimal mark cannot be told from the values. Every value reads with decimal '.' "
        f"and with decimal ',' ({differ.size:,} distinct values differ), e.g. {texts[i]!r} is "
        f"{_show(point.numbers[i])} with decimal '.' but {_show(comma.numbers[i])} with decimal ','. "
        f"Say which: {_fix('decimal', ',')} (or \".\")."
    )


def _mixed_formats(where: str, readings: list[_Reading], texts: np.ndarray) -> DataError:
    clashes = "; ".join(
        f"with {r.label()}, e.g. {_examples(texts[~r.fits])} do not fit" for r in readings)
    return DataError(
        f"{where} mixes number formats: no one decimal mark reads every value ({clashes}). "
        f"Write the column in one format, or set the decimal mark ({_fix('decimal', ',')}) "
        "and fix the cells that do not fit it."
    )


def _choose_reading(readings: dict[str, _Reading], texts: np.ndarray, where: str,
                    file_decimal: str | None, given: bool) -> tuple[_Reading, bool, str]:
    """The reading of the column as (reading, decimal needed, evidence)."""
    n = len(texts)
    if given:
        (reading,) = readings.values()
        return reading, True, f"decimal '{reading.decimal}' given by the reading parameter"
    if len(readings) == 1:  # the thousands separator given rules out the other mark
        (reading,) = readings.values()
        return reading, True, f"decimal '{reading.decimal}', the other mark being the thousands separator given"
    point, comma = readings["."], readings[","]
    if point.complete and comma.complete:
        if np.array_equal(point.numbers, comma.numbers):
            return point, False, f"no value has a decimal mark ({n:,} distinct values, e.g. {_examples(texts)})"
        if file_decimal is None:
            raise _ambiguous_decimal(where, point, comma, texts)
        i = np.flatnonzero(point.numbers != comma.numbers)[0]
        return readings[file_decimal], True, (
            f"every value reads with decimal '.' and with ',' (e.g. {texts[i]!r}); "
            f"decimal '{file_decimal}' as decided for the file's other columns")
    if not (point.complete or comma.complete):
        raise _mixed_formats(where, [point, comma], texts)
    chosen, other = (point, comma) if point.complete else (comma, point)
    only = ~other.fits_any
    if only.any():
        return chosen, True, (f"{int(only.sum()):,} of {n:,} distinct values can only be read with decimal "
                              f"'{chosen.decimal}' (e.g. {_examples(texts[only])})")
    return chosen, True, f"only {chosen.label()} reads all {n:,} distinct values"


def _check_number_options(decimal, thousands, file_decimal) -> None:
    for name, mark in (("decimal", decimal), ("file_decimal", file_decimal)):
        if mark is not None and mark not in (".", ","):
            raise DataError(f"{name} must be '.' or ',', not {mark!r}.")
    if thousands is not None and thousands not in _THOUSANDS_KEY:
        raise DataError(f"thousands must be one of {sorted(k for k in _THOUSANDS_KEY if k)!r} or '' (none), "
                        f"not {thousands!r}.")
    if decimal is not None and _THOUSANDS_KEY.get(thousands) == decimal:
        raise DataError(f"decimal and thousands cannot both be {decimal!r}.")


def _read_number_text(text: pd.Series, rows: np.ndarray, texts: np.ndarray, where: str, *,
                      decimal: str | None, thousands: str | None, file_decimal: str | None):
    """Numbers of the non-blank texts, with the decision's value and evidence."""
    parts, shaped, minus = _number_parts(text.reset_index(drop=True))
    options = [None, ",", ".", " ", "'"] if thousands is None else [_THOUSANDS_KEY[thousands]]
    decimals = [decimal] if decimal else [d for d in (".", ",") if options != [d]]
    readings = {d: _Reading(parts.fillna({"body": ""}), d, options) for d in decimals}
    readable = shaped & np.logical_or.reduce([r.fits_any for r in readings.values()])
    if not readable.all():
        raise _not_numbers(where, ~readable, rows, texts, decimal)
    currency, currency_evidence = _currency(parts, rows, texts, where)
    reading, needed, evidence = _choose_reading(readings, texts, where, file_decimal, decimal is not None)
    value = f"decimal '{reading.decimal}'" if needed else "whole numbers"
    if reading.thousands is not None:
        value += f" thousands {reading.grouping()}"
        grouped = parts["body"].str.contains(f"[{re.escape(_THOUSANDS[reading.thousands])}]").to_numpy(bool)
        evidence += f"; {int(grouped.sum()):,} distinct values group thousands with {reading.grouping()}"
    given = "thousands separator given by the reading parameter" if thousands is not None else ""
    value = " ".join(filter(None, [value, currency]))
    evidence = "; ".join(filter(None, [evidence, given, currency_evidence]))
    return np.where(minus, -reading.numbers, reading.numbers), value, evidence


def parse_numbers(
    values: pd.Series,
    *,
    column: str,
    source: str,
    decimal: str | None = None,
    thousands: str | None = None,
    file_decimal: str | None = None,
) -> tuple[pd.Series, Decision]:
    """Read a column of amounts written in any country's style, deciding the format once.

    The decimal mark and thousands separator are decided from all distinct values together:
    ``'1,234.5'`` can only be read with decimal ``'.'``, ``'12,5'`` and ``'1.234.567'`` only with
    ``','``; a separator followed by other than three digits is not a thousands separator.
    Understood in every value: thousands separators ``,`` ``.`` space, no-break spaces and
    apostrophes; currency signs and codes before or after the number (``$ € £ ¥ ₽ руб. 元 RMB
    USD CN¥ US$`` ...); negatives written ``-1``, ``1-``, ``(1.00)`` or ``−1``; a plus sign;
    full-width digits.

    Parameters
    ----------
    values : Series
        The raw column: text (blank cells missing), Python numbers mixed with text (as Excel
        gives), or already numeric (passed through as float).
    column : str
        The column's name in the file, for the decision and the messages.
    source : str
        The file, as messages show it, e.g. ``"'orders.csv'"`` or ``"the DataFrame"``.
    decimal : {'.', ','}, optional
        The decimal mark, when the user has set it; values that do not fit it are an error.
    thousands : str, optional
        The thousands separator, when set (``''`` for none); inferred otherwise.
    file_decimal : {'.', ','}, optional
        The decimal mark decided for another column of the same file: used, and said so, only
        when this column's values fit both marks.

    Returns
    -------
    numbers : Series
        float64, NaN where the cell is blank; same index and name as `values`.
    decision : Decision
        ``aspect="number format"``, ``value`` e.g. ``"decimal ',' thousands ' ' currency '₽'"``
        or ``"whole numbers"``, with the evidence.

    Raises
    ------
    DataError
        Values that are not numbers; values that fit both decimal marks with different results
        and no `decimal` or `file_decimal` to settle it; values that need different decimal marks;
        amounts in more than one currency.

    Examples
    --------
    >>> numbers, decision = parse_numbers(pd.Series(["1 234,50 ₽", "-12,5 ₽", None]),
    ...                                   column="Сумма", source="'orders.csv'")
    >>> numbers.tolist()
    [1234.5, -12.5, nan]
    >>> decision.value
    "decimal ',' thousands ' ' currency '₽'"
    >>> parse_numbers(pd.Series(["$1,234.50", "($5.00)", "7"]), column="Price", source="x")[0].tolist()
    [1234.5, -5.0, 7.0]
    >>> parse_numbers(pd.Series(["1.500", "2.250"]), column="Price", source="x",
    ...               file_decimal=",")[0].tolist()  # the file's other amounts have decimal ','
    [1500.0, 2250.0]
    """
    _check_number_options(decimal, thousands, file_decimal)
    return _parse_numbers(values, column=column, source=source, decimal=decimal, thousands=thousands,
                          file_decimal=file_decimal)


def _parse_numbers(values: pd.Series, *, column: str, source: str, decimal: str | None, thousands: str | None,
                   file_decimal: str | None) -> tuple[pd.Series, Decision]:
    """:func:`parse_numbers` with options already checked (by it, or once per file by the reader)."""
    values = _as_series(values)
    subject, where = f"column '{column}'", _where(column, source)
    given = decimal is not None or thousands is not None
    if pd.api.types.is_bool_dtype(values):
        raise DataError(f"{where} holds True/False values, not numbers. Check the column mapping.")
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=values.index, name=values.name)
        return numbers, Decision(subject, "number format", "already numbers",
                                 f"the column already has a numeric type ({values.dtype})", given)
    codes, uniques, rows = _factorize(values)
    kinds = _kinds(uniques)
    if (kinds == "other").any():
        raise _not_numbers(where, kinds == "other", rows, uniques, None)
    parsed = np.full(len(uniques), np.nan)
    number = kinds == "number"
    parsed[number] = uniques[number].astype("float64")
    text = _clean_text(np.where(number, None, uniques))
    filled = text.notna().to_numpy()
    value, evidence = ("already numbers", f"all {number.sum():,} distinct values were already numbers") \
        if number.any() else ("no numbers", "every cell is blank")
    if filled.any():
        parsed[filled], value, evidence = _read_number_text(
            text[filled], rows[filled], uniques[filled], where,
            decimal=decimal, thousands=thousands, file_decimal=file_decimal)
        if number.any():
            evidence += f"; {number.sum():,} distinct values were already numbers"
    return _map_back(parsed, codes, np.nan, values), Decision(subject, "number format", value, evidence, given)
