"""Buy-till-you-die models fitted by maximum likelihood: BG/NBD, Gamma-Gamma and Pareto/NBD.

The models follow the definitions of ``lifetimes`` and ``pymc-marketing``:

* ``frequency`` (x): number of *repeat* purchase periods (days with a purchase, minus one);
* ``recency`` (t_x): age of the customer at the last purchase (first to last purchase);
* ``T``: age of the customer at the end of the observation (first purchase to snapshot);
* ``monetary_value``: mean value of the repeat purchases (0 when x = 0).

All times are in the unit of the data (segkit's customer table uses **days**), so a fitted
``alpha`` is in days and ``expected_purchases(..., t=365)`` means "in the next 365 days".
There is no hidden conversion to months or weeks anywhere.

Fitting maximises the log-likelihood over the logarithms of the parameters (so they stay
positive) with an analytic gradient, then polishes with Newton steps on a finite-difference
Hessian of that gradient; the same Hessian gives the standard errors. Identical
(frequency, recency, T) triples contribute identical terms, so by default the fit runs on the
unique triples with counts as weights: the answer is the same and a million customers fit in
seconds. A fit that does not converge raises :class:`segkit.DataError`; a fit whose parameters
run off to a boundary or along a flat ridge (the data cannot identify them) is kept and warns
with :class:`FitWarning`, and its standard errors are NaN.

Predictions avoid the double-precision closed forms where those break down: the BG/NBD
expected purchases (FHL 2005, eq. 9 and 10) are an average over the drop-out probability by
Gauss quadrature, and the Pareto/NBD drop-out integral a Gauss-Legendre quadrature in log
space; both agree with mpmath to better than 1e-8 over a, b, r from 1e-4 to 1e4, a = 1,
a + b < 1 and thousands of purchases (tests/test_clv_numerics.py).

References: Fader, Hardie & Lee (2005) "Counting your customers the easy way", Marketing
Science 24(2); Fader, Hardie & Lee (2005) "RFM and CLV: using iso-value curves", JMR 42(4);
Fader & Hardie (2013) "The Gamma-Gamma model of monetary value"; Schmittlein, Morrison &
Colombo (1987) for Pareto/NBD.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.linalg import lapack
from scipy.special import betaln, expit, exprel, gammaln, log_expit, polygamma, psi
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from segkit.errors import DataError

__all__ = [
    "AverageSpendModel",
    "BetaGeoModel",
    "FitWarning",
    "GammaGammaModel",
    "ParetoNBDModel",
    "bgnbd_log_likelihood",
    "check_btyd",
    "gamma_gamma_log_likelihood",
    "pareto_nbd_log_likelihood",
]

#: Fewest customers (BG/NBD, Pareto/NBD) or repeat customers (Gamma-Gamma) a fit accepts.
MIN_CUSTOMERS: int = 10
_LOG_BOUND = 23.0  # |log parameter| limit (1e-10 .. 1e10 in scaled units)
_GRAD_TOL = 1e-6  # max |gradient| of the mean log-likelihood w.r.t. log-parameters at a solution
_RIDGE_GRAD_TOL = 1e-4  # ... on a flat ridge, where the optimiser cannot get lower (see _on_a_ridge)
_FLAT = 1e-12  # Hessian eigenvalue, relative to the largest, below which a direction counts as flat


class FitWarning(UserWarning):
    """A fit converged, but some parameter is not identified by the data (see the message)."""


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _to_array(values: object, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"'{name}' must be numeric; got values that are not numbers. Convert the column first.") from None
    if array.ndim > 1:
        raise DataError(f"'{name}' must be one-dimensional (one value per customer); got shape {array.shape}.")
    return np.atleast_1d(array)


def _count_bad(mask: np.ndarray, name: str, what: str, fix: str) -> None:
    if mask.any():
        raise DataError(f"'{name}' has {int(mask.sum())} {what} (of {mask.size}). {fix}")


def check_btyd(
    frequency: object, recency: object, T: object, *, require_integer: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate buy-till-you-die inputs and return them as float arrays.

    Parameters
    ----------
    frequency, recency, T : array-like
        Repeat purchases, age at last purchase and age at the snapshot (same time unit).
    require_integer : bool, default True
        Whether ``frequency`` must hold whole numbers.

    Raises
    ------
    DataError
        Different lengths, no rows, missing or infinite values, negative values, a
        non-integer frequency, ``recency > T``, or a recency without repeat purchases; the
        message counts the offending rows and says how to fix them.

    Examples
    --------
    >>> check_btyd([0, 2], [0, 30], [50, 40])[1]
    array([ 0., 30.])
    >>> check_btyd([1], [60], [40])
    Traceback (most recent call last):
    ...
    segkit.errors.DataError: 'recency' is greater than 'T' for 1 customer(s) ...
    """
    arrays = _check_columns(frequency=frequency, recency=recency, T=T)
    for name, a in arrays.items():
        _count_bad(a < 0, name, "negative value(s)",
                   "Ages and counts cannot be negative: check the snapshot date and the column choice.")
    x, t_x, age = arrays["frequency"], arrays["recency"], arrays["T"]
    if require_integer:
        _count_bad(x != np.round(x), "frequency", "non-integer value(s)",
                   "frequency counts repeat purchase days; round it or rebuild it with segkit.data.customer_table.")
    too_old = t_x > age * (1 + 1e-9) + 1e-9
    if too_old.any():
        i = int(np.flatnonzero(too_old)[0])
        raise DataError(
            f"'recency' is greater than 'T' for {int(too_old.sum())} customer(s) (e.g. recency={t_x[i]:g}, "
            f"T={age[i]:g}). In buy-till-you-die models recency is the age at the LAST purchase "
            "(days from first to last purchase) and T the age at the snapshot (days from first purchase). "
            "Did you pass days_since_last_purchase (the RFM recency)? Use the 'recency' and 'T' columns "
            "of segkit.data.customer_table."
        )
    _count_bad((x == 0) & (t_x > 0), "recency", "value(s) above 0 where frequency is 0",
               "A customer without repeat purchases has recency 0 (first = last purchase); "
               "check that frequency counts REPEAT purchases (purchase days - 1).")
    return x, t_x, age


def _check_columns(**columns: object) -> dict[str, np.ndarray]:
    """Per-customer inputs as float arrays of one common, non-zero length, without NaN or infinity."""
    arrays = {name: _to_array(v, name) for name, v in columns.items()}
    lengths = {name: a.size for name, a in arrays.items()}
    names = " and ".join([", ".join(list(arrays)[:-1]), list(arrays)[-1]])
    if len(set(lengths.values())) > 1:
        raise DataError(f"{names} must have one value per customer; got lengths {lengths}.")
    if next(iter(lengths.values())) == 0:
        raise DataError(f"No customers: {names} are empty. Check the customer table.")
    for name, a in arrays.items():
        _count_bad(np.isnan(a), name, "missing (NaN) value(s)",
                   "Drop those customers or rebuild the table with segkit.data.customer_table.")
        _count_bad(np.isinf(a), name, "infinite value(s)", "Drop those customers.")
    return arrays


