"""The words for a comparison with the segmentation of record: agreement, how the groups are made of the
record's segments, and why the numbers of groups differ."""

from __future__ import annotations

import numpy as np

from segkit.cluster.text.kmeans import _selection_reason
from segkit.cluster.text.labels import _and, _cap, _possessive, _share
from segkit.cluster.text.results import RecordWords
from segkit.cluster.text.ward import _ward_words


def _record_words(comparison, *, record, own=None) -> RecordWords:
    """How a method's groups relate to the segmentation of record: agreement, composition, k."""
    n, k_rec = comparison.n_groups, comparison.n_record
    a, method = comparison.match.assignment, comparison.method
    headline = (f"**{_cap(method)} agrees with the segmentation of record for {comparison.matched_share:.0%} of "
                "customers**: "
                "they are in the record segment whose name their group carries (adjusted Rand index "
                f"{comparison.ari:.2f}; 1 = the same segments, 0 = no more alike than chance).")
    verb = "merge" if n < k_rec else "split" if n > k_rec else "redraw"
    parts = [f"*{comparison.names[g]}* ({int(size):,} customers): {_composition(comparison, g)}"
             + _coverage(comparison, g) for g, size in comparison.match.contingency.sum(axis=1).items()]
    groups = (f"{_cap(_possessive(method))} {n} groups {verb} the record's {k_rec} segments as follows: "
              + "; ".join(parts) + ".")
    unmatched = a[~a["matched"].to_numpy(dtype=bool)]
    low = unmatched[unmatched["largest_share"] < comparison.match.min_share]
    for g in low.index:
        groups += (f" *{comparison.names[g]}* matches no record segment: none holds "
                   f"{comparison.match.min_share:.0%} of its customers (at most "
                   f"{_share(low.at[g, 'largest_share'], comparison.match.min_share)}, in "
                   f"{comparison.record_names[low.at[g, 'largest_segment']]}).")
    taken = unmatched.drop(low.index)
    for segment, rows in taken.groupby("largest_segment", sort=False):
        owner = a.index[(a["segment"] == segment).fillna(False).to_numpy(dtype=bool)]
        listed = _and([f"*{comparison.names[g]}*" for g in rows.index])
        shares = _and([f"{v:.0%}" for v in rows["largest_share"]])
        one = len(rows) == 1
        groups += (f" {listed} {'is' if one else 'are'} mostly {comparison.record_names[segment]} ({shares}), but that "
                   f"segment is matched one to one with *{comparison.names[owner[0]]}*, which shares more customers "
                   f"with it, so {'this group keeps a name' if one else 'these groups keep names'} of "
                   f"{'its' if one else 'their'} own.")
    if len(unmatched):
        groups += " Own names never repeat a record name."
    return RecordWords(headline=headline, groups=groups, k=_k_difference(comparison, record=record, own=own))


def _coverage(comparison, group) -> str:
    """' (it holds 71% of the record's X)' for a matched group: how much of its namesake it covers."""
    a = comparison.match.assignment
    if not a.at[group, "matched"]:
        return ""
    return (f" (it holds {a.at[group, 'share_of_segment']:.0%} of the record's "
            f"{comparison.record_names[a.at[group, 'segment']]})")


def _composition(comparison, group, *, min_share: float = 0.1) -> str:
    """'62% recent mid-value customers, 38% ...': the record segments holding at least ``min_share`` of a group."""
    row = comparison.match.contingency.loc[group]
    shares = (row / row.sum()).sort_values(ascending=False, kind="stable")
    kept = shares[(shares >= min_share) | (np.arange(len(shares)) == 0)]
    return ", ".join(f"{v:.0%} {comparison.record_names[s]}" for s, v in kept.items())


def _k_reason(segmentation) -> str:
    """Why a k-means segmentation has its k, in one sentence."""
    if segmentation.k_source != "data":
        return f"k = {segmentation.k} is set by the parameter n_clusters."
    return _selection_reason(segmentation.selection)


def _k_difference(comparison, *, record, own=None) -> str:
    """Whether the method and the record have as many groups, and each one's evidence for its k."""
    from segkit.cluster.pipeline import KMeansSegmentation
    from segkit.cluster.ward import WardClustering

    n, k_rec, method = comparison.n_groups, comparison.n_record, comparison.method
    if n == k_rec:
        return f"{_cap(method)} and the segmentation of record both have k = {n}."
    if isinstance(own, WardClustering):
        own_reason = _ward_words(own).rule.replace("**", "").split(" Path:")[0]
        gaps = own.merge_gaps_["gap"]
        if k_rec in gaps.index:
            own_reason = f"{own_reason.rstrip('.')}; at the record's k = {k_rec} the gap is {gaps[k_rec]:.1f}"
    elif isinstance(own, KMeansSegmentation):
        own_reason = _k_reason(own)
    else:
        own_reason = f"k = {n}."
    return (f"{_cap(method)} has {n} groups where the segmentation of record has {k_rec}; each method's own "
            f"evidence picks its k. {_cap(method)}: {own_reason.rstrip('.')}. "
            "The record (k-means on the RFM features): "
            f"{_k_reason(record)}")
