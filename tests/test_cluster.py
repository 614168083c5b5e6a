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
    gap = _gap_statistic(Z, k_range=range(2, 8), n_references=5, sample_size=5000, n_init=3, method="auto",
                         random_state=0)
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
    same = name_clusters(pd.DataFrame({"revenue": [1.0, 1.0]}))  # nothing tells them apart: said so, no bare number
    assert same.tolist() == ["high spenders (1st of 2 alike)", "high spenders (2nd of 2 alike)"]


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


def test_past_evidence_sample_k_is_chosen_on_a_seeded_sample_and_every_customer_is_clustered():
    """The documented sample: evidence_sample rows by default_rng(random_state).choice, in table order; the
    stability and the vote are those of that sample, the final model is fitted on every customer."""
    customers, truth = planted_customers(n_per_group=200, seed=3)  # 4 planted groups, 800 customers
    options = {"k_range": range(3, 7), "n_init": 2, "gap_references": 2, "stability_refits": 3, "random_state": 6}
    seg = cluster.kmeans_segmentation(customers, evidence_sample=300, **options)
    Z = make_preprocessor().fit_transform(customer_features(customers).table).to_numpy()
    rows = np.sort(np.random.default_rng(6).choice(len(Z), size=300, replace=False))
    stab = stability(Z[rows], k_range=range(3, 7), n_refits=3, n_init=2, random_state=6)
    pd.testing.assert_frame_equal(seg.stability, stab)
    sel = choose_k(Z[rows], k_range=range(3, 7), n_init=2, gap_references=2,
                   candidates=stab.index[stab["stable"]], random_state=6)
    assert seg.k == sel.chosen_k == len(GROUPS) and seg.evidence_customers == 300
    assert len(seg.labels) == len(customers) and adjusted_rand_score(truth, seg.labels) >= 0.95
    decision = cluster.text.words(seg).decision
    assert ("The evidence for k (stability and the five criteria) comes from a random sample of 300 of the 800 "
            "customers; the final k-means is fitted on all of them.") in decision
    whole = cluster.kmeans_segmentation(customers, evidence_sample=800, **options)
    assert whole.evidence_customers == 0 and "random sample" not in cluster.text.words(whole).decision


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
    meaning = _describe_components(res, n_components=1)["meaning"].iloc[0]
    keep, switch = (_pca_advice(res, Z, agreement, n_components=m, meaning=meaning) for m in (2, 3))
    assert len(keep) == 3 and keep[0].startswith("Use PC1-PC2") and "PC1 (" in keep[0]
    assert keep[1].startswith("Keep segmenting on all features") and switch[1].startswith("Segmenting on the first 3")
    assert "nearly redundant" in keep[2]
    loose = _pca_advice(res, Z, agreement, n_components=3, meaning="", redundancy_threshold=0.999)
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


# --- independent references and hand-computed cases (issue 10, item 6) -------------------------------


def test_stability_is_the_mean_of_the_pairwise_agreements_not_the_minimum():
    """Three partitions of four customers: ARIs 1, -0.5, -0.5 by hand, so the mean (0) and the minimum differ."""
    from segkit.cluster.select import _pairwise_agreement

    same, swapped, crossed = [0, 0, 1, 1], [1, 1, 0, 0], [0, 1, 0, 1]
    stats = _pairwise_agreement([same, swapped, crossed])
    assert stats["ari_mean"] == pytest.approx(0.0, abs=1e-12)
    assert stats["ari_min"] == pytest.approx(-0.5)
    assert stats["ari_sd"] == pytest.approx(np.sqrt(0.5))
    assert _pairwise_agreement([same, swapped])["ari_mean"] == pytest.approx(1.0)


def test_stability_table_on_two_far_apart_groups():
    """Two tight groups 100 SD apart: every refit with k = 2 finds them (mean ARI exactly 1, stable)."""
    rng = np.random.default_rng(4)
    X = np.r_[rng.normal(0, 1, (40, 2)), rng.normal(100, 1, (40, 2))]
    table = stability(X, k_range=[2, 3], n_refits=4, n_init=2, threshold=0.99, random_state=0)
    assert table.loc[2, "ari_mean"] == pytest.approx(1.0) and table.loc[2, "ari_sd"] == pytest.approx(0.0)
    assert bool(table.loc[2, "stable"])
    assert table.loc[3, "ari_min"] <= table.loc[3, "ari_mean"] < 0.99 and not table.loc[3, "stable"]
    with pytest.raises(DataError, match="sample_fraction"):
        stability(X, k_range=[2, 3], sample_fraction=0.05)


def test_find_knee_hand_computed():
    """x = 1..5, y = 10, 4, 2, 1.5, 1: normalised, d = (1 - x) - y = 0, .417, .389, .194, 0.

    The only local maximum is at x = 2; d then falls to 0 < .417 - 1 × .25 (the mean x step), so the
    knee is 2 with sensitivity 1; with sensitivity 2 the threshold (-.083) is never crossed: no knee.
    """
    x, y = [1, 2, 3, 4, 5], [10.0, 4.0, 2.0, 1.5, 1.0]
    assert _find_knee(x, y) == 2
    assert _find_knee(x, y, sensitivity=2.0) is None
    assert _find_knee([0.5, 1.0, 1.5, 2.0, 2.5], y) == 1.0  # a knee at a non-integer x stays a float
    assert isinstance(_find_knee([0.5, 1.5, 2.5, 3.5, 4.5], y), float)
    # an increasing curve lies above its chord: d <= 0 everywhere, no knee
    assert _find_knee(x, [1.0, 1.5, 2.0, 4.0, 10.0]) is None
    with pytest.raises(DataError, match="at least 3 points"):
        _find_knee([1, 2], [2.0, 1.0])
    with pytest.raises(DataError, match="one y per x"):
        _find_knee([1, 2, 3], [3.0, 2.0])


def test_find_knee_takes_the_first_knee_that_drops_far_enough():
    """Two local maxima of d: the first (x = 2) is a knee only if d drops below its threshold before x = 4."""
    x = [1, 2, 3, 4, 5, 6, 7]
    # d = (1 - xn) - yn with xn = (x-1)/6; choose yn to make d = 0, .30, .10, .35, .20, .05, 0
    d = np.array([0, 0.30, 0.10, 0.35, 0.20, 0.05, 0])
    xn = (np.array(x) - 1) / 6
    y = (1 - xn) - d
    # mean x step 1/6 = .167: first max .30 -> threshold .133; d(3) = .10 < .133 -> knee at 2
    assert _find_knee(x, y) == 2
    # sensitivity 1.5: threshold .30 - .25 = .05; d(3) = .10 is not below and the next max comes: knee at 4
    # (threshold .35 - .25 = .10; d falls to .05 after it)
    assert _find_knee(x, y, sensitivity=1.5) == 4


def test_gap_choice_one_standard_error_rule_by_hand():
    gap = pd.DataFrame({"gap": [0.5, 0.9, 1.0, 0.7], "gap_se": [0.1, 0.2, 0.05, 0.1]}, index=pd.Index([2, 3, 4, 5], name="k"))
    # k=2: 0.5 >= 0.9 - 0.2 = 0.7? no. k=3: 0.9 >= 1.0 - 0.05 = 0.95? no. k=4: 1.0 >= 0.7 - 0.1: yes -> 4
    assert _gap_choice(gap) == 4
    # equality counts: gap(3) = 0.95 meets gap(4) - s(4) = 0.95 exactly
    assert _gap_choice(gap.assign(gap=[0.5, 0.95, 1.0, 0.7])) == 3
    assert _gap_choice(gap, candidates=[2, 3]) == 3  # none qualifies among 2, 3: the larger gap
    assert _gap_choice(gap, candidates=[5]) == 5


