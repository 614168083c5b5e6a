"""Numbers and dates as real exports write them, read with one decision per column.

A column's number format (decimal mark, thousands separator, currency) and date format are
decided once, from all its distinct values, never row by row; each decision comes back as a
:class:`~segkit.data.decisions.Decision` with its evidence. When the values cannot settle a
question (every amount looks like ``'1.500'``, every date like ``'01/02/2024'``), the functions
refuse with a :class:`segkit.DataError` that names the file, the column, examples and the
setting that settles it (``reading: {decimal: ","}`` or ``reading: {date_format: "%d.%m.%Y"}``).

Both functions work on the distinct values (``pd.factorize``) and map the result back, so a
column of millions of rows with repeated values costs little more than its distinct values.
"""

from __future__ import annotations

import datetime as dt
import decimal as _decimal
import numbers
import re

import numpy as np
import pandas as pd

from segkit.data.decisions import Decision
from segkit.errors import DataError

__all__ = ["parse_dates", "parse_numbers"]

_MAX_EXAMPLES = 3


# --- shared helpers -------------------------------------------------------------------------


def _where(column: str, source: str) -> str:
    return f"Column '{column}' of {source}"


def _fix(parameter: str, value: str) -> str:
    return (f'reading: {{{parameter}: "{value}"}} in the params YAML, or {parameter}="{value}" '
            "in segkit.data.load_transactions")


def _examples(values) -> str:
    return ", ".join(repr(str(v)) for v in list(values)[:_MAX_EXAMPLES])


