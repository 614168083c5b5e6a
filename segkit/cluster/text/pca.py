"""The words for a PCA: the headline, what each component means, the agreement with k-means on all
features and three recommendations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.cluster.describe import _trait
from segkit.cluster.pca import PCAResult, _most_correlated_pair
from segkit.cluster.text.kmeans import _features_sentence
from segkit.cluster.text.labels import feature_label
from segkit.cluster.text.results import PCAWords


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
    used, everyone = int(agreement["customers"].iloc[0]), len(result.scores)
    sampled = "" if used == everyone else f" (on a random sample of {used:,} of the {everyone:,} customers)"
    agree = (f"With the {n_map} components needed to keep at least {variance_target:.0%} of the variance, the segments "
             f"agree with those on all features at ARI {at_keep:.2f}{sampled}. "
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
