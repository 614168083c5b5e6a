"""Tests for segkit.clv._fit: the optimiser, the fitted state, input checks and compression.

Each test states what a user would see go wrong: a maximum that is not reached, a covariance
with the wrong labels or values, a warning that names the wrong parameter, an error message
without its key words, two different customers merged into one row. References are hand
computations (a 2x2 inverse, the delta method), analytic optima and pandas' groupby.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from segkit.clv import BetaGeoModel, FitWarning, GammaGammaModel, ParetoNBDModel
from segkit.clv._fit import _check_weights, _compress, _FitResult, _maximise
from segkit.errors import DataError


def _exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


# --------------------------------------------------------------------------------------------
# _maximise: analytic objectives with known optima
# --------------------------------------------------------------------------------------------

C = np.array([1.0, 50.0])
A = np.array([3.0, 0.2])
M = np.array([[1.0, 0.3], [0.3, 1.0]])


def _poisson_like(offset: float):
    """sum c_i (e^z_i - a_i z_i) + a quadratic coupling, plus a constant: minimum at z = log a.

    A large constant makes L-BFGS-B's relative stopping rule (ftol) stop early, about 2e-3
    from the optimum: the Newton polish has to finish the job. Its Hessian at the optimum is
    diag(c a) + M.
    """
    def f(z: np.ndarray) -> tuple[float, np.ndarray]:
        u, d = np.exp(z), z - np.log(A)
        return offset + C @ (u - A * z) + 0.5 * d @ M @ d, C * (u - A) + M @ d

    return f


def _lbfgsb(f, x0: np.ndarray, max_iter: int = 1000) -> optimize.OptimizeResult:
    return optimize.minimize(f, x0, jac=True, method="L-BFGS-B", bounds=[(-23.0, 23.0)] * len(x0),
                             options={"maxiter": max_iter, "ftol": 1e-12, "gtol": 1e-7})


def test_maximise_polishes_to_the_optimum_where_lbfgsb_stops_early() -> None:
    f = _poisson_like(1e9)
    plain = _lbfgsb(f, np.zeros(2))
    assert np.max(np.abs(plain.x - np.log(A))) > 1e-4  # the situation the polish is for
    fit = _maximise(f, np.zeros(2), max_iter=1000, tol=1e-10)
    np.testing.assert_allclose(fit.log_params, np.log(A), atol=1e-7)
    assert fit.converged and fit.grad_norm < 1e-6
    # the mean log-likelihood is minus the objective at the optimum
    assert fit.mean_loglik == pytest.approx(-f(np.log(A))[0], rel=1e-15)
    # the Hessian (for the standard errors) is the one AT the optimum, not where L-BFGS-B stopped
    np.testing.assert_allclose(fit.hessian, np.diag(C * A) + M, rtol=1e-6)
    # iterations count L-BFGS-B's and the Newton steps (quadratic convergence from 2e-3: at most 3)
    assert plain.nit < fit.n_iter <= plain.nit + 3


def test_maximise_counts_iterations_within_max_iter() -> None:
    f = _poisson_like(1e9)
    for max_iter in (2, 3, 6):
        fit = _maximise(f, np.zeros(2), max_iter=max_iter, tol=1e-10)
        assert 1 <= fit.n_iter <= max_iter
        assert not fit.converged


def test_maximise_keeps_the_parameters_within_the_log_bounds() -> None:
    """Optima at -30 and +30 lie outside the bounds (+-23): the answer stays on them."""
    target = np.array([-30.0, 30.0])

    def f(z: np.ndarray) -> tuple[float, np.ndarray]:
        return 1e9 + (z - target) @ (z - target), 2 * (z - target)

    fit = _maximise(f, np.zeros(2), max_iter=1000, tol=1e-10)
    np.testing.assert_allclose(fit.log_params, [-23.0, 23.0])
    assert not fit.converged and fit.grad_norm == pytest.approx(14.0)


def test_maximise_with_a_singular_hessian_returns_the_lbfgsb_answer() -> None:
    """Only z0 + z1 is determined: the Newton step cannot be solved and the fit still returns."""
    def f(z: np.ndarray) -> tuple[float, np.ndarray]:
        s = z[0] + z[1] - 1.0
        return 1e9 + s * s, np.array([2 * s, 2 * s])

    fit = _maximise(f, np.array([3.0, 2.0]), max_iter=1000, tol=1e-10)
    assert isinstance(fit, _FitResult)
    assert fit.log_params.sum() == pytest.approx(1.0, abs=1e-3)
    np.testing.assert_allclose(fit.hessian, [[2.0, 2.0], [2.0, 2.0]], rtol=1e-6)


def test_maximise_of_an_undefined_objective_is_not_converged() -> None:
    fit = _maximise(lambda z: (np.nan, np.full(2, np.nan)), np.zeros(2), max_iter=50, tol=1e-10)
    assert not fit.converged and fit.grad_norm == np.inf and np.isnan(fit.mean_loglik)


# --------------------------------------------------------------------------------------------
# _store: the fitted state from a (fabricated) optimiser result
# --------------------------------------------------------------------------------------------

def _result(log_params, hessian, *, converged: bool = True, n_iter: int = 12, grad_norm: float = 1e-9) -> _FitResult:
    return _FitResult(np.asarray(log_params, dtype=float), -1.5, np.asarray(hessian, dtype=float), n_iter,
                      converged, grad_norm)


def test_store_gives_the_delta_method_covariance_with_labels() -> None:
    """Per-customer Hessian of the log-parameters [[2, .5], [.5, 1]] over 100 customers, by hand:
    inverse of 100 H = [[1, -.5], [-.5, 2]] / 175; covariance of the parameters (delta method)
    multiplies entry (i, j) by p_i p_j; standard errors are the square roots of its diagonal."""
    model = GammaGammaModel()
    params = np.array([2.0, 3.0, 5.0])
    hessian = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model._store(_result(np.log(params), hessian, n_iter=17), params, -321.5, 100.0, 40)
    names = ["p", "q", "v"]
    log_cov = np.array([[1 / 175, -0.5 / 175, 0.0], [-0.5 / 175, 2 / 175, 0.0], [0.0, 0.0, 1 / 400]])
    expected_log = pd.DataFrame(log_cov, index=names, columns=names)
    pd.testing.assert_frame_equal(model.log_covariance_, expected_log, rtol=1e-12)
    pd.testing.assert_frame_equal(model.covariance_, expected_log * np.outer(params, params), rtol=1e-12)
    expected_se = pd.Series(np.sqrt([1 / 175, 2 / 175, 1 / 400]) * params, index=names, name="standard_error")
    pd.testing.assert_series_equal(model.standard_errors_, expected_se, rtol=1e-12)
    pd.testing.assert_series_equal(model.params_, pd.Series(params, index=names, name="estimate"))
    assert model.unidentified_ == () and model.fit_warnings_ == []
    assert (model.n_iter_, model.n_unique_, model.n_customers_) == (17, 40, 100.0)
    assert model.log_likelihood_ == -321.5 and model.aic_ == 2 * 3 + 2 * 321.5
    # the summary's interval is computed from these
    assert model.summary().loc["p", "upper_95"] == pytest.approx(2.0 * np.exp(1.959964 * np.sqrt(1 / 175)))


def test_store_refuses_a_fit_that_did_not_converge_and_says_why() -> None:
    hessian = np.eye(3)
    with pytest.raises(DataError, match=_exactly(
            "The Gamma-Gamma fit did not converge: after 5 iterations the gradient of the log-likelihood is 0.25, "
            "not 0. The data may not fit the model: check that the inputs come from segkit.data.customer_table "
            "(time in days), that enough customers made repeat purchases, and try a longer observation period.")):
        GammaGammaModel()._store(_result(np.zeros(3), hessian, converged=False, n_iter=5, grad_norm=0.25),
                                 np.ones(3), -1.0, 50.0, 50)
    with pytest.raises(DataError, match=_exactly(
            "The Gamma-Gamma fit did not converge: after 7 iterations the gradient of the log-likelihood is 0.25, "
            "not 0. The iteration limit was reached: raise max_iter (now 7).")):
        GammaGammaModel(max_iter=7)._store(_result(np.zeros(3), hessian, converged=False, n_iter=7, grad_norm=0.25),
                                           np.ones(3), -1.0, 50.0, 50)


@pytest.mark.parametrize("log_p, flagged", [(23.0, True), (-23.0, True), (22.9, True), (22.0, False), (5.0, False)])
def test_store_flags_a_parameter_at_the_log_bound(log_p: float, flagged: bool) -> None:
    model = GammaGammaModel()
    log_params = np.array([log_p, 0.5, 1.0])
    params = np.exp(log_params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model._store(_result(log_params, np.eye(3)), params, -10.0, 100.0, 100)
    if not flagged:
        assert caught == [] and model.unidentified_ == () and model.standard_errors_.notna().all()
        return
    assert model.unidentified_ == ("p",)
    (warning,) = caught
    assert warning.category is FitWarning
    assert str(warning.message) == (
        f"Gamma-Gamma: the data cannot pin down p (estimates p={params[0]:.4g}, q={params[1]:.4g}, "
        f"v={params[2]:.4g}); standard errors are set to NaN. Very large q and v mean spend hardly varies between "
        "customers (use the average order value); predictions remain usable, parameter intervals do not.")
    assert model.fit_warnings_ == [str(warning.message)]
    assert model.standard_errors_.isna().all() and model.covariance_.isna().all().all()
    assert list(model.covariance_.index) == list(model.covariance_.columns) == ["p", "q", "v"]


def test_store_names_the_parameters_along_a_flat_direction() -> None:
    """The Hessian is flat along (1, 1, 0)/sqrt 2 (eigenvalue 0): p and q move together, v is pinned down."""
    model = BetaGeoModel()
    hessian = np.zeros((4, 4))
    hessian[:2, :2] = [[1.0, -1.0], [-1.0, 1.0]]
    hessian[2, 2], hessian[3, 3] = 3.0, 5.0
    params = np.array([0.5, 2.0, 0.7, 3.0])
    with pytest.warns(FitWarning, match=r"^BG/NBD: the data cannot pin down r, alpha \(estimates r=0.5, alpha=2, "
                                        r"a=0.7, b=3\); standard errors are set to NaN\. Typical causes"):
        model._store(_result(np.log(params), hessian), params, -10.0, 100.0, 100)
    assert model.unidentified_ == ("r", "alpha")


@pytest.mark.parametrize("largest, small, flat", [
    (1e14, 1e-2, True),  # total eigenvalues 1e16 and 1: a ratio of 1e-16, flat (the standard error, 1, is not)
    (1e14, 1e3, False),  # 1e16 and 1e5: a ratio of 1e-11 and a standard error of 0.003
    (100.0, 1e-3, True),  # 1e4 and 0.1: a ratio of 1e-5, but a standard error of 1 / sqrt(0.1) = 3.2 > 3
    (100.0, 1.2e-3, False),  # 1e4 and 0.12: a standard error of 2.9
])
def test_store_judges_flatness_relative_to_the_largest_curvature_and_by_the_standard_error(
        largest: float, small: float, flat: bool) -> None:
    """The mean Hessian's eigenvalues times 100 customers are the total's; only q's can be flat."""
    model = GammaGammaModel()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model._store(_result(np.zeros(3), np.diag([largest, small, largest])), np.ones(3), -10.0, 100.0, 100)
    assert bool(caught) is flat and (model.unidentified_ == ("q",)) is flat
    assert model.standard_errors_.isna().all() == flat


