"""Segments over time: cohort retention, each customer's purchase cycle, and seasonality.

Modules: ``cohorts`` (:func:`cohort_retention`, :func:`retention_trend`), ``cycle`` (:func:`purchase_cycle`,
:func:`cycle_by_segment`), ``season`` (:func:`seasonality`, :func:`seasonal_peaks`), ``migration``
(:func:`snapshot_pair`, :func:`migration_table`, :func:`migration_alerts`, :func:`recut_comparison`: who
moved, who to act on, and what re-cutting the quintiles alone moves), ``truth`` (the default generated
data's planted truth against what these analyses find: :func:`~segkit.timeline.truth.load_truth`,
``cohort_truth``, ``season_truth``, ``lapse_truth``), ``plots`` (axes-level charts) and ``text`` (the
sentences the report shows); reach the last three as modules (``from segkit.timeline import plots, text,
truth``; ``timeline.truth`` is imported with the package). Every function reads the clean order lines up to a
snapshot day, as :func:`segkit.data.customer_table` does, so the numbers agree with the customer table's (days
since the last purchase, orders, purchase days). The lines are a frame (:func:`segkit.data.load_clean`) or their
Parquet file (:func:`segkit.engine.clean_lines`); either way DuckDB computes on them (the queries are in
``segkit.timeline._sql``) and only per-customer or per-period aggregates come into pandas.

Examples
--------
>>> import pandas as pd
>>> lines = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-07", "2024-01-20"]),
...     "amount": [10.0, 5.0, 8.0], "is_return": [False, False, False]})
>>> cohort_retention(lines).query("period_index == 1")["share_active"].tolist()
[0.5]
>>> purchase_cycle(lines)["median_gap_days"].tolist()
[33.0, nan]
"""

from segkit.timeline.cohorts import cohort_retention, retention_trend
from segkit.timeline.cycle import cycle_by_segment, purchase_cycle
from segkit.timeline.migration import (
    SnapshotPair,
    migration_alerts,
    migration_table,
    recut_comparison,
    snapshot_pair,
)
from segkit.timeline.season import seasonal_peaks, seasonality
from segkit.timeline import truth  # noqa: E402  (after the modules it builds on)

__all__ = [
    "SnapshotPair",
    "cohort_retention",
    "cycle_by_segment",
    "migration_alerts",
    "migration_table",
    "purchase_cycle",
    "recut_comparison",
    "retention_trend",
    "seasonal_peaks",
    "seasonality",
    "snapshot_pair",
    "truth",
]
