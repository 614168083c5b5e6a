"""Tests for segkit.clv: recovery of known parameters, closed-form values, edge cases."""

from __future__ import annotations

import dataclasses
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import beta as beta_fn
from scipy.special import gamma as gamma_fn

from segkit import clv, data
from segkit.clv import (
    BetaGeoModel,
    FitWarning,
    GammaGammaModel,
    ParetoNBDModel,
    bootstrap,
    diagnostics,
    predict,
    value,
)
from segkit.clv import text as clv_text
from segkit.clv.diagnostics import SpendCorrelation
from segkit.clv.gamma_gamma import AverageSpendModel
from segkit.datasets import simulate_bgnbd
from segkit.clv.simulate import simulate_gamma_gamma
from segkit.clv.bgnbd import _bgnbd_log_likelihood
from segkit.clv.diagnostics import _compare_models, _naive_holdout_forecast
from segkit.clv.gamma_gamma import _gamma_gamma_log_likelihood
from segkit.clv.pareto import _pareto_nbd_log_likelihood
from segkit.clv.predict import _discounted_purchases
from segkit.clv.simulate import simulate_transactions
from segkit.errors import DataError

TRUE_BG = {"r": 0.6, "alpha": 25.0, "a": 0.8, "b": 3.0}  # alpha in days
TRUE_GG = {"p": 6.0, "q": 4.0, "v": 15.0}
#: Published maximum-likelihood BG/NBD estimates for CDNOW (Fader, Hardie & Lee 2005; time in weeks)
CDNOW = {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}


def _ages(n: int, seed: int) -> np.ndarray:
    """Customers acquired uniformly over two years, observed to the end (whole days)."""
    return np.random.default_rng(seed).integers(30, 731, n).astype(float)


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    """20,000 customers from known BG/NBD and Gamma-Gamma parameters, with a 180-day holdout."""
    n = 20_000
    customers = simulate_bgnbd(n, **TRUE_BG, T=_ages(n, 0), holdout=180.0, random_state=1)
    spend = simulate_gamma_gamma(customers["frequency"], **TRUE_GG, random_state=2)
    return customers.join(spend)


@pytest.fixture(scope="module")
def daily(sim: pd.DataFrame) -> pd.DataFrame:
    """The same customers on a daily grid (whole-day recency), as segkit's customer table has them."""
    out = sim[["frequency", "recency", "T"]].copy()
    out["recency"] = np.ceil(out["recency"]).clip(upper=out["T"])
    out.loc[out["frequency"] == 0, "recency"] = 0.0
    return out


@pytest.fixture(scope="module")
def bg(sim: pd.DataFrame) -> BetaGeoModel:
    return BetaGeoModel().fit(sim["frequency"], sim["recency"], sim["T"])


@pytest.fixture(scope="module")
def gg(sim: pd.DataFrame) -> GammaGammaModel:
    return GammaGammaModel().fit(sim["frequency"], sim["monetary_value"])


def _naive_bgnbd_likelihood(r, alpha, a, b, x, t_x, T):
    """FHL (2005) equation 6 written out directly, without logs (fine for small x)."""
    common = gamma_fn(r + x) * alpha**r / gamma_fn(r)
    alive = beta_fn(a, b + x) / beta_fn(a, b) * common / (alpha + T) ** (r + x)
    dead = np.where(x > 0, beta_fn(a + 1, b + np.maximum(x, 1) - 1) / beta_fn(a, b) * common
                    / (alpha + t_x) ** (r + x), 0.0)
    return alive + dead


# --------------------------------------------------------------------------------------------
# Parameter recovery
# --------------------------------------------------------------------------------------------


def test_bgnbd_recovers_true_parameters_within_3_se(bg: BetaGeoModel) -> None:
    z = (bg.params_ - pd.Series(TRUE_BG)) / bg.standard_errors_
    assert z.abs().max() < 3, z
    assert bg.n_customers_ == 20_000


def test_gamma_gamma_recovers_true_parameters_within_3_se(gg: GammaGammaModel, sim: pd.DataFrame) -> None:
    z = (gg.params_ - pd.Series(TRUE_GG)) / gg.standard_errors_
    assert z.abs().max() < 3, z
    assert gg.n_customers_ == (sim["frequency"] > 0).sum() >= 10_000


def test_standard_errors_match_the_spread_of_estimates_over_replications() -> None:
    """Over 40 simulated data sets, (estimate - truth) / SE should have a spread close to 1."""
    z = []
    for seed in range(40):
        data = simulate_bgnbd(3000, **TRUE_BG, T=_ages(3000, 100 + seed), random_state=seed)
        model = BetaGeoModel().fit(data["frequency"], data["recency"], data["T"])
        z.append(((np.log(model.params_) - np.log(pd.Series(TRUE_BG)))
                  / np.sqrt(np.diag(model.log_covariance_))).to_numpy())
    spread = np.std(np.array(z), axis=0)
    assert np.all((spread > 0.6) & (spread < 1.5)), spread


def test_fit_reports_population_means(bg: BetaGeoModel) -> None:
    means = bg.population_means()
    assert means["purchase_rate"] == pytest.approx(TRUE_BG["r"] / TRUE_BG["alpha"], rel=0.05)
    assert means["dropout_prob"] == pytest.approx(TRUE_BG["a"] / (TRUE_BG["a"] + TRUE_BG["b"]), rel=0.1)


def test_summary_intervals_contain_estimate(bg: BetaGeoModel) -> None:
    summary = bg.summary()
    assert list(summary.columns) == ["estimate", "standard_error", "lower_95", "upper_95"]
    assert (summary["lower_95"] < summary["estimate"]).all() and (summary["estimate"] < summary["upper_95"]).all()
    # the interval is estimate × exp(±1.96 SE) on the log scale, and SE is the delta-method one
    se_log = np.sqrt(np.diag(bg.log_covariance_))
    np.testing.assert_allclose(np.log(summary["upper_95"] / summary["estimate"]), 1.959964 * se_log, rtol=1e-10)
    np.testing.assert_allclose(np.log(summary["estimate"] / summary["lower_95"]), 1.959964 * se_log, rtol=1e-10)
    np.testing.assert_allclose(summary["standard_error"], summary["estimate"] * se_log, rtol=1e-10)


# --------------------------------------------------------------------------------------------
# Weighted (unique triples) fit equals the plain fit
# --------------------------------------------------------------------------------------------


def test_weighted_unique_triple_fit_equals_plain_fit(daily: pd.DataFrame) -> None:
    args = (daily["frequency"], daily["recency"], daily["T"])
    weighted = BetaGeoModel(compress=True).fit(*args)
    plain = BetaGeoModel(compress=False).fit(*args)
    assert weighted.n_unique_ < 0.9 * plain.n_unique_  # the compression did something
    np.testing.assert_allclose(weighted.params_, plain.params_, rtol=1e-6)
    np.testing.assert_allclose(weighted.standard_errors_, plain.standard_errors_, rtol=1e-4)
    assert weighted.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-10)


def test_sample_weight_of_an_aggregated_table_equals_the_plain_fit(daily: pd.DataFrame) -> None:
    counts = daily.value_counts().rename("n").reset_index()
    aggregated = BetaGeoModel(compress=False).fit(counts["frequency"], counts["recency"], counts["T"],
                                                  sample_weight=counts["n"])
    plain = BetaGeoModel(compress=False).fit(daily["frequency"], daily["recency"], daily["T"])
    np.testing.assert_allclose(aggregated.params_, plain.params_, rtol=1e-6)
    assert aggregated.n_customers_ == len(daily)


def test_gamma_gamma_weighted_equals_plain(sim: pd.DataFrame) -> None:
    rounded = sim["monetary_value"].round(0).clip(lower=1)
    a = GammaGammaModel(compress=True).fit(sim["frequency"], rounded)
    b = GammaGammaModel(compress=False).fit(sim["frequency"], rounded)
    assert a.n_unique_ < b.n_unique_
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-6)


# --------------------------------------------------------------------------------------------
# Log-likelihood: against a direct implementation, and at the maximum
# --------------------------------------------------------------------------------------------


def test_bgnbd_log_likelihood_matches_naive_formula() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 12, 500).astype(float)
    T = rng.uniform(1, 60, 500)
    t_x = np.where(x > 0, T * rng.uniform(size=500), 0.0)
    for params in (CDNOW, TRUE_BG, {"r": 2.0, "alpha": 0.5, "a": 3.0, "b": 0.7}):
        naive = np.log(_naive_bgnbd_likelihood(*params.values(), x, t_x, T))
        np.testing.assert_allclose(_bgnbd_log_likelihood(*params.values(), x, t_x, T), naive, rtol=1e-10)


def test_log_likelihood_is_finite_for_huge_frequencies() -> None:
    """The naive formula overflows (gamma(r + x) for x in the thousands); ours does not."""
    x = np.array([500.0, 5000.0, 20000.0])
    ll = _bgnbd_log_likelihood(*CDNOW.values(), x, np.array([90.0, 99.0, 99.5]), np.array([100.0] * 3))
    assert np.all(np.isfinite(ll))
    model = BetaGeoModel.from_params(**CDNOW)
    p_alive = model.probability_alive(x, [90.0, 99.0, 99.5], [100.0] * 3)
    purchases = model.expected_purchases(x, [90.0, 99.0, 99.5], [100.0] * 3, t=10.0)
    assert np.all((p_alive >= 0) & (p_alive <= 1)) and np.all(np.isfinite(purchases) & (purchases >= 0))
    assert np.all(np.isfinite(_gamma_gamma_log_likelihood(6.0, 4.0, 15.0, x, np.array([30.0] * 3))))


def test_reported_log_likelihood_is_the_sum_at_the_estimate(bg: BetaGeoModel, sim: pd.DataFrame,
                                                            gg: GammaGammaModel) -> None:
    total = _bgnbd_log_likelihood(*bg.params_, sim["frequency"], sim["recency"], sim["T"]).sum()
    assert bg.log_likelihood_ == pytest.approx(total, rel=1e-10)
    repeat = sim[sim["frequency"] > 0]
    total_gg = _gamma_gamma_log_likelihood(*gg.params_, repeat["frequency"], repeat["monetary_value"]).sum()
    assert gg.log_likelihood_ == pytest.approx(total_gg, rel=1e-10)


def test_estimate_is_a_maximum(bg: BetaGeoModel, sim: pd.DataFrame) -> None:
    def total(params: np.ndarray) -> float:
        return float(_bgnbd_log_likelihood(*params, sim["frequency"], sim["recency"], sim["T"]).sum())

    best = total(bg.params_.to_numpy())
    for i in range(4):
        for factor in (0.999, 1.001):
            moved = bg.params_.to_numpy().copy()
            moved[i] *= factor
            assert total(moved) < best


def test_gamma_gamma_log_likelihood_is_a_density_in_mean_spend() -> None:
    """For x = 1 the mean spend is one purchase, so the density must integrate to 1."""
    grid = np.linspace(1e-6, 2000.0, 400_001)
    density = np.exp(_gamma_gamma_log_likelihood(6.0, 4.0, 15.0, np.ones_like(grid), grid))
    assert np.trapezoid(density, grid) == pytest.approx(1.0, abs=1e-3)


def test_pareto_nbd_log_likelihood_matches_naive_formula() -> None:
    from scipy.special import gammaln, hyp2f1

    def naive(r, alpha, s, beta, x, t_x, T):
        big, shift = (alpha, s + 1) if alpha >= beta else (beta, r + x)
        z = lambda age: abs(alpha - beta) / (big + age)  # noqa: E731
        a0 = (hyp2f1(r + s + x, shift, r + s + x + 1, z(t_x)) / (big + t_x) ** (r + s + x)
              - hyp2f1(r + s + x, shift, r + s + x + 1, z(T)) / (big + T) ** (r + s + x))
        return (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
                + np.log(1 / ((alpha + T) ** (r + x) * (beta + T) ** s) + s / (r + s + x) * a0))

    rng = np.random.default_rng(4)
    x = rng.integers(0, 8, 300).astype(float)
    T = rng.uniform(1, 40, 300)
    t_x = np.where(x > 0, T * rng.uniform(size=300), 0.0)
    for params in ((0.553, 10.578, 0.606, 11.669), (0.553, 10.578, 0.606, 4.0)):
        np.testing.assert_allclose(_pareto_nbd_log_likelihood(*params, x, t_x, T), naive(*params, x, t_x, T),
                                   rtol=1e-9)


# --------------------------------------------------------------------------------------------
# Predictions: published values and simulation
# --------------------------------------------------------------------------------------------


def test_expected_purchases_of_new_customer_match_cdnow_paper() -> None:
    """FHL (2005) / Hardie's spreadsheet: E[X(t)] for CDNOW at the published estimates (weeks)."""
    model = BetaGeoModel.from_params(**CDNOW)
    times = np.array([0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00])
    expected = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])
    np.testing.assert_allclose(model.expected_purchases_new_customer(times), expected, atol=5e-4)


def test_conditional_expectation_matches_cdnow_paper() -> None:
    """FHL (2005): a CDNOW customer with x=2, t_x=30.43, T=38.86 is expected to buy 1.226 times in 39 weeks."""
    model = BetaGeoModel.from_params(**CDNOW)
    assert model.expected_purchases(2, 30.43, 38.86, t=39.0) == pytest.approx(1.226, abs=1e-3)


def test_probability_alive_is_one_without_repeat_purchases(bg: BetaGeoModel) -> None:
    assert bg.probability_alive(0, 0, 500.0) == 1.0
    p = bg.probability_alive(np.zeros(5), np.zeros(5), np.array([1.0, 10, 100, 1000, 1e6]))
    np.testing.assert_array_equal(p, 1.0)


def test_probability_alive_closed_form() -> None:
    r, alpha, a, b = CDNOW.values()
    expected = 1 / (1 + a / (b + 2 - 1) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2))
    assert BetaGeoModel.from_params(**CDNOW).probability_alive(2, 30.43, 38.86) == pytest.approx(expected, rel=1e-12)


def test_probability_alive_is_calibrated_on_simulated_customers(sim: pd.DataFrame) -> None:
    truth = BetaGeoModel.from_params(**TRUE_BG)
    p = truth.probability_alive(sim["frequency"], sim["recency"], sim["T"])
    residual = sim["alive"].astype(float) - p
    assert abs(residual.mean()) < 4 * residual.std() / np.sqrt(len(sim))
    bins = pd.qcut(p, 5, duplicates="drop")
    by_bin = residual.groupby(bins, observed=True).agg(["mean", "std", "size"])
    assert (by_bin["mean"].abs() < 4 * by_bin["std"] / np.sqrt(by_bin["size"]) + 1e-9).all()


def test_expected_purchases_match_simulated_holdout(sim: pd.DataFrame) -> None:
    truth = BetaGeoModel.from_params(**TRUE_BG)
    predicted = truth.expected_purchases(sim["frequency"], sim["recency"], sim["T"], t=180.0)
    residual = sim["frequency_holdout"] - predicted
    by_frequency = residual.groupby(np.minimum(sim["frequency"], 6)).agg(["mean", "std", "size"])
    assert (by_frequency["mean"].abs() < 4 * by_frequency["std"] / np.sqrt(by_frequency["size"])).all()


def test_expected_spend_is_the_posterior_mean(sim: pd.DataFrame) -> None:
    truth = GammaGammaModel.from_params(**TRUE_GG)
    repeat = sim[sim["frequency"] > 0]
    predicted = truth.expected_spend(repeat["frequency"], repeat["monetary_value"])
    residual = repeat["mean_spend"] - predicted
    high = repeat["monetary_value"] > repeat["monetary_value"].quantile(0.8)  # shrinkage must be right there too
    for part in (residual, residual[high], residual[repeat["frequency"] == 1]):
        assert abs(part.mean()) < 4 * part.std() / np.sqrt(len(part))


def test_expected_spend_without_repeat_purchases_is_population_mean() -> None:
    model = GammaGammaModel.from_params(**TRUE_GG)
    assert model.expected_spend(0, 0.0) == pytest.approx(6.0 * 15.0 / 3.0)
    assert model.population_mean_spend() == pytest.approx(30.0)


@settings(max_examples=60, deadline=None)
@given(
    x=st.integers(0, 300),
    age=st.floats(0.5, 2000.0),
    share=st.floats(0.0, 1.0),
    t=st.floats(0.1, 1000.0),
)
def test_predictions_are_probabilities_and_grow_with_horizon(x: int, age: float, share: float, t: float) -> None:
    model = BetaGeoModel.from_params(**TRUE_BG)
    recency = age * share if x > 0 else 0.0
    p = model.probability_alive(x, recency, age)
    assert 0.0 <= p <= 1.0
    near, far = model.expected_purchases(x, recency, age, t=t), model.expected_purchases(x, recency, age, t=2 * t)
    assert 0.0 <= near <= far + 1e-12


def test_series_in_series_out(bg: BetaGeoModel, sim: pd.DataFrame) -> None:
    head = sim.head(3)
    out = bg.expected_purchases(head["frequency"], head["recency"], head["T"], t=30.0)
    assert isinstance(out, pd.Series) and out.index.equals(head.index)
    assert isinstance(bg.probability_alive(2, 50.0, 100.0), float)


