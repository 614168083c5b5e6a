"""Tests for segkit.clv.pareto: the drop-out integral against mpmath, the fit against simulated truth.

The drop-out integral is evaluated on a window around the peak of its integrand; where the
integrand is sharply peaked (many purchases, a large s, a long interval) a wrong window
changes the answer, so the cases below include such integrands next to flat ones, with
alpha below, equal to and above beta, and the interior peak that appears when r + x < 1.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pandas as pd
import pytest

from segkit.clv import BetaGeoModel, ParetoNBDModel
from segkit.clv.pareto import _pareto_log_dropout, _pareto_nbd_log_likelihood
from segkit.errors import DataError



def _log_dropout_reference(r, alpha, s, beta, x, t_x, T) -> float:
    """log of s * integral_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau, by mpmath in u = log(m + tau).

    The interval is cut into pieces that shrink geometrically towards both ends and the peak,
    where a steep integrand lives, so that mpmath's quadrature resolves it (checked against a
    uniform split into 256 pieces)."""
    with mp.workdps(25):  # locally: other test modules set their own global precision
        return _log_dropout_in_mpmath(r, alpha, s, beta, x, t_x, T)


def _log_dropout_in_mpmath(r, alpha, s, beta, x, t_x, T) -> float:
    k = mp.mpf(r) + x
    m0 = mp.mpf(min(alpha, beta))

    def integrand(u):  # tau = e^u - m0, dtau = e^u du
        tau = mp.exp(u) - m0
        return mp.exp(u) * (alpha + tau) ** (-k) * (beta + tau) ** (-(s + 1))

    a, b = mp.log(m0 + t_x), mp.log(m0 + T)
    grid = np.linspace(float(a), float(b), 4001)  # where the integrand peaks, on a fine grid
    log_f = grid - float(k) * np.log(alpha - float(m0) + np.exp(grid)) - (s + 1) * np.log(beta - float(m0) + np.exp(grid))
    peak = mp.mpf(grid[np.argmax(log_f)])
    steps = [(b - a) * mp.mpf(2) ** (-j) for j in range(30, -1, -1)]
    points = {a, b, peak} | {p for step in steps for p in (a + step, b - step, peak - step, peak + step)}
    points = sorted(p for p in points if a <= p <= b)
    return float(mp.log(s * mp.quad(integrand, points)))


CASES = [
    # r, alpha, s, beta, x, t_x, T
    (0.2, 1.0, 50.0, 1000.0, 0, 0.0, 10_000.0),   # interior peak (r + x < 1), steep fall on the right
    (0.2, 1.0, 0.5, 100.0, 0, 0.0, 1000.0),       # interior peak, flat
    (0.5, 2.0, 3.0, 2.0, 0, 0.0, 700.0),          # alpha = beta
    (0.7, 5.0, 40.0, 0.5, 3, 10.0, 5000.0),       # alpha > beta, steep
    (2.0, 0.5, 0.8, 30.0, 300, 20.0, 800.0),      # many purchases: a steep integrand
    (2.0, 30.0, 0.8, 0.5, 300, 20.0, 800.0),      # ... with alpha > beta
    (1.0, 10.0, 2.0, 50.0, 5, 490.0, 500.0),      # a short interval
    (0.3, 0.2, 60.0, 0.3, 40, 3.0, 100_000.0),    # very long, very steep
    (5.0, 1.0, 0.3, 2000.0, 1, 1.0, 50.0),
    (0.9, 200.0, 8.0, 3.0, 12, 100.0, 3000.0),
    # found by comparing wrong windows with the right one on 8,000 random cases: each one is a case where a
    # slip in the window (its slope, its Newton step, its handling of overflow) changes the answer
    (0.514, 0.745, 75.721, 0.745, 0, 0.0, 610.813),
    (0.128, 1143.546, 0.094, 0.09, 442, 0.234, 8450.68),
    (2.272, 53.616, 0.485, 0.692, 309, 59998.034, 92103.933),
    (11.35, 8.769, 0.135, 8.769, 466, 0.002, 40773.235),
    (6.062, 0.366, 0.077, 0.823, 426, 0.141, 32963.323),
]


@pytest.mark.parametrize("case", CASES)
def test_dropout_integral_matches_mpmath(case: tuple) -> None:
    r, alpha, s, beta, x, t_x, T = case
    got = _pareto_log_dropout(r, alpha, s, beta, np.array([float(x)]), np.array([t_x]), np.array([T]))
    assert got[0] == pytest.approx(_log_dropout_reference(r, alpha, s, beta, x, t_x, T), rel=1e-10, abs=1e-8)


def test_dropout_integral_vectorises_over_customers_and_is_minus_infinity_without_time() -> None:
    r, alpha, s, beta = 0.2, 1.0, 50.0, 1000.0
    x = np.array([0.0, 3.0, 300.0, 2.0])
    t_x = np.array([0.0, 10.0, 20.0, 40.0])
    T = np.array([10_000.0, 5000.0, 800.0, 40.0])
    got = _pareto_log_dropout(r, alpha, s, beta, x, t_x, T)
    for i in range(3):
        assert got[i] == pytest.approx(_log_dropout_reference(r, alpha, s, beta, x[i], t_x[i], T[i]), abs=1e-8)
    assert got[3] == -np.inf  # bought on the last day: no time to drop out after the last purchase


# --------------------------------------------------------------------------------------------
# The fit: simulated truth, the likelihood it reports, weights and its refusals
# --------------------------------------------------------------------------------------------

TRUTH = {"r": 0.8, "alpha": 20.0, "s": 0.6, "beta": 150.0}


def _simulate_pareto(n: int, seed: int) -> pd.DataFrame:
    """Pareto/NBD customers: Poisson purchases at rate lambda ~ Gamma(r, alpha) during an exponential
    lifetime of rate mu ~ Gamma(s, beta), observed for T days; given n purchases in the observed life L,
    the last one is at L times the largest of n uniforms."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUTH["r"], 1.0 / TRUTH["alpha"], n)
    mu = rng.gamma(TRUTH["s"], 1.0 / TRUTH["beta"], n)
    T = rng.integers(60, 731, n).astype(float)
    life = np.minimum(rng.exponential(1.0 / mu), T)
    x = rng.poisson(lam * life)
    recency = np.where(x > 0, life * rng.uniform(size=n) ** (1.0 / np.maximum(x, 1)), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": recency, "T": T})


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return _simulate_pareto(4000, 11)


@pytest.fixture(scope="module")
def fitted(simulated: pd.DataFrame) -> ParetoNBDModel:
    return ParetoNBDModel().fit(simulated["frequency"], simulated["recency"], simulated["T"])


def test_pareto_fit_recovers_simulated_parameters(fitted: ParetoNBDModel) -> None:
    z = (fitted.params_ - pd.Series(TRUTH)) / fitted.standard_errors_
    assert (z.abs() < 3.5).all(), z


def test_pareto_fit_is_the_maximum_of_the_reported_likelihood(fitted: ParetoNBDModel, simulated: pd.DataFrame) -> None:
    def total(params) -> float:
        return float(_pareto_nbd_log_likelihood(*params, simulated["frequency"], simulated["recency"],
                                                simulated["T"]).sum())

    best = fitted.params_.to_numpy()
    assert fitted.log_likelihood_ == pytest.approx(total(best), rel=1e-9)
    for j in range(4):
        for factor in (0.97, 1.03):
            moved = best.copy()
            moved[j] *= factor
            assert total(moved) < fitted.log_likelihood_
    assert fitted.n_customers_ == 4000.0 and fitted.aic_ == pytest.approx(8 - 2 * fitted.log_likelihood_)


def test_pareto_weights_count_customers_and_zero_weights_drop_rows(simulated: pd.DataFrame) -> None:
    small = simulated.iloc[:400]
    doubled = pd.concat([small, small.iloc[:100]], ignore_index=True)
    plain = ParetoNBDModel().fit(doubled["frequency"], doubled["recency"], doubled["T"])
    weights = np.r_[np.full(100, 2.0), np.ones(300)]
    weighted = ParetoNBDModel().fit(small["frequency"], small["recency"], small["T"], sample_weight=weights)
    np.testing.assert_allclose(weighted.params_, plain.params_, rtol=1e-5)
    assert weighted.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-9)
    # a row of weight 0 is not in the data: the fit is that of the others, on as many unique rows
    extra = pd.concat([small, pd.DataFrame({"frequency": [7.0], "recency": [33.3], "T": [444.4]})], ignore_index=True)
    dropped = ParetoNBDModel().fit(extra["frequency"], extra["recency"], extra["T"],
                                   sample_weight=np.r_[np.ones(400), 0.0])
    alone = ParetoNBDModel().fit(small["frequency"], small["recency"], small["T"])
    np.testing.assert_allclose(dropped.params_, alone.params_, rtol=1e-6)
    assert dropped.n_unique_ == alone.n_unique_ and dropped.n_customers_ == 400.0


