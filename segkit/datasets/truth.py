"""The truth the generator writes beside the data: the groups' parameters, the expected category shares
and lifts of the planted affinities, and every planted effect for ``generator_params.json``."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from segkit.datasets.design import (
    CATEGORIES, CATEGORY_PAIRS, CATEGORY_WEIGHTS, CHANNELS, COHORT_EFFECT, GROUPS, LAPSES,
    MEAN_LINES_PER_ORDER, PRODUCT_PAIR, SEASONALITY, START,
)
from segkit.datasets.lines import _catalogue, _pair_products
from segkit.datasets.purchases import _calendar, _normalised


def group_parameters() -> pd.DataFrame:
    """The planted groups' generating parameters as a table (one row per group).

    Examples
    --------
    >>> float(group_parameters().loc["one-off buyers", "r"])
    2.0
    >>> group_parameters()["preferred_channel"].tolist()
    ['store', 'app', 'web', 'store', 'web']
    """
    table = pd.DataFrame([asdict(g) for g in GROUPS]).set_index("name")
    table["mean_rate_per_day"] = table["r"] / table["alpha"]
    table["mean_dropout_prob"] = table["a"] / (table["a"] + table["b"])
    table["preferred_channel"] = [CHANNELS[int(np.argmax(p))] for p in table["channel_probs"]]
    return table


def _lines_pmf(max_lines: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Lines per order (1 + Poisson) and their probabilities."""
    from scipy import stats

    n = np.arange(1, max_lines + 1)
    return n, stats.poisson.pmf(n - 1, MEAN_LINES_PER_ORDER - 1)


def _kind_shares(group: str) -> dict[str, float]:
    """Shares of a group's orders of two lines or more that hold the planted product pair or category pair."""
    bundle = sum(share for g, _, _, share in CATEGORY_PAIRS if g == group)
    pair = PRODUCT_PAIR["share"] if PRODUCT_PAIR["group"] == group else 0.0
    return {"pair": pair, "bundle": bundle, "plain": 1.0 - pair - bundle}


def _presence(p_u: float, p_v: float, forced_u: bool, forced_v: bool, m: np.ndarray) -> tuple[np.ndarray, ...]:
    """P(U in the basket), P(V), P(both) for two disjoint items given forced lines and m free lines each."""
    pu = np.ones_like(m, dtype=float) if forced_u else 1 - (1 - p_u) ** m
    pv = np.ones_like(m, dtype=float) if forced_v else 1 - (1 - p_v) ** m
    if forced_u or forced_v:
        both = pu * pv  # a forced item is there for sure: independent of the free lines
    else:
        both = 1 - (1 - p_u) ** m - (1 - p_v) ** m + (1 - p_u - p_v) ** m
    return pu, pv, both


def _expected_lift(group: str, line_probs: tuple[float, float], forced: dict[str, tuple[bool, bool]]) -> float:
    """Expected lift of two disjoint items in a group's orders (support of both over the product of supports).

    ``line_probs`` are each item's probability on a free line; ``forced`` says, per order kind
    (``pair``, ``bundle``), whether its two forced lines hold each item.
    """
    n, pmf = _lines_pmf()
    shares = _kind_shares(group)
    totals = np.zeros(3)
    plain = np.array(_presence(*line_probs, False, False, n))
    for kind, share in shares.items():
        weight = np.where(n >= 2, share, 1.0 if kind == "plain" else 0.0) * pmf
        if kind == "plain":
            totals += plain @ weight
        else:
            totals += np.array(_presence(*line_probs, *forced[kind], n - 2)) @ weight
    return float(totals[2] / (totals[0] * totals[1]))


def _category_probs(group: str) -> np.ndarray:
    weights = np.asarray(CATEGORY_WEIGHTS[group], dtype=float)
    return weights / weights.sum()


def expected_category_share(group: str) -> pd.Series:
    """The expected share of a group's purchase lines in each category, planted pairs included.

    Examples
    --------
    >>> share = expected_category_share("lapsed regulars")
    >>> round(float(share.sum()), 9), share.idxmax()
    (1.0, 'garden')
    """
    n, pmf = _lines_pmf()
    w = _category_probs(group)
    shares = _kind_shares(group)
    two = (pmf * (n >= 2)).sum()
    forced = np.zeros(len(CATEGORIES))
    for g, a, b, share in CATEGORY_PAIRS:
        if g == group:
            forced[[CATEGORIES.index(a), CATEGORIES.index(b)]] += share * two
    if shares["pair"]:
        for category in PRODUCT_PAIR["categories"]:
            forced[CATEGORIES.index(category)] += shares["pair"] * two
    forced_lines = 2 * (shares["pair"] + shares["bundle"]) * two
    mean_lines = (n * pmf).sum()
    return pd.Series((forced + w * (mean_lines - forced_lines)) / mean_lines, index=list(CATEGORIES), name=group)


