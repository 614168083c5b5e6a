"""The bootstrap of total CLV for BG/NBD, computed on distinct (frequency, T) pairs, against references.

segkit's bootstrap (``_bgnbd_draw_totals``) writes each draw's total as
margin × Σ_(x, T) D(x, T) × Σ_customers P(alive) × E[spend], with D the discounted purchases of
a customer alive at T, evaluated once per pair (and, for a frequency seen at many ages, by a
Chebyshev interpolant in log(alpha + T)). The references here are independent of that:

* the per-draw loop (``_loop_draw_totals``: ``predict_clv`` on every customer row, per draw);
* a per-customer computation written out from the published formulas: P(alive) (FHL 2005,
  eq. 13), the Gamma-Gamma mean and the expected purchases of an alive customer as an integral
  over the drop-out probability p ~ Beta(a, b + x) by SciPy's adaptive ``quad`` (with the Beta
  density's end singularities as its algebraic weight), discounted step by step as
  ``predict_clv`` documents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import beta as beta_fn

from segkit.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel, bootstrap, predict
from segkit.clv import _quadrature as quadrature
from segkit.clv.simulate import simulate_gamma_gamma
from segkit.datasets import simulate_bgnbd

#: (r, alpha, a, b) per day: a typical shop, a + b < 1, a = 1, large r with small alpha, tiny a
BG_DRAWS = pd.DataFrame([(0.66, 26.2, 0.62, 4.0), (0.11, 2.24, 0.31, 0.50), (0.6, 25.0, 1.0, 3.0),
                         (40.0, 0.5, 2.0, 6.0), (0.6, 25.0, 1e-4, 3.0)], columns=["r", "alpha", "a", "b"])
#: (p, q, v): a typical fit, and q < 1 where customers without repeat purchases get the fallback spend
GG_DRAWS = pd.DataFrame([(4.5, 2.8, 29.9), (6.0, 4.0, 15.0), (2.0, 0.8, 10.0), (1.0, 3.0, 50.0),
                         (6.0, 4.0, 15.0)], columns=["p", "q", "v"])


def _hand_made_customers() -> pd.DataFrame:
    """Distinct rows with counts: new, one-off, regular and heavy customers; x = 0 and x = 2 at many ages."""
    rows = [(0, 0.0, 1.0, 0.0, 3), (0, 0.0, 400.0, 0.0, 1), (1, 5.0, 400.0, 20.0, 2), (1, 399.0, 400.0, 35.5, 1),
            (2, 30.0, 39.0, 12.0, 1), (12, 300.0, 365.0, 80.0, 4), (40, 700.0, 730.0, 15.0, 1),
            (150, 720.0, 730.0, 9.0, 1), (3, 0.5, 2.25, 14.0, 2)]  # fractional days too
    rows += [(0, 0.0, float(T), 0.0, 1 + T % 3) for T in range(1, 731, 9)]
    rows += [(2, float(T // 2), float(T), 10.0 + T % 7, 1) for T in range(40, 731, 11)]
    rows += [(2, float(T // 3), float(T), 25.0, 2) for T in range(40, 731, 11)]  # same (x, T), other t_x and m
    return pd.DataFrame(rows, columns=["frequency", "recency", "T", "monetary_value", "n"])


def _models() -> tuple[BetaGeoModel, GammaGammaModel]:
    return (BetaGeoModel.from_params(**BG_DRAWS.iloc[0].to_dict()),
            GammaGammaModel.from_params(**GG_DRAWS.iloc[0].to_dict()))


def _evaluate_per_customer(monkeypatch) -> None:
    """predict_clv's purchases customer by customer, by the model's own method (as before issue 11), so
    that the per-draw loop is a reference independent of the (frequency, T) pairs."""
    monkeypatch.setattr(predict, "_expected_purchases",
                        lambda model, x, t_x, age, t: np.asarray(model._expected_purchases(x, t_x, age, t), dtype=float))


@pytest.fixture
def per_customer(monkeypatch) -> None:
    _evaluate_per_customer(monkeypatch)


@pytest.mark.parametrize("options", [dict(horizon=365.0, margin=0.3, discount_rate=0.1),
                                     dict(horizon=365.0, margin=1.0, discount_rate=0.0),
                                     dict(horizon=90.0, margin=0.5, discount_rate=0.25, n_steps=3),
                                     dict(horizon=730.0, margin=0.3, discount_rate=0.1, periods_per_year=52.18)])
@pytest.mark.parametrize("fallback_spend", [17.0, None])
def test_draw_totals_match_the_per_draw_loop(options: dict, fallback_spend: float | None, per_customer) -> None:
    unique = _hand_made_customers()
    args = (*_models(), unique, BG_DRAWS, GG_DRAWS)
    fast = bootstrap._bgnbd_draw_totals(*args, fallback_spend=fallback_spend, **options)
    loop = bootstrap._loop_draw_totals(*args, fallback_spend=fallback_spend, **options)
    assert np.all(np.isfinite(loop)) and np.ptp(loop) > 0
    np.testing.assert_allclose(fast, loop, rtol=1e-12)


def _alive_purchases_by_quad(r: float, alpha: float, a: float, b: float, x: float, T: float, t: float) -> float:
    """E[purchases in the next t | alive at T, x] = E_p[(1 - (1 + p t / (alpha + T))^-(r + x)) / p], p ~ Beta(a, b + x)."""
    u, k = t / (alpha + T), r + x

    def h(p: float) -> float:
        return -np.expm1(-k * np.log1p(p * u)) / p if p > 0 else k * u

    value, _ = integrate.quad(h, 0.0, 1.0, weight="alg", wvar=(a - 1, b + x - 1), epsabs=0.0, epsrel=1e-13,
                              limit=200)
    return value / beta_fn(a, b + x)


def _discounted_by_quad(params, x: float, T: float, *, horizon: float, discount_rate: float,
                        periods_per_year: float = 365.25, n_steps: int = 12) -> float:
    """Σ_steps (1 + d)^-(mid-step / year) × (purchases expected in the step), for a customer alive at T."""
    r, alpha, a, b = params
    grid = np.linspace(0.0, horizon, n_steps + 1)
    cumulative = np.array([0.0] + [_alive_purchases_by_quad(r, alpha, a, b, x, T, t) for t in grid[1:]])
    factors = (1 + discount_rate) ** -((grid[:-1] + grid[1:]) / 2 / periods_per_year)
    return float(factors @ np.diff(cumulative))


def _p_alive_by_formula(r, alpha, a, b, x, t_x, T) -> float:
    """FHL (2005) eq. 13, as printed."""
    return 1.0 if x == 0 else 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))


@pytest.mark.parametrize("draw", range(len(BG_DRAWS)))
def test_draw_totals_match_a_per_customer_integration(draw: int) -> None:
    unique = _hand_made_customers().iloc[:9]  # the hand-picked histories
    options = dict(horizon=365.0, margin=0.3, discount_rate=0.1)
    p, q, v = GG_DRAWS.iloc[0]
    params = tuple(BG_DRAWS.iloc[draw])
    expected = 0.0
    for x, t_x, T, m, n in unique.itertuples(index=False):
        spend = p * (v + x * m) / (p * x + q - 1)
        alive = _discounted_by_quad(params, x, T, horizon=365.0, discount_rate=0.1)
        expected += n * 0.3 * spend * _p_alive_by_formula(*params, x, t_x, T) * alive
    fast = bootstrap._bgnbd_draw_totals(*_models(), unique, BG_DRAWS.iloc[[draw]], GG_DRAWS.iloc[[0]],
                                      fallback_spend=1.0, **options)
    assert fast[0] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("draw", [0, 1, 3])
def test_interpolated_ages_match_the_integral(draw: int) -> None:
    """x = 0 and x = 5 at 81 or 82 ages, and x = 40 at 30: the interpolant against quad, age by age."""
    per_frequency = {0.0: np.arange(1.0, 731.0, 9), 5.0: np.arange(3.0, 731.0, 9), 40.0: np.linspace(300, 730, 30)}
    x = np.concatenate([np.full(ages.size, x) for x, ages in per_frequency.items()])
    ages = np.concatenate(list(per_frequency.values()))
    groups = quadrature._age_groups(x, ages)
    assert groups.smooth.tolist() == [True, True, True]
    params = tuple(BG_DRAWS.iloc[draw])
    times, weights = bootstrap._step_weights(365.0, 0.1, 365.25, 12)
    fast = quadrature._discounted_alive_purchases(*params, groups, times, weights)
    pick = np.arange(0, x.size, 7)  # every 7th age: about 100 s of quad otherwise
    reference = [_discounted_by_quad(params, x[i], ages[i], horizon=365.0, discount_rate=0.1) for i in pick]
    np.testing.assert_allclose(fast[pick], reference, rtol=1e-9)


def _direct(params, groups, times, weights) -> np.ndarray:
    r, alpha, a, b = params
    return weights @ quadrature._alive_purchases(r, a, b, groups.x, times[:, None] / (alpha + groups.age))


def test_interpolation_is_used_only_when_its_coefficients_have_decayed(monkeypatch) -> None:
    """Ages from 1 day to 300 years: 24 points cannot follow x = 0 there, so those ages are evaluated
    directly; x = 3 on two years is interpolated. Either way the values are the direct ones."""
    ages = np.concatenate([np.geomspace(1.0, 1e5, 60), np.arange(30.0, 731.0, 7)])
    x = np.repeat([0.0, 3.0], [60, ages.size - 60])
    groups = quadrature._age_groups(x, ages)
    params = tuple(BG_DRAWS.iloc[0])
    times, weights = bootstrap._step_weights(365.0, 0.1, 365.25, 12)
    used = []
    original = quadrature._alive_purchases

    def spy(r, a, b, x_, u):
        used.append(np.unique(x_[: u.shape[-1]]))
        return original(r, a, b, x_, u)

    monkeypatch.setattr(quadrature, "_alive_purchases", spy)
    values = quadrature._discounted_alive_purchases(*params, groups, times, weights)
    assert len(used) == 2 and used[1].tolist() == [0.0]  # the second call: x = 0 evaluated age by age
    direct = _direct(params, groups, times, weights)
    np.testing.assert_allclose(values, direct, rtol=1e-12)
    monkeypatch.setattr(quadrature, "_CHEB_TOL", 0.0)  # nothing is trusted: every age is evaluated directly
    np.testing.assert_allclose(quadrature._discounted_alive_purchases(*params, groups, times, weights), direct,
                               rtol=1e-14)
    monkeypatch.setattr(quadrature, "_CHEB_TOL", np.inf)  # everything is interpolated: x = 0 is then wrong
    forced = quadrature._discounted_alive_purchases(*params, groups, times, weights)
    assert np.max(np.abs(forced[:60] / direct[:60] - 1)) > 1e-9
    np.testing.assert_allclose(forced[60:], direct[60:], rtol=1e-12)


def test_frequencies_seen_at_few_ages_are_evaluated_directly() -> None:
    ages = np.arange(1.0, 25.0)  # 24 ages: not more than the 24 interpolation points
    groups = quadrature._age_groups(np.zeros(24), ages)
    assert not groups.smooth.any()
    assert not quadrature._age_groups(np.zeros(30), np.full(30, 7.0)).smooth.any()  # one age: nothing to interpolate
    params = tuple(BG_DRAWS.iloc[1])
    times, weights = bootstrap._step_weights(365.0, 0.0, 365.25, 12)
    values = quadrature._discounted_alive_purchases(*params, groups, times, weights)
    np.testing.assert_array_equal(values, _direct(params, groups, times, weights))


def test_bootstrap_total_clv_gives_the_draws_of_the_per_draw_loop(monkeypatch) -> None:
    """The public function on a fitted pair: same seed, same draws as predict_clv once per draw."""
    ages = np.random.default_rng(3).integers(1, 731, 4000).astype(float)
    sim = simulate_bgnbd(4000, r=0.6, alpha=25.0, a=0.8, b=3.0, T=ages, random_state=4)
    sim["recency"] = np.where(sim["frequency"] > 0, np.ceil(sim["recency"]).clip(upper=sim["T"]), 0.0)
    customers = sim.join(simulate_gamma_gamma(sim["frequency"], p=6.0, q=4.0, v=15.0, random_state=5))
    customers["monetary_value"] = customers["monetary_value"].round(2)
    bg = BetaGeoModel().fit(customers["frequency"], customers["recency"], customers["T"])
    repeat = predict.repeat_customers(customers)
    gg = GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"])
    options = dict(horizon=365.0, margin=0.3, discount_rate=0.1)
    interval = bootstrap.bootstrap_total_clv(bg, gg, customers, n_draws=30, random_state=11, **options)
    rng = np.random.default_rng(11)
    purchase_draws, spend_draws = bg.sample_params(30, random_state=rng), gg.sample_params(30, random_state=rng)
    unique = customers[["frequency", "recency", "T", "monetary_value"]].value_counts(sort=False).rename("n").reset_index()
    _evaluate_per_customer(monkeypatch)  # the reference loop evaluates customer by customer
    loop = bootstrap._loop_draw_totals(bg, gg, unique, purchase_draws, spend_draws,
                                     fallback_spend=predict.mean_repeat_spend(customers), **options)
    np.testing.assert_allclose(interval.draws, loop, rtol=1e-12)
    np.testing.assert_allclose([interval.lower, interval.upper], np.quantile(loop, [0.05, 0.95]), rtol=1e-12)


def test_other_purchase_models_keep_the_per_draw_loop(monkeypatch) -> None:
    """Pareto/NBD has no (x, T) factorisation here: its bootstrap must not take the BG/NBD path."""
    ages = np.random.default_rng(6).integers(30, 731, 3000).astype(float)
    sim = simulate_bgnbd(3000, r=0.6, alpha=25.0, a=0.8, b=3.0, T=ages, random_state=7)
    customers = sim.join(simulate_gamma_gamma(sim["frequency"], p=6.0, q=4.0, v=15.0, random_state=8))
    pareto = ParetoNBDModel().fit(customers["frequency"], customers["recency"], customers["T"])
    repeat = predict.repeat_customers(customers)
    gg = GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"])

    def refuse(*args, **kwargs):
        raise AssertionError("the BG/NBD path was taken for Pareto/NBD")

    monkeypatch.setattr(bootstrap, "_bgnbd_draw_totals", refuse)
    interval = bootstrap.bootstrap_total_clv(pareto, gg, customers.head(300), n_draws=10, random_state=1)
    assert interval.n_draws == 10 and interval.lower < interval.upper


@pytest.mark.parametrize("discount_rate", [0.0, 0.1])
def test_predict_clv_by_pairs_equals_the_model_customer_by_customer(discount_rate: float) -> None:
    """predict_clv evaluates BG/NBD once per (x, T) pair; the model's own method, called for one
    customer at a time, gives the same purchases (undiscounted, and discounted step by step)."""
    customers = _hand_made_customers().drop(columns="n")
    bg, gg = _models()
    out = predict.predict_clv(bg, gg, customers, horizon=365.0, discount_rate=discount_rate)
    grid = np.linspace(0.0, 365.0, 13)
    factors = (1 + discount_rate) ** -((grid[:-1] + grid[1:]) / 2 / 365.25)
    for i, (x, t_x, T, m) in enumerate(customers.itertuples(index=False)):
        cumulative = np.array([0.0] + [float(bg.expected_purchases(x, t_x, T, t=t)) for t in grid[1:]])
        assert out["predicted_purchases"].iloc[i] == pytest.approx(cumulative[-1], rel=1e-14)
        discounted = factors @ np.diff(cumulative) if discount_rate else cumulative[-1]
        spend = float(gg.expected_spend(x, m))
        assert out["clv"].iloc[i] == pytest.approx(spend * discounted, rel=1e-13)
