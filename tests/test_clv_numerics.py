"""BG/NBD and Pareto/NBD predictions against an independent high-precision evaluation (mpmath).

segkit evaluates the BG/NBD conditional expectation (FHL 2005, eq. 10) and the new-customer
curve (eq. 9) as a Gauss quadrature over the drop-out probability, and the Pareto/NBD
drop-out integral as a Gauss-Legendre quadrature in log space. The references here are the
published closed forms, evaluated with mpmath at 60 significant digits: eq. 10 and eq. 9
with mpmath's hypergeometric function, and the Pareto/NBD P(alive) through the
hypergeometric form of Fader & Hardie's note (eq. 22), cross-checked by direct numerical
integration. The grids cover the regimes where the double-precision closed forms fail:
a + b < 1, a = 1 (and a within 1e-9 of 1), a or b tiny or huge, large r, large frequency and
age, short and very long horizons.
"""

from __future__ import annotations

import itertools

import mpmath as mp
import numpy as np
import pandas as pd
import pytest

from segkit import clv
from segkit.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel
from segkit.clv.pareto import _pareto_nbd_log_likelihood

mp.mp.dps = 60
RTOL = 1e-6  # the promise; the largest error seen is printed by -s and stays near 1e-9

#: (r, alpha, a, b): published fits and the awkward corners of the parameter space
BG_PARAMS = [
    (0.2426, 4.4136, 0.7929, 2.4259),  # CDNOW (FHL 2005), weeks
    (0.11, 2.24, 0.31, 0.50),  # a + b < 1 (lifetimes issue #302: NaN there)
    (0.5458741247391189, 13.409316394557274, 0.0009994943799344323, 0.03899022143378801),  # lifetimes PR #206
    (0.6, 25.0, 0.4, 0.6),  # a + b = 1: the closed form's third parameter is 0 for x = 0
    (0.6, 25.0, 1.0, 3.0),  # a = 1: the closed form is 0/0
    (0.6, 25.0, 1.0 + 1e-9, 3.0),  # a next to 1: catastrophic cancellation in the closed form
    (0.6, 25.0, 1e-4, 3.0),  # a tiny: almost everyone drops out at once
    (0.6, 25.0, 0.8, 1e-4),  # b tiny
    (40.0, 0.5, 2.0, 6.0),  # r large, alpha small: rates barely differ between customers
    (0.02, 300.0, 5.0, 0.3),  # r tiny, alpha large
]
#: parameter sets where mpmath's 2F1 takes seconds to minutes: checked against the direct integral
BG_PARAMS_HUGE = [
    (0.6, 25.0, 2e3, 5e3),  # a and b huge: p is almost fixed at 0.29
    (0.6, 25.0, 0.8, 1e5),  # b huge: hardly any drop-out
]
#: (x, t_x, T): new, one-off, typical, heavy and very old customers
HISTORIES = [(0, 0.0, 0.0), (0, 0.0, 45.0), (1, 5.0, 400.0), (2, 30.43, 38.86), (12, 300.0, 365.0),
             (150, 700.0, 730.0), (3000, 9990.0, 10000.0)]
HORIZONS = [0.5, 39.0, 365.0, 5000.0]


def _bg_closed_form(r, alpha, a, b, x, T, t) -> mp.mpf:
    """(a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))] in mpmath.

    At a = 1 and at a + b + x = 1 the formula is 0/0; there it is evaluated 1e-30 away, which
    moves the value by ~1e-30 relative and is well inside 60 digits.
    """
    r, alpha, a, b, x, T, t = (mp.mpf(v) for v in (r, alpha, a, b, x, T, t))
    if a == 1:
        a += mp.mpf("1e-30")
    if a + b + x - 1 == 0:
        b += mp.mpf("1e-30")
    c = a + b + x - 1
    z = t / (alpha + T + t)
    tail = ((alpha + T) / (alpha + T + t)) ** (r + x) * mp.hyp2f1(r + x, b + x, c, z)
    return c / (a - 1) * (1 - tail)


def _bg_p_alive(r, alpha, a, b, x, t_x, T) -> mp.mpf:
    if x == 0:
        return mp.mpf(1)
    r, alpha, a, b, x, t_x, T = (mp.mpf(v) for v in (r, alpha, a, b, x, t_x, T))
    return 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))