def test_vote_counts_criteria_and_breaks_ties_by_silhouette():
    from segkit.cluster.select import _candidates, _vote

    table = pd.DataFrame(
        {"silhouette": [0.30, 0.50, 0.40], "calinski_harabasz": [10.0, 5.0, 20.0],
         "davies_bouldin": [0.9, 1.2, 0.8]}, index=pd.Index([2, 3, 4], name="k"))
    gap = pd.DataFrame({"gap": [0.1, 0.2, 0.9], "gap_se": [0.01, 0.01, 0.01]}, index=table.index)
    votes = _vote(table, gap, 3, [2, 3, 4])
    assert votes["best_k"].to_dict() == {"elbow": 3, "silhouette": 3, "calinski_harabasz": 4,
                                         "davies_bouldin": 4, "gap": 4}
    assert votes.loc["gap", "criterion_label"] == "gap statistic (1-SE rule)"
    assert "elbow" not in _vote(table, gap, None, [2, 3, 4]).index  # no knee: the elbow abstains
    assert "elbow" not in _vote(table, gap, 3, [2, 4]).index  # knee not a candidate
    assert _candidates(None, [2, 3]) == [2, 3] and _candidates([], [2, 3]) == [2, 3]
    assert _candidates([3, 7], [2, 3, 4]) == [3]


def test_choose_k_records_its_table_and_candidates(planted):
    _, Z, _ = planted
    sel = choose_k(Z, k_range=[3, 4, 5], n_init=2, gap_references=2, candidates=[4, 5], random_state=0)
    assert sel.table["candidate"].tolist() == [False, True, True]
    assert set(sel.labels) == {3, 4, 5} and all(len(v) == len(Z) for v in sel.labels.values())
    assert sel.k_range_note == ""
    counts = sel.votes["best_k"].value_counts()
    assert sel.chosen_k in counts.index[counts == counts.max()]


def test_order_labels_ties_by_total_then_size():
    # totals 0 -> 5, 1 -> 5, 2 -> 9; sizes 1, 2, 1: 2 first (largest total), then 1 (same total, larger size)
    labels = np.array([0, 1, 1, 2])
    assert _order_labels(labels, np.array([5.0, 2.5, 2.5, 9.0])).tolist() == [2, 1, 0]
    # centroid rows compared lexicographically, first column first: [1, 9] < [2, 0]
    rows = np.array([[2.0, 0.0], [1.0, 9.0]])
    assert _order_labels(np.array([0, 1]), tiebreak=rows).tolist() == [1, 0]
    assert _order_labels(np.array([0, 1]), tiebreak=np.array([[1.0, 5.0], [1.0, 4.0]])).tolist() == [1, 0]


def test_kmeans_centres_and_inertia_by_hand():
    """Two pairs of points: the centres are the pair means and the inertia the squared distances to them."""
    X = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 4.0], [10.0, 2.0]])
    model = SegmentKMeans(2, n_init=3, random_state=0).fit(X)
    assert model.labels_.tolist() == [1, 1, 0, 0, 0]  # by size: the three right-hand points first
    np.testing.assert_allclose(model.cluster_centers_, [[10.0, 2.0], [0.0, 1.0]])
    assert model.inertia_ == pytest.approx(1 + 1 + 4 + 4 + 0)
    assert model.n_features_in_ == 2 and model.n_iter_ >= 1
    assert model.predict(np.array([[9.0, 9.0], [-1.0, 0.0]])).tolist() == [0, 1]
    assert model.fit_predict(X, order_by=np.array([50.0, 50.0, 1.0, 1.0, 1.0])).tolist() == [0, 0, 1, 1, 1]
    frame = pd.DataFrame(X, columns=["a", "b"])
    assert SegmentKMeans(2, random_state=0).fit(frame).feature_names_in_.tolist() == ["a", "b"]


def test_pca_matches_numpy_svd():
    """PCA of a centred matrix X = U S Vᵀ: variance ratios S² / ΣS², loadings ±V, scores X V."""
    rng = np.random.default_rng(11)
    Z = pd.DataFrame(rng.normal(size=(60, 4)) @ rng.normal(size=(4, 4)), columns=list("abcd"))
    res = principal_components(Z)
    centred = Z.to_numpy() - Z.to_numpy().mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(res.explained["explained_variance_ratio"], s**2 / (s**2).sum())
    np.testing.assert_allclose(res.explained["cumulative"], np.cumsum(s**2) / (s**2).sum())
    signs = np.sign(vt[np.arange(4), np.abs(vt).argmax(axis=1)])
    expected = (vt * signs[:, None]).T
    np.testing.assert_allclose(res.loadings.to_numpy(), expected, atol=1e-10)
    np.testing.assert_allclose(res.scores.to_numpy(), centred @ expected, atol=1e-10)
    assert res.loadings.index.tolist() == list("abcd") and res.scores.columns.tolist() == ["PC1", "PC2", "PC3", "PC4"]
    two = principal_components(Z, n_components=2)
    assert two.loadings.shape == (4, 2)
    with pytest.raises(DataError, match="n_components=5 must be between 1 and 4"):
        principal_components(Z, n_components=5)
    with pytest.raises(DataError, match="n_components=0"):
        principal_components(Z, n_components=0)


def test_communalities_by_hand():
    """Communality with m components = Σ_{j≤m} λ_j w_fj² / var(f); all components give 1."""
    rng = np.random.default_rng(2)
    Z = pd.DataFrame(rng.normal(size=(80, 3)) * [3.0, 1.0, 0.5], columns=["a", "b", "c"])
    res = principal_components(Z)
    lam, w = res.model.explained_variance_, res.loadings.to_numpy()
    var = Z.var(ddof=1).to_numpy()
    np.testing.assert_allclose(res.communalities(n_components=1), lam[0] * w[:, 0] ** 2 / var)
    np.testing.assert_allclose(res.communalities(n_components=3), 1.0)
    assert res.communalities().name == "communality" and res.communalities().index.tolist() == ["a", "b", "c"]
    with pytest.raises(DataError, match="between 1 and 3"):
        res.communalities(n_components=4)


def test_n_components_for_by_hand():
    res = principal_components(pd.DataFrame({"a": [0.0, 1, 2, 3], "b": [0.0, 1, 2, 4], "c": [1.0, 0, 1, 0]}))
    cumulative = res.explained["cumulative"].to_numpy()
    assert res.n_components_for(cumulative[0]) == 1  # reaching the target exactly is enough
    assert res.n_components_for(cumulative[0] + 1e-6) == 2
    assert res.n_components_for(1.0) == 3
    with pytest.raises(DataError, match="variance target 0"):
        res.n_components_for(0)


def test_pca_agreement_starts_at_min_components(planted):
    X, Z, _ = planted
    res = principal_components(Z)
    labels = SegmentKMeans(4, random_state=0).fit(Z).labels_
    table = res.agreement(labels, n_clusters=4, min_components=1, random_state=0)
    assert table.index.tolist() == [1, 2, 3] and table.index.name == "components"
    assert table.loc[3, "ARI_vs_all_features"] == pytest.approx(1.0)
    assert table.loc[1, "variance_kept"] == pytest.approx(res.explained["cumulative"].iloc[0])


# --- profiles and names on hand-made numbers ----------------------------------------------------------


