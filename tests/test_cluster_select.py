"""Choosing k: the refusals word for word, the knee's rules on hand-made curves, the gap statistic's
invariances and its sample, and choose_k's table against scikit-learn's own criteria on the same fits."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score

from segkit.cluster import choose_k
from segkit.cluster.select import (
    _check_k_range,
    _feasible_k_range,
    _find_knee,
    _gap_statistic,
    _vote,
    stability,
)
from segkit.errors import DataError


def _refusal(call, *args, **kwargs) -> str:
    with pytest.raises(DataError) as refused:
        call(*args, **kwargs)
    return str(refused.value)


def _three_blobs(n_per_blob: int = 30) -> np.ndarray:
    """Three groups of points on a ring of radius 1 (offsets known exactly) around centres 100 apart."""
    angles = np.linspace(0, 2 * np.pi, n_per_blob, endpoint=False)
    ring = np.c_[np.cos(angles), np.sin(angles)]
    return np.vstack([ring + centre for centre in ([0.0, 0.0], [100.0, 0.0], [0.0, 100.0])])


# ------------------------------------------------------------------------------------- the k range


def test_k_range_is_sorted_deduplicated_and_refused_word_for_word():
    X = np.arange(20.0).reshape(10, 2)  # ten customers, two features
    assert _check_k_range([4, 2, 3, 2], X) == [2, 3, 4]
    assert _check_k_range([2, 3, 9], X) == [2, 3, 9]  # nine clusters of ten customers is the most
    assert _refusal(_check_k_range, [5], X) == "k_range=[5] must hold at least two values of k (e.g. range(2, 9))."
    assert _refusal(_check_k_range, [1, 3], X) == "k_range starts at 1; start it at 2 or more (e.g. range(2, 9))."
    assert _refusal(_check_k_range, [2, 3, 10], X) == (
        "k_range goes up to 10 but there are only 10 customers; end it below 10 or use more data.")
    # twelve customers but three distinct rows: the largest k is the one refused
    repeated = np.repeat([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], 4, axis=0)
    assert _refusal(_check_k_range, [2, 3, 5], repeated) == (
        "largest k in k_range=5 but the customers have only 3 distinct feature rows; ask for at most 3 clusters "
        "or add features that tell customers apart.")


def test_feasible_k_range_at_its_boundaries():
    X = np.random.default_rng(0).normal(size=(6, 2))  # six customers: at most five clusters
    assert _feasible_k_range([2, 3, 5], X) == ([2, 3, 5], "")  # the largest k just fits: kept, no note
    assert _feasible_k_range([2, 3, 9], X) == ([2, 3], (
        "k was tried from 2 to 3 instead of 2 to 9: the data have only 6 customers (6 with distinct features), "
        "and a segment needs more than one customer."))
    # no k fits: the two largest that do
    assert _feasible_k_range([6, 7], X)[0] == [4, 5]
    # eight customers, three distinct rows: the distinct rows bound k
    repeated = np.repeat([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [3, 3, 2], axis=0)
    ks, note = _feasible_k_range(range(2, 6), repeated)
    assert ks == [2, 3] and "only 8 customers (3 with distinct features)" in note
    # distinct rows are counted up to and including 200,000 customers
    many = np.tile(repeated[[0, 3, 6]], (200_000 // 3 + 1, 1))[:200_000]
    assert _feasible_k_range(range(2, 6), many)[0] == [2, 3]
    assert _refusal(_feasible_k_range, range(3, 9), X[:3]) == (
        "there are only 3 customers (3 with distinct features): segmenting needs at least 4 customers with "
        "distinct features, to compare at least two numbers of clusters. Use more data (a longer period, or all "
        "channels).")


def test_public_entry_points_refuse_three_customers_with_their_own_reason():
    X = np.arange(6.0).reshape(3, 2)
    assert _refusal(choose_k, X).startswith("there are only 3 customers (3 with distinct features)")
    assert _refusal(stability, X) == (
        "k_range goes up to 8 but there are only 3 customers; end it below 3 or use more data.")


# --------------------------------------------------------------------------------------------- knee
# x = 0..4 (or 0..8, 0..10): the normalised x are exact binary fractions, and each curve is written as
# y = (1 - x_n) - d for the difference curve d wanted, with y's ends at 1 and 0 so that y_n = y.


def _curve(d: list[float]) -> tuple[list[int], list[float]]:
    x = list(range(len(d)))
    xn = np.array(x) / (len(d) - 1)
    return x, list((1 - xn) - np.array(d))


def test_knee_refuses_repeated_x_word_for_word():
    assert _refusal(_find_knee, [1, 2, 2, 3], [4.0, 3.0, 2.0, 1.0]) == (
        "The knee needs at least 3 points with strictly increasing x and one y per x.")


def test_knee_on_the_second_to_last_point():
    """d = 0, .02, .05, .24, 0: the one local maximum is the second-to-last point; with S = 0.5 its threshold
    is .24 - .125 and the last point (0) is below it."""
    assert _find_knee(*_curve([0, 0.02, 0.05, 0.24, 0]), sensitivity=0.5) == 3


def test_knee_at_the_end_of_a_plateau():
    """d = 0, .3, .3, .1, 0: of two equal values the later is the local maximum (>= before, > after)."""
    assert _find_knee(*_curve([0, 0.3, 0.3, 0.1, 0])) == 2


def test_a_maximum_on_the_chord_is_no_knee():
    """d = 0, 0, -.4, -.1, 0: the local maximum at x = 1 lies on the chord (d = 0), where the curve does not
    bend below the straight line: no knee, although d then drops by more than the threshold."""
    assert _find_knee(*_curve([0, 0, -0.4, -0.1, 0])) is None


def test_a_maximum_on_the_chord_is_passed_over_for_a_later_knee():
    """d has a local maximum of 0 at x = 1, then one of .3 at x = 4 that drops to .1 < .3 - .125."""
    assert _find_knee(*_curve([0, 0, -0.1, 0.2, 0.3, 0.1, 0, 0, 0])) == 4


def test_knee_searches_only_up_to_the_next_local_maximum():
    """Maxima of d at x = 1 (.30), 3 (.28) and 5 (.10); the step is .1, so the thresholds are .20 and .18.
    After x = 1 the curve stays above .20 up to the next maximum (x = 3) and drops only after it: the knee is 3,
    not 1."""
    assert _find_knee(*_curve([0, 0.30, 0.25, 0.28, 0.05, 0.10, 0.02, 0, 0, 0, 0])) == 3


def test_knee_needs_d_strictly_below_the_threshold():
    """d = 0, .5, 0, .25, 0 with S = 2: the threshold after x = 1 is .5 - 2 × .25 = 0 exactly, and d reaches 0
    but does not go below it; after x = 3 the threshold is -.25. No knee."""
    assert _find_knee(*_curve([0, 0.5, 0, 0.25, 0]), sensitivity=2.0) is None


def test_knee_at_a_whole_x_is_an_int_even_when_x_is_given_as_floats():
    knee = _find_knee([1.0, 2.0, 3.0, 4.0, 5.0], [10.0, 4.0, 2.0, 1.5, 1.0])
    assert knee == 2 and isinstance(knee, int)


# ---------------------------------------------------------------------------------------- stability


def test_stability_sample_fraction_bounds_and_the_smallest_sample():
    X = np.random.default_rng(2).normal(size=(20, 2))
    for fraction in (0.1, 1.0):  # both bounds are allowed
        assert len(stability(X, k_range=[2, 3], n_refits=2, n_init=1, sample_fraction=fraction)) == 2
    assert _refusal(stability, X, k_range=[2, 3], sample_fraction=1.5) == (
        "stability needs n_refits >= 2 (got 8) and 0.1 <= sample_fraction <= 1 (got 1.5).")
    # a tenth of 20 customers is 2, too few to fit five clusters: each subsample takes k + 1 = 6 customers
    table = stability(X, k_range=[2, 3, 5], n_refits=2, n_init=1, sample_fraction=0.1)
    assert table.index.tolist() == [2, 3, 5]


def test_stability_threshold_is_inclusive():
    """Two groups 100 apart: every refit with k = 2 finds them, the ARI is 1 exactly, and 1 >= 1 is stable."""
    X = _three_blobs()[:60]
    table = stability(X, k_range=[2, 3], n_refits=3, n_init=2, threshold=1.0, random_state=0)
    assert table.at[2, "ari_mean"] == 1.0 and bool(table.at[2, "stable"])


# -------------------------------------------------------------------------------------- gap statistic


def _gap(X, **options):
    settings = {"k_range": [2, 3, 4], "n_references": 3, "sample_size": 5000, "n_init": 2, "method": "auto",
                "random_state": 0} | options
    return _gap_statistic(X, **settings)


def test_gap_statistic_table_and_its_log_w_by_hand():
    """Three rings of radius 1: with k = 3, W is the squared distances to the ring centres, 90 × 1."""
    gap = _gap(_three_blobs())
    assert list(gap.columns) == ["gap", "gap_se", "log_w", "log_w_ref"] and gap.index.name == "k"
    assert gap.at[3, "log_w"] == pytest.approx(np.log(90.0), rel=1e-9)
    np.testing.assert_allclose(gap["gap"], gap["log_w_ref"] - gap["log_w"])
    assert _refusal(_gap, _three_blobs(), n_references=1) == (
        "n_references=1 must be >= 2 to estimate the gap's standard error.")


def test_gap_statistic_does_not_depend_on_units_or_origin():
    """W and every reference W* scale by c² and ignore a shift, so gap and its SE are the same for c·X + b."""
    X = np.random.default_rng(5).normal(size=(80, 2)) * [1.0, 3.0]
    gap = _gap(X)
    moved = _gap(4.0 * X + [250.0, -40.0])
    np.testing.assert_allclose(moved["gap"], gap["gap"], rtol=1e-6)
    np.testing.assert_allclose(moved["gap_se"], gap["gap_se"], rtol=1e-6)
    np.testing.assert_allclose(moved["log_w"], gap["log_w"] + np.log(16.0), rtol=1e-9)


def test_gap_statistic_on_more_customers_than_its_sample_draws_without_replacement():
    """Twelve customers, a sample of 11: ten clusters of eleven distinct customers leave one pair together, so
    W is half a squared distance between two customers (a sample with repeats would leave W = 0)."""
    x = np.array([0.0, 1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047])
    X = np.c_[x, np.zeros_like(x)]
    gap = _gap(X, k_range=[9, 10], sample_size=11, n_init=1)
    halves = {d**2 / 2 for d in (b - a for a, b in itertools.combinations(x, 2))}
    w = float(np.exp(gap.at[10, "log_w"]))
    assert np.isfinite(gap.at[10, "log_w"]) and min(abs(w - h) / h for h in halves) < 1e-9


# ------------------------------------------------------------------------------------------ choose_k


def test_choose_k_table_is_scikit_learns_criteria_on_the_fits_it_asked_for():
    """Uniform noise (no true k, so the seed and the starts matter): every column of the table equals
    scikit-learn's criterion on KMeans with the same k, starts and seed, and the gap columns are the gap
    statistic with the sample and references asked for."""
    X = np.random.default_rng(3).uniform(size=(120, 2))
    sel = choose_k(X, k_range=[2, 3, 4], n_init=1, silhouette_sample=60, gap_references=3, gap_sample=80,
                   random_state=7)
    for k in (2, 3, 4):
        fit = KMeans(n_clusters=k, n_init=1, random_state=7).fit(X)
        assert adjusted_rand_score(fit.labels_, sel.labels[k]) == 1.0
        assert sel.table.at[k, "inertia"] == pytest.approx(fit.inertia_, rel=1e-9)
        assert sel.table.at[k, "silhouette"] == pytest.approx(
            silhouette_score(X, fit.labels_, sample_size=60, random_state=7), rel=1e-12)
        assert sel.table.at[k, "calinski_harabasz"] == pytest.approx(calinski_harabasz_score(X, fit.labels_))
        assert sel.table.at[k, "davies_bouldin"] == pytest.approx(davies_bouldin_score(X, fit.labels_))
    gap = _gap(X, n_references=3, sample_size=80, n_init=1, random_state=7)
    pd.testing.assert_frame_equal(sel.table[["gap", "gap_se"]], gap[["gap", "gap_se"]])


def test_choose_k_reports_and_votes_the_knee_of_its_inertia():
    sel = choose_k(_three_blobs(), k_range=[2, 3, 4, 5], n_init=2, gap_references=2, random_state=0)
    assert sel.knee_k == 3 == _find_knee([2, 3, 4, 5], sel.table["inertia"])
    assert sel.votes.at["elbow", "best_k"] == 3 and sel.chosen_k == 3


def test_vote_table_is_indexed_by_criterion_and_the_gap_votes_among_the_candidates():
    table = pd.DataFrame({"silhouette": [0.3, 0.5, 0.4], "calinski_harabasz": [10.0, 5.0, 20.0],
                          "davies_bouldin": [0.9, 1.2, 0.8]}, index=pd.Index([2, 3, 4], name="k"))
    # over all k the 1-SE rule stops at 2 (0.5 >= 0.2 - 0.01); among 3 and 4 none qualifies: the larger gap, 4
    gap = pd.DataFrame({"gap": [0.5, 0.2, 0.3], "gap_se": [0.01, 0.01, 0.01]}, index=table.index)
    votes = _vote(table, gap, None, [3, 4])
    assert votes.index.name == "criterion"
    assert votes.at["gap", "best_k"] == 4
