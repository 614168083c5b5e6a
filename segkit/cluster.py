"""k-means segmentation: choose k with evidence, check stability, fit, profile and name the clusters.

The workflow on a preprocessed feature matrix ``Z`` (see :mod:`segkit.features`):

1. :func:`choose_k` fits k-means for every k in a range and puts five criteria side by side
   (elbow of the inertia with its knee found by :func:`find_knee`, sampled silhouette,
   Calinski-Harabasz, Davies-Bouldin and the gap statistic); each names a best k and the k named
   most often wins (:data:`DECISION_RULE`).
2. :func:`stability` refits on subsamples and compares the partitions by adjusted Rand index.
3. :class:`SegmentKMeans` fits the chosen k with labels ordered by a stable rule (cluster revenue,
   largest first); full (Lloyd) KMeans by default, MiniBatchKMeans on request (see
   :data:`MINIBATCH_THRESHOLD` for why "auto" does not switch).
4. :func:`cluster_profile`, :func:`standardised_means`, :func:`relative_importance`,
   :func:`name_clusters` and :func:`closest_segment` turn labels into something a stakeholder reads.

PCA helpers for the same features are at the end (:func:`principal_components`,
:func:`describe_components`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import PercentFormatter
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.utils.validation import check_is_fitted

from segkit.data import check_customer_table
from segkit.errors import DataError
from segkit.features import FeatureSet, feature_label, prepare_features, validate_features
from segkit.plots import DIVERGING_CMAP, PALETTE, palette

__all__ = [
    "DECISION_RULE",
    "MINIBATCH_THRESHOLD",
    "MIN_CUSTOMERS_TO_SEGMENT",
    "feasible_k_range",
    "Method",
    "SegmentKMeans",
    "check_order_by",
    "order_labels",
    "KSelection",
    "find_knee",
    "gap_statistic",
    "choose_k",
    "stability",
    "cluster_profile",
    "standardised_means",
    "relative_importance",
    "name_clusters",
    "closest_segment",
    "cluster_summary",
    "cluster_names",
    "KMeansSegmentation",
    "kmeans_segmentation",
    "SEGMENT_ACTIONS",
    "segment_actions",
    "components_for_variance",
    "component_agreement",
    "most_correlated_pair",
    "pca_advice",
    "PCAResult",
    "principal_components",
    "communalities",
    "describe_components",
    "plot_k_metric",
    "plot_stability",
    "plot_snake",
    "plot_importance",
    "plot_scree",
    "plot_loadings",
    "plot_biplot",
    "plot_pc_scatter",
]

Method = Literal["auto", "kmeans", "minibatch"]

#: From this many customers ``method="auto"`` would use MiniBatchKMeans; None = never.
#: benchmarks/bench_kmeans.py measured it on 1M customers: scikit-learn's MiniBatchKMeans was not
#: faster than full (Lloyd) KMeans there and its partitions differed from full KMeans' by more than
#: two full-KMeans seeds differ (and had higher inertia), so it *does* lose something measurable and
#: "auto" keeps full KMeans. What makes the k sweep fast on a million customers is sampling the
#: O(n²) silhouette and the gap statistic's reference fits. ``method="minibatch"`` stays available.
MINIBATCH_THRESHOLD: int | None = None

#: How :func:`choose_k` decides, in words (shown in the notebook).
DECISION_RULE: str = (
    "Each of five criteria names a best k: the elbow (the knee of the inertia curve, found with "
    "Kneedle), the highest silhouette, the highest Calinski-Harabasz index, the lowest "
    "Davies-Bouldin index, and the gap statistic (the smallest k with gap(k) >= gap(k+1) - s(k+1), "
    "Tibshirani's one-standard-error rule). When stability results are given, only the k whose "
    "partitions are stable under subsampling (mean adjusted Rand index between refits >= 0.8) are "
    "candidates, and the elbow abstains if its knee is not one of them. The chosen k is the one named "
    "most often; a tie goes to the tied k with the highest silhouette."
)

_CRITERIA: dict[str, str] = {
    "elbow": "elbow (Kneedle knee of inertia)",
    "silhouette": "silhouette (max)",
    "calinski_harabasz": "Calinski-Harabasz (max)",
    "davies_bouldin": "Davies-Bouldin (min)",
    "gap": "gap statistic (1-SE rule)",
}


# --------------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------------


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


def _check_k_range(k_range: Sequence[int], X: np.ndarray) -> list[int]:
    ks = sorted({int(k) for k in k_range})
    if len(ks) < 2:
        raise DataError(f"k_range={list(k_range)} must hold at least two values of k (e.g. range(2, 9)).")
    if ks[0] < 2:
        raise DataError(f"k_range starts at {ks[0]}; start it at 2 or more (e.g. range(2, 9)).")
    if ks[-1] >= X.shape[0]:
        raise DataError(
            f"k_range goes up to {ks[-1]} but there are only {X.shape[0]} customers; "
            f"end it below {X.shape[0]} or use more data."
        )
    _check_k(ks[-1], X, what="largest k in k_range")
    return ks


#: Fewest customers (with distinct features) for which two numbers of clusters can be compared.
MIN_CUSTOMERS_TO_SEGMENT: int = 4


def feasible_k_range(k_range: Sequence[int], X: pd.DataFrame | np.ndarray) -> tuple[list[int], str]:
    """The k of ``k_range`` the data can support, and a sentence when that is not all of them.

    A k needs more customers than clusters and at least k distinct feature rows. A small customer
    base shortens the range from above; when fewer than two k would remain, the range is extended
    down to 2, so that there is still a choice to make.

    Returns
    -------
    (list of int, str)
        The k to try and a note for the report ("" when ``k_range`` is kept as given).

    Raises
    ------
    DataError
        Fewer than :data:`MIN_CUSTOMERS_TO_SEGMENT` customers with distinct features, or a bad ``k_range``.

    Examples
    --------
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> feasible_k_range(range(3, 9), X)[0]
    [3, 4, 5]
    """
    ks = sorted({int(k) for k in k_range})
    if not ks or ks[0] < 2:
        raise DataError(f"k_range={list(k_range)} must hold values of k from 2 up (e.g. range(2, 9)).")
    arr = np.asarray(X, dtype=float)
    n = arr.shape[0]
    n_distinct = len(np.unique(arr, axis=0)) if n <= 200_000 else n
    top = min(n - 1, n_distinct)
    if top < 3:
        raise DataError(
            f"there are only {n} customers ({n_distinct} with distinct features): segmenting needs at least "
            f"{MIN_CUSTOMERS_TO_SEGMENT} customers with distinct features, to compare at least two numbers of "
            "clusters. Use more data (a longer period, or all channels)."
        )
    if ks[-1] <= top:
        return ks, ""
    kept = [k for k in ks if k <= top]
    if len(kept) < 2:
        kept = list(range(max(2, top - 1), top + 1))
    note = (f" k was tried from {kept[0]} to {kept[-1]} instead of {ks[0]} to {ks[-1]}: the data have only {n} "
            f"customers ({n_distinct} with distinct features), and a segment needs more than one customer.")
    return kept, note.strip()


def _resolve_method(method: Method, n: int) -> str:
    if method not in ("auto", "kmeans", "minibatch"):
        raise DataError(f"method={method!r} is unknown; use 'auto', 'kmeans' or 'minibatch'.")
    if method == "auto":
        return "minibatch" if MINIBATCH_THRESHOLD is not None and n >= MINIBATCH_THRESHOLD else "kmeans"
    return method


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


# --------------------------------------------------------------------------------------------------
# the estimator
# --------------------------------------------------------------------------------------------------


def check_order_by(order_by: Sequence[float] | None, n: int) -> np.ndarray | None:
    """``order_by`` as a float array of one finite value per customer (None passes through).

    The boundary check shared by :class:`SegmentKMeans` and :class:`segkit.hierarchy.WardClustering`.

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


