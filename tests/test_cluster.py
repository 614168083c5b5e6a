"""Tests for segkit.cluster: k-means with evidence for k, stability, profiles, names and PCA."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from segkit import cluster  # noqa: E402
from segkit.cluster import (  # noqa: E402
    SegmentKMeans,
    choose_k,
    describe_clusters,
    name_clusters,
    principal_components,
    standardised_means,
)
from segkit.cluster import plots as cluster_plots  # noqa: E402
from segkit.cluster.describe import closest_segment, cluster_profile, relative_importance  # noqa: E402
from segkit.cluster.features import customer_features  # noqa: E402
from segkit.cluster.kmeans import _check_order_by, _order_labels  # noqa: E402
from segkit.cluster.pca import _most_correlated_pair  # noqa: E402
from segkit.cluster.preprocess import make_preprocessor  # noqa: E402
from segkit.cluster.select import _feasible_k_range, _find_knee, _gap_choice, _gap_statistic, stability  # noqa: E402
from segkit.cluster.text import _describe_components, _pca_advice, words  # noqa: E402
from segkit.errors import DataError  # noqa: E402

# planted groups: (days since last purchase, orders, revenue per order) medians; well apart in log space
GROUPS = {
    "recent high spenders": (10, 25, 120.0),
    "lapsed one-off buyers": (500, 1, 30.0),
    "steady mid-value": (60, 6, 50.0),
    "new small buyers": (15, 2, 15.0),
}


def planted_customers(n_per_group: int = 150, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frames, truth = [], []
    for g, (days, orders, aov) in enumerate(GROUPS.values()):
        n_orders = np.maximum(1, np.round(orders * rng.lognormal(0, 0.12, n_per_group)))
        if orders == 1:
            n_orders[:] = 1
        frames.append(
            pd.DataFrame(
                {
                    "days_since_last_purchase": np.round(days * rng.lognormal(0, 0.05, n_per_group)),
                    "n_orders": n_orders,
                    "revenue": n_orders * aov * rng.lognormal(0, 0.15, n_per_group),
                }
            )
        )
        truth.append(np.full(n_per_group, g))
    customers = pd.concat(frames, ignore_index=True)
    order = rng.permutation(len(customers))
    customers = customers.iloc[order].reset_index(drop=True)
    customers.index = pd.Index([f"c{i:04d}" for i in range(len(customers))], name="customer_id")
    return customers, np.concatenate(truth)[order]


@pytest.fixture(scope="module")
def planted():
    customers, truth = planted_customers()
    X = customer_features(customers).table
    Z = make_preprocessor().fit_transform(X)
    return X, Z, truth


@pytest.fixture(scope="module")
def selection(planted):
    _, Z, _ = planted
    return choose_k(Z, k_range=range(2, 8), random_state=1)


# ------------------------------------------------------------------------------------ recovery


def test_kmeans_recovers_planted_groups(planted):
    X, Z, truth = planted
    labels = SegmentKMeans(4, random_state=3).fit(Z, order_by=X["revenue"]).labels_
    assert adjusted_rand_score(truth, labels) >= 0.9


def test_chooser_picks_planted_k(selection):
    assert selection.chosen_k == len(GROUPS)
    assert (selection.votes["best_k"] == len(GROUPS)).sum() >= 3
    assert set(selection.table.columns) >= {"inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "gap", "gap_se"}
    assert "k = 4 is named by" in words(selection)


def test_chooser_with_other_planted_k():
    rng = np.random.default_rng(5)
    centers = np.array([[0, 0, 0], [8, 0, 0], [0, 8, 0], [0, 0, 8], [8, 8, 8], [8, 0, 8]], dtype=float)
    X = np.repeat(centers, 80, axis=0) + rng.normal(0, 0.7, (480, 3))
    truth = np.repeat(np.arange(6), 80)
    sel = choose_k(X, k_range=range(2, 10), random_state=0)
    assert sel.chosen_k == 6
    assert adjusted_rand_score(truth, sel.labels[6]) >= 0.95


def test_inertia_decreases_and_knee_matches(selection):
    assert selection.table["inertia"].is_monotonic_decreasing
    assert selection.knee_k == 4


def test_gap_statistic_rule_finds_planted_k(planted):
    _, Z, _ = planted
    gap = _gap_statistic(Z, k_range=range(2, 8), n_references=5, random_state=0)
    assert _gap_choice(gap) == 4
    assert (gap["gap_se"] > 0).all()


def test_candidates_restrict_the_vote(planted):
    _, Z, _ = planted
    sel = choose_k(Z, k_range=range(2, 8), candidates=[2, 3], random_state=1)
    assert sel.chosen_k in (2, 3)
    assert "elbow" not in sel.votes.index  # the knee (4) is not a candidate
    assert "Among the candidate k (2, 3)" in words(sel)
    with pytest.raises(DataError, match="not in k_range"):
        choose_k(Z, k_range=range(2, 5), candidates=[9])


def test_minibatch_matches_full_kmeans(planted):
    X, Z, _ = planted
    full = SegmentKMeans(4, method="kmeans", random_state=0).fit(Z, order_by=X["revenue"])
    mini = SegmentKMeans(4, method="minibatch", batch_size=256, random_state=0).fit(Z, order_by=X["revenue"])
    assert mini.method_ == "minibatch"
    assert adjusted_rand_score(full.labels_, mini.labels_) >= 0.99
    assert mini.inertia_ == pytest.approx(full.inertia_, rel=0.01)
    assert SegmentKMeans(4).fit(Z).method_ == "kmeans"  # "auto" on small data


# --------------------------------------------------------------------------------- determinism


def test_same_seed_same_labels(planted):
    X, Z, _ = planted
    a = SegmentKMeans(5, n_init=2, random_state=11).fit(Z, order_by=X["revenue"]).labels_
    b = SegmentKMeans(5, n_init=2, random_state=11).fit(Z, order_by=X["revenue"]).labels_
    np.testing.assert_array_equal(a, b)
    s1 = choose_k(Z, k_range=range(2, 5), random_state=2).table
    s2 = choose_k(Z, k_range=range(2, 5), random_state=2).table
    pd.testing.assert_frame_equal(s1, s2)


def test_labels_ordered_by_revenue_desc(planted):
    X, Z, _ = planted
    labels = SegmentKMeans(4, random_state=0).fit(Z, order_by=X["revenue"]).labels_
    totals = X["revenue"].groupby(labels).sum()
    assert totals.is_monotonic_decreasing
    assert list(totals.index) == [0, 1, 2, 3]


def test_label_order_does_not_depend_on_row_order_or_seed(planted):
    X, Z, _ = planted
    base = pd.Series(SegmentKMeans(4, random_state=0).fit(Z, order_by=X["revenue"]).labels_, index=Z.index)
    perm = np.random.default_rng(9).permutation(len(Z))
    other = SegmentKMeans(4, random_state=99).fit(Z.iloc[perm], order_by=X["revenue"].iloc[perm]).labels_
    pd.testing.assert_series_equal(base.loc[Z.index[perm]], pd.Series(other, index=Z.index[perm]))


def test_without_order_by_labels_follow_size():
    X = np.r_[np.zeros((3, 2)), np.full((7, 2), 5.0)] + np.arange(10)[:, None] * 0.01
    labels = SegmentKMeans(2, random_state=0).fit(X).labels_
    assert np.bincount(labels).tolist() == [7, 3]


def test_predict_agrees_with_fit(planted):
    X, Z, _ = planted
    model = SegmentKMeans(4, random_state=0).fit(Z, order_by=X["revenue"])
    np.testing.assert_array_equal(model.predict(Z), model.labels_)
    assert model.cluster_centers_.shape == (4, 3)
    with pytest.raises(DataError, match="expected 3 feature columns"):
        model.predict(Z.iloc[:, :2])


# ------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("data", "k", "message"),
    [
        (np.arange(6.0).reshape(3, 2), 5, r"n_clusters=5 needs more customers than clusters, but there are only 3"),
        (np.c_[np.arange(10.0), np.ones(10)], 2, r"\['1'\] are constant"),
        (np.c_[np.arange(10.0), np.r_[np.nan, np.arange(9.0)]], 2, r"1 missing value\(s\) in column '1'.*fill them"),
        (np.array([[1.0, 2.0]]), 2, r"1 customer\(s\) but at least 2"),
        (np.r_[np.zeros((5, 2)), np.ones((5, 2))], 3, r"only 2 distinct feature rows"),
    ],
    ids=["fewer-than-k", "constant", "missing", "single-customer", "duplicates"],
)
def test_bad_input_raises_clear_data_error(data, k, message):
    with pytest.raises(DataError, match=message):
        SegmentKMeans(k).fit(data)


def test_bad_k_arguments(planted):
    X, Z, _ = planted
    with pytest.raises(DataError, match="integer >= 2"):
        SegmentKMeans(1).fit(Z)
    short = choose_k(Z.iloc[:10], k_range=range(2, 51), n_init=1, gap_references=2)
    assert short.table.index.tolist() == list(range(2, 10))  # shortened to what 10 customers support
    assert "k was tried from 2 to 9 instead of 2 to 50" in short.k_range_note
    with pytest.raises(DataError, match="from 2 up"):
        choose_k(Z, k_range=range(1, 4))
    with pytest.raises(DataError, match="method='fast' is unknown"):
        SegmentKMeans(3, method="fast").fit(Z)
    with pytest.raises(DataError, match="one finite number per customer"):
        SegmentKMeans(3).fit(Z, order_by=X["revenue"].iloc[:5])


def test_missing_values_in_dataframe_name_the_column(planted):
    _, Z, _ = planted
    bad = Z.copy()
    bad.iloc[7, 1] = np.nan
    with pytest.raises(DataError, match=r"column 'n_orders' \(first customer: c0007\)"):
        choose_k(bad, k_range=range(2, 4))


# ------------------------------------------------------------------------------------- knee


def test_find_knee():
    assert _find_knee([1, 2, 3, 4, 5, 6], [100, 40, 20, 15, 12, 10]) == 3
    assert _find_knee(range(2, 10), [10 / k for k in range(2, 10)]) in (3, 4)
    assert _find_knee([1, 2, 3, 4], [4, 3, 2, 1]) is None  # a straight line has no knee
    assert _find_knee([1, 2, 3], [5, 5, 5]) is None
    with pytest.raises(DataError, match="increasing x"):
        _find_knee([1, 3, 2], [3, 2, 1])


# -------------------------------------------------------------------------------------- stability


def test_stability_flags_planted_k_as_stable(planted):
    _, Z, _ = planted
    table = stability(Z, k_range=[3, 4, 7], n_refits=5, random_state=0)
    assert table.loc[4, "ari_mean"] >= 0.95
    assert bool(table.loc[4, "stable"])
    assert table.loc[4, "ari_mean"] > table.loc[7, "ari_mean"]
    assert (table["ari_min"] <= table["ari_mean"]).all()


def test_stability_validates_arguments(planted):
    _, Z, _ = planted
    with pytest.raises(DataError, match="n_refits >= 2"):
        stability(Z, k_range=[2, 3], n_refits=1)


# ------------------------------------------------------------------------------ profiles and names


def test_profile_sizes_and_shares(planted):
    X, Z, _ = planted
    labels = SegmentKMeans(4, random_state=0).fit(Z, order_by=X["revenue"]).labels_
    prof = cluster_profile(X, labels)
    assert prof["n_customers"].sum() == len(X)
    assert prof["revenue_share"].sum() == pytest.approx(1.0)
    assert prof["customer_share"].sum() == pytest.approx(1.0)
    assert prof.loc[0, "mean_revenue"] == pytest.approx(X["revenue"][labels == 0].mean())
    assert prof["revenue"].is_monotonic_decreasing


def test_relative_importance_value():
    f = pd.DataFrame({"revenue": [10.0, 30.0, 20.0, 20.0]})
    rel = relative_importance(f, [0, 0, 1, 1])
    assert rel.loc[0, "revenue"] == pytest.approx(0.0)
    rel = relative_importance(pd.DataFrame({"revenue": [30.0, 30.0, 0.0, 0.0]}), [0, 0, 1, 1])
    assert rel.loc[0, "revenue"] == pytest.approx(1.0) and rel.loc[1, "revenue"] == pytest.approx(-1.0)


def test_names_describe_the_planted_groups(planted):
    X, Z, truth = planted
    labels = SegmentKMeans(4, random_state=0).fit(Z, order_by=X["revenue"]).labels_
    means = standardised_means(Z, labels)
    one_off = X["n_orders"].groupby(labels).median().eq(1)
    names = name_clusters(means, one_off=one_off)
    assert names.is_unique and len(names) == 4
    assert names[0] == "recent frequent high spenders"  # the top-revenue cluster
    lapsed = pd.Series(labels)[truth == 1].mode()[0]
    assert "lapsed" in names[lapsed] and "one-off" in names[lapsed]


def test_names_are_made_unique_with_the_next_trait():
    z = pd.DataFrame(
        {"days_since_last_purchase": [-1.0, -1.0, 1.0], "n_orders": [1.0, 1.0, -1.0],
         "revenue": [1.0, 1.0, -1.0], "avg_discount": [0.8, -0.7, 0.0]}
    )
    names = name_clusters(z)
    assert names.is_unique
    assert names.tolist() == [
        "recent frequent discount-driven high spenders",
        "recent frequent full-price high spenders",
        "lapsed occasional low spenders",
    ]
    same = name_clusters(pd.DataFrame({"revenue": [1.0, 1.0]}))
    assert same.tolist() == ["high spenders (1)", "high spenders (2)"]


def test_closest_segment_is_modal():
    labels = [0, 0, 0, 1, 1]
    segments = pd.Series(["Champions", "Champions", "At risk", "Lost", "At risk"])
    out = closest_segment(labels, segments)
    assert out.loc[0, "segment"] == "Champions"
    assert out.loc[0, "segment_share"] == pytest.approx(2 / 3)
    assert out.loc[1, "segment"] == "At risk"  # tie broken alphabetically
    with pytest.raises(DataError, match="one entry per customer"):
        closest_segment([0, 1], segments)


# ------------------------------------------------------------------------------------------- PCA


def test_pca_sign_convention_and_variance(planted):
    _, Z, _ = planted
    res = principal_components(Z)
    w = res.loadings.to_numpy()
    np.testing.assert_allclose((w**2).sum(axis=0), 1.0)
    assert (w[np.abs(w).argmax(axis=0), range(w.shape[1])] > 0).all()
    assert res.explained["cumulative"].iloc[-1] == pytest.approx(1.0)
    cov = np.cov(res.scores.to_numpy().T)
    np.testing.assert_allclose(cov - np.diag(np.diag(cov)), 0, atol=1e-9)
    np.testing.assert_allclose(res.scores["PC1"].var(), res.model.explained_variance_[0])


def test_describe_components_uses_loadings():
    rng = np.random.default_rng(0)
    base = rng.normal(size=500)
    Z = pd.DataFrame(
        {"n_orders": base + rng.normal(0, 0.1, 500), "revenue": base + rng.normal(0, 0.1, 500),
         "days_since_last_purchase": -base + rng.normal(0, 0.1, 500), "avg_discount": rng.normal(size=500)}
    )
    desc = _describe_components(principal_components(Z), n_components=2)
    first = desc.loc["PC1"]
    assert set(first["high_scores"].split(", ")) == {"frequent", "high-spending", "recent"}
    assert set(first["low_scores"].split(", ")) == {"occasional", "low-spending", "lapsed"}
    assert "discount" in desc.loc["PC2", "high_scores"] or "full-price" in desc.loc["PC2", "high_scores"]
    assert first["meaning"].startswith("PC1 (7")


# ------------------------------------------------------------------------------------------ plots


def test_plots_return_axes(planted, selection):
    X, Z, _ = planted
    labels = selection.labels[4]
    names = name_clusters(standardised_means(Z, labels))
    res = principal_components(Z)
    calls = [
        lambda ax: cluster_plots.plot_k_metric(selection.table, "gap", chosen_k=4, best_k=4, ax=ax),
        lambda ax: cluster_plots.plot_stability(stability(Z, k_range=[2, 3], n_refits=2), ax=ax),
        lambda ax: cluster_plots.plot_snake(standardised_means(Z, labels), names=names, ax=ax),
        lambda ax: cluster_plots.plot_importance(relative_importance(X, labels), names=names, ax=ax),
        lambda ax: cluster_plots.plot_scree(res.explained, ax=ax),
        lambda ax: cluster_plots.plot_loadings(res.loadings, ax=ax),
        lambda ax: cluster_plots.plot_biplot(res, hue=pd.Series(labels, name="cluster"), max_points=100, ax=ax),
    ]
    for call in calls:
        fig, ax = plt.subplots()
        assert call(ax) is ax
        assert ax.has_data() and ax.get_title()  # drew something on the axes it was given, with a title
        plt.close(fig)


# ------------------------------------------------------------------------------- shared label order


def test_order_labels_rule_total_then_size_then_tiebreak():
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 3, 3])
    # totals: 0 -> 20, 1 -> 3, 2 -> 20, 3 -> 2; sizes 2, 3, 2, 2
    order_by = np.array([10.0, 10.0, 1.0, 1.0, 1.0, 10.0, 10.0, 1.0, 1.0])
    centres = np.array([[5.0, 0.0], [0.0, 0.0], [1.0, 9.0], [0.0, 0.0]])
    # 0 and 2 tie on total and size: the smaller centroid (2: x = 1 < 5) comes first
    assert _order_labels(labels, order_by, tiebreak=centres).tolist() == [1, 2, 0, 3]
    # the same tie by first customer: label 0's first customer (row 0) comes before label 2's (row 5)
    assert _order_labels(labels, order_by).tolist() == [0, 2, 1, 3]
    # no order_by: by size (1 has 3 customers), then first customer
    assert _order_labels(labels).tolist() == [1, 0, 2, 3]
    # an empty raw label goes last
    assert _order_labels(np.array([0, 2, 2]), n_labels=3).tolist() == [1, 2, 0]


def test_kmeans_labels_use_the_shared_order(planted):
    X, Z, _ = planted
    model = SegmentKMeans(4, random_state=0).fit(Z, order_by=X["revenue"])
    raw = model.estimator_.labels_
    mapping = _order_labels(raw, X["revenue"].to_numpy(), tiebreak=model.estimator_.cluster_centers_)
    np.testing.assert_array_equal(model.labels_, mapping[raw])
    with pytest.raises(DataError, match=r"one finite number per customer \(600\)"):
        _check_order_by(np.r_[X["revenue"].to_numpy()[:-1], np.nan], len(X))


# ------------------------------------------------------------------------------ the whole workflow


def test_kmeans_segmentation_is_the_documented_steps():
    customers, _ = planted_customers(n_per_group=60, seed=2)
    options = {"k_range": range(3, 6), "n_init": 2, "gap_references": 2, "stability_refits": 3, "random_state": 4}
    seg = cluster.kmeans_segmentation(customers, **options)
    Z = make_preprocessor().fit_transform(customer_features(customers).table)
    pd.testing.assert_frame_equal(seg.scaled, Z)
    stab = stability(Z, k_range=range(3, 6), n_refits=3, n_init=2, random_state=4)
    pd.testing.assert_frame_equal(seg.stability, stab)
    sel = choose_k(Z, k_range=range(3, 6), n_init=2, gap_references=2, candidates=stab.index[stab["stable"]],
                   random_state=4)
    assert seg.k == sel.chosen_k == seg.selection.chosen_k
    labels = SegmentKMeans(seg.k, n_init=2, random_state=4).fit(Z, order_by=customers["revenue"]).labels_
    np.testing.assert_array_equal(seg.labels, labels)
    names = seg.segment_names(name="seg")
    assert names.name == "seg" and names.index.equals(customers.index)
    assert (names.astype(str).to_numpy() == seg.summary["cluster_name"].to_numpy()[labels]).all()
    fixed = cluster.kmeans_segmentation(customers, n_clusters=5, **options)
    assert fixed.k == 5 and len(fixed.summary) == 5 and fixed.selection.chosen_k == seg.k


def test_cluster_names_are_the_summary_names(planted):
    X, Z, _ = planted
    labels = SegmentKMeans(4, random_state=0).fit(Z, order_by=X["revenue"]).labels_
    described = describe_clusters(X, labels, Z)
    one_off = X["n_orders"].groupby(labels).median().eq(1)
    pd.testing.assert_series_equal(described.names, name_clusters(standardised_means(Z, labels), one_off=one_off),
                                   check_names=False)
    assert any("one-off" in n for n in described.names)  # the planted one-off group
    without_orders = describe_clusters(X.drop(columns="n_orders"), labels, Z).names
    assert not any("one-off" in n for n in without_orders)


def test_segment_actions_rules():
    customers = pd.DataFrame(
        {"revenue": [50.0, 50.0, 2.0, 2.0, 3.0, 3.0, 10.0, 10.0],
         "days_since_last_purchase": [5, 8, 300, 400, 20, 30, 500, 600]}
    )
    labels = [0, 0, 1, 1, 2, 2, 3, 3]
    out = cluster.segment_actions(customers, labels, names=pd.Series(["a", "b", "c", "d"]))
    # median customer: 165 days, so 1 (350) and 3 (550) are lapsed; only 0 earns >= 1.5 x its customer share
    assert out["action"].str.split(":").str[0].tolist() == ["protect", "win back", "grow", "win back"]
    assert out["customer_share"].tolist() == [0.25] * 4
    assert out.loc[0, "revenue_share"] == pytest.approx(100 / 130)
    assert out["median_days_since_last_purchase"].tolist() == [6.5, 350.0, 25.0, 550.0]
    assert out["name"].tolist() == ["a", "b", "c", "d"] and out.index.name == "segment"
    stricter = cluster.segment_actions(customers, labels, value_ratio=5.0)
    assert stricter.loc[0, "action"].startswith("grow")  # 0.77 < 5 x 0.25
    with pytest.raises(DataError, match="days_since_last_purchase"):
        cluster.segment_actions(customers[["revenue"]], labels)


# ------------------------------------------------------------------------------------ PCA helpers


def test_components_for_variance_and_agreement(planted):
    X, Z, _ = planted
    res = principal_components(Z)
    cumulative = res.explained["cumulative"].to_numpy()
    for target in (0.5, 0.9, 1.0):
        m = res.n_components_for(target)
        assert cumulative[m - 1] >= target - 1e-9 and (m == 1 or cumulative[m - 2] < target - 1e-9)
    with pytest.raises(DataError, match="variance target"):
        res.n_components_for(1.5)
    labels = SegmentKMeans(4, random_state=0).fit(Z).labels_
    table = res.agreement(labels, n_clusters=4, random_state=0)
    assert table.index.tolist() == [2, 3]
    assert table.loc[3, "ARI_vs_all_features"] == pytest.approx(1.0)  # all components: a rotation
    np.testing.assert_allclose(table["variance_kept"], cumulative[1:])


def test_most_correlated_pair_and_advice():
    rng = np.random.default_rng(3)
    base = rng.normal(size=300)
    Z = pd.DataFrame({"n_orders": base + rng.normal(0, 0.1, 300), "revenue": base + rng.normal(0, 0.1, 300),
                      "avg_discount": rng.normal(size=300)})
    a, b, r = _most_correlated_pair(Z)
    assert {a, b} == {"n_orders", "revenue"} and r > 0.95
    res = principal_components(Z)
    agreement = pd.DataFrame({"ARI_vs_all_features": [0.5, 0.95]}, index=pd.Index([2, 3], name="components"))
    keep, switch = (_pca_advice(res, Z, agreement, n_components=m) for m in (2, 3))
    assert len(keep) == 3 and keep[0].startswith("Use PC1-PC2") and "PC1 (" in keep[0]
    assert keep[1].startswith("Keep segmenting on all features") and switch[1].startswith("Segmenting on the first 3")
    assert "nearly redundant" in keep[2]
    loose = _pca_advice(res, Z, agreement, n_components=3, redundancy_threshold=0.999)
    assert loose[2].startswith("No two features are strongly redundant")


# --- tiny customer bases: k_range adapted to the data ----------------------------------------------


def test_feasible_k_range_clips_to_the_customers_and_says_so():
    X = np.random.default_rng(0).normal(size=(6, 3))
    ks, note = _feasible_k_range(range(3, 9), X)
    assert ks == [3, 4, 5] and "6 customers" in note and "3 to 5" in note
    assert _feasible_k_range(range(3, 9), np.random.default_rng(0).normal(size=(50, 3))) == (list(range(3, 9)), "")
    ks, note = _feasible_k_range(range(3, 9), X[:4])
    assert ks == [2, 3] and note
    with pytest.raises(DataError, match="at least 4"):
        _feasible_k_range(range(3, 9), X[:3])


def test_kmeans_segmentation_on_six_customers():
    customers = pd.DataFrame(
        {"days_since_last_purchase": [3, 40, 200, 10, 90, 300], "n_orders": [12, 3, 1, 6, 2, 1],
         "revenue": [1500.0, 210.0, 35.0, 640.0, 120.0, 20.0]},
        index=pd.Index([f"c{i}" for i in range(6)], name="customer_id"))
    result = cluster.kmeans_segmentation(customers, k_range=range(3, 9), n_init=2, gap_references=2,
                                         stability_refits=2, random_state=0)
    assert 3 <= result.k <= 5 and len(result.labels) == 6
    assert "6 customers" in result.k_range_note
