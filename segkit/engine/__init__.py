"""The data layer's transforms on an analytical engine: DuckDB in process by default.

Why SQL, and not pandas, ibis or polars
---------------------------------------
Cleaning (every rule and the quality log) and the customer table are written once, as SQL
text (:mod:`segkit.engine.sql`), and run by DuckDB (:mod:`segkit.engine.exclusions` for the
cleaning, :mod:`segkit.engine.duck` for what is computed from the clean lines): out of core
(it spills to ``data/interim/duckdb-spill`` past memory), on all cores, reading pandas frames,
Arrow and Parquet without copies. The same text is the one a Spark cluster would run: it keeps
to what Spark SQL also has, so that sqlglot can translate it, rather than being expressed a
second time in another API.

- pandas, the first implementation, holds every order line in memory and runs on one core.
- ibis would express each transform once for both engines too, but as Python that compiles to
  SQL: one more layer between the rule and what runs, a large dependency whose backends move
  at their own pace, and queries an analyst cannot read in the log.
- polars is as fast as DuckDB on one machine but has no Spark path.

Money is summed as decimals, so a total does not depend on how many threads added it up.

:func:`customer_table` is the entry point for notebooks and scripts: the per-customer table of a
file, without its order lines in pandas; :func:`clean_lines` gives those lines as a Parquet file for
the functions that need them (holdout validation, the CRM export), which compute on it in the engine;
:func:`cleaning_log` gives a cleaning's quality log and its clean lines' totals; :func:`read_lines`
gives the lines as read as a Parquet file (for :func:`segkit.data.profile_transactions`, which
profiles them in the engine), and :func:`export_lines` writes the clean and excluded lines out.
Spark is in :mod:`segkit.engine.spark` (``make setup-spark``).
"""

__all__ = ["clean_lines", "cleaning_log", "customer_table", "export_lines", "line_columns", "read_lines"]


def __getattr__(name: str):
    # segkit.data runs its rules on this package, and customer_table reads through segkit.data's
    # cache: importing it on first use keeps the two packages from importing each other half-made
    if name == "line_columns":
        from segkit.engine.sources import line_columns

        return line_columns
    if name in __all__:
        from segkit.engine import tables

        return getattr(tables, name)
    raise AttributeError(f"module 'segkit.engine' has no attribute {name!r}")
