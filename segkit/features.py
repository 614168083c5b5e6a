"""Customer features for clustering and the preprocessing pipeline that makes them k-means ready.

Two steps, kept apart so that every clustering method uses the same inputs:

1. :func:`customer_features` picks (and, from the clean transactions, derives) the columns that
   describe a customer: the RFM trio by default, the LRFMC set of the airline customer-value
   study, or an "extended" set with tenure, order value, discount and channel/category mix.
2. :func:`make_preprocessor` returns a scikit-learn :class:`~sklearn.pipeline.Pipeline` that checks
   the features, log-transforms the skewed money and count columns, caps outliers at quantiles
   learned in ``fit`` and standardises, so that no single feature dominates the distances k-means
   (or Ward linkage) computes.

Examples
--------
>>> import pandas as pd
>>> customers = pd.DataFrame(
...     {"days_since_last_purchase": [3, 40, 200, 9], "n_orders": [12, 3, 1, 6],
...      "revenue": [1500.0, 210.0, 35.0, 640.0]},
...     index=pd.Index(["a", "b", "c", "d"], name="customer_id"))
>>> X = customer_features(customers)
>>> list(X.columns)
['days_since_last_purchase', 'n_orders', 'revenue']
>>> Z = make_preprocessor().fit_transform(X)
>>> bool(Z.abs().max().le(2.0).all()), list(Z.columns) == list(X.columns)
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from segkit.data import check_customer_table
from segkit.errors import DataError

__all__ = [
    "RFM_FEATURES",
    "LRFMC_FEATURES",
    "SKEWED_FEATURES",
    "FEATURE_LABELS",
    "FeatureSet",
    "customer_features",
    "feature_label",
    "validate_features",
    "FeatureCheck",
    "LogTransformer",
    "QuantileClipper",
    "make_preprocessor",
    "PreparedFeatures",
    "prepare_features",
    "revenue_skew_words",
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
#: Plain-language names of the features, for tables, plots and generated sentences.
FEATURE_LABELS: dict[str, str] = {
    "days_since_last_purchase": "days since last purchase",
    "n_orders": "number of orders",
    "revenue": "revenue",
    "avg_order_value": "average order value",
    "tenure_days": "tenure (days since first purchase)",
    "avg_discount": "average discount",
    "frequency": "repeat purchase days",
    "recency": "age at last purchase",
    "T": "customer age",
    "monetary_value": "mean repeat spend",
}

_EXTENDED_BASE: list[str] = [
    "days_since_last_purchase",
    "n_orders",
    "revenue",
    "tenure_days",
    "avg_order_value",
]


def feature_label(name: str) -> str:
    """Plain-language label of a feature column.

    Examples
    --------
    >>> feature_label("n_orders"), feature_label("channel_share_web")
    ('number of orders', 'share of orders via web')
    """
    if name in FEATURE_LABELS:
        return FEATURE_LABELS[name]
    match = re.fullmatch(r"(channel|category)_share_(.+)", name)
    if match:
        kind, level = match.groups()
        level = level.replace("_", " ")
        return f"share of orders via {level}" if kind == "channel" else f"share of revenue in {level}"
    return name.replace("_", " ")


def _slug(value: object) -> str:
    text = re.sub(r"[^0-9a-z]+", "_", str(value).strip().lower()).strip("_")
    return text or "missing"


def _purchases(clean: pd.DataFrame) -> pd.DataFrame:
    if "is_return" in clean.columns:
        return clean.loc[~clean["is_return"].astype(bool)]
    return clean.loc[clean["amount"] > 0]


def _check_clean(clean: pd.DataFrame | None, needed: Sequence[str], why: str) -> pd.DataFrame:
    if clean is None:
        raise DataError(
            f"{why} needs the clean transactions: pass clean=<the frame from segkit.data.load_clean>, "
            "or use feature_set='rfm'."
        )
    missing = [c for c in needed if c not in clean.columns]
    if missing:
        raise DataError(
            f"{why} needs column(s) {missing} in the clean transactions, which has {list(clean.columns)}; "
            "map them with column_map, or use a feature set without them (feature_set='rfm')."
        )
    return clean


def average_discount(clean: pd.DataFrame, index: pd.Index) -> pd.Series:
    """Revenue-weighted mean ``discount`` of each customer's purchase lines.

    Customers without any recorded discount get the median of the others (counted in
    ``.attrs["n_imputed"]``), so that one missing field does not drop a customer.
    """
    lines = _purchases(clean).loc[lambda d: d["discount"].notna() & (d["amount"] > 0)]
    weighted = lines["discount"].astype(float) * lines["amount"]
    sums = pd.DataFrame({"w": weighted, "a": lines["amount"], "id": lines["customer_id"]}).groupby("id").sum()
    disc = (sums["w"] / sums["a"]).reindex(index)
    n_missing = int(disc.isna().sum())
    if n_missing == len(disc):
        raise DataError(
            "the 'discount' column is empty for every customer; use feature_set='rfm' or fill discount with 0."
        )
    disc = disc.fillna(disc.median()).rename("avg_discount")
    disc.attrs["n_imputed"] = n_missing
    return disc


def _top_levels(values: pd.Series, weights: pd.Series, max_levels: int) -> pd.Series:
    """Keep the ``max_levels - 1`` heaviest levels (ties by name), pool the rest as 'other'."""
    totals = weights.groupby(values).sum().sort_index()
    if len(totals) <= max_levels:
        return values
    keep = totals.sort_values(ascending=False, kind="stable").index[: max_levels - 1]
    return values.where(values.isin(keep), "other")


def channel_shares(
    clean: pd.DataFrame, index: pd.Index, *, column: str = "channel", max_levels: int = 5
) -> pd.DataFrame:
    """Share of each customer's purchase orders placed in each ``column`` level (rows sum to 1)."""
    orders = _purchases(clean)[["customer_id", "order_id", column]].dropna()
    orders = orders.drop_duplicates(["customer_id", "order_id"])
    levels = _top_levels(orders[column].astype(str), pd.Series(1.0, index=orders.index), max_levels)
    counts = pd.crosstab(orders["customer_id"], levels.map(_slug))
    shares = counts.div(counts.sum(axis=1), axis=0).reindex(index).fillna(0.0)
    shares.columns = [f"{column}_share_{c}" for c in shares.columns]
    return shares.sort_index(axis=1)


