"""The words for Ward's hierarchical clustering: the headline and rule for k, why it ran exact or
two-stage, the linkage comparison and the two-stage check."""

from __future__ import annotations

from segkit.cluster.text.labels import _count_word
from segkit.cluster.text.results import WardWords


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