def _check_weights(sample_weight: object, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = _to_array(sample_weight, "sample_weight")
    if w.size != n:
        raise DataError(f"sample_weight has {w.size} values for {n} customers: give one count per row.")
    _count_bad(~np.isfinite(w) | (w < 0), "sample_weight", "missing, infinite or negative value(s)",
               "Weights are customer counts: use non-negative numbers.")
    return w


def _compress(columns: list[np.ndarray], w: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Unique rows of ``columns`` with summed weights, and the inverse index (row -> unique row)."""
    stacked = np.column_stack(columns)
    if np.all(stacked == np.round(stacked)) and stacked.max(initial=0) < 2**20:
        # whole numbers (days): one int64 key per row sorts far faster than a row-wise unique
        key = np.zeros(len(w), dtype=np.int64)
        for column in columns:
            key = key * (2**20) + column.astype(np.int64)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        unique = stacked[first]
    else:
        unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    weights = np.bincount(inverse, weights=w, minlength=len(unique))
    return [unique[:, j] for j in range(len(columns))], weights, inverse


def _wrap(values: np.ndarray, like: object, name: str) -> object:
    """Return ``values`` as a Series when ``like`` is one, as a float for scalar input."""
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=name)
    if np.ndim(like) == 0:
        return float(values[0])
    return values


# --------------------------------------------------------------------------------------------
# Maximum likelihood machinery
# --------------------------------------------------------------------------------------------


@dataclass
class _FitResult:
    log_params: np.ndarray  # in the scaled problem
    mean_loglik: float  # per unit of weight, scaled problem
    hessian: np.ndarray  # of the mean NEGATIVE log-likelihood w.r.t. log-params
    n_iter: int
    converged: bool
    grad_norm: float  # max |gradient| of the mean log-likelihood at the end


def _numeric_hessian(grad, x: np.ndarray, step: float = 1e-5) -> np.ndarray:
    k = len(x)
    hessian = np.empty((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = step
        hessian[:, j] = (grad(x + e) - grad(x - e)) / (2 * step)
    return (hessian + hessian.T) / 2


def _maximise(nll_grad, x0: np.ndarray, *, max_iter: int, tol: float) -> _FitResult:
    """Minimise the mean negative log-likelihood over log-parameters; Newton-polish at the end."""
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(x0)
    with np.errstate(all="ignore"):
        result = optimize.minimize(nll_grad, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                                   options={"maxiter": max_iter, "ftol": 1e-12, "gtol": 1e-7})
        x, n_iter = result.x, int(result.nit)
        value, grad = nll_grad(x)

        def gradient(z: np.ndarray) -> np.ndarray:
            return nll_grad(z)[1]

        hessian = _numeric_hessian(gradient, x)
        polished_from = x.copy()
        # Newton polish with this Hessian (L-BFGS-B stops near, not at, the optimum); stops once
        # the gradient is within tol or the objective no longer improves (floating-point floor)
        for _ in range(min(20, max_iter - n_iter)):
            if not np.all(np.isfinite(hessian)) or np.max(np.abs(grad)) < tol:
                break
            try:
                step = np.linalg.solve(hessian, grad)
            except np.linalg.LinAlgError:
                break
            if not np.all(np.isfinite(step)) or grad @ step <= 0:  # not a descent direction
                break
            for shrink in 0.5 ** np.arange(8):
                candidate = np.clip(x - shrink * step, -_LOG_BOUND, _LOG_BOUND)
                new_value, new_grad = nll_grad(candidate)
                if np.isfinite(new_value) and new_value <= value:
                    break
            else:
                break
            gain = value - new_value
            x, value, grad = candidate, new_value, new_grad
            n_iter += 1
            if gain <= 1e-15 * max(1.0, abs(value)):
                break
        if np.max(np.abs(x - polished_from)) > 1e-4:  # else the Hessian at the start is as good
            hessian = _numeric_hessian(gradient, x)
    grad_norm = float(np.max(np.abs(grad))) if np.all(np.isfinite(grad)) else float("inf")
    converged = bool(np.isfinite(value) and grad_norm < max(_GRAD_TOL, tol))
    return _FitResult(x, -float(value), hessian, n_iter, converged, grad_norm)


def _on_a_ridge(fit: _FitResult) -> bool:
    """Whether an unconverged fit stopped on a flat ridge of the likelihood: gradient nearly 0 and a Hessian
    with a flat (or downhill) direction, along which the optimiser drifts without end. The predictions are
    determined there, the parameters along the ridge are not: such a fit is kept and warns (see _store)."""
    if fit.grad_norm >= _RIDGE_GRAD_TOL or not np.all(np.isfinite(fit.hessian)):
        return False
    eigenvalues = np.linalg.eigvalsh(fit.hessian)
    return bool(eigenvalues.min() <= _FLAT * abs(eigenvalues.max()))


class _MLEModel(BaseEstimator):
    """Shared hyper-parameters (``compress``, ``max_iter``, ``tol``) and fitted state: parameters,
    covariance, standard errors, summary."""

    _param_names: tuple[str, ...] = ()
    _model_name: str = ""

    def __init__(self, *, compress: bool = True, max_iter: int = 1000, tol: float = 1e-10) -> None:
        self.compress = compress
        self.max_iter = max_iter
        self.tol = tol

    def _store(self, fit: _FitResult, params: np.ndarray, loglik: float, n_customers: float, n_rows: int) -> None:
        names = list(self._param_names)
        if not fit.converged and not _on_a_ridge(fit):
            limit = fit.n_iter >= self.max_iter
            raise DataError(
                f"The {self._model_name} fit did not converge: after {fit.n_iter} iterations the gradient of "
                f"the log-likelihood is {fit.grad_norm:.2g}, not 0. "
                + (f"The iteration limit was reached: raise max_iter (now {self.max_iter})." if limit else
                   "The data may not fit the model: check that the inputs come from segkit.data.customer_table "
                   "(time in days), that enough customers made repeat purchases, and try a longer observation period.")
            )
        self.params_ = pd.Series(params, index=names, name="estimate")
        self.fit_warnings_: list[str] = []
        self.unidentified_: tuple[str, ...] = ()
        self.log_likelihood_ = float(loglik)
        self.n_customers_ = float(n_customers)
        self.n_unique_ = int(n_rows)
        self.n_iter_ = fit.n_iter
        self.aic_ = 2 * len(names) - 2 * self.log_likelihood_
        at_bound = np.abs(fit.log_params) > _LOG_BOUND - 0.5
        hessian = fit.hessian * n_customers  # of the total negative log-likelihood
        finite = bool(np.all(np.isfinite(hessian)))
        eigenvalues, eigenvectors = np.linalg.eigh(hessian) if finite else (np.array([-1.0]), None)
        if at_bound.any() or eigenvalues.min() <= _FLAT * abs(eigenvalues.max()):
            if at_bound.any() or eigenvectors is None:
                runaway = [n for n, hit in zip(names, at_bound) if hit] or names
            else:  # the flat direction of the likelihood: parameters that move along it
                runaway = [n for n, c in zip(names, eigenvectors[:, 0]) if abs(c) > 0.3]
            estimates = ", ".join(f"{n}={v:.4g}" for n, v in zip(names, params))
            self.unidentified_ = tuple(runaway)
            self._warn(f"{self._model_name}: the data cannot pin down {', '.join(runaway)} (estimates {estimates}); "
                       f"standard errors are set to NaN. {self._identification_hint()}", stacklevel=4)
            cov_log = np.full((len(names), len(names)), np.nan)
        else:
            cov_log = np.linalg.inv(hessian)
        self.log_covariance_ = pd.DataFrame(cov_log, index=names, columns=names)
        self.covariance_ = pd.DataFrame(cov_log * np.outer(params, params), index=names, columns=names)
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(cov_log)) * params, index=names, name="standard_error")

    def _identification_hint(self) -> str:
        return "More customers or a longer observation period usually fixes this."

    def _warn(self, message: str, *, stacklevel: int) -> None:
        """Warn with :class:`FitWarning` and keep the message in ``fit_warnings_`` (for the report's prose)."""
        self.fit_warnings_.append(message)
        warnings.warn(message, FitWarning, stacklevel=stacklevel + 1)

    @classmethod
    def from_params(cls, **params: float):
        """A model with given parameters (e.g. published ones) instead of fitted ones.

        Standard errors, covariance and log-likelihood are NaN, since nothing was fitted.

        Examples
        --------
        >>> BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426).params_.tolist()
        [0.243, 4.414, 0.793, 2.426]
        """
        names = list(cls._param_names)
        if sorted(params) != sorted(names):
            raise DataError(f"{cls._model_name} takes parameters {names}; got {sorted(params)}.")
        values = np.array([float(params[n]) for n in names])
        if not np.all(np.isfinite(values) & (values > 0)):
            raise DataError(f"{cls._model_name} parameters must be positive and finite; got {params}.")
        model = cls()
        nan = np.full((len(names), len(names)), np.nan)
        model.params_ = pd.Series(values, index=names, name="estimate")
        model.standard_errors_ = pd.Series(np.nan, index=names, name="standard_error")
        model.covariance_ = pd.DataFrame(nan, index=names, columns=names)
        model.log_covariance_ = model.covariance_.copy()
        model.log_likelihood_ = model.aic_ = model.n_customers_ = float("nan")
        model.n_unique_ = model.n_iter_ = 0
        model.fit_warnings_, model.unidentified_ = [], ()
        return model

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals (computed on the log scale, so positive).

        Returns
        -------
        DataFrame indexed by parameter with ``estimate``, ``standard_error``, ``lower_95``, ``upper_95``.
        """
        check_is_fitted(self, "params_")
        se_log = np.sqrt(np.diag(self.log_covariance_.to_numpy()))
        return pd.DataFrame(
            {
                "estimate": self.params_,
                "standard_error": self.standard_errors_,
                "lower_95": self.params_ * np.exp(-1.959964 * se_log),
                "upper_95": self.params_ * np.exp(1.959964 * se_log),
            }
        )

    def sample_params(self, n_draws: int, *, random_state: int | np.random.Generator | None = None) -> pd.DataFrame:
        """Draw parameter sets from the asymptotic normal distribution of the log-parameters.

        Used for parametric-bootstrap intervals of any prediction. Raises DataError when the
        standard errors are not available (a parameter was not identified).
        """
        check_is_fitted(self, "params_")
        cov = self.log_covariance_.to_numpy()
        if not np.all(np.isfinite(cov)):
            raise DataError(f"{self._model_name}: the parameter covariance is not available (a parameter is "
                            "not identified), so parameters cannot be sampled. Fit on more data.")
        rng = np.random.default_rng(random_state)
        draws = rng.multivariate_normal(np.log(self.params_.to_numpy()), cov, size=n_draws, method="cholesky")
        return pd.DataFrame(np.exp(draws), columns=list(self._param_names))


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------


def bgnbd_log_likelihood(r: float, alpha: float, a: float, b: float, frequency: object, recency: object,
                         T: object) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, equation 6).

    Computed in log space (``gammaln`` and ``logaddexp``), so it stays finite for customers
    with thousands of purchases.

    Examples
    --------
    A customer without repeat purchases contributes r·log(alpha / (alpha + T)):

    >>> ll = bgnbd_log_likelihood(0.243, 4.414, 0.793, 2.426, 0, 0, 38.86)
    >>> bool(np.isclose(ll[0], 0.243 * np.log(4.414 / (4.414 + 38.86))))
    True
    """
    x, t_x, age = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (frequency, recency, T))
    a3 = -(r + x) * np.log(alpha + age)
    with np.errstate(divide="ignore"):
        a4 = np.where(x > 0, np.log(a) - _log_b_x1(b, x) - (r + x) * np.log(alpha + t_x), -np.inf)
    return _bg_frequency_terms(r, alpha, a, b, x) + np.logaddexp(a3, a4)


def _bg_frequency_terms(r: float, alpha: float, a: float, b: float, x: np.ndarray) -> np.ndarray:
    """The part of the BG/NBD log-likelihood that depends on the frequency x only."""
    return (gammaln(r + x) - gammaln(r) + r * np.log(alpha)
            + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x))


def _log_b_x1(b: float, x: np.ndarray) -> np.ndarray:
    """log(b + x - 1), with x = 0 treated as 1 (its term is switched off for x = 0 anyway)."""
    return np.log(b + np.maximum(x, 1) - 1)


@dataclass
class _BGData:
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    w: np.ndarray
    ux: np.ndarray  # unique frequencies
    ix: np.ndarray  # row -> index into ux
    wx: np.ndarray  # total weight per unique frequency
    repeat: np.ndarray  # x > 0


def _bg_data(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray) -> _BGData:
    keep = w > 0
    x, t_x, T, w = x[keep], t_x[keep], T[keep], w[keep]
    ux, ix = np.unique(x, return_inverse=True)
    return _BGData(x, t_x, T, w, ux, ix, np.bincount(ix, weights=w), x > 0)


def _bgnbd_nll_grad(log_params: np.ndarray, d: _BGData) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood and its gradient w.r.t. log-parameters."""
    r, alpha, a, b = np.exp(log_params)
    ux, wx = d.ux, d.wx
    # terms that depend on the frequency only: computed once per distinct frequency
    per_x = _bg_frequency_terms(r, alpha, a, b, ux)
    g_r_x = psi(r + ux) - psi(r) + np.log(alpha)
    g_ab_x = psi(a + b) - psi(a + b + ux)
    g_b_x = psi(b + ux) - psi(b)
    log_b_x1 = _log_b_x1(b, ux)[d.ix]
    rx = r + d.x
    log_aT = np.log(alpha + d.T)
    log_atx = np.log(alpha + d.t_x)
    a3 = -rx * log_aT
    a4 = np.where(d.repeat, np.log(a) - log_b_x1 - rx * log_atx, -np.inf)
    s = np.logaddexp(a3, a4)
    w4 = np.exp(a4 - s)  # share of the "dropped out after the last purchase" branch
    w3 = 1.0 - w4
    w = d.w
    total = wx @ per_x + w @ s
    g_r = wx @ g_r_x - w @ (w3 * log_aT + w4 * log_atx)
    g_alpha = wx.sum() * r / alpha - w @ (rx * (w3 / (alpha + d.T) + w4 / (alpha + d.t_x)))
    g_a = wx @ g_ab_x + w @ w4 / a
    g_b = wx @ (g_ab_x + g_b_x) - w @ (w4 / np.exp(log_b_x1))
    grad = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
    n = wx.sum()
    return -total / n, -grad / n


class BetaGeoModel(_MLEModel):
    """BG/NBD purchase model (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

    While alive, a customer buys at Poisson rate λ (λ ~ Gamma(shape r, rate alpha) across
    customers); after each repeat purchase the customer drops out for good with
    probability p (p ~ Beta(a, b)). Time is in the data's unit (days for segkit tables):
    ``alpha`` is in days and the mean purchase rate of a new customer is ``r / alpha`` per
    day; the mean drop-out probability per purchase is ``a / (a + b)``.

    Parameters
    ----------
    compress : bool, default True
        Fit on the unique (frequency, recency, T) triples with counts as weights. Same
        answer as the plain fit, much faster on large tables.
    max_iter : int, default 1000
        Iteration limit of the optimiser.
    tol : float, default 1e-10
        Gradient tolerance (mean log-likelihood per customer, log-parameters).

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b``.
    standard_errors_ : Series
        From the observed information matrix (inverse Hessian of the log-likelihood).
    covariance_, log_covariance_ : DataFrame
        Covariance of the parameters and of their logarithms.
    log_likelihood_, aic_ : float
        Maximised log-likelihood (in the data's time unit) and Akaike's criterion.
    n_customers_ : float
        Customers (total weight) fitted; ``n_unique_`` the rows the optimiser actually saw.
    unidentified_ : tuple of str
        Parameters the data cannot pin down (their standard errors are NaN); empty after a
        well-identified fit.
    fit_warnings_ : list of str
        The :class:`FitWarning` messages of the fit, kept for reports.

    Examples
    --------
    >>> from segkit.clv_simulate import simulate_bgnbd
    >>> sim = simulate_bgnbd(3000, r=0.5, alpha=20.0, a=0.8, b=3.0, T=365, random_state=1)
    >>> model = BetaGeoModel().fit(sim["frequency"], sim["recency"], sim["T"])
    >>> model.params_.round(1).to_dict()  # doctest: +SKIP
    {'r': 0.5, 'alpha': 19.6, 'a': 0.8, 'b': 3.1}
    >>> float(model.probability_alive(0, 0, 365))
    1.0
    """

    _param_names = ("r", "alpha", "a", "b")
    _model_name = "BG/NBD"

    def fit(self, frequency: object, recency: object, T: object, *, sample_weight: object = None) -> BetaGeoModel:
        """Fit the model to customers' (frequency, recency, T).

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases, age at last purchase, age at the snapshot (same time unit).
        sample_weight : array-like, optional
            Number of customers each row stands for (e.g. a pre-aggregated table).

        Returns
        -------
        self

        Raises
        ------
        DataError
            Invalid inputs (see :func:`check_btyd`), fewer than ``MIN_CUSTOMERS`` customers,
            no repeat purchases at all, or an optimisation that does not converge.
        """
        x, t_x, age = check_btyd(frequency, recency, T)
        w = _check_weights(sample_weight, x.size)
        n = w.sum()
        if n < MIN_CUSTOMERS:
            raise DataError(
                f"BG/NBD needs at least {MIN_CUSTOMERS} customers to estimate its 4 parameters; got {n:g}. "
                "Fit on the whole customer base, then predict for the customers you care about."
            )
        if w @ x == 0:
            raise DataError(
                f"frequency is 0 for all {n:g} customers: nobody made a repeat purchase, so purchase rates "
                "and drop-out cannot be estimated. Use a longer observation period (an earlier first date or a "
                "later snapshot), or use historical CLV (segkit.clv.historical_clv) instead."
            )
        if age.max() <= 0:
            raise DataError("T is 0 for every customer: there is no observation time. Use a later snapshot date.")
        if self.compress:
            (x, t_x, age), w, _ = _compress([x, t_x, age], w)
        scale = 10.0 / age.max()  # time rescaled so that max(T) = 10: well-conditioned optimisation
        data = _bg_data(x, t_x * scale, age * scale, w)
        rate = (data.w @ data.x) / (data.w @ data.T)
        x0 = np.log([1.0, 1.0 / max(rate, 1e-6), 1.0, 3.0])
        fit = _maximise(lambda z: _bgnbd_nll_grad(z, data), x0, max_iter=self.max_iter, tol=self.tol)
        params = np.exp(fit.log_params)
        params[1] /= scale
        # the likelihood is a density in the purchase times: rescaling time shifts it by x*log(scale)
        loglik = fit.mean_loglik * n + np.log(scale) * (data.w @ data.x)
        self._store(fit, params, loglik, n, len(data.x))
        return self

    def _identification_hint(self) -> str:
        return ("Typical causes: the data show almost no drop-out (b huge relative to a, so a/(a+b) is near 0), "
                "or purchase rates barely differ between customers (r and alpha both huge). More customers or a "
                "longer observation period help; predictions remain usable, parameter intervals do not.")

    def _params(self) -> tuple[float, float, float, float]:
        check_is_fitted(self, "params_")
        return tuple(float(v) for v in self.params_)  # type: ignore[return-value]

    def probability_alive(self, frequency: object, recency: object, T: object) -> object:
        """Probability that a customer with this history has not dropped out by ``T``.

        P(alive) = 1 / (1 + [x > 0] · a / (b + x - 1) · ((alpha + T) / (alpha + t_x))^(r + x)),
        which is 1 for customers without repeat purchases (in BG/NBD drop-out can only follow
        a repeat purchase).
        """
        x, t_x, age = check_btyd(frequency, recency, T, require_integer=False)
        values = _p_alive(self._params(), x, t_x, age)
        return _wrap(values, frequency, "p_alive")

    def expected_purchases(self, frequency: object, recency: object, T: object, *, t: float | np.ndarray) -> object:
        """Expected number of purchases in the next ``t`` time units, given the history.

        FHL (2005) equation 10: P(alive) × the expected purchases of a customer alive at ``T``
        with this frequency. The second factor is evaluated as an average over the drop-out
        probability (Gauss quadrature, see the comments in the source), which is finite and
        accurate to ~1e-9 for every a, b > 0, including a = 1 and a + b < 1 where the
        hypergeometric closed form is 0/0 or NaN.

        ``t`` may be an array that broadcasts against the customers: ``t`` of shape
        ``(n_horizons, 1)`` gives one row per horizon (and an array, not a Series).
        """
        x, t_x, age = check_btyd(frequency, recency, T, require_integer=False)
        values = _conditional_purchases(self._params(), x, t_x, age, _horizon(t))
        return _wrap(values, frequency, "expected_purchases")

    def expected_purchases_new_customer(self, t: float | np.ndarray) -> object:
        """Expected repeat purchases of a new customer in the first ``t`` time units (FHL eq. 9).

        Evaluated like :meth:`expected_purchases` (x = 0, T = 0), so it is finite for every
        a, b > 0, including a = 1 and a + b < 1.
        """
        values = _unconditional_purchases(self._params(), np.atleast_1d(_horizon(t)))
        return float(values[0]) if np.ndim(t) == 0 else values

    def population_means(self) -> pd.Series:
        """Mean purchase rate per time unit (r/alpha) and mean drop-out probability (a/(a+b))."""
        r, alpha, a, b = self._params()
        return pd.Series({"purchase_rate": r / alpha, "dropout_prob": a / (a + b)})


def _horizon(t: float | np.ndarray) -> np.ndarray:
    horizon = np.asarray(t, dtype=float)
    if np.any(horizon < 0) or not np.all(np.isfinite(horizon)):
        raise DataError(f"t (the prediction horizon) must be finite and >= 0, got {t!r}.")
    return horizon


def _p_alive(params: tuple[float, ...], x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params
    # log[(alpha+T)/(alpha+t_x)] as log1p of the (non-negative) gap: no cancellation for large T
    log_ratio = np.log(a) - _log_b_x1(b, x) + (r + x) * np.log1p((age - t_x) / (alpha + t_x))
    return np.where(x > 0, expit(-log_ratio), 1.0)


# --------------------------------------------------------------------------------------------
# BG/NBD expected purchases: a quadrature over the drop-out probability
# --------------------------------------------------------------------------------------------
#
# Given x repeat purchases and survival to age T, a customer's rate is λ ~ Gamma(r + x, α + T)
# and the drop-out probability p ~ Beta(a, b + x). Alive with (λ, p), the customer makes
# (1 - e^{-λpt})/p purchases in the next t on average; averaging over λ gives, with u = t/(α+T)
# and k = r + x,
#
#     G = E_p[ h(p) ],   h(p) = (1 - (1 + p u)^-k) / p,   p ~ Beta(a, b + x).
#
# This is the hypergeometric term of FHL (2005) eq. 10, (a+b+x-1)/(a-1)·[1 - ... 2F1(...)], and
# eq. 9 for x = T = 0, but written without the division by a - 1 and without the third
# parameter a + b + x - 1 (0 or negative when a + b <= 1), which make the closed form 0/0 at
# a = 1 and NaN for a + b < 1. h is bounded (0 < h <= k u) and smooth on [0, 1], with its only
# singularity at p = -1/u. For u <= 10 a Gauss rule for the Beta(a, b + x) weight (nodes and
# weights from the Golub-Welsch eigenproblem, one rule per distinct frequency) integrates it to
# ~1e-11 with 8 to 64 nodes (more for larger u and k u, see _GAUSS_TIERS); beyond, h varies on a
# scale 1/(k u) too fine for a polynomial rule, and the integral is taken over y = logit(p) by
# the trapezoidal rule (exponentially accurate for an integrand analytic in a strip), after the
# parts of h that carry the mass at p -> 0 and p -> 1 have been integrated in closed form.

#: Gauss rules by the size of the problem: (largest u = t / (alpha + T), largest k·u, nodes), the
#: first that fits is used. Each bound is about half of where the worst relative error reached
#: 1e-10 in a log-uniform search over r in 1e-3..100, a, b in 1e-4..1e4 and x up to 1e4;
#: customers that fit none get the logit rule.
_GAUSS_TIERS: tuple[tuple[float, float, int], ...] = (
    (0.25, 5.0, 8), (0.5, 10.0, 12), (1.0, 20.0, 16), (3.0, 50.0, 24), (5.0, 100.0, 32), (10.0, 1e4, 64))
_LOGIT_STEP = 0.25  # trapezoid step in logit(p)
_BLOCK = 2**21  # rows x nodes evaluated at once (memory bound)


def _beta_gauss_rules(a: float, B: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) of the n-point Gauss rules for Beta(a, B_i) on [0, 1].

    Golub-Welsch: the nodes are the eigenvalues of the Jacobi matrix of the polynomials
    orthogonal for p^(a-1) (1-p)^(B-1) (written with the factors that vanish for a + B = 1
    or 2 cancelled, so that any a, B > 0 work); the weights are the Christoffel numbers
    1 / sum_j q_j(node)^2 of the orthonormal polynomials q_j. Returns arrays of shape
    (len(B), n).
    """
    B = np.asarray(B, dtype=float)[:, None]
    s = a + B
    j = np.arange(1.0, n)
    diag = np.empty((B.shape[0], n))
    diag[:, :1] = a / s
    diag[:, 1:] = 0.5 + 0.5 * (a - B) * (s - 2) / ((2 * j + s - 2) * (2 * j + s))
    off2 = np.empty((B.shape[0], n - 1))
    off2[:, :1] = a * B / (s * s * (s + 1))
    j = j[1:]
    off2[:, 1:] = (j * (j + a - 1) * (j + B - 1) * (j + s - 2)
                   / ((2 * j + s - 2) ** 2 * (2 * j + s - 1) * (2 * j + s - 3)))
    off = np.sqrt(off2)
    # one small LAPACK call per distinct frequency (a loop over frequencies, not customers)
    nodes = np.array([lapack.dsterf(d, e)[0] for d, e in zip(diag, off)]).clip(0.0, 1.0)
    q_prev, q = np.zeros_like(nodes), np.ones_like(nodes)
    total = np.ones_like(nodes)
    for i in range(n - 1):
        q_prev, q = q, ((nodes - diag[:, i:i + 1]) * q - (off[:, i - 1:i] * q_prev if i else 0.0)) / off[:, i:i + 1]
        total += q * q
        huge = np.abs(q) > 1e150  # weight below 1e-300: call it 0 and stop before the recurrence overflows
        if huge.any():
            q_prev, q, total = np.where(huge, 0.0, q_prev), np.where(huge, 0.0, q), np.where(huge, np.inf, total)
    weights = 1.0 / total
    return nodes, weights / weights.sum(axis=1, keepdims=True)


def _h(p: np.ndarray, k: np.ndarray, u: np.ndarray) -> np.ndarray:
    """(1 - (1 + p u)^-k) / p, and its limit k u at p = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        values = -np.expm1(-k * np.log1p(p * u)) / p
    return np.where(p > 0, values, k * u)


def _gauss_purchases(a: float, b: float, unique_x: np.ndarray, code: np.ndarray, k: np.ndarray, u: np.ndarray,
                     n: int) -> np.ndarray:
    """G by the n-point Gauss rule of Beta(a, b + x) for customers with x = unique_x[code]."""
    present = np.zeros(unique_x.size, dtype=bool)
    present[code] = True
    local = np.cumsum(present) - 1  # code -> row of the rules computed below
    nodes, weights = _beta_gauss_rules(a, b + unique_x[present], n)
    nodes = np.maximum(nodes, 1e-200)  # h(1e-200) is h(0) = k u to rounding, and w / p stays finite
    coef = weights / nodes
    out = np.empty(code.size)
    step = max(1, _BLOCK // n)
    for start in range(0, code.size, step):
        part = slice(start, start + step)
        rows = local[code[part]]
        values = np.expm1(-k[part, None] * np.log1p(nodes[rows] * u[part, None]))
        out[part] = -np.einsum("ij,ij->i", values, coef[rows])
    return out


def _logit_purchases(a: float, b: float, k: np.ndarray, x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """G for large u: trapezoidal rule over y = logit(p), per row.

    h(0)·(1-p)^m + h(1)·p, with m = (k+1) u / 2 so that it follows h near p = 0 to second
    order, is integrated exactly (Beta moments); the rest vanishes like p^2 at 0 and like 1 - p
    at 1, so its integrand decays at least like e^{-|y|} in both tails and a window of width
    O(log(k u)) + 70 holds it. Customers whose Beta(a, b + x) is narrow (a and b + x large)
    get a window of ±14 standard deviations of logit(p) instead.
    """
    B = b + x
    m = (k + 1) * u / 2
    h0 = k * u
    h1 = -np.expm1(-k * np.log1p(u))
    log_norm = betaln(a, B)
    exact = h0 * np.exp(betaln(a, B + m) - log_norm) + h1 * a / (a + B)
    mode, transition = np.log(a) - np.log(B), -np.log1p(h0)
    sd = np.sqrt(polygamma(1, a) + polygamma(1, B))
    mean = psi(a) - psi(B)
    narrow = sd < 0.5
    lower = np.where(narrow, mean - 14 * sd, np.minimum(mode, transition) - 25.0)
    upper = np.where(narrow, mean + 14 * sd, np.maximum(np.maximum(mode, transition), 0.0) + 45.0)
    step = np.where(narrow, sd / 2, _LOGIT_STEP)
    out = np.empty(x.size)
    n = int(np.ceil(np.max((upper - lower) / step))) + 1
    grid = np.linspace(0.0, 1.0, n)
    block = max(1, _BLOCK // n)
    for start in range(0, x.size, block):
        part = slice(start, start + block)
        lo, width = lower[part, None], (upper - lower)[part, None]
        y = lo + width * grid
        log_p, log_q = log_expit(y), log_expit(-y)
        p = np.exp(log_p)
        rest = _h(p, k[part, None], u[part, None]) - h0[part, None] * np.exp(m[part, None] * log_q) - h1[part, None] * p
        f = rest * np.exp(a * log_p + B[part, None] * log_q - log_norm[part, None])
        out[part] = (f.sum(axis=1) - 0.5 * (f[:, 0] + f[:, -1])) * width[:, 0] / (n - 1)
    return exact + out


def _alive_purchases(r: float, a: float, b: float, x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Expected purchases of a customer alive at T with x repeat purchases in the next t = u (alpha + T).

    Vectorised over ``x`` and ``u``, which broadcast (e.g. customers (n,) against horizons
    (m, 1)); see the block comment above for the method.
    """
    x = np.asarray(x, dtype=float)
    unique_x, code = np.unique(x, return_inverse=True)  # before broadcasting: one entry per customer
    code, u = np.broadcast_arrays(code.reshape(x.shape), np.asarray(u, dtype=float))
    shape = u.shape
    code, u = code.ravel(), u.ravel()
    k = r + unique_x[code]
    out = np.zeros(u.size)
    tier = np.full(u.size, len(_GAUSS_TIERS))
    for i, (u_max, ku_max, _) in reversed(list(enumerate(_GAUSS_TIERS))):
        tier[(u <= u_max) & (k * u <= ku_max)] = i
    for i, (_, _, n) in enumerate(_GAUSS_TIERS):
        rows = np.flatnonzero((tier == i) & (u > 0))
        if rows.size:
            out[rows] = _gauss_purchases(a, b, unique_x, code[rows], k[rows], u[rows], n)
    rows = np.flatnonzero(tier == len(_GAUSS_TIERS))
    if rows.size:
        out[rows] = _logit_purchases(a, b, k[rows], unique_x[code[rows]], u[rows])
    return out.reshape(shape)


def _conditional_purchases(params: tuple[float, ...], x: np.ndarray, t_x: np.ndarray, age: np.ndarray,
                           t: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params
    return _p_alive(params, x, t_x, age) * _alive_purchases(r, a, b, x, t / (alpha + age))


def _unconditional_purchases(params: tuple[float, ...], t: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params
    return _alive_purchases(r, a, b, np.zeros_like(t), t / alpha)


# --------------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------------


def gamma_gamma_log_likelihood(p: float, q: float, v: float, frequency: object, monetary_value: object) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean spend ``monetary_value`` over x purchases.

    Examples
    --------
    >>> round(float(gamma_gamma_log_likelihood(6.25, 3.74, 15.44, 2, 30.0)[0]), 4)
    -3.847
    """
    x, m = (np.atleast_1d(np.asarray(v_, dtype=float)) for v_ in (frequency, monetary_value))
    px = p * x
    return _gg_frequency_terms(p, q, v, x) + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(v + x * m)


def _gg_frequency_terms(p: float, q: float, v: float, x: np.ndarray) -> np.ndarray:
    """The part of the Gamma-Gamma log-likelihood that depends on the frequency x only."""
    px = p * x
    return gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)


@dataclass
class _GGData:
    x: np.ndarray
    m: np.ndarray
    w: np.ndarray
    ux: np.ndarray
    ix: np.ndarray
    wx: np.ndarray
    log_xm: np.ndarray  # log(x) + log(m), per row


def _gamma_gamma_nll_grad(log_params: np.ndarray, d: _GGData) -> tuple[float, np.ndarray]:
    p, q, v = np.exp(log_params)
    ux, wx, w = d.ux, d.wx, d.w
    pux = p * ux
    per_x = _gg_frequency_terms(p, q, v, ux)
    log_vxm = np.log(v + d.x * d.m)
    px = p * d.x
    total = wx @ per_x + w @ (px * d.log_xm - np.log(d.m) - (px + q) * log_vxm)
    psi_pq = psi(pux + q)
    g_p = wx @ (ux * (psi_pq - psi(pux))) + w @ (d.x * (d.log_xm - log_vxm))
    g_q = wx @ (psi_pq - psi(q) + np.log(v)) - w @ log_vxm
    g_v = wx.sum() * q / v - w @ ((px + q) / (v + d.x * d.m))
    n = wx.sum()
    return -total / n, -np.array([g_p * p, g_q * q, g_v * v]) / n


class GammaGammaModel(_MLEModel):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Fader & Hardie 2013).

    Each purchase of a customer has value Z ~ Gamma(shape p, rate ν); across customers
    ν ~ Gamma(shape q, rate v). The mean order value of a customer is p/ν, and of a new
    customer p·v/(q-1) (defined when q > 1). The model assumes that spend does not depend
    on purchase frequency: check the correlation of ``frequency`` and ``monetary_value``
    first (:func:`segkit.clv.spend_frequency_correlation`).

    Only customers with at least one repeat purchase (``frequency > 0``) carry information
    on repeat spend, so :meth:`fit` uses those rows and ignores the others.

    Parameters
    ----------
    compress, max_iter, tol
        As in :class:`BetaGeoModel`.

    Attributes
    ----------
    params_ : Series
        ``p``, ``q``, ``v`` (``v`` in money units).
    standard_errors_, covariance_, log_covariance_, log_likelihood_, aic_, n_customers_
        As in :class:`BetaGeoModel` (``n_customers_`` counts repeat customers only).
    """

    _param_names = ("p", "q", "v")
    _model_name = "Gamma-Gamma"

    def fit(self, frequency: object, monetary_value: object, *, sample_weight: object = None) -> GammaGammaModel:
        """Fit on customers' repeat-purchase count and mean repeat spend.

        Raises
        ------
        DataError
            Missing values, negative frequency, zero or negative spend among repeat customers,
            fewer than ``MIN_CUSTOMERS`` repeat customers, or a fit that does not converge.
        """
        x, m = _check_spend(frequency, monetary_value)
        w = _check_weights(sample_weight, x.size)
        repeat = (x > 0) & (w > 0)
        bad = repeat & (m <= 0)
        if bad.any():
            raise DataError(
                f"'monetary_value' is zero or negative for {int(bad.sum())} customer(s) with repeat purchases. "
                "Gamma-Gamma models positive spend: drop them (e.g. customers[customers.monetary_value > 0]) "
                "or check how returns were netted (returns='drop' keeps gross sales)."
            )
        n = w[repeat].sum()
        if n < MIN_CUSTOMERS:
            raise DataError(
                f"Gamma-Gamma needs at least {MIN_CUSTOMERS} customers with repeat purchases (frequency > 0); "
                f"got {n:g}. Use a longer observation period, or the average order value instead."
            )
        x, m, w = x[repeat], m[repeat], w[repeat]
        if self.compress:
            (x, m), w, _ = _compress([x, m], w)
        scale = 1.0 / np.average(m, weights=w)  # money rescaled to mean 1
        ms = m * scale
        ux, ix = np.unique(x, return_inverse=True)
        data = _GGData(x, ms, w, ux, ix, np.bincount(ix, weights=w), np.log(x) + np.log(ms))
        fit = _maximise(lambda z: _gamma_gamma_nll_grad(z, data), np.log([1.0, 2.0, 1.0]),
                        max_iter=self.max_iter, tol=self.tol)
        params = np.exp(fit.log_params)
        params[2] /= scale
        loglik = fit.mean_loglik * n + np.log(scale) * w.sum()  # density of m: Jacobian of the rescaling
        self._store(fit, params, loglik, n, len(x))
        if params[1] <= 1:
            self._warn(f"Gamma-Gamma: q = {params[1]:.3f} <= 1, so the mean spend of a new customer is infinite; "
                       "expected_spend of customers without repeat purchases is undefined (NaN). "
                       "Spend is very heavy-tailed: check for outliers.", stacklevel=2)
        return self

    def _identification_hint(self) -> str:
        return ("Very large q and v mean spend hardly varies between customers (use the average order value); "
                "predictions remain usable, parameter intervals do not.")

    def expected_spend(self, frequency: object, monetary_value: object) -> object:
        """Expected value of a future purchase given x repeat purchases with mean spend m_x.

        E[Z | x, m_x] = (q - 1)/(p·x + q - 1) · p·v/(q - 1) + p·x/(p·x + q - 1) · m_x: a
        weighted average of the population mean and the customer's own mean, trusting the
        customer more the more purchases we have seen. Customers with x = 0 get the population
        mean p·v/(q-1).
        """
        check_is_fitted(self, "params_")
        x, m = _check_spend(frequency, monetary_value)
        p, q, v = (float(s) for s in self.params_)
        m = np.where(x > 0, m, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(q + p * x > 1, p * (v + x * m) / (p * x + q - 1), np.nan)
        return _wrap(values, frequency, "expected_spend")

    def population_mean_spend(self) -> float:
        """Mean order value of a new customer, p·v/(q-1) (infinite when q <= 1)."""
        p, q, v = (float(s) for s in self.params_)
        return p * v / (q - 1) if q > 1 else float("inf")


def _check_spend(frequency: object, monetary_value: object) -> tuple[np.ndarray, np.ndarray]:
    x, m = _check_columns(frequency=frequency, monetary_value=monetary_value).values()
    _count_bad(x < 0, "frequency", "negative value(s)", "frequency counts repeat purchases, so it is >= 0.")
    return x, m


class AverageSpendModel(BaseEstimator):
    """Spend per purchase as one plain average: the fallback when data are too thin for Gamma-Gamma.

    Every customer is expected to spend the mean value of a paid repeat purchase, Σ x·m_x / Σ x
    over the customers with repeat purchases and positive mean spend. There is nothing to
    shrink and no parameter covariance: :meth:`sample_params` raises, so CLV gets no interval.
    :meth:`from_params` sets the average directly (e.g. the mean order value when nobody has
    a paid repeat purchase).

    Attributes
    ----------
    params_ : Series
        ``mean_spend``.
    standard_errors_, covariance_, log_covariance_ : NaN
        As for a model without standard errors.
    n_customers_ : float
        Repeat customers averaged (NaN after :meth:`from_params`).
    """

    _param_names = ("mean_spend",)
    _model_name = "average spend"

    def fit(self, frequency: object, monetary_value: object, *, sample_weight: object = None) -> AverageSpendModel:
        """Average the paid repeat purchases; DataError if there are none."""
        x, m = _check_spend(frequency, monetary_value)
        w = _check_weights(sample_weight, x.size)
        paid = (x > 0) & (m > 0) & (w > 0)
        if not paid.any():
            raise DataError("No customer has a repeat purchase with positive value, so the average spend per repeat "
                            "purchase is undefined. Use the mean order value: "
                            "AverageSpendModel.from_params(mean_spend=...).")
        self._set(float((w * x * m)[paid].sum() / (w * x)[paid].sum()), float(w[paid].sum()))
        return self

    @classmethod
    def from_params(cls, *, mean_spend: float) -> AverageSpendModel:
        """A model spending ``mean_spend`` per purchase (positive and finite)."""
        if not (np.isfinite(mean_spend) and mean_spend > 0):
            raise DataError(f"mean_spend must be positive and finite; got {mean_spend}.")
        model = cls()
        model._set(float(mean_spend), float("nan"))
        return model

    def _set(self, mean_spend: float, n_customers: float) -> None:
        nan = pd.DataFrame([[np.nan]], index=["mean_spend"], columns=["mean_spend"])
        self.params_ = pd.Series({"mean_spend": mean_spend}, name="estimate")
        self.standard_errors_ = pd.Series({"mean_spend": np.nan}, name="standard_error")
        self.covariance_, self.log_covariance_ = nan, nan.copy()
        self.n_customers_ = n_customers
        self.fit_warnings_, self.unidentified_ = [], ()

    def expected_spend(self, frequency: object, monetary_value: object) -> object:
        """The average, for every customer."""
        check_is_fitted(self, "params_")
        x, _ = _check_spend(frequency, monetary_value)
        return _wrap(np.full(x.size, float(self.params_["mean_spend"])), frequency, "expected_spend")

    def population_mean_spend(self) -> float:
        """The average (the spend of a new customer's purchases too)."""
        check_is_fitted(self, "params_")
        return float(self.params_["mean_spend"])

    def summary(self) -> pd.DataFrame:
        """The average, with NaN standard error and interval."""
        check_is_fitted(self, "params_")
        return pd.DataFrame({"estimate": self.params_, "standard_error": self.standard_errors_,
                             "lower_95": np.nan, "upper_95": np.nan})

    def sample_params(self, n_draws: int, *, random_state: object = None) -> pd.DataFrame:
        """Always raises: a plain average has no parameter covariance here."""
        raise DataError("average spend: the spend model is a plain average without a parameter covariance, so "
                        "parameters cannot be sampled.")


# --------------------------------------------------------------------------------------------
# Pareto/NBD (comparison model)
# --------------------------------------------------------------------------------------------


def pareto_nbd_log_likelihood(r: float, alpha: float, s: float, beta: float, frequency: object, recency: object,
                              T: object) -> np.ndarray:
    """Per-customer Pareto/NBD log-likelihood (Fader & Hardie 2005 note, equation 22), in log space.

    L = Γ(r+x) α^r β^s / Γ(r) · [ 1/((α+T)^(r+x) (β+T)^s) + s ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ ]:
    alive at T, or dropped out at some τ between the last purchase and T. The note writes
    the integral with Gauss hypergeometric functions, whose evaluation breaks down (NaN) for
    arguments near 1 with integer r or s; here it is a Gauss-Legendre quadrature in log space
    (:func:`_pareto_log_dropout`), accurate to ~1e-12 for all parameters.
    """
    x, t_x, age = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (frequency, recency, T))
    alive = _pareto_alive_term(r, alpha, s, beta, x, age)
    dropout = _pareto_log_dropout(r, alpha, s, beta, x, t_x, age)
    return _pareto_log_const(r, alpha, s, beta, x) + np.logaddexp(alive, dropout)


#: Gauss-Legendre rule for the Pareto/NBD drop-out integral, and the log-integrand drop that bounds its window.
_LEGENDRE = np.polynomial.legendre.leggauss(48)
_WINDOW_DROP = 60.0


def _pareto_log_dropout(r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray,
                        age: np.ndarray) -> np.ndarray:
    """log[ s ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ ] (-inf when t_x = T), vectorised over customers.

    With m = min(α, β), d = |α - β| and ξ = log(m + τ), the integrand times dτ is e^{g(ξ)} dξ
    with g(ξ) = -P1 ξ - P2 log(d + e^ξ), (P1, P2) = (r+x-1, s+1) if α <= β else (s, r+x).
    g is concave and analytic in a strip of half-width π, so a Gauss-Legendre rule on the
    window where g is within 60 of its maximum integrates e^{g - max g} to ~1e-12. The window
    ends are found by Newton steps on the convex drop g(ξ*) - g(ξ), which approach the end from
    outside, so the window is never too short.
    """
    k = r + x
    m, d = min(alpha, beta), abs(alpha - beta)
    p1, p2 = (k - 1, np.full_like(k, s + 1.0)) if alpha <= beta else (np.full_like(k, s), k)
    log_d = np.log(d) if d > 0 else -np.inf

    def g(xi: np.ndarray) -> np.ndarray:  # xi: (customers,) or (customers, nodes)
        c1, c2 = (v.reshape(v.shape + (1,) * (xi.ndim - v.ndim)) for v in (p1, p2))
        return -c1 * xi - c2 * np.logaddexp(log_d, xi)

    def slope(xi: np.ndarray) -> np.ndarray:
        return -p1 - p2 * expit(xi - log_d)

    start = np.log(m + t_x)
    stop = start + np.log1p((age - t_x) / (m + t_x))
    with np.errstate(divide="ignore", invalid="ignore"):
        # interior maximum where the slope is 0 (only when p1 < 0): e^ξ = d φ / (1 - φ), φ = -p1/p2
        phi = -p1 / p2
        peak = np.where((p1 < 0) & (d > 0), log_d + np.log(phi) - np.log1p(-phi), -np.inf)
    peak = np.clip(peak, start, stop)
    top = g(peak)
    lower = _window_end(g, slope, peak, start, top, -1.0)
    upper = _window_end(g, slope, peak, stop, top, 1.0)
    nodes, weights = _LEGENDRE
    half = (upper - lower) / 2
    xi = (lower + upper)[..., None] / 2 + half[..., None] * nodes
    with np.errstate(divide="ignore"):
        log_integral = top + np.log(half * (np.exp(g(xi) - top[..., None]) @ weights))
    return np.log(s) + log_integral


def _window_end(g, slope, peak: np.ndarray, limit: np.ndarray, top: np.ndarray, side: float) -> np.ndarray:
    """The point beyond ``peak`` (side +1: right, -1: left) where g has dropped by _WINDOW_DROP, or ``limit``.

    The drop top - g is convex in the distance from the peak. Starting inside the window (at
    the distance the steepest slope of the piece needs), the first Newton step lands beyond the
    end and every later one stays beyond it while closing in, so the window is never short.
    """
    steepest = np.maximum(np.abs(slope(limit)), np.abs(slope(peak)))  # |g'| peaks at an end of the piece
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        point = peak + side * _WINDOW_DROP / steepest
        for _ in range(5):
            point = np.where(side * (point - limit) > 0, limit, point)
            gradient = np.abs(slope(point))
            point = point + side * np.where(gradient > 0, (_WINDOW_DROP - (top - g(point))) / gradient, 0.0)
    point = np.where(np.isfinite(point), point, limit)
    return np.where(side * (point - limit) > 0, limit, point)


def _pareto_log_const(r: float, alpha: float, s: float, beta: float, x: np.ndarray) -> np.ndarray:
    """log[Γ(r+x) α^r β^s / Γ(r)], the factor common to both parts of the Pareto/NBD likelihood."""
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)


def _pareto_alive_term(r: float, alpha: float, s: float, beta: float, x: np.ndarray, age: np.ndarray) -> np.ndarray:
    """log[1 / ((α+T)^(r+x) (β+T)^s)]: the customer is still alive at T (without the common factor)."""
    return -(r + x) * np.log(alpha + age) - s * np.log(beta + age)


class ParetoNBDModel(_MLEModel):
    """Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987), for comparison with BG/NBD.

    Purchases at Poisson rate λ ~ Gamma(r, alpha) while alive; lifetimes are exponential with
    rate μ ~ Gamma(s, beta), so drop-out can happen at any time (not only after a purchase).
    Compare with :class:`BetaGeoModel` by ``log_likelihood_`` or ``aic_`` (both have four
    parameters and are fitted to the same data). Fitted with a numerical gradient, so it is
    slower than BG/NBD; ``compress=True`` (default) helps.
    """

    _param_names = ("r", "alpha", "s", "beta")
    _model_name = "Pareto/NBD"

    def fit(self, frequency: object, recency: object, T: object, *, sample_weight: object = None) -> ParetoNBDModel:
        """Fit by maximum likelihood; same inputs and errors as :meth:`BetaGeoModel.fit`."""
        x, t_x, age = check_btyd(frequency, recency, T)
        w = _check_weights(sample_weight, x.size)
        n = w.sum()
        if n < MIN_CUSTOMERS or w @ x == 0:
            raise DataError(
                f"Pareto/NBD needs at least {MIN_CUSTOMERS} customers and some repeat purchases; got {n:g} "
                f"customers with {w @ x:g} repeat purchases. Use more data or a longer observation period."
            )
        if self.compress:
            (x, t_x, age), w, _ = _compress([x, t_x, age], w)
        keep = w > 0
        x, t_x, age, w = x[keep], t_x[keep], age[keep], w[keep]
        scale = 10.0 / age.max()
        ts, Ts = t_x * scale, age * scale

        def nll_grad(z: np.ndarray) -> tuple[float, np.ndarray]:
            def nll(zz: np.ndarray) -> float:
                value = -(w @ pareto_nbd_log_likelihood(*np.exp(zz), x, ts, Ts)) / n
                return value if np.isfinite(value) else 1e10

            value = nll(z)
            grad = np.array([(nll(z + e) - nll(z - e)) / 2e-6 for e in np.eye(len(z)) * 1e-6])
            return value, grad

        rate = (w @ x) / (w @ Ts)
        fit = _maximise(nll_grad, np.log([1.0, 1.0 / max(rate, 1e-6), 1.0, 10.0]), max_iter=self.max_iter,
                        tol=max(self.tol, 1e-8))
        params = np.exp(fit.log_params)
        params[1] /= scale
        params[3] /= scale
        loglik = fit.mean_loglik * n + np.log(scale) * (w @ x)
        self._store(fit, params, loglik, n, len(x))
        return self

    def probability_alive(self, frequency: object, recency: object, T: object) -> object:
        """P(alive | x, t_x, T): the share of the likelihood that comes from "alive at T".

        Computed as expit(log alive - log dropped-out), both in log space
        (:func:`pareto_nbd_log_likelihood`), so it stays accurate down to the smallest floats.
        """
        check_is_fitted(self, "params_")
        x, t_x, age = check_btyd(frequency, recency, T, require_integer=False)
        values = _pareto_p_alive(tuple(float(v) for v in self.params_), x, t_x, age)
        return _wrap(values, frequency, "p_alive")

    def expected_purchases(self, frequency: object, recency: object, T: object, *, t: float | np.ndarray) -> object:
        """Expected purchases in the next ``t`` time units.

        P(alive) · (r+x)/(α+T) · (β+T)/(s-1) · [1 - ((β+T)/(β+T+t))^(s-1)] (Schmittlein et al. 1987;
        Fader & Hardie 2005 note, eq. 41), with the last two factors written as
        (β+T)·L·(1 - e^{-(s-1)L})/((s-1)L), L = log(1 + t/(β+T)), which is continuous through s = 1.
        ``t`` may broadcast against the customers, as in :meth:`BetaGeoModel.expected_purchases`.
        """
        check_is_fitted(self, "params_")
        x, t_x, age = check_btyd(frequency, recency, T, require_integer=False)
        horizon = _horizon(t)
        r, alpha, s, beta = params = tuple(float(v) for v in self.params_)
        log_growth = np.log1p(horizon / (beta + age))
        decay = (beta + age) * log_growth * exprel(-(s - 1) * log_growth)
        values = _pareto_p_alive(params, x, t_x, age) * (r + x) / (alpha + age) * decay
        return _wrap(values, frequency, "expected_purchases")


def _pareto_p_alive(params: tuple[float, ...], x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
    r, alpha, s, beta = params
    return expit(_pareto_alive_term(r, alpha, s, beta, x, age) - _pareto_log_dropout(r, alpha, s, beta, x, t_x, age))