def category_shares(
    clean: pd.DataFrame, index: pd.Index, *, column: str = "category", max_levels: int = 5
) -> pd.DataFrame:
    """Share of each customer's purchase revenue spent in each ``column`` level (rows sum to 1)."""
    lines = _purchases(clean).loc[lambda d: d[column].notna() & (d["amount"] > 0)]
    levels = _top_levels(lines[column].astype(str), lines["amount"], max_levels).map(_slug)
    revenue = lines.groupby(["customer_id", levels.rename("level")])["amount"].sum().unstack(fill_value=0.0)
    shares = revenue.div(revenue.sum(axis=1), axis=0).reindex(index).fillna(0.0)
    shares.columns = [f"{column}_share_{c}" for c in shares.columns]
    return shares.sort_index(axis=1)


def _drop_redundant_share(shares: pd.DataFrame) -> pd.DataFrame:
    """Shares sum to 1, so one level is redundant: drop the pooled "other" level, else the smallest."""
    if shares.shape[1] < 2:
        return shares.iloc[:, :0]
    other = [c for c in shares.columns if c.endswith("_share_other")]
    drop = other[0] if other else shares.mean().sort_values(kind="stable").index[0]
    return shares.drop(columns=drop)


def customer_features(
    customers: pd.DataFrame,
    clean: pd.DataFrame | None = None,
    *,
    feature_set: FeatureSet = "rfm",
    include: Sequence[str] = (),
    max_levels: int = 5,
) -> pd.DataFrame:
    """Feature matrix (one row per customer) for clustering.

    Parameters
    ----------
    customers : DataFrame
        The customer table from :func:`segkit.data.customer_table`, indexed by ``customer_id``.
    clean : DataFrame, optional
        Clean transactions (from :func:`segkit.data.load_clean`); needed for ``avg_discount`` and the
        channel/category shares.
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
    DataFrame
        Float columns, same index as ``customers``; ``.attrs["feature_set"]`` names the set and
        ``.attrs["skipped"]`` lists optional features the data could not provide.

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
    if feature_set == "lrfmc":
        clean = _check_clean(clean, ["customer_id", "amount", "discount"], "feature_set='lrfmc'")
        parts.append(average_discount(clean, customers.index).to_frame())
    elif feature_set == "extended":
        parts_extra, skipped = _extended_extras(customers.index, clean, max_levels=max_levels)
        parts.extend(parts_extra)
    features = pd.concat(parts, axis=1)
    features.index.name = customers.index.name or "customer_id"
    features.attrs = {"feature_set": feature_set, "skipped": skipped}
    return features


def _extended_extras(
    index: pd.Index, clean: pd.DataFrame | None, *, max_levels: int
) -> tuple[list[pd.DataFrame], list[str]]:
    if clean is None:
        return [], ["avg_discount", "channel shares", "category shares"]
    parts: list[pd.DataFrame] = []
    skipped: list[str] = []
    if "discount" in clean.columns and clean["discount"].notna().any():
        parts.append(average_discount(clean, index).to_frame())
    else:
        skipped.append("avg_discount")
    for column, builder in (("channel", channel_shares), ("category", category_shares)):
        if column in clean.columns and clean[column].notna().any():
            shares = _drop_redundant_share(builder(clean, index, column=column, max_levels=max_levels))
            if shares.shape[1]:
                parts.append(shares)
                continue
        skipped.append(f"{column} shares")
    return parts, skipped


def validate_features(
    X: pd.DataFrame,
    *,
    min_rows: int = 2,
    allow_constant: bool = False,
    what: str = "feature matrix",
) -> pd.DataFrame:
    """Check a feature matrix the way scikit-learn's ``check_array`` does, with segkit messages.

    Parameters
    ----------
    X : DataFrame
        Numeric features, one row per customer.
    min_rows : int
        Fewest rows accepted (e.g. the number of clusters).
    allow_constant : bool
        Accept columns with a single value (they carry no information for clustering).
    what : str
        How to call ``X`` in messages.

    Returns
    -------
    DataFrame
        ``X`` as float columns.

    Raises
    ------
    DataError
        Not a DataFrame, non-numeric/missing/infinite values, too few rows or a constant column; the
        message names the column and count and says what to do.

    Examples
    --------
    >>> validate_features(pd.DataFrame({"a": [1.0, None, 3.0]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    segkit.errors.DataError: feature matrix has 1 missing value(s) in column 'a' (first customer: 1); fill them ...
    """
    if not isinstance(X, pd.DataFrame):
        raise DataError(
            f"{what} must be a pandas DataFrame with one row per customer, got {type(X).__name__}; "
            "build it with segkit.features.customer_features(customers)."
        )
    if X.shape[1] == 0:
        raise DataError(f"{what} has no columns; pick at least one feature (e.g. feature_set='rfm').")
    non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])]
    if non_numeric:
        raise DataError(
            f"{what} has non-numeric column(s) {non_numeric}; encode them as numbers or drop them before clustering."
        )
    values = X.astype(float)
    if len(values) < min_rows:
        raise DataError(
            f"{what} has {len(values)} customer(s) but at least {min_rows} are needed; "
            "use more data (a longer period, fewer filters) or ask for fewer clusters."
        )
    _check_finite(values, what)
    if not allow_constant:
        constant = [str(c) for c in values.columns if values[c].nunique() <= 1]
        if constant:
            raise DataError(
                f"{what} column(s) {constant} are constant (a single value across {len(values)} customers) "
                "and carry no information; drop them, or use data where they vary."
            )
    return values


def _check_finite(values: pd.DataFrame, what: str) -> None:
    arr = values.to_numpy()
    for problem, mask, fix in (
        ("missing value(s)", np.isnan(arr), "fill them (e.g. with the median or 0) or drop those customers"),
        ("infinite value(s)", np.isinf(arr), "replace them (a division by zero upstream?) or drop those customers"),
    ):
        per_column = mask.sum(axis=0)
        if per_column.any():
            j = int(np.flatnonzero(per_column)[0])
            first = values.index[np.flatnonzero(mask[:, j])[0]]
            raise DataError(
                f"{what} has {int(per_column[j])} {problem} in column {str(values.columns[j])!r} "
                f"(first customer: {first}); {fix} before clustering."
            )


class FeatureCheck(TransformerMixin, BaseEstimator):
    """Pipeline step that validates the features (see :func:`validate_features`) and passes them on."""

    def __init__(self, *, allow_constant: bool = False):
        self.allow_constant = allow_constant

    def fit(self, X: pd.DataFrame, y=None) -> FeatureCheck:
        X = validate_features(X, allow_constant=self.allow_constant)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self)
        X = validate_features(X, min_rows=1, allow_constant=True)
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise DataError(f"features lack column(s) {missing} seen in fit; build them with the same feature_set.")
        return X[list(self.feature_names_in_)]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self)
        return self.feature_names_in_.copy()


class LogTransformer(TransformerMixin, BaseEstimator):
    """``log1p`` of the skewed non-negative columns; other columns pass through unchanged.

    Parameters
    ----------
    columns : "auto" or sequence of str
        ``"auto"``: the money and count columns in :data:`SKEWED_FEATURES` present in ``X``.
    """

    def __init__(self, *, columns: str | Sequence[str] = "auto"):
        self.columns = columns

    def fit(self, X: pd.DataFrame, y=None) -> LogTransformer:
        X = pd.DataFrame(X)
        cols = [c for c in SKEWED_FEATURES if c in X.columns] if self.columns == "auto" else list(self.columns)
        unknown = [c for c in cols if c not in X.columns]
        if unknown:
            raise DataError(f"log columns {unknown} are not in the features {list(X.columns)}; fix log_columns.")
        self.columns_ = cols
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self._check_non_negative(X)
        return self

    def _check_non_negative(self, X: pd.DataFrame) -> None:
        for c in self.columns_:
            n_neg = int((X[c] < 0).sum())
            if n_neg:
                raise DataError(
                    f"column {c!r} has {n_neg} negative value(s), so log1p is undefined; "
                    "remove it from log_columns or fix the values (net revenue should be > 0)."
                )

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self)
        X = pd.DataFrame(X).copy()
        self._check_non_negative(X)
        X[self.columns_] = np.log1p(X[self.columns_].astype(float))
        return X

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self)
        return self.feature_names_in_.copy()


class QuantileClipper(TransformerMixin, BaseEstimator):
    """Cap every column at its ``lower`` and ``upper`` quantiles, learned in ``fit`` (winsorising).

    Parameters
    ----------
    lower, upper : float
        Quantiles in [0, 1], ``lower < upper``; (0, 1) disables capping.
    """

    def __init__(self, *, lower: float = 0.01, upper: float = 0.99):
        self.lower = lower
        self.upper = upper

    def fit(self, X: pd.DataFrame, y=None) -> QuantileClipper:
        if not 0.0 <= self.lower < self.upper <= 1.0:
            raise DataError(
                f"clip quantiles ({self.lower}, {self.upper}) must satisfy 0 <= lower < upper <= 1; e.g. (0.01, 0.99)."
            )
        X = pd.DataFrame(X).astype(float)
        self.lower_ = X.quantile(self.lower)
        self.upper_ = X.quantile(self.upper)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self)
        X = pd.DataFrame(X).astype(float)
        return X.clip(lower=self.lower_, upper=self.upper_, axis=1)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self)
        return self.feature_names_in_.copy()


def make_preprocessor(
    *,
    log_columns: str | Sequence[str] = "auto",
    clip_quantiles: tuple[float, float] | None = (0.01, 0.99),
    scale: bool = True,
    allow_constant: bool = False,
) -> Pipeline:
    """The k-means-ready preprocessing pipeline: check -> log1p -> quantile capping -> standardise.

    Parameters
    ----------
    log_columns : "auto" or sequence of str
        Columns to ``log1p``; ``"auto"`` = the money/count columns of :data:`SKEWED_FEATURES`
        present (revenue, n_orders, avg_order_value, ...). Use ``()`` for none.
    clip_quantiles : (float, float) or None
        Quantiles at which every column is capped (learned in ``fit``); ``None`` disables capping.
    scale : bool
        Standardise to mean 0 and standard deviation 1 (needed by k-means, whose Euclidean distance
        otherwise lets the widest-ranged feature decide the clusters).
    allow_constant : bool
        Accept constant columns instead of raising :class:`~segkit.errors.DataError`.

    Returns
    -------
    Pipeline
        Steps ``check``, ``log``, ``clip``, ``scale``; transforms DataFrames into DataFrames with the
        same columns and index.
    """
    lower, upper = clip_quantiles if clip_quantiles is not None else (0.0, 1.0)
    steps = [
        ("check", FeatureCheck(allow_constant=allow_constant)),
        ("log", LogTransformer(columns=log_columns)),
        ("clip", QuantileClipper(lower=lower, upper=upper)),
        ("scale", StandardScaler() if scale else "passthrough"),
    ]
    return Pipeline(steps).set_output(transform="pandas")


@dataclass
class PreparedFeatures:
    """Result of :func:`prepare_features`: the raw features, the preprocessed ones and the fitted pipeline.

    Attributes
    ----------
    raw : DataFrame
        :func:`customer_features` output, one row per customer (business units).
    scaled : DataFrame
        ``raw`` after :func:`make_preprocessor` (log, capping, standardising): what clustering and PCA use.
    preprocessor : Pipeline
        The fitted pipeline, to transform new customers the same way (``preprocessor.transform(...)``).
    """

    raw: pd.DataFrame
    scaled: pd.DataFrame
    preprocessor: Pipeline = field(repr=False)


def prepare_features(
    customers: pd.DataFrame,
    clean: pd.DataFrame | None = None,
    *,
    feature_set: FeatureSet = "rfm",
) -> PreparedFeatures:
    """Customer features and their k-means-ready (preprocessed) version, in one step.

    The start of every clustering notebook: :func:`customer_features` then the default
    :func:`make_preprocessor` pipeline, fitted on these customers.

    Parameters
    ----------
    customers : DataFrame
        The customer table from :func:`segkit.data.customer_table`.
    clean : DataFrame, optional
        Clean transactions, for the ``lrfmc`` and ``extended`` feature sets.
    feature_set : {"rfm", "lrfmc", "extended"}
        See :func:`customer_features`.

    Returns
    -------
    PreparedFeatures

    Examples
    --------
    >>> customers = pd.DataFrame({"days_since_last_purchase": [3, 40, 200], "n_orders": [12, 3, 1],
    ...                           "revenue": [1500.0, 210.0, 35.0]})
    >>> prepared = prepare_features(customers)
    >>> list(prepared.raw.columns) == list(prepared.scaled.columns) == RFM_FEATURES
    True
    >>> prepared.scaled.mean().abs().max() < 1e-9
    np.True_
    """
    raw = customer_features(customers, clean, feature_set=feature_set)
    preprocessor = make_preprocessor()
    return PreparedFeatures(raw=raw, scaled=preprocessor.fit_transform(raw), preprocessor=preprocessor)


def revenue_skew_words(revenue: pd.Series) -> str:
    """One sentence on how skewed revenue is: the biggest spender against the median, and the top 1%'s share.

    With fewer than 100 customers the top 1% is one customer, so the sentence names the biggest
    customer's share instead; when the median customer has no revenue it says so instead of a ratio.

    Examples
    --------
    >>> revenue_skew_words(pd.Series([10.0, 20.0, 30.0, 40.0, 400.0]))
    "The biggest spender bought 13 times the median customer's revenue; the biggest customer alone holds 80% of it."
    """
    values = pd.Series(revenue, dtype=float)
    total, median, top = values.sum(), values.median(), values.max()
    if total <= 0:
        return "No customer has net revenue, so there is no revenue distribution to describe."
    n_top = len(values) // 100
    share = (f"the top 1% of customers ({n_top:,}) hold {values.nlargest(n_top).sum() / total:.0%} of it" if n_top
             else f"the biggest customer alone holds {top / total:.0%} of it")
    if median <= 0:
        return f"At least half of the customers have no net revenue; {share}."
    return f"The biggest spender bought {top / median:,.0f} times the median customer's revenue; {share}."
