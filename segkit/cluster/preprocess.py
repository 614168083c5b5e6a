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
>>> X = customer_features(customers).table
>>> list(X.columns)
['days_since_last_purchase', 'n_orders', 'revenue']
>>> Z = make_preprocessor().fit_transform(X)
>>> bool(Z.abs().max().le(2.0).all()), list(Z.columns) == list(X.columns)
(True, True)
"""

from __future__ import annotations

import os

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from segkit.cluster.features import SKEWED_FEATURES, FeatureSet, customer_features
from segkit.errors import DataError

__all__ = [
    "validate_features",
    "FeatureCheck",
    "LogTransformer",
    "QuantileClipper",
    "make_preprocessor",
    "PreparedFeatures",
    "prepare_features",
]


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
            "build it with segkit.cluster.customer_features(customers)."
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
        _check_not_constant(values, what)
    return values


def _check_not_constant(values: pd.DataFrame, what: str) -> None:
    constant = [str(c) for c in values.columns if values[c].nunique() <= 1]
    if constant:
        raise DataError(
            f"{what} column(s) {constant} are constant (a single value across {len(values)} customers) "
            "and carry no information; drop them, or use data where they vary."
        )


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
        return self._remember(validate_features(X, allow_constant=self.allow_constant))

    def fit_transform(self, X: pd.DataFrame, y=None) -> pd.DataFrame:
        """:meth:`fit` then :meth:`transform`, validating ``X`` once."""
        X = validate_features(X, allow_constant=self.allow_constant)
        return X[list(self._remember(X).feature_names_in_)]

    def _remember(self, X: pd.DataFrame) -> FeatureCheck:
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


@dataclass(frozen=True)
class PreparedFeatures:
    """Result of :func:`prepare_features`: the raw features, the preprocessed ones and the fitted pipeline.

    Attributes
    ----------
    raw : DataFrame
        The feature table of :func:`customer_features`, one row per customer (business units).
    scaled : DataFrame
        ``raw`` after :func:`make_preprocessor` (log, capping, standardising): what clustering and PCA use.
    preprocessor : Pipeline
        The fitted pipeline, to transform new customers the same way (``preprocessor.transform(...)``).
    feature_set : {"rfm", "lrfmc", "extended"}
        The feature set asked for.
    skipped : tuple of str
        Optional features the data could not provide (see :class:`CustomerFeatures`).
    n_imputed : int
        Customers whose average discount was imputed with the median.
    """

    raw: pd.DataFrame
    scaled: pd.DataFrame
    preprocessor: Pipeline = field(repr=False)
    feature_set: str = "rfm"
    skipped: tuple[str, ...] = ()
    n_imputed: int = 0


def prepare_features(
    customers: pd.DataFrame,
    clean: pd.DataFrame | str | os.PathLike | None = None,
    *,
    feature_set: FeatureSet = "rfm",
    log_columns: str | Sequence[str] = "auto",
) -> PreparedFeatures:
    """Customer features and their k-means-ready (preprocessed) version, in one step.

    The start of every clustering analysis: :func:`customer_features` then the
    :func:`make_preprocessor` pipeline (default options but ``log_columns``), fitted on these customers.

    Parameters
    ----------
    customers : DataFrame
        The customer table from :func:`segkit.data.customer_table`.
    clean : DataFrame or path, optional
        Clean transactions (a frame, or the file of :func:`segkit.engine.clean_lines`), for the
        ``lrfmc`` and ``extended`` feature sets.
    feature_set : {"rfm", "lrfmc", "extended"}
        See :func:`customer_features`.
    log_columns : "auto" or sequence of str
        Columns to ``log1p`` (see :func:`make_preprocessor`); ``()`` for none.

    Returns
    -------
    PreparedFeatures

    Examples
    --------
    >>> customers = pd.DataFrame({"days_since_last_purchase": [3, 40, 200], "n_orders": [12, 3, 1],
    ...                           "revenue": [1500.0, 210.0, 35.0]})
    >>> from segkit.cluster.features import RFM_FEATURES
    >>> prepared = prepare_features(customers)
    >>> list(prepared.raw.columns) == list(prepared.scaled.columns) == RFM_FEATURES
    True
    >>> prepared.scaled.mean().abs().max() < 1e-9
    np.True_
    """
    features = customer_features(customers, clean, feature_set=feature_set)
    preprocessor = make_preprocessor(log_columns=log_columns)
    return PreparedFeatures(raw=features.table, scaled=preprocessor.fit_transform(features.table),
                            preprocessor=preprocessor, feature_set=features.feature_set, skipped=features.skipped,
                            n_imputed=features.n_imputed)
