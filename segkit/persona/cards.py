"""One persona card per segment of record, computed from the other notebooks' exports.

Each part of a card comes from one export (:data:`segkit.persona.exports.INPUTS`); a part whose
export is missing is left empty (NaN), and the notebook shows the note of
:func:`segkit.persona.read_exports`. "Typical" values are medians over the segment's customers
(money and counts are skewed; a mean would describe nobody); predicted CLV and P(alive) are means,
so that segment CLV = customers × mean CLV adds up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.persona.exports import PersonaInputs

#: The columns of a persona table (one row per segment), in order.
CARD_COLUMNS: tuple[str, ...] = (
    "customers", "customer_share", "revenue", "revenue_share", "median_days_since_last_purchase",
    "median_orders", "median_revenue", "mean_clv", "mean_p_alive", "median_gap_days", "overdue_share",
    "top_category", "top_category_share", "second_category", "second_category_share", "preferred_channel",
    "preferred_channel_share", "top_country", "top_country_share", "top_affinity", "top_affinity_lift",
    "top_affinity_support", "uplift", "uplift_source", "campaign_verdict", "action", "expected_profit",
    "campaign_spend",
)


def _segment_basics(rfm: pd.DataFrame) -> pd.DataFrame:
    basics = rfm.groupby("segment", sort=False).agg(
        customers=("customer_id", "size"), revenue=("revenue", "sum"),
        median_days_since_last_purchase=("days_since_last_purchase", "median"),
        median_orders=("n_orders", "median"), median_revenue=("revenue", "median"))
    basics["customer_share"] = basics["customers"] / basics["customers"].sum()
    basics["revenue_share"] = basics["revenue"] / basics["revenue"].sum()
    return basics.sort_values(["customers", "revenue"], ascending=False, kind="mergesort")


def _per_customer(rfm: pd.DataFrame, table: pd.DataFrame | None, agg: dict) -> pd.DataFrame:
    """Named aggregations of a per-customer export over each customer's segment (rfm's)."""
    if table is None:
        return pd.DataFrame(columns=list(agg))
    table = table.astype({c: float for c in table.columns if table[c].dtype == bool})
    joined = rfm[["customer_id", "segment"]].merge(table, on="customer_id", how="left")
    return joined.groupby("segment", sort=False).agg(**agg)


def _top_values(mix: pd.DataFrame | None, dimension: str, prefix: str, *, n: int = 1) -> pd.DataFrame:
    """The ``n`` values of ``dimension`` with the largest share of each segment's revenue."""
    names = [prefix, f"{prefix}_share"] if n == 1 else ["top_category", "top_category_share", "second_category",
                                                          "second_category_share"]
    if mix is None or not (mix["dimension"] == dimension).any():
        return pd.DataFrame(columns=names)
    part = mix[mix["dimension"] == dimension].sort_values(["segment", "share", "value"],
                                                          ascending=[True, False, True], kind="mergesort")
    rank = part.groupby("segment", sort=False).cumcount()
    wide = [part[rank == k].set_index("segment")[["value", "share"]].set_axis(names[2 * k: 2 * k + 2], axis=1)
            for k in range(n)]
    return pd.concat(wide, axis=1)


def _top_affinity(rules: pd.DataFrame | None) -> pd.DataFrame:
    names = ["top_affinity", "top_affinity_lift", "top_affinity_support"]
    if rules is None or rules.empty:
        return pd.DataFrame(columns=names)
    best = rules.sort_values(["segment", "lift", "support", "antecedent"], ascending=[True, False, False, True],
                             kind="mergesort").drop_duplicates("segment").set_index("segment")
    return pd.DataFrame({names[0]: best["antecedent"] + " + " + best["consequent"], names[1]: best["lift"],
                         names[2]: best["support"]})


def _campaign(plan: pd.DataFrame | None) -> pd.DataFrame:
    names = ["uplift", "uplift_source", "campaign_verdict", "action", "expected_profit", "campaign_spend"]
    if plan is None:
        return pd.DataFrame(columns=names)
    part = plan.drop_duplicates("segment").set_index("segment")
    return pd.DataFrame({"uplift": part["uplift"].where(part["uplift_source"] == "measured"),
                         "uplift_source": part["uplift_source"], "campaign_verdict": part["verdict"],
                         "action": part["action"], "expected_profit": part["expected_profit"],
                         "campaign_spend": part["spend"]})


def persona_table(inputs: PersonaInputs) -> pd.DataFrame:
    """One row per RFM segment of record (largest first) with every figure of its card (:data:`CARD_COLUMNS`).

    Empty (with those columns) when ``rfm_segments.csv`` is missing: without segments there is no card.
    ``uplift`` is kept only where the campaign measured it (``uplift_source == "measured"``).
    """
    rfm = inputs.get("rfm_segments.csv")
    if rfm is None:
        return pd.DataFrame(columns=list(CARD_COLUMNS)).rename_axis("segment")
    rfm = rfm.drop_duplicates("customer_id")
    mix = inputs.get("category_mix.csv")
    rules = inputs.get("segment_affinities.csv")
    if rules is not None:
        rules = rules[rules["segment"] != "All customers"]
    parts = [
        _per_customer(rfm, inputs.get("clv.csv"), {"mean_clv": ("clv", "mean"), "mean_p_alive": ("p_alive", "mean")}),
        _per_customer(rfm, inputs.get("purchase_cycle.csv"), {"median_gap_days": ("median_gap_days", "median"),
                                                              "overdue_share": ("overdue", "mean")}),
        _top_values(mix, "category", "top_category", n=2),
        _top_values(mix, "channel", "preferred_channel"),
        _top_values(mix, "country", "top_country"),
        _top_affinity(rules),
        _campaign(inputs.get("campaign_plan.csv")),
    ]
    cards = _segment_basics(rfm)
    for part in parts:
        cards = cards.join(part, how="left")
    for column in CARD_COLUMNS:
        if column not in cards.columns:
            cards[column] = np.nan
    return cards[list(CARD_COLUMNS)].rename_axis("segment")
