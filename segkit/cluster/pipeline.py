"""The k-means segmentation chain, from a customer table to named segments, and rule-based actions."""

from __future__ import annotations

import os

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from segkit.cluster.describe import ClusterDescription, _labels_series, describe_clusters
from segkit.cluster.features import FeatureSet
from segkit.cluster.kmeans import SegmentKMeans
from segkit.cluster.preprocess import PreparedFeatures, prepare_features
from segkit.cluster.select import KSelection, _choose_k, _feasible_k_range, _stability
from segkit.cluster.text import _SEGMENT_ACTIONS
from segkit.data import check_customer_table
from segkit.memo import kept

__all__ = [
    "KMeansSegmentation",
    "kmeans_segmentation",
    "segment_actions",
]


@dataclass(frozen=True)
class KMeansSegmentation:
    """Result of :func:`kmeans_segmentation` (its words: :func:`segkit.cluster.text.words`).

    Attributes
    ----------
    prepared : PreparedFeatures
        The raw features, the preprocessed ones and the fitted pipeline (:func:`prepare_features`).
    stability : DataFrame
        :func:`stability` table for every k tried.
    selection : KSelection
        :func:`choose_k` result among the stable k.
    k : int
        Number of clusters used: ``n_clusters`` if given, else ``selection.chosen_k``.
    k_source : {"data", "parameter"}
        Whether ``k`` was chosen from the data or set by ``n_clusters``.
    model : SegmentKMeans
        The final model (labels ordered by revenue).
    description : ClusterDescription
        :func:`describe_clusters` of the final model: summary table, standardised means, importance.
    evidence_customers : int
        The size of the seeded random sample the evidence for k (stability, the vote) was computed on,
        when the customers were more than ``evidence_sample``; 0 when it used all of them.
    """

    prepared: PreparedFeatures = field(repr=False)
    stability: pd.DataFrame
    selection: KSelection
    k: int
    k_source: str
    model: SegmentKMeans = field(repr=False)
    description: ClusterDescription = field(repr=False)
    evidence_customers: int = 0  # customers the stability and the choice of k were computed on (0: all)

    @property
    def features(self) -> pd.DataFrame:
        """Raw features (business units), one row per customer."""
        return self.prepared.raw

    @property
    def scaled(self) -> pd.DataFrame:
        """Preprocessed features the clusters are fitted on."""
        return self.prepared.scaled

    @property
    def preprocessor(self) -> Pipeline:
        """The fitted preprocessing pipeline."""
        return self.prepared.preprocessor

    @property
    def summary(self) -> pd.DataFrame:
        """The stakeholder table of :attr:`description`, one row per cluster."""
        return self.description.summary

    @property
    def k_range_note(self) -> str:
        """Why fewer k were tried than ``k_range`` asked for; "" when all were."""
        return self.selection.k_range_note

    @property
    def labels(self) -> np.ndarray:
        """Cluster of each customer (0 = most revenue)."""
        return self.model.labels_

    def segment_names(self, *, name: str = "segment") -> pd.Series:
        """Each customer's cluster name, a categorical in cluster order (0 first), indexed like the features."""
        codes = pd.Categorical.from_codes(self.model.labels_, self.summary["cluster_name"])
        return pd.Series(codes, index=self.features.index, name=name)


