"""The purchase cycle: each customer's own rhythm, and who is overdue on it.

A customer's **purchase days** are the calendar days with a purchase (a line that is not a return), as
:func:`segkit.data.customer_table` counts them; a **gap** is the number of days between two consecutive
purchase days, and the customer's typical gap is the **median** of their gaps (robust to one long
holiday). The **overdue ratio** is days since the last purchase divided by that typical gap: 1 means
"due now", above ``overdue_multiple`` (2 by default) the customer is late on their own rhythm, a
slipping signal that works for a weekly buyer and a twice-a-year buyer alike. One-time buyers have no
gap, so no ratio: they are never counted as overdue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.data.customers import CleanLines
from segkit.errors import DataError
from segkit.memo import kept_for_lines
from segkit.timeline import _sql
from segkit.timeline._lines import _lines

CYCLE_COLUMNS: tuple[str, ...] = (
    "n_orders", "purchase_days", "median_gap_days", "days_since_last_purchase", "overdue_ratio", "overdue",
)


def _check_multiple(overdue_multiple: float) -> float:
    if isinstance(overdue_multiple, bool) or not isinstance(overdue_multiple, (int, float)) \
            or not np.isfinite(overdue_multiple) or overdue_multiple <= 0:
        raise DataError(f"overdue_multiple={overdue_multiple!r} must be a positive number of typical gaps, e.g. 2.")
    return float(overdue_multiple)


def purchase_cycle(
    clean: CleanLines,
    *,
    snapshot_date: str | pd.Timestamp | None = None,
    overdue_multiple: float = 2.0,
) -> pd.DataFrame:
    """One row per customer: orders, purchase days, typical gap, days since the last purchase, overdue ratio.

    Parameters
    ----------
    clean : DataFrame or path
        Clean order lines (:func:`segkit.data.load_clean`) or their Parquet file (:func:`segkit.engine.clean_lines`);
        the gaps (``lag`` over each customer's purchase days) and their median are computed in the engine.
    snapshot_date : date-like, optional
        Only lines before this day count; default the day after the last line.
    overdue_multiple : float, default 2
        A customer is ``overdue`` when the overdue ratio is above this many typical gaps.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (customers with a purchase before the snapshot, sorted):
        ``n_orders`` (distinct orders), ``purchase_days``, ``median_gap_days`` (NaN for one purchase day),
        ``days_since_last_purchase``, ``overdue_ratio`` (days since last / median gap; NaN without a gap)
        and ``overdue`` (bool).

    Examples
    --------
    >>> lines = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-20"]),
    ...     "amount": [10.0, 5.0, 8.0, 2.0], "is_return": [False] * 4})
    >>> cycle = purchase_cycle(lines, snapshot_date="2024-03-01")
    >>> cycle[["median_gap_days", "days_since_last_purchase", "overdue_ratio"]].to_numpy().tolist()
    [[15.0, 30.0, 2.0], [nan, 41.0, nan]]
    """
    multiple = _check_multiple(overdue_multiple)
    lines = _lines(clean, snapshot_date)
    per = kept_for_lines("purchase-cycle", clean, {"snapshot": lines.snapshot},
                         lambda: lines.query(lambda relation, l: _sql.cycle_query(relation, l.is_return, l.before())))
    per = per.set_index(pd.Index(per.pop("customer_id").to_numpy(object), name="customer_id")).sort_index()
    out = pd.DataFrame(index=per.index)
    out["n_orders"] = per["n_orders"].to_numpy(np.int64)
    out["purchase_days"] = per["purchase_days"].to_numpy(np.int64)
    out["median_gap_days"] = per["median_gap_days"].to_numpy(float)
    out["days_since_last_purchase"] = per["days_since_last_purchase"].to_numpy(np.int64)
    out["overdue_ratio"] = out["days_since_last_purchase"] / out["median_gap_days"]
    out["overdue"] = (out["overdue_ratio"] > multiple).to_numpy(bool)
    return out


def cycle_by_segment(cycle: pd.DataFrame, segments: pd.Series, *, total: str = "all customers") -> pd.DataFrame:
    """The typical gap's median and quartiles, and the share overdue, per segment (and for everyone).

    Each repeat customer counts once, with their own median gap, so that a few very frequent buyers
    do not stand for the whole segment.

    Parameters
    ----------
    cycle : DataFrame
        :func:`purchase_cycle`'s table.
    segments : Series
        Segment per customer (e.g. the RFM ``segment``), indexed by ``customer_id``; a categorical keeps its
        category order, and empty categories are left out.
    total : str
        Label of the last row, over all customers.

    Returns
    -------
    DataFrame
        Indexed by segment: ``customers``, ``repeat_customers``, ``gap_q1``, ``gap_median``, ``gap_q3``
        (days, over repeat customers), ``overdue`` (customers) and ``overdue_share`` (of repeat customers).

    Examples
    --------
    >>> cycle = pd.DataFrame({"median_gap_days": [10.0, 20.0, np.nan], "overdue": [True, False, False]},
    ...                      index=["a", "b", "c"])
    >>> cycle_by_segment(cycle, pd.Series(["x", "x", "y"], index=["a", "b", "c"]))[["repeat_customers", "gap_median",
    ...     "overdue_share"]].to_numpy().tolist()
    [[2.0, 15.0, 0.5], [0.0, nan, nan], [2.0, 15.0, 0.5]]
    """
    _check_cycle(cycle, segments)
    labels = segments.reindex(cycle.index)
    if labels.isna().any():
        missing = cycle.index[labels.isna().to_numpy()][:3].tolist()
        raise DataError(f"{int(labels.isna().sum())} customers of the cycle table have no segment (e.g. {missing}); "
                        "segment the same customers, at the same snapshot, as purchase_cycle.")
    per_segment = _summary(cycle, labels)
    everyone = _summary(cycle, pd.Series(total, index=cycle.index))
    return pd.concat([per_segment.loc[per_segment["customers"] > 0], everyone]).rename_axis("segment")


def _check_cycle(cycle: object, segments: object) -> None:
    if not isinstance(cycle, pd.DataFrame) or any(c not in cycle.columns for c in ("median_gap_days", "overdue")):
        raise DataError("expected purchase_cycle's table (with median_gap_days and overdue); make it with "
                        "segkit.timeline.purchase_cycle(clean).")
    if not isinstance(segments, pd.Series):
        raise DataError(f"segments must be a Series of segment names indexed by customer_id, got "
                        f"{type(segments).__name__}; e.g. rfm.rfm_segments(customers)['segment'].")


def _summary(cycle: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"segment": labels.array, "gap": cycle["median_gap_days"].to_numpy(float),
                          "overdue": cycle["overdue"].to_numpy(bool)})
    grouped = frame.groupby("segment", observed=False, sort=True)  # a categorical keeps its own order
    out = grouped.agg(customers=("gap", "size"), repeat_customers=("gap", "count"), overdue=("overdue", "sum"))
    quartiles = grouped["gap"].quantile([0.25, 0.5, 0.75]).unstack()
    out.insert(2, "gap_q1", quartiles[0.25])
    out.insert(3, "gap_median", quartiles[0.5])
    out.insert(4, "gap_q3", quartiles[0.75])
    out["overdue_share"] = out["overdue"] / out["repeat_customers"].where(out["repeat_customers"] > 0)
    return out