def _as_series(values) -> pd.Series:
    return values if isinstance(values, pd.Series) else pd.Series(values)


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes (-1 for missing), the distinct values as an object array, and rows per value."""
    codes, uniques = values.factorize(use_na_sentinel=True)
    rows = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return codes, np.asarray(uniques, dtype=object), rows


def _map_back(parsed: np.ndarray, codes: np.ndarray, missing, values: pd.Series) -> pd.Series:
    """Spread per-distinct-value results over the rows (code -1, a missing value, gets ``missing``)."""
    return pd.Series(np.append(parsed, missing)[codes], index=values.index, name=values.name)


def _kinds(uniques: np.ndarray) -> np.ndarray:
    """'text', 'number', 'date' or 'other' for each distinct value of an object column."""
    if pd.api.types.infer_dtype(uniques, skipna=True) == "string":
        return np.full(len(uniques), "text", dtype=object)

    def kind(value) -> str:
        if isinstance(value, str):
            return "text"
        if isinstance(value, (dt.date, np.datetime64)):
            return "date"
        if isinstance(value, (numbers.Real, _decimal.Decimal)) and not isinstance(value, (bool, np.bool_)):
            return "number"
        return "other"

    return np.array([kind(v) for v in uniques], dtype=object)


def _clean_text(uniques: np.ndarray) -> pd.Series:
    """Distinct text values in Unicode NFKC form (full-width digits and signs become ASCII,
    no-break spaces become spaces), stripped; blanks become missing."""
    text = pd.Series(uniques, dtype=object).str.normalize("NFKC").str.strip()
    return text.mask(text == "")


# --- numbers --------------------------------------------------------------------------------

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
    values = _as_series(values)
    _check_number_options(decimal, thousands, file_decimal)
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


# --- dates ----------------------------------------------------------------------------------

_OFFSET = (r"^(?P<main>.*\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?\s?[Mm]\.?)?)"
           r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$")
_SPLIT = (r"^(?P<date>.+?)(?:(?P<sep>T|\s+|,\s*)(?P<h>\d{1,2}):(?P<m>\d{2})"
          r"(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?(?:\s*(?P<ap>[AaPp])\.?\s?[Mm]\.?)?)?$")
_YEAR_FIRST = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"]
_DAY_MONTH = [f"{a}{sep}{b}{sep}{year}" for sep in "./-" for year in ("%Y", "%y")
              for a, b in (("%d", "%m"), ("%m", "%d"))]
_MONTH_NAMES = ["%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%B-%Y", "%d-%b-%y", "%d %b %y",
                "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y"]
_DATE_FORMATS = _YEAR_FIRST + _DAY_MONTH + _MONTH_NAMES
_EXCEL_SERIALS = (20_000, 80_000)  # 1954-10-03 .. 2119-01-10
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
_SAMPLE = 500


def _twin(fmt: str) -> str | None:
    """The same format with day and month swapped, for the formats where both orders exist."""
    if fmt in _DAY_MONTH:
        return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    return None


def _strict(dates: pd.Series, fmt: str) -> np.ndarray:
    """datetime64[ns] of each text in exactly this format; NaT where it does not fit."""
    parsed = pd.Series(pd.to_datetime(dates, format=fmt, errors="coerce"))
    ok = parsed.dt.year.between(1678, 2261)  # the datetime64[ns] range
    if fmt == "%Y%m%d":
        ok &= dates.str.fullmatch(r"\d{8}").fillna(False).astype(bool)
    return parsed.where(ok).to_numpy(dtype="datetime64[ns]")


def _clock(parts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, str]:
    """Time of day in ns from the split parts, whether it is valid, and its format."""
    number = {g: pd.to_numeric(parts[g], errors="coerce").fillna(0).to_numpy(dtype="int64") for g in "hms"}
    fraction = pd.to_numeric(parts["f"].str.ljust(9, "0"), errors="coerce").fillna(0).to_numpy(dtype="int64")
    twelve = parts["ap"].notna().to_numpy()
    pm = parts["ap"].str.lower().eq("p").fillna(False).to_numpy(dtype=bool)
    hour = np.where(twelve, number["h"] % 12 + 12 * pm, number["h"])
    valid = (np.where(twelve, (number["h"] >= 1) & (number["h"] <= 12), number["h"] <= 23)
             & (number["m"] <= 59) & (number["s"] <= 59))
    ns = ((hour * 60 + number["m"]) * 60 + number["s"]) * 1_000_000_000 + fraction
    fmt = ("%I" if twelve.any() else "%H") + ":%M" + (":%S" if parts["s"].notna().any() else "")
    fmt += (".%f" if parts["f"].notna().any() else "") + (" %p" if twelve.any() else "")
    return ns.astype("timedelta64[ns]"), valid, fmt


def _offsets(text: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    """Texts without their UTC offsets, the offsets, and what was done about them."""
    found = text.str.extract(_OFFSET)
    tz = found["tz"]
    if tz.isna().all():
        return text, tz, ""
    main = found["main"].fillna(text)
    seen = sorted(tz.dropna().unique())
    none = f" ({int(tz.isna().sum()):,} distinct values have none)" if tz.isna().any() else ""
    if seen in (["Z"], ["UTC"], ["GMT"]):
        return main, tz, (f"times carry '{seen[0]}' (UTC){none}: read as UTC clock time, "
                          "which may differ from the shop's local time")
    listing = ", ".join(seen[:6]) + (" ..." if len(seen) > 6 else "")
    change = " (they change, e.g. for daylight saving time)" if len(seen) > 1 else ""
    return main, tz, (f"times carry UTC offsets {listing}{change}{none}; the offsets were dropped, "
                      "keeping the local clock time")


def _fits(dates: pd.Series, formats: list[str]) -> dict[str, np.ndarray]:
    """The formats worth trying on all dates (those that read a sample of them), and their results."""
    step = max(1, len(dates) // _SAMPLE)
    sample = dates.iloc[::step]
    tried = {fmt: ~np.isnat(_strict(sample, fmt)) for fmt in formats}
    full = [fmt for fmt, ok in tried.items() if ok.all()] or [fmt for fmt, ok in tried.items() if ok.any()]
    return {fmt: _strict(dates, fmt) for fmt in full}


def _day_evidence(fmt: str, dates: pd.Series, fits: np.ndarray) -> str:
    twin = _twin(fmt)
    if twin is None:
        return f"all {len(dates):,} distinct dates match {fmt}"
    decisive = np.isnat(_strict(dates, twin)) & fits
    field = "first" if fmt.index("%d") < fmt.index("%m") else "second"
    return (f"{int(decisive.sum()):,} of {len(dates):,} distinct dates have a {field} field above 12 "
            f"(e.g. {_examples(dates[decisive])}), so the {field} field is the day")


def _ambiguous_dates(where: str, dates: pd.Series, a: str, b: str, results: dict, time_part: str) -> DataError:
    i = np.flatnonzero(results[a] != results[b])[0]
    def show(moment) -> str:
        moment = pd.Timestamp(moment)
        return f"{moment.day} {moment:%B %Y}"

    return DataError(
        f"{where}: the dates fit both {a} and {b} (no value has a day above 12), so day and month "
        f"cannot be told apart. E.g. {dates.iloc[i]!r} is {show(results[a][i])} with {a} but "
        f"{show(results[b][i])} with {b}. Say which: {_fix('date_format', a + time_part)} "
        f'(or "{b + time_part}").'
    )


def _not_dates(where: str, bad: np.ndarray, rows: np.ndarray, texts, fmt: str | None, given: bool) -> DataError:
    count = f"{int(rows[bad].sum()):,} value(s) ({int(bad.sum()):,} distinct)"
    if fmt is None:
        return DataError(
            f"{where}: no known date format reads the values, e.g. {_examples(texts[bad])}. Set the "
            f"format with Python's strftime codes: {_fix('date_format', '%d.%m.%Y %H:%M')} (adapted)."
        )
    fix = ("Check the date_format setting, or fix or blank those cells" if given else
           f"Fix or blank those cells (blank cells are read as missing), or set the format: "
           f"{_fix('date_format', fmt)}")
    return DataError(f"{where} has {count} that are not dates in the format {fmt}, "
                     f"e.g. {_examples(texts[bad])}. {fix}.")


def _choose_date_format(dates: pd.Series, where: str, time_part: str) -> tuple[str, np.ndarray, str]:
    """The one format of the distinct date texts, their dates and the evidence; raises when the
    values do not settle it. Failing values come back as NaT under the best format."""
    results = _fits(dates, _DATE_FORMATS)
    complete = [fmt for fmt, r in results.items() if not np.isnat(r).any()]
    for a in complete:
        for b in complete:
            if not np.array_equal(results[a], results[b]):
                raise _ambiguous_dates(where, dates, a, b, results, time_part)
    if len(complete) > 1 and _twin(complete[0]) in complete:
        return complete[0], results[complete[0]], (
            f"day and month are equal in all {len(dates):,} distinct dates, so {complete[0]} and "
            f"{_twin(complete[0])} read them alike")
    if complete:  # one format, or several that differ only in how they spell the month (May)
        fmt = complete[0]
        return fmt, results[fmt], _day_evidence(fmt, dates, ~np.isnat(results[fmt]))
    if not results:
        return "", np.full(len(dates), np.datetime64("NaT", "ns")), ""
    best = max(results, key=lambda f: (~np.isnat(results[f])).sum())
    if _twin(best) is not None:
        _refuse_mixed_order(where, dates, best, results, time_part)
    return best, results[best], ""


def _refuse_mixed_order(where: str, dates: pd.Series, best: str, results: dict, time_part: str) -> None:
    """Raise if every date fits day-first or month-first but neither fits them all."""
    twin = _twin(best)
    first = ~np.isnat(results[best])
    second = ~np.isnat(results[twin] if twin in results else _strict(dates, twin))
    if (first | second).all():
        only_a, only_b = first & ~second, second & ~first
        raise DataError(
            f"{where} mixes day-first and month-first dates: e.g. {_examples(dates[only_a])} only fit "
            f"{best} ({int(only_a.sum()):,} distinct dates) and {_examples(dates[only_b])} only fit {twin} "
            f"({int(only_b.sum()):,}). Export the column again in one order (ISO YYYY-MM-DD is safest); "
            f"setting {_fix('date_format', best + time_part)} reads one order and reports the others."
        )


#: Year-first layouts, where day and month cannot be confused: tried whole before any splitting,
#: because a machine export in one of them is the common case and this is ten times faster.
_YEAR_FIRST: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)


def _year_first(text: pd.Series) -> tuple[np.ndarray, str] | None:
    """The dates, if every text fits one year-first layout exactly."""
    sample = text.iloc[:: max(1, len(text) // _SAMPLE)]
    for fmt in _YEAR_FIRST:
        if np.isnat(_strict(sample, fmt)).any():
            continue
        dates = _strict(text, fmt)
        if not np.isnat(dates).any():
            return dates, fmt
    return None


def _infer_text_dates(text: pd.Series, rows: np.ndarray, raw: np.ndarray, where: str) -> tuple[np.ndarray, str, str]:
    """Dates of distinct non-blank texts, their format and the evidence."""
    fast = _year_first(text)
    if fast is not None:
        dates, fmt = fast
        return dates, fmt, f"all {len(text):,} distinct dates match {fmt} (year first: day and month cannot be confused)"
    main, tz, tz_evidence = _offsets(text)
    parts = main.str.extract(_SPLIT)
    clock, clock_ok, clock_fmt = _clock(parts)
    timed = parts["h"].notna().to_numpy()
    twelve = parts["ap"].notna().to_numpy()
    if twelve.any() and (timed & ~twelve).any():
        raise DataError(f"{where} mixes 12-hour and 24-hour times, e.g. {_examples(raw[twelve])} and "
                        f"{_examples(raw[timed & ~twelve])}. Export the column again with one clock.")
    seps = parts["sep"].dropna()
    sep = "T" if seps.eq("T").any() else (", " if seps.str.contains(",").any() else " ")
    time_part = (sep + clock_fmt if timed.any() else "") + ("%z" if tz.notna().any() else "")
    date_codes, date_texts = pd.factorize(parts["date"])
    date_texts = pd.Series(np.asarray(date_texts, dtype=object))
    fmt, day, evidence = _choose_date_format(date_texts, where, time_part)
    dates = day[date_codes] + np.where(timed, clock, np.timedelta64(0, "ns"))
    bad = np.isnat(dates) | ~clock_ok
    if bad.any():
        raise _not_dates(where, bad, rows, raw, fmt + time_part if fmt else None, given=False)
    if timed.any() and not timed.all():
        evidence += f"; {int((~timed).sum()):,} distinct values have no time (read as midnight)"
    return dates, fmt + time_part, "; ".join(filter(None, [evidence, tz_evidence]))


def _given_text_dates(text: pd.Series, rows: np.ndarray, raw: np.ndarray, where: str,
                      date_format: str) -> tuple[np.ndarray, str]:
    """Dates of distinct non-blank texts in the user's format (offsets dropped when it has %z)."""
    fmt, evidence = date_format, f"date format {date_format} given by the reading parameter"
    if re.search(r"\s?%[zZ]$", fmt):
        text, _, tz_evidence = _offsets(text)
        fmt = re.sub(r"\s?%[zZ]$", "", fmt)
        evidence = "; ".join(filter(None, [evidence, tz_evidence]))
    dates = _strict(text, fmt) if fmt != "ISO8601" else pd.to_datetime(
        text, format="ISO8601", errors="coerce").to_numpy(dtype="datetime64[ns]")
    if np.isnat(dates).any():
        raise _not_dates(where, np.isnat(dates), rows, raw, date_format, given=True)
    return dates, evidence