def kmeans_segmentation(
    customers: pd.DataFrame,
    clean: pd.DataFrame | str | os.PathLike | None = None,
    *,
    feature_set: FeatureSet = "rfm",
    n_clusters: int = 0,
    k_range: Sequence[int] = range(2, 9),
    n_init: int = 10,
    gap_references: int = 5,
    stability_refits: int = 8,
    stability_threshold: float = 0.8,
    silhouette_sample: int = 5000,
    evidence_sample: int = 20_000,
    segments: pd.Series | None = None,
    random_state: int = 0,
    keep_evidence: bool = False,
) -> KMeansSegmentation:
    """A k-means segmentation with its evidence, in one call.

    Steps: features and preprocessing (:func:`segkit.cluster.prepare_features`), subsample
    stability for every k in ``k_range`` (:func:`stability`), the vote among the stable k
    (:func:`choose_k`), the final :class:`SegmentKMeans` with labels ordered by the customers'
    ``revenue`` and the description of its clusters (:func:`describe_clusters`).

    Parameters
    ----------
    customers : DataFrame
        The customer table (:func:`segkit.data.customer_table`); ``revenue`` orders the clusters.
    clean : DataFrame or path, optional
        Clean transactions (a frame, or the file of :func:`segkit.engine.clean_lines`), for the
        ``lrfmc`` and ``extended`` feature sets.
    feature_set : {"rfm", "lrfmc", "extended"}
        See :func:`segkit.cluster.features.customer_features`.
    n_clusters : int
        Number of clusters; 0 uses the k chosen by the vote of :func:`choose_k` (the evidence is
        computed either way, so a report can show it).
    k_range, n_init, gap_references, silhouette_sample : see :func:`choose_k`.
    stability_refits, stability_threshold : ``n_refits`` and ``threshold`` of :func:`stability`.
    evidence_sample : int
        With more customers than this, the stability and the vote for k are computed on a seeded random
        sample of this many (they refit k-means dozens of times; the segments of a few tens of thousands
        of customers show the same structure), and the final model is fitted on every customer.
    segments : Series, optional
        A segment per customer (e.g. RFM); adds the closest segment to the summary.
    random_state : int
        Seed of every random step.
    keep_evidence : bool
        Keep the stability table and the vote on disk (:func:`segkit.memo.kept`) and read them back in
        any later call, in any process, with the same evidence features and settings, instead of
        refitting k-means dozens of times (the segmentation of record does: three notebooks ask for it).

    Returns
    -------
    KMeansSegmentation

    Raises
    ------
    DataError
        Bad customer table or features, or a ``k_range`` the data cannot support.
    """
    prepared = prepare_features(customers, clean, feature_set=feature_set)  # the one validation of the features
    scaled = prepared.scaled
    arr = scaled.to_numpy()  # float: the pipeline's output
    k_range, k_range_note = _feasible_k_range(k_range, arr)
    evidence = arr
    if len(arr) > evidence_sample:
        rows = np.random.default_rng(random_state).choice(len(arr), size=evidence_sample, replace=False)
        evidence = arr[np.sort(rows)]
    settings = {"k_range": tuple(k_range), "k_range_note": k_range_note, "n_refits": stability_refits,
                "n_init": n_init, "threshold": stability_threshold, "gap_references": gap_references,
                "silhouette_sample": silhouette_sample, "random_state": random_state}
    if keep_evidence:
        stab, selection = _from_frames(kept("kmeans-evidence", {"evidence": evidence, **settings},
                                            lambda: _as_frames(*_evidence(evidence, **settings))))
    else:
        stab, selection = _evidence(evidence, **settings)
    k = n_clusters if n_clusters > 0 else selection.chosen_k
    model = SegmentKMeans(k, n_init=n_init, random_state=random_state)._fit(
        arr, order_by=customers["revenue"], columns=scaled.columns)
    description = describe_clusters(prepared.raw.assign(revenue=customers["revenue"]), model.labels_, scaled,
                                    segments=segments)
    return KMeansSegmentation(prepared=prepared, stability=stab, selection=selection, k=k,
                              k_source="parameter" if n_clusters > 0 else "data", model=model,
                              description=description,
                              evidence_customers=len(evidence) if len(evidence) < len(arr) else 0)


