"""How far to trust the models: holdout validation, tracking, model comparison, assumption checks, matrices.

The helpers that may meet thin data (:func:`holdout_validation`, :func:`compare_with_pareto`,
:func:`compare_on_holdout`, :func:`truth_check`) do not stop on it: a history too short for
the holdout, a model that cannot be fitted. They return what can be computed and a sentence
that says what could not, and why.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from segkit.clv._common import _check_customers, _require
from segkit.clv._fit import FitWarning
from segkit.clv.bgnbd import BetaGeoModel
from segkit.clv.gamma_gamma import GammaGammaModel
from segkit.clv.pareto import ParetoNBDModel
from segkit.clv.predict import _repeat_customers
from segkit.clv import text
from segkit.data import calibration_holdout
from segkit.data.customers import CleanLines, check_clean_lines
from segkit.engine import duck
from segkit.errors import DataError

__all__ = [
    "HistoryMatrices",
    "HoldoutValidation",
    "ModelComparison",
    "SpendCorrelation",
    "TruthCheck",
    "compare_on_holdout",
    "compare_with_pareto",
    "history_matrices",
    "holdout_by_frequency",
    "holdout_errors",
    "holdout_validation",
    "purchase_tracking",
    "spend_frequency_correlation",
    "truth_check",
]


@dataclass(frozen=True)
class ModelComparison:
    """Two purchase models side by side: the ``table`` (None when the comparison could not be made) and
    a ``note`` that says which is better, or why there is no table."""

    table: pd.DataFrame | None
    note: str


@dataclass(frozen=True)
class SpendCorrelation:
    """Correlation of frequency and mean spend among the repeat customers (:func:`spend_frequency_correlation`).

    The correlations are NaN with fewer than three repeat customers, or when frequency or spend
    does not vary.
    """

    pearson: float
    spearman: float
    n_customers: int

    @property
    def note(self) -> str:
        """The correlation in words: weak (|ρ| < 0.3), moderate (< 0.5) or strong, and what it means."""
        return text._correlation_note(self)


@dataclass(frozen=True)
class TruthCheck:
    """Fitted values against the ground truth of synthetic data (:func:`truth_check`): the ``table``
    (None when there is no truth) and a ``note`` with the AUC of P(alive), or why it was skipped."""

    table: pd.DataFrame | None
    note: str


class HistoryMatrices(NamedTuple):
    """P(alive) and expected purchases on a (frequency × recency) grid (:func:`history_matrices`)."""

    p_alive: pd.DataFrame
    purchases: pd.DataFrame


def _compare_models(models: dict[str, object]) -> pd.DataFrame:
    """Log-likelihood, number of parameters and AIC of fitted models (lower AIC is better).

    The models must have been fitted to the same customers, in the same time unit.
    """
    rows = {name: {"log_likelihood": m.log_likelihood_, "n_params": len(m.params_), "aic": m.aic_}
            for name, m in models.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["delta_aic"] = table["aic"] - table["aic"].min()
    return table.sort_values("aic")


#: Above this many customers the Pareto/NBD comparisons fit on a seeded random sample: its likelihood
#: is a quadrature per customer history, about twenty times the cost of BG/NBD's, and a diagnostic
#: that chooses between two models needs a few thousand histories, not millions.
PARETO_MAX_CUSTOMERS: int = 10_000


def _sample(table: pd.DataFrame, max_customers: int, random_state: int) -> pd.DataFrame:
    """``table`` itself, or ``max_customers`` of its rows drawn without replacement (in table order)."""
    if len(table) <= max_customers:
        return table
    chosen = np.random.default_rng(random_state).choice(len(table), size=max_customers, replace=False)
    return table.iloc[np.sort(chosen)]


def compare_with_pareto(customers: pd.DataFrame, purchase_model: BetaGeoModel, *,
                        max_customers: int = PARETO_MAX_CUSTOMERS, random_state: int = 0) -> ModelComparison:
    """Fit Pareto/NBD to the same customers and compare it with ``purchase_model`` by AIC.

    With more than ``max_customers`` customers both models are fitted to a random sample of
    that many (seeded by ``random_state``), so that AIC compares them on the same histories;
    the note says so.

    Returns
    -------
    ModelComparison: ``table`` (:func:`_compare_models` of the two) and ``note`` (which fits
    better); the table is None and the note gives the reason when Pareto/NBD cannot be fitted
    (too few customers, no convergence).
    """
    _check_customers(customers, ["frequency", "recency", "T"], "compare_with_pareto")
    sample = _sample(customers, max_customers, random_state)
    histories = [sample[c] for c in ("frequency", "recency", "T")]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            pareto = ParetoNBDModel().fit(*histories)
            if len(sample) < len(customers):
                purchase_model = BetaGeoModel().fit(*histories)
    except DataError as error:
        return ModelComparison(None, text._pareto_not_fitted(error))
    table = _compare_models({"BG/NBD": purchase_model, "Pareto/NBD": pareto})
    return ModelComparison(table, text._pareto_comparison(table, len(sample), len(customers)))


def spend_frequency_correlation(customers: pd.DataFrame) -> SpendCorrelation:
    """Correlation of ``frequency`` and ``monetary_value`` among repeat customers.

    Gamma-Gamma assumes spend per purchase is independent of how often a customer buys;
    a correlation near 0 (say |ρ| < 0.3) supports the assumption.

    Returns
    -------
    SpendCorrelation: ``pearson``, ``spearman``, ``n_customers`` and its ``note``; the
    correlations are NaN with fewer than three repeat customers, or when frequency or spend
    does not vary.
    """
    _check_customers(customers, ["frequency", "monetary_value"], "spend_frequency_correlation")
    repeat = _repeat_customers(customers)
    f, m = repeat["frequency"].astype(float), repeat["monetary_value"].astype(float)
    enough = len(repeat) >= 3 and f.nunique() > 1 and m.nunique() > 1
    return SpendCorrelation(pearson=float(f.corr(m)) if enough else np.nan,
                            spearman=float(f.corr(m, method="spearman")) if enough else np.nan,
                            n_customers=len(repeat))


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
    clean: CleanLines,
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
    closed form. ``clean`` is a frame of clean lines or their Parquet file
    (:func:`segkit.engine.clean_lines`); the daily counts are computed in the engine.

    Returns
    -------
    DataFrame indexed by ``date``: ``actual``, ``expected``, ``cumulative_actual``,
    ``cumulative_expected``.
    """
    span = check_clean_lines(clean, columns=("customer_id", "order_date", "quantity"), where="purchase_tracking")
    last_cal = pd.Timestamp(calibration_end).normalize()
    last = span["last"].normalize() if holdout_end in (None, "") else pd.Timestamp(holdout_end).normalize()
    if last <= last_cal:
        raise DataError(f"holdout_end {last.date()} must be after calibration_end {last_cal.date()}.")
    counts = duck.purchase_day_counts(clean, last_cal, last + pd.Timedelta(days=1))
    is_first = (counts["kind"] == "first").to_numpy()
    if not is_first.any():
        raise DataError(f"No customer bought on or before calibration_end {last_cal.date()}: choose a later date.")
    days = counts["day"].astype("datetime64[ns]")  # DATE from the engine: typed, nothing to parse
    origin = days[is_first].min()
    offset = (days - origin).dt.days.to_numpy()
    n_days = int((last - origin).days) + 1
    n = counts["n"].to_numpy(float)
    actual = np.bincount(offset[~is_first], weights=n[~is_first], minlength=n_days)[:n_days]
    cohort = np.bincount(offset[is_first], weights=n[is_first], minlength=n_days)[:n_days]
    curve = np.asarray(model.expected_purchases_new_customer(np.arange(n_days, dtype=float)))  # ages 0, 1, ...
    cumulative_expected = np.convolve(cohort, curve)[:n_days]
    dates = pd.date_range(origin, periods=n_days, freq="D", name="date")
    return pd.DataFrame({"actual": actual, "expected": np.diff(cumulative_expected, prepend=0.0),
                         "cumulative_actual": actual.cumsum(), "cumulative_expected": cumulative_expected},
                        index=dates)


