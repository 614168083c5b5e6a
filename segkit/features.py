"""Moved to :mod:`segkit.cluster` (issue 10): import from there.

Kept only as a re-export while code outside the clustering family still imports ``segkit.features``;
it goes when the last such importer has moved.
"""

from segkit.cluster.features import (  # noqa: F401
    FEATURE_LABELS,
    LRFMC_FEATURES,
    RFM_FEATURES,
    SKEWED_FEATURES,
    FeatureSet,
    average_discount,
    category_shares,
    channel_shares,
    customer_features,
    feature_label,
)
from segkit.cluster.preprocess import (  # noqa: F401
    FeatureCheck,
    LogTransformer,
    PreparedFeatures,
    QuantileClipper,
    make_preprocessor,
    prepare_features,
    validate_features,
)
from segkit.cluster.text import revenue_skew_words  # noqa: F401

__all__ = [
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
