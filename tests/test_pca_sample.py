"""PCAResult.agreement on a seeded sample of customers: unchanged below the cap, deterministic, cap honoured."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import segkit.cluster.pca as pca_module
from segkit.cluster.kmeans import SegmentKMeans
from segkit.cluster.pca import principal_components
from segkit.errors import DataError


def _blobs(n: int, seed: int = 0) -> pd.DataFrame:
    """Four well-separated groups in four features, the last two mostly noise."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0, 0], [6, 0, 0, 0], [0, 6, 0, 0], [6, 6, 0, 0]], dtype=float)
    group = rng.integers(0, 4, size=n)
    X = centres[group] + rng.normal(0, 0.5, size=(n, 4))
    return pd.DataFrame(X, columns=["a", "b", "c", "d"])


def _by_hand(res, labels, n_clusters, n_init, random_state):
    """The unsampled agreement, written out: one k-means per m on every customer's first m scores."""
    scores = res.scores.to_numpy()
    return [adjusted_rand_score(labels, SegmentKMeans(n_clusters, n_init=n_init, random_state=random_state)
                                ._fit(scores[:, :m]).labels_) for m in range(2, scores.shape[1] + 1)]


def test_below_the_cap_every_customer_is_used_and_the_result_unchanged():
    Z = _blobs(300)
    res = principal_components(Z)
    labels = SegmentKMeans(4, random_state=1).fit(Z).labels_
    at_cap = res.agreement(labels, n_clusters=4, n_init=2, sample=300, random_state=1)
    above = res.agreement(labels, n_clusters=4, n_init=2, sample=10_000, random_state=1)
    pd.testing.assert_frame_equal(at_cap, above)
    np.testing.assert_allclose(above["ARI_vs_all_features"], _by_hand(res, labels, 4, 2, 1))
    assert (above["customers"] == 300).all()


def test_sampled_agreement_is_seeded_and_honours_the_cap(monkeypatch):
    Z = _blobs(2000, seed=2)
    res = principal_components(Z)
    labels = SegmentKMeans(4, random_state=0).fit(Z).labels_
    seen = []
    real = pca_module.adjusted_rand_score

    def spy(a, b):
        seen.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(pca_module, "adjusted_rand_score", spy)
    first = res.agreement(labels, n_clusters=4, n_init=1, sample=250, random_state=5)
    assert seen and all(pair == (250, 250) for pair in seen)
    assert (first["customers"] == 250).all()  # what the report's words say the agreement is on
    second = res.agreement(labels, n_clusters=4, n_init=1, sample=250, random_state=5)
    pd.testing.assert_frame_equal(first, second)
    # the planted groups are found on the sample too: all components are a rotation of the features
    assert first.loc[4, "ARI_vs_all_features"] == pytest.approx(1.0)
    np.testing.assert_allclose(first["variance_kept"], res.explained["cumulative"].iloc[1:])


def test_agreement_refuses_mismatched_labels_and_a_tiny_sample():
    res = principal_components(_blobs(50))
    with pytest.raises(DataError, match="labels has 49 entries for 50 customers"):
        res.agreement(np.zeros(49, dtype=int), n_clusters=2)
    with pytest.raises(DataError, match="sample=1"):
        res.agreement(np.zeros(50, dtype=int), n_clusters=2, sample=1)
