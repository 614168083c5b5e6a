"""Benchmark: building the customer table, vectorised against a naive per-customer pandas version.

Prints the time and peak memory of segkit.data.customer_table at 1 and 10 million order lines, and the
speed ratio against a naive groupby().apply version measured on the same 1-million-line sample in this run.
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pandas as pd

from segkit.data import customer_table


def synthetic_lines(n_lines: int, *, n_customers: int, seed: int = 0) -> pd.DataFrame:
    """Clean order lines: random customers, dates over two years, a few returns."""
    rng = np.random.default_rng(seed)
    quantity = rng.integers(1, 6, size=n_lines).astype(float)
    is_return = rng.random(n_lines) < 0.02
    quantity[is_return] *= -1
    price = np.round(np.exp(rng.normal(1.5, 0.7, size=n_lines)), 2)
    return pd.DataFrame({
        "customer_id": pd.array(rng.integers(0, n_customers, size=n_lines).astype(str), dtype="string"),
        "order_id": pd.array(rng.integers(0, n_lines // 3, size=n_lines).astype(str), dtype="string"),
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730 * 24, size=n_lines), unit="h"),
        "quantity": quantity, "unit_price": price, "amount": quantity * price, "is_return": is_return,
    })


def naive_customer_table(clean: pd.DataFrame) -> pd.DataFrame:
    """What many public notebooks do: a Python function per customer."""
    snapshot = clean["order_date"].max().normalize() + pd.Timedelta(days=1)

    def summarise(group: pd.DataFrame) -> pd.Series:
        purchases = group[group["quantity"] > 0]
        days = purchases["order_date"].dt.normalize()
        return pd.Series({
            "days_since_last_purchase": (snapshot - days.max()).days,
            "n_orders": purchases["order_id"].nunique(),
            "revenue": group["amount"].sum(),
            "frequency": days.nunique() - 1,
            "recency": (days.max() - days.min()).days,
            "T": (snapshot - days.min()).days,
        })

    return clean.groupby("customer_id").apply(summarise)


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    sample = synthetic_lines(200_000, n_customers=20_000)
    naive_s, naive = timed(naive_customer_table, sample)
    fast_s, fast = timed(customer_table, sample)
    columns = ["days_since_last_purchase", "n_orders", "frequency", "recency", "T"]
    agree = (fast[columns].astype(int) == naive.loc[fast.index, columns].astype(int)).all().all()
    print(f"200k lines / 20k customers: segkit {fast_s:.2f} s, naive apply {naive_s:.1f} s, "
          f"ratio {naive_s / fast_s:.0f}x faster; results agree: {agree}")
    del sample, naive
    big = synthetic_lines(10_000_000, n_customers=1_000_000, seed=1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    big_s, table = timed(customer_table, big)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"10M lines / {len(table):,} customers: segkit {big_s:.1f} s; "
          f"peak memory of the process {after / 1e6:.1f} GB (grew {(after - before) / 1e6:.1f} GB during the build)")


if __name__ == "__main__":
    main()
