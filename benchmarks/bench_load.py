"""Benchmark: the front door (read + decide formats + clean) against the least any reader must do.

For the default data (about 100,000 lines) and for synthetic exports of 1 and 10 million order lines
(UCI layout, ISO dates), prints the wall time of ``segkit.data.load_clean`` without its cache and of a
reference measured in the same run: ``pd.read_csv`` with every column as text, then one
``pd.to_datetime`` with the known format and ``pd.to_numeric`` per number column (no decisions, no
cleaning). The ratio segkit / reference is what to compare between versions. Set
``SEGKIT_BENCH_LOAD_LINES`` (e.g. ``1000000``) to choose the synthetic sizes: a variable of its own, as
the front door holds a file in pandas, and the engine benchmark's 100M lines (``SEGKIT_BENCH_LINES``) would
take more than a 24 GB machine.

Run it against another checkout with ``PYTHONPATH=<checkout> python benchmarks/bench_load.py``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import segkit
from segkit import data
from segkit.paths import project_path


def synthetic_export(path: Path, n_lines: int, *, seed: int = 0) -> None:
    """A UCI-style export: invoices of 1-8 lines, 10% of customers per million lines, a few returns."""
    rng = np.random.default_rng(seed)
    n_orders = n_lines // 4
    order = np.sort(rng.integers(0, n_orders, size=n_lines))
    customer = rng.integers(0, max(n_lines // 10, 1), size=n_orders)[order]
    minutes = np.sort(rng.integers(0, 730 * 24 * 60, size=n_orders))[order]
    quantity = rng.integers(1, 13, size=n_lines)
    returned = rng.random(n_lines) < 0.02
    quantity[returned] *= -1
    frame = pd.DataFrame({
        "Invoice": np.where(returned, "C", "") + (500000 + order).astype(str),
        "StockCode": "P" + rng.integers(10000, 15000, size=n_lines).astype(str),
        "Quantity": quantity,
        "InvoiceDate": (pd.Timestamp("2024-01-01") + pd.to_timedelta(minutes, unit="min")).strftime("%Y-%m-%d %H:%M"),
        "Price": np.round(np.exp(rng.normal(1.3, 0.8, size=n_lines)), 2),
        "Customer ID": (10000 + customer).astype(str),
        "Country": rng.choice(["United Kingdom", "Germany", "France", "EIRE"], size=n_lines, p=[.85, .05, .05, .05]),
    })
    frame.to_csv(path, index=False)


def reference(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"], format="%Y-%m-%d %H:%M")
    for column in ("Quantity", "Price"):
        frame[column] = pd.to_numeric(frame[column])
    return frame


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def compare(label: str, path: Path) -> None:
    ref_s = timed(reference, path)
    segkit_s = timed(data.load_clean, path, cache=False)
    print(f"{label:<28} segkit load_clean {segkit_s:7.2f} s   reference read+parse {ref_s:7.2f} s   "
          f"ratio {segkit_s / ref_s:5.2f}", flush=True)


def main() -> None:
    print(f"segkit from {Path(segkit.__file__).parent}")
    compare("default data (~100k lines)", project_path("data/raw/transactions.csv.gz"))
    sizes = [int(n) for n in os.environ.get("SEGKIT_BENCH_LOAD_LINES", "1000000,10000000").split(",") if n]
    with tempfile.TemporaryDirectory() as folder:
        for n_lines in sizes:
            path = Path(folder) / f"orders_{n_lines}.csv"
            synthetic_export(path, n_lines)
            compare(f"{n_lines:,} lines ({path.stat().st_size / 1e6:,.0f} MB)", path)


if __name__ == "__main__":
    main()