def test_name_rule_thresholds_on_hand_made_means():
    z = pd.DataFrame(
        {"days_since_last_purchase": [-0.6, 0.5, 0.0], "n_orders": [0.4, -0.51, 0.0],
         "revenue": [0.5, -0.6, 0.7], "avg_order_value": [1.2, 1.0, -1.5]})
    names = name_clusters(z)
    # 0: recency -0.6 -> recent; orders 0.4 within ±0.5; revenue 0.5 is not above 0.5 -> mid-value;
    #    the strongest other trait 1.2 > 1.0 -> big-basket
    assert names[0] == "recent big-basket mid-value customers"
    # 1: recency 0.5 is not beyond 0.5; orders -0.51 -> occasional; revenue -0.6 -> low spenders; 1.0 is not > 1.0
    assert names[1] == "occasional low spenders"
    # 2: revenue 0.7 -> high spenders; small-basket at -1.5
    assert names[2] == "small-basket high spenders"
    looser = name_clusters(z, threshold=0.3, extra_threshold=0.9)
    assert looser[0] == "recent frequent big-basket high spenders"
    assert looser[1] == "lapsed occasional big-basket low spenders"
    assert names.name == "cluster_name"


def test_name_rule_one_off_and_unknown_features():
    z = pd.DataFrame({"n_orders": [-1.0, 1.0], "revenue": [-1.0, -1.0], "channel_share_web": [2.0, -2.0],
                      "loyalty_points": [0.0, 0.0]})
    one_off = pd.Series([True, False])
    names = name_clusters(z, one_off=one_off)
    assert names.tolist() == ["one-off web-heavy buyers", "frequent web-light low spenders"]
    unknown = name_clusters(pd.DataFrame({"loyalty_points": [3.0, -3.0]}))
    assert unknown.tolist() == ["high-loyalty points customers", "low-loyalty points customers"]


def test_profile_and_importance_by_hand():
    f = pd.DataFrame({"revenue": [10.0, 30.0, 60.0, 0.0], "n_orders": [1.0, 3.0, 4.0, 0.0]},
                     index=pd.Index(list("abcd"), name="customer_id"))
    labels = [1, 1, 0, 2]
    prof = cluster_profile(f, labels)
    assert prof.index.tolist() == [0, 1, 2]
    assert prof["n_customers"].tolist() == [1, 2, 1]
    assert prof["customer_share"].tolist() == [0.25, 0.5, 0.25]
    assert prof["revenue"].tolist() == [60.0, 40.0, 0.0]
    assert prof["revenue_share"].tolist() == [0.6, 0.4, 0.0]
    assert prof["mean_n_orders"].tolist() == [4.0, 2.0, 0.0]
    rel = relative_importance(f, labels)  # population means: revenue 25, orders 2
    assert rel["revenue"].tolist() == pytest.approx([60 / 25 - 1, 20 / 25 - 1, -1.0])
    assert rel["n_orders"].tolist() == pytest.approx([1.0, 0.0, -1.0])
    zero = relative_importance(pd.DataFrame({"x": [1.0, -1.0]}), [0, 1])
    assert zero["x"].isna().all()  # population mean 0: no ratio
    with pytest.raises(DataError, match="revenue_eur"):
        cluster_profile(f, labels, revenue="revenue_eur")
    with pytest.raises(DataError, match="labels has 3 entries but the features have 4 rows"):
        cluster_profile(f, [0, 1, 1])


def test_describe_clusters_on_hand_made_clusters():
    f = pd.DataFrame({"n_orders": [1.0, 1.0, 9.0, 7.0, 8.0], "revenue": [5.0, 6.0, 90.0, 80.0, 70.0]})
    scaled = (f - f.mean()) / f.std()
    segments = pd.Series(["Lost", "Lost", "Champions", "Champions", "Loyal"], name="RFM segment")
    described = describe_clusters(f, [1, 1, 0, 0, 0], scaled, segments=segments)
    summary = described.summary
    assert summary.columns.tolist()[:6] == ["cluster_name", "n_customers", "customer_share", "revenue_share",
                                            "closest_segment", "closest_segment_share"]
    assert summary["closest_segment"].tolist() == ["Champions", "Lost"]
    assert summary["closest_segment_share"].tolist() == pytest.approx([2 / 3, 1.0])
    assert described.names.tolist() == ["frequent high spenders", "one-off buyers"]
    assert described.segments_name == "RFM segment"
    pd.testing.assert_frame_equal(described.means, scaled.groupby(pd.Series([1, 1, 0, 0, 0], name="cluster")).mean())
    assert "revenue" in described.profile.columns and "revenue" not in summary.columns
    assert describe_clusters(f, [1, 1, 0, 0, 0], scaled).segments_name is None


def test_segment_actions_boundaries_are_inclusive():
    """Revenue share exactly 1.5 × customer share protects; median days exactly 1.5 × overall wins back."""
    customers = pd.DataFrame({"revenue": [3.0, 1.0, 1.0, 1.0, 0.0, 0.0],
                              "days_since_last_purchase": [10, 10, 10, 10, 15, 15]})
    out = cluster.segment_actions(customers, [0, 1, 1, 1, 2, 2])
    # shares: 0 -> 1/6 customers, 3/6 revenue (>= 1.5 × 1/6); 1 -> 3/6 and 3/6 (< 0.75); 2 -> 2/6 and 0
    # median days overall 10; segment 2's median 15 = 1.5 × 10: win back
    assert out["action"].str.split(":").str[0].tolist() == ["protect", "grow", "win back"]
    assert out["revenue_share"].tolist() == pytest.approx([0.5, 0.5, 0.0])
    assert "name" not in out.columns


# --- plots: what is drawn -----------------------------------------------------------------------------


@pytest.fixture
def axes():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def _texts(labels) -> list[str]:
    return [label.get_text() for label in labels]


def test_plot_k_metric_draws_the_curve_the_best_and_the_chosen_k(axes):
    table = pd.DataFrame({"gap": [0.2, 0.5, 0.4], "gap_se": [0.05, 0.05, 0.05], "silhouette": [0.3, 0.6, 0.5]},
                         index=pd.Index([2, 3, 4], name="k"))
    assert cluster_plots.plot_k_metric(table, "gap", chosen_k=4, best_k=3, ax=axes) is axes
    lines = {line.get_label(): line for line in axes.get_lines()}
    curve = axes.get_lines()[0]
    best, chosen = lines["best by this criterion (k = 3)"], lines["chosen k = 4"]
    assert list(curve.get_xdata()) == [2, 3, 4] and list(curve.get_ydata()) == [0.2, 0.5, 0.4]
    assert list(best.get_xdata()) == [3] and list(best.get_ydata()) == [0.5]
    assert list(chosen.get_xdata()) == [4, 4]
    assert _texts(axes.get_legend().get_texts()) == ["best by this criterion (k = 3)", "chosen k = 4"]
    assert axes.get_title() == "gap statistic" and axes.get_ylabel() == "gap statistic (± s.e.)"
    assert [t for t in axes.get_xticks()] == [2, 3, 4]
    assert len(axes.containers) == 1  # the error bars, for the gap only
    fig, other = plt.subplots()
    cluster_plots.plot_k_metric(table, "silhouette", ax=other)
    assert len(other.get_lines()) == 1 and not other.containers and other.get_title() == "silhouette"
    plt.close(fig)


def test_plot_stability_bars_are_the_mean_ari_coloured_by_stability(axes):
    from segkit.plots import PALETTE

    table = pd.DataFrame({"ari_mean": [0.95, 0.6], "ari_min": [0.9, 0.3], "stable": [True, False]},
                         index=pd.Index([2, 3], name="k"))
    cluster_plots.plot_stability(table, threshold=0.8, ax=axes)
    assert [p.get_height() for p in axes.patches] == [0.95, 0.6]
    assert [matplotlib.colors.to_hex(p.get_facecolor()) for p in axes.patches] == [
        matplotlib.colors.to_hex(PALETTE[2]), matplotlib.colors.to_hex(PALETTE[5])]
    assert axes.collections[0].get_offsets()[:, 1].tolist() == [0.9, 0.3]  # the lowest pair per k
    assert list(axes.get_lines()[0].get_ydata()) == [0.8, 0.8]
    assert _texts(axes.get_legend().get_texts()) == ["lowest pair", "stable from ARI 0.8"]


