"""Segment migration: where customers moved between an earlier and a later segmentation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.data import customer_table
from segkit.data.customers import CleanLines, check_clean_lines
from segkit.errors import DataError
from segkit.rfm.segments import _Options, _segment_quietly
from segkit.rfm.text import (
    NO_LONGER_IN_TABLE,
    NOT_YET_A_CUSTOMER,
    _migration_summary,
    _no_history_note,
    _too_few_buyers_note,
    _too_few_customers_note,
)

#: Fewest customers at the earlier snapshot for a migration matrix: below it, rank scores of a
#: handful of customers say nothing about segments.
_MIN_MIGRATION_CUSTOMERS: int = 20


def segment_migration(
    earlier: pd.DataFrame | pd.Series,
    later: pd.DataFrame | pd.Series,
    *,
    column: str = "segment",
    drop_empty: bool = True,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Transition matrix of customers between an earlier and a later segmentation.

    Rows are the earlier segment plus ``"(not yet a customer)"`` for customers who only
    exist later; columns are the later segment, plus ``"(no longer in the table)"`` if an
    earlier customer is missing later. Each segment row sums to that segment's earlier
    count.

    With ``weights`` (a number per customer of either segmentation, indexed by customer id, e.g.
    revenue), each cell is the sum of its customers' weights instead of their count; the cells kept
    are those of the count matrix.

    Examples
    --------
    >>> e = pd.Series(pd.Categorical(["x", "y"], categories=["x", "y"]), index=["a", "b"])
    >>> l = pd.Series(pd.Categorical(["y", "y", "x"], categories=["x", "y"]), index=["a", "b", "c"])
    >>> segment_migration(e, l).to_numpy().tolist()
    [[0, 1], [0, 1], [1, 0]]
    """
    before, after = (s[column] if isinstance(s, pd.DataFrame) else s for s in (earlier, later))
    for name, s in (("earlier", before), ("later", after)):
        if s.index.has_duplicates:
            raise DataError(f"the {name} segmentation has repeated customer ids; pass one row per customer.")
        if s.isna().any():
            raise DataError(f"the {name} segmentation has {int(s.isna().sum())} customers without a {column}.")
    if weights is not None:
        _check_weights(weights, before.index.append(after.index).unique())
    rows = _categories(before) + [NOT_YET_A_CUSTOMER]
    cols = _categories(after) + [NO_LONGER_IN_TABLE]
    ids = before.index.append(after.index).unique()
    r = pd.Index(rows).get_indexer(before.reindex(ids).astype(object).fillna(NOT_YET_A_CUSTOMER))
    c = pd.Index(cols).get_indexer(after.reindex(ids).astype(object).fillna(NO_LONGER_IN_TABLE))
    cell = r * len(cols) + c
    counts = np.bincount(cell, minlength=len(rows) * len(cols)).reshape(len(rows), len(cols))
    values = counts if weights is None else np.bincount(
        cell, weights=weights.reindex(ids).to_numpy(float), minlength=len(rows) * len(cols)).reshape(counts.shape)
    matrix = pd.DataFrame(values, index=pd.Index(rows, name=f"{column} earlier"),
                          columns=pd.Index(cols, name=f"{column} later"))
    if drop_empty:
        matrix = matrix.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    elif not counts[:, -1].any():
        matrix = matrix.drop(columns=NO_LONGER_IN_TABLE)
    return matrix


def _check_weights(weights: object, ids: pd.Index) -> None:
    if not isinstance(weights, pd.Series) or weights.index.has_duplicates:
        raise DataError("weights must be a Series with one number per customer, indexed by customer_id "
                        "(e.g. each customer's revenue).")
    values = weights.reindex(ids)
    bad = values.isna() | ~np.isfinite(pd.to_numeric(values, errors="coerce").astype(float))
    if bad.any():
        raise DataError(f"weights lack a finite number for {int(bad.sum())} customer(s) of the two segmentations "
                        f"(e.g. {ids[bad.to_numpy()][:3].tolist()}); give every customer of either snapshot a "
                        "weight (0 for none).")