def _number_dates(numbers: np.ndarray, rows: np.ndarray, raw: np.ndarray, where: str) -> tuple[np.ndarray, str, str]:
    """Dates of distinct numbers: YYYYMMDD integers or Excel serial day numbers."""
    whole = numbers == np.floor(numbers)
    if (whole & (numbers >= 10_000_000) & (numbers <= 99_999_999)).any():
        text = pd.Series(np.where(whole, numbers, 0).astype("int64").astype(str))
        dates = _strict(text, "%Y%m%d")
        bad = np.isnat(dates) | ~whole
        if bad.any():
            raise DataError(f"{where} holds numbers read as YYYYMMDD dates, but {int(rows[bad].sum()):,} row(s) "
                            f"are not such dates, e.g. {_examples(raw[bad])}. Fix or blank those cells.")
        return dates, "YYYYMMDD integers", (
            f"all {len(numbers):,} distinct numbers are dates written YYYYMMDD "
            f"({int(numbers.min())} to {int(numbers.max())})")
    low, high = _EXCEL_SERIALS
    bad = (numbers < low) | (numbers > high)
    if bad.any():
        raise DataError(
            f"{where} holds numbers that are not dates: {int(rows[bad].sum()):,} row(s), e.g. "
            f"{_examples(raw[bad])}. Dates written as numbers must be Excel serial day numbers "
            f"({low:,}-{high:,}) or YYYYMMDD integers; convert other codes (e.g. Unix seconds) to dates first."
        )
    days = pd.to_timedelta(numbers, unit="D").round("ms").to_numpy(dtype="timedelta64[ns]")
    return _EXCEL_EPOCH + days, "Excel serial day numbers", (
        f"all {len(numbers):,} distinct numbers are between {numbers.min():,.0f} and {numbers.max():,.0f}: "
        "Excel serial day numbers (days since 1899-12-30)")


