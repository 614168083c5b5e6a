"""Spend per purchase: the Gamma-Gamma model and its plain-average fallback.

References: Fader, Hardie & Lee (2005) "RFM and CLV: using iso-value curves", JMR 42(4);
Fader & Hardie (2013) "The Gamma-Gamma model of monetary value".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import gammaln, psi
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from segkit.clv._fit import (
    MIN_CUSTOMERS,
    _check_columns,
    _check_weights,
    _compress,
    _count_bad,
    _maximise,
    _MLEModel,
    _wrap,
)
from segkit.errors import DataError

__all__ = ["AverageSpendModel", "GammaGammaModel"]


def _gamma_gamma_log_likelihood(p: float, q: float, v: float, frequency: object, monetary_value: object) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean spend ``monetary_value`` over x purchases.

    Examples
    --------
    >>> round(float(_gamma_gamma_log_likelihood(6.25, 3.74, 15.44, 2, 30.0)[0]), 4)
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
        check_is_fitted(self)
        x, m = _check_spend(frequency, monetary_value)
        return _wrap(self._expected_spend(x, m), frequency, "expected_spend")

    def _expected_spend(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """:meth:`expected_spend` of checked float arrays, without input validation."""
        p, q, v = (float(s) for s in self.params_)
        m = np.where(x > 0, m, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(q + p * x > 1, p * (v + x * m) / (p * x + q - 1), np.nan)

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
        check_is_fitted(self)
        x, m = _check_spend(frequency, monetary_value)
        return _wrap(self._expected_spend(x, m), frequency, "expected_spend")

    def _expected_spend(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        """:meth:`expected_spend` of checked float arrays, without input validation."""
        return np.full(x.size, float(self.params_["mean_spend"]))

    def population_mean_spend(self) -> float:
        """The average (the spend of a new customer's purchases too)."""
        check_is_fitted(self)
        return float(self.params_["mean_spend"])

    def summary(self) -> pd.DataFrame:
        """The average, with NaN standard error and interval."""
        check_is_fitted(self)
        return pd.DataFrame({"estimate": self.params_, "standard_error": self.standard_errors_,
                             "lower_95": np.nan, "upper_95": np.nan})

    def sample_params(self, n_draws: int, *, random_state: object = None) -> pd.DataFrame:
        """Always raises: a plain average has no parameter covariance here."""
        raise DataError("average spend: the spend model is a plain average without a parameter covariance, so "
                        "parameters cannot be sampled.")
