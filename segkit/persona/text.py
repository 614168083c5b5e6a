"""The words of the persona cards: the one-line description, the card's rows and the notes, from computed numbers."""

from __future__ import annotations

import math

import pandas as pd

from segkit.persona.exports import PersonaInputs
from segkit.present import money_text

#: A channel or country with at least this share of a segment's revenue is named as "mostly".
MOSTLY: float = 0.5


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _given(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value is not pd.NA


def describe(segment: str, card: pd.Series) -> str:
    """One line per persona, e.g. "Champions: 20% of customers, 61% of revenue, buy every 19 days, mostly gifts +
    stationery, mostly in store (58%)". Parts whose export is missing are left out."""
    parts = [f"{_pct(card['customer_share'])} of customers", f"{_pct(card['revenue_share'])} of revenue"]
    if _given(card["median_gap_days"]):
        parts.append(f"buy every {card['median_gap_days']:.0f} days")
    elif card["median_orders"] <= 1:
        parts.append("one order so far")
    if _given(card["top_category"]):
        top = card["top_category"] + (f" + {card['second_category']}" if _given(card["second_category"]) else "")
        both = card["top_category_share"] + (card["second_category_share"] if _given(card["second_category"]) else 0)
        parts.append(f"{'mostly' if both >= MOSTLY else 'most of all'} {top}")
    if _given(card["preferred_channel"]):
        word = "mostly" if card["preferred_channel_share"] >= MOSTLY else "most often"
        parts.append(f"{word} via {card['preferred_channel']} ({_pct(card['preferred_channel_share'])})")
    if _given(card["mean_p_alive"]):
        parts.append(f"{_pct(card['mean_p_alive'])} likely still active")
    return f"{segment}: " + ", ".join(parts)


def headline(cards: pd.DataFrame) -> str:
    """The persona worth most (largest revenue share) in one line, and how many cards there are."""
    if cards.empty:
        return "No persona cards: the RFM segments (rfm_segments.csv, notebook 01) are missing; see the notes below."
    top = cards["revenue_share"].idxmax()
    return f"{len(cards)} personas. The one worth most — {describe(top, cards.loc[top])}."


def missing_notes(inputs: PersonaInputs, cards: pd.DataFrame | None = None) -> str:
    """The notes for every export the cards could not read, and for segments an export has no row for.

    A segment absent from an export that was found (e.g. the exports come from runs with other
    segment rules) gets "not available" on its card; the note names the segments and the export.
    """
    notes = [f"- **Left out:** {note}" for note in inputs.missing.values()]
    if cards is not None and len(cards):
        for name, table in inputs.tables.items():
            if "segment" in table.columns and name != "rfm_segments.csv":
                absent = [s for s in cards.index if s not in set(table["segment"].dropna())]
                if absent:
                    notes.append(f"- **No row in {name}** for {', '.join(absent)}: those cards leave its part out "
                                 "(rerun its notebook with the same segments).")
    return "\n".join(notes)


def card_rows(segment: str, card: pd.Series, *, currency: str | None = None) -> pd.Series:
    """The card as labelled, formatted rows (what the report table and the figure show).

    Money is written by :func:`segkit.present.money_text` in ``currency`` (by default the run's,
    set by :func:`segkit.present.set_currency`): ``£1,234``, ``-£120``, ``EUR 1,234``.
    """
    na = "not available"

    def show(column, fmt):
        return fmt(card[column]) if _given(card[column]) else na

    rows = {
        "size": f"{int(card['customers']):,} customers ({_pct(card['customer_share'])}), "
                f"{_pct(card['revenue_share'])} of revenue",
        "typical customer": f"last bought {card['median_days_since_last_purchase']:.0f} days ago, "
                            f"{card['median_orders']:.0f} orders, {money_text(card['median_revenue'], currency)} spent",
        "predicted CLV": show("mean_clv", lambda v: f"{money_text(v, currency)} per customer")
        + (f", P(alive) {_pct(card['mean_p_alive'])}" if _given(card["mean_p_alive"]) else ""),
        "purchase cycle": show("median_gap_days", lambda v: f"every {v:.0f} days")
        + (f", {_pct(card['overdue_share'])} overdue" if _given(card["overdue_share"]) else ""),
        "top categories": show("top_category", lambda v: f"{v} ({_pct(card['top_category_share'])})")
        + (f", {card['second_category']} ({_pct(card['second_category_share'])})"
           if _given(card["second_category"]) else ""),
        "top affinity": show("top_affinity", lambda v: f"{v} (lift {card['top_affinity_lift']:.2f})"),
        "preferred channel": show("preferred_channel", lambda v: f"{v} ({_pct(card['preferred_channel_share'])})"),
        "main country": show("top_country", lambda v: f"{v} ({_pct(card['top_country_share'])})"),
        "campaign response": show("uplift", lambda v: f"{100 * v:+.1f} points ({card['campaign_verdict']})")
        if _given(card["uplift_source"]) else na,
        "expected return": show("expected_profit", lambda v: f"{money_text(v, currency)} profit on "
                                f"{money_text(card['campaign_spend'], currency)} spent" if card["campaign_spend"] > 0
                                else "none: not contacted in the plan"),
        "action": show("action", str),
    }
    if _given(card["uplift_source"]) and not _given(card["uplift"]):
        rows["campaign response"] = f"not measured ({card['uplift_source']})"
    return pd.Series(rows, name=segment)
