"""What segments buy: baskets, association rules between pairs of items, per segment, and the mix.

One module per job (the public API is re-exported here):

- :mod:`~segkit.basket.baskets`: the basket × item sparse matrix (:func:`build_baskets`), at product or
  category level, from the distinct (order, item) pairs DuckDB finds in the clean lines (a frame or the
  Parquet file of :func:`segkit.engine.clean_lines`; the queries are in ``segkit.basket._sql``);
- :mod:`~segkit.basket.rules`: :func:`association_rules` (support, confidence, lift) from the sparse
  co-occurrence ``Xᵀ X`` (its docstring says why not mlxtend);
- :mod:`~segkit.basket.segments`: :func:`segment_rules` (rules within each segment, ``lift_vs_base`` and
  ``lift_vs_rest``), :func:`specific_rules`, :func:`item_mix` (index 100 = base; :func:`segment_mix` for category, channel and country) and
  :func:`next_best_items` (cross-sell per segment);
- :mod:`~segkit.basket.truth`: :func:`planted_vs_found`, planted affinities against the rules found;
- :mod:`~segkit.basket.simulate`: :func:`simulate_baskets` with planted pairs, for tests and benchmarks;
- :mod:`~segkit.basket.plots` and :mod:`~segkit.basket.text` (not re-exported: ``from segkit.basket import text``).

Rules are pairs (one antecedent, one consequent), which is what cross-sell per segment needs.
"""

from segkit.basket.baskets import LEVEL_COLUMNS, Baskets, build_baskets, item_column
from segkit.basket.rules import association_rules, pair_table, top_pair_support
from segkit.basket.segments import BASE, item_mix, next_best_items, segment_mix, segment_rules, specific_rules
from segkit.basket.simulate import simulate_baskets
from segkit.basket.truth import planted_vs_found

__all__ = [
    "BASE",
    "Baskets",
    "LEVEL_COLUMNS",
    "association_rules",
    "build_baskets",
    "item_column",
    "item_mix",
    "next_best_items",
    "pair_table",
    "planted_vs_found",
    "segment_mix",
    "segment_rules",
    "simulate_baskets",
    "specific_rules",
    "top_pair_support",
]