def _by_quadrature(r, alpha, a, b, x, T, t) -> mp.mpf:
    """The same expectation as a direct integral over p ~ Beta(a, b + x), by mpmath's tanh-sinh rule.

    Used where mpmath's 2F1 is slow (a, b in the thousands) and as a check of the closed form.
    A singular end (a < 1 at p = 0, b + x < 1 at p = 1) is removed by p = w^(1/a) or
    1 - p = w^(1/(b+x)); the interval is split where the integrand changes scale (1/(k u),
    1/u) and every standard deviation around the mode of a narrow Beta.
    """
    r, alpha, a, b, x, T, t = (mp.mpf(v) for v in (r, alpha, a, b, x, T, t))
    k, big_b, u = r + x, b + x, t / (alpha + T)
    half = mp.mpf(1) / 2

    def h(p):
        return -mp.expm1(-k * mp.log1p(p * u)) / p if p > 0 else k * u

    def density_times_h(p):
        return p ** (a - 1) * (1 - p) ** (big_b - 1) * h(p)

    mode = a / (a + big_b)
    sd = mp.sqrt(mode * (1 - mode) / (a + big_b + 1))
    marks = [1 / (1 + k * u), 1 / (1 + u)] + [mode + j * sd for j in range(-30, 31)]

    def points(lo, hi, transform=lambda p: p):
        return sorted({transform(lo), transform(hi)} | {transform(p) for p in marks if lo < p < hi})

    if a < 1:  # p = w^(1/a): p^(a-1) dp = dw / a
        left = mp.quad(lambda w: (1 - w ** (1 / a)) ** (big_b - 1) * h(w ** (1 / a)),
                       points(0, half, lambda p: p ** a)) / a
    else:
        left = mp.quad(density_times_h, points(0, half))
    if big_b < 1:  # 1 - p = w^(1/(b+x))
        right = mp.quad(lambda w: (1 - w ** (1 / big_b)) ** (a - 1) * h(1 - w ** (1 / big_b)),
                        points(half, 1, lambda p: (1 - p) ** big_b)) / big_b
    else:
        right = mp.quad(density_times_h, points(half, 1))
    return (left + right) / mp.beta(a, big_b)


def _relative_errors(values: np.ndarray, references: list) -> np.ndarray:
    references = np.array([float(v) for v in references])
    assert np.all(np.isfinite(values)), values[~np.isfinite(values)]
    return np.abs(values / references - 1)


@pytest.fixture(scope="module")
def bg_grid() -> pd.DataFrame:
    rows = [(*params, *history, t) for params, history, t in itertools.product(BG_PARAMS, HISTORIES, HORIZONS)]
    return pd.DataFrame(rows, columns=["r", "alpha", "a", "b", "x", "t_x", "T", "t"])


def test_reference_closed_form_agrees_with_direct_integration() -> None:
    """The two mpmath references (closed form, direct integral) check each other on hard points."""
    for point in [(0.11, 2.24, 0.31, 0.50, 0, 0.0, 365.0), (0.6, 25.0, 1.0, 3.0, 12, 365.0, 39.0),
                  (0.6, 25.0, 1e-4, 3.0, 2, 38.86, 5000.0), (0.6, 25.0, 0.4, 0.6, 0, 45.0, 39.0),
                  (0.6, 25.0, 0.8, 1e-4, 0, 45.0, 365.0), (0.6, 25.0, 2e3, 5e3, 2, 38.86, 0.5)]:
        closed, direct = _bg_closed_form(*point), _by_quadrature(*point)
        assert abs(closed / direct - 1) < 1e-12, point


def test_bgnbd_conditional_expectation_matches_mpmath_everywhere(bg_grid: pd.DataFrame) -> None:
    """FHL (2005) eq. 10 on 10 parameter sets × 7 histories × 4 horizons, to 1e-6 relative."""
    values, references = [], []
    for params, group in bg_grid.groupby(["r", "alpha", "a", "b"], sort=False):
        model = BetaGeoModel.from_params(**dict(zip(("r", "alpha", "a", "b"), params)))
        values.append(model.expected_purchases(group["x"].to_numpy(), group["t_x"].to_numpy(), group["T"].to_numpy(),
                                               t=group["t"].to_numpy()))
        references += [_bg_p_alive(*params, x, t_x, T) * _bg_closed_form(*params, x, T, t)
                       for x, t_x, T, t in group[["x", "t_x", "T", "t"]].itertuples(index=False)]
    errors = _relative_errors(np.concatenate(values), references)
    print(f"\nBG/NBD eq. 10: largest relative error {errors.max():.2e} over {errors.size} points")
    assert errors.max() < RTOL


