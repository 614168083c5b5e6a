"""Customer lifetime value: what each customer is worth, how sure we are, who is slipping away.

Two approaches, from simple to model-based:

* **Historical CLV** (:func:`historical_clv`): average order value × orders per year × margin
  × expected lifetime in years, the lifetime coming from the churn rate observed in the data
  (lifetime = 1 / churn, or (1 + d) / (d + churn) with an annual discount rate d). Plus the
  customer pyramid (top 1%, next 4%, next 15%, rest) and value tiers (:func:`value_tiers`).
* **Probabilistic CLV**: the BG/NBD model (:class:`BetaGeoModel`) predicts purchases and the
  probability that a customer is still active; the Gamma-Gamma model
  (:class:`GammaGammaModel`) predicts the value of those purchases; :func:`fit_models` fits
  both and :func:`predict_clv` combines them over a horizon, with margin and discounting.

:func:`clv_analysis` runs the whole report on a customer table, validating it once: models,
predictions, tiers, an interval around the total, the win-back list, the historical formula
and the pyramid, and the sentences that describe them (``CLVAnalysis.notes``).

Time is in the data's unit: **days** for :func:`segkit.data.customer_table`. Horizons are in
days; discount rates are annual and converted with ``periods_per_year`` (default 365.25),
never with a hidden "30 days = 1 month" factor.

The report helpers (:func:`clv_analysis`, :func:`holdout_validation`,
:func:`compare_with_pareto`, :func:`truth_check`) do not stop on thin data: a history too short
for the holdout or for the churn window, parameters the data cannot pin down, too few paid
repeat purchases. They return what can be computed and a sentence that says what could not,
and why. Their results are frozen dataclasses that carry their own words (``note``).

Modules (the public names are re-exported here; import them from :mod:`segkit.clv`):

==================  =========================================================================
``bgnbd``           BG/NBD purchase model (``_quadrature``: its expected-purchases integral)
``gamma_gamma``     Gamma-Gamma spend model and the plain-average fallback
``pareto``          Pareto/NBD purchase model, for comparison
``_fit``            maximum-likelihood machinery and input checks shared by the three models
``value``           historical CLV, tiers and the pyramid, win-back list, segments, CRM export
``predict``         fit both models to a customer table, predict CLV
``bootstrap``       an interval around the total CLV from parameter draws
``analysis``        the whole analysis in one call, validated once
``diagnostics``     holdout validation, tracking, model comparison, P(alive) matrices
``text``            the report's sentences, written from the numbers
``simulate``        customers and transaction logs drawn from the models (:mod:`segkit.datasets`)
``plots``           the CLV charts (not re-exported: ``from segkit.clv import plots``)
==================  =========================================================================
"""

from segkit.clv._fit import FitWarning  # not in __all__ (its messages are kept on the models; tests catch it)
from segkit.clv.analysis import clv_analysis
from segkit.clv.bgnbd import BetaGeoModel
from segkit.clv.diagnostics import (
    compare_with_pareto,
    history_matrices,
    holdout_validation,
    spend_frequency_correlation,
    truth_check,
)
from segkit.clv.gamma_gamma import GammaGammaModel
from segkit.clv.pareto import ParetoNBDModel
from segkit.clv.predict import fit_models, predict_clv
from segkit.clv.value import crm_export, historical_clv, segment_value, value_tiers

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "ParetoNBDModel",
    "clv_analysis",
    "compare_with_pareto",
    "crm_export",
    "fit_models",
    "historical_clv",
    "history_matrices",
    "holdout_validation",
    "predict_clv",
    "segment_value",
    "spend_frequency_correlation",
    "truth_check",
    "value_tiers",
]
