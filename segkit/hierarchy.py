"""Moved to :mod:`segkit.cluster` (issue 10; the module is :mod:`segkit.cluster.ward`): import from there.

Kept only as a re-export while code outside the clustering family still imports ``segkit.hierarchy``;
it goes when the last such importer has moved.
"""

from segkit.cluster.compare import (  # noqa: F401
    LINKAGE_METHODS,
    MAX_PAIRWISE_ROWS,
    agreement,
    compare_linkages,
    linkage_trees,
    sample_rows,
    two_stage_check,
)
from segkit.cluster.plots import plot_dendrogram, plot_merge_gaps  # noqa: F401
from segkit.cluster.ward import (  # noqa: F401
    MicroClusters,
    WardClustering,
    cut_linkage,
    largest_gap_k,
    merge_gaps,
    micro_clusters,
    weighted_ward_linkage,
)

__all__ = [
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
]
