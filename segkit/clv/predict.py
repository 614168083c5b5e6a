"""Probabilistic CLV: fit BG/NBD and a spend model to a customer table, predict, and bound the total.

The BG/NBD model (:class:`~segkit.clv.BetaGeoModel`) predicts purchases and the probability
that a customer is still active; the Gamma-Gamma model (:class:`~segkit.clv.GammaGammaModel`)
predicts the value of those purchases; :func:`predict_clv` combines them over a horizon, with
margin and discounting; :mod:`segkit.clv.bootstrap` puts an interval around the total.

Time is in the data's unit: **days** for :func:`segkit.data.customer_table`. Horizons are in
days; discount rates are annual and converted with ``periods_per_year`` (default 365.25),
never with a hidden "30 days = 1 month" factor.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from segkit.clv._common import BTYD_COLUMNS, DAYS_PER_YEAR, _check_customers, _check_margin
from segkit.clv._fit import MIN_CUSTOMERS, FitWarning, _check_btyd, _horizon
from segkit.clv._quadrature import _alive_purchases
from segkit.clv.bgnbd import BetaGeoModel, _p_alive
from segkit.clv.gamma_gamma import AverageSpendModel, GammaGammaModel, _check_spend
from segkit.clv.pareto import ParetoNBDModel
from segkit.errors import DataError

__all__ = [
    "CLVModels",
    "fit_models",
    "mean_repeat_spend",
    "new_customer_value",
    "predict_clv",
    "repeat_customers",
]


def _discounted_purchases(
    model: BetaGeoModel | ParetoNBDModel,
    frequency: object,
    recency: object,
    T: object,
    *,
    horizon: float,
    discount_rate: float = 0.0,
    periods_per_year: float = DAYS_PER_YEAR,
    n_steps: int = 12,
) -> np.ndarray:
    """Expected purchases in the next ``horizon`` time units, each discounted to today.

    The horizon is cut into ``n_steps`` equal steps; purchases expected in a step are
    discounted by (1 + discount_rate) ** -(mid-step time / periods_per_year). Without
    discounting this is exactly ``model.expected_purchases(..., t=horizon)``.
    """
    x, t_x, age = _check_btyd(frequency, recency, T, require_integer=False)
    return _purchases_to_horizon(model, x, t_x, age, horizon=horizon, discount_rate=discount_rate,
                                 periods_per_year=periods_per_year, n_steps=n_steps)[1]


def _purchases_to_horizon(model, x: np.ndarray, t_x: np.ndarray, age: np.ndarray, *, horizon, discount_rate,
                          periods_per_year, n_steps) -> tuple[np.ndarray, np.ndarray]:
    """Expected purchases in the next ``horizon`` of checked float arrays: undiscounted and discounted
    (see :func:`_discounted_purchases`)."""
    if horizon <= 0:
        raise DataError(f"horizon must be positive (time units, days for segkit tables); got {horizon}.")
    if discount_rate < 0 or periods_per_year <= 0 or n_steps < 1:
        raise DataError("discount_rate must be >= 0, periods_per_year > 0 and n_steps >= 1.")
    if discount_rate == 0:
        total = _expected_purchases(model, x, t_x, age, horizon)
        return total, total
    grid = np.linspace(0.0, horizon, n_steps + 1)  # grid[-1] == horizon exactly
    # one call for all steps (a row per step): the model shares its per-frequency work between them
    cumulative = _expected_purchases(model, x, t_x, age, grid[1:, None])
    increments = np.diff(np.vstack([np.zeros_like(cumulative[:1]), cumulative]), axis=0)
    factors = (1 + discount_rate) ** -((grid[:-1] + grid[1:]) / 2 / periods_per_year)
    return cumulative[-1], factors @ increments


def _expected_purchases(model, x: np.ndarray, t_x: np.ndarray, age: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    """``model._expected_purchases`` as floats; for BG/NBD with the quadrature once per distinct (x, T) pair.

    BG/NBD's expected purchases are P(alive | x, t_x, T) × the purchases of a customer alive at T,
    which depend on x and T only (see :func:`_bgnbd_draw_totals`): a customer base has far fewer
    (x, T) pairs than customers (20k for 234k customers), and the values are those of
    :meth:`BetaGeoModel.expected_purchases` (the same rule, row for row).
    """
    if not isinstance(model, BetaGeoModel) or np.ndim(x) != 1:
        return np.asarray(model._expected_purchases(x, t_x, age, t), dtype=float)
    params = model._params()
    r, alpha, a, b = params
    pair_x, pair_age, pair = _distinct_pairs(x, age)
    alive = _alive_purchases(r, a, b, pair_x, _horizon(t) / (alpha + pair_age))
    return _p_alive(params, x, t_x, age) * alive[..., pair]


def predict_clv(
    purchase_model: BetaGeoModel | ParetoNBDModel,
    spend_model: GammaGammaModel,
    customers: pd.DataFrame,
    *,
    horizon: float = 365.0,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    periods_per_year: float = DAYS_PER_YEAR,
    n_steps: int = 12,
    fallback_spend: float | None = None,
) -> pd.DataFrame:
    """Per-customer predictions: purchases, P(alive), expected spend and CLV over ``horizon``.

    CLV = margin × E[spend per purchase] × Σ_steps E[purchases in step] / (1 + d)^(t_step / year).

    Parameters
    ----------
    purchase_model : BetaGeoModel or ParetoNBDModel
        Fitted on the same time unit as ``customers`` (days).
    spend_model : GammaGammaModel
        Fitted spend model.
    customers : DataFrame
        ``frequency``, ``recency``, ``T``, ``monetary_value`` per customer.
    horizon : float, default 365
        Prediction horizon in the data's time unit (days).
    margin : float, default 1
        Gross margin as a fraction of revenue.
    discount_rate : float, default 0
        Annual discount rate (0.1 = 10% a year).
    periods_per_year : float, default 365.25
        Time units in a year (365.25 for days, 52.18 for weeks).
    n_steps : int, default 12
        Discounting steps across the horizon.
    fallback_spend : float, optional
        Spend per purchase where the spend model has no finite answer (see Returns); default
        :func:`mean_repeat_spend` of ``customers``.

    Returns
    -------
    DataFrame indexed like ``customers``: ``predicted_purchases`` (undiscounted), ``p_alive``,
    ``expected_spend``, ``clv``. Where the spend model has no finite answer (Gamma-Gamma with
    q <= 1, for customers without repeat purchases) ``expected_spend`` is
    ``fallback_spend``, which the notes of :func:`segkit.clv.clv_analysis` report.
    """
    _check_customers(customers, BTYD_COLUMNS, "predict_clv")
    _check_margin(margin)
    _check_model_inputs(customers, purchase_model, spend_model)
    return _predict_clv(purchase_model, spend_model, customers, horizon=horizon, margin=margin,
                        discount_rate=discount_rate, periods_per_year=periods_per_year, n_steps=n_steps,
                        fallback_spend=fallback_spend)


def _predict_clv(purchase_model, spend_model, customers: pd.DataFrame, *, horizon: float = 365.0,
                 margin: float = 1.0, discount_rate: float = 0.0, periods_per_year: float = DAYS_PER_YEAR,
                 n_steps: int = 12, fallback_spend: float | None = None) -> pd.DataFrame:
    """:func:`predict_clv` without the table and margin checks: for callers that made them already."""
    x, t_x, age, m = (customers[c].to_numpy(dtype=float) for c in BTYD_COLUMNS)
    out = pd.DataFrame(index=customers.index)
    total, purchases = _purchases_to_horizon(purchase_model, x, t_x, age, horizon=horizon,
                                             discount_rate=discount_rate, periods_per_year=periods_per_year,
                                             n_steps=n_steps)
    out["predicted_purchases"] = total
    out["p_alive"] = np.asarray(purchase_model._probability_alive(x, t_x, age), dtype=float)
    out["expected_spend"] = _spend(spend_model, x, m, customers, fallback_spend)
    out["clv"] = margin * out["expected_spend"] * purchases
    return out


def _spend(spend_model, x: np.ndarray, m: np.ndarray, customers: pd.DataFrame,
           fallback_spend: float | None) -> np.ndarray:
    """Expected spend per purchase, with the stand-in of :func:`predict_clv` where the model has no finite answer."""
    spend = np.asarray(spend_model._expected_spend(x, m), dtype=float)
    undefined = np.isnan(spend)  # Gamma-Gamma with q <= 1: no finite mean for customers without repeat purchases
    if undefined.any():
        spend = np.where(undefined, _mean_repeat_spend(customers) if fallback_spend is None else fallback_spend, spend)
    return spend


def _check_model_inputs(customers: pd.DataFrame, *models: object) -> None:
    """The models' own checks (fitted; the BTYD columns, as their public methods make them), once per table."""
    for model in models:
        check_is_fitted(model)
    _check_btyd(customers["frequency"], customers["recency"], customers["T"], require_integer=False)
    _check_spend(customers["frequency"], customers["monetary_value"])


