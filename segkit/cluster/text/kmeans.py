"""The words for k-means and the choice of k: the features, the revenue skew, the decision for k, the
headline and why the segmentation is the one of record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.cluster.preprocess import PreparedFeatures
from segkit.cluster.text.labels import _CRITERION_LABELS, _DECISION_RULE, feature_label
from segkit.cluster.text.results import KMeansWords


def _features_sentence(columns, n_customers: int, *, feature_set: str | None = None, snapshot_date=None) -> str:
    """'N customers[ at the snapshot date D]; d features[ (set)]: labels.'"""
    where = f" at the snapshot date {snapshot_date:%Y-%m-%d};" if snapshot_date is not None else ","
    which = f" ({feature_set})" if feature_set else ""
    labels = ", ".join(feature_label(c) for c in columns)
    return f"{n_customers:,} customers{where} {len(columns)} features{which}: {labels}."


def _prepared_words(prepared: PreparedFeatures, *, snapshot_date=None) -> str:
    return _features_sentence(prepared.raw.columns, len(prepared.raw), feature_set=prepared.feature_set,
                              snapshot_date=snapshot_date)


def _selection_reason(selection) -> str:
    return _k_choice_reason(selection.votes, selection.table, chosen_k=selection.chosen_k, knee_k=selection.knee_k)


def _kmeans_words(segmentation, *, snapshot_date=None) -> KMeansWords:
    k, selection = segmentation.k, segmentation.selection
    from_data = segmentation.k_source == "data"
    reason = _selection_reason(selection)
    support = int((selection.votes["best_k"] == selection.chosen_k).sum())
    caveat = ("" if support > len(selection.votes) / 2 else
              f" The criteria disagree, as they usually do when customer groups overlap: k = {selection.chosen_k} is "
              "the best-supported choice, not a certain one; the stable alternatives in the table are defensible "
              "too (set `n_clusters` to use one).")
    override = "" if from_data else f" The parameter n_clusters = {k} overrides it."
    note = f"{segmentation.k_range_note} {_evidence_note(segmentation)}".strip()
    return KMeansWords(
        headline=_kmeans_headline(segmentation),
        features=_prepared_words(segmentation.prepared, snapshot_date=snapshot_date),
        revenue_skew=_revenue_skew(segmentation.features["revenue"]),
        rule=_DECISION_RULE,
        decision=f"**Decision:** {reason}{caveat}{override} {note}".strip(),
        choice=f"k = {k}: {reason if from_data else 'set by the parameter n_clusters.'} {note}".strip(),
        record=_record_justification(segmentation, reason=reason, support=support),
    )


def _evidence_note(segmentation) -> str:
    """Where the evidence for k came from, when it was a sample; "" when it used every customer."""
    if not segmentation.evidence_customers:
        return ""
    return (f"The evidence for k (stability and the five criteria) comes from a random sample of "
            f"{segmentation.evidence_customers:,} of the {len(segmentation.labels):,} customers; the final k-means "
            "is fitted on all of them.")


def _record_justification(segmentation, *, reason: str, support: int) -> str:
    """Why this k-means segmentation is the one of record: the evidence for k and its stability."""
    k, stab = segmentation.k, segmentation.stability
    stable = stab.index[stab["stable"]].tolist()
    ari = stab["ari_mean"].get(k, np.nan)
    why_k = (f"k = {k} is set by the parameter n_clusters (the data's own choice would be "
             f"k = {segmentation.selection.chosen_k}: {reason})" if segmentation.k_source != "data"
             else reason.rstrip("."))
    steady = (f"refitted on random subsamples of 80% of the customers, it finds the same {k} segments again "
              f"(mean adjusted Rand index {ari:.2f}, lowest pair {stab['ari_min'].get(k, np.nan):.2f})"
              if k in stab.index else f"k = {k} was not among the k tested for stability")
    others = [x for x in stable if x != k]
    alternatives = (f" The other stable choices are k = {', '.join(map(str, others))}." if others else
                    " No other k is stable.")
    return (f"**This k-means segmentation with k = {k} is the segmentation of record**: the Ward and PCA reports "
            f"recompute it with the same call and seed, compare their own groups with it and use its names. "
            f"Why k = {k}: {why_k}. Why it can be trusted: {steady}.{alternatives}")


def _kmeans_headline(segmentation) -> str:
    k, top = segmentation.k, segmentation.summary.iloc[0]
    how = "chosen from the data" if segmentation.k_source == "data" else "set by parameter"
    text = (f"**k-means finds {k} customer segments** ({how}; "
            f"stability ARI {segmentation.stability['ari_mean'].get(k, np.nan):.2f}). The top segment, "
            f"*{top['cluster_name']}*, is {top['customer_share']:.0%} of customers and {top['revenue_share']:.0%} "
            "of net revenue")
    if "closest_segment" in top.index:
        text += f"; it sits mostly in the {segmentation.description.segments_name or 'segment'} {top['closest_segment']}"
    return text + "."


def _revenue_skew(revenue: pd.Series) -> str:
    """One sentence on how skewed revenue is: the biggest spender against the median, and the top 1%'s share.

    With fewer than 100 customers the top 1% is one customer, so the sentence names the biggest
    customer's share instead; when the median customer has no revenue it says so instead of a ratio.

    Examples
    --------
    >>> _revenue_skew(pd.Series([10.0, 20.0, 30.0, 40.0, 400.0]))
    "The biggest spender bought 13 times the median customer's revenue; the biggest customer alone holds 80% of it."
    """
    values = pd.Series(revenue, dtype=float)
    total, median, top = values.sum(), values.median(), values.max()
    if total <= 0:
        return "No customer has net revenue, so there is no revenue distribution to describe."
    n_top = len(values) // 100
    share = (f"the top 1% of customers ({n_top:,}) hold {values.nlargest(n_top).sum() / total:.0%} of it" if n_top
             else f"the biggest customer alone holds {top / total:.0%} of it")
    if median <= 0:
        return f"At least half of the customers have no net revenue; {share}."
    return f"The biggest spender bought {top / median:,.0f} times the median customer's revenue; {share}."


def _k_choice_reason(votes: pd.DataFrame, table: pd.DataFrame, *, chosen_k: int, knee_k: int | None) -> str:
    """Why ``chosen_k``: which criteria named it and what the others preferred .

    Parameters
    ----------
    votes : DataFrame
        Indexed by criterion, with ``best_k``.
    table : DataFrame
        Indexed by k, with the bool column ``candidate``.
    chosen_k, knee_k : int
        The chosen k and the knee of the inertia curve (None when it has none).
    """
    named = votes.index[votes["best_k"] == chosen_k].map(_CRITERION_LABELS.get).tolist()
    others = votes.loc[votes["best_k"] != chosen_k, "best_k"]
    text = f"k = {chosen_k} is named by {len(named)} of {len(votes)} criteria ({', '.join(named)})"
    if not table["candidate"].all():
        stable = ", ".join(str(k) for k in table.index[table["candidate"]])
        text = f"Among the candidate k ({stable}), {text}"
    if len(others):
        text += "; the others prefer " + ", ".join(f"k = {int(k)} ({_CRITERION_LABELS[c]})" for c, k in others.items())
    text += "."
    if knee_k is None:
        text += " The elbow abstains: the inertia curve has no knee."
    elif "elbow" not in votes.index:
        text += f" The elbow abstains: its knee, k = {knee_k}, is not a candidate."
    return text


def _k_range_note(kept: list[int], asked: list[int], *, n_customers: int, n_distinct: int) -> str:
    """The sentence saying that k was tried over ``kept`` instead of ``asked`` (see ``segkit.cluster.select._feasible_k_range``)."""
    return (f"k was tried from {kept[0]} to {kept[-1]} instead of {asked[0]} to {asked[-1]}: the data have only "
            f"{n_customers} customers ({n_distinct} with distinct features), and a segment needs more than one "
            "customer.")
