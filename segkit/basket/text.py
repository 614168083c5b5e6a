"""The words the basket report shows, written from the numbers the other basket modules computed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from segkit.basket.baskets import NEEDS_ITEMS, Baskets
from segkit.basket.segments import BASE

#: A segment whose mix index is at least this (or at most its inverse) leans towards (away from) a value.
LEAN_INDEX: float = 120.0


def _pct(share: float, digits: int = 0) -> str:
    return f"{100 * share:.{digits}f}%"


def _rule(row: pd.Series) -> str:
    return f"{row['antecedent']} → {row['consequent']}"


def basket_words(baskets: Baskets) -> str:
    """How many baskets, items per basket, and how many hold a single item (no pair to count)."""
    sizes = baskets.basket_sizes()
    single = float((sizes < 2).mean()) if len(sizes) else 0.0
    return (f"{baskets.n_baskets:,} orders with a purchase hold {baskets.n_items:,} different {baskets.level} "
            f"items, {sizes.mean():.1f} per order on average; {_pct(single)} of the orders hold a single "
            f"{baskets.level} and add to item counts only (no pair).")


def headline(rules: pd.DataFrame, specific: pd.DataFrame, *, level: str) -> str:
    """The top rule over all baskets and the strongest segment-specific one."""
    base = rules[rules["segment"] == BASE]
    if base.empty:
        return f"No {level} pair passes the thresholds over all baskets; see the note under the rules."
    top = base.iloc[0]
    text = (f"Over all baskets the strongest {level} pair is **{_rule(top)}**: lift {top['lift']:.2f}, "
            f"in {_pct(top['support'], 1)} of baskets.")
    if len(specific):
        s = specific.sort_values("lift_vs_rest", ascending=False, kind="mergesort").iloc[0]
        text += (f" The most segment-specific is **{_rule(s)}** in {s['segment']}: lift {s['lift']:.2f} there, "
                 f"{_times(s['lift_vs_rest'])} its lift among the other customers.")
    return text


def _times(ratio: float) -> str:
    return "far above (never bought together elsewhere)" if math.isinf(ratio) else f"{ratio:.1f}×"


def no_rules_note(pairs: pd.DataFrame, *, min_support: float, min_lift: float, level: str,
                  segment: str = BASE) -> str:
    """Why no rule was found over ``segment``'s baskets and which parameter would find some.

    ``pairs`` is the unfiltered :func:`segkit.basket.pair_table` of those baskets.
    """
    if pairs.empty:
        return f"No two {level} items are ever bought in the same order, so there are no rules at any threshold."
    top_support, top_lift = float(pairs["support"].max()), float(pairs["lift"].max())
    if top_support < min_support:
        return (f"No {level} pair reaches min_support = {_pct(min_support, 1)} of baskets ({segment}): the most "
                f"common pair is in {_pct(top_support, 2)} of baskets. Lower min_support to {top_support:.4f} "
                "or below to see rules.")
    above = pairs.loc[pairs["support"] >= min_support, "lift"].max()
    return (f"No {level} pair with at least {_pct(min_support, 1)} of baskets has a lift of {min_lift:g} or more "
            f"({segment}): the highest among them is {above:.2f}, the highest of any pair {top_lift:.2f}. "
            f"{level.capitalize()}s are bought together about as often as chance would have it; lower min_lift "
            "to list the strongest pairs anyway.")


def missing_items_note(error: Exception) -> str:
    """The note shown when the data has no item column: what is skipped and what still runs."""
    return (f"**No rules: {', '.join(NEEDS_ITEMS)} are skipped.** {error} The mix tables (category, channel "
            "and country, for those the data has) need no baskets and still run below.")


def rule_count_words(rules: pd.DataFrame) -> str:
    """Rules per segment in one sentence (pairs counted once, as a → b and b → a are one pair)."""
    counts = rules.groupby("segment", sort=False).size() // 2
    parts = [f"{s}: {n:,}" for s, n in counts.items()]
    return "Pairs passing the thresholds (each counted once): " + "; ".join(parts) + "."


def specific_words(specific: pd.DataFrame) -> list[str]:
    """One bullet per segment with its most specific pair."""
    if specific.empty:
        return ["No segment has a pair much stronger than among the other customers at these thresholds."]
    first = specific.groupby("segment", sort=False).head(1)
    return [f"- **{r['segment']}**: {_rule(r)}, lift {r['lift']:.2f} ({_times(r['lift_vs_rest'])} the other "
            f"customers' lift; {_pct(r['support'], 1)} of the segment's baskets)." for _, r in first.iterrows()]


def mix_words(mix: pd.DataFrame) -> list[str]:
    """One bullet per segment: the value it leans towards most, and away from most, against the base."""
    out = []
    for segment, part in mix.groupby("segment", sort=False):
        hi, lo = part.loc[part["index"].idxmax()], part.loc[part["index"].idxmin()]
        words = [f"{hi['value']} (index {hi['index']:.0f})" if hi["index"] >= LEAN_INDEX else "",
                 f"less {lo['value']} (index {lo['index']:.0f})" if lo["index"] <= 100 ** 2 / LEAN_INDEX else ""]
        words = [w for w in words if w]
        out.append(f"- **{segment}**: " + (", ".join(words) if words else "buys much like the base (all indices "
                                           f"within {100 ** 2 / LEAN_INDEX:.0f}–{LEAN_INDEX:.0f})") + ".")
    return out


def next_best_words(best: pd.DataFrame, *, level: str) -> list[str]:
    """One bullet per segment: offer the consequent to the customers who buy the antecedent only."""
    if best.empty:
        return [f"No segment rule to base a {level} cross-sell on at these thresholds."]
    return [f"- **{r['segment']}**: offer **{r['consequent']}** to the {int(r['reach']):,} customers who buy "
            f"{r['antecedent']} but never {r['consequent']}; {_pct(r['confidence'])} of {r['antecedent']} orders "
            f"in this segment hold it (lift {r['lift']:.2f}), about {r['expected_takers']:.0f} likely takers."
            for _, r in best.iterrows()]


def planted_words(found: pd.DataFrame) -> str:
    """How many planted pairs came out on top in their group and not elsewhere."""
    top = found["rank_in_group"].eq(1)
    above = found["lift"] > found["best_other_lift"].fillna(0)
    return (f"{int(top.sum())} of {len(found)} planted pairs are the strongest pair of their planted group, and "
            f"{int((found['found'] & above).sum())} of {len(found)} have a higher lift there than in any other "
            "group.")


def as_table(rules: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """A report table of rules: percentages and rounded ratios, human column names."""
    shown = rules.head(top)
    return pd.DataFrame({
        "segment": shown["segment"], "rule": [_rule(r) for _, r in shown.iterrows()],
        "baskets": shown["baskets"].map("{:,}".format), "support": shown["support"].map(lambda v: _pct(v, 1)),
        "confidence": shown["confidence"].map(lambda v: _pct(v, 0)), "lift": shown["lift"].round(2),
        "× other customers": shown["lift_vs_rest"].map(lambda v: "only here" if np.isinf(v) else f"{v:.2f}"),
    }).reset_index(drop=True)


def found_table(found: pd.DataFrame, planted_lift: pd.Series | None = None) -> pd.DataFrame:
    """A report table of :func:`segkit.basket.planted_vs_found`: pair, lift planted and found, support, rank."""
    table = pd.DataFrame({
        "planted group": found["group"],
        "pair": [f"{a} → {c}" for a, c in zip(found["antecedent"], found["consequent"])],
        "lift found": found["lift"].round(2),
        "support": found["support"].map(lambda v: "not found" if pd.isna(v) else _pct(v, 1)),
        "rank in group": found["rank_in_group"].map(lambda v: "–" if pd.isna(v) else f"{int(v)}"),
        "best other group": [f"{g} ({lift:.2f})" if isinstance(g, str) else "none"
                             for g, lift in zip(found["best_other_group"], found["best_other_lift"])],
    })
    if "level" in found.columns:
        table.insert(1, "level", found["level"].to_numpy())
    if planted_lift is not None:
        table.insert(3, "lift planted", np.round(np.asarray(planted_lift, dtype=float), 2))
    return table
