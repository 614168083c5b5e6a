"""Scoring with a saved model: a customer table, or an order export read and cleaned as segkit reads any file.

Nothing is refitted: R, F and M are cut at the model's cut points, segments come from the model's rules,
and each customer goes to the nearest of the model's centroids after the model's own log, capping and
scaling. The same arithmetic as the fit (NumPy on the same float64 numbers), so scoring the fitted
customers gives back their labels exactly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from segkit import data, rfm
from segkit.errors import DataError
from segkit.score.model import KMeansPart, SegmentationModel

#: Columns of :func:`score_customers`' table.
SCORE_COLUMNS: tuple[str, ...] = (
    "days_since_last_purchase", "n_orders", "revenue", "R", "F", "M", "segment", "cluster", "cluster_name",
)


def score_customers(model: SegmentationModel, customers: pd.DataFrame) -> pd.DataFrame:
    """Score a customer table into the model's RFM segments and k-means clusters.

    Parameters
    ----------
    model : SegmentationModel
        From :func:`~segkit.score.fit_model` or :func:`~segkit.score.load_model`.
    customers : DataFrame
        :func:`segkit.data.customer_table`'s table (any snapshot), with the model's features.

    Returns
    -------
    DataFrame
        Same index: the RFM raw values, ``R``, ``F``, ``M``, ``segment`` (categorical in rule order),
        ``cluster`` (0 = the fit's highest-revenue cluster) and ``cluster_name`` (categorical).

    Raises
    ------
    DataError
        Not a model, or a customer table without the model's columns or with unusable values.
    """
    if not isinstance(model, SegmentationModel):
        raise DataError(f"model must be a SegmentationModel, got {type(model).__name__}; read the file with "
                        "segkit.score.load_model(path).")
    scale = model.rfm
    scored = rfm.rfm_segments(customers, bins=scale.bins, thresholds=scale.thresholds, rules=model.rules_table,
                              lifecycle=None, warn=False)
    out = scored[["days_since_last_purchase", "n_orders", "revenue", "R", "F", "M", "segment"]].copy()
    out["cluster"] = _nearest(model.kmeans, _features(customers, model.kmeans))
    out["cluster_name"] = pd.Categorical.from_codes(out["cluster"].to_numpy(), categories=list(model.kmeans.names))
    return out


def _features(customers: pd.DataFrame, part: KMeansPart) -> np.ndarray:
    missing = [c for c in part.features if c not in customers.columns]
    if missing:
        raise DataError(f"the customer table lacks the model's feature column(s) {missing}; build it with "
                        "segkit.data.customer_table(clean), as the model was.")
    values = customers[list(part.features)].to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        column = part.features[int(np.flatnonzero(bad.any(axis=0))[0])]
        raise DataError(f"column {column!r} has {int(bad.sum())} missing or infinite values; fill or drop those "
                        "customers before scoring.")
    return values


def _nearest(part: KMeansPart, values: np.ndarray) -> np.ndarray:
    """The fit's preprocessing (log1p, capping, standardising) then the nearest centroid, in chunks."""
    x = values.copy()
    logged = [part.features.index(c) for c in part.log_columns]
    if (x[:, logged] < 0).any():
        raise DataError(f"log columns {list(part.log_columns)} have negative values; net revenue and order counts "
                        "must be >= 0 (clean the data with segkit.data.load_clean).")
    x[:, logged] = np.log1p(x[:, logged])
    x = np.minimum(np.maximum(x, np.asarray(part.lower)), np.asarray(part.upper))
    x = (x - np.asarray(part.mean)) / np.asarray(part.scale)
    centroids = np.asarray(part.centroids)
    labels = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), 200_000):  # bounded memory: n × k distances per chunk
        block = x[start:start + 200_000]
        labels[start:start + len(block)] = ((block[:, None, :] - centroids[None]) ** 2).sum(axis=2).argmin(axis=1)
    return labels


def score_orders(
    model: SegmentationModel,
    source: str | os.PathLike | pd.DataFrame,
    *,
    snapshot_date: str | pd.Timestamp | None = None,
    columns: Mapping[str, str] | None = None,
    returns: str = "net",
    **reading,
) -> pd.DataFrame:
    """Read, clean and summarise an order export, then :func:`score_customers` it.

    Parameters
    ----------
    model : SegmentationModel
    source : path or DataFrame
        The export (any file :func:`segkit.data.load_clean` reads), or clean order lines.
    snapshot_date : date-like, optional
        The scoring date; default the day after the export's last line.
    columns, returns, **reading
        As :func:`segkit.data.load_clean`: a column map for layouts segkit does not recognise, the returns rule
        and reading options (``encoding``, ``delimiter``, ``decimal``, ``date_format``, ``sheet``, ...).

    Returns
    -------
    DataFrame
        :func:`score_customers`' table, indexed by ``customer_id``.

    Raises
    ------
    DataError
        An export segkit cannot read (the message names the column and the option that fixes it), or as
        :func:`score_customers`.
    """
    if isinstance(source, pd.DataFrame):
        clean = source
    else:
        clean, _ = data.load_clean(source, columns=columns or None, returns=returns, **reading)
    return score_customers(model, data.customer_table(clean, snapshot_date=snapshot_date or None))
