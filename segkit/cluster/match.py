"""Another method's groups against the segmentation of record: overlap, one-to-one matching, names.

:func:`match_segments` cross-tabulates two segmentations of the same customers and pairs their groups
one to one by the Hungarian assignment (:func:`scipy.optimize.linear_sum_assignment`) that maximises
the customers they share; a pair counts as a match when at least ``min_share`` of the group's customers
are in the paired segment. :func:`name_by_record` gives a matched group its record segment's name and an
unmatched one a descriptive name of its own that no record segment carries. :func:`compare_to_record`
does both for a method's labels against :func:`segkit.cluster.segmentation_of_record`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from segkit.cluster.describe import comparative, disambiguate
from segkit.cluster.pipeline import KMeansSegmentation
from segkit.errors import DataError

__all__ = [
    "SegmentMatch",
    "RecordComparison",
    "match_segments",
    "name_by_record",
    "compare_to_record",
]


@dataclass(frozen=True)
class SegmentMatch:
    """Result of :func:`match_segments`.

    Attributes
    ----------
    contingency : DataFrame
        Customers in each group (rows, by label) and reference segment (columns, by label).
    assignment : DataFrame
        Indexed by group: ``segment`` (the reference segment the Hungarian assignment pairs it with;
        missing when there are more groups than segments), ``shared`` (customers in both),
        ``share_of_group`` and ``share_of_segment`` (``shared`` over the group's and over the segment's
        customers), ``matched`` (``share_of_group >= min_share``), ``largest_segment`` and ``largest_share``
        (the segment holding most of the group's customers, and that share).
    ari : float
        Adjusted Rand index of the two segmentations (1 = the same partition).
    matched_share : float
        Share of all customers who are in a matched group and in the segment it is matched with.
    n_customers : int
        Customers in both segmentations.
    min_share : float
        The share of a group's customers that makes a pair a match.
    """

    contingency: pd.DataFrame
    assignment: pd.DataFrame
    ari: float
    matched_share: float
    n_customers: int
    min_share: float


def _aligned(labels, reference) -> tuple[pd.Series, pd.Series]:
    """Both segmentations on their shared customers (by index when both are Series, else by position)."""
    if isinstance(labels, pd.Series) and isinstance(reference, pd.Series):
        shared = labels.index.intersection(reference.index, sort=False)
        if len(shared) < 2:
            raise DataError(
                f"the two segmentations share {len(shared)} customers (index values); pass both indexed by "
                "customer_id over the same customer table.")
        return labels.loc[shared], reference.loc[shared]
    a, b = np.asarray(labels), np.asarray(reference)
    if a.ndim != 1 or a.shape != b.shape:
        raise DataError(f"the two segmentations have {a.shape} and {b.shape} labels; pass one label per customer, "
                        "or two Series indexed by customer_id.")
    return pd.Series(a), pd.Series(b)


def match_segments(labels: pd.Series | Sequence, reference: pd.Series | Sequence, *,
                   min_share: float = 0.5) -> SegmentMatch:
    """Pair each group of ``labels`` with at most one segment of ``reference``, by shared customers.

    Parameters
    ----------
    labels, reference : Series or array-like
        Two segmentations; Series are aligned on their index (the shared customers), arrays by position.
    min_share : float
        A paired group counts as matched when at least this share of its customers is in the segment.

    Returns
    -------
    SegmentMatch

    Raises
    ------
    DataError
        Fewer than two shared customers, arrays of different lengths, or ``min_share`` outside (0, 1].

    Examples
    --------
    >>> m = match_segments([0, 0, 1, 1, 1], ["b", "b", "a", "a", "b"])
    >>> m.assignment["segment"].tolist(), m.assignment["matched"].tolist(), m.matched_share
    (['b', 'a'], [True, True], 0.8)
    """
    if not 0 < min_share <= 1:
        raise DataError(f"min_share={min_share} must be a share in (0, 1], e.g. 0.5.")
    a, b = _aligned(labels, reference)
    table = pd.crosstab(pd.Series(a.to_numpy(), name="group"), pd.Series(b.to_numpy(), name="segment"))
    counts = table.to_numpy()
    rows, cols = linear_sum_assignment(counts, maximize=True)
    group_size, segment_size = counts.sum(axis=1), counts.sum(axis=0)
    paired = pd.Series(pd.NA, index=table.index, dtype=object)
    paired.iloc[rows] = table.columns[cols]
    shared = np.zeros(len(table), dtype=int)
    shared[rows] = counts[rows, cols]
    seg_size = np.full(len(table), np.nan)
    seg_size[rows] = segment_size[cols]
    assignment = pd.DataFrame({"segment": paired, "shared": shared, "share_of_group": shared / group_size,
                               "share_of_segment": shared / seg_size}, index=table.index)
    assignment["matched"] = assignment["share_of_group"] >= min_share
    assignment["largest_segment"] = table.idxmax(axis=1)
    assignment["largest_share"] = counts.max(axis=1) / group_size
    n = int(counts.sum())
    return SegmentMatch(contingency=table, assignment=assignment,
                        ari=float(adjusted_rand_score(a.to_numpy(), b.to_numpy())),
                        matched_share=float(assignment.loc[assignment["matched"], "shared"].sum() / n), n_customers=n,
                        min_share=min_share)


def name_by_record(
    match: SegmentMatch,
    *,
    own_names: pd.Series,
    record_names: pd.Series,
    group_means: pd.DataFrame,
    record_means: pd.DataFrame,
) -> pd.Series:
    """Names of the groups of ``match``: the record segment's name when matched, a distinct own name otherwise.

    An unmatched group keeps its own descriptive name (``own_names``); when that name is a record segment's
    name, it gets the qualifier of the feature on which it differs most from that segment (e.g.
    "recent frequent high spenders (less revenue)", :func:`segkit.cluster.describe.comparative`), and
    unmatched groups sharing a name are told apart by :func:`segkit.cluster.describe.disambiguate`.

    Parameters
    ----------
    match : SegmentMatch
        :func:`match_segments` of the groups (``labels``) against the record (``reference``).
    own_names : Series
        The method's own name per group label.
    record_names : Series
        Name per record segment label.
    group_means, record_means : DataFrame
        Standardised means of the groups and of the record segments in one feature space (the record's),
        groups × features and segments × the same features.

    Returns
    -------
    Series
        Name per group label, unique, and equal to a record name only for matched groups.
    """
    a = match.assignment
    names = own_names.reindex(a.index).astype(str)
    matched = a["matched"].to_numpy(dtype=bool)
    names[matched] = record_names.reindex(a.loc[matched, "segment"]).astype(str).to_numpy()
    own = a.index[~matched]
    if len(own):
        names[own] = disambiguate(names[own], group_means.loc[own])
        taken = pd.Series(record_names.index, index=record_names.astype(str).to_numpy())
        for label in own:
            if names[label] in taken.index:
                segment = taken[names[label]]
                diff = group_means.loc[label] - record_means.loc[segment]
                feature = diff.abs().sort_values(ascending=False, kind="stable").index[0]
                names[label] = f"{names[label]} ({comparative(feature, diff[feature])})"
    return names.rename("name")


@dataclass(frozen=True)
class RecordComparison:
    """Result of :func:`compare_to_record` (its words: :func:`segkit.cluster.text.words`).

    Attributes
    ----------
    method : str
        The method whose groups are compared ("Ward", "k-means on the extended features", ...).
    match : SegmentMatch
        Overlap, pairing, adjusted Rand index and matched share, by group and segment label.
    names : Series
        Name per group label (:func:`name_by_record`).
    record_names : Series
        Name per record segment label.
    table : DataFrame
        Per group, by name: ``customers``, ``record_segment`` (matched, else missing), ``share_in_it``
        (of the group's customers), ``share_of_segment`` (share of the record segment's customers in the
        group), ``largest_record_segment`` and ``largest_share``.
    """

    method: str
    match: SegmentMatch
    names: pd.Series
    record_names: pd.Series
    table: pd.DataFrame

    @property
    def contingency(self) -> pd.DataFrame:
        """Customers per group (rows, by name) and record segment (columns, by name)."""
        c = self.match.contingency
        return c.set_axis(self.names.reindex(c.index), axis=0).set_axis(self.record_names.reindex(c.columns), axis=1) \
            .rename_axis(index=self.method, columns="segment of record")

    @property
    def ari(self) -> float:
        """Adjusted Rand index against the record."""
        return self.match.ari

    @property
    def matched_share(self) -> float:
        """Share of customers in the record segment whose name their group carries."""
        return self.match.matched_share

    @property
    def n_groups(self) -> int:
        return len(self.names)

    @property
    def n_record(self) -> int:
        return len(self.record_names)


def compare_to_record(
    labels: pd.Series | Sequence[int],
    record: KMeansSegmentation,
    *,
    own_names: pd.Series,
    method: str,
    min_share: float = 0.5,
) -> RecordComparison:
    """A method's groups against the segmentation of record: overlap, matching and the names to show.

    Parameters
    ----------
    labels : Series or array-like
        Group of each customer; a Series indexed by customer_id (aligned with the record's customers),
        or an array in the order of the record's customers.
    record : KMeansSegmentation
        :func:`segkit.cluster.segmentation_of_record` on the same customer table.
    own_names : Series
        The method's own descriptive name per group label (e.g. ``describe_clusters(...).names``).
    method : str
        How reports name the method.
    min_share : float
        Share of a group's customers that must be in its paired record segment for it to take that name.

    Returns
    -------
    RecordComparison

    Raises
    ------
    DataError
        Labels not aligned with the record's customers, or a bad ``min_share``.
    """
    index = record.features.index
    if not isinstance(labels, pd.Series):
        values = np.asarray(labels)
        if values.shape != (len(index),):
            raise DataError(f"labels has shape {values.shape} but the record has {len(index):,} customers; pass one "
                            "label per customer, or a Series indexed by customer_id.")
        labels = pd.Series(values, index=index)
    record_labels = pd.Series(record.labels, index=index)
    match = match_segments(labels, record_labels, min_share=min_share)
    shared = labels.index.intersection(index, sort=False)
    group_means = record.scaled.loc[shared].groupby(labels.loc[shared].to_numpy()).mean()
    record_names = record.summary["cluster_name"]
    names = name_by_record(match, own_names=own_names, record_names=record_names, group_means=group_means,
                           record_means=record.description.means)
    a = match.assignment
    table = pd.DataFrame({
        "customers": match.contingency.sum(axis=1),
        "record_segment": record_names.reindex(a["segment"].where(a["matched"])).to_numpy(),
        "share_in_it": a["share_of_group"].where(a["matched"]),
        "share_of_segment": a["share_of_segment"].where(a["matched"]),
        "largest_record_segment": record_names.reindex(a["largest_segment"]).to_numpy(),
        "largest_share": a["largest_share"],
    }, index=a.index).set_axis(names.reindex(a.index), axis=0).rename_axis(method)
    return RecordComparison(method=method, match=match, names=names, record_names=record_names, table=table)
