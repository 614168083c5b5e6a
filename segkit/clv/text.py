"""The words the CLV report shows, written from the numbers: headline, notes, recommendations.

Each function takes results computed elsewhere in :mod:`segkit.clv` and returns Markdown. The
results offer these words themselves (``CLVAnalysis.notes``, ``TotalCLVInterval.note``,
``SpendCorrelation.note``, ...); :func:`export_note` is the one sentence without a result of
its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from segkit.clv._fit import MIN_CUSTOMERS
from segkit.clv.bgnbd import BetaGeoModel
from segkit.clv.gamma_gamma import AverageSpendModel, GammaGammaModel
from segkit.clv.bootstrap import TotalCLVInterval
from segkit.clv.predict import _mean_repeat_spend, _repeat_customers
from segkit.clv.value import PYRAMID_SHARES, value_tiers
from segkit.present import money_text

if TYPE_CHECKING:
    from segkit.clv.analysis import CLVAnalysis
    from segkit.clv.diagnostics import HoldoutValidation, SpendCorrelation

__all__ = ["export_note"]


@dataclass(frozen=True)
class CLVNotes:
    """The sentences of a CLV report (:attr:`segkit.clv.CLVAnalysis.notes`), in Markdown."""

    #: total CLV with its interval, the top tier's share and the win-back list
    headline: str
    #: how many customers, at which snapshot, and how many never came back
    customers: str
    #: the churn the historical formula used, or why there is no historical CLV
    history: str
    #: how concentrated the value so far is in the customer pyramid
    pyramid: str
    #: what the fits could not pin down, or that every parameter is determined
    fit: str
    #: the fitted population: purchase rate, drop-out, value of an order
    population: str
    #: how far the historical formula and the model agree on who matters
    historical_vs_predicted: str
    #: the interval around total CLV, or why there is none
    interval: str
    #: size, past revenue and silence of the win-back list
    win_back: str
    #: actions per tier, win-back and acquisition, as bullets
    recommendations: str


def _analysis_notes(analysis: CLVAnalysis) -> CLVNotes:
    """Every sentence of the report, from the results in ``analysis``."""
    purchase, spend = analysis.models
    customers, win_back = analysis.customers, analysis.win_back
    options = dict(horizon=analysis.horizon, margin=analysis.margin)
    return CLVNotes(
        headline=_headline(analysis.interval, analysis.tiers, win_back, discount_rate=analysis.discount_rate,
                           top_share=analysis.top_share, max_p_alive=analysis.max_p_alive, **options),
        customers=_customers_note(customers, analysis.snapshot_date),
        history=analysis.history.note,
        pyramid=_pyramid_note(analysis.pyramid),
        fit=_fit_note(purchase, spend, customers),
        population=_population_note(purchase, spend, customers),
        historical_vs_predicted=_historical_vs_predicted(analysis.history.table, analysis.predictions),
        interval=_interval_note(analysis.interval),
        win_back=_win_back_note(win_back, customers),
        recommendations=_recommendations(analysis.tiers, win_back, analysis.new_customer, **options),
    )


def export_note(export: pd.DataFrame, path: str) -> str:
    """What was written where: rows (customers) and columns of ``export``, and ``path`` as the reader sees it.

    Examples
    --------
    >>> export_note(pd.DataFrame({"customer_id": ["a", "b"], "clv": [1.0, 2.0]}), "reports/clv.csv")
    'Wrote 2 customers × 2 columns to `reports/clv.csv`.'
    """
    return f"Wrote {len(export):,} customers × {export.shape[1]} columns to `{path}`."


def _customers_note(customers: pd.DataFrame, snapshot: pd.Timestamp) -> str:
    """How many customers at which snapshot, and the share without a repeat purchase day."""
    return (f"{len(customers):,} customers at the snapshot date {snapshot:%Y-%m-%d}; "
            f"{(customers['frequency'] == 0).mean():.0%} have not come back after their first purchase day.")


def _pyramid_note(pyramid: pd.DataFrame) -> str:
    """The value share of the top tier, of the tiers above the last together, and of the last tier.

    ``pyramid`` from :func:`~segkit.clv.value.tier_summary` of the pyramid tiers (top first); the
    tier sizes in the sentence are the pyramid's shares.
    """
    shares = np.cumsum(list(PYRAMID_SHARES.values()))
    value = pyramid["value_share"]
    return (f"The top {shares[0]:.0%} of customers brought {value.iloc[0]:.0%} of the value so far, and the top "
            f"{shares[-2]:.0%} together {value.iloc[:-1].sum():.0%}; the bottom {1 - shares[-2]:.0%} brought "
            f"{value.iloc[-1]:.0%}.")


def _segment_note(table: pd.DataFrame) -> str:
    """The segment with the most future value and the one that drops most from past revenue to CLV share."""
    drop = (table["revenue_share"] - table["clv_share"]).idxmax()
    return (f"**{table.index[0]}** hold the most future value ({table['clv_share'].iloc[0]:.0%} of total CLV). "
            f"The largest drop from past to future is **{drop}**: {table.loc[drop, 'revenue_share']:.1%} of past "
            f"revenue but {table.loc[drop, 'clv_share']:.1%} of predicted CLV (mean P(alive) "
            f"{table.loc[drop, 'mean_p_alive']:.2f}).")


def _fit_note(purchase_model: BetaGeoModel, spend_model: GammaGammaModel | AverageSpendModel,
              customers: pd.DataFrame) -> str:
    """What the reader should know about the fits, as sentences: unidentified parameters, heavy-tailed
    spend, the plain-average fallback; or that both fits are well determined.

    Examples
    --------
    >>> bg = BetaGeoModel.from_params(r=0.5, alpha=20.0, a=0.8, b=3.0)
    >>> gg = GammaGammaModel.from_params(p=6.0, q=4.0, v=15.0)
    >>> _fit_note(bg, gg, pd.DataFrame({"frequency": [1], "monetary_value": [10.0]}))
    'Both models are fitted and every parameter is determined by the data (standard errors in the parameter table).'
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
        repeat = _repeat_customers(customers)
        why = (f"{spend_model.fit_warnings_[0]}." if spend_model.fit_warnings_ else
               f"only {len(repeat):,} customers made a repeat purchase with positive value, and Gamma-Gamma needs at "
               f"least {MIN_CUSTOMERS}.")
        notes.append(f"**Spend is a plain average ({money_text(spend_model.population_mean_spend(), decimals=2)} "
                     f"per purchase):** {why} "
                     "Every customer gets the same spend per purchase, and CLV gets no interval.")
    elif not np.isfinite(spend_model.population_mean_spend()):
        notes.append(f"**Spend is very heavy-tailed** (Gamma-Gamma q = {spend_model.params_['q']:.2f} <= 1), so the "
                     "model's mean spend of a customer without repeat purchases is infinite; those customers are "
                     f"valued at the mean value of a paid repeat purchase, "
                     f"{money_text(_mean_repeat_spend(customers), decimals=2)}. Check "
                     "the largest orders for outliers.")
    return " ".join(notes) or ("Both models are fitted and every parameter is determined by the data "
                               "(standard errors in the parameter table).")


