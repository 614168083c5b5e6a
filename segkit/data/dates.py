"""Dates as real exports write them, read with one format per column.

A column's date format is decided once, from all its distinct values, never row by row (day-first
or month-first is settled by the values with a day above 12), and comes back as a
:class:`~segkit.data.decisions.Decision` with its evidence. When the values cannot settle it
(every date looks like ``'01/02/2024'``), :func:`parse_dates` refuses with a
:class:`segkit.DataError` that names the file, the column, examples and the setting that settles
it (``reading: {date_format: "%d.%m.%Y"}``).

It works on the distinct values (``pd.factorize``) and maps the result back, so a column of
millions of rows with repeated timestamps costs little more than its distinct values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from segkit.data._parsing import _as_series, _clean_text, _examples, _factorize, _fix, _kinds, _map_back, _where
from segkit.data.decisions import Decision
from segkit.errors import DataError

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
_EXCEL_SERIALS = (20_000, 80_000)  # 1954-10-03 .. 2119-01-11
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
_WHOLE_YEAR_FIRST: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)


def _year_first(text: pd.Series) -> tuple[np.ndarray, str] | None:
    """The dates, if every text fits one year-first layout exactly."""
    sample = text.iloc[:: max(1, len(text) // _SAMPLE)]
    for fmt in _WHOLE_YEAR_FIRST:
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
    dates = _strict(text, fmt)  # pandas reads format="ISO8601" too
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
    parsed = pd.Series(pd.to_datetime(pd.Series(naive, dtype=object), errors="coerce"))
    # the datetime64[ns] range; pandas may parse other years at a coarser unit, which would wrap when cast
    dates = parsed.where(parsed.dt.year.between(1678, 2261)).to_numpy(dtype="datetime64[ns]")
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
