"""Tests for segkit.cluster.ward and segkit.cluster.compare: Ward (exact and two-stage) against planted groups and reference libraries."""

from __future__ import annotations

import fastcluster
import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, is_valid_linkage
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from segkit.errors import DataError
from segkit.cluster import (
    WardClustering,
    agreement,
    compare_linkages,
    sample_rows,
    two_stage_check,
)
from segkit.cluster.plots import plot_dendrogram
from segkit.cluster.ward import _largest_gap_k, _micro_clusters, _weighted_ward_linkage, cut_linkage, merge_gaps

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

N_GROUPS = 4


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, np.ndarray]:
    """2,000 customers in 4 well-separated planted groups of unequal size, 5 standardised features."""
    X, y = make_blobs(
        n_samples=[800, 600, 400, 200], n_features=5, cluster_std=1.0, center_box=(-10, 10), random_state=7
    )
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    index = pd.Index([f"c{i:05d}" for i in range(len(X))], name="customer_id")
    return pd.DataFrame(X, index=index, columns=[f"f{j}" for j in range(5)]), y


@pytest.fixture(scope="module")
def exact_model(planted) -> WardClustering:
    return WardClustering(n_clusters=N_GROUPS).fit(planted[0])


@pytest.fixture(scope="module")
def two_stage_model(planted) -> WardClustering:
    return WardClustering(n_clusters=N_GROUPS, max_exact=500, n_micro=150, random_state=3).fit(planted[0])


# ----------------------------------------------------------------------------- recovery of planted groups


def test_exact_ward_recovers_planted_groups(planted, exact_model):
    assert exact_model.method_ == "exact"
    assert adjusted_rand_score(planted[1], exact_model.labels_) >= 0.9


def test_two_stage_ward_recovers_planted_groups(planted, two_stage_model):
    assert two_stage_model.method_ == "two-stage"
    assert "2,000 customers > max_exact = 500" in two_stage_model.method_reason_
    assert adjusted_rand_score(planted[1], two_stage_model.labels_) >= 0.9


def test_largest_gap_finds_the_planted_number_of_groups(planted):
    model = WardClustering(k_range=(2, 10)).fit(planted[0])
    assert model.n_clusters_ == N_GROUPS
    assert _largest_gap_k(model.linkage_, k_range=(2, 10)) == N_GROUPS


def test_labels_are_ordered_by_size_and_cover_every_customer(planted, exact_model, two_stage_model):
    for model in (exact_model, two_stage_model):
        sizes = model.segment_sizes()["customers"].to_numpy()
        assert sizes.sum() == len(planted[0])
        assert (np.diff(sizes) <= 0).all()
        assert sorted(np.unique(model.labels_)) == list(range(N_GROUPS))
    assert exact_model.segment_sizes()["customers"].tolist() == [800, 600, 400, 200]


def test_order_by_puts_the_largest_total_first(planted, exact_model):
    smallest = exact_model.labels_ == N_GROUPS - 1
    revenue = np.where(smallest, 100.0, 1.0)  # the 200-customer segment holds most revenue
    model = WardClustering(n_clusters=N_GROUPS).fit(planted[0], order_by=revenue)
    np.testing.assert_array_equal(model.labels_ == 0, smallest)
    assert model.segment_sizes()["customers"].tolist() == [200, 800, 600, 400]
    with pytest.raises(DataError, match=r"order_by must hold one finite number per customer \(2,000\)"):
        WardClustering(n_clusters=N_GROUPS).fit(planted[0], order_by=revenue[:10])


# ------------------------------------------------------------------------------ weighted Ward correctness


def test_weighted_ward_with_unit_weights_equals_fastcluster():
    X = np.random.default_rng(0).normal(size=(400, 4))
    expected = fastcluster.linkage_vector(X, method="ward")
    got = _weighted_ward_linkage(X, np.ones(len(X)))
    assert is_valid_linkage(got)
    np.testing.assert_array_equal(got[:, [0, 1, 3]], expected[:, [0, 1, 3]])
    np.testing.assert_allclose(got[:, 2], expected[:, 2], rtol=1e-10)


def test_weighted_ward_equals_exact_ward_on_repeated_points():
    """A point of weight w is w customers at the same place: after the zero-height merges, same tree."""
    rng = np.random.default_rng(1)
    points, weights = rng.normal(size=(150, 3)), rng.integers(1, 6, size=150)
    expanded = fastcluster.linkage_vector(np.repeat(points, weights, axis=0), method="ward")
    weighted = _weighted_ward_linkage(points, weights)
    np.testing.assert_allclose(expanded[weights.sum() - len(points) :, 2], weighted[:, 2], rtol=1e-10)
    labels_weighted = fcluster(weighted, 6, criterion="maxclust")
    labels_expanded = fcluster(expanded, 6, criterion="maxclust")
    assert adjusted_rand_score(np.repeat(labels_weighted, weights), labels_expanded) == 1.0


def test_two_stage_with_single_point_micro_clusters_equals_exact(planted, exact_model):
    n = len(planted[0])
    model = WardClustering(n_clusters=N_GROUPS, max_exact=0, n_micro=n, random_state=0).fit(planted[0])
    assert model.method_ == "two-stage"
    np.testing.assert_array_equal(model.labels_, exact_model.labels_)
    np.testing.assert_allclose(model.linkage_[:, 2], exact_model.linkage_[:, 2], rtol=1e-10)


