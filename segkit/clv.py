"""Customer lifetime value: what each customer is worth, how sure we are, who is slipping away.

Two approaches, from simple to model-based:

* **Historical CLV** (:func:`historical_clv`): average order value × orders per year × margin
  × expected lifetime in years, the lifetime coming from the churn rate observed in the data
  (lifetime = 1 / churn, or (1 + d) / (d + churn) with an annual discount rate d). Plus the
  customer pyramid (:func:`pyramid_tiers`: top 1%, next 4%, next 15%, rest).
* **Probabilistic CLV**: the BG/NBD model (:class:`BetaGeoModel`) predicts purchases and the
  probability that a customer is still active; the Gamma-Gamma model
  (:class:`GammaGammaModel`) predicts the value of those purchases;
  :func:`predict_clv` combines them over a horizon, with margin and discounting, and
  :func:`bootstrap_total_clv` puts an interval around the total.

Time is in the data's unit: **days** for :func:`segkit.data.customer_table`. Horizons are in
days; discount rates are annual and converted with ``periods_per_year`` (default 365.25),
never with a hidden "30 days = 1 month" factor.

The report helpers (:func:`historical_clv_report`, :func:`holdout_validation`,
:func:`compare_with_pareto`, :func:`bootstrap_total_clv`, :func:`fit_notes`, ...) do not stop
on thin data: a history too short for the holdout or for the churn window, parameters the
data cannot pin down, too few paid repeat purchases. They return what can be computed and a
sentence that says what could not, and why.
"""

from __future__ import annotations

import copy
import functools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from segkit.clv_models import (
    MIN_CUSTOMERS,
    AverageSpendModel,
    BetaGeoModel,
    FitWarning,
    GammaGammaModel,
    ParetoNBDModel,
    bgnbd_log_likelihood,
    check_btyd,
    gamma_gamma_log_likelihood,
    pareto_nbd_log_likelihood,
)
from segkit.clv_simulate import simulate_bgnbd, simulate_gamma_gamma
from segkit.data import calibration_holdout, check_customer_table
from segkit.errors import DataError

__all__ = [
    "DAYS_PER_YEAR",
    "AverageSpendModel",
    "BetaGeoModel",
    "FitWarning",
    "GammaGammaModel",
    "HoldoutValidation",
    "ParetoNBDModel",
    "bgnbd_log_likelihood",
    "bootstrap_total_clv",
    "check_btyd",
    "compare_models",
    "compare_on_holdout",
    "compare_with_pareto",
    "correlation_note",
    "crm_export",
    "discounted_purchases",
    "expected_purchases_matrix",
    "fit_models",
    "fit_notes",
    "gamma_gamma_log_likelihood",
    "headline",
    "historical_clv",
    "historical_clv_report",
    "historical_vs_predicted",
    "holdout_by_frequency",
    "holdout_errors",
    "holdout_validation",
    "interval_note",
    "mean_repeat_spend",
    "naive_holdout_forecast",
    "new_customer_value",
    "observed_churn_rate",
    "parameter_summary",
    "pareto_nbd_log_likelihood",
    "population_note",
    "predict_clv",
    "probability_alive_matrix",
    "purchase_tracking",
    "pyramid_tiers",
    "recommendations",
    "repeat_customers",
    "segment_value",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
    "spend_frequency_correlation",
    "tier_profile",
    "tier_summary",
    "truth_check",
    "value_tiers",
    "win_back_list",
    "win_back_note",
]

#: Days in a year, used to turn annual rates into daily ones (and back).
DAYS_PER_YEAR: float = 365.25

#: The customer pyramid: share of customers in each tier, from the top.
PYRAMID_SHARES: dict[str, float] = {"top 1%": 0.01, "next 4%": 0.04, "next 15%": 0.15, "rest": 0.80}


#: The buy-till-you-die columns of a customer table that the CLV models read.
BTYD_COLUMNS: tuple[str, ...] = ("frequency", "recency", "T", "monetary_value")


def _check_margin(margin: float) -> None:
    if not 0 < margin <= 1:
        raise DataError(f"margin is a fraction of revenue in (0, 1]; got {margin}. For 35% pass 0.35.")


def _check_discount_rate(discount_rate: float) -> None:
    if discount_rate < 0:
        raise DataError(f"discount_rate must be >= 0 (annual, e.g. 0.1 for 10%); got {discount_rate}.")


def _check_customers(customers: pd.DataFrame, columns: list[str] | tuple[str, ...], where: str) -> None:
    check_customer_table(customers, list(columns),
                         fix=f"{where} reads them: build the table with segkit.data.customer_table(clean)")


