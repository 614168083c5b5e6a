"""One entry point for the words of any clustering result: :func:`words`."""

from __future__ import annotations

import pandas as pd  # noqa: F401  (the doctest builds a frame)

from segkit.cluster.pca import PCAResult
from segkit.cluster.preprocess import PreparedFeatures
from segkit.cluster.text.kmeans import _kmeans_words, _prepared_words, _selection_reason
from segkit.cluster.text.pca import _pca_words
from segkit.cluster.text.record import _record_words
from segkit.cluster.text.ward import _comparison_words, _two_stage_words, _ward_words


def words(result: object, **context: object) -> object:
    """The words the reports show for a result of :mod:`segkit.cluster`, written from its numbers.

    ============================  ================================================  ===================
    result                        context (keywords)                                returns
    ============================  ================================================  ===================
    ``KMeansSegmentation``        ``snapshot_date`` (optional)                      :class:`KMeansWords`
    ``KSelection``                                                                  str (why that k)
    ``PreparedFeatures``          ``snapshot_date`` (optional)                      str (the features)
    ``WardClustering`` (fitted)   ``description``, ``kmeans_ari`` (for headline)    :class:`WardWords`
    ``LinkageComparison``         ``population``: customers sampled from            str
    ``TwoStageCheck``             ``ward``: the model checked                       str
    ``PCAResult``                 ``variance_target`` (0.8), ``n_describe`` (3),    :class:`PCAWords`
                                  ``agreement`` and ``scaled`` (optional)
    ``RecordComparison``          ``record``: the segmentation of record;           :class:`RecordWords`
                                  ``own``: the method's fitted result (its k)
    ============================  ================================================  ===================

    Raises
    ------
    TypeError
        ``result`` is none of these.

    Examples
    --------
    >>> prepared = PreparedFeatures(raw=pd.DataFrame({"n_orders": [1.0, 2.0], "revenue": [5.0, 9.0]}),
    ...                             scaled=pd.DataFrame(), preprocessor=None, feature_set="rfm")
    >>> words(prepared)
    '2 customers, 2 features (rfm): number of orders, revenue.'
    """
    from segkit.cluster.compare import LinkageComparison, TwoStageCheck
    from segkit.cluster.match import RecordComparison
    from segkit.cluster.pipeline import KMeansSegmentation
    from segkit.cluster.select import KSelection
    from segkit.cluster.ward import WardClustering

    writers = (
        (KMeansSegmentation, _kmeans_words),
        (KSelection, _selection_reason),
        (PreparedFeatures, _prepared_words),
        (WardClustering, _ward_words),
        (LinkageComparison, _comparison_words),
        (TwoStageCheck, _two_stage_words),
        (PCAResult, _pca_words),
        (RecordComparison, _record_words),
    )
    for kind, writer in writers:
        if isinstance(result, kind):
            return writer(result, **context)
    raise TypeError(f"no words for a {type(result).__name__}; pass a result of segkit.cluster.")
