"""Words of the index's executive summary, written from the computed figures (never typed-in numbers)."""

from __future__ import annotations

from segkit.report.keyfigures import INVEST, Action, Figure

# The index's words: segkit.report.index is their only user (no notebook, other package or README example
# calls them), so none is in the public API that tools/shape.py counts.
__all__: list[str] = []

#: What each key figure is called on the index, in the order shown.
FIGURE_LABELS: dict[str, str] = {
    "customers": "Customers",
    "revenue": "Net revenue over the data period",
    "top_segment_share": "Share of revenue from the top segment",
    "predicted_value": "Predicted customer value",
    "campaign_gain": "Expected gain of the next campaign",
}


def money(value: float, currency: str = "") -> str:
    """A whole amount with thousands separators and the currency: ``£1,234``, ``1,234 EUR`` or ``1,234``."""
    amount = f"{value:,.0f}"
    if not currency:
        return amount
    return f"{currency}{amount}" if len(currency) == 1 else f"{amount} {currency}"


def figure_value(figure: Figure, currency: str = "") -> str:
    """A key figure as shown: a count, an amount or a percentage, or why it is missing."""
    if figure.value is None:
        return f"not available ({figure.export} is missing or unreadable)"
    if figure.key == "customers":
        return f"{figure.value:,.0f}"
    if figure.key == "top_segment_share":
        segment, n = figure.detail.get("segment", ""), figure.detail.get("customers", 0)
        return f"{figure.value:.0%} ({segment}, {n:,} customers)"
    if figure.key == "predicted_value":
        horizon = figure.detail.get("horizon_days")
        over = f" over the next {horizon} days" if horizon not in (None, "") else ""
        return f"{money(figure.value, currency)}{over}"
    if figure.key == "campaign_gain":
        spend = figure.detail.get("spend")
        return money(figure.value, currency) + (f" on a spend of {money(spend, currency)}" if spend else "")
    return money(figure.value, currency)


#: The alert list's reasons (notebook 07's ``alerts.csv``) as things to do; another reason reads "Follow up ...".
ALERT_ACTIONS: dict[str, str] = {
    "newly overdue": "Call the valuable customers who are now overdue on their own purchase cycle",
    "left a top segment": "Win back the customers who have just left a top segment",
    "won back": "Welcome back the lapsed customers who bought again, so they stay",
}


def customers(n: int) -> str:
    """A number of customers: ``1 customer``, ``1,234 customers``."""
    return f"{n:,} customer{'' if n == 1 else 's'}"


def action_sentence(action: Action, currency: str = "") -> str:
    """One action: what, for how many customers, and the money behind it, in its own measure, e.g.
    ``At Risk: contact ...: 512 customers; expected profit £947.`` or
    ``Call the valuable customers ...: 73 customers; £225,977 at stake.``"""
    if action.money_kind == INVEST:
        return f"{action.what}: {customers(action.customers)}; expected profit {money(action.money, currency)}."
    what = ALERT_ACTIONS.get(action.what, f"Follow up the alert list '{action.what}'")
    return f"{what}: {customers(action.customers)}; {money(action.money, currency)} at stake."


#: The heading of the index's actions, and why it shows two lists.
ACTIONS_HEADING: str = "What to do now"
ACTIONS_INTRO: str = ("Two lists, each ranked by its own money, because the two amounts measure different things: "
                      "revenue at stake is what customers on the alert list have been spending and may stop "
                      "spending; expected profit is what the next campaign should gain after its cost.")
#: The heading of the list of campaign segments.
INVEST_HEADING: str = "Invest: expected profit of the next campaign"


def protect_heading(stake_days: object = None) -> str:
    """The heading of the list of alerts, with the period its revenue at stake covers when known."""
    over = f" (what these customers spent in the last {stake_days} days)" if stake_days not in (None, "") else ""
    return f"Protect: revenue at stake{over}"


def no_protect() -> str:
    """What the Protect list says when no alert has revenue at stake."""
    return "No alert with revenue at stake: the alert list is empty or missing."


def no_invest() -> str:
    """What the Invest list says when the campaign plan contacts no segment with expected profit."""
    return "No campaign segment with expected profit: the campaign plan contacts no segment or is missing."


def no_actions() -> str:
    """What the index says when no export holds an action with money behind it."""
    return ("No action with money behind it: the campaign plan contacts no segment and the alert list is empty "
            "or missing.")
