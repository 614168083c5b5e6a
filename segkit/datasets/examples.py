"""A ready-made customer table for RFM examples, tests and benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
