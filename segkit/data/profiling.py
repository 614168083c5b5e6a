"""Data profiling: schema, coverage, quality, returns, outliers and concentration, in one result.

:func:`profile_transactions` is the entry point: it takes the lines as read, the clean lines, the
quality log and the customer table, and returns a :class:`DataProfile` of small tables ready to
display, with the headline and the findings written from them (:mod:`segkit.data.text`). The
functions that make each table take the canonical transactions (from
:func:`segkit.data.load_transactions`) or the clean ones; the charts are in :mod:`segkit.data.plots`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segkit.data import text
from segkit.data.clean import is_return, reconcile
from segkit.data.customers import check_customer_table
from segkit.engine.sql import MAD_TO_SIGMA

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
        Of the lines as read: :func:`overview`, :func:`schema_table`, :func:`monthly_activity`,
        :func:`returns_summary`, :func:`duplicate_summary`, :func:`quantile_table`, :func:`top_lines`.
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
    lines: pd.DataFrame,
    clean: pd.DataFrame,
    log: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    top_share: float = 0.2,
    n_top_lines: int = 8,
) -> DataProfile:
    """Profile a transaction file: its lines as read, what cleaning kept, and the customers.

    Parameters
    ----------
    lines : DataFrame
        The lines as read (:func:`segkit.data.load_transactions`), before cleaning.
    clean, log : DataFrame
        :func:`segkit.data.clean_transactions` (or ``split_transactions``) of ``lines``.
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
    facts = quality_facts(lines, clean, log, customers, shares)
    return DataProfile(
        overview=overview(lines),
        schema=schema_table(lines),
        monthly=monthly_activity(lines),
        returns=returns_summary(lines),
        duplicates=duplicate_summary(lines),
        quantiles=quantile_table(lines),
        top_lines=top_lines(lines, n=n_top_lines),
        reconciliation=reconcile(lines, clean, log),
        concentration=shares,
        breakdowns={column: breakdown(clean, column) for column in EXTRA_COLUMNS if column in clean},
        facts=facts,
        headline=text.headline(facts),
        findings=tuple(text.findings(facts)),
    )