def _require(frame: pd.DataFrame, columns: list[str] | tuple[str, ...], where: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise DataError(f"{where} needs column(s) {missing}; got {list(frame.columns)}. "
                        "Build the table with segkit.data.customer_table (or calibration_holdout).")


# --------------------------------------------------------------------------------------------
# Historical CLV and the customer pyramid
# --------------------------------------------------------------------------------------------


def observed_churn_rate(customers: pd.DataFrame, *, window_days: int = 365) -> float:
    """Share of customers who were already customers ``window_days`` ago and have not bought since.

    With the default window this is an observed annual churn rate: of everyone whose first
    purchase is at least a year before the snapshot, the share with no purchase in the last
    year.

    Raises
    ------
    DataError
        Missing columns, or no customer old enough (the data cover less than the window).

    Examples
    --------
    >>> table = pd.DataFrame({"tenure_days": [400, 500, 600, 30], "days_since_last_purchase": [10, 380, 20, 5]})
    >>> observed_churn_rate(table)
    0.3333333333333333
    """
    _check_customers(customers, ["tenure_days", "days_since_last_purchase"], "observed_churn_rate")
    if window_days <= 0:
        raise DataError(f"window_days must be positive, got {window_days}.")
    old = customers["tenure_days"] >= window_days
    if not old.any():
        raise DataError(
            f"No customer is {window_days} days old (the longest tenure is {customers['tenure_days'].max()} days), "
            "so churn over that window cannot be observed. Use a shorter window_days, or pass churn_rate."
        )
    return float((customers.loc[old, "days_since_last_purchase"] >= window_days).mean())


def historical_clv(
    customers: pd.DataFrame,
    *,
    margin: float = 1.0,
    churn_rate: float | None = None,
    window_days: int = 365,
    discount_rate: float = 0.0,
) -> pd.DataFrame:
    """Textbook CLV from past behaviour: AOV × orders per year × margin × expected lifetime (years).

    * ``orders_per_year`` = n_orders / max(tenure_days, window_days) × 365.25, so a customer
      seen for a week is not annualised from a single order;
    * ``lifetime_years`` = 1 / churn without discounting, (1 + d) / (d + churn) with an annual
      discount rate d (the sum of retention^k / (1 + d)^k over years k = 0, 1, 2, ...);
    * the churn rate is :func:`observed_churn_rate` unless given.

    Parameters
    ----------
    customers : DataFrame
        :func:`segkit.data.customer_table` (needs ``avg_order_value``, ``n_orders``,
        ``tenure_days``, ``days_since_last_purchase``).
    margin : float, default 1.0
        Gross margin as a fraction of revenue (1.0 = value in revenue).
    churn_rate : float, optional
        Annual churn rate in (0, 1]; default observed from the data.
    window_days : int, default 365
        Churn observation window and the minimum annualisation period.
    discount_rate : float, default 0
        Annual discount rate.

    Returns
    -------
    DataFrame indexed like ``customers``: ``avg_order_value``, ``orders_per_year``,
    ``annual_value``, ``lifetime_years``, ``historical_clv``; the churn rate used is in
    ``.attrs["churn_rate"]``.

    Examples
    --------
    >>> table = pd.DataFrame({"avg_order_value": [50.0, 20.0], "n_orders": [4, 1],
    ...                       "tenure_days": [730, 100], "days_since_last_purchase": [10, 90]})
    >>> historical_clv(table, margin=0.5, churn_rate=0.25)["historical_clv"].round(2).tolist()
    [200.14, 40.03]
    """
    _check_customers(customers, ["avg_order_value", "n_orders", "tenure_days", "days_since_last_purchase"],
                     "historical_clv")
    _check_margin(margin)
    _check_discount_rate(discount_rate)
    churn = observed_churn_rate(customers, window_days=window_days) if churn_rate is None else float(churn_rate)
    if not 0 < churn <= 1:
        raise DataError(
            f"The churn rate must be in (0, 1]; got {churn}. A churn of 0 means an infinite lifetime: "
            "pass churn_rate explicitly or use a longer window_days."
        )
    years = np.maximum(customers["tenure_days"], window_days) / DAYS_PER_YEAR
    out = pd.DataFrame(index=customers.index)
    out["avg_order_value"] = customers["avg_order_value"].astype(float)
    out["orders_per_year"] = customers["n_orders"] / years
    out["annual_value"] = out["avg_order_value"] * out["orders_per_year"] * margin
    out["lifetime_years"] = (1 + discount_rate) / (discount_rate + churn)
    out["historical_clv"] = out["annual_value"] * out["lifetime_years"]
    out.attrs["churn_rate"] = churn
    return out


def historical_clv_report(
    customers: pd.DataFrame,
    *,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    window_days: int = 365,
) -> tuple[pd.DataFrame | None, str]:
    """:func:`historical_clv` with a sentence on the churn it used, or None and why it cannot be computed.

    The formula needs a churn rate observed over ``window_days``: data in which no customer is
    that old, or in which nobody that old has lapsed (churn 0, an infinite lifetime), give
    ``None`` and a sentence saying so, instead of an error.

    Returns
    -------
    (DataFrame or None, str)

    Examples
    --------
    >>> young = pd.DataFrame({"avg_order_value": [10.0], "n_orders": [2], "tenure_days": [90],
    ...                       "days_since_last_purchase": [5]})
    >>> historical_clv_report(young)[1].split(":**")[0]
    '**Not enough history for the historical CLV'
    """
    _check_customers(customers, ["avg_order_value", "n_orders", "tenure_days", "days_since_last_purchase"],
                     "historical_clv_report")
    _check_margin(margin)
    _check_discount_rate(discount_rate)
    period = "a year" if window_days == 365 else f"{window_days} days"
    if not (customers["tenure_days"] >= window_days).any():
        return None, (f"**Not enough history for the historical CLV:** it needs the churn observed over {window_days} "
                      f"days, and the oldest customer is {customers['tenure_days'].max():,} days old. "
                      "The models below do not need it.")
    churn = observed_churn_rate(customers, window_days=window_days)
    if churn == 0:
        return None, (f"**No historical CLV:** none of the customers of {period} ago has lapsed since, so the observed "
                      "churn is 0 and the formula's expected lifetime infinite. The models below do not need it.")
    history = historical_clv(customers, margin=margin, churn_rate=churn, window_days=window_days,
                             discount_rate=discount_rate)
    return history, (f"Observed churn: **{churn:.1%}** of the customers of {period} ago have not bought since, so the "
                     f"expected lifetime is {history['lifetime_years'].iloc[0]:.2f} years in today's money "
                     f"(discounted at {discount_rate:.0%} a year).")


def _rank_tiers(values: pd.Series, shares: dict[str, float]) -> pd.Series:
    """Label customers by rank (largest value first; ties broken by index) with the tier shares."""
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    if values.isna().any():
        raise DataError(f"{int(values.isna().sum())} value(s) are missing: fill or drop them before tiering.")
    if len(values) == 0:
        raise DataError("No customers to put into tiers.")
    order = pd.DataFrame({"v": values.to_numpy(), "i": np.arange(len(values))}).sort_values(
        ["v", "i"], ascending=[False, True], kind="stable")
    rank_share = np.empty(len(values))
    rank_share[order["i"].to_numpy()] = np.arange(len(values)) / len(values)
    bounds = np.cumsum(list(shares.values()))
    codes = np.searchsorted(bounds, rank_share + 1e-12, side="left").clip(0, len(shares) - 1)
    labels = pd.Categorical.from_codes(codes, categories=list(shares), ordered=True)
    return pd.Series(labels, index=values.index, name="tier")


def pyramid_tiers(values: pd.Series, *, shares: dict[str, float] | None = None) -> pd.Series:
    """The customer pyramid: "top 1%", "next 4%", "next 15%", "rest" by value, largest first.

    Examples
    --------
    >>> tiers = pyramid_tiers(pd.Series(np.arange(100.0)))
    >>> tiers.value_counts(sort=False).tolist()
    [1, 4, 15, 80]
    """
    return _rank_tiers(values, shares or PYRAMID_SHARES)


def value_tiers(values: pd.Series, *, top: float = 0.2, bottom: float = 0.2) -> pd.Series:
    """Three value tiers: "top 20%", "middle 60%", "bottom 20%" (shares adjustable).

    Examples
    --------
    >>> value_tiers(pd.Series([5.0, 1.0, 3.0, 2.0, 4.0])).tolist()
    ['top 20%', 'bottom 20%', 'middle 60%', 'middle 60%', 'middle 60%']
    """
    if not (0 < top < 1 and 0 < bottom < 1 and top + bottom < 1):
        raise DataError(f"top and bottom are shares in (0, 1) summing to less than 1; got {top}, {bottom}.")
    middle = 1 - top - bottom
    shares = {f"top {top:.0%}": top, f"middle {middle:.0%}": middle, f"bottom {bottom:.0%}": bottom}
    return _rank_tiers(values, shares)


def tier_summary(values: pd.Series, tiers: pd.Series) -> pd.DataFrame:
    """Customers, value and their shares per tier (or any segment label).

    Examples
    --------
    >>> values = pd.Series([10.0, 5.0, 5.0])
    >>> tier_summary(values, pd.Series(["a", "b", "b"]))["value_share"].tolist()
    [0.5, 0.5]
    """
    labels = tiers.array if isinstance(tiers, pd.Series) else np.asarray(tiers)  # keep a category order
    frame = pd.DataFrame({"value": np.asarray(values, dtype=float), "tier": labels})
    out = frame.groupby("tier", observed=True, sort=True)["value"].agg(customers="size", value="sum", mean_value="mean")
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["value_share"] = out["value"] / out["value"].sum()
    return out[["customers", "customer_share", "value", "value_share", "mean_value"]]


# --------------------------------------------------------------------------------------------
# Probabilistic CLV
# --------------------------------------------------------------------------------------------


def discounted_purchases(
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
    return _purchases_to_horizon(model, frequency, recency, T, horizon=horizon, discount_rate=discount_rate,
                                 periods_per_year=periods_per_year, n_steps=n_steps)[1]


def _purchases_to_horizon(model, frequency, recency, T, *, horizon, discount_rate, periods_per_year,
                          n_steps) -> tuple[np.ndarray, np.ndarray]:
    """Expected purchases in the next ``horizon``: undiscounted and discounted (see :func:`discounted_purchases`)."""
    if horizon <= 0:
        raise DataError(f"horizon must be positive (time units, days for segkit tables); got {horizon}.")
    if discount_rate < 0 or periods_per_year <= 0 or n_steps < 1:
        raise DataError("discount_rate must be >= 0, periods_per_year > 0 and n_steps >= 1.")
    x, t_x, age = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    if discount_rate == 0:
        total = np.asarray(model.expected_purchases(x, t_x, age, t=horizon), dtype=float)
        return total, total
    grid = np.linspace(0.0, horizon, n_steps + 1)  # grid[-1] == horizon exactly
    # one call for all steps (a row per step): the model shares its per-frequency work between them
    cumulative = np.asarray(model.expected_purchases(x, t_x, age, t=grid[1:, None]), dtype=float)
    increments = np.diff(np.vstack([np.zeros_like(cumulative[:1]), cumulative]), axis=0)
    factors = (1 + discount_rate) ** -((grid[:-1] + grid[1:]) / 2 / periods_per_year)
    return cumulative[-1], factors @ increments


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
    ``fallback_spend``, which :func:`fit_notes` reports.
    """
    _check_customers(customers, BTYD_COLUMNS, "predict_clv")
    _check_margin(margin)
    x, t_x, age = (customers[c] for c in ("frequency", "recency", "T"))
    out = pd.DataFrame(index=customers.index)
    total, purchases = _purchases_to_horizon(purchase_model, x, t_x, age, horizon=horizon,
                                             discount_rate=discount_rate, periods_per_year=periods_per_year,
                                             n_steps=n_steps)
    out["predicted_purchases"] = total
    out["p_alive"] = np.asarray(purchase_model.probability_alive(x, t_x, age), dtype=float)
    spend = np.asarray(spend_model.expected_spend(x, customers["monetary_value"]), dtype=float)
    undefined = np.isnan(spend)  # Gamma-Gamma with q <= 1: no finite mean for customers without repeat purchases
    if undefined.any():
        spend = np.where(undefined, mean_repeat_spend(customers) if fallback_spend is None else fallback_spend, spend)
    out["expected_spend"] = spend
    out["clv"] = margin * out["expected_spend"] * purchases
    return out


def mean_repeat_spend(customers: pd.DataFrame) -> float:
    """Mean value of a paid repeat purchase, Σ frequency·monetary_value / Σ frequency over :func:`repeat_customers`.

    The stand-in for the spend of customers without repeat purchases when the spend model has
    no finite population mean (Gamma-Gamma with q <= 1); NaN without paid repeat purchases.

    Examples
    --------
    >>> mean_repeat_spend(pd.DataFrame({"frequency": [0, 1, 3], "monetary_value": [0.0, 10.0, 30.0]}))
    25.0
    """
    repeat = repeat_customers(customers)
    weight = repeat["frequency"].to_numpy(dtype=float)
    return float(weight @ repeat["monetary_value"].to_numpy(dtype=float) / weight.sum()) if weight.sum() else np.nan


def fit_models(customers: pd.DataFrame, *,
               warn: bool = True) -> tuple[BetaGeoModel, GammaGammaModel | AverageSpendModel]:
    """Fit BG/NBD on (frequency, recency, T) and a spend model on the repeat customers.

    Gamma-Gamma learns from the customers with repeat purchases of positive mean value
    (:func:`repeat_customers`): free repeat purchases (zero-value lines kept as purchase
    occasions) say nothing about spend. With fewer than ``MIN_CUSTOMERS`` such customers the
    spend model is :class:`AverageSpendModel` (their average, or the mean order value when
    nobody has a paid repeat purchase). :func:`fit_notes` turns what happened into a sentence.

    Parameters
    ----------
    customers : DataFrame
        :func:`segkit.data.customer_table` (time in days).
    warn : bool, default True
        Emit the models' :class:`FitWarning` (their messages are kept in ``fit_warnings_``
        either way; reports set ``warn=False`` and print :func:`fit_notes`).

    Returns
    -------
    (BetaGeoModel, GammaGammaModel or AverageSpendModel), both fitted.

    Raises
    ------
    DataError
        BG/NBD cannot be fitted (fewer than ``MIN_CUSTOMERS`` customers, nobody with a repeat
        purchase, or no convergence).
    """
    _check_customers(customers, BTYD_COLUMNS, "fit_models")
    with warnings.catch_warnings():
        if not warn:
            warnings.simplefilter("ignore", FitWarning)
        purchases = BetaGeoModel().fit(customers["frequency"], customers["recency"], customers["T"])
        repeat = repeat_customers(customers)
        failure = None
        if len(repeat) >= MIN_CUSTOMERS:
            try:
                return purchases, GammaGammaModel().fit(repeat["frequency"], repeat["monetary_value"])
            except DataError as error:  # e.g. no convergence: fall back to the average, and say why
                failure = f"Gamma-Gamma could not be fitted ({error})"
        if len(repeat):
            spend = AverageSpendModel().fit(repeat["frequency"], repeat["monetary_value"])
        else:
            spend = AverageSpendModel.from_params(mean_spend=_mean_order_value(customers))
        if failure:
            spend.fit_warnings_.append(failure)
    return purchases, spend


def _mean_order_value(customers: pd.DataFrame) -> float:
    if {"revenue", "n_orders"} <= set(customers.columns) and customers["n_orders"].sum() > 0:
        value = float(customers["revenue"].sum() / customers["n_orders"].sum())
        if value > 0:
            return value
    raise DataError("No customer has a repeat purchase with positive value and the table has no positive revenue: "
                    "there is nothing to value purchases with. Check the amount column and the cleaning log.")


def fit_notes(purchase_model: BetaGeoModel, spend_model: GammaGammaModel | AverageSpendModel,
              customers: pd.DataFrame) -> str:
    """What the reader should know about the fits, as sentences: unidentified parameters, heavy-tailed
    spend, the plain-average fallback; or that both fits are well determined.

    Examples
    --------
    >>> bg = BetaGeoModel.from_params(r=0.5, alpha=20.0, a=0.8, b=3.0)
    >>> gg = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)
    >>> fit_notes(bg, gg, pd.DataFrame({"frequency": [1], "monetary_value": [10.0]}))
    'Both models are fitted and every parameter is determined by the data (standard errors below).'
    """
    notes = []
    for model, what in ((purchase_model, "purchase"), (spend_model, "spend")):
        if getattr(model, "unidentified_", ()):
            names = model.unidentified_
            notes.append(f"**The data cannot pin down {', '.join(names)} of the {what} model ({model._model_name}):** "
                         + ("its standard error is" if len(names) == 1 else "their standard errors are")
                         + " not available and neither is the interval for total CLV; the point predictions remain "
                         "usable.")
    if isinstance(spend_model, AverageSpendModel):
        repeat = repeat_customers(customers)
        why = (f"{spend_model.fit_warnings_[0]}." if spend_model.fit_warnings_ else
               f"only {len(repeat):,} customers made a repeat purchase with positive value, and Gamma-Gamma needs at "
               f"least {MIN_CUSTOMERS}.")
        notes.append(f"**Spend is a plain average ({spend_model.population_mean_spend():,.2f} per purchase):** {why} "
                     "Every customer gets the same spend per purchase, and CLV gets no interval.")
    elif not np.isfinite(spend_model.population_mean_spend()):
        notes.append(f"**Spend is very heavy-tailed** (Gamma-Gamma q = {spend_model.params_['q']:.2f} <= 1), so the "
                     "model's mean spend of a customer without repeat purchases is infinite; those customers are "
                     f"valued at the mean value of a paid repeat purchase, {mean_repeat_spend(customers):,.2f}. Check "
                     "the largest orders for outliers.")
    return " ".join(notes) or ("Both models are fitted and every parameter is determined by the data "
                               "(standard errors below).")


def _with_params(model: object, params: pd.Series) -> object:
    clone = copy.copy(model)
    clone.params_ = params
    return clone


def bootstrap_total_clv(
    purchase_model: BetaGeoModel | ParetoNBDModel,
    spend_model: GammaGammaModel | AverageSpendModel,
    customers: pd.DataFrame,
    *,
    n_draws: int = 200,
    level: float = 0.9,
    random_state: int | np.random.Generator | None = None,
    **clv_options: float | None,
) -> pd.Series:
    """Parametric-bootstrap interval for the total predicted CLV of ``customers``.

    Parameter sets are drawn from the asymptotic normal distribution of each model's
    log-parameters (their covariance from the observed information), the total CLV is
    recomputed for each draw, and the interval is the central ``level`` share of the draws.
    This is the uncertainty from estimating the parameters; the customers themselves are
    held fixed. Options in ``clv_options`` go to :func:`predict_clv`.

    When a model has no parameter covariance (a parameter the data cannot pin down, a model
    given by :meth:`~BetaGeoModel.from_params`, or :class:`AverageSpendModel`), there is
    nothing to draw: the result has the estimate, NaN bounds, ``n_draws`` 0, and the reason
    in ``.attrs["reason"]`` (None when the interval was computed).

    Returns
    -------
    Series: ``estimate`` (at the fitted parameters), ``lower``, ``upper``, ``level``,
    ``n_draws``; the draws are in ``.attrs["draws"]``.
    """
    if n_draws < 10 or not 0 < level < 1:
        raise DataError(f"Use n_draws >= 10 and 0 < level < 1; got {n_draws} and {level}.")
    _check_customers(customers, BTYD_COLUMNS, "bootstrap_total_clv")
    # identical (frequency, recency, T, monetary_value) rows give identical CLV: predict each once
    unique = customers[list(BTYD_COLUMNS)].value_counts(sort=False).rename("n").reset_index()
    # the spend stand-in of predict_clv comes from all customers, not from the unique rows
    clv_options = {"fallback_spend": mean_repeat_spend(customers), **clv_options}
    estimate = float(predict_clv(purchase_model, spend_model, unique, **clv_options)["clv"] @ unique["n"])
    reasons = [r for r in (_no_covariance(purchase_model, "purchase"), _no_covariance(spend_model, "spend")) if r]
    reason = "; and ".join(reasons) or None
    totals = np.empty(0)
    if reason is None:
        rng = np.random.default_rng(random_state)
        purchase_draws = purchase_model.sample_params(n_draws, random_state=rng)
        spend_draws = spend_model.sample_params(n_draws, random_state=rng)
        totals = np.array([
            predict_clv(_with_params(purchase_model, purchase_draws.iloc[i]),
                        _with_params(spend_model, spend_draws.iloc[i]), unique, **clv_options)["clv"].to_numpy()
            @ unique["n"].to_numpy()
            for i in range(n_draws)])
    lower, upper = np.quantile(totals, [(1 - level) / 2, (1 + level) / 2]) if totals.size else (np.nan, np.nan)
    out = pd.Series({"estimate": estimate, "lower": lower, "upper": upper, "level": level,
                     "n_draws": float(totals.size)})
    out.attrs = {"draws": totals, "reason": reason}
    return out


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


def compare_models(models: dict[str, object]) -> pd.DataFrame:
    """Log-likelihood, number of parameters and AIC of fitted models (lower AIC is better).

    The models must have been fitted to the same customers, in the same time unit.
    """
    rows = {name: {"log_likelihood": m.log_likelihood_, "n_params": len(m.params_), "aic": m.aic_}
            for name, m in models.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["delta_aic"] = table["aic"] - table["aic"].min()
    return table.sort_values("aic")


def compare_with_pareto(customers: pd.DataFrame, purchase_model: BetaGeoModel) -> tuple[pd.DataFrame | None, str]:
    """Fit Pareto/NBD to the same customers and compare it with ``purchase_model`` by AIC.

    Returns
    -------
    (table or None, sentence): :func:`compare_models` of the two and which fits better, or None
    and the reason when Pareto/NBD cannot be fitted (too few customers, no convergence).
    """
    _check_customers(customers, ["frequency", "recency", "T"], "compare_with_pareto")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            pareto = ParetoNBDModel().fit(customers["frequency"], customers["recency"], customers["T"])
    except DataError as error:
        return None, f"**Pareto/NBD could not be fitted to these customers**, so there is no comparison: {error}"
    table = compare_models({"BG/NBD": purchase_model, "Pareto/NBD": pareto})
    return table, (f"**{table.index[0]}** fits these customers better (AIC lower by "
                   f"{table['delta_aic'].iloc[1]:,.1f}); the rest of the notebook uses BG/NBD.")


def parameter_summary(purchase_model: BetaGeoModel, spend_model: GammaGammaModel | AverageSpendModel) -> pd.DataFrame:
    """Both models' ``summary()`` (estimates, standard errors, 95% intervals) in one table, by model and parameter."""
    spend_name = "average spend" if isinstance(spend_model, AverageSpendModel) else "Gamma-Gamma"
    return pd.concat({"BG/NBD": purchase_model.summary(), spend_name: spend_model.summary()})


