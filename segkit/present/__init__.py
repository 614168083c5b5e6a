"""Tables and figures for people: one formatting layer for every report.

``present.table(frame)`` turns a computed frame into a table a manager can read: each column's
*kind* (money, count, share, percent, rate, points, ratio, date, text, score, ...) is inferred
from its name and dtype (or given in ``kinds=``) and every value is written by that kind:
thousands separators, money with the run's ``currency`` (``£1,234.50``, ``EUR 1,234.50``),
shares as ``12.3%``, counts as whole numbers (never ``4982.0``), dates as ``2025-12-31``, at most
two decimals elsewhere (but a small nonzero value keeps two significant digits, ``0.0034`` and
``0.03%``, never ``0.00``; exact zero is ``0``), missing values as ``–``. Column names become human labels from one
dictionary (``break_even_response_rate`` → "Break-even response rate"); long text wraps and is
never cut; a table wider than eight columns is split into parts that each keep the row labels.
``present.describe(frame)`` replaces ``DataFrame.describe()`` dumps. Exports keep machine names
and full precision: this layer is for what people read.

Why pandas Styler and not great_tables: Styler ships with pandas (no new dependency in the
lock file), renders self-contained HTML with scoped CSS (reports stay offline), and its id can be
fixed, so the rendered bytes are deterministic for nbval and the report checks. great_tables
draws handsomer tables (spanners, footnotes), but needs a new dependency and its own id and
theme handling, and our tables need no more than formatting, labels and splitting, which are
done here, before any renderer, in plain functions that tests can check value by value.

Modules: ``kinds`` (what a column holds), ``values`` (how each kind is written), ``labels``
(column labels), ``table`` (:func:`table`, :class:`Table`), ``summary`` (:func:`describe`),
``titles`` (figure titles that state the finding: :func:`concentration_title`, ...), ``prose``
(numbers inside sentences: :func:`money_text`, the one way report prose writes money); the
axis formatters for figures are in :mod:`segkit.plots` (``money_axis``, ``percent_axis``,
``count_axis``).
"""

from segkit.present.kinds import KINDS, infer_kind, kind_from_name
from segkit.present.labels import LABELS, label
from segkit.present.prose import money_text
from segkit.present.summary import describe
from segkit.present.table import Table, get_currency, set_currency, table, using_currency
from segkit.present.titles import concentration_title, interval_title, largest_share_title
from segkit.present.values import (
    MISSING,
    format_any,
    format_count,
    format_money,
    format_percent,
    format_values,
)

__all__ = [
    "KINDS",
    "LABELS",
    "MISSING",
    "Table",
    "concentration_title",
    "describe",
    "format_any",
    "format_count",
    "format_money",
    "format_percent",
    "format_values",
    "get_currency",
    "infer_kind",
    "interval_title",
    "kind_from_name",
    "label",
    "largest_share_title",
    "money_text",
    "set_currency",
    "table",
    "using_currency",
]
