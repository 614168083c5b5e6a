"""Principal components of the clustering features: the fit, what the components mean, how many to keep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score

from segkit.cluster.describe import _trait
from segkit.cluster.features import feature_label
from segkit.cluster.kmeans import SegmentKMeans, _as_matrix
from segkit.errors import DataError

__all__ = [
    "components_for_variance",
    "component_agreement",
    "PCAResult",
    "principal_components",
    "communalities",
    "describe_components",
]


@dataclass
class PCAResult:
    """Result of :func:`principal_components`.

    Attributes
    ----------
    scores : DataFrame
        Customers × components (``PC1``, ``PC2``, ...).
    loadings : DataFrame
        Features × components: the weight of each standardised feature in each component (unit
        vectors; sign fixed so that each component's largest weight is positive).
    explained : DataFrame
        Per component: ``explained_variance_ratio`` and ``cumulative``.
    model : PCA
        The fitted scikit-learn PCA (signs as scikit-learn returns them).
    """

    scores: pd.DataFrame
    loadings: pd.DataFrame
    explained: pd.DataFrame
    model: PCA = field(repr=False)


def principal_components(
    scaled: pd.DataFrame, *, n_components: int | None = None, random_state: int = 0
) -> PCAResult:
    """PCA of preprocessed (standardised) features with a deterministic sign convention."""
    arr = _as_matrix(scaled, min_rows=2)
    if n_components is not None and not 1 <= n_components <= min(arr.shape):
        raise DataError(f"n_components={n_components} must be between 1 and {min(arr.shape)} (customers, features).")
    model = PCA(n_components=n_components, random_state=random_state).fit(arr)
    names = [f"PC{i + 1}" for i in range(model.n_components_)]
    comps = model.components_
    signs = np.sign(comps[np.arange(len(comps)), np.abs(comps).argmax(axis=1)])
    comps = comps * signs[:, None]
    scores = pd.DataFrame((arr - model.mean_) @ comps.T, index=scaled.index, columns=names)
    loadings = pd.DataFrame(comps.T, index=list(scaled.columns), columns=names)
    ratio = model.explained_variance_ratio_
    explained = pd.DataFrame({"explained_variance_ratio": ratio, "cumulative": np.cumsum(ratio)}, index=names)
    return PCAResult(scores=scores, loadings=loadings, explained=explained, model=model)


def communalities(result: PCAResult, *, n_components: int = 2) -> pd.Series:
    """Share of each feature's variance explained by the first ``n_components`` components.

    communality_f = Σ_j≤n λ_j × w_fj² / var(z_f), with λ_j the component variances and w the weights:
    1 means the components reproduce the feature fully, 0 that they ignore it.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> res = principal_components(pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"]))
    >>> communalities(res, n_components=3).round(6).tolist()
    [1.0, 1.0, 1.0]
    """
    if not 1 <= n_components <= result.loadings.shape[1]:
        raise DataError(f"n_components={n_components} must be between 1 and {result.loadings.shape[1]}.")
    w = result.loadings.iloc[:, :n_components].to_numpy()
    lam = result.model.explained_variance_[:n_components]
    total = (result.loadings.to_numpy() ** 2 * result.model.explained_variance_).sum(axis=1)
    return pd.Series((w**2 * lam).sum(axis=1) / total, index=result.loadings.index, name="communality")


def describe_components(result: PCAResult, *, n_components: int = 3, min_weight: float = 0.3) -> pd.DataFrame:
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


def components_for_variance(explained: pd.DataFrame, target: float) -> int:
    """Fewest components whose cumulative explained variance reaches ``target`` (a share in (0, 1]).

    Examples
    --------
    >>> components_for_variance(pd.DataFrame({"cumulative": [0.5, 0.8, 1.0]}), 0.8)
    2
    """
    if not 0 < target <= 1:
        raise DataError(f"variance target {target} must be a share in (0, 1], e.g. 0.8.")
    return int(np.searchsorted(explained["cumulative"].to_numpy(), target - 1e-9) + 1)


def component_agreement(
    result: PCAResult,
    labels: Sequence[int],
    *,
    n_clusters: int,
    n_init: int = 10,
    min_components: int = 2,
    random_state: int = 0,
) -> pd.DataFrame:
    """k-means on the first m component scores against ``labels`` (k-means on all features), for each m.

    Returns
    -------
    DataFrame
        Indexed by ``components`` (m from ``min_components`` to all): ``variance_kept`` and
        ``ARI_vs_all_features`` (adjusted Rand index of the two partitions; 1 = the same segments).
    """
    rows = []
    for m in range(min_components, result.scores.shape[1] + 1):  # one refit per number of components
        reduced = SegmentKMeans(n_clusters, n_init=n_init, random_state=random_state).fit(result.scores.iloc[:, :m])
        rows.append({"components": m, "variance_kept": result.explained["cumulative"].iloc[m - 1],
                     "ARI_vs_all_features": adjusted_rand_score(labels, reduced.labels_)})
    return pd.DataFrame(rows).set_index("components")


def _most_correlated_pair(scaled: pd.DataFrame) -> tuple[str, str, float]:
    """The two features with the largest absolute correlation, and that correlation.

    Examples
    --------
    >>> _most_correlated_pair(pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 6, 9], "c": [1.0, -1, 1, -1]}))[:2]
    ('a', 'b')
    """
    corr = scaled.corr().where(~np.eye(scaled.shape[1], dtype=bool))
    a, b = corr.abs().stack().idxmax()
    return str(a), str(b), float(corr.loc[a, b])
