"""Benchmark: the bootstrap of total CLV (200 parameter draws) against the per-draw loop it replaced.

Run from the project root:  python benchmarks/bench_clv_bootstrap.py [--customers 234000] [--loop-draws 10]
or on a real customer table: python benchmarks/bench_clv_bootstrap.py --table customers.parquet

The customer table is simulated by default, on whole days over two years as segkit's customer
table has them, from BG/NBD and Gamma-Gamma parameters close to those fitted on the 5M-line shop
of issue 11 (234k customers). Both models are fitted, then the same seeded parameter draws are
pushed through

* ``loop``: the previous implementation, ``predict_clv`` on every distinct customer row once per
  draw (``_loop_draw_totals``) with the purchases evaluated customer by customer as it then did
  (``BetaGeoModel._expected_purchases``), timed on the first ``--loop-draws`` draws (about 0.5 s
  each);
* ``pairs``: segkit's path for BG/NBD (``_bgnbd_draw_totals``), the quadrature on the distinct
  (frequency, T) pairs with a Chebyshev interpolant across ages, on all draws.

It prints seconds per draw of each (wall clock and CPU), their ratio measured in this run, the
projected and measured times for all draws, and the largest relative difference between the
two on the draws both computed (should be ~1e-15). It also times ``predict_clv``'s purchases
(12 discounting steps, every customer) per customer (``BetaGeoModel``'s own method) and per
(frequency, T) pair, and the public ``bootstrap_total_clv`` as notebook 05 calls it.
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from segkit.clv import bootstrap, predict  # noqa: E402
from segkit.clv._common import BTYD_COLUMNS  # noqa: E402
from segkit.clv._quadrature import _age_groups  # noqa: E402
from segkit.clv.simulate import simulate_gamma_gamma  # noqa: E402
from segkit.datasets import simulate_bgnbd  # noqa: E402

BG = {"r": 0.66, "alpha": 26.2, "a": 0.62, "b": 4.0}  # per day, as fitted on the 5M-line shop
GG = {"p": 4.5, "q": 2.8, "v": 29.9}
OPTIONS = {"horizon": 365.0, "margin": 0.3, "discount_rate": 0.1}  # notebook 05's defaults


def simulated_customers(n: int, seed: int) -> pd.DataFrame:
    """Customers acquired uniformly over two years, recency and T in whole days, spend in cents."""
    ages = np.random.default_rng(seed).integers(1, 732, n).astype(float)
    sim = simulate_bgnbd(n, **BG, T=ages, random_state=seed + 1)
    sim["recency"] = np.where(sim["frequency"] > 0, np.ceil(sim["recency"]).clip(1, sim["T"]), 0.0)
    spend = simulate_gamma_gamma(sim["frequency"], **GG, random_state=seed + 2)["monetary_value"].round(2)
    return sim.assign(monetary_value=spend)


def per_customer(model, x: np.ndarray, t_x: np.ndarray, age: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    """The expected purchases predict_clv used before issue 11: the model's own method, customer by customer."""
    return np.asarray(model._expected_purchases(x, t_x, age, t), dtype=float)


def timed(func) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=234_000, help="simulated customers")
    parser.add_argument("--table", help="a customer table (Parquet) to use instead of simulated customers")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--loop-draws", type=int, default=10, help="draws the per-draw loop is timed on")
    args = parser.parse_args()
    customers = pd.read_parquet(args.table) if args.table else simulated_customers(args.customers, seed=1)
    models = predict.fit_models(customers, warn=False)
    unique = customers[list(BTYD_COLUMNS)].value_counts(sort=False).rename("n").reset_index()
    pairs = unique[["frequency", "T"]].drop_duplicates()
    groups = _age_groups(pairs["frequency"].to_numpy(dtype=float), pairs["T"].to_numpy(dtype=float))
    print(f"{len(customers):,} customers, {len(unique):,} distinct rows, {len(pairs):,} distinct (frequency, T) "
          f"pairs, {groups.smooth.sum()} of {groups.smooth.size} frequencies interpolated across ages "
          f"({groups.smooth[groups.group].mean():.0%} of the pairs)")
    rng = np.random.default_rng(42)
    purchase_draws = models.purchase.sample_params(args.draws, random_state=rng)
    spend_draws = models.spend.sample_params(args.draws, random_state=rng)
    options = {**OPTIONS, "fallback_spend": predict.mean_repeat_spend(customers)}
    common = (*models, unique)
    pairs_wall, pairs_cpu, fast = timed(lambda: bootstrap._bgnbd_draw_totals(*common, purchase_draws, spend_draws,
                                                                           **options))
    k = args.loop_draws
    pairs_in_predict = predict._expected_purchases
    predict._expected_purchases = per_customer  # the loop as it was: predict_clv's quadrature on every row
    try:
        loop_wall, loop_cpu, loop = timed(lambda: bootstrap._loop_draw_totals(*common, purchase_draws.head(k),
                                                                            spend_draws.head(k), **options))
    finally:
        predict._expected_purchases = pairs_in_predict
    per_draw = pd.DataFrame({"wall_s": [loop_wall / k, pairs_wall / args.draws],
                             "cpu_s": [loop_cpu / k, pairs_cpu / args.draws]}, index=["loop", "pairs"])
    per_draw.loc["loop / pairs"] = per_draw.loc["loop"] / per_draw.loc["pairs"]
    with pd.option_context("display.float_format", "{:.4g}".format):
        print(f"\nper draw (loop timed on {k} draws, pairs on {args.draws}; ratios measured in this run)")
        print(per_draw)
    print(f"\n{args.draws} draws: pairs {pairs_wall:.1f} s wall ({pairs_cpu:.1f} s CPU); loop projected "
          f"{loop_wall / k * args.draws:.0f} s wall ({loop_cpu / k * args.draws:.0f} s CPU)")
    print(f"largest relative difference on the {k} common draws: {np.max(np.abs(fast[:k] / loop - 1)):.1e}")
    x, t_x, age = (customers[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    steps = np.linspace(0.0, OPTIONS["horizon"], 13)[1:, None]
    row_wall, row_cpu, by_row = timed(lambda: per_customer(models.purchase, x, t_x, age, steps))
    pair_wall, pair_cpu, by_pair = timed(lambda: predict._expected_purchases(models.purchase, x, t_x, age, steps))
    print(f"predict_clv's purchases at 12 steps for all {len(customers):,} customers: per customer {row_wall:.2f} s, "
          f"per (frequency, T) pair {pair_wall:.2f} s ({row_cpu / pair_cpu:.1f}x CPU); largest relative difference "
          f"{np.max(np.abs(by_pair / by_row - 1)):.1e}")
    whole_wall, whole_cpu, interval = timed(lambda: bootstrap.bootstrap_total_clv(
        *models, customers, n_draws=args.draws, random_state=42, **OPTIONS))
    print(f"bootstrap_total_clv (estimate, {args.draws} draws, interval): {whole_wall:.1f} s wall "
          f"({whole_cpu:.1f} s CPU); {interval.note}")


if __name__ == "__main__":
    main()
