"""How one value of each kind is written: the formatters behind every report table and axis.

One rule per kind (see :data:`segkit.present.kinds.KINDS`), written once so that a money amount,
a share or a count reads the same in every notebook. Missing values are written :data:`MISSING`
(an en dash), never ``nan`` or ``<NA>``. Negative money puts the sign before the currency
(``-£12.50``). A currency is a symbol (``£``, ``$``, ``€``, ``kr``), written before the amount
without a space, or a three-letter ISO code (``EUR``), written before it with a space.

**Small values are never written as zero.** A kind shows a fixed number of decimals (two for
numbers, one for shares, two for rates in percent), but a nonzero value smaller than its last
decimal (a standard error of 0.0034, a share of 0.03%) keeps two significant digits instead
(``0.0034``, ``0.03%``); below one millionth it is written ``3.4e-07``. Exact zero is ``0``
(``0%``, ``0 pts``), so "0" always means nothing and a small value always shows its size. Money and
counts keep their fixed decimals: a penny and a whole customer are their natural units.

Values are written one by one (``Series.map``): these are tables for people, tens or hundreds of
rows, never a customer table; exports keep the numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

import numpy as np
import pandas as pd

from segkit.errors import DataError

#: What a missing value shows.
MISSING: str = "–"
#: Significant digits of a nonzero value too small for its kind's decimals: 0.0034, not 0.00.
SIGNIFICANT: int = 2
#: Below this magnitude a small value is written in scientific notation (3.4e-07), not with many zeros.
TINY: float = 1e-6
#: p-values below this are written as "<0.001".
P_FLOOR: float = 0.001
_ISO_CODE = re.compile(r"[A-Z]{3}")


def check_currency(currency: str) -> str:
    """The currency as given, if it is one: a short symbol or a three-letter ISO code ('' for none)."""
    if not isinstance(currency, str) or len(currency.strip()) > 4 or currency != currency.strip():
        raise DataError(f"currency={currency!r} is not a currency symbol or ISO code; write e.g. '£', '$', '€' "
                        "or 'EUR' ('' for none).")
    return currency


def currency_prefix(currency: str) -> str:
    """What is written before an amount: ``£`` for a symbol, ``EUR `` for an ISO code."""
    check_currency(currency)
    return f"{currency} " if _ISO_CODE.fullmatch(currency) else currency


def is_missing(value: object) -> bool:
    """Whether a value is missing (None, NaN, NaT, pd.NA)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are values, not missing
        return False


def _number(value: object) -> float | None:
    """A real number as a float, or None for anything else (text, dates, flags)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def _fixed(value: float, decimals: int) -> str:
    """Thousands separators and a fixed number of decimals, without a negative zero."""
    if not math.isfinite(value):
        return "∞" if value > 0 else "-∞" if value < 0 else MISSING
    if round(value, decimals) == 0:
        value = 0.0
    return f"{value:,.{decimals}f}"


def _small(value: float, decimals: int) -> str | None:
    """A nonzero value that ``decimals`` decimals would hide, with :data:`SIGNIFICANT` significant digits.

    None for zero, for values of at least ``10 ** -decimals`` and for those that round up to it
    (0.00999 is written by the usual rule as 0.01): the caller writes those with ``decimals``.
    Trailing zeros are dropped (0.0030 → 0.003).

    Examples
    --------
    >>> _small(0.0034, 2), _small(-0.0034, 2), _small(0.00999, 2), _small(0.01, 2), _small(0.0, 2)
    ('0.0034', '-0.0034', None, None, None)
    >>> _small(0.03, 1), _small(0.003, 2), _small(3.4e-07, 2)
    ('0.03', '0.003', '3.4e-07')
    """
    size = abs(value)
    if not math.isfinite(value) or size == 0 or size >= 10.0 ** -decimals:
        return None
    if size < TINY:
        return f"{value:.{SIGNIFICANT - 1}e}"
    places = SIGNIFICANT - 1 - math.floor(math.log10(size))
    if round(size, places) >= 10.0 ** -decimals:
        return None
    return f"{value:.{places}f}".rstrip("0")


def _readable(value: float, decimals: int) -> str:
    """``decimals`` decimals with thousands separators, or :func:`_small` when that would hide the value."""
    return _small(value, decimals) or _fixed(value, decimals)


def _trimmed(value: float, decimals: int) -> str:
    """At most ``decimals`` decimals, none when the value rounds to a whole number (7.00 → 7)."""
    text = _fixed(value, decimals)
    return text.split(".")[0] if "." in text and not text.split(".")[1].strip("0") else text


def _trimmed_readable(value: float, decimals: int) -> str:
    """:func:`_trimmed`, or :func:`_small` when ``decimals`` would hide the value (0.0034, not 0)."""
    return _small(value, decimals) or _trimmed(value, decimals)


def format_date(value: object, *, with_time: bool = False) -> str:
    """A date as ``2025-12-31`` (``2025-12-31 14:05`` with ``with_time``)."""
    stamp = pd.Timestamp(value)
    return stamp.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def format_any(value: object) -> str:
    """Any value as text: numbers with separators (whole numbers without decimals), dates as dates.

    Examples
    --------
    >>> format_any(4982.0), format_any(1234.5678), format_any(pd.Timestamp("2025-12-31")), format_any(None)
    ('4,982', '1,234.57', '2025-12-31', '–')
    >>> format_any(pd.Timedelta(hours=36))
    '1.5 days'
    >>> format_any(0.0034), format_any(-0.0034), format_any(0.00999), format_any(0.01), format_any(0.0)
    ('0.0034', '-0.0034', '0.01', '0.01', '0')
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (pd.Timedelta, dt.timedelta, np.timedelta64)):
        return f"{_trimmed(pd.Timedelta(value) / pd.Timedelta(days=1), 1)} days"
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        return format_date(stamp, with_time=stamp != stamp.normalize())
    number = _number(value)
    if number is None:
        return str(value)
    return _trimmed_readable(number, 2)