def _period(window_days: int) -> str:
    return "a year" if window_days == 365 else f"{window_days} days"


def _history_too_short(window_days: int, oldest: int) -> str:
    return (f"**Not enough history for the historical CLV:** it needs the churn observed over {window_days} "
            f"days, and the oldest customer is {oldest:,} days old. The model-based CLV does not need it.")


def _history_no_churn(window_days: int) -> str:
    return (f"**No historical CLV:** none of the customers of {_period(window_days)} ago has lapsed since, so the "
            "observed churn is 0 and the formula's expected lifetime infinite. The model-based CLV does not need it.")


def _history_churn(churn: float, window_days: int, lifetime_years: float, discount_rate: float) -> str:
    return (f"Observed churn: **{churn:.1%}** of the customers of {_period(window_days)} ago have not bought since, "
            f"so the expected lifetime is {lifetime_years:.2f} years in today's money "
            f"(discounted at {discount_rate:.0%} a year).")


def _pareto_not_fitted(error: Exception) -> str:
    return f"**Pareto/NBD could not be fitted to these customers**, so there is no comparison: {error}"


def _on_sample(n_sample: int, n_customers: int) -> str:
    """' (on a random sample of …)' when the comparison used a sample, else ''."""
    return "" if n_sample == n_customers else f" (on a random sample of {n_sample:,} of the {n_customers:,} customers)"


def _pareto_comparison(table: pd.DataFrame, n_sample: int, n_customers: int) -> str:
    return (f"**{table.index[0]}** fits these customers better{_on_sample(n_sample, n_customers)} (AIC lower by "
            f"{table['delta_aic'].iloc[1]:,.1f}); the other CLV figures use BG/NBD.")


def _holdout_skipped() -> str:
    return "holdout_days is 0: the holdout validation is skipped."


def _holdout_too_short(holdout_days: int, first: pd.Timestamp, holdout_end: pd.Timestamp) -> str:
    span = (holdout_end - first).days + 1
    return (f"**Not enough history to validate on a {holdout_days}-day holdout:** the data cover {span:,} days "
            f"({first:%Y-%m-%d} to {holdout_end:%Y-%m-%d}), so nothing would be left to fit on. The validation is "
            f"skipped; a holdout of at most about half the history (here {max(span // 2, 1):,} days) leaves enough "
            "to fit on.")


