"""Customer features for clustering: the feature sets and the builder that picks and derives them.

:func:`customer_features` returns the columns that describe a customer: the RFM trio by default
(:data:`RFM_FEATURES`), the LRFMC set of the airline customer-value study (:data:`LRFMC_FEATURES`),
or an "extended" set with tenure, order value, discount and channel/category mix. The pipeline that
makes them k-means ready is in :mod:`segkit.cluster.preprocess`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import pandas as pd

from segkit.data import check_customer_table
from segkit.data.customers import CleanLines
from segkit.engine import duck, sources
from segkit.errors import DataError

__all__ = [
    "RFM_FEATURES",
    "LRFMC_FEATURES",
    "SKEWED_FEATURES",
    "FeatureSet",
    "CustomerFeatures",
    "customer_features",
]

FeatureSet = Literal["rfm", "lrfmc", "extended"]

#: The RFM trio: recency (lower is better), frequency and monetary value.
RFM_FEATURES: list[str] = ["days_since_last_purchase", "n_orders", "revenue"]

#: LRFMC (Length, Recency, Frequency, Monetary, discount Coefficient), after the airline
#: customer-value study; ``avg_discount`` comes from the clean transactions' ``discount`` column.
LRFMC_FEATURES: list[str] = ["tenure_days", "days_since_last_purchase", "n_orders", "revenue", "avg_discount"]

#: Money and count columns whose right-skew the default preprocessor removes with log1p.
SKEWED_FEATURES: list[str] = [
    "n_orders",
    "revenue",
    "avg_order_value",
    "frequency",
    "monetary_value",
    "n_items",
]

_EXTENDED_BASE: list[str] = [
    "days_since_last_purchase",
    "n_orders",
    "revenue",
    "tenure_days",
    "avg_order_value",
]


def _slug(value: object) -> str:
    text = re.sub(r"[^0-9a-z]+", "_", str(value).strip().lower()).strip("_")
    return text or "missing"


def _check_clean(clean: CleanLines | None, needed: Sequence[str], why: str) -> list[str]:
    """The columns of the clean lines (a frame or the Parquet file of :func:`segkit.engine.clean_lines`)."""
    if clean is None:
        raise DataError(
            f"{why} needs the clean transactions: pass clean=<the frame from segkit.data.load_clean, or the file "
            "from segkit.engine.clean_lines>, or use feature_set='rfm'."
        )
    columns = sources.line_columns(clean)
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DataError(
            f"{why} needs column(s) {missing} in the clean transactions, which has {columns}; "
            "map them with column_map, or use a feature set without them (feature_set='rfm')."
        )
    return columns


class _Imputed(NamedTuple):
    """A feature column and the number of customers whose value was imputed."""

    values: pd.Series
    n_imputed: int


def _average_discount(clean: CleanLines, index: pd.Index) -> _Imputed:
    """Revenue-weighted mean ``discount`` of each customer's purchase lines (in the engine).

    Customers without any recorded discount get the median of the others (their number is returned
    with the column), so that one missing field does not drop a customer.
    """
    disc = duck.average_discount(clean).reindex(index)
    n_missing = int(disc.isna().sum())
    if n_missing == len(disc):
        raise DataError(
            "the 'discount' column is empty for every customer; use feature_set='rfm' or fill discount with 0."
        )
    return _Imputed(disc.fillna(disc.median()).rename("avg_discount"), n_missing)


def _top_levels(values: pd.Series, weights: pd.Series, max_levels: int) -> pd.Series:
    """Keep the ``max_levels - 1`` heaviest levels (ties by name), pool the rest as 'other'."""
    totals = weights.groupby(values).sum().sort_index()
    if len(totals) <= max_levels:
        return values
    keep = totals.sort_values(ascending=False, kind="stable").index[: max_levels - 1]
    return values.where(values.isin(keep), "other")


def _level_shares(clean: CleanLines, index: pd.Index, *, column: str, by: str, max_levels: int) -> pd.DataFrame:
    """Share of each customer's purchase orders (``by="orders"``) or revenue (``by="revenue"``) in each level
    of ``column`` (rows sum to 1), from the engine's per-customer, per-level aggregates
    (:func:`segkit.engine.duck.level_weights`); levels past ``max_levels`` are pooled as "other"."""
    weights = duck.level_weights(clean, column, by=by)
    levels = _top_levels(weights["level"], weights["weight"], max_levels)
    levels = levels.map({level: _slug(level) for level in levels.unique()})  # one slug per level, not per row
    table = weights.assign(level=levels).pivot_table(
        index="customer_id", columns="level", values="weight", aggfunc="sum", fill_value=0.0)
    shares = table.div(table.sum(axis=1), axis=0).reindex(index).fillna(0.0)
    shares.columns = [f"{column}_share_{c}" for c in shares.columns]
    shares.columns.name = None
    return shares.sort_index(axis=1)


def _channel_shares(clean: CleanLines, index: pd.Index, *, column: str = "channel", max_levels: int = 5
                    ) -> pd.DataFrame:
    """Share of each customer's purchase orders placed in each ``column`` level (rows sum to 1); an order
    with lines in two levels counts under the one with most of its revenue (ties by name)."""
    return _level_shares(clean, index, column=column, by="orders", max_levels=max_levels)


def _category_shares(clean: CleanLines, index: pd.Index, *, column: str = "category", max_levels: int = 5
                     ) -> pd.DataFrame:
    """Share of each customer's purchase revenue spent in each ``column`` level (rows sum to 1)."""
    return _level_shares(clean, index, column=column, by="revenue", max_levels=max_levels)


