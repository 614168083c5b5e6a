"""Clustering customers: k-means with evidence for k, Ward's hierarchy, PCA, profiles and names.

One module per job; this ``__init__`` re-exports the public API (as scikit-learn does):

- :mod:`~segkit.cluster.features`: the feature sets and :func:`customer_features`;
- :mod:`~segkit.cluster.preprocess`: the preprocessing pipeline (:func:`make_preprocessor`) and
  :func:`prepare_features`;
- :mod:`~segkit.cluster.kmeans`: :class:`SegmentKMeans` and the label-ordering rule;
- :mod:`~segkit.cluster.select`: choosing k (:func:`_find_knee`, :func:`_gap_statistic`,
  :func:`choose_k`) and :func:`stability`;
- :mod:`~segkit.cluster.describe`: profiles and names (:func:`cluster_profile`,
  :func:`name_clusters`, :func:`cluster_summary`);
- :mod:`~segkit.cluster.pca`: :func:`principal_components` and what the components mean;
- :mod:`~segkit.cluster.ward`: Ward's hierarchical clustering, exact and two-stage
  (:class:`WardClustering`);
- :mod:`~segkit.cluster.compare`: Ward against the other linkages and against k-means;
- :mod:`~segkit.cluster.pipeline`: the k-means segmentation chain (:func:`kmeans_segmentation`)
  and rule-based :func:`segment_actions`;
- :mod:`~segkit.cluster.plots`: axes-level plots (not re-exported, as in :mod:`segkit.clv`:
  ``from segkit.cluster import plots``);
- :mod:`~segkit.cluster.text`: the sentences the reports show, written from computed numbers.
"""

from segkit.cluster.features import LRFMC_FEATURES, RFM_FEATURES, customer_features, feature_label
from segkit.cluster.preprocess import make_preprocessor, prepare_features
from segkit.cluster.kmeans import SegmentKMeans
from segkit.cluster.select import choose_k, feasible_k_range, stability
from segkit.cluster.describe import (
    cluster_profile,
    cluster_summary,
    name_clusters,
    relative_importance,
    standardised_means,
)
from segkit.cluster.pca import (
    communalities,
    component_agreement,
    components_for_variance,
    describe_components,
    principal_components,
)
from segkit.cluster.ward import WardClustering, cut_linkage, merge_gaps
from segkit.cluster.compare import agreement, compare_linkages, linkage_trees, sample_rows, two_stage_check
from segkit.cluster.pipeline import kmeans_segmentation, segment_actions
from segkit.cluster.text import DECISION_RULE, pca_advice, revenue_skew_words

__all__ = [
    # features and preprocessing
    "RFM_FEATURES",
    "LRFMC_FEATURES",
    "customer_features",
    "feature_label",
    "make_preprocessor",
    "prepare_features",
    # k-means and choosing k
    "SegmentKMeans",
    "choose_k",
    "feasible_k_range",
    "stability",
    "kmeans_segmentation",
    # profiles, names, actions
    "cluster_profile",
    "cluster_summary",
    "name_clusters",
    "relative_importance",
    "standardised_means",
    "segment_actions",
    # PCA
    "principal_components",
    "components_for_variance",
    "component_agreement",
    "communalities",
    "describe_components",
    # Ward and comparisons
    "WardClustering",
    "cut_linkage",
    "merge_gaps",
    "agreement",
    "compare_linkages",
    "linkage_trees",
    "sample_rows",
    "two_stage_check",
    # words for the reports
    "DECISION_RULE",
    "pca_advice",
    "revenue_skew_words",
]
