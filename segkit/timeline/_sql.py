"""The timeline's transforms over order lines, written once as SQL (run by DuckDB through :mod:`segkit.engine`).

Each function returns the text of one query over ``lines``, a relation of clean order lines (a
registered frame or ``read_parquet(...)``); ``is_return`` is the SQL expression that tells a return
(:func:`segkit.timeline._lines._return_rule`) and ``before`` the snapshot as a SQL date literal: only
lines dated before it count. Only aggregates come out: one row per customer, per cohort and period, or
per group and calendar level, never one per line.

These queries live here rather than in :mod:`segkit.engine.sql` because only the timeline uses them;
they keep to the same dialect rules (window functions, ``median``, ``count(DISTINCT)``, explicit
column lists, money summed as ``DECIMAL``), so that they translate for Spark like the engine's own.
"""

from __future__ import annotations

from collections.abc import Sequence

from segkit.engine.sql import MONEY, literal, quote


def missing_query(lines: str, columns: Sequence[str]) -> str:
    """The number of lines, of missing values in each of ``columns``, and the first and last order date."""
    missing = ", ".join(f"count(*) - count({quote(c)}) AS {quote(c)}" for c in columns)
    return f"SELECT count(*) AS n_lines, {missing}, min(order_date) AS first, max(order_date) AS last FROM {lines}"


def purchases_before_query(lines: str, is_return: str, before: str) -> str:
    """The number of purchase lines (not returns) dated before ``before``."""
    return f"SELECT count(*) AS n FROM {lines} WHERE order_date < {before} AND NOT {is_return}"


def _period(per_year: int) -> str:
    """Periods since year 0 of ``order_date``: year × per_year + the period within the year."""
    return f"year(order_date) * {per_year} + CAST(floor((month(order_date) - 1) / {12 // per_year}) AS BIGINT)"


def cohort_query(lines: str, is_return: str, before: str, per_year: int) -> str:
    """Per cohort (period of the customer's first purchase) and period index (periods since it, returns
    before the first purchase counted at 0): ``active`` customers with a purchase and net ``revenue``.
    A customer with only returns has no cohort. Rows with ``period_index`` -1 give the cohort sizes."""
    return f"""
WITH dated AS (
    SELECT customer_id, CAST(amount AS {MONEY}) AS amount, {is_return} AS is_return, {_period(per_year)} AS period
    FROM {lines} WHERE order_date < {before}
), cohorts AS (
    SELECT customer_id, min(period) AS cohort FROM dated WHERE NOT is_return GROUP BY customer_id
), tagged AS (
    SELECT c.cohort, greatest(d.period - c.cohort, 0) AS period_index, d.customer_id, d.amount, d.is_return
    FROM dated AS d JOIN cohorts AS c ON d.customer_id = c.customer_id
)
SELECT cohort, period_index, count(DISTINCT CASE WHEN NOT is_return THEN customer_id END) AS active,
    CAST(sum(amount) AS DOUBLE) AS revenue
FROM tagged GROUP BY cohort, period_index
UNION ALL
SELECT cohort, -1 AS period_index, count(*) AS active, CAST(0 AS DOUBLE) AS revenue FROM cohorts GROUP BY cohort
"""


def cycle_query(lines: str, is_return: str, before: str) -> str:
    """Per customer with a purchase: distinct orders, purchase days, the median gap in days between
    consecutive purchase days (NULL for one day) and days from the last purchase day to ``before``."""
    return f"""
WITH buys AS (
    SELECT customer_id, order_id, CAST(order_date AS DATE) AS day FROM {lines}
    WHERE order_date < {before} AND NOT {is_return}
), days AS (
    SELECT DISTINCT customer_id, day FROM buys
), gaps AS (
    SELECT customer_id, day, date_diff('day', lag(day) OVER (PARTITION BY customer_id ORDER BY day), day) AS gap
    FROM days
), per_day AS (
    SELECT customer_id, count(*) AS purchase_days, max(day) AS last_day, median(CAST(gap AS DOUBLE)) AS median_gap_days
    FROM gaps GROUP BY customer_id
), orders AS (
    SELECT customer_id, count(DISTINCT order_id) AS n_orders FROM buys GROUP BY customer_id
)
SELECT p.customer_id, o.n_orders, p.purchase_days, p.median_gap_days,
    date_diff('day', p.last_day, {before}) AS days_since_last_purchase
FROM per_day AS p JOIN orders AS o ON p.customer_id = o.customer_id
"""


