"""k-means with a stable label order: :class:`SegmentKMeans` and the label-ordering rule.

Full (Lloyd) KMeans by default, MiniBatchKMeans on request; labels are ordered by :func:`_order_labels`
(cluster revenue, largest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.utils.validation import check_is_fitted

from segkit.cluster.preprocess import validate_features
from segkit.errors import DataError

__all__ = [
    "Method",
    "SegmentKMeans",
]

Method = Literal["auto", "kmeans", "minibatch"]

#: ``"auto"`` is full (Lloyd) KMeans. benchmarks/bench_kmeans.py measured MiniBatchKMeans on 1M customers:
#: it was not faster there and its partitions differed from full KMeans' by more than two full-KMeans
#: seeds differ (with higher inertia). What makes the k sweep fast on a million customers is sampling
#: the O(n²) silhouette and the gap statistic's reference fits. ``method="minibatch"`` stays available.


def _as_matrix(X: pd.DataFrame | np.ndarray, *, min_rows: int, what: str = "feature matrix") -> np.ndarray:
    """Validated float matrix; DataError for too few rows, NaN/inf, constant columns."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
    return validate_features(frame, min_rows=min_rows, what=what).to_numpy(dtype=float)


def _check_k(n_clusters: int, X: np.ndarray, *, what: str = "n_clusters") -> None:
    if int(n_clusters) != n_clusters or n_clusters < 2:
        raise DataError(f"{what}={n_clusters} must be an integer >= 2 (one cluster is no segmentation).")
    n = X.shape[0]
    if n_clusters >= n:
        raise DataError(
            f"{what}={n_clusters} needs more customers than clusters, but there are only {n} customers; "
            f"ask for at most {max(n - 1, 1)} clusters or use more data."
        )
    n_distinct = len(np.unique(X, axis=0)) if n <= 200_000 else n
    if n_distinct < n_clusters:
        raise DataError(
            f"{what}={n_clusters} but the customers have only {n_distinct} distinct feature rows; "
            f"ask for at most {n_distinct} clusters or add features that tell customers apart."
        )


def _resolve_method(method: Method) -> str:
    if method not in ("auto", "kmeans", "minibatch"):
        raise DataError(f"method={method!r} is unknown; use 'auto', 'kmeans' or 'minibatch'.")
    return "kmeans" if method == "auto" else method


def _kmeans(k: int, *, method: str, n_init: int, random_state: int, max_iter: int = 300, batch_size: int = 4096):
    if method == "minibatch":
        return MiniBatchKMeans(
            n_clusters=k,
            n_init=n_init,
            max_iter=max_iter,
            batch_size=batch_size,
            random_state=random_state,
            max_no_improvement=20,
            reassignment_ratio=0.01,
        )
    return KMeans(n_clusters=k, n_init=n_init, max_iter=max_iter, random_state=random_state)


def _inertia(X: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> float:
    return float(((X - centers[labels]) ** 2).sum())


def _check_order_by(order_by: Sequence[float] | None, n: int) -> np.ndarray | None:
    """``order_by`` as a float array of one finite value per customer (None passes through).

    The boundary check shared by :class:`SegmentKMeans` and :class:`segkit.cluster.WardClustering`.

    Raises
    ------
    DataError
        Wrong length or a missing/infinite value; the message says what to pass.
    """
    if order_by is None:
        return None
    values = np.asarray(order_by, dtype=float)
    if values.shape != (n,) or not np.isfinite(values).all():
        raise DataError(
            f"order_by must hold one finite number per customer ({n:,}), got shape {values.shape}; "
            "pass e.g. customers['revenue'] aligned with the features."
        )
    return values


def _order_labels(
    labels: Sequence[int] | np.ndarray,
    order_by: Sequence[float] | np.ndarray | None = None,
    *,
    tiebreak: Literal["first"] | np.ndarray = "first",
    n_labels: int | None = None,
) -> np.ndarray:
    """New number of each raw cluster label, by a stable rule shared by every segkit clustering.

    Rule: the cluster with the largest total ``order_by`` (e.g. revenue) becomes 0, then 1, 2, ...;
    without ``order_by`` the largest cluster comes first. Ties go to the larger cluster, then to
    ``tiebreak``: ``"first"`` puts first the cluster whose first customer comes first; an array with one
    row per raw label (e.g. k-means centroids) compares the rows lexicographically, smallest first.

    Parameters
    ----------
    labels : array-like of int
        Raw labels 0 .. n_labels − 1, one per customer.
    order_by : array-like of float, optional
        One value per customer (validated by the caller, see :func:`_check_order_by`).
    tiebreak : "first" or array of shape (n_labels,) or (n_labels, d)
        The last tie-breaker (see above).
    n_labels : int, optional
        Number of raw labels (some may be empty); default: rows of ``tiebreak``, else ``max(labels) + 1``.

    Returns
    -------
    ndarray of int, shape (n_labels,)
        ``mapping[raw]`` is the ordered label of raw label ``raw``; apply it as ``mapping[labels]``.

    Examples
    --------
    >>> _order_labels([0, 1, 1, 2, 2, 2]).tolist()  # by size
    [2, 1, 0]
    >>> _order_labels([0, 1, 1, 2, 2, 2], [10.0, 1.0, 1.0, 1.0, 1.0, 1.0]).tolist()  # by total
    [0, 2, 1]
    >>> _order_labels([0, 1], tiebreak=np.array([[5.0], [1.0]])).tolist()  # tie: smaller centroid first
    [1, 0]
    """
    labels = np.asarray(labels, dtype=np.intp)
    use_rows = not (isinstance(tiebreak, str) and tiebreak == "first")
    if n_labels is None:
        n_labels = len(tiebreak) if use_rows else int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=n_labels).astype(float)
    totals = np.bincount(labels, weights=order_by, minlength=n_labels) if order_by is not None else sizes
    if use_rows:
        rows = np.asarray(tiebreak, dtype=float).reshape(n_labels, -1)
        keys = [rows[:, j] for j in range(rows.shape[1] - 1, -1, -1)]
    else:
        first = np.full(n_labels, labels.size)
        present, index = np.unique(labels, return_index=True)
        first[present] = index
        keys = [first]
    order = np.lexsort([*keys, -sizes, -totals])
    mapping = np.empty(n_labels, dtype=int)
    mapping[order] = np.arange(n_labels)
    return mapping


