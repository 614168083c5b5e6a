"""The segmentation of record: the one k-means segmentation every clustering report names its groups after.

Notebook 02 chooses and justifies it; notebooks 03 and 04 run in parallel and on their own, so each
computes it with the same call, :func:`segmentation_of_record`, and the same seed, and compares its own
groups with it (:func:`segkit.cluster.compare_to_record`). Its settings live here, once
(:data:`RECORD_SETTINGS`), so that no notebook can drift from another. Its costly part, the evidence for
k (dozens of k-means refits), is kept on disk by the first of them to ask and read back by the others
(:func:`segkit.memo.kept`).
"""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd

from segkit.cluster.pipeline import KMeansSegmentation, kmeans_segmentation

__all__ = [
    "RECORD_SETTINGS",
    "segmentation_of_record",
]

#: How the segmentation of record is computed (see :func:`segkit.cluster.kmeans_segmentation`): k-means on
#: the RFM features, k chosen among the stable k from 3 to 8 (two segments rarely support different
#: actions) by the vote of five criteria, 10 k-means++ starts, 10 gap-statistic references, 10 subsample
#: refits per k with stability threshold 0.8, the silhouette on 5,000 sampled customers.
RECORD_SETTINGS = MappingProxyType({
    "feature_set": "rfm",
    "k_range": range(3, 9),
    "n_init": 10,
    "gap_references": 10,
    "stability_refits": 10,
    "stability_threshold": 0.8,
    "silhouette_sample": 5000,
})


def segmentation_of_record(
    customers: pd.DataFrame,
    *,
    seed: int,
    n_clusters: int = 0,
    segments: pd.Series | None = None,
) -> KMeansSegmentation:
    """The segmentation of record: :func:`kmeans_segmentation` with :data:`RECORD_SETTINGS`.

    Every report that compares with the record calls this with the same ``seed`` and ``n_clusters``
    and gets the same segments, numbers and names (k-means is seeded; the labels are ordered by revenue).

    Parameters
    ----------
    customers : DataFrame
        The customer table (:func:`segkit.data.customer_table`).
    seed : int
        Seed of every random step (keyword-only and required: the record must be reproducible).
    n_clusters : int
        0 chooses k from the data (the evidence is computed either way); a positive value overrides it.
    segments : Series, optional
        A segment per customer (e.g. RFM), for the closest segment in the summary.

    Returns
    -------
    KMeansSegmentation

    Raises
    ------
    DataError
        As :func:`kmeans_segmentation` for an unusable customer table.
    """
    return kmeans_segmentation(customers, n_clusters=n_clusters, segments=segments, random_state=seed,
                               keep_evidence=True, **RECORD_SETTINGS)