def test_micro_cluster_centres_are_exact_means(planted):
    X = planted[0].to_numpy()
    micro = _micro_clusters(X, n_micro=60, random_state=0)
    assert micro.sizes.sum() == len(X) and (micro.sizes > 0).all()
    k = 5
    np.testing.assert_allclose(micro.centers[k], X[micro.labels == k].mean(axis=0))


# ------------------------------------------------------------------------------------------------- cuts


@settings(max_examples=30, deadline=None)
@given(n=st.integers(3, 60), k=st.integers(1, 60), seed=st.integers(0, 10_000))
def test_cut_gives_exactly_k_clusters_consistent_with_fcluster(n, k, seed):
    k = min(k, n)
    X = np.random.default_rng(seed).normal(size=(n, 2))
    Z = fastcluster.linkage_vector(X, method="ward")
    labels, height = cut_linkage(Z, n_clusters=k)
    assert len(np.unique(labels)) == k
    assert adjusted_rand_score(labels, fcluster(Z, k, criterion="maxclust")) == 1.0
    assert (Z[: n - k, 2] <= height).all() and (Z[n - k :, 2] >= height).all()


def test_cut_handles_tied_heights():
    grid = np.array([[x, y] for x in range(4) for y in range(4)], dtype=float)  # many equal merge heights
    Z = _weighted_ward_linkage(grid)
    for k in range(1, 17):
        assert len(np.unique(cut_linkage(Z, n_clusters=k)[0])) == k


# ------------------------------------------------------------------------------------------ determinism


def test_determinism(planted):
    def fit(seed):
        return WardClustering(n_clusters=N_GROUPS, max_exact=500, n_micro=150, random_state=seed).fit(planted[0])

    first, again = fit(11), fit(11)
    np.testing.assert_array_equal(first.labels_, again.labels_)
    np.testing.assert_array_equal(first.micro_labels_, again.micro_labels_)
    np.testing.assert_array_equal(first.linkage_, again.linkage_)


def test_exact_partition_does_not_depend_on_row_order(planted, exact_model):
    order = np.random.default_rng(0).permutation(len(planted[0]))
    shuffled = WardClustering(n_clusters=N_GROUPS).fit(planted[0].iloc[order])
    assert adjusted_rand_score(shuffled.labels_, exact_model.labels_[order]) == 1.0


# ------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("frame", "n_clusters", "expected"),
    [
        (pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 0.0, 3.0]}), 5, r"n_clusters=5 .* only 3 customers.*at most 3"),
        (pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 1.0, 1.0]}), 2, r"\['b'\] are constant.*drop them"),
        (pd.DataFrame({"a": [0.0, np.nan, 2.0], "b": [1.0, 0.0, 3.0]}), 2, r"1 missing value.*'a'.*fill them"),
        (pd.DataFrame({"a": [0.0, np.inf, 2.0], "b": [1.0, 0.0, 3.0]}), 2, r"infinite value.*'a'"),
        (pd.DataFrame({"a": [0.5], "b": [1.0]}), None, r"1 customer\(s\) but at least 2"),
        (pd.DataFrame({"a": [0.0, 1.0], "s": ["x", "y"]}), None, r"non-numeric column\(s\) \['s'\].*encode"),
    ],
    ids=["fewer-customers-than-k", "constant", "nan", "inf", "single-customer", "text-column"],
)
def test_bad_features_raise_data_error_with_problem_and_fix(frame, n_clusters, expected):
    with pytest.raises(DataError, match=expected):
        WardClustering(n_clusters=n_clusters).fit(frame)


def test_bad_array_shape_and_hyper_parameters(planted):
    with pytest.raises(DataError, match=r"2-D table.*reshape"):
        WardClustering().fit(np.arange(5.0))
    with pytest.raises(DataError, match=r"n_micro=10 must exceed the number of segments \(10\)"):
        WardClustering(n_micro=10).fit(planted[0])
    with pytest.raises(DataError, match=r"n_clusters=0 must be a positive integer"):
        WardClustering(n_clusters=0).fit(planted[0])
    with pytest.raises(DataError, match=r"weights must be 3 positive"):
        _weighted_ward_linkage(np.zeros((3, 2)), np.array([1.0, 0.0, 2.0]))


def test_pairwise_linkages_refuse_too_many_rows():
    X = np.random.default_rng(0).normal(size=(20_001, 2))
    with pytest.raises(DataError, match=r"20,001 customers.*sample_rows"):
        compare_linkages(X, n_clusters=2, methods=("average",))


# ------------------------------------------------------------------------------ comparison and agreement


def test_single_linkage_chains_while_ward_gives_compact_segments():
    """Overlapping groups, as real customers are: single linkage chains them into one giant cluster."""
    X, _ = make_blobs(n_samples=600, n_features=3, centers=3, cluster_std=2.0, center_box=(-6, 6), random_state=2)
    X = sample_rows((X - X.mean(axis=0)) / X.std(axis=0), size=500, random_state=0)
    comparison = compare_linkages(X, n_clusters=3)
    table = comparison.table
    assert list(table.index) == ["ward", "complete", "average", "single"]
    assert table["cophenetic_corr"].between(-1, 1).all()
    assert table.loc["single", "largest_share"] > 0.95 and table.loc["single", "smallest_size"] <= 2
    assert table.loc["ward", "largest_share"] < 0.5
    # Ward is greedy, so complete linkage may edge it on within-SS; it beats the chaining-prone linkages
    assert table.loc["ward", "within_ss_share"] < table.loc[["average", "single"], "within_ss_share"].min()
    assert table.loc["ward", "sizes"].count(" / ") == 2