@dataclass(frozen=True)
class Migration:
    """Result of :func:`migration_study`: the matrix, or the reason there is none.

    Attributes
    ----------
    matrix : DataFrame or None
        :func:`segment_migration` of the earlier and the later segmentation; None when the data
        cannot give an earlier snapshot (see ``note``).
    earlier : DataFrame or None
        The earlier segmentation (:func:`rfm_segments` of the customer table at ``earlier_date``).
    earlier_date, later_date : Timestamp
        The two snapshots.
    new_customers : int
        Customers of the later table who had not bought before ``earlier_date``.
    note : str
        Why there is no matrix, in words with the numbers and the parameter to change; "" otherwise.
    """

    matrix: pd.DataFrame | None
    earlier: pd.DataFrame | None
    earlier_date: pd.Timestamp
    later_date: pd.Timestamp
    new_customers: int
    note: str = ""

    def stayed(self, segment: str) -> float | None:
        """Share of the earlier ``segment`` still in it later; None if nobody was in it earlier."""
        if self.matrix is None or segment not in self.matrix.index:
            return None
        row = self.matrix.loc[segment]
        return float(row.get(segment, 0) / row.sum())

    def summary(self, segment: str) -> str:
        """One sentence for the report: how many of ``segment`` stayed, how many customers are new."""
        return _migration_summary(self, segment)


def migration_study(
    clean: CleanLines,
    later: pd.DataFrame,
    *,
    days: int,
    snapshot: str | pd.Timestamp | None = None,
    **options,
) -> Migration:
    """Segment the customers again ``days`` before the snapshot and build the migration matrix.

    Each snapshot is scored against its own customer base, as the CRM would have seen it then.
    When the data cannot give an earlier snapshot (it starts after the earlier date, or fewer than
    20 customers had bought by then, or their revenue is 0), the
    result has no matrix and a ``note`` that says why and which ``days`` would work.

    Parameters
    ----------
    clean : DataFrame or path
        Clean transactions (:func:`segkit.data.load_clean`), or their Parquet file (:func:`segkit.engine.clean_lines`).
    later : DataFrame
        The current segmentation, :func:`rfm_segments` of ``customer_table(clean, snapshot_date=snapshot)``.
    days : int
        Days between the two snapshots.
    snapshot : date-like, optional
        The later snapshot; default the day after the last transaction, as in :func:`segkit.data.customer_table`.
    **options
        Passed to :func:`rfm_segments` for the earlier snapshot (``bins``, ``rules``, ...). The earlier
        snapshot is scored against its own customer base; to score it on the later scale instead, pass
        ``bins=scale.bins, thresholds=scale.thresholds`` of ``RFMScale.fit`` on the later customers.

    Returns
    -------
    Migration
    """
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise DataError(f"days={days!r} must be a whole number of days of at least 1 (e.g. 90 for a quarter).")
    span = check_clean_lines(clean)
    later_date = (pd.Timestamp(snapshot).normalize() if snapshot not in (None, "")
                  else span["last"].normalize() + pd.Timedelta(days=1))
    earlier_date = later_date - pd.Timedelta(days=int(days))
    first = span["first"].normalize()
    history = (later_date - first).days
    note = ""
    if earlier_date <= first:
        note = _no_history_note(first, history, days)
    else:
        table = customer_table(clean, snapshot_date=earlier_date)
        if len(later) < _MIN_MIGRATION_CUSTOMERS:
            note = _too_few_customers_note(len(later), _MIN_MIGRATION_CUSTOMERS)
        elif len(table) < _MIN_MIGRATION_CUSTOMERS or table["revenue"].sum() <= 0:
            note = _too_few_buyers_note(earlier_date, days, len(table), table["revenue"].sum(),
                                        _MIN_MIGRATION_CUSTOMERS)
    if note:
        return Migration(None, None, earlier_date, later_date, int(len(later)), note)
    earlier = _segment_quietly(table, _Options(**options))
    matrix = segment_migration(earlier, later)
    new = int(len(later.index.difference(earlier.index)))
    return Migration(matrix, earlier, earlier_date, later_date, new, note)


def _categories(s: pd.Series) -> list[str]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    return sorted(str(v) for v in s.unique())
