"""The word sets :func:`segkit.cluster.text.words` returns for the results that need more than one
sentence: k-means, Ward, a comparison with the record, PCA."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class KMeansWords:
    """The words for a :class:`~segkit.cluster.pipeline.KMeansSegmentation`.

    Attributes
    ----------
    headline : str
        k, how it was set, its stability and the top segment (Markdown).
    features : str
        Customers and features (with the snapshot date when given).
    revenue_skew : str
        How skewed revenue is (why money columns are log-transformed).
    rule : str
        How k is chosen.
    decision : str
        Why this k, with a caveat when the criteria disagree (Markdown).
    choice : str
        The same in one short sentence.
    record : str
        Why this segmentation is the one of record: the evidence for k and its stability (Markdown).
    """

    headline: str
    features: str
    revenue_skew: str
    rule: str
    decision: str
    choice: str
    record: str


@dataclass(frozen=True)
class WardWords:
    """The words for a fitted :class:`~segkit.cluster.WardClustering`.

    Attributes
    ----------
    headline : str or None
        Customers, segments, the top segment and, given ``kmeans_ari``, the agreement with k-means
        (Markdown); None unless ``description`` was given.
    rule : str
        How k was set and which path ran (Markdown).
    """

    headline: str | None
    rule: str


@dataclass(frozen=True)
class RecordWords:
    """The words for a :class:`~segkit.cluster.match.RecordComparison`.

    Attributes
    ----------
    headline : str
        How many customers land in the segment whose name their group carries, and the ARI (Markdown).
    groups : str
        How the method's groups are made of the record's segments, and which match none (Markdown).
    k : str
        Whether the numbers of groups differ and why, from each method's own evidence.
    """

    headline: str
    groups: str
    k: str


@dataclass(frozen=True)
class PCAWords:
    """The words for a :class:`~segkit.cluster.pca.PCAResult`.

    Attributes
    ----------
    headline : str
        Features, the components that keep ``variance_target`` of the variance, what PC1 and PC2 mean.
    features : str
        Customers and features.
    components : DataFrame
        Per component: ``variance_share``, ``high_scores``, ``low_scores``, ``main_features``, ``meaning``.
    agreement : str or None
        How far k-means on the kept components agrees with k-means on all features (given ``agreement``).
    advice : list of str or None
        Three recommendations (given ``agreement`` and ``scaled``).
    """

    headline: str
    features: str
    components: pd.DataFrame
    agreement: str | None = None
    advice: list[str] | None = None