def _drop_redundant_share(shares: pd.DataFrame) -> pd.DataFrame:
    """Shares sum to 1, so one level is redundant: drop the pooled "other" level, else the smallest."""
    if shares.shape[1] < 2:
        return shares.iloc[:, :0]
    other = [c for c in shares.columns if c.endswith("_share_other")]
    drop = other[0] if other else shares.mean().sort_values(kind="stable").index[0]
    return shares.drop(columns=drop)


@dataclass(frozen=True)
class CustomerFeatures:
    """Result of :func:`customer_features`: the feature matrix and what the data could not provide.

    One frozen result instead of notes carried in ``DataFrame.attrs`` (which pandas documents as
    experimental and which most operations drop).

    Attributes
    ----------
    table : DataFrame
        Float columns, one row per customer, same index as the customer table.
    feature_set : {"rfm", "lrfmc", "extended"}
        The set asked for.
    skipped : tuple of str
        Optional features of the ``"extended"`` set the data could not provide.
    n_imputed : int
        Customers without any recorded discount, whose ``avg_discount`` is the median of the others.
    """

    table: pd.DataFrame
    feature_set: str
    skipped: tuple[str, ...] = ()
    n_imputed: int = 0


def customer_features(
    customers: pd.DataFrame,
    clean: CleanLines | None = None,
    *,
    feature_set: FeatureSet = "rfm",
    include: Sequence[str] = (),
    max_levels: int = 5,
) -> CustomerFeatures:
    """Feature matrix (one row per customer) for clustering.

    Parameters
    ----------
    customers : DataFrame
        The customer table from :func:`segkit.data.customer_table`, indexed by ``customer_id``.
    clean : DataFrame or path, optional
        Clean transactions (from :func:`segkit.data.load_clean`, or their Parquet file from
        :func:`segkit.engine.clean_lines`); needed for ``avg_discount`` and the channel/category
        shares, which the engine aggregates per customer (an order with lines in two channels
        counts under the one with most of its revenue).
    feature_set : {"rfm", "lrfmc", "extended"}
        ``"rfm"``: days_since_last_purchase, n_orders, revenue.
        ``"lrfmc"``: tenure_days (Length), days_since_last_purchase (Recency), n_orders (Frequency),
        revenue (Monetary), avg_discount (discount Coefficient); requires a ``discount`` column.
        ``"extended"``: RFM + tenure_days + avg_order_value, plus, when ``clean`` has them,
        avg_discount, ``channel_share_<level>`` (share of orders) and ``category_share_<level>``
        (share of revenue). One share column per variable is dropped (the pooled "other" level, else
        the smallest), since the shares sum to 1.
    include : sequence of str
        Extra customer-table columns to append (e.g. ``["frequency"]``).
    max_levels : int
        At most this many channel/category levels; the rest are pooled into "other".

    Returns
    -------
    CustomerFeatures
        ``table``: float columns, same index as ``customers``; ``skipped``: optional features the data
        could not provide; ``n_imputed``: customers whose average discount was imputed.

    Raises
    ------
    DataError
        Unknown feature set, missing columns, or LRFMC without a discount column.
    """
    if feature_set not in ("rfm", "lrfmc", "extended"):
        raise DataError(f"feature_set={feature_set!r} is unknown; use 'rfm', 'lrfmc' or 'extended'.")
    if max_levels < 2:
        raise DataError(f"max_levels={max_levels} must be at least 2.")
    lrfmc = [c for c in LRFMC_FEATURES if c != "avg_discount"]
    base = {"rfm": RFM_FEATURES, "lrfmc": lrfmc, "extended": _EXTENDED_BASE}
    columns = list(dict.fromkeys([*base[feature_set], *include]))
    check_customer_table(customers, columns)
    parts = [customers[columns].astype(float)]
    skipped: list[str] = []
    n_imputed = 0
    if feature_set == "lrfmc":
        _check_clean(clean, ["customer_id", "amount", "discount"], "feature_set='lrfmc'")
        discount, n_imputed = _average_discount(clean, customers.index)
        parts.append(discount.to_frame())
    elif feature_set == "extended":
        parts_extra, skipped, n_imputed = _extended_extras(customers.index, clean, max_levels=max_levels)
        parts.extend(parts_extra)
    table = pd.concat(parts, axis=1)
    table.index.name = customers.index.name or "customer_id"
    return CustomerFeatures(table=table, feature_set=feature_set, skipped=tuple(skipped), n_imputed=n_imputed)


def _extended_extras(
    index: pd.Index, clean: CleanLines | None, *, max_levels: int
) -> tuple[list[pd.DataFrame], list[str], int]:
    """The optional parts of the extended set, the names of those the data lacks, customers imputed."""
    if clean is None:
        return [], ["avg_discount", "channel shares", "category shares"], 0
    present = [c for c in ("discount", "channel", "category") if c in sources.line_columns(clean)]
    recorded = duck.non_null_counts(clean, present)
    parts: list[pd.DataFrame] = []
    skipped: list[str] = []
    n_imputed = 0
    if recorded.get("discount", 0):
        discount, n_imputed = _average_discount(clean, index)
        parts.append(discount.to_frame())
    else:
        skipped.append("avg_discount")
    for column, builder in (("channel", _channel_shares), ("category", _category_shares)):
        if recorded.get(column, 0):
            shares = _drop_redundant_share(builder(clean, index, column=column, max_levels=max_levels))
            if shares.shape[1]:
                parts.append(shares)
                continue
        skipped.append(f"{column} shares")
    return parts, skipped, n_imputed