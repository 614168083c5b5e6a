"""Cohort retention: customers grouped by the month (or quarter) of their first purchase, followed period by period.

A customer's **cohort** is the period of their first purchase; **period index** k is the k-th period
after it (0 is the first purchase's own period). For each cohort and k:

* ``customers_active``: cohort customers with a purchase (a line that is not a return) in period k;
* ``share_active`` = customers_active / cohort size (1 at k = 0 by definition);
* ``revenue``: the cohort's net revenue in period k (purchases less returns, each dated when it happened);
* ``revenue_per_customer`` = revenue / cohort size (per *original* customer, so churn shows as a fall),
  and its running total over k, ``cumulative_revenue_per_customer``.

Only lines before the snapshot day count, as in :func:`segkit.data.customer_table`; the period that holds
the snapshot is observed only in part, and ``complete`` says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from segkit.data.customers import CleanLines
from segkit.errors import DataError
from segkit.timeline import _sql
from segkit.timeline._lines import _lines

#: Periods per year of each cohort period.
PERIODS: dict[str, int] = {"month": 12, "quarter": 4}

COLUMNS: tuple[str, ...] = (
    "cohort", "cohort_start", "period_index", "cohort_size", "customers_active", "share_active", "revenue",
    "revenue_per_customer", "cumulative_revenue_per_customer", "complete",
)


def _check_period(period: str) -> int:
    if period not in PERIODS:
        raise DataError(f"period={period!r} is not a cohort period; use 'month' or 'quarter'.")
    return PERIODS[period]


def _period_number(dates: pd.Series, per_year: int) -> np.ndarray:
    """Periods since year 0: ``year × per_year + the period within the year`` (months 0..11 or quarters 0..3)."""
    year = dates.dt.year.to_numpy(np.int64)
    month = dates.dt.month.to_numpy(np.int64) - 1
    return year * per_year + month * per_year // 12


def _period_start(number: np.ndarray, per_year: int) -> pd.DatetimeIndex:
    number = np.asarray(number, dtype=np.int64)
    months = number // per_year * 12 + number % per_year * (12 // per_year)
    return pd.to_datetime({"year": months // 12, "month": months % 12 + 1, "day": np.ones_like(months)})


def _period_label(number: np.ndarray, per_year: int) -> np.ndarray:
    """``2024-01`` for months, ``2024Q1`` for quarters."""
    number = np.asarray(number, dtype=np.int64)
    year, part = (number // per_year).astype(str), number % per_year + 1
    if per_year == 12:
        return np.char.add(np.char.add(year, "-"), np.char.zfill(part.astype(str), 2))
    return np.char.add(np.char.add(year, "Q"), part.astype(str))


def cohort_retention(
    clean: CleanLines, *, period: str = "month", snapshot_date: str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Retention and revenue of each acquisition cohort, period by period (the long table a heatmap pivots).

    Parameters
    ----------
    clean : DataFrame or path
        Clean order lines (:func:`segkit.data.load_clean`) or their Parquet file
        (:func:`segkit.engine.clean_lines`), computed on in the engine: ``customer_id``, ``order_id``, ``order_date``,
        ``amount`` and ``is_return`` (derived from negative amounts or quantities when absent).
    period : {"month", "quarter"}
        The cohort period.
    snapshot_date : date-like, optional
        Only lines before this day count; default the day after the last line.

    Returns
    -------
    DataFrame
        One row per cohort and period index from 0 to the snapshot's period, cohorts in time order:
        ``cohort`` (``2024-01`` or ``2024Q1``), ``cohort_start``, ``period_index``, ``cohort_size``,
        ``customers_active``, ``share_active``, ``revenue``, ``revenue_per_customer``,
        ``cumulative_revenue_per_customer`` and ``complete`` (False for the period the snapshot cuts).
        Periods without a purchase have 0 customers active; months without a new customer have no cohort.

    Raises
    ------
    DataError
        Unknown ``period``, unusable lines or snapshot (the message names the fix).

    Examples
    --------
    >>> lines = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-03-02", "2024-02-10", "2024-02-20"]),
    ...     "amount": [10.0, 5.0, 8.0, 2.0], "is_return": [False, False, False, False]})
    >>> table = cohort_retention(lines, snapshot_date="2024-04-01")
    >>> table[["cohort", "period_index", "customers_active", "share_active", "revenue"]].to_numpy().tolist()
    [['2024-01', 0, 1, 1.0, 10.0], ['2024-01', 1, 0, 0.0, 0.0], ['2024-01', 2, 1, 1.0, 5.0], ['2024-02', 0, 1, 1.0, 10.0], ['2024-02', 1, 0, 0.0, 0.0]]
    """
    per_year = _check_period(period)
    lines = _lines(clean, snapshot_date)
    counts = lines.query(lambda relation, l: _sql.cohort_query(relation, l.is_return, l.before(), per_year))
    sizes = counts.loc[counts["period_index"] == -1].set_index("cohort")["active"].sort_index()
    cells = counts.loc[counts["period_index"] >= 0].set_index(["cohort", "period_index"])
    last = int(_period_number(pd.Series([lines.snapshot - pd.Timedelta(days=1)]), per_year)[0])
    grid = _grid(sizes, last)
    keys = pd.MultiIndex.from_arrays([grid["cohort_number"], grid["period_index"]])
    grid["customers_active"] = cells["active"].reindex(keys, fill_value=0).to_numpy(np.int64)
    grid["revenue"] = cells["revenue"].reindex(keys, fill_value=0.0).to_numpy(float).round(6)
    return _finish(grid, per_year, lines.snapshot)