def test_bgnbd_conditional_expectation_with_huge_a_or_b_matches_direct_integration() -> None:
    histories, horizons = [HISTORIES[i] for i in (0, 2, 3, 5, 6)], [39.0, 5000.0]
    errors = []
    for params in BG_PARAMS_HUGE:
        model = BetaGeoModel.from_params(**dict(zip(("r", "alpha", "a", "b"), params)))
        points = list(itertools.product(histories, horizons))
        x, t_x, T, t = (np.array(v, dtype=float) for v in zip(*[(*h, t) for h, t in points]))
        values = model.expected_purchases(x, t_x, T, t=t)
        references = [_bg_p_alive(*params, *h) * _by_quadrature(*params, h[0], h[2], t) for h, t in points]
        errors.append(_relative_errors(values, references))
    print(f"\nBG/NBD eq. 10, huge a or b: largest relative error {np.max(errors):.2e}")
    assert np.max(errors) < RTOL


def test_bgnbd_new_customer_curve_matches_mpmath() -> None:
    """FHL (2005) eq. 9 (x = 0, T = 0) over horizons from hours to decades."""
    t = np.array([1e-3, 0.1429, 1.0, 32.0, 78.0, 365.0, 3650.0, 1e5])
    errors = []
    for params in BG_PARAMS:
        model = BetaGeoModel.from_params(**dict(zip(("r", "alpha", "a", "b"), params)))
        reference = [_bg_closed_form(*params, 0, 0.0, horizon) for horizon in t]
        errors.append(_relative_errors(np.asarray(model.expected_purchases_new_customer(t)), reference))
    assert np.max(errors) < RTOL


def test_bgnbd_probability_alive_matches_mpmath(bg_grid: pd.DataFrame) -> None:
    errors = []
    for params, group in bg_grid.drop_duplicates(["r", "alpha", "a", "b", "x", "t_x", "T"]).groupby(
            ["r", "alpha", "a", "b"], sort=False):
        model = BetaGeoModel.from_params(**dict(zip(("r", "alpha", "a", "b"), params)))
        values = model.probability_alive(group["x"].to_numpy(), group["t_x"].to_numpy(), group["T"].to_numpy())
        reference = [_bg_p_alive(*params, *history) for history in group[["x", "t_x", "T"]].itertuples(index=False)]
        errors.append(_relative_errors(values, reference))
    assert np.max(np.concatenate(errors)) < RTOL


def test_bgnbd_expected_purchases_broadcast_over_horizons() -> None:
    """t of shape (horizons, 1) gives one row per horizon, equal to one call per horizon."""
    model = BetaGeoModel.from_params(r=0.11, alpha=2.24, a=0.31, b=0.50)
    x, t_x, T = np.array([0.0, 2.0, 40.0]), np.array([0.0, 30.0, 90.0]), np.array([10.0, 40.0, 100.0])
    horizons = np.array([1.0, 30.0, 400.0])
    table = model.expected_purchases(x, t_x, T, t=horizons[:, None])
    assert table.shape == (3, 3)
    for row, horizon in zip(table, horizons):
        np.testing.assert_allclose(row, model.expected_purchases(x, t_x, T, t=horizon), rtol=1e-14)


# --------------------------------------------------------------------------------------------
# Pareto/NBD
# --------------------------------------------------------------------------------------------

#: (r, alpha, s, beta): a published fit (CDNOW, weeks) and corners, including integer r and s = 1
PARETO_PARAMS = [(0.553, 10.578, 0.606, 11.669), (0.553, 10.578, 0.606, 1e4), (5.0, 0.01, 1.0, 25.0),
                 (50.0, 25.0, 0.01, 1e4), (0.01, 1e4, 20.0, 0.01), (1.0, 1.0, 1.5, 1.0)]
PARETO_HISTORIES = [(0, 0.0, 0.5), (0, 0.0, 40.0), (1, 1.71, 38.86), (5, 300.0, 1000.0), (100, 0.45, 0.5),
                    (100, 999.0, 1000.0), (2000, 9e4, 1e5)]


def _pareto_p_alive_reference(r, alpha, s, beta, x, t_x, T) -> mp.mpf:
    """Fader & Hardie's note, eq. 22 and 18, in mpmath (A0 with α and β swapped when β > α)."""
    r, alpha, s, beta, x, t_x, T = (mp.mpf(v) for v in (r, alpha, s, beta, x, t_x, T))
    rsx = r + s + x
    big, shift, small = (alpha, s + 1, beta) if alpha >= beta else (beta, r + x, alpha)

    def term(age):
        return mp.hyp2f1(rsx, shift, rsx + 1, (big - small) / (big + age)) / (big + age) ** rsx

    alive = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    return alive / (alive + s / rsx * (term(t_x) - term(T)))


