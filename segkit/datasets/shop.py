"""The default shop's raw export and its per-customer truth, from the simulation steps of the package."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.datasets.design import MESS, START
from segkit.datasets.lines import _catalogue, _order_lines
from segkit.datasets.mess import _guest_and_test_orders, _plant_duplicates, _plant_price_and_quantity_errors, _returns
from segkit.datasets.purchases import _draw_customers, _orders


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
