"""Every generator of example or synthetic data, with known ground truth.

- :func:`generate_transactions` / :func:`write_default_data`: the default shop (below).
- :func:`example_customers`: a ready-made customer table for RFM examples, tests and benchmarks.
- The model simulators stay beside the model they simulate and are re-exported here:
  :func:`simulate_bgnbd` and :func:`simulate_transactions` (BG/NBD, :mod:`segkit.clv.simulate`),
  :func:`simulate_campaign` (a randomised campaign, :mod:`segkit.campaign.simulate`).

The default shop is a deterministic generator of realistic, messy retail transactions.

Customers come from planted behavioural groups. Purchase timing follows the BG/NBD
buy-till-you-die process (Fader, Hardie & Lee 2005): while active, a customer buys at a
Poisson rate ``lambda`` drawn from a group-specific gamma distribution; after every repeat
purchase the customer drops out with probability ``p`` drawn from a group-specific beta
distribution. Order values follow the Gamma-Gamma spend model: each customer has a mean
order value, and single orders scatter around it.

On top of that process the generator plants four effects, each with its truth written beside the
data (``generator_params.json``, ``ground_truth.csv``, ``affinity_truth.csv``), so that the
cohort, seasonality, alert and basket analyses can be scored against it:

1. **Cohort retention** (:data:`COHORT_EFFECT`). A customer acquired in quarter ``q`` of the data
   (0 = 2024Q1 … 7 = 2025Q4) never buys again after the first purchase with probability
   ``q × first_purchase_dropout_per_quarter`` (0.08): newer cohorts retain worse, and a cohort's
   share active in any later month is ``1 − 0.08 q`` times what it would have been (so 2025Q1's
   customers keep 0.68× the retention of 2024Q1's, group by group). This is a dropout at the first
   purchase, which BG/NBD does not allow (its customers are alive until a repeat purchase): the
   MBG/NBD variant of Batislam et al. (2007) describes it, and BG/NBD fitted on these data reads it
   as a lower purchase rate or a higher dropout for the customers concerned.
2. **Seasonality by group** (:data:`SEASONALITY`). Each group's purchase intensity is
   ``lambda × s_g(day)``, where ``s_g`` is the product of a weekday and a month-of-year weight,
   scaled to mean 1 over the two years (e.g. "steady mid-value" buys mostly at weekends,
   "one-off buyers" peak in November and December, "lapsed regulars" in spring). Repeat purchases
   are drawn by thinning (Lewis & Shedler 1979: candidates at rate ``lambda × max s_g``, each
   kept with probability ``s_g(day) / max s_g``), and first purchases with density proportional to
   ``s_g`` inside the group's acquisition window. Each customer's expected number of purchases per
   year is unchanged, so BG/NBD's rate keeps its meaning on average, but purchases are no longer
   a homogeneous Poisson process: gaps are shorter in a group's high season than in its low
   season. The hour of the day follows a group-specific profile (it has no effect on the process).
3. **Last-quarter lapses** (:data:`LAPSES`). A known set of valuable, previously regular customers
   (``planted_lapse`` in ``ground_truth.csv``) stop buying on 2025-10-01: their purchases in the
   last quarter are removed and they count as not alive at the end.
4. **What each group buys** (:data:`CATEGORY_WEIGHTS`, :data:`CATEGORY_PAIRS`, :data:`PRODUCT_PAIR`).
   Each order line's category is drawn from its group's category weights and the product uniformly
   within the category. In some groups a share of the orders (of two lines or more) holds a
   planted category pair, and in one group ("bargain hunters") a share of the orders holds one
   specific pair of products, a kitchen and a toys StockCode (the "diapers and beer" case), which
   customers of the other groups buy together only by chance. ``affinity_truth.csv`` lists the
   planted pairs with the lift they are expected to have within their group (computed from the
   design by :func:`affinity_truth`; the product pair is the only product pair of its group with
   such a lift, and the category pairs' lifts are modest, 1.5 to 1.7, because categories are
   common in baskets). Each group prefers one channel (``channel_probs``; ``preferred_channel`` in
   :func:`group_parameters`): store, app, web, store and web.

The planted lapses (3) are drawn after the simulation from customers whose simulated purchases make
them regular and valuable; only their last-quarter purchases are removed, so to a model of the
process (BG/NBD) they are a stop that the process does not explain.

Run ``python -m segkit.datasets`` to rewrite the default data set under ``data/raw/``:
``transactions.csv.gz``, ``ground_truth.csv``, ``affinity_truth.csv`` and ``generator_params.json``
(group parameters, the mess shares and every planted effect of :func:`planted_truth`).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from pathlib import Path

from segkit.campaign.simulate import simulate_campaign
from segkit.clv.simulate import simulate_bgnbd, simulate_transactions
from segkit.paths import DEFAULT_GROUND_TRUTH, DEFAULT_TRANSACTIONS, RAW_DIR

__all__ = [
    "affinity_truth",
    "example_customers",
    "expected_category_share",
    "generate_transactions",
    "group_parameters",
    "planted_truth",
    "seasonal_intensity",
    "simulate_bgnbd",
    "simulate_campaign",
    "simulate_transactions",
    "write_default_data",
]


@dataclass(frozen=True)
class Group:
    """One planted behavioural group and the parameters of its generating process.

    Purchase rates are per day: ``lambda ~ Gamma(shape=r, rate=alpha)``; dropout
    probabilities ``p ~ Beta(a, b)``; the mean order value ``m`` of a customer is
    ``Gamma(shape=q, scale=mean_order_value / q)`` and a single order is
    ``Gamma(shape=order_shape, scale=m / order_shape)``.
    """

    name: str
    share: float
    r: float
    alpha: float
    a: float
    b: float
    mean_order_value: float
    q: float
    order_shape: float
    discount_mean: float
    acquisition_window: tuple[float, float]  # fraction of the period in which customers first buy
    channel_probs: tuple[float, float, float]  # web, store, app


GROUPS: tuple[Group, ...] = (
    Group("loyal high spenders", 0.12, 3.0, 60.0, 1.0, 30.0, 160.0, 6.0, 6.0, 0.03, (0.0, 0.6), (0.15, 0.7, 0.15)),
    Group("steady mid-value", 0.23, 2.0, 90.0, 1.0, 12.0, 65.0, 5.0, 5.0, 0.05, (0.0, 0.9), (0.2, 0.2, 0.6)),
    Group("bargain hunters", 0.22, 2.0, 60.0, 1.0, 9.0, 28.0, 4.0, 4.0, 0.25, (0.0, 0.9), (0.75, 0.1, 0.15)),
    Group("lapsed regulars", 0.15, 3.0, 75.0, 3.0, 7.0, 70.0, 5.0, 5.0, 0.06, (0.0, 0.35), (0.15, 0.65, 0.2)),
    Group("one-off buyers", 0.28, 2.0, 2000.0, 4.0, 3.0, 45.0, 3.0, 4.0, 0.08, (0.0, 1.0), (0.7, 0.15, 0.15)),
)

CHANNELS: tuple[str, ...] = ("web", "store", "app")
CATEGORIES: tuple[str, ...] = ("home", "kitchen", "garden", "gifts", "stationery", "toys")
COUNTRIES: tuple[str, ...] = ("United Kingdom", "Germany", "France", "Netherlands", "Ireland", "Spain")
COUNTRY_PROBS: tuple[float, ...] = (0.78, 0.07, 0.06, 0.04, 0.03, 0.02)
TEST_ACCOUNTS: tuple[str, ...] = ("TEST0001", "TEST0002", "INTERNAL-QA")

START: pd.Timestamp = pd.Timestamp("2024-01-01")
N_DAYS: int = 731  # two years, 2024-01-01 to 2025-12-31
N_PRODUCTS: int = 400
MEAN_LINES_PER_ORDER: float = 2.9

#: Planted cohort effect: a customer acquired in quarter q (0 = the data's first) never buys again after
#: the first purchase with probability q × this, so a cohort's later retention is (1 − q × this) times its group's.
COHORT_EFFECT: dict[str, float] = {"first_purchase_dropout_per_quarter": 0.06}

#: Planted seasonality per group: relative weights of the weekdays (Mon..Sun), months (Jan..Dec) and hours
#: (0..23). Weekday and month weights multiply the purchase intensity (scaled to mean 1 over the data's days);
#: hour weights are the shares of a day's orders by hour. Written to generator_params.json normalised
#: (weekday and month to mean 1, hours to shares), the form in which :func:`segkit.timeline.seasonality`
#: measures them.
_OPEN = (0, 0, 0, 0, 0, 0, 0, 1)  # nobody orders before 7h
SEASONALITY: dict[str, dict[str, tuple[float, ...]]] = {
    "loyal high spenders": {  # weekday buyers at lunch time and in the evening, no month pattern
        "weekday": (1.2, 1.3, 1.3, 1.2, 1.0, 0.5, 0.5),
        "month": (1,) * 12,
        "hour": _OPEN + (2, 2, 2, 2, 5, 5, 2, 1, 1, 2, 3, 4, 4, 3, 2, 1),
    },
    "steady mid-value": {  # weekend family shoppers, in the morning
        "weekday": (0.6, 0.6, 0.6, 0.6, 0.8, 2.2, 1.9),
        "month": (1,) * 12,
        "hour": _OPEN + (3, 5, 6, 6, 5, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1),
    },
    "bargain hunters": {  # sales seasons (January, July, November) and late evenings
        "weekday": (1,) * 7,
        "month": (1.8, 0.8, 0.7, 0.7, 0.7, 0.8, 1.6, 0.8, 0.7, 0.8, 1.8, 0.8),
        "hour": _OPEN + (1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 4, 6, 6, 4),
    },
    "lapsed regulars": {  # spring garden season, early risers
        "weekday": (1,) * 7,
        "month": (0.5, 0.6, 1.3, 1.8, 1.8, 1.5, 1.0, 0.8, 0.7, 0.6, 0.6, 0.8),
        "hour": _OPEN + (6, 6, 5, 4, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1),
    },
    "one-off buyers": {  # Christmas gift buyers, in the evening
        "weekday": (1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.1),
        "month": (0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 1.0, 2.3, 2.8),
        "hour": _OPEN + (1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 5, 5, 3, 2),
    },
}

#: Planted last-quarter lapses: valuable, regular customers who stop buying on ``start`` (2025-10-01).
#: Candidates were acquired at least ``min_tenure_days`` before, bought at least ``min_orders`` times before
#: ``start`` with a mean gap of at most ``max_mean_gap_days`` and a purchase in the ``recent_days`` before it,
#: would have bought again after it, and have an expected yearly revenue (rate × mean order value) in the top
#: ``top_value_share`` of all customers; ``share`` of the customers (at most all candidates) are drawn from them.
LAPSES: dict[str, float | str] = {
    "start": "2025-10-01", "share": 0.015, "min_tenure_days": 180, "min_orders": 6, "max_mean_gap_days": 40,
    "recent_days": 30, "top_value_share": 0.2,
}

#: Planted category mix: the probability that an order line of a group is in each category (CATEGORIES order).
CATEGORY_WEIGHTS: dict[str, tuple[float, ...]] = {
    #                       home  kitchen garden gifts stationery toys
    "loyal high spenders": (0.34, 0.28, 0.10, 0.12, 0.08, 0.08),
    "steady mid-value": (0.18, 0.14, 0.06, 0.22, 0.10, 0.30),
    "bargain hunters": (0.25, 0.30, 0.08, 0.10, 0.15, 0.12),
    "lapsed regulars": (0.20, 0.15, 0.40, 0.10, 0.08, 0.07),
    "one-off buyers": (0.10, 0.08, 0.07, 0.40, 0.20, 0.15),
}
#: Guests and test accounts buy every category alike.
_GUEST_CATEGORY_WEIGHTS: tuple[float, ...] = (1 / 6,) * 6

#: Planted category pairs: (group, category, category, share of the group's orders of two lines or more that
#: hold both, as their first two lines).
CATEGORY_PAIRS: tuple[tuple[str, str, str, float], ...] = (
    ("loyal high spenders", "gifts", "stationery", 0.15),  # a present and its card
    ("steady mid-value", "stationery", "garden", 0.12),
    ("lapsed regulars", "stationery", "toys", 0.12),
)

#: The planted product pair ("diapers and beer"): in ``group`` only, this share of the orders of two lines or
#: more holds the first kitchen product and the first toys product of the catalogue.
PRODUCT_PAIR: dict[str, object] = {"group": "bargain hunters", "categories": ("kitchen", "toys"), "share": 0.05}

#: Shares of the messiness planted in the raw export, documented so that tests can check the cleaning.
MESS = {
    "return_line_share": 0.03,  # purchase lines partly or fully returned later
    "cancelled_order_share": 0.015,  # orders cancelled in full the same day
    "unmatched_return_lines": 60,  # returns of goods bought before the data starts
    "guest_order_share": 0.06,  # extra orders with no customer id
    "duplicate_line_share": 0.005,  # exact duplicate lines
    "zero_price_line_share": 0.003,  # free samples with a zero price
    "negative_price_lines": 3,  # bad-debt adjustments with a negative price
    "extreme_quantity_lines": 4,  # keying errors with huge quantities
    "test_account_orders": 40,  # orders by internal test accounts
}


def _calendar() -> pd.DataFrame:
    """The data's days: weekday (0 = Monday), month (1..12) and acquisition quarter (0 = the first)."""
    days = pd.date_range(START, periods=N_DAYS, freq="D")
    return pd.DataFrame({"weekday": days.day_of_week, "month": days.month,
                         "quarter": (days.year - START.year) * 4 + (days.month - 1) // 3})


def _normalised(weights: tuple[float, ...]) -> np.ndarray:
    """Weights scaled to mean 1."""
    values = np.asarray(weights, dtype=float)
    return values / values.mean()


def seasonal_intensity() -> np.ndarray:
    """Each group's purchase intensity multiplier per day of the data, ``(groups, N_DAYS)``, mean 1 per group.

    The product of the group's weekday and month weights (:data:`SEASONALITY`), scaled so that its mean over
    the data's days is 1: a customer's expected purchases over the two years stay ``lambda × N_DAYS``.

    Examples
    --------
    >>> s = seasonal_intensity()
    >>> s.shape, bool(np.allclose(s.mean(axis=1), 1.0))
    ((5, 731), True)
    """
    calendar = _calendar()
    rows = []
    for group in GROUPS:
        profile = SEASONALITY[group.name]
        weekday = _normalised(profile["weekday"])[calendar["weekday"]]
        daily = weekday * _normalised(profile["month"])[calendar["month"] - 1]
        rows.append(daily / daily.mean())
    return np.vstack(rows)


def _simulate_purchase_times(
    rate: np.ndarray, dropout: np.ndarray, first: np.ndarray, first_dropout: np.ndarray, season: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate purchase times (in days) for all customers at once: BG/NBD with a seasonal rate.

    ``season`` is each customer's intensity multiplier per day, ``(customers, N_DAYS)`` as rows of
    :func:`seasonal_intensity` (a view per group is enough). Repeat purchases are drawn by thinning:
    candidates at rate ``rate × max(season)``, each kept with probability ``season(day) / max(season)``;
    after a kept purchase the customer drops out with probability ``dropout``, and right after the first
    purchase with probability ``first_dropout`` (the planted cohort effect). Loops over the candidate
    number, not over customers. Returns (customer index, purchase time, alive at the end of the period).
    """
    n = len(rate)
    peak = season.max(axis=1)
    customer_idx = [np.arange(n)]
    times = [first]
    current = first.copy()
    dropped = rng.random(n) < first_dropout
    active = ~dropped
    while active.any():
        active_idx = np.flatnonzero(active)
        current[active_idx] += rng.exponential(1.0 / (rate[active_idx] * peak[active_idx]))
        in_period = current[active_idx] < N_DAYS
        active[active_idx[~in_period]] = False
        candidates = active_idx[in_period]
        day = np.floor(current[candidates]).astype(np.int64)
        kept = rng.random(len(candidates)) * peak[candidates] < season[candidates, day]
        bought = candidates[kept]
        customer_idx.append(bought)
        times.append(current[bought])
        drops = bought[rng.random(len(bought)) < dropout[bought]]
        dropped[drops] = True
        active[drops] = False
    purchases_idx = np.concatenate(customer_idx)
    alive = ~dropped
    return purchases_idx, np.concatenate(times), alive


def _acquisition_days(group_idx: np.ndarray, season: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """First-purchase times with density proportional to the group's seasonal intensity inside its window."""
    first = np.zeros(len(group_idx))
    u = rng.random(len(group_idx))
    for g, group in enumerate(GROUPS):
        members = group_idx == g
        lo, hi = (round(w * N_DAYS) for w in group.acquisition_window)
        cumulative = np.cumsum(season[g, lo:hi])
        target = u[members] * cumulative[-1]
        day = np.searchsorted(cumulative, target, side="right").clip(max=hi - lo - 1)
        below = np.where(day > 0, cumulative[np.maximum(day - 1, 0)], 0.0)
        first[members] = lo + day + (target - below) / season[g, lo + day]
    return first


def _draw_customers(n_customers: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw each customer's group and process parameters (the ground truth)."""
    shares = np.array([g.share for g in GROUPS])
    group_idx = rng.choice(len(GROUPS), size=n_customers, p=shares / shares.sum())
    params = pd.DataFrame([asdict(g) for g in GROUPS]).iloc[group_idx].reset_index(drop=True)
    first = _acquisition_days(group_idx, seasonal_intensity(), rng)
    quarter = _calendar()["quarter"].to_numpy()[np.floor(first).astype(np.int64)]
    ids = rng.choice(np.arange(12000, 12000 + 4 * n_customers), size=n_customers, replace=False)
    return pd.DataFrame(
        {
            "customer_id": ids.astype(str),
            "group": params["name"],
            "group_idx": group_idx,
            "acquisition_day": first,
            "acquisition_quarter": quarter,
            "first_purchase_dropout": np.round(quarter * COHORT_EFFECT["first_purchase_dropout_per_quarter"], 6),
            "purchase_rate_per_day": rng.gamma(params["r"], 1.0 / params["alpha"]),
            "dropout_prob": rng.beta(params["a"], params["b"]),
            "mean_order_value": rng.gamma(params["q"], params["mean_order_value"] / params["q"]),
            "order_shape": params["order_shape"],
            "discount_mean": params["discount_mean"],
            "country": rng.choice(COUNTRIES, size=n_customers, p=COUNTRY_PROBS),
            "preferred_channel": [
                CHANNELS[i] for i in _categorical(np.array(params["channel_probs"].tolist()), rng)
            ],
        }
    )


def _categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to one), vectorised."""
    return (rng.random((len(probs), 1)) > np.cumsum(probs, axis=1)).sum(axis=1).clip(max=probs.shape[1] - 1)


def _catalogue(rng: np.random.Generator) -> pd.DataFrame:
    """A product catalogue: stock code, category and list price (log-normal)."""
    return pd.DataFrame(
        {
            "product_id": [f"P{code:05d}" for code in rng.choice(90000, size=N_PRODUCTS, replace=False) + 10000],
            "category": rng.choice(CATEGORIES, size=N_PRODUCTS),
            "list_price": np.round(np.exp(rng.normal(1.6, 0.8, size=N_PRODUCTS)), 2).clip(0.29, 250),
        }
    )


def _lapse_start_day() -> int:
    return int((pd.Timestamp(LAPSES["start"]) - START).days)


def _choose_lapses(customers: pd.DataFrame, cust_idx: np.ndarray, day: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """The planted lapses (a boolean per customer), chosen from the simulated purchases (see :data:`LAPSES`)."""
    start = _lapse_start_day()
    n = len(customers)
    before = day < start
    orders_before = np.bincount(cust_idx[before], minlength=n)
    after = np.bincount(cust_idx[~before], minlength=n)
    last_before = np.full(n, -np.inf)
    np.maximum.at(last_before, cust_idx[before], day[before])
    first = customers["acquisition_day"].to_numpy()
    mean_gap = (last_before - first) / np.maximum(orders_before - 1, 1)
    value = customers["purchase_rate_per_day"].to_numpy() * customers["mean_order_value"].to_numpy()
    valuable = value >= np.quantile(value, 1 - LAPSES["top_value_share"])
    candidates = np.flatnonzero(
        (first <= start - LAPSES["min_tenure_days"]) & (orders_before >= LAPSES["min_orders"])
        & (mean_gap <= LAPSES["max_mean_gap_days"]) & (last_before >= start - LAPSES["recent_days"])
        & (after > 0) & valuable
    )
    chosen = rng.choice(candidates, size=min(len(candidates), round(LAPSES["share"] * n)), replace=False)
    lapse = np.zeros(n, dtype=bool)
    lapse[chosen] = True
    return lapse


def _order_times(day: np.ndarray, group_idx: np.ndarray, rng: np.random.Generator) -> pd.Series:
    """Timestamps: the purchase day, an hour from the group's hour profile and a uniform minute."""
    hour_shares = np.array([SEASONALITY[g.name]["hour"] for g in GROUPS], dtype=float)
    hour_shares /= hour_shares.sum(axis=1, keepdims=True)
    hour = _categorical(hour_shares[group_idx], rng)
    minutes = hour * 60 + rng.integers(0, 60, size=len(day))
    return START + pd.to_timedelta(np.floor(day), unit="D") + pd.to_timedelta(minutes, unit="min")


def _orders(customers: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Simulate the purchase orders of every customer; return orders, who is alive at the end, the planted lapses."""
    group_idx = customers["group_idx"].to_numpy()
    cust_idx, day, alive = _simulate_purchase_times(
        customers["purchase_rate_per_day"].to_numpy(),
        customers["dropout_prob"].to_numpy(),
        customers["acquisition_day"].to_numpy(),
        customers["first_purchase_dropout"].to_numpy(),
        seasonal_intensity()[group_idx],
        rng,
    )
    lapse = _choose_lapses(customers, cust_idx, day, rng)
    keep = ~(lapse[cust_idx] & (day >= _lapse_start_day()))
    cust_idx, day = cust_idx[keep], day[keep]
    alive = alive & ~lapse
    shape = customers["order_shape"].to_numpy()[cust_idx]
    value = rng.gamma(shape, customers["mean_order_value"].to_numpy()[cust_idx] / shape)
    preferred = customers["preferred_channel"].to_numpy()[cust_idx]
    other = rng.choice(CHANNELS, size=len(cust_idx))
    orders = pd.DataFrame(
        {
            "customer_idx": cust_idx,
            "timestamp": _order_times(day, group_idx[cust_idx], rng),
            "target_value": value,
            "channel": np.where(rng.random(len(cust_idx)) < 0.8, preferred, other),
        }
    )
    return orders, alive, lapse


def _pair_products(catalogue: pd.DataFrame) -> tuple[int, int]:
    """Catalogue rows of the planted product pair: the first product of each of its two categories."""
    first, second = PRODUCT_PAIR["categories"]
    category = catalogue["category"].to_numpy()
    return int(np.flatnonzero(category == first)[0]), int(np.flatnonzero(category == second)[0])


def _line_categories(group_of_line: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each line's category index, drawn from its group's weights (guests: -1 as group, uniform)."""
    weights = np.array([CATEGORY_WEIGHTS[g.name] for g in GROUPS] + [_GUEST_CATEGORY_WEIGHTS], dtype=float)
    weights /= weights.sum(axis=1, keepdims=True)
    return _categorical(weights[group_of_line], rng)


def _products_in(category: np.ndarray, catalogue: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """A product drawn uniformly within each line's category."""
    codes = pd.Categorical(catalogue["category"], categories=CATEGORIES).codes
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(CATEGORIES))
    starts = np.cumsum(counts) - counts
    pick = starts[category] + np.floor(rng.random(len(category)) * counts[category]).astype(np.int64)
    return order[pick]


def _order_kinds(group_of_order: np.ndarray, n_lines: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per order: 0 plain, 1 the group's planted category pair, 2 the planted product pair (orders of 2+ lines)."""
    pair_share = np.zeros(len(GROUPS) + 1)
    bundle_share = np.zeros(len(GROUPS) + 1)
    names = [g.name for g in GROUPS]
    pair_share[names.index(PRODUCT_PAIR["group"])] = PRODUCT_PAIR["share"]
    for group, _, _, share in CATEGORY_PAIRS:
        bundle_share[names.index(group)] = share
    u = rng.random(len(group_of_order))
    kind = np.where(u < pair_share[group_of_order], 2,
                    np.where(u < pair_share[group_of_order] + bundle_share[group_of_order], 1, 0))
    return np.where(n_lines >= 2, kind, 0)


def _order_lines(
    orders: pd.DataFrame, customers: pd.DataFrame, catalogue: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Split each order into lines whose revenue adds up to about the order's target value.

    Categories follow the group's weights, and the first two lines of a planted pair order are the pair.
    """
    n_lines = 1 + rng.poisson(MEAN_LINES_PER_ORDER - 1, size=len(orders))
    order_of_line = np.repeat(np.arange(len(orders)), n_lines)
    position = np.arange(len(order_of_line)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    weights = rng.gamma(1.0, size=len(order_of_line))
    weights /= np.bincount(order_of_line, weights)[order_of_line]
    order_customer = orders["customer_idx"].to_numpy()
    group_of_order = np.where(order_customer >= 0, customers["group_idx"].to_numpy()[order_customer.clip(0)], -1)
    kind = _order_kinds(group_of_order, n_lines, rng)[order_of_line]
    category = _line_categories(group_of_order[order_of_line], rng)
    pairs = {g: (CATEGORIES.index(a), CATEGORIES.index(b)) for g, a, b, _ in CATEGORY_PAIRS}
    pair_a = np.array([pairs.get(g.name, (0, 0))[0] for g in GROUPS] + [0])[group_of_order[order_of_line]]
    pair_b = np.array([pairs.get(g.name, (0, 0))[1] for g in GROUPS] + [0])[group_of_order[order_of_line]]
    bundled = (kind == 1) & (position < 2)
    category = np.where(bundled, np.where(position == 0, pair_a, pair_b), category)
    product = _products_in(category, catalogue, rng)
    first_product, second_product = _pair_products(catalogue)
    paired = (kind == 2) & (position < 2)
    product = np.where(paired, np.where(position == 0, first_product, second_product), product)
    cust = order_customer[order_of_line]
    discount_mean = customers["discount_mean"].to_numpy()[cust]
    discount = np.where(rng.random(len(cust)) < 0.5, np.round(rng.beta(2, 2 / discount_mean.clip(0.01) - 2), 2), 0.0)
    list_price = catalogue["list_price"].to_numpy()[product]
    price = np.round(list_price * (1 - discount), 2).clip(0.01)
    target = orders["target_value"].to_numpy()[order_of_line] * weights
    quantity = np.maximum(1, np.round(target / price)).astype(int)
    return pd.DataFrame(
        {
            "order_idx": order_of_line,
            "customer_idx": cust,
            "timestamp": orders["timestamp"].to_numpy()[order_of_line],
            "channel": orders["channel"].to_numpy()[order_of_line],
            "product_idx": product,
            "quantity": quantity,
            "price": price,
            "discount": discount,
        }
    )


def _export(lines: pd.DataFrame, customers: pd.DataFrame, catalogue: pd.DataFrame, invoice: np.ndarray) -> pd.DataFrame:
    """Lay lines out in the UCI Online Retail II export format (plus channel, category, discount)."""
    has_customer = lines["customer_idx"].to_numpy() >= 0
    cust = lines["customer_idx"].to_numpy().clip(0)
    customer_id = np.where(has_customer, customers["customer_id"].to_numpy()[cust], "")
    customer_id = np.where(lines["test_account"].to_numpy() != "", lines["test_account"].to_numpy(), customer_id)
    country = np.where(has_customer, customers["country"].to_numpy()[cust], "United Kingdom")
    return pd.DataFrame(
        {
            "Invoice": invoice,
            "StockCode": catalogue["product_id"].to_numpy()[lines["product_idx"].to_numpy()],
            "Quantity": lines["quantity"].to_numpy(),
            "InvoiceDate": pd.to_datetime(lines["timestamp"].to_numpy()).strftime("%Y-%m-%d %H:%M"),
            "Price": lines["price"].to_numpy(),
            "Customer ID": customer_id,
            "Country": country,
            "Channel": lines["channel"].to_numpy(),
            "Category": catalogue["category"].to_numpy()[lines["product_idx"].to_numpy()],
            "Discount": lines["discount"].to_numpy(),
        }
    )


def _guest_and_test_orders(
    n_orders: int, n_guest: int, n_test: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Orders with no customer id (guests) and by internal test accounts, as order rows."""
    n = n_guest + n_test
    return pd.DataFrame(
        {
            "customer_idx": np.full(n, -1),
            "timestamp": START
            + pd.to_timedelta(rng.integers(0, N_DAYS, size=n), unit="D")
            + pd.to_timedelta(rng.integers(8 * 60, 20 * 60, size=n), unit="min"),
            "target_value": rng.gamma(3.0, 15.0, size=n),
            "channel": rng.choice(CHANNELS, size=n),
            "test_account": np.concatenate([np.full(n_guest, ""), rng.choice(TEST_ACCOUNTS, size=n_test)]),
        },
        index=np.arange(n_orders, n_orders + n),
    )


def _returns(lines: pd.DataFrame, rng: np.random.Generator, *, n_orders: int) -> pd.DataFrame:
    """Return lines (negative quantity, later date) and same-day cancellations of whole orders."""
    customer_lines = lines[(lines["customer_idx"] >= 0) & (lines["test_account"] == "")]
    returned = customer_lines[rng.random(len(customer_lines)) < MESS["return_line_share"]].copy()
    returned["quantity"] = -np.ceil(returned["quantity"] * rng.uniform(0.2, 1.0, size=len(returned))).astype(int)
    returned["timestamp"] = returned["timestamp"] + pd.to_timedelta(rng.integers(1, 30, size=len(returned)), unit="D")
    returned = returned[returned["timestamp"] < START + pd.Timedelta(days=N_DAYS)]
    # each return is an invoice of its own, numbered after all purchase orders
    returned["order_idx"] = n_orders + np.arange(len(returned))
    order_ids = customer_lines["order_idx"].unique()
    cancelled_orders = rng.choice(order_ids, size=int(MESS["cancelled_order_share"] * len(order_ids)), replace=False)
    cancelled = customer_lines[customer_lines["order_idx"].isin(cancelled_orders)].copy()
    cancelled["quantity"] = -cancelled["quantity"]
    cancelled["timestamp"] = cancelled["timestamp"] + pd.Timedelta(minutes=30)
    # a cancellation reuses the order number with a "C" prefix, as in the UCI export
    unmatched = customer_lines.sample(MESS["unmatched_return_lines"], random_state=rng.integers(2**31)).copy()
    unmatched["product_idx"] = (unmatched["product_idx"] + 1 + rng.integers(0, N_PRODUCTS - 1, size=len(unmatched))) % N_PRODUCTS
    unmatched["quantity"] = -rng.integers(1, 4, size=len(unmatched))
    unmatched["order_idx"] = n_orders + len(returned) + np.arange(len(unmatched))
    return pd.concat([returned, cancelled, unmatched])


def generate_transactions(
    *, n_customers: int = 5000, seed: int = 2024
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a messy raw transaction export and the ground truth behind it.

    Parameters
    ----------
    n_customers : int, default 5000
        Number of real customers (test accounts and guests come on top).
    seed : int, default 2024
        Seed of the random generator; the same seed gives byte-identical output.

    Returns
    -------
    raw : DataFrame
        Order lines in the UCI Online Retail II layout plus ``Channel``, ``Category``, ``Discount``.
    truth : DataFrame
        One row per customer: ``customer_id``, ``group``, ``acquisition_date``,
        ``first_purchase_dropout`` (the planted cohort effect), ``purchase_rate_per_day``, ``dropout_prob``,
        ``mean_order_value``, ``alive_at_end``, ``n_orders_true``, ``planted_lapse`` (a planted last-quarter
        lapse) and ``country``, ``preferred_channel``. The planted affinities are :func:`affinity_truth`'s.

    Examples
    --------
    >>> raw, truth = generate_transactions(n_customers=50, seed=1)
    >>> sorted(truth["group"].unique())[:2]
    ['bargain hunters', 'lapsed regulars']
    >>> {"Invoice", "StockCode", "Customer ID"} <= set(raw.columns)
    True
    """
    if n_customers < 1:
        raise ValueError(f"n_customers must be at least 1, got {n_customers}")
    rng = np.random.default_rng(seed)
    customers = _draw_customers(n_customers, rng)
    catalogue = _catalogue(np.random.default_rng([seed, 1]))  # a stream of its own: the same for any n_customers
    orders, alive, lapse = _orders(customers, rng)
    orders["test_account"] = ""
    n_guest = int(MESS["guest_order_share"] * len(orders))
    orders = pd.concat([orders, _guest_and_test_orders(len(orders), n_guest, MESS["test_account_orders"], rng)])
    orders = orders.sort_values("timestamp", kind="stable")
    orders["order_number"] = np.arange(len(orders))
    lines = _order_lines(orders.reset_index(drop=True), customers, catalogue, rng)
    lines["test_account"] = orders["test_account"].to_numpy()[lines["order_idx"].to_numpy()]
    lines["customer_idx"] = orders["customer_idx"].to_numpy()[lines["order_idx"].to_numpy()]
    invoice_base = 500000
    returns = _returns(lines, rng, n_orders=len(orders))
    lines = _plant_price_and_quantity_errors(lines, rng)
    all_lines = pd.concat([lines, returns]).sort_values(["timestamp", "order_idx"], kind="stable")
    invoice = np.char.add(
        np.where(all_lines["quantity"].to_numpy() < 0, "C", ""),
        (invoice_base + all_lines["order_idx"].to_numpy()).astype(str),
    )
    raw = _export(all_lines, customers, catalogue, invoice)
    raw = _plant_duplicates(raw, rng)
    truth = _truth(customers, orders, alive, lapse)
    return raw, truth


def _plant_price_and_quantity_errors(lines: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Zero prices (free samples), negative prices (bad-debt adjustments) and huge keyed quantities."""
    lines = lines.copy()
    n = len(lines)
    zero = rng.random(n) < MESS["zero_price_line_share"]
    lines.loc[zero, "price"] = 0.0
    negative = rng.choice(n, size=MESS["negative_price_lines"], replace=False)
    lines.iloc[negative, lines.columns.get_loc("price")] = -np.round(rng.uniform(500, 5000, size=len(negative)), 2)
    lines.iloc[negative, lines.columns.get_loc("quantity")] = 1
    extreme = rng.choice(n, size=MESS["extreme_quantity_lines"], replace=False)
    lines.iloc[extreme, lines.columns.get_loc("quantity")] = rng.integers(5000, 80000, size=len(extreme))
    return lines


def _plant_duplicates(raw: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Repeat a few lines exactly, as a double-submitted export would."""
    duplicated = raw[rng.random(len(raw)) < MESS["duplicate_line_share"]]
    return pd.concat([raw, duplicated]).sort_index(kind="stable").reset_index(drop=True)


def _truth(customers: pd.DataFrame, orders: pd.DataFrame, alive: np.ndarray, lapse: np.ndarray) -> pd.DataFrame:
    """The per-customer ground truth written beside the data."""
    real = orders[orders["customer_idx"] >= 0]
    n_orders = np.bincount(real["customer_idx"], minlength=len(customers))
    truth = customers.drop(columns=["order_shape", "discount_mean", "group_idx", "acquisition_quarter"]).copy()
    truth["acquisition_date"] = (START + pd.to_timedelta(np.floor(truth.pop("acquisition_day")), unit="D")).dt.date
    truth["alive_at_end"] = alive
    truth["n_orders_true"] = n_orders
    truth["planted_lapse"] = lapse
    truth["mean_order_value"] = truth["mean_order_value"].round(4)
    truth["purchase_rate_per_day"] = truth["purchase_rate_per_day"].round(6)
    truth["dropout_prob"] = truth["dropout_prob"].round(6)
    return truth.sort_values("customer_id").reset_index(drop=True)


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


# --- the expected baskets of each group (the planted affinities' truth) ---------------------------


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


def write_default_data(*, n_customers: int = 5000, seed: int = 2024, target: Path = RAW_DIR) -> dict[str, int]:
    """Write the default data set to ``target``: raw export, ground truth, affinity truth, generator parameters."""
    raw, truth = generate_transactions(n_customers=n_customers, seed=seed)
    target.mkdir(parents=True, exist_ok=True)
    # mtime=0 in the gzip header keeps the file byte-identical between runs
    with gzip.GzipFile(target / DEFAULT_TRANSACTIONS.name, "wb", mtime=0) as handle:
        handle.write(raw.to_csv(index=False).encode("utf-8"))
    truth.to_csv(target / DEFAULT_GROUND_TRUTH.name, index=False)
    affinity_truth(seed=seed).to_csv(target / "affinity_truth.csv", index=False)
    params = group_parameters().drop(columns=["acquisition_window", "channel_probs"])
    (target / "generator_params.json").write_text(
        json.dumps({"seed": seed, "n_customers": n_customers, "start": str(START.date()), "n_days": N_DAYS,
                    "mess": MESS, "groups": params.round(6).to_dict(orient="index"), **planted_truth()},
                   indent=2) + "\n"
    )
    return {"lines": len(raw), "customers": n_customers, "planted_lapses": int(truth["planted_lapse"].sum())}


def example_customers(n_customers: int = 1000, *, seed: int = 0, horizon_days: int = 730) -> pd.DataFrame:
    """A synthetic customer table with the columns of ``segkit.data.customer_table`` used by RFM.

    Heavy ties as in real shops (about half the customers have one order), skewed
    revenue, a mix of active and lapsed customers. For examples, tests and benchmarks.

    Examples
    --------
    >>> c = example_customers(100, seed=0)
    >>> c.index.name, int((c["n_orders"] == 1).mean() > 0.3)
    ('customer_id', 1)
    """
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, horizon_days + 1, n_customers)
    rate = rng.gamma(0.5, 1 / 50, n_customers)  # orders per day while active
    active_share = rng.beta(1.2, 1.0, n_customers)
    active_days = np.maximum(tenure * active_share, 1)
    n_orders = 1 + rng.poisson(rate * active_days)
    span = np.where(n_orders > 1, np.floor(active_days * rng.beta(5, 1, n_customers)), 0).astype(np.int64)
    span = np.minimum(span, tenure)
    days_since = tenure - span
    aov = rng.lognormal(np.log(45), 0.7, n_customers)
    revenue = np.round(n_orders * aov * rng.lognormal(0, 0.2, n_customers), 2)
    snapshot = pd.Timestamp("2025-01-01")
    table = pd.DataFrame(
        {
            "first_purchase": snapshot - pd.to_timedelta(tenure, unit="D"),
            "last_purchase": snapshot - pd.to_timedelta(days_since, unit="D"),
            "days_since_last_purchase": days_since,
            "n_orders": n_orders,
            "revenue": revenue,
            "avg_order_value": np.round(revenue / n_orders, 2),
            "tenure_days": tenure,
        },
        index=pd.Index([f"C{i:07d}" for i in range(n_customers)], name="customer_id"),
    )
    return table


if __name__ == "__main__":
    print(write_default_data())