def test_agreement_ignores_segment_numbers():
    a = np.array([0, 0, 1, 1, 2, 2, 2])
    table, ari = agreement(a, np.array([2, 0, 1])[a])
    assert ari == pytest.approx(1.0)
    assert (table.to_numpy() > 0).sum(axis=1).tolist() == [1, 1, 1]  # a permutation: one cell per row
    table, ari = agreement(a, [0, 1, 0, 1, 0, 1, 0])
    assert ari < 0.2 and table.to_numpy().sum() == len(a)


def test_agreement_crosstab_and_ari(planted, exact_model, two_stage_model):
    table, ari = agreement(exact_model.labels_, two_stage_model.labels_, names=("exact", "two-stage"))
    assert table.to_numpy().sum() == len(planted[0])
    assert table.index.name == "exact" and table.columns.name == "two-stage"
    assert ari == adjusted_rand_score(exact_model.labels_, two_stage_model.labels_)
    with pytest.raises(DataError, match="one label per customer"):
        agreement([0, 1], [0, 1, 1])


# ----------------------------------------------------------------------------------------------- plots


@pytest.mark.parametrize("which", ["exact", "two-stage"])
def test_truncated_dendrogram_labels_count_every_customer(planted, exact_model, two_stage_model, which):
    model = exact_model if which == "exact" else two_stage_model
    fig, ax = plt.subplots()
    try:
        assert plot_dendrogram(model, truncate=20, names={0: "biggest"}, ax=ax) is ax
        counts = [int(t.get_text().replace(",", "")) for t in ax.get_xticklabels()]
        assert len(counts) == 20 and sum(counts) == len(planted[0])
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend[0] == "0: biggest (800)" and legend[-1] == f"cut: {N_GROUPS} segments"
        assert any(line.get_ydata()[0] == model.cut_height_ for line in ax.get_lines())
    finally:
        plt.close(fig)


def test_full_dendrogram_draws_every_leaf_unlabelled(planted):
    X = sample_rows(planted[0], size=120, random_state=1)
    model = WardClustering(n_clusters=N_GROUPS).fit(X)
    fig, ax = plt.subplots()
    try:
        assert plot_dendrogram(model, truncate=None, ax=ax) is ax
        assert all(t.get_text() == "" for t in ax.get_xticklabels())
        assert ax.get_xlabel() == "120 customers"
        assert sum(len(c.get_paths()) for c in ax.collections) == 119  # one link per merge
    finally:
        plt.close(fig)


def test_merge_gaps_table_matches_the_tree(exact_model):
    Z = exact_model.linkage_
    gaps = merge_gaps(Z, k_range=(2, 6))
    assert gaps.index.tolist() == [2, 3, 4, 5, 6]
    assert gaps.loc[2, "next_merge"] == Z[-1, 2] and gaps.loc[2, "last_merge"] == Z[-2, 2]
    assert (gaps["gap"] >= 0).all()
    assert int(gaps["gap"].idxmax()) == _largest_gap_k(Z, k_range=(2, 6)) == N_GROUPS
    with pytest.raises(DataError, match=r"k_range=\(5, 2\) must be \(low, high\)"):
        merge_gaps(Z, k_range=(5, 2))


def test_two_stage_tree_is_weighted_ward_of_its_micro_cluster_means(planted, two_stage_model):
    X, micro = planted[0].to_numpy(), two_stage_model.micro_labels_
    sizes = np.bincount(micro)
    centres = np.column_stack([np.bincount(micro, weights=X[:, j]) for j in range(X.shape[1])]) / sizes[:, None]
    np.testing.assert_array_equal(two_stage_model.leaf_weights_, sizes)
    np.testing.assert_allclose(two_stage_model.linkage_, _weighted_ward_linkage(centres, sizes))
    np.testing.assert_array_equal(two_stage_model.labels_, two_stage_model.leaf_labels_[micro])


def test_two_stage_check_reports_both_agreements(planted):
    X = sample_rows(planted[0], size=800, random_state=0)
    check = two_stage_check(X, n_clusters=N_GROUPS, n_micro=100, random_state=0)
    assert (check.n_customers, check.n_micro, check.jitter) == (800, 100, 0.01)
    # well-separated groups: both paths and the jittered rerun agree
    assert check.two_stage_vs_exact >= 0.9 and check.exact_vs_jittered >= 0.9
    exact = WardClustering(n_clusters=N_GROUPS).fit(X)
    two = WardClustering(n_clusters=N_GROUPS, max_exact=0, n_micro=100, random_state=0).fit(X)
    assert check.two_stage_vs_exact == adjusted_rand_score(exact.labels_, two.labels_)
    with pytest.raises(DataError, match=r"800 customers is too many.*sample_rows"):
        two_stage_check(X, n_clusters=N_GROUPS, max_customers=500)


# ------------------------------------------------------------------------- re-cutting and reuse