# --------------------------------------------------------------------------------------------
# CLV, bootstrap, comparison
# --------------------------------------------------------------------------------------------


def test_predict_clv_without_discount_is_margin_spend_purchases(bg, gg, sim: pd.DataFrame) -> None:
    table = sim.head(200)
    out = clv.predict_clv(bg, gg, table, horizon=365.0, margin=0.3)
    expected = 0.3 * out["expected_spend"] * out["predicted_purchases"]
    np.testing.assert_allclose(out["clv"], expected, rtol=1e-12)
    assert list(out.columns) == ["predicted_purchases", "p_alive", "expected_spend", "clv"]


def test_discounting_lowers_clv_within_bounds(bg, gg, sim: pd.DataFrame) -> None:
    table = sim.head(300)
    plain = clv.predict_clv(bg, gg, table, horizon=730.0)["clv"]
    discounted = clv.predict_clv(bg, gg, table, horizon=730.0, discount_rate=0.2)["clv"]
    fine = clv.predict_clv(bg, gg, table, horizon=730.0, discount_rate=0.2, n_steps=400)["clv"]
    assert (discounted <= plain + 1e-12).all()
    assert (discounted >= plain / 1.2**2 - 1e-12).all()  # nothing is discounted more than the last day's
    np.testing.assert_allclose(discounted, fine, rtol=2e-3)


def test_bootstrap_interval_is_seeded_and_contains_estimate(bg, gg, sim: pd.DataFrame) -> None:
    table = sim.head(500)
    first = bootstrap.bootstrap_total_clv(bg, gg, table, n_draws=50, random_state=7, horizon=180.0)
    again = bootstrap.bootstrap_total_clv(bg, gg, table, n_draws=50, random_state=7, horizon=180.0)
    assert (first.estimate, first.lower, first.upper) == (again.estimate, again.lower, again.upper)
    assert np.array_equal(first.draws, again.draws)
    assert first.lower < first.estimate < first.upper
    draws = first.draws
    assert len(draws) == first.n_draws == 50 and np.std(draws) > 0
    np.testing.assert_allclose([first.lower, first.upper], np.quantile(draws, [0.05, 0.95]), rtol=1e-12)
    other = bootstrap.bootstrap_total_clv(bg, gg, table, n_draws=50, random_state=8, horizon=180.0)
    assert not np.array_equal(other.draws, draws)
    narrow = bootstrap.bootstrap_total_clv(bg, gg, table, n_draws=50, level=0.5, random_state=7, horizon=180.0)
    assert first.lower < narrow.lower < narrow.upper < first.upper
    assert first.reason is None
    direct = clv.predict_clv(bg, gg, table, horizon=180.0)["clv"].sum()
    assert first.estimate == pytest.approx(direct, rel=1e-10)


def test_bootstrap_without_covariance_reports_the_estimate_and_why(bg, gg, sim: pd.DataFrame) -> None:
    table = sim.head(300)
    given = bootstrap.bootstrap_total_clv(BetaGeoModel.from_params(**TRUE_BG), gg, table, n_draws=10, horizon=180.0)
    direct = clv.predict_clv(BetaGeoModel.from_params(**TRUE_BG), gg, table, horizon=180.0)["clv"].sum()
    assert given.estimate == pytest.approx(direct, rel=1e-10)
    assert np.isnan(given.lower) and np.isnan(given.upper) and given.n_draws == 0
    assert "given, not fitted" in given.reason and len(given.draws) == 0
    average = bootstrap.bootstrap_total_clv(bg, AverageSpendModel.from_params(mean_spend=30.0), table, n_draws=10,
                                      horizon=180.0)
    assert "plain average" in average.reason
    assert "**No interval:** the spend model is a plain average" in clv_text._interval_note(average)


def test_pareto_nbd_fits_and_predicts(daily: pd.DataFrame) -> None:
    part = daily.head(4000)
    model = ParetoNBDModel().fit(part["frequency"], part["recency"], part["T"])
    assert np.all(np.isfinite(model.standard_errors_))
    p = model.probability_alive(part["frequency"], part["recency"], part["T"])
    assert ((p >= 0) & (p <= 1)).all()
    assert (p[part["frequency"] == 0] < 1).any()  # Pareto/NBD customers can die before buying again
    bg_model = BetaGeoModel().fit(part["frequency"], part["recency"], part["T"])
    table = _compare_models({"BG/NBD": bg_model, "Pareto/NBD": model})
    assert table["delta_aic"].min() == 0 and set(table.index) == {"BG/NBD", "Pareto/NBD"}
    # the reported log-likelihood is the per-customer sum at the estimate, and AIC = 2k - 2 log L
    total = _pareto_nbd_log_likelihood(*model.params_, part["frequency"], part["recency"], part["T"]).sum()
    assert model.log_likelihood_ == pytest.approx(total, rel=1e-8)
    assert table.loc["Pareto/NBD", "aic"] == pytest.approx(8 - 2 * total, rel=1e-8)
    assert table["delta_aic"].max() == pytest.approx(abs(model.aic_ - bg_model.aic_))


# --------------------------------------------------------------------------------------------
# Edge cases and error messages
# --------------------------------------------------------------------------------------------


def test_no_repeat_customers_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="nobody made a repeat purchase"):
        BetaGeoModel().fit(np.zeros(50), np.zeros(50), np.full(50, 100.0))
    with pytest.raises(DataError, match="repeat purchases"):
        GammaGammaModel().fit(np.zeros(50), np.zeros(50))


def test_single_customer_cannot_be_fitted_but_can_be_predicted(bg: BetaGeoModel) -> None:
    with pytest.raises(DataError, match="at least 10 customers"):
        BetaGeoModel().fit([3], [40.0], [100.0])
    assert 0 < bg.probability_alive(3, 40.0, 100.0) < 1


def test_zero_or_negative_spend_is_a_clear_error() -> None:
    frequency = np.array([1, 2, 3, 1, 0] * 4)
    spend = np.array([10.0, 0.0, 12.0, -5.0, 0.0] * 4)
    with pytest.raises(DataError, match=r"zero or negative for 8 customer\(s\)"):
        GammaGammaModel().fit(frequency, spend)


def test_recency_above_T_names_the_rfm_confusion() -> None:
    with pytest.raises(DataError, match="days_since_last_purchase"):
        BetaGeoModel().fit([1, 2] * 10, [50.0, 10.0] * 10, [40.0, 20.0] * 10)


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1.0, np.nan], [5.0, 3.0], [10.0, 10.0], r"'frequency' has 1 missing \(NaN\)"),
        ([1.0, 2.0], [5.0, np.nan], [10.0, 10.0], r"'recency' has 1 missing"),
        ([1.0, 2.0], [5.0, 3.0], [10.0, np.inf], r"'T' has 1 infinite"),
        ([1.0, -2.0], [5.0, 3.0], [10.0, 10.0], r"'frequency' has 1 negative"),
        ([1.5, 2.0], [5.0, 3.0], [10.0, 10.0], "non-integer"),
        ([0.0, 2.0], [5.0, 3.0], [10.0, 10.0], "recency 0"),
        ([1.0], [5.0, 3.0], [10.0, 10.0], "one value per customer"),
        ([], [], [], "No customers"),
    ],
)
def test_invalid_inputs_raise_data_error(frequency, recency, T, message) -> None:
    with pytest.raises(DataError, match=message):
        BetaGeoModel().fit(frequency, recency, T)


def test_nan_spend_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="'monetary_value' has 1 missing"):
        GammaGammaModel().fit([1, 2] * 10, [10.0, np.nan] + [5.0] * 18)


def test_non_convergence_raises_instead_of_returning_silently(sim: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="did not converge.*raise max_iter"):
        BetaGeoModel(max_iter=1).fit(sim["frequency"], sim["recency"], sim["T"])


def test_unidentified_parameters_warn() -> None:
    """Everybody bought on the last day: no sign of drop-out, so a and b run off."""
    rng = np.random.default_rng(5)
    frequency = rng.integers(1, 6, 300).astype(float)
    T = rng.integers(50, 400, 300).astype(float)
    with pytest.warns(FitWarning, match="cannot pin down"):
        model = BetaGeoModel().fit(frequency, T, T)
    assert model.standard_errors_.isna().any()
    with pytest.raises(DataError, match="covariance is not available"):
        model.sample_params(5)


def test_from_params_validates_names() -> None:
    with pytest.raises(DataError, match="takes parameters"):
        BetaGeoModel.from_params(r=1.0, alpha=2.0, a=1.0)


# --------------------------------------------------------------------------------------------
# Historical CLV, tiers, diagnostics
# --------------------------------------------------------------------------------------------


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "avg_order_value": [100.0, 50.0, 20.0, 10.0],
            "n_orders": [10, 4, 1, 2],
            "tenure_days": [730, 500, 400, 100],
            "days_since_last_purchase": [5, 400, 380, 50],
            "revenue": [1000.0, 200.0, 20.0, 20.0],
        },
        index=pd.Index(["a", "b", "c", "d"], name="customer_id"),
    )


def test_historical_clv_by_hand(table: pd.DataFrame) -> None:
    churn = value.observed_churn_rate(table)
    assert churn == pytest.approx(2 / 3)  # of a, b, c (a year old or more), b and c have not bought in a year
    out = clv.historical_clv(table, margin=0.4)
    expected_a = 100.0 * (10 / (730 / 365.25)) * 0.4 * 1.5
    assert out.loc["a", "historical_clv"] == pytest.approx(expected_a)
    assert out.loc["d", "orders_per_year"] == pytest.approx(2 / (365 / 365.25))  # annualised over >= a year
    discounted = clv.historical_clv(table, margin=0.4, discount_rate=0.1)
    assert discounted.loc["a", "lifetime_years"] == pytest.approx(1.1 / (0.1 + 2 / 3))


def test_historical_clv_errors(table: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="margin"):
        clv.historical_clv(table, margin=35)
    with pytest.raises(DataError, match="No customer is 1000 days old"):
        value.observed_churn_rate(table, window_days=1000)
    with pytest.raises(DataError, match="avg_order_value"):
        clv.historical_clv(table.drop(columns="avg_order_value"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=500))
def test_every_customer_gets_exactly_one_tier(values: list[float]) -> None:
    series = pd.Series(values)
    pyramid = value.pyramid_tiers(series)
    tiers = clv.value_tiers(series)
    assert pyramid.notna().all() and tiers.notna().all()
    counts = tiers.value_counts()
    assert counts.sum() == len(values)
    assert counts["top 20%"] == int(np.ceil(0.2 * len(values) - 1e-9))
    top = series[tiers == "top 20%"]
    rest = series[tiers != "top 20%"]
    assert rest.empty or top.min() >= rest.max()


def test_pyramid_counts_and_summary() -> None:
    values = pd.Series(np.arange(1000.0, 0.0, -1.0))
    tiers = value.pyramid_tiers(values)
    summary = value.tier_summary(values, tiers)
    assert summary["customers"].tolist() == [10, 40, 150, 800]
    assert summary["value_share"].sum() == pytest.approx(1.0)
    assert summary["mean_value"].is_monotonic_decreasing


def test_win_back_list_picks_valuable_customers_slipping_away(table: pd.DataFrame) -> None:
    predictions = table.assign(p_alive=[0.9, 0.2, 0.1, 0.05])
    chosen = value.win_back_list(predictions, top_share=0.5, max_p_alive=0.5)
    assert chosen.index.tolist() == ["b"]


def test_spend_frequency_correlation_detects_dependence() -> None:
    rng = np.random.default_rng(6)
    frequency = rng.integers(1, 20, 2000)
    independent = pd.DataFrame({"frequency": frequency, "monetary_value": rng.gamma(5, 10, 2000)})
    dependent = independent.assign(monetary_value=independent["monetary_value"] * frequency)
    assert abs(clv.spend_frequency_correlation(independent).pearson) < 0.1
    assert clv.spend_frequency_correlation(dependent).pearson > 0.5


def test_holdout_tables(sim: pd.DataFrame) -> None:
    cal_hold = sim.rename(columns={"frequency": "frequency_cal"})
    predicted = BetaGeoModel.from_params(**TRUE_BG).expected_purchases(sim["frequency"], sim["recency"], sim["T"],
                                                                       t=180.0)
    by_frequency = diagnostics.holdout_by_frequency(cal_hold, predicted, max_frequency=5)
    assert by_frequency.index.astype(str).tolist() == ["0", "1", "2", "3", "4", "5+"]
    assert by_frequency["customers"].sum() == len(sim)
    errors = diagnostics.holdout_errors(sim["frequency_holdout"], predicted)
    assert abs(errors["total_error_pct"]) < 5 and errors["correlation"] > 0.5


def test_matrices_have_the_right_shape_and_order(bg: BetaGeoModel) -> None:
    alive, purchases = clv.history_matrices(bg, T=365.0, t=90.0, max_frequency=10, n_recency=12)
    assert alive.shape == purchases.shape == (11, 12)
    assert alive.loc[0].isna().sum() == 11 and alive.loc[0].iloc[0] == 1.0
    # for a repeat customer, a more recent last purchase means more likely alive
    assert (alive.loc[1:].diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()
    assert (purchases.loc[1:].diff(axis=1).iloc[:, 1:] >= -1e-12).all().all()


def test_purchase_tracking_counts_repeat_days_and_sums_expectations() -> None:
    clean = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b", "b", "c"],
        "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-09",
                                      "2024-01-02", "2024-01-06", "2024-01-08"]),
        "quantity": [1.0, 2.0, 1.0, 1.0, 1.0, -1.0, 1.0],
    })
    model = BetaGeoModel.from_params(**CDNOW)
    track = diagnostics.purchase_tracking(model, clean, calibration_end="2024-01-04", holdout_end="2024-01-09")
    # calibration ends with Jan 4: customers a and b first bought by then (c did not); b's Jan 6 line is a
    # return, not a purchase; the tracked days run from the first purchase to Jan 9 inclusive
    assert track.index[0] == pd.Timestamp("2024-01-01") and len(track) == 9
    assert track["actual"].sum() == 2 and track.loc["2024-01-03", "actual"] == 1
    ages = np.array([8.0, 7.0])  # on Jan 9, as T is counted by calibration_holdout: days since the first purchase
    assert track["cumulative_expected"].iloc[-1] == pytest.approx(model.expected_purchases_new_customer(ages).sum())
    # on the last calibration day the expectation is the model's for the calibration table (T_cal = Jan 4 - first)
    cal = pd.DataFrame({"T_cal": [3.0, 2.0]})
    assert track.loc["2024-01-04", "cumulative_expected"] == pytest.approx(
        model.expected_purchases_new_customer(cal["T_cal"].to_numpy()).sum())