# --------------------------------------------------------------------------------------------
# Diagnostics and validation
# --------------------------------------------------------------------------------------------


def repeat_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """The rows with repeat purchases and a positive mean repeat spend: what Gamma-Gamma learns from.

    Examples
    --------
    >>> repeat_customers(pd.DataFrame({"frequency": [0, 2, 3], "monetary_value": [0.0, 10.0, 0.0]})).index.tolist()
    [1]
    """
    _check_customers(customers, ["frequency", "monetary_value"], "repeat_customers")
    return customers[(customers["frequency"] > 0) & (customers["monetary_value"] > 0)]


def spend_frequency_correlation(customers: pd.DataFrame) -> pd.Series:
    """Correlation of ``frequency`` and ``monetary_value`` among repeat customers.

    Gamma-Gamma assumes spend per purchase is independent of how often a customer buys;
    a correlation near 0 (say |ρ| < 0.3) supports the assumption.

    Returns
    -------
    Series: ``pearson``, ``spearman``, ``n_customers``; the correlations are NaN with fewer than
    three repeat customers, or when frequency or spend does not vary.
    """
    _check_customers(customers, ["frequency", "monetary_value"], "spend_frequency_correlation")
    repeat = repeat_customers(customers)
    f, m = repeat["frequency"].astype(float), repeat["monetary_value"].astype(float)
    enough = len(repeat) >= 3 and f.nunique() > 1 and m.nunique() > 1
    return pd.Series({"pearson": f.corr(m) if enough else np.nan,
                      "spearman": f.corr(m, method="spearman") if enough else np.nan,
                      "n_customers": float(len(repeat))})