def _holdout_not_fitted(calibration_end: pd.Timestamp, error: Exception) -> str:
    return (f"**The model cannot be fitted on the calibration period** (up to {calibration_end:%Y-%m-%d}), so the "
            f"holdout validation is skipped: {error}")


def _holdout_pareto_not_fitted(error: Exception) -> str:
    return f"Pareto/NBD could not be fitted on the calibration period: {error}"


def _holdout_comparison(table: pd.DataFrame, n_sample: int, n_customers: int) -> str:
    better = table.loc["mae"].idxmin()
    return (f"On the holdout{_on_sample(n_sample, n_customers)}, **{better}** has the smaller mean absolute error "
            f"({table.loc['mae', better]:.3f}).")


#: What :func:`~segkit.clv.truth_check` says without a ground truth.
_NO_TRUTH = "No ground truth for these customers: check skipped."


def _truth_auc(auc: float) -> str:
    return f"P(alive) ranks truly active customers above lapsed ones with AUC **{auc:.3f}**."


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


def _historical_vs_predicted(history: pd.DataFrame | None, predictions: pd.DataFrame) -> str:
    """How far the spreadsheet formula and the model agree on who matters: rank correlation and top-tier overlap.

    ``history`` from :func:`historical_clv_report` (None gives a sentence saying there is
    nothing to compare), ``predictions`` from :func:`predict_clv` with ``clv``.
    """
    if history is None:
        return ("The historical formula could not be computed on these data (too little history, or no observed "
                "churn), so there is nothing to compare.")
    model_tier, formula_tier = value_tiers(predictions["clv"]), value_tiers(history["historical_clv"])
    top = model_tier == model_tier.cat.categories[0]
    overlap = (top & (formula_tier == formula_tier.cat.categories[0])).sum() / top.sum()
    rho = history["historical_clv"].corr(predictions["clv"], method="spearman")
    return (f"Rank correlation {rho:.2f}; {overlap:.0%} of the model's {model_tier.cat.categories[0]} are also in "
            f"the historical {formula_tier.cat.categories[0]}. The difference is mostly customers who used to buy a "
            "lot and have gone quiet: the formula still counts their full lifetime, the model discounts them by "
            "P(alive).")


def _population_note(purchase_model: BetaGeoModel, spend_model: GammaGammaModel | AverageSpendModel,
                    customers: pd.DataFrame) -> str:
    """The fitted population in words: purchase rate, drop-out probability, value of a new customer's order."""
    means = purchase_model.population_means()
    spend = spend_model.population_mean_spend()
    if isinstance(spend_model, AverageSpendModel):
        order = f"{money_text(spend, decimals=2)} (the plain average of paid repeat purchases)"
    elif np.isfinite(spend):
        order = f"{money_text(spend, decimals=2)} (p·v / (q − 1))"
    else:
        order = (f"{money_text(_mean_repeat_spend(customers), decimals=2)}, the mean paid repeat purchase "
                 "(Gamma-Gamma's own mean, "
                 "p·v / (q − 1), is infinite here: q <= 1)")
    return (f"While active, customers buy on average {means['purchase_rate']:.4f} times a day (about once every "
            f"{1 / means['purchase_rate']:,.0f} days); after a repeat purchase a customer leaves with probability "
            f"{means['dropout_prob']:.1%} on average. A new customer's average order is worth {order}.")


def _win_back_note(win_back: pd.DataFrame, customers: pd.DataFrame) -> str:
    """Size, past revenue and typical silence of the win-back list (from :func:`win_back_list`)."""
    if win_back.empty:
        return "No customer is on the win-back list today: every high-value customer still looks active."
    silence = customers.loc[win_back.index, "days_since_last_purchase"].median()
    return (f"{len(win_back):,} customers, {money_text(win_back['revenue'].sum())} of past revenue; median "
            f"{silence:.0f} days "
            "since their last purchase.")


def _correlation_note(correlation: SpendCorrelation) -> str:
    """A sentence on :func:`spend_frequency_correlation`: weak (|ρ| < 0.3), moderate (< 0.5) or strong."""
    if np.isnan(correlation.pearson):
        return (f"Only {correlation.n_customers:,.0f} customers made a paid repeat purchase"
                + (", too few:" if correlation.n_customers < 3 else ", and their frequency or spend does not vary:")
                + " the assumption cannot be checked on these data.")
    pearson = abs(correlation.pearson)
    strength = "weak" if pearson < 0.3 else "moderate" if pearson < 0.5 else "strong"
    return (
        f"Among the {correlation.n_customers:,.0f} repeat customers the correlation of frequency and mean spend is "
        f"{correlation.pearson:.2f} (Pearson; Spearman {correlation.spearman:.2f}): **{strength}**. "
        + ("The assumption is reasonable." if strength == "weak" else
           "Frequent buyers also spend more per purchase here, so Gamma-Gamma's shrinkage toward the population "
           "mean slightly undervalues them: read their expected spend as a conservative figure.")
    )