class SegmentKMeans(ClusterMixin, BaseEstimator):
    """k-means with a stable label order and an automatic switch to MiniBatchKMeans on large data.

    Parameters
    ----------
    n_clusters : int
        Number of clusters (>= 2; choose it with :func:`choose_k`).
    n_init : int
        Number of k-means++ initialisations; the best (lowest inertia) run is kept.
    max_iter : int
        Maximum Lloyd (or mini-batch) iterations per run.
    method : {"auto", "kmeans", "minibatch"}
        ``"auto"`` is full KMeans (MiniBatchKMeans measured no faster on 1M customers).
    batch_size : int
        Mini-batch size for MiniBatchKMeans.
    random_state : int
        Seed of every random step.

    Attributes
    ----------
    labels_ : ndarray of int
        Cluster of each customer, 0 = the cluster with the largest total ``order_by`` (e.g.
        revenue; by size when ``order_by`` is not given), then 1, 2, ...
    cluster_centers_ : ndarray, shape (n_clusters, n_features)
        Centroids in label order, in the units of ``X``.
    inertia_ : float
        Sum of squared distances of customers to their centroid (on all of ``X``).
    n_iter_ : int
        Iterations of the kept run.
    method_ : str
        ``"kmeans"`` or ``"minibatch"``, what ``"auto"`` resolved to.
    estimator_ : KMeans or MiniBatchKMeans
        The fitted scikit-learn model (raw, unordered labels).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((5, 2)), np.ones((3, 2)) * 10] + np.arange(8)[:, None] * 0.01
    >>> model = SegmentKMeans(2, random_state=0).fit(X)
    >>> model.labels_.tolist()
    [0, 0, 0, 0, 0, 1, 1, 1]
    >>> model.fit(X, order_by=np.r_[np.ones(5), np.full(3, 10.0)]).labels_.tolist()
    [1, 1, 1, 1, 1, 0, 0, 0]
    """

    def __init__(
        self,
        n_clusters: int = 4,
        *,
        n_init: int = 10,
        max_iter: int = 300,
        method: Method = "auto",
        batch_size: int = 4096,
        random_state: int = 0,
    ):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.method = method
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X: pd.DataFrame | np.ndarray, y=None, *, order_by: Sequence[float] | None = None) -> SegmentKMeans:
        """Fit k-means on ``X`` (preprocessed features) and order the labels.

        Parameters
        ----------
        X : DataFrame or array, shape (n_customers, n_features)
        y : ignored
        order_by : array-like, optional
            One value per customer (e.g. revenue); label 0 goes to the cluster with the largest total.

        Raises
        ------
        DataError
            Fewer customers (or distinct rows) than clusters, missing/infinite values, constant columns.
        """
        columns = X.columns if isinstance(X, pd.DataFrame) else None
        return self._fit(_as_matrix(X, min_rows=2), order_by=order_by, columns=columns)

    def _fit(self, arr: np.ndarray, *, order_by: Sequence[float] | None = None, columns=None) -> SegmentKMeans:
        """:meth:`fit` without input validation: ``arr`` is a finite float matrix checked by the caller."""
        _check_k(self.n_clusters, arr)
        weights = _check_order_by(order_by, arr.shape[0])
        self.method_ = _resolve_method(self.method)
        est = _kmeans(self.n_clusters, method=self.method_, n_init=self.n_init, random_state=self.random_state,
                      max_iter=self.max_iter, batch_size=self.batch_size)
        raw = est.fit_predict(arr)
        self.mapping_ = _order_labels(raw, weights, tiebreak=est.cluster_centers_)
        self.estimator_ = est
        self.labels_ = self.mapping_[raw]
        self.cluster_centers_ = est.cluster_centers_[np.argsort(self.mapping_)]
        self.inertia_ = _inertia(arr, self.cluster_centers_, self.labels_)
        self.n_iter_ = int(est.n_iter_)
        self.n_features_in_ = arr.shape[1]
        if columns is not None:
            self.feature_names_in_ = np.asarray(columns, dtype=object)
        return self

    def predict(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Ordered label of the nearest centroid for each row of ``X``."""
        check_is_fitted(self)
        arr = np.asarray(X, dtype=float)  # pragma: no mutate (scikit-learn converts other dtypes alike)
        if arr.ndim != 2 or arr.shape[1] != self.n_features_in_:
            raise DataError(f"X has shape {arr.shape}; expected {self.n_features_in_} feature columns as in fit.")
        return self.mapping_[self.estimator_.predict(arr)]

    def fit_predict(self, X, y=None, *, order_by: Sequence[float] | None = None) -> np.ndarray:
        """Fit and return :attr:`labels_`."""
        return self.fit(X, order_by=order_by).labels_
