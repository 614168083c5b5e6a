"""Benchmark: order lines in Parquet -> clean -> customer table -> RFM scores, segkit against hand-written
DuckDB SQL and polars, side by side in one run.

Data: canonical order lines (segkit's column names) generated in chunks straight to Parquet, 1M and
10M lines by default (``SEGKIT_BENCH_LINES=1000000,10000000,100000000`` for more), about one customer
per ten lines, 2% returns, 0.5% lines without a customer, 0.2% exact duplicates.

- **segkit**: ``segkit.engine.customer_table(path)``, the path the notebooks take: the file's content
  hash (the cache key), cleaning by the engine file to file (every rule; the excluded lines' numbers
  and rules and the quality log written as Parquet), the customer table from the clean lines (the
  lines without the excluded ones: the copies of the clean and the excluded lines that the notebooks
  read are written when they are first asked for, which this path does not do); then
  ``segkit.rfm.rfm_scores``. Files of up to 2M lines are read into memory once and scanned from
  there (``segkit.engine.sources.IN_MEMORY_LINES``), larger ones from disk at every pass.
- **DuckDB SQL**, **polars**: the same steps written by hand the way an analyst would: drop lines
  without a customer, exact duplicates, negative prices and returns without a purchase of the same
  customer and product; then recency / frequency / monetary per customer and quintile scores.
  Fewer rules than segkit (no outliers, test accounts or quality log): they are the floor.

Each step runs in its own process, so that peak memory (``ru_maxrss``) is that step's own. Up to
10M lines the three methods run in turn :data:`REPEATS` times and each keeps its best time (and its
largest peak): on a shared machine one run of the same code varied by a third. The ratios segkit /
faster reference are what to compare between versions, and how time grows with size is printed as
an exponent (time ~ lines^k). A method that fails (polars runs under a 16 GB
data limit, see :data:`POLARS_MEMORY_LIMIT`) is reported as failed and the others go on.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIZES = [int(s) for s in os.environ.get("SEGKIT_BENCH_LINES", "1000000,10000000").split(",")]
#: Rounds of the three methods per size up to :data:`REPEATED_UP_TO` lines (one round past it: 100M
#: lines take minutes per method).
REPEATS = int(os.environ.get("SEGKIT_BENCH_REPEATS", "3"))
REPEATED_UP_TO = 10_000_000
CHUNK = 2_000_000


def write_lines(path: Path, n_lines: int, *, seed: int = 0) -> None:
    """Canonical order lines, written in chunks so that 100M lines never sit in memory at once."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    n_customers = max(n_lines // 10, 1)
    writer = None
    start = np.datetime64("2024-01-01T00:00", "m")
    for first in range(0, n_lines, CHUNK):
        n = min(CHUNK, n_lines - first)
        order = (first + np.arange(n)) // 4  # 4 lines per order (CHUNK is a multiple of 4)
        # a skewed customer base: a few customers place many orders, most place one or two
        per_order = (n_customers * rng.random(n // 4 + 1) ** 2).astype(np.int64)
        customer = per_order[order - first // 4]
        minutes = (order * (730 * 24 * 60) // max(n_lines // 4, 1)).astype("timedelta64[m]")
        quantity = rng.integers(1, 13, size=n).astype(float)
        returned = rng.random(n) < 0.02
        quantity[returned] *= -1
        price = np.round(np.exp(rng.normal(1.3, 0.8, size=n)), 2)
        customer_id = pc.cast(pa.array(10_000 + customer), pa.string())
        no_customer = rng.random(n) < 0.005
        customer_id = pc.if_else(pa.array(no_customer), pa.scalar(None, pa.string()), customer_id)
        table = pa.table({
            "customer_id": customer_id,
            "order_id": pc.cast(pa.array(500_000 + order), pa.string()),
            "order_date": pa.array((start + minutes).astype("datetime64[us]")),
            "quantity": quantity,
            "unit_price": price,
            "amount": np.round(quantity * price, 2),
            "product_id": pc.cast(pa.array(rng.integers(10_000, 15_000, size=n)), pa.string()),
            "country": pa.array(rng.choice(["United Kingdom", "Germany", "France", "EIRE"], size=n)).dictionary_encode(),
        })
        duplicates = table.take(pa.array(np.flatnonzero(rng.random(n) < 0.002)))
        table = pa.concat_tables([table, duplicates]).combine_chunks()
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=1_000_000)
    writer.close()


def run_segkit(path: Path, work: Path) -> dict:
    import segkit.data.cache
    from segkit import engine
    from segkit.rfm.scores import rfm_scores

    segkit.data.cache.INTERIM_DIR = work  # the cache entry (clean and excluded lines, log) goes to the run's folder
    customers = engine.customer_table(path)
    scores = rfm_scores(customers, warn=False)
    return {"customers": len(scores)}


HAND_SQL = """
WITH lines AS (
    SELECT DISTINCT * FROM read_parquet('{path}') WHERE customer_id IS NOT NULL AND unit_price >= 0
),
bought AS (
    SELECT customer_id, product_id, sum(quantity) AS q FROM lines WHERE quantity > 0 GROUP BY ALL
),
kept AS (
    SELECT l.* FROM lines l LEFT JOIN bought b USING (customer_id, product_id)
    WHERE l.quantity > 0 OR coalesce(b.q, 0) >= -l.quantity
),
customers AS (
    SELECT customer_id, date_diff('day', max(order_date)::DATE, (SELECT max(order_date)::DATE + 1 FROM kept)) AS recency,
        count(DISTINCT order_id) FILTER (WHERE quantity > 0) AS frequency, sum(amount) AS monetary
    FROM kept GROUP BY customer_id HAVING count(*) FILTER (WHERE quantity > 0) > 0
)
SELECT customer_id, 6 - ntile(5) OVER (ORDER BY recency) AS R, ntile(5) OVER (ORDER BY frequency) AS F,
    ntile(5) OVER (ORDER BY monetary) AS M
FROM customers
"""


def run_duckdb(path: Path, work: Path) -> dict:
    import duckdb

    scores = duckdb.connect().sql(HAND_SQL.format(path=path)).df()
    return {"customers": len(scores)}


def run_polars(path: Path, work: Path) -> dict:
    import polars as pl

    lines = (pl.scan_parquet(path).filter(pl.col("customer_id").is_not_null() & (pl.col("unit_price") >= 0))
             .unique(maintain_order=False))
    bought = (lines.filter(pl.col("quantity") > 0).group_by("customer_id", "product_id")
              .agg(pl.col("quantity").sum().alias("q")))
    kept = (lines.join(bought, on=["customer_id", "product_id"], how="left")
            .filter((pl.col("quantity") > 0) | (pl.col("q").fill_null(0) >= -pl.col("quantity"))))
    snapshot = kept.select(pl.col("order_date").max().dt.date() + pl.duration(days=1)).collect().item()
    customers = (kept.group_by("customer_id").agg(
        recency=(pl.lit(snapshot) - pl.col("order_date").max().dt.date()).dt.total_days(),
        frequency=pl.col("order_id").filter(pl.col("quantity") > 0).n_unique(),
        monetary=pl.col("amount").sum(),
    ).filter(pl.col("frequency") > 0))
    quintile = lambda c: (pl.col(c).rank("ordinal") * 5 / pl.len()).ceil().cast(pl.Int8)  # noqa: E731
    scores = customers.select("customer_id", (6 - quintile("recency")).alias("R"), quintile("frequency").alias("F"),
                              quintile("monetary").alias("M")).collect()
    return {"customers": scores.height}


#: What each method imports before its clock starts: the comparison is of the work, not of import time
#: (segkit's plotting dependencies alone take about 2 s to import).
IMPORTS: dict[str, tuple[str, ...]] = {
    "segkit": ("segkit.engine.tables", "segkit.rfm.scores"), "duckdb": ("duckdb",), "polars": ("polars",)}


#: polars holds the whole query in memory (about 2.7 GB at 10M lines): past this it fails instead of
#: pushing the machine, which has no swap, into the kernel's out-of-memory killer.
POLARS_MEMORY_LIMIT = 16 * 2**30


def child(method: str, path: str, work: str) -> None:
    if method == "polars":
        resource.setrlimit(resource.RLIMIT_DATA, (POLARS_MEMORY_LIMIT, POLARS_MEMORY_LIMIT))
    for module in IMPORTS[method]:
        __import__(module)
    start = time.perf_counter()
    result = globals()[f"run_{method}"](Path(path), Path(work))
    result.update(seconds=time.perf_counter() - start,
                  peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def measure(method: str, path: Path, work: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", method, str(path), str(work)],
                         capture_output=True, text=True)
    if out.returncode != 0:  # say why (e.g. DuckDB out of memory), not only that the child failed
        raise RuntimeError(f"{method} on {path.name} failed (exit code {out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    methods = ("segkit", "duckdb", "polars")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n_lines in SIZES:
            path = Path(tmp) / f"lines_{n_lines}.parquet"
            start = time.perf_counter()
            write_lines(path, n_lines)
            rounds = REPEATS if n_lines <= REPEATED_UP_TO else 1
            print(f"\n{n_lines:,} lines: generated in {time.perf_counter() - start:.1f} s "
                  f"({path.stat().st_size / 1e6:.0f} MB Parquet); best of {rounds} run(s) each", flush=True)
            results, failed = {}, set()
            for round_no in range(rounds):
                for m in (m for m in methods if m not in failed):
                    try:
                        run = measure(m, path, Path(tmp) / f"work_{m}_{n_lines}_{round_no}")
                    except RuntimeError as error:  # e.g. a reference that holds everything in memory at 100M lines
                        print(f"  {m:8s} failed: {str(error).strip().splitlines()[-1][:200]}", flush=True)
                        failed.add(m)
                        continue
                    best = results.get(m, run)
                    results[m] = {**run, "seconds": min(run["seconds"], best["seconds"]),
                                  "peak_mb": max(run["peak_mb"], best["peak_mb"])}
            references = [results[m]["seconds"] for m in ("duckdb", "polars") if m in results]
            for m, r in results.items():
                ratio = (f"  ratio to the faster reference {r['seconds'] / min(references):.2f}"
                         if m == "segkit" and references else "")
                print(f"  {m:8s} {r['seconds']:7.1f} s  peak {r['peak_mb']:7.0f} MB  {r['customers']:>10,} customers"
                      + ratio, flush=True)
            rows.append((n_lines, {m: r["seconds"] for m, r in results.items()}))
    if len(rows) > 1:
        (n0, t0), (n1, t1) = rows[0], rows[-1]
        growth = {m: np.log(t1[m] / t0[m]) / np.log(n1 / n0) for m in methods if m in t0 and m in t1}
        print("\ntime ~ lines^k from {:,} to {:,} lines: ".format(n0, n1)
              + ", ".join(f"{m} k = {k:.2f}" for m, k in growth.items()))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()
