"""Benchmark: the k-means k sweep on a million customers, full KMeans against MiniBatchKMeans.

Run from the project root (a few minutes on one core):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_kmeans.py [n_customers] [feature_set]

Data: the default data set's customer features (segkit.data.customer_table + customer_features),
resampled with replacement to ``n_customers`` (default 1,000,000) and jittered by ±5 % so that the
rows are distinct; this keeps the real shape of the features (skew, overlap) at scale.

Printed:
1. per k: seconds for full KMeans and for MiniBatchKMeans (same n_init, same seed), their ratio, the
   adjusted Rand index between the two partitions, the inertia difference, and, as the yardstick
   for "measurable", the ARI between two full-KMeans runs that differ only in the seed;
2. the whole sweep (segkit.cluster.choose_k: fits + sampled silhouette + Calinski-Harabasz +
   Davies-Bouldin + sampled gap statistic) with each method, the ratio, and the chosen k;
3. the sampling error of the silhouette (sample of 5,000 vs 20,000, three seeds).
"""

from __future__ import annotations

import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import adjusted_rand_score, silhouette_score  # noqa: E402

import segkit.data  # noqa: E402
from segkit.cluster import SegmentKMeans, choose_k  # noqa: E402
from segkit.cluster.features import customer_features  # noqa: E402
from segkit.cluster.preprocess import make_preprocessor  # noqa: E402
from segkit.paths import DEFAULT_TRANSACTIONS  # noqa: E402

K_RANGE = range(2, 11)
N_INIT = 4
SEED = 42


def make_customers(n: int, feature_set: str, seed: int) -> pd.DataFrame:
    """Resample the default customers' features to ``n`` rows with ±5 % multiplicative jitter."""
    clean, _ = segkit.data.load_clean(DEFAULT_TRANSACTIONS)
    base = customer_features(segkit.data.customer_table(clean), clean, feature_set=feature_set).table
    rng = np.random.default_rng(seed)
    rows = base.to_numpy()[rng.integers(0, len(base), n)]
    jitter = rng.uniform(0.95, 1.05, rows.shape)
    frame = pd.DataFrame(rows * jitter, columns=base.columns)
    if "n_orders" in frame:
        frame["n_orders"] = np.maximum(1.0, np.round(frame["n_orders"]))
    frame.index = pd.Index([f"b{i:07d}" for i in range(n)], name="customer_id")
    return frame


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def per_k_table(Z: np.ndarray) -> pd.DataFrame:
    rows = []
    for k in K_RANGE:
        full, t_full = timed(lambda k=k: SegmentKMeans(k, n_init=N_INIT, method="kmeans", random_state=SEED).fit(Z))
        other = SegmentKMeans(k, n_init=N_INIT, method="kmeans", random_state=SEED + 1).fit(Z)
        mini, t_mini = timed(lambda k=k: SegmentKMeans(k, n_init=N_INIT, method="minibatch", random_state=SEED).fit(Z))
        rows.append(
            {
                "k": k,
                "kmeans_s": t_full,
                "minibatch_s": t_mini,
                "time_ratio_mb/full": t_mini / t_full,
                "ARI_mb_vs_full": adjusted_rand_score(full.labels_, mini.labels_),
                "inertia_diff_%": 100 * (mini.inertia_ / full.inertia_ - 1),
                "ARI_full_seed_vs_seed": adjusted_rand_score(full.labels_, other.labels_),
                "inertia_seed_diff_%": 100 * (other.inertia_ / full.inertia_ - 1),
            }
        )
        print(f"  k={k} done", file=sys.stderr, flush=True)
    return pd.DataFrame(rows).set_index("k")


def sweep_table(Z: np.ndarray) -> pd.DataFrame:
    rows, selections = [], {}
    for method in ("kmeans", "minibatch"):
        sel, seconds = timed(lambda m=method: choose_k(Z, k_range=K_RANGE, n_init=N_INIT, method=m, random_state=SEED))
        selections[method] = sel
        rows.append({"method": method, "sweep_s": seconds, "chosen_k": sel.chosen_k,
                     "votes": dict(sel.votes["best_k"].astype(int))})
        print(f"  sweep {method} done", file=sys.stderr, flush=True)
    table = pd.DataFrame(rows).set_index("method")
    table["ratio_vs_kmeans"] = table["sweep_s"] / table.at["kmeans", "sweep_s"]
    return table


def silhouette_noise(Z: np.ndarray, k: int) -> pd.DataFrame:
    labels = SegmentKMeans(k, n_init=N_INIT, method="kmeans", random_state=SEED).fit(Z).labels_
    rows = []
    for size in (5_000, 20_000):
        values, seconds = [], []
        for seed in range(3):
            value, s = timed(lambda size=size, seed=seed: silhouette_score(Z, labels, sample_size=size, random_state=seed))
            values.append(value)
            seconds.append(s)
        rows.append({"sample_size": size, "mean": np.mean(values), "sd_over_seeds": np.std(values),
                     "seconds_each": np.mean(seconds)})
    return pd.DataFrame(rows).set_index("sample_size")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    feature_set = sys.argv[2] if len(sys.argv) > 2 else "rfm"
    threads = os.environ["OMP_NUM_THREADS"]
    (X, Z), t_prep = timed(lambda: (lambda X: (X, make_preprocessor().fit_transform(X).to_numpy()))(
        make_customers(n, feature_set, SEED)))
    print(f"k-means benchmark: {n:,} customers, feature_set={feature_set!r} ({X.shape[1]} features), "
          f"k in {K_RANGE.start}..{K_RANGE.stop - 1}, n_init={N_INIT}, OMP_NUM_THREADS={threads}")
    print(f"data + preprocessing: {t_prep:.1f} s\n")
    pd.set_option("display.width", 200)
    print("1. per k: full KMeans vs MiniBatchKMeans (and full KMeans with another seed as the yardstick)")
    per_k = per_k_table(Z)
    print(per_k.round(3).to_string())
    print(f"   total fit time: KMeans {per_k['kmeans_s'].sum():.1f} s, MiniBatchKMeans {per_k['minibatch_s'].sum():.1f} s "
          f"(ratio {per_k['minibatch_s'].sum() / per_k['kmeans_s'].sum():.2f})")
    worse = per_k["ARI_mb_vs_full"] < per_k["ARI_full_seed_vs_seed"] - 0.01
    print(f"   k where MiniBatch departs from full KMeans more than a seed change does: {list(per_k.index[worse])}\n")
    print("2. the whole k sweep (choose_k: fits, silhouette on 5,000, CH, DB, gap on 5,000 with B=5)")
    print(sweep_table(Z).round(2).to_string())
    print("\n3. sampled silhouette at k=5: mean and spread over three sampling seeds")
    print(silhouette_noise(Z, 5).round(4).to_string())


if __name__ == "__main__":
    main()
