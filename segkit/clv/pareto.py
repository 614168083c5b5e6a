"""The Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987), for comparison with BG/NBD.

The drop-out integral of the likelihood is a Gauss-Legendre quadrature in log space; it agrees
with mpmath to better than 1e-8 (tests/test_clv_numerics.py).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, exprel, gammaln
from sklearn.utils.validation import check_is_fitted

from segkit.clv._fit import MIN_CUSTOMERS, _check_btyd, _check_weights, _compress, _horizon, _maximise, _MLEModel, _wrap
from segkit.errors import DataError

__all__ = ["ParetoNBDModel"]


def _pareto_nbd_log_likelihood(r: float, alpha: float, s: float, beta: float, frequency: object, recency: object,
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
        x, t_x, age = _check_btyd(frequency, recency, T)
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
                value = -(w @ _pareto_nbd_log_likelihood(*np.exp(zz), x, ts, Ts)) / n
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
        (:func:`_pareto_nbd_log_likelihood`), so it stays accurate down to the smallest floats.
        """
        check_is_fitted(self)
        x, t_x, age = _check_btyd(frequency, recency, T, require_integer=False)
        return _wrap(self._probability_alive(x, t_x, age), frequency, "p_alive")

    def _probability_alive(self, x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
        """:meth:`probability_alive` of checked float arrays, without input validation."""
        return _pareto_p_alive(tuple(float(v) for v in self.params_), x, t_x, age)

    def expected_purchases(self, frequency: object, recency: object, T: object, *, t: float | np.ndarray) -> object:
        """Expected purchases in the next ``t`` time units.

        P(alive) · (r+x)/(α+T) · (β+T)/(s-1) · [1 - ((β+T)/(β+T+t))^(s-1)] (Schmittlein et al. 1987;
        Fader & Hardie 2005 note, eq. 41), with the last two factors written as
        (β+T)·L·(1 - e^{-(s-1)L})/((s-1)L), L = log(1 + t/(β+T)), which is continuous through s = 1.
        ``t`` may broadcast against the customers, as in :meth:`BetaGeoModel.expected_purchases`.
        """
        check_is_fitted(self)
        x, t_x, age = _check_btyd(frequency, recency, T, require_integer=False)
        return _wrap(self._expected_purchases(x, t_x, age, t), frequency, "expected_purchases")

    def _expected_purchases(self, x: np.ndarray, t_x: np.ndarray, age: np.ndarray,
                            t: float | np.ndarray) -> np.ndarray:
        """:meth:`expected_purchases` of checked float arrays, without input validation."""
        horizon = _horizon(t)
        r, alpha, s, beta = params = tuple(float(v) for v in self.params_)
        log_growth = np.log1p(horizon / (beta + age))
        decay = (beta + age) * log_growth * exprel(-(s - 1) * log_growth)
        return _pareto_p_alive(params, x, t_x, age) * (r + x) / (alpha + age) * decay


def _pareto_p_alive(params: tuple[float, ...], x: np.ndarray, t_x: np.ndarray, age: np.ndarray) -> np.ndarray:
    r, alpha, s, beta = params
    return expit(_pareto_alive_term(r, alpha, s, beta, x, age) - _pareto_log_dropout(r, alpha, s, beta, x, t_x, age))
