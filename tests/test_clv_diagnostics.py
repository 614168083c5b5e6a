"""Tests for segkit.clv.diagnostics by hand: frequency buckets, the spend-frequency check, model tables."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from segkit import clv
from segkit.clv import BetaGeoModel, diagnostics
from segkit.clv.diagnostics import _compare_models, _naive_holdout_forecast


def test_holdout_by_frequency_buckets_by_hand_with_the_default_last_bucket() -> None:
    """Calibration frequencies 0, 0, 2, 7, 9: buckets "0", "2" and "7+" (7 and above by default);
    buckets nobody is in are left out and the buckets keep their order."""
    cal_hold = pd.DataFrame({"frequency_cal": [9, 0, 2, 0, 7], "frequency_holdout": [4, 0, 1, 1, 2]})
    table = diagnostics.holdout_by_frequency(cal_hold, np.array([3.5, 0.25, 1.0, 0.75, 2.5]))
    assert table.index.tolist() == ["0", "2", "7+"]
    assert table.index.dtype.ordered and table.index.dtype.categories[-1] == "7+"
    assert table["customers"].tolist() == [2, 1, 2]
    assert table["actual"].tolist() == [0.5, 1.0, 3.0]
    assert table["predicted"].tolist() == [0.5, 1.0, 3.0]


def test_spend_frequency_correlation_by_hand_at_its_edges() -> None:
    """Three repeat customers with two distinct frequencies (or spend values) are enough; two customers, or one spend value
    for everybody, are not (NaN, without numpy warnings)."""
    customers = pd.DataFrame({"frequency": [1, 1, 3, 0], "monetary_value": [10.0, 20.0, 60.0, 0.0]})
    result = clv.spend_frequency_correlation(customers)
    assert result.n_customers == 3
    assert result.pearson == pytest.approx(stats.pearsonr([1, 1, 3], [10, 20, 60])[0])
    assert result.spearman == pytest.approx(stats.spearmanr([1, 1, 3], [10, 20, 60])[0])
    # two distinct spend values are enough too: spend up then down again, no linear relation
    zigzag = clv.spend_frequency_correlation(pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [10.0, 60.0, 10.0]}))
    assert zigzag.pearson == pytest.approx(0.0, abs=1e-12) and zigzag.spearman == pytest.approx(0.0, abs=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        two = clv.spend_frequency_correlation(customers.iloc[1:])
        same_spend = clv.spend_frequency_correlation(customers.assign(monetary_value=[5.0, 5.0, 5.0, 0.0]))
    assert two.n_customers == 2 and np.isnan(two.pearson) and np.isnan(two.spearman)
    assert same_spend.n_customers == 3 and np.isnan(same_spend.pearson) and np.isnan(same_spend.spearman)


def test_model_table_by_hand() -> None:
    """Two given models with stated log-likelihoods: AIC = 2 k - 2 log L, the better (lower AIC) first."""
    first, second = BetaGeoModel.from_params(r=1.0, alpha=2.0, a=1.0, b=2.0), BetaGeoModel.from_params(
        r=1.0, alpha=3.0, a=1.0, b=2.0)
    first.log_likelihood_, first.aic_ = -100.0, 208.0
    second.log_likelihood_, second.aic_ = -90.0, 188.0
    table = _compare_models({"first": first, "second": second})
    assert table.index.tolist() == ["second", "first"]
    assert table.columns.tolist() == ["log_likelihood", "n_params", "aic", "delta_aic"]
    assert table["log_likelihood"].tolist() == [-90.0, -100.0] and table["n_params"].tolist() == [4, 4]
    assert table["delta_aic"].tolist() == [0.0, 20.0]


def test_naive_forecast_of_a_customer_one_day_old() -> None:
    """Rate = repeat purchases per day of calibration (at least one day): 3 purchases over 1 day, 4 over 2."""
    cal_hold = pd.DataFrame({"frequency_cal": [3.0, 4.0, 1.0], "T_cal": [1.0, 2.0, 0.5]})
    assert _naive_holdout_forecast(cal_hold, t=10).tolist() == [30.0, 20.0, 10.0]


def test_matrix_colour_bar_takes_its_room_from_the_axes_drawn_on() -> None:
    """Drawn on the left of two axes while the right one is current: the colour bar shrinks the left one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from segkit.clv.plots import plot_matrix

    fig, (left, right) = plt.subplots(1, 2)
    plt.sca(right)
    before_left, before_right = left.get_position().width, right.get_position().width
    matrix = pd.DataFrame(np.arange(6.0).reshape(3, 2), index=[0, 1, 2], columns=[0.0, 30.0])
    plot_matrix(matrix, title="P(alive)", label="probability", ax=left)
    assert left.get_position().width < before_left and right.get_position().width == before_right
    assert len(fig.axes) == 3 and fig.axes[2].get_ylabel() == "probability"
    plt.close(fig)
