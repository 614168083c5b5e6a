"""The words the campaign reports show, written from computed numbers: headlines, sentences, actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from segkit.campaign.economics import TOTAL_LABEL
from segkit.errors import DataError
from segkit.present import money_text

__all__ = ["export_words"]  # the other writers are called by campaign_study and match_campaign

if TYPE_CHECKING:
    from segkit.campaign.budget import BudgetCurve
    from segkit.campaign.io import CampaignCoverage
    from segkit.campaign.lift import CampaignLift


def _result(amount: float) -> str:
    return f"a loss of {money_text(-amount)}" if amount < 0 else f"a profit of {money_text(amount)}"


def coverage_words(coverage: CampaignCoverage) -> str:
    """How many campaign customers are in the customer table, e.g. ``'9 of 10 campaign customers (90.0%)'``."""
    return f"{coverage.matched:,} of {coverage.campaign_rows:,} campaign customers ({coverage.match_share:.1%})"


_NOT_MEASURED = (
    " **No campaign is measured:** there is no measured lift, no comparison with a planted truth and no "
    "targeting result, and the budget plan rests on an assumed uplift per contact (parameter "
    "`planned_uplift`), not on a measurement. To measure a campaign, pass the results of one run on these "
    "customers, with a random control group, as `campaign_path`."
)


def match_note(
    reason: str, *, file_name: str = "", coverage: CampaignCoverage | None = None, min_match: float = 0.0
) -> str:
    """One Markdown paragraph saying whether a campaign file is measured and why (see :func:`match_campaign`).

    ``reason`` is a :attr:`CampaignChoice.reason`; ``coverage`` (from :func:`campaign_coverage`) and
    ``min_match`` are needed for the reasons that follow reading the file.
    """
    if reason == "no file":
        return "No campaign file was given (`campaign_path` is empty)." + _NOT_MEASURED
    if reason == "not found":
        return f"The campaign file `{file_name}` does not exist." + _NOT_MEASURED
    matched = f"{coverage_words(coverage)} in `{file_name}`"
    if reason == "other customers":
        return (f"Only {matched} are in the customer table; a campaign is measured only when at least "
                f"{min_match:.0%} are, so this file was run on other customers." + _NOT_MEASURED)
    if reason == "sample campaign":
        return (f"{matched} match customer ids of these transactions, but this file is the simulated campaign "
                "of the sample transactions: the ids coincide by chance." + _NOT_MEASURED)
    return (f"{matched} are in the customer table (at least {min_match:.0%} needed), so the campaign belongs "
            "to these customers and is measured below.")


def budget_curve_words(curve: BudgetCurve) -> str:
    """One sentence on a :func:`budget_curve`: where the optimum stops growing and what contacting everyone earns.

    Examples
    --------
    >>> from segkit.campaign.budget import budget_curve
    >>> plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0],
    ...                      "profit_per_contact": [2.0, -0.5]}, index=["A", "B"])
    >>> from segkit.present import using_currency
    >>> with using_currency("£"):
    ...     print(budget_curve_words(budget_curve(plan)))  # doctest: +NORMALIZE_WHITESPACE
    The expected profit stops growing at a budget of £100, when every segment that pays is fully contacted;
     contacting every customer would cost £200 and is expected to bring a profit of £150.
    """
    everyone = (f"contacting every customer would cost {money_text(curve.full_cost)} and is expected to bring "
                f"{_result(float(curve.table['mass_profit'].iloc[-1]))}")
    if curve.saturation <= 0:
        return (f"No segment pays at this uplift and these costs, so the best budget is 0: contact nobody; "
                f"{everyone}.")
    return (f"The expected profit stops growing at a budget of {money_text(curve.saturation)}, when every "
            f"segment that pays is fully contacted; {everyone}.")


def truth_coverage_words(comparison: pd.DataFrame) -> str:
    """How many response-lift intervals contain the planted truth, from :func:`compare_with_truth`.

    Examples
    --------
    >>> truth_coverage_words(pd.DataFrame({"covered": [True, False, True]}))
    '2 of 3 response-lift intervals contain the true lift.'
    """
    return f"{int(comparison['covered'].sum())} of {len(comparison)} response-lift intervals contain the true lift."


def export_words(export: pd.DataFrame, *, path: str) -> str:
    """One sentence on a written campaign plan (:func:`plan_export`): where, how many contacts, spend and profit.

    ``path`` is the file as the reader should see it; the uplift is called measured when every row's
    ``uplift_source`` is "measured".

    Examples
    --------
    >>> export = pd.DataFrame({"uplift_source": "assumed", "contacts": [400, 0], "spend": [600.0, 0.0],
    ...                        "expected_profit": [1234.4, 0.0]})
    >>> from segkit.present import using_currency
    >>> with using_currency("EUR"):
    ...     print(export_words(export, path="reports/plan.csv"))
    Wrote 2 segments to `reports/plan.csv`: 400 contacts, spend EUR 600, expected profit EUR 1,234; uplift assumed (planned_uplift), not measured.
    """
    measured = len(export) > 0 and bool((export["uplift_source"] == "measured").all())
    source = "measured on the campaign" if measured else "assumed (planned_uplift), not measured"
    return (f"Wrote {len(export)} segments to `{path}`: {int(export['contacts'].sum()):,} contacts, "
            f"spend {money_text(export['spend'].sum())}, "
            f"expected profit {money_text(export['expected_profit'].sum())}; "
            f"uplift {source}.")


def multiple_testing_words(model: CampaignLift | None) -> str:
    """The caution that goes with testing many segments at once, for the recommendations.

    ``model`` is the fitted :class:`CampaignLift`, or None when no campaign was measured.
    """
    if model is None:
        return ("No campaign was measured, so no segment's lift has been tested yet. Measure one with a random "
                "control group, and remember that at the 5% level one segment in twenty without any real lift "
                "looks \"significant\" by chance alone.")
    n_tested = len(model.lift_) - 1
    return (f"{n_tested} segments were tested at once at the {model.alpha:.0%} level: even if the campaign did "
            f"nothing, {n_tested * model.alpha:.1f} of them would be expected to look \"significant\" by chance "
            "alone. Act firmly on large, clear lifts and re-test borderline ones.")


def _plan_words(allocations: pd.DataFrame, budget: float) -> str:
    k = int(allocations["segments"].iloc[0])
    where = f"{k} segment{'s' if k != 1 else ''}"
    spent = allocations["spend"].iloc[0] if "spend" in allocations else budget
    return (f"a budget of {money_text(budget)} spread over {where}" if spent >= budget - 0.5 else
            f"spending {money_text(spent)} of the {money_text(budget)} budget on {where} (more would only buy losses)")


def _uplift_words(assumed_uplift: float | Mapping[str, float] | pd.Series) -> str:
    if np.isscalar(assumed_uplift):
        return f"an assumed uplift of {100 * float(assumed_uplift):.1f} percentage points of response per contact"
    return "an assumed uplift per segment"


def _assumed_headline(
    allocations: pd.DataFrame, *, budget: float, assumed_uplift: float | Mapping[str, float] | pd.Series
) -> str:
    """The headline when no campaign was measured: the plan, labelled as resting on an assumption.

    Examples
    --------
    >>> allocations = pd.DataFrame({"expected_profit": [0.0, -120.0], "segments": [0, 5], "spend": [0.0, 500.0]})
    >>> from segkit.present import using_currency
    >>> with using_currency("£"):
    ...     print(_assumed_headline(allocations, budget=500, assumed_uplift=0.02))  # doctest: +NORMALIZE_WHITESPACE
    **No campaign was measured for these customers: the budget plan rests on an assumed uplift of 2.0
    percentage points of response per contact (parameter `planned_uplift`), not on a measurement.** At
    that uplift no segment earns back its contact cost, so the plan spends nothing; a mass campaign of
    £500 is expected to bring a loss of £120. Measure the real uplift with a campaign that keeps a random control group.
    """
    first = (f"**No campaign was measured for these customers: the budget plan rests on "
             f"{_uplift_words(assumed_uplift)} (parameter `planned_uplift`), not on a measurement.**")
    optimal, mass = allocations["expected_profit"].iloc[0], allocations["expected_profit"].iloc[1]
    if int(allocations["segments"].iloc[0]) == 0:
        plan = (f"At that uplift no segment earns back its contact cost, so the plan spends nothing; a mass "
                f"campaign of {money_text(budget)} is expected to bring {_result(mass)}.")
    else:
        plan = (f"At that uplift, {_plan_words(allocations, budget)} is expected to bring {_result(optimal)}, "
                f"against {_result(mass)} from a mass campaign of the same budget.")
    return f"{first} {plan} Measure the real uplift with a campaign that keeps a random control group."


def campaign_headline(
    targeting: pd.DataFrame | None,
    allocations: pd.DataFrame,
    *,
    budget: float,
    assumed_uplift: float | Mapping[str, float] | pd.Series | None = None,
) -> str:
    """The report's headline, in words, from :meth:`CampaignLift.targeting` and :func:`compare_allocations`.

    With ``targeting=None`` (no campaign measured) the headline is :func:`_assumed_headline` for
    ``assumed_uplift``.

    Examples
    --------
    >>> targeting = pd.DataFrame({"incremental_profit": [900.0, -50.0, -100.0, 300.0], "segments": [5, 5, 5, 2]},
    ...     index=["as run (naive attribution)", "as run (incremental)", "mass: every customer",
    ...            "targeted: positive segments"])
    >>> allocations = pd.DataFrame({"expected_profit": [250.0, 20.0, 200.0], "segments": [2, 5, 1]})
    >>> from segkit.present import using_currency
    >>> with using_currency("£"):
    ...     print(campaign_headline(targeting, allocations, budget=500))  # doctest: +NORMALIZE_WHITESPACE
    **Targeting only the 2 segments with a profitable measured lift would have turned a loss of £100 into a
    profit of £300.** The campaign as run made a loss of £50 once the control group's purchases are netted out;
    a report without a control group would have claimed a profit of £900. For the next campaign, a budget of
    £500 spread over 2 segments is expected to bring a profit of £250, against a profit of £20 from a mass
    campaign of the same budget.
    """
    if targeting is None:
        if assumed_uplift is None:
            raise DataError("no campaign was measured (targeting is None): pass the assumed_uplift the plan used")
        return _assumed_headline(allocations, budget=budget, assumed_uplift=assumed_uplift)
    mass = targeting.loc["mass: every customer", "incremental_profit"]
    targeted = targeting.loc["targeted: positive segments"]
    n, targeted_profit = int(targeted["segments"]), targeted["incremental_profit"]
    who = f"the {n} segment{'s' if n != 1 else ''} with a profitable measured lift"
    if mass < 0 < targeted_profit:
        first = f"Targeting only {who} would have turned {_result(mass)} into {_result(targeted_profit)}."
    else:
        first = (f"Targeting only {who} would have changed the result of contacting everyone from "
                 f"{_result(mass)} to {_result(targeted_profit)}.")
    run = targeting.loc["as run (incremental)", "incremental_profit"]
    naive = targeting.loc["as run (naive attribution)", "incremental_profit"]
    optimal, mass_budget = allocations["expected_profit"].iloc[0], allocations["expected_profit"].iloc[1]
    plan = _plan_words(allocations, budget)
    return (
        f"**{first}** The campaign as run made {_result(run)} once the control group's purchases are netted "
        f"out; a report without a control group would have claimed {_result(naive)}. For the next campaign, "
        f"{plan} is expected to bring {_result(optimal)}, against {_result(mass_budget)} from a mass campaign of the "
        f"same budget."
    )


def _assumed_actions(allocation: pd.DataFrame) -> pd.DataFrame:
    """Actions when the allocation rests on an assumed uplift (no campaign measured)."""
    contacts = np.floor(allocation["contacts"].to_numpy(float) + 1e-6)
    worth = allocation["profit_per_contact"].to_numpy(float) > 0
    value = allocation["value_per_response"].where(allocation["value_per_response"] > 0)
    needed = (100 * allocation["contact_cost"] / value).round(1)
    cannot = "do not contact at the assumed uplift: a contact pays from an uplift of " + needed.astype(str) + " points"
    action = np.select(
        [contacts > 0, worth],
        ["contact (assumed uplift): keep a random control group to measure the real lift",
         "next in line if the budget grows (assumed uplift)"],
        cannot.fillna("do not contact: a response brings no profit").to_numpy(object),
    )
    return pd.DataFrame(
        {"verdict": "not measured", "pays": "assumed", "contacts": contacts.astype(int),
         "size": allocation["size"].astype(int), "action": action},
        index=allocation.index,
    )


def campaign_actions(lift: pd.DataFrame | None, allocation: pd.DataFrame) -> pd.DataFrame:
    """A plain-language action per segment from the measured lift and the budget allocation.

    Parameters
    ----------
    lift : DataFrame or None
        ``CampaignLift.lift_``; None when no campaign was measured and ``allocation`` rests on an
        assumed uplift: then ``verdict`` is "not measured", ``pays`` is "assumed" and the action of a
        segment left out names the uplift from which its contact would pay
        (``contact_cost / value_per_response``).
    allocation : DataFrame
        :func:`allocate_budget` output for the same segments.

    Returns
    -------
    DataFrame
        Indexed by segment: ``verdict``, ``pays``, ``contacts`` (rounded down), ``size``, ``action``.
    """
    if lift is None:
        return _assumed_actions(allocation)
    per = lift.drop(index=TOTAL_LABEL, errors="ignore")
    alloc = allocation.reindex(per.index)
    contacts = np.floor(alloc["contacts"].to_numpy(float) + 1e-6)
    worth = alloc["profit_per_contact"].to_numpy(float) > 0
    sig = per["significant"].to_numpy(bool)
    backfires = sig & (per["abs_lift"].to_numpy(float) < 0)
    action = np.select(
        [
            (contacts > 0) & (per["pays"] == "yes").to_numpy(),
            contacts > 0,
            worth,
            backfires,
            sig,
        ],
        [
            "contact: the lift is measured and pays for the contact",
            "contact, keeping a control group: expected to pay, but the interval still includes a loss",
            "next in line if the budget grows: expected to pay, less than the segments funded first",
            "do not contact: the campaign backfires here",
            "do not contact: a real lift, too small to pay for the contact (try a cheaper channel)",
        ],
        "do not contact: no lift shown; re-test with a larger sample if the segment matters",
    )
    return pd.DataFrame(
        {"verdict": per["verdict"], "pays": per["pays"], "contacts": contacts.astype(int),
         "size": alloc["size"].astype(int), "action": action},
        index=per.index,
    )
