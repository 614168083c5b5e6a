"""Hierarchical (agglomerative) segmentation: Ward and its rivals, from a few hundred to a million customers.

Agglomerative clustering starts with every customer alone and repeatedly merges the two closest
clusters; the *linkage* says what "closest" means. Ward merges the pair whose union increases the
within-cluster sum of squares least,

    Δ(A, B) = n_A · n_B / (n_A + n_B) × ‖c_A − c_B‖²      (c = centroid, n = size),

the same objective as k-means, which is why it gives compact segments of comparable size. Merge
heights follow SciPy's convention, ``height = √(2 Δ)`` (the Euclidean distance for two customers).

Two paths, chosen by :class:`WardClustering` from the number of customers:

- **exact**: ``fastcluster.linkage_vector`` builds Ward's full tree in O(N·d) memory (SciPy's
  ``linkage`` needs the N(N−1)/2 distance matrix: 10 GB at 50,000 customers, 40 GB at 100,000);
- **two-stage**: above ``max_exact`` customers, MiniBatchKMeans makes ``n_micro`` micro-clusters,
  :func:`_weighted_ward_linkage` merges their centroids with their sizes as weights (Δ above is exact for
  clusters of any size, so this *is* Ward restricted to unions of micro-clusters), and every customer
  takes the segment of its micro-cluster.

The comparison of Ward with complete, average and single linkage is in :mod:`segkit.cluster.compare`.

Examples
--------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [5.0, 7.0]])
>>> model = WardClustering(n_clusters=2).fit(X)
>>> model.labels_.tolist(), model.method_
([1, 1, 0, 0, 0], 'exact')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import fastcluster
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import MiniBatchKMeans
from sklearn.utils.validation import check_is_fitted

from segkit.cluster.kmeans import _check_order_by, _order_labels
from segkit.cluster.preprocess import validate_features
from segkit.cluster.text import _ward_method_reason
from segkit.errors import DataError

__all__ = [
    "MicroClusters",
    "WardClustering",
    "cut_linkage",
    "merge_gaps",
]


def _as_frame(X: pd.DataFrame | np.ndarray, *, n_clusters: int | None = None) -> pd.DataFrame:
    """Validate features (numeric, finite, no constant column, enough customers) as a float DataFrame."""
    if not isinstance(X, pd.DataFrame):
        arr = np.asarray(X)
        if arr.ndim != 2:
            raise DataError(
                f"features must be a 2-D table (customers × features), got an array of shape {arr.shape}; "
                "reshape it, e.g. X.reshape(-1, 1) for a single feature."
            )
        X = pd.DataFrame(arr, columns=[f"x{j}" for j in range(arr.shape[1])])
    min_rows = max(2, n_clusters or 0)
    if len(X) < min_rows and n_clusters and len(X) >= 2:
        raise DataError(
            f"n_clusters={n_clusters} but the feature matrix has only {len(X)} customers; "
            f"ask for at most {len(X)} clusters or pass more customers."
        )
    return validate_features(X, min_rows=min_rows, what="feature matrix")


def _weighted_ward_linkage(points: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Ward linkage of weighted points (cluster centroids with their sizes), in SciPy's format.

    Point ``i`` stands for ``weights[i]`` customers sitting at ``points[i]``; merging clusters A and B
    costs ``Δ = n_A n_B / (n_A + n_B) ‖c_A − c_B‖²`` with ``n`` the summed weights. With unit weights
    this is ordinary Ward (heights equal ``scipy.cluster.hierarchy.linkage(points, "ward")``).
    Nearest-neighbour-chain algorithm: O(m²·d) time, O(m·d) memory for m points.

    Parameters
    ----------
    points : array of shape (m, d)
        Centroids (e.g. of micro-clusters).
    weights : array of shape (m,), optional
        Positive sizes; ``None`` means 1 each.

    Returns
    -------
    ndarray of shape (m − 1, 4)
        Linkage matrix: merged ids, height ``√(2 Δ)``, number of *points* (not weights) below, as SciPy
        requires; rows sorted by height.

    Raises
    ------
    DataError
        Fewer than 2 points, non-finite values, or weights that are not positive.

    Examples
    --------
    >>> Z = _weighted_ward_linkage(np.array([[0.0], [1.0], [10.0]]), np.array([1.0, 1.0, 2.0]))
    >>> Z[:, :2].tolist(), Z[:, 2].round(3).tolist()  # 13.435 = √(2 × 2·2/(2+2) × 9.5²)
    ([[0.0, 1.0], [2.0, 3.0]], [1.0, 13.435])
    """
    centers = np.array(points, dtype=float, ndmin=2)
    m = len(centers)
    sizes = np.ones(m) if weights is None else np.array(weights, dtype=float).ravel()
    if m < 2 or not np.isfinite(centers).all():
        raise DataError(f"weighted Ward needs at least 2 finite points, got {m}; check the micro-cluster centroids.")
    if sizes.shape != (m,) or not (np.isfinite(sizes).all() and (sizes > 0).all()):
        raise DataError(
            f"weights must be {m} positive numbers (one per point); drop empty micro-clusters before linking."
        )
    merges = _nn_chain(centers, sizes)
    return _to_scipy_linkage(merges, m)


