"""The BG/NBD purchase model (Fader, Hardie & Lee 2005): likelihood, fit, P(alive), expected purchases.

Predictions avoid the double-precision closed forms where those break down: the expected
purchases (FHL 2005, eq. 9 and 10) are an average over the drop-out probability by Gauss
quadrature (:mod:`segkit.clv._quadrature`); they agree with mpmath to better than 1e-8 over
a, b, r from 1e-4 to 1e4, a = 1, a + b < 1 and thousands of purchases
(tests/test_clv_numerics.py). Definitions of the inputs and the fitting method:
:mod:`segkit.clv._fit`.

References: Fader, Hardie & Lee (2005) "Counting your customers the easy way", Marketing
Science 24(2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, psi
from sklearn.utils.validation import check_is_fitted

from segkit.clv._fit import MIN_CUSTOMERS, _check_btyd, _check_weights, _compress, _horizon, _maximise, _MLEModel, _wrap
from segkit.clv._quadrature import _alive_purchases
from segkit.errors import DataError

__all__ = ["BetaGeoModel"]


def _bgnbd_log_likelihood(r: float, alpha: float, a: float, b: float, frequency: object, recency: object,
                         T: object) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, equation 6).

    Computed in log space (``gammaln`` and ``logaddexp``), so it stays finite for customers
    with thousands of purchases.

    Examples
    --------
    A customer without repeat purchases contributes r·log(alpha / (alpha + T)):

    >>> ll = _bgnbd_log_likelihood(0.243, 4.414, 0.793, 2.426, 0, 0, 38.86)
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
    >>> from segkit.datasets import simulate_bgnbd
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
            Invalid inputs (see :func:`_check_btyd`), fewer than ``MIN_CUSTOMERS`` customers,
            no repeat purchases at all, or an optimisation that does not converge.
        """
        x, t_x, age = _check_btyd(frequency, recency, T)
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
        """The fitted parameters as floats, without the fitted check (the public methods make it)."""
        return tuple(float(v) for v in self.params_)  # type: ignore[return-value]

    def probability_alive(self, frequency: object, recency: object, T: object) -> object:
        """Probability that a customer with this history has not dropped out by ``T``.

        P(alive) = 1 / (1 + [x > 0] · a / (b + x - 1) · ((alpha + T) / (alpha + t_x))^(r + x)),
        which is 1 for customers without repeat purchases (in BG/NBD drop-out can only follow
        a repeat purchase).
        """
        check_is_fitted(self)
        x, t_x, age = _check_btyd(frequency, recency, T, require_integer=False)
        return _wrap(self._probability_alive(x, t_x, age), frequency, "p_alive")

    def _probability_alive(self, x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
        """:meth:`probability_alive` of checked float arrays, without input validation."""
        return _p_alive(self._params(), x, t_x, age)

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
        check_is_fitted(self)
        x, t_x, age = _check_btyd(frequency, recency, T, require_integer=False)
        return _wrap(self._expected_purchases(x, t_x, age, t), frequency, "expected_purchases")

    def _expected_purchases(self, x: np.ndarray, t_x: np.ndarray, age: np.ndarray,
                            t: float | np.ndarray) -> np.ndarray:
        """:meth:`expected_purchases` of checked float arrays, without input validation."""
        return _conditional_purchases(self._params(), x, t_x, age, _horizon(t))

    def expected_purchases_new_customer(self, t: float | np.ndarray) -> object:
        """Expected repeat purchases of a new customer in the first ``t`` time units (FHL eq. 9).

        Evaluated like :meth:`expected_purchases` (x = 0, T = 0), so it is finite for every
        a, b > 0, including a = 1 and a + b < 1.
        """
        check_is_fitted(self)
        values = _unconditional_purchases(self._params(), np.atleast_1d(_horizon(t)))
        return float(values[0]) if np.ndim(t) == 0 else values

    def population_means(self) -> pd.Series:
        """Mean purchase rate per time unit (r/alpha) and mean drop-out probability (a/(a+b))."""
        check_is_fitted(self)
        r, alpha, a, b = self._params()
        return pd.Series({"purchase_rate": r / alpha, "dropout_prob": a / (a + b)})


def _p_alive(params: tuple[float, ...], x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params
    # log[(alpha+T)/(alpha+t_x)] as log1p of the (non-negative) gap: no cancellation for large T
    log_ratio = np.log(a) - _log_b_x1(b, x) + (r + x) * np.log1p((age - t_x) / (alpha + t_x))
    return np.where(x > 0, expit(-log_ratio), 1.0)


def _conditional_purchases(params: tuple[float, ...], x: np.ndarray, t_x: np.ndarray, age: np.ndarray,
                           t: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params
    return _p_alive(params, x, t_x, age) * _alive_purchases(r, a, b, x, t / (alpha + age))


def _unconditional_purchases(params: tuple[float, ...], t: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params
    return _alive_purchases(r, a, b, np.zeros_like(t), t / alpha)
