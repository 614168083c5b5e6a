"""Simulated baskets with planted pair affinities per group, for tests and the benchmark.

Each basket belongs to a customer of a group; its items are drawn from a skewed popularity (rank
``r`` has weight ``1 / r**skew``). A planted affinity ``(group, a, b, rate)`` adds both ``a`` and ``b``
to a share ``rate`` of that group's baskets, so the pair is bought together far more often than
chance in that group and at chance level elsewhere: the truth a rules method must recover.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd


def simulate_baskets(
    *, n_customers: int = 600, n_baskets: int = 6000, n_items: int = 40, groups: Sequence[str] = ("a", "b", "c"),
    planted: Sequence[tuple[str, str, str, float]] = (), mean_size: float = 2.5, skew: float = 0.8,
    column: str = "category", random_state: int = 0,
) -> tuple[pd.DataFrame, pd.Series]:
    """Order lines (``order_id``, ``customer_id``, ``column``, ``quantity``, ``amount``) and each customer's group.

    Items are named ``i000``, ``i001``, ... (most popular first); ``planted`` names them the same way.
    Returns ``(lines, groups)`` with ``groups`` indexed by ``customer_id``.
    """
    rng = np.random.default_rng(random_state)
    width = len(str(n_items - 1))
    names = np.array([f"i{k:0{max(3, width)}d}" for k in range(n_items)])
    customer_ids = np.array([f"c{k}" for k in range(n_customers)])
    group_of = pd.Series(np.asarray(groups)[np.arange(n_customers) % len(groups)], index=customer_ids,
                         name="group").rename_axis("customer_id")
    owner = rng.integers(0, n_customers, n_baskets)
    sizes = 1 + rng.poisson(mean_size - 1, n_baskets)
    weights = 1 / np.arange(1, n_items + 1) ** skew
    items = rng.choice(n_items, size=sizes.sum(), p=weights / weights.sum())
    basket = np.repeat(np.arange(n_baskets), sizes)
    extra_b, extra_i = [], []
    code = {n: i for i, n in enumerate(names)}
    basket_group = group_of.to_numpy()[owner]
    for group, a, b, rate in planted:
        chosen = np.flatnonzero((basket_group == group) & (rng.random(n_baskets) < rate))
        extra_b += [chosen, chosen]
        extra_i += [np.full(len(chosen), code[a]), np.full(len(chosen), code[b])]
    basket = np.concatenate([basket, *extra_b])
    items = np.concatenate([items, *extra_i])
    order = np.argsort(basket, kind="stable")
    basket, items = basket[order], items[order]
    lines = pd.DataFrame({
        "order_id": pd.Series([f"o{k}" for k in basket], dtype="string"),
        "customer_id": pd.Series(customer_ids[owner[basket]], dtype="string"),
        column: pd.Series(names[items], dtype="string"),
        "quantity": 1.0,
        "amount": np.round(rng.gamma(2.0, 5.0, len(basket)), 2),
    })
    return lines, group_of