def _pareto_p_alive_by_integration(r, alpha, s, beta, x, t_x, T) -> mp.mpf:
    r, alpha, s, beta, x, t_x, T = (mp.mpf(v) for v in (r, alpha, s, beta, x, t_x, T))
    alive = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    dead = s * mp.quad(lambda tau: (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1), [t_x, T]) if T > t_x else 0
    return alive / (alive + dead)


def _pareto_decay(s, beta_T, t) -> mp.mpf:
    """(β+T)/(s-1) · [1 - ((β+T)/(β+T+t))^(s-1)], and its limit (β+T) log((β+T+t)/(β+T)) at s = 1."""
    if s == 1:
        return beta_T * mp.log((beta_T + t) / beta_T)
    return beta_T / (s - 1) * (1 - (beta_T / (beta_T + t)) ** (s - 1))


def _log_errors(values: np.ndarray, references: list) -> np.ndarray:
    """|log(value) - log(reference)|: the relative error, also for probabilities far below 1e-300."""
    log_values = np.log(np.asarray(values, dtype=float))
    log_references = np.array([float(mp.log(v)) for v in references])
    tiny = log_references < -700  # below the smallest double: the value must underflow too
    assert np.all(np.asarray(values)[tiny] < 1e-290)
    return np.abs(log_values - log_references)[~tiny]


def test_pareto_reference_agrees_with_direct_integration() -> None:
    for point in [(0.553, 10.578, 0.606, 11.669, 1, 1.71, 38.86), (5.0, 0.01, 1.0, 25.0, 5, 300.0, 1000.0),
                  (1.0, 1.0, 1.5, 1.0, 100, 0.45, 0.5)]:
        assert abs(_pareto_p_alive_reference(*point) / _pareto_p_alive_by_integration(*point) - 1) < 1e-20


def test_pareto_probability_alive_and_purchases_match_mpmath() -> None:
    alive_errors, purchase_errors = [], []
    for params in PARETO_PARAMS:
        model = ParetoNBDModel.from_params(**dict(zip(("r", "alpha", "s", "beta"), params)))
        x, t_x, T = (np.array(column, dtype=float) for column in zip(*PARETO_HISTORIES))
        references = [_pareto_p_alive_reference(*params, *history) for history in PARETO_HISTORIES]
        alive_errors.append(_log_errors(model.probability_alive(x, t_x, T), references))
        r, alpha, s, beta = (mp.mpf(v) for v in params)
        for t in (1.0, 52.0, 1000.0):
            purchases = [p * (r + xi) / (alpha + Ti) * _pareto_decay(s, beta + Ti, t)
                         for p, (xi, _, Ti) in zip(references, PARETO_HISTORIES)]
            purchase_errors.append(_log_errors(model.expected_purchases(x, t_x, T, t=t), purchases))
    alive_errors, purchase_errors = np.concatenate(alive_errors), np.concatenate(purchase_errors)
    print(f"\nPareto/NBD: largest relative error {alive_errors.max():.2e} (P(alive)), "
          f"{purchase_errors.max():.2e} (expected purchases)")
    assert alive_errors.max() < RTOL and purchase_errors.max() < RTOL


def test_pareto_log_likelihood_is_finite_where_the_hypergeometric_form_fails() -> None:
    """Integer r with α >> β sends the note's 2F1 to an argument near 1 where SciPy returns NaN."""
    ll = _pareto_nbd_log_likelihood(5.0, 1.0, 1.5, 25.0, [2000.0, 3.0], [0.5, 10.0], [0.5, 40.0])
    assert np.all(np.isfinite(ll))


# --------------------------------------------------------------------------------------------
# CLV stays finite in the corners
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", BG_PARAMS + BG_PARAMS_HUGE,
                         ids=[f"r={p[0]:g},a={p[2]:g},b={p[3]:g}" for p in BG_PARAMS + BG_PARAMS_HUGE])
def test_clv_is_finite_for_every_valid_parameter_set(params) -> None:
    purchases = BetaGeoModel.from_params(**dict(zip(("r", "alpha", "a", "b"), params)))
    spend = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)
    customers = pd.DataFrame({"frequency": [0, 0, 1, 2, 150, 3000], "recency": [0.0, 0.0, 5.0, 30.43, 700.0, 9990.0],
                              "T": [0.0, 45.0, 400.0, 38.86, 730.0, 10000.0],
                              "monetary_value": [0.0, 0.0, 20.0, 35.0, 50.0, 40.0]})
    for options in ({}, {"discount_rate": 0.1}):
        out = clv.predict_clv(purchases, spend, customers, horizon=365.0, **options)
        assert np.all(np.isfinite(out.to_numpy())) and (out["clv"] >= 0).all()
        assert ((out["p_alive"] >= 0) & (out["p_alive"] <= 1)).all()