def test_warnings_do_not_leak_from_a_good_fit(sim: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BetaGeoModel().fit(sim["frequency"], sim["recency"], sim["T"])
        GammaGammaModel().fit(sim["frequency"], sim["monetary_value"])


def test_plots_draw_what_they_are_given(bg: BetaGeoModel, gg: GammaGammaModel, sim: pd.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from segkit.clv import plots as clv_plots

    table = sim.head(400)
    interval = bootstrap.bootstrap_total_clv(bg, gg, table, n_draws=10, random_state=0, horizon=90.0)
    by_frequency = pd.DataFrame({"customers": [5, 3, 2], "actual": [0.1, 0.5, 1.5], "predicted": [0.2, 0.4, 1.7]},
                                index=pd.CategoricalIndex(["0", "1", "2+"], name="frequency_cal"))
    days = pd.date_range("2024-01-01", periods=28, name="date")  # Monday to Sunday, four weeks
    tracking = pd.DataFrame({"actual": 1.0, "expected": 2.0, "cumulative_actual": np.arange(1.0, 29.0),
                             "cumulative_expected": np.arange(2.0, 57.0, 2.0)}, index=days)
    validation = diagnostics.HoldoutValidation("done", calibration_end=pd.Timestamp("2024-01-14"), model=bg,
                                               by_frequency=by_frequency, tracking=tracking)

    fig, ax = plt.subplots()
    assert clv_plots.plot_validation(validation, ax=ax) is ax
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2+"]
    assert [line.get_ydata().tolist() for line in ax.lines] == [[0.1, 0.5, 1.5], [0.2, 0.4, 1.7]]
    clv_plots.plot_validation(validation, kind="cumulative", ax=(ax := plt.subplots()[1]))
    actual, expected, end = ax.lines
    assert actual.get_ydata().tolist() == list(np.arange(1.0, 29.0)) and expected.get_ydata()[-1] == 56.0
    # the end of calibration is drawn at midnight after its last day
    assert pd.Timestamp(end.get_xdata()[0]) == pd.Timestamp("2024-01-15")
    assert "cumulative" in ax.get_title()
    clv_plots.plot_validation(validation, kind="weekly", ax=(ax := plt.subplots()[1]))
    # weeks ending on Sundays: 7 purchases a week actual, 14 expected; the last (partial) week is left out
    assert ax.lines[0].get_ydata().tolist() == [7.0, 7.0, 7.0] and ax.lines[1].get_ydata().tolist() == [14.0] * 3
    with pytest.raises(ValueError, match="kind must be one of"):
        clv_plots.plot_validation(validation, kind="daily", ax=ax)
    with pytest.raises(ValueError, match="skipped"):
        clv_plots.plot_validation(diagnostics.HoldoutValidation("holdout_days is 0"), ax=ax)

    matrix = clv.history_matrices(bg, T=200.0, t=30.0, max_frequency=5).p_alive
    clv_plots.plot_matrix(matrix, title="P(alive)", label="probability", ax=(ax := plt.subplots()[1]))
    np.testing.assert_array_equal(ax.images[0].get_array().filled(np.nan), matrix.to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2", "3", "4", "5"]
    assert ax.get_xticklabels()[0].get_text() == "0" and ax.get_xticklabels()[-1].get_text() == "200"
    assert ax.get_title() == "P(alive)" and ax.figure.axes[-1].get_ylabel() == "probability"

    values = pd.Series([0.2, 0.5, 1.0, 3.0, 30.0, 300.0])
    clv_plots.plot_clv_distribution(values, ax=(ax := plt.subplots()[1]))
    assert sum(patch.get_height() for patch in ax.patches) == 4  # the four customers with CLV >= 1
    assert "(2 customers below 1 not shown)" in ax.get_title() and ax.get_xscale() == "log"

    tiers = value.tier_summary(pd.Series([10.0, 5.0, 3.0, 2.0]), pd.Series(["top", "rest", "rest", "rest"]))
    clv_plots.plot_tiers(tiers, ax=(ax := plt.subplots()[1]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["rest", "top"]
    widths = sorted(round(patch.get_width(), 6) for patch in ax.patches)
    assert widths == [25.0, 50.0, 50.0, 75.0]  # customers 25% / 75%, value 50% / 50%

    clv_plots.plot_spend_vs_frequency(table, ax=(ax := plt.subplots()[1]))
    assert len(ax.collections[0].get_offsets()) == len(predict.repeat_customers(table))
    assert ax.get_yscale() == "log"

    clv_plots.plot_bootstrap(interval, ax=(ax := plt.subplots()[1]))
    assert sum(patch.get_height() for patch in ax.patches) == interval.n_draws == 10
    assert [line.get_xdata()[0] for line in ax.lines] == [interval.lower, interval.estimate, interval.upper]
    assert ax.get_title() == "Total CLV: 90% interval from parameter uncertainty"
    plt.close("all")


# --------------------------------------------------------------------------------------------
# Shared pieces and the notebook's tables and sentences
# --------------------------------------------------------------------------------------------


def test_likelihood_pieces_are_shared_by_the_fit_and_the_per_customer_formulas(sim: pd.DataFrame) -> None:
    from segkit.clv import bgnbd, gamma_gamma

    x = np.arange(0.0, 6.0)
    params = tuple(TRUE_BG.values())
    # the fit's objective at any parameters equals the mean per-customer log-likelihood
    head = sim.head(2000)
    data = bgnbd._bg_data(head["frequency"].to_numpy(float), head["recency"].to_numpy(),
                          head["T"].to_numpy(), np.ones(len(head)))
    value, _ = bgnbd._bgnbd_nll_grad(np.log(params), data)
    assert -value == pytest.approx(_bgnbd_log_likelihood(*params, head["frequency"], head["recency"], head["T"]).mean(),
                                   rel=1e-12)
    # Pareto/NBD P(alive) is 1 for a customer observed for no time and below 1 afterwards
    pareto = ParetoNBDModel.from_params(r=0.55, alpha=10.6, s=0.61, beta=11.7)
    assert pareto.probability_alive(0, 0, 0.0) == pytest.approx(1.0)
    assert np.all(np.diff(pareto.probability_alive(np.zeros(4), np.zeros(4), [1.0, 10, 100, 1000])) < 0)
    with pytest.raises(DataError, match="must be finite and >= 0"):
        BetaGeoModel.from_params(**TRUE_BG).expected_purchases_new_customer(-1.0)
    assert gamma_gamma._gg_frequency_terms(6.0, 4.0, 15.0, x).shape == x.shape


def test_spend_inputs_are_checked_like_purchase_inputs() -> None:
    with pytest.raises(DataError, match="frequency and monetary_value must have one value per customer"):
        GammaGammaModel().fit([1, 2], [10.0])
    with pytest.raises(DataError, match="'monetary_value' has 1 infinite"):
        GammaGammaModel().fit([1, 2] * 10, [10.0, np.inf] + [5.0] * 18)
    with pytest.raises(DataError, match="No customers"):
        GammaGammaModel().fit([], [])


def test_predict_clv_reports_undiscounted_purchases_when_discounting(bg, gg, sim: pd.DataFrame) -> None:
    table = sim.head(200)
    discounted = clv.predict_clv(bg, gg, table, horizon=365.0, discount_rate=0.1)
    plain = clv.predict_clv(bg, gg, table, horizon=365.0)
    np.testing.assert_array_equal(discounted["predicted_purchases"], plain["predicted_purchases"])
    np.testing.assert_allclose(discounted["clv"] / discounted["expected_spend"],
                               _discounted_purchases(bg, table["frequency"], table["recency"], table["T"],
                                                        horizon=365.0, discount_rate=0.1), rtol=1e-12)
    assert (discounted["clv"] < plain["clv"]).all()
    with pytest.raises(DataError, match="margin"):
        clv.predict_clv(bg, gg, table, margin=30)


@pytest.fixture(scope="module")
def predictions(bg, gg, sim: pd.DataFrame) -> pd.DataFrame:
    out = clv.predict_clv(bg, gg, sim.head(1000), horizon=180.0)
    out["tier"] = clv.value_tiers(out["clv"])
    return out


def test_tier_profile_and_segment_value(predictions: pd.DataFrame) -> None:
    profile = value.tier_profile(predictions)
    assert profile.index.tolist() == ["top 20%", "middle 60%", "bottom 20%"]
    assert profile["customers"].tolist() == [200, 600, 200]
    top = predictions[predictions["tier"] == "top 20%"]
    assert profile.loc["top 20%", "mean_p_alive"] == pytest.approx(top["p_alive"].mean())
    assert profile["mean_clv"].is_monotonic_decreasing
    revenue = pd.Series(1.0, index=predictions.index)
    revenue.iloc[:10] = 99.0  # the first ten customers hold half the past revenue
    segment = pd.Series(np.where(np.arange(len(predictions)) < 10, "few", "many"), index=predictions.index)
    table = clv.segment_value(predictions, segment, revenue).table
    assert table.loc["few", "revenue_share"] == pytest.approx(0.5)
    assert table.loc["few", "clv_share"] == pytest.approx(predictions["clv"].iloc[:10].sum() / predictions["clv"].sum())
    assert table["customers"].to_dict() == {"few": 10, "many": 990}
    assert table["total_clv"].is_monotonic_decreasing


def test_naive_forecast_and_new_customer_value(bg, gg) -> None:
    cal_hold = pd.DataFrame({"frequency_cal": [0.0, 4.0, 2.0], "T_cal": [0.0, 200.0, 50.0]})
    assert _naive_holdout_forecast(cal_hold, t=100).tolist() == [0.0, 2.0, 4.0]
    value = predict.new_customer_value(bg, gg, horizon=365.0, margin=0.3)
    assert value["repeat_purchases"] == pytest.approx(bg.expected_purchases_new_customer(365.0))
    assert value["value"] == pytest.approx(0.3 * gg.population_mean_spend() * (1 + value["repeat_purchases"]))


def test_truth_check_compares_with_the_truth_or_skips(tmp_path, bg, gg, sim: pd.DataFrame,
                                                      predictions: pd.DataFrame) -> None:
    customers = sim.head(1000).rename(index=str)
    preds = predictions.rename(index=str)
    assert clv.truth_check(None, customers, preds, bg, gg) == diagnostics.TruthCheck(
        None, "No ground truth for these customers: check skipped.")
    truth = pd.DataFrame({"customer_id": customers.index, "purchase_rate_per_day": customers["purchase_rate"],
                          "dropout_prob": customers["dropout_prob"], "mean_order_value": customers["mean_spend"],
                          "alive_at_end": customers["alive"]})
    truth.to_csv(tmp_path / "truth.csv", index=False)
    table, note = dataclasses.astuple(clv.truth_check(tmp_path / "truth.csv", customers, preds, bg, gg))
    assert table.loc["mean purchase rate per day", "truth, all customers"] == pytest.approx(
        customers["purchase_rate"].mean())
    assert table.loc["share still active", "fitted"] == pytest.approx(preds["p_alive"].mean())
    auc = float(note.split("**")[1])
    assert 0.7 < auc <= 1.0
    truth.head(100).to_csv(tmp_path / "partial.csv", index=False)  # covers 10% of the customers
    assert clv.truth_check(tmp_path / "partial.csv", customers, preds, bg, gg).table is None


def test_sentences_are_built_from_the_numbers(predictions: pd.DataFrame, sim: pd.DataFrame) -> None:
    weak = SpendCorrelation(pearson=-0.1, spearman=0.05, n_customers=1234)
    assert "**weak**" in weak.note and "1,234 repeat customers" in weak.note
    assert "**strong**" in dataclasses.replace(weak, pearson=0.6).note
    assert "**moderate**" in dataclasses.replace(weak, pearson=-0.4).note
    tiers = value.tier_profile(predictions)
    interval = bootstrap.TotalCLVInterval(estimate=1234.4, lower=1000.0, upper=1500.0, level=0.9, n_draws=10,
                                    draws=np.empty(0))
    win_back = pd.DataFrame({"revenue": [500.0, 250.0]})
    text = clv_text._headline(interval, tiers, win_back, horizon=365, margin=0.3, discount_rate=0.1, top_share=0.2,
                        max_p_alive=0.5)
    assert text.startswith("**The 1,000 customers will bring in about 1,234 of gross margin over the next 365 days**")
    assert f"The top 20% of customers hold {tiers['value_share'].iloc[0]:.0%}" in text and "750 of past revenue" in text
    bullets = clv_text._recommendations(tiers, win_back, pd.Series({"repeat_purchases": 2.5, "value": 99.0}), margin=0.3,
                                  horizon=365)
    assert bullets.count("\n* ") == 4 and bullets.startswith("* **Top 20% (")
    assert "Win-back list (2 customers)" in bullets and "2.50 expected repeat purchases in 365 days" in bullets


def test_crm_export_is_one_row_per_buyer() -> None:
    predictions = pd.DataFrame({"predicted_purchases": [1.0, 2.0], "p_alive": [0.5, 0.9], "expected_spend": [10.0, 20.0],
                                "clv": [3.0, 12.0], "tier": ["b", "a"]}, index=pd.Index(["x", "y"], name="customer_id"))
    clean = pd.DataFrame({"customer_id": ["x", "y", "y", "z"], "is_return": [False, False, True, True],
                          "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-03"])})
    export = clv.crm_export(predictions, clean, snapshot_date=pd.Timestamp("2024-02-01"))
    assert export.columns.tolist() == ["customer_id", "predicted_purchases", "p_alive", "expected_spend", "clv", "tier"]
    with pytest.raises(DataError, match="2 rows for 1 customers"):
        clv.crm_export(predictions, clean, snapshot_date=pd.Timestamp("2024-01-02"))


def test_repeat_customers_are_those_gamma_gamma_learns_from(sim: pd.DataFrame) -> None:
    repeat = predict.repeat_customers(sim)
    assert len(repeat) == int((sim["frequency"] > 0).sum()) and (repeat["monetary_value"] > 0).all()
    assert clv.spend_frequency_correlation(sim).n_customers == len(repeat)


# --------------------------------------------------------------------------------------------
# Data shapes the CLV notebook must survive (segkit.clv functions on simulated transactions)
# --------------------------------------------------------------------------------------------


def _notebook_chain(clean: pd.DataFrame, *, holdout_days: int = 180, n_draws: int = 20) -> dict:
    """What notebook 05 computes, through segkit only; every step must run without an error or a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return _chain(clean, holdout_days=holdout_days, n_draws=n_draws)


def _chain(clean: pd.DataFrame, *, holdout_days: int, n_draws: int) -> dict:
    customers = data.customer_table(clean)
    analysis = clv.clv_analysis(customers, horizon=365.0, margin=0.3, discount_rate=0.1, n_draws=n_draws,
                                random_state=0)
    bg, gg = analysis.models
    validation = clv.holdout_validation(clean, snapshot_date=data.snapshot_date(customers),
                                        holdout_days=holdout_days)
    text = " ".join([
        *dataclasses.astuple(analysis.notes), clv.compare_with_pareto(customers, bg).note, validation.summary,
        validation.compare_with_pareto().note, clv.spend_frequency_correlation(customers).note,
    ])
    predictions = analysis.predictions
    assert np.isfinite(predictions.drop(columns="tier").to_numpy()).all()
    assert "nan" not in text.replace("nan%", "").lower().split() and "inf" not in text.split()
    return {"customers": customers, "bg": bg, "gg": gg, "predictions": predictions, "interval": analysis.interval,
            "history": analysis.history.table, "validation": validation, "text": text}


def _shape(n: int, seed: int, **options) -> pd.DataFrame:
    params = {"r": 0.6, "alpha": 25.0, "a": 0.8, "b": 3.0, "days": 730, **options}
    return simulate_transactions(n, **params, random_state=seed)


def test_notebook_chain_on_150_customers_mostly_one_time_buyers() -> None:
    clean = _shape(150, 2, r=0.25, alpha=60.0, a=1.5, b=1.5)
    result = _notebook_chain(clean)
    assert len(result["customers"]) == 150 and (result["customers"]["frequency"] == 0).mean() > 0.6
    assert result["validation"].done


def test_notebook_chain_on_a_closed_cohort() -> None:
    """Everyone arrived in the first two months: no new customers in the last 16."""
    clean = _shape(800, 3, days=540, acquisition_days=60)
    result = _notebook_chain(clean)
    validation = result["validation"]
    assert validation.done and np.isfinite(result["interval"].lower)
    # the tracking counts the calibration table's repeat purchases, day by day
    tracking = validation.tracking
    in_calibration = tracking.loc[tracking.index <= validation.calibration_end, "actual"].sum()
    assert in_calibration == validation.cal_hold["frequency_cal"].sum()
    assert tracking.loc[validation.calibration_end, "cumulative_expected"] == pytest.approx(
        validation.model.expected_purchases_new_customer(validation.cal_hold["T_cal"].to_numpy()).sum())


def test_history_too_short_for_the_holdout_and_the_churn_window() -> None:
    clean = _shape(400, 8, days=120)
    result = _notebook_chain(clean, holdout_days=180)
    validation = result["validation"]
    assert not validation.done and validation.summary.startswith("**Not enough history to validate on a 180-day")
    assert "the data cover 120 days" in validation.summary
    assert result["history"] is None and "**Not enough history for the historical CLV:**" in result["text"]
    assert validation.compare_with_pareto() == diagnostics.ModelComparison(None, validation.summary)
    skipped = clv.holdout_validation(clean, snapshot_date="2024-05-01", holdout_days=0)
    assert not skipped.done and "holdout_days is 0" in skipped.summary


def test_calibration_period_the_model_cannot_fit_is_skipped_with_the_reason() -> None:
    """The holdout leaves 10 days of calibration, in which nobody has bought twice yet."""
    clean = _shape(300, 11, days=200, r=0.2, alpha=100.0)
    snapshot = clean["order_date"].max().normalize() + pd.Timedelta(days=1)
    validation = clv.holdout_validation(clean, snapshot_date=snapshot, holdout_days=190)
    assert not validation.done and "cannot be fitted on the calibration period" in validation.summary
    assert "nobody made a repeat purchase" in validation.summary


def test_fits_that_cannot_pin_down_drop_out_give_point_estimates_and_say_why() -> None:
    """Almost nobody drops out in a year: a and b are not identified."""
    clean = _shape(500, 7, r=2.0, alpha=20.0, a=0.02, b=200.0, days=365)
    customers = data.customer_table(clean)
    with pytest.warns(FitWarning, match="cannot pin down"):
        clv.fit_models(customers)
    result = _notebook_chain(clean)
    assert result["bg"].unidentified_ and result["bg"].fit_warnings_
    assert np.isnan(result["interval"].lower) and "cannot pin down" in result["interval"].reason
    assert "(no interval: the data cannot pin down" in result["text"]
    assert "**The data cannot pin down" in clv_text._fit_note(result["bg"], result["gg"], result["customers"])


def test_heavy_tailed_spend_values_new_customers_at_the_mean_repeat_purchase() -> None:
    clean = _shape(1500, 4, q=0.7)
    result = _notebook_chain(clean)
    gg, customers = result["gg"], result["customers"]
    assert isinstance(gg, GammaGammaModel) and gg.params_["q"] <= 1
    one_timers = result["predictions"][customers["frequency"] == 0]
    np.testing.assert_allclose(one_timers["expected_spend"], predict.mean_repeat_spend(customers), rtol=1e-12)
    assert "**Spend is very heavy-tailed**" in result["text"]


def test_few_paid_repeat_customers_fall_back_to_the_average_spend() -> None:
    clean = _shape(120, 5, r=0.05, alpha=60.0, a=3.0, b=1.0, days=400)
    customers = data.customer_table(clean)
    paid = predict.repeat_customers(customers)
    top = paid.index[:3]  # keep three paid repeat customers, make the others' repeat purchases free
    first_day = clean.groupby("customer_id")["order_date"].transform("min")
    clean.loc[(clean["order_date"] > first_day) & ~clean["customer_id"].isin(top), "amount"] = 0.0
    result = _notebook_chain(clean)
    spend = result["gg"]
    assert isinstance(spend, AverageSpendModel)
    paid = predict.repeat_customers(result["customers"])
    expected = (paid["frequency"] * paid["monetary_value"]).sum() / paid["frequency"].sum()
    assert spend.population_mean_spend() == pytest.approx(expected)
    np.testing.assert_allclose(result["predictions"]["expected_spend"], expected, rtol=1e-12)
    assert "plain average" in result["interval"].reason and "**Spend is a plain average" in result["text"]


def test_free_repeat_purchases_do_not_stop_the_spend_model() -> None:
    """Zero-value repeat purchases are purchase occasions with no information on spend."""
    clean = _shape(600, 6)
    first_day = clean.groupby("customer_id")["order_date"].transform("min")
    free = (clean["order_date"] > first_day) & (np.random.default_rng(0).uniform(size=len(clean)) < 0.5)
    clean.loc[free, "amount"] = 0.0
    customers = data.customer_table(clean)
    assert ((customers["frequency"] > 0) & (customers["monetary_value"] == 0)).any()
    result = _notebook_chain(clean)
    assert isinstance(result["gg"], GammaGammaModel)
    assert result["gg"].n_customers_ == len(predict.repeat_customers(customers))


def test_pareto_comparison_that_cannot_be_fitted_says_so(monkeypatch, bg: BetaGeoModel, daily: pd.DataFrame) -> None:
    def refuse(self, *args, **kwargs):
        raise DataError("The Pareto/NBD fit did not converge: (test)")

    monkeypatch.setattr(ParetoNBDModel, "fit", refuse)
    table, note = dataclasses.astuple(clv.compare_with_pareto(daily.head(500), bg))
    assert table is None and note.startswith("**Pareto/NBD could not be fitted") and "(test)" in note


def test_sentences_for_empty_and_missing_results() -> None:
    correlation = clv.spend_frequency_correlation(pd.DataFrame({"frequency": [0, 2], "monetary_value": [0.0, 5.0]}))
    assert np.isnan(correlation.pearson) and correlation.n_customers == 1
    assert "too few" in correlation.note
    customers = pd.DataFrame({"days_since_last_purchase": [3]}, index=pd.Index(["a"], name="customer_id"))
    empty = pd.DataFrame({"revenue": []}, index=pd.Index([], name="customer_id"))
    assert clv_text._win_back_note(empty, customers).startswith("No customer is on the win-back list")
    tiers = pd.DataFrame({"value_share": [0.7, 0.25, 0.05], "mean_clv": [50.0, 5.0, 0.5]},
                         index=["top 20%", "middle 60%", "bottom 20%"])
    bullets = clv_text._recommendations(tiers, empty, pd.Series({"repeat_purchases": 1.5, "value": np.nan}), margin=0.3,
                                  horizon=365)
    assert "**Win-back list:** empty today" in bullets and "cannot be put in money" in bullets
    assert "nan" not in bullets


def test_plots_without_an_interval_or_repeat_customers() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from segkit.clv import plots as clv_plots

    interval = bootstrap.TotalCLVInterval(estimate=100.0, lower=np.nan, upper=np.nan, level=0.9, n_draws=0,
                                    draws=np.empty(0), reason="the data cannot pin down a, b of the purchase model")
    fig, ax = plt.subplots()
    assert clv_plots.plot_bootstrap(interval, ax=ax) is ax and ax.lines and "no interval" in ax.get_title()
    fig2, ax2 = plt.subplots()
    clv_plots.plot_spend_vs_frequency(pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]}), ax=ax2)
    assert ax2.texts
    plt.close("all")


# --------------------------------------------------------------------------------------------
# clv_analysis: the report's chain, validated once; the sentences, from hand-made numbers
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    """A customer table from simulated transactions (two years, 600 customers)."""
    return data.customer_table(_shape(600, 21))


def test_clv_analysis_is_the_chain_of_its_building_blocks(shop: pd.DataFrame) -> None:
    options = dict(horizon=200.0, margin=0.4, discount_rate=0.05)
    analysis = clv.clv_analysis(shop, n_draws=20, random_state=3, top_share=0.3, max_p_alive=0.6, **options)
    bg, gg = clv.fit_models(shop, warn=False)
    assert analysis.models.purchase.params_.equals(bg.params_) and analysis.models.spend.params_.equals(gg.params_)
    expected = clv.predict_clv(bg, gg, shop, **options)
    pd.testing.assert_frame_equal(analysis.predictions.drop(columns="tier"), expected)
    assert analysis.predictions["tier"].equals(clv.value_tiers(expected["clv"]))
    pd.testing.assert_frame_equal(analysis.tiers, value.tier_profile(analysis.predictions))
    interval = bootstrap.bootstrap_total_clv(bg, gg, shop, n_draws=20, random_state=3, **options)
    np.testing.assert_array_equal(analysis.interval.draws, interval.draws)
    assert (analysis.interval.estimate, analysis.interval.level) == (interval.estimate, 0.9)
    win_back = value.win_back_list(expected.join(shop["revenue"]), top_share=0.3, max_p_alive=0.6)
    assert analysis.win_back.index.equals(win_back.index)
    pd.testing.assert_series_equal(analysis.new_customer,
                                   predict.new_customer_value(bg, gg, horizon=200.0, margin=0.4, customers=shop))
    history = value.historical_clv_report(shop, margin=0.4, discount_rate=0.05)
    pd.testing.assert_frame_equal(analysis.history.table, history.table)
    past = shop["revenue"] * 0.4
    pd.testing.assert_frame_equal(analysis.pyramid, value.tier_summary(past, value.pyramid_tiers(past)))
    assert analysis.snapshot_date == data.snapshot_date(shop)
    assert (analysis.horizon, analysis.margin, analysis.discount_rate, analysis.top_share, analysis.max_p_alive) == (
        200.0, 0.4, 0.05, 0.3, 0.6)
    notes = analysis.notes
    assert notes is analysis.notes  # written once
    assert notes.interval == analysis.interval.note and notes.history == history.note
    assert notes.headline.startswith(f"**The {len(shop):,} customers will bring in about")
    assert "over the next 200 days" in notes.headline and "margin 40%, discounted at 5% a year" in notes.headline
    assert "(P(alive) below 60%;" in notes.headline and "of the top 30% by past revenue" in notes.headline
    # every other sentence is its building block's sentence (each checked by hand below) of the analysis' parts
    assert notes.headline == clv_text._headline(interval, analysis.tiers, analysis.win_back, horizon=200.0, margin=0.4,
                                                discount_rate=0.05, top_share=0.3, max_p_alive=0.6)
    assert notes.customers == clv_text._customers_note(shop, data.snapshot_date(shop))
    assert notes.pyramid == clv_text._pyramid_note(analysis.pyramid)
    assert notes.fit == clv_text._fit_note(bg, gg, shop) and notes.population == clv_text._population_note(bg, gg, shop)
    assert notes.historical_vs_predicted == clv_text._historical_vs_predicted(history.table, analysis.predictions)
    assert notes.win_back == clv_text._win_back_note(analysis.win_back, shop)
    assert notes.recommendations == clv_text._recommendations(analysis.tiers, analysis.win_back, analysis.new_customer,
                                                              margin=0.4, horizon=200.0)
    assert "about 200 days" not in notes.recommendations and "in 200 days" in notes.recommendations


@pytest.mark.parametrize(("change", "message"), [
    (dict(margin=0.0), "margin"), (dict(discount_rate=-0.1), "discount_rate"), (dict(n_draws=5), "n_draws"),
    (dict(top_share=0.0), "top_share"), (dict(max_p_alive=1.5), "max_p_alive"),
])
def test_clv_analysis_checks_its_options(shop: pd.DataFrame, change: dict, message: str) -> None:
    with pytest.raises(DataError, match=message):
        clv.clv_analysis(shop, **change)


def test_clv_analysis_checks_the_table(shop: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="revenue"):
        clv.clv_analysis(shop.drop(columns="revenue"))
    with pytest.raises(DataError, match="last_purchase"):
        clv.clv_analysis(shop.drop(columns="last_purchase"))
    missing = shop.assign(monetary_value=np.where(np.arange(len(shop)) == 0, np.nan, shop["monetary_value"]))
    with pytest.raises(DataError, match="monetary_value"):
        clv.clv_analysis(missing)


def test_clv_analysis_warns_only_when_asked() -> None:
    customers = data.customer_table(_shape(500, 7, r=2.0, alpha=20.0, a=0.02, b=200.0, days=365))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clv.clv_analysis(customers, n_draws=10)
    with pytest.warns(FitWarning, match="cannot pin down"):
        clv.clv_analysis(customers, n_draws=10, warn=True)


def test_public_model_methods_need_a_fit() -> None:
    from sklearn.exceptions import NotFittedError

    model = BetaGeoModel()
    for call in (lambda: model.probability_alive([1], [2], [3]),
                 lambda: model.expected_purchases([1], [2], [3], t=10.0),
                 lambda: model.expected_purchases_new_customer(10.0), model.population_means):
        with pytest.raises(NotFittedError):
            call()


def test_customers_pyramid_segment_and_export_sentences() -> None:
    customers = pd.DataFrame({"frequency": [0, 0, 1, 3]})
    assert clv_text._customers_note(customers, pd.Timestamp("2024-03-01")) == (
        "4 customers at the snapshot date 2024-03-01; 50% have not come back after their first purchase day.")
    pyramid = pd.DataFrame({"value_share": [0.3, 0.2, 0.25, 0.25]}, index=["top 1%", "next 4%", "next 15%", "rest"])
    assert clv_text._pyramid_note(pyramid) == ("The top 1% of customers brought 30% of the value so far, and the top "
                                               "20% together 75%; the bottom 80% brought 25%.")
    segments = pd.DataFrame({"clv_share": [0.5, 0.3, 0.2], "revenue_share": [0.4, 0.5, 0.1],
                             "mean_p_alive": [0.9, 0.3, 0.5]}, index=["A", "B", "C"])
    note = ("**A** hold the most future value (50% of total CLV). The largest drop from past to future is **B**: "
            "50.0% of past revenue but 30.0% of predicted CLV (mean P(alive) 0.30).")
    assert clv_text._segment_note(segments) == note == value.SegmentValue(segments).note
    export = pd.DataFrame({"customer_id": ["a", "b", "c"], "clv": [1.0, 2.0, 3.0]})
    assert clv_text.export_note(export, "out/clv.csv") == "Wrote 3 customers × 2 columns to `out/clv.csv`."


def test_fit_and_population_sentences_by_hand() -> None:
    bg = BetaGeoModel.from_params(r=0.5, alpha=20.0, a=0.8, b=3.2)  # 0.025 a day, drop-out 0.8 / 4 = 20%
    gg = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)  # mean spend 6 * 15 / 3 = 30
    customers = pd.DataFrame({"frequency": [0, 1, 3], "monetary_value": [0.0, 10.0, 30.0]})  # paid repeat mean 25
    assert clv_text._fit_note(bg, gg, customers) == (
        "Both models are fitted and every parameter is determined by the data (standard errors in the parameter "
        "table).")
    assert clv_text._population_note(bg, gg, customers) == (
        "While active, customers buy on average 0.0250 times a day (about once every 40 days); after a repeat "
        "purchase a customer leaves with probability 20.0% on average. A new customer's average order is worth "
        "30.00 (p·v / (q − 1)).")
    unpinned = BetaGeoModel.from_params(r=0.5, alpha=20.0, a=0.8, b=3.2)
    unpinned.unidentified_ = ("a", "b")
    one = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)
    one.unidentified_ = ("v",)
    assert clv_text._fit_note(unpinned, one, customers) == (
        "**The data cannot pin down a, b of the purchase model (BG/NBD):** their standard errors are not available "
        "and neither is the interval for total CLV; the point predictions remain usable. **The data cannot pin down v "
        "of the spend model (Gamma-Gamma):** its standard error is not available and neither is the interval for "
        "total CLV; the point predictions remain usable.")
    average = AverageSpendModel.from_params(mean_spend=30.0)
    assert clv_text._fit_note(bg, average, customers) == (
        "**Spend is a plain average (30.00 per purchase):** only 2 customers made a repeat purchase with positive "
        "value, and Gamma-Gamma needs at least 10. Every customer gets the same spend per purchase, and CLV gets no "
        "interval.")
    average.fit_warnings_.append("Gamma-Gamma could not be fitted (test)")
    assert clv_text._fit_note(bg, average, customers).startswith(
        "**Spend is a plain average (30.00 per purchase):** Gamma-Gamma could not be fitted (test). Every customer")
    assert clv_text._population_note(bg, average, customers).endswith(
        "worth 30.00 (the plain average of paid repeat purchases).")
    heavy = GammaGammaModel.from_params(p=2.0, q=0.8, v=10.0)
    assert clv_text._fit_note(bg, heavy, customers) == (
        "**Spend is very heavy-tailed** (Gamma-Gamma q = 0.80 <= 1), so the model's mean spend of a customer without "
        "repeat purchases is infinite; those customers are valued at the mean value of a paid repeat purchase, "
        "25.00. Check the largest orders for outliers.")
    assert clv_text._population_note(bg, heavy, customers).endswith(
        "worth 25.00, the mean paid repeat purchase (Gamma-Gamma's own mean, p·v / (q − 1), is infinite here: "
        "q <= 1).")


def test_correlation_sentences_by_hand() -> None:
    weak = SpendCorrelation(pearson=-0.1, spearman=0.05, n_customers=1234)
    assert weak.note == ("Among the 1,234 repeat customers the correlation of frequency and mean spend is -0.10 "
                         "(Pearson; Spearman 0.05): **weak**. The assumption is reasonable.")
    strong = dataclasses.replace(weak, pearson=0.5)  # 0.5 is strong, 0.3 moderate: the bounds belong above
    assert strong.note == (
        "Among the 1,234 repeat customers the correlation of frequency and mean spend is 0.50 (Pearson; Spearman "
        "0.05): **strong**. Frequent buyers also spend more per purchase here, so Gamma-Gamma's shrinkage toward the "
        "population mean slightly undervalues them: read their expected spend as a conservative figure.")
    assert "**moderate**" in dataclasses.replace(weak, pearson=0.3).note
    assert "**weak**" in dataclasses.replace(weak, pearson=0.29).note
    assert "**moderate**" in dataclasses.replace(weak, pearson=-0.49).note
    assert SpendCorrelation(np.nan, np.nan, 2).note == (
        "Only 2 customers made a paid repeat purchase, too few: the assumption cannot be checked on these data.")
    assert SpendCorrelation(np.nan, np.nan, 3).note == (
        "Only 3 customers made a paid repeat purchase, and their frequency or spend does not vary: the assumption "
        "cannot be checked on these data.")
    constant = clv.spend_frequency_correlation(pd.DataFrame({"frequency": [2, 2, 2, 0], "monetary_value": [5.0, 6, 7, 0]}))
    assert np.isnan(constant.pearson) and np.isnan(constant.spearman) and constant.n_customers == 3
    ranks = clv.spend_frequency_correlation(pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [1.0, 2.0, 30.0]}))
    # by hand: deviations (-1, 0, 1) and (-10, -9, 19): r = 29 / sqrt(2 * 542)
    assert ranks.spearman == pytest.approx(1.0) and ranks.pearson == pytest.approx(29 / np.sqrt(2 * 542))


def test_value_sentences_by_hand() -> None:
    tiers = pd.DataFrame({"customers": [2, 6, 2], "value_share": [0.6, 0.35, 0.05], "mean_clv": [300.0, 58.3, 25.0]},
                         index=["top 20%", "middle 60%", "bottom 20%"])
    interval = bootstrap.TotalCLVInterval(estimate=1234.4, lower=1000.0, upper=1500.0, level=0.9, n_draws=10,
                                        draws=np.empty(0))
    win_back = pd.DataFrame({"revenue": [500.0, 250.0]}, index=["a", "b"])
    assert clv_text._headline(interval, tiers, win_back, horizon=365, margin=0.3, discount_rate=0.1, top_share=0.2,
                              max_p_alive=0.5) == (
        "**The 10 customers will bring in about 1,234 of gross margin over the next 365 days** (90% interval 1,000 "
        "to 1,500; margin 30%, discounted at 10% a year). The top 20% of customers hold 60% of it. **2 of the top 20% "
        "by past revenue have probably left** (P(alive) below 50%; 750 of past revenue): they are the win-back list.")
    assert interval.note == "Total predicted CLV 1,234, 90% interval 1,000 to 1,500 (±20.3%)."  # 250 / 1234.4
    none = bootstrap.TotalCLVInterval(estimate=100.0, lower=np.nan, upper=np.nan, level=0.9, n_draws=0,
                                    draws=np.empty(0))
    assert "(no interval: the bootstrap was not run; margin" in clv_text._headline(
        none, tiers, win_back, horizon=365, margin=0.3, discount_rate=0.1, top_share=0.2, max_p_alive=0.5)
    assert none.note == ("Total predicted CLV 100. **No interval:** the bootstrap was not run. The total is a point "
                         "estimate; treat it with more caution than a total with an interval.")
    assert dataclasses.replace(none, reason="a reason").note.startswith("Total predicted CLV 100. **No interval:** a reason.")
    assert clv_text._recommendations(tiers, win_back, pd.Series({"repeat_purchases": 2.5, "value": 99.0}), margin=0.3,
                                     horizon=365) == "\n".join([
        "* **Top 20% (60% of predicted value, mean CLV 300):** protect them: priority service, early access, no "
        "blanket discounts.",
        "* **Middle 60% (35% of value):** grow them: cross-sell and reminders timed to their purchase rhythm; move "
        "the best into the top tier.",
        "* **Bottom 20% (mean CLV 25.00):** low-cost channels only (e-mail, no paid media).",
        "* **Win-back list (2 customers):** a personal reactivation offer now, then re-score: P(alive) jumps back "
        "after one purchase.",
        "* **Acquisition:** a new customer brings 30% margin on a first order plus 2.50 expected repeat purchases in "
        "365 days, about 99.00 in margin (undiscounted): the ceiling on first-year acquisition cost per customer.",
    ])
    customers = pd.DataFrame({"days_since_last_purchase": [100, 300, 5]}, index=["a", "b", "c"])
    assert clv_text._win_back_note(win_back, customers) == (
        "2 customers, 750 of past revenue; median 200 days since their last purchase.")


def test_historical_sentences_by_hand(table: pd.DataFrame) -> None:
    report = value.historical_clv_report(table, margin=0.4, discount_rate=0.1)
    # churn 2/3 (see test_historical_clv_by_hand); lifetime (1 + 0.1) / (0.1 + 2/3) = 1.43 years
    assert report.note == ("Observed churn: **66.7%** of the customers of a year ago have not bought since, so the "
                           "expected lifetime is 1.43 years in today's money (discounted at 10% a year).")
    pd.testing.assert_frame_equal(report.table, clv.historical_clv(table, margin=0.4, discount_rate=0.1))
    young = value.historical_clv_report(table.assign(tenure_days=[90, 80, 70, 60]))
    assert young.table is None and young.note == (
        "**Not enough history for the historical CLV:** it needs the churn observed over 365 days, and the oldest "
        "customer is 90 days old. The model-based CLV does not need it.")
    loyal = value.historical_clv_report(table.assign(days_since_last_purchase=[5, 10, 20, 30]), window_days=200)
    assert loyal.table is None and loyal.note == (
        "**No historical CLV:** none of the customers of 200 days ago has lapsed since, so the observed churn is 0 "
        "and the formula's expected lifetime infinite. The model-based CLV does not need it.")
    with pytest.raises(DataError, match="window_days must be positive"):
        value.historical_clv_report(table, window_days=0)
    predictions = pd.DataFrame({"clv": [5.0, 4.0, 3.0, 2.0, 1.0]})
    history = pd.DataFrame({"historical_clv": [5.0, 4.0, 3.0, 1.0, 2.0]})  # Spearman 1 - 6 * 2 / (5 * 24) = 0.9
    assert clv_text._historical_vs_predicted(history, predictions).startswith(
        "Rank correlation 0.90; 100% of the model's top 20% are also in the historical top 20%. The difference is "
        "mostly customers who used to buy a lot and have gone quiet")
    swapped = pd.DataFrame({"historical_clv": [4.0, 5.0, 3.0, 2.0, 1.0]})
    assert "; 0% of the model's top 20%" in clv_text._historical_vs_predicted(swapped, predictions)
    assert clv_text._historical_vs_predicted(None, predictions).startswith(
        "The historical formula could not be computed on these data (too little history, or no observed churn)")


def test_validation_sentences_by_hand() -> None:
    by_frequency = pd.DataFrame({"predicted": [0.2, 0.4, 1.7], "actual": [0.1, 0.5, 1.5]}, index=["0", "1", "2+"])
    model = BetaGeoModel.from_params(**CDNOW)
    errors = diagnostics.holdout_errors([0, 2, 4], [1, 2, 3])  # MAE 2/3, RMSE sqrt(2/3), correlation 1
    naive = diagnostics.holdout_errors([0, 2, 4], [0, 0, 0])  # MAE 2, total -100%
    result = diagnostics.HoldoutValidation("", model=model, by_frequency=by_frequency, errors=errors, naive=naive)
    assert clv_text._validation_sentence(result, 90) == (
        "In the 90-day holdout the 3 calibration customers made 6 repeat purchases; the model, which never saw them, "
        "predicted 6 (**+0.0%**). Per customer the mean absolute error is 0.67 purchases (RMSE 0.82; correlation with "
        "the actual counts 1.00), against 2.00 for the naive forecast \"same rate as before\", which misses the total "
        "by -100.0% because it ignores customers who leave. The largest gap is for customers with 2+ calibration "
        "repeat purchases: predicted 1.70, actual 1.50 per customer.")
    model.unidentified_ = ("a",)
    flat = dataclasses.replace(result, errors=diagnostics.holdout_errors([0, 2, 4], [2, 2, 2]))
    assert clv_text._validation_sentence(flat, 90).endswith(
        "(RMSE 1.63; correlation with the actual counts n/a), against 2.00 for the naive forecast \"same rate as "
        "before\", which misses the total by -100.0% because it ignores customers who leave. The largest gap is for "
        "customers with 2+ calibration repeat purchases: predicted 1.70, actual 1.50 per customer. The calibration "
        "fit could not pin down a: the predictions are usable, their uncertainty is unknown.")
    silent = dataclasses.replace(result, errors=diagnostics.holdout_errors([0, 0], [0.5, 1.0]))
    assert clv_text._validation_sentence(silent, 30) == (
        "In the 30-day holdout the 2 calibration customers made no repeat purchase at all; the model predicted 1.5. "
        "With nothing to compare, the validation says little: try a longer holdout.")


def test_holdout_skip_sentences_by_hand() -> None:
    clean = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["o1", "o2"], "quantity": [1.0, 1.0],
                          "amount": [10.0, 20.0], "is_return": [False, False],
                          "order_date": pd.to_datetime(["2024-01-01", "2024-04-29"])})
    short = clv.holdout_validation(clean, snapshot_date="2024-04-30", holdout_days=180)
    assert not short.done and short.summary == (
        "**Not enough history to validate on a 180-day holdout:** the data cover 120 days (2024-01-01 to "
        "2024-04-29), so nothing would be left to fit on. The validation is skipped; a holdout of at most about half "
        "the history (here 60 days) leaves enough to fit on.")
    assert short.holdout_end == pd.Timestamp("2024-04-29") and short.calibration_end == pd.Timestamp("2023-11-01")
    assert clv.holdout_validation(clean, snapshot_date="2024-04-30", holdout_days=0).summary == (
        "holdout_days is 0: the holdout validation is skipped.")
    unfit = clv.holdout_validation(clean, snapshot_date="2024-04-30", holdout_days=20)
    assert unfit.summary.startswith("**The model cannot be fitted on the calibration period** (up to 2024-04-09), "
                                    "so the holdout validation is skipped: ")
    assert unfit.calibration_end == pd.Timestamp("2024-04-09") and unfit.cal_hold is not None and unfit.model is None
    assert unfit.holdout_end == pd.Timestamp("2024-04-29")
    # calibration up to the first day itself: one day to fit on is not "too short", the fit says why it fails
    edge = clv.holdout_validation(clean, snapshot_date="2024-04-30", holdout_days=119)
    assert edge.calibration_end == pd.Timestamp("2024-01-01")
    assert edge.summary.startswith("**The model cannot be fitted on the calibration period** (up to 2024-01-01)")
    comparison = pd.DataFrame({"BG/NBD": [1.0, 0.40], "Pareto/NBD": [2.0, 0.35]}, index=["total_error_pct", "mae"])
    assert clv_text._holdout_comparison(comparison, 900, 900) == (
        "On the holdout, **Pareto/NBD** has the smaller mean absolute error (0.350).")
    assert clv_text._holdout_comparison(comparison, 900, 12345) == (
        "On the holdout (on a random sample of 900 of the 12,345 customers), **Pareto/NBD** has the smaller mean "
        "absolute error (0.350).")
    assert clv_text._holdout_pareto_not_fitted(DataError("x")) == (
        "Pareto/NBD could not be fitted on the calibration period: x")
    aic = pd.DataFrame({"delta_aic": [0.0, 58.44]}, index=["Pareto/NBD", "BG/NBD"])
    assert clv_text._pareto_comparison(aic, 10, 10) == (
        "**Pareto/NBD** fits these customers better (AIC lower by 58.4); the other CLV figures use BG/NBD.")
    assert clv_text._pareto_not_fitted(DataError("y")) == (
        "**Pareto/NBD could not be fitted to these customers**, so there is no comparison: y")
    assert clv_text._truth_auc(0.81234) == "P(alive) ranks truly active customers above lapsed ones with AUC **0.812**."


_BTYD = ["frequency", "recency", "T", "monetary_value"]
_HISTORY = ["avg_order_value", "n_orders", "tenure_days", "days_since_last_purchase"]
_FITTED = (BetaGeoModel.from_params(**CDNOW), GammaGammaModel.from_params(**TRUE_GG))


@pytest.mark.parametrize(("call", "columns", "where"), [
    (lambda t: value.observed_churn_rate(t), ["tenure_days", "days_since_last_purchase"], "observed_churn_rate"),
    (lambda t: clv.historical_clv(t), _HISTORY, "historical_clv"),
    (lambda t: value.historical_clv_report(t), _HISTORY, "historical_clv_report"),
    (lambda t: clv.predict_clv(*_FITTED, t), _BTYD, "predict_clv"),
    (lambda t: clv.fit_models(t), _BTYD, "fit_models"),
    (lambda t: bootstrap.bootstrap_total_clv(*_FITTED, t), _BTYD, "bootstrap_total_clv"),
    (lambda t: predict.mean_repeat_spend(t), ["frequency", "monetary_value"], "mean_repeat_spend"),
    (lambda t: predict.repeat_customers(t), ["frequency", "monetary_value"], "repeat_customers"),
    (lambda t: predict.new_customer_value(*_FITTED, horizon=30.0, margin=0.5, customers=t),
     ["frequency", "monetary_value"], "new_customer_value"),
    (lambda t: clv.compare_with_pareto(t, _FITTED[0]), ["frequency", "recency", "T"], "compare_with_pareto"),
    (lambda t: clv.spend_frequency_correlation(t), ["frequency", "monetary_value"], "spend_frequency_correlation"),
    (lambda t: clv.clv_analysis(t), [*_BTYD, *_HISTORY, "revenue", "last_purchase"], "clv_analysis"),
])
def test_a_missing_column_is_named_with_the_function_that_reads_it(call, columns: list, where: str) -> None:
    import re

    table = pd.DataFrame({"other": [1.0]}, index=pd.Index(["a"], name="customer_id"))
    with pytest.raises(DataError, match=re.escape(f"lacks column(s) {columns}; {where} reads them: build the table")):
        call(table)


@pytest.mark.parametrize(("call", "columns", "where"), [
    (lambda t: value.tier_profile(t), ["tier", "clv", "p_alive", "predicted_purchases", "expected_spend"],
     "tier_profile"),
    (lambda t: clv.segment_value(t, pd.Series(["s"]), pd.Series([1.0])), ["clv", "p_alive"], "segment_value"),
    (lambda t: value.win_back_list(t), ["revenue", "p_alive"], "win_back_list"),
    (lambda t: diagnostics.holdout_by_frequency(t, [1.0]), ["frequency_cal", "frequency_holdout"],
     "holdout_by_frequency"),
    (lambda t: diagnostics.purchase_tracking(_FITTED[0], t, calibration_end="2024-01-01"),
     ["customer_id", "order_date", "quantity"], "purchase_tracking"),
])
def test_a_missing_result_column_is_named_with_the_function_that_needs_it(call, columns: list, where: str) -> None:
    import re

    with pytest.raises(DataError, match=re.escape(f"{where} needs column(s) {columns}; got ['other']. Build")):
        call(pd.DataFrame({"other": [1.0]}))


def test_win_back_list_defaults_are_the_top_fifth_below_even_odds() -> None:
    # ten customers by revenue; the top 20% (revenue >= the 80th percentile, 8.2) are the last two
    table = pd.DataFrame({"revenue": np.arange(1.0, 11.0), "p_alive": [0.1] * 8 + [0.49, 0.5]})
    assert value.win_back_list(table).index.tolist() == [8]  # P(alive) 0.5 is not below 0.5
    with pytest.raises(DataError, match=re.escape("top_share and max_p_alive must be in (0, 1]; got 0, 0.5.")):
        value.win_back_list(table, top_share=0)
    assert value.win_back_list(table, top_share=1.0, max_p_alive=1.0).index.tolist() == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]


# --------------------------------------------------------------------------------------------
# The simulators: seeded, checked, and true to the models they draw from
# --------------------------------------------------------------------------------------------


def _within(values: np.ndarray, mean: float, k: float = 4.0) -> bool:
    """Whether the sample mean of ``values`` is within k standard errors of ``mean``."""
    values = np.asarray(values, dtype=float)
    return abs(values.mean() - mean) < k * values.std() / np.sqrt(values.size)


def test_simulators_are_seeded() -> None:
    draws = [
        lambda seed: simulate_bgnbd(50, **TRUE_BG, holdout=30.0, random_state=seed),
        lambda seed: simulate_gamma_gamma([0, 1, 5, 9], **TRUE_GG, random_state=seed),
        lambda seed: simulate_transactions(30, **TRUE_BG, days=200, random_state=seed),
    ]
    for draw in draws:
        pd.testing.assert_frame_equal(draw(4), draw(4))
        assert not draw(4).equals(draw(5))


@pytest.mark.parametrize("name", ["r", "alpha", "a", "b", "p", "q", "v"])
@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf])
def test_simulators_refuse_parameters_that_are_not_positive(name: str, bad: float) -> None:
    message = re.escape(f"Model parameters must be positive and finite; got {{'{name}': {bad}}}.")
    with pytest.raises(DataError, match=message):
        simulate_transactions(5, **{**TRUE_BG, **TRUE_GG, name: bad})
    if name in TRUE_BG:
        with pytest.raises(DataError, match=message):
            simulate_bgnbd(5, **{**TRUE_BG, name: bad})
    else:
        with pytest.raises(DataError, match=message):
            simulate_gamma_gamma([1], **{**TRUE_GG, name: bad})


def test_simulators_refuse_impossible_sizes_and_ages() -> None:
    with pytest.raises(DataError, match=re.escape("n_customers must be at least 1, got 0.")):
        simulate_bgnbd(0, **TRUE_BG)
    for T in (-1.0, np.nan):
        with pytest.raises(DataError, match=re.escape("T must be finite and non-negative.")):
            simulate_bgnbd(2, **TRUE_BG, T=np.array([10.0, T]))
    for frequency in ([-1.0], [np.inf]):
        with pytest.raises(DataError, match=re.escape("frequency must be finite and non-negative.")):
            simulate_gamma_gamma(frequency, **TRUE_GG)
    for n, days in ((0, 10), (5, 0)):
        with pytest.raises(DataError, match=re.escape(f"n_customers and days must be at least 1, got {n} and {days}.")):
            simulate_transactions(n, **TRUE_BG, days=days)


def test_simulate_bgnbd_draws_the_model() -> None:
    n, age = 40_000, 200.0
    sim = simulate_bgnbd(n, **TRUE_BG, T=age, holdout=100.0, random_state=11)
    truth = BetaGeoModel.from_params(**TRUE_BG)
    r, alpha, a, b = TRUE_BG.values()
    assert _within(sim["purchase_rate"], r / alpha) and _within(sim["dropout_prob"], a / (a + b))
    assert _within(sim["frequency"], truth.expected_purchases_new_customer(age))  # FHL (2005) eq. 9
    # a customer alive at T with this history is alive with the model's probability
    assert _within(sim["alive"].astype(float) - truth.probability_alive(sim["frequency"], sim["recency"], sim["T"]), 0)
    holdout = truth.expected_purchases_new_customer(age + 100.0) - truth.expected_purchases_new_customer(age)
    assert _within(sim["frequency_holdout"], holdout)
    assert ((sim["frequency"] == 0) == (sim["recency"] == 0)).all() and (sim["recency"] <= age).all()
    assert (sim["T"] == age).all() and (sim.loc[~sim["alive"], "frequency_holdout"] == 0).all()
    once = sim[(sim["frequency"] == 1) & sim["alive"]]
    assert once["recency"].min() > 0 and once["recency"].max() < age
    assert "frequency_holdout" not in simulate_bgnbd(5, **TRUE_BG, random_state=0)
    newborn = simulate_bgnbd(5, **TRUE_BG, T=0.0, random_state=0)
    assert (newborn["frequency"] == 0).all() and newborn["alive"].all()


def test_simulate_gamma_gamma_draws_the_model() -> None:
    p, q, v = TRUE_GG.values()
    frequency = pd.Series(np.repeat([0, 1, 4, 1000], 20_000), index=np.arange(80_000) + 7)
    sim = simulate_gamma_gamma(frequency, **TRUE_GG, random_state=3)
    assert sim.index.equals(frequency.index) and sim.columns.tolist() == ["monetary_value", "mean_spend"]
    assert (sim.loc[frequency == 0, "monetary_value"] == 0).all()
    assert _within(sim["mean_spend"], p * v / (q - 1))  # E[p / nu] with nu ~ Gamma(q, rate v)
    for x in (1, 4):
        assert _within(sim.loc[frequency == x, "monetary_value"], p * v / (q - 1))
    # the mean of x purchases has the customer's mean p / nu, and a spread that shrinks as 1 / sqrt(p x)
    ratio = sim["monetary_value"] / sim["mean_spend"]
    assert _within(ratio[frequency == 4], 1.0) and ratio[frequency == 4].std() == pytest.approx(1 / np.sqrt(24), rel=0.05)
    assert ratio[frequency == 1000].std() == pytest.approx(1 / np.sqrt(6000), rel=0.05)
    assert simulate_gamma_gamma([2, 3], **TRUE_GG, random_state=0).index.tolist() == [0, 1]


def test_simulate_transactions_draws_the_models() -> None:
    n, days = 20_000, 400
    log = simulate_transactions(n, **TRUE_BG, days=days, acquisition_days=100, start="2023-06-01", random_state=8)
    assert log["customer_id"].nunique() == n and log["customer_id"].iloc[0].startswith("C")
    assert sorted(log["customer_id"].unique())[:2] == ["C000000", "C000001"]
    assert log["order_date"].is_monotonic_increasing and log["order_id"].tolist() == [str(i) for i in range(len(log))]
    first = log.groupby("customer_id")["order_date"].min()
    assert first.min() >= pd.Timestamp("2023-06-01") and first.max() < pd.Timestamp("2023-06-01") + pd.Timedelta(days=100)
    assert log["order_date"].max() < pd.Timestamp("2023-06-01") + pd.Timedelta(days=days)
    assert (log["quantity"] == 1).all() and not log["is_return"].any() and (log["amount"] >= 0.01).all()
    assert (log["amount"] == log["amount"].round(2)).all()
    # repeat lines per customer: the model's new-customer curve at each customer's age (first purchase uniform)
    truth = BetaGeoModel.from_params(**TRUE_BG)
    ages = days - (np.arange(100)[:, None] + (np.arange(20) + 0.5)[None, :] / 20).ravel()
    repeat_lines = log.groupby("customer_id").size() - 1
    assert _within(repeat_lines, float(np.mean(truth.expected_purchases_new_customer(ages))))
    p, q, v = 6.0, 4.0, 15.0  # the default spend parameters
    assert _within(log["amount"], p * v / (q - 1))
    everyone = simulate_transactions(300, **TRUE_BG, days=50, random_state=1)
    assert everyone.groupby("customer_id")["order_date"].min().max() >= pd.Timestamp("2024-01-01") + pd.Timedelta(days=30)


def _drawn(ax) -> dict:
    """What an Axes shows a reader: texts, and each line's label, colour, style and marker."""
    import matplotlib.colors as mcolors

    legend = ax.get_legend()
    return {
        "title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
        "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
        "lines": [(line.get_label(), mcolors.to_hex(line.get_color()), line.get_linestyle(), line.get_marker())
                  for line in ax.lines],
    }


def test_plots_label_and_style_what_they_draw(bg: BetaGeoModel) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from segkit.clv import plots as clv_plots
    from segkit.plots import PALETTE

    blue, orange = mcolors.to_hex(PALETTE[0]), mcolors.to_hex(PALETTE[1])
    by_frequency = pd.DataFrame({"actual": [0.1, 0.5], "predicted": [0.2, 0.4]}, index=["0", "1+"])
    days = pd.date_range("2024-01-01", periods=28, name="date")
    tracking = pd.DataFrame({"actual": 1.0, "expected": 2.0, "cumulative_actual": np.arange(1.0, 29.0),
                             "cumulative_expected": np.arange(2.0, 57.0, 2.0)}, index=days)
    validation = diagnostics.HoldoutValidation("done", calibration_end=pd.Timestamp("2024-01-14"), model=bg,
                                               by_frequency=by_frequency, tracking=tracking)
    plt.figure()
    assert _drawn(clv_plots.plot_validation(validation)) == {  # on the current axes when none is given
        "title": "Holdout purchases: predicted vs actual", "xlabel": "repeat purchases in the calibration period",
        "ylabel": "mean purchases in the holdout (per customer)", "legend": ["actual", "predicted (BG/NBD)"],
        "lines": [("actual", blue, "-", "o"), ("predicted (BG/NBD)", orange, "--", "s")]}
    assert [t.get_text() for t in plt.gca().get_xticklabels()] == ["0", "1+"]
    end = ("end of calibration", mcolors.to_hex("grey"), ":", "None")
    for kind, what in (("cumulative", "cumulative repeat purchases"), ("weekly", "repeat purchases per week")):
        ax = clv_plots.plot_validation(validation, kind=kind, ax=plt.subplots()[1])
        assert _drawn(ax) == {
            "title": f"Tracking: {what}", "xlabel": "date", "ylabel": f"{what} (count)",
            "legend": ["actual", "expected (BG/NBD)", "end of calibration"],
            "lines": [("actual", blue, "-", "None"), ("expected (BG/NBD)", orange, "--", "None"), end]}
        assert ax.get_legend()._loc == 2  # upper left, clear of the rising curves
    # weekly: Sunday-ending weeks, the partial last week dropped
    assert ax.lines[0].get_xdata().tolist() == list(pd.date_range("2024-01-07", periods=3, freq="W"))

    matrix = pd.DataFrame([[1.0, np.nan, np.nan], [0.9, 0.5, 0.8]], index=pd.Index([0, 1], name="frequency"),
                          columns=pd.Index([0.0, 50.0, 100.0], name="recency"))
    ax = clv_plots.plot_matrix(matrix, title="P(alive)", label="probability", ax=plt.subplots()[1])
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
        "P(alive)", "recency: age at last purchase (days)", "frequency (repeat purchases)")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "50", "100"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1"] and ax.images[0].origin == "lower"
    assert ax.images[0].get_cmap().name == "cividis" and not ax.xaxis._major_tick_kw.get("gridOn", False)

    interval = bootstrap.TotalCLVInterval(estimate=100.0, lower=90.0, upper=120.0, level=0.8, n_draws=3,
                                        draws=np.array([90.0, 100.0, 120.0]))
    ax = clv_plots.plot_bootstrap(interval, ax=plt.subplots()[1])
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), ax.get_legend()) == (
        "Total CLV: 80% interval from parameter uncertainty", "total predicted CLV (money)", "parameter draws (count)",
        None)
    assert [(line.get_xdata()[0], line.get_linestyle()) for line in ax.lines] == [(90.0, ":"), (100.0, "-"),
                                                                                  (120.0, ":")]
    assert {mcolors.to_hex(line.get_color()) for line in ax.lines} == {blue} and len(ax.patches) == 30
    assert {mcolors.to_hex(p.get_facecolor()) for p in ax.patches} == {mcolors.to_hex(PALETTE[4])}
    plt.close("all")


