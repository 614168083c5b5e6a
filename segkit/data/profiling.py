"""Data profiling: schema, coverage, quality, returns, outliers and concentration, in one result.

:func:`profile_transactions` is the entry point: it takes the lines as read, the clean lines, the
quality log and the customer table, and returns a :class:`DataProfile` of small tables ready to
display, with the headline and the findings written from them (:mod:`segkit.data.text`). The
functions that make each table take the canonical transactions (from
:func:`segkit.data.load_transactions`) or the clean ones, as pandas frames or as Parquet files
(:func:`segkit.engine.read_lines`, :func:`segkit.engine.clean_lines`): the engine computes every
table (:mod:`segkit.engine.profile_sql`), so a file of any size is profiled without its lines in
pandas. The charts are in :mod:`segkit.data.plots`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.data import text
from segkit.data.clean import reconcile_totals
from segkit.data.customers import check_customer_table
from segkit.engine import database, profile_sql, views

#: Order lines as a pandas frame, or a Parquet file (or folder of files) of them.
Lines = pd.DataFrame | str | os.PathLike

#: Optional columns that get a breakdown table (customers, orders, revenue by value) when present.
EXTRA_COLUMNS: tuple[str, ...] = ("country", "channel", "category")


@dataclass(frozen=True)
class QualityFacts:
    """The numbers the profile's headline and findings are written from (counts, money, shares)."""

    rows_in: int
    rows_kept: int
    customers_in: int
    customers_kept: int
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    gross_sales: float
    returned: float
    missing_customer_rows: int
    missing_customer_revenue: float
    duplicate_rows: int
    outlier_rows: int
    outlier_revenue: float
    unmatched_return_rows: int
    test_account_customers: int
    one_off_share: float
    top_customers_pct: float
    top_revenue_pct: float


@dataclass(frozen=True, eq=False)
class DataProfile:
    """What a data profile shows: tables of the lines as read, of the cleaning and of the customers.

    Attributes
    ----------
    overview, schema, monthly, returns, duplicates, quantiles, top_lines : DataFrame
        Of the lines as read: :func:`overview`, :func:`schema_table` (its examples are values, in the
        columns' types), :func:`monthly_activity`, :func:`returns_summary`, :func:`duplicate_summary`,
        :func:`quantile_table`, :func:`top_lines`.
    reconciliation : DataFrame
        :func:`segkit.data.reconcile` of the cleaning.
    concentration : dict
        :func:`concentration` of the customers' net revenue.
    breakdowns : dict of str to DataFrame
        :func:`breakdown` of the clean lines by each of :data:`EXTRA_COLUMNS` present.
    facts : QualityFacts
        The numbers the headline and the findings are written from.
    headline, findings
        The report's headline and the points to fix or watch before segmenting
        (:func:`segkit.data.text.headline`, :func:`segkit.data.text.findings`).
    """

    overview: pd.DataFrame
    schema: pd.DataFrame
    monthly: pd.DataFrame
    returns: pd.DataFrame
    duplicates: pd.DataFrame
    quantiles: pd.DataFrame
    top_lines: pd.DataFrame
    reconciliation: pd.DataFrame
    concentration: dict[str, float]
    breakdowns: dict[str, pd.DataFrame]
    facts: QualityFacts
    headline: str
    findings: tuple[str, ...]