@pytest.mark.parametrize("which", ["exact", "two-stage"])
def test_cut_labels_equal_a_refit_with_that_k(planted, which):
    options = {"max_exact": 500, "n_micro": 150, "random_state": 3} if which == "two-stage" else {}
    revenue = np.random.default_rng(0).lognormal(size=len(planted[0]))
    model = WardClustering(n_clusters=N_GROUPS, **options).fit(planted[0], order_by=revenue)
    for k in (2, N_GROUPS + 1):
        refit = WardClustering(n_clusters=k, **options).fit(planted[0], order_by=revenue)
        np.testing.assert_array_equal(model.cut_labels(k, order_by=revenue), refit.labels_)
        np.testing.assert_array_equal(model.cut_labels(k), WardClustering(n_clusters=k, **options).fit(planted[0]).labels_)
    np.testing.assert_array_equal(model.cut_labels(N_GROUPS, order_by=revenue), model.labels_)
    with pytest.raises(DataError, match="one finite number per customer"):
        model.cut_labels(3, order_by=revenue[:5])


def test_two_stage_check_reuses_a_fitted_exact_model(planted):
    X = sample_rows(planted[0], size=800, random_state=0)
    exact = WardClustering(n_clusters=N_GROUPS).fit(X, order_by=np.arange(len(X), dtype=float))
    assert two_stage_check(X, n_clusters=N_GROUPS, n_micro=100, random_state=0, exact=exact) == two_stage_check(
        X, n_clusters=N_GROUPS, n_micro=100, random_state=0)
    wrong_k = WardClustering(n_clusters=N_GROUPS + 1).fit(X)
    with pytest.raises(DataError, match="exact must be exact Ward fitted on these 800 customers with 4 segments"):
        two_stage_check(X, n_clusters=N_GROUPS, exact=wrong_k)
    two_stage = WardClustering(n_clusters=N_GROUPS, max_exact=0, n_micro=100, random_state=0).fit(X)
    with pytest.raises(DataError, match="got two-stage Ward"):
        two_stage_check(X, n_clusters=N_GROUPS, exact=two_stage)


def test_a_tree_smaller_than_k_range_is_cut_below_one_customer_per_cluster():
    """Three customers and k_range (3, 8): two segments, not three singletons (which k-means then refuses)."""
    Z = _weighted_ward_linkage(np.array([[0.0], [0.1], [5.0]]))
    assert _largest_gap_k(Z, k_range=(3, 8)) == 2
    X = pd.DataFrame({"a": [0.0, 0.1, 5.0], "b": [1.0, 1.2, 3.0]})
    model = WardClustering(k_range=(3, 8)).fit(X)
    assert model.n_clusters_ == 2 and len(set(model.labels_)) == 2


# --- independent references and hand-computed cases (issue 10, item 6) -------------------------------


def test_ward_merge_heights_equal_scipy_linkage():
    """Exact and weighted Ward against SciPy's own Ward (the O(N²)-memory reference)."""
    from scipy.cluster.hierarchy import linkage

    X = np.random.default_rng(5).normal(size=(60, 3))
    reference = linkage(X, method="ward")
    model = WardClustering(n_clusters=3).fit(X)
    np.testing.assert_allclose(model.linkage_[:, 2], reference[:, 2], rtol=1e-10)
    np.testing.assert_array_equal(model.linkage_[:, 3], reference[:, 3])
    weighted = _weighted_ward_linkage(X)
    np.testing.assert_allclose(weighted[:, 2], reference[:, 2], rtol=1e-10)
    np.testing.assert_array_equal(weighted[:, [0, 1, 3]], reference[:, [0, 1, 3]])


def test_weighted_ward_heights_by_hand():
    """Points 0, 1 (weight 1 each) and 10 (weight 2): merge 0+1 at √(2·½·1) = 1, then {0,1} (n=2, centre 0.5)
    with 10 (n=2): Δ = 2·2/4 × 9.5² = 90.25, height √(2Δ) = √180.5."""
    Z = _weighted_ward_linkage(np.array([[0.0], [1.0], [10.0]]), np.array([1.0, 1.0, 2.0]))
    np.testing.assert_allclose(Z, [[0, 1, 1.0, 2], [2, 3, np.sqrt(180.5), 3]])
    # the heavier point pulls the merged centre: weights 3 and 1 at 0 and 4 merge with 8 (weight 1) at centre 1
    Z = _weighted_ward_linkage(np.array([[0.0], [4.0], [8.0]]), np.array([3.0, 1.0, 1.0]))
    # first 4+8 (Δ = ½ × 16 = 8) or 0+4 (Δ = 3/4 × 16 = 12): 4+8 at √16 = 4; then 0 (3) with 6 (2): Δ = 6/5 × 36
    np.testing.assert_allclose(Z[:, 2], [4.0, np.sqrt(2 * 6 / 5 * 36)])
    assert Z[:, 3].tolist() == [2, 3]
    with pytest.raises(DataError, match="at least 2 finite points"):
        _weighted_ward_linkage(np.array([[0.0]]))
    with pytest.raises(DataError, match="at least 2 finite points"):
        _weighted_ward_linkage(np.array([[0.0], [np.nan]]))
    with pytest.raises(DataError, match="weights must be 2 positive"):
        _weighted_ward_linkage(np.array([[0.0], [1.0]]), np.array([1.0]))