def test_plot_snake_draws_one_line_per_cluster(axes):
    means = pd.DataFrame({"n_orders": [1.0, -1.0, 0.0], "revenue": [0.5, -0.5, 0.0]})
    cluster_plots.plot_snake(means, names=pd.Series(["a", "b", "c"]), ax=axes)
    lines = axes.get_lines()
    assert len(lines) == 4  # three clusters and the zero line
    assert lines[1].get_ydata().tolist() == [-1.0, -0.5]
    assert _texts(axes.get_xticklabels()) == ["number of orders", "revenue"]
    assert _texts(axes.get_legend().get_texts()) == ["a", "b", "c"]
    fig, other = plt.subplots()
    cluster_plots.plot_snake(means, ax=other)
    assert _texts(other.get_legend().get_texts()) == ["cluster 0", "cluster 1", "cluster 2"]
    plt.close(fig)


def test_plot_importance_annotates_every_cell(axes):
    rel = pd.DataFrame({"revenue": [0.5, -0.25], "n_orders": [1.0, -1.0]})
    cluster_plots.plot_importance(rel, names=pd.Series(["top", "rest"]), ax=axes)
    assert _texts(axes.get_yticklabels()) == ["top", "rest"]
    assert _texts(axes.get_xticklabels()) == ["revenue", "number of orders"]
    assert sorted(t.get_text() for t in axes.texts) == sorted(["+50%", "+100%", "-25%", "-100%"])
    fig, other = plt.subplots()
    cluster_plots.plot_importance(rel, ax=other)
    assert _texts(other.get_yticklabels()) == ["cluster 0", "cluster 1"]
    plt.close(fig)


def test_plot_scree_and_loadings(axes):
    explained = pd.DataFrame({"explained_variance_ratio": [0.6, 0.3, 0.1], "cumulative": [0.6, 0.9, 1.0]},
                             index=["PC1", "PC2", "PC3"])
    cluster_plots.plot_scree(explained, ax=axes)
    assert [p.get_height() for p in axes.patches] == pytest.approx([60.0, 30.0, 10.0])
    assert list(axes.get_lines()[0].get_ydata()) == pytest.approx([60.0, 90.0, 100.0])
    assert list(axes.get_lines()[1].get_ydata()) == [80, 80]
    assert _texts(axes.get_xticklabels()) == ["PC1", "PC2", "PC3"]
    fig, other = plt.subplots()
    loadings = pd.DataFrame({"PC1": [0.8, -0.6], "PC2": [0.6, 0.8]}, index=["revenue", "n_orders"])
    cluster_plots.plot_loadings(loadings, ax=other)
    assert _texts(other.get_yticklabels()) == ["revenue", "number of orders"]
    assert sorted(t.get_text() for t in other.texts) == sorted(["+0.80", "-0.60", "+0.60", "+0.80"])
    assert other.get_title() == "PCA loadings"
    plt.close(fig)


def test_pc_scatter_and_biplot_draw_a_sample_and_the_longest_arrows(planted, axes):
    X, Z, _ = planted
    res = principal_components(Z)
    hue = pd.Series(pd.Categorical(np.where(np.arange(len(Z)) % 3 == 0, "b", "a"), categories=["b", "a"]),
                    name="segment")
    cluster_plots.plot_pc_scatter(res.scores, hue=hue, max_points=100, ax=axes)
    assert len(axes.collections[0].get_offsets()) == 100
    assert axes.get_legend().get_title().get_text() == "segment"
    assert _texts(axes.get_legend().get_texts()) == ["b", "a"]  # the categories' own order
    fig, other = plt.subplots()
    cluster_plots.plot_biplot(res, n_arrows=2, max_points=50, ax=other)
    assert len(other.collections[0].get_offsets()) == 50
    longest = (res.loadings[["PC1", "PC2"]] ** 2).sum(axis=1).sort_values(ascending=False).index[:2]
    arrows = [t for t in other.texts if isinstance(t, matplotlib.text.Annotation)]
    labels = [t.get_text() for t in other.texts if not isinstance(t, matplotlib.text.Annotation)]
    assert len(arrows) == 2 and sorted(labels) == sorted(cluster.feature_label(f) for f in longest)
    assert other.get_legend() is None and other.get_title().startswith("Biplot")
    plt.close(fig)


# --- words written from hand-made results -------------------------------------------------------------


def _hand_made_segmentation(*, k_source="data", with_segments=True, votes=None):
    from segkit.cluster.describe import ClusterDescription
    from segkit.cluster.pipeline import KMeansSegmentation
    from segkit.cluster.preprocess import PreparedFeatures
    from segkit.cluster.select import KSelection

    raw = pd.DataFrame({"n_orders": [1.0, 2.0, 3.0, 4.0], "revenue": [10.0, 20.0, 30.0, 440.0]})
    summary = pd.DataFrame({"cluster_name": ["high spenders", "low spenders"], "customer_share": [0.25, 0.75],
                            "revenue_share": [0.88, 0.12]})
    if with_segments:
        summary["closest_segment"] = ["Champions", "Lost"]
    votes = votes if votes is not None else pd.DataFrame(
        {"best_k": [2, 2, 3]}, index=pd.Index(["silhouette", "gap", "davies_bouldin"], name="criterion"))
    table = pd.DataFrame({"candidate": [True, True]}, index=pd.Index([2, 3], name="k"))
    return KMeansSegmentation(
        prepared=PreparedFeatures(raw=raw, scaled=raw, preprocessor=None, feature_set="rfm"),
        stability=pd.DataFrame({"ari_mean": [0.912, 0.5], "ari_min": [0.853, 0.2], "stable": [True, False]},
                               index=[2, 3]),
        selection=KSelection(table=table, votes=votes, chosen_k=2, knee_k=None, labels={}),
        k=2, k_source=k_source, model=None,
        description=ClusterDescription(summary=summary, profile=summary, means=raw, importance=raw,
                                       segments_name="RFM segment" if with_segments else None),
    )


def test_kmeans_words_from_a_hand_made_segmentation():
    w = words(_hand_made_segmentation(), snapshot_date=pd.Timestamp("2026-11-30"))
    assert w.headline == ("**k-means finds 2 customer segments** (chosen from the data; stability ARI 0.91). The top "
                          "segment, *high spenders*, is 25% of customers and 88% of net revenue; it sits mostly in the "
                          "RFM segment Champions.")
    assert w.features == "4 customers at the snapshot date 2026-11-30; 2 features (rfm): number of orders, revenue."
    assert w.revenue_skew.startswith("The biggest spender bought 18 times the median customer's revenue")
    assert w.rule.startswith("Each of five criteria names a best k")
    reason = ("k = 2 is named by 2 of 3 criteria (silhouette (max), gap statistic (1-SE rule)); the others prefer "
              "k = 3 (Davies-Bouldin (min)). The elbow abstains: the inertia curve has no knee.")
    assert w.decision == f"**Decision:** {reason}"
    assert w.choice == f"k = 2: {reason}"
    assert w.record == (
        "**This k-means segmentation with k = 2 is the segmentation of record**: the Ward and PCA reports recompute it "
        "with the same call and seed, compare their own groups with it and use its names. "
        f"Why k = 2: {reason.rstrip('.')}. Why it can be trusted: refitted on random subsamples of 80% of the "
        "customers, it finds the same 2 segments again (mean adjusted Rand index 0.91, lowest pair 0.85). "
        "No other k is stable.")