def format_money(value: object, currency: str = "", *, decimals: int = 2) -> str:
    """Money: sign, currency, thousands separators, ``decimals`` decimals.

    Examples
    --------
    >>> format_money(1234567.891, "£"), format_money(-12.5, "£"), format_money(5, "EUR")
    ('£1,234,567.89', '-£12.50', 'EUR 5.00')
    """
    number = _number(value)
    if number is None or is_missing(number):
        return format_any(value)
    text = _fixed(abs(number), decimals)
    sign = "-" if number < 0 and text.strip("0.,") else ""
    return f"{sign}{currency_prefix(currency)}{text}"


def format_count(value: object) -> str:
    """A count: a whole number with separators; a fractional count (an expectation) keeps one decimal.

    Examples
    --------
    >>> format_count(4982.0), format_count(306.667), format_count(-3)
    ('4,982', '306.7', '-3')
    """
    number = _number(value)
    if number is None:
        return format_any(value)
    return _trimmed(number, 1)


def format_percent(value: object, *, scale: float = 100.0, decimals: int = 1, signed: bool = False,
                   unit: str = "%") -> str:
    """A fraction (``scale=100``) or a value already in percent (``scale=1``) as ``12.3%``.

    A nonzero value below the last decimal keeps two significant digits (``0.03%``, not ``0.0%``);
    exact zero is ``0%``.

    Examples
    --------
    >>> format_percent(0.1234), format_percent(12.34, scale=1), format_percent(0.033, signed=True, unit=" pts")
    ('12.3%', '12.3%', '+3.3 pts')
    >>> format_percent(0.0003), format_percent(0.001), format_percent(0.0), format_percent(-0.0002, signed=True)
    ('0.03%', '0.1%', '0%', '-0.02%')
    """
    number = _number(value)
    if number is None:
        return format_any(value)
    if number == 0:
        return f"0{unit}"
    text = _readable(number * scale, decimals)
    if signed and not text.startswith("-") and text.strip("0.,"):
        text = "+" + text
    return f"{text}{unit}"


def format_pvalue(value: object) -> str:
    """A p-value with 2 decimals, two significant digits below 0.01, and ``<0.001`` below :data:`P_FLOOR`.

    Examples
    --------
    >>> format_pvalue(0.2345), format_pvalue(0.01), format_pvalue(0.0034), format_pvalue(0.001), format_pvalue(0.0003)
    ('0.23', '0.01', '0.0034', '0.001', '<0.001')
    """
    number = _number(value)
    if number is None:
        return format_any(value)
    return f"<{P_FLOOR:g}" if number < P_FLOOR else _trimmed_readable(number, 2)


def format_flag(value: object) -> str:
    """True / False as yes / no."""
    if is_missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)) or _number(value) in (0.0, 1.0):
        return "yes" if bool(value) else "no"
    return format_any(value)


def format_values(values: pd.Series, kind: str, *, currency: str = "") -> pd.Series:
    """Every value of a column (or a row) written as ``kind`` says; missing values as :data:`MISSING`.

    Examples
    --------
    >>> format_values(pd.Series([0.1234, None]), "share").tolist()
    ['12.3%', '–']
    >>> format_values(pd.Series([1.0, 2.5, 6.999]), "number").tolist()
    ['1', '2.50', '7']
    """
    if kind in {"number", "ratio", "score"}:
        written = values.map(format_any)
    elif kind == "date":
        is_date = values.map(lambda v: isinstance(v, (pd.Timestamp, dt.date, np.datetime64)) and not is_missing(v))
        with_time = any(pd.Timestamp(v) != pd.Timestamp(v).normalize() for v in values[is_date])
        written = values.map(lambda v: format_date(v, with_time=with_time)) if is_date.all() else \
            values.where(~is_date).map(format_any).where(~is_date, values[is_date].map(
                lambda v: format_date(v, with_time=with_time)))
    else:
        one = {
            "money": lambda v: format_money(v, currency),
            "count": format_count,
            "days": format_count,
            "share": format_percent,
            "percent": lambda v: format_percent(v, scale=1.0),
            "rate": lambda v: format_percent(v, decimals=2),
            "points": lambda v: format_percent(v, signed=True, unit=" pts"),
            "pvalue": format_pvalue,
            "flag": format_flag,
            "text": format_any,
        }[kind]
        written = values.map(one)
    return written.where(~values.map(is_missing), MISSING).astype(object)
