"""Benchmark of segkit.cluster.ward: exact Ward at 50,000 customers and two-stage Ward at 1,000,000.

Every case runs in its own subprocess, so its peak resident memory (``ru_maxrss``) is its own.
References measured in the same run:

- SciPy's ``linkage(X, "ward")`` (which builds the full N(N-1)/2 distance matrix) against
  ``fastcluster.linkage_vector`` (O(N·d) memory) on the same 5,000 customers;
- exact Ward against two-stage Ward on the same 50,000 customers (time and agreement, ARI).

Data: planted groups (5 groups of unequal size, 6 standardised features, overlapping: about 5% of customers sit nearer another group), so
that agreement with the truth is also reported.

Run: ``python benchmarks/bench_hierarchy.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

SEED = 42
N_GROUPS = 5
SHARES = np.array([0.35, 0.25, 0.2, 0.12, 0.08])
CASES: dict[str, tuple[str, int]] = {
    # name: (what, customers)
    "scipy_5k": ("scipy linkage ward (reference)", 5_000),
    "fastcluster_5k": ("fastcluster.linkage_vector ward", 5_000),
    "exact_50k": ("WardClustering exact", 50_000),
    "two_stage_50k": ("WardClustering two-stage", 50_000),
    "two_stage_1m": ("WardClustering two-stage", 1_000_000),
}


def planted(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """``n`` customers in 5 planted groups, 6 standardised features; returns (X, truth)."""
    from sklearn.datasets import make_blobs

    sizes = np.floor(SHARES * n).astype(int)
    sizes[0] += n - sizes.sum()
    X, y = make_blobs(n_samples=sizes.tolist(), n_features=6, cluster_std=2.5, center_box=(-8, 8), random_state=seed)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def run_case(name: str, labels_path: str) -> dict:
    """Run one case in this process and return its measurements."""
    import fastcluster
    from scipy.cluster.hierarchy import linkage

    from segkit.cluster import WardClustering

    X, _ = planted(CASES[name][1])
    baseline = _rss_mb()
    start = time.perf_counter()
    extra: dict = {}
    if name == "scipy_5k":
        Z = linkage(X, method="ward")
    elif name == "fastcluster_5k":
        Z = fastcluster.linkage_vector(X, method="ward")
    else:
        max_exact = 60_000 if name == "exact_50k" else 0 if name == "two_stage_50k" else 60_000
        model = WardClustering(n_clusters=N_GROUPS, max_exact=max_exact, n_micro=1_000, random_state=SEED).fit(X)
        extra = {"method": model.method_, "leaves": len(model.leaf_weights_)}
        np.save(labels_path, model.labels_)
    seconds = time.perf_counter() - start
    if name.endswith("_5k"):
        np.save(labels_path, Z[:, 2])
    return {"seconds": seconds, "peak_rss_mb": _rss_mb(), "baseline_rss_mb": baseline, **extra}


def measure(name: str, folder: Path) -> dict:
    """Run ``name`` in a fresh interpreter; returns its measurements (and where it left its output)."""
    out = folder / f"{name}.npy"
    proc = subprocess.run(
        [sys.executable, __file__, "--case", name, "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "output": out}


def main() -> None:
    from sklearn.metrics import adjusted_rand_score

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in CASES:
            results[name] = measure(name, Path(tmp))
            print(f"  ran {name}", file=sys.stderr, flush=True)
        outputs = {name: np.load(r["output"]) for name, r in results.items()}
    truth = {n: planted(n)[1] for n in (50_000, 1_000_000)}

    print(f"\nsegkit.cluster.ward benchmark (seed {SEED}, {N_GROUPS} planted groups, 6 features, 1 thread)\n")
    print("peak RSS: the case's whole process (interpreter, libraries, data); above data: peak RSS minus the peak")
    print("reached before the clustering started (a lower bound on what the clustering itself needed)\n")
    print(f"{'case':<16}{'method':<42}{'customers':>11}{'time (s)':>10}{'peak RSS (MB)':>15}{'above data (MB)':>17}")
    for name, (what, n) in CASES.items():
        r = results[name]
        label = what if "method" not in r else f"{what} ({r['leaves']:,} leaves)"
        print(
            f"{name:<16}{label:<42}{n:>11,}{r['seconds']:>10.2f}{r['peak_rss_mb']:>15.0f}"
            f"{r['peak_rss_mb'] - r['baseline_rss_mb']:>17.0f}"
        )

    ref, fast = results["scipy_5k"], results["fastcluster_5k"]
    exact, two50, two1m = results["exact_50k"], results["two_stage_50k"], results["two_stage_1m"]
    height_diff = float(np.max(np.abs(outputs["scipy_5k"] - outputs["fastcluster_5k"])))
    print("\nratios against references measured in this run")
    print(
        f"  fastcluster vs scipy, 5,000 customers: time x{fast['seconds'] / ref['seconds']:.2f}, memory above data "
        f"{fast['peak_rss_mb'] - fast['baseline_rss_mb']:.0f} MB vs {ref['peak_rss_mb'] - ref['baseline_rss_mb']:.0f} MB; "
        f"same merge heights (max difference {height_diff:.1e})"
    )
    print(
        f"  two-stage vs exact, 50,000 customers: time x{two50['seconds'] / exact['seconds']:.2f}, "
        f"ARI(two-stage, exact) = {adjusted_rand_score(outputs['exact_50k'], outputs['two_stage_50k']):.3f}"
    )
    print(
        f"  agreement with the planted groups: exact 50k ARI = {adjusted_rand_score(truth[50_000], outputs['exact_50k']):.3f}, "
        f"two-stage 50k ARI = {adjusted_rand_score(truth[50_000], outputs['two_stage_50k']):.3f}, "
        f"two-stage 1M ARI = {adjusted_rand_score(truth[1_000_000], outputs['two_stage_1m']):.3f}"
    )
    print(f"  two-stage 1,000,000 vs exact 50,000: time x{two1m['seconds'] / exact['seconds']:.2f}")
    for n in (50_000, 100_000, 1_000_000):
        print(f"  SciPy's distance matrix alone at {n:>9,} customers: {n * (n - 1) / 2 * 8 / 1e9:>8,.1f} GB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=list(CASES), help="run one case (used internally, one per subprocess)")
    parser.add_argument("--out", help="where the case saves its labels or heights")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.out)))
    else:
        main()
