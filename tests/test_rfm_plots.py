"""Smoke tests of the five RFM charts that check what is drawn: bars and their heights, labels, titles."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segkit.rfm import (  # noqa: E402
    plot_migration,
    plot_pareto,
    plot_rf_heatmap,
    plot_score_distributions,
    plot_segment_shares,
    rfm_segments,
)
from segkit.rfm.scores import rfm_scores  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture
def four() -> pd.DataFrame:
    """Four customers whose bins=4 scores are worked out by hand in rfm_scores' docstring:
    R = 4, 3, 2, 1; F = 4, 1, 1, 3 (b and c tie on 1 order); M = 4, 1, 3, 2."""
    return pd.DataFrame(
        {"days_since_last_purchase": [3, 40, 200, 400], "n_orders": [5, 1, 1, 2],
         "revenue": [500.0, 40.0, 80.0, 60.0]},
        index=pd.Index(["a", "b", "c", "d"], name="customer_id"),
    )


def bar_heights(ax) -> list[float]:
    return [round(p.get_height(), 6) for p in ax.patches]


def test_score_distributions_draws_one_bar_per_dimension_and_level(four, ax):
    scores = rfm_scores(four, bins=4, warn=False)
    out = plot_score_distributions(scores, bins=4, ax=ax)
    assert out is ax
    assert len(ax.patches) == 3 * 4  # R, F, M at levels 1..4
    # bars are drawn dimension by dimension, levels 1..4 within each; F: 2 of 4 tie at 1, level 2 empty
    assert bar_heights(ax) == [25.0] * 4 + [50.0, 0.0, 25.0, 25.0] + [25.0] * 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "R (days_since_last_purchase)", "F (n_orders)", "M (revenue)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]
    assert ax.get_title() == "How customers spread over the R, F and M scores"
    assert ax.get_xlabel() == "score (higher is better)" and ax.get_ylabel() == "customers (%)"


def test_rf_heatmap_writes_the_mean_in_filled_cells_only(four, ax):
    segments = rfm_segments(four, bins=4, lifecycle=None, warn=False)
    plot_rf_heatmap(segments, value="revenue", bins=4, ax=ax)
    # (R, F) cells: a (4, 4) 500, b (3, 1) 40, c (2, 1) 80, d (1, 3) 60; the other 12 cells are blank
    assert sorted(t.get_text() for t in ax.texts) == ["40", "500", "60", "80"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["4", "3", "2", "1"]  # R from best down
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]
    mesh = ax.collections[0].get_array()
    assert int(np.ma.count(mesh)) == 4 and float(np.ma.max(mesh)) == 500.0
    assert ax.get_title() == "Mean revenue per customer by recency and frequency score"
    assert ax.get_xlabel() == "F score (more orders →)" and ax.get_ylabel() == "R score (more recent ↑)"


def test_segment_shares_draws_two_bars_per_group_in_the_given_order(ax):
    summary = pd.DataFrame({"customers_pct": [10.0, 30.0, 60.0], "revenue_pct": [50.0, 30.0, 20.0]},
                           index=pd.Index(["Champions", "At Risk", "Lost"], name="segment"))
    plot_segment_shares(summary, ax=ax)
    assert len(ax.patches) == 6
    assert [round(p.get_width(), 6) for p in ax.patches] == [10.0, 30.0, 60.0, 50.0, 30.0, 20.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Champions", "At Risk", "Lost"]
    assert ax.yaxis_inverted()  # the first group is drawn at the top
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["share of customers", "share of revenue"]
    assert ax.get_title() == "Customers and revenue by segment"


def test_pareto_marks_the_abc_boundaries_worked_out_by_hand(ax):
    # revenue 50, 30, 10, 6, 4 (total 100): A = 50 and 30 (crosses 80%), B = 10 and 6, C = 4
    revenue = pd.Series([50.0, 30.0, 10.0, 6.0, 4.0])
    plot_pareto(revenue, ax=ax)
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [line.get_xdata()[0] for line in dotted] == [40.0, 80.0]  # A ends at 2 of 5, B at 4 of 5
    labels = {t.get_text(): t.get_position()[0] for t in ax.texts}
    assert labels == {"A": 20.0, "B": 60.0, "C": 90.0}  # each letter centred in its tier
    assert ax.get_title() == "Concentration of revenue and the ABC tiers"
    curve = ax.get_lines()[0]
    assert curve.get_ydata()[-1] == pytest.approx(100.0) and curve.get_xdata()[-1] == pytest.approx(100.0)


def test_pareto_uses_the_tiers_it_is_given(ax):
    revenue = pd.Series([50.0, 30.0, 10.0, 6.0, 4.0])
    plot_pareto(revenue, tiers=pd.Series(["A", "B", "B", "C", "C"]), ax=ax)
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [line.get_xdata()[0] for line in dotted] == [20.0, 60.0]


def test_migration_heatmap_colours_row_shares_and_writes_counts(ax):
    matrix = pd.DataFrame([[3, 1], [0, 4]], index=pd.Index(["x", "y"], name="earlier segment"),
                          columns=pd.Index(["x", "y"], name="later segment"))
    plot_migration(matrix, ax=ax)
    assert [t.get_text() for t in ax.texts] == ["3", "1", "0", "4"]
    assert np.asarray(ax.collections[0].get_array()).ravel().tolist() == [75.0, 25.0, 0.0, 100.0]
    assert ax.get_xlabel() == "later segment" and ax.get_ylabel() == "earlier segment"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]
    assert ax.get_title() == "Where customers moved between the two snapshots"


@pytest.fixture
def other_axes():
    """Axes that are *not* the current ones: a chart given ``ax`` must draw there, not on plt.gca()."""
    fig, ax = plt.subplots()
    current_fig, current = plt.subplots()
    yield ax, current
    plt.close(fig)
    plt.close(current_fig)


def legend_corner(ax) -> tuple[float, float, float, float]:
    """The drawn legend box in axes fractions (x0, y0, x1, y1)."""
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent().transformed(ax.transAxes.inverted())
    return box.x0, box.y0, box.x1, box.y1


def test_score_distributions_bars_sit_side_by_side_in_three_colours(four, other_axes):
    from matplotlib.colors import to_rgba
    from matplotlib.font_manager import FontProperties

    import seaborn as sns

    ax, current = other_axes
    scores = rfm_scores(four, bins=4, warn=False)
    plot_score_distributions(scores, bins=4, ax=ax)
    assert len(current.patches) == 0 and len(ax.patches) == 12
    width = 0.8 / 3  # three bars share 0.8 of each level's slot
    for i, dim_bars in enumerate([ax.patches[0:4], ax.patches[4:8], ax.patches[8:12]]):
        for level, bar in zip(range(1, 5), dim_bars):
            assert bar.get_width() == pytest.approx(width)
            assert bar.get_x() + bar.get_width() / 2 == pytest.approx(level + (i - 1) * width)  # R left, F centre
            assert bar.get_facecolor() == to_rgba(sns.color_palette()[i])
    assert len({bar.get_facecolor() for bar in ax.patches}) == 3
    small = FontProperties(size="small").get_size_in_points()
    assert all(t.get_fontsize() == small for t in ax.get_legend().get_texts())
    x0, _, _, y1 = legend_corner(ax)
    assert x0 < 0.1 and y1 > 0.9  # upper left


def test_score_distributions_refuse_scores_beyond_bins(four, ax):
    from segkit.errors import DataError

    scores = rfm_scores(four, bins=4, warn=False)
    with pytest.raises(DataError, match=r"outside 1..3"):
        plot_score_distributions(scores, bins=3, ax=ax)
    with pytest.raises(DataError, match=r"bins=1 "):
        plot_score_distributions(scores, bins=1, ax=ax)
    plot_score_distributions(scores, bins=6, ax=ax)  # a wider scale than used: levels 5 and 6 are empty
    assert len(ax.patches) == 18 and bar_heights(ax)[4:6] == [0.0, 0.0]


def test_rf_heatmap_on_other_bins_and_values(four, other_axes):
    from segkit.errors import DataError

    ax, current = other_axes
    segments = rfm_segments(four, bins=4, lifecycle=None, warn=False)
    plot_rf_heatmap(segments, value="n_orders", bins=5, ax=ax)
    assert not current.collections and len(ax.collections) == 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5", "4", "3", "2", "1"]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "2", "5"]  # n_orders of b, c, d, a
    assert ax.get_title() == "Mean n_orders per customer by recency and frequency score"
    assert ax.collections[0].colorbar.ax.get_ylabel() == "mean n_orders"
    with pytest.raises(DataError, match=r"lack column\(s\) \['tenure_days'\]"):
        plot_rf_heatmap(segments, value="tenure_days", bins=4, ax=ax)
    with pytest.raises(DataError, match=r"outside 1..3"):
        plot_rf_heatmap(segments, bins=3, ax=ax)


def test_segment_shares_draws_on_the_axes_it_is_given(other_axes):
    ax, current = other_axes
    summary = pd.DataFrame({"customers_pct": [40.0, 60.0], "revenue_pct": [70.0, 30.0]}, index=["A", "B"])
    assert plot_segment_shares(summary, ax=ax) is ax
    assert len(ax.patches) == 4 and not current.patches


def test_pareto_with_other_abc_shares_and_given_string_tiers(other_axes):
    ax, current = other_axes
    # revenue 50, 30, 10, 6, 4 with a=0.5, b=0.9: 50 A (nothing before), 30 B (.5 before), 10 B (.8), 6 and 4 C
    revenue = pd.Series([50.0, 30.0, 10.0, 6.0, 4.0])
    plot_pareto(revenue, a=0.5, b=0.9, ax=ax)
    assert not current.lines
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [line.get_xdata()[0] for line in dotted] == [20.0, 60.0]
    assert all(line.get_color() == "grey" and line.get_linewidth() == 1 for line in dotted)
    letters = [t for t in ax.texts]
    assert [(t.get_text(), t.get_position()) for t in letters] == [("A", (10.0, 4)), ("B", (40.0, 4)), ("C", (80.0, 4))]
    assert all((t.get_ha(), t.get_va(), t.get_fontweight()) == ("center", "bottom", "bold") for t in letters)
    x0, y0, x1, y1 = legend_corner(ax)
    assert x1 > 0.9 and y0 < 0.5 < y1  # centre right


def test_pareto_orders_given_tiers_and_allows_an_empty_tier(ax):
    # tiers given as plain labels, C first and no B: A ends at 1 of 4 customers, B is empty, C fills the rest
    revenue = pd.Series([1.0, 90.0, 5.0, 4.0])
    plot_pareto(revenue, tiers=pd.Series(["C", "A", "C", "C"]), ax=ax)
    dotted = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert [line.get_xdata()[0] for line in dotted] == [25.0, 25.0]
    assert {t.get_text(): t.get_position()[0] for t in ax.texts} == {"A": 12.5, "B": 25.0, "C": 62.5}


def test_migration_heatmap_draws_on_the_axes_it_is_given(other_axes):
    ax, current = other_axes
    matrix = pd.DataFrame([[1, 1], [1, 3]], index=["x", "y"], columns=["x", "y"])
    plot_migration(matrix, ax=ax)
    assert not current.collections
    mesh = ax.collections[0]
    # shares 50, 50, 25, 75: the colour scale still runs over 0..100%
    assert (mesh.norm.vmin, mesh.norm.vmax) == (0, 100)
    assert mesh.colorbar.ax.get_ylabel() == "% of the earlier segment"
    assert ax.get_xlabel() == "later" and ax.get_ylabel() == "earlier"  # unnamed axes


def test_migration_heatmap_shares_are_of_the_row_and_counts_written_as_integers(ax):
    import matplotlib as mpl

    matrix = pd.DataFrame([[120, 40], [30, 10]], index=["x", "y"], columns=["x", "y"])
    plot_migration(matrix, ax=ax)
    # rows sum to 160 and 40: 75% / 25% in both rows (column shares would be 80 / 80 / 20 / 20)
    assert np.asarray(ax.collections[0].get_array()).ravel().tolist() == [75.0, 25.0, 75.0, 25.0]
    assert [t.get_text() for t in ax.texts] == ["120", "40", "30", "10"]
    assert all(t.get_fontsize() == 7 for t in ax.texts)
    assert ax.collections[0].get_cmap().name == mpl.colormaps["cividis"].name
