"""The data profile's tables, written once as SQL for DuckDB.

Unlike :mod:`segkit.engine.sql`, these queries use DuckDB's own aggregates (``first(… ORDER BY …)``,
``quantile_cont`` over a list, ``median``) and are not meant for Spark: the profile describes one
export on one machine, and the lines a cluster holds are profiled where they came from.

Each function returns the text of one query over a named relation of order lines with
``line_no``, their position in the file (:func:`segkit.engine.views.lines_view`): the lines as read
or the clean lines. :mod:`segkit.data.profiling` runs them and shapes the results into the
profile's tables; it rounds, since DuckDB's ``round`` and pandas' do not break ties alike.
Money is summed as ``DECIMAL`` (exact), counts of distinct values skip missing values, as
pandas' ``nunique`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

from segkit.engine.sql import IS_RETURN, MAD_TO_SIGMA, money_sum, quote


def totals_query(lines: str, *, products: bool) -> str:
    """One row: ``lines``, distinct ``orders``, ``customers`` (and ``products``), ``revenue`` of all
    lines, ``gross`` of the purchases and ``returns`` of the returns (:data:`IS_RETURN`; negative),
    ``first`` and ``last`` order date."""
    product = "count(DISTINCT product_id)" if products else "NULL"
    return f"""
SELECT count(*) AS lines, count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS customers,
    {product} AS products, {money_sum('amount')} AS revenue,
    {money_sum(f'CASE WHEN NOT {IS_RETURN} THEN amount END')} AS gross,
    {money_sum(f'CASE WHEN {IS_RETURN} THEN amount END')} AS returns,
    min(order_date) AS first, max(order_date) AS last
FROM {lines}
"""


def count_query(lines: str) -> str:
    """One row: the number of ``lines``, of distinct ``customers``, and the ``revenue`` of all lines."""
    return f"SELECT count(*) AS lines, count(DISTINCT customer_id) AS customers, {money_sum('amount')} AS revenue FROM {lines}"


def gross_query(lines: str) -> str:
    """One row: ``gross``, the revenue of the purchases (lines that are not returns)."""
    return f"SELECT {money_sum(f'CASE WHEN NOT {IS_RETURN} THEN amount END')} AS gross FROM {lines}"


def schema_query(lines: str, columns: Sequence[str]) -> str:
    """One row: for each column ``c``, ``c__filled`` (non-missing values) and ``c__distinct``."""
    counts = [f"count({quote(c)}) AS {quote(c + '__filled')}, count(DISTINCT {quote(c)}) AS {quote(c + '__distinct')}"
              for c in columns]
    return f"SELECT count(*) AS n, {', '.join(counts)} FROM {lines}"


def first_values_query(lines: str, columns: Sequence[str]) -> str:
    """One row: each column's first non-missing value in file order (missing if it has none)."""
    firsts = [f"first({quote(c)} ORDER BY line_no) FILTER (WHERE {quote(c)} IS NOT NULL) AS {quote(c)}"
              for c in columns]
    return f"SELECT {', '.join(firsts)} FROM {lines}"


def monthly_query(lines: str) -> str:
    """Per calendar month with a dated line: distinct ``orders`` and ``customers`` among its purchases,
    ``revenue`` of all its lines."""
    return f"""
SELECT date_trunc('month', order_date) AS month,
    count(DISTINCT CASE WHEN NOT {IS_RETURN} THEN order_id END) AS orders,
    count(DISTINCT CASE WHEN NOT {IS_RETURN} THEN customer_id END) AS customers,
    {money_sum('amount')} AS revenue
FROM {lines} WHERE order_date IS NOT NULL GROUP BY 1 ORDER BY 1
"""


def returns_query(lines: str) -> str:
    """Returns (:data:`IS_RETURN`) by ``kind``: ``cancelled`` (order id starting with C), ``other``, and
    ``all`` of them: ``lines``, distinct ``orders`` and ``value`` (their amount, negative). Kinds
    without lines have no row."""
    return f"""
WITH marked AS (
    SELECT order_id, amount, {IS_RETURN} AS is_return,
        coalesce(upper(CAST(order_id AS VARCHAR)) LIKE 'C%', FALSE) AS cancelled
    FROM {lines}
)
SELECT CASE WHEN grouping(cancelled) = 1 THEN 'all' WHEN cancelled THEN 'cancelled' ELSE 'other' END AS kind,
    count(*) AS lines, count(DISTINCT order_id) AS orders, {money_sum('amount')} AS value
FROM marked WHERE is_return GROUP BY GROUPING SETS ((cancelled), ())
"""


def duplicates_query(lines: str, columns: Sequence[str]) -> str:
    """One row: lines equal in every column to an earlier line (missing equal to missing), the distinct
    orders and customers among them, and their revenue."""
    listed = ", ".join(quote(c) for c in columns)
    return f"""
WITH repeated AS (
    SELECT order_id, customer_id, amount, count(*) - 1 AS copies FROM {lines} GROUP BY {listed} HAVING count(*) > 1
)
SELECT coalesce(sum(copies), 0) AS lines, count(DISTINCT order_id) AS orders,
    count(DISTINCT customer_id) AS customers, {money_sum('amount * copies')} AS revenue
FROM repeated
"""


def top_lines_query(lines: str, columns: Sequence[str], n: int) -> str:
    """The ``n`` purchase lines (not returns, positive amount) with the largest amount, the earlier line
    first on ties, with ``robust_z``: (log amount - median) / (1.4826 × MAD) over all purchase lines,
    NULL for a zero spread (the score the cleaning's outlier rule uses)."""
    return f"""
WITH purchases AS (SELECT *, ln(amount) AS log_amount FROM {lines} WHERE NOT {IS_RETURN} AND amount > 0),
centre AS (SELECT median(log_amount) AS median FROM purchases),
spread AS (SELECT {MAD_TO_SIGMA} * median(abs(p.log_amount - c.median)) AS mad FROM purchases AS p, centre AS c)
SELECT {', '.join('p.' + quote(c) for c in columns)},
    CASE WHEN s.mad > 0 THEN (p.log_amount - c.median) / s.mad END AS robust_z
FROM purchases AS p, centre AS c, spread AS s ORDER BY p.amount DESC, p.line_no LIMIT {int(n)}
"""


def quantiles_query(lines: str, columns: Sequence[str], quantiles: Sequence[float]) -> str:
    """One row: for each column, its quantiles (linear interpolation, as pandas) as a list."""
    listed = "[" + ", ".join(repr(float(q)) for q in quantiles) + "]"
    return "SELECT " + ", ".join(f"quantile_cont(CAST({quote(c)} AS DOUBLE), {listed}) AS {quote(c)}"
                                 for c in columns) + f" FROM {lines}"


def breakdown_query(lines: str, column: str) -> str:
    """Per value of ``column`` (missing values left out): distinct customers and orders, and revenue."""
    return f"""
SELECT {quote(column)} AS value, count(DISTINCT customer_id) AS customers, count(DISTINCT order_id) AS orders,
    {money_sum('amount')} AS revenue
FROM {lines} WHERE {quote(column)} IS NOT NULL GROUP BY 1
"""