def _headline(interval: TotalCLVInterval, tiers: pd.DataFrame, win_back: pd.DataFrame, *, horizon: float, margin: float,
             discount_rate: float, top_share: float, max_p_alive: float) -> str:
    """The report's headline: total CLV with its interval, the top tier's share, the win-back list.

    ``interval`` from :func:`bootstrap_total_clv` (without an interval the headline gives the
    reason instead), ``tiers`` from :func:`tier_summary` or :func:`tier_profile` (top tier
    first), ``win_back`` from :func:`win_back_list` with ``revenue``.
    """
    if np.isnan(interval.lower):
        uncertainty = f"no interval: {interval.reason or 'the bootstrap was not run'}"
    else:
        uncertainty = f"{interval.level:.0%} interval {money_text(interval.lower)} to {money_text(interval.upper)}"
    return (
        f"**The {tiers['customers'].sum():,} customers will bring in about {money_text(interval.estimate)} of gross "
        f"margin over the next {horizon:g} days** ({uncertainty}; margin {margin:.0%}, discounted at "
        f"{discount_rate:.0%} a year). The {tiers.index[0]} of customers hold {tiers['value_share'].iloc[0]:.0%} "
        f"of it. **{len(win_back):,} of the top {top_share:.0%} by past revenue have probably left** (P(alive) below "
        f"{max_p_alive:.0%}; {money_text(win_back['revenue'].sum())} of past revenue): they are the win-back list."
    )


def _interval_note(interval: TotalCLVInterval) -> str:
    """A sentence on :func:`bootstrap_total_clv`: the interval and its half-width, or why there is none.

    Examples
    --------
    >>> interval = TotalCLVInterval(estimate=1000.0, lower=900.0, upper=1100.0, level=0.9, n_draws=0, draws=np.empty(0))
    >>> from segkit.present import using_currency
    >>> with using_currency("£"):
    ...     print(_interval_note(interval))
    Total predicted CLV £1,000, 90% interval £900 to £1,100 (±10.0%).
    """
    if np.isnan(interval.lower):
        return (f"Total predicted CLV {money_text(interval.estimate)}. **No interval:** "
                f"{interval.reason or 'the bootstrap was not run'}. The total is a point estimate; "
                "treat it with more caution than a total with an interval.")
    width = (interval.upper - interval.lower) / 2 / interval.estimate
    return (f"Total predicted CLV {money_text(interval.estimate)}, {interval.level:.0%} interval "
            f"{money_text(interval.lower)} to {money_text(interval.upper)} (±{width:.1%}).")


def _recommendations(tiers: pd.DataFrame, win_back: pd.DataFrame, new_customer: pd.Series, *, margin: float,
                    horizon: float) -> str:
    """Actions per value tier (top, middle, bottom from :func:`tier_profile`), win-back and acquisition, as bullets."""
    top, middle, bottom = (str(label).capitalize() for label in tiers.index[:3])
    return "\n".join([
        f"* **{top} ({tiers['value_share'].iloc[0]:.0%} of predicted value, mean CLV "
        f"{money_text(tiers['mean_clv'].iloc[0])}):** protect them: priority service, early access, no blanket "
        "discounts.",
        f"* **{middle} ({tiers['value_share'].iloc[1]:.0%} of value):** grow them: cross-sell and reminders timed "
        f"to their purchase rhythm; move the best into the top tier.",
        f"* **{bottom} (mean CLV {money_text(tiers['mean_clv'].iloc[2], decimals=2)}):** low-cost channels only "
        "(e-mail, no paid media).",
        (f"* **Win-back list ({len(win_back):,} customers):** a personal reactivation offer now, then re-score: "
         "P(alive) jumps back after one purchase." if len(win_back) else
         "* **Win-back list:** empty today: no high-value customer looks lapsed. Re-score every month."),
        f"* **Acquisition:** a new customer brings {margin:.0%} margin on a first order plus "
        f"{new_customer['repeat_purchases']:.2f} expected repeat purchases in {horizon:g} days"
        + (f", about {money_text(new_customer['value'], decimals=2)} in margin (undiscounted): the ceiling on "
           "first-year acquisition cost "
           "per customer." if np.isfinite(new_customer["value"]) else
           "; their value cannot be put in money here (no finite spend per purchase)."),
    ])
