"""Clustering customers: k-means with evidence for k, Ward's hierarchy, PCA, profiles and names.

One module per job; this ``__init__`` re-exports the public API (as scikit-learn does):

- :mod:`~segkit.cluster.features`: the feature sets and :func:`customer_features`;
- :mod:`~segkit.cluster.preprocess`: :func:`validate_features`, the preprocessing pipeline
  (:func:`make_preprocessor`) and :func:`prepare_features`;
- :mod:`~segkit.cluster.kmeans`: :class:`SegmentKMeans` and the label-ordering rule;
- :mod:`~segkit.cluster.select`: choosing k (:func:`find_knee`, :func:`gap_statistic`,
  :func:`choose_k`) and :func:`stability`;
- :mod:`~segkit.cluster.describe`: profiles and names (:func:`cluster_profile`,
  :func:`name_clusters`, :func:`cluster_summary`);
- :mod:`~segkit.cluster.pca`: :func:`principal_components` and what the components mean;
- :mod:`~segkit.cluster.ward`: Ward's hierarchical clustering, exact and two-stage
  (:class:`WardClustering`);
- :mod:`~segkit.cluster.compare`: Ward against the other linkages and against k-means;
- :mod:`~segkit.cluster.pipeline`: the k-means segmentation chain (:func:`kmeans_segmentation`)
  and rule-based :func:`segment_actions`;
- :mod:`~segkit.cluster.plots`: axes-level plots;
- :mod:`~segkit.cluster.text`: the sentences the reports show, written from computed numbers.
"""

from segkit.cluster.features import (
    FEATURE_LABELS,
    LRFMC_FEATURES,
    RFM_FEATURES,
    SKEWED_FEATURES,
    FeatureSet,
    customer_features,
    feature_label,
)
from segkit.cluster.preprocess import (
    FeatureCheck,
    LogTransformer,
    PreparedFeatures,
    QuantileClipper,
    make_preprocessor,
    prepare_features,
    validate_features,
)
from segkit.cluster.kmeans import (
    MINIBATCH_THRESHOLD,
    Method,
    SegmentKMeans,
    check_order_by,
    order_labels,
)
from segkit.cluster.select import (
    MIN_CUSTOMERS_TO_SEGMENT,
    KSelection,
    choose_k,
    feasible_k_range,
    find_knee,
    gap_statistic,
    stability,
)
from segkit.cluster.describe import (
    closest_segment,
    cluster_names,
    cluster_profile,
    cluster_summary,
    name_clusters,
    relative_importance,
    standardised_means,
)
from segkit.cluster.pca import (
    PCAResult,
    communalities,
    component_agreement,
    components_for_variance,
    describe_components,
    most_correlated_pair,
    principal_components,
)
from segkit.cluster.ward import (
    MicroClusters,
    WardClustering,
    cut_linkage,
    largest_gap_k,
    merge_gaps,
    micro_clusters,
    weighted_ward_linkage,
)
from segkit.cluster.compare import (
    LINKAGE_METHODS,
    agreement,
    compare_linkages,
    linkage_trees,
    sample_rows,
    two_stage_check,
)
from segkit.cluster.pipeline import (
    SEGMENT_ACTIONS,
    KMeansSegmentation,
    kmeans_segmentation,
    segment_actions,
)
from segkit.cluster.plots import (
    plot_biplot,
    plot_dendrogram,
    plot_importance,
    plot_k_metric,
    plot_loadings,
    plot_merge_gaps,
    plot_pc_scatter,
    plot_scree,
    plot_snake,
    plot_stability,
)
from segkit.cluster.text import (
    DECISION_RULE,
    pca_advice,
    revenue_skew_words,
)

__all__ = [
    "DECISION_RULE",
    "MINIBATCH_THRESHOLD",
    "MIN_CUSTOMERS_TO_SEGMENT",
    "feasible_k_range",
    "Method",
    "SegmentKMeans",
    "check_order_by",
    "order_labels",
    "KSelection",
    "find_knee",
    "gap_statistic",
    "choose_k",
    "stability",
    "cluster_profile",
    "standardised_means",
    "relative_importance",
    "name_clusters",
    "closest_segment",
    "cluster_summary",
    "cluster_names",
    "KMeansSegmentation",
    "kmeans_segmentation",
    "SEGMENT_ACTIONS",
    "segment_actions",
    "components_for_variance",
    "component_agreement",
    "most_correlated_pair",
    "pca_advice",
    "PCAResult",
    "principal_components",
    "communalities",
    "describe_components",
    "plot_k_metric",
    "plot_stability",
    "plot_snake",
    "plot_importance",
    "plot_scree",
    "plot_loadings",
    "plot_biplot",
    "plot_pc_scatter",
    "LINKAGE_METHODS",
    "MicroClusters",
    "WardClustering",
    "agreement",
    "compare_linkages",
    "cut_linkage",
    "largest_gap_k",
    "merge_gaps",
    "linkage_trees",
    "micro_clusters",
    "plot_dendrogram",
    "plot_merge_gaps",
    "sample_rows",
    "two_stage_check",
    "weighted_ward_linkage",
    "RFM_FEATURES",
    "LRFMC_FEATURES",
    "SKEWED_FEATURES",
    "FEATURE_LABELS",
    "FeatureSet",
    "customer_features",
    "feature_label",
    "validate_features",
    "FeatureCheck",
    "LogTransformer",
    "QuantileClipper",
    "make_preprocessor",
    "PreparedFeatures",
    "prepare_features",
    "revenue_skew_words",
]