def test_average_spend_model_by_hand() -> None:
    model = AverageSpendModel().fit([0, 2, 1, 3], [50.0, 10.0, 40.0, 0.0], sample_weight=[1, 1, 2, 1])
    # paid repeat purchases: 2 x 10 (weight 1) and 1 x 40 (weight 2): (20 + 80) / (2 + 2) = 25
    assert model.population_mean_spend() == 25.0 and model.n_customers_ == 3.0
    pd.testing.assert_series_equal(model.expected_spend(pd.Series([0, 5]), pd.Series([0.0, 99.0])),
                                   pd.Series([25.0, 25.0], name="expected_spend"))
    summary = model.summary()
    assert summary.columns.tolist() == ["estimate", "standard_error", "lower_95", "upper_95"]
    assert summary.loc["mean_spend", "estimate"] == 25.0 and summary.iloc[0, 1:].isna().all()
    with pytest.raises(DataError, match=re.escape("average spend: the spend model is a plain average without a "
                                                  "parameter covariance, so parameters cannot be sampled.")):
        model.sample_params(10)
    given = AverageSpendModel.from_params(mean_spend=0.5)
    assert given.population_mean_spend() == 0.5 and np.isnan(given.n_customers_)
    for bad in (0.0, -1.0, np.inf):
        with pytest.raises(DataError, match=re.escape(f"mean_spend must be positive and finite; got {bad}.")):
            AverageSpendModel.from_params(mean_spend=bad)
    from sklearn.exceptions import NotFittedError

    for call in (lambda: AverageSpendModel().expected_spend([1], [2.0]), AverageSpendModel().summary,
                 AverageSpendModel().population_mean_spend):
        with pytest.raises(NotFittedError):
            call()