def test_pareto_needs_ten_customers_and_a_repeat_purchase() -> None:
    frequency = np.array([0, 1, 0, 2, 0, 0, 3, 0, 1, 0], dtype=float)
    recency = np.array([0, 30, 0, 80, 0, 0, 100, 0, 5, 0], dtype=float)
    T = np.array([100, 120, 90, 150, 60, 200, 180, 110, 40, 70], dtype=float)
    try:
        ParetoNBDModel().fit(frequency, recency, T)  # exactly ten customers are enough
    except DataError as error:
        assert "needs at least" not in str(error)
    with pytest.raises(DataError, match=r"^Pareto/NBD needs at least 10 customers and some repeat purchases; got 9 "
                                        r"customers with 7 repeat purchases\."):
        ParetoNBDModel().fit(frequency[1:], recency[1:], T[1:])
    with pytest.raises(DataError, match="got 10 customers with 0 repeat purchases"):
        ParetoNBDModel().fit(np.zeros(10), np.zeros(10), T)
    one = np.zeros(10)
    one[1] = 1.0
    try:  # a single repeat purchase is some repeat purchase: no refusal for lack of them
        ParetoNBDModel().fit(one, np.where(one > 0, 30.0, 0.0), T)
    except DataError as error:
        assert "needs at least" not in str(error)


@pytest.mark.parametrize("model", [ParetoNBDModel.from_params(**TRUTH),
                                   BetaGeoModel.from_params(r=0.6, alpha=25.0, a=0.8, b=3.0)],
                         ids=["Pareto/NBD", "BG/NBD"])
def test_predictions_take_fractional_frequencies_and_name_their_series(model) -> None:
    """Predictions accept averaged or weighted histories (frequency 1.5), keep the index and name the result."""
    index = pd.Index(["a", "b"], name="customer_id")
    frequency = pd.Series([1.5, 0.0], index=index)
    recency, T = pd.Series([40.0, 0.0], index=index), pd.Series([100.0, 50.0], index=index)
    p_alive = model.probability_alive(frequency, recency, T)
    purchases = model.expected_purchases(frequency, recency, T, t=30.0)
    assert p_alive.name == "p_alive" and purchases.name == "expected_purchases"
    assert p_alive.index.equals(index) and purchases.index.equals(index)
    # a fractional history lies between its whole neighbours
    lower = model.expected_purchases(1.0, 40.0, 100.0, t=30.0)
    upper = model.expected_purchases(2.0, 40.0, 100.0, t=30.0)
    assert min(lower, upper) < purchases["a"] < max(lower, upper)