def test_kmeans_words_when_k_is_set_and_the_criteria_disagree():
    votes = pd.DataFrame({"best_k": [2, 3]}, index=pd.Index(["silhouette", "gap"], name="criterion"))
    w = words(_hand_made_segmentation(k_source="parameter", with_segments=False, votes=votes))
    assert w.headline.startswith("**k-means finds 2 customer segments** (set by parameter; stability ARI 0.91)")
    assert w.headline.endswith("88% of net revenue.")  # no segments given: no closest segment
    assert w.features == "4 customers, 2 features (rfm): number of orders, revenue."
    # 1 of 2 criteria is not a majority: the caveat; the parameter overrides
    assert "The criteria disagree" in w.decision and w.decision.endswith("The parameter n_clusters = 2 overrides it.")
    assert w.choice == "k = 2: set by the parameter n_clusters."


def test_ward_words_from_a_fitted_model():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [5.0, 7.0], [20.0, 0.0]])
    ward = cluster.WardClustering(k_range=(2, 3)).fit(X)
    described = describe_clusters(pd.DataFrame({"revenue": [1.0, 1.0, 1.0, 1.0, 1.0, 5.0]}), ward.labels_,
                                  pd.DataFrame(X, columns=["a", "b"]))
    w = words(ward, description=described, kmeans_ari=0.756)
    top = described.summary.iloc[0]
    assert w.headline == (f"**Ward's tree splits 6 customers into {ward.n_clusters_} segments**; the top segment holds "
                          f"{top['customer_share']:.0%} of customers and {top['revenue_share']:.0%} of net revenue. "
                          "k-means with the same k agrees at an adjusted Rand index of 0.76 (exact Ward).")
    gap = ward.merge_gaps_["gap"].max()
    assert w.rule == (f"**k = {ward.n_clusters_}**, the largest gap ({gap:.1f}) for k between 2 and 3. "
                      f"Path: {ward.method_reason_}")
    fixed = words(cluster.WardClustering(n_clusters=2).fit(X))
    assert fixed.headline is None and fixed.rule.startswith("**k = 2**, fixed by the parameter n_clusters = 2. Path: exact")
    with pytest.raises(TypeError, match="no words for a list"):
        words([1, 2])


def _hand_made_pca():
    from segkit.cluster.pca import PCAResult

    loadings = pd.DataFrame({"PC1": [0.8, 0.6, 0.0], "PC2": [0.0, 0.0, -1.0], "PC3": [0.6, -0.8, 0.0]},
                            index=["revenue", "n_orders", "days_since_last_purchase"])
    explained = pd.DataFrame({"explained_variance_ratio": [0.55, 0.30, 0.15], "cumulative": [0.55, 0.85, 1.0]},
                             index=["PC1", "PC2", "PC3"])
    scores = pd.DataFrame(np.zeros((7, 3)), columns=["PC1", "PC2", "PC3"])
    return PCAResult(scores=scores, loadings=loadings, explained=explained, model=None)


def test_pca_words_from_a_hand_made_result():
    result = _hand_made_pca()
    w = words(result, variance_target=0.8, n_describe=2)
    pc1 = ("PC1 (55% of variance) separates high-spending, frequent customers (high scores) from low-spending, "
           "occasional ones (low scores).")
    pc2 = "PC2 (30% of variance) separates recent customers (high scores) from lapsed ones (low scores)."
    assert w.headline == ("**3 features reduce to 2 components that keep 85% of the variance.** PC1 and PC2 together "
                          f"explain 85%. {pc1} {pc2}")
    assert w.features == "7 customers, 3 features: revenue, number of orders, days since last purchase."
    assert w.components.index.tolist() == ["PC1", "PC2"] and w.components["meaning"].tolist() == [pc1, pc2]
    assert w.components.loc["PC1", "main_features"] == "revenue (+0.80), number of orders (+0.60)"
    assert w.agreement is None and w.advice is None
    assert words(result, variance_target=0.5).headline.startswith("**3 features reduce to 1 components that keep 55%")
    agreement = pd.DataFrame({"ARI_vs_all_features": [0.7, 0.95], "customers": [7, 7]},
                             index=pd.Index([2, 3], name="components"))
    w = words(result, variance_target=0.8, agreement=agreement)
    assert w.agreement == ("With the 2 components needed to keep at least 80% of the variance, the segments agree with "
                           "those on all features at ARI 0.70. ARI ≥ 0.9 needs 3 components.")
    sampled = words(result, variance_target=0.8, agreement=agreement.assign(customers=[5, 5])).agreement
    assert sampled == ("With the 2 components needed to keep at least 80% of the variance, the segments agree with "
                       "those on all features at ARI 0.70 (on a random sample of 5 of the 7 customers). ARI ≥ 0.9 "
                       "needs 3 components.")
    assert w.advice is None  # the advice needs the features
    low = agreement.assign(ARI_vs_all_features=[0.7, 0.8])
    assert words(result, agreement=low).agreement.endswith("No reduced set reaches ARI 0.9.")
    scaled = pd.DataFrame({"revenue": [1.0, 2, 3, 4, 5, 6, 7], "n_orders": [1.0, 2, 3, 4, 5, 6, 8],
                           "days_since_last_purchase": [3.0, -1, 2, 0, 1, -2, 4]})
    w = words(result, agreement=agreement, scaled=scaled)
    assert len(w.advice) == 3 and w.advice[0].startswith("Use PC1-PC2 as the customer map in reports: they hold 85%")
    assert w.advice[1] == "Keep segmenting on all features: the first 2 components change the segments (ARI 0.70)."
    assert w.advice[2].startswith("Revenue and number of orders are nearly redundant (correlation +0.99)")


def test_prepared_and_selection_words():
    from segkit.cluster.preprocess import PreparedFeatures
    from segkit.cluster.select import KSelection

    raw = pd.DataFrame({"tenure_days": [1.0, 2.0], "channel_share_web": [0.5, 1.0]})
    prepared = PreparedFeatures(raw=raw, scaled=raw, preprocessor=None, feature_set="extended")
    assert words(prepared) == ("2 customers, 2 features (extended): tenure (days since first purchase), "
                               "share of orders via web.")
    assert words(prepared, snapshot_date=pd.Timestamp("2026-01-02")).startswith("2 customers at the snapshot date "
                                                                               "2026-01-02; 2 features")
    votes = pd.DataFrame({"best_k": [3, 3, 4]}, index=pd.Index(["elbow", "silhouette", "gap"], name="criterion"))
    table = pd.DataFrame({"candidate": [False, True, True]}, index=pd.Index([2, 3, 4], name="k"))
    sel = KSelection(table=table, votes=votes, chosen_k=3, knee_k=3, labels={})
    assert words(sel) == ("Among the candidate k (3, 4), k = 3 is named by 2 of 3 criteria (elbow (Kneedle knee of "
                          "inertia), silhouette (max)); the others prefer k = 4 (gap statistic (1-SE rule)).")
    sel = KSelection(table=table.assign(candidate=True), votes=votes.drop("elbow"), chosen_k=3, knee_k=2, labels={})
    assert words(sel).endswith("The elbow abstains: its knee, k = 2, is not a candidate.")


