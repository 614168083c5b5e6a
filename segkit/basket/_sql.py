"""The basket transforms over order lines, written once as SQL and run by DuckDB (:mod:`segkit.engine`).

Each function returns the text of one query over ``lines``, a relation of clean order lines (a
registered frame or ``read_parquet(...)``), with ``bought`` the SQL condition of a purchase line
(:func:`purchase_rule`). Only what the basket matrix and the mix need comes out: the distinct
(basket, item) pairs as integer codes, one row per basket and per item, and revenue per segment and
value; never one row per line. They live beside the basket code because only it uses them, and keep
to :mod:`segkit.engine.sql`'s dialect rules (window functions, explicit column lists, money summed as
``DECIMAL``) so that they translate for Spark as the engine's own do.
"""

from __future__ import annotations

from collections.abc import Sequence

from segkit.engine.sql import MONEY, quote


def purchase_rule(columns: Sequence[str], *, item: str | None, amount: bool = False, before: str | None = None) -> str:
    """The condition of a purchase line: an ``item`` value (and an order id, for baskets), not a return
    (``is_return``, when the lines have it), a positive quantity (when they have one) or, for the mix,
    a positive ``amount``; dated before ``before`` (a SQL date literal) when given."""
    rules = ["TRUE"]
    if item is not None:
        rules.append(f"{quote(item)} IS NOT NULL")
    if amount:
        rules.append("amount > 0")
    else:
        rules.append("order_id IS NOT NULL")
        if "quantity" in columns:
            rules.append("quantity > 0")
    if "is_return" in columns:
        rules.append("NOT CAST(is_return AS BOOLEAN)")
    if before is not None:
        rules.append(f"order_date < {before}")
    return " AND ".join(rules)


def filled_query(lines: str, columns: Sequence[str]) -> str:
    """The number of non-missing values of each of ``columns``."""
    return "SELECT " + ", ".join(f"count({quote(c)}) AS {quote(c)}" for c in columns) + f" FROM {lines}"


def kept_query(lines: str, item: str, bought: str) -> str:
    """The purchase lines' order, customer and item (as text), for the three queries below."""
    return (f"SELECT order_id, customer_id, CAST({quote(item)} AS VARCHAR) AS item FROM {lines} WHERE {bought}")


def baskets_query(kept: str) -> str:
    """One row per basket, numbered from 0 in order id order (``row``): the order id and its customer (the
    least id, should an order hold lines of several)."""
    return f"""
SELECT order_id, customer_id, row_number() OVER (ORDER BY order_id) - 1 AS row
FROM (SELECT order_id, min(customer_id) AS customer_id FROM {kept} GROUP BY order_id) AS orders
"""


def items_query(kept: str) -> str:
    """The items bought, numbered from 0 in sorted order (``col``)."""
    return f"SELECT item, row_number() OVER (ORDER BY item) - 1 AS col FROM (SELECT DISTINCT item FROM {kept}) AS items"


def pairs_query(kept: str, baskets: str, items: str) -> str:
    """The distinct (basket, item) pairs as codes: ``row`` of :func:`baskets_query`, ``col`` of :func:`items_query`
    (numbering the distinct ids and joining is cheaper than ranking every line)."""
    return f"""
SELECT DISTINCT b.row, i.col FROM {kept} AS k
JOIN {baskets} AS b ON k.order_id = b.order_id JOIN {items} AS i ON k.item = i.item
"""


def mix_query(lines: str, column: str, bought: str) -> str:
    """Revenue of the purchase lines per value of ``column``: over everyone (``code`` -1) and per segment
    (the ``code`` of the registered ``segment_labels``: ``customer_id`` as text, ``code``), in one pass
    (``GROUPING SETS``; lines of customers without a segment count in the base only)."""
    value = f"CAST(l.{quote(column)} AS VARCHAR)"
    return f"""
WITH bought AS (
    SELECT CAST(customer_id AS VARCHAR) AS customer_id, {value} AS value, CAST(amount AS {MONEY}) AS amount
    FROM {lines} AS l WHERE {bought}
), grouped AS (
    SELECT b.value, s.code, grouping(s.code) AS base, CAST(sum(b.amount) AS DOUBLE) AS revenue
    FROM bought AS b LEFT JOIN segment_labels AS s ON b.customer_id = s.customer_id
    GROUP BY GROUPING SETS ((b.value, s.code), (b.value))
)
SELECT value, CASE WHEN base = 1 THEN -1 ELSE code END AS code, revenue FROM grouped
WHERE base = 1 OR code IS NOT NULL
"""