@pytest.mark.parametrize("hessian", [np.full((3, 3), np.nan), np.zeros((3, 3))], ids=["not finite", "all flat"])
def test_store_with_no_usable_curvature_names_every_parameter(hessian: np.ndarray) -> None:
    model = GammaGammaModel()
    with pytest.warns(FitWarning, match=r"^Gamma-Gamma: the data cannot pin down p, q, v \(estimates p=1, q=2, v=3\)"):
        model._store(_result(np.log([1.0, 2.0, 3.0]), hessian), np.array([1.0, 2.0, 3.0]), -10.0, 100.0, 100)
    assert model.unidentified_ == ("p", "q", "v")
    assert model.log_covariance_.isna().all().all()
    assert list(model.log_covariance_.index) == list(model.log_covariance_.columns) == ["p", "q", "v"]


# --------------------------------------------------------------------------------------------
# from_params, sample_params
# --------------------------------------------------------------------------------------------

def test_from_params_is_a_model_with_nothing_fitted() -> None:
    model = GammaGammaModel.from_params(v=15.0, p=6.0, q=4.0)
    names = ["p", "q", "v"]
    pd.testing.assert_series_equal(model.params_, pd.Series([6.0, 4.0, 15.0], index=names, name="estimate"))
    pd.testing.assert_series_equal(model.standard_errors_,
                                   pd.Series(np.nan, index=names, name="standard_error", dtype=float))
    nan = pd.DataFrame(np.nan, index=names, columns=names)
    pd.testing.assert_frame_equal(model.covariance_, nan)
    pd.testing.assert_frame_equal(model.log_covariance_, nan)
    assert all(np.isnan(v) and isinstance(v, float) for v in (model.log_likelihood_, model.aic_, model.n_customers_))
    assert model.n_iter_ == 0 and model.n_unique_ == 0
    assert model.fit_warnings_ == [] and model.unidentified_ == ()
    summary = model.summary()
    assert summary["estimate"].tolist() == [6.0, 4.0, 15.0] and summary["standard_error"].isna().all()


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan])
def test_from_params_refuses_parameters_that_are_not_positive_and_finite(bad: float) -> None:
    with pytest.raises(DataError, match=r"^Gamma-Gamma parameters must be positive and finite; got "):
        GammaGammaModel.from_params(p=6.0, q=bad, v=15.0)
    with pytest.raises(DataError, match=_exactly("Gamma-Gamma takes parameters ['p', 'q', 'v']; got ['p', 'q', 'w'].")):
        GammaGammaModel.from_params(p=6.0, q=4.0, w=15.0)