def test_history_matrices_grid_by_hand(bg: BetaGeoModel) -> None:
    matrices = clv.history_matrices(bg, T=100.0, t=30.0, max_frequency=2, n_recency=3)
    for matrix in matrices:
        assert matrix.index.tolist() == [0, 1, 2] and matrix.index.name == "frequency"
        assert matrix.columns.tolist() == [0.0, 50.0, 100.0] and matrix.columns.name == "recency"
        assert matrix.loc[0].isna().tolist() == [False, True, True]
    assert matrices.p_alive.loc[2, 50.0] == pytest.approx(float(bg.probability_alive([2], [50.0], [100.0])[0]))
    assert matrices.purchases.loc[1, 100.0] == pytest.approx(float(bg.expected_purchases([1], [100.0], [100.0], t=30.0)[0]))
    assert matrices.p_alive.loc[0, 0.0] == 1.0
    default = clv.history_matrices(bg, T=0.5, t=1.0)
    assert default.p_alive.shape == (21, 25) and default.p_alive.columns[1] == 0.0  # recency rounded to 0.1
    for bad in (dict(T=0.0), dict(max_frequency=0), dict(n_recency=1)):
        with pytest.raises(DataError, match=re.escape("Use T > 0, max_frequency >= 1 and n_recency >= 2 for the matrix.")):
            clv.history_matrices(bg, **{"T": 10.0, "t": 1.0, **bad})
    assert clv.history_matrices(bg, T=1.0, t=1.0, max_frequency=1, n_recency=2).p_alive.shape == (2, 2)


