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
    money_kind: str  # "expected profit" or "revenue at stake"
    report: str
    export: str


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


def top_actions(reports: Path, *, n: int = 3, stake_days: object = None) -> list[Action]:
    """The ``n`` actions with the most money behind them.

    Candidates: each segment the campaign plan contacts (money: its expected profit), and each
    reason of the alert list (money: the revenue at stake of its customers, over the ``stake_days``
    notebook 07 used). Largest first; an action with no money behind it is not listed.
    """
    actions = []
    plan = _read(reports, CAMPAIGN_SOURCE[1], ["segment", "expected_profit", "contacts", "action"])
    if plan is not None:
        for row in plan[plan["contacts"] > 0].itertuples():
            actions.append(Action(f"{row.segment}: {row.action}", int(row.contacts), float(row.expected_profit),
                                  "expected profit", *CAMPAIGN_SOURCE))
    alerts = _read(reports, ALERTS_SOURCE[1], ["customer_id", "revenue_at_stake", "reason"])
    if alerts is not None:
        grouped = alerts.groupby("reason").agg(customers=("customer_id", "nunique"),
                                               money=("revenue_at_stake", "sum"))
        for reason, row in grouped.iterrows():
            over = f" (their revenue of the last {stake_days} days)" if stake_days not in (None, "") else ""
            actions.append(Action(str(reason), int(row["customers"]), float(row["money"]), "revenue at stake" + over,
                                  *ALERTS_SOURCE))
    actions = [a for a in actions if a.money > 0]
    return sorted(actions, key=lambda a: (-a.money, a.what))[:n]