def _object_dates(objects: np.ndarray) -> tuple[np.ndarray, str]:
    """Python/pandas date and datetime objects as datetime64[ns], time zones dropped."""
    aware = np.array([getattr(v, "tzinfo", None) is not None for v in objects], dtype=bool)
    naive = [v.replace(tzinfo=None) if a else v for v, a in zip(objects, aware)]
    dates = pd.to_datetime(pd.Series(naive, dtype=object), errors="coerce").to_numpy(dtype="datetime64[ns]")
    note = f" ({int(aware.sum()):,} with a time zone, dropped, keeping the local clock time)" if aware.any() else ""
    return dates, f"{len(objects):,} distinct values were already dates{note}"


def _typed_dates(values: pd.Series, subject: str, given: bool) -> tuple[pd.Series, Decision]:
    tz = values.dt.tz
    dates = values.dt.tz_localize(None) if tz is not None else values
    evidence = "the column already has a date type" + (
        f" (time zone {tz}, dropped, keeping the local clock time)" if tz is not None else "")
    return dates.astype("datetime64[ns]"), Decision(subject, "date format", "already dates", evidence, given)


def _as_text(uniques: np.ndarray, number: np.ndarray) -> np.ndarray:
    """Numbers as the digits a date_format can read (19970101.0 -> '19970101')."""
    out = uniques.copy()
    out[number] = [f"{v:.0f}" if float(v).is_integer() else repr(v) for v in uniques[number]]
    return out