# --------------------------------------------------------------------------------------------
# From surviving mutants: boundaries, defaults and exact messages, each worked out by hand
# --------------------------------------------------------------------------------------------

#: BG/NBD and Gamma-Gamma given, not fitted (time in days)
GIVEN_BG = {"r": 0.6, "alpha": 25.0, "a": 0.8, "b": 3.0}


def _exactly(message: str) -> str:
    """A pytest ``match`` pattern for the whole message, word for word."""
    return "^" + re.escape(message) + "$"


def test_fit_models_without_paid_repeat_purchases_values_purchases_at_the_mean_order_value(sim: pd.DataFrame) -> None:
    customers = sim.head(300)[["frequency", "recency", "T"]].copy()
    customers["monetary_value"] = 0.0  # repeat purchases happened, all of them free
    customers["n_orders"] = customers["frequency"] + 1
    customers["revenue"] = np.where(np.arange(300) % 2 == 0, 10.0, 40.0) * customers["n_orders"]
    # the mean order value: total revenue over total orders
    mean_order = (customers["revenue"].sum()) / customers["n_orders"].sum()
    models = clv.fit_models(customers, warn=False)
    assert isinstance(models.spend, AverageSpendModel)
    assert models.spend.population_mean_spend() == pytest.approx(mean_order) and 10.0 < mean_order < 40.0
    summary = models.summary()
    assert summary.index.get_level_values(0).unique().tolist() == ["BG/NBD", "average spend"]
    pd.testing.assert_frame_equal(summary.loc["BG/NBD"], models.purchase.summary())
    assert summary.loc[("average spend", "mean_spend"), "estimate"] == pytest.approx(mean_order)
    without_revenue = customers.drop(columns=["revenue", "n_orders"])
    with pytest.raises(DataError, match="^No customer has a repeat purchase with positive value and the table has no "
                                        "positive revenue: there is nothing to value purchases with. Check the amount "
                                        "column and the cleaning log.$"):
        clv.fit_models(without_revenue, warn=False)


def test_clv_models_summary_names_the_gamma_gamma_model(bg: BetaGeoModel, gg: GammaGammaModel) -> None:
    summary = predict.CLVModels(bg, gg).summary()
    assert summary.index.get_level_values(0).unique().tolist() == ["BG/NBD", "Gamma-Gamma"]
    pd.testing.assert_frame_equal(summary.loc["Gamma-Gamma"], gg.summary())
    assert summary.loc["BG/NBD"].index.tolist() == ["r", "alpha", "a", "b"]


@pytest.mark.parametrize("revenue, n_orders, expected", [
    ([30.0], [1], 30.0),  # one order
    ([60.0, 40.0], [2, 3], 20.0),  # 100 over 5 orders
    ([1.0], [2], 0.5),  # below one unit of money
])
def test_mean_order_value_is_revenue_over_orders(revenue, n_orders, expected) -> None:
    assert predict._mean_order_value(pd.DataFrame({"revenue": revenue, "n_orders": n_orders})) == expected


@pytest.mark.parametrize("table", [
    pd.DataFrame({"revenue": [0.0], "n_orders": [3]}),  # no positive revenue
    pd.DataFrame({"revenue": [10.0], "n_orders": [0]}),  # no orders to divide by
    pd.DataFrame({"n_orders": [3]}),  # no revenue column
    pd.DataFrame({"revenue": [10.0]}),  # no order counts
])
def test_mean_order_value_refuses_tables_without_positive_revenue_per_order(table: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="^No customer has a repeat purchase with positive value and the table"):
        predict._mean_order_value(table)


def test_on_a_ridge_needs_a_tiny_gradient_and_a_flat_or_downhill_direction() -> None:
    from segkit.clv._fit import _RIDGE_GRAD_TOL, _FitResult, _on_a_ridge

    def fit(hessian, grad_norm=1e-6):
        return _FitResult(np.zeros(2), 0.0, np.asarray(hessian, dtype=float), 10, False, grad_norm)

    assert _on_a_ridge(fit([[1.0, 0.0], [0.0, 0.0]]), 1)  # one flat direction
    assert _on_a_ridge(fit(np.zeros((2, 2))), 1)  # flat everywhere
    assert _on_a_ridge(fit([[1.0, 0.0], [0.0, -0.5]]), 1)  # downhill
    assert _on_a_ridge(fit([[1e14, 0.0], [0.0, 1.0]]), 100)  # 100 is flat next to 1e16 (relative, not absolute)
    assert not _on_a_ridge(fit([[1.0, 0.0], [0.0, 1e-3]]), 1000)  # curved both ways: a real maximum
    # the same curvature over fewer customers: the total's eigenvalue 0.1 gives a standard error of 1 / sqrt(0.1)
    # = 3.16 along it, past the limit of 3 (and 0.12 gives 2.89, within it)
    assert _on_a_ridge(fit([[1.0, 0.0], [0.0, 1e-3]]), 100)
    assert not _on_a_ridge(fit([[1.0, 0.0], [0.0, 1e-3]]), 120)
    assert not _on_a_ridge(fit([[1.0, 0.0], [0.0, 0.0]], grad_norm=1e-2), 1)  # still climbing
    assert not _on_a_ridge(fit([[1.0, 0.0], [0.0, 0.0]], grad_norm=_RIDGE_GRAD_TOL), 1)  # the limit is exclusive
    assert not _on_a_ridge(fit([[1.0, np.nan], [np.nan, 0.0]]), 1)  # no Hessian to judge by
    assert not _on_a_ridge(fit([[np.inf, 0.0], [0.0, 0.0]]), 1)


def test_truth_check_by_hand_with_a_truth_file_covering_half_the_customers(tmp_path) -> None:
    customers = pd.DataFrame({"frequency": [0, 1, 2, 0]}, index=pd.Index(["a", "b", "c", "d"], name="customer_id"))
    predictions = pd.DataFrame({"p_alive": [0.9, 0.2, 0.8, 0.1]}, index=customers.index)
    # a and b only: exactly half of the customers, which is enough; a is alive, b is not
    pd.DataFrame({"customer_id": ["a", "b"], "purchase_rate_per_day": [0.01, 0.03], "dropout_prob": [0.1, 0.3],
                  "mean_order_value": [20.0, 40.0], "alive_at_end": [True, False]}).to_csv(tmp_path / "t.csv",
                                                                                          index=False)
    purchase = BetaGeoModel.from_params(r=2.0, alpha=100.0, a=1.0, b=3.0)  # rate 0.02 a day, drop-out 0.25
    spend = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)  # mean order value 6 x 15 / 3 = 30
    check = clv.truth_check(tmp_path / "t.csv", customers, predictions, purchase, spend)
    expected = pd.DataFrame({
        "fitted": [0.02, 0.25, 30.0, 0.5],
        "truth, all customers": [0.02, 0.2, 30.0, 0.5],  # means over a and b
        "truth, repeat customers": [0.03, 0.3, 40.0, 0.0],  # b (c has a repeat purchase but no truth)
    }, index=["mean purchase rate per day", "mean drop-out probability", "mean order value", "share still active"])
    pd.testing.assert_frame_equal(check.table, expected)
    # the AUC is over the customers whose truth is known: a (alive, 0.9) above b (lapsed, 0.2)
    assert check.note == "P(alive) ranks truly active customers above lapsed ones with AUC **1.000**."