def _nn_chain(centers: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Raw merges ``(slot_a, slot_b, height)`` in discovery order; a merged cluster lives in slot ``b > a``."""
    m = len(centers)
    active = np.ones(m, dtype=bool)
    slot_height = np.zeros(m)
    merges = np.empty((m - 1, 3))
    chain: list[int] = []
    for step in range(m - 1):
        while True:
            if not chain:
                chain.append(int(np.argmax(active)))
            a = chain[-1]
            diff = centers - centers[a]
            cost = sizes[a] * sizes / (sizes[a] + sizes) * (diff * diff).sum(axis=1)
            cost[~active] = np.inf
            cost[a] = np.inf
            b = int(np.argmin(cost))
            if len(chain) > 1 and cost[chain[-2]] <= cost[b]:
                b = chain[-2]  # ties go back down the chain, so it cannot cycle
                break
            chain.append(b)
        del chain[-2:]
        # Ward is reducible (a merge never lies below its children); max() only guards rounding
        height = max(np.sqrt(2.0 * cost[b]), slot_height[a], slot_height[b])  # pragma: no mutate (see above)
        a, b = min(a, b), max(a, b)
        merges[step] = a, b, height
        total = sizes[a] + sizes[b]
        centers[b] = (sizes[a] * centers[a] + sizes[b] * centers[b]) / total
        sizes[b], slot_height[b], active[a] = total, height, False
    return merges


def _to_scipy_linkage(merges: np.ndarray, m: int) -> np.ndarray:
    """Sort raw slot merges by height and relabel them with SciPy's node ids (union-find over merges)."""
    merges = merges[np.argsort(merges[:, 2], kind="stable")]
    node_of_slot = np.arange(m)
    n_leaves = np.ones(2 * m - 1)
    Z = np.empty((m - 1, 4))
    for i, (a, b, height) in enumerate(merges):  # one pass over the m − 1 merges, not over customers
        x, y = sorted((node_of_slot[int(a)], node_of_slot[int(b)]))
        n_leaves[m + i] = n_leaves[x] + n_leaves[y]
        Z[i] = x, y, height, n_leaves[m + i]
        node_of_slot[int(b)] = m + i
    return Z


def merge_gaps(Z: np.ndarray, *, k_range: tuple[int, int] = (2, 10)) -> pd.DataFrame:
    """For each k in ``k_range``: the heights around a cut into k clusters and the gap between them.

    Cutting into k clusters undoes the last k − 1 merges. ``last_merge`` is the height of the merge
    that made the k-th cluster count (the highest merge kept), ``next_merge`` the height at which two of
    the k clusters would be merged (the lowest merge undone); ``gap = next_merge − last_merge``. A large
    gap means the k clusters stay apart over a wide range of heights. k = 1 undoes no merge, so it has
    no gap and no row; nor has a k of one cluster per leaf or more.

    Returns
    -------
    DataFrame indexed by ``k`` with ``last_merge``, ``next_merge`` and ``gap``.

    Raises
    ------
    DataError
        ``k_range`` is not (low, high) with 1 <= low <= high.

    Examples
    --------
    >>> Z = _weighted_ward_linkage(np.array([[0.0], [0.1], [5.0], [5.1], [20.0]]))
    >>> merge_gaps(Z, k_range=(2, 4)).round(2)
       last_merge  next_merge    gap
    k                               
    2        7.07       22.07  15.00
    3        0.10        7.07   6.97
    4        0.10        0.10   0.00
    """
    lo, hi = (int(v) for v in k_range)
    if lo < 1 or hi < lo:
        raise DataError(f"k_range={tuple(k_range)} must be (low, high) with 1 <= low <= high, e.g. (2, 10).")
    n_leaves = len(Z) + 1
    ks = np.arange(max(lo, 2), min(hi, n_leaves - 1) + 1)
    heights = Z[:, 2]
    table = pd.DataFrame(
        {"last_merge": heights[n_leaves - ks - 1], "next_merge": heights[n_leaves - ks]},
        index=pd.Index(ks, name="k"),
    )
    table["gap"] = table["next_merge"] - table["last_merge"]
    return table


def _largest_gap_k(Z: np.ndarray, *, k_range: tuple[int, int] = (2, 10)) -> int:
    """Number of clusters whose cut sits in the largest gap between merge heights (:func:`merge_gaps`).

    Ties go to the smaller k; a tree too small for ``k_range`` gets as many clusters as it can short
    of one per customer (which would be no segmentation, and which k-means refuses).

    Examples
    --------
    >>> Z = _weighted_ward_linkage(np.array([[0.0], [0.1], [5.0], [5.1], [20.0]]))
    >>> _largest_gap_k(Z, k_range=(2, 4)), _largest_gap_k(Z, k_range=(3, 4))
    (2, 3)
    """
    gaps = merge_gaps(Z, k_range=k_range)
    if gaps.empty:  # fewer customers than k_range asks for: the most clusters short of one per customer
        return max(min(int(k_range[0]), len(Z)), 1)  # pragma: no mutate (k_range[1] gives the same here)
    return int(gaps["gap"].idxmax())


def cut_linkage(Z: np.ndarray, *, n_clusters: int) -> tuple[np.ndarray, float]:
    """Cluster of every leaf when the tree is cut into exactly ``n_clusters`` (ties in height included).

    Returns
    -------
    labels : ndarray of int, shape (n_leaves,)
        0 .. n_clusters − 1, numbered in order of the clusters' first leaf.
    cut_height : float
        A height that separates the kept merges from the undone ones (midway between them); draw the
        cut line there.

    Examples
    --------
    >>> Z = _weighted_ward_linkage(np.array([[0.0], [0.1], [5.0], [5.1], [20.0]]))
    >>> labels, height = cut_linkage(Z, n_clusters=3)
    >>> labels.tolist(), round(height, 2)
    ([0, 0, 1, 1, 2], 3.59)
    """
    n_leaves = len(Z) + 1
    if not 1 <= n_clusters <= n_leaves:
        raise DataError(f"n_clusters={n_clusters} must be between 1 and the {n_leaves} leaves of the tree.")
    n_kept = n_leaves - n_clusters
    parent = np.arange(2 * n_leaves - 1)
    kept = Z[:n_kept, :2].astype(np.intp)
    parent[kept[:, 0]] = n_leaves + np.arange(n_kept)
    parent[kept[:, 1]] = n_leaves + np.arange(n_kept)
    while True:  # pointer jumping: O(log depth) vectorised rounds
        grand = parent[parent]
        if np.array_equal(grand, parent):
            break
        parent = grand
    _, labels = np.unique(parent[:n_leaves], return_inverse=True)
    _, first = np.unique(labels, return_index=True)
    labels = np.argsort(np.argsort(first))[labels]
    low = Z[n_kept - 1, 2] if n_kept > 0 else 0.0
    high = Z[n_kept, 2] if n_kept < len(Z) else low
    return labels, float((low + high) / 2) if n_kept < len(Z) else float(low)


@dataclass(frozen=True)
class MicroClusters:
    """Micro-clusters of the two-stage path: each customer's micro-cluster, their centroids and sizes."""

    labels: np.ndarray
    centers: np.ndarray
    sizes: np.ndarray


def _micro_clusters(X: np.ndarray, *, n_micro: int, random_state: int | None = None) -> MicroClusters:
    """Many small k-means clusters (MiniBatchKMeans), summarised by their exact centroids and sizes.

    Centroids are recomputed as the exact means of the customers assigned at the end, and empty
    clusters are dropped, so Ward on (centroid, size) pairs is exact for unions of micro-clusters.
    With ``n_micro >= len(X)`` every customer is its own micro-cluster (no k-means).

    Parameters
    ----------
    X : array of shape (n, d)
        Validated, standardised features.
    n_micro : int
        Number of micro-clusters asked for (a few may come back empty and be dropped).
    random_state : int, optional
        Seed of MiniBatchKMeans.
    """
    X = np.asarray(X, dtype=float)
    n = len(X)
    if n_micro >= n:
        return MicroClusters(np.arange(n), X.copy(), np.ones(n))
    km = MiniBatchKMeans(
        n_clusters=n_micro,
        batch_size=max(4096, 4 * n_micro),
        init_size=min(n, 3 * n_micro + 1000),
        n_init=1,
        random_state=random_state,
    ).fit(X)
    _, labels = np.unique(km.labels_, return_inverse=True)  # drops empty micro-clusters
    centers, sizes = _group_means(labels, X)
    return MicroClusters(labels, centers, sizes)


def _group_means(labels: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean row of ``values`` per label 0 .. k − 1 (labels all present) and the group sizes, by bincount."""
    sizes = np.bincount(labels).astype(float)
    sums = np.column_stack([np.bincount(labels, weights=values[:, j]) for j in range(values.shape[1])])
    return sums / sizes[:, None], sizes


class WardClustering(ClusterMixin, BaseEstimator):
    """Ward segmentation that scales: exact up to ``max_exact`` customers, two-stage above.

    Parameters
    ----------
    n_clusters : int or None
        Number of segments; ``None`` cuts the tree in the largest gap between merge heights
        (:func:`_largest_gap_k`) with k in ``k_range``.
    k_range : (int, int)
        Smallest and largest k the largest-gap rule may choose.
    max_exact : int
        Largest number of customers clustered by exact Ward (``fastcluster.linkage_vector``, memory
        O(N·d); time O(N²): 8–18 s and under 0.3 GB at 50,000 customers in benchmarks/bench_hierarchy.py).
        Above it, the two-stage path (10–30 s and under 0.5 GB at 1,000,000 customers).
    n_micro : int
        Micro-clusters of the two-stage path (500–2,000 is plenty for a handful of segments).
    random_state : int or None
        Seed of the micro-clustering (the exact path has no randomness).

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_customers,)
        Segment of each customer: 0 = the segment with the largest total ``order_by`` (e.g. revenue) or,
        without ``order_by``, the largest segment; ties by size, then by the earliest customer.
    n_clusters_ : int
        Number of segments (chosen by the gap rule when ``n_clusters`` is None).
    method_ : str
        ``"exact"`` or ``"two-stage"``.
    method_reason_ : str
        One sentence saying which path ran and why (for reports).
    linkage_ : ndarray
        SciPy linkage matrix of the tree: over customers (exact) or micro-clusters (two-stage).
    leaf_weights_ : ndarray
        Customers behind each leaf of ``linkage_`` (all 1 on the exact path).
    leaf_labels_ : ndarray of int
        Segment of each leaf of ``linkage_``.
    cut_height_ : float
        Height of the cut in ``linkage_`` (for the dendrogram's cut line).
    merge_gaps_ : DataFrame
        :func:`merge_gaps` of ``linkage_`` for every k in ``k_range``: the evidence of the largest-gap rule.
    micro_labels_ : ndarray of int or None
        Micro-cluster of each customer (two-stage path only).
    n_customers_ : int
    feature_names_in_ : ndarray of str
    """

    def __init__(
        self,
        *,
        n_clusters: int | None = None,
        k_range: tuple[int, int] = (2, 10),
        max_exact: int = 60_000,
        n_micro: int = 1_000,
        random_state: int | None = None,
    ):
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.max_exact = max_exact
        self.n_micro = n_micro
        self.random_state = random_state

    def fit(self, X: pd.DataFrame | np.ndarray, y=None, *, order_by: Sequence[float] | None = None) -> WardClustering:
        """Build the Ward tree of ``X`` (standardised features, one row per customer) and cut it.

        Parameters
        ----------
        X : DataFrame or array, shape (n_customers, n_features)
            Standardised features (e.g. from :func:`segkit.cluster.make_preprocessor`).
        y : ignored
        order_by : array-like, optional
            One value per customer (e.g. revenue); segment 0 has the largest total.

        Raises
        ------
        DataError
            Bad features (missing, infinite or non-numeric values, a constant column, fewer customers than
            ``n_clusters`` or than 2) or bad hyper-parameters; the message says what to change.
        """
        self._check_params()  # before the data: a bad hyper-parameter is named first
        frame = _as_frame(X, n_clusters=self.n_clusters)
        return self._fit(frame.to_numpy(), columns=frame.columns, order_by=order_by)  # validated: float

    def _fit(self, values: np.ndarray, *, columns: Sequence[str] | None = None,
             order_by: Sequence[float] | None = None) -> WardClustering:
        """:meth:`fit` without input validation: ``values`` is a finite float matrix checked by the caller."""
        self._check_params()
        values = np.ascontiguousarray(values)
        n = len(values)
        weights_by = _check_order_by(order_by, n)
        Z, weights, micro = self._tree(values)
        k = self.n_clusters or _largest_gap_k(Z, k_range=self.k_range)
        self.linkage_, self.leaf_weights_ = Z, weights
        self.merge_gaps_ = merge_gaps(Z, k_range=self.k_range)
        self.micro_labels_ = None if micro is None else micro.labels
        self.labels_, self.leaf_labels_, self.cut_height_ = self._cut(k, weights_by)
        self.n_clusters_, self.n_customers_ = int(k), n
        if columns is not None:
            self.feature_names_in_ = np.asarray(columns, dtype=object)
        self.n_features_in_ = values.shape[1]
        return self

    def _cut(self, k: int, order_by: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, float]:
        """Customer labels, leaf labels (both in :func:`segkit.cluster.kmeans._order_labels` order) and cut height."""
        leaf_raw, height = cut_linkage(self.linkage_, n_clusters=k)
        raw = leaf_raw if self.micro_labels_ is None else leaf_raw[self.micro_labels_]
        rank = _order_labels(raw, order_by, tiebreak="first")
        return rank[raw], rank[leaf_raw], height

    def cut_labels(self, n_clusters: int, *, order_by: Sequence[float] | None = None) -> np.ndarray:
        """Segments of every customer when the fitted tree is cut into ``n_clusters`` instead.

        The tree does not depend on the number of segments, so this gives the labels of a refit with
        ``n_clusters`` (same data, same ``random_state``) without rebuilding the tree.

        Parameters
        ----------
        n_clusters : int
            Number of segments, between 1 and the number of leaves of :attr:`linkage_`.
        order_by : array-like, optional
            One value per customer (e.g. revenue); segment 0 has the largest total.

        Returns
        -------
        ndarray of int, shape (n_customers,)

        Examples
        --------
        >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [5.0, 7.0]])
        >>> WardClustering(n_clusters=2).fit(X).cut_labels(3).tolist()
        [0, 0, 2, 1, 1]
        """
        check_is_fitted(self)
        return self._cut(n_clusters, _check_order_by(order_by, self.n_customers_))[0]

    def _tree(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, MicroClusters | None]:
        """Ward tree (exact or over micro-clusters), its leaf weights and the micro-clusters; sets method_."""
        n = len(values)
        if n <= self.max_exact:
            self.method_ = "exact"
            self.method_reason_ = _ward_method_reason(n_customers=n, max_exact=self.max_exact)
            return fastcluster.linkage_vector(values, method="ward"), np.ones(n), None
        micro = _micro_clusters(values, n_micro=self.n_micro, random_state=self.random_state)
        self.method_ = "two-stage"
        self.method_reason_ = _ward_method_reason(n_customers=n, max_exact=self.max_exact, n_micro=self.n_micro,
                                                 n_micro_made=len(micro.sizes))
        return _weighted_ward_linkage(micro.centers, micro.sizes), micro.sizes, micro

    def fit_predict(self, X, y=None, *, order_by: Sequence[float] | None = None) -> np.ndarray:
        """Fit and return :attr:`labels_`."""
        return self.fit(X, order_by=order_by).labels_

    def _check_params(self) -> None:
        k = self.n_clusters
        if k is not None and (not isinstance(k, (int, np.integer)) or k < 1):
            raise DataError(f"n_clusters={k!r} must be a positive integer, or None to choose k by the largest gap.")
        if not isinstance(self.max_exact, (int, np.integer)) or self.max_exact < 0:
            raise DataError(f"max_exact={self.max_exact!r} must be a non-negative integer (e.g. 60_000).")
        if not isinstance(self.n_micro, (int, np.integer)) or self.n_micro < 2:
            raise DataError(f"n_micro={self.n_micro!r} must be an integer >= 2 (500 to 2,000 is typical).")
        top = k if k is not None else self.k_range[1]
        if self.n_micro <= top:
            raise DataError(
                f"n_micro={self.n_micro} must exceed the number of segments ({top}); use n_micro >= 20 × segments."
            )

    def segment_sizes(self) -> pd.DataFrame:
        """Customers per segment (``customers``, ``share``), indexed by ``segment``."""
        check_is_fitted(self)
        counts = np.bincount(self.labels_)  # every segment has a customer: the cut makes exactly k
        return pd.DataFrame(
            {"customers": counts, "share": counts / counts.sum()},
            index=pd.RangeIndex(self.n_clusters_, name="segment"),
        )
