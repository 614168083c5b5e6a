"""Words of the index's executive summary, written from the computed figures (never typed-in numbers)."""

from __future__ import annotations

from segkit.report.keyfigures import Action, Figure

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


def action_sentence(action: Action, currency: str = "") -> str:
    """One action: what, for how many customers, and the money behind it, e.g.
    ``At Risk: contact ... (512 customers; expected profit £947)``."""
    if action.money_kind == "expected profit":
        what = action.what
    else:
        what = ALERT_ACTIONS.get(action.what, f"Follow up the alert list '{action.what}'")
    return f"{what}: {action.customers:,} customers; {action.money_kind}: {money(action.money, currency)}."


def no_actions() -> str:
    """What the index says when no export holds an action with money behind it."""
    return ("No action with money behind it: the campaign plan contacts no segment and the alert list is empty "
            "or missing.")