def test_feature_check_fit_alone_and_ward_fit_predict():
    from segkit.cluster.preprocess import FeatureCheck

    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.0]})
    check = FeatureCheck().fit(X)
    assert check.feature_names_in_.tolist() == ["a", "b"] and check.n_features_in_ == 2
    with pytest.raises(DataError, match="constant"):
        FeatureCheck().fit(X.assign(b=1.0))
    assert FeatureCheck(allow_constant=True).fit(X.assign(b=1.0)).n_features_in_ == 2
    points = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0], [5.0, 7.0]])
    assert cluster.WardClustering(n_clusters=2).fit_predict(points).tolist() == [1, 1, 0, 0, 0]
    by_revenue = cluster.WardClustering(n_clusters=2).fit_predict(points, order_by=[9.0, 9.0, 1.0, 1.0, 1.0])
    assert by_revenue.tolist() == [0, 0, 1, 1, 1]


def test_words_boundaries_and_fallbacks():
    from segkit.cluster.pca import PCAResult

    seg = _hand_made_segmentation(votes=pd.DataFrame({"best_k": [2, 3]}, index=pd.Index(["silhouette", "gap"])))
    reason = words(seg.selection)
    assert words(seg).decision == (
        f"**Decision:** {reason} The criteria disagree, as they usually do when customer groups overlap: k = 2 is the "
        "best-supported choice, not a certain one; the stable alternatives in the table are defensible too (set "
        "`n_clusters` to use one).")
    import dataclasses

    unnamed = dataclasses.replace(seg, description=dataclasses.replace(seg.description, segments_name=None), k=5,
                                  k_source="parameter")
    headline = words(unnamed).headline
    assert "(set by parameter; stability ARI nan)" in headline  # k = 5 was not among the k tried
    assert headline.endswith("it sits mostly in the segment Champions.")
    X = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]])
    ward = cluster.WardClustering(n_clusters=2).fit(X)
    assert words(ward, kmeans_ari=0.5).headline is None
    assert words(ward, description=describe_clusters(pd.DataFrame({"revenue": [1.0] * 4}), ward.labels_,
                                                     pd.DataFrame(X, columns=["a", "b"]))).headline == (
        "**Ward's tree splits 4 customers into 2 segments**; the top segment holds 50% of customers and 50% of net "
        "revenue (exact Ward).")
    # a weight equal to min_weight (0.3) enters the description; below it only the largest always does
    loadings = pd.DataFrame({"PC1": [0.3, 0.29, -0.9], "PC2": [0.1, -0.2, 0.05]}, index=["revenue", "n_orders", "T"])
    explained = pd.DataFrame({"explained_variance_ratio": [0.6, 0.4], "cumulative": [0.6, 1.0]}, index=["PC1", "PC2"])
    table = _describe_components(PCAResult(scores=pd.DataFrame(), loadings=loadings, explained=explained, model=None),
                                 n_components=2)
    assert table.columns.tolist() == ["variance_share", "high_scores", "low_scores", "main_features", "meaning"]
    assert table.loc["PC1", "main_features"] == "customer age (-0.90), revenue (+0.30)"
    assert table.loc["PC1", "high_scores"] == "younger, high-spending"
    assert table.loc["PC2", "main_features"] == "number of orders (-0.20)"
    assert table["variance_share"].tolist() == [0.6, 0.4]
    tied = pd.DataFrame({"PC1": [0.5, -0.5]}, index=["n_orders", "revenue"])
    one = PCAResult(scores=pd.DataFrame(), loadings=tied, explained=explained.iloc[:1], model=None)
    assert _describe_components(one, n_components=1).loc["PC1", "high_scores"] == "frequent, low-spending"


def test_pca_advice_boundaries_by_hand():
    """a and b correlate at 3/5 by hand (c is uncorrelated with both); values at a threshold count as reaching it."""
    res = _hand_made_pca()
    scaled = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0], "c": [1.0, -1.0, -1.0, 1.0]})
    a, b, r = _most_correlated_pair(scaled)
    assert (a, b) == ("a", "b") and r == pytest.approx(0.6)
    agreement = pd.DataFrame({"ARI_vs_all_features": [0.9]}, index=[2])
    advice = _pca_advice(res, scaled, agreement, n_components=2, meaning="PC1 means x.", redundancy_threshold=r)
    assert advice[0] == "Use PC1-PC2 as the customer map in reports: they hold 85% of the variance; PC1 means x."
    assert advice[1] == "Segmenting on the first 2 components is safe here (ARI 0.90 with all features)."
    assert advice[2] == ("A and b are nearly redundant (correlation +0.60): one of them carries most of the "
                         "information of both.")
    weak = _pca_advice(res, scaled, agreement, n_components=2, meaning="", redundancy_threshold=0.61)
    assert weak[2] == ("No two features are strongly redundant (largest |correlation| 0.60, a and b), so each adds "
                       "its own information.")


def test_kmeans_segmentation_defaults_are_the_documented_steps():
    """With its defaults: features -> stability (8 refits, threshold 0.8) -> vote among the stable k
    (n_init 10, gap B = 5) -> final k-means (n_init 10, seed 0) -> description; every part as computed here."""
    customers, _ = planted_customers(n_per_group=40, seed=3)
    seg = cluster.kmeans_segmentation(customers, k_range=range(3, 6))
    Z = make_preprocessor().fit_transform(customer_features(customers).table)
    stab = stability(Z, k_range=range(3, 6), n_refits=8, n_init=10, threshold=0.8, random_state=0)
    pd.testing.assert_frame_equal(seg.stability, stab)
    sel = choose_k(Z, k_range=range(3, 6), n_init=10, gap_references=5, candidates=stab.index[stab["stable"]],
                   random_state=0)
    pd.testing.assert_frame_equal(seg.selection.table, sel.table)
    assert seg.selection.table["candidate"].tolist() == stab["stable"].tolist()
    assert (seg.k, seg.k_source) == (sel.chosen_k, "data")
    assert (seg.model.n_init, seg.model.random_state) == (10, 0)
    assert seg.model.feature_names_in_.tolist() == ["days_since_last_purchase", "n_orders", "revenue"]
    assert seg.segment_names().name == "segment"
    pd.testing.assert_frame_equal(seg.description.importance, relative_importance(seg.features, seg.labels))
    with pytest.raises(DataError, match="n_clusters=1 must be an integer >= 2"):
        cluster.kmeans_segmentation(customers, k_range=range(3, 5), n_clusters=1, stability_refits=2, n_init=1)


def test_kmeans_segmentation_passes_clean_feature_set_segments_and_seeds():
    customers, _ = planted_customers(n_per_group=30, seed=5)
    ids = customers.index.to_numpy()
    clean = pd.DataFrame({"customer_id": np.repeat(ids, 2), "order_id": np.arange(2 * len(ids)).astype(str),
                          "amount": 10.0, "channel": np.tile(["web", "store"], len(ids)),
                          "is_return": False})
    clean.loc[clean.index % 3 == 0, "channel"] = "web"
    customers = customers.assign(tenure_days=customers["days_since_last_purchase"] + 30,
                                 avg_order_value=customers["revenue"] / customers["n_orders"])
    segments = pd.Series(np.where(customers["revenue"] > customers["revenue"].median(), "High", "Low"),
                         index=customers.index, name="value tier")
    options = {"k_range": range(3, 5), "n_init": 2, "gap_references": 2, "stability_refits": 2}
    seg = cluster.kmeans_segmentation(customers, clean, feature_set="extended", n_clusters=3, segments=segments,
                                      random_state=7, **options)
    assert "channel_share_web" in seg.features.columns and seg.prepared.feature_set == "extended"
    assert (seg.k, seg.k_source, seg.model.n_init, seg.model.random_state) == (3, "parameter", 2, 7)
    assert seg.summary["closest_segment"].isin(["High", "Low"]).all() and seg.description.segments_name == "value tier"
    again = cluster.kmeans_segmentation(customers, clean, feature_set="extended", n_clusters=3, segments=segments,
                                        random_state=7, **options)
    pd.testing.assert_frame_equal(seg.selection.table, again.selection.table)


