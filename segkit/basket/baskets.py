"""Baskets as a sparse basket × item matrix, built from clean order lines at product or category level.

A basket is one order (``order_id``); an item is a product (``product_id``) or a category
(``category``), chosen by ``level``. Only purchase lines count (returns and non-positive quantities
are left out: a returned item was not bought with the rest). The matrix is 0/1 (an item bought twice
in one order is one item of the basket), stored as ``scipy.sparse`` CSR: 100k baskets of a few items
each take a few megabytes whatever the number of products. The lines stay in the engine (DuckDB): only
the distinct (basket, item) pairs, as integer codes, and one row per basket and per item come out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from segkit.basket import _sql
from segkit.data.customers import CleanLines
from segkit.engine import database, duck, sources
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


def _columns(lines: CleanLines) -> list[str]:
    """The column names of clean lines, a frame or a Parquet file."""
    if isinstance(lines, pd.DataFrame):
        return list(lines.columns)
    if not isinstance(lines, (str, os.PathLike)):
        raise DataError(f"Baskets need clean order lines as a DataFrame or their Parquet file "
                        f"(segkit.engine.clean_lines), got {type(lines).__name__}.")
    if not Path(lines).is_file():
        raise DataError(f"The clean lines file {lines} does not exist. Make it with segkit.engine.clean_lines(source).")
    return sources.parquet_columns(lines)


def _filled(lines: CleanLines, columns: list[str], *, connection=None) -> dict[str, int]:
    """Non-missing values of each of ``columns`` (those the lines have), counted in the engine."""
    present = [c for c in columns if c in _columns(lines)]
    if not present:
        return {}
    row = duck._query_lines(connection or database.session(), lines,
                            lambda relation: _sql.filled_query(relation, present)).iloc[0]
    return {c: int(row[c]) for c in present}


def item_column(lines: CleanLines, *, level: str = "category", connection=None) -> str:
    """The column of ``lines`` (a frame or the Parquet file of clean lines) that holds the items at ``level``;
    raises when it is missing or empty.

    Raises
    ------
    DataError
        Unknown level, or no usable item column (naming the analyses that need one).
    """
    if level not in LEVEL_COLUMNS:
        raise DataError(f"level must be one of {sorted(LEVEL_COLUMNS)}, got {level!r}.")
    column = LEVEL_COLUMNS[level]
    filled = _filled(lines, list(LEVEL_COLUMNS.values()), connection=connection)
    if not filled.get(column):
        other = next(iter(set(LEVEL_COLUMNS) - {level}))
        state = "has no" if column not in filled else "has only empty values in its"
        usable = bool(filled.get(LEVEL_COLUMNS[other]))
        instead = f", or use level='{other}' (the data has a '{LEVEL_COLUMNS[other]}' column)" if usable else ""
        raise DataError(
            f"The data {state} '{column}' column, which {level}-level baskets need for "
            f"{', '.join(NEEDS_ITEMS)}. Map a column to '{column}' with column_map{instead}."
        )
    return column


def build_baskets(lines: CleanLines, *, level: str = "category",
                  snapshot_date: str | pd.Timestamp | None = None) -> Baskets:
    """The basket × item matrix of the purchase lines of ``lines`` (clean transactions).

    The engine (DuckDB) finds the distinct (basket, item) pairs as integer codes, and the customer of
    each basket; only those come into Python, never the lines.

    Parameters
    ----------
    lines : DataFrame or path
        Clean order lines with ``order_id``, ``customer_id`` and the item column of ``level``
        (``is_return`` and ``quantity``, when present, leave out returns), or their Parquet file
        (:func:`segkit.engine.clean_lines`).
    level : {"category", "product"}
        What an item is.
    snapshot_date : date-like, optional
        Only lines dated before this day count (as in :func:`segkit.data.customer_table`); default all.

    Returns
    -------
    Baskets
        Baskets in order id order, items in sorted order; a basket whose lines name several customers
        belongs to the least id.

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
    columns = _columns(lines)
    missing = [c for c in ("order_id", "customer_id") if c not in columns]
    if missing:
        raise DataError(f"Baskets need the column(s) {missing}: map them with column_map.")
    con = database.session()
    column = item_column(lines, level=level, connection=con)
    before = None if snapshot_date in (None, "") else duck._date(pd.Timestamp(snapshot_date).normalize())
    bought = _sql.purchase_rule(columns, item=column, before=before)
    duck._query_lines(con, lines, lambda relation: f"CREATE OR REPLACE TEMP TABLE kept AS "
                                                   f"{_sql.kept_query(relation, column, bought)}")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE numbered_baskets AS {_sql.baskets_query('kept')}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE numbered_items AS {_sql.items_query('kept')}")
        baskets = con.sql("SELECT order_id, customer_id FROM numbered_baskets ORDER BY row").df()
        items = con.sql("SELECT item FROM numbered_items ORDER BY col").df()["item"]
        pairs = con.sql(_sql.pairs_query("kept", "numbered_baskets", "numbered_items")).fetchnumpy()
    finally:
        con.close()  # the cursor's temporary tables go with it
    if baskets.empty:
        raise DataError(f"No purchase line has both an order_id and a {column}: there are no baskets to analyse.")
    matrix = sparse.csr_matrix((np.ones(len(pairs["row"]), dtype=np.int32),
                                (pairs["row"].astype(np.int64), pairs["col"].astype(np.int64))),
                               shape=(len(baskets), len(items)))
    matrix.sort_indices()
    return Baskets(matrix, pd.Index(items.to_numpy(object), name=level),
                   pd.Index(baskets["order_id"].to_numpy(), name="order_id"),
                   baskets["customer_id"].to_numpy(), level)
