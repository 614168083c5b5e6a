"""The bootstrap of total CLV: an interval around the total from parameter draws.

:func:`bootstrap_total_clv` draws the purchase and spend models' parameters from their estimated
sampling distributions (the delta-method covariance of the fit) and sums :func:`~segkit.clv.predict_clv`
over the customers for each draw. For BG/NBD the expensive part, the discounted purchases of a
customer still active, is evaluated once per distinct (frequency, T) pair
(:func:`_bgnbd_draw_totals`); other purchase models take the per-draw loop (:func:`_loop_draw_totals`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.clv._common import BTYD_COLUMNS, DAYS_PER_YEAR, _check_customers, _check_margin
from segkit.clv._quadrature import _age_groups, _discounted_alive_purchases
from segkit.clv.bgnbd import BetaGeoModel, _p_alive
from segkit.clv.gamma_gamma import AverageSpendModel, GammaGammaModel
from segkit.clv.pareto import ParetoNBDModel
from segkit.clv.predict import _check_model_inputs, _distinct_pairs, _mean_repeat_spend, _predict_clv, _spend
from segkit.errors import DataError

__all__ = ["TotalCLVInterval", "bootstrap_total_clv"]


def _with_params(model: object, params: pd.Series) -> object:
    clone = copy.copy(model)
    clone.params_ = params
    return clone


@dataclass(frozen=True)
class TotalCLVInterval:
    """What :func:`bootstrap_total_clv` found: the total CLV, its interval and the draws behind it.

    Without parameter draws ``lower`` and ``upper`` are NaN, ``n_draws`` is 0 and ``reason``
    says why (None when the interval was computed).
    """

    estimate: float
    lower: float
    upper: float
    level: float
    n_draws: int
    draws: np.ndarray = field(repr=False)
    reason: str | None = None

    @property
    def note(self) -> str:
        """The interval and its half-width in a sentence, or why there is none.

        Examples
        --------
        >>> TotalCLVInterval(estimate=1000.0, lower=900.0, upper=1100.0, level=0.9, n_draws=0,
        ...                  draws=np.empty(0)).note
        'Total predicted CLV 1,000, 90% interval 900 to 1,100 (±10.0%).'
        """
        from segkit.clv import text

        return text._interval_note(self)


def bootstrap_total_clv(
    purchase_model: BetaGeoModel | ParetoNBDModel,
    spend_model: GammaGammaModel | AverageSpendModel,
    customers: pd.DataFrame,
    *,
    n_draws: int = 200,
    level: float = 0.9,
    random_state: int | np.random.Generator | None = None,
    **clv_options: float | None,
) -> TotalCLVInterval:
    """Parametric-bootstrap interval for the total predicted CLV of ``customers``.

    Parameter sets are drawn from the asymptotic normal distribution of each model's
    log-parameters (their covariance from the observed information), the total CLV is
    recomputed for each draw, and the interval is the central ``level`` share of the draws.
    This is the uncertainty from estimating the parameters; the customers themselves are
    held fixed. Options in ``clv_options`` go to :func:`predict_clv`.

    With BG/NBD the totals are computed per distinct (frequency, T) pair rather than per
    customer (P(alive) and the spend are per customer, the discounted purchases of an alive
    customer depend on frequency and T only): the same totals as :func:`predict_clv` once per
    draw, to rounding, in a few seconds for 200 draws on a 234k-customer base.

    When a model has no parameter covariance (a parameter the data cannot pin down, a model
    given by :meth:`~BetaGeoModel.from_params`, or :class:`AverageSpendModel`), there is
    nothing to draw: the result has the estimate, NaN bounds, ``n_draws`` 0, and the reason.

    Returns
    -------
    TotalCLVInterval: ``estimate`` (at the fitted parameters), ``lower``, ``upper``, ``level``,
    ``n_draws``, ``draws`` (the total of each draw) and ``reason`` (None when the interval was
    computed).
    """
    _check_bootstrap(n_draws, level)
    _check_customers(customers, BTYD_COLUMNS, "bootstrap_total_clv")
    _check_model_inputs(customers, purchase_model, spend_model)
    if "margin" in clv_options:
        _check_margin(clv_options["margin"])
    return _bootstrap_total_clv(purchase_model, spend_model, customers, n_draws=n_draws, level=level,
                                random_state=random_state, **clv_options)


def _check_bootstrap(n_draws: int, level: float) -> None:
    if n_draws < 10 or not 0 < level < 1:
        raise DataError(f"Use n_draws >= 10 and 0 < level < 1; got {n_draws} and {level}.")


def _bootstrap_total_clv(purchase_model, spend_model, customers: pd.DataFrame, *, n_draws: int, level: float,
                         random_state: int | np.random.Generator | None, **clv_options: float | None) -> TotalCLVInterval:
    """:func:`bootstrap_total_clv` without the input checks: for callers that made them already."""
    # identical (frequency, recency, T, monetary_value) rows give identical CLV: predict each once
    unique = customers[list(BTYD_COLUMNS)].value_counts(sort=False).rename("n").reset_index()
    # the spend stand-in of predict_clv comes from all customers, not from the unique rows
    clv_options = {"fallback_spend": _mean_repeat_spend(customers), **clv_options}
    estimate = float(_predict_clv(purchase_model, spend_model, unique, **clv_options)["clv"] @ unique["n"])
    reasons = [r for r in (_no_covariance(purchase_model, "purchase"), _no_covariance(spend_model, "spend")) if r]
    reason = "; and ".join(reasons) or None
    totals = np.empty(0)
    if reason is None:
        rng = np.random.default_rng(random_state)
        purchase_draws = purchase_model.sample_params(n_draws, random_state=rng)
        spend_draws = spend_model.sample_params(n_draws, random_state=rng)
        draw_totals = _bgnbd_draw_totals if isinstance(purchase_model, BetaGeoModel) else _loop_draw_totals
        totals = draw_totals(purchase_model, spend_model, unique, purchase_draws, spend_draws, **clv_options)
    lower, upper = np.quantile(totals, [(1 - level) / 2, (1 + level) / 2]) if totals.size else (np.nan, np.nan)
    return TotalCLVInterval(estimate, float(lower), float(upper), level, int(totals.size), totals, reason)


def _loop_draw_totals(purchase_model, spend_model, unique: pd.DataFrame, purchase_draws: pd.DataFrame,
                      spend_draws: pd.DataFrame, **clv_options: float | None) -> np.ndarray:
    """Total CLV of each parameter draw: :func:`predict_clv` on every row of ``unique``, once per draw.

    ``unique`` holds distinct customer rows with their count ``n``. Any purchase model; the
    reference for :func:`_bgnbd_draw_totals`.
    """
    return np.array([
        _predict_clv(_with_params(purchase_model, purchase_draws.iloc[i]),
                     _with_params(spend_model, spend_draws.iloc[i]), unique, **clv_options)["clv"].to_numpy()
        @ unique["n"].to_numpy()
        for i in range(len(purchase_draws))])


def _bgnbd_draw_totals(purchase_model: BetaGeoModel, spend_model, unique: pd.DataFrame, purchase_draws: pd.DataFrame,
                       spend_draws: pd.DataFrame, *, horizon: float = 365.0, margin: float = 1.0,
                       discount_rate: float = 0.0, periods_per_year: float = DAYS_PER_YEAR, n_steps: int = 12,
                       fallback_spend: float | None = None) -> np.ndarray:
    """:func:`_loop_draw_totals` for BG/NBD, with the quadrature on the distinct (frequency, T) pairs only.

    A customer's discounted expected purchases are P(alive | x, t_x, T) × D(x, T), where D, the
    discounted purchases of a customer alive at T, depends on the history only through x and T
    (given survival, λ ~ Gamma(r + x, α + T) and p ~ Beta(a, b + x)); P(alive) and the spend
    E[Z | x, m_x] are closed forms. So the total of a draw is

        margin × Σ_(x, T) D(x, T) × Σ_(customers with x, T) P(alive) × E[Z | x, m_x],

    and the quadrature, nearly all of the cost, runs on the (x, T) pairs (20k for the 181k
    distinct rows of a 234k-customer shop). D is Σ_j c_j A(x, t_j / (α + T)) with A the expected
    purchases of an alive customer by t_j (the rule :func:`predict_clv` uses) and c_j the discount
    factor of step j less that of step j + 1, the same sum as :func:`predict_clv`'s
    Σ_j f_j (A_j - A_(j-1)) regrouped; a frequency seen at many ages gets D from a Chebyshev
    interpolant across ages, checked for convergence
    (:func:`segkit.clv._quadrature._discounted_alive_purchases`). The grouping is done once, the
    parameter draws are a loop. The totals agree with :func:`_loop_draw_totals` to ~1e-15
    (tests/test_clv_bootstrap.py; benchmarks/bench_clv_bootstrap.py times both).
    """
    x, t_x, age, m = (unique[c].to_numpy(dtype=float) for c in BTYD_COLUMNS)
    count = unique["n"].to_numpy(dtype=float)
    pair_x, pair_age, pair = _distinct_pairs(x, age)
    groups = _age_groups(pair_x, pair_age)
    times, weights = _step_weights(horizon, discount_rate, periods_per_year, n_steps)
    totals = np.empty(len(purchase_draws))
    for i, (params, spend_params) in enumerate(zip(purchase_draws.to_numpy(), spend_draws.to_numpy())):
        r, alpha, a, b = params
        alive = _discounted_alive_purchases(r, alpha, a, b, groups, times, weights)
        spend_model_i = _with_params(spend_model, pd.Series(spend_params, index=spend_draws.columns))
        per_customer = count * _spend(spend_model_i, x, m, unique, fallback_spend) * _p_alive(params, x, t_x, age)
        totals[i] = margin * (alive @ np.bincount(pair, weights=per_customer, minlength=pair_x.size))
    return totals


def _step_weights(horizon: float, discount_rate: float, periods_per_year: float,
                  n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Times t_j and weights c_j with Σ_j c_j A(t_j) = the discounted purchases of :func:`_purchases_to_horizon`.

    Without discounting, the horizon alone with weight 1; else the step ends t_j and
    c_j = f_j - f_(j+1) (f_(n+1) = 0), f_j the discount factor at the middle of step j.

    Examples
    --------
    >>> times, weights = _step_weights(365.0, 0.1, 365.25, 2)
    >>> times.tolist(), bool(np.isclose(weights.sum(), 1.1 ** -(91.25 / 365.25)))
    ([182.5, 365.0], True)
    """
    if discount_rate == 0:
        return np.array([float(horizon)]), np.ones(1)
    grid = np.linspace(0.0, horizon, n_steps + 1)
    factors = (1 + discount_rate) ** -((grid[:-1] + grid[1:]) / 2 / periods_per_year)
    return grid[1:], factors - np.append(factors[1:], 0.0)


def _no_covariance(model: object, role: str) -> str | None:
    """Why ``model``'s parameters cannot be sampled (a sentence fragment), or None if they can."""
    if isinstance(model, AverageSpendModel):
        return "the spend model is a plain average, without parameter uncertainty"
    covariance = model.log_covariance_.to_numpy()
    if np.all(np.isfinite(covariance)):
        return None
    if getattr(model, "unidentified_", ()):
        return (f"the data cannot pin down {', '.join(model.unidentified_)} of the {role} model, so its parameters "
                "have no standard errors")
    return f"the {role} model's parameters have no standard errors (they were given, not fitted)"