def test_history_matrix_recency_steps_rounded_to_a_tenth_and_impossible_cells_empty() -> None:
    model = BetaGeoModel.from_params(**GIVEN_BG)
    # recency 0, 1/3, 2/3, 1 of a day, to one decimal
    assert clv.history_matrices(model, T=1.0, t=1.0, max_frequency=1, n_recency=4).p_alive.columns.tolist() == [
        0.0, 0.3, 0.7, 1.0]
    matrix = clv.history_matrices(model, T=2.0, t=1.0, max_frequency=1, n_recency=5).purchases
    # without repeat purchases the recency is 0: every later recency (0.5 to 2 days) is impossible
    assert matrix.loc[0].isna().tolist() == [False, True, True, True, True]
    assert not matrix.loc[1].isna().any()
    with pytest.raises(DataError, match=_exactly("Use T > 0, max_frequency >= 1 and n_recency >= 2 for the matrix.")):
        clv.history_matrices(model, T=0.0, t=1.0)


def test_simulate_bgnbd_defaults_and_smallest_cases() -> None:
    default = simulate_bgnbd(3, **TRUE_BG, random_state=0)
    assert default["T"].tolist() == [365.0] * 3 and "frequency_holdout" not in default  # a year, no holdout
    assert len(simulate_bgnbd(1, **TRUE_BG, random_state=0)) == 1
    assert "frequency_holdout" in simulate_bgnbd(3, **TRUE_BG, holdout=0.5, random_state=0)  # half a day is a holdout
    with pytest.raises(DataError, match=_exactly("T must be finite and non-negative.")):
        simulate_bgnbd(2, **TRUE_BG, T=-1.0)
    with pytest.raises(DataError, match=_exactly("frequency must be finite and non-negative.")):
        simulate_gamma_gamma([-1.0], **TRUE_GG)


def test_simulate_bgnbd_with_drop_out_probabilities_below_the_smallest_float() -> None:
    """With a = 0.001 about half the drawn p underflow to 0: those customers never drop out."""
    params = {"r": 0.6, "alpha": 25.0, "a": 1e-3, "b": 3.0}
    sim = simulate_bgnbd(4000, **params, T=200.0, random_state=0)
    assert sim["alive"].mean() > 0.99 and (sim["dropout_prob"] == 0).any()
    truth = BetaGeoModel.from_params(**params)
    assert _within(sim["frequency"], truth.expected_purchases_new_customer(200.0))


def test_simulate_gamma_gamma_draws_nu_from_gamma_q_rate_v() -> None:
    from scipy import stats

    p, q, v = TRUE_GG.values()
    sim = simulate_gamma_gamma(np.ones(20_000), **TRUE_GG, random_state=4)
    nu = p / sim["mean_spend"]  # mean_spend is p / nu
    assert stats.kstest(nu, stats.gamma(q, scale=1 / v).cdf).pvalue > 1e-3


def test_observed_churn_rate_window_is_a_year_counted_inclusively() -> None:
    table = pd.DataFrame({"tenure_days": [365, 365, 100], "days_since_last_purchase": [365, 10, 5]})
    # the two customers exactly a year old count; of them, the first has not bought for a year
    assert value.observed_churn_rate(table) == 0.5
    # a one-day window: everyone is old enough, everyone last bought at least a day ago
    assert value.observed_churn_rate(table, window_days=1) == 1.0
    with pytest.raises(DataError, match=_exactly("window_days must be positive, got 0.")):
        value.observed_churn_rate(table, window_days=0)
    with pytest.raises(DataError, match=_exactly(
            "No customer is 366 days old (the longest tenure is 365 days), so churn over that window cannot be "
            "observed. Use a shorter window_days, or pass churn_rate.")):
        value.observed_churn_rate(table, window_days=366)


def test_historical_clv_with_a_given_churn_rate_needs_no_old_customers() -> None:
    young = pd.DataFrame({"avg_order_value": [20.0], "n_orders": [3], "tenure_days": [100],
                          "days_since_last_purchase": [5]})
    out = clv.historical_clv(young, churn_rate=0.5)
    # 3 orders annualised over the one-year minimum, margin 1 by default, a lifetime of 1 / 0.5 = 2 years
    assert out.loc[0, "annual_value"] == pytest.approx(20.0 * 3 * 365.25 / 365)
    assert out.loc[0, "historical_clv"] == pytest.approx(2 * 20.0 * 3 * 365.25 / 365)
    assert clv.historical_clv(young, churn_rate=1.0).loc[0, "lifetime_years"] == 1.0  # everyone leaves in a year
    for bad in (0.0, 1.5):
        with pytest.raises(DataError, match=_exactly(
                f"The churn rate must be in (0, 1]; got {bad}. A churn of 0 means an infinite lifetime: pass "
                "churn_rate explicitly or use a longer window_days.")):
            clv.historical_clv(young, churn_rate=bad)


def test_historical_clv_report_defaults_to_no_discounting(table: pd.DataFrame) -> None:
    report = value.historical_clv_report(table)
    assert report.table["lifetime_years"].iloc[0] == pytest.approx(1.5)  # 1 / churn, churn 2/3
    one_day = value.historical_clv_report(table, window_days=1)  # everyone is a day old and last bought a day ago
    assert one_day.table["lifetime_years"].iloc[0] == 1.0
    with pytest.raises(DataError, match=_exactly("window_days must be positive, got 0.")):
        value.historical_clv_report(table, window_days=0)


def test_segment_value_by_hand_leaves_out_empty_segments() -> None:
    predictions = pd.DataFrame({"clv": [10.0, 30.0, 20.0], "p_alive": [0.5, 0.9, 0.4]}, index=["x", "y", "z"])
    segment = pd.Series(pd.Categorical(["a", "b", "b"], categories=["a", "b", "never used"]), index=predictions.index)
    revenue = pd.Series([60.0, 20.0, 20.0], index=predictions.index)
    table = clv.segment_value(predictions, segment, revenue).table
    assert table.index.tolist() == ["b", "a"]  # by total CLV, 50 then 10; no row for the unused segment
    assert table.loc["b"].to_dict() == {"customers": 2, "past_revenue": 40.0, "total_clv": 50.0, "mean_clv": 25.0,
                                        "mean_p_alive": pytest.approx(0.65), "clv_share": 50 / 60,
                                        "revenue_share": 0.4}


def test_crm_export_rounds_to_six_decimals() -> None:
    predictions = pd.DataFrame({"predicted_purchases": [1 / 3], "p_alive": [2 / 3], "expected_spend": [10.0],
                                "clv": [100 / 7], "tier": ["a"]}, index=pd.Index(["x"], name="customer_id"))
    clean = pd.DataFrame({"customer_id": ["x"], "is_return": [False], "order_date": pd.to_datetime(["2024-01-01"])})
    export = clv.crm_export(predictions, clean, snapshot_date=pd.Timestamp("2024-02-01"))
    assert export.iloc[0, 1:5].tolist() == [0.333333, 0.666667, 10.0, 14.285714]


def test_average_spend_model_counts_small_amounts_and_only_weighted_customers() -> None:
    # 1 purchase of 0.5 and 2 of 2.0: (0.5 + 4.0) / 3
    assert AverageSpendModel().fit([1, 2], [0.5, 2.0]).population_mean_spend() == pytest.approx(1.5)
    message = _exactly("No customer has a repeat purchase with positive value, so the average spend per repeat "
                       "purchase is undefined. Use the mean order value: AverageSpendModel.from_params(mean_spend=...).")
    with pytest.raises(DataError, match=message):
        AverageSpendModel().fit([1, 2], [5.0, 6.0], sample_weight=[0, 0])
    with pytest.raises(DataError, match=message):
        AverageSpendModel().fit([0, 3], [10.0, 0.0])


def test_average_spend_model_has_the_layout_of_a_model_without_standard_errors() -> None:
    given = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)  # the MLE models' layout, without standard errors
    for model in (AverageSpendModel().fit([1, 2], [10.0, 20.0]), AverageSpendModel.from_params(mean_spend=5.0)):
        names = list(model._param_names)
        assert model.params_.index.tolist() == names and model.params_.name == given.params_.name
        assert model.standard_errors_.index.tolist() == names and model.standard_errors_.isna().all()
        assert model.standard_errors_.name == given.standard_errors_.name
        for frame in (model.covariance_, model.log_covariance_):
            assert frame.index.tolist() == names and frame.columns.tolist() == names
            assert np.isnan(frame.to_numpy()).all()  # a numeric matrix of NaN, as the checks of the MLE models read it


def test_gamma_gamma_that_cannot_pin_down_q_and_v_says_to_use_the_average_order_value() -> None:
    frequency = np.random.default_rng(2).integers(1, 8, 400).astype(float)
    # every customer has the same mean spend 6 / 0.2 = 30: the purchases vary, the customers do not
    spend = np.random.default_rng(1).gamma(6.0 * frequency, 1 / (0.2 * frequency))
    with pytest.warns(FitWarning) as caught:
        model = GammaGammaModel().fit(frequency, spend)
    assert model.unidentified_
    assert str(caught[0].message).endswith(
        "Very large q and v mean spend hardly varies between customers (use the average order value); "
        "predictions remain usable, parameter intervals do not.")


def test_predict_clv_defaults_to_a_year_and_checks_both_models(bg: BetaGeoModel, gg: GammaGammaModel,
                                                                sim: pd.DataFrame) -> None:
    from sklearn.exceptions import NotFittedError

    table = sim.head(20)
    out = clv.predict_clv(bg, gg, table)
    expected = bg.expected_purchases(table["frequency"], table["recency"], table["T"], t=365.0)
    np.testing.assert_allclose(out["predicted_purchases"], expected, rtol=1e-12)
    for purchase, spend, name in ((BetaGeoModel(), gg, "BetaGeoModel"), (bg, GammaGammaModel(), "GammaGammaModel")):
        with pytest.raises(NotFittedError, match=f"This {name} instance is not fitted yet"):
            clv.predict_clv(purchase, spend, table)
        with pytest.raises(NotFittedError, match=f"This {name} instance is not fitted yet"):
            bootstrap.bootstrap_total_clv(purchase, spend, table, n_draws=10)


def test_predict_clv_uses_the_given_fallback_spend_where_gamma_gamma_has_no_mean() -> None:
    purchase = BetaGeoModel.from_params(**GIVEN_BG)
    spend = GammaGammaModel.from_params(p=6.0, q=0.8, v=15.0)  # q <= 1: no population mean
    customers = pd.DataFrame({"frequency": [0, 1, 3], "recency": [0.0, 20.0, 50.0], "T": [60.0, 60.0, 60.0],
                              "monetary_value": [0.0, 10.0, 30.0]})
    out = clv.predict_clv(purchase, spend, customers, fallback_spend=7.0)
    assert out.loc[0, "expected_spend"] == 7.0
    # without one, the mean paid repeat purchase: (10 + 3 x 30) / 4 = 25
    assert clv.predict_clv(purchase, spend, customers).loc[0, "expected_spend"] == 25.0
    value_ = predict.new_customer_value(purchase, spend, horizon=365.0, margin=0.5, customers=customers)
    repeat = purchase.expected_purchases_new_customer(365.0)
    assert value_["value"] == pytest.approx(0.5 * 25.0 * (1 + repeat))
    assert np.isnan(predict.new_customer_value(purchase, spend, horizon=365.0, margin=0.5)["value"])


def test_discounted_clv_does_not_depend_on_the_time_unit() -> None:
    """The same customers and model in days and in weeks: the same CLV, once periods_per_year says the unit."""
    days = pd.DataFrame({"frequency": [0, 2, 5], "recency": [0.0, 70.0, 210.0], "T": [140.0, 280.0, 350.0],
                         "monetary_value": [0.0, 20.0, 35.0]})
    weeks = days.assign(recency=days["recency"] / 7, T=days["T"] / 7)
    spend = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)
    in_days = clv.predict_clv(BetaGeoModel.from_params(**GIVEN_BG), spend, days, horizon=364.0, discount_rate=0.1)
    in_weeks = clv.predict_clv(BetaGeoModel.from_params(**{**GIVEN_BG, "alpha": GIVEN_BG["alpha"] / 7}), spend, weeks,
                               horizon=52.0, discount_rate=0.1, periods_per_year=365.25 / 7)
    np.testing.assert_allclose(in_weeks["clv"], in_days["clv"], rtol=1e-9)
    np.testing.assert_allclose(in_weeks["predicted_purchases"], in_days["predicted_purchases"], rtol=1e-9)


def test_one_discounting_step_discounts_all_purchases_to_the_middle_of_the_horizon() -> None:
    purchase = BetaGeoModel.from_params(**GIVEN_BG)
    customers = pd.DataFrame({"frequency": [2], "recency": [70.0], "T": [280.0], "monetary_value": [20.0]})
    spend = AverageSpendModel.from_params(mean_spend=20.0)
    out = clv.predict_clv(purchase, spend, customers, horizon=730.0, discount_rate=0.21, n_steps=1)
    # two years: every purchase is discounted by one year at 21%
    assert out.loc[0, "clv"] == pytest.approx(20.0 * out.loc[0, "predicted_purchases"] / 1.21 ** (365 / 365.25))


def test_bootstrap_draws_200_parameter_sets_by_default_and_checks_the_margin(bg: BetaGeoModel, gg: GammaGammaModel,
                                                                            sim: pd.DataFrame) -> None:
    table = sim.head(30)
    interval = bootstrap.bootstrap_total_clv(bg, gg, table, random_state=0, horizon=90.0)
    assert interval.n_draws == 200 and interval.draws.size == 200
    with pytest.raises(DataError, match=re.escape("margin is a fraction of revenue in (0, 1]; got 35.")):
        bootstrap.bootstrap_total_clv(bg, gg, table, n_draws=10, margin=35)


def test_holdout_too_short_suggests_at_least_one_day() -> None:
    note = clv_text._holdout_too_short(30, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-03"))
    assert "the data cover 3 days (2024-01-01 to 2024-01-03)" in note
    assert "a holdout of at most about half the history (here 1 days) leaves enough to fit on." in note


@pytest.mark.parametrize("call, message", [
    (lambda: BetaGeoModel().fit(["1", "two"], [1.0, 2.0], [3.0, 4.0]),
     "'frequency' must be numeric; got values that are not numbers. Convert the column first."),
    (lambda: BetaGeoModel().fit(np.ones((2, 2)), np.ones(2), np.ones(2)),
     "'frequency' must be one-dimensional (one value per customer); got shape (2, 2)."),
    (lambda: GammaGammaModel().fit([1, 2, 3], [10.0, 20.0, 30.0], sample_weight=[1, 1]),
     "sample_weight has 2 values for 3 customers: give one count per row."),
    (lambda: GammaGammaModel.from_params(p=0.0, q=4.0, v=15.0),
     "Gamma-Gamma parameters must be positive and finite; got {'p': 0.0, 'q': 4.0, 'v': 15.0}."),
    (lambda: BetaGeoModel().fit(np.ones(12), np.zeros(12), np.zeros(12)),
     "T is 0 for every customer: there is no observation time. Use a later snapshot date."),
    (lambda: ParetoNBDModel().fit([0, 1, 2, 0, 0], [0.0, 5.0, 9.0, 0.0, 0.0], [10.0] * 5),
     "Pareto/NBD needs at least 10 customers and some repeat purchases; got 5 customers with 3 repeat purchases. "
     "Use more data or a longer observation period."),
    (lambda: diagnostics.holdout_errors([1.0, 2.0], [1.0, 2.0, 3.0]),
     "actual and predicted must have the same, non-zero length; got 2 and 3."),
    (lambda: diagnostics.holdout_errors([], []), "actual and predicted must have the same, non-zero length; got 0 and 0."),
    (lambda: value.pyramid_tiers(pd.Series([1.0, np.nan, np.nan])),
     "2 value(s) are missing: fill or drop them before tiering."),
    (lambda: value.pyramid_tiers(pd.Series([], dtype=float)), "No customers to put into tiers."),
    (lambda: clv.value_tiers(pd.Series([1.0, 2.0]), top=0.5, bottom=0.5),
     "top and bottom are shares in (0, 1) summing to less than 1; got 0.5, 0.5."),
])
def test_refusals_word_for_word(call, message: str) -> None:
    with pytest.raises(DataError, match=_exactly(message)):
        call()


def test_tiers_of_a_plain_list_are_numbered_from_zero() -> None:
    tiers = clv.value_tiers([1.0, 5.0, 3.0, 4.0, 2.0])
    assert tiers.index.tolist() == [0, 1, 2, 3, 4]
    assert tiers.tolist() == ["bottom 20%", "top 20%", "middle 60%", "middle 60%", "middle 60%"]


def test_horizon_and_discounting_options_are_checked() -> None:
    purchase = BetaGeoModel.from_params(**GIVEN_BG)
    x, t_x, T = [1.0], [10.0], [20.0]
    with pytest.raises(DataError, match=_exactly("horizon must be positive (time units, days for segkit tables); "
                                                 "got 0.0.")):
        _discounted_purchases(purchase, x, t_x, T, horizon=0.0)
    for bad in (dict(discount_rate=-0.1), dict(periods_per_year=0.0), dict(n_steps=0)):
        with pytest.raises(DataError, match=_exactly(
                "discount_rate must be >= 0, periods_per_year > 0 and n_steps >= 1.")):
            _discounted_purchases(purchase, x, t_x, T, horizon=10.0, **{"discount_rate": 0.1, **bad})
    # the smallest allowed: one step, and a discount of 0, which is exactly the expected purchases
    undiscounted = purchase.expected_purchases(x, t_x, T, t=10.0)
    np.testing.assert_allclose(_discounted_purchases(purchase, x, t_x, T, horizon=10.0, discount_rate=0.0, n_steps=1),
                               undiscounted, rtol=1e-12)


def test_purchase_tracking_refuses_periods_that_leave_nothing_to_track() -> None:
    purchase = BetaGeoModel.from_params(**GIVEN_BG)
    clean = pd.DataFrame({"customer_id": ["a", "a", "b"], "quantity": [1, 1, 1],
                          "order_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-01-08"])})
    with pytest.raises(DataError, match=_exactly("holdout_end 2024-01-10 must be after calibration_end 2024-01-10.")):
        diagnostics.purchase_tracking(purchase, clean, calibration_end="2024-01-10", holdout_end="2024-01-10")
    with pytest.raises(DataError, match=_exactly(
            "No customer bought on or before calibration_end 2024-01-04: choose a later date.")):
        diagnostics.purchase_tracking(purchase, clean, calibration_end="2024-01-04")


