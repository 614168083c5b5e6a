"""Ward against its rivals: the other linkages on a sample, agreement of two partitions, the two-stage check.

The comparison of Ward with complete, average and single linkage (:func:`compare_linkages`) runs on a
sample (:func:`sample_rows`), since complete and average linkage need every pairwise distance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import fastcluster
import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import cophenet
from scipy.spatial.distance import pdist
from sklearn.metrics import adjusted_rand_score

from segkit.cluster.ward import WardClustering, _as_frame, _group_means, cut_linkage
from segkit.errors import DataError

__all__ = [
    "LINKAGE_METHODS",
    "LinkageComparison",
    "TwoStageCheck",
    "agreement",
    "compare_linkages",
    "sample_rows",
    "two_stage_check",
    "MAX_PAIRWISE_ROWS",
]

#: The four classic linkages, compared by :func:`compare_linkages`.
LINKAGE_METHODS: tuple[str, ...] = ("ward", "complete", "average", "single")

#: Linkages fastcluster computes from the vectors in O(N·d) memory; the others need all pairwise distances.
_VECTOR_METHODS = frozenset({"ward", "single"})

#: Above this many rows, the pairwise-distance linkages (complete, average) are refused: sample first.
MAX_PAIRWISE_ROWS: int = 20_000


def _linkage_trees(values: np.ndarray, methods: Sequence[str]) -> dict[str, np.ndarray]:
    """Linkage matrix of validated ``values`` for each method (Ward and single in O(N·d) memory, others O(N²)).

    Raises
    ------
    DataError
        An unknown method, or too many rows for a pairwise linkage.
    """
    unknown = [m for m in methods if m not in LINKAGE_METHODS]
    if unknown:
        raise DataError(f"unknown linkage method(s) {unknown}; use some of {list(LINKAGE_METHODS)}.")
    if len(values) > MAX_PAIRWISE_ROWS and set(methods) - _VECTOR_METHODS:
        raise DataError(
            f"{len(values):,} customers is too many for complete/average linkage (they need all "
            f"{len(values) * (len(values) - 1) // 2:,} pairwise distances); take sample_rows(X, size=5000) first."
        )
    return {m: _tree(values, m) for m in methods}


def _tree(values: np.ndarray, method: str) -> np.ndarray:
    """One linkage matrix; Ward and single linkage from the vectors, without the N² distance matrix."""
    if method in _VECTOR_METHODS:  # pragma: no mutate (linkage() gives the same tree; this only saves memory)
        return fastcluster.linkage_vector(values, method=method)
    return fastcluster.linkage(values, method=method)


def sample_rows(X: pd.DataFrame | np.ndarray, *, size: int, random_state: int | None = None):
    """A uniform random sample of ``size`` rows (all rows if there are fewer), in their original order.

    Examples
    --------
    >>> sample_rows(pd.DataFrame({"a": range(10)}), size=3, random_state=0).index.tolist()
    [5, 6, 9]
    """
    n = len(X)
    if size < 2:
        raise DataError(f"sample size={size} must be at least 2 customers.")
    rows = np.sort(np.random.default_rng(random_state).choice(n, size=min(size, n), replace=False))
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else np.asarray(X)[rows]


@dataclass(frozen=True)
class LinkageComparison:
    """Result of :func:`compare_linkages`.

    Attributes
    ----------
    table : DataFrame
        Indexed by ``method``: ``cophenetic_corr``, ``within_ss_share``, ``largest_share``,
        ``smallest_size`` and ``sizes`` (see :func:`compare_linkages`).
    trees : dict
        Method -> SciPy linkage matrix.
    labels : dict
        Method -> cluster of every customer when its tree is cut into ``n_clusters``
        (numbered in order of the clusters' first customer).
    n_clusters : int
        Where every tree was cut.
    n_customers : int
        Customers compared (the rows of ``X``).
    """

    table: pd.DataFrame
    trees: dict[str, np.ndarray] = field(repr=False)
    labels: dict[str, np.ndarray] = field(repr=False)
    n_clusters: int
    n_customers: int


def compare_linkages(
    X: pd.DataFrame | np.ndarray, *, n_clusters: int, methods: Sequence[str] = LINKAGE_METHODS
) -> LinkageComparison:
    """Trees of ``X`` by several linkages: how well each fits the distances, and the segments of its cut.

    Parameters
    ----------
    X : DataFrame or array of shape (n, d)
        Standardised features, at most :data:`MAX_PAIRWISE_ROWS` rows when complete or average linkage is
        asked for (take a :func:`sample_rows` first).
    n_clusters : int
        Where to cut every tree.
    methods : sequence of str
        Any of ``"ward"``, ``"complete"``, ``"average"``, ``"single"``.

    Returns
    -------
    LinkageComparison
        Its ``table`` is indexed by ``method`` with
        ``cophenetic_corr`` (correlation between the customers' distances and the heights at which the
        tree first joins them: how faithfully the tree represents the distances),
        ``within_ss_share`` (within-cluster sum of squares / total at the cut; lower = more compact),
        ``largest_share`` (share of customers in the largest cluster), ``smallest_size`` (customers in the
        smallest cluster) and ``sizes`` (all cluster sizes, largest first).

    Raises
    ------
    DataError
        Invalid features, fewer customers than ``n_clusters``, an unknown method, or too many rows for a
        pairwise linkage.
    """
    values = _as_frame(X, n_clusters=n_clusters).to_numpy()
    trees = _linkage_trees(values, methods)
    distances = pdist(values)
    total_ss = ((values - values.mean(axis=0)) ** 2).sum()
    rows, labels_by_method = [], {}
    for method, Z in trees.items():
        labels, _ = cut_linkage(Z, n_clusters=n_clusters)
        labels_by_method[method] = labels
        means, counts = _group_means(labels, values)
        between = ((means - values.mean(axis=0)) ** 2 * counts[:, None]).sum()
        sizes = np.sort(counts.astype(int))[::-1]
        rows.append(
            {
                "method": method,
                "cophenetic_corr": float(cophenet(Z, distances)[0]),
                "within_ss_share": float(1 - between / total_ss),
                "largest_share": float(sizes[0] / len(values)),
                "smallest_size": int(sizes[-1]),
                "sizes": " / ".join(f"{s:,}" for s in sizes),
            }
        )
    return LinkageComparison(table=pd.DataFrame(rows).set_index("method"), trees=trees, labels=labels_by_method,
                             n_clusters=n_clusters, n_customers=len(values))


def agreement(
    labels_a: Sequence[int] | np.ndarray,
    labels_b: Sequence[int] | np.ndarray,
    *,
    names: tuple[str, str] = ("k-means", "Ward"),
) -> tuple[pd.DataFrame, float]:
    """Cross-tabulation of two segmentations of the same customers and their adjusted Rand index.

    The adjusted Rand index (ARI) is 1 when the two agree on every pair of customers (same segment or
    not) whatever the segment numbers, about 0 for unrelated labellings.

    Examples
    --------
    >>> table, ari = agreement([0, 0, 1, 1], [1, 1, 0, 0])
    >>> table.to_numpy().tolist(), ari
    ([[0, 2], [2, 0]], 1.0)
    """
    a, b = np.asarray(labels_a), np.asarray(labels_b)
    if a.shape != b.shape or a.ndim != 1:
        raise DataError(
            f"the two segmentations have {a.shape} and {b.shape} labels; pass one label per customer, same customers."
        )
    table = pd.crosstab(pd.Series(a, name=names[0]), pd.Series(b, name=names[1]))
    return table, float(adjusted_rand_score(a, b))


@dataclass(frozen=True)
class TwoStageCheck:
    """Result of :func:`two_stage_check`: two adjusted Rand indices and what they were computed on.

    Attributes
    ----------
    two_stage_vs_exact : float
        ARI of the two-stage path against exact Ward.
    exact_vs_jittered : float
        ARI of exact Ward against exact Ward on jittered features (Ward's own sensitivity).
    n_customers : int
        Customers the check ran on.
    n_micro : int
        Micro-clusters of the two-stage path.
    jitter : float
        Standard deviation of the noise (standardised units).
    """

    two_stage_vs_exact: float
    exact_vs_jittered: float
    n_customers: int
    n_micro: int
    jitter: float


def two_stage_check(
    X: pd.DataFrame | np.ndarray,
    *,
    n_clusters: int,
    n_micro: int = 1_000,
    jitter: float = 0.01,
    random_state: int | None = None,
    max_customers: int = 100_000,
    exact: WardClustering | None = None,
) -> TwoStageCheck:
    """How close two-stage Ward comes to exact Ward on ``X``, against exact Ward's own sensitivity.

    Two adjusted Rand indices (ARI) on the same customers, cut into ``n_clusters``:

    - ``two-stage vs exact``: the two-stage path (``n_micro`` micro-clusters) against exact Ward;
    - ``exact vs exact, jittered``: exact Ward against exact Ward after adding Gaussian noise of standard
      deviation ``jitter`` (standardised units) to every feature.

    Ward's merges are greedy and final, so on data without well-separated groups the second number can be
    far below 1 too; the approximation costs little when the first is about as high as the second.

    Parameters
    ----------
    X : DataFrame or array
        Standardised features; at most ``max_customers`` rows (exact Ward takes O(N²) time; pass a
        :func:`sample_rows` of larger data).
    n_clusters : int
        Where to cut.
    n_micro : int
        Micro-clusters of the two-stage path.
    jitter : float
        Standard deviation of the noise, > 0.
    random_state : int, optional
        Seed of the micro-clustering and of the noise.
    max_customers : int
        Refuse larger ``X``.
    exact : WardClustering, optional
        Exact Ward already fitted on this ``X`` (e.g. the model being checked, whatever its ``order_by``: the
        ARI ignores segment numbers), reused instead of being fitted again.

    Returns
    -------
    TwoStageCheck

    Raises
    ------
    DataError
        Invalid features, ``jitter <= 0``, more than ``max_customers`` rows, or an ``exact`` model that is not
        exact Ward on as many customers with ``n_clusters`` segments.
    """
    frame = _as_frame(X, n_clusters=n_clusters)
    if len(frame) > max_customers:
        raise DataError(
            f"{len(frame):,} customers is too many for an exact-Ward reference (max_customers = {max_customers:,}); "
            "pass sample_rows(X, size=20_000)."
        )
    if not jitter > 0:
        raise DataError(f"jitter={jitter} must be a positive standard deviation, e.g. 0.01.")
    exact = _exact_reference(exact, frame, n_clusters)
    values = frame.to_numpy()  # validated (float, finite) once, above: the refits below trust it
    two_stage = WardClustering(
        n_clusters=n_clusters, n_micro=n_micro, random_state=random_state,
        max_exact=0,  # pragma: no mutate (max_exact=1 is two-stage too)
    )._fit(values)
    noise = np.random.default_rng(random_state).normal(scale=jitter, size=frame.shape)
    jittered = _exact_ward(values + noise, n_clusters)
    return TwoStageCheck(
        two_stage_vs_exact=float(adjusted_rand_score(exact.labels_, two_stage.labels_)),
        exact_vs_jittered=float(adjusted_rand_score(exact.labels_, jittered.labels_)),
        n_customers=len(frame), n_micro=n_micro, jitter=jitter,
    )


def _exact_reference(exact: WardClustering | None, frame: pd.DataFrame, n_clusters: int) -> WardClustering:
    """``exact`` when it is exact Ward fitted on ``frame`` with ``n_clusters`` segments, or exact Ward fitted here."""
    if exact is None:
        return _exact_ward(frame.to_numpy(), n_clusters)
    if not (exact.method_ == "exact" and exact.n_customers_ == len(frame) and exact.n_clusters_ == n_clusters
            and exact.n_features_in_ == frame.shape[1]):
        raise DataError(
            f"exact must be exact Ward fitted on these {len(frame):,} customers with {n_clusters} segments, got "
            f"{exact.method_} Ward on {exact.n_customers_:,} customers with {exact.n_clusters_}; "
            "leave exact=None to fit it here."
        )
    return exact


def _exact_ward(values: np.ndarray, n_clusters: int) -> WardClustering:
    """Exact Ward fitted on validated ``values``, however many rows they have."""
    model = WardClustering(n_clusters=n_clusters,
                           max_exact=len(values))  # pragma: no mutate (any max_exact >= the rows is exact)
    return model._fit(values)
