"""Load, validate and clean transactions; build the customer table.

Modules: ``read`` (a file's encoding, delimiter and sheets), ``columns`` (which raw column is which),
``numeric`` and ``dates`` (one number or date format per column), ``load`` (the front door,
:func:`read_transactions`), ``decisions`` (what was decided, for the reports), ``clean`` (rules and
quality log), ``cache`` (read then clean, cached), ``customers`` (customer table, calibration/holdout).

The data flows one way::

    raw file --load_transactions--> canonical lines --clean_transactions--> (clean, quality log)
             --customer_table--> one row per customer

``load_transactions`` is the only place where input is validated: every problem raises
:class:`segkit.DataError` with a message naming the problem and the fix. ``clean_transactions``
applies the exclusion rules and returns a log that reconciles rows, customers and revenue
exactly. ``customer_table`` keeps the two recency conventions apart by name (see its docstring).
"""

from segkit.data.cache import load_clean
from segkit.data.clean import (
    DEFAULT_OUTLIER_Z,
    DEFAULT_TEST_ACCOUNT_PATTERN,
    FLAGS,
    RULES,
    clean_transactions,
    describe_rules,
    excluded_rules,
    flag_exclusions,
    is_return,
    reconcile,
    robust_log_z,
    split_transactions,
)
from segkit.data.columns import COLUMN_ALIASES
from segkit.data.customers import (
    CUSTOMER_COLUMNS,
    calibration_holdout,
    check_customer_table,
    customer_table,
    snapshot_date,
)
from segkit.data.decisions import Decision, decisions_table, describe_reading
from segkit.data.load import Transactions, load_transactions, read_transactions

__all__ = [
    "COLUMN_ALIASES",
    "CUSTOMER_COLUMNS",
    "DEFAULT_OUTLIER_Z",
    "DEFAULT_TEST_ACCOUNT_PATTERN",
    "FLAGS",
    "RULES",
    "Decision",
    "Transactions",
    "calibration_holdout",
    "check_customer_table",
    "clean_transactions",
    "customer_table",
    "decisions_table",
    "describe_reading",
    "describe_rules",
    "excluded_rules",
    "flag_exclusions",
    "is_return",
    "load_clean",
    "load_transactions",
    "read_transactions",
    "reconcile",
    "robust_log_z",
    "snapshot_date",
    "split_transactions",
]
