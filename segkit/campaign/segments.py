"""The segmentation dispatcher: one segment label per customer, from RFM, k-means or CLV tiers."""

from __future__ import annotations

import pandas as pd

from segkit.campaign.economics import DEFAULT_MARGIN, annual_values
from segkit.errors import DataError

SEGMENTATIONS: tuple[str, ...] = ("rfm", "cluster", "clv_tier")


def segment_customers(
    customers: pd.DataFrame,
    *,
    by: str = "rfm",
    n_clusters: int = 5,
    margin: float = DEFAULT_MARGIN,
    random_state: int = 0,
) -> pd.Series:
    """One segment label per customer, from the segmentation named by ``by``.

    - ``"rfm"``: named RFM segments (:func:`segkit.rfm.rfm_segments`), the default and the
      segmentation the default campaign was planted on;
    - ``"cluster"``: k-means on the preprocessed RFM features (:class:`segkit.cluster.SegmentKMeans`),
      clusters named from their profile (:func:`segkit.cluster.name_clusters`);
    - ``"clv_tier"``: top 20% / middle 60% / bottom 20% of historical CLV (:mod:`segkit.clv`), ranked
      by :func:`annual_values` (the lifetime factor is the same for everyone).

    Parameters
    ----------
    customers : DataFrame
        Customer table from :func:`segkit.data.customer_table`.
    by : {"rfm", "cluster", "clv_tier"}, default "rfm"
        Segmentation.
    n_clusters : int, default 5
        Clusters for ``by="cluster"``.
    margin : float, default 0.30
        Margin of the historical CLV for ``by="clv_tier"``.
    random_state : int, default 0
        Seed of k-means.

    Returns
    -------
    Series
        Categorical ``segment`` indexed like ``customers``.

    Raises
    ------
    DataError
        Unknown ``by``, or the module it needs is not installed.
    """
    if by not in SEGMENTATIONS:
        raise DataError(f"segmentation {by!r} is unknown; use one of {list(SEGMENTATIONS)}")
    module = {"rfm": "segkit.rfm", "cluster": "segkit.cluster", "clv_tier": "segkit.clv"}[by]
    try:
        __import__(module)
    except ImportError as error:
        raise DataError(
            f"segmentation {by!r} needs {module}, which is not available ({error}); use by='rfm'"
        ) from error
    if by == "rfm":
        from segkit.rfm import rfm_segments

        labels = rfm_segments(customers, warn=False)["segment"]
    elif by == "cluster":
        labels = _cluster_segments(customers, n_clusters=n_clusters, random_state=random_state)
    else:
        from segkit.clv import value_tiers

        labels = value_tiers(annual_values(customers, margin=margin))
    return labels.rename("segment")


def _cluster_segments(customers: pd.DataFrame, *, n_clusters: int, random_state: int) -> pd.Series:
    from segkit.cluster import SegmentKMeans, name_clusters, prepare_features, standardised_means

    scaled = prepare_features(customers).scaled
    model = SegmentKMeans(n_clusters, random_state=random_state).fit(scaled, order_by=customers["revenue"])
    names = name_clusters(standardised_means(scaled, model.labels_))
    ordered = [str(names[k]) for k in range(n_clusters)]
    return pd.Series(pd.Categorical.from_codes(model.labels_, categories=ordered), index=customers.index)
