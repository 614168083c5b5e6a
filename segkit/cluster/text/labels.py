"""Fixed wording of the clustering reports: feature labels, table labels, criterion names, the action
rules and the rule for k; and the small helpers that join words (capitals, possessives, lists, shares)."""

from __future__ import annotations

import re


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


def _count_word(n: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four"}.get(n, str(n))


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