def _evidence(evidence: np.ndarray, *, k_range: tuple[int, ...], k_range_note: str, n_refits: int, n_init: int,
              threshold: float, gap_references: int, silhouette_sample: int, random_state: int
              ) -> tuple[pd.DataFrame, KSelection]:
    """The stability of every k and the vote among the stable ones."""
    stab = _stability(evidence, k_range=k_range, n_refits=n_refits, n_init=n_init, threshold=threshold,
                      random_state=random_state)
    selection = _choose_k(evidence, k_range=k_range, n_init=n_init, gap_references=gap_references,
                          silhouette_sample=silhouette_sample, candidates=stab.index[stab["stable"]],
                          random_state=random_state, k_range_note=k_range_note)
    return stab, selection


def _as_frames(stab: pd.DataFrame, selection: KSelection) -> dict[str, pd.DataFrame]:
    """The evidence as frames, for :func:`segkit.memo.kept`."""
    facts = pd.DataFrame({"chosen_k": [selection.chosen_k], "knee_k": [selection.knee_k],
                          "k_range_note": [selection.k_range_note]})
    labels = pd.DataFrame({str(k): labels for k, labels in selection.labels.items()})
    return {"stability": stab, "table": selection.table, "votes": selection.votes, "labels": labels, "facts": facts}


def _from_frames(frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, KSelection]:
    """:func:`_as_frames` read back."""
    facts = frames["facts"].iloc[0]
    knee = None if pd.isna(facts["knee_k"]) else int(facts["knee_k"])
    labels = {int(k): column.to_numpy() for k, column in frames["labels"].items()}
    return frames["stability"], KSelection(table=frames["table"], votes=frames["votes"], chosen_k=int(facts["chosen_k"]),
                                           knee_k=knee, labels=labels, k_range_note=str(facts["k_range_note"]))


def segment_actions(
    customers: pd.DataFrame,
    labels: Sequence[int],
    *,
    names: pd.Series | None = None,
    value_ratio: float = 1.5,
    lapsed_ratio: float = 1.5,
) -> pd.DataFrame:
    """A first action per segment from two numbers (first match wins; the words are in
    :mod:`segkit.cluster.text`).

    *protect* when the segment's share of revenue is at least ``value_ratio`` times its share of
    customers; else *win back* when its median days since last purchase is at least ``lapsed_ratio``
    times the median customer's; else *grow*.

    Parameters
    ----------
    customers : DataFrame
        Customer table with ``revenue`` and ``days_since_last_purchase``, one row per labelled customer.
    labels : array-like
        Segment of each customer.
    names : Series, optional
        Segment name per label, shown in a ``name`` column.
    value_ratio, lapsed_ratio : float
        The two rule thresholds.

    Returns
    -------
    DataFrame
        Indexed by ``segment``: [``name``], ``customer_share``, ``revenue_share``,
        ``median_days_since_last_purchase``, ``action``.

    Examples
    --------
    >>> c = pd.DataFrame({"revenue": [90.0, 5.0, 5.0, 5.0], "days_since_last_purchase": [5, 10, 400, 500]})
    >>> segment_actions(c, [0, 2, 1, 1])["action"].str.split(":").str[0].tolist()
    ['protect', 'win back', 'grow']
    """
    check_customer_table(customers, ["revenue", "days_since_last_purchase"])
    lab = _labels_series(labels, customers.index)
    grouped = customers.groupby(lab)
    sizes = grouped.size()
    out = pd.DataFrame({"customer_share": sizes / sizes.sum()})
    out["revenue_share"] = grouped["revenue"].sum() / customers["revenue"].sum()
    recency = grouped["days_since_last_purchase"].median()
    out["median_days_since_last_purchase"] = recency
    out["action"] = np.select(
        [out["revenue_share"] >= value_ratio * out["customer_share"],
         recency >= lapsed_ratio * customers["days_since_last_purchase"].median()],
        [_SEGMENT_ACTIONS["protect"], _SEGMENT_ACTIONS["win back"]],
        default=_SEGMENT_ACTIONS["grow"],
    )
    if names is not None:
        out.insert(0, "name", names.reindex(out.index))
    return out.rename_axis("segment")