def _text_dates(parsed: np.ndarray, uniques: np.ndarray, rows: np.ndarray, pick: np.ndarray, where: str,
                date_format: str | None) -> tuple[str, str] | None:
    """Fill ``parsed`` for the distinct text values; their (value, evidence), or None if all blank."""
    text = _clean_text(uniques[pick])
    filled = text.notna().to_numpy()
    if not filled.any():
        return None
    idx = np.flatnonzero(pick)[filled]
    text = text[filled].reset_index(drop=True)
    if date_format is not None:
        parsed[idx], evidence = _given_text_dates(text, rows[idx], uniques[idx], where, date_format)
        return date_format, evidence
    parsed[idx], value, evidence = _infer_text_dates(text, rows[idx], uniques[idx], where)
    return value, evidence


def _numbers_as_dates(parsed: np.ndarray, uniques: np.ndarray, rows: np.ndarray, pick: np.ndarray,
                      where: str) -> tuple[str, str] | None:
    if not pick.any():
        return None
    parsed[pick], value, evidence = _number_dates(uniques[pick].astype("float64"), rows[pick], uniques[pick], where)
    return value, evidence


def _objects_as_dates(parsed: np.ndarray, uniques: np.ndarray, rows: np.ndarray, pick: np.ndarray,
                      where: str) -> tuple[str, str] | None:
    if not pick.any():
        return None
    parsed[pick], evidence = _object_dates(uniques[pick])
    if np.isnat(parsed[pick]).any():
        bad = pick & np.isnat(parsed)
        raise DataError(f"{where} has {int(rows[bad].sum()):,} date(s) outside the years 1678-2261, e.g. "
                        f"{_examples(uniques[bad])}. Fix those cells in the file.")
    return "already dates", evidence