def holdout_by_frequency(cal_hold: pd.DataFrame, predicted: pd.Series | np.ndarray, *,
                         max_frequency: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases, by calibration frequency (last bucket "N+").

    Parameters
    ----------
    cal_hold : DataFrame
        :func:`segkit.data.calibration_holdout` output.
    predicted : array-like
        Predicted holdout purchases per row of ``cal_hold`` (e.g.
        ``model.expected_purchases(..._cal, t=cal_hold["duration_holdout"])``).
    max_frequency : int, default 7
        Frequencies at or above this share one bucket.
    """
    _require(cal_hold, ["frequency_cal", "frequency_holdout"], "holdout_by_frequency")
    bucket = np.minimum(cal_hold["frequency_cal"].to_numpy(), max_frequency).astype(int)
    labels = [str(i) for i in range(max_frequency)] + [f"{max_frequency}+"]
    frame = pd.DataFrame({
        "frequency_cal": pd.Categorical.from_codes(bucket, categories=labels, ordered=True),
        "actual": cal_hold["frequency_holdout"].to_numpy(dtype=float),
        "predicted": np.asarray(predicted, dtype=float),
    })
    return frame.groupby("frequency_cal", observed=True).agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"))


def holdout_errors(actual: object, predicted: object) -> pd.Series:
    """Error figures for holdout predictions: totals, total error, MAE, RMSE and correlation.

    Examples
    --------
    >>> holdout_errors([0, 2, 4], [1, 2, 3])[["total_actual", "total_predicted", "mae"]].tolist()
    [6.0, 6.0, 0.6666666666666666]
    """
    a, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    if a.shape != p.shape or a.size == 0:
        raise DataError(f"actual and predicted must have the same, non-zero length; got {a.size} and {p.size}.")
    error = p - a
    return pd.Series({
        "customers": float(a.size),
        "total_actual": a.sum(),
        "total_predicted": p.sum(),
        "total_error_pct": 100 * (p.sum() - a.sum()) / a.sum() if a.sum() else np.nan,
        "mae": np.abs(error).mean(),
        "rmse": np.sqrt((error ** 2).mean()),
        "correlation": np.corrcoef(a, p)[0, 1] if a.std() > 0 and p.std() > 0 else np.nan,
    })


def purchase_tracking(
    model: BetaGeoModel | ParetoNBDModel,
    clean: pd.DataFrame,
    *,
    calibration_end: str | pd.Timestamp,
    holdout_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Daily and cumulative repeat purchases, actual vs expected, for the calibration customers.

    Same conventions as :func:`segkit.data.calibration_holdout`: ``calibration_end`` is the last
    day of calibration and ``holdout_end`` the last day tracked (default: the day of the last
    transaction), both included. The customers are those whose first purchase is on or before
    ``calibration_end``; a repeat purchase is a purchase day after the customer's first. A
    customer who first bought on day f is of age τ - f on day τ (so of age T_cal on the last
    calibration day), and the expected cumulative count on day τ sums the expected repeat
    purchases of a new customer of that age, Σ_i E[X(τ - f_i)], which the model gives in
    closed form.

    Returns
    -------
    DataFrame indexed by ``date``: ``actual``, ``expected``, ``cumulative_actual``,
    ``cumulative_expected``; ``.attrs["calibration_end"]``.
    """
    _require(clean, ["customer_id", "order_date", "quantity"], "purchase_tracking")
    last_cal = pd.Timestamp(calibration_end).normalize()
    last = (clean["order_date"].max().normalize() if holdout_end in (None, "")
            else pd.Timestamp(holdout_end).normalize())
    if last <= last_cal:
        raise DataError(f"holdout_end {last.date()} must be after calibration_end {last_cal.date()}.")
    buys = clean[(clean["quantity"] > 0) & (clean["order_date"] < last + pd.Timedelta(days=1))]
    days = pd.DataFrame({"customer_id": buys["customer_id"].to_numpy(),
                         "day": buys["order_date"].dt.normalize().to_numpy()}).drop_duplicates()
    first_day = days.groupby("customer_id")["day"].min()
    first_day = first_day[first_day <= last_cal]
    if first_day.empty:
        raise DataError(f"No customer bought on or before calibration_end {last_cal.date()}: choose a later date.")
    days = days[days["customer_id"].isin(first_day.index)]
    origin = first_day.min()
    n_days = int((last - origin).days) + 1
    is_repeat = days["day"].to_numpy() > days["customer_id"].map(first_day).to_numpy()
    repeat_day = (days["day"] - origin).dt.days.to_numpy()[is_repeat]
    actual = np.bincount(repeat_day, minlength=n_days)[:n_days].astype(float)
    cohort = np.bincount((first_day - origin).dt.days.to_numpy(), minlength=n_days)[:n_days].astype(float)
    curve = np.asarray(model.expected_purchases_new_customer(np.arange(n_days, dtype=float)))  # ages 0, 1, ...
    cumulative_expected = np.convolve(cohort, curve)[:n_days]
    dates = pd.date_range(origin, periods=n_days, freq="D", name="date")
    out = pd.DataFrame({"actual": actual, "expected": np.diff(cumulative_expected, prepend=0.0),
                        "cumulative_actual": actual.cumsum(), "cumulative_expected": cumulative_expected},
                       index=dates)
    out.attrs["calibration_end"] = last_cal
    return out


@dataclass
class HoldoutValidation:
    """What :func:`holdout_validation` found. The tables and the model are None when it was skipped;
    ``summary`` always says what happened, with numbers."""

    summary: str
    calibration_end: pd.Timestamp | None = None
    holdout_end: pd.Timestamp | None = None
    cal_hold: pd.DataFrame | None = None
    model: BetaGeoModel | None = None
    predicted: pd.Series | None = None
    by_frequency: pd.DataFrame | None = None
    errors: pd.Series | None = None
    naive: pd.Series | None = None
    tracking: pd.DataFrame | None = None

    @property
    def done(self) -> bool:
        """Whether the model was fitted on the calibration period and checked on the holdout."""
        return self.model is not None


def holdout_validation(clean: pd.DataFrame, *, snapshot_date: str | pd.Timestamp,
                       holdout_days: int) -> HoldoutValidation:
    """Fit BG/NBD on all but the last ``holdout_days`` days before ``snapshot_date`` and check it on them.

    ``snapshot_date`` is exclusive, as in :func:`segkit.data.customer_table` (the day after the
    data): the holdout is the ``holdout_days`` days before it, and calibration everything up to
    the day before the holdout (:func:`segkit.data.calibration_holdout`, whose dates are the
    last days of their periods). The result holds the calibration table, the model, its
    predictions, :func:`holdout_by_frequency`, :func:`holdout_errors` of the model and of
    :func:`naive_holdout_forecast`, :func:`purchase_tracking`, and a summary sentence.

    Validation is skipped, with the reason in ``summary`` and no error, when ``holdout_days``
    is 0, when the data do not reach back before the holdout (history too short), or when the
    model cannot be fitted on the calibration period.
    """
    snapshot = pd.Timestamp(snapshot_date).normalize()
    if holdout_days <= 0:
        return HoldoutValidation("holdout_days is 0: the holdout validation is skipped.")
    holdout_end = snapshot - pd.Timedelta(days=1)
    calibration_end = holdout_end - pd.Timedelta(days=int(holdout_days))
    first = clean["order_date"].min().normalize()
    if calibration_end < first:
        span = (holdout_end - first).days + 1
        return HoldoutValidation(
            f"**Not enough history to validate on a {holdout_days}-day holdout:** the data cover {span:,} days "
            f"({first:%Y-%m-%d} to {holdout_end:%Y-%m-%d}), so nothing would be left to fit on. The validation is "
            f"skipped; a holdout of at most about half the history (here {max(span // 2, 1):,} days) leaves enough "
            "to fit on.", calibration_end, holdout_end)
    cal_hold = calibration_holdout(clean, calibration_end=calibration_end, holdout_end=holdout_end)
    x, r, t = cal_hold["frequency_cal"], cal_hold["recency_cal"], cal_hold["T_cal"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            model = BetaGeoModel().fit(x, r, t)
    except DataError as error:
        return HoldoutValidation(
            f"**The model cannot be fitted on the calibration period** (up to {calibration_end:%Y-%m-%d}), so the "
            f"holdout validation is skipped: {error}", calibration_end, holdout_end, cal_hold)
    predicted = model.expected_purchases(x, r, t, t=float(holdout_days))
    result = HoldoutValidation(
        "", calibration_end, holdout_end, cal_hold, model, predicted, holdout_by_frequency(cal_hold, predicted),
        holdout_errors(cal_hold["frequency_holdout"], predicted),
        holdout_errors(cal_hold["frequency_holdout"], naive_holdout_forecast(cal_hold, t=holdout_days)),
        purchase_tracking(model, clean, calibration_end=calibration_end, holdout_end=holdout_end))
    result.summary = _validation_sentence(result, holdout_days)
    return result


def _validation_sentence(result: HoldoutValidation, holdout_days: int) -> str:
    errors, naive, table = result.errors, result.naive, result.by_frequency
    if errors["total_actual"] == 0:
        return (f"In the {holdout_days}-day holdout the {errors['customers']:,.0f} calibration customers made no "
                f"repeat purchase at all; the model predicted {errors['total_predicted']:,.1f}. With nothing to "
                "compare, the validation says little: try a longer holdout.")
    worst = (table["predicted"] - table["actual"]).abs().idxmax()
    correlation = "n/a" if np.isnan(errors["correlation"]) else f"{errors['correlation']:.2f}"
    caveat = (f" The calibration fit could not pin down {', '.join(result.model.unidentified_)}: the predictions are "
              "usable, their uncertainty is unknown." if result.model.unidentified_ else "")
    return (
        f"In the {holdout_days}-day holdout the {errors['customers']:,.0f} calibration customers made "
        f"{errors['total_actual']:,.0f} repeat purchases; the model, which never saw them, predicted "
        f"{errors['total_predicted']:,.0f} (**{errors['total_error_pct']:+.1f}%**). Per customer the mean absolute "
        f"error is {errors['mae']:.2f} purchases (RMSE {errors['rmse']:.2f}; correlation with the actual counts "
        f"{correlation}), against {naive['mae']:.2f} for the naive forecast \"same rate as before\", which misses the "
        f"total by {naive['total_error_pct']:+.1f}% because it ignores customers who leave. The largest gap is for "
        f"customers with {worst} calibration repeat purchases: predicted {table.loc[worst, 'predicted']:.2f}, actual "
        f"{table.loc[worst, 'actual']:.2f} per customer.{caveat}"
    )


def compare_on_holdout(validation: HoldoutValidation) -> tuple[pd.DataFrame | None, str]:
    """Pareto/NBD fitted on the same calibration period as ``validation`` and both models' holdout errors.

    Returns
    -------
    (table or None, sentence): :func:`holdout_errors` (total error %, MAE, RMSE, correlation)
    of BG/NBD and Pareto/NBD side by side; None and the reason when there is no validation or
    Pareto/NBD cannot be fitted.
    """
    if not validation.done:
        return None, validation.summary
    columns = [validation.cal_hold[c] for c in ("frequency_cal", "recency_cal", "T_cal")]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            pareto = ParetoNBDModel().fit(*columns)
    except DataError as error:
        return None, f"Pareto/NBD could not be fitted on the calibration period: {error}"
    duration = float(validation.cal_hold["duration_holdout"].iloc[0])
    predicted = pareto.expected_purchases(*columns, t=duration)
    table = pd.DataFrame({"BG/NBD": validation.errors,
                          "Pareto/NBD": holdout_errors(validation.cal_hold["frequency_holdout"], predicted)})
    table = table.loc[["total_error_pct", "mae", "rmse", "correlation"]]
    better = table.loc["mae"].idxmin()
    return table, f"On the holdout, **{better}** has the smaller mean absolute error ({table.loc['mae', better]:.3f})."


def probability_alive_matrix(model: BetaGeoModel | ParetoNBDModel, *, T: float, max_frequency: int = 20,
                             n_recency: int = 25) -> pd.DataFrame:
    """P(alive) for customers of age ``T`` by frequency (rows) and recency (columns).

    Cells with frequency 0 and recency > 0 are impossible and left empty (NaN).
    """
    return _history_matrix(model.probability_alive, T=T, max_frequency=max_frequency, n_recency=n_recency)


def expected_purchases_matrix(model: BetaGeoModel | ParetoNBDModel, *, T: float, t: float, max_frequency: int = 20,
                              n_recency: int = 25) -> pd.DataFrame:
    """Expected purchases in the next ``t`` time units by frequency (rows) and recency (columns)."""
    return _history_matrix(functools.partial(model.expected_purchases, t=t), T=T, max_frequency=max_frequency,
                           n_recency=n_recency)


def _history_matrix(predict, *, T: float, max_frequency: int, n_recency: int) -> pd.DataFrame:
    """``predict(frequency, recency, T)`` on a (frequency × recency) grid for customers of age ``T``.

    Cells with frequency 0 and recency > 0 are impossible and left empty (NaN).
    """
    if T <= 0 or max_frequency < 1 or n_recency < 2:
        raise DataError("Use T > 0, max_frequency >= 1 and n_recency >= 2 for the matrix.")
    grid_x, grid_r = np.arange(max_frequency + 1, dtype=float), np.round(np.linspace(0, T, n_recency), 1)
    x, r = np.meshgrid(grid_x, grid_r, indexing="ij")
    values = np.asarray(predict(x.ravel(), np.where(x.ravel() > 0, r.ravel(), 0.0), np.full(x.size, float(T))),
                        dtype=float).reshape(x.shape)
    values[(x == 0) & (r > 0)] = np.nan
    return pd.DataFrame(values, index=pd.Index(grid_x.astype(int), name="frequency"),
                        columns=pd.Index(grid_r, name="recency"))


def win_back_list(
    predictions: pd.DataFrame,
    *,
    value: str = "revenue",
    top_share: float = 0.2,
    max_p_alive: float = 0.5,
) -> pd.DataFrame:
    """Valuable customers who are probably slipping away: top ``top_share`` by ``value``, P(alive) below a cut.

    Parameters
    ----------
    predictions : DataFrame
        One row per customer with the ``value`` column and ``p_alive``.
    value : str, default "revenue"
        What "valuable" means: past revenue by default (predicted CLV is low for exactly these
        customers, because they are probably gone).
    top_share : float, default 0.2
        Share of customers counted as high value.
    max_p_alive : float, default 0.5
        P(alive) below which a customer is slipping away.

    Returns
    -------
    The matching rows, most valuable first.

    Examples
    --------
    >>> table = pd.DataFrame({"revenue": [900.0, 800.0, 10.0, 700.0, 5.0], "p_alive": [0.2, 0.9, 0.1, 0.4, 0.3]})
    >>> win_back_list(table, top_share=0.6).index.tolist()
    [0, 3]
    """
    _require(predictions, [value, "p_alive"], "win_back_list")
    if not 0 < top_share <= 1 or not 0 < max_p_alive <= 1:
        raise DataError(f"top_share and max_p_alive must be in (0, 1]; got {top_share}, {max_p_alive}.")
    threshold = predictions[value].quantile(1 - top_share)
    chosen = predictions[(predictions[value] >= threshold) & (predictions["p_alive"] < max_p_alive)]
    return chosen.sort_values(value, ascending=False, kind="stable")



# --------------------------------------------------------------------------------------------
# Tables and sentences for the CLV notebook
# --------------------------------------------------------------------------------------------


def tier_profile(predictions: pd.DataFrame) -> pd.DataFrame:
    """:func:`tier_summary` of predicted CLV by ``tier``, plus the mean CLV, P(alive), purchases and spend.

    Parameters
    ----------
    predictions : DataFrame
        :func:`predict_clv` output with a ``tier`` column (e.g. from :func:`value_tiers`).
    """
    _require(predictions, ["tier", "clv", "p_alive", "predicted_purchases", "expected_spend"], "tier_profile")
    profile = predictions.groupby("tier", observed=True).agg(
        mean_clv=("clv", "mean"), mean_p_alive=("p_alive", "mean"),
        mean_purchases=("predicted_purchases", "mean"), mean_spend=("expected_spend", "mean"))
    return tier_summary(predictions["clv"], predictions["tier"]).join(profile)


def segment_value(predictions: pd.DataFrame, segment: pd.Series, revenue: pd.Series) -> pd.DataFrame:
    """Past revenue against predicted CLV per segment (e.g. RFM segments), largest total CLV first.

    Returns
    -------
    DataFrame indexed by segment: ``customers``, ``past_revenue``, ``total_clv``, ``mean_clv``,
    ``mean_p_alive``, ``clv_share``, ``revenue_share``.
    """
    _require(predictions, ["clv", "p_alive"], "segment_value")
    frame = predictions.join(segment.rename("segment")).join(revenue.rename("revenue"))
    table = frame.groupby("segment", observed=True).agg(
        customers=("clv", "size"), past_revenue=("revenue", "sum"), total_clv=("clv", "sum"),
        mean_clv=("clv", "mean"), mean_p_alive=("p_alive", "mean"))
    table["clv_share"] = table["total_clv"] / table["total_clv"].sum()
    table["revenue_share"] = table["past_revenue"] / table["past_revenue"].sum()
    return table.sort_values("total_clv", ascending=False)


def naive_holdout_forecast(cal_hold: pd.DataFrame, *, t: float) -> pd.Series:
    """The benchmark forecast "same rate as before": calibration repeat purchases per day × ``t``."""
    _require(cal_hold, ["frequency_cal", "T_cal"], "naive_holdout_forecast")
    return cal_hold["frequency_cal"] / cal_hold["T_cal"].clip(lower=1) * t


def new_customer_value(purchase_model: BetaGeoModel, spend_model: GammaGammaModel | AverageSpendModel, *,
                       horizon: float, margin: float, customers: pd.DataFrame | None = None) -> pd.Series:
    """Expected repeat purchases of a new customer in ``horizon`` and the margin of first plus repeat orders.

    Undiscounted: margin × mean order value of a new customer × (1 + expected repeat purchases).
    When the spend model's mean is infinite (Gamma-Gamma with q <= 1) the order value is
    :func:`mean_repeat_spend` of ``customers`` (NaN without them), as in :func:`predict_clv`.
    """
    _check_margin(margin)
    repeat = purchase_model.expected_purchases_new_customer(horizon)
    spend = spend_model.population_mean_spend()
    if not np.isfinite(spend):
        spend = mean_repeat_spend(customers) if customers is not None else np.nan
    return pd.Series({"repeat_purchases": repeat, "value": margin * spend * (1 + repeat)})


def truth_check(truth_path: object, customers: pd.DataFrame, predictions: pd.DataFrame,
                purchase_model: BetaGeoModel, spend_model: GammaGammaModel) -> tuple[pd.DataFrame | None, str]:
    """Fitted population means against the ground truth of synthetic data, and the AUC of P(alive).

    Parameters
    ----------
    truth_path : path or None
        CSV with ``customer_id``, ``purchase_rate_per_day``, ``dropout_prob``, ``mean_order_value``,
        ``alive_at_end`` (as written by :mod:`segkit.synth`). Missing file, None, or a file that
        covers fewer than half of ``customers`` skips the check.

    Returns
    -------
    (table or None, sentence): the table compares the fitted values with the truth of all
    customers and of the repeat customers; the sentence gives the AUC or says the check was skipped.
    """
    from pathlib import Path

    columns = ["purchase_rate_per_day", "dropout_prob", "mean_order_value", "alive_at_end"]
    truth = (pd.read_csv(truth_path, dtype={"customer_id": str}, index_col="customer_id").reindex(customers.index)
             if truth_path is not None and Path(truth_path).exists() else None)
    if truth is None or truth["purchase_rate_per_day"].isna().mean() > 0.5:
        return None, "No ground truth for these customers: check skipped."
    repeat = customers["frequency"] > 0
    means = purchase_model.population_means()
    table = pd.DataFrame({
        "fitted": [means["purchase_rate"], means["dropout_prob"], spend_model.population_mean_spend(),
                   predictions["p_alive"].mean()],
        "truth, all customers": [truth[c].mean() for c in columns],
        "truth, repeat customers": [truth.loc[repeat, c].mean() for c in columns],
    }, index=["mean purchase rate per day", "mean drop-out probability", "mean order value", "share still active"])
    auc = roc_auc_score(truth["alive_at_end"].astype(bool), predictions["p_alive"])
    return table, f"P(alive) ranks truly active customers above lapsed ones with AUC **{auc:.3f}**."


def historical_vs_predicted(history: pd.DataFrame | None, predictions: pd.DataFrame) -> str:
    """How far the spreadsheet formula and the model agree on who matters: rank correlation and top-tier overlap.

    ``history`` from :func:`historical_clv_report` (None gives a sentence saying there is
    nothing to compare), ``predictions`` from :func:`predict_clv` with ``clv``.
    """
    if history is None:
        return "The historical formula could not be computed on these data (section 2), so there is nothing to compare."
    model_tier, formula_tier = value_tiers(predictions["clv"]), value_tiers(history["historical_clv"])
    top = model_tier == model_tier.cat.categories[0]
    overlap = (top & (formula_tier == formula_tier.cat.categories[0])).sum() / top.sum()
    rho = history["historical_clv"].corr(predictions["clv"], method="spearman")
    return (f"Rank correlation {rho:.2f}; {overlap:.0%} of the model's {model_tier.cat.categories[0]} are also in "
            f"the historical {formula_tier.cat.categories[0]}. The difference is mostly customers who used to buy a "
            "lot and have gone quiet: the formula still counts their full lifetime, the model discounts them by "
            "P(alive).")


def population_note(purchase_model: BetaGeoModel, spend_model: GammaGammaModel | AverageSpendModel,
                    customers: pd.DataFrame) -> str:
    """The fitted population in words: purchase rate, drop-out probability, value of a new customer's order."""
    means = purchase_model.population_means()
    spend = spend_model.population_mean_spend()
    if isinstance(spend_model, AverageSpendModel):
        order = f"{spend:,.2f} (the plain average of paid repeat purchases)"
    elif np.isfinite(spend):
        order = f"{spend:,.2f} (p·v / (q − 1))"
    else:
        order = (f"{mean_repeat_spend(customers):,.2f}, the mean paid repeat purchase (Gamma-Gamma's own mean, "
                 "p·v / (q − 1), is infinite here: q <= 1)")
    return (f"While active, customers buy on average {means['purchase_rate']:.4f} times a day (about once every "
            f"{1 / means['purchase_rate']:,.0f} days); after a repeat purchase a customer leaves with probability "
            f"{means['dropout_prob']:.1%} on average. A new customer's average order is worth {order}.")


def win_back_note(win_back: pd.DataFrame, customers: pd.DataFrame) -> str:
    """Size, past revenue and typical silence of the win-back list (from :func:`win_back_list`)."""
    if win_back.empty:
        return "No customer is on the win-back list today: every high-value customer still looks active."
    silence = customers.loc[win_back.index, "days_since_last_purchase"].median()
    return (f"{len(win_back):,} customers, {win_back['revenue'].sum():,.0f} of past revenue; median {silence:.0f} days "
            "since their last purchase.")


def correlation_note(correlation: pd.Series) -> str:
    """A sentence on :func:`spend_frequency_correlation`: weak (|ρ| < 0.3), moderate (< 0.5) or strong."""
    if np.isnan(correlation["pearson"]):
        return (f"Only {correlation['n_customers']:,.0f} customers made a paid repeat purchase"
                + (", too few" if correlation["n_customers"] < 3 else ", and their frequency or spend does not vary:")
                + " the assumption cannot be checked on these data.")
    pearson = abs(correlation["pearson"])
    strength = "weak" if pearson < 0.3 else "moderate" if pearson < 0.5 else "strong"
    return (
        f"Among the {correlation['n_customers']:,.0f} repeat customers the correlation of frequency and mean spend is "
        f"{correlation['pearson']:.2f} (Pearson; Spearman {correlation['spearman']:.2f}): **{strength}**. "
        + ("The assumption is reasonable." if strength == "weak" else
           "Frequent buyers also spend more per purchase here, so Gamma-Gamma's shrinkage toward the population "
           "mean slightly undervalues them: read their expected spend as a conservative figure.")
    )


def headline(interval: pd.Series, tiers: pd.DataFrame, win_back: pd.DataFrame, *, horizon: float, margin: float,
             discount_rate: float, top_share: float, max_p_alive: float) -> str:
    """The notebook's headline: total CLV with its interval, the top tier's share, the win-back list.

    ``interval`` from :func:`bootstrap_total_clv` (without an interval the headline gives the
    reason instead), ``tiers`` from :func:`tier_summary` or :func:`tier_profile` (top tier
    first), ``win_back`` from :func:`win_back_list` with ``revenue``.
    """
    if np.isnan(interval["lower"]):
        uncertainty = f"no interval: {interval.attrs.get('reason') or 'the bootstrap was not run'}"
    else:
        uncertainty = f"{interval['level']:.0%} interval {interval['lower']:,.0f} to {interval['upper']:,.0f}"
    return (
        f"**The {tiers['customers'].sum():,} customers will bring in about {interval['estimate']:,.0f} of gross "
        f"margin over the next {horizon:g} days** ({uncertainty}; margin {margin:.0%}, discounted at "
        f"{discount_rate:.0%} a year). The {tiers.index[0]} of customers hold {tiers['value_share'].iloc[0]:.0%} "
        f"of it. **{len(win_back):,} of the top {top_share:.0%} by past revenue have probably left** (P(alive) below "
        f"{max_p_alive:.0%}; {win_back['revenue'].sum():,.0f} of past revenue): they are the win-back list."
    )


def interval_note(interval: pd.Series) -> str:
    """A sentence on :func:`bootstrap_total_clv`: the interval and its half-width, or why there is none.

    Examples
    --------
    >>> interval = pd.Series({"estimate": 1000.0, "lower": 900.0, "upper": 1100.0, "level": 0.9, "n_draws": 200.0})
    >>> interval_note(interval)
    'Total predicted CLV 1,000, 90% interval 900 to 1,100 (±10.0%).'
    """
    if np.isnan(interval["lower"]):
        return (f"Total predicted CLV {interval['estimate']:,.0f}. **No interval:** "
                f"{interval.attrs.get('reason') or 'the bootstrap was not run'}. The total is a point estimate; "
                "treat it with more caution than a total with an interval.")
    width = (interval["upper"] - interval["lower"]) / 2 / interval["estimate"]
    return (f"Total predicted CLV {interval['estimate']:,.0f}, {interval['level']:.0%} interval "
            f"{interval['lower']:,.0f} to {interval['upper']:,.0f} (±{width:.1%}).")


def recommendations(tiers: pd.DataFrame, win_back: pd.DataFrame, new_customer: pd.Series, *, margin: float,
                    horizon: float) -> str:
    """Actions per value tier (top, middle, bottom from :func:`tier_profile`), win-back and acquisition, as bullets."""
    top, middle, bottom = (str(label).capitalize() for label in tiers.index[:3])
    return "\n".join([
        f"* **{top} ({tiers['value_share'].iloc[0]:.0%} of predicted value, mean CLV "
        f"{tiers['mean_clv'].iloc[0]:,.0f}):** protect them: priority service, early access, no blanket discounts.",
        f"* **{middle} ({tiers['value_share'].iloc[1]:.0%} of value):** grow them: cross-sell and reminders timed "
        f"to their purchase rhythm; move the best into the top tier.",
        f"* **{bottom} (mean CLV {tiers['mean_clv'].iloc[2]:,.2f}):** low-cost channels only (e-mail, no paid media).",
        (f"* **Win-back list ({len(win_back):,} customers):** a personal reactivation offer now, then re-score: "
         "P(alive) jumps back after one purchase (exercise 3)." if len(win_back) else
         "* **Win-back list:** empty today: no high-value customer looks lapsed. Re-score every month."),
        f"* **Acquisition:** a new customer brings {margin:.0%} margin on a first order plus "
        f"{new_customer['repeat_purchases']:.2f} expected repeat purchases in {horizon:g} days"
        + (f", about {new_customer['value']:,.2f} in margin (undiscounted): the ceiling on first-year acquisition cost "
           "per customer." if np.isfinite(new_customer["value"]) else
           "; their value cannot be put in money here (no finite spend per purchase)."),
    ])


def crm_export(predictions: pd.DataFrame, clean: pd.DataFrame, *, snapshot_date: pd.Timestamp) -> pd.DataFrame:
    """One row per customer for a CRM: predictions, CLV and tier, with ``customer_id`` as a column.

    Raises
    ------
    DataError
        The rows are not exactly the customers with a purchase in ``clean`` before ``snapshot_date``.
    """
    export = predictions[["predicted_purchases", "p_alive", "expected_spend", "clv", "tier"]].round(6).reset_index()
    buyers = clean.loc[~clean["is_return"] & (clean["order_date"] < snapshot_date), "customer_id"].unique()
    if not (export["customer_id"].is_unique and set(export["customer_id"]) == set(buyers)):
        raise DataError(f"The export has {len(export)} rows for {len(buyers)} customers with purchases before "
                        f"{snapshot_date:%Y-%m-%d}: predict for segkit.data.customer_table(clean) at that date.")
    return export