def order_labels(
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
        One value per customer (validated by the caller, see :func:`check_order_by`).
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
    >>> order_labels([0, 1, 1, 2, 2, 2]).tolist()  # by size
    [2, 1, 0]
    >>> order_labels([0, 1, 1, 2, 2, 2], [10.0, 1.0, 1.0, 1.0, 1.0, 1.0]).tolist()  # by total
    [0, 2, 1]
    >>> order_labels([0, 1], tiebreak=np.array([[5.0], [1.0]])).tolist()  # tie: smaller centroid first
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
        ``"auto"`` uses MiniBatchKMeans from :data:`MINIBATCH_THRESHOLD` customers on (never, by default).
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
        arr = _as_matrix(X, min_rows=2)
        _check_k(self.n_clusters, arr)
        weights = check_order_by(order_by, arr.shape[0])
        self.method_ = _resolve_method(self.method, arr.shape[0])
        est = _kmeans(self.n_clusters, method=self.method_, n_init=self.n_init, random_state=self.random_state,
                      max_iter=self.max_iter, batch_size=self.batch_size)
        raw = est.fit_predict(arr)
        self.mapping_ = order_labels(raw, weights, tiebreak=est.cluster_centers_)
        self.estimator_ = est
        self.labels_ = self.mapping_[raw]
        self.cluster_centers_ = est.cluster_centers_[np.argsort(self.mapping_)]
        self.inertia_ = _inertia(arr, self.cluster_centers_, self.labels_)
        self.n_iter_ = int(est.n_iter_)
        self.n_features_in_ = arr.shape[1]
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def predict(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Ordered label of the nearest centroid for each row of ``X``."""
        check_is_fitted(self)
        arr = X.to_numpy(dtype=float) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != self.n_features_in_:
            raise DataError(f"X has shape {arr.shape}; expected {self.n_features_in_} feature columns as in fit.")
        return self.mapping_[self.estimator_.predict(arr)]

    def fit_predict(self, X, y=None, *, order_by: Sequence[float] | None = None) -> np.ndarray:
        """Fit and return :attr:`labels_`."""
        return self.fit(X, order_by=order_by).labels_


# --------------------------------------------------------------------------------------------------
# choosing k
# --------------------------------------------------------------------------------------------------


def find_knee(x: Sequence[float], y: Sequence[float], *, sensitivity: float = 1.0) -> float | None:
    """Knee of a decreasing convex curve (e.g. inertia against k) with the Kneedle algorithm.

    Kneedle (Satopää et al. 2011): scale x and y to [0, 1], take the difference curve
    d = (1 - x_n) - y_n (how far the curve lies below the straight line joining its ends), and
    declare a knee at a local maximum of d if d then falls below ``d_max - sensitivity × mean(Δx_n)``
    before the next local maximum. The first such knee is returned.

    Parameters
    ----------
    x, y : sequences of float
        Increasing x and the curve values (at least 3 points).
    sensitivity : float
        Kneedle's S: larger is more conservative.

    Returns
    -------
    float or None
        The x of the knee; None when the curve has no knee (e.g. a straight line).

    Examples
    --------
    >>> find_knee([1, 2, 3, 4, 5, 6], [100, 40, 20, 15, 12, 10])
    3
    >>> find_knee([1, 2, 3, 4], [4, 3, 2, 1]) is None
    True
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.size < 3 or np.any(np.diff(xs) <= 0):
        raise DataError("find_knee needs at least 3 points with strictly increasing x and one y per x.")
    if np.ptp(ys) == 0:
        return None
    xn = (xs - xs.min()) / np.ptp(xs)
    yn = (ys - ys.min()) / np.ptp(ys)
    diff = (1.0 - xn) - yn
    step = np.mean(np.diff(xn))
    maxima = [i for i in range(1, len(diff) - 1) if diff[i] >= diff[i - 1] and diff[i] > diff[i + 1]]
    for pos, i in enumerate(maxima):
        if diff[i] <= 0:
            continue
        threshold = diff[i] - sensitivity * step
        stop = maxima[pos + 1] if pos + 1 < len(maxima) else len(diff)
        if np.any(diff[i + 1 : stop + 1 if stop < len(diff) else None] < threshold):
            value = xs[i]
            return int(value) if float(value).is_integer() else float(value)
    return None


def _reference_box(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """PCA-aligned bounding box of X (Tibshirani's reference option b)."""
    mean = X.mean(axis=0)
    _, _, vt = np.linalg.svd(X - mean, full_matrices=False)
    rotated = (X - mean) @ vt.T
    return mean, vt, rotated.min(axis=0), rotated.max(axis=0)


def gap_statistic(
    X: pd.DataFrame | np.ndarray,
    *,
    k_range: Sequence[int] = range(2, 9),
    n_references: int = 5,
    sample_size: int = 5000,
    n_init: int = 3,
    method: Method = "auto",
    random_state: int = 0,
) -> pd.DataFrame:
    """Gap statistic (Tibshirani, Walther & Hastie 2001) for each k.

    gap(k) = mean_b log W*_kb − log W_k, where W_k is the within-cluster sum of squares of the data
    and W*_kb that of reference data drawn uniformly in the data's principal-component bounding box;
    s(k) = sd_b(log W*_kb) × √(1 + 1/B). On more than ``sample_size`` customers both are computed on
    a seeded random sample of that size (the statistic compares like with like, so this keeps it
    cheap on a million customers).

    Returns
    -------
    DataFrame
        Indexed by ``k``: ``gap``, ``gap_se``, ``log_w``, ``log_w_ref``.
    """
    arr = _as_matrix(X, min_rows=3)
    ks = _check_k_range(k_range, arr)
    if n_references < 2:
        raise DataError(f"n_references={n_references} must be >= 2 to estimate the gap's standard error.")
    rng = np.random.default_rng(random_state)
    if arr.shape[0] > sample_size:
        arr = arr[np.sort(rng.choice(arr.shape[0], sample_size, replace=False))]
    mean, vt, lo, hi = _reference_box(arr)
    refs = [rng.uniform(lo, hi, size=(arr.shape[0], arr.shape[1])) @ vt + mean for _ in range(n_references)]
    algo = _resolve_method(method, arr.shape[0])
    rows = []
    for k in ks:
        log_w = np.log(_kmeans(k, method=algo, n_init=n_init, random_state=random_state).fit(arr).inertia_)
        fits = [_kmeans(k, method=algo, n_init=n_init, random_state=random_state).fit(r) for r in refs]
        log_ref = np.log([fit.inertia_ for fit in fits])
        rows.append(
            {"k": k, "gap": log_ref.mean() - log_w, "gap_se": log_ref.std() * np.sqrt(1 + 1 / n_references),
             "log_w": log_w, "log_w_ref": log_ref.mean()}
        )
    return pd.DataFrame(rows).set_index("k")


def _gap_choice(gap: pd.DataFrame, candidates: Sequence[int] | None = None) -> int:
    """Smallest candidate k with gap(k) >= gap(k+1) - s(k+1); the largest gap when none qualifies."""
    ks = gap.index.to_numpy()
    cands = set(ks.tolist()) if candidates is None else {int(c) for c in candidates}
    for k, k_next in zip(ks[:-1], ks[1:], strict=True):
        if k in cands and gap.at[k, "gap"] >= gap.at[k_next, "gap"] - gap.at[k_next, "gap_se"]:
            return int(k)
    return int(gap.loc[sorted(cands), "gap"].idxmax())


@dataclass
class KSelection:
    """Result of :func:`choose_k`.

    Attributes
    ----------
    table : DataFrame
        One row per k: ``inertia``, ``silhouette``, ``calinski_harabasz``, ``davies_bouldin``,
        ``gap``, ``gap_se``.
    votes : DataFrame
        One row per criterion: the k it names (``best_k``).
    chosen_k : int
        The k named most often (ties: highest silhouette).
    knee_k : int or None
        The Kneedle knee of the inertia curve.
    labels : dict
        Ordered labels of the fit for each k (by size; refit with ``order_by`` for the final model).
    """

    table: pd.DataFrame
    votes: pd.DataFrame
    chosen_k: int
    knee_k: int | None
    labels: dict[int, np.ndarray] = field(repr=False)
    rule: str = DECISION_RULE

    def reason(self) -> str:
        """Why ``chosen_k``: which criteria named it and what the others preferred."""
        named = self.votes.index[self.votes["best_k"] == self.chosen_k].map(_CRITERIA.get).tolist()
        others = self.votes.loc[self.votes["best_k"] != self.chosen_k, "best_k"]
        text = f"k = {self.chosen_k} is named by {len(named)} of {len(self.votes)} criteria ({', '.join(named)})"
        if not self.table["candidate"].all():
            stable = ", ".join(str(k) for k in self.table.index[self.table["candidate"]])
            text = f"Among the candidate k ({stable}), {text}"
        if len(others):
            text += "; the others prefer " + ", ".join(f"k = {int(k)} ({_CRITERIA[c]})" for c, k in others.items())
        text += "."
        if self.knee_k is None:
            text += " The elbow abstains: the inertia curve has no knee."
        elif "elbow" not in self.votes.index:
            text += f" The elbow abstains: its knee, k = {self.knee_k}, is not a candidate."
        return text


def choose_k(
    X: pd.DataFrame | np.ndarray,
    *,
    k_range: Sequence[int] = range(2, 9),
    n_init: int = 4,
    method: Method = "auto",
    silhouette_sample: int = 5000,
    gap_references: int = 5,
    gap_sample: int = 5000,
    candidates: Sequence[int] | None = None,
    random_state: int = 0,
) -> KSelection:
    """Fit k-means for every k in ``k_range`` and choose k by the vote in :data:`DECISION_RULE`.

    Parameters
    ----------
    X : DataFrame or array
        Preprocessed features (see :func:`segkit.features.make_preprocessor`).
    k_range : sequence of int
        Candidate numbers of clusters (>= 2, below the number of customers).
    n_init : int
        k-means++ initialisations per k.
    method : {"auto", "kmeans", "minibatch"}
        k-means variant; ``"auto"`` uses MiniBatchKMeans from :data:`MINIBATCH_THRESHOLD` customers
        (never, by default).
    silhouette_sample : int
        Silhouette on a seeded random sample of at most this many customers (it costs O(n²)).
    gap_references : int
        B, the number of reference data sets of the gap statistic.
    gap_sample : int
        Sample size for the gap statistic (see :func:`gap_statistic`).
    candidates : sequence of int, optional
        Restrict the vote to these k (e.g. the stable ones, ``stab.index[stab["stable"]]`` from
        :func:`stability`); every criterion then names its best k among them (the elbow abstains when
        its knee is not a candidate). All of ``k_range`` when None or empty.
    random_state : int
        Seed of every random step.

    Returns
    -------
    KSelection

    Raises
    ------
    DataError
        Bad ``k_range`` for the data, too few customers, missing values, constant columns.
    """
    arr = _as_matrix(X, min_rows=3)
    ks = _check_k_range(k_range, arr)
    algo = _resolve_method(method, arr.shape[0])
    rows, labels = [], {}
    for k in ks:
        model = SegmentKMeans(k, n_init=n_init, method=algo, random_state=random_state).fit(arr)
        labels[k] = model.labels_
        rows.append(
            {
                "k": k,
                "inertia": model.inertia_,
                "silhouette": silhouette_score(
                    arr, model.labels_, sample_size=min(silhouette_sample, arr.shape[0]), random_state=random_state
                ),
                "calinski_harabasz": calinski_harabasz_score(arr, model.labels_),
                "davies_bouldin": davies_bouldin_score(arr, model.labels_),
            }
        )
    table = pd.DataFrame(rows).set_index("k")
    gap = gap_statistic(arr, k_range=ks, n_references=gap_references, sample_size=gap_sample, n_init=n_init,
                        method=method, random_state=random_state)
    table = table.join(gap[["gap", "gap_se"]])
    knee = find_knee(table.index, table["inertia"])
    votes = _vote(table, gap, knee, _candidates(candidates, ks))
    counts = votes["best_k"].value_counts()
    tied = counts.index[counts == counts.max()]
    chosen = int(table.loc[tied, "silhouette"].idxmax())
    table["candidate"] = table.index.isin(_candidates(candidates, ks))
    return KSelection(table=table, votes=votes, chosen_k=chosen, knee_k=knee, labels=labels)


def _candidates(candidates: Sequence[int] | None, ks: list[int]) -> list[int]:
    if candidates is None or len(candidates) == 0:
        return ks
    chosen = [k for k in ks if k in {int(c) for c in candidates}]
    if not chosen:
        raise DataError(f"candidates {list(candidates)} are not in k_range {ks}; pass k values from k_range.")
    return chosen


def _vote(table: pd.DataFrame, gap: pd.DataFrame, knee: int | None, cands: list[int]) -> pd.DataFrame:
    sub = table.loc[cands]
    best = {
        "elbow": knee if knee in cands else None,
        "silhouette": int(sub["silhouette"].idxmax()),
        "calinski_harabasz": int(sub["calinski_harabasz"].idxmax()),
        "davies_bouldin": int(sub["davies_bouldin"].idxmin()),
        "gap": _gap_choice(gap, cands),
    }
    votes = pd.DataFrame({"best_k": pd.Series(best, dtype="Int64")})
    votes.index.name = "criterion"
    votes["criterion_label"] = votes.index.map(_CRITERIA.get)
    votes = votes.dropna(subset=["best_k"])
    return votes.astype({"best_k": int})


def stability(
    X: pd.DataFrame | np.ndarray,
    *,
    k_range: Sequence[int] = range(2, 9),
    n_refits: int = 8,
    sample_fraction: float = 0.8,
    n_init: int = 4,
    method: Method = "auto",
    threshold: float = 0.8,
    random_state: int = 0,
) -> pd.DataFrame:
    """Subsample stability of k-means for each k, by adjusted Rand index (ARI).

    For each k, k-means is refitted ``n_refits`` times, each on a seeded random ``sample_fraction``
    of the customers with its own seed; every refit then labels all customers (nearest centroid) and
    the partitions are compared pairwise with the ARI (1 = identical, 0 = chance agreement). A k
    whose clusters are real structure gives nearly the same partition every time.

    Parameters
    ----------
    X : DataFrame or array
        Preprocessed features.
    k_range : sequence of int
        The k to check.
    n_refits : int
        Refits per k (>= 2); the ARI is averaged over the n_refits × (n_refits − 1) / 2 pairs.
    sample_fraction : float
        Share of customers drawn (without replacement) for each refit.
    n_init : int
        k-means++ starts per refit, so that bad local optima do not pass for instability.
    method : {"auto", "kmeans", "minibatch"}
        k-means variant.
    threshold : float
        Mean ARI from which a k is called stable.
    random_state : int
        Seed of the subsamples and of the refits.

    Returns
    -------
    DataFrame
        Indexed by ``k``: ``ari_mean``, ``ari_min``, ``ari_sd`` over the refit pairs and ``stable``
        (``ari_mean >= threshold``; 0.8 is a common cut, cf. Hennig 2007's 0.75-0.85 for Jaccard).
    """
    arr = _as_matrix(X, min_rows=3)
    ks = _check_k_range(k_range, arr)
    if n_refits < 2 or not 0.1 <= sample_fraction <= 1.0:
        raise DataError(
            f"stability needs n_refits >= 2 (got {n_refits}) and 0.1 <= sample_fraction <= 1 (got {sample_fraction})."
        )
    n = arr.shape[0]
    size = max(int(round(sample_fraction * n)), ks[-1] + 1)
    algo = _resolve_method(method, n)
    rng = np.random.default_rng(random_state)
    samples = [np.sort(rng.choice(n, size, replace=False)) for _ in range(n_refits)]
    seeds = rng.integers(0, 2**31 - 1, size=n_refits)
    pairs = [(a, b) for a in range(n_refits) for b in range(a + 1, n_refits)]
    rows = []
    for k in ks:
        parts = [
            _kmeans(k, method=algo, n_init=n_init, random_state=int(s)).fit(arr[idx]).predict(arr)
            for idx, s in zip(samples, seeds, strict=True)
        ]
        aris = np.array([adjusted_rand_score(parts[a], parts[b]) for a, b in pairs])
        rows.append({"k": k, "ari_mean": aris.mean(), "ari_min": aris.min(), "ari_sd": aris.std()})
    table = pd.DataFrame(rows).set_index("k")
    table["stable"] = table["ari_mean"] >= threshold
    return table


# --------------------------------------------------------------------------------------------------
# profiles and names
# --------------------------------------------------------------------------------------------------


def _labels_series(labels: Sequence[int], index: pd.Index) -> pd.Series:
    lab = pd.Series(np.asarray(labels), index=index, name="cluster")
    if len(lab) != len(index):
        raise DataError(f"labels has {len(lab)} entries but the features have {len(index)} rows; align them.")
    return lab


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
    until the names differ; as a last resort a rank by label is appended.

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
    dup = names.duplicated(keep=False)
    if dup.any():
        rank = names[dup].groupby(names[dup]).cumcount() + 1
        names[dup] = names[dup] + " (" + rank.astype(str) + ")"
    return names.rename("cluster_name")


def cluster_names(features: pd.DataFrame, labels: Sequence[int], scaled: pd.DataFrame) -> pd.Series:
    """Name of each cluster (:func:`name_clusters`) from its standardised means and, when ``features`` has
    ``n_orders``, the "one-off" trait of clusters whose median customer ordered once.

    Parameters
    ----------
    features : DataFrame
        Raw features, one row per customer.
    labels : array-like
        Cluster of each customer.
    scaled : DataFrame
        The preprocessed features the clusters were fitted on.

    Returns
    -------
    Series
        ``cluster_name`` per cluster label.

    Examples
    --------
    >>> f = pd.DataFrame({"n_orders": [1.0, 1.0, 9.0, 7.0], "revenue": [5.0, 6.0, 90.0, 80.0]})
    >>> cluster_names(f, [1, 1, 0, 0], (f - f.mean()) / f.std()).tolist()
    ['frequent high spenders', 'one-off buyers']
    """
    one_off = (features["n_orders"].groupby(np.asarray(labels)).median() <= 1) if "n_orders" in features else None
    return name_clusters(standardised_means(scaled, labels), one_off=one_off)


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
    seg = pd.Series(np.asarray(segments.astype(str)), name="segment")
    lab = pd.Series(np.asarray(labels), name="cluster")
    if len(seg) != len(lab):
        raise DataError(f"labels ({len(lab)}) and segments ({len(seg)}) must have one entry per customer; align them.")
    table = pd.crosstab(lab, seg, normalize="index")
    table = table.reindex(sorted(table.columns), axis=1)
    return pd.DataFrame({"segment": table.idxmax(axis=1), "segment_share": table.max(axis=1)})


# --------------------------------------------------------------------------------------------------
# PCA
# --------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------
# plots (axes-level)
# --------------------------------------------------------------------------------------------------

def _colors(n: int) -> list:
    """The Okabe-Ito palette up to eight groups; beyond, evenly spaced hues (distinct, not CVD-safe)."""
    return palette(n) if n <= len(PALETTE) else sns.color_palette("husl", n)


def _group_order(hue: pd.Series) -> list[str]:
    """Categories in their declared order for categorical ``hue`` (e.g. segments by revenue), else sorted."""
    if isinstance(hue.dtype, pd.CategoricalDtype):
        present = set(hue.astype(str))
        return [str(c) for c in hue.cat.categories if str(c) in present]
    return sorted(hue.astype(str).unique())


_METRIC_LABELS = {
    "inertia": "inertia (within-cluster sum of squares)",
    "silhouette": "silhouette (higher is better)",
    "calinski_harabasz": "Calinski-Harabasz (higher is better)",
    "davies_bouldin": "Davies-Bouldin (lower is better)",
    "gap": "gap statistic (± s.e.)",
}


def plot_k_metric(
    table: pd.DataFrame,
    metric: str,
    *,
    chosen_k: int | None = None,
    best_k: int | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """One criterion of :func:`choose_k` against k, marking the chosen k and the criterion's own best."""
    ax = ax or plt.gca()
    ax.plot(table.index, table[metric], marker="o", color=PALETTE[0])
    if metric == "gap":
        ax.errorbar(table.index, table["gap"], yerr=table["gap_se"], fmt="none", ecolor=PALETTE[0], capsize=3)
    if best_k is not None:
        ax.plot([best_k], [table.at[best_k, metric]], marker="o", markersize=12, mfc="none", color=PALETTE[1],
                label=f"best by this criterion (k = {best_k})")
    if chosen_k is not None:
        ax.axvline(chosen_k, color=PALETTE[5], linestyle="--", linewidth=1, label=f"chosen k = {chosen_k}")
    ax.set_xlabel("number of clusters k")
    ax.set_ylabel(_METRIC_LABELS.get(metric, metric))
    ax.set_title(_METRIC_LABELS.get(metric, metric).split(" (")[0])
    ax.set_xticks(list(table.index))
    ax.legend(fontsize=8)
    return ax


def plot_stability(table: pd.DataFrame, *, threshold: float = 0.8, ax: plt.Axes | None = None) -> plt.Axes:
    """Mean pairwise ARI of the subsample refits per k (bars), with the minimum and the threshold."""
    ax = ax or plt.gca()
    colors = [PALETTE[2] if s else PALETTE[5] for s in table["stable"]]
    ax.bar(table.index, table["ari_mean"], color=colors)
    ax.scatter(table.index, table["ari_min"], color="black", marker="_", s=200, label="lowest pair", zorder=3)
    ax.axhline(threshold, color="grey", linestyle="--", linewidth=1, label=f"stable from ARI {threshold}")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(list(table.index))
    ax.set_xlabel("number of clusters k")
    ax.set_ylabel("adjusted Rand index between refits")
    ax.set_title("Stability of k-means on subsamples")
    ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_snake(means: pd.DataFrame, *, names: pd.Series | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Snake plot: the standardised mean of every feature, one line per cluster."""
    ax = ax or plt.gca()
    colors = _colors(len(means))
    for (label, row), color in zip(means.iterrows(), colors, strict=True):
        name = names[label] if names is not None else f"cluster {label}"
        ax.plot(range(len(row)), row.to_numpy(), marker="o", color=color, label=name)
    ax.axhline(0, color="grey", linewidth=1)
    ax.set_xticks(range(means.shape[1]), [feature_label(c) for c in means.columns], rotation=30, ha="right")
    ax.set_ylabel("mean of standardised feature (SD units)")
    ax.set_title("Snake plot of cluster profiles")
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    return ax


def plot_importance(rel: pd.DataFrame, *, names: pd.Series | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of :func:`relative_importance` (cluster mean / population mean − 1)."""
    ax = ax or plt.gca()
    data = rel.copy()
    data.index = [names[i] for i in rel.index] if names is not None else [f"cluster {i}" for i in rel.index]
    data.columns = [feature_label(c) for c in rel.columns]
    limit = float(np.nanmax(np.abs(data.to_numpy()))) or 1.0
    with warnings.catch_warnings():  # seaborn 0.13 + matplotlib 3.11: set_bad deprecation notice
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        sns.heatmap(data, annot=True, fmt="+.0%", cmap=DIVERGING_CMAP, center=0, vmin=-limit, vmax=limit, ax=ax,
                    cbar_kws={"label": "cluster mean / population mean − 1", "format": PercentFormatter(1.0)})
    ax.set_title("Relative importance of features per cluster")
    ax.tick_params(axis="x", rotation=30)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    return ax


def plot_scree(explained: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Scree plot: variance explained per component (bars) and cumulative (line)."""
    ax = ax or plt.gca()
    x = np.arange(1, len(explained) + 1)
    ax.bar(x, explained["explained_variance_ratio"] * 100, color=PALETTE[0], label="per component")
    ax.plot(x, explained["cumulative"] * 100, marker="o", color=PALETTE[1], label="cumulative")
    ax.axhline(80, color="grey", linestyle="--", linewidth=1, label="80 %")
    ax.set_xticks(x, list(explained.index))
    ax.set_xlabel("principal component")
    ax.set_ylabel("variance explained (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Scree plot")
    ax.legend(fontsize=8, loc="center right")
    return ax


def plot_loadings(loadings: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of the component weights (features × components)."""
    ax = ax or plt.gca()
    data = loadings.copy()
    data.index = [feature_label(c) for c in loadings.index]
    with warnings.catch_warnings():  # seaborn 0.13 + matplotlib 3.11: set_bad deprecation notice
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        sns.heatmap(data, annot=True, fmt="+.2f", cmap=DIVERGING_CMAP, center=0, vmin=-1, vmax=1, ax=ax,
                    cbar_kws={"label": "weight in component"})
    ax.set_title("PCA loadings")
    ax.set_xlabel("principal component")
    return ax


def plot_pc_scatter(
    scores: pd.DataFrame,
    *,
    hue: pd.Series | None = None,
    max_points: int = 3000,
    random_state: int = 0,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Customers in the PC1-PC2 plane, coloured by ``hue`` (a seeded sample of ``max_points``)."""
    ax = ax or plt.gca()
    data = scores[["PC1", "PC2"]].copy()
    if hue is not None:
        data["group"] = np.asarray(hue.astype(str))
    if len(data) > max_points:
        data = data.sample(max_points, random_state=random_state)
    order = _group_order(hue) if hue is not None else None
    sns.scatterplot(data=data, x="PC1", y="PC2", hue="group" if hue is not None else None, hue_order=order,
                    palette=_colors(len(order)) if order else None, s=10, alpha=0.6, linewidth=0, ax=ax)
    ax.set_xlabel("PC1 score (SD units)")
    ax.set_ylabel("PC2 score (SD units)")
    if hue is not None:
        ax.legend(fontsize=8, markerscale=2, bbox_to_anchor=(1.01, 1), loc="upper left", title=hue.name)
    return ax


def plot_biplot(
    result: PCAResult,
    *,
    hue: pd.Series | None = None,
    n_arrows: int = 8,
    max_points: int = 3000,
    random_state: int = 0,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Biplot: customers in PC1-PC2 with an arrow for each feature's weights (the longest ``n_arrows``)."""
    ax = plot_pc_scatter(result.scores, hue=hue, max_points=max_points, random_state=random_state, ax=ax)
    w = result.loadings[["PC1", "PC2"]]
    longest = (w**2).sum(axis=1).sort_values(ascending=False, kind="stable").index[:n_arrows]
    spread = float(np.abs(result.scores[["PC1", "PC2"]]).quantile(0.95).min())
    scale = 0.8 * spread / float(np.abs(w.loc[longest]).max().max())
    for feature in longest:
        x, y = w.loc[feature] * scale
        ax.annotate("", xy=(x, y), xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.2})
        ax.text(x * 1.08, y * 1.08, feature_label(feature), fontsize=8, ha="center", va="center",
                bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1})
    ax.set_title("Biplot: customers and feature directions")
    return ax



def cluster_summary(
    features: pd.DataFrame,
    labels: Sequence[int],
    scaled: pd.DataFrame,
    *,
    segments: pd.Series | None = None,
    revenue: str = "revenue",
) -> pd.DataFrame:
    """One row per cluster for stakeholders: name, size, revenue share, closest segment, mean features.

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

    Returns
    -------
    DataFrame
        Indexed by cluster: ``cluster_name``, ``n_customers``, ``customer_share``, ``revenue_share``,
        [``closest_segment``, ``closest_segment_share``], ``mean_<feature>``.
    """
    profile = cluster_profile(features, labels, revenue=revenue)
    names = cluster_names(features, labels, scaled)
    out = profile.drop(columns="revenue")
    out.insert(0, "cluster_name", names)
    if segments is not None:
        closest = closest_segment(labels, segments)
        out.insert(4, "closest_segment", closest["segment"])
        out.insert(5, "closest_segment_share", closest["segment_share"])
    return out


# --------------------------------------------------------------------------------------------------
# the whole k-means workflow, and rule-based actions
# --------------------------------------------------------------------------------------------------


@dataclass
class KMeansSegmentation:
    """Result of :func:`kmeans_segmentation`.

    Attributes
    ----------
    features : DataFrame
        Raw features (:func:`segkit.features.customer_features`).
    scaled : DataFrame
        Preprocessed features the clusters are fitted on.
    preprocessor : Pipeline
        The fitted preprocessing pipeline.
    stability : DataFrame
        :func:`stability` table for every k tried.
    selection : KSelection
        :func:`choose_k` result among the stable k.
    k : int
        Number of clusters used: ``n_clusters`` if given, else ``selection.chosen_k``.
    model : SegmentKMeans
        The final model (labels ordered by revenue).
    summary : DataFrame
        :func:`cluster_summary` of the final model.
    k_range_note : str
        Why fewer k were tried than ``k_range`` asked for (:func:`feasible_k_range`); "" when all were.
    """

    features: pd.DataFrame
    scaled: pd.DataFrame
    preprocessor: Pipeline = field(repr=False)
    stability: pd.DataFrame
    selection: KSelection
    k: int
    model: SegmentKMeans = field(repr=False)
    summary: pd.DataFrame
    k_range_note: str = ""

    @property
    def labels(self) -> np.ndarray:
        """Cluster of each customer (0 = most revenue)."""
        return self.model.labels_

    def segment_names(self, *, name: str = "segment") -> pd.Series:
        """Each customer's cluster name, a categorical in cluster order (0 first), indexed like the features."""
        codes = pd.Categorical.from_codes(self.model.labels_, self.summary["cluster_name"])
        return pd.Series(codes, index=self.features.index, name=name)


def kmeans_segmentation(
    customers: pd.DataFrame,
    clean: pd.DataFrame | None = None,
    *,
    feature_set: FeatureSet = "rfm",
    n_clusters: int = 0,
    k_range: Sequence[int] = range(2, 9),
    n_init: int = 10,
    gap_references: int = 5,
    stability_refits: int = 8,
    stability_threshold: float = 0.8,
    silhouette_sample: int = 5000,
    segments: pd.Series | None = None,
    random_state: int = 0,
) -> KMeansSegmentation:
    """The k-means segmentation of notebooks 02 and 04, in one call.

    Steps: features and preprocessing (:func:`segkit.features.prepare_features`), subsample
    stability for every k in ``k_range`` (:func:`stability`), the vote among the stable k
    (:func:`choose_k`), the final :class:`SegmentKMeans` with labels ordered by the customers'
    ``revenue`` and the stakeholder table (:func:`cluster_summary`).

    Parameters
    ----------
    customers : DataFrame
        The customer table (:func:`segkit.data.customer_table`); ``revenue`` orders the clusters.
    clean : DataFrame, optional
        Clean transactions, for the ``lrfmc`` and ``extended`` feature sets.
    feature_set : {"rfm", "lrfmc", "extended"}
        See :func:`segkit.features.customer_features`.
    n_clusters : int
        Number of clusters; 0 uses the k chosen by :data:`DECISION_RULE` (the evidence is computed
        either way, so a notebook can show it).
    k_range, n_init, gap_references, silhouette_sample : see :func:`choose_k`.
    stability_refits, stability_threshold : ``n_refits`` and ``threshold`` of :func:`stability`.
    segments : Series, optional
        A segment per customer (e.g. RFM); adds the closest segment to the summary.
    random_state : int
        Seed of every random step.

    Returns
    -------
    KMeansSegmentation

    Raises
    ------
    DataError
        Bad customer table or features, or a ``k_range`` the data cannot support.
    """
    prepared = prepare_features(customers, clean, feature_set=feature_set)
    scaled = prepared.scaled
    k_range, k_range_note = feasible_k_range(k_range, scaled)
    stab = stability(scaled, k_range=k_range, n_refits=stability_refits, n_init=n_init,
                     threshold=stability_threshold, random_state=random_state)
    selection = choose_k(scaled, k_range=k_range, n_init=n_init, gap_references=gap_references,
                         silhouette_sample=silhouette_sample, candidates=stab.index[stab["stable"]],
                         random_state=random_state)
    k = n_clusters if n_clusters > 0 else selection.chosen_k
    model = SegmentKMeans(k, n_init=n_init, random_state=random_state).fit(scaled, order_by=customers["revenue"])
    summary = cluster_summary(prepared.raw.assign(revenue=customers["revenue"]), model.labels_, scaled,
                              segments=segments)
    return KMeansSegmentation(features=prepared.raw, scaled=scaled, preprocessor=prepared.preprocessor,
                              stability=stab, selection=selection, k=k, model=model, summary=summary,
                              k_range_note=k_range_note)


#: The first action per segment of :func:`segment_actions`, by rule.
SEGMENT_ACTIONS: dict[str, str] = {
    "protect": "protect: VIP service and early access, no blanket discounts",
    "win back": "win back: a reactivation offer, then stop mailing non-responders",
    "grow": "grow: cross-sell and a second-order incentive",
}


def segment_actions(
    customers: pd.DataFrame,
    labels: Sequence[int],
    *,
    names: pd.Series | None = None,
    value_ratio: float = 1.5,
    lapsed_ratio: float = 1.5,
) -> pd.DataFrame:
    """A first action per segment from two numbers (rules in :data:`SEGMENT_ACTIONS`, first match wins).

    *protect* when the segment's share of revenue is at least ``value_ratio`` times its share of
    customers; else *win back* when its median days since last purchase is at least ``lapsed_ratio``
    times the median customer's; else *grow*.

    Parameters
    ----------
    customers : DataFrame
        Customer table with ``revenue`` and ``days_since_last_purchase``, one row per labelled customer.
    labels : array-like
        Segment of each customer.
    names : Series, optional
        Segment name per label, shown in a ``name`` column.
    value_ratio, lapsed_ratio : float
        The two rule thresholds.

    Returns
    -------
    DataFrame
        Indexed by ``segment``: [``name``], ``customer_share``, ``revenue_share``,
        ``median_days_since_last_purchase``, ``action``.

    Examples
    --------
    >>> c = pd.DataFrame({"revenue": [90.0, 5.0, 5.0, 5.0], "days_since_last_purchase": [5, 10, 400, 500]})
    >>> segment_actions(c, [0, 2, 1, 1])["action"].str.split(":").str[0].tolist()
    ['protect', 'win back', 'grow']
    """
    check_customer_table(customers, ["revenue", "days_since_last_purchase"])
    lab = _labels_series(labels, customers.index)
    grouped = customers.groupby(lab)
    sizes = grouped.size()
    out = pd.DataFrame({"customer_share": sizes / sizes.sum()})
    out["revenue_share"] = grouped["revenue"].sum() / customers["revenue"].sum()
    recency = grouped["days_since_last_purchase"].median()
    out["median_days_since_last_purchase"] = recency
    out["action"] = np.select(
        [out["revenue_share"] >= value_ratio * out["customer_share"],
         recency >= lapsed_ratio * customers["days_since_last_purchase"].median()],
        [SEGMENT_ACTIONS["protect"], SEGMENT_ACTIONS["win back"]],
        default=SEGMENT_ACTIONS["grow"],
    )
    if names is not None:
        out.insert(0, "name", names.reindex(out.index))
    return out.rename_axis("segment")


# --------------------------------------------------------------------------------------------------
# PCA: how many components, segments on fewer components, advice
# --------------------------------------------------------------------------------------------------


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


def most_correlated_pair(scaled: pd.DataFrame) -> tuple[str, str, float]:
    """The two features with the largest absolute correlation, and that correlation.

    Examples
    --------
    >>> most_correlated_pair(pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 6, 9], "c": [1.0, -1, 1, -1]}))[:2]
    ('a', 'b')
    """
    corr = scaled.corr().where(~np.eye(scaled.shape[1], dtype=bool))
    a, b = corr.abs().stack().idxmax()
    return str(a), str(b), float(corr.loc[a, b])


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
    a, b, r = most_correlated_pair(scaled)
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
