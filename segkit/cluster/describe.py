"""Profiles and names: turn cluster labels into something a stakeholder reads.

:func:`describe_clusters` gives, in one frozen :class:`ClusterDescription`, the stakeholder table
(name, size, revenue share, closest segment, mean features), the standardised means behind the
snake plot, the relative importance of every feature and the names. It is built from
:func:`cluster_profile`, :func:`standardised_means`, :func:`relative_importance`,
:func:`name_clusters` (the naming rule) and :func:`closest_segment`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.errors import DataError

__all__ = [
    "ClusterDescription",
    "describe_clusters",
    "cluster_profile",
    "standardised_means",
    "relative_importance",
    "name_clusters",
    "comparative",
    "disambiguate",
    "closest_segment",
]


def _labels_series(labels: Sequence[int], index: pd.Index) -> pd.Series:
    values = np.asarray(labels)
    if len(values) != len(index):  # before building the Series, whose own error names neither
        raise DataError(f"labels has {len(values)} entries but the features have {len(index)} rows; align them.")
    return pd.Series(values, index=index, name="cluster")


def cluster_profile(features: pd.DataFrame, labels: Sequence[int], *, revenue: str = "revenue") -> pd.DataFrame:
    """Size, revenue share and mean features of each cluster.

    Parameters
    ----------
    features : DataFrame
        Raw (un-transformed) features, one row per customer; must contain ``revenue``.
    labels : array-like
        Cluster of each row.
    revenue : str
        Column holding each customer's revenue.

    Returns
    -------
    DataFrame
        Indexed by cluster: ``n_customers``, ``customer_share``, ``revenue``, ``revenue_share``, then
        the mean of every feature (``mean_<feature>``).

    Examples
    --------
    >>> f = pd.DataFrame({"revenue": [10.0, 30.0, 60.0], "n_orders": [1, 3, 4]})
    >>> cluster_profile(f, [1, 1, 0]).round(2)[["n_customers", "revenue_share", "mean_n_orders"]]
             n_customers  revenue_share  mean_n_orders
    cluster                                           
    0                  1            0.6            4.0
    1                  2            0.4            2.0
    """
    if revenue not in features.columns:
        raise DataError(f"features lack the {revenue!r} column needed for revenue shares; include it or pass revenue=.")
    lab = _labels_series(labels, features.index)
    grouped = features.groupby(lab)
    out = pd.DataFrame({"n_customers": grouped.size(), "revenue": grouped[revenue].sum()})
    out["customer_share"] = out["n_customers"] / out["n_customers"].sum()
    out["revenue_share"] = out["revenue"] / out["revenue"].sum()
    means = grouped.mean().add_prefix("mean_")
    return out[["n_customers", "customer_share", "revenue", "revenue_share"]].join(means)


def standardised_means(scaled: pd.DataFrame, labels: Sequence[int]) -> pd.DataFrame:
    """Mean of each preprocessed (standardised) feature per cluster: the data of the snake plot."""
    return scaled.groupby(_labels_series(labels, scaled.index)).mean()


def relative_importance(features: pd.DataFrame, labels: Sequence[int]) -> pd.DataFrame:
    """Cluster mean / population mean − 1 for every feature (0 = like everyone; +0.5 = 50 % above).

    Features whose population mean is 0 give NaN.
    """
    means = features.groupby(_labels_series(labels, features.index)).mean()
    population = features.mean().replace(0.0, np.nan)
    return means / population - 1.0

#: (phrase when above average, phrase when below) for the traits used in names and PC descriptions.
_TRAITS: dict[str, tuple[str, str]] = {
    "days_since_last_purchase": ("lapsed", "recent"),
    "n_orders": ("frequent", "occasional"),
    "revenue": ("high-spending", "low-spending"),
    "avg_order_value": ("big-basket", "small-basket"),
    "tenure_days": ("long-standing", "new"),
    "avg_discount": ("discount-driven", "full-price"),
    "frequency": ("repeat", "one-time"),
    "recency": ("long-active", "short-lived"),
    "T": ("older", "younger"),
    "monetary_value": ("high-spending", "low-spending"),
}

_SLOTS = ["days_since_last_purchase", "tenure_days", "n_orders", "frequency", "avg_discount", "avg_order_value"]


def _trait(feature: str, z: float) -> str:
    if feature in _TRAITS:
        return _TRAITS[feature][0 if z > 0 else 1]
    level = feature.split("_share_")[-1].replace("_", " ")
    if "_share_" in feature:
        return f"{level}-heavy" if z > 0 else f"{level}-light"
    return f"high-{level}" if z > 0 else f"low-{level}"


def _noun(z_revenue: float | None, one_off: bool, threshold: float) -> str:
    if z_revenue is None:
        return "customers"
    if z_revenue > threshold:
        return "high spenders"
    if z_revenue < -threshold:
        return "buyers" if one_off else "low spenders"
    return "mid-value customers"


def _compose(adjectives: dict[str, str], noun: str) -> str:
    ordered = [adjectives[f] for f in _SLOTS if f in adjectives] + [v for f, v in adjectives.items() if f not in _SLOTS]
    return " ".join([*ordered, noun])


def name_clusters(
    scaled_means: pd.DataFrame,
    *,
    one_off: pd.Series | None = None,
    threshold: float = 0.5,
    extra_threshold: float = 1.0,
) -> pd.Series:
    """A descriptive, unique name for each cluster, made from its standardised profile.

    Rule: the noun comes from revenue (above +threshold: "high spenders", below −threshold: "low
    spenders", else "mid-value customers"); adjectives from recency ("recent"/"lapsed") and order
    count ("frequent"/"occasional", or "one-off" when ``one_off`` says the cluster's median customer
    ordered once) when beyond ±threshold; plus the strongest other feature beyond ±extra_threshold
    (e.g. "discount-driven"). Clusters whose names coincide get their next most distinctive trait
    until the names differ; as a last resort a computed qualifier from the feature that separates them
    most (:func:`disambiguate`, e.g. "(more recent)"), never a number.

    Parameters
    ----------
    scaled_means : DataFrame
        Output of :func:`standardised_means` (clusters × preprocessed features).
    one_off : Series of bool, optional
        Per cluster, True when its median customer has a single order.
    threshold, extra_threshold : float
        Standardised-mean cut-offs (in standard deviations) for the RFM and the other traits.

    Returns
    -------
    Series
        Name per cluster label.

    Examples
    --------
    >>> z = pd.DataFrame({"days_since_last_purchase": [-1.0, 1.2], "n_orders": [1.1, -0.9],
    ...                   "revenue": [1.3, -1.0]})
    >>> name_clusters(z, one_off=pd.Series([False, True])).tolist()
    ['recent frequent high spenders', 'lapsed one-off buyers']
    """
    one_off = one_off if one_off is not None else pd.Series(False, index=scaled_means.index)
    core = ["days_since_last_purchase", "n_orders"]
    adjectives: dict[object, dict[str, str]] = {}
    names: dict[object, str] = {}
    for label, z in scaled_means.iterrows():
        adj = {f: _trait(f, z[f]) for f in core if f in z.index and abs(z[f]) > threshold}
        if bool(one_off.get(label, False)) and "n_orders" in z.index:
            adj["n_orders"] = "one-off"
        others = z.drop([c for c in [*core, "revenue"] if c in z.index]).abs()
        others = others.sort_values(ascending=False, kind="stable")
        if len(others) and others.iloc[0] > extra_threshold:
            adj[others.index[0]] = _trait(others.index[0], z[others.index[0]])
        adjectives[label] = adj
        names[label] = _compose(adj, _noun(z.get("revenue"), adj.get("n_orders") == "one-off", threshold))
    return _make_unique(pd.Series(names), scaled_means, adjectives, one_off, threshold)


def _make_unique(names: pd.Series, scaled_means: pd.DataFrame, adjectives: dict, one_off: pd.Series,
                 threshold: float) -> pd.Series:
    names = names.copy()
    for _ in range(scaled_means.shape[1]):
        dup = names[names.duplicated(keep=False)]
        if dup.empty:
            break
        for label in dup.index:
            z = scaled_means.loc[label].drop([c for c in ["revenue", *adjectives[label]] if c in scaled_means.columns])
            if z.empty:
                continue
            nxt = z.abs().sort_values(ascending=False, kind="stable").index[0]
            adjectives[label][nxt] = _trait(nxt, z[nxt])
            is_one_off = adjectives[label].get("n_orders") == "one-off"
            noun = _noun(scaled_means.loc[label].get("revenue"), is_one_off, threshold)
            names[label] = _compose(adjectives[label], noun)
    return disambiguate(names, scaled_means).rename("cluster_name")


#: (comparative when higher, when lower) and (superlative when highest, when lowest) of the named features;
#: other features get "higher <label>" / "highest <label>".
_COMPARATIVES: dict[str, tuple[str, str, str, str]] = {
    "days_since_last_purchase": ("more lapsed", "more recent", "most lapsed", "most recent"),
    "n_orders": ("more orders", "fewer orders", "most orders", "fewest orders"),
    "revenue": ("more revenue", "less revenue", "most revenue", "least revenue"),
    "monetary_value": ("more revenue", "less revenue", "most revenue", "least revenue"),
    "avg_order_value": ("bigger baskets", "smaller baskets", "biggest baskets", "smallest baskets"),
    "tenure_days": ("longer-standing", "newer", "longest-standing", "newest"),
    "avg_discount": ("more discount", "less discount", "most discount", "least discount"),
}


def _phrases(feature: str) -> tuple[str, str, str, str]:
    if feature in _COMPARATIVES:
        return _COMPARATIVES[feature]
    from segkit.cluster.text import feature_label  # text imports this module

    label = feature_label(feature)
    return f"higher {label}", f"lower {label}", f"highest {label}", f"lowest {label}"


def comparative(feature: str, difference: float) -> str:
    """How a group differs from another on ``feature``, in words ("more recent", "fewer orders", ...).

    Examples
    --------
    >>> comparative("days_since_last_purchase", -0.4), comparative("channel_share_web", 0.2)
    ('more recent', 'higher share of orders via web')
    """
    return _phrases(feature)[0 if difference > 0 else 1]


def _ordinal(n: int) -> str:
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10 if n % 100 not in (11, 12, 13) else 0, 'th')}"


def _rank_qualifiers(values: pd.Series, feature: str) -> pd.Series:
    """A qualifier per entry of ``values`` from its rank on ``feature``: two entries get comparatives
    (higher / lower), more get superlatives (highest, 2nd highest, ..., lowest); ties keep their order."""
    higher, lower, highest, lowest = _phrases(feature)
    order = values.sort_values(ascending=False, kind="stable").index
    if len(order) == 2:
        words = [higher, lower]
    else:
        words = [highest, *(f"{_ordinal(i + 2)} {highest}" for i in range(len(order) - 2)), lowest]
    return pd.Series(words, index=order).reindex(values.index)


def disambiguate(names: pd.Series, means: pd.DataFrame) -> pd.Series:
    """Make names unique with a computed qualifier, never a number.

    Clusters sharing a name are told apart on the feature whose standardised mean differs most between
    them: two get "(more recent)" and "(more lapsed)", more get "(most revenue)", "(2nd most revenue)",
    ..., "(least revenue)"; clusters whose means are identical (nothing tells them apart) are "(1st of 2
    alike)", "(2nd of 2 alike)".

    Parameters
    ----------
    names : Series
        Name per cluster label.
    means : DataFrame
        Standardised means, clusters (same labels) × features.
    Returns
    -------
    Series
        Unique names.

    Examples
    --------
    >>> z = pd.DataFrame({"revenue": [1.0, 1.2], "n_orders": [0.9, -0.2]})
    >>> disambiguate(pd.Series(["high spenders", "high spenders"]), z).tolist()
    ['high spenders (more orders)', 'high spenders (fewer orders)']
    """
    names = names.astype(str).copy()
    for _ in range(means.shape[1]):  # each round qualifies on one more feature
        dup = names.duplicated(keep=False)
        if not dup.any():
            break
        for name, labels in names[dup].groupby(names[dup], sort=False).groups.items():
            z = means.loc[labels]
            spread = (z.max() - z.min()).sort_values(ascending=False, kind="stable")
            feature = spread.index[0]
            if spread.iloc[0] > 0:
                qualifiers = _rank_qualifiers(z[feature], feature)
            else:
                qualifiers = pd.Series([f"{_ordinal(i + 1)} of {len(labels)} alike" for i in range(len(labels))],
                                       index=labels)
            names[labels] = [f"{name} ({q})" for q in qualifiers.reindex(labels)]
    return names


def closest_segment(labels: Sequence[int], segments: pd.Series) -> pd.DataFrame:
    """Modal segment (e.g. the RFM segment) of each cluster, from the cluster × segment crosstab.

    Returns
    -------
    DataFrame
        Indexed by cluster: ``segment`` (the most common; ties alphabetical) and ``segment_share``
        (share of the cluster's customers in it).

    Examples
    --------
    >>> closest_segment([0, 0, 0, 1], pd.Series(["A", "A", "B", "B"])).values.tolist()
    [['A', 0.6666666666666666], ['B', 1.0]]
    """
    seg = pd.Series(np.asarray(segments.astype(str)))
    lab = pd.Series(np.asarray(labels), name="cluster")
    if len(seg) != len(lab):
        raise DataError(f"labels ({len(lab)}) and segments ({len(seg)}) must have one entry per customer; align them.")
    table = pd.crosstab(lab, seg, normalize="index")  # columns sorted, so idxmax breaks ties alphabetically
    return pd.DataFrame({"segment": table.idxmax(axis=1), "segment_share": table.max(axis=1)})


@dataclass(frozen=True)
class ClusterDescription:
    """Result of :func:`describe_clusters`.

    Attributes
    ----------
    summary : DataFrame
        Indexed by cluster: ``cluster_name``, ``n_customers``, ``customer_share``, ``revenue_share``,
        [``closest_segment``, ``closest_segment_share``], ``mean_<feature>``.
    profile : DataFrame
        Indexed by cluster: ``n_customers``, ``customer_share``, ``revenue``, ``revenue_share``,
        ``mean_<feature>`` (:func:`cluster_profile`).
    means : DataFrame
        Clusters × preprocessed features: the standardised means (the data of the snake plot).
    importance : DataFrame
        Clusters × raw features: cluster mean / population mean − 1 (:func:`relative_importance`).
    segments_name : str or None
        Name of the ``segments`` Series the closest segment comes from (e.g. "RFM segment").
    """

    summary: pd.DataFrame
    profile: pd.DataFrame
    means: pd.DataFrame
    importance: pd.DataFrame
    segments_name: str | None = None

    @property
    def names(self) -> pd.Series:
        """Name of each cluster (``cluster_name`` of :attr:`summary`)."""
        return self.summary["cluster_name"]


def describe_clusters(
    features: pd.DataFrame,
    labels: Sequence[int],
    scaled: pd.DataFrame,
    *,
    segments: pd.Series | None = None,
    revenue: str = "revenue",
) -> ClusterDescription:
    """Everything a report shows about clusters: the stakeholder table, standardised means, importance, names.

    Parameters
    ----------
    features : DataFrame
        Raw features (must hold ``revenue``; ``n_orders`` is used for the "one-off" trait).
    labels : array-like
        Cluster of each customer (ordered, e.g. :attr:`SegmentKMeans.labels_`).
    scaled : DataFrame
        The preprocessed features the clusters were fitted on (names come from their means).
    segments : Series, optional
        A segment per customer (e.g. the RFM segment); adds ``closest_segment`` and its share.
    revenue : str
        Column of ``features`` holding each customer's revenue.

    Returns
    -------
    ClusterDescription

    Raises
    ------
    DataError
        ``labels`` not aligned with the features, or no ``revenue`` column.

    Examples
    --------
    >>> f = pd.DataFrame({"n_orders": [1.0, 1.0, 9.0, 7.0], "revenue": [5.0, 6.0, 90.0, 80.0]})
    >>> described = describe_clusters(f, [1, 1, 0, 0], (f - f.mean()) / f.std())
    >>> described.names.tolist(), described.summary["revenue_share"].round(2).tolist()
    (['frequent high spenders', 'one-off buyers'], [0.94, 0.06])
    """
    profile = cluster_profile(features, labels, revenue=revenue)
    means = standardised_means(scaled, labels)
    one_off = (features["n_orders"].groupby(np.asarray(labels)).median() <= 1) if "n_orders" in features else None
    summary = profile.drop(columns="revenue")
    summary.insert(0, "cluster_name", name_clusters(means, one_off=one_off))
    if segments is not None:
        closest = closest_segment(labels, segments)
        summary.insert(4, "closest_segment", closest["segment"])
        summary.insert(5, "closest_segment_share", closest["segment_share"])
    return ClusterDescription(summary=summary, profile=profile, means=means,
                              importance=relative_importance(features, labels),
                              segments_name=None if segments is None else segments.name)
