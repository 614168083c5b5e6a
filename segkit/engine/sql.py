"""The transforms of the data layer, written once as SQL: cleaning rules, quality log, customer table
(RFM scores and segments are in :mod:`segkit.engine.rfm_sql`).

Each function returns the text of one query over a named relation of order lines in segkit's
canonical columns (``customer_id``, ``order_id``, ``order_date``, ``quantity``, ``unit_price``,
``amount``, optional ``product_id`` and extra columns) plus ``line_no``, the line's position in
the source. The text is DuckDB's dialect and stays inside what Spark SQL also has (window
functions, ``count(DISTINCT)``, ``NULLS LAST`` spelled out, explicit column lists
instead of ``SELECT * REPLACE``), so that sqlglot can translate it for Spark.

Money is summed as ``DECIMAL(38, 9)``: a decimal sum is exact, so it does not depend on the
order in which threads or executors add up their parts. The same data gives the same numbers
on one core or many, in DuckDB or in Spark.
"""

from __future__ import annotations

from collections.abc import Sequence


#: The exclusion rules in the order they are applied (the rank charges a lost customer to a rule).
RULE_ORDER: tuple[str, ...] = (
    "missing_customer", "missing_date", "missing_amount", "test_account", "duplicate", "negative_price",
    "outlier", "return", "unmatched_return", "no_net_revenue",
)
#: Scale of the robust standard deviation: 1.4826 × MAD estimates sigma for normal data.
MAD_TO_SIGMA: float = 1.4826
#: Tolerances of the pandas rules they replace: returned quantity within rounding of what was
#: bought; a customer's net revenue at or below a micro-unit counts as nothing.
MATCH_TOLERANCE: float = 1e-9
NET_REVENUE_FLOOR: float = 1e-6

MONEY = "DECIMAL(38, 9)"
IS_RETURN = "(coalesce(quantity < 0, FALSE) OR coalesce(amount < 0, FALSE))"


def quote(name: str) -> str:
    """A column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A string as a SQL literal."""
    return "'" + value.replace("'", "''") + "'"


def _test_account(test_account_pattern: str | None, test_accounts: Sequence[str]) -> str:
    """Whether ``customer_id`` is a test account: listed in ``test_accounts`` or matching the pattern."""
    test = ["FALSE"]
    if test_accounts:
        test.append(f"customer_id IN ({', '.join(literal(a) for a in test_accounts)})")
    if test_account_pattern:
        test.append(f"coalesce(regexp_matches(customer_id, {literal(test_account_pattern)}), FALSE)")
    return " OR ".join(test)


def _qualified(expression: str, alias: str) -> str:
    """``expression`` over the line columns quantity and amount, read from the relation ``alias``."""
    return expression.replace("quantity", f"{alias}.quantity").replace("amount", f"{alias}.amount")


def _returns_rule(returns: str, keys: Sequence[str], reason: str, *, unmatched: bool) -> str:
    """The returns rule over lines ``f`` whose reason so far is ``reason``: every return with "drop"; with
    "net", a return with no key, or of more than its key (customer, product) bought. ``unmatched``:
    the lines are joined to the unmatched keys ``u``; without it, with "net", only the returns with
    no key are excluded (the rest take the join)."""
    f_is_return = _qualified(IS_RETURN, "f")
    if returns == "drop":
        return f"CASE WHEN ({reason}) IS NULL AND {f_is_return} THEN 'return' ELSE {reason} END"
    excluded = " OR ".join([*(f"f.{k} IS NULL" for k in keys), *(["u.customer_id IS NOT NULL"] if unmatched else [])])
    return f"CASE WHEN ({reason}) IS NULL AND {f_is_return} AND ({excluded}) THEN 'unmatched_return' ELSE {reason} END"


