"""The CLV charts, checked for what they draw: points, lines, bars and their data, texts, ticks and the axes used.

Every input is small and made by hand, so each drawn value below is worked out in a comment.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segkit.clv import BetaGeoModel, bootstrap, diagnostics  # noqa: E402
from segkit.clv import plots as clv_plots  # noqa: E402
from segkit.clv import value  # noqa: E402
from segkit.plots import PALETTE  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _two_axes():
    """A figure with two axes; the second is the current one, so drawing on the first must be asked for."""
    fig, (first, second) = plt.subplots(1, 2)
    assert plt.gca() is second
    return first, second


def _hex(color) -> str:
    return mcolors.to_hex(color)


def _centred_note(ax) -> str:
    """The one text of ``ax``, checked to sit in the middle of the axes whatever the data limits; its content."""
    (note,) = ax.texts
    assert note.get_position() == (0.5, 0.5) and note.get_transform() is ax.transAxes
    assert (note.get_horizontalalignment(), note.get_verticalalignment()) == ("center", "center")
    return note.get_text()


# --------------------------------------------------------------------------------------------
# spend against frequency
# --------------------------------------------------------------------------------------------


@pytest.fixture
def spenders() -> pd.DataFrame:
    """Five paid repeat customers, one without repeat purchases and one whose repeat purchases were free."""
    return pd.DataFrame({"frequency": [1, 1, 2, 35, 40, 0, 3], "monetary_value": [10.0, 20.0, 5.0, 100.0, 300.0, 0.0, 0.0]},
                        index=list("abcdefg"))


def test_spend_vs_frequency_draws_each_paid_repeat_customer_and_the_median_per_frequency(spenders) -> None:
    first, second = _two_axes()
    assert clv_plots.plot_spend_vs_frequency(spenders, ax=first) is first and not second.collections
    (points,) = first.collections
    # f (no repeat purchase) and g (free repeat purchases) are not drawn
    assert points.get_offsets().tolist() == [[1, 10.0], [1, 20.0], [2, 5.0], [35, 100.0], [40, 300.0]]
    assert _hex(points.get_facecolor()[0]) == _hex(PALETTE[0])
    # many customers: small, see-through points (smaller than matplotlib's default marker, 6 points wide)
    assert points.get_alpha() < 1 and points.get_sizes()[0] < plt.rcParams["lines.markersize"] ** 2
    # medians: frequency 1 -> median(10, 20) = 15; 2 -> 5; 35 and 40 are grouped at 30 -> median(100, 300) = 200
    (median,) = first.lines
    assert median.get_xdata().tolist() == [1, 2, 30] and median.get_ydata().tolist() == [15.0, 5.0, 200.0]
    assert _hex(median.get_color()) == _hex(PALETTE[5])
    assert [t.get_text() for t in first.get_legend().get_texts()] == ["median spend (30 = 30 or more)"]
    assert (first.get_title(), first.get_xlabel(), first.get_ylabel(), first.get_yscale()) == (
        "Gamma-Gamma check: spend vs frequency", "frequency (repeat purchases)",
        "mean spend per repeat purchase (money, log scale)", "log")
    assert not first.texts


def test_spend_vs_frequency_without_paid_repeat_purchases_says_so_on_the_current_axes() -> None:
    plt.figure()
    ax = clv_plots.plot_spend_vs_frequency(pd.DataFrame({"frequency": [0, 2], "monetary_value": [0.0, 0.0]}))
    assert ax is plt.gca()
    assert len(ax.collections[0].get_offsets()) == 0 and ax.get_legend() is None and ax.get_yscale() == "linear"
    assert _centred_note(ax) == "no paid repeat purchases"
    assert ax.get_title() == "Gamma-Gamma check: spend vs frequency"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("frequency (repeat purchases)",
                                                  "mean spend per repeat purchase (money, log scale)")


# --------------------------------------------------------------------------------------------
# CLV distribution
# --------------------------------------------------------------------------------------------


def test_clv_distribution_bins_the_customers_from_1_to_the_largest_clv_on_log_steps() -> None:
    values = pd.Series([0.2, 0.5, 1.0, 3.0, 30.0, 300.0])
    first, second = _two_axes()
    assert clv_plots.plot_clv_distribution(values, ax=first) is first and not second.patches
    bars = first.patches
    assert len(bars) == 39 and sum(bar.get_height() for bar in bars) == 4  # 40 edges; the four CLVs >= 1
    left = np.array([bar.get_x() for bar in bars])
    right = left + np.array([bar.get_width() for bar in bars])
    assert left[0] == pytest.approx(1.0) and right[-1] == pytest.approx(300.0)
    np.testing.assert_allclose(np.log(right / left), np.log(300.0) / 39)  # equal steps on the log axis
    assert {_hex(bar.get_facecolor()) for bar in bars} == {_hex(PALETTE[0])}
    assert (first.get_title(), first.get_xlabel(), first.get_ylabel(), first.get_xscale()) == (
        "Predicted CLV per customer (2 customers below 1 not shown)", "predicted CLV (money, log scale)",
        "customers (count)", "log")


def test_clv_distribution_of_small_values_spans_at_least_1_to_10() -> None:
    plt.figure()
    ax = clv_plots.plot_clv_distribution([1, 2, 5])  # a plain list of whole numbers, on the current axes
    assert ax is plt.gca()
    right = ax.patches[-1].get_x() + ax.patches[-1].get_width()
    assert ax.patches[0].get_x() == pytest.approx(1.0) and right == pytest.approx(10.0)
    assert sum(bar.get_height() for bar in ax.patches) == 3
    assert ax.get_title() == "Predicted CLV per customer (0 customers below 1 not shown)"


def test_clv_distribution_below_1_everywhere_draws_no_customer() -> None:
    ax = clv_plots.plot_clv_distribution(pd.Series([0.0, 0.3, 0.9]), ax=plt.subplots()[1])
    assert sum(bar.get_height() for bar in ax.patches) == 0
    assert ax.get_title() == "Predicted CLV per customer (3 customers below 1 not shown)"


# --------------------------------------------------------------------------------------------
# tiers
# --------------------------------------------------------------------------------------------


def test_tiers_compare_the_share_of_customers_with_the_share_of_value() -> None:
    tiers = value.tier_summary(pd.Series([10.0, 5.0, 3.0, 2.0]), pd.Series(["top", "rest", "rest", "rest"]))
    first, second = _two_axes()
    assert clv_plots.plot_tiers(tiers, ax=first) is first and not second.patches
    legend = first.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["share of customers", "share of value"]
    assert legend._loc == 7  # centre right, between the bars of the two tiers
    assert first.get_title() == "Customers and value by tier"
    plt.figure()
    assert clv_plots.plot_tiers(tiers) is plt.gca()


# --------------------------------------------------------------------------------------------
# P(alive) and purchase matrices
# --------------------------------------------------------------------------------------------


def test_matrix_fills_the_axes_with_one_cell_per_value_and_its_own_colour_bar() -> None:
    matrix = pd.DataFrame(np.arange(6.0).reshape(2, 3), index=pd.Index([0, 1], name="frequency"),
                          columns=pd.Index([0.0, 50.0, 100.0], name="recency"))
    first, second = _two_axes()
    assert clv_plots.plot_matrix(matrix, title="t", label="probability", ax=first) is first and not second.images
    (image,) = first.images
    assert first.get_aspect() == "auto"  # cells stretch to the axes, not squares
    assert image.get_interpolation() == "nearest"  # one flat colour per cell, no smoothing
    assert image.colorbar is not None and image.colorbar.mappable is image
    assert image.colorbar.ax.get_ylabel() == "probability"


def test_matrix_ticks_at_most_six_and_labels_them_with_frequency_and_recency() -> None:
    # 21 frequencies and 25 recencies, as history_matrices draws by default: six ticks each way
    rows, columns = np.arange(21), np.linspace(0.0, 240.0, 25)
    matrix = pd.DataFrame(np.zeros((21, 25)), index=rows, columns=columns)
    plt.figure()
    ax = clv_plots.plot_matrix(matrix, title="P(alive)", label="probability")
    assert ax is plt.gca()
    # rows: linspace(0, 20, 6) = 0, 4, ..., 20; columns: positions round(linspace(0, 24, 6)) = 0, 5, 10, 14, 19, 24
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "4", "8", "12", "16", "20"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "50", "100", "140", "190", "240"]
    assert ax.get_xticks().tolist() == [0, 5, 10, 14, 19, 24]


def test_matrix_labels_ticks_with_the_frequencies_shown_and_recency_read_back_as_text() -> None:
    # frequencies 5 to 7 only, recencies as text (a matrix read back from a CSV file)
    matrix = pd.DataFrame([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], index=[5, 6, 7], columns=["0.0", "30.0"])
    ax = clv_plots.plot_matrix(matrix, title="t", label="l", ax=plt.subplots()[1])
    assert ax.get_yticks().tolist() == [0, 1, 2] and [t.get_text() for t in ax.get_yticklabels()] == ["5", "6", "7"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "30"]


# --------------------------------------------------------------------------------------------
# bootstrap interval
# --------------------------------------------------------------------------------------------


def _interval(draws, reason=None) -> bootstrap.TotalCLVInterval:
    draws = np.asarray(draws, dtype=float)
    bounds = (90.0, 120.0) if draws.size else (np.nan, np.nan)
    return bootstrap.TotalCLVInterval(estimate=100.0, lower=bounds[0], upper=bounds[1], level=0.8,
                                    n_draws=draws.size, draws=draws, reason=reason)


def test_bootstrap_draws_on_the_axes_asked_for_or_the_current_one() -> None:
    first, second = _two_axes()
    assert clv_plots.plot_bootstrap(_interval([90.0, 100.0, 120.0]), ax=first) is first
    assert len(first.lines) == 3 and not second.lines and not first.texts
    plt.figure()
    ax = clv_plots.plot_bootstrap(_interval([90.0, 100.0, 120.0]))
    assert ax is plt.gca() and sum(bar.get_height() for bar in ax.patches) == 3


def test_bootstrap_without_draws_shows_the_estimate_and_the_reason() -> None:
    ax = clv_plots.plot_bootstrap(_interval([], reason="the spend model is a plain average"), ax=plt.subplots()[1])
    assert [line.get_xdata()[0] for line in ax.lines] == [100.0] and not ax.patches  # the estimate only
    assert ax.get_title() == "Total CLV: no interval"
    assert _centred_note(ax) == "no interval:\nthe spend model is a plain average"
    assert ax.texts[0].get_wrap()  # a long reason is wrapped inside the axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("total predicted CLV (money)", "parameter draws (count)")
    ax = clv_plots.plot_bootstrap(_interval([]), ax=plt.subplots()[1])
    assert _centred_note(ax) == "no interval:\nno parameter draws"


# --------------------------------------------------------------------------------------------
# holdout validation
# --------------------------------------------------------------------------------------------


def _validation(by_frequency: pd.DataFrame | None = None) -> diagnostics.HoldoutValidation:
    days = pd.date_range("2024-01-01", periods=28, name="date")  # Monday 1 January to Sunday 28 January
    tracking = pd.DataFrame({"actual": 1.0, "expected": 2.0, "cumulative_actual": np.arange(1.0, 29.0),
                             "cumulative_expected": np.arange(2.0, 57.0, 2.0)}, index=days)
    if by_frequency is None:
        by_frequency = pd.DataFrame({"actual": [0.1], "predicted": [0.2]}, index=["0"])
    return diagnostics.HoldoutValidation("done", calibration_end=pd.Timestamp("2024-01-14"),
                                         model=BetaGeoModel.from_params(r=0.6, alpha=25.0, a=0.8, b=3.0),
                                         by_frequency=by_frequency, tracking=tracking)


def test_validation_by_frequency_spaces_the_frequencies_evenly_as_categories() -> None:
    # whole-number frequencies with a gap: 0, 1 and 5 stand side by side, labelled, not on a number line
    table = pd.DataFrame({"actual": [0.1, 0.5, 3.0], "predicted": [0.2, 0.4, 2.5]}, index=[0, 1, 5])
    ax = clv_plots.plot_validation(_validation(table), ax=plt.subplots()[1])
    actual, predicted = ax.lines
    assert list(actual.get_xdata()) == ["0", "1", "5"] and list(predicted.get_xdata()) == ["0", "1", "5"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "5"]
    assert list(ax.get_xticks()) == [0, 1, 2]


def test_validation_weekly_view_draws_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = clv_plots.plot_validation(_validation(), kind="weekly", ax=plt.subplots()[1])
    # four Sunday-ending weeks, the last one dropped: 7 purchases a week actual, 14 expected
    assert ax.lines[0].get_ydata().tolist() == [7.0] * 3 and ax.lines[1].get_ydata().tolist() == [14.0] * 3
