"""Clustering customers: k-means with evidence for k, Ward's hierarchy, PCA, profiles and names.

One module per job; this ``__init__`` re-exports the public API (as scikit-learn does):

- :mod:`~segkit.cluster.features`: the feature sets and the builder of the feature table;
- :mod:`~segkit.cluster.preprocess`: the preprocessing pipeline and :func:`prepare_features` (features
  and their k-means-ready version, in one frozen result);
- :mod:`~segkit.cluster.kmeans`: :class:`SegmentKMeans` and the label-ordering rule;
- :mod:`~segkit.cluster.select`: choosing k (the knee, the gap statistic, :func:`choose_k`) and
  subsample stability;
- :mod:`~segkit.cluster.describe`: profiles and names (:func:`describe_clusters`, the naming rule
  :func:`name_clusters`);
- :mod:`~segkit.cluster.pca`: :func:`principal_components` (its result says how many components to
  keep, the communalities and the agreement of k-means on fewer components);
- :mod:`~segkit.cluster.ward`: Ward's hierarchical clustering, exact and two-stage
  (:class:`WardClustering`);
- :mod:`~segkit.cluster.compare`: Ward against the other linkages and against k-means;
- :mod:`~segkit.cluster.pipeline`: the k-means segmentation chain (:func:`kmeans_segmentation`)
  and rule-based :func:`segment_actions`;
- :mod:`~segkit.cluster.record`: the segmentation of record (:func:`segmentation_of_record`), the one
  k-means segmentation every clustering report compares with and names its groups after;
- :mod:`~segkit.cluster.match`: another method's groups against the record (:func:`compare_to_record`:
  contingency table, Hungarian matching, adjusted Rand index, names);
- :mod:`~segkit.cluster.plots`: axes-level plots (not re-exported, as in :mod:`segkit.clv`:
  ``from segkit.cluster import plots``);
- :mod:`~segkit.cluster.text`: the words the reports show, written from computed numbers
  (``from segkit.cluster import text``; :func:`feature_label` is re-exported here).

Functions that only tests need (the feature builder, the preprocessing pipeline, stability on its own,
the knee and the gap statistic) stay in their modules, importable from there.
"""

from segkit.cluster.preprocess import prepare_features
from segkit.cluster.kmeans import SegmentKMeans
from segkit.cluster.select import choose_k
from segkit.cluster.describe import describe_clusters, name_clusters, standardised_means
from segkit.cluster.pca import principal_components
from segkit.cluster.ward import WardClustering
from segkit.cluster.compare import agreement, compare_linkages, sample_rows, two_stage_check
from segkit.cluster.pipeline import kmeans_segmentation, segment_actions
from segkit.cluster.record import RECORD_SETTINGS, segmentation_of_record
from segkit.cluster.match import compare_to_record
from segkit.cluster.text import feature_label

__all__ = [
    # features and k-means
    "prepare_features",
    "feature_label",
    "SegmentKMeans",
    "choose_k",
    "kmeans_segmentation",
    # the segmentation of record and the comparison of other methods with it
    "RECORD_SETTINGS",
    "segmentation_of_record",
    "compare_to_record",
    # profiles, names, actions
    "describe_clusters",
    "name_clusters",
    "standardised_means",  # segkit.campaign names its clusters with name_clusters(standardised_means(...))
    "segment_actions",
    # PCA
    "principal_components",
    # Ward and comparisons
    "WardClustering",
    "compare_linkages",
    "sample_rows",
    "agreement",
    "two_stage_check",
]
