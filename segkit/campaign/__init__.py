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

One module per job; this ``__init__`` re-exports the public API (as scikit-learn does). A report
needs one call per step: :func:`match_campaign` (which campaign file, if any, belongs to the
customers), then :func:`campaign_study` (the measurement, the plan, the actions, the export and
their words, in a frozen :class:`~segkit.campaign.study.CampaignStudy`). Names used only inside the
family or by tests (the result types, the simulator's building blocks, the interval helpers, the
money defaults, the sentence writers) stay in their modules and are not re-exported; the
simulator itself is :func:`segkit.datasets.simulate_campaign`:

- :mod:`~segkit.campaign.segments`: the segmentation dispatcher (:func:`segment_customers`);
- :mod:`~segkit.campaign.economics`: the money conventions and :func:`segment_economics`;
- :mod:`~segkit.campaign.io`: read and validate campaign files, join segments, and
  :func:`match_campaign` (does a file belong to these customers?);
- :mod:`~segkit.campaign.stats`: Wilson and Newcombe intervals, the stratified bootstrap;
- :mod:`~segkit.campaign.lift`: the :class:`CampaignLift` estimator;
- :mod:`~segkit.campaign.budget`: planning table, budget allocation, budget curve;
- :mod:`~segkit.campaign.text`: headlines, sentences and per-segment actions, written from numbers;
- :mod:`~segkit.campaign.export`: the plan a CRM needs (:func:`~segkit.campaign.export.plan_export`);
- :mod:`~segkit.campaign.study`: :func:`campaign_study`, measure and plan in one call;
- :mod:`~segkit.campaign.simulate`: the campaign simulator with planted uplift (``python -m
  segkit.campaign`` writes the default campaign files);
- :mod:`~segkit.campaign.plots`: axes-level plots.
"""

from segkit.campaign.simulate import compare_with_truth  # noqa: F401  (not in __all__: tests call campaign.compare_with_truth)
from segkit.campaign.economics import annual_values, segment_economics
from segkit.campaign.segments import segment_customers
from segkit.campaign.io import match_campaign, validate_campaign
from segkit.campaign.lift import CampaignLift
from segkit.campaign.budget import allocate_budget, budget_curve, planning_table
from segkit.campaign.text import export_words
from segkit.campaign.study import campaign_study
from segkit.campaign.plots import plot_allocation, plot_budget_curve, plot_lift, plot_segment_profit

__all__ = [
    "CampaignLift",
    "allocate_budget",
    "annual_values",
    "budget_curve",
    "campaign_study",
    "export_words",
    "match_campaign",
    "planning_table",
    "plot_allocation",
    "plot_budget_curve",
    "plot_lift",
    "plot_segment_profit",
    "segment_customers",
    "segment_economics",
    "validate_campaign",
]
