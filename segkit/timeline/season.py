"""Seasonality: orders and revenue by weekday, hour of the day (where the data have times) and month, per segment.

An **order** is a customer's distinct order id with a purchase line, at the time of its first line;
its revenue is the sum of its purchase lines (returns are left out: they say when goods came back,
not when customers buy). Each level is compared with the average of its kind by an **index**:
orders per day of that weekday (or month) in the data's date range, over orders per day overall,
so that a range holding five Mondays and four Sundays, or one December and two Januaries, does not
pass for a pattern. A shop that grows (or shrinks) would still make its later months look busy, so
the days are weighted by the group's trend: a straight line through its orders per day, month by
month. Hours are compared with 1/24 of the orders. An index of 1.3 means 30% more orders than an
average day (or hour, or month) would have at that point of the trend. A chi-square test against
a flat pattern says whether the differences are larger than chance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from segkit.data.customers import CleanLines
from segkit.errors import DataError
from segkit.timeline import _sql
from segkit.timeline._lines import _lines

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LEVELS: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {
    "weekday": (np.arange(7), WEEKDAYS),
    "hour": (np.arange(24), tuple(f"{h:02d}h" for h in range(24))),
    "month": (np.arange(1, 13), MONTHS),
}


def _level(times: pd.Series, unit: str) -> np.ndarray:
    accessor = {"weekday": "day_of_week", "hour": "hour", "month": "month"}[unit]
    return getattr(times.dt, accessor).to_numpy(np.int64)


def _days(first: pd.Timestamp, snapshot: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(first.normalize(), snapshot - pd.Timedelta(days=1), freq="D")


def _trend(per_month: pd.Series, days: pd.DatetimeIndex) -> np.ndarray:
    """Each day's weight, mean 1: the straight line through the orders per day of each calendar month
    (``per_month``: orders by year × 12 + month; least squares weighted by the days observed), kept at or
    above a tenth of the mean; flat under 3 months."""
    month = (days.year * 12 + days.month).to_numpy()
    observed, position = np.unique(month, return_inverse=True)
    if len(observed) < 3:
        return np.ones(len(days))
    n_days = np.bincount(position).astype(float)
    rate = per_month.reindex(observed, fill_value=0).to_numpy(float) / n_days
    slope, intercept = np.polyfit(observed - observed[0], rate, 1, w=np.sqrt(n_days))
    line = np.maximum(intercept + slope * (month - observed[0]), 0.1 * rate.mean())
    return line / line.mean()


def _exposure(days: pd.DatetimeIndex, weights: np.ndarray, unit: str) -> np.ndarray:
    """Trend-weighted days of each level; every hour has every day."""
    if unit == "hour":
        return np.full(24, weights.sum())
    offset = _LEVELS[unit][0][0]  # months count from 1
    levels = _level(pd.Series(days), unit) - offset
    return np.bincount(levels, weights=weights, minlength=len(_LEVELS[unit][0]))


def _labels(segments: pd.Series | None) -> pd.DataFrame | None:
    """The segment of each customer as the small frame the engine joins (``customer_id``, ``grp``)."""
    if segments is None:
        return None
    known = segments.notna().to_numpy()
    return pd.DataFrame({"customer_id": segments.index[known].astype(str),
                         "grp": segments.astype(str).to_numpy()[known]})


def seasonality(
    clean: CleanLines,
    *,
    segments: pd.Series | None = None,
    snapshot_date: str | pd.Timestamp | None = None,
    total: str = "all customers",
) -> pd.DataFrame:
    """Orders and revenue by weekday, hour (when the dates carry times) and month, for everyone and per segment.

    Parameters
    ----------
    clean : DataFrame or path
        Clean order lines (:func:`segkit.data.load_clean`) or their Parquet file (:func:`segkit.engine.clean_lines`);
        the orders are counted per group and level in the engine (the segments are joined there).
    segments : Series, optional
        Segment per customer, indexed by ``customer_id``; each segment gets its own rows after ``total``'s
        (a categorical keeps its order; customers without a segment count only in ``total``).
    snapshot_date : date-like, optional
        Only lines before this day count; default the day after the last line.
    total : str
        The group name of all customers together.

    Returns
    -------
    DataFrame
        Long table, one row per group, ``unit`` (``weekday``, ``hour``, ``month``) and level: ``group``,
        ``unit``, ``level`` (0 = Monday; hour 0..23; month 1..12), ``label``, ``orders``, ``revenue``,
        ``exposure_days`` (days of that level in the date range, weighted by the group's trend), ``orders_share`` (of the group's orders) and ``index`` (1 = average). The
        ``hour`` rows are left out when every order is at midnight (dates without times).

    Examples
    --------
    >>> lines = pd.DataFrame({"customer_id": ["a", "b", "c"], "order_id": ["1", "2", "3"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-03"]),  # Mon, Mon, Wed
    ...     "amount": [10.0, 5.0, 8.0], "is_return": [False] * 3})
    >>> week = seasonality(lines, snapshot_date="2024-01-15").query("unit == 'weekday'")
    >>> week.set_index("label").loc[["Mon", "Wed", "Sun"], ["orders", "exposure_days", "index"]].to_numpy().tolist()
    [[2.0, 2.0, 4.666666666666667], [1.0, 2.0, 2.3333333333333335], [0.0, 2.0, 0.0]]
    """
    if segments is not None and not isinstance(segments, pd.Series):
        raise DataError(f"segments must be a Series of segment names indexed by customer_id, got "
                        f"{type(segments).__name__}; e.g. rfm.rfm_segments(customers)['segment'].")
    lines = _lines(clean, snapshot_date)
    counts = lines.query(lambda relation, l: _sql.season_query(relation, l.is_return, l.before(), total,
                                                              segments=segments is not None),
                         segments=_labels(segments))
    groups = [total, *_group_order(segments, set(counts["grp"]))]
    timed = (counts["unit"] == "timed").any()
    units = [u for u in _LEVELS if u != "hour" or timed]
    days = _days(lines.first, lines.snapshot)
    parts = [_by_unit(counts.loc[counts["grp"] == group], group, unit, days) for group in groups for unit in units]
    order = {unit: i for i, unit in enumerate(units)}
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values("unit", key=lambda u: u.map(order), kind="stable").reset_index(drop=True)


def _group_order(segments: pd.Series | None, present: set) -> list[str]:
    if segments is None:
        return []
    names = segments.cat.categories if isinstance(segments.dtype, pd.CategoricalDtype) else sorted(
        segments.dropna().astype(str).unique())
    return [str(n) for n in names if str(n) in present]


def _by_unit(counts: pd.DataFrame, group: str, unit: str, days: pd.DatetimeIndex) -> pd.DataFrame:
    """One group's rows for one unit from the engine's counts (a loop over groups and units, never over customers)."""
    levels, labels = _LEVELS[unit]
    per_month = counts.loc[counts["unit"] == "calendar_month"].set_index("level")["orders"]
    exposure = _exposure(days, _trend(per_month, days), unit)
    found = counts.loc[counts["unit"] == unit].set_index("level")
    table = pd.DataFrame({"group": group, "unit": unit, "level": levels, "label": labels,
                          "orders": found["orders"].reindex(levels, fill_value=0).to_numpy(float),
                          "revenue": found["revenue"].reindex(levels, fill_value=0.0).to_numpy(float).round(6),
                          "exposure_days": exposure})
    total = table["orders"].sum()
    table["orders_share"] = table["orders"] / total
    rate = table["orders"] / table["exposure_days"].where(table["exposure_days"] > 0)
    table["index"] = rate / (total / exposure.sum())
    return table


def seasonal_peaks(table: pd.DataFrame) -> pd.DataFrame:
    """The busiest and quietest level of each group and unit, and whether the pattern beats chance.

    Parameters
    ----------
    table : DataFrame
        :func:`seasonality`'s table.

    Returns
    -------
    DataFrame
        One row per group and unit (in the table's order): ``group``, ``unit``, ``orders``, ``peak``,
        ``peak_index``, ``low``, ``low_index``, ``p_value`` (chi-square test of the orders against a flat
        pattern given the exposure) and ``enough`` (False when fewer than 5 orders are expected per level,
        where the test and the indexes say little).

    Examples
    --------
    >>> table = pd.DataFrame({"group": "all", "unit": "weekday", "label": list("ABCDEFG"),
    ...     "orders": [40.0, 10, 10, 10, 10, 10, 10], "exposure_days": 10.0, "index": [2.8, .7, .7, .7, .7, .7, .7]})
    >>> seasonal_peaks(table)[["peak", "peak_index", "low", "enough"]].to_numpy().tolist()
    [['A', 2.8, 'B', True]]
    """
    needed = ["group", "unit", "label", "orders", "exposure_days", "index"]
    if not isinstance(table, pd.DataFrame) or any(c not in table.columns for c in needed):
        raise DataError(f"expected seasonality's table with columns {needed}; make it with "
                        "segkit.timeline.seasonality(clean).")
    observed = table.loc[table["exposure_days"] > 0]
    keys = [observed["group"], observed["unit"]]
    grouped = observed.groupby(keys, sort=False)
    orders = grouped["orders"].transform("sum")
    expected = orders * observed["exposure_days"] / grouped["exposure_days"].transform("sum")
    chi2 = ((observed["orders"] - expected) ** 2 / expected.where(expected > 0)).groupby(keys, sort=False).sum()
    out = grouped.agg(orders=("orders", "sum"), levels=("orders", "size"), min_expected=("orders", "size"))
    out["min_expected"] = expected.groupby(keys, sort=False).min()
    peak, low = observed.loc[grouped["index"].idxmax()], observed.loc[grouped["index"].idxmin()]
    out["peak"], out["peak_index"] = peak["label"].to_numpy(), peak["index"].to_numpy()
    out["low"], out["low_index"] = low["label"].to_numpy(), low["index"].to_numpy()
    out["p_value"] = stats.chi2.sf(chi2.to_numpy(), out["levels"].to_numpy() - 1)
    out["enough"] = out["min_expected"] >= 5
    return out.drop(columns=["levels", "min_expected"]).reset_index()