def test_sample_params_draws_around_the_estimate_with_the_covariance() -> None:
    model = GammaGammaModel()
    params = np.array([2.0, 3.0, 5.0])
    hessian = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 4.0]])
    model._store(_result(np.log(params), hessian), params, -10.0, 100.0, 100)
    draws = model.sample_params(20_000, random_state=3)
    assert list(draws.columns) == ["p", "q", "v"]
    logs = np.log(draws.to_numpy())
    np.testing.assert_allclose(logs.mean(axis=0), np.log(params), atol=4 * np.sqrt(2 / 175 / 20_000))
    np.testing.assert_allclose(np.cov(logs.T), model.log_covariance_.to_numpy(), rtol=0.05, atol=2e-4)  # 4 standard errors of a covariance
    with pytest.raises(DataError, match=_exactly(
            "Gamma-Gamma: the parameter covariance is not available (a parameter is not identified), so parameters "
            "cannot be sampled. Fit on more data.")):
        GammaGammaModel.from_params(p=1.0, q=2.0, v=3.0).sample_params(5)


# --------------------------------------------------------------------------------------------
# _check_weights
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.nan, np.inf, -1.0])
def test_weights_must_be_counts(bad: float) -> None:
    with pytest.raises(DataError, match=_exactly(
            "'sample_weight' has 1 missing, infinite or negative value(s) (of 3). "
            "Weights are customer counts: use non-negative numbers.")):
        _check_weights([1.0, bad, 2.0], 3)


