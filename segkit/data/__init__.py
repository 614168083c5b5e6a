"""Load, validate and clean transactions; build the customer table; profile the data.

Modules: ``read`` (a file's encoding, delimiter and sheets), ``columns`` (which raw column is which),
``numeric`` and ``dates`` (one number or date format per column), ``load`` (the front door,
:func:`read_transactions`), ``decisions`` (what was decided, for the reports), ``clean`` (rules and
quality log), ``cache`` (read, and read then clean, cached: :func:`read_file`,
:func:`load_clean`, :func:`load_split`), ``customers`` (customer table, calibration/holdout),
``profiling`` (the data profile), ``plots`` (its charts) and ``text`` (the words the data reports show).

The data flows one way::

    raw file --read_transactions--> canonical lines (+ reading decisions)
             --clean_transactions--> (clean, quality log) --customer_table--> one row per customer

``read_transactions`` (and ``load_transactions``, its lines alone) is where input is validated:
every problem raises :class:`segkit.DataError` with a message naming the problem and the fix.
``clean_transactions`` applies the exclusion rules and returns the named pair ``(clean, log)``;
:func:`reconcile` checks that rows, customers and revenue add up exactly. ``customer_table``
keeps the two recency conventions apart by name (see its docstring); :func:`snapshot_date` reads
a table's snapshot back from its columns. Nothing is carried in ``DataFrame.attrs``.

Also importable from the modules, for tests and the other method families: the rule tables
(``clean.RULES``, ``clean.FLAGS``), ``clean.is_return``,
``clean.flag_exclusions``, ``customers.check_customer_table`` (the shared customer-table check),
``decisions.Decision``, the result types ``load.Transactions``, ``clean.Cleaned``,
``profiling.DataProfile`` and the profile's single tables (``profiling.overview``, ...).
"""

from segkit.data.cache import load_clean, load_split, read_file
# Not in __all__: reconcile (profile_transactions reports it), and the uncached read_transactions and
# split_transactions (read_file and load_split cache them); tests and other packages call them here.
from segkit.data.clean import clean_transactions, excluded_rules, reconcile, split_transactions
from segkit.data.customers import (
    calibration_holdout,
    check_customer_table,
    check_one_row_per_buyer,
    customer_table,
    snapshot_date,
)
from segkit.data.load import load_transactions, read_transactions
from segkit.data.profiling import profile_transactions
from segkit.data.text import describe_reading, describe_rules

__all__ = [
    "calibration_holdout",
    "check_one_row_per_buyer",
    "clean_transactions",
    "customer_table",
    "describe_reading",
    "describe_rules",
    "excluded_rules",
    "load_clean",
    "load_split",
    "load_transactions",
    "profile_transactions",
    "read_file",
    "snapshot_date",
]
