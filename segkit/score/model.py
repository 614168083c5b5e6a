"""The segmentation of record: RFM cut points and rules, the k-means preprocessing, centroids and names.

:func:`fit_model` learns it from a customer table with segkit's own pieces (:class:`segkit.rfm.RFMScale`,
:func:`segkit.rfm.load_rules`, :func:`segkit.cluster.prepare_features`, :class:`segkit.cluster.SegmentKMeans`
or :func:`segkit.cluster.kmeans_segmentation` when k is chosen from the data, and
:func:`segkit.cluster.describe_clusters` for the names); :class:`SegmentationModel` holds it as plain
numbers and strings, so that it is saved as JSON (:mod:`segkit.score.io`) and applied to later data
without refitting (:mod:`segkit.score.apply`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segkit import cluster, rfm
from segkit.data import snapshot_date as _snapshot_of

#: The rules' columns kept in the model (the rest of :func:`segkit.rfm.load_rules`' table is derived).
RULE_COLUMNS: tuple[str, ...] = ("priority", "segment", "R", "F", "M")


@dataclass(frozen=True)
class KMeansPart:
    """k-means as data: ``log1p`` of ``log_columns``, capping at ``lower``/``upper``, ``(x - mean) / scale``,
    then the nearest of ``centroids`` (row i is cluster i, named ``names[i]``)."""

    features: tuple[str, ...]
    log_columns: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    centroids: tuple[tuple[float, ...], ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class SegmentationModel:
    """A fitted segmentation that scores any later customer table the same way, without refitting.

    Attributes
    ----------
    snapshot : str
        Snapshot day (``YYYY-MM-DD``) of the customer table it was fitted on.
    n_customers : int
        Customers it was fitted on.
    rfm : RFMScale
        The RFM score scale (``bins`` and cut points; :class:`segkit.rfm.RFMScale`).
    rules : tuple of dict
        The segment rules' rows (``priority``, ``segment``, ``R``, ``F``, ``M``), as :func:`segkit.rfm.load_rules`
        reads them.
    kmeans : KMeansPart
        Preprocessing, centroids and cluster names.
    """

    snapshot: str
    n_customers: int
    rfm: rfm.RFMScale
    rules: tuple[dict, ...]
    kmeans: KMeansPart

    @property
    def rules_table(self) -> pd.DataFrame:
        """The rules as the DataFrame :func:`segkit.rfm.rfm_segments` takes."""
        return pd.DataFrame(list(self.rules), columns=list(RULE_COLUMNS))

    @property
    def k(self) -> int:
        """Number of k-means clusters."""
        return len(self.kmeans.names)


def fit_model(
    customers: pd.DataFrame,
    *,
    bins: int = 5,
    rules: str | Path | pd.DataFrame | None = None,
    n_clusters: int = 0,
    k_range: Sequence[int] = range(3, 9),
    n_init: int = 10,
    gap_references: int = 10,
    stability_refits: int = 10,
    random_state: int = 0,
) -> SegmentationModel:
    """Fit the segmentation of record on a customer table: RFM scale and rules, k-means on the RFM features.

    Parameters
    ----------
    customers : DataFrame
        :func:`segkit.data.customer_table`'s table.
    bins, rules
        As in :func:`segkit.rfm.rfm_segments` (rank scores; the default rules when ``rules`` is None).
    n_clusters : int
        Number of k-means clusters; 0 chooses k from the data as notebook 02 does
        (:func:`segkit.cluster.kmeans_segmentation` with ``k_range``, ``gap_references``, ``stability_refits``).
    n_init, random_state
        Of the k-means fits.

    Returns
    -------
    SegmentationModel
        Its labels on ``customers`` (:func:`~segkit.score.score_customers`) are exactly those of
        :func:`segkit.rfm.rfm_segments` and of the k-means fit.

    Raises
    ------
    DataError
        As :func:`segkit.rfm.rfm_segments` and :func:`segkit.cluster.prepare_features` for unusable input.
    """
    scale = rfm.RFMScale.fit(customers, bins=bins)
    table = rfm.load_rules(rules)
    prepared = cluster.prepare_features(customers, feature_set="rfm")
    if n_clusters > 0:
        model = cluster.SegmentKMeans(n_clusters, n_init=n_init, random_state=random_state).fit(
            prepared.scaled, order_by=customers["revenue"])
    else:
        model = cluster.kmeans_segmentation(
            customers, n_clusters=0, k_range=k_range, n_init=n_init, gap_references=gap_references,
            stability_refits=stability_refits, random_state=random_state).model
    names = cluster.describe_clusters(prepared.raw.assign(revenue=customers["revenue"]), model.labels_,
                                      prepared.scaled).summary["cluster_name"]
    rows = tuple({c: (_number(r[c]) if c == "priority" else str(r[c])) for c in RULE_COLUMNS}
                 for r in table.to_dict("records"))
    return SegmentationModel(snapshot=f"{_snapshot_of(customers):%Y-%m-%d}", n_customers=len(customers), rfm=scale,
                             rules=rows, kmeans=_kmeans_part(prepared, model, names))


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _kmeans_part(prepared, model, names: pd.Series) -> KMeansPart:
    steps = prepared.preprocessor.named_steps
    floats = lambda values: tuple(float(v) for v in np.asarray(values, dtype=float))  # noqa: E731
    return KMeansPart(
        features=tuple(str(c) for c in prepared.raw.columns),
        log_columns=tuple(str(c) for c in steps["log"].columns_),
        lower=floats(steps["clip"].lower_), upper=floats(steps["clip"].upper_),
        mean=floats(steps["scale"].mean_), scale=floats(steps["scale"].scale_),
        centroids=tuple(floats(row) for row in model.cluster_centers_),
        names=tuple(str(n) for n in names),
    )