def mean_repeat_spend(customers: pd.DataFrame) -> float:
    """Mean value of a paid repeat purchase, Σ frequency·monetary_value / Σ frequency over :func:`repeat_customers`.

    The stand-in for the spend of customers without repeat purchases when the spend model has
    no finite population mean (Gamma-Gamma with q <= 1); NaN without paid repeat purchases.

    Examples
    --------
    >>> mean_repeat_spend(pd.DataFrame({"frequency": [0, 1, 3], "monetary_value": [0.0, 10.0, 30.0]}))
    25.0
    """
    _check_customers(customers, ["frequency", "monetary_value"], "mean_repeat_spend")
    return _mean_repeat_spend(customers)


def _mean_repeat_spend(customers: pd.DataFrame) -> float:
    """:func:`mean_repeat_spend` without the table check."""
    repeat = _repeat_customers(customers)
    weight = repeat["frequency"].to_numpy(dtype=float)
    return float(weight @ repeat["monetary_value"].to_numpy(dtype=float) / weight.sum()) if weight.sum() else np.nan


class CLVModels(NamedTuple):
    """The fitted pair from :func:`fit_models`: a purchase model and a spend model (unpacks as a pair)."""

    purchase: BetaGeoModel
    spend: GammaGammaModel | AverageSpendModel

    def summary(self) -> pd.DataFrame:
        """Both models' ``summary()`` (estimates, standard errors, 95% intervals) in one table, by model and parameter."""
        spend_name = "average spend" if isinstance(self.spend, AverageSpendModel) else "Gamma-Gamma"
        return pd.concat({"BG/NBD": self.purchase.summary(), spend_name: self.spend.summary()})


