"""The numbers of the executive summary, read from the published exports and the executed notebooks' records.

Nothing here is typed in: every figure is computed from a file a notebook wrote in ``reports/``, and
names the report and the export it comes from. A figure whose export is missing or unreadable is
left out and said to be missing, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: Where each figure comes from: (report, export).
CUSTOMERS_SOURCE = ("01_rfm", "rfm_segments.csv")
CLV_SOURCE = ("05_clv", "clv.csv")
CAMPAIGN_SOURCE = ("06_campaign_roi", "campaign_plan.csv")
ALERTS_SOURCE = ("07_segments_over_time", "alerts.csv")


@dataclass(frozen=True)
class Figure:
    """One key figure: what it is, its value (a number, or None when its export is missing), and its source."""

    key: str
    value: float | None
    report: str
    export: str
    detail: dict


@dataclass(frozen=True)
class Action:
    """One action with the money behind it: what to do, to how many customers, how much, and what kind of money."""

    what: str
    customers: int
    money: float
    money_kind: str  # PROTECT ("revenue at stake") or INVEST ("expected profit")
    report: str
    export: str


#: The two kinds of money behind an action, never ranked together: revenue the alert list says is at
#: stake (money a business already has and may lose) and the expected profit of the next campaign
#: (money it may gain by spending). One is a stock of past revenue, the other a forecast net of cost.
PROTECT: str = "revenue at stake"
INVEST: str = "expected profit"


@dataclass(frozen=True)
class Actions:
    """The index's two ranked lists of actions, each with its own money measure.

    ``protect``: the alert list's reasons, by revenue at stake (over ``stake_days``, the days notebook
    07 used; None when unknown). ``invest``: the segments the campaign plan contacts, by expected
    profit. Each list is largest first and holds only actions with money behind them.
    """

    protect: tuple[Action, ...] = ()
    invest: tuple[Action, ...] = ()
    stake_days: object = None

    def __bool__(self) -> bool:
        return bool(self.protect or self.invest)


def _read(reports: Path, export: str, columns: list[str]) -> pd.DataFrame | None:
    """An export with the given columns, or None when it is missing, unreadable or lacks one of them."""
    try:
        table = pd.read_csv(reports / export)
    except (OSError, ValueError, pd.errors.ParserError):
        return None
    return table if set(columns) <= set(table.columns) else None


def key_figures(reports: Path, *, horizon_days: object = None) -> list[Figure]:
    """Customers, revenue, the top segment's share of revenue, predicted value and campaign gain."""
    figures = []
    segments = _read(reports, CUSTOMERS_SOURCE[1], ["customer_id", "revenue", "segment"])
    if segments is None:
        figures += [Figure(k, None, *CUSTOMERS_SOURCE, {}) for k in ("customers", "revenue", "top_segment_share")]
    else:
        revenue = float(segments["revenue"].sum())
        by_segment = segments.groupby("segment")["revenue"].sum().sort_values(ascending=False)
        figures.append(Figure("customers", float(segments["customer_id"].nunique()), *CUSTOMERS_SOURCE, {}))
        figures.append(Figure("revenue", revenue, *CUSTOMERS_SOURCE, {}))
        share = float(by_segment.iloc[0] / revenue) if revenue and len(by_segment) else None
        figures.append(Figure("top_segment_share", share, *CUSTOMERS_SOURCE,
                              {"segment": str(by_segment.index[0]) if len(by_segment) else "",
                               "customers": int((segments["segment"] == by_segment.index[0]).sum())
                               if len(by_segment) else 0}))
    clv = _read(reports, CLV_SOURCE[1], ["clv"])
    figures.append(Figure("predicted_value", None if clv is None else float(clv["clv"].sum()), *CLV_SOURCE,
                          {"horizon_days": horizon_days}))
    plan = _read(reports, CAMPAIGN_SOURCE[1], ["segment", "expected_profit", "spend"])
    figures.append(Figure("campaign_gain", None if plan is None else float(plan["expected_profit"].sum()),
                          *CAMPAIGN_SOURCE, {} if plan is None else {"spend": float(plan["spend"].sum())}))
    return figures


def _largest(actions: list[Action], n: int) -> tuple[Action, ...]:
    """The ``n`` actions with the most money (ties by name), leaving out those with none."""
    return tuple(sorted((a for a in actions if a.money > 0), key=lambda a: (-a.money, a.what))[:n])


def invest_actions(reports: Path, *, n: int = 3) -> tuple[Action, ...]:
    """The ``n`` segments the campaign plan contacts with the largest expected profit.

    Read from notebook 06's ``campaign_plan.csv``: a segment with no contacts or no expected profit
    is not listed; the action is the plan's own ``action`` text, after the segment's name.
    """
    plan = _read(reports, CAMPAIGN_SOURCE[1], ["segment", "expected_profit", "contacts", "action"])
    if plan is None:
        return ()
    contacted = plan[plan["contacts"] > 0]
    rows = zip(contacted["segment"], contacted["action"], contacted["contacts"], contacted["expected_profit"])
    return _largest([Action(f"{segment}: {action}", int(contacts), float(profit), INVEST, *CAMPAIGN_SOURCE)
                     for segment, action, contacts, profit in rows], n)


def protect_actions(reports: Path, *, n: int = 3) -> tuple[Action, ...]:
    """The ``n`` reasons of the alert list with the most revenue at stake.

    Read from notebook 07's ``alerts.csv``: per reason, its distinct customers and the sum of their
    ``revenue_at_stake``; ``what`` is the reason itself (the text layer says what to do about it).
    """
    alerts = _read(reports, ALERTS_SOURCE[1], ["customer_id", "revenue_at_stake", "reason"])
    if alerts is None:
        return ()
    grouped = alerts.groupby("reason").agg(customers=("customer_id", "nunique"), money=("revenue_at_stake", "sum"))
    return _largest([Action(str(reason), int(customers), float(money), PROTECT, *ALERTS_SOURCE)
                     for reason, customers, money in zip(grouped.index, grouped["customers"], grouped["money"])], n)


def top_actions(reports: Path, *, n: int = 3, stake_days: object = None) -> Actions:
    """The actions with the most money behind them, in two lists that are never ranked together.

    At most ``n`` in each: :func:`protect_actions` (revenue at stake, over the ``stake_days`` notebook
    07 used) and :func:`invest_actions` (expected profit of the next campaign). An alert worth
    £200,000 at stake does not push a campaign segment worth £900 of profit off the page: the two
    amounts measure different things.
    """
    return Actions(protect=protect_actions(reports, n=n), invest=invest_actions(reports, n=n), stake_days=stake_days)
