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

One module per job; this ``__init__`` re-exports the public API (as scikit-learn does). Names
used only inside the family (the simulator's building blocks, the interval helpers, the money
defaults, the headline writer) stay in their modules and are not re-exported:

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

from segkit.campaign.simulate import campaign_truth, compare_with_truth, simulate_campaign
from segkit.campaign.economics import TOTAL_LABEL, annual_values, segment_economics
from segkit.campaign.segments import segment_customers
from segkit.campaign.io import MIN_CAMPAIGN_MATCH, CampaignChoice, load_campaign, match_campaign, validate_campaign
from segkit.campaign.lift import CampaignLift
from segkit.campaign.budget import BudgetCurve, allocate_budget, budget_curve, compare_allocations, planning_table
from segkit.campaign.text import budget_curve_words, campaign_actions, multiple_testing_words
from segkit.campaign.export import plan_export
from segkit.campaign.study import CampaignStudy, campaign_study
from segkit.campaign.plots import plot_allocation, plot_budget_curve, plot_lift, plot_segment_profit

__all__ = [
    "MIN_CAMPAIGN_MATCH",
    "TOTAL_LABEL",
    "BudgetCurve",
    "CampaignChoice",
    "CampaignLift",
    "CampaignStudy",
    "allocate_budget",
    "annual_values",
    "budget_curve",
    "budget_curve_words",
    "campaign_actions",
    "campaign_study",
    "campaign_truth",
    "compare_allocations",
    "compare_with_truth",
    "load_campaign",
    "match_campaign",
    "multiple_testing_words",
    "plan_export",
    "planning_table",
    "plot_allocation",
    "plot_budget_curve",
    "plot_lift",
    "plot_segment_profit",
    "segment_customers",
    "segment_economics",
    "simulate_campaign",
    "validate_campaign",
]