def profile_transactions(
    lines: Lines,
    clean: Lines,
    log: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    top_share: float = 0.2,
    n_top_lines: int = 8,
) -> DataProfile:
    """Profile a transaction file: its lines as read, what cleaning kept, and the customers.

    Parameters
    ----------
    lines : DataFrame or path
        The lines as read (:func:`segkit.data.load_transactions`), before cleaning; or their
        Parquet file (:func:`segkit.engine.read_lines`).
    clean : DataFrame or path
        The clean lines of ``lines`` (:func:`segkit.data.clean_transactions`), or their Parquet file
        (:func:`segkit.engine.clean_lines`).
    log : DataFrame
        The quality log of that cleaning.
    customers : DataFrame
        :func:`segkit.data.customer_table` of ``clean``.
    top_share : float, default 0.2
        The share of customers whose revenue share :func:`concentration` reports.
    n_top_lines : int, default 8
        Rows of :func:`top_lines`.

    Returns
    -------
    DataProfile

    Examples
    --------
    >>> from segkit.data import customer_table, clean_transactions, load_transactions
    >>> tx = load_transactions(pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["a", "b", None],
    ...     "order_date": ["2024-01-01", "2024-01-02", "2024-01-03"], "quantity": [1, 1, 1],
    ...     "unit_price": [30.0, 10.0, 5.0]}))
    >>> clean, log = clean_transactions(tx)
    >>> profile = profile_transactions(tx, clean, log, customer_table(clean), top_share=0.5)
    >>> profile.concentration
    {'top_customers_pct': 50.0, 'top_revenue_pct': 75.0, 'gini': 0.25}
    >>> profile.headline
    '**2 customers and 67% of order lines are usable** (Jan 2024 to Jan 2024); the top 50% of customers bring 75% of net revenue.'
    """
    check_customer_table(customers, ["n_orders", "revenue"])
    shares = concentration(customers["revenue"], top_share=top_share)
    with views.lines_view(lines, "lines_read") as read, views.lines_view(clean, "lines_kept") as kept:
        read_totals, kept_totals = _totals(read), _totals(kept)
        facts = quality_facts(read_totals, kept_totals, log, customers, shares)
        read_types = views.pandas_types(lines)
        return DataProfile(
            overview=_overview(read_totals),
            schema=_schema(read, read_types),
            monthly=_monthly(read),
            returns=_returns(read, read_totals["gross"]),
            duplicates=_duplicates(read),
            quantiles=_quantiles(read, ("quantity", "unit_price", "amount")),
            top_lines=_top_lines(read, read_types, n_top_lines),
            reconciliation=reconcile_totals(read_totals, kept_totals, log),
            concentration=shares,
            breakdowns={column: _breakdown(kept, column, read_types[column])
                        for column in EXTRA_COLUMNS if column in kept.columns},
            facts=facts,
            headline=text.headline(facts),
            findings=tuple(text.findings(facts)),
        )


def quality_facts(read: dict, kept: dict, log: pd.DataFrame, customers: pd.DataFrame,
                  shares: dict[str, float]) -> QualityFacts:
    """The numbers behind the headline and the findings, from the totals of the lines as read and of the
    clean lines (:func:`segkit.engine.profile_sql.totals_query`), the quality log and the customers."""
    by_rule = log.set_index("rule")
    return QualityFacts(
        rows_in=read["lines"],
        rows_kept=kept["lines"],
        customers_in=read["customers"],
        customers_kept=kept["customers"],
        first_date=kept["first"],
        last_date=kept["last"],
        gross_sales=read["gross"],
        returned=-read["returns"],
        missing_customer_rows=int(by_rule.loc["missing_customer", "rows"]),
        missing_customer_revenue=float(by_rule.loc["missing_customer", "revenue"]),
        duplicate_rows=int(by_rule.loc["duplicate", "rows"]),
        outlier_rows=int(by_rule.loc["outlier", "rows"]),
        outlier_revenue=float(by_rule.loc["outlier", "revenue"]),
        unmatched_return_rows=int(by_rule.loc["unmatched_return", "rows"]),
        test_account_customers=int(by_rule.loc["test_account", "customers"]),
        one_off_share=float((customers["n_orders"] == 1).mean()),
        top_customers_pct=shares["top_customers_pct"],
        top_revenue_pct=shares["top_revenue_pct"],
    )


def _frame(view: views.LinesView, query: str) -> pd.DataFrame:
    return database.as_pandas(view.con.sql(query))


def _totals(view: views.LinesView) -> dict:
    """:func:`segkit.engine.profile_sql.totals_query` of the lines, dates as pandas timestamps."""
    totals = views.first_row(view, profile_sql.totals_query(view.name, products="product_id" in view.columns))
    return {**totals, "first": pd.Timestamp(totals["first"]), "last": pd.Timestamp(totals["last"])}


def schema_table(tx: Lines) -> pd.DataFrame:
    """One row per column: type, filled and missing counts, distinct values and an example (the
    column's first value that is not missing, in the column's type).

    Examples
    --------
    >>> schema_table(pd.DataFrame({"a": [None, 2.5, 3.0]})).loc["a", ["missing", "distinct", "example"]].tolist()
    [np.int64(1), np.int64(2), 2.5]
    """
    with views.lines_view(tx) as view:
        return _schema(view, views.pandas_types(tx))


