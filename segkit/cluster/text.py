"""The words the clustering reports show, written from computed numbers.

One public entry point, :func:`words`, returns the words for a result of the clustering family
(a k-means segmentation, a Ward model, a linkage comparison, a two-stage check, a PCA, a choice of
k, prepared features); :func:`feature_label` names a feature in plain language. Everything else
here is the private sentence-writing the modules that compute call (the Ward path, the note on a
shortened k range, the action rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.cluster.describe import _trait
from segkit.cluster.pca import PCAResult, _most_correlated_pair
from segkit.cluster.preprocess import PreparedFeatures

__all__ = [
    "feature_label",
    "words",
]

#: Plain-language names of the features, for tables, plots and generated sentences.
FEATURE_LABELS: dict[str, str] = {
    "days_since_last_purchase": "days since last purchase",
    "n_orders": "number of orders",
    "revenue": "revenue",
    "avg_order_value": "average order value",
    "tenure_days": "tenure (days since first purchase)",
    "avg_discount": "average discount",
    "frequency": "repeat purchase days",
    "recency": "age at last purchase",
    "T": "customer age",
    "monetary_value": "mean repeat spend",
}

#: Column labels of :attr:`~segkit.cluster.match.RecordComparison.table` in a report (``present.table(labels=...)``).
RECORD_TABLE_LABELS: dict[str, str] = {
    "customers": "Customers",
    "record_segment": "Matched segment of record",
    "share_in_it": "Share of the group in it",
    "share_of_segment": "Share of that segment it holds",
    "largest_record_segment": "Record segment holding most of it",
    "largest_share": "Share of the group there",
}

#: Each criterion of :func:`~segkit.cluster.choose_k`, as a report names it.
_CRITERION_LABELS: dict[str, str] = {
    "elbow": "elbow (Kneedle knee of inertia)",
    "silhouette": "silhouette (max)",
    "calinski_harabasz": "Calinski-Harabasz (max)",
    "davies_bouldin": "Davies-Bouldin (min)",
    "gap": "gap statistic (1-SE rule)",
}

#: The first action per segment of :func:`~segkit.cluster.segment_actions`, by rule.
_SEGMENT_ACTIONS: dict[str, str] = {
    "protect": "protect: VIP service and early access, no blanket discounts",
    "win back": "win back: a reactivation offer, then stop mailing non-responders",
    "grow": "grow: cross-sell and a second-order incentive",
}

#: How :func:`~segkit.cluster.choose_k` decides, in words, for a report.
_DECISION_RULE: str = (
    "Each of five criteria names a best k: the elbow (the knee of the inertia curve, found with "
    "Kneedle), the highest silhouette, the highest Calinski-Harabasz index, the lowest "
    "Davies-Bouldin index, and the gap statistic (the smallest k with gap(k) >= gap(k+1) - s(k+1), "
    "Tibshirani's one-standard-error rule). When stability results are given, only the k whose "
    "partitions are stable under subsampling (mean adjusted Rand index between refits >= 0.8) are "
    "candidates, and the elbow abstains if its knee is not one of them. The chosen k is the one named "
    "most often; a tie goes to the tied k with the highest silhouette."
)


def feature_label(name: str) -> str:
    """Plain-language label of a feature column.

    Examples
    --------
    >>> feature_label("n_orders"), feature_label("channel_share_web")
    ('number of orders', 'share of orders via web')
    """
    if name in FEATURE_LABELS:
        return FEATURE_LABELS[name]
    match = re.fullmatch(r"(channel|category)_share_(.+)", name)
    if match:
        kind, level = match.groups()
        level = level.replace("_", " ")
        return f"share of orders via {level}" if kind == "channel" else f"share of revenue in {level}"
    return name.replace("_", " ")


# ------------------------------------------------------------------------------ the words of a result


@dataclass(frozen=True)
class KMeansWords:
    """The words for a :class:`~segkit.cluster.pipeline.KMeansSegmentation`.

    Attributes
    ----------
    headline : str
        k, how it was set, its stability and the top segment (Markdown).
    features : str
        Customers and features (with the snapshot date when given).
    revenue_skew : str
        How skewed revenue is (why money columns are log-transformed).
    rule : str
        How k is chosen.
    decision : str
        Why this k, with a caveat when the criteria disagree (Markdown).
    choice : str
        The same in one short sentence.
    record : str
        Why this segmentation is the one of record: the evidence for k and its stability (Markdown).
    """

    headline: str
    features: str
    revenue_skew: str
    rule: str
    decision: str
    choice: str
    record: str


@dataclass(frozen=True)
class WardWords:
    """The words for a fitted :class:`~segkit.cluster.WardClustering`.

    Attributes
    ----------
    headline : str or None
        Customers, segments, the top segment and, given ``kmeans_ari``, the agreement with k-means
        (Markdown); None unless ``description`` was given.
    rule : str
        How k was set and which path ran (Markdown).
    """

    headline: str | None
    rule: str


@dataclass(frozen=True)
class RecordWords:
    """The words for a :class:`~segkit.cluster.match.RecordComparison`.

    Attributes
    ----------
    headline : str
        How many customers land in the segment whose name their group carries, and the ARI (Markdown).
    groups : str
        How the method's groups are made of the record's segments, and which match none (Markdown).
    k : str
        Whether the numbers of groups differ and why, from each method's own evidence.
    """

    headline: str
    groups: str
    k: str


@dataclass(frozen=True)
class PCAWords:
    """The words for a :class:`~segkit.cluster.pca.PCAResult`.

    Attributes
    ----------
    headline : str
        Features, the components that keep ``variance_target`` of the variance, what PC1 and PC2 mean.
    features : str
        Customers and features.
    components : DataFrame
        Per component: ``variance_share``, ``high_scores``, ``low_scores``, ``main_features``, ``meaning``.
    agreement : str or None
        How far k-means on the kept components agrees with k-means on all features (given ``agreement``).
    advice : list of str or None
        Three recommendations (given ``agreement`` and ``scaled``).
    """

    headline: str
    features: str
    components: pd.DataFrame
    agreement: str | None = None
    advice: list[str] | None = None


def words(result: object, **context: object) -> object:
    """The words the reports show for a result of :mod:`segkit.cluster`, written from its numbers.

    ============================  ================================================  ===================
    result                        context (keywords)                                returns
    ============================  ================================================  ===================
    ``KMeansSegmentation``        ``snapshot_date`` (optional)                      :class:`KMeansWords`
    ``KSelection``                                                                  str (why that k)
    ``PreparedFeatures``          ``snapshot_date`` (optional)                      str (the features)
    ``WardClustering`` (fitted)   ``description``, ``kmeans_ari`` (for headline)    :class:`WardWords`
    ``LinkageComparison``         ``population``: customers sampled from            str
    ``TwoStageCheck``             ``ward``: the model checked                       str
    ``PCAResult``                 ``variance_target`` (0.8), ``n_describe`` (3),    :class:`PCAWords`
                                  ``agreement`` and ``scaled`` (optional)
    ``RecordComparison``          ``record``: the segmentation of record;           :class:`RecordWords`
                                  ``own``: the method's fitted result (its k)
    ============================  ================================================  ===================

    Raises
    ------
    TypeError
        ``result`` is none of these.

    Examples
    --------
    >>> prepared = PreparedFeatures(raw=pd.DataFrame({"n_orders": [1.0, 2.0], "revenue": [5.0, 9.0]}),
    ...                             scaled=pd.DataFrame(), preprocessor=None, feature_set="rfm")
    >>> words(prepared)
    '2 customers, 2 features (rfm): number of orders, revenue.'
    """
    from segkit.cluster.compare import LinkageComparison, TwoStageCheck
    from segkit.cluster.match import RecordComparison
    from segkit.cluster.pipeline import KMeansSegmentation
    from segkit.cluster.select import KSelection
    from segkit.cluster.ward import WardClustering

    writers = (
        (KMeansSegmentation, _kmeans_words),
        (KSelection, _selection_reason),
        (PreparedFeatures, _prepared_words),
        (WardClustering, _ward_words),
        (LinkageComparison, _comparison_words),
        (TwoStageCheck, _two_stage_words),
        (PCAResult, _pca_words),
        (RecordComparison, _record_words),
    )
    for kind, writer in writers:
        if isinstance(result, kind):
            return writer(result, **context)
    raise TypeError(f"no words for a {type(result).__name__}; pass a result of segkit.cluster.")


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


def _ward_words(ward, *, description=None, kmeans_ari: float | None = None) -> WardWords:
    headline = None
    if description is not None:
        top = description.summary.iloc[0]
        headline = (
            f"**Ward's tree splits {ward.n_customers_:,} customers into {ward.n_clusters_} segments**; the top "
            f"segment holds {top['customer_share']:.0%} of customers and {top['revenue_share']:.0%} of net revenue"
            + (f". k-means with the same k agrees at an adjusted Rand index of {kmeans_ari:.2f} ({ward.method_} Ward)."
               if kmeans_ari is not None else f" ({ward.method_} Ward).")
        )
    low, high = ward.k_range
    how = (f"fixed by the parameter n_clusters = {ward.n_clusters}" if ward.n_clusters else
           f"the largest gap ({ward.merge_gaps_['gap'].max():.1f}) for k between {low} and {high}")
    return WardWords(headline=headline, rule=f"**k = {ward.n_clusters_}**, {how}. Path: {ward.method_reason_}")


def _comparison_words(comparison, *, population: int | None = None) -> str:
    """What the linkage comparison shows: the most faithful tree, single linkage's chaining, Ward's cut."""
    table = comparison.table
    faithful, compact = table["cophenetic_corr"].idxmax(), table["within_ss_share"].idxmin()
    row = table.loc
    sampled = " sampled" if population is not None and population > comparison.n_customers else ""
    text = (
        f"On {comparison.n_customers:,}{sampled} customers cut into {comparison.n_clusters} clusters, **{faithful}** "
        f"linkage has the highest cophenetic correlation ({row[faithful, 'cophenetic_corr']:.2f}): its tree "
        "summarises the distances most faithfully, but a faithful tree is not necessarily a useful cut "
        f"(cluster sizes {row[faithful, 'sizes']}). "
    )
    if "single" in table.index:
        text += f"**Single** linkage chains: {row['single', 'largest_share']:.1%} of customers end up in one cluster. "
    if "ward" in table.index:
        text += (f"**Ward** gives sizes {row['ward', 'sizes']} and leaves {row['ward', 'within_ss_share']:.0%} of "
                 "the variance within clusters; ")
    return text + (f"the most compact cut of the {_count_word(len(table))} is {compact}'s "
                   f"({row[compact, 'within_ss_share']:.0%}).")


def _count_word(n: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four"}.get(n, str(n))


def _two_stage_words(check, *, ward) -> str:
    """What a full distance matrix would cost, and how close two-stage Ward comes to exact Ward."""
    gigabytes = {n: n * (n - 1) / 2 * 8 / 1e9 for n in (ward.n_customers_, 100_000, 1_000_000)}
    scope = (f"all {ward.n_customers_:,} customers" if check.n_customers == ward.n_customers_
             else f"{check.n_customers:,} sampled customers")
    return (
        f"This run: {ward.method_reason_} A full distance matrix would take {gigabytes[ward.n_customers_]:.1f} GB "
        f"here, {gigabytes[100_000]:,.0f} GB at 100,000 customers and {gigabytes[1_000_000]:,.0f} GB at a million. "
        f"On {scope}, the two-stage path ({check.n_micro:,} micro-clusters) agrees with exact "
        f"Ward at ARI {check.two_stage_vs_exact:.2f}. For scale: exact Ward itself, rerun after moving every "
        f"customer by a random {check.jitter:g} standard deviations, agrees with the original at ARI "
        f"{check.exact_vs_jittered:.2f}."
    )


def _pca_words(result: PCAResult, *, variance_target: float = 0.8, n_describe: int = 3,
               agreement: pd.DataFrame | None = None, scaled: pd.DataFrame | None = None) -> PCAWords:
    n_features = result.loadings.shape[0]
    n_keep = result.n_components_for(variance_target)
    cumulative = result.explained["cumulative"]
    components = _describe_components(result, n_components=min(n_describe, result.loadings.shape[1]))
    headline = (f"**{n_features} features reduce to {n_keep} components that keep {cumulative.iloc[n_keep - 1]:.0%} "
                f"of the variance.** PC1 and PC2 together explain {cumulative.iloc[1]:.0%}. "
                + " ".join(components["meaning"].iloc[:2]))
    features = _features_sentence(result.loadings.index, len(result.scores))
    if agreement is None:
        return PCAWords(headline=headline, features=features, components=components)
    n_map = max(n_keep, 2)
    at_keep = agreement.at[n_map, "ARI_vs_all_features"]
    enough = agreement.index[agreement["ARI_vs_all_features"] >= 0.9]
    agree = (f"With the {n_map} components needed to keep at least {variance_target:.0%} of the variance, the segments "
             f"agree with those on all features at ARI {at_keep:.2f}. "
             + (f"ARI ≥ 0.9 needs {enough[0]} components." if len(enough) else "No reduced set reaches ARI 0.9."))
    advice = None if scaled is None else _pca_advice(result, scaled, agreement, n_components=n_map,
                                                     meaning=components["meaning"].iloc[0])
    return PCAWords(headline=headline, features=features, components=components, agreement=agree, advice=advice)


def _describe_components(result: PCAResult, *, n_components: int = 3, min_weight: float = 0.3) -> pd.DataFrame:
    """What each component means, in words generated from its loadings.

    A feature enters a component's description when the absolute weight is at least ``min_weight``
    (at least the largest one always does). High scores describe customers with the traits of the
    positively weighted features' "above average" side and the negatively weighted features'
    "below average" side; low scores the reverse.

    Returns
    -------
    DataFrame
        Per component: ``variance_share``, ``high_scores``, ``low_scores``, ``main_features`` and
        ``meaning`` (a sentence).
    """
    rows = []
    for pc in result.loadings.columns[:n_components]:
        w = result.loadings[pc]
        top = w.abs().sort_values(ascending=False, kind="stable")
        keep = top.index[(top >= min_weight) | (np.arange(len(top)) == 0)]
        high = [_trait(f, w[f]) for f in keep]
        low = [_trait(f, -w[f]) for f in keep]
        share = float(result.explained.at[pc, "explained_variance_ratio"])
        rows.append(
            {
                "component": pc,
                "variance_share": share,
                "high_scores": ", ".join(high),
                "low_scores": ", ".join(low),
                "main_features": ", ".join(f"{feature_label(f)} ({w[f]:+.2f})" for f in keep),
                "meaning": f"{pc} ({share:.0%} of variance) separates {', '.join(high)} customers "
                f"(high scores) from {', '.join(low)} ones (low scores).",
            }
        )
    return pd.DataFrame(rows).set_index("component")


# ------------------------------------------------------------------------------ sentences of one number set


def _pca_advice(
    result: PCAResult,
    scaled: pd.DataFrame,
    agreement: pd.DataFrame,
    *,
    n_components: int,
    meaning: str,
    ari_threshold: float = 0.9,
    redundancy_threshold: float = 0.8,
) -> list[str]:
    """Three recommendations from a PCA, in words: the customer map, segmenting on fewer components, redundancy.

    Parameters
    ----------
    result : PCAResult
        :func:`principal_components` of ``scaled``.
    scaled : DataFrame
        The preprocessed features.
    agreement : DataFrame
        ``PCAResult.agreement`` table.
    n_components : int
        The number of components one would keep (a row of ``agreement``).
    meaning : str
        What PC1 means (the first ``meaning`` of :func:`_describe_components`).
    ari_threshold : float
        ARI from which segmenting on ``n_components`` components is called safe.
    redundancy_threshold : float
        Absolute correlation from which two features are called nearly redundant.
    """
    share = result.explained["cumulative"].iloc[1]
    ari = agreement.at[n_components, "ARI_vs_all_features"]
    a, b, r = _most_correlated_pair(scaled)
    return [
        f"Use PC1-PC2 as the customer map in reports: they hold {share:.0%} of the variance; {meaning}",
        (f"Segmenting on the first {n_components} components is safe here (ARI {ari:.2f} with all features)."
         if ari >= ari_threshold else
         f"Keep segmenting on all features: the first {n_components} components change the segments (ARI {ari:.2f})."),
        (f"{feature_label(a).capitalize()} and {feature_label(b)} are nearly redundant "
         f"(correlation {r:+.2f}): one of them carries most of the information of both."
         if abs(r) >= redundancy_threshold else
         f"No two features are strongly redundant (largest |correlation| {abs(r):.2f}, "
         f"{feature_label(a)} and {feature_label(b)}), so each adds its own information."),
    ]


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


def _ward_method_reason(*, n_customers: int, max_exact: int, n_micro: int = 0, n_micro_made: int = 0) -> str:
    """Why Ward ran exact or two-stage, in words (``WardClustering.method_reason_``).

    Exact when ``n_customers <= max_exact``; otherwise two-stage over ``n_micro_made`` micro-clusters
    (``n_micro`` asked for).

    Examples
    --------
    >>> _ward_method_reason(n_customers=1_000, max_exact=60_000).split(":")[0]
    'exact Ward on all 1,000 customers (1,000 ≤ max_exact = 60,000)'
    """
    n = n_customers
    if n <= max_exact:
        return (f"exact Ward on all {n:,} customers ({n:,} ≤ max_exact = {max_exact:,}): "
                "fastcluster.linkage_vector builds the full tree in memory proportional to customers × features.")
    how = (
        "every customer is its own micro-cluster (n_micro ≥ customers), so size-weighted Ward on them is exact Ward."
        if n_micro >= n
        else f"MiniBatchKMeans made {n_micro_made:,} micro-clusters, size-weighted Ward merged their "
        "centroids, and every customer took the segment of its micro-cluster."
    )
    return f"two-stage Ward ({n:,} customers > max_exact = {max_exact:,}): {how}"


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


def _cap(text: str) -> str:
    """``text`` with its first letter upper-case (for a method name that starts a sentence)."""
    return text[:1].upper() + text[1:]


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _share(value: float, threshold: float) -> str:
    """A share as a percentage, with a decimal when the whole number would read as the threshold."""
    text = f"{value:.0%}"
    return f"{value:.1%}" if text == f"{threshold:.0%}" else text


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
