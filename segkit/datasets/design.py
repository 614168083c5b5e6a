"""The design of the default shop: its planted groups, effects and mess, as data.

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
   ``q × first_purchase_dropout_per_quarter`` (0.06): newer cohorts retain worse, and a cohort's
   share active in any later month is ``1 − 0.06 q`` times what it would have been (so 2025Q1's
   customers keep 0.76× the retention of 2024Q1's, group by group). This is a dropout at the first
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

The simulation that draws from this design is in :mod:`segkit.datasets.purchases` (who buys when),
:mod:`segkit.datasets.lines` (what is in each order), :mod:`segkit.datasets.mess` (what goes wrong in the
export) and :mod:`segkit.datasets.shop` (the whole export); the truth it writes beside the data is in
:mod:`segkit.datasets.truth`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


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