def test_weights_are_numbers_one_per_row() -> None:
    with pytest.raises(DataError, match=r"^'sample_weight' must be numeric"):
        _check_weights(["a", "b"], 2)
    with pytest.raises(DataError, match=_exactly("sample_weight has 2 values for 3 customers: give one count per row.")):
        _check_weights([1.0, 2.0], 3)
    np.testing.assert_array_equal(_check_weights(None, 3), np.ones(3))
    np.testing.assert_array_equal(_check_weights(pd.Series([0, 2, 5]), 3), [0.0, 2.0, 5.0])


# --------------------------------------------------------------------------------------------
# _compress against pandas' groupby
# --------------------------------------------------------------------------------------------

def _check_compress(columns: list[np.ndarray], w: np.ndarray) -> None:
    unique, weights, inverse = _compress([np.asarray(c, dtype=float) for c in columns], np.asarray(w, dtype=float))
    frame = pd.DataFrame({f"c{j}": c for j, c in enumerate(columns)}).assign(w=w)
    reference = frame.groupby([f"c{j}" for j in range(len(columns))], sort=True)["w"].sum()
    got = pd.Series(weights, index=pd.MultiIndex.from_arrays(unique, names=reference.index.names)).sort_index()
    pd.testing.assert_series_equal(got, reference, check_names=False, check_index_type=False)
    # each row maps to its own unique row
    for j, column in enumerate(columns):
        np.testing.assert_array_equal(unique[j][inverse], column)


def test_compress_sums_weights_of_identical_rows() -> None:
    x = np.array([0, 1, 1, 0, 2, 1])
    t = np.array([0, 5, 5, 0, 9, 4])
    age = np.array([30, 40, 40, 30, 50, 40])
    _check_compress([x, t, age], np.array([1.0, 2.0, 0.5, 3.0, 1.0, 1.0]))