def _work_columns(columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """The match keys of the returns rule, and the few columns the rules after the first ones read."""
    keys = ["customer_id", "product_id"] if "product_id" in columns else ["customer_id"]
    return keys, ["line_no", *keys, "quantity", "amount"]


#: A free purchase: a line that is not a return, of no value (the log counts those kept).
ZERO_VALUE = f"amount = 0 AND NOT {IS_RETURN}"


def source_customers_query(source: str) -> str:
    """Per customer id of ``source`` (one row for the lines without one): its lines (``rows_in``), their
    revenue (``revenue_in``) and its free purchases (``zero_in``, :data:`ZERO_VALUE`). One pass over
    every line serves the rules and the log where they look at customers: the test-account rule
    matches each id once here, not on every line (:func:`test_customers_query`), and the quality
    log's counts need only the excluded lines besides (:func:`reason_customers_query`)."""
    return f"""
SELECT customer_id, count(*) AS rows_in, sum(CAST(amount AS {MONEY})) AS revenue_in,
    count(*) FILTER (WHERE {ZERO_VALUE}) AS zero_in
FROM {source} GROUP BY customer_id
"""


def test_customers_query(customers: str, *, test_account_pattern: str | None, test_accounts: Sequence[str]) -> str:
    """``test_customer``: the customer ids that are test accounts (listed in ``test_accounts`` or matching
    ``test_account_pattern``), usually none. ``customers`` is :func:`source_customers_query`'s table:
    the rule looks at the id alone, so it is decided once per customer; the passes of stage two over
    every line then join this small table instead of matching the pattern again on every line (a
    tenth of a second per pass at 10M lines)."""
    return (f"SELECT customer_id AS test_customer FROM {customers} "
            f"WHERE customer_id IS NOT NULL AND ({_test_account(test_account_pattern, test_accounts)})")


def duplicate_lines_query(source: str, columns: Sequence[str], *, by_sorting: bool = True) -> str:
    """``duplicate_line``: the ``line_no`` of every line of ``source`` equal in all of ``columns`` (all
    the line columns) to a line before it, the lines the duplicate rule excludes.

    Grouping every line by all its columns holds them all in the aggregate (at 100M lines more than
    the engine's memory), so lines are first keyed by a hash of their columns, and only lines whose
    hash repeats (duplicates, and the rare collision, which the exact grouping then tells apart)
    are grouped by the columns themselves. Equal lines have equal hashes, so no duplicate is
    missed. The repeated hashes are found ``by_sorting`` the hashes (each one equal to the one
    before it in order): DuckDB sorts a column of integers in half the time it takes to group 10M
    distinct values (1.0 s against 2.1 s at 10M lines, 14 s against 16 s at 100M). Spark sorts
    without a partition on one executor, so it groups them (``by_sorting=False``).
    """
    keyed = ", ".join(quote(c) for c in columns)
    if by_sorting:
        repeated = f"""SELECT DISTINCT row_hash FROM (
        SELECT row_hash, lag(row_hash) OVER (ORDER BY row_hash) AS previous
        FROM (SELECT hash({keyed}) AS row_hash FROM {source}) AS hashed
    ) AS sorted WHERE row_hash = previous"""
    else:
        repeated = f"SELECT hash({keyed}) AS row_hash FROM {source} GROUP BY hash({keyed}) HAVING count(*) > 1"
    return f"""
WITH repeated AS (
    {repeated}
),
candidates AS (
    SELECT {keyed}, line_no FROM {source} WHERE hash({keyed}) IN (SELECT row_hash FROM repeated)
),
firsts AS (
    SELECT min(line_no) AS first_line FROM candidates GROUP BY {keyed}
)
SELECT line_no AS duplicate_line FROM candidates WHERE line_no NOT IN (SELECT first_line FROM firsts)
"""


def first_rules_query(source: str, columns: Sequence[str], *, duplicates: str, test_customers: str) -> str:
    """Stage one of the rules: every line of ``source`` by ``line_no`` with the first of the rules that
    look at one line (missing customer, date or amount, test account, duplicate, negative price)
    that excludes it, NULL when none does. ``duplicates`` is :func:`duplicate_lines_query`'s table,
    ``test_customers`` :func:`test_customers_query`'s.

    Only the few columns the later rules read are carried on; :func:`clean_query` and
    :func:`excluded_query` join the lines back by ``line_no``. The engines keep this query as a
    view, not a table: its few comparisons and two joins to small tables cost less at each of stage
    two's passes than storing every line once (at 100M lines the stored lines spilled to disk and
    were read back at every pass: 69 s for the cleaning's queries against 49 s).
    """
    _, work = _work_columns(columns)
    return f"""
SELECT {', '.join('s.' + c for c in work)}, CASE
        WHEN s.customer_id IS NULL THEN 'missing_customer'
        WHEN s.order_date IS NULL THEN 'missing_date'
        WHEN s.amount IS NULL THEN 'missing_amount'
        WHEN t.test_customer IS NOT NULL THEN 'test_account'
        WHEN d.duplicate_line IS NOT NULL THEN 'duplicate'
        WHEN coalesce(s.unit_price < 0, FALSE) THEN 'negative_price'
    END AS reason
FROM {source} AS s LEFT JOIN {duplicates} AS d ON s.line_no = d.duplicate_line
    LEFT JOIN {test_customers} AS t ON s.customer_id = t.test_customer
"""


def _weighted_median(table: str, value: str, weight: str) -> str:
    """One row, ``median``: the median of ``value`` repeated ``weight`` times, as ``median()`` gives it
    (the mean of the two middle values when the count is even; NULL when there is none).

    The cleaning's outlier rule takes two medians over every candidate line. ``median()`` holds all
    its input in memory, which does not spill: at 100M lines it needs more than the engine's
    memory limit. Amounts repeat (prices times small quantities), so the distinct values with
    their counts are few, and their running count finds the middle exactly. The middle positions
    (0-based) are floor((n - 1) / 2) and floor(n / 2); a value is at or past position p when its
    running count exceeds p, written without integer division: 2 * running > n - 1 and
    2 * running > n.
    """
    return f"""SELECT 0.5 * min(CASE WHEN 2 * running > total - 1 THEN {value} END)
         + 0.5 * min(CASE WHEN 2 * running > total THEN {value} END) AS median
    FROM (SELECT {value}, sum({weight}) OVER (ORDER BY {value} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
                 sum({weight}) OVER () AS total
          FROM {table}) AS ranked"""


#: The names of the tables :func:`reasons_queries` makes, in order (``limits`` only with an outlier rule).
REASON_TABLES: tuple[str, ...] = ("limits", "returned", "returner_lines", "dropped")


def reasons_queries(first_rules: str, columns: Sequence[str], *, returns: str, outlier_z: float | None
                    ) -> dict[str, str]:
    """Stage two: queries over ``first_rules`` (stage one, :func:`first_rules_query`), to be stored in turn
    under their names, each read by the ones after it. The last, ``dropped``, is every excluded line's
    ``line_no``, ``customer_id``, ``quantity``, ``amount`` and ``reason``, the first rule that excludes
    it: a few percent of the lines, and the only result the log and the clean lines need
    (:func:`clean_query`, :func:`excluded_query`, :func:`reason_customers_query`).

    - ``limits`` (only with ``outlier_z``): centre and spread of the log amounts, for the outlier rule;
    - ``returned``: the keys (customer, product) with a kept return;
    - ``returner_lines``: the lines of the customers with a kept return, with their reason so far;
    - ``dropped``.

    The rules and their order are those of :data:`segkit.data.clean.RULES`. Only keys with a kept
    return can be unmatched, and only customers with one can have returned all they bought, so those
    two rules read ``returner_lines`` alone (a third of the lines in the benchmark's data), and every
    other line's reason is settled in one pass without a join: 1.3 s at 10M lines, against 1.8 s
    when every line was joined to the unmatched keys and to the customers left with no net revenue.
    A line settled without the join (``settled``) is not looked at again among the returners' lines
    (``rejoined``), so no line is counted twice.
    """
    keys, _ = _work_columns(columns)
    f_is_return = _qualified(IS_RETURN, "f")
    queries = {}
    if outlier_z is None:
        lines, outlier = f"{first_rules} AS f", "f.reason"
    else:
        queries["limits"] = f"""
WITH log_amounts AS (
    SELECT ln(amount) AS value, count(*) AS weight FROM {first_rules}
    WHERE reason IS NULL AND quantity > 0 AND amount > 0 GROUP BY ln(amount)
),
centre AS (
    {_weighted_median("log_amounts", "value", "weight")}
),
deviations AS (
    SELECT abs(value - centre.median) AS value, weight FROM log_amounts CROSS JOIN centre
),
spread AS (
    SELECT {MAD_TO_SIGMA!r} * median AS mad FROM ({_weighted_median("deviations", "value", "weight")}) AS middle
)
SELECT centre.median AS centre, spread.mad AS mad FROM centre CROSS JOIN spread
"""
        lines = f"{first_rules} AS f CROSS JOIN limits AS l"
        outlier = ("CASE WHEN f.reason IS NULL AND f.quantity > 0 AND f.amount > 0 AND l.mad > 0 AND "
                   f"(ln(f.amount) - l.centre) / l.mad > {float(outlier_z)!r} THEN 'outlier' ELSE f.reason END")
    queries["returned"] = f"""
SELECT DISTINCT {', '.join(keys)} FROM {first_rules}
WHERE reason IS NULL AND {IS_RETURN} AND {' AND '.join(f'{k} IS NOT NULL' for k in keys)}
"""
    queries["returner_lines"] = f"""
SELECT f.line_no, {', '.join(f'f.{k}' for k in keys)}, f.quantity, f.amount, {outlier} AS reason
FROM {lines} WHERE f.customer_id IN (SELECT customer_id FROM returned)
"""
    measure = "abs(f.quantity)" if "product_id" in columns else "abs(f.amount)"
    match = " AND ".join(f"f.{k} = u.{k}" for k in keys)
    joined = _returns_rule(returns, keys, "f.reason", unmatched=True)
    queries["dropped"] = f"""
WITH unmatched AS (
    SELECT {', '.join(f'f.{k}' for k in keys)} FROM returner_lines AS f JOIN returned AS u ON {match}
    WHERE f.reason IS NULL
    GROUP BY {', '.join(f'f.{k}' for k in keys)}
    HAVING sum(CASE WHEN {f_is_return} THEN {measure} ELSE 0 END)
        > sum(CASE WHEN {f_is_return} THEN 0 ELSE {measure} END) + {MATCH_TOLERANCE!r}
),
net AS (
    SELECT f.customer_id FROM returner_lines AS f LEFT JOIN unmatched AS u ON {match}
    WHERE ({joined}) IS NULL GROUP BY f.customer_id
    HAVING sum(CAST(f.amount AS {MONEY})) <= {NET_REVENUE_FLOOR!r} AND bool_or({f_is_return})
),
settled AS (
    SELECT f.line_no, f.customer_id, f.quantity, f.amount,
        {_returns_rule(returns, keys, outlier, unmatched=False)} AS reason
    FROM {lines}
),
rejoined AS (
    SELECT f.line_no, f.customer_id, f.quantity, f.amount,
        {_returns_rule(returns, keys, "f.reason", unmatched=False)} AS settled_reason,
        CASE WHEN ({joined}) IS NULL AND n.customer_id IS NOT NULL THEN 'no_net_revenue' ELSE {joined} END AS reason
    FROM returner_lines AS f LEFT JOIN unmatched AS u ON {match} LEFT JOIN net AS n ON f.customer_id = n.customer_id
)
SELECT line_no, customer_id, quantity, amount, reason FROM settled WHERE reason IS NOT NULL
UNION ALL
SELECT line_no, customer_id, quantity, amount, reason FROM rejoined WHERE settled_reason IS NULL AND reason IS NOT NULL
"""
    return queries


def clean_query(source: str, dropped: str, columns: Sequence[str], *, in_order: bool = True) -> str:
    """The lines of ``source`` not in ``dropped`` (:func:`reasons_queries`' ``dropped``), with
    ``is_return``: in order of date, then order id, then source line; or, ``in_order=False``, in no
    particular order with their ``line_no``, which sorting them needs (writing 10M lines sorted took
    twice as long)."""
    kept = f"""
SELECT {', '.join('s.' + quote(c) for c in columns)}, {_qualified(IS_RETURN, "s")} AS is_return{'' if in_order else ', s.line_no'}
FROM {source} AS s WHERE NOT EXISTS (SELECT 1 FROM {dropped} AS d WHERE d.line_no = s.line_no)
"""
    return kept + (f"ORDER BY {line_order('s')}\n" if in_order else "")


def line_order(alias: str = "") -> str:
    """The order of clean lines (:func:`segkit.data.split_transactions`'): by date, then order id, then
    source line, missing dates and ids last."""
    prefix = f"{alias}." if alias else ""
    return f"{prefix}order_date ASC NULLS LAST, {prefix}order_id ASC NULLS LAST, {prefix}line_no"


def excluded_query(source: str, dropped: str, columns: Sequence[str]) -> str:
    """The lines of ``dropped`` (:func:`reasons_queries`' ``dropped``) as they came in, with the rule that excluded
    each and their ``line_no`` in the source, in source order."""
    return f"""
SELECT {', '.join('s.' + quote(c) for c in columns)}, d.reason AS excluded_by, s.line_no
FROM {source} AS s JOIN {dropped} AS d ON s.line_no = d.line_no ORDER BY s.line_no
"""


def _rank() -> str:
    return "CASE reason " + " ".join(f"WHEN {literal(r)} THEN {i}" for i, r in enumerate(RULE_ORDER)) + " END"


def reason_customers_query(customers: str, dropped: str) -> str:
    """Per customer id (one row for lines without one): lines and revenue in the source (``rows_in``,
    ``revenue_in``) and among the kept lines (``rows_kept``, ``revenue_kept``), the kept free purchases
    (``zero_kept``), and ``last_rank``, the latest rule in rule order that excluded one of the
    customer's lines (NULL when none did).

    ``customers`` is :func:`source_customers_query`'s table of every line, ``dropped`` the excluded
    lines (:func:`reasons_queries`' ``dropped``): the kept lines are the difference, so only the
    excluded lines are grouped here, not every line again. The log and the totals both read this
    table. The join is null-safe, so that the lines without a customer stay one row.
    """
    return f"""
WITH out AS (
    SELECT customer_id, count(*) AS rows_out, sum(CAST(amount AS {MONEY})) AS revenue_out,
        count(*) FILTER (WHERE {ZERO_VALUE}) AS zero_out, max({_rank()}) AS last_rank
    FROM {dropped} GROUP BY customer_id
)
SELECT c.customer_id, c.rows_in, c.revenue_in, c.rows_in - coalesce(o.rows_out, 0) AS rows_kept,
    coalesce(c.revenue_in, 0) - coalesce(o.revenue_out, 0) AS revenue_kept,
    c.zero_in - coalesce(o.zero_out, 0) AS zero_kept, o.last_rank
FROM {customers} AS c LEFT JOIN out AS o ON c.customer_id IS NOT DISTINCT FROM o.customer_id
"""


def log_query(dropped: str, customers: str) -> str:
    """Per rule: excluded ``rows``, ``customers`` with a line excluded, ``customers_lost`` (customers
    left with no line, each charged to the last rule in rule order that removed one of theirs),
    ``revenue``; and a ``zero_value`` row for kept free purchases. ``dropped`` holds the excluded
    lines and ``customers`` is :func:`reason_customers_query`'s table."""
    return f"""
WITH lost_by AS (
    SELECT last_rank AS rank, count(*) AS customers_lost FROM {customers}
    WHERE customer_id IS NOT NULL AND rows_kept = 0 GROUP BY last_rank
),
excluded AS (
    SELECT reason AS rule, {_rank()} AS rank, count(*) AS rows, count(DISTINCT customer_id) AS customers,
        coalesce(sum(CAST(amount AS {MONEY})), 0) AS revenue
    FROM {dropped} GROUP BY reason
)
SELECT e.rule, e.rows, e.customers, coalesce(l.customers_lost, 0) AS customers_lost, CAST(e.revenue AS DOUBLE) AS revenue
FROM excluded AS e LEFT JOIN lost_by AS l ON e.rank = l.rank
UNION ALL
SELECT 'zero_value', CAST(coalesce(sum(zero_kept), 0) AS BIGINT), count(*) FILTER (WHERE zero_kept > 0), 0, 0.0
FROM {customers}
"""


def totals_query(customers: str) -> str:
    """Rows, customers and revenue in the source and among the kept lines, from
    :func:`reason_customers_query`'s table ``customers``."""
    return f"""
SELECT coalesce(sum(rows_in), 0) AS rows_in,
    CAST(coalesce(sum(revenue_in), 0) AS DOUBLE) AS revenue_in,
    count(customer_id) AS customers_in,
    coalesce(sum(rows_kept), 0) AS rows_kept,
    CAST(coalesce(sum(revenue_kept), 0) AS DOUBLE) AS revenue_kept,
    count(customer_id) FILTER (WHERE rows_kept > 0) AS customers_kept
FROM {customers}
"""


#: The day that days are counted from when :func:`customer_query` has no snapshot.
DAY_ZERO = "1970-01-01"


def customer_query(clean: str, snapshot: str | None) -> str:
    """One row per customer with a purchase before ``snapshot`` (a SQL date literal), both conventions.

    Days are whole calendar days before the snapshot (``day`` < 0). A purchase occasion is a
    day with a line that is not a return (a free line counts). ``revenue`` is net of returns;
    ``monetary_value`` is the mean of the repeat purchase days' value, with returns spread over
    the purchase days in proportion. Raw sums: the caller rounds.

    With no ``snapshot``, every line counts and days are counted from :data:`DAY_ZERO`, and every
    row also has ``last_line_day``, the last day with a line of any kind, of any customer: the
    default snapshot is the day after it, found in the same pass over the lines
    (:func:`segkit.engine.duck.customer_days_at_end`).
    """
    origin, before = (snapshot, f"WHERE order_date < {snapshot}") if snapshot else (f"DATE {literal(DAY_ZERO)}", "")
    last_line = "" if snapshot else ", max(p.last_line_day) OVER () AS last_line_day"
    return f"""
WITH lines AS (
    SELECT customer_id, order_id, CAST(amount AS {MONEY}) AS amount, {IS_RETURN} AS is_return,
        date_diff('day', {origin}, CAST(order_date AS DATE)) AS day
    FROM {clean} {before}
),
orders AS (
    SELECT customer_id, day, order_id, sum(amount) FILTER (WHERE NOT is_return) AS value,
        bool_or(NOT is_return) AS bought, sum(amount) AS net
    FROM lines GROUP BY customer_id, day, order_id
),
days AS (
    SELECT customer_id, day, sum(value) AS value, bool_or(bought) AS bought, sum(net) AS net
    FROM orders GROUP BY customer_id, day
),
per_day AS (
    SELECT customer_id, count(*) FILTER (WHERE bought) AS n_days, min(day) FILTER (WHERE bought) AS first_day,
        max(day) FILTER (WHERE bought) AS last_day, min_by(value, day) FILTER (WHERE bought) AS first_value,
        sum(value) FILTER (WHERE bought) AS gross, sum(net) AS net, max(day) AS last_line_day
    FROM days GROUP BY customer_id
),
counted AS (
    SELECT customer_id, count(DISTINCT order_id) FILTER (WHERE bought) AS n_orders FROM orders GROUP BY customer_id
)
SELECT * FROM (
    SELECT p.customer_id, p.n_days, p.first_day, p.last_day, o.n_orders,
        CAST(p.net AS DOUBLE) AS net, CAST(p.gross AS DOUBLE) AS gross, CAST(p.first_value AS DOUBLE) AS first_value{last_line}
    FROM per_day AS p JOIN counted AS o ON p.customer_id = o.customer_id
) AS customers
WHERE n_days > 0
ORDER BY customer_id
"""


def holdout_query(clean: str, start: str, end: str) -> str:
    """Per customer, the purchase days from ``start`` up to, not including, ``end`` (SQL date
    literals): their number and mean value (lines with a positive quantity)."""
    return f"""
WITH days AS (
    SELECT customer_id, CAST(order_date AS DATE) AS day, sum(CAST(amount AS {MONEY})) AS value
    FROM {clean} WHERE order_date >= {start} AND order_date < {end} AND quantity > 0
    GROUP BY customer_id, CAST(order_date AS DATE)
)
SELECT customer_id, count(*) AS frequency_holdout, CAST(avg(value) AS DOUBLE) AS monetary_value_holdout
FROM days GROUP BY customer_id ORDER BY customer_id
"""



def money_sum(expression: str) -> str:
    """The sum of ``expression`` as money (exact, see above), as a double; 0 for no rows."""
    return f"CAST(coalesce(sum(CAST({expression} AS {MONEY})), 0) AS DOUBLE)"


_SPAN = ("count(*) AS n_lines, count(*) - count(customer_id) AS n_no_customer, "
         "min(order_date) AS first, max(order_date) AS last")


def span_query(clean: str) -> str:
    """The number of lines, of lines without a customer, and the first and last order date."""
    return f"SELECT {_SPAN} FROM {clean}"


def clean_totals_query(clean: str) -> str:
    """:func:`span_query`'s columns and ``revenue``, the lines' :func:`money_sum` of ``amount``, in one
    pass over the lines."""
    return f"SELECT {_SPAN}, {money_sum('amount')} AS revenue FROM {clean}"


def customer_count_query(clean: str) -> str:
    """The number of customers (distinct customer ids) in the lines."""
    return f"SELECT count(DISTINCT customer_id) AS n_customers FROM {clean}"


def purchase_day_counts_query(clean: str, last_calibration_day: str, end: str) -> str:
    """Daily counts for purchase tracking, over purchase days (lines with a positive quantity) before ``end``:
    ``kind = 'first'`` counts the customers whose first purchase day is ``day`` (up to the last
    calibration day), ``kind = 'repeat'`` those customers' later purchase days on ``day``."""
    return f"""
WITH days AS (
    SELECT DISTINCT customer_id, CAST(order_date AS DATE) AS day FROM {clean} WHERE quantity > 0 AND order_date < {end}
), firsts AS (
    SELECT customer_id, min(day) AS first_day FROM days GROUP BY customer_id
), cohort AS (
    SELECT customer_id, first_day FROM firsts WHERE first_day <= {last_calibration_day}
)
SELECT 'first' AS kind, first_day AS day, count(*) AS n FROM cohort GROUP BY first_day
UNION ALL
SELECT 'repeat' AS kind, d.day, count(*) AS n FROM days AS d JOIN cohort AS c ON d.customer_id = c.customer_id
WHERE d.day > c.first_day GROUP BY d.day
"""


def buyers_query(clean: str, before: str) -> str:
    """The customers with a purchase (a line that is not a return) dated before ``before``."""
    return f"SELECT DISTINCT customer_id FROM {clean} WHERE NOT is_return AND order_date < {before}"


def read_totals(row: dict) -> dict[str, float]:
    """The row of :func:`totals_query` as Python numbers: revenue as float, counts as int."""
    return {k: (float(v) if "revenue" in k else int(v)) for k, v in row.items()}


def purchase_filter(columns: Sequence[str]) -> str:
    """The purchase lines of clean lines: not returns (or, without ``is_return``, a positive amount)."""
    return "NOT CAST(is_return AS BOOLEAN)" if "is_return" in columns else "amount > 0"


def non_null_query(clean: str, columns: Sequence[str]) -> str:
    """One row: the number of non-null values of each of ``columns``."""
    return "SELECT " + ", ".join(f"count({quote(c)}) AS {quote(c)}" for c in columns) + f" FROM {clean}"


def average_discount_query(clean: str, purchases: str) -> str:
    """Per customer, the revenue-weighted mean ``discount`` of the purchase lines that record one."""
    return f"""
SELECT customer_id,
       CAST(sum(CAST(CAST(discount AS DOUBLE) * amount AS {MONEY})) / sum(CAST(amount AS {MONEY})) AS DOUBLE)
           AS avg_discount
FROM {clean} WHERE {purchases} AND discount IS NOT NULL AND amount > 0
GROUP BY customer_id
"""


def level_orders_query(clean: str, purchases: str, column: str) -> str:
    """Per customer and level of ``column``, the number of purchase orders; an order with lines in two
    levels counts under the one with most of its revenue (ties: the first in text order)."""
    level = f"CAST({quote(column)} AS VARCHAR)"
    return f"""
WITH order_levels AS (
    SELECT customer_id, order_id, {level} AS level, sum(CAST(amount AS {MONEY})) AS value
    FROM {clean} WHERE {purchases} AND {quote(column)} IS NOT NULL GROUP BY customer_id, order_id, {level}
), ranked AS (
    SELECT customer_id, level,
           row_number() OVER (PARTITION BY customer_id, order_id ORDER BY value DESC, level) AS pick
    FROM order_levels
)
SELECT customer_id, level, CAST(count(*) AS DOUBLE) AS weight FROM ranked WHERE pick = 1 GROUP BY customer_id, level
"""


def level_revenue_query(clean: str, purchases: str, column: str) -> str:
    """Per customer and level of ``column``, the revenue of purchase lines with a positive amount."""
    return f"""
SELECT customer_id, CAST({quote(column)} AS VARCHAR) AS level, CAST(sum(CAST(amount AS {MONEY})) AS DOUBLE) AS weight
FROM {clean} WHERE {purchases} AND {quote(column)} IS NOT NULL AND amount > 0
GROUP BY customer_id, CAST({quote(column)} AS VARCHAR)
"""
