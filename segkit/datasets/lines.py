"""What is in each order: the product catalogue and order lines whose categories follow the group's
weights, with the planted category pairs and product pair (see :mod:`segkit.datasets.design`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.datasets.design import (
    _GUEST_CATEGORY_WEIGHTS, CATEGORIES, CATEGORY_PAIRS, CATEGORY_WEIGHTS, GROUPS, MEAN_LINES_PER_ORDER,
    N_PRODUCTS, PRODUCT_PAIR,
)
from segkit.datasets.purchases import _categorical


def _catalogue(rng: np.random.Generator) -> pd.DataFrame:
    """A product catalogue: stock code, category and list price (log-normal)."""
    return pd.DataFrame(
        {
            "product_id": [f"P{code:05d}" for code in rng.choice(90000, size=N_PRODUCTS, replace=False) + 10000],
            "category": rng.choice(CATEGORIES, size=N_PRODUCTS),
            "list_price": np.round(np.exp(rng.normal(1.6, 0.8, size=N_PRODUCTS)), 2).clip(0.29, 250),
        }
    )


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
