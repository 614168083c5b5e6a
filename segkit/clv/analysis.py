"""The CLV analysis of a customer table in one call: models, predictions, tiers, interval, win-back, history.

:func:`clv_analysis` validates the table and the options once, then runs the building blocks
(:func:`~segkit.clv.fit_models`, :func:`~segkit.clv.predict_clv`, the bootstrap of the total,
the tiers, the win-back list, the historical formula and the pyramid) on trusted input. The
result, :class:`CLVAnalysis`, holds every table and offers the report's sentences as
:attr:`CLVAnalysis.notes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from segkit.clv import text
from segkit.clv._common import BTYD_COLUMNS, _check_customers, _check_discount_rate, _check_margin
from segkit.clv.gamma_gamma import _check_spend
from segkit.clv.bootstrap import TotalCLVInterval, _bootstrap_total_clv, _check_bootstrap
from segkit.clv.predict import (
    CLVModels,
    _fit_models,
    _new_customer_value,
    _predict_clv,
)
from segkit.clv.value import (
    HISTORY_COLUMNS,
    HistoricalCLV,
    _check_win_back,
    _historical_clv_report,
    _win_back_list,
    pyramid_tiers,
    tier_profile,
    tier_summary,
    value_tiers,
)
from segkit.data import snapshot_date

__all__ = ["CLVAnalysis", "clv_analysis"]

#: Columns of a customer table that :func:`clv_analysis` reads.
ANALYSIS_COLUMNS: tuple[str, ...] = (*BTYD_COLUMNS, *HISTORY_COLUMNS, "revenue", "last_purchase")


@dataclass(frozen=True)
class CLVAnalysis:
    """What :func:`clv_analysis` found, with the options it used; :attr:`notes` puts it in words."""

    #: the customer table analysed (from :func:`segkit.data.customer_table`)
    customers: pd.DataFrame
    #: the day after the data, read from the table
    snapshot_date: pd.Timestamp
    #: the fitted purchase and spend models (unpack with ``purchase, spend = analysis.models``)
    models: CLVModels
    #: :func:`~segkit.clv.predict_clv` per customer, with the value ``tier`` (:func:`~segkit.clv.value_tiers`)
    predictions: pd.DataFrame
    #: customers, value and means per value tier, top tier first
    tiers: pd.DataFrame
    #: the total predicted CLV and its bootstrap interval
    interval: TotalCLVInterval
    #: the high past-revenue customers who have probably left, most valuable first, with ``revenue``
    win_back: pd.DataFrame
    #: expected repeat purchases and margin of a new customer over the horizon
    new_customer: pd.Series
    #: the historical formula's table (None on thin data) and its note
    history: HistoricalCLV
    #: the customer pyramid of the value so far (revenue × margin): customers and value per tier
    pyramid: pd.DataFrame
    horizon: float
    margin: float
    discount_rate: float
    top_share: float
    max_p_alive: float

    @cached_property
    def notes(self) -> text.CLVNotes:
        """The report's sentences, written from these results (:class:`~segkit.clv.text.CLVNotes`)."""
        return text._analysis_notes(self)


def clv_analysis(
    customers: pd.DataFrame,
    *,
    horizon: float = 365.0,
    margin: float = 1.0,
    discount_rate: float = 0.0,
    n_draws: int = 200,
    random_state: int | None = None,
    top_share: float = 0.2,
    max_p_alive: float = 0.5,
    warn: bool = False,
) -> CLVAnalysis:
    """Fit, predict, tier, bound and explain the CLV of a customer table.

    Parameters
    ----------
    customers : DataFrame
        :func:`segkit.data.customer_table` (time in days).
    horizon : float, default 365
        Prediction horizon in days.
    margin : float, default 1
        Gross margin as a fraction of revenue.
    discount_rate : float, default 0
        Annual discount rate (0.1 = 10% a year).
    n_draws : int, default 200
        Parameter draws for the interval around total CLV (90%).
    random_state : int, optional
        Seed of the bootstrap.
    top_share, max_p_alive : float, default 0.2 and 0.5
        The win-back list: customers in the top ``top_share`` by past revenue whose P(alive)
        is below ``max_p_alive``.
    warn : bool, default False
        Emit the models' :class:`~segkit.clv.FitWarning`; off by default because
        ``notes.fit`` says what the fits could not pin down.

    Returns
    -------
    CLVAnalysis

    Raises
    ------
    DataError
        A column is missing or invalid, an option is out of range, or BG/NBD cannot be fitted.
    """
    _check_customers(customers, ANALYSIS_COLUMNS, "clv_analysis")
    _check_margin(margin)
    _check_discount_rate(discount_rate)
    _check_bootstrap(n_draws, 0.9)
    _check_win_back(top_share, max_p_alive)
    _check_spend(customers["frequency"], customers["monetary_value"])
    snapshot = snapshot_date(customers)
    models = _fit_models(customers, warn=warn)
    options = dict(horizon=horizon, margin=margin, discount_rate=discount_rate)
    predictions = _predict_clv(*models, customers, **options)
    predictions["tier"] = value_tiers(predictions["clv"])
    interval = _bootstrap_total_clv(*models, customers, n_draws=n_draws, level=0.9, random_state=random_state,
                                    **options)
    win_back = _win_back_list(predictions.join(customers["revenue"]), value="revenue", top_share=top_share,
                              max_p_alive=max_p_alive)
    past_value = customers["revenue"] * margin
    return CLVAnalysis(
        customers=customers, snapshot_date=snapshot, models=models, predictions=predictions,
        tiers=tier_profile(predictions), interval=interval, win_back=win_back,
        new_customer=_new_customer_value(*models, horizon=horizon, margin=margin, customers=customers),
        history=_historical_clv_report(customers, margin=margin, discount_rate=discount_rate, window_days=365),
        pyramid=tier_summary(past_value, pyramid_tiers(past_value)), top_share=top_share, max_p_alive=max_p_alive,
        **options)