def test_compress_keeps_rows_apart_that_differ_only_in_large_or_fractional_values() -> None:
    # times in hours (T near 2 years = 17,520 h) and large counts: a packed key must not merge them
    x = np.array([3, 4, 2**19, 2**19, 5, 5])
    t = np.array([100, 100, 8000, 8000, 7, 7])
    age = np.array([17_520, 17_520, 17_520, 17_521, 9, 9])
    _check_compress([x, t, age], np.arange(1.0, 7.0))
    # values of 2**20 and more
    _check_compress([np.array([0, 1, 1]), np.array([2**20, 0, 0]), np.array([2**20, 2**21, 2**21])], np.ones(3))
    # every value fractional (e.g. spend): rows 1.5 and 1.2 are different customers
    _check_compress([np.array([0.5, 0.25, 0.5, 1.5, 1.2]), np.array([0.7, 0.2, 0.7, 2.5, 2.5])],
                    np.array([1.0, 1.0, 2.0, 1.0, 1.0]))
    # two columns, one of them at exactly 2**20
    _check_compress([np.array([1, 0, 1]), np.array([0, 2**20, 0])], np.ones(3))


def test_a_model_without_its_own_hint_gives_the_general_one() -> None:
    """Pareto/NBD has no model-specific causes to list: its warning ends with the general advice."""
    model = ParetoNBDModel()
    params = np.array([0.5, 10.0, 0.7, np.exp(23.0)])
    with pytest.warns(FitWarning) as caught:
        model._store(_result(np.log(params), np.eye(4)), params, -10.0, 100.0, 100)
    assert str(caught[0].message).startswith("Pareto/NBD: the data cannot pin down beta (estimates ")
    assert str(caught[0].message).endswith(
        "standard errors are set to NaN. More customers or a longer observation period usually fixes this.")


def test_maximise_keeps_numpy_warnings_of_trial_points_to_itself() -> None:
    """A trial point where the objective overflows is the optimiser's business, not a warning for the user."""
    def f(z: np.ndarray) -> tuple[float, np.ndarray]:
        e = np.exp(40 * z)
        return float(e.sum() - 40 * z.sum()), 40 * e - 40

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = _maximise(f, np.array([-1.0, -2.0]), max_iter=100, tol=1e-10)
    assert isinstance(fit, _FitResult)


# --------------------------------------------------------------------------------------------
# BG/NBD fit: the time unit, the smallest fit, the refusals
# --------------------------------------------------------------------------------------------

def test_bgnbd_fit_in_years_is_the_fit_in_days_rescaled() -> None:
    """Ages up to one year: in years every T is at most 1. The same customers give the same r, a, b, and
    alpha in years = alpha in days / 365; the log-likelihood, a density in the purchase times, shifts by
    (repeat purchases) x log 365."""
    from segkit.datasets import simulate_bgnbd

    rng = np.random.default_rng(2)
    customers = simulate_bgnbd(3000, r=0.6, alpha=25.0, a=0.8, b=3.0,
                               T=rng.integers(30, 366, 3000).astype(float), random_state=3)
    days = BetaGeoModel().fit(customers["frequency"], customers["recency"], customers["T"])
    years = BetaGeoModel().fit(customers["frequency"], customers["recency"] / 365, customers["T"] / 365)
    np.testing.assert_allclose(years.params_, days.params_ / [1, 365, 1, 1], rtol=1e-5)
    shift = customers["frequency"].sum() * np.log(365)
    assert years.log_likelihood_ == pytest.approx(days.log_likelihood_ + shift, rel=1e-8)


def test_bgnbd_fits_ten_customers_and_refuses_fewer_word_for_word() -> None:
    frequency = np.array([0, 1, 3, 0, 2, 5, 1, 0, 4, 2], dtype=float)
    recency = np.array([0, 40, 200, 0, 90, 300, 20, 0, 250, 60], dtype=float)
    T = np.array([100, 150, 320, 60, 200, 330, 300, 90, 280, 310], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)  # ten customers may not pin every parameter down
        try:
            model = BetaGeoModel().fit(frequency, recency, T)
        except DataError as error:  # a fit that does not converge is another matter than the refusal
            assert "needs at least" not in str(error)
        else:
            assert model.n_customers_ == 10.0
    with pytest.raises(DataError, match=_exactly(
            "BG/NBD needs at least 10 customers to estimate its 4 parameters; got 9. Fit on the whole customer "
            "base, then predict for the customers you care about.")):
        BetaGeoModel().fit(frequency[1:], recency[1:], T[1:])
    with pytest.raises(DataError, match=_exactly(
            "frequency is 0 for all 10 customers: nobody made a repeat purchase, so purchase rates and drop-out "
            "cannot be estimated. Use a longer observation period (an earlier first date or a later snapshot), "
            "or use historical CLV (segkit.clv.historical_clv) instead.")):
        BetaGeoModel().fit(np.zeros(10), np.zeros(10), T)


