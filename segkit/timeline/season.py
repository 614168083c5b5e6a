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

from segkit.errors import DataError
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


def _trend(times: pd.Series, days: pd.DatetimeIndex) -> np.ndarray:
    """Each day's weight, mean 1: the straight line through the orders per day of each calendar month
    (least squares weighted by the days observed), kept at or above a tenth of the mean; flat under 3 months."""
    month = (days.year * 12 + days.month).to_numpy()
    observed, position = np.unique(month, return_inverse=True)
    if len(observed) < 3:
        return np.ones(len(days))
    n_days = np.bincount(position).astype(float)
    per_month = pd.Series(times.dt.year.to_numpy() * 12 + times.dt.month.to_numpy()).value_counts()
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


def _orders(lines: pd.DataFrame, segments: pd.Series | None, total: str) -> pd.DataFrame:
    buys = lines.loc[~lines["is_return"]]
    orders = buys.groupby(["customer_id", "order_id"], sort=False, observed=True).agg(
        time=("order_date", "min"), revenue=("amount", "sum")).reset_index()
    groups = [orders.assign(group=total)]
    if segments is not None:
        labels = segments.reindex(orders["customer_id"].to_numpy())
        groups.append(orders.assign(group=labels.astype(str).to_numpy()).loc[labels.notna().to_numpy()])
    return pd.concat(groups, ignore_index=True)


def seasonality(
    clean: pd.DataFrame,
    *,
    segments: pd.Series | None = None,
    snapshot_date: str | pd.Timestamp | None = None,
    total: str = "all customers",
) -> pd.DataFrame:
    """Orders and revenue by weekday, hour (when the dates carry times) and month, for everyone and per segment.

    Parameters
    ----------
    clean : DataFrame
        Clean order lines (:func:`segkit.data.load_clean`).
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
    lines, snapshot = _lines(clean, snapshot_date)
    orders = _orders(lines, segments, total)
    groups = [total, *_group_order(segments, orders)]
    units = [u for u in _LEVELS if u != "hour" or (orders["time"] != orders["time"].dt.normalize()).any()]
    days = _days(lines["order_date"].min(), snapshot)
    parts = [_by_unit(orders.loc[orders["group"] == group], group, unit, days) for group in groups for unit in units]
    order = {unit: i for i, unit in enumerate(units)}
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values("unit", key=lambda u: u.map(order), kind="stable").reset_index(drop=True)


def _group_order(segments: pd.Series | None, orders: pd.DataFrame) -> list[str]:
    if segments is None:
        return []
    present = set(orders["group"])
    names = segments.cat.categories if isinstance(segments.dtype, pd.CategoricalDtype) else sorted(
        segments.dropna().astype(str).unique())
    return [str(n) for n in names if str(n) in present]


def _by_unit(orders: pd.DataFrame, group: str, unit: str, days: pd.DatetimeIndex) -> pd.DataFrame:
    """One group's rows for one unit (a loop over groups and units, never over customers)."""
    levels, labels = _LEVELS[unit]
    exposure = _exposure(days, _trend(orders["time"], days), unit)
    offset = levels[0]
    level = _level(orders["time"], unit) - offset
    table = pd.DataFrame({"group": group, "unit": unit, "level": levels, "label": labels,
                          "orders": np.bincount(level, minlength=len(levels)).astype(float),
                          "revenue": np.bincount(level, weights=orders["revenue"].to_numpy(float),
                                                 minlength=len(levels)).round(6),
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
