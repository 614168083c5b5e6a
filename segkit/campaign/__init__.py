"""Campaign ROI: what each segment earns, what a campaign really earned, where the next budget goes.

Four questions, four parts:

1. **Segment economics** (:func:`segment_economics`): revenue, profit, marketing cost and ROI per
   segment, and the break-even response rate of one more contact.
2. **Campaign measurement** (:class:`CampaignLift`): from a randomised campaign (treatment vs
   control) estimate per segment and overall the response rates, absolute and relative lift with
   confidence intervals (two-proportion test), revenue per customer lift with a seeded, vectorised
   bootstrap interval, incremental revenue and profit and the campaign's ROI with its interval.
3. **Targeted vs mass** (:meth:`CampaignLift.targeting`): what the campaign would have earned sent to
   everyone versus only to the segments whose measured incremental profit is positive.
4. **Budget allocation** (:func:`planning_table`, :func:`allocate_budget`, :func:`budget_curve`):
   spread a budget over segments to maximise expected incremental profit, capped at segment size.

One module per job; this ``__init__`` re-exports the public API (as scikit-learn does):

- :mod:`~segkit.campaign.segments`: the segmentation dispatcher (:func:`segment_customers`);
- :mod:`~segkit.campaign.economics`: the money conventions and :func:`segment_economics`;
- :mod:`~segkit.campaign.io`: read and validate campaign files, join segments, and
  :func:`match_campaign` (does a file belong to these customers?);
- :mod:`~segkit.campaign.stats`: Wilson and Newcombe intervals, the stratified bootstrap;
- :mod:`~segkit.campaign.lift`: the :class:`CampaignLift` estimator;
- :mod:`~segkit.campaign.budget`: planning table, budget allocation, budget curve;
- :mod:`~segkit.campaign.text`: headlines, sentences and per-segment actions, written from numbers;
- :mod:`~segkit.campaign.export`: the plan a CRM needs (:func:`plan_export`);
- :mod:`~segkit.campaign.study`: :func:`campaign_study`, measure and plan in one call;
- :mod:`~segkit.campaign.simulate`: the campaign simulator with planted uplift (``python -m
  segkit.campaign`` writes the default campaign files);
- :mod:`~segkit.campaign.plots`: axes-level plots.
"""

from segkit.campaign.simulate import (
    DEFAULT_CAMPAIGN_PATH,
    DEFAULT_CAMPAIGN_TRUTH_PATH,
    DEFAULT_UPLIFT,
    FALLBACK_UPLIFT,
    HISTORY_COLUMNS,
    ORDER_SHAPE,
    RECENCY_SCALE_DAYS,
    TRUTH_COLUMNS,
    WINDOW_DAYS,
    assign_groups,
    baseline_response,
    campaign_truth,
    compare_with_truth,
    draw_outcomes,
    planted_uplift,
    simulate_campaign,
    truth_by_segment,
)
from segkit.campaign.economics import (
    DEFAULT_CONTACT_COST,
    DEFAULT_CONTACTS_PER_CUSTOMER,
    DEFAULT_COST_PER_ORDER,
    DEFAULT_MARGIN,
    TOTAL_LABEL,
    annual_values,
    segment_economics,
)
from segkit.campaign.segments import SEGMENTATIONS, segment_customers
from segkit.campaign.io import (
    CAMPAIGN_COLUMNS,
    FIT_MIN_MATCH,
    GROUP_LABELS,
    MIN_CAMPAIGN_MATCH,
    CampaignChoice,
    campaign_coverage,
    check_campaign_match,
    load_campaign,
    match_campaign,
    validate_campaign,
)
from segkit.campaign.stats import bootstrap_mean_difference, two_proportion_test, wilson_interval
from segkit.campaign.lift import CampaignLift
from segkit.campaign.budget import (
    BudgetCurve,
    allocate_budget,
    budget_curve,
    compare_allocations,
    planning_table,
)
from segkit.campaign.text import (
    assumed_headline,
    budget_curve_words,
    headline,
    multiple_testing_words,
    segment_actions,
)
from segkit.campaign.export import MEASURED_EXPORT_COLUMNS, plan_export
from segkit.campaign.study import CampaignStudy, campaign_study
from segkit.campaign.plots import plot_allocation, plot_budget_curve, plot_lift, plot_segment_profit

__all__ = [
    "CAMPAIGN_COLUMNS",
    "DEFAULT_CAMPAIGN_PATH",
    "DEFAULT_CAMPAIGN_TRUTH_PATH",
    "DEFAULT_CONTACTS_PER_CUSTOMER",
    "DEFAULT_CONTACT_COST",
    "DEFAULT_COST_PER_ORDER",
    "DEFAULT_MARGIN",
    "DEFAULT_UPLIFT",
    "FALLBACK_UPLIFT",
    "FIT_MIN_MATCH",
    "GROUP_LABELS",
    "HISTORY_COLUMNS",
    "MEASURED_EXPORT_COLUMNS",
    "MIN_CAMPAIGN_MATCH",
    "ORDER_SHAPE",
    "RECENCY_SCALE_DAYS",
    "SEGMENTATIONS",
    "TOTAL_LABEL",
    "TRUTH_COLUMNS",
    "WINDOW_DAYS",
    "BudgetCurve",
    "CampaignChoice",
    "CampaignLift",
    "CampaignStudy",
    "allocate_budget",
    "annual_values",
    "assign_groups",
    "assumed_headline",
    "baseline_response",
    "bootstrap_mean_difference",
    "budget_curve",
    "budget_curve_words",
    "campaign_coverage",
    "campaign_study",
    "campaign_truth",
    "check_campaign_match",
    "compare_allocations",
    "compare_with_truth",
    "draw_outcomes",
    "headline",
    "load_campaign",
    "match_campaign",
    "multiple_testing_words",
    "plan_export",
    "planted_uplift",
    "planning_table",
    "plot_allocation",
    "plot_budget_curve",
    "plot_lift",
    "plot_segment_profit",
    "segment_actions",
    "segment_customers",
    "segment_economics",
    "simulate_campaign",
    "truth_by_segment",
    "two_proportion_test",
    "validate_campaign",
    "wilson_interval",
]