def test_closest_segment_index_and_describe_revenue_column():
    out = closest_segment([0, 0, 1], pd.Series(["b", "a", "a"]))
    assert out.index.name == "cluster" and out.columns.tolist() == ["segment", "segment_share"]
    assert out.loc[0, "segment"] == "a"  # a tie, broken alphabetically
    f = pd.DataFrame({"spend": [1.0, 3.0, 6.0], "n_orders": [1.0, 2.0, 5.0]})
    described = describe_clusters(f, [0, 0, 1], (f - f.mean()) / f.std(), revenue="spend")
    assert described.summary["revenue_share"].tolist() == [0.4, 0.6]


def test_choose_k_on_two_k_has_no_knee():
    """A range of two k gives a curve of two points: the elbow abstains instead of failing."""
    X = np.r_[np.zeros((5, 2)), np.full((5, 2), 9.0), np.full((5, 2), [0.0, 9.0])] + np.arange(15)[:, None] * 0.01
    sel = choose_k(X, k_range=[2, 3], n_init=2, gap_references=2, random_state=0)
    assert sel.knee_k is None and "elbow" not in sel.votes.index and sel.chosen_k == 3
    assert words(sel).endswith("The elbow abstains: the inertia curve has no knee.")


def test_cluster_plots_label_their_axes_and_reference_lines():
    """The words and reference lines each plot shows (titles, axis labels, threshold and zero lines, limits)."""
    from segkit.plots import PALETTE

    def hexed(colour):
        return matplotlib.colors.to_hex(colour)

    table = pd.DataFrame({"inertia": [9.0, 5.0, 4.0], "ari_mean": [0.9, 0.7, 0.5], "ari_min": [0.8, 0.5, 0.2],
                          "stable": [True, False, False]}, index=pd.Index([2, 3, 4], name="k"))
    fig, axs = plt.subplots(2, 3)
    try:
        ax = cluster_plots.plot_k_metric(table, "inertia", chosen_k=3, best_k=2, ax=axs[0, 0])
        assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
            "inertia", "number of clusters k", "inertia (within-cluster sum of squares)")
        curve = ax.get_lines()[0]
        assert curve.get_marker() == "o" and hexed(curve.get_color()) == hexed(PALETTE[0])
        best, chosen = ax.get_lines()[1], ax.get_lines()[2]
        assert best.get_marker() == "o" and best.get_markerfacecolor() == "none" and hexed(best.get_color()) == hexed(PALETTE[1])
        assert hexed(chosen.get_color()) == hexed(PALETTE[5]) and chosen.get_linestyle() == "--"
        assert list(ax.get_xticks()) == [2, 3, 4]
        assert cluster_plots.plot_k_metric(table, "ari_mean", ax=axs[1, 2]).get_ylabel() == "ari_mean"

        ax = cluster_plots.plot_stability(table, threshold=0.75, ax=axs[0, 1])
        assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
            "Stability of k-means on subsamples", "number of clusters k", "adjusted Rand index between refits")
        assert ax.get_ylim() == (0.0, 1.05) and list(ax.get_xticks()) == [2, 3, 4]
        threshold = ax.get_lines()[0]
        assert (hexed(threshold.get_color()), threshold.get_linestyle()) == (hexed("grey"), "--")
        lowest = ax.collections[0]
        assert hexed(lowest.get_facecolor()[0]) == "#000000" and lowest.get_paths()[0] is not None
        assert _texts(ax.get_legend().get_texts())[1] == "stable from ARI 0.75"

        means = pd.DataFrame({"n_orders": [1.0, -1.0], "revenue": [0.5, -0.5]})
        ax = cluster_plots.plot_snake(means, ax=axs[0, 2])
        assert (ax.get_title(), ax.get_ylabel()) == ("Snake plot of cluster profiles",
                                                     "mean of standardised feature (SD units)")
        zero = ax.get_lines()[-1]
        assert list(zero.get_ydata()) == [0, 0] and hexed(zero.get_color()) == hexed("grey")
        lines = ax.get_lines()[:2]
        assert all(line.get_marker() == "o" for line in lines)
        assert [hexed(line.get_color()) for line in lines] == [hexed(c) for c in PALETTE[:2]]
        assert all(t.get_rotation() == 30 and t.get_horizontalalignment() == "right" for t in ax.get_xticklabels())
        assert list(ax.get_lines()[0].get_xdata()) == [0, 1]

        explained = pd.DataFrame({"explained_variance_ratio": [0.7, 0.3], "cumulative": [0.7, 1.0]},
                                 index=["PC1", "PC2"])
        ax = cluster_plots.plot_scree(explained, ax=axs[1, 0])
        assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
            "Scree plot", "principal component", "variance explained (%)")
        assert ax.get_ylim() == (0.0, 105.0)
        assert [p.get_x() + p.get_width() / 2 for p in ax.patches] == [1, 2]
        assert hexed(ax.patches[0].get_facecolor()) == hexed(PALETTE[0])
        cumulative, eighty = ax.get_lines()
        assert list(cumulative.get_xdata()) == [1, 2] and cumulative.get_marker() == "o"
        assert hexed(cumulative.get_color()) == hexed(PALETTE[1])
        assert (hexed(eighty.get_color()), eighty.get_linestyle()) == (hexed("grey"), "--")
        assert _texts(ax.get_legend().get_texts()) == ["cumulative", "80 %", "per component"]

        loadings = pd.DataFrame({"PC1": [0.8, -0.6]}, index=["revenue", "n_orders"])
        ax = cluster_plots.plot_loadings(loadings, ax=axs[1, 1])
        assert ax.get_xlabel() == "principal component"
        mesh = ax.collections[0]
        assert mesh.get_clim() == (-1.0, 1.0)
        assert ax.figure.axes[-1].get_ylabel() == "weight in component"  # the colour bar
    finally:
        plt.close(fig)


def test_importance_heatmap_scale_is_symmetric_around_zero(axes):
    rel = pd.DataFrame({"revenue": [0.5, -0.25], "n_orders": [2.0, -1.0]})
    cluster_plots.plot_importance(rel, ax=axes)
    assert axes.collections[0].get_clim() == (-2.0, 2.0)
    assert axes.get_title() == "Relative importance of features per cluster"
    assert all(t.get_horizontalalignment() == "right" for t in axes.get_xticklabels())
    assert axes.figure.axes[-1].get_ylabel() == "cluster mean / population mean − 1"
    fig, other = plt.subplots()
    cluster_plots.plot_importance(pd.DataFrame({"revenue": [0.0, 0.0]}), ax=other)
    assert other.collections[0].get_clim() == (-1.0, 1.0)  # all zero: a unit scale, not an empty one
    plt.close(fig)


def test_pc_scatter_labels_and_default_axes(planted):
    X, Z, _ = planted
    res = principal_components(Z)
    fig = plt.figure()
    try:
        ax = cluster_plots.plot_pc_scatter(res.scores, max_points=40)
        assert ax is plt.gca() and len(ax.collections[0].get_offsets()) == 40
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("PC1 score (SD units)", "PC2 score (SD units)")
        assert ax.get_legend() is None
        hue = pd.Series(np.where(np.arange(len(Z)) % 2 == 0, "even", "odd"), name="parity")
        other = cluster_plots.plot_pc_scatter(res.scores, hue=hue, max_points=len(Z) + 1, ax=fig.add_subplot(2, 1, 2))
        assert len(other.collections[0].get_offsets()) == len(Z)  # fewer customers than max_points: all drawn
        assert _texts(other.get_legend().get_texts()) == ["even", "odd"]  # sorted when not categorical
    finally:
        plt.close(fig)


