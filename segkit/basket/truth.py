"""Planted affinities against what the rules found: the check of the method on data with a known answer."""

from __future__ import annotations

import pandas as pd

from segkit.basket.baskets import Baskets
from segkit.basket.segments import BASE, segment_rules
from segkit.errors import DataError

#: Columns a truth table must have (``data/raw/affinity_truth.csv`` of the default generator).
TRUTH_COLUMNS: tuple[str, ...] = ("group", "antecedent", "consequent")
#: Columns of :func:`planted_vs_found`.
FOUND_COLUMNS: tuple[str, ...] = ("group", "antecedent", "consequent", "found", "support", "lift", "lift_vs_rest",
                                  "rank_in_group", "best_other_group", "best_other_lift")


def pair_ranks(rules: pd.DataFrame) -> pd.Series:
    """Rank of each rule's unordered pair within its segment by lift (1 = strongest; a → b and b → a share it)."""
    key = pd.Series([" + ".join(sorted(p)) for p in zip(rules["antecedent"], rules["consequent"])], index=rules.index)
    ordered = rules.assign(_key=key).sort_values(["segment", "lift", "support"], ascending=[True, False, False],
                                                 kind="mergesort")
    first = ordered.drop_duplicates(["segment", "_key"])
    rank = first.groupby("segment", sort=False).cumcount() + 1
    lookup = pd.Series(rank.to_numpy(), index=pd.MultiIndex.from_arrays([first["segment"], first["_key"]]))
    return pd.Series(lookup.reindex(pd.MultiIndex.from_arrays([rules["segment"], key])).to_numpy(), index=rules.index,
                     name="rank_in_group")


def planted_vs_found(baskets: Baskets, groups: pd.Series, truth: pd.DataFrame, **thresholds) -> pd.DataFrame:
    """For each planted pair: found as a rule in its group, its support, lift and rank, and its best lift elsewhere.

    Rules are run with ``groups`` (the planted group of each customer) as the segments, with
    ``thresholds`` (as :func:`segment_rules`); the best other group's lift is taken over every pair
    bought together there (no threshold), so "not in the others" is checked, not assumed.

    Raises
    ------
    DataError
        ``truth`` lacks a column of :data:`TRUTH_COLUMNS`.
    """
    missing = [c for c in TRUTH_COLUMNS if c not in truth.columns]
    if missing:
        raise DataError(f"The truth table lacks the column(s) {missing}; it needs {list(TRUTH_COLUMNS)}.")
    rules = segment_rules(baskets, groups, **thresholds)
    rules = rules[rules["segment"] != BASE]
    rules = rules.assign(rank_in_group=pair_ranks(rules))
    every = segment_rules(baskets, groups, min_support=0.0, min_lift=0.0, min_baskets=1, min_buyers=1)
    every = every[every["segment"] != BASE]
    key = ["antecedent", "consequent"]
    planted = truth[list(TRUTH_COLUMNS)].astype(str).reset_index(drop=True)
    found = planted.merge(rules.rename(columns={"segment": "group"}), on=["group"] + key, how="left")
    others = planted.merge(every, on=key, how="left")
    others = others[others["segment"].notna() & (others["segment"].astype(str) != others["group"])]
    best = others.sort_values("lift", ascending=False, kind="mergesort").drop_duplicates(["group"] + key)
    best = best[["group"] + key + ["segment", "lift"]].rename(columns={"segment": "best_other_group",
                                                                      "lift": "best_other_lift"})
    out = found.merge(best, on=["group"] + key, how="left").assign(found=lambda t: t["lift"].notna())
    return out[list(FOUND_COLUMNS)]