def fit_models(customers: pd.DataFrame, *, warn: bool = True) -> CLVModels:
    """Fit BG/NBD on (frequency, recency, T) and a spend model on the repeat customers.

    Gamma-Gamma learns from the customers with repeat purchases of positive mean value
    (:func:`repeat_customers`): free repeat purchases (zero-value lines kept as purchase
    occasions) say nothing about spend. With fewer than ``MIN_CUSTOMERS`` such customers the
    spend model is :class:`AverageSpendModel` (their average, or the mean order value when
    nobody has a paid repeat purchase). :func:`segkit.clv.clv_analysis` says in its notes what happened.

    Parameters
    ----------
    customers : DataFrame
        :func:`segkit.data.customer_table` (time in days).
    warn : bool, default True
        Emit the models' :class:`FitWarning` (their messages are kept in ``fit_warnings_``
        either way; reports set ``warn=False`` and show the analysis notes).

    Returns
    -------
    CLVModels: ``purchase`` (BetaGeoModel) and ``spend`` (GammaGammaModel or AverageSpendModel),
    both fitted; it unpacks as a pair.

    Raises
    ------
    DataError
        BG/NBD cannot be fitted (fewer than ``MIN_CUSTOMERS`` customers, nobody with a repeat
        purchase, or no convergence).
    """
    _check_customers(customers, BTYD_COLUMNS, "fit_models")
    return _fit_models(customers, warn=warn)


