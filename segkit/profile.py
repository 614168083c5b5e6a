"""Data profiling: schema, coverage, quality, returns, outliers and concentration.

Every function takes the canonical transactions (from :func:`segkit.data.load_transactions`)
or the clean ones, and returns a small DataFrame ready to display, or draws on an axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from segkit.data import is_return, robust_log_z
from segkit.plots import PALETTE

EXTRA_COLUMNS: tuple[str, ...] = ("country", "channel", "category")


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


def monthly_activity(tx: pd.DataFrame) -> pd.DataFrame:
    """Orders, customers and net revenue per calendar month (purchases only for orders)."""
    month = tx["order_date"].dt.to_period("M").rename("month")
    purchases = ~is_return(tx)
    table = pd.DataFrame(
        {
            "orders": tx.loc[purchases, "order_id"].groupby(month[purchases]).nunique(),
            "customers": tx.loc[purchases, "customer_id"].groupby(month[purchases]).nunique(),
            "revenue": tx["amount"].groupby(month).sum().round(2),
        }
    ).fillna(0)
    return table.astype({"orders": int, "customers": int})


def returns_summary(tx: pd.DataFrame) -> pd.DataFrame:
    """Cancellations (invoice numbers starting with C) and other returns: lines, orders, value.

    A return is a line with a negative quantity or a negative amount (a refund in an amount-only
    file), as in :func:`segkit.data.is_return`.

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


def top_lines(tx: pd.DataFrame, *, n: int = 8) -> pd.DataFrame:
    """The ``n`` purchase lines with the largest revenue, with their robust z-score on log revenue.

    The score is :func:`segkit.data.robust_log_z`, the one the outlier rule of
    :func:`segkit.data.clean_transactions` compares with ``outlier_z``; here it is taken against all
    purchase lines of the file, the rule takes it against the lines left by the earlier rules.
    """
    purchases = tx[~is_return(tx) & (tx["amount"] > 0)]
    z = robust_log_z(purchases["amount"], pd.Series(True, index=purchases.index))
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
    grouped = clean.groupby(column, observed=True)
    table = pd.DataFrame(
        {
            "customers": grouped["customer_id"].nunique(),
            "orders": grouped["order_id"].nunique(),
            "revenue": grouped["amount"].sum().round(2),
        }
    ).sort_values("revenue", ascending=False)
    table["revenue_pct"] = (table["revenue"] / table["revenue"].sum() * 100).round(1)
    return table


def findings(tx: pd.DataFrame, log: pd.DataFrame, customers: pd.DataFrame) -> list[str]:
    """Plain-language points the analyst should fix or watch before segmenting, from the numbers."""
    totals = log.attrs
    by_rule = log.set_index("rule")
    points = []
    missing_rev = by_rule.loc["missing_customer", "revenue"]
    returns = is_return(tx)
    gross = tx.loc[~returns, "amount"].sum()
    if by_rule.loc["missing_customer", "rows"]:
        points.append(
            f"{by_rule.loc['missing_customer', 'rows'] / totals['rows_in']:.1%} of lines "
            f"({missing_rev / max(gross, 1):.1%} of gross sales) have no customer id: "
            "segments describe identified customers only. Ask whether guest checkouts can be linked by e-mail."
        )
    if by_rule.loc["duplicate", "rows"]:
        points.append(
            f"{by_rule.loc['duplicate', 'rows']:,} exact duplicate lines were removed; check the export job, "
            "since duplicates inflate frequency and revenue."
        )
    if by_rule.loc["outlier", "rows"]:
        points.append(
            f"{by_rule.loc['outlier', 'rows']} extreme line(s) worth {by_rule.loc['outlier', 'revenue']:,.0f} "
            "were excluded as keying errors; confirm with the order system before trusting revenue totals."
        )
    returned = -tx.loc[returns, "amount"].sum()
    if returned and gross > 0:
        points.append(
            f"Returns and cancellations are {returned / gross:.1%} of gross sales; "
            f"{by_rule.loc['unmatched_return', 'rows']} return lines had no matching purchase "
            "(bought before the data starts) and were excluded."
        )
    one_off = (customers["n_orders"] == 1).mean()
    points.append(
        f"{one_off:.0%} of customers ordered once: frequency scores will be heavily tied, "
        "and buy-till-you-die models will rest on the repeat buyers."
        if one_off >= 0.5 else f"{one_off:.0%} of customers ordered once; the others are repeat buyers."
    )
    if by_rule.loc["test_account", "rows"]:
        points.append(
            f"{by_rule.loc['test_account', 'customers']} test or internal account(s) were removed; "
            "add any others to the test_accounts option."
        )
    points.append(
        f"Kept {totals['rows_kept'] / totals['rows_in']:.1%} of lines and "
        f"{totals['customers_kept']:,} of {totals['customers_in']:,} customers; every excluded row is in the log."
    )
    return points


def plot_monthly(monthly: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Orders per month as bars, revenue per month as a line on a second axis."""
    ax = ax or plt.gca()
    labels = monthly.index.astype(str)
    ax.bar(labels, monthly["orders"], color=PALETTE[0], label="orders")
    ax.set_ylabel("orders per month")
    ax.set_xlabel("month")
    ax.tick_params(axis="x", rotation=90)
    twin = ax.twinx()
    twin.plot(labels, monthly["revenue"] / 1000, color=PALETTE[1], marker="o", label="revenue")
    twin.set_ylabel("net revenue per month (thousands)")
    twin.grid(False)
    ax.set_title("Orders and revenue per month")
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, ["orders", "revenue"], loc="upper left")
    return ax


def plot_missing(schema: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Percentage of missing values per column, as horizontal bars."""
    ax = ax or plt.gca()
    ax.barh(schema.index, schema["missing_pct"], color=PALETTE[5])
    ax.set_xlabel("missing values (% of lines)")
    ax.set_ylabel("column")
    ax.set_title("Missing values per column")
    ax.invert_yaxis()
    return ax


def plot_log_histogram(values: pd.Series, *, label: str, ax: plt.Axes | None = None, bins: int = 40) -> plt.Axes:
    """Histogram of a positive quantity on log-spaced bins with a log x axis."""
    ax = ax or plt.gca()
    positive = values[values > 0]
    edges = np.logspace(np.log10(positive.min()), np.log10(positive.max()), bins + 1)
    ax.hist(positive, bins=edges, color=PALETTE[0], edgecolor="white")
    ax.set_xscale("log")
    ax.set_xlabel(f"{label} (log scale)")
    ax.set_ylabel("customers")
    ax.set_title(f"{label.capitalize()} per customer")
    return ax
