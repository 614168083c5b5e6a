"""The sentences the clustering reports show, written from computed numbers."""

from __future__ import annotations

import pandas as pd

from segkit.cluster.features import feature_label
from segkit.cluster.pca import PCAResult, describe_components, _most_correlated_pair

__all__ = [
    "CRITERION_LABELS",
    "DECISION_RULE",
    "SEGMENT_ACTIONS",
    "k_choice_reason",
    "k_range_note",
    "pca_advice",
    "revenue_skew_words",
    "ward_method_reason",
]

#: Each criterion of :func:`choose_k`, as a report names it.
CRITERION_LABELS: dict[str, str] = {
    "elbow": "elbow (Kneedle knee of inertia)",
    "silhouette": "silhouette (max)",
    "calinski_harabasz": "Calinski-Harabasz (max)",
    "davies_bouldin": "Davies-Bouldin (min)",
    "gap": "gap statistic (1-SE rule)",
}

#: The first action per segment of :func:`segment_actions`, by rule.
SEGMENT_ACTIONS: dict[str, str] = {
    "protect": "protect: VIP service and early access, no blanket discounts",
    "win back": "win back: a reactivation offer, then stop mailing non-responders",
    "grow": "grow: cross-sell and a second-order incentive",
}

#: How :func:`choose_k` decides, in words, for a report.
DECISION_RULE: str = (
    "Each of five criteria names a best k: the elbow (the knee of the inertia curve, found with "
    "Kneedle), the highest silhouette, the highest Calinski-Harabasz index, the lowest "
    "Davies-Bouldin index, and the gap statistic (the smallest k with gap(k) >= gap(k+1) - s(k+1), "
    "Tibshirani's one-standard-error rule). When stability results are given, only the k whose "
    "partitions are stable under subsampling (mean adjusted Rand index between refits >= 0.8) are "
    "candidates, and the elbow abstains if its knee is not one of them. The chosen k is the one named "
    "most often; a tie goes to the tied k with the highest silhouette."
)


def pca_advice(
    result: PCAResult,
    scaled: pd.DataFrame,
    agreement: pd.DataFrame,
    *,
    n_components: int,
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
        :func:`component_agreement` table.
    n_components : int
        The number of components one would keep (a row of ``agreement``).
    ari_threshold : float
        ARI from which segmenting on ``n_components`` components is called safe.
    redundancy_threshold : float
        Absolute correlation from which two features are called nearly redundant.
    """
    share = result.explained["cumulative"].iloc[1]
    meaning = describe_components(result, n_components=1)["meaning"].iloc[0]
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


def revenue_skew_words(revenue: pd.Series) -> str:
    """One sentence on how skewed revenue is: the biggest spender against the median, and the top 1%'s share.

    With fewer than 100 customers the top 1% is one customer, so the sentence names the biggest
    customer's share instead; when the median customer has no revenue it says so instead of a ratio.

    Examples
    --------
    >>> revenue_skew_words(pd.Series([10.0, 20.0, 30.0, 40.0, 400.0]))
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


def k_choice_reason(votes: pd.DataFrame, table: pd.DataFrame, *, chosen_k: int, knee_k: int | None) -> str:
    """Why ``chosen_k``: which criteria named it and what the others preferred (see ``KSelection.reason``).

    Parameters
    ----------
    votes : DataFrame
        Indexed by criterion, with ``best_k``.
    table : DataFrame
        Indexed by k, with the bool column ``candidate``.
    chosen_k, knee_k : int
        The chosen k and the knee of the inertia curve (None when it has none).
    """
    named = votes.index[votes["best_k"] == chosen_k].map(CRITERION_LABELS.get).tolist()
    others = votes.loc[votes["best_k"] != chosen_k, "best_k"]
    text = f"k = {chosen_k} is named by {len(named)} of {len(votes)} criteria ({', '.join(named)})"
    if not table["candidate"].all():
        stable = ", ".join(str(k) for k in table.index[table["candidate"]])
        text = f"Among the candidate k ({stable}), {text}"
    if len(others):
        text += "; the others prefer " + ", ".join(f"k = {int(k)} ({CRITERION_LABELS[c]})" for c, k in others.items())
    text += "."
    if knee_k is None:
        text += " The elbow abstains: the inertia curve has no knee."
    elif "elbow" not in votes.index:
        text += f" The elbow abstains: its knee, k = {knee_k}, is not a candidate."
    return text


def k_range_note(kept: list[int], asked: list[int], *, n_customers: int, n_distinct: int) -> str:
    """The sentence saying that k was tried over ``kept`` instead of ``asked`` (see ``feasible_k_range``)."""
    return (f"k was tried from {kept[0]} to {kept[-1]} instead of {asked[0]} to {asked[-1]}: the data have only "
            f"{n_customers} customers ({n_distinct} with distinct features), and a segment needs more than one "
            "customer.")


def ward_method_reason(*, n_customers: int, max_exact: int, n_micro: int = 0, n_micro_made: int = 0) -> str:
    """Why Ward ran exact or two-stage, in words (``WardClustering.method_reason_``).

    Exact when ``n_customers <= max_exact``; otherwise two-stage over ``n_micro_made`` micro-clusters
    (``n_micro`` asked for).

    Examples
    --------
    >>> ward_method_reason(n_customers=1_000, max_exact=60_000).split(":")[0]
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
