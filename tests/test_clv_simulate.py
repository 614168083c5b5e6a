"""Tests for segkit.clv.simulate: the transaction log's shape at its edges, and draws that need care."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.clv import BetaGeoModel
from segkit.clv.simulate import simulate_gamma_gamma, simulate_transactions

BG = {"r": 0.6, "alpha": 25.0, "a": 0.8, "b": 3.0}


def _within(values: np.ndarray, mean: float, k: float = 4.0) -> bool:
    values = np.asarray(values, dtype=float)
    return abs(values.mean() - mean) < k * values.std() / np.sqrt(values.size)


def test_transaction_log_is_a_clean_lines_frame_numbered_from_zero() -> None:
    log = simulate_transactions(200, **BG, days=300, random_state=3)
    assert log.columns.tolist() == ["customer_id", "order_id", "order_date", "quantity", "amount", "is_return"]
    assert log.index.equals(pd.RangeIndex(len(log)))
    assert log["order_id"].tolist() == [str(i) for i in range(len(log))]
    assert log["order_date"].is_monotonic_increasing


def test_one_customer_and_one_day_are_enough() -> None:
    one = simulate_transactions(1, **BG, days=30, random_state=0)
    assert one["customer_id"].unique().tolist() == ["C000000"]
    day = simulate_transactions(5, **BG, days=1, random_state=0)
    assert day["customer_id"].nunique() == 5 and (day["order_date"] == pd.Timestamp("2024-01-01")).all()


def test_amounts_below_a_cent_are_a_cent() -> None:
    """Mean spend p v / (q - 1) = 0.002: most amounts round to 0.00 and are kept at the smallest amount, 0.01."""
    log = simulate_transactions(300, **BG, p=6.0, q=4.0, v=0.001, days=200, random_state=1)
    assert (log["amount"] >= 0.01).all() and (log["amount"] == 0.01).mean() > 0.5


def test_transactions_with_drop_out_probabilities_below_the_smallest_float() -> None:
    """With a = 0.001 many drawn drop-out probabilities underflow to 0: those customers never drop out,
    and the repeat lines follow the model's new-customer curve."""
    params = {"r": 0.6, "alpha": 25.0, "a": 1e-3, "b": 3.0}
    log = simulate_transactions(4000, **params, days=200, acquisition_days=1, random_state=2)
    repeat_lines = log.groupby("customer_id").size() - 1
    truth = BetaGeoModel.from_params(**params)
    ages = 200 - (np.arange(20) + 0.5) / 20  # first purchase uniform within the first day
    assert _within(repeat_lines, float(np.mean(truth.expected_purchases_new_customer(ages))))


def test_spend_of_one_purchase_with_a_shape_below_one() -> None:
    """p = 0.3: one purchase is Gamma(0.3, nu), mean p v / (q - 1) = 1.5; customers without repeat
    purchases spend exactly 0."""
    frequency = np.repeat([0.0, 1.0], 20_000)
    sim = simulate_gamma_gamma(frequency, p=0.3, q=4.0, v=15.0, random_state=5)
    assert (sim["monetary_value"][frequency == 0] == 0).all()
    assert _within(sim["monetary_value"][frequency == 1], 0.3 * 15.0 / 3.0)
    assert sim["monetary_value"][frequency == 1].mean() == pytest.approx(1.5, rel=0.1)


def test_transactions_span_two_years_by_default() -> None:
    """days defaults to 730: dates run from the start to its 730th day (index 729), and with many customers
    someone buys on that last day."""
    log = simulate_transactions(3000, r=2.0, alpha=10.0, a=0.5, b=20.0, random_state=6)
    start = pd.Timestamp("2024-01-01")
    assert log["order_date"].min() >= start and log["order_date"].max() == start + pd.Timedelta(days=729)