def affinity_truth(*, seed: int = 2024) -> pd.DataFrame:
    """The planted affinities: one row per pair, with the lift it is expected to have within its group.

    Parameters
    ----------
    seed : int, default 2024
        The seed of :func:`generate_transactions` (the product pair's StockCodes depend on it).

    Returns
    -------
    DataFrame
        ``group``, ``level`` (``product`` or ``category``), ``antecedent``, ``consequent`` (StockCodes or
        category names as in the export) and ``planted_lift_hint``: the expected lift (support of both over
        the product of their supports) among the group's orders, from the design (lines per order, category
        weights, planted shares); other groups buy the pair only by chance (lift about 1).

    Examples
    --------
    >>> truth = affinity_truth()
    >>> truth["level"].tolist()
    ['product', 'category', 'category', 'category']
    >>> bool(truth["planted_lift_hint"].iloc[0] > 5)
    True
    """
    catalogue = _catalogue(np.random.default_rng([seed, 1]))
    first, second = _pair_products(catalogue)
    group = PRODUCT_PAIR["group"]
    w = _category_probs(group)
    counts = catalogue["category"].value_counts().reindex(CATEGORIES).to_numpy()
    cat = [CATEGORIES.index(c) for c in PRODUCT_PAIR["categories"]]
    product_probs = (w[cat[0]] / counts[cat[0]], w[cat[1]] / counts[cat[1]])
    rows = [{"group": group, "level": "product", "antecedent": catalogue["product_id"].iloc[first],
             "consequent": catalogue["product_id"].iloc[second],
             "planted_lift_hint": _expected_lift(group, product_probs,
                                                 {"pair": (True, True), "bundle": (False, False)})}]
    for g, a, b, _ in CATEGORY_PAIRS:
        probs = _category_probs(g)
        pair_categories = PRODUCT_PAIR["categories"] if PRODUCT_PAIR["group"] == g else ()
        forced = {"bundle": (True, True), "pair": (a in pair_categories, b in pair_categories)}
        rows.append({"group": g, "level": "category", "antecedent": a, "consequent": b,
                     "planted_lift_hint": _expected_lift(g, (probs[CATEGORIES.index(a)], probs[CATEGORIES.index(b)]),
                                                         forced)})
    table = pd.DataFrame(rows)
    table["planted_lift_hint"] = table["planted_lift_hint"].round(3)
    return table


def planted_truth() -> dict:
    """What the generator plants beyond the groups' BG/NBD and spend parameters, for ``generator_params.json``.

    Examples
    --------
    >>> truth = planted_truth()
    >>> truth["seasonality"]["steady mid-value"]["weekday"]["Sat"] > 1.5
    True
    """
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    calendar = _calendar()
    factor = COHORT_EFFECT["first_purchase_dropout_per_quarter"]
    quarters = np.arange(calendar["quarter"].max() + 1)
    labels = [f"{START.year + q // 4}Q{q % 4 + 1}" for q in quarters]
    seasonality, categories = {}, {}
    for g in GROUPS:
        profile = SEASONALITY[g.name]
        hours = np.asarray(profile["hour"], dtype=float)
        seasonality[g.name] = {
            "weekday": dict(zip(weekdays, _normalised(profile["weekday"]).round(6).tolist())),
            "month": dict(zip(months, _normalised(profile["month"]).round(6).tolist())),
            "hour_share": dict(zip((f"{h:02d}" for h in range(24)), (hours / hours.sum()).round(6).tolist())),
        }
        categories[g.name] = {
            "weights": dict(zip(CATEGORIES, _category_probs(g.name).round(6).tolist())),
            "expected_line_share": expected_category_share(g.name).round(6).to_dict(),
        }
    channels = {g.name: {"channel_probs": dict(zip(CHANNELS, g.channel_probs)),
                         "preferred_channel": CHANNELS[int(np.argmax(g.channel_probs))]} for g in GROUPS}
    return {
        "cohort_effect": {
            "description": "a customer acquired in quarter q (0 = the first) never buys again after the first "
                           "purchase with probability q x first_purchase_dropout_per_quarter; a cohort's later "
                           "retention is retention_multiplier times its group's",
            "first_purchase_dropout_per_quarter": factor,
            "retention_multiplier": dict(zip(labels, np.round(1 - factor * quarters, 6).tolist())),
        },
        "seasonality": seasonality,
        "lapses": dict(LAPSES),
        "categories": categories,
        "category_pairs": [{"group": g, "categories": [a, b], "order_share": share}
                           for g, a, b, share in CATEGORY_PAIRS],
        "product_pair": {"group": PRODUCT_PAIR["group"], "categories": list(PRODUCT_PAIR["categories"]),
                         "order_share": PRODUCT_PAIR["share"], "truth_file": "affinity_truth.csv"},
        "channels": channels,
    }