def test_merge_gaps_and_cut_by_hand():
    """Leaves 0, 0.1, 5, 5.1, 20: merges at 0.1, 0.1, 7.07 (√50) and 22.07; cut into k undoes the last k − 1."""
    Z = _weighted_ward_linkage(np.array([[0.0], [0.1], [5.0], [5.1], [20.0]]))
    gaps = merge_gaps(Z, k_range=(1, 5))
    assert gaps.index.tolist() == [2, 3, 4]  # k = 1 undoes no merge; at most one fewer cluster than leaves
    assert gaps.loc[2, "last_merge"] == pytest.approx(np.sqrt(50)) and gaps.loc[2, "next_merge"] == Z[3, 2]
    assert gaps.loc[3, "last_merge"] == pytest.approx(0.1) and gaps.loc[3, "next_merge"] == pytest.approx(np.sqrt(50))
    np.testing.assert_allclose(gaps["gap"], gaps["next_merge"] - gaps["last_merge"])
    labels, height = cut_linkage(Z, n_clusters=2)
    assert labels.tolist() == [0, 0, 0, 0, 1]
    assert height == pytest.approx((np.sqrt(50) + Z[3, 2]) / 2)
    labels, height = cut_linkage(Z, n_clusters=1)
    assert labels.tolist() == [0] * 5 and height == pytest.approx(Z[3, 2])
    labels, height = cut_linkage(Z, n_clusters=5)
    assert labels.tolist() == [0, 1, 2, 3, 4] and height == pytest.approx(0.05)  # midway between 0 and 0.1
    with pytest.raises(DataError, match="between 1 and the 5 leaves"):
        cut_linkage(Z, n_clusters=6)
    with pytest.raises(DataError, match="must be \\(low, high\\)"):
        merge_gaps(Z, k_range=(0, 3))
    assert _largest_gap_k(Z, k_range=(2, 3)) == 2 and _largest_gap_k(Z, k_range=(3, 4)) == 3


def test_ward_keeps_the_merge_gaps_of_its_k_range(planted, exact_model):
    pd.testing.assert_frame_equal(exact_model.merge_gaps_, merge_gaps(exact_model.linkage_, k_range=(2, 10)))
    model = WardClustering(k_range=(3, 5)).fit(planted[0])
    assert model.merge_gaps_.index.tolist() == [3, 4, 5] and model.n_clusters_ == 4
    assert "exact Ward on all 2,000 customers (2,000 ≤ max_exact = 60,000)" in model.method_reason_


def test_micro_clusters_pass_through_when_there_are_few_customers():
    X = np.arange(12.0).reshape(6, 2)
    micro = _micro_clusters(X, n_micro=6)
    assert micro.labels.tolist() == list(range(6)) and micro.sizes.tolist() == [1.0] * 6
    np.testing.assert_array_equal(micro.centers, X)
    model = WardClustering(n_clusters=2, max_exact=3, n_micro=6).fit(X)
    assert model.method_ == "two-stage" and "every customer is its own micro-cluster" in model.method_reason_


def test_hyper_parameters_are_checked_before_the_data():
    X = np.random.default_rng(0).normal(size=(30, 2))
    for params, message in [
        ({"max_exact": -1}, "max_exact=-1 must be a non-negative integer"),
        ({"max_exact": 1.5}, "max_exact=1.5"),
        ({"n_micro": 1}, "n_micro=1 must be an integer >= 2"),
        ({"n_clusters": 2.0}, "n_clusters=2.0 must be a positive integer"),
        ({"n_clusters": 3, "n_micro": 3}, r"n_micro=3 must exceed the number of segments \(3\)"),
    ]:
        with pytest.raises(DataError, match=message):
            WardClustering(**params).fit(X)
    assert WardClustering(n_clusters=3, n_micro=4).fit(X).n_clusters_ == 3


def test_compare_linkages_by_hand():
    """Two pairs far apart: every linkage finds them; within-SS share = within / total computed by hand."""
    X = pd.DataFrame({"a": [0.0, 1.0, 10.0, 11.0], "b": [0.0, 0.0, 0.0, 0.0]})
    X["b"] = [0.0, 0.0, 1.0, 1.0]
    comparison = compare_linkages(X, n_clusters=2, methods=("ward", "single"))
    table = comparison.table
    assert table.index.tolist() == ["ward", "single"]
    # total SS: a: 4 × var = (30.25+20.25+20.25+30.25) = 101, b: 4 × 0.25 = 1 -> 102; within: 0.5 + 0.5 = 1
    assert table["within_ss_share"].tolist() == pytest.approx([1 / 102, 1 / 102])
    assert table["sizes"].tolist() == ["2 / 2", "2 / 2"]
    assert table["largest_share"].tolist() == [0.5, 0.5] and table["smallest_size"].tolist() == [2, 2]
    assert comparison.labels["ward"].tolist() == [0, 0, 1, 1]
    assert (comparison.n_clusters, comparison.n_customers) == (2, 4)
    assert set(comparison.trees) == {"ward", "single"}
    with pytest.raises(DataError, match=r"unknown linkage method\(s\) \['median'\]"):
        compare_linkages(X, n_clusters=2, methods=("median",))


def test_linkage_comparison_words():
    from segkit.cluster.text import words

    X, _ = make_blobs(n_samples=300, n_features=2, centers=3, cluster_std=1.5, random_state=1)
    comparison = compare_linkages(X, n_clusters=3)
    table = comparison.table
    text = words(comparison, population=1000)
    faithful = table["cophenetic_corr"].idxmax()
    assert text.startswith(f"On 300 sampled customers cut into 3 clusters, **{faithful}** linkage has the highest "
                           f"cophenetic correlation ({table.loc[faithful, 'cophenetic_corr']:.2f})")
    assert f"**Single** linkage chains: {table.loc['single', 'largest_share']:.1%} of customers" in text
    assert text.endswith(f"the most compact cut of the four is {table['within_ss_share'].idxmin()}'s "
                         f"({table['within_ss_share'].min():.0%}).")
    assert words(comparison).startswith("On 300 customers cut")  # not a sample of a larger base
    two = compare_linkages(X, n_clusters=3, methods=("complete", "average"))
    assert "Single" not in words(two) and "**Ward**" not in words(two) and "of the two is" in words(two)


