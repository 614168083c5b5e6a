"""Association rules between single items (pairs): support, confidence and lift from sparse co-occurrence.

For baskets ``X`` (``n_baskets × n_items``, 0/1) the co-occurrence matrix ``C = Xᵀ X`` counts, in
cell ``(a, b)``, the baskets holding both ``a`` and ``b``, and on its diagonal the baskets holding
each item. For the rule *a → b* ("baskets with a also hold b"), with N baskets:

- support = C[a, b] / N (share of baskets with both);
- confidence = C[a, b] / C[a, a] (share of a's baskets that also hold b);
- lift = confidence / (C[b, b] / N) (how much more often b is bought with a than at all; 1 = independent).

Rules are pairs, one antecedent and one consequent, which is what cross-sell per segment needs
("customers who buy a, offer b") and what the issue asks for; longer itemsets are left out on purpose.

Why not mlxtend: its ``apriori`` / ``fpgrowth`` take a dense one-hot DataFrame (100k baskets × 5k
products is 500 million cells, gigabytes even as booleans) and enumerate itemsets level by level in
Python-managed structures; at that size it takes minutes or runs out of memory. One sparse product
``Xᵀ X`` gives every pair count at once in compiled code, in about a second at 100k baskets × 5k
products (``benchmarks/bench_basket.py`` measures it), and for pairs it is exact, not an approximation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from segkit.basket.baskets import Baskets
from segkit.errors import DataError

#: The columns of a rules table, in order.
RULE_COLUMNS: tuple[str, ...] = ("antecedent", "consequent", "baskets", "support", "confidence", "lift",
                                 "antecedent_support", "consequent_support")


def _check_basket_pairs(baskets: Baskets) -> None:
    if baskets.n_baskets == 0 or baskets.basket_sizes().max() < 2:
        raise DataError(
            f"None of the {baskets.n_baskets:,} orders holds two different {baskets.level} items, so nothing is "
            "bought together and there are no rules. If the file has one line per order (order totals) rather "
            "than one line per item, basket analysis needs the item-level export; the category mix still works."
        )


def pair_counts(matrix: sparse.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every ordered pair of different items bought together: codes ``a``, ``b``, their count, and item counts.

    Returns ``(a, b, n_ab, n_item)`` where ``n_item[i]`` is the number of baskets holding item ``i``.
    """
    x = sparse.csr_matrix(matrix, dtype=np.int32)
    co = (x.T @ x).tocoo()
    off = co.row != co.col
    n_item = np.asarray(x.sum(axis=0)).ravel().astype(np.int64)
    return co.row[off].astype(np.int64), co.col[off].astype(np.int64), co.data[off].astype(np.int64), n_item


def pair_table(baskets: Baskets, *, min_count: int = 1) -> pd.DataFrame:
    """All ordered pairs bought together in at least ``min_count`` baskets: item codes, counts, support,
    confidence and lift (``min_count`` drops rare pairs before any division, which is where the time goes)."""
    a, b, n_ab, n_item = pair_counts(baskets.matrix)
    if min_count > 1:
        common = n_ab >= min_count
        a, b, n_ab = a[common], b[common], n_ab[common]
    n = baskets.n_baskets
    n_a, n_b = n_item[a], n_item[b]
    confidence = n_ab / n_a  # lift below is written symmetrically, so a → b and b → a have the same float
    return pd.DataFrame({
        "a": a, "b": b, "baskets": n_ab, "support": n_ab / n, "confidence": confidence,
        "lift": n_ab * float(n) / (n_a * n_b).astype(float), "antecedent_support": n_a / n,
        "consequent_support": n_b / n,
    })


def association_rules(
    baskets: Baskets, *, min_support: float = 0.01, min_confidence: float = 0.0, min_lift: float = 1.0,
    min_baskets: int = 2, min_buyers: int = 2,
) -> pd.DataFrame:
    """Rules *antecedent → consequent* between single items, filtered and ranked by lift.

    Parameters
    ----------
    baskets : Baskets
        From :func:`segkit.basket.build_baskets`.
    min_support : float
        Least share of baskets holding both items (0.01 = 1% of baskets).
    min_confidence : float
        Least share of the antecedent's baskets that also hold the consequent.
    min_lift : float
        Least lift (1 = bought together as often as chance).
    min_baskets : int
        Least number of baskets holding both items: a lift from one basket is noise.
    min_buyers : int
        Items bought by fewer distinct customers than this are left out (a product with one buyer
        says something about that customer, not about the segment).

    Returns
    -------
    DataFrame
        Columns :data:`RULE_COLUMNS`, highest lift first (ties: higher support first); empty (with
        those columns) when no pair passes the thresholds.

    Raises
    ------
    DataError
        No basket holds two items (e.g. a file of one line per order), or a threshold out of range.

    Examples
    --------
    >>> from segkit.basket import build_baskets
    >>> lines = pd.DataFrame({"order_id": list("aabbc"), "customer_id": list("11223"),
    ...                       "category": ["x", "y", "x", "y", "x"]})
    >>> association_rules(build_baskets(lines), min_buyers=1)[["antecedent", "consequent", "support", "lift"]]
      antecedent consequent   support  lift
    0          x          y  0.666667   1.0
    1          y          x  0.666667   1.0
    """
    _check_thresholds(min_support=min_support, min_confidence=min_confidence, min_lift=min_lift)
    _check_basket_pairs(baskets)
    pairs = pair_table(baskets, min_count=max(min_baskets, int(np.ceil(min_support * baskets.n_baskets - 1e-9))))
    keep = ((pairs["support"] >= min_support) & (pairs["confidence"] >= min_confidence)
            & (pairs["lift"] >= min_lift) & (pairs["baskets"] >= min_baskets))
    if min_buyers > 1:
        enough = (baskets.item_buyers() >= min_buyers).to_numpy()
        keep &= enough[pairs["a"].to_numpy()] & enough[pairs["b"].to_numpy()]
    return labelled(pairs[keep], baskets.items)


def labelled(pairs: pd.DataFrame, items: pd.Index, *, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """A pair table with item labels instead of codes, ranked by lift then support (``keep``: extra columns)."""
    out = pairs.assign(antecedent=items.to_numpy()[pairs["a"].to_numpy()],
                       consequent=items.to_numpy()[pairs["b"].to_numpy()])
    out = out.sort_values(["lift", "support", "antecedent", "consequent"], ascending=[False, False, True, True],
                          kind="mergesort")
    return out[list(RULE_COLUMNS) + list(keep)].reset_index(drop=True)


def top_pair_support(baskets: Baskets) -> float:
    """The support of the most common pair (0 when nothing is bought together), for the no-rules note."""
    a, b, n_ab, _ = pair_counts(baskets.matrix)
    return float(n_ab.max() / baskets.n_baskets) if len(n_ab) else 0.0


def _check_thresholds(*, min_support: float, min_confidence: float, min_lift: float) -> None:
    for name, value in (("min_support", min_support), ("min_confidence", min_confidence)):
        if not 0 <= value <= 1:
            raise DataError(f"{name} is a share of baskets between 0 and 1, got {value}.")
    if min_lift < 0:
        raise DataError(f"min_lift is a ratio (1 = chance), got {min_lift}.")
