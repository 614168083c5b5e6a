"""Choosing k with evidence: the knee, the gap statistic, five criteria side by side, stability.

:func:`choose_k` fits k-means for every k in a range and puts five criteria side by side (elbow of
the inertia with its knee found by :func:`_find_knee`, sampled silhouette, Calinski-Harabasz,
Davies-Bouldin and :func:`_gap_statistic`); each names a best k and the k named most often wins
(the rule is written out in :mod:`segkit.cluster.text`). :func:`stability` refits on subsamples and
compares the partitions by adjusted Rand index. A k range the data cannot support is shortened by
:func:`_feasible_k_range`, which says so in a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

from segkit.cluster.kmeans import Method, SegmentKMeans, _as_matrix, _check_k, _kmeans, _resolve_method
from segkit.cluster.text import _CRITERION_LABELS, _k_range_note
from segkit.errors import DataError

__all__ = [
    "MIN_CUSTOMERS_TO_SEGMENT",
    "KSelection",
    "choose_k",
    "stability",
]

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


def _feasible_k_range(k_range: Sequence[int], X: pd.DataFrame | np.ndarray) -> tuple[list[int], str]:
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
    >>> _feasible_k_range(range(3, 9), X)[0]
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
    return kept, _k_range_note(kept, ks, n_customers=n, n_distinct=n_distinct)


def _find_knee(x: Sequence[float], y: Sequence[float], *, sensitivity: float = 1.0) -> float | None:
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
    >>> _find_knee([1, 2, 3, 4, 5, 6], [100, 40, 20, 15, 12, 10])
    3
    >>> _find_knee([1, 2, 3, 4], [4, 3, 2, 1]) is None
    True
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.size < 3 or np.any(np.diff(xs) <= 0):
        raise DataError("The knee needs at least 3 points with strictly increasing x and one y per x.")
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


def _gap_statistic(
    X: pd.DataFrame | np.ndarray,
    *,
    k_range: Sequence[int],
    n_references: int,
    sample_size: int,
    n_init: int,
    method: Method,
    random_state: int,
) -> pd.DataFrame:
    """Gap statistic (Tibshirani, Walther & Hastie 2001) for each k.

    gap(k) = mean_b log W*_kb − log W_k, where W_k is the within-cluster sum of squares of the data
    and W*_kb that of reference data drawn uniformly in the data's principal-component bounding box;
    s(k) = sd_b(log W*_kb) × √(1 + 1/B). On more than ``sample_size`` customers both are computed on
    a seeded random sample of that size (the statistic compares like with like, so this keeps it
    cheap on a million customers). No input validation: ``X`` is a finite float matrix checked by the
    caller (:func:`choose_k`).

    Returns
    -------
    DataFrame
        Indexed by ``k``: ``gap``, ``gap_se``, ``log_w``, ``log_w_ref``.
    """
    arr = np.asarray(X, dtype=float)
    ks = _check_k_range(k_range, arr)
    if n_references < 2:
        raise DataError(f"n_references={n_references} must be >= 2 to estimate the gap's standard error.")
    rng = np.random.default_rng(random_state)
    if arr.shape[0] > sample_size:
        arr = arr[np.sort(rng.choice(arr.shape[0], sample_size, replace=False))]
    mean, vt, lo, hi = _reference_box(arr)
    refs = [rng.uniform(lo, hi, size=(arr.shape[0], arr.shape[1])) @ vt + mean for _ in range(n_references)]
    algo = _resolve_method(method)
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


@dataclass(frozen=True)
class KSelection:
    """Result of :func:`choose_k` (why ``chosen_k``, in words: :func:`segkit.cluster.text.words`).

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
    k_range_note : str
        Why fewer k were tried than ``k_range`` asked for (too few customers); "" when all were.
    """

    table: pd.DataFrame
    votes: pd.DataFrame
    chosen_k: int
    knee_k: int | None
    labels: dict[int, np.ndarray] = field(repr=False)
    k_range_note: str = ""


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
    """Fit k-means for every k in ``k_range`` and choose k by a vote of five criteria.

    Each criterion names a best k (the knee of the inertia, the highest silhouette and
    Calinski-Harabasz, the lowest Davies-Bouldin, the gap statistic's one-standard-error rule); the k
    named most often wins, ties going to the highest silhouette.

    Parameters
    ----------
    X : DataFrame or array
        Preprocessed features (see :func:`segkit.cluster.make_preprocessor`).
    k_range : sequence of int
        Candidate numbers of clusters (>= 2). When the customers cannot support the largest k (a k
        needs more customers than clusters and k distinct rows), the range is shortened and
        ``k_range_note`` of the result says so.
    n_init : int
        k-means++ initialisations per k.
    method : {"auto", "kmeans", "minibatch"}
        k-means variant; ``"auto"`` is full KMeans.
    silhouette_sample : int
        Silhouette on a seeded random sample of at most this many customers (it costs O(n²)).
    gap_references : int
        B, the number of reference data sets of the gap statistic.
    gap_sample : int
        Sample size for the gap statistic (see :func:`_gap_statistic`).
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
        A ``k_range`` without two k from 2 up, fewer than 4 customers with distinct features, missing
        values, constant columns.
    """
    arr = _as_matrix(X, min_rows=3)
    ks, note = _feasible_k_range(k_range, arr)
    return _choose_k(arr, k_range=ks, n_init=n_init, method=method, silhouette_sample=silhouette_sample,
                     gap_references=gap_references, gap_sample=gap_sample, candidates=candidates,
                     random_state=random_state, k_range_note=note)


def _choose_k(arr: np.ndarray, *, k_range: Sequence[int], n_init: int, silhouette_sample: int, gap_references: int,
              candidates: Sequence[int] | None, random_state: int, method: Method = "auto",
              gap_sample: int = 5000, k_range_note: str) -> KSelection:
    """:func:`choose_k` without input validation: ``arr`` is a finite float matrix checked by the caller."""
    ks = _check_k_range(k_range, arr)
    algo = _resolve_method(method)
    rows, labels = [], {}
    for k in ks:
        model = SegmentKMeans(k, n_init=n_init, method=algo, random_state=random_state)._fit(arr)
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
    gap = _gap_statistic(arr, k_range=ks, n_references=gap_references, sample_size=gap_sample, n_init=n_init,
                        method=method, random_state=random_state)
    table = table.join(gap[["gap", "gap_se"]])
    knee = _find_knee(table.index, table["inertia"]) if len(ks) >= 3 else None  # two points have no knee
    votes = _vote(table, gap, knee, _candidates(candidates, ks))
    counts = votes["best_k"].value_counts()
    tied = counts.index[counts == counts.max()]
    chosen = int(table.loc[tied, "silhouette"].idxmax())
    table["candidate"] = table.index.isin(_candidates(candidates, ks))
    return KSelection(table=table, votes=votes, chosen_k=chosen, knee_k=knee, labels=labels, k_range_note=k_range_note)


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
    votes["criterion_label"] = votes.index.map(_CRITERION_LABELS.get)
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
    return _stability(_as_matrix(X, min_rows=3), k_range=k_range, n_refits=n_refits, n_init=n_init,
                      threshold=threshold, random_state=random_state, sample_fraction=sample_fraction,
                      method=method)


def _stability(arr: np.ndarray, *, k_range: Sequence[int], n_refits: int, n_init: int, threshold: float,
               random_state: int, sample_fraction: float = 0.8, method: Method = "auto") -> pd.DataFrame:
    """:func:`stability` without input validation: ``arr`` is a finite float matrix checked by the caller."""
    ks = _check_k_range(k_range, arr)
    if n_refits < 2 or not 0.1 <= sample_fraction <= 1.0:
        raise DataError(
            f"stability needs n_refits >= 2 (got {n_refits}) and 0.1 <= sample_fraction <= 1 (got {sample_fraction})."
        )
    n = arr.shape[0]
    size = max(int(round(sample_fraction * n)), ks[-1] + 1)
    algo = _resolve_method(method)
    rng = np.random.default_rng(random_state)
    samples = [np.sort(rng.choice(n, size, replace=False)) for _ in range(n_refits)]
    seeds = rng.integers(0, 2**31 - 1, size=n_refits)
    rows = []
    for k in ks:
        parts = [
            _kmeans(k, method=algo, n_init=n_init, random_state=int(s)).fit(arr[idx]).predict(arr)
            for idx, s in zip(samples, seeds, strict=True)
        ]
        rows.append({"k": k, **_pairwise_agreement(parts)})
    table = pd.DataFrame(rows).set_index("k")
    table["stable"] = table["ari_mean"] >= threshold
    return table


def _pairwise_agreement(parts: Sequence[np.ndarray]) -> dict[str, float]:
    """Mean, lowest and standard deviation of the adjusted Rand index over every pair of partitions.

    Examples
    --------
    >>> stats = _pairwise_agreement([[0, 0, 1, 1], [1, 1, 0, 0], [0, 1, 0, 1]])
    >>> {name: round(value, 3) for name, value in stats.items()}
    {'ari_mean': 0.0, 'ari_min': -0.5, 'ari_sd': 0.707}
    """
    aris = np.array([adjusted_rand_score(parts[a], parts[b])
                     for a in range(len(parts)) for b in range(a + 1, len(parts))])
    return {"ari_mean": float(aris.mean()), "ari_min": float(aris.min()), "ari_sd": float(aris.std())}