def test_two_stage_words(planted):
    from segkit.cluster.compare import TwoStageCheck
    from segkit.cluster.text import words

    ward = WardClustering(n_clusters=2).fit(planted[0].iloc[:100])
    check = TwoStageCheck(two_stage_vs_exact=0.912, exact_vs_jittered=0.456, n_customers=100, n_micro=20, jitter=0.05)
    text = words(check, ward=ward)
    assert text.startswith(f"This run: {ward.method_reason_} A full distance matrix would take 0.0 GB here, "
                           "40 GB at 100,000 customers and 4,000 GB at a million. ")
    assert ("On all 100 customers, the two-stage path (20 micro-clusters) agrees with exact Ward at ARI 0.91. "
            "For scale: exact Ward itself, rerun after moving every customer by a random 0.05 standard deviations, "
            "agrees with the original at ARI 0.46.") in text
    sampled = TwoStageCheck(0.9, 0.9, n_customers=50, n_micro=20, jitter=0.01)
    assert "On 50 sampled customers," in words(sampled, ward=ward)


def test_plot_merge_gaps_highlights_the_chosen_k(exact_model):
    from segkit.cluster.plots import plot_merge_gaps

    fig, ax = plt.subplots()
    try:
        plot_merge_gaps(exact_model.merge_gaps_, chosen_k=4, ax=ax)
        assert [p.get_height() for p in ax.patches] == pytest.approx(exact_model.merge_gaps_["gap"].tolist())
        grey = matplotlib.colors.to_rgba("#999999")
        coloured = [k for k, p in zip(exact_model.merge_gaps_.index, ax.patches) if p.get_facecolor() != grey]
        assert coloured == [4]
        assert ax.get_title() == "Gap between merge heights per k (chosen k = 4)"
        assert [t.get_text() for t in ax.get_xticklabels()] == [str(k) for k in range(2, 11)]
    finally:
        plt.close(fig)


def test_pairwise_linkage_limit_and_trees_equal_scipy(monkeypatch):
    from scipy.cluster.hierarchy import linkage

    from segkit.cluster import compare

    X = np.random.default_rng(3).normal(size=(11, 2))
    monkeypatch.setattr(compare, "MAX_PAIRWISE_ROWS", 11)
    comparison = compare_linkages(X, n_clusters=3)  # 11 rows: at the limit, allowed
    for method in ("ward", "complete", "average", "single"):
        np.testing.assert_allclose(comparison.trees[method][:, 2], linkage(X, method=method)[:, 2], rtol=1e-10)
    monkeypatch.setattr(compare, "MAX_PAIRWISE_ROWS", 10)
    with pytest.raises(DataError, match=r"^11 customers is too many for complete/average linkage \(they need all 55 "
                                        r"pairwise distances\); take sample_rows"):
        compare_linkages(X, n_clusters=3, methods=("ward", "complete"))
    assert set(compare_linkages(X, n_clusters=3, methods=("ward", "single")).trees) == {"ward", "single"}
    with pytest.raises(DataError, match=r"unknown linkage method\(s\) \['median'\]; use some of \['ward', 'complete', "
                                        r"'average', 'single'\]"):
        compare_linkages(X, n_clusters=3, methods=("ward", "median"))
    with pytest.raises(DataError, match="n_clusters=12 but the feature matrix has only 11 customers"):
        compare_linkages(X, n_clusters=12)