def parse_dates(
    values: pd.Series,
    *,
    column: str,
    source: str,
    date_format: str | None = None,
) -> tuple[pd.Series, Decision]:
    """Read a column of order dates with one format for the whole column.

    The format is inferred from all distinct values: every candidate format (ISO 8601,
    ``2024/3/5``, ``05.03.2024``, ``12/1/2010`` and ``01/12/2010``, ``5-3-2024``, ``20240305``,
    ``05 Mar 2024``, ``Mar 5, 2024``, ``2024年3月5日``, each with an optional time ``14:02``,
    ``14:02:11``, ``14:02:11.123`` or ``2:02 PM``) is tried strictly on every distinct date, and
    exactly one reading must fit them all. Day-first and month-first are settled by the dates
    with a day above 12; if none has one, or some need day-first and others month-first, the
    column is refused. Numeric columns are Excel serial day numbers or YYYYMMDD integers.
    Date objects (as Excel gives) pass through, also mixed with text. UTC offsets (``Z``,
    ``+01:00``, ``+0100``) are dropped, keeping the local clock time, which is what weekday and
    hour-of-day analyses need; a column already typed with a time zone is treated the same way.

    Parameters
    ----------
    values : Series
        The raw column: text (blank cells missing), numbers, date objects, or dates.
    column : str
        The column's name in the file, for the decision and the messages.
    source : str
        The file, as messages show it, e.g. ``"'orders.csv'"`` or ``"the DataFrame"``.
    date_format : str, optional
        The format (Python strftime codes, e.g. ``"%d.%m.%Y %H:%M"``, or ``"ISO8601"``), when the
        user has set it: applied strictly to the text values (numbers are read as their digits).

    Returns
    -------
    dates : Series
        datetime64[ns], time-zone naive, NaT where the cell is blank; same index and name.
    decision : Decision
        ``aspect="date format"``; ``value`` the strftime format, ``"Excel serial day numbers"``,
        ``"YYYYMMDD integers"`` or ``"already dates"``; with the evidence.

    Raises
    ------
    DataError
        Values that are not dates; day and month that cannot be told apart; day-first and
        month-first dates mixed; a `date_format` that does not fit the values.

    Examples
    --------
    >>> dates, decision = parse_dates(pd.Series(["05.03.2024", "13.03.2024 14:02", None]),
    ...                               column="Datum", source="'orders.csv'")
    >>> dates.dt.strftime("%Y-%m-%d %H:%M").tolist()
    ['2024-03-05 00:00', '2024-03-13 14:02', nan]
    >>> decision.value
    '%d.%m.%Y %H:%M'
    >>> parse_dates(pd.Series([19970101, 19970102]), column="date", source="x")[1].value
    'YYYYMMDD integers'
    """
    values = _as_series(values)
    if date_format is not None and (not isinstance(date_format, str) or date_format in ("mixed", "")):
        raise DataError(f"date_format must be one format such as '%d.%m.%Y %H:%M' or 'ISO8601', "
                        f"not {date_format!r}: a per-row guess ('mixed') can swap day and month.")
    subject, where, given = f"column '{column}'", _where(column, source), date_format is not None
    if pd.api.types.is_datetime64_any_dtype(values):
        return _typed_dates(values, subject, given)
    if pd.api.types.is_bool_dtype(values):
        raise DataError(f"{where} holds True/False values, not dates. Check the column mapping.")
    codes, uniques, rows = _factorize(values)
    numeric = pd.api.types.is_numeric_dtype(values)
    kinds = np.full(len(uniques), "number", dtype=object) if numeric else _kinds(uniques)
    if given and (kinds == "number").any():
        uniques = np.where(kinds == "number", _as_text(uniques, kinds == "number"), uniques)
        kinds = np.where(kinds == "number", "text", kinds)
    if (kinds == "other").any():
        raise _not_dates(where, kinds == "other", rows, uniques, None, given)
    parsed = np.full(len(uniques), np.datetime64("NaT", "ns"))
    found = [_text_dates(parsed, uniques, rows, kinds == "text", where, date_format),
             _numbers_as_dates(parsed, uniques, rows, kinds == "number", where),
             _objects_as_dates(parsed, uniques, rows, kinds == "date", where)]
    found = [f for f in found if f is not None]
    value = "; ".join(v for v, _ in found) or (date_format or "no dates")
    evidence = "; ".join(e for _, e in found) or "every cell is blank"
    return _map_back(parsed, codes, np.datetime64("NaT", "ns"), values), Decision(
        subject, "date format", value, evidence, given)
