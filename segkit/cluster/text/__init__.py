"""The words the clustering reports show, written from computed numbers.

One public entry point, :func:`words`, returns the words for a result of the clustering family
(a k-means segmentation, a Ward model, a linkage comparison, a two-stage check, a PCA, a choice of
k, prepared features); :func:`feature_label` names a feature in plain language. Everything else
here is the private sentence-writing the modules that compute call (the Ward path, the note on a
shortened k range, the action rules).

The package's modules: :mod:`~segkit.cluster.text.dispatch` (:func:`words`), :mod:`~segkit.cluster.text.results`
(the word sets it returns), :mod:`~segkit.cluster.text.labels` (fixed wording and :func:`feature_label`), and one
module per family of results: :mod:`~segkit.cluster.text.kmeans` (k-means and the choice of k),
:mod:`~segkit.cluster.text.ward`, :mod:`~segkit.cluster.text.pca` and :mod:`~segkit.cluster.text.record` (the
comparison with the segmentation of record).
"""

from __future__ import annotations

from segkit.cluster.text.dispatch import words
from segkit.cluster.text.kmeans import _k_range_note, _revenue_skew  # noqa: F401  (select and tests use them)
from segkit.cluster.text.labels import (  # noqa: F401  (notebooks, select and pipeline use them)
    _CRITERION_LABELS, _DECISION_RULE, _SEGMENT_ACTIONS, FEATURE_LABELS, RECORD_TABLE_LABELS, _count_word, feature_label,
)
from segkit.cluster.text.pca import _describe_components, _pca_advice  # noqa: F401  (tests use them)
from segkit.cluster.text.results import KMeansWords, PCAWords, RecordWords, WardWords  # noqa: F401
from segkit.cluster.text.ward import _ward_method_reason  # noqa: F401  (ward uses it)

__all__ = [
    "feature_label",
    "words",
]
