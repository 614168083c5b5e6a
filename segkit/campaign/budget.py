"""Budget allocation: spread a budget over segments to maximise expected incremental profit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from segkit.campaign._checks import _check_columns, _check_costs, _check_margin, _examples, _segments
from segkit.campaign.economics import DEFAULT_CONTACT_COST, DEFAULT_MARGIN
from segkit.errors import DataError


def _per_segment(value, labels: pd.Index, name: str) -> pd.Series:
    """Broadcast a scalar or look a mapping/Series up by segment; DataError for missing segments."""
    if np.isscalar(value):
        return pd.Series(float(value), index=labels, name=name)
    series = pd.Series(value, dtype=float)
    series.index = series.index.astype(str)
    missing = labels.difference(series.index)
    if len(missing):
        raise DataError(
            f"{name} has no value for segment(s) {_examples(missing)}; give every segment a value "
            f"(e.g. from CampaignLift.lift_ or a documented assumption)"
        )
    return series.reindex(labels).rename(name)


def planning_table(
    customers: pd.DataFrame,
    *,
    uplift: float | Mapping[str, float] | pd.Series,
    segment_col: str = "segment",
    contact_cost: float | Mapping[str, float] | pd.Series = DEFAULT_CONTACT_COST,
    margin: float = DEFAULT_MARGIN,
    value_per_response: float | Mapping[str, float] | pd.Series | None = None,
    value_col: str | None = None,
) -> pd.DataFrame:
    """Per-segment inputs of a budget allocation.

    ``profit_per_contact = uplift × value_per_response − contact_cost``; a segment is worth
    contacting when it is positive, and the best segments have the highest
    ``roi_per_contact = profit_per_contact / contact_cost``.

    Parameters
    ----------
    customers : DataFrame
        Customer table with ``segment_col`` (and ``avg_order_value`` unless a value is given).
    uplift : float, mapping or Series
        Expected extra responses per contact by segment: measured
        (``CampaignLift.lift_["abs_lift"]``) or assumed. Extra labels (e.g. the total row) are ignored.
    segment_col : str, default "segment"
        Segment column.
    contact_cost : float, mapping or Series, default 1.50
        Cost of one contact, one value or one per segment.
    margin : float, default 0.30
        Gross margin; the default value of a response is ``margin × mean avg_order_value`` of the segment.
    value_per_response : float, mapping or Series, optional
        Profit of one extra response by segment, overriding the default.
    value_col : str, optional
        A per-customer value column (e.g. expected CLV profit from segkit.clv): its segment mean
        is the value of a response.

    Returns
    -------
    DataFrame
        Indexed by segment: ``size``, ``contact_cost``, ``uplift``, ``value_per_response``,
        ``profit_per_contact``, ``roi_per_contact``.

    Raises
    ------
    DataError
        Negative costs, missing segments in ``uplift``/costs/values, uplift outside [-1, 1].
    """
    needed = [value_col or "avg_order_value"] if value_per_response is None else []
    segments = _segments(customers, segment_col, needed=needed,
                         fix="pass segment_col= a segment column and value_col= or value_per_response=")
    _check_margin(margin)
    _check_costs(contact_cost=contact_cost)
    return _planning_table(segments, customers, uplift=uplift, contact_cost=contact_cost, margin=margin,
                           value_per_response=value_per_response, value_col=value_col)


def _planning_table(
    segments: pd.Series,
    customers: pd.DataFrame,
    *,
    uplift: float | Mapping[str, float] | pd.Series,
    contact_cost: float | Mapping[str, float] | pd.Series,
    margin: float,
    value_per_response: float | Mapping[str, float] | pd.Series | None,
    value_col: str | None,
) -> pd.DataFrame:
    """:func:`planning_table` on checked input: ``segments`` from ``_segments``, the value column present,
    costs >= 0 and the margin in (0, 1]; the uplift (possibly an analyst's assumption) is checked here."""
    labels = pd.Index(segments.cat.categories.astype(str), name="segment")
    size = segments.value_counts().reindex(labels).astype(int)
    cost = _per_segment(contact_cost, labels, "contact_cost")
    lift = _per_segment(uplift, labels, "uplift")
    if (lift.abs() > 1).any() or lift.isna().any():
        bad = lift[~(lift.abs() <= 1)]
        raise DataError(f"uplift is a change in response probability, within [-1, 1]; got {_examples(bad)}")
    if value_per_response is not None:
        value = _per_segment(value_per_response, labels, "value_per_response")
    else:
        scale = 1.0 if value_col else margin
        values = pd.Series(customers[value_col or "avg_order_value"].to_numpy(float), index=segments.to_numpy())
        value = values.groupby(level=0).mean().reindex(labels) * scale
    plan = pd.DataFrame({"size": size, "contact_cost": cost, "uplift": lift, "value_per_response": value})
    plan["profit_per_contact"] = plan["uplift"] * plan["value_per_response"] - plan["contact_cost"]
    plan["roi_per_contact"] = plan["profit_per_contact"] / plan["contact_cost"].where(plan["contact_cost"] > 0)
    return plan


def _check_plan(plan: pd.DataFrame, budget: float | np.ndarray) -> None:
    _check_columns(plan, ["size", "contact_cost", "profit_per_contact"], "plan", "build it with planning_table()")
    _check_costs(budget=budget, contact_cost=plan["contact_cost"])
    numbers = plan[["size", "contact_cost", "profit_per_contact"]].to_numpy(float)
    if (plan["size"] < 0).any() or not np.isfinite(numbers).all():
        raise DataError(
            "plan needs finite sizes >= 0, contact costs and a profit_per_contact for every segment; "
            "build it with planning_table()"
        )


def _by_return(profit: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Segment order by decreasing profit per unit of cost (free contacts first), ties in plan order."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost > 0, profit / cost, np.inf)
    return np.argsort(-ratio, kind="stable")


def _greedy(profit: np.ndarray, cost: np.ndarray, size: np.ndarray, budget: float) -> np.ndarray:
    """Fractional knapsack: fill segments in decreasing profit per unit of cost while profit > 0."""
    order = _by_return(profit, cost)
    worth = profit[order] > 0
    spend_full = np.where(worth, size[order] * cost[order], 0.0)
    spent_before = np.cumsum(spend_full) - spend_full
    with np.errstate(divide="ignore", invalid="ignore"):
        affordable = np.where(cost[order] > 0, (budget - spent_before) / cost[order], np.inf)
    x = np.zeros_like(profit)
    x[order] = np.where(worth, np.clip(affordable, 0, size[order]), 0.0)
    return x


def allocate_budget(plan: pd.DataFrame, *, budget: float, method: str = "linprog") -> pd.DataFrame:
    """Contacts per segment that maximise expected incremental profit within a budget.

    Maximise ``Σ_s x_s × profit_per_contact_s`` subject to ``Σ_s x_s × contact_cost_s ≤ budget`` and
    ``0 ≤ x_s ≤ size_s``. This is a linear programme, solved by ``scipy.optimize.linprog`` (HiGHS).
    It is also a *fractional knapsack*: one resource (budget), items (contacts) that can be taken in
    any amount up to a cap, a linear value. For such problems the greedy rule "fill segments in
    decreasing profit per unit of cost, skip those with negative profit" is exactly optimal (an
    exchange argument: moving budget from a lower-ratio to a higher-ratio segment never lowers
    profit), so ``method="greedy"`` gives the same answer in closed form and explains *why* the LP
    picks what it picks. The LP stays the general tool once constraints are added (minimum
    contacts per segment, channel capacities), where greedy is no longer optimal.

    Contacts are expected numbers (continuous, at most one segment fractional); round down for a
    send list, which costs at most one contact's profit.

    Parameters
    ----------
    plan : DataFrame
        From :func:`planning_table`.
    budget : float
        Money available for contacts (>= 0).
    method : {"linprog", "greedy"}, default "linprog"
        Solver.

    Returns
    -------
    DataFrame
        ``plan`` plus ``contacts``, ``share_contacted``, ``spend``, ``expected_responses``
        (incremental) and ``expected_profit``, sorted by ``roi_per_contact``.

    Examples
    --------
    >>> plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0],
    ...                      "profit_per_contact": [2.0, 0.5], "uplift": [0.1, 0.05]},
    ...                     index=pd.Index(["A", "B"], name="segment"))
    >>> allocate_budget(plan, budget=150)["contacts"].round(6).tolist()
    [100.0, 50.0]
    """
    _check_plan(plan, budget)
    if method not in ("linprog", "greedy"):
        raise DataError(f"method must be 'linprog' or 'greedy', got {method!r}")
    return _allocate(plan, budget, method)


def _allocate(plan: pd.DataFrame, budget: float, method: str = "linprog") -> pd.DataFrame:
    """:func:`allocate_budget` on a checked plan and budget."""
    profit = plan["profit_per_contact"].to_numpy(float)
    cost = plan["contact_cost"].to_numpy(float)
    size = plan["size"].to_numpy(float)
    if method == "linprog":
        # feasible (nobody contacted) and bounded (finite sizes): HiGHS always finds the optimum
        result = optimize.linprog(
            -profit, A_ub=cost[None, :], b_ub=[budget], bounds=list(zip(np.zeros_like(size), size)), method="highs"
        )
        x = np.clip(result.x, 0.0, size)
    else:
        x = _greedy(profit, cost, size, float(budget))
    out = plan.copy()
    out["contacts"] = x
    out["share_contacted"] = np.divide(x, size, out=np.zeros_like(x), where=size > 0)
    out["spend"] = x * cost
    if "uplift" in out:
        out["expected_responses"] = x * out["uplift"].to_numpy(float) + 0.0  # + 0.0 turns -0.0 into 0.0
    out["expected_profit"] = x * profit + 0.0
    sort_key = out["roi_per_contact"] if "roi_per_contact" in out else out["profit_per_contact"] / out["contact_cost"]
    return out.iloc[np.argsort(-sort_key.fillna(np.inf).to_numpy(), kind="stable")]


def _mass_allocation(plan: pd.DataFrame, budget: float) -> pd.DataFrame:
    """The same budget spent without segments: the same share of every segment is contacted.

    ``share = min(1, budget / Σ_s size_s × contact_cost_s)``: a mass campaign to a random sample of the base.
    """
    full = float((plan["size"] * plan["contact_cost"]).sum())
    share = 1.0 if full <= budget else budget / full
    out = plan.copy()
    out["contacts"] = share * plan["size"].to_numpy(float)
    out["share_contacted"] = share
    out["spend"] = out["contacts"] * plan["contact_cost"]
    out["expected_profit"] = out["contacts"] * plan["profit_per_contact"] + 0.0
    return out


def _single_segment_allocations(plan: pd.DataFrame, budget: float) -> pd.DataFrame:
    """For each segment alone: contact as many of it as the budget allows; the expected profit."""
    cost = plan["contact_cost"].to_numpy(float)
    with np.errstate(divide="ignore"):
        affordable = np.where(cost > 0, budget / cost, np.inf)
    contacts = np.minimum(plan["size"].to_numpy(float), affordable)
    return pd.DataFrame(
        {"contacts": contacts, "spend": contacts * cost, "expected_profit": contacts * plan["profit_per_contact"]},
        index=plan.index,
    )


def compare_allocations(
    plan: pd.DataFrame, *, budget: float, optimal: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Optimal allocation vs a mass campaign and the best single-segment campaign, same budget.

    Parameters
    ----------
    plan : DataFrame
        From :func:`planning_table`.
    budget : float
        Money available for contacts.
    optimal : DataFrame, optional
        :func:`allocate_budget` of ``plan`` at ``budget`` when already computed (it is not solved twice).

    Returns
    -------
    DataFrame
        Indexed by ``strategy``: ``segments``, ``contacts``, ``spend``, ``expected_profit``, ``roi``
        (expected profit per unit spent; 0 for a strategy that spends nothing).

    Examples
    --------
    >>> plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0],
    ...                      "profit_per_contact": [2.0, -0.5]}, index=pd.Index(["A", "B"], name="segment"))
    >>> compare_allocations(plan, budget=100)["expected_profit"].tolist()
    [200.0, 75.0, 200.0]
    """
    _check_plan(plan, budget)
    return _compare_allocations(plan, budget, _allocate(plan, budget) if optimal is None else optimal)


def _compare_allocations(plan: pd.DataFrame, budget: float, optimal: pd.DataFrame) -> pd.DataFrame:
    """:func:`compare_allocations` on a checked plan and budget."""
    mass = _mass_allocation(plan, budget)
    single = _single_segment_allocations(plan, budget)
    best = single["expected_profit"].idxmax()
    rows = {
        "optimal (targeted)": optimal,
        "mass (same budget, every segment alike)": mass,
        f"best single segment: {best}": single.loc[[best]],
    }
    out = pd.DataFrame(
        {name: {"segments": int((t["contacts"] > 1e-9).sum()), "contacts": t["contacts"].sum(),
                "spend": t["spend"].sum(), "expected_profit": t["expected_profit"].sum()}
         for name, t in rows.items()}
    ).T
    out["segments"] = out["segments"].astype(int)
    # nothing spent, nothing earned: ROI 0 rather than 0/0 (the plan that contacts nobody)
    out["roi"] = (out["expected_profit"] / out["spend"].where(out["spend"] > 0)).fillna(0.0)
    out.index.name = "strategy"
    return out


@dataclass(frozen=True)
class BudgetCurve:
    """Expected profit by budget, from :func:`budget_curve`.

    Attributes
    ----------
    table : DataFrame
        ``budget``, ``optimal_profit``, ``optimal_spend``, ``mass_profit``, one row per budget.
    full_cost : float
        What contacting every customer costs.
    saturation : float
        The budget at which every segment that pays is fully contacted, beyond which the optimum
        stops growing (0 when no segment pays).
    """

    table: pd.DataFrame
    full_cost: float
    saturation: float


def budget_curve(
    plan: pd.DataFrame, *, budgets: np.ndarray | list[float] | None = None, n_points: int = 301
) -> BudgetCurve:
    """Expected incremental profit of the optimal and the mass allocation for many budgets at once.

    The optimal profit is the concave, piecewise-linear curve through the cumulative (spend,
    profit) of the segments in decreasing ROI (only segments that pay), flat once they are all
    contacted; the mass profit is linear in the budget until everyone is contacted.

    Parameters
    ----------
    plan : DataFrame
        From :func:`planning_table`.
    budgets : array-like, optional
        Budgets to evaluate; default ``n_points`` evenly spaced from 0 to the cost of contacting everyone.
    n_points : int, default 301
        Number of budgets when ``budgets`` is not given.

    Returns
    -------
    BudgetCurve
        The ``table`` of ``budget``, ``optimal_profit``, ``optimal_spend``, ``mass_profit``, with
        ``full_cost`` (contacting every customer) and ``saturation`` (the budget at which every
        segment that pays is fully contacted, beyond which the optimum stops growing).

    Examples
    --------
    >>> plan = pd.DataFrame({"size": [100, 100], "contact_cost": [1.0, 1.0],
    ...                      "profit_per_contact": [2.0, -0.5]}, index=["A", "B"])
    >>> budget_curve(plan, budgets=[0, 50, 200]).table[["optimal_profit", "mass_profit"]].values.tolist()
    [[0.0, 0.0], [100.0, 37.5], [200.0, 150.0]]
    """
    given = None if budgets is None else np.asarray(budgets, dtype=float)
    _check_plan(plan, 0.0 if given is None else given)
    return _budget_curve(plan, given, n_points)


def _budget_curve(plan: pd.DataFrame, given: np.ndarray | None = None, n_points: int = 301) -> BudgetCurve:
    """:func:`budget_curve` on a checked plan and budgets."""
    profit = plan["profit_per_contact"].to_numpy(float)
    cost = plan["contact_cost"].to_numpy(float)
    size = plan["size"].to_numpy(float)
    full = float((size * cost).sum())
    budgets = np.linspace(0.0, full, n_points) if given is None else given
    order = _by_return(profit, cost)
    worth = order[profit[order] > 0]
    free = worth[cost[worth] == 0]
    paid = worth[cost[worth] > 0]
    knots_spend = np.concatenate([[0.0], np.cumsum(size[paid] * cost[paid])])
    knots_profit = (size[free] * profit[free]).sum() + np.concatenate([[0.0], np.cumsum(size[paid] * profit[paid])])
    share = np.ones_like(budgets) if full == 0 else np.minimum(1.0, budgets / full)
    table = pd.DataFrame(
        {
            "budget": budgets,
            "optimal_profit": np.interp(budgets, knots_spend, knots_profit),
            "optimal_spend": np.minimum(budgets, knots_spend[-1]),
            "mass_profit": share * (size * profit).sum(),
        }
    )
    return BudgetCurve(table, full_cost=full, saturation=float(knots_spend[-1]))
