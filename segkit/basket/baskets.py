"""Baskets as a sparse basket × item matrix, built from clean order lines at product or category level.

A basket is one order (``order_id``); an item is a product (``product_id``) or a category
(``category``), chosen by ``level``. Only purchase lines count (returns and non-positive quantities
are left out: a returned item was not bought with the rest). The matrix is 0/1 (an item bought twice
in one order is one item of the basket), stored as ``scipy.sparse`` CSR: 100k baskets of a few items
each take a few megabytes whatever the number of products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from segkit.errors import DataError

#: The column that holds the item at each level.
LEVEL_COLUMNS: dict[str, str] = {"product": "product_id", "category": "category"}
#: The analyses that need an item column, in the words the notebook shows when it is missing.
NEEDS_ITEMS: tuple[str, ...] = ("association rules", "segment-specific rules", "next best item for cross-sell")


@dataclass(frozen=True)
class Baskets:
    """Purchase baskets as a 0/1 sparse matrix, with the labels of its rows and columns.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``n_baskets × n_items``, 1 where the basket holds the item (int32).
    items : Index
        Item labels, one per column.
    baskets : Index
        Order ids, one per row.
    customers : ndarray
        The customer of each basket (one per row).
    level : str
        ``"product"`` or ``"category"``.
    """

    matrix: sparse.csr_matrix
    items: pd.Index
    baskets: pd.Index
    customers: np.ndarray
    level: str

    @property
    def n_baskets(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_items(self) -> int:
        return self.matrix.shape[1]

    def basket_sizes(self) -> np.ndarray:
        """Distinct items per basket."""
        return np.asarray(self.matrix.sum(axis=1)).ravel()

    def item_buyers(self) -> pd.Series:
        """Distinct customers who bought each item."""
        codes, _ = pd.factorize(pd.Series(self.customers))
        owner = sparse.csr_matrix((np.ones(self.n_baskets, dtype=np.int32), (codes, np.arange(self.n_baskets))),
                                  shape=(codes.max() + 1 if len(codes) else 0, self.n_baskets))
        bought = owner @ self.matrix
        return pd.Series(np.asarray((bought > 0).sum(axis=0)).ravel(), index=self.items, name="buyers")

    def subset(self, mask: np.ndarray) -> "Baskets":
        """The baskets where ``mask`` is true (same items, same columns)."""
        rows = np.flatnonzero(mask)
        return Baskets(self.matrix[rows], self.items, self.baskets[rows], self.customers[rows], self.level)


def item_column(lines: pd.DataFrame, *, level: str = "category") -> str:
    """The column of ``lines`` that holds the items at ``level``; raises when it is missing or empty.

    Raises
    ------
    DataError
        Unknown level, or no usable item column (naming the analyses that need one).
    """
    if level not in LEVEL_COLUMNS:
        raise DataError(f"level must be one of {sorted(LEVEL_COLUMNS)}, got {level!r}.")
    column = LEVEL_COLUMNS[level]
    if column not in lines.columns or lines[column].notna().sum() == 0:
        other = next(iter(set(LEVEL_COLUMNS) - {level}))
        state = "has no" if column not in lines.columns else "has only empty values in its"
        usable = LEVEL_COLUMNS[other] in lines.columns and lines[LEVEL_COLUMNS[other]].notna().any()
        instead = f", or use level='{other}' (the data has a '{LEVEL_COLUMNS[other]}' column)" if usable else ""
        raise DataError(
            f"The data {state} '{column}' column, which {level}-level baskets need for "
            f"{', '.join(NEEDS_ITEMS)}. Map a column to '{column}' with column_map{instead}."
        )
    return column


def build_baskets(lines: pd.DataFrame, *, level: str = "category") -> Baskets:
    """The basket × item matrix of the purchase lines of ``lines`` (clean transactions).

    Parameters
    ----------
    lines : DataFrame
        Clean order lines with ``order_id``, ``customer_id`` and the item column of ``level``
        (``is_return`` and ``quantity``, when present, leave out returns).
    level : {"category", "product"}
        What an item is.

    Returns
    -------
    Baskets

    Raises
    ------
    DataError
        A missing ``order_id`` or ``customer_id`` column, no item column, or no purchase line.

    Examples
    --------
    >>> lines = pd.DataFrame({"order_id": ["a", "a", "b"], "customer_id": ["1", "1", "2"],
    ...                       "category": ["toys", "gifts", "toys"]})
    >>> b = build_baskets(lines)
    >>> b.matrix.toarray().tolist(), list(b.items)
    ([[1, 1], [0, 1]], ['gifts', 'toys'])
    """
    missing = [c for c in ("order_id", "customer_id") if c not in lines.columns]
    if missing:
        raise DataError(f"Baskets need the column(s) {missing}: map them with column_map.")
    column = item_column(lines, level=level)
    bought = lines[column].notna() & lines["order_id"].notna()
    if "is_return" in lines.columns:
        bought &= ~lines["is_return"].astype(bool)
    if "quantity" in lines.columns:
        bought &= lines["quantity"] > 0
    kept = lines.loc[bought, ["order_id", "customer_id", column]]
    if kept.empty:
        raise DataError(f"No purchase line has both an order_id and a {column}: there are no baskets to analyse.")
    rows, basket_ids = pd.factorize(kept["order_id"], sort=True)
    item_codes, items = pd.factorize(kept[column].astype(str), sort=True)
    matrix = sparse.csr_matrix((np.ones(len(kept), dtype=np.int32), (rows, item_codes)),
                               shape=(len(basket_ids), len(items)))
    matrix.sum_duplicates()
    matrix.data[:] = 1
    first = np.unique(rows, return_index=True)[1]
    customers = kept["customer_id"].to_numpy()[first]
    return Baskets(matrix, pd.Index(items, name=level), pd.Index(basket_ids, name="order_id"),
                   np.asarray(customers), level)
