"""What goes wrong in the export: guest and test-account orders, returns and cancellations, price and
quantity errors, duplicate lines (the shares are :data:`segkit.datasets.design.MESS`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.datasets.design import CHANNELS, MESS, N_DAYS, N_PRODUCTS, START, TEST_ACCOUNTS


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