def _schema(view: views.LinesView, types: pd.Series) -> pd.DataFrame:
    counts = views.first_row(view, profile_sql.schema_query(view.name, view.columns))
    examples = database.typed(_frame(view, profile_sql.first_values_query(view.name, view.columns)), types)
    filled = pd.Series({c: counts[f"{c}__filled"] for c in view.columns}, dtype="int64")
    missing = counts["n"] - filled
    table = pd.DataFrame(
        {
            "type": types[view.columns].astype(str),
            "filled": filled,
            "missing": missing,
            "missing_pct": (missing / counts["n"] * 100).round(2),
            "distinct": pd.Series({c: counts[f"{c}__distinct"] for c in view.columns}, dtype="int64"),
            "example": examples.iloc[0].astype(object),
        }
    )
    table.index.name = "column"
    return table


def overview(tx: Lines) -> pd.DataFrame:
    """Headline counts of a transaction table: lines, orders, customers, revenue and dates."""
    with views.lines_view(tx) as view:
        return _overview(_totals(view))


def _overview(totals: dict) -> pd.DataFrame:
    values = {
        "order lines": totals["lines"],
        "orders (invoices)": totals["orders"],
        "customers (with an id)": totals["customers"],
        "products": totals["products"] if totals["products"] is not None else "no product column",
        "gross sales": round(totals["gross"], 2),
        "net revenue (all lines)": round(totals["revenue"], 2),
        "first order": f"{totals['first']:%Y-%m-%d}",
        "last order": f"{totals['last']:%Y-%m-%d}",
        "days covered": int((totals["last"] - totals["first"]).days) + 1,
    }
    return pd.DataFrame({"value": pd.Series(values, dtype=object)}).rename_axis("measure")


def monthly_activity(tx: Lines) -> pd.DataFrame:
    """Orders, customers and net revenue per calendar month (purchases only for orders)."""
    with views.lines_view(tx) as view:
        return _monthly(view)


def _monthly(view: views.LinesView) -> pd.DataFrame:
    table = _frame(view, profile_sql.monthly_query(view.name))
    return pd.DataFrame(
        {"orders": table["orders"].astype("int64").to_numpy(), "customers": table["customers"].astype("int64").to_numpy(),
         "revenue": table["revenue"].round(2).to_numpy()},
        index=pd.DatetimeIndex(table["month"]).to_period("M").rename("month"),
    )


def returns_summary(tx: Lines) -> pd.DataFrame:
    """Cancellations (invoice numbers starting with C) and other returns: lines, orders, value.

    A return is a line with a negative quantity or a negative amount (a refund in an amount-only
    file), as in :func:`segkit.data.clean.is_return`.

    Examples
    --------
    >>> tx = pd.DataFrame({"order_id": ["1", "C2", "3"], "quantity": [2, -2, -1], "amount": [4.0, -4.0, -1.0]})
    >>> returns_summary(tx)["lines"].tolist()
    [1, 1, 2]
    """
    with views.lines_view(tx) as view:
        return _returns(view, views.first_row(view, profile_sql.gross_query(view.name))["gross"])


def _returns(view: views.LinesView, gross: float) -> pd.DataFrame:
    found = {row["kind"]: row for row in _frame(view, profile_sql.returns_query(view.name)).to_dict("records")}
    kinds = {"cancelled invoices (C...)": "cancelled", "other returns": "other", "all returns": "all"}
    rows = {}
    for kind, key in kinds.items():
        row = found.get(key)
        value = -float(row["value"]) if row else 0.0
        rows[kind] = {
            "lines": int(row["lines"]) if row else 0,
            "orders": int(row["orders"]) if row else 0,
            "value": round(value, 2) + 0.0,  # + 0.0 turns -0.0 into 0.0
            "pct_of_gross_sales": round(value / gross * 100, 2) + 0.0 if gross else np.nan,
        }
    return pd.DataFrame(rows).T.rename_axis("kind").astype({"lines": int, "orders": int})


def duplicate_summary(tx: Lines) -> pd.DataFrame:
    """Exact duplicate lines (every column equal to an earlier line): how many, where, and their value.

    Examples
    --------
    >>> tx = pd.DataFrame({"order_id": ["1", "1", "2"], "customer_id": ["a", "a", "b"], "amount": [5.0, 5.0, 3.0]})
    >>> duplicate_summary(tx)["value"].tolist()
    [1, 1, 1, 5.0]
    """
    with views.lines_view(tx) as view:
        return _duplicates(view)