def _fit_models(customers: pd.DataFrame, *, warn: bool) -> CLVModels:
    """:func:`fit_models` without the table check."""
    with warnings.catch_warnings():
        if not warn:
            warnings.simplefilter("ignore", FitWarning)
        purchases = BetaGeoModel().fit(customers["frequency"], customers["recency"], customers["T"])
        repeat = _repeat_customers(customers)
        failure = None
        if len(repeat) >= MIN_CUSTOMERS:
            try:
                return CLVModels(purchases, GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"]))
            except DataError as error:  # e.g. no convergence: fall back to the average, and say why
                failure = f"Gamma-Gamma could not be fitted ({error})"
        if len(repeat):
            spend = AverageSpendModel().fit(repeat["frequency"], repeat["monetary_value"])
        else:
            spend = AverageSpendModel.from_params(mean_spend=_mean_order_value(customers))
        if failure:
            spend.fit_warnings_.append(failure)
    return CLVModels(purchases, spend)


def _mean_order_value(customers: pd.DataFrame) -> float:
    if {"revenue", "n_orders"} <= set(customers.columns) and customers["n_orders"].sum() > 0:
        value = float(customers["revenue"].sum() / customers["n_orders"].sum())
        if value > 0:
            return value
    raise DataError("No customer has a repeat purchase with positive value and the table has no positive revenue: "
                    "there is nothing to value purchases with. Check the amount column and the cleaning log.")


def _distinct_pairs(x: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (x, age) pairs (as two arrays) and each row's pair number.

    Examples
    --------
    >>> _distinct_pairs(np.array([1.0, 0.0, 1.0]), np.array([5.0, 9.0, 5.0]))
    (array([0., 1.]), array([9., 5.]), array([1, 0, 1]))
    """
    unique_x, code_x = np.unique(x, return_inverse=True)
    unique_age, code_age = np.unique(age, return_inverse=True)
    pairs, pair = np.unique(code_x * unique_age.size + code_age, return_inverse=True)
    return unique_x[pairs // unique_age.size], unique_age[pairs % unique_age.size], pair


def repeat_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """The rows with repeat purchases and a positive mean repeat spend: what Gamma-Gamma learns from.

    Examples
    --------
    >>> repeat_customers(pd.DataFrame({"frequency": [0, 2, 3], "monetary_value": [0.0, 10.0, 0.0]})).index.tolist()
    [1]
    """
    _check_customers(customers, ["frequency", "monetary_value"], "repeat_customers")
    return _repeat_customers(customers)


def _repeat_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """:func:`repeat_customers` without the table check."""
    return customers[(customers["frequency"] > 0) & (customers["monetary_value"] > 0)]


def new_customer_value(purchase_model: BetaGeoModel, spend_model: GammaGammaModel | AverageSpendModel, *,
                       horizon: float, margin: float, customers: pd.DataFrame | None = None) -> pd.Series:
    """Expected repeat purchases of a new customer in ``horizon`` and the margin of first plus repeat orders.

    Undiscounted: margin × mean order value of a new customer × (1 + expected repeat purchases).
    When the spend model's mean is infinite (Gamma-Gamma with q <= 1) the order value is
    :func:`mean_repeat_spend` of ``customers`` (NaN without them), as in :func:`predict_clv`.
    """
    _check_margin(margin)
    if customers is not None:
        _check_customers(customers, ["frequency", "monetary_value"], "new_customer_value")
    return _new_customer_value(purchase_model, spend_model, horizon=horizon, margin=margin, customers=customers)


def _new_customer_value(purchase_model, spend_model, *, horizon: float, margin: float,
                        customers: pd.DataFrame | None) -> pd.Series:
    """:func:`new_customer_value` without the input checks."""
    repeat = purchase_model.expected_purchases_new_customer(horizon)
    spend = spend_model.population_mean_spend()
    if not np.isfinite(spend):
        spend = _mean_repeat_spend(customers) if customers is not None else np.nan
    return pd.Series({"repeat_purchases": repeat, "value": margin * spend * (1 + repeat)})