def quality_facts(lines: pd.DataFrame, clean: pd.DataFrame, log: pd.DataFrame, customers: pd.DataFrame,
                  shares: dict[str, float]) -> QualityFacts:
    """The numbers behind the headline and the findings, from the lines, the cleaning and the customers."""
    by_rule = log.set_index("rule")
    returns = is_return(lines)
    return QualityFacts(
        rows_in=len(lines),
        rows_kept=len(clean),
        customers_in=int(lines["customer_id"].nunique()),
        customers_kept=int(clean["customer_id"].nunique()),
        first_date=clean["order_date"].min(),
        last_date=clean["order_date"].max(),
        gross_sales=float(lines.loc[~returns, "amount"].sum()),
        returned=float(-lines.loc[returns, "amount"].sum()),
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


def schema_table(tx: pd.DataFrame) -> pd.DataFrame:
    """One row per column: type, filled and missing counts, distinct values and an example.

    Examples
    --------
    >>> schema_table(pd.DataFrame({"a": [1, None, 3]})).loc["a", ["missing", "distinct"]].tolist()
    [1, 2]
    """
    first_valid = {c: tx[c].dropna().iloc[0] if tx[c].notna().any() else None for c in tx.columns}
    table = pd.DataFrame(
        {
            "type": tx.dtypes.astype(str),
            "filled": tx.notna().sum(),
            "missing": tx.isna().sum(),
            "missing_pct": (tx.isna().mean() * 100).round(2),
            "distinct": tx.nunique(),
            "example": pd.Series({c: str(v) for c, v in first_valid.items()}),
        }
    )
    table.index.name = "column"
    return table


def overview(tx: pd.DataFrame) -> pd.DataFrame:
    """Headline counts of a transaction table: lines, orders, customers, revenue and dates."""
    purchases = tx[~is_return(tx)]
    values = {
        "order lines": len(tx),
        "orders (invoices)": tx["order_id"].nunique(),
        "customers (with an id)": tx["customer_id"].nunique(),
        "products": tx["product_id"].nunique() if "product_id" in tx else "no product column",
        "gross sales": round(float(purchases["amount"].sum()), 2),
        "net revenue (all lines)": round(float(tx["amount"].sum()), 2),
        "first order": f"{tx['order_date'].min():%Y-%m-%d}",
        "last order": f"{tx['order_date'].max():%Y-%m-%d}",
        "days covered": int((tx["order_date"].max() - tx["order_date"].min()).days) + 1,
    }
    return pd.DataFrame({"value": pd.Series(values, dtype=object)}).rename_axis("measure")


def _codes(values: pd.Series) -> pd.Series:
    """``values`` as integer codes (missing stays missing), for counting distinct values per group:
    equal values get equal codes, so a group's distinct codes are its distinct values, and grouping
    numbers is much faster than grouping text.

    Examples
    --------
    >>> _codes(pd.Series(["b", None, "a", "b"])).tolist()
    [0.0, nan, 1.0, 0.0]
    """
    codes, _ = pd.factorize(values)
    return pd.Series(np.where(codes < 0, np.nan, codes), index=values.index, name=values.name)


def monthly_activity(tx: pd.DataFrame) -> pd.DataFrame:
    """Orders, customers and net revenue per calendar month (purchases only for orders)."""
    month = tx["order_date"].dt.to_period("M").rename("month")
    purchases = ~is_return(tx)
    table = pd.DataFrame(
        {
            "orders": _codes(tx.loc[purchases, "order_id"]).groupby(month[purchases]).nunique(),
            "customers": _codes(tx.loc[purchases, "customer_id"]).groupby(month[purchases]).nunique(),
            "revenue": tx["amount"].groupby(month).sum().round(2),
        }
    ).fillna(0)
    return table.astype({"orders": int, "customers": int})


def returns_summary(tx: pd.DataFrame) -> pd.DataFrame:
    """Cancellations (invoice numbers starting with C) and other returns: lines, orders, value.

    A return is a line with a negative quantity or a negative amount (a refund in an amount-only
    file), as in :func:`segkit.data.clean.is_return`.

    Examples
    --------
    >>> tx = pd.DataFrame({"order_id": ["1", "C2", "3"], "quantity": [2, -2, -1], "amount": [4.0, -4.0, -1.0]})
    >>> returns_summary(tx)["lines"].tolist()
    [1, 1, 2]
    """
    negative = is_return(tx)
    cancelled = negative & tx["order_id"].astype("string").str.upper().str.startswith("C").fillna(False).astype(bool)
    gross = tx.loc[~negative, "amount"].sum()
    kinds = {"cancelled invoices (C...)": cancelled, "other returns": negative & ~cancelled, "all returns": negative}
    rows = {
        kind: {
            "lines": int(mask.sum()),
            "orders": int(tx.loc[mask, "order_id"].nunique()),
            "value": round(float(-tx.loc[mask, "amount"].sum()), 2) + 0.0,  # + 0.0 turns -0.0 into 0.0
            "pct_of_gross_sales": round(float(-tx.loc[mask, "amount"].sum() / gross * 100), 2) + 0.0 if gross else np.nan,
        }
        for kind, mask in kinds.items()
    }
    return pd.DataFrame(rows).T.rename_axis("kind").astype({"lines": int, "orders": int})


def duplicate_summary(tx: pd.DataFrame) -> pd.DataFrame:
    """Exact duplicate lines (every column equal to an earlier line): how many, where, and their value.

    Examples
    --------
    >>> tx = pd.DataFrame({"order_id": ["1", "1", "2"], "customer_id": ["a", "a", "b"], "amount": [5.0, 5.0, 3.0]})
    >>> duplicate_summary(tx)["value"].tolist()
    [1, 1, 1, 5.0]
    """
    repeated = tx[tx.duplicated(keep="first")]
    values = {
        "duplicate lines": len(repeated),
        "orders affected": repeated["order_id"].nunique(),
        "customers affected": repeated["customer_id"].nunique(),
        "revenue in duplicates": round(float(repeated["amount"].sum()), 2),
    }
    return pd.DataFrame({"value": pd.Series(values, dtype=object)}).rename_axis("measure")


def robust_log_z(amount: pd.Series) -> pd.Series:
    """Robust z-score of log ``amount`` (all positive): (log amount - median) / (1.4826 × MAD), the
    score the cleaning's outlier rule compares with ``outlier_z``; NaN for a zero spread.

    Examples
    --------
    >>> robust_log_z(pd.Series([1.0, 2.0, 4.0, 8.0, 1024.0])).round(1).tolist()
    [-1.3, -0.7, 0.0, 0.7, 5.4]
    """
    log_amount = np.log(amount)
    median = log_amount.median()
    mad = MAD_TO_SIGMA * (log_amount - median).abs().median()
    if not mad > 0:
        return pd.Series(np.nan, index=amount.index)
    return (log_amount - median) / mad


def top_lines(tx: pd.DataFrame, *, n: int = 8) -> pd.DataFrame:
    """The ``n`` purchase lines with the largest revenue, with their robust z-score on log revenue.

    The score is :func:`robust_log_z`, the one the outlier rule of
    :func:`segkit.data.clean_transactions` compares with ``outlier_z``; here it is taken against all
    purchase lines of the file, the rule takes it against the lines left by the earlier rules.
    """
    purchases = tx[~is_return(tx) & (tx["amount"] > 0)]
    z = robust_log_z(purchases["amount"])
    columns = [c for c in ("order_id", "customer_id", "product_id", "order_date", "quantity", "unit_price", "amount")
               if c in tx]
    top = purchases.assign(robust_z=z.round(1)).nlargest(n, "amount")[columns + ["robust_z"]]
    return top.reset_index(drop=True)


def quantile_table(tx: pd.DataFrame, columns: tuple[str, ...] = ("quantity", "unit_price", "amount")) -> pd.DataFrame:
    """Percentiles of quantity, price and line revenue: where the tails start."""
    quantiles = [0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999, 1.0]
    table = tx[list(columns)].quantile(quantiles).T.round(2)
    table.columns = ["min", "p1", "p25", "median", "p75", "p99", "p99.9", "max"]
    return table


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


def breakdown(clean: pd.DataFrame, column: str) -> pd.DataFrame:
    """Customers, orders, revenue and revenue share by the values of an extra column."""
    ids = pd.DataFrame({"customer_id": _codes(clean["customer_id"]), "order_id": _codes(clean["order_id"]),
                        "amount": clean["amount"], column: clean[column]})
    grouped = ids.groupby(column, observed=True)
    table = pd.DataFrame(
        {
            "customers": grouped["customer_id"].nunique(),
            "orders": grouped["order_id"].nunique(),
            "revenue": grouped["amount"].sum().round(2),
        }
    ).sort_values("revenue", ascending=False)
    table["revenue_pct"] = (table["revenue"] / table["revenue"].sum() * 100).round(1)
    return table
