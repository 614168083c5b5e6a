"""Campaign plots (axes-level): lift, allocation, budget curve, segment economics."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from segkit.campaign.budget import BudgetCurve
from segkit.campaign.economics import TOTAL_LABEL
from segkit.plots import PALETTE


def plot_lift(
    lift: pd.DataFrame,
    *,
    truth: pd.Series | None = None,
    column: str = "abs_lift",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Forest plot: estimated lift per segment with its interval, optionally the true lift.

    Parameters
    ----------
    lift : DataFrame
        ``CampaignLift.lift_`` (or any frame with ``column``, ``column_low``, ``column_high``).
    truth : Series, optional
        True value per segment (simulations), drawn as crosses.
    column : str, default "abs_lift"
        ``abs_lift`` (percentage points of response) or ``revenue_lift`` (money per customer).
    ax : Axes, optional
        Axes to draw on; default the current axes.
    """
    ax = ax or plt.gca()
    if column == "abs_lift":
        scale, unit = 100.0, "percentage points of response rate"
    else:
        scale, unit = 1.0, "revenue per customer"
    y = np.arange(len(lift))[::-1]
    est = lift[column].to_numpy(float) * scale
    low = lift[f"{column}_low"].to_numpy(float) * scale
    high = lift[f"{column}_high"].to_numpy(float) * scale
    ax.errorbar(est, y, xerr=np.vstack([est - low, high - est]), fmt="o", color=PALETTE[0], ecolor=PALETTE[0],
                capsize=3, label="estimate and confidence interval")
    if truth is not None:
        true = truth.reindex(lift.index).to_numpy(float) * scale
        ax.scatter(true, y, marker="x", color=PALETTE[5], zorder=3, label="planted truth")
    ax.axvline(0, color="grey", linewidth=1, linestyle="--")
    ax.set_yticks(y, lift.index)
    ax.set_xlabel(f"lift ({unit})")
    ax.set_title("Campaign lift by segment (treatment − control)")
    ax.legend(loc="best")
    return ax


def plot_allocation(allocation: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: segment size and the contacts the allocation sends to it."""
    ax = ax or plt.gca()
    y = np.arange(len(allocation))[::-1]
    ax.barh(y, allocation["size"], color="#DDDDDD", label="customers in segment")
    ax.barh(y, allocation["contacts"], color=PALETTE[2], label="contacts planned")
    ax.set_yticks(y, allocation.index)
    ax.set_xlabel("customers")
    ax.set_title("Where the budget goes")
    ax.legend(loc="upper right")
    return ax


def plot_budget_curve(curve: BudgetCurve, *, budget: float | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Expected incremental profit against budget (a :func:`budget_curve`): optimal targeting vs a mass campaign."""
    ax = ax or plt.gca()
    table = curve.table
    ax.plot(table["budget"], table["optimal_profit"], color=PALETTE[2], label="optimal allocation")
    ax.plot(table["budget"], table["mass_profit"], color=PALETTE[5], linestyle="--", label="mass campaign")
    if budget is not None:
        ax.axvline(budget, color="grey", linewidth=1, linestyle=":", label="chosen budget")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("budget (money)")
    ax.set_ylabel("expected incremental profit (money)")
    ax.set_title("Expected return by budget")
    ax.legend(loc="best")
    return ax


def plot_segment_profit(economics: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Bars of gross profit, marketing cost and net profit per segment (the total row is left out)."""
    ax = ax or plt.gca()
    table = economics.drop(index=TOTAL_LABEL, errors="ignore")
    y = np.arange(len(table))[::-1]
    height = 0.27
    for i, (column, label) in enumerate(
        [("gross_profit", "gross profit"), ("marketing_cost", "marketing cost"), ("net_profit", "net profit")]
    ):
        ax.barh(y + (1 - i) * height, table[column], height=height, color=PALETTE[i], label=label)
    ax.set_yticks(y, table.index)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("money over the period of the data")
    ax.set_title("Segment economics")
    ax.legend(loc="lower right")
    return ax
