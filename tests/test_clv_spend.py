"""Tests for segkit.clv.gamma_gamma: the likelihood against numerical integration, the edges of q, the checks.

The Gamma-Gamma likelihood of a customer's mean spend m over x purchases is the Gamma(p x,
rate x nu) density of m averaged over nu ~ Gamma(q, rate v); scipy integrates that here, so the
reported log-likelihood is checked against the model's definition, not its closed form.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from segkit.clv import GammaGammaModel
from segkit.clv.simulate import simulate_gamma_gamma
from segkit.errors import DataError


def _exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


def _log_density_by_integration(p: float, q: float, v: float, x: float, m: float) -> float:
    """log of the integral over nu of Gamma(m; shape p x, rate x nu) Gamma(nu; shape q, rate v)."""
    def integrand(nu: float) -> float:
        return stats.gamma.pdf(m, p * x, scale=1.0 / (x * nu)) * stats.gamma.pdf(nu, q, scale=1.0 / v)

    mode = (q - 1) / v if q > 1 else 0.0  # split where the mixing density has its mass
    value = sum(integrate.quad(integrand, a, b, limit=200, epsabs=0, epsrel=1e-12)[0]
                for a, b in ((0, mode + 1e-12), (mode + 1e-12, 10 * (q + 5) / v), (10 * (q + 5) / v, np.inf)))
    return float(np.log(value))


def test_gamma_gamma_reports_the_maximised_likelihood_of_the_mean_spends() -> None:
    frequency = np.repeat([1.0, 2.0, 3.0, 6.0], 10)
    spend = simulate_gamma_gamma(frequency, p=6.0, q=4.0, v=150.0, random_state=4)["monetary_value"].to_numpy()
    model = GammaGammaModel().fit(frequency, spend)
    p, q, v = model.params_
    reference = sum(_log_density_by_integration(p, q, v, x, m) for x, m in zip(frequency, spend))
    assert model.log_likelihood_ == pytest.approx(reference, rel=1e-8)
    assert model.n_customers_ == 40.0 and model.aic_ == pytest.approx(6 - 2 * reference, rel=1e-8)


def test_gamma_gamma_fits_exactly_ten_repeat_customers() -> None:
    frequency = np.array([1, 2, 3, 1, 2, 4, 1, 3, 2, 5, 0, 0], dtype=float)
    spend = np.array([21.4, 62.2, 81.7, 802.5, 102.9, 43.7, 117.8, 138.8, 10.6, 29.7, 0, 0])
    model = GammaGammaModel().fit(frequency, spend)
    assert model.n_customers_ == 10.0 and model.params_["q"] > 1
    with pytest.raises(DataError, match=_exactly(
            "Gamma-Gamma needs at least 10 customers with repeat purchases (frequency > 0); got 9. Use a longer "
            "observation period, or the average order value instead.")):
        GammaGammaModel().fit(frequency[1:], spend[1:])


def test_gamma_gamma_accepts_spend_below_one_money_unit_and_warns_only_for_q_at_most_1() -> None:
    """Spend in thousands (nearly all below 1): v is below 1, q is well above 1, nothing to warn about."""
    frequency = np.repeat([1.0, 2.0, 4.0], 300)
    spend = simulate_gamma_gamma(frequency, p=6.0, q=4.0, v=0.15, random_state=8)["monetary_value"]
    assert (spend < 1).mean() > 0.95
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GammaGammaModel().fit(frequency, spend)
    assert model.params_["v"] < 1 < model.params_["q"]
    assert model.fit_warnings_ == []


def test_expected_spend_at_the_edges_of_q() -> None:
    """E[Z | x, m] = p (v + x m) / (p x + q - 1), defined while p x + q > 1; a new customer's mean spend
    p v / (q - 1) is infinite for q <= 1. By hand with p = 2, v = 10."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division warnings leak to the user
        at_one = GammaGammaModel.from_params(p=2.0, q=1.0, v=10.0)
        got = at_one.expected_spend(np.array([0.0, 1.0]), np.array([0.0, 30.0]))
        assert np.isnan(got[0]) and got[0].dtype == float
        assert got[1] == pytest.approx(2 * (10 + 30) / 2)
        assert at_one.population_mean_spend() == np.inf
        half = GammaGammaModel.from_params(p=2.0, q=1.5, v=10.0)
        assert half.expected_spend(0, 0.0) == pytest.approx(2 * 10 / 0.5)
        assert half.population_mean_spend() == pytest.approx(40.0)
        below = GammaGammaModel.from_params(p=0.2, q=0.5, v=10.0)
        got = below.expected_spend(np.array([0.0, 1.0, 3.0]), np.array([0.0, 12.0, 12.0]))
        assert np.isnan(got[0]) and np.isnan(got[1])  # q + p x = 0.7 <= 1
        assert got[2] == pytest.approx(0.2 * (10 + 36) / 0.1)
        assert below.population_mean_spend() == np.inf


def test_expected_spend_keeps_the_index_and_names_the_series() -> None:
    model = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)
    frequency = pd.Series([0.0, 2.0], index=["a", "b"])
    got = model.expected_spend(frequency, pd.Series([0.0, 40.0], index=["a", "b"]))
    expected = pd.Series([6 * 15 / 3, 6 * (15 + 80) / (12 + 3)], index=["a", "b"], name="expected_spend")
    pd.testing.assert_series_equal(got, expected)


def test_spend_inputs_name_the_negative_frequency() -> None:
    with pytest.raises(DataError, match=_exactly(
            "'frequency' has 1 negative value(s) (of 2). frequency counts repeat purchases, so it is >= 0.")):
        GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0).expected_spend([-1.0, 2.0], [10.0, 20.0])