def season_query(lines: str, is_return: str, before: str, total: str, *, segments: bool) -> str:
    """Orders (a customer's order id with a purchase line, at its first line's time) and their revenue
    per group (``total``, and each segment of the registered ``segment_labels`` when ``segments``),
    ``unit`` and ``level``: ``weekday`` (0 = Monday), ``hour``, ``month`` (1..12), ``calendar_month``
    (year × 12 + month, for the trend) and ``timed`` (orders not at midnight, for ``total`` only)."""
    labelled = ("UNION ALL SELECT s.grp, o.time, o.revenue FROM orders AS o JOIN segment_labels AS s "
                "ON o.customer_id = CAST(s.customer_id AS VARCHAR)") if segments else ""
    return f"""
WITH orders AS (
    SELECT CAST(customer_id AS VARCHAR) AS customer_id, order_id, min(order_date) AS time,
        sum(CAST(amount AS {MONEY})) AS revenue
    FROM {lines} WHERE order_date < {before} AND NOT {is_return} AND order_id IS NOT NULL
    GROUP BY customer_id, order_id
), tagged AS (
    SELECT {literal(total)} AS grp, time, revenue FROM orders {labelled}
), levels AS (
    SELECT grp, 'weekday' AS unit, isodow(time) - 1 AS level, revenue FROM tagged
    UNION ALL SELECT grp, 'hour' AS unit, hour(time) AS level, revenue FROM tagged
    UNION ALL SELECT grp, 'month' AS unit, month(time) AS level, revenue FROM tagged
    UNION ALL SELECT grp, 'calendar_month' AS unit, year(time) * 12 + month(time) AS level, revenue FROM tagged
    UNION ALL SELECT grp, 'timed' AS unit, 0 AS level, revenue FROM tagged
        WHERE grp = {literal(total)} AND time <> CAST(CAST(time AS DATE) AS TIMESTAMP)
)
SELECT grp, unit, level, count(*) AS orders, CAST(sum(revenue) AS DOUBLE) AS revenue
FROM levels GROUP BY grp, unit, level
"""


def cohort_months_query(lines: str, is_return: str, before: str, months: Sequence[int]) -> str:
    """Per customer with a purchase: the month number (year × 12 + month − 1) of the first purchase and,
    for each k of ``months``, ``since_k`` = 1 when they bought in the k-th month after it, else 0."""
    flags = ", ".join(f"max(CASE WHEN b.month - f.first = {int(k)} THEN 1 ELSE 0 END) AS since_{int(k)}"
                      for k in months)
    return f"""
WITH buys AS (
    SELECT DISTINCT customer_id, year(order_date) * 12 + month(order_date) - 1 AS month FROM {lines}
    WHERE order_date < {before} AND NOT {is_return}
), firsts AS (
    SELECT customer_id, min(month) AS first FROM buys GROUP BY customer_id
)
SELECT f.customer_id, f.first, {flags}
FROM firsts AS f JOIN buys AS b ON f.customer_id = b.customer_id GROUP BY f.customer_id, f.first
"""


def recent_revenue_query(lines: str, since: str, before: str) -> str:
    """Net revenue per customer over the lines dated from ``since`` up to, not including, ``before``."""
    return f"""
SELECT customer_id, CAST(sum(CAST(amount AS {MONEY})) AS DOUBLE) AS revenue FROM {lines}
WHERE order_date >= {since} AND order_date < {before} GROUP BY customer_id
"""
