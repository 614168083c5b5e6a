"""What the clustering plots draw, checked on small hand-made inputs (matplotlib Agg)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.markers import MarkerStyle  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from segkit.cluster import plots as cluster_plots  # noqa: E402
from segkit.cluster.pca import PCAResult  # noqa: E402
from segkit.cluster.ward import WardClustering  # noqa: E402
from segkit.plots import PALETTE  # noqa: E402


def hexed(colour) -> str:
    return mcolors.to_hex(colour)


def _texts(labels) -> list[str]:
    return [label.get_text() for label in labels]


@pytest.fixture
def two_axes():
    """Two axes; the second is the current one, so a plot that ignores ``ax`` draws there."""
    fig, (given, current) = plt.subplots(1, 2)
    plt.sca(current)
    yield given, current
    plt.close(fig)


def _blank(ax) -> bool:
    return not (ax.lines or ax.patches or ax.collections or ax.texts or ax.images)


K_TABLE = pd.DataFrame({"gap": [0.2, 0.5, 0.4], "gap_se": [0.05, 0.1, 0.02], "inertia": [9.0, 5.0, 4.0],
                        "ari_mean": [0.9, 0.7, 0.5], "ari_min": [0.8, -0.05, 0.2], "stable": [True, False, False]},
                       index=pd.Index([2, 3, 4], name="k"))
EXPLAINED = pd.DataFrame({"explained_variance_ratio": [0.5, 0.3], "cumulative": [0.5, 0.8]}, index=["PC1", "PC2"])
LOADINGS = pd.DataFrame({"PC1": [0.8, -0.6], "PC2": [0.6, 0.8]}, index=["revenue", "n_orders"])
REL = pd.DataFrame({"revenue": [0.5, -0.25], "n_orders": [2.0, -1.0]})


def _hand_made_pca(loadings: pd.DataFrame, n: int = 40) -> PCAResult:
    """|PC1| = 5 and |PC2| = 2 for every customer: the 95 % quantiles of |score| are 5 and 2."""
    signs = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    scores = pd.DataFrame({"PC1": 5.0 * signs, "PC2": 2.0 * signs[::-1]},
                          index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"))
    return PCAResult(scores=scores, loadings=loadings, explained=EXPLAINED, model=None)


# ------------------------------------------------------------------------------- the given axes

@pytest.mark.parametrize("draw", [
    lambda ax: cluster_plots.plot_k_metric(K_TABLE, "gap", chosen_k=3, best_k=3, ax=ax),
    lambda ax: cluster_plots.plot_stability(K_TABLE, ax=ax),
    lambda ax: cluster_plots.plot_snake(LOADINGS, ax=ax),
    lambda ax: cluster_plots.plot_importance(REL, ax=ax),
    lambda ax: cluster_plots.plot_scree(EXPLAINED, ax=ax),
    lambda ax: cluster_plots.plot_loadings(LOADINGS, ax=ax),
    lambda ax: cluster_plots.plot_pc_scatter(_hand_made_pca(LOADINGS).scores, ax=ax),
    lambda ax: cluster_plots.plot_biplot(_hand_made_pca(LOADINGS), ax=ax),
    lambda ax: cluster_plots.plot_merge_gaps(pd.DataFrame({"gap": [1.0, 2.0]}, index=[2, 3]), ax=ax),
], ids=["k_metric", "stability", "snake", "importance", "scree", "loadings", "pc_scatter", "biplot", "merge_gaps"])
def test_every_plot_draws_on_the_given_axes_not_the_current_one(two_axes, draw):
    given, current = two_axes
    assert draw(given) is given
    assert not _blank(given) and _blank(current)


def test_dendrogram_draws_on_the_given_axes_with_a_black_dashed_cut_in_the_legend(two_axes):
    rng = np.random.default_rng(3)
    X = pd.DataFrame(np.vstack([rng.normal(0, 0.1, (6, 2)), rng.normal(5, 0.1, (4, 2))]), columns=["a", "b"])
    model = WardClustering(n_clusters=2).fit(X)
    given, current = two_axes
    assert cluster_plots.plot_dendrogram(model, truncate=None, ax=given) is given
    assert given.collections and _blank(current)
    legend = given.get_legend()
    assert _texts(legend.get_texts()) == ["0: segment 0 (6)", "1: segment 1 (4)", "cut: 2 segments"]
    cut = legend.get_lines()[-1]
    assert (hexed(cut.get_color()), cut.get_linestyle()) == ("#000000", "--")
    assert legend._loc == 1  # upper right
    small = FontProperties(size="small").get_size_in_points()
    assert all(t.get_fontsize() == small for t in legend.get_texts())


# ------------------------------------------------------------------------------- choosing k

def test_k_metric_gap_error_bars_are_one_standard_error_either_side(two_axes):
    ax, _ = two_axes
    cluster_plots.plot_k_metric(K_TABLE, "gap", chosen_k=4, best_k=3, ax=ax)
    assert len(ax.get_lines()) == 3 + 2  # the curve, the best, the chosen k, and the two rows of caps
    bars = ax.containers[0]
    segments = bars.lines[2][0].get_segments()
    assert np.asarray(segments) == pytest.approx(np.array([[[2, 0.15], [2, 0.25]], [[3, 0.4], [3, 0.6]],
                                                           [[4, 0.38], [4, 0.42]]]))
    assert hexed(bars.lines[2][0].get_colors()[0]) == hexed(PALETTE[0])
    caps = bars.lines[1]
    assert len(caps) == 2 and all(cap.get_markersize() == 6 for cap in caps)  # capsize 3 -> 6-point caps
    curve = ax.get_lines()[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    best, chosen = lines["best by this criterion (k = 3)"], lines["chosen k = 4"]
    assert best.get_markersize() == 12 and curve.get_markersize() < best.get_markersize()
    assert chosen.get_linewidth() == 1


def test_stability_default_threshold_and_limits_with_a_negative_agreement(two_axes):
    ax, _ = two_axes
    cluster_plots.plot_stability(K_TABLE, ax=ax)
    assert list(ax.get_lines()[0].get_ydata()) == [0.8, 0.8] and ax.get_lines()[0].get_linewidth() == 1
    assert _texts(ax.get_legend().get_texts()) == ["lowest pair", "stable from ARI 0.8"]
    assert ax.get_ylim() == (0.0, 1.05)  # an ARI below zero does not move the axis
    lowest = ax.collections[0]
    assert lowest.get_sizes().tolist() == [200] and lowest.get_zorder() == 3
    dash = MarkerStyle("_")
    assert lowest.get_paths()[0].vertices.tolist() == dash.get_path().transformed(dash.get_transform()).vertices.tolist()


# ------------------------------------------------------------------------------- profiles

def test_snake_zero_line_and_colours_past_the_palette(two_axes):
    ax, _ = two_axes
    eight = pd.DataFrame({"revenue": np.linspace(-1, 1, 8)})
    cluster_plots.plot_snake(eight, ax=ax)
    assert [hexed(line.get_color()) for line in ax.get_lines()[:8]] == [hexed(c) for c in PALETTE]
    zero = ax.get_lines()[-1]
    assert list(zero.get_ydata()) == [0, 0] and zero.get_linewidth() == 1
    fig, other = plt.subplots()
    try:
        nine = pd.DataFrame({"revenue": np.linspace(-1, 1, 9)})
        cluster_plots.plot_snake(nine, ax=other)
        husl = [hexed(c) for c in sns.color_palette("husl", 9)]
        assert [hexed(line.get_color()) for line in other.get_lines()[:9]] == husl
        assert len(set(husl)) == 9
    finally:
        plt.close(fig)


def test_importance_colours_are_the_diverging_map_centred_on_zero(two_axes):
    ax, _ = two_axes
    cluster_plots.plot_importance(REL, ax=ax)
    vlag = sns.color_palette("vlag", as_cmap=True)
    mesh = ax.collections[0]
    # cells in row order: +0.5, +2.0, -0.25, -1.0 on a scale from -2 to +2
    expected = [vlag((v + 2) / 4) for v in [0.5, 2.0, -0.25, -1.0]]
    assert np.asarray(mesh.get_facecolors())[:, :3] == pytest.approx(np.asarray(expected)[:, :3], abs=0.01)
    colour_bar = ax.figure.axes[-1]
    formatter = colour_bar.yaxis.get_major_formatter()
    assert formatter(1.0, 0) == "100%" and formatter(-0.5, 0) == "\u221250%"
    assert all(t.get_rotation() == 30 for t in ax.get_xticklabels())


def test_loadings_colours_are_the_diverging_map_from_minus_one_to_one(two_axes):
    ax, _ = two_axes
    cluster_plots.plot_loadings(LOADINGS, ax=ax)
    vlag = sns.color_palette("vlag", as_cmap=True)
    expected = [vlag((v + 1) / 2) for v in [0.8, 0.6, -0.6, 0.8]]
    assert np.asarray(ax.collections[0].get_facecolors())[:, :3] == pytest.approx(np.asarray(expected)[:, :3],
                                                                                 abs=0.01)


def test_scree_limits_and_eighty_percent_line(two_axes):
    ax, _ = two_axes
    cluster_plots.plot_scree(EXPLAINED, ax=ax)  # the cumulative line stops at 80 %
    assert ax.get_ylim() == (0.0, 105.0)
    eighty = ax.get_lines()[1]
    assert list(eighty.get_ydata()) == [80, 80] and eighty.get_linewidth() == 1


# ------------------------------------------------------------------------------- PCA

def _offsets(ax) -> np.ndarray:
    return np.asarray(ax.collections[0].get_offsets())


def test_pc_scatter_points_are_the_scores_when_all_fit():
    n = 3000
    rng = np.random.default_rng(1)
    scores = pd.DataFrame({"PC1": rng.normal(size=n), "PC2": rng.normal(size=n)})
    fig, (a, b) = plt.subplots(1, 2)
    try:
        cluster_plots.plot_pc_scatter(scores, ax=a)  # exactly the default 3000: all drawn, in order
        assert _offsets(a).tolist() == scores[["PC1", "PC2"]].to_numpy().tolist()
        more = pd.concat([scores, scores.iloc[:1]], ignore_index=True)
        cluster_plots.plot_pc_scatter(more, ax=b)
        assert len(_offsets(b)) == 3000
    finally:
        plt.close(fig)


def test_pc_scatter_sample_is_seeded_and_defaults_to_seed_zero():
    rng = np.random.default_rng(2)
    scores = pd.DataFrame({"PC1": rng.normal(size=200), "PC2": rng.normal(size=200)})
    fig, axs = plt.subplots(1, 4)
    try:
        cluster_plots.plot_pc_scatter(scores, max_points=30, ax=axs[0])
        cluster_plots.plot_pc_scatter(scores, max_points=30, ax=axs[1])
        cluster_plots.plot_pc_scatter(scores, max_points=30, random_state=0, ax=axs[2])
        cluster_plots.plot_pc_scatter(scores, max_points=30, random_state=1, ax=axs[3])
        first = _offsets(axs[0]).tolist()
        assert first == _offsets(axs[1]).tolist() == _offsets(axs[2]).tolist()
        assert first != _offsets(axs[3]).tolist()
        rows = {tuple(r) for r in scores.to_numpy().tolist()}
        assert len(first) == 30 and all(tuple(p) in rows for p in first)
    finally:
        plt.close(fig)


def test_pc_scatter_groups_take_the_palette_and_the_style(two_axes):
    ax, _ = two_axes
    scores = pd.DataFrame({"PC1": [0.0, 1.0, 2.0, 3.0], "PC2": [1.0, -1.0, 0.5, 0.0]})
    hue = pd.Series(["b", "a", "b", "a"], name="segment")
    cluster_plots.plot_pc_scatter(scores, hue=hue, ax=ax)
    points = ax.collections[0]
    assert _offsets(ax).tolist() == scores.to_numpy().tolist()
    colours = [hexed(c) for c in points.get_facecolors()]
    assert colours == [hexed(PALETTE[1]), hexed(PALETTE[0]), hexed(PALETTE[1]), hexed(PALETTE[0])]  # a, b sorted
    assert points.get_sizes().tolist() == [10] and points.get_alpha() == 0.6
    assert points.get_linewidths().tolist() == [0]
    legend = ax.get_legend()
    assert legend.markerscale == 2 and all(t.get_fontsize() == 8 for t in legend.get_texts())
    assert legend._loc == 2  # upper left ...
    anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert (anchor.x0, anchor.y0) == pytest.approx((1.01, 1.0))  # ... just outside the axes, top-aligned


def test_biplot_arrows_are_scaled_to_the_scores_and_labelled_beyond_the_tip(two_axes):
    ax, _ = two_axes
    cluster_plots.plot_biplot(_hand_made_pca(LOADINGS), ax=ax)
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    labels = {t.get_text(): t for t in ax.texts if not isinstance(t, Annotation)}
    # spread = min(5, 2) = 2; largest weight 0.8, so scale = 0.8 * 2 / 0.8 = 2
    tips = np.array(sorted(tuple(a.xy) for a in arrows))
    assert tips == pytest.approx(np.array([[-1.2, 1.6], [1.6, 1.2]]))
    assert all(a.get_text() == "" and a.xyann == (0, 0) for a in arrows)
    for a in arrows:
        assert a.arrow_patch is not None
        assert hexed(a.arrow_patch.get_edgecolor()) == "#000000" and a.arrow_patch.get_linewidth() == 1.2
    assert set(labels) == {"revenue", "number of orders"}
    assert labels["revenue"].get_position() == pytest.approx((1.6 * 1.08, 1.2 * 1.08))
    assert labels["number of orders"].get_position() == pytest.approx((-1.2 * 1.08, 1.6 * 1.08))
    assert all(t.get_fontsize() == 8 and t.get_ha() == "center" and t.get_va() == "center" for t in labels.values())


def test_biplot_ranks_features_by_length_of_weights_not_their_sign():
    loadings = pd.DataFrame({"PC1": [0.5, -0.9], "PC2": [0.5, -0.3]}, index=["revenue", "n_orders"])
    fig, ax = plt.subplots()
    try:
        cluster_plots.plot_biplot(_hand_made_pca(loadings), n_arrows=1, ax=ax)
        assert [t.get_text() for t in ax.texts if not isinstance(t, Annotation)] == ["number of orders"]
    finally:
        plt.close(fig)


def test_biplot_defaults_eight_arrows_ties_in_loadings_order_hue_and_seed():
    names = [f"f{i:02d}" for i in range(20)]
    rng = np.random.default_rng(0)
    long = rng.permutation(np.repeat([True, False], 10))
    loadings = pd.DataFrame({"PC1": np.where(long, 0.6, 0.3), "PC2": np.where(long, 0.0, 0.0)}, index=names)
    res = _hand_made_pca(loadings, n=120)
    hue = pd.Series(np.where(np.arange(120) < 60, "x", "y"), name="segment")
    fig, axs = plt.subplots(1, 4)
    try:
        cluster_plots.plot_biplot(res, ax=axs[0])
        drawn = [t.get_text() for t in axs[0].texts if not isinstance(t, Annotation)]
        assert drawn == [n for n, is_long in zip(names, long) if is_long][:8]  # ties kept in the loadings' order
        cluster_plots.plot_biplot(res, hue=hue, max_points=50, ax=axs[1])
        assert _texts(axs[1].get_legend().get_texts()) == ["x", "y"]
        assert axs[1].get_legend().get_title().get_text() == "segment"
        cluster_plots.plot_biplot(res, hue=hue, max_points=50, random_state=0, ax=axs[2])
        cluster_plots.plot_biplot(res, hue=hue, max_points=50, random_state=5, ax=axs[3])
        drawn = [np.hstack([_offsets(a), a.collections[0].get_facecolors()]).tolist() for a in axs[1:]]
        assert len(drawn[0]) == 50
        assert drawn[0] == drawn[1] and drawn[0] != drawn[2]  # the default seed is 0
    finally:
        plt.close(fig)


# ------------------------------------------------------------------------------- Ward

def test_merge_gaps_labels_and_title_without_a_chosen_k(two_axes):
    ax, _ = two_axes
    cluster_plots.plot_merge_gaps(pd.DataFrame({"gap": [1.0, 3.0, 0.5]}, index=[2, 3, 4]), ax=ax)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("number of segments k", "gap in Ward merge height (std. units)")
    assert ax.get_title() == "Gap between merge heights per k"
    assert {hexed(p.get_facecolor()) for p in ax.patches} == {"#999999"}