def test_compare_linkages_sizes_of_unequal_clusters():
    """Groups of 3, 2 and 1 customers far apart: sizes '3 / 2 / 1', the smallest 1, the largest share 1/2."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [50.0, 0.0], [50.0, 1.0], [0.0, 90.0]])
    table = compare_linkages(X, n_clusters=3, methods=("ward",)).table
    assert table.loc["ward", "sizes"] == "3 / 2 / 1"
    assert table.loc["ward", "smallest_size"] == 1 and table.loc["ward", "largest_share"] == 0.5
    big = np.repeat(X, [1000, 1, 1, 1, 1, 1], axis=0) + np.random.default_rng(0).normal(0, 0.01, (1005, 2))
    assert compare_linkages(big, n_clusters=3, methods=("ward",)).table.loc["ward", "sizes"].startswith("1,00")


def test_segment_sizes_table_and_a_two_leaf_tree():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [5.0, 7.0]])
    sizes = WardClustering(n_clusters=2).fit(X).segment_sizes()
    expected = pd.DataFrame({"customers": [3, 2], "share": [0.6, 0.4]}, index=pd.RangeIndex(2, name="segment"))
    pd.testing.assert_frame_equal(sizes, expected, check_dtype=False)
    Z = _weighted_ward_linkage(np.array([[0.0], [1.0]]))
    assert _largest_gap_k(Z, k_range=(3, 8)) == 1  # two leaves: one cluster short of one per customer


def test_dendrogram_draws_segment_colours_the_cut_and_the_legend(planted):
    """Links below the cut take their segment's colour, the k − 1 undone merges are grey; cut line, labels."""
    from segkit.plots import palette

    X = sample_rows(planted[0], size=60, random_state=2)
    model = WardClustering(n_clusters=3).fit(X)
    colours = [matplotlib.colors.to_hex(c) for c in palette(3)]
    with plt.rc_context({"axes.grid": True}):
        fig, ax = plt.subplots()
        plot_dendrogram(model, truncate=None, names={1: "middle"}, ax=ax)
    try:
        links = [c for c in ax.collections if len(c.get_paths())]
        drawn = {matplotlib.colors.to_hex(c.get_edgecolor()[0]): len(c.get_paths()) for c in links}
        assert drawn["#999999"] == 2  # the two merges a cut into three undoes
        sizes = np.bincount(model.labels_)
        assert {drawn[colours[s]] for s in range(3)} <= set(sizes - 1) | {0}
        assert sum(drawn[colours[s]] for s in range(3)) == 60 - 3  # every other merge, within a segment
        cut = ax.get_lines()[0]
        assert list(cut.get_ydata()) == [model.cut_height_] * 2
        assert (matplotlib.colors.to_hex(cut.get_color()), cut.get_linestyle(), cut.get_linewidth()) == ("#000000", "--", 1)
        legend = ax.get_legend()
        assert [t.get_text() for t in legend.get_texts()] == [
            f"0: segment 0 ({sizes[0]})", f"1: middle ({sizes[1]})", f"2: segment 2 ({sizes[2]})", "cut: 3 segments"]
        handles = legend.legend_handles
        assert [matplotlib.colors.to_hex(h.get_color()) for h in handles[:3]] == colours
        assert [h.get_linewidth() for h in handles] == [3, 3, 3, 1] and handles[3].get_linestyle() == "--"
        assert ax.get_title() == "Ward dendrogram: 60 customers, 3 segments"
        assert ax.get_ylabel() == "Ward merge height (√(2 × Δ within-SS), std. units)"
        assert ax.get_xlabel() == "60 customers"
        assert not any(line.get_visible() for line in ax.get_xgridlines())
        assert any(line.get_visible() for line in ax.get_ygridlines())
    finally:
        plt.close(fig)


def test_dendrogram_truncation_default_and_current_axes(exact_model):
    fig = plt.figure()
    try:
        ax = plot_dendrogram(exact_model)  # default: the last 30 merges' branches, on the current axes
        assert ax is plt.gca()
        labels = ax.get_xticklabels()
        assert len(labels) == 30 and sum(int(t.get_text().replace(",", "")) for t in labels) == 2000
        assert all(t.get_rotation() == 90 for t in labels)
        assert ax.get_xlabel() == "customer groups (number of customers)"
        assert {matplotlib.colors.to_hex(t.get_color()) for t in labels} <= {
            matplotlib.colors.to_hex(c) for c in __import__("segkit.plots", fromlist=["palette"]).palette(N_GROUPS)}
    finally:
        plt.close(fig)
    small = WardClustering(n_clusters=2).fit(np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]]))
    fig, ax = plt.subplots()
    try:
        plot_dendrogram(small, truncate=4, ax=ax)  # as many as the leaves: nothing to truncate
        assert ax.get_xlabel() == "4 customers" and all(t.get_text() == "" for t in ax.get_xticklabels())
    finally:
        plt.close(fig)


def test_node_weights_of_a_weighted_tree():
    from segkit.cluster.plots import _first_leaf, _node_weights

    Z = _weighted_ward_linkage(np.array([[0.0], [1.0], [10.0]]), np.array([5.0, 1.0, 2.0]))
    weights = _node_weights(Z, np.array([5.0, 1.0, 2.0]))
    assert weights.tolist() == [5.0, 1.0, 2.0, 6.0, 8.0]
    assert _first_leaf(Z, 4) == 2 and _first_leaf(Z, 3) == 0 and _first_leaf(Z, 1) == 1


def test_two_stage_check_equals_its_definition_when_the_paths_differ():
    """Overlapping groups, a coarse two-stage path and a large jitter: both ARIs below 1, each equal to the ARI
    computed here from its definition (so every ingredient, k, n_micro, seeds, noise, counts)."""
    X, _ = make_blobs(n_samples=300, n_features=2, centers=4, cluster_std=2.5, random_state=3)
    X = pd.DataFrame((X - X.mean(axis=0)) / X.std(axis=0), columns=["a", "b"])
    check = two_stage_check(X, n_clusters=2, n_micro=12, jitter=0.4, random_state=5)
    exact = WardClustering(n_clusters=2, max_exact=300).fit(X)
    two = WardClustering(n_clusters=2, max_exact=0, n_micro=12, random_state=5).fit(X)
    noise = np.random.default_rng(5).normal(scale=0.4, size=X.shape)
    jittered = WardClustering(n_clusters=2, max_exact=300).fit(X + noise)
    assert check.two_stage_vs_exact == adjusted_rand_score(exact.labels_, two.labels_) < 1
    assert check.exact_vs_jittered == adjusted_rand_score(exact.labels_, jittered.labels_) < 1
    assert (check.n_customers, check.n_micro, check.jitter) == (300, 12, 0.4)
    assert two_stage_check(X, n_clusters=2, random_state=5).n_micro == 1_000  # the default