# --- PCA edges and defaults ---------------------------------------------------------------------------


def test_pca_of_two_customers_by_hand_keeps_their_index():
    two = pd.DataFrame({"a": [0.0, 1.0], "b": [0.0, 2.0]}, index=pd.Index(["x", "y"], name="customer_id"))
    one = principal_components(two, n_components=1)
    # the only direction of variation is (1, 2)/sqrt(5); the two customers sit at -+sqrt(5)/2 on it
    assert one.loadings["PC1"].tolist() == pytest.approx([1 / np.sqrt(5), 2 / np.sqrt(5)])
    assert one.scores["PC1"].tolist() == pytest.approx([-np.sqrt(5) / 2, np.sqrt(5) / 2])
    assert one.scores.index.tolist() == ["x", "y"] and one.scores.index.name == "customer_id"
    assert principal_components(two, n_components=2).scores.shape == (2, 2)  # min(customers, features)
    with pytest.raises(DataError, match="n_components=3 must be between 1 and 2"):
        principal_components(two, n_components=3)


def test_communalities_default_to_two_components_as_regression_r2():
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(4)
    base = rng.normal(size=(80, 2))
    data = pd.DataFrame({"a": base[:, 0], "b": base[:, 0] + 0.5 * base[:, 1], "c": rng.normal(size=80),
                         "d": base[:, 1] - base[:, 0]})
    res = principal_components(data)
    two = res.scores[["PC1", "PC2"]].to_numpy()
    r2 = [LinearRegression().fit(two, data[c]).score(two, data[c]) for c in data.columns]
    assert res.communalities().tolist() == pytest.approx(r2)
    assert not np.allclose(res.communalities(n_components=3).to_numpy(), r2)


def test_pca_agreement_uses_the_given_k_and_a_fixed_default_seed(planted):
    X, Z, _ = planted
    res = principal_components(Z)
    labels = SegmentKMeans(3, random_state=0).fit(Z).labels_
    table = res.agreement(labels, n_clusters=3)
    assert table.loc[3, "ARI_vs_all_features"] == pytest.approx(1.0)  # three clusters on a rotation
    rng = np.random.default_rng(5)
    noise = principal_components(pd.DataFrame(rng.uniform(size=(60, 3)), columns=["a", "b", "c"]))
    guess = np.arange(60) % 4
    first = noise.agreement(guess, n_clusters=4, n_init=1)
    pd.testing.assert_frame_equal(first, noise.agreement(guess, n_clusters=4, n_init=1, random_state=0))
    pd.testing.assert_frame_equal(noise.agreement(guess, n_clusters=4),
                                  noise.agreement(guess, n_clusters=4, n_init=10, random_state=0))


def test_pca_agreement_refits_kmeans_with_the_starts_seed_and_sample_asked_for():
    """Uniform noise (no true clusters, so starts and seed matter): each row's ARI is that of scikit-learn's
    KMeans with the same k, starts and seed on the first m scores; a sample takes sample_rows' seeded rows."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from segkit.cluster.compare import sample_rows

    noise = principal_components(pd.DataFrame(np.random.default_rng(5).uniform(size=(60, 3)), columns=list("abc")))
    scores, labels = noise.scores.to_numpy(), np.arange(60) % 4
    everyone = noise.agreement(labels, n_clusters=4, n_init=2, random_state=9)
    rows = sample_rows(np.arange(60), size=40, random_state=9)
    sampled = noise.agreement(labels, n_clusters=4, n_init=2, sample=40, random_state=9)
    for m in (2, 3):
        fit = KMeans(n_clusters=4, n_init=2, random_state=9).fit(scores[:, :m])
        assert everyone.at[m, "ARI_vs_all_features"] == pytest.approx(adjusted_rand_score(labels, fit.labels_))
        fit = KMeans(n_clusters=4, n_init=2, random_state=9).fit(scores[rows, :m])
        assert sampled.at[m, "ARI_vs_all_features"] == pytest.approx(adjusted_rand_score(labels[rows], fit.labels_))
    assert everyone["customers"].tolist() == [60, 60] and sampled["customers"].tolist() == [40, 40]
    # a sample of every customer is no sample: the rows stay in their order
    pd.testing.assert_frame_equal(noise.agreement(labels, n_clusters=4, n_init=2, sample=60, random_state=9), everyone)
    with pytest.raises(DataError) as refused:
        noise.agreement(labels[:-1], n_clusters=4)
    assert str(refused.value) == ("labels has 59 entries for 60 customers; pass one label per customer, in the order "
                                  "of the scores (e.g. model.labels_).")
    with pytest.raises(DataError) as refused:
        noise.agreement(labels, n_clusters=4, sample=4)
    assert str(refused.value) == "sample=4 must be more than n_clusters=4 customers, e.g. 20000."
    assert noise.agreement(labels, n_clusters=4, n_init=1, sample=5)["customers"].tolist() == [5, 5]


def test_pca_words_with_agreement_keep_the_headline_and_describe_three_components_by_default():
    result = _hand_made_pca()
    plain = words(result)  # n_describe 3: every component is described, the headline tells PC1 and PC2
    assert plain.components.index.tolist() == ["PC1", "PC2", "PC3"]
    assert plain.headline.endswith("PC2 (30% of variance) separates recent customers (high scores) from lapsed ones "
                                   "(low scores).")
    agreement = pd.DataFrame({"ARI_vs_all_features": [0.7, 0.9], "customers": [7, 7]},
                             index=pd.Index([2, 3], name="components"))
    scaled = pd.DataFrame({"revenue": [1.0, 2, 3, 4, 5, 6, 7], "n_orders": [1.0, 2, 3, 4, 5, 6, 8],
                           "days_since_last_purchase": [3.0, -1, 2, 0, 1, -2, 4]})
    w = words(result, agreement=agreement, scaled=scaled)
    assert (w.headline, w.features) == (plain.headline, plain.features)
    pd.testing.assert_frame_equal(w.components, plain.components)
    assert w.agreement.endswith("at ARI 0.70. ARI ≥ 0.9 needs 3 components.")  # 0.9 itself is enough
    assert w.advice[0] == ("Use PC1-PC2 as the customer map in reports: they hold 85% of the variance; "
                           + plain.components.at["PC1", "meaning"])


def test_describe_components_defaults_to_three_and_keeps_tied_features_in_loadings_order():
    names = [f"f{i:02d}" for i in range(20)]
    strong = [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0]
    pcs = {f"PC{j}": np.where(strong, 0.4, 0.1) * (1 if j == 1 else 0.5) for j in range(1, 5)}
    loadings = pd.DataFrame(pcs, index=names)
    explained = pd.DataFrame({"explained_variance_ratio": [0.4, 0.3, 0.2, 0.1], "cumulative": [0.4, 0.7, 0.9, 1.0]},
                             index=list(pcs))
    from segkit.cluster.pca import PCAResult

    table = _describe_components(PCAResult(scores=pd.DataFrame(), loadings=loadings, explained=explained, model=None))
    assert table.index.tolist() == ["PC1", "PC2", "PC3"]
    listed = [part.split(" (")[0] for part in table.loc["PC1", "main_features"].split(", ")]
    assert listed == [n for n, s in zip(names, strong) if s]  # equal weights: in the loadings' order


def test_k_range_note_word_for_word():
    from segkit.cluster.text import _k_range_note

    assert _k_range_note([2, 3], [2, 10], n_customers=4, n_distinct=3) == (
        "k was tried from 2 to 3 instead of 2 to 10: the data have only 4 customers (3 with distinct features), "
        "and a segment needs more than one customer.")
