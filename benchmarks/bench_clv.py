"""Benchmark: BG/NBD fitting time at 10k / 100k / 1M customers.

Run with ``python benchmarks/bench_clv.py`` (a few minutes on 2 cores). Customers are simulated
from known BG/NBD parameters on a daily grid over two years, as segkit's customer table has
them (whole-day recency and T), so many customers share a (frequency, recency, T) triple.

Three fits are timed in the same run, on the same data:

* ``weighted``: segkit's default, ``BetaGeoModel()``: unique triples with counts as weights
  (the time includes finding the unique triples), analytic gradient, Newton polish;
* ``plain``: ``BetaGeoModel(compress=False)``: the same optimiser on every customer row;
* ``reference``: the textbook approach of lifetimes-era code: the per-customer
  log-likelihood minimised by SciPy's BFGS with a finite-difference gradient, every row.

The table prints seconds, the speed-up of weighted over plain and over the reference, and
the largest relative difference between the weighted and plain estimates (should be ~1e-8).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import optimize  # noqa: E402

from segkit.clv import BetaGeoModel  # noqa: E402
from segkit.datasets import simulate_bgnbd  # noqa: E402
from segkit.clv.bgnbd import _bgnbd_log_likelihood  # noqa: E402

TRUE = {"r": 0.6, "alpha": 25.0, "a": 0.8, "b": 3.0}  # per day
SIZES = (10_000, 100_000, 1_000_000)
REFERENCE_MAX = 1_000_000  # the reference fit is run up to this size


def daily_customers(n: int, seed: int) -> pd.DataFrame:
    """Simulated customers acquired uniformly over two years, on whole days."""
    ages = np.random.default_rng(seed).integers(1, 731, n).astype(float)
    sim = simulate_bgnbd(n, **TRUE, T=ages, random_state=seed + 1)
    recency = np.where(sim["frequency"] > 0, np.clip(np.round(sim["recency"]), 1, sim["T"]), 0.0)
    return pd.DataFrame({"frequency": sim["frequency"].astype(float), "recency": recency, "T": sim["T"]})


def best_of(repeats: int, func) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def reference_fit(data: pd.DataFrame) -> np.ndarray:
    """lifetimes-style fit: BFGS on log-parameters, finite-difference gradient, one term per customer."""
    x, t_x, age = (data[c].to_numpy() for c in ("frequency", "recency", "T"))
    scale = 10.0 / age.max()

    def nll(log_params: np.ndarray) -> float:
        value = -_bgnbd_log_likelihood(*np.exp(log_params), x, t_x * scale, age * scale).mean()
        return value if np.isfinite(value) else 1e10

    result = optimize.minimize(nll, np.zeros(4), method="BFGS", options={"gtol": 1e-6})
    params = np.exp(result.x)
    params[1] /= scale
    return params


def main() -> None:
    rows = []
    for n in SIZES:
        data = daily_customers(n, seed=n)
        args = (data["frequency"], data["recency"], data["T"])
        repeats = 5 if n <= 100_000 else 2
        weighted_s, weighted = best_of(repeats, lambda: BetaGeoModel().fit(*args))
        plain_s, plain = best_of(repeats, lambda: BetaGeoModel(compress=False).fit(*args))
        row = {
            "customers": n,
            "unique_triples": weighted.n_unique_,
            "weighted_s": weighted_s,
            "plain_s": plain_s,
            "plain/weighted": plain_s / weighted_s,
            "max_rel_param_diff": float(np.max(np.abs(weighted.params_ / plain.params_ - 1))),
        }
        if n <= REFERENCE_MAX:
            reference_s, reference = best_of(1, lambda: reference_fit(data))
            row["reference_s"] = reference_s
            row["reference/weighted"] = reference_s / weighted_s
            row["reference_max_rel_diff"] = float(np.max(np.abs(reference / weighted.params_.to_numpy() - 1)))
        rows.append(row)
        print(f"done: {n:,} customers", flush=True)
    table = pd.DataFrame(rows).set_index("customers")
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print("\nBG/NBD fit times (seconds, best of repeats; ratios measured in this run)")
        print(table)
    print("\nfitted at 1M (weighted):", weighted.params_.round(4).to_dict(), "| truth:", TRUE)


if __name__ == "__main__":
    main()