def test_bgnbd_rows_of_weight_zero_are_not_in_the_data() -> None:
    from segkit.datasets import simulate_bgnbd

    customers = simulate_bgnbd(500, r=0.6, alpha=25.0, a=0.8, b=3.0, T=200.0, random_state=4)
    alone = BetaGeoModel().fit(customers["frequency"], customers["recency"], customers["T"])
    extra = pd.concat([customers[["frequency", "recency", "T"]],
                       pd.DataFrame({"frequency": [40.0], "recency": [199.0], "T": [200.0]})], ignore_index=True)
    weighted = BetaGeoModel().fit(extra["frequency"], extra["recency"], extra["T"],
                                  sample_weight=np.r_[np.ones(500), 0.0])
    np.testing.assert_allclose(weighted.params_, alone.params_, rtol=1e-6)
    assert weighted.n_unique_ == alone.n_unique_ and weighted.n_customers_ == 500.0


# --------------------------------------------------------------------------------------------
# _check_btyd: every refusal word for word, with the first offending customer as the example
# --------------------------------------------------------------------------------------------

NEGATIVE_FIX = "Ages and counts cannot be negative: check the snapshot date and the column choice."


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1.0, 2.0, 3.0], [5.0, -1.0, 3.0], [10.0, 10.0, 10.0],
         f"'recency' has 1 negative value(s) (of 3). {NEGATIVE_FIX}"),
        ([1.0, 2.0, 3.0], [5.0, 1.0, 3.0], [-10.0, -10.0, 10.0],
         f"'T' has 2 negative value(s) (of 3). {NEGATIVE_FIX}"),
        ([1.0, 2.5, 0.5], [5.0, 1.0, 3.0], [10.0, 10.0, 10.0],
         "'frequency' has 2 non-integer value(s) (of 3). frequency counts repeat purchase days; round it or "
         "rebuild it with segkit.data.customer_table."),
        ([1.0, 2.0, 0.0, 0.0], [5.0, 1.0, 3.0, 0.0], [10.0, 10.0, 10.0, 10.0],
         "'recency' has 1 value(s) above 0 where frequency is 0 (of 4). A customer without repeat purchases has "
         "recency 0 (first = last purchase); check that frequency counts REPEAT purchases (purchase days - 1)."),
        ([1.0, 2.0, 3.0], [5.0, 50.0, 70.0], [10.0, 40.0, 60.0],
         "'recency' is greater than 'T' for 2 customer(s) (e.g. recency=50, T=40). In buy-till-you-die models "
         "recency is the age at the LAST purchase (days from first to last purchase) and T the age at the snapshot "
         "(days from first purchase). Did you pass days_since_last_purchase (the RFM recency)? Use the 'recency' and "
         "'T' columns of segkit.data.customer_table."),
        ([1.0], [40.5], [40.0], None),  # half a day too old is too old
    ],
)
def test_check_btyd_refuses_word_for_word(frequency, recency, T, message) -> None:
    from segkit.clv._fit import _check_btyd

    with pytest.raises(DataError) as caught:
        _check_btyd(frequency, recency, T)
    if message is not None:
        assert str(caught.value) == message


def test_check_btyd_accepts_the_edges_and_fractional_frequencies_when_asked() -> None:
    from segkit.clv._fit import _check_btyd

    # recency equal to T (bought on the snapshot's eve) and within rounding of it are valid
    x, t_x, age = _check_btyd([1.0, 2.0, 0.0], [40.0, 100.0 + 1e-8, 0.0], [40.0, 100.0, 0.0])
    np.testing.assert_array_equal(x, [1.0, 2.0, 0.0])
    assert t_x.dtype == float and age.tolist() == [40.0, 100.0, 0.0]
    x, _, _ = _check_btyd([1.5, 0.25], [5.0, 1.0], [10.0, 10.0], require_integer=False)
    assert x.tolist() == [1.5, 0.25]
