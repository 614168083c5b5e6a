"""The customer table (RFM and buy-till-you-die conventions) and the calibration/holdout split."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Union

import pandas as pd

from segkit.engine import duck, sources
from segkit.errors import DataError
from segkit.memo import kept_for_lines

CUSTOMER_COLUMNS: tuple[str, ...] = (
    "first_purchase", "last_purchase", "days_since_last_purchase", "n_orders", "revenue",
    "avg_order_value", "tenure_days", "frequency", "recency", "T", "monetary_value",
)


#: Clean order lines: the frame from :func:`segkit.data.load_clean`, or the Parquet file of them that
#: :func:`segkit.engine.clean_lines` gives, which stays in the engine.
CleanLines = Union[pd.DataFrame, str, os.PathLike]

CLEAN_COLUMNS: tuple[str, ...] = ("customer_id", "order_id", "order_date", "amount", "quantity")


def check_clean_lines(clean: CleanLines, *, columns: Sequence[str] = CLEAN_COLUMNS, where: str = "") -> dict:
    """Check clean order lines, a frame or a Parquet file, and return their size and date span.

    The one boundary check of every function that takes clean lines: ``columns`` present
    (the error names ``where``, the function that needs them, when given), every line with a
    customer, at least one line. Returns :func:`segkit.engine.duck.span` (``n_lines``,
    ``n_no_customer``, ``first``, ``last``).
    """
    if isinstance(clean, pd.DataFrame):
        present = list(clean.columns)
    else:
        path = Path(clean)
        if not path.exists():
            raise DataError(f"The clean lines file {path} does not exist. Make it with segkit.engine.clean_lines(source).")
        present = sources.parquet_columns(path)
    missing = [c for c in columns if c not in present]
    if missing and where:
        raise DataError(f"{where} needs column(s) {missing}; got {present}. Build the lines with "
                        "segkit.data.load_clean(source) or segkit.engine.clean_lines(source).")
    if missing:
        raise DataError(
            f"The transactions lack column(s) {missing}. Pass the output of clean_transactions "
            "(or load_clean, or segkit.engine.clean_lines), not the raw file."
        )
    span = duck.span(clean)
    if span["n_no_customer"]:
        raise DataError(
            f"{span['n_no_customer']} line(s) have no customer id. "
            "Run clean_transactions first: it removes and logs them."
        )
    if span["n_lines"] == 0:
        raise DataError("There are no transactions left to summarise. Check the cleaning log: every row was excluded.")
    return span


def check_one_row_per_buyer(customer_ids: object, clean: CleanLines, *, snapshot_date: pd.Timestamp,
                            what: str) -> None:
    """Check that ``customer_ids`` (an export's ids) are exactly the customers with a purchase in ``clean``
    before ``snapshot_date``, once each, so that no customer is lost or counted twice on the way out.

    Raises
    ------
    DataError
        Naming ``what`` (the export), its rows and the buyers, with the fix.
    """
    check_clean_lines(clean, columns=("customer_id", "order_date", "is_return"), where=what)
    ids = pd.Index(customer_ids)
    buyers = duck.buyers(clean, pd.Timestamp(snapshot_date))
    if not (ids.is_unique and ids.sort_values().equals(buyers.sort_values())):
        raise DataError(f"{what} has {len(ids):,} rows for {len(buyers):,} customers with purchases before "
                        f"{pd.Timestamp(snapshot_date):%Y-%m-%d}: build it from segkit.data.customer_table(clean) "
                        "at that date.")


def check_customer_table(
    customers: object, columns: Sequence[str], *, fix: str = "build it with segkit.data.customer_table(clean)"
) -> None:
    """Check that ``customers`` is a non-empty DataFrame with ``columns``; raise :class:`DataError` otherwise.

    The one boundary check of every method module that reads a customer table (RFM,
    features, ROI): the message names the problem and ``fix``.

    Examples
    --------
    >>> check_customer_table(pd.DataFrame({"revenue": [1.0]}), ["revenue", "n_orders"])
    Traceback (most recent call last):
    ...
    segkit.errors.DataError: the customer table lacks column(s) ['n_orders']; build it with segkit.data.customer_table(clean), or rename your columns to these names.
    """
    if not isinstance(customers, pd.DataFrame):
        raise DataError(
            f"expected the customer table as a pandas DataFrame (one row per customer), "
            f"got {type(customers).__name__}; {fix}."
        )
    missing = [c for c in columns if c not in customers.columns]
    if missing:
        raise DataError(f"the customer table lacks column(s) {missing}; {fix}, or rename your columns to these names.")
    if len(customers) == 0:
        raise DataError(
            "the customer table is empty (0 rows); check the data path and the cleaning log (segkit.data.load_clean)."
        )


def default_snapshot(snapshot_date: object) -> bool:
    """Whether ``snapshot_date`` asks for the default snapshot, the day after the last line."""
    return snapshot_date is None or snapshot_date == ""


def resolve_snapshot(first: pd.Timestamp, last: pd.Timestamp, snapshot_date: object) -> pd.Timestamp:
    """The snapshot day for lines dated ``first`` to ``last``: ``snapshot_date`` checked, or the day after ``last``."""
    if default_snapshot(snapshot_date):
        return pd.Timestamp(last).normalize() + pd.Timedelta(days=1)
    try:
        snapshot = pd.Timestamp(snapshot_date).normalize()
    except (ValueError, TypeError):
        raise DataError(f"snapshot_date {snapshot_date!r} is not a date. Use 'YYYY-MM-DD'.") from None
    if snapshot <= pd.Timestamp(first).normalize():
        raise DataError(
            f"snapshot_date {snapshot.date()} is on or before the first transaction ({pd.Timestamp(first).date()}): "
            "no customer exists yet. Choose a later date."
        )
    return snapshot


def customer_table(clean: CleanLines, *, snapshot_date: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per customer at a snapshot date, with RFM and buy-till-you-die summaries.

    Only lines dated before the snapshot day count, so an earlier snapshot gives the table
    as it was then. Two conventions are kept apart by name:

    ====================  ===========================================================
    RFM                   ``days_since_last_purchase`` (lower is better), ``n_orders``,
                          ``revenue`` (net of returns), ``avg_order_value``
    buy-till-you-die      ``frequency`` = repeat purchase days (distinct days - 1),
    (lifetimes, pymc-     ``recency`` = days from first to last purchase (age at last
    marketing)            purchase, higher means more recently active), ``T`` = days
                          from first purchase to the snapshot, ``monetary_value`` =
                          mean net value of the repeat purchase days (0 if none)
    ====================  ===========================================================

    Parameters
    ----------
    clean : DataFrame or path
        Output of :func:`clean_transactions`, or the Parquet file of :func:`segkit.engine.clean_lines`
        (the table of a file is kept on disk by :func:`segkit.memo.kept_for_lines` and read back, not computed
        again, by the next call for the same file content and snapshot).
    snapshot_date : date-like, optional
        The analysis date; default the day after the last transaction.

    Returns
    -------
    DataFrame indexed by ``customer_id``; :func:`snapshot_date` reads the snapshot back from its columns.

    Examples
    --------
    >>> from segkit.data import load_transactions
    >>> tx = load_transactions(pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["a", "a", "b"],
    ...     "order_date": ["2024-01-01", "2024-01-11", "2024-01-05"], "quantity": [1, 2, 1],
    ...     "unit_price": [10.0, 10.0, 4.0]}))
    >>> table = customer_table(tx.assign(is_return=False))
    >>> columns = ["days_since_last_purchase", "n_orders", "revenue", "frequency", "recency", "T"]
    >>> table[columns].astype(float).to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'a': {'days_since_last_purchase': 1.0, 'n_orders': 2.0, 'revenue': 30.0, 'frequency': 1.0, 'recency': 10.0, 'T': 11.0},
     'b': {'days_since_last_purchase': 7.0, 'n_orders': 1.0, 'revenue': 4.0, 'frequency': 0.0, 'recency': 0.0, 'T': 7.0}}
    """
    span = check_clean_lines(clean)
    snapshot = resolve_snapshot(span["first"], span["last"], snapshot_date)
    return kept_for_lines("customers", clean, {"snapshot": snapshot}, lambda: _table_at(clean, snapshot))


def _table_at(clean: CleanLines, snapshot: pd.Timestamp) -> pd.DataFrame:
    """:func:`customer_table` of checked clean lines at a checked snapshot day, on the engine."""
    return duck.customer_table_from(duck.customer_days(clean, snapshot), snapshot)


def snapshot_date(customers: pd.DataFrame) -> pd.Timestamp:
    """The snapshot date of a customer table, read from its own columns.

    In a table from :func:`customer_table` every row has ``last_purchase`` +
    ``days_since_last_purchase`` days = the snapshot (the first day after the data), so the
    date travels with the table, through copies, selections and joins, without metadata.

    Raises
    ------
    DataError
        The table lacks ``last_purchase`` or ``days_since_last_purchase``, is empty, or its rows
        disagree on the snapshot (not one snapshot's table).

    Examples
    --------
    >>> table = pd.DataFrame({"last_purchase": pd.to_datetime(["2024-01-10", "2024-01-04"]),
    ...                       "days_since_last_purchase": [1, 7]}, index=["a", "b"])
    >>> snapshot_date(table)
    Timestamp('2024-01-11 00:00:00')
    """
    check_customer_table(customers, ["last_purchase", "days_since_last_purchase"])
    snapshots = (pd.to_datetime(customers["last_purchase"])
                 + pd.to_timedelta(customers["days_since_last_purchase"], unit="D")).unique()
    if len(snapshots) != 1 or pd.isna(snapshots[0]):
        shown = ", ".join(str(pd.Timestamp(d).date()) if pd.notna(d) else "missing" for d in snapshots[:3])
        raise DataError(
            f"the customer table's rows do not give one snapshot date (last_purchase + days_since_last_purchase "
            f"gives {shown}{', ...' if len(snapshots) > 3 else ''}); build it with "
            "segkit.data.customer_table(clean, snapshot_date=...)."
        )
    return pd.Timestamp(snapshots[0])


def calibration_holdout(
    clean: CleanLines,
    *,
    calibration_end: str | pd.Timestamp,
    holdout_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Split purchase histories into a calibration and a holdout period, with lifetimes' conventions.

    ``calibration_end`` is the **last day** of the calibration period: purchases dated on that
    day belong to calibration, as with lifetimes' ``calibration_and_holdout_data(...,
    calibration_period_end=D)`` and ``summary_data_from_transaction_data(...,
    observation_period_end=D)``. ``T_cal`` is measured as lifetimes measures it, in days from
    the customer's first purchase day to D (0 for a customer whose first purchase is on D);
    ``frequency_cal``, ``recency_cal`` and ``monetary_value_cal`` are those of
    :func:`customer_table` on the purchases up to and including D. ``holdout_end`` is the last
    day of the holdout (lifetimes' ``observation_period_end``, default the day of the last
    transaction): the holdout covers the days after D up to and including it, and
    ``duration_holdout`` is their number, holdout_end - D.

    Dates count as days. (lifetimes compares timestamps with D at midnight, so with times of
    day a purchase made during day D falls in its holdout; here the whole of day D is calibration.)
    Note that :func:`customer_table` takes the opposite, exclusive end: its ``snapshot_date`` is
    the first day *after* the data, so ``calibration_holdout(clean, calibration_end=D)`` matches
    ``customer_table(clean, snapshot_date=D + 1 day)`` except that ``T_cal`` is one day less than ``T``.

    Only customers who bought in the calibration period are kept: they are the ones a model
    fitted on calibration data can predict.

    Returns
    -------
    DataFrame indexed by ``customer_id`` with ``frequency_cal``, ``recency_cal``, ``T_cal``,
    ``monetary_value_cal``, ``frequency_holdout`` (purchase days in the holdout),
    ``monetary_value_holdout`` (mean value of those days, 0 if none) and ``duration_holdout``
    (days: the holdout ends on ``calibration_end`` + ``duration_holdout`` days).

    Raises
    ------
    DataError
        A date that is not a date, a calibration period without purchases (``calibration_end``
        before the first transaction), or ``holdout_end`` not after ``calibration_end``.

    Examples
    --------
    >>> clean = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-12", "2024-01-10"]),
    ...     "amount": [10.0, 20.0, 30.0, 5.0], "quantity": [1, 1, 1, 1]})
    >>> split = calibration_holdout(clean, calibration_end="2024-01-10")
    >>> columns = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    >>> split[columns].to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'a': {'frequency_cal': 1, 'recency_cal': 9, 'T_cal': 9, 'frequency_holdout': 1, 'duration_holdout': 2},
     'b': {'frequency_cal': 0, 'recency_cal': 0, 'T_cal': 0, 'frequency_holdout': 0, 'duration_holdout': 2}}
    """
    span = check_clean_lines(clean)

    def day(value: object, name: str) -> pd.Timestamp:
        try:
            return pd.Timestamp(value).normalize()
        except (ValueError, TypeError):
            raise DataError(f"{name} {value!r} is not a date. Use 'YYYY-MM-DD'.") from None

    start = day(calibration_end, "calibration_end")
    end = span["last"].normalize() if holdout_end is None or holdout_end == "" else day(
        holdout_end, "holdout_end")
    first = span["first"].normalize()
    if start < first:
        raise DataError(
            f"calibration_end {start.date()} is before the first transaction ({first.date()}): the calibration "
            "period would have no purchases. Choose a later date."
        )
    if end <= start:
        raise DataError(
            f"holdout_end {end.date()} must be after calibration_end {start.date()} (both are the last day of their "
            "period). Choose a calibration_end inside the data's date range."
        )
    next_day = pd.Timedelta(days=1)
    cal = _table_at(clean, start + next_day)
    holdout = duck.holdout_days(clean, start + next_day, end + next_day).set_index("customer_id")
    out = cal[["frequency", "recency", "T", "monetary_value"]].add_suffix("_cal")
    out["T_cal"] -= 1  # lifetimes: days from the first purchase to the last calibration day
    out["frequency_holdout"] = holdout["frequency_holdout"].reindex(out.index, fill_value=0).astype(int)
    out["monetary_value_holdout"] = holdout["monetary_value_holdout"].reindex(out.index, fill_value=0.0)
    out["duration_holdout"] = (end - start).days
    return out