def test_predictions_accept_fractional_frequencies_and_match_mpmath() -> None:
    """Predictions (not fits) take non-integer frequencies, e.g. averaged histories; the closed forms hold for them."""
    x, t_x, T = np.array([1.5, 2.5, 7.25]), np.array([10.0, 30.43, 300.0]), np.array([38.86, 38.86, 365.0])
    r, alpha, a, b = params = BG_PARAMS[0]
    bg = BetaGeoModel.from_params(r=r, alpha=alpha, a=a, b=b)
    assert _relative_errors(bg.probability_alive(x, t_x, T), [_bg_p_alive(*params, *h) for h in zip(x, t_x, T)]).max() < RTOL
    # without a discount rate, the discounted purchases are the conditional expectation (FHL 2005, eq. 10)
    from segkit.clv.predict import _discounted_purchases

    references = [_bg_p_alive(*params, *h) * _bg_closed_form(*params, h[0], h[2], 39.0) for h in zip(x, t_x, T)]
    assert _relative_errors(_discounted_purchases(bg, x, t_x, T, horizon=39.0), references).max() < RTOL
    pareto_params = PARETO_PARAMS[0]
    pareto = ParetoNBDModel.from_params(**dict(zip(("r", "alpha", "s", "beta"), pareto_params)))
    references = [_pareto_p_alive_reference(*pareto_params, *h) for h in zip(x, t_x, T)]
    assert _log_errors(pareto.probability_alive(x, t_x, T), references).max() < RTOL


@pytest.mark.parametrize(("a", "big_b", "n"), [(0.3, 2.5, 8), (1.0, 1.0, 12), (0.5, 0.5, 16), (2.0, 40.0, 24),
                                               (0.05, 3.0, 32), (7.0, 0.2, 64), (150.0, 900.0, 64)])
def test_beta_gauss_rules_are_scipys_gauss_jacobi_rules(a, big_b, n) -> None:
    """Beta(a, B) on [0, 1] is Gauss-Jacobi with alpha = B - 1, beta = a - 1 on [-1, 1], p = (1 + t) / 2."""
    from scipy.special import roots_jacobi

    from segkit.clv._quadrature import _beta_gauss_rules

    t, w = roots_jacobi(n, big_b - 1, a - 1)
    nodes, weights = _beta_gauss_rules(a, np.array([big_b, big_b]), n)
    assert nodes.shape == weights.shape == (2, n)
    np.testing.assert_allclose(nodes[0], (1 + t) / 2, rtol=0, atol=1e-14)
    np.testing.assert_allclose(weights[0], w / w.sum(), rtol=1e-9)
    np.testing.assert_array_equal(nodes[1], nodes[0])


def test_beta_gauss_rules_integrate_moments_exactly_and_never_underflow() -> None:
    """An n-point Gauss rule is exact for degree < 2n: E[p^j] of Beta(a, B) = B(a + j, B) / B(a, B), checked
    at the largest rule used (64 nodes) over the range the tiers were tuned on (a, b from 1e-4 to 1e4, x up
    to 1e4). Far beyond it (a, B from 1e-10 to 1e12) no weight underflows, which is why the recurrence
    needs no overflow guard."""
    from scipy.special import betaln

    from segkit.clv._quadrature import _GAUSS_TIERS, _beta_gauss_rules

    n = max(tier[2] for tier in _GAUSS_TIERS)
    for a in np.logspace(-4, 4, 9):
        big_b = np.logspace(-4, np.log10(2e4), 12)
        nodes, weights = _beta_gauss_rules(a, big_b, n)
        assert np.all((nodes >= 0) & (nodes <= 1))
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-14)
        for j in (1, 2, 5):
            exact = np.exp(betaln(a + j, big_b) - betaln(a, big_b))
            np.testing.assert_allclose((weights * nodes**j).sum(axis=1), exact, rtol=1e-9, err_msg=f"a={a}, j={j}")
    for a in np.logspace(-10, 10, 9):
        _, weights = _beta_gauss_rules(a, np.logspace(-10, 12, 12), n)
        assert np.all(np.isfinite(weights)) and weights.min() > 1e-120, a
