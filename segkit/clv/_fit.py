"""Maximum-likelihood machinery shared by the buy-till-you-die models: input checks, optimiser, fitted state.

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
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from segkit.errors import DataError

__all__ = ["FitWarning"]


#: Fewest customers (BG/NBD, Pareto/NBD) or repeat customers (Gamma-Gamma) a fit accepts.
MIN_CUSTOMERS: int = 10
_LOG_BOUND = 23.0  # |log parameter| limit (1e-10 .. 1e10 in scaled units)
_GRAD_TOL = 1e-6  # max |gradient| of the mean log-likelihood w.r.t. log-parameters at a solution
_RIDGE_GRAD_TOL = 1e-4  # ... on a flat ridge, where the optimiser cannot get lower (see _on_a_ridge)
_FLAT = 1e-12  # Hessian eigenvalue, relative to the largest, below which a direction counts as flat
#: Standard error of the log-parameters along a direction above which it counts as flat too: the data leave it
#: open by more than a factor of e^(2 x 3) = 400 either way. Where the optimiser stops on a runaway ridge is
#: sensitive to rounding: the relative test alone caught a ridge on one machine and missed the same ridge on
#: another, with the same library versions (eigenvalues 1.3e-11 apart, a standard error of 7,600).
_LOG_SE_LIMIT = 3.0


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


def _check_btyd(
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
    >>> _check_btyd([0, 2], [0, 30], [50, 40])[1]
    array([ 0., 30.])
    >>> _check_btyd([1], [60], [40])
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


def _horizon(t: float | np.ndarray) -> np.ndarray:
    horizon = np.asarray(t, dtype=float)
    if np.any(horizon < 0) or not np.all(np.isfinite(horizon)):
        raise DataError(f"t (the prediction horizon) must be finite and >= 0, got {t!r}.")
    return horizon


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


def _flat(eigenvalues: np.ndarray) -> np.ndarray:
    """Which eigenvalues of the Hessian of the total negative log-likelihood (in log-parameters) are flat
    directions: tiny next to the largest (:data:`_FLAT`), or so small that the standard error along them
    exceeds :data:`_LOG_SE_LIMIT`; a downhill direction (negative) is flat too."""
    return (eigenvalues <= _FLAT * abs(eigenvalues.max())) | (eigenvalues < _LOG_SE_LIMIT ** -2)


def _on_a_ridge(fit: _FitResult, n_customers: float) -> bool:
    """Whether an unconverged fit stopped on a flat ridge of the likelihood: gradient nearly 0 and a Hessian
    with a flat (or downhill) direction (:func:`_flat`), along which the optimiser drifts without end. The
    predictions are determined there, the parameters along the ridge are not: such a fit is kept and warns
    (see _store). ``fit.hessian`` is of the mean log-likelihood, ``n_customers`` scales it to the total."""
    if fit.grad_norm >= _RIDGE_GRAD_TOL or not np.all(np.isfinite(fit.hessian)):
        return False
    return bool(_flat(np.linalg.eigvalsh(fit.hessian * n_customers)).any())


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
        if not fit.converged and not _on_a_ridge(fit, n_customers):
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
        flat = _flat(eigenvalues)
        if at_bound.any() or flat.any():
            if at_bound.any() or eigenvectors is None:
                runaway = [n for n, hit in zip(names, at_bound) if hit] or names
            else:  # the flat directions of the likelihood: parameters that move along one of them
                runaway = [n for n, c in zip(names, np.abs(eigenvectors[:, flat]).max(axis=1)) if c > 0.3]
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
        >>> from segkit.clv import BetaGeoModel
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
        check_is_fitted(self)
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
        check_is_fitted(self)
        cov = self.log_covariance_.to_numpy()
        if not np.all(np.isfinite(cov)):
            raise DataError(f"{self._model_name}: the parameter covariance is not available (a parameter is "
                            "not identified), so parameters cannot be sampled. Fit on more data.")
        rng = np.random.default_rng(random_state)
        draws = rng.multivariate_normal(np.log(self.params_.to_numpy()), cov, size=n_draws, method="cholesky")
        return pd.DataFrame(np.exp(draws), columns=list(self._param_names))
