"""The one call a report makes: measure the campaign (when it belongs to the customers) and plan the next budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from segkit.campaign._checks import _check_costs, _check_margin, _segments
from segkit.campaign.budget import BudgetCurve, _allocate, _budget_curve, _compare_allocations, _planning_table
from segkit.campaign.economics import DEFAULT_CONTACT_COST, DEFAULT_MARGIN, TOTAL_LABEL
from segkit.campaign.export import plan_export
from segkit.campaign.io import CampaignChoice, _check_campaign_match
from segkit.campaign.lift import CampaignLift
from segkit.campaign.simulate import compare_with_truth, truth_by_segment
from segkit.campaign.text import (
    budget_curve_words,
    campaign_actions,
    campaign_headline,
    multiple_testing_words,
    truth_coverage_words,
)


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
        :func:`~segkit.campaign.simulate.truth_by_segment` for the recomputed segments (simulations only).
    comparison : DataFrame or None
        :func:`compare_with_truth` of ``lift`` and ``true_lift`` (simulations only), with the
        planted scenario when the segments are the ones the campaign was planted on.
    targeting : DataFrame or None
        :meth:`CampaignLift.targeting`, with ``true_incremental_profit`` when the truth is known.
    plan, allocation, choices : DataFrame
        :func:`planning_table` (measured or assumed uplift), :func:`allocate_budget` and
        :func:`~segkit.campaign.budget.compare_allocations` at the budget.
    curve : BudgetCurve
        :func:`budget_curve` of ``plan``.
    actions : DataFrame
        One action per segment (:func:`~segkit.campaign.text.campaign_actions`).
    export : DataFrame
        The plan a CRM needs (:func:`~segkit.campaign.export.plan_export`).
    headline, curve_words, testing_words : str
        The report's headline in Markdown, the sentence on ``curve`` and the multiple-testing
        caution, written by :mod:`segkit.campaign.text`.
    truth_words : str
        How many response-lift intervals contain the planted truth ("" without a truth).
    """

    model: CampaignLift | None
    lift: pd.DataFrame | None
    true_lift: pd.DataFrame | None
    comparison: pd.DataFrame | None
    targeting: pd.DataFrame | None
    plan: pd.DataFrame
    allocation: pd.DataFrame
    choices: pd.DataFrame
    curve: BudgetCurve
    actions: pd.DataFrame
    export: pd.DataFrame
    headline: str
    curve_words: str
    testing_words: str
    truth_words: str


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

    The customer table, the money settings and the bootstrap settings are checked once here;
    ``choice.campaign`` was validated by :func:`match_campaign` and is trusted, and so is every
    intermediate table.

    With a campaign: :class:`CampaignLift` is fitted, the plan uses the measured ``abs_lift``, and
    the planted truth (when ``choice.truth`` exists) is summarised per recomputed segment, compared
    with the estimates and added to the targeting table. Without one: the plan uses
    ``planned_uplift`` and the headline says so.

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
    segments = _segments(customers, segment_col, needed=[value_col or "avg_order_value"],
                         fix="pass segment_col= a segment column and value_col= a column of the table")
    _check_costs(budget=budget, contact_cost=contact_cost)
    _check_margin(margin)
    model = CampaignLift(segment_col=segment_col, margin=margin, contact_cost=contact_cost, n_boot=n_boot,
                         random_state=random_state)
    model._check_sampling()
    lift = true_lift = comparison = targeting = None
    if choice.used:
        _check_campaign_match(choice.coverage)  # the estimator's own threshold, FIT_MIN_MATCH
        lift = model._fit(choice.campaign, segments, choice.coverage).lift_
        if choice.truth is not None:
            true_lift = truth_by_segment(choice.truth, segments=customers[segment_col]).reindex(
                lift.index.drop(TOTAL_LABEL))
            planted = _planted_on(choice.truth, customers[segment_col])
            comparison = compare_with_truth(lift, true_lift, truth=choice.truth if planted else None)
        targeting = model.targeting(true_revenue_lift=None if true_lift is None else true_lift["revenue_lift"])
    else:
        model = None
    uplift = planned_uplift if lift is None else lift["abs_lift"]
    plan = _planning_table(segments, customers, uplift=uplift, contact_cost=contact_cost, margin=margin,
                           value_per_response=None, value_col=value_col)
    allocation = _allocate(plan, budget)
    choices = _compare_allocations(plan, budget, allocation)
    curve = _budget_curve(plan)
    actions = campaign_actions(lift, allocation)
    return CampaignStudy(
        model=model, lift=lift, true_lift=true_lift, comparison=comparison, targeting=targeting, plan=plan,
        allocation=allocation, choices=choices, curve=curve, actions=actions,
        export=plan_export(allocation, actions, lift=lift),
        headline=campaign_headline(targeting, choices, budget=budget, assumed_uplift=planned_uplift),
        curve_words=budget_curve_words(curve),
        testing_words=multiple_testing_words(model),
        truth_words="" if comparison is None else truth_coverage_words(comparison),
    )


def _planted_on(truth: pd.DataFrame, labels: pd.Series) -> bool:
    """True when every customer of the truth who is in the table has the segment the uplift was planted on."""
    send_time = pd.Series(truth["segment"].astype(str).to_numpy(), index=truth["customer_id"].astype(str))
    now = pd.Series(labels.astype(str).to_numpy(), index=labels.index.astype(str)).reindex(send_time.index)
    known = now.notna()
    return bool(known.any() and (now[known] == send_time[known]).all())