@dataclass(frozen=True)
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

    def compare_with_pareto(self, *, max_customers: int = PARETO_MAX_CUSTOMERS,
                            random_state: int = 0) -> ModelComparison:
        """Pareto/NBD fitted on the same calibration period, and both models' holdout errors: :func:`compare_on_holdout`."""
        return compare_on_holdout(self, max_customers=max_customers, random_state=random_state)


def holdout_validation(clean: CleanLines, *, snapshot_date: str | pd.Timestamp,
                       holdout_days: int) -> HoldoutValidation:
    """Fit BG/NBD on all but the last ``holdout_days`` days before ``snapshot_date`` and check it on them.

    ``snapshot_date`` is exclusive, as in :func:`segkit.data.customer_table` (the day after the
    data): the holdout is the ``holdout_days`` days before it, and calibration everything up to
    the day before the holdout (:func:`segkit.data.calibration_holdout`, whose dates are the
    last days of their periods). The result holds the calibration table, the model, its
    predictions, :func:`holdout_by_frequency`, :func:`holdout_errors` of the model and of
    :func:`_naive_holdout_forecast`, :func:`purchase_tracking`, and a summary sentence.

    Validation is skipped, with the reason in ``summary`` and no error, when ``holdout_days``
    is 0, when the data do not reach back before the holdout (history too short), or when the
    model cannot be fitted on the calibration period.
    """
    snapshot = pd.Timestamp(snapshot_date).normalize()
    if holdout_days <= 0:
        return HoldoutValidation(text._holdout_skipped())
    holdout_end = snapshot - pd.Timedelta(days=1)
    calibration_end = holdout_end - pd.Timedelta(days=int(holdout_days))
    first = check_clean_lines(clean)["first"].normalize()
    if calibration_end < first:
        return HoldoutValidation(text._holdout_too_short(holdout_days, first, holdout_end), calibration_end,
                                 holdout_end)
    cal_hold = calibration_holdout(clean, calibration_end=calibration_end, holdout_end=holdout_end)
    x, r, t = cal_hold["frequency_cal"], cal_hold["recency_cal"], cal_hold["T_cal"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            model = BetaGeoModel().fit(x, r, t)
    except DataError as error:
        return HoldoutValidation(text._holdout_not_fitted(calibration_end, error), calibration_end, holdout_end,
                                 cal_hold)
    predicted = model.expected_purchases(x, r, t, t=float(holdout_days))
    result = HoldoutValidation(
        "", calibration_end, holdout_end, cal_hold, model, predicted, holdout_by_frequency(cal_hold, predicted),
        holdout_errors(cal_hold["frequency_holdout"], predicted),
        holdout_errors(cal_hold["frequency_holdout"], _naive_holdout_forecast(cal_hold, t=holdout_days)),
        purchase_tracking(model, clean, calibration_end=calibration_end, holdout_end=holdout_end))
    return dataclasses.replace(result, summary=text._validation_sentence(result, holdout_days))


def compare_on_holdout(validation: HoldoutValidation, *, max_customers: int = PARETO_MAX_CUSTOMERS,
                       random_state: int = 0) -> ModelComparison:
    """Pareto/NBD fitted on the same calibration period as ``validation`` and both models' holdout errors.

    With more than ``max_customers`` calibration customers, Pareto/NBD is fitted to a random
    sample of that many (seeded by ``random_state``) and both models' errors are measured on it.

    Returns
    -------
    ModelComparison: ``table`` with :func:`holdout_errors` (total error %, MAE, RMSE,
    correlation) of BG/NBD and Pareto/NBD side by side, and ``note``; the table is None and the
    note gives the reason when there is no validation or Pareto/NBD cannot be fitted.
    """
    if not validation.done:
        return ModelComparison(None, validation.summary)
    sample = _sample(validation.cal_hold, max_customers, random_state)
    columns = [sample[c] for c in ("frequency_cal", "recency_cal", "T_cal")]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            pareto = ParetoNBDModel().fit(*columns)
    except DataError as error:
        return ModelComparison(None, text._holdout_pareto_not_fitted(error))
    duration = float(sample["duration_holdout"].iloc[0])
    predicted = pareto.expected_purchases(*columns, t=duration)
    bgnbd_errors = (validation.errors if len(sample) == len(validation.cal_hold) else
                    holdout_errors(sample["frequency_holdout"], validation.predicted.loc[sample.index]))
    table = pd.DataFrame({"BG/NBD": bgnbd_errors,
                          "Pareto/NBD": holdout_errors(sample["frequency_holdout"], predicted)})
    table = table.loc[["total_error_pct", "mae", "rmse", "correlation"]]
    return ModelComparison(table, text._holdout_comparison(table, len(sample), len(validation.cal_hold)))


def history_matrices(model: BetaGeoModel | ParetoNBDModel, *, T: float, t: float, max_frequency: int = 20,
                     n_recency: int = 25) -> HistoryMatrices:
    """P(alive) and expected purchases in the next ``t`` time units, for customers of age ``T``,
    by frequency (rows, 0 to ``max_frequency``) and recency (columns, ``n_recency`` steps from 0 to ``T``).

    Cells with frequency 0 and recency > 0 are impossible and left empty (NaN).

    Returns
    -------
    HistoryMatrices: ``p_alive`` and ``purchases``.
    """
    return HistoryMatrices(
        _history_matrix(model.probability_alive, T=T, max_frequency=max_frequency, n_recency=n_recency),
        _history_matrix(lambda x, r, age: model.expected_purchases(x, r, age, t=t), T=T,
                        max_frequency=max_frequency, n_recency=n_recency))


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


def _naive_holdout_forecast(cal_hold: pd.DataFrame, *, t: float) -> pd.Series:
    """The benchmark forecast "same rate as before": calibration repeat purchases per day × ``t``."""
    return cal_hold["frequency_cal"] / cal_hold["T_cal"].clip(lower=1) * t


def truth_check(truth_path: object, customers: pd.DataFrame, predictions: pd.DataFrame,
                purchase_model: BetaGeoModel, spend_model: GammaGammaModel) -> TruthCheck:
    """Fitted population means against the ground truth of synthetic data, and the AUC of P(alive).

    Parameters
    ----------
    truth_path : path or None
        CSV with ``customer_id``, ``purchase_rate_per_day``, ``dropout_prob``, ``mean_order_value``,
        ``alive_at_end`` (as written by :mod:`segkit.datasets`). Missing file, None, or a file that
        covers fewer than half of ``customers`` skips the check.

    Returns
    -------
    TruthCheck: ``table`` compares the fitted values with the truth of all customers and of
    the repeat customers (None when skipped); ``note`` gives the AUC or says the check was skipped.
    """
    from pathlib import Path

    columns = ["purchase_rate_per_day", "dropout_prob", "mean_order_value", "alive_at_end"]
    truth = (pd.read_csv(truth_path, dtype={"customer_id": str}, index_col="customer_id").reindex(customers.index)
             if truth_path is not None and Path(truth_path).exists() else None)
    if truth is None or truth["purchase_rate_per_day"].isna().mean() > 0.5:
        return TruthCheck(None, text._NO_TRUTH)
    repeat = customers["frequency"] > 0
    means = purchase_model.population_means()
    table = pd.DataFrame({
        "fitted": [means["purchase_rate"], means["dropout_prob"], spend_model.population_mean_spend(),
                   predictions["p_alive"].mean()],
        "truth, all customers": [truth[c].mean() for c in columns],
        "truth, repeat customers": [truth.loc[repeat, c].mean() for c in columns],
    }, index=["mean purchase rate per day", "mean drop-out probability", "mean order value", "share still active"])
    known = truth["alive_at_end"].notna().to_numpy()  # customers the file does not cover are neither alive nor lapsed
    auc = roc_auc_score(truth["alive_at_end"][known].astype(bool), predictions["p_alive"][known])
    return TruthCheck(table, text._truth_auc(auc))