def _grid(sizes: pd.Series, last: int) -> pd.DataFrame:
    """Every (cohort, period index) from index 0 to the ``last`` period, with the cohort sizes."""
    numbers = sizes.index.to_numpy(np.int64)
    lengths = last - numbers + 1
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pd.DataFrame({
        "cohort_number": np.repeat(numbers, lengths),
        "period_index": np.arange(lengths.sum()) - starts,
        "cohort_size": np.repeat(sizes.to_numpy(np.int64), lengths),
    })


def _finish(grid: pd.DataFrame, per_year: int, snapshot: pd.Timestamp) -> pd.DataFrame:
    number = grid.pop("cohort_number").to_numpy()
    grid.insert(0, "cohort", _period_label(number, per_year))
    grid.insert(1, "cohort_start", _period_start(number, per_year))
    grid["share_active"] = grid["customers_active"] / grid["cohort_size"]
    grid["revenue_per_customer"] = grid["revenue"] / grid["cohort_size"]
    grid["cumulative_revenue_per_customer"] = grid.groupby("cohort", sort=False)["revenue_per_customer"].cumsum()
    grid["complete"] = _period_start(number + grid["period_index"].to_numpy() + 1, per_year) <= snapshot
    return grid[list(COLUMNS)]


def retention_matrix(table: pd.DataFrame, *, value: str = "share_active") -> pd.DataFrame:
    """Cohorts (rows, oldest first) × period index (columns) of ``value`` from :func:`cohort_retention`'s table.

    Cells a cohort has not reached yet are NaN.

    Examples
    --------
    >>> table = pd.DataFrame({"cohort": ["2024-01", "2024-01", "2024-02"], "period_index": [0, 1, 0],
    ...                       "share_active": [1.0, 0.5, 1.0]})
    >>> retention_matrix(table).to_numpy().tolist()
    [[1.0, 0.5], [1.0, nan]]
    """
    _check_table(table, [value])
    return table.pivot(index="cohort", columns="period_index", values=value)


def _check_table(table: object, columns: Sequence[str]) -> None:
    needed = ["cohort", "period_index", *columns]
    if not isinstance(table, pd.DataFrame) or any(c not in table.columns for c in needed):
        raise DataError(f"expected cohort_retention's table with columns {needed}; make it with "
                        "segkit.timeline.cohort_retention(clean).")


def retention_trend(table: pd.DataFrame, *, horizons: Sequence[int] = (3, 6)) -> pd.DataFrame:
    """Retention ``horizons`` periods after acquisition: the first and last cohort observed, older against newer.

    Only complete periods count. At each horizon, the cohorts that have reached it are split in time
    order into an older and a newer half (the middle one, of an odd number, goes to neither), and each
    half's retention is its customer-weighted share active.

    Parameters
    ----------
    table : DataFrame
        :func:`cohort_retention`'s table.
    horizons : sequence of int
        Period indexes (months or quarters after acquisition), each at least 1.

    Returns
    -------
    DataFrame
        Indexed by ``horizon``: ``cohorts`` (how many have reached it), ``first_cohort``, ``first_share``,
        ``last_cohort``, ``last_share``, ``older_share``, ``newer_share`` and ``difference`` (newer − older,
        in shares); NaN or empty where fewer than two cohorts have reached the horizon.

    Examples
    --------
    >>> table = pd.DataFrame({"cohort": ["a", "b", "c"], "period_index": [1, 1, 1], "cohort_size": [10, 10, 20],
    ...                       "customers_active": [5, 4, 2], "complete": [True, True, True]})
    >>> retention_trend(table, horizons=[1]).loc[1, ["older_share", "newer_share"]].tolist()
    [0.5, 0.1]
    """
    _check_table(table, ["cohort_size", "customers_active", "complete"])
    bad = [h for h in horizons if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1]
    if bad or len(horizons) == 0:
        raise DataError(f"horizons={list(horizons)} must be whole numbers of periods of at least 1, e.g. [3, 6].")
    rows = [_trend_at(table.loc[(table["period_index"] == h) & table["complete"]], int(h)) for h in horizons]
    return pd.DataFrame(rows).set_index("horizon")


def _trend_at(reached: pd.DataFrame, horizon: int) -> dict:
    n = len(reached)
    row = {"horizon": horizon, "cohorts": n, "first_cohort": "", "first_share": np.nan, "last_cohort": "",
           "last_share": np.nan, "older_share": np.nan, "newer_share": np.nan, "difference": np.nan}
    if n < 2:
        return row
    share = (reached["customers_active"] / reached["cohort_size"]).to_numpy()
    older, newer = reached.iloc[: n // 2], reached.iloc[n - n // 2:]
    weighted = lambda part: part["customers_active"].sum() / part["cohort_size"].sum()  # noqa: E731
    row.update(first_cohort=reached["cohort"].iloc[0], first_share=share[0], last_cohort=reached["cohort"].iloc[-1],
               last_share=share[-1], older_share=weighted(older), newer_share=weighted(newer))
    row["difference"] = row["newer_share"] - row["older_share"]
    return row
