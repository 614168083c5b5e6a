"""Principal components of the clustering features: the fit, how many to keep, communalities, agreement.

What the components mean, in words, is written by :func:`segkit.cluster.text.words`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from segkit.cluster.kmeans import SegmentKMeans, _as_matrix
from segkit.errors import DataError

__all__ = [
    "PCAResult",
    "principal_components",
]


@dataclass(frozen=True)
class PCAResult:
    """Result of :func:`principal_components`, with what follows from it: components to keep,
    communalities, and how much k-means on fewer components agrees with k-means on all features.

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

    def n_components_for(self, target: float) -> int:
        """Fewest components whose cumulative explained variance reaches ``target`` (a share in (0, 1]).

        Examples
        --------
        >>> res = principal_components(pd.DataFrame({"a": [0.0, 1, 2, 3], "b": [0.0, 1, 2, 4], "c": [1.0, 0, 1, 0]}))
        >>> res.n_components_for(0.5), res.n_components_for(1.0)
        (1, 3)
        """
        if not 0 < target <= 1:
            raise DataError(f"variance target {target} must be a share in (0, 1], e.g. 0.8.")
        return int(np.searchsorted(self.explained["cumulative"].to_numpy(), target - 1e-9) + 1)

    def communalities(self, *, n_components: int = 2) -> pd.Series:
        """Share of each feature's variance explained by the first ``n_components`` components.

        communality_f = Σ_j≤n λ_j × w_fj² / var(z_f), with λ_j the component variances and w the weights:
        1 means the components reproduce the feature fully, 0 that they ignore it.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> res = principal_components(pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"]))
        >>> res.communalities(n_components=3).round(6).tolist()
        [1.0, 1.0, 1.0]
        """
        if not 1 <= n_components <= self.loadings.shape[1]:
            raise DataError(f"n_components={n_components} must be between 1 and {self.loadings.shape[1]}.")
        w = self.loadings.iloc[:, :n_components].to_numpy()
        lam = self.model.explained_variance_[:n_components]
        total = (self.loadings.to_numpy() ** 2 * self.model.explained_variance_).sum(axis=1)
        return pd.Series((w**2 * lam).sum(axis=1) / total, index=self.loadings.index, name="communality")

    def agreement(
        self,
        labels: Sequence[int],
        *,
        n_clusters: int,
        n_init: int = 10,
        min_components: int = 2,
        sample: int = 20_000,
        random_state: int = 0,
    ) -> pd.DataFrame:
        """k-means on the first m component scores against ``labels`` (k-means on all features), for each m.

        Parameters
        ----------
        labels : array-like
            Cluster of each customer (row of :attr:`scores`) from k-means on all features.
        n_clusters, n_init : int
            k and the k-means++ starts of each refit.
        min_components : int
            Smallest m tried.
        sample : int
            With more customers than this, the refits and the adjusted Rand index use a seeded random
            sample of this many customers (``random_state`` seeds it, as ``evidence_sample`` of
            :func:`segkit.cluster.kmeans_segmentation` does): one refit per m on every customer is the
            notebook's slowest step on a large shop, and a few tens of thousands show the same agreement.
            Below the cap every customer is used and the result is unchanged.

            The refits run on one OpenMP thread: on at most ``sample`` rows scikit-learn's threads spend
            more time waiting for each other than computing whenever the cores are shared (``make report``
            runs notebooks two at a time), e.g. one fit (k=8, 10 starts) on 20,000 customers of the 5M-line
            shop took 12.5 s on two threads and 0.7 s on one, with the same 74 iterations.
        random_state : int
            Seed of the sample and of the k-means refits.

        Returns
        -------
        DataFrame
            Indexed by ``components`` (m from ``min_components`` to all): ``variance_kept``,
            ``ARI_vs_all_features`` (adjusted Rand index of the two partitions; 1 = the same segments)
            and ``customers``, how many customers the refits and the index used (the sample, or all).

        Raises
        ------
        DataError
            ``labels`` not one per customer, or a ``sample`` of no more customers than clusters.
        """
        scores = self.scores.to_numpy()  # float and finite by construction: no second validation
        labels = np.asarray(labels)
        if len(labels) != len(scores):
            raise DataError(f"labels has {len(labels)} entries for {len(scores)} customers; pass one label per "
                            "customer, in the order of the scores (e.g. model.labels_).")
        if sample <= n_clusters:
            raise DataError(f"sample={sample} must be more than n_clusters={n_clusters} customers, e.g. 20000.")
        if len(scores) > sample:  # the same seeded rows of both
            from segkit.cluster.compare import sample_rows  # compare imports the text layer, which imports pca

            rows_kept = sample_rows(np.arange(len(scores)), size=sample, random_state=random_state)
            scores, labels = scores[rows_kept], labels[rows_kept]
        rows = []
        for m in range(min_components, scores.shape[1] + 1):  # one refit per number of components
            with threadpool_limits(limits=1, user_api="openmp"):  # why: see ``sample`` above
                reduced = SegmentKMeans(n_clusters, n_init=n_init, random_state=random_state)._fit(scores[:, :m])
            rows.append({"components": m, "variance_kept": self.explained["cumulative"].iloc[m - 1],
                         "ARI_vs_all_features": adjusted_rand_score(labels, reduced.labels_),
                         "customers": len(labels)})
        return pd.DataFrame(rows).set_index("components")


def principal_components(
    scaled: pd.DataFrame, *, n_components: int | None = None, random_state: int = 0
) -> PCAResult:
    """PCA of preprocessed (standardised) features with a deterministic sign convention.

    Parameters
    ----------
    scaled : DataFrame
        Preprocessed features, one row per customer (e.g. ``prepare_features(...).scaled``).
    n_components : int, optional
        Components to keep (all by default).
    random_state : int
        Seed passed to scikit-learn's PCA.

    Returns
    -------
    PCAResult

    Raises
    ------
    DataError
        Invalid features or ``n_components`` outside 1 .. min(customers, features).
    """
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