def test_two_stage_check_refusals():
    X = pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) % 7})
    assert two_stage_check(X, n_clusters=2, n_micro=10, max_customers=50, random_state=0).n_customers == 50
    with pytest.raises(DataError, match=r"^51 customers is too many for an exact-Ward reference \(max_customers = 50\); "
                                        r"pass sample_rows\(X, size=20_000\)\.$"):
        two_stage_check(pd.concat([X, X.iloc[:1]]), n_clusters=2, max_customers=50)
    big = pd.DataFrame({"a": np.random.default_rng(0).normal(size=100_001)})
    with pytest.raises(DataError, match=r"100,001 customers is too many .*max_customers = 100,000"):
        two_stage_check(big, n_clusters=2)
    with pytest.raises(DataError, match=r"^jitter=0 must be a positive standard deviation, e\.g\. 0\.01\.$"):
        two_stage_check(X, n_clusters=2, jitter=0)
    with pytest.raises(DataError, match="n_clusters=60 but the feature matrix has only 50 customers"):
        two_stage_check(X, n_clusters=60)
    wrong = WardClustering(n_clusters=3).fit(X)
    with pytest.raises(DataError, match=r"got exact Ward on 50 customers with 3; leave exact=None to fit it here\.$"):
        two_stage_check(X, n_clusters=2, exact=wrong)
    other_features = WardClustering(n_clusters=2).fit(X[["a"]])
    with pytest.raises(DataError, match="exact must be exact Ward fitted on these 50 customers"):
        two_stage_check(X, n_clusters=2, exact=other_features)


def test_sample_rows_by_hand():
    frame = pd.DataFrame({"a": range(10)}, index=[f"c{i}" for i in range(10)])
    sample = sample_rows(frame, size=3, random_state=0)
    expected = np.sort(np.random.default_rng(0).choice(10, size=3, replace=False))
    assert isinstance(sample, pd.DataFrame) and sample.index.tolist() == [f"c{i}" for i in expected]
    every = sample_rows(frame, size=10, random_state=1)
    assert every.index.tolist() == frame.index.tolist()  # all rows once each, in their order
    assert sample_rows(frame, size=50, random_state=1).equals(frame)
    array = sample_rows(frame.to_numpy(), size=2, random_state=7)
    assert isinstance(array, np.ndarray) and array.shape == (2, 1)
    assert sample_rows(frame, size=2, random_state=3).equals(sample_rows(frame, size=2, random_state=3))
    with pytest.raises(DataError, match=r"^sample size=1 must be at least 2 customers\.$"):
        sample_rows(frame, size=1)


def test_count_words():
    from segkit.cluster.text import _count_word

    assert [_count_word(n) for n in range(1, 6)] == ["one", "two", "three", "four", "5"]


def test_weighted_ward_of_integer_points_and_weights():
    """Integer input must not truncate the merged centres: same heights as the float input."""
    points, weights = np.array([[0], [1], [10], [13]]), np.array([3, 1, 2, 1])
    expected = _weighted_ward_linkage(points.astype(float), weights.astype(float))
    np.testing.assert_allclose(_weighted_ward_linkage(points, weights), expected)
    # by hand: 0 (3) + 1 (1) at √(2 · 3/4 · 1) first; 10 (2) + 13 (1) at √(2 · 2/3 · 9)
    np.testing.assert_allclose(expected[:2, 2], [np.sqrt(1.5), np.sqrt(12.0)])
    two = _weighted_ward_linkage(np.array([[0.0], [2.0]]))
    np.testing.assert_allclose(two, [[0, 1, 2.0, 2]])


def test_ward_input_refusals_word_for_word():
    with pytest.raises(DataError) as caught:
        WardClustering().fit(np.arange(5.0))
    assert str(caught.value) == ("features must be a 2-D table (customers × features), got an array of shape (5,); "
                                 "reshape it, e.g. X.reshape(-1, 1) for a single feature.")
    two = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.0]})
    with pytest.raises(DataError) as caught:
        WardClustering(n_clusters=3).fit(two)
    assert str(caught.value) == ("n_clusters=3 but the feature matrix has only 2 customers; ask for at most 2 "
                                 "clusters or pass more customers.")
    # an array gets columns x0, x1, ... in messages, and is called the feature matrix
    with pytest.raises(DataError, match=r"^feature matrix has 1 missing value\(s\) in column 'x1' "):
        WardClustering(n_clusters=2).fit(np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 3.0]]))
    # as many clusters as customers is allowed: each customer is its own cluster
    assert sorted(WardClustering(n_clusters=3).fit(np.array([[0.0], [1.0], [5.0]])).labels_) == [0, 1, 2]


def test_ward_method_reason_word_for_word_at_its_boundaries():
    from segkit.cluster.text.ward import _ward_method_reason

    assert _ward_method_reason(n_customers=60_000, max_exact=60_000) == (
        "exact Ward on all 60,000 customers (60,000 ≤ max_exact = 60,000): fastcluster.linkage_vector builds the full "
        "tree in memory proportional to customers × features.")
    assert _ward_method_reason(n_customers=5_000, max_exact=4_999, n_micro=5_000, n_micro_made=5_000) == (
        "two-stage Ward (5,000 customers > max_exact = 4,999): every customer is its own micro-cluster (n_micro ≥ "
        "customers), so size-weighted Ward on them is exact Ward.")
    assert _ward_method_reason(n_customers=5_000, max_exact=4_999, n_micro=4_999, n_micro_made=4_990) == (
        "two-stage Ward (5,000 customers > max_exact = 4,999): MiniBatchKMeans made 4,990 micro-clusters, "
        "size-weighted Ward merged their centroids, and every customer took the segment of its micro-cluster.")