def _duplicates(view: views.LinesView) -> pd.DataFrame:
    row = views.first_row(view, profile_sql.duplicates_query(view.name, view.columns))
    values = {
        "duplicate lines": int(row["lines"]),
        "orders affected": row["orders"],
        "customers affected": row["customers"],
        "revenue in duplicates": round(row["revenue"], 2),
    }
    return pd.DataFrame({"value": pd.Series(values, dtype=object)}).rename_axis("measure")


def top_lines(tx: Lines, *, n: int = 8) -> pd.DataFrame:
    """The ``n`` purchase lines with the largest revenue (the earlier line first on ties), with their
    robust z-score on log revenue, rounded to one decimal.

    The score is the one the outlier rule of :func:`segkit.data.clean_transactions` compares with
    ``outlier_z``: (log amount - median) / (1.4826 × MAD), missing for a zero spread. Here it is taken
    against all purchase lines of the file, the rule takes it against the lines left by the earlier rules.
    """
    with views.lines_view(tx) as view:
        return _top_lines(view, views.pandas_types(tx), n)


def _top_lines(view: views.LinesView, types: pd.Series, n: int) -> pd.DataFrame:
    columns = [c for c in ("order_id", "customer_id", "product_id", "order_date", "quantity", "unit_price", "amount")
               if c in view.columns]
    top = database.typed(_frame(view, profile_sql.top_lines_query(view.name, columns, n)), types)
    return top.assign(robust_z=top["robust_z"].astype(float).round(1))


#: The quantiles of :func:`quantile_table`, and their column names.
QUANTILES: dict[str, float] = {"min": 0.0, "p1": 0.01, "p25": 0.25, "median": 0.5, "p75": 0.75, "p99": 0.99,
                               "p99.9": 0.999, "max": 1.0}


def quantile_table(tx: Lines, columns: tuple[str, ...] = ("quantity", "unit_price", "amount")) -> pd.DataFrame:
    """Percentiles of quantity, price and line revenue: where the tails start."""
    with views.lines_view(tx) as view:
        return _quantiles(view, columns)


def _quantiles(view: views.LinesView, columns: tuple[str, ...]) -> pd.DataFrame:
    row = views.first_row(view, profile_sql.quantiles_query(view.name, columns, list(QUANTILES.values())))
    values = [row[c] if row[c] is not None else [np.nan] * len(QUANTILES) for c in columns]
    return pd.DataFrame(values, index=list(columns), columns=list(QUANTILES), dtype=float).round(2)


def concentration(revenue: pd.Series, *, top_share: float = 0.2) -> dict[str, float]:
    """Share of revenue from the top ``top_share`` of customers, and the Gini coefficient.

    Examples
    --------
    >>> concentration(pd.Series([1.0] * 10))
    {'top_customers_pct': 20.0, 'top_revenue_pct': 20.0, 'gini': 0.0}
    """
    values = np.sort(np.asarray(revenue, dtype=float))[::-1]
    n_top = max(1, int(round(top_share * len(values))))
    total = values.sum()
    ascending = values[::-1]
    gini = 1 - 2 * np.sum(np.cumsum(ascending) / total) / len(values) + 1 / len(values) if total else 0.0
    return {
        "top_customers_pct": round(top_share * 100, 1),
        "top_revenue_pct": round(float(values[:n_top].sum() / total * 100), 1) if total else 0.0,
        "gini": round(float(gini), 3) + 0.0,  # + 0.0 turns -0.0 into 0.0
    }


def breakdown(clean: Lines, column: str) -> pd.DataFrame:
    """Customers, orders, revenue and revenue share by the values of an extra column."""
    with views.lines_view(clean) as view:
        return _breakdown(view, column, views.pandas_types(clean)[column])


def _breakdown(view: views.LinesView, column: str, dtype) -> pd.DataFrame:
    counts = _frame(view, profile_sql.breakdown_query(view.name, column)).sort_values("value")  # groupby's order
    table = pd.DataFrame(
        {"customers": counts["customers"].astype("int64").to_numpy(), "orders": counts["orders"].astype("int64").to_numpy(),
         "revenue": counts["revenue"].round(2).to_numpy()},
        index=pd.Index(counts["value"].astype(dtype), name=column),
    ).sort_values("revenue", ascending=False)
    table["revenue_pct"] = (table["revenue"] / table["revenue"].sum() * 100).round(1)
    return table
