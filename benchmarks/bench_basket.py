"""Benchmark: pair rules at 100k baskets × 5k products with segkit.basket against a pandas self-merge.

Run from the project root:  python benchmarks/bench_basket.py [--baskets 100000] [--items 5000]

segkit counts every pair with one sparse product ``Xᵀ X``. The reference is how pair counts are
usually written with pandas: the distinct (order, product) rows merged with themselves on the order
id, then grouped by pair, on the same data in the same run; the two counts are checked to agree.
The reference gives counts only, segkit's rules also support, confidence, lift, the buyers per
product, the filters and the ranking. mlxtend is not a dependency; when it is installed its
``fpgrowth`` (pairs only, on a dense one-hot frame) is timed on a subsample as a second reference.
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from segkit.basket import association_rules, build_baskets, segment_rules, simulate_baskets  # noqa: E402
from segkit.basket.rules import pair_counts  # noqa: E402


def self_merge_pairs(lines: pd.DataFrame) -> pd.Series:
    """Reference: ordered pair counts from a pandas self-merge on the order id."""
    items = lines[["order_id", "product_id"]].drop_duplicates()
    pairs = items.merge(items, on="order_id")
    pairs = pairs[pairs["product_id_x"] != pairs["product_id_y"]]
    return pairs.groupby(["product_id_x", "product_id_y"]).size()


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baskets", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=20_000, help="baskets mlxtend (if installed) runs on")
    args = parser.parse_args()
    lines, groups = simulate_baskets(n_customers=args.baskets // 5, n_baskets=args.baskets, n_items=args.items,
                                     groups=[f"segment {k}" for k in range(10)], mean_size=4.0, skew=0.6,
                                     column="product_id", random_state=1)
    print(f"{args.baskets:,} baskets, {args.items:,} products, {len(lines):,} order lines")
    t_build, baskets = timed(lambda: build_baskets(lines, level="product"))
    t_rules, rules = timed(lambda: association_rules(baskets, min_support=0.0001, min_lift=1.0, min_baskets=2))
    print(f"segkit: baskets built in {t_build:.2f} s, rules in {t_rules:.2f} s ({len(rules):,} rules); "
          f"total {t_build + t_rules:.2f} s")

    t_seg, per_segment = timed(lambda: segment_rules(baskets, groups, min_support=0.001, min_lift=1.0, min_baskets=2))
    print(f"segkit: rules over all baskets and within each of 10 segments (with lift against the base and the "
          f"rest) in {t_seg:.2f} s ({len(per_segment):,} rules)")
    t_ref, reference = timed(lambda: self_merge_pairs(lines))
    t_ours, (a, b, n_ab, _) = timed(lambda: pair_counts(build_baskets(lines, level="product").matrix))
    ours = pd.Series(n_ab, index=pd.MultiIndex.from_arrays([baskets.items[a], baskets.items[b]])).sort_index()
    reference = reference.sort_index()
    assert np.array_equal(ours.to_numpy(), reference.to_numpy()) and ours.index.equals(reference.index), \
        "pair counts disagree with the reference"
    print(f"reference (pandas self-merge pair count): {t_ref:.2f} s; segkit's pair count alone (baskets "
          f"included): {t_ours:.2f} s, same counts")
    print(f"ratio reference / segkit pair count: {t_ref / t_ours:.1f}x; reference / segkit full rules "
          f"(baskets, counts, support, confidence, lift, buyers, filters, ranking): {t_ref / (t_build + t_rules):.1f}x")
    sample = lines[lines["order_id"].isin(lines["order_id"].drop_duplicates().iloc[: args.sample])]
    try:
        from mlxtend.frequent_patterns import fpgrowth
        from mlxtend.preprocessing import TransactionEncoder
    except ImportError:
        print("mlxtend is not installed: no mlxtend reference")
        return
    small = sample.groupby("order_id")["product_id"].agg(list).tolist()
    encoder = TransactionEncoder()
    t_sub, _ = timed(lambda: pair_counts(build_baskets(sample, level="product").matrix))
    t_ml, _ = timed(lambda: fpgrowth(pd.DataFrame(encoder.fit(small).transform(small), columns=encoder.columns_),
                                     min_support=2 / len(small), max_len=2))
    print(f"mlxtend fpgrowth (dense one-hot, pairs) on {args.sample:,} baskets: {t_ml:.2f} s, "
          f"{t_ml / t_sub:.1f}x segkit's pair count there")


if __name__ == "__main__":
    main()
