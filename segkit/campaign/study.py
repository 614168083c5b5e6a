"""The one call a report makes: measure the campaign (when it belongs to the customers) and plan the next budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from segkit.campaign._checks import _check_margin, _segments
from segkit.campaign.budget import _allocate, _check_plan, _compare_allocations, _planning_table
from segkit.campaign.economics import DEFAULT_CONTACT_COST, DEFAULT_MARGIN, TOTAL_LABEL
from segkit.campaign.io import CampaignChoice, _check_campaign_match
from segkit.campaign.lift import CampaignLift
from segkit.campaign.simulate import truth_by_segment
from segkit.campaign.text import campaign_headline
from segkit.data import check_customer_table


@dataclass(frozen=True)
class CampaignStudy:
    """Everything a campaign report shows, from :func:`campaign_study`.

    Attributes
    ----------
    model : CampaignLift or None
        The fitted measurement; None when no campaign belongs to the customers.
    lift : DataFrame or None
        ``model.lift_``.
    true_lift : DataFrame or None
        :func:`segkit.campaign.truth_by_segment` for the recomputed segments (simulations only).
    targeting : DataFrame or None
        :meth:`CampaignLift.targeting`, with ``true_incremental_profit`` when the truth is known.
    plan, allocation, choices : DataFrame
        :func:`planning_table` (measured or assumed uplift), :func:`allocate_budget` and
        :func:`compare_allocations` at the budget.
    headline : str
        :func:`~segkit.campaign.text.campaign_headline` in Markdown.
    """

    model: CampaignLift | None
    lift: pd.DataFrame | None
    true_lift: pd.DataFrame | None
    targeting: pd.DataFrame | None
    plan: pd.DataFrame
    allocation: pd.DataFrame
    choices: pd.DataFrame
    headline: str


def campaign_study(
    choice: CampaignChoice,
    customers: pd.DataFrame,
    *,
    budget: float,
    planned_uplift: float | Mapping[str, float] | pd.Series,
    value_col: str | None = None,
    segment_col: str = "segment",
    margin: float = DEFAULT_MARGIN,
    contact_cost: float = DEFAULT_CONTACT_COST,
    n_boot: int = 2000,
    random_state: int | None = None,
) -> CampaignStudy:
    """Measure the campaign of ``choice`` (if it is used) and plan the next budget, each step once.

    The customer table is checked once here; ``choice.campaign`` was validated by
    :func:`match_campaign` and is trusted.

    With a campaign: :class:`CampaignLift` is fitted, the plan uses the measured ``abs_lift``, and
    the planted truth (when ``choice.truth`` exists) is summarised per recomputed segment and added
    to the targeting table. Without one: the plan uses ``planned_uplift`` and the headline says so.

    Parameters
    ----------
    choice : CampaignChoice
        From :func:`match_campaign`.
    customers : DataFrame
        Customer table with ``segment_col`` (and ``value_col`` when given).
    budget : float
        Money available for the next campaign's contacts.
    planned_uplift : float, mapping or Series
        Assumed uplift per contact, used only when no campaign is measured.
    value_col, segment_col, margin, contact_cost
        See :func:`planning_table` and :class:`CampaignLift`.
    n_boot, random_state
        Bootstrap replicates and seed of :class:`CampaignLift`.

    Returns
    -------
    CampaignStudy
    """
    segments = _segments(customers, segment_col)
    _check_margin(margin)
    check_customer_table(customers, [value_col or "avg_order_value"], fix="pass value_col= a column of the table")
    model = lift = true_lift = targeting = None
    if choice.used:
        model, lift, true_lift, targeting = _measure(
            choice, customers[segment_col], segments, margin=margin, contact_cost=contact_cost, n_boot=n_boot,
            random_state=random_state,
        )
    uplift = planned_uplift if lift is None else lift["abs_lift"]
    plan = _planning_table(segments, customers, uplift=uplift, contact_cost=contact_cost, margin=margin,
                           value_per_response=None, value_col=value_col)
    _check_plan(plan, budget)
    allocation = _allocate(plan, budget)
    choices = _compare_allocations(plan, budget, allocation)
    text = campaign_headline(targeting, choices, budget=budget, assumed_uplift=None if model else planned_uplift)
    return CampaignStudy(model, lift, true_lift, targeting, plan, allocation, choices, text)


def _measure(choice: CampaignChoice, labels: pd.Series, segments: pd.Series, *, margin: float, contact_cost: float,
             n_boot: int, random_state: int | None):
    """Fit :class:`CampaignLift` on the trusted campaign of ``choice``; add the planted truth when known.

    ``labels`` is the raw segment column, ``segments`` the same checked by ``_segments``.
    """
    model = CampaignLift(segment_col=labels.name, margin=margin, contact_cost=contact_cost, n_boot=n_boot,
                         random_state=random_state)
    model._check_params()
    _check_campaign_match(choice.coverage, min_match=model.min_match)
    lift = model._fit(choice.campaign, segments, choice.coverage).lift_
    true_lift = None
    if choice.truth is not None:
        true_lift = truth_by_segment(choice.truth, segments=labels).reindex(lift.index.drop(TOTAL_LABEL))
    targeting = model.targeting(true_revenue_lift=None if true_lift is None else true_lift["revenue_lift"])
    return model, lift, true_lift, targeting
