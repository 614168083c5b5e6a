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

Modules (the public names are re-exported here; import them from :mod:`segkit.clv`):

==================  =========================================================================
``bgnbd``           BG/NBD purchase model (``_quadrature``: its expected-purchases integral)
``gamma_gamma``     Gamma-Gamma spend model and the plain-average fallback
``pareto``          Pareto/NBD purchase model, for comparison
``_fit``            maximum-likelihood machinery and input checks shared by the three models
``value``           historical CLV, tiers and the pyramid, win-back list, CRM export
``predict``         fit both models to a customer table, predict CLV, bootstrap the total
``diagnostics``     holdout validation, tracking, model comparison, P(alive) matrices
``text``            headline, notes and recommendations: the words the report shows
``simulate``        customers and transaction logs drawn from the models (tests, teaching)
``plots``           the CLV charts (not re-exported: ``from segkit.clv import plots``)
==================  =========================================================================
"""

from segkit.clv._common import DAYS_PER_YEAR
from segkit.clv._fit import FitWarning
from segkit.clv.bgnbd import BetaGeoModel
from segkit.clv.diagnostics import (
    HoldoutValidation,
    compare_on_holdout,
    compare_with_pareto,
    expected_purchases_matrix,
    holdout_by_frequency,
    holdout_errors,
    holdout_validation,
    probability_alive_matrix,
    purchase_tracking,
    spend_frequency_correlation,
    truth_check,
)
from segkit.clv.gamma_gamma import AverageSpendModel, GammaGammaModel
from segkit.clv.pareto import ParetoNBDModel
from segkit.clv.predict import (
    TotalCLVInterval,
    bootstrap_total_clv,
    fit_models,
    mean_repeat_spend,
    new_customer_value,
    parameter_summary,
    predict_clv,
    repeat_customers,
)
from segkit.clv.simulate import simulate_bgnbd, simulate_gamma_gamma
from segkit.clv.text import (
    correlation_note,
    fit_notes,
    headline,
    historical_vs_predicted,
    interval_note,
    population_note,
    recommendations,
    win_back_note,
)
from segkit.clv.value import (
    crm_export,
    historical_clv,
    historical_clv_report,
    observed_churn_rate,
    pyramid_tiers,
    segment_value,
    tier_profile,
    tier_summary,
    value_tiers,
    win_back_list,
)

__all__ = [
    "DAYS_PER_YEAR",
    "AverageSpendModel",
    "BetaGeoModel",
    "FitWarning",
    "GammaGammaModel",
    "HoldoutValidation",
    "ParetoNBDModel",
    "TotalCLVInterval",
    "bootstrap_total_clv",
    "compare_on_holdout",
    "compare_with_pareto",
    "correlation_note",
    "crm_export",
    "expected_purchases_matrix",
    "fit_models",
    "fit_notes",
    "headline",
    "historical_clv",
    "historical_clv_report",
    "historical_vs_predicted",
    "holdout_by_frequency",
    "holdout_errors",
    "holdout_validation",
    "interval_note",
    "mean_repeat_spend",
    "new_customer_value",
    "observed_churn_rate",
    "parameter_summary",
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