def test_fit_models_falls_back_to_the_average_when_gamma_gamma_fails(monkeypatch, sim: pd.DataFrame) -> None:
    def fail(self, *args, **kwargs):
        raise DataError("no convergence")

    customers = sim.head(300)
    monkeypatch.setattr(GammaGammaModel, "fit", fail)
    spend = clv.fit_models(customers, warn=False).spend
    assert isinstance(spend, AverageSpendModel)
    assert spend.population_mean_spend() == pytest.approx(predict.mean_repeat_spend(customers))
    assert spend.fit_warnings_ == ["Gamma-Gamma could not be fitted (no convergence)"]


def test_sentences_that_pick_a_row_or_a_share_by_hand() -> None:
    # three of four customers without a repeat purchase day
    assert clv_text._customers_note(pd.DataFrame({"frequency": [0, 0, 0, 2]}), pd.Timestamp("2024-03-01")).endswith(
        "; 75% have not come back after their first purchase day.")
    pyramid = pd.DataFrame({"value_share": [0.3, 0.2, 0.3, 0.2]}, index=["top 1%", "next 4%", "next 15%", "rest"])
    assert clv_text._pyramid_note(pyramid) == ("The top 1% of customers brought 30% of the value so far, and the top "
                                               "20% together 80%; the bottom 80% brought 20%.")
    # the largest gap is at frequency 0 (0.4), although 2+ has the largest counts
    by_frequency = pd.DataFrame({"predicted": [0.5, 0.4, 1.7], "actual": [0.1, 0.5, 1.65]}, index=["0", "1", "2+"])
    model = BetaGeoModel.from_params(**CDNOW)
    model.unidentified_ = ("a", "b")
    result = diagnostics.HoldoutValidation("", model=model, by_frequency=by_frequency,
                                           errors=diagnostics.holdout_errors([0, 2, 4], [1, 2, 3]),
                                           naive=diagnostics.holdout_errors([0, 2, 4], [0, 0, 0]))
    assert clv_text._validation_sentence(result, 90).endswith(
        "The largest gap is for customers with 0 calibration repeat purchases: predicted 0.50, actual 0.10 per "
        "customer. The calibration fit could not pin down a, b: the predictions are usable, their uncertainty is "
        "unknown.")


def test_historical_against_predicted_sentence_by_hand() -> None:
    predictions = pd.DataFrame({"clv": [10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]})
    # the formula's top two are customers 0 and 2: one of the model's top two (0 and 1); the ranks differ by
    # (0, 1, 1, 0, ...): Spearman 1 - 6 * 2 / (10 * 99) = 0.99 (Pearson on these values would be 0.59)
    history = pd.DataFrame({"historical_clv": [100.0, 8.0, 9.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]})
    assert clv_text._historical_vs_predicted(history, predictions) == (
        "Rank correlation 0.99; 50% of the model's top 20% are also in the historical top 20%. The difference is "
        "mostly customers who used to buy a lot and have gone quiet: the formula still counts their full lifetime, "
        "the model discounts them by P(alive).")


def test_recommendations_without_a_win_back_list_or_a_money_value() -> None:
    tiers = pd.DataFrame({"value_share": [0.6, 0.35, 0.05], "mean_clv": [300.0, 58.3, 25.0]},
                         index=["top 20%", "middle 60%", "bottom 20%"])
    bullets = clv_text._recommendations(tiers, pd.DataFrame({"revenue": []}),
                                        pd.Series({"repeat_purchases": 1.25, "value": np.nan}), margin=0.5, horizon=90)
    assert bullets.split("\n")[3:] == [
        "* **Win-back list:** empty today: no high-value customer looks lapsed. Re-score every month.",
        "* **Acquisition:** a new customer brings 50% margin on a first order plus 1.25 expected repeat purchases in "
        "90 days; their value cannot be put in money here (no finite spend per purchase).",
    ]


def test_gamma_gamma_in_other_money_units_rescales_v_only(sim: pd.DataFrame, gg: GammaGammaModel) -> None:
    """Spend in hundreds (every amount below 1 here): the same p and q, v / 100, log-likelihood + n log 100."""
    repeat = sim[sim["frequency"] > 0]
    hundreds = GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"] / 100)
    assert (repeat["monetary_value"] / 100 < 1).mean() > 0.9
    np.testing.assert_allclose(hundreds.params_.to_numpy(), gg.params_.to_numpy() / [1, 1, 100], rtol=1e-4)
    # the density of m / 100 is 100 times the density of m
    assert hundreds.log_likelihood_ == pytest.approx(gg.log_likelihood_ + len(repeat) * np.log(100), rel=1e-7)
    per_customer = _gamma_gamma_log_likelihood(*gg.params_, repeat["frequency"], repeat["monetary_value"])
    assert gg.log_likelihood_ == pytest.approx(per_customer.sum(), rel=1e-9)


def test_gamma_gamma_fit_counts_only_weighted_repeat_customers() -> None:
    frequency = np.append(np.repeat([1.0, 2.0, 4.0], 100), 5.0)
    spend = np.append(simulate_gamma_gamma(frequency[:-1], **TRUE_GG, random_state=6)["monetary_value"], 0.0)
    # the last row has no paid spend but weight 0: it is not in the data
    model = GammaGammaModel().fit(frequency, spend, sample_weight=np.append(np.ones(300), 0.0))
    assert model.n_customers_ == 300.0
    with pytest.raises(DataError, match=_exactly(
            "'monetary_value' is zero or negative for 1 customer(s) with repeat purchases. Gamma-Gamma models positive "
            "spend: drop them (e.g. customers[customers.monetary_value > 0]) or check how returns were netted "
            "(returns='drop' keeps gross sales).")):
        GammaGammaModel().fit(frequency, spend)


def test_gamma_gamma_warns_where_it_is_called_when_q_is_at_most_1() -> None:
    frequency = np.repeat([1.0, 2.0, 3.0, 5.0], 5000)
    heavy = simulate_gamma_gamma(frequency, p=2.0, q=0.7, v=10.0, random_state=1)["monetary_value"]
    with pytest.warns(FitWarning) as caught:
        model = GammaGammaModel().fit(frequency, heavy)
    (warning,) = caught
    # The line that called fit, not segkit's code (under mutation testing, mutmut's trampoline calls fit).
    assert Path(warning.filename).name in {Path(__file__).name, "trampoline.py"}
    assert str(warning.message) == (
        f"Gamma-Gamma: q = {model.params_['q']:.3f} <= 1, so the mean spend of a new customer is infinite; "
        "expected_spend of customers without repeat purchases is undefined (NaN). Spend is very heavy-tailed: check "
        "for outliers.") and model.params_["q"] < 1
    moderate = simulate_gamma_gamma(frequency, p=2.0, q=1.6, v=10.0, random_state=1)["monetary_value"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert 1 < GammaGammaModel().fit(frequency, moderate).params_["q"] < 2


def test_bgnbd_that_cannot_pin_down_drop_out_gives_the_typical_causes() -> None:
    rng = np.random.default_rng(5)
    frequency = rng.integers(1, 6, 300).astype(float)
    T = rng.integers(50, 400, 300).astype(float)
    with pytest.warns(FitWarning) as caught:
        BetaGeoModel().fit(frequency, T, T)
    assert str(caught[0].message).endswith(
        "Typical causes: the data show almost no drop-out (b huge relative to a, so a/(a+b) is near 0), or purchase "
        "rates barely differ between customers (r and alpha both huge). More customers or a longer observation "
        "period help; predictions remain usable, parameter intervals do not.")


def test_tiers_break_ties_by_position_and_are_an_ordered_named_series() -> None:
    tiers = clv.value_tiers(pd.Series([7.0] * 5, index=list("abcde")))
    assert tiers.tolist() == ["top 20%", "middle 60%", "middle 60%", "middle 60%", "bottom 20%"]
    assert tiers.name == "tier" and tiers.cat.ordered
    assert tiers.cat.categories.tolist() == ["top 20%", "middle 60%", "bottom 20%"] and tiers.min() == "top 20%"


def test_holdout_errors_by_hand_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # deviations (-2, 0, 2) and (-1, 1, 0): correlation 2 / (sqrt(8) sqrt(2)) = 0.5
        assert diagnostics.holdout_errors([0, 2, 4], [1, 3, 2])["correlation"] == pytest.approx(0.5)
        # deviations (-2/3, 1/3, 1/3) and (-1, 0, 1): correlation 1 / (sqrt(2/3) sqrt(2)) = sqrt(3) / 2
        assert diagnostics.holdout_errors([0, 1, 1], [0, 1, 2])["correlation"] == pytest.approx(np.sqrt(3) / 2)
        nothing = diagnostics.holdout_errors([0, 0, 0], [1, 0, 2])  # no actual purchases, nothing to correlate with
        assert np.isnan(nothing["total_error_pct"]) and np.isnan(nothing["correlation"])
        assert np.isnan(diagnostics.holdout_errors([0, 1, 2], [1, 1, 1])["correlation"])  # a flat forecast


def test_purchase_tracking_counts_paid_repeat_days_up_to_the_holdout_end_by_hand() -> None:
    purchase = BetaGeoModel.from_params(**GIVEN_BG)
    clean = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "a", "c"],
        "quantity": [1, 1, 0, 1, 1, 1, 1],
        "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-03", "2024-01-04",
                                      "2024-01-06", "2024-01-05"]),
    })
    # calibration to 3 January (b's first day is the last calibration day; c comes later and is left out), holdout
    # to 5 January: a's repeat day 2 January, b's 4 January; the zero-quantity line and 6 January are not counted
    tracking = diagnostics.purchase_tracking(purchase, clean, calibration_end="2024-01-03", holdout_end="2024-01-05")
    assert tracking.index.tolist() == list(pd.date_range("2024-01-01", "2024-01-05")) and tracking.index.name == "date"
    assert tracking.columns.tolist() == ["actual", "expected", "cumulative_actual", "cumulative_expected"]
    assert tracking["actual"].tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]
    assert tracking["cumulative_actual"].tolist() == [0.0, 1.0, 1.0, 2.0, 2.0]
    np.testing.assert_allclose(tracking["expected"].cumsum(), tracking["cumulative_expected"], rtol=1e-12)
    # nobody can repeat on their first day; a single customer's expectation follows the new-customer curve
    assert tracking["expected"].iloc[0] == 0.0
    alone = diagnostics.purchase_tracking(purchase, clean[clean["customer_id"] == "a"], calibration_end="2024-01-01",
                                          holdout_end="")  # "" is the last day of the data, as None
    np.testing.assert_allclose(alone["cumulative_expected"],
                               purchase.expected_purchases_new_customer(np.arange(6.0)), rtol=1e-12)


def test_pareto_comparisons_past_max_customers_fit_both_models_on_one_seeded_sample(daily: pd.DataFrame) -> None:
    """The documented sample: max_customers rows drawn without replacement by default_rng(random_state).choice,
    kept in table order; both models are fitted to those rows, and the note says so."""
    customers = daily.head(3000)
    full_bg = BetaGeoModel().fit(customers["frequency"], customers["recency"], customers["T"])
    comparison = clv.compare_with_pareto(customers, full_bg, max_customers=1200, random_state=4)
    rows = np.sort(np.random.default_rng(4).choice(3000, size=1200, replace=False))
    sample = customers.iloc[rows]
    histories = [sample[c] for c in ("frequency", "recency", "T")]
    assert comparison.table.loc["BG/NBD", "log_likelihood"] == pytest.approx(
        BetaGeoModel().fit(*histories).log_likelihood_, rel=1e-9)
    assert comparison.table.loc["Pareto/NBD", "log_likelihood"] == pytest.approx(
        ParetoNBDModel().fit(*histories).log_likelihood_, rel=1e-9)
    # a likelihood over 1,200 customers, not 3,000: about 40% of the full model's
    assert 0.3 < comparison.table.loc["BG/NBD", "log_likelihood"] / full_bg.log_likelihood_ < 0.5
    assert "(on a random sample of 1,200 of the 3,000 customers)" in comparison.note
    again = clv.compare_with_pareto(customers, full_bg, max_customers=1200, random_state=4)
    pd.testing.assert_frame_equal(again.table, comparison.table)
    other = clv.compare_with_pareto(customers, full_bg, max_customers=1200, random_state=5)
    assert other.table.loc["BG/NBD", "log_likelihood"] != comparison.table.loc["BG/NBD", "log_likelihood"]
    # up to max_customers, the model passed in is the one compared and there is no sample to mention
    whole = clv.compare_with_pareto(customers, full_bg, max_customers=3000)
    assert whole.table.loc["BG/NBD", "log_likelihood"] == full_bg.log_likelihood_
    assert "sample" not in whole.note


def test_holdout_pareto_comparison_past_max_customers_scores_both_models_on_the_sample() -> None:
    clean = simulate_transactions(1500, **TRUE_BG, random_state=6)
    customers = data.customer_table(clean)
    validation = clv.holdout_validation(clean, snapshot_date=data.snapshot_date(customers), holdout_days=120)
    assert validation.done and len(validation.cal_hold) > 600
    sampled = validation.compare_with_pareto(max_customers=600, random_state=2)
    rows = np.sort(np.random.default_rng(2).choice(len(validation.cal_hold), size=600, replace=False))
    sample = validation.cal_hold.iloc[rows]
    expected = diagnostics.holdout_errors(sample["frequency_holdout"], validation.predicted.loc[sample.index])
    pd.testing.assert_series_equal(sampled.table["BG/NBD"], expected.loc[sampled.table.index], check_names=False)
    assert not np.allclose(sampled.table["BG/NBD"], validation.errors.loc[sampled.table.index])
    assert f"(on a random sample of 600 of the {len(validation.cal_hold):,} customers)" in sampled.note


def test_holdout_ignores_lines_on_and_after_the_snapshot() -> None:
    """A snapshot before the end of the data: the validation is that of the data cut at the snapshot, to
    the number (the holdout ends the day before the snapshot, not at the last line)."""
    clean = _shape(600, 21, days=540)
    snapshot = pd.Timestamp("2025-03-01")
    assert clean["order_date"].max() > snapshot + pd.Timedelta(days=60)
    early = clv.holdout_validation(clean, snapshot_date=snapshot, holdout_days=90)
    cut = clv.holdout_validation(clean[clean["order_date"] < snapshot], snapshot_date=snapshot, holdout_days=90)
    assert early.done and early.holdout_end == pd.Timestamp("2025-02-28")
    pd.testing.assert_frame_equal(early.cal_hold, cut.cal_hold)
    pd.testing.assert_series_equal(early.errors, cut.errors)
    pd.testing.assert_frame_equal(early.tracking, cut.tracking)
    assert early.summary == cut.summary
    assert early.summary.startswith(f"In the 90-day holdout the {len(early.cal_hold):,} calibration customers made ")


def test_a_one_day_holdout_is_a_validation() -> None:
    clean = _shape(600, 22, days=540)
    snapshot = clean["order_date"].max().normalize() + pd.Timedelta(days=1)
    one_day = clv.holdout_validation(clean, snapshot_date=snapshot, holdout_days=1)
    assert one_day.done and one_day.calibration_end == snapshot - pd.Timedelta(days=2)
    assert one_day.summary.startswith("In the 1-day holdout ")
