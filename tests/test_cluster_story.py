"""One story across the clustering reports: the segmentation of record, matching other methods' groups
to it (contingency table, Hungarian assignment, adjusted Rand index) and the names they carry."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from segkit import cluster
from segkit.cluster import name_clusters
from segkit.cluster.match import match_segments, name_by_record
from segkit.cluster.describe import disambiguate
from segkit.cluster.text import words
from segkit.errors import DataError
from segkit.paths import PROJECT_ROOT

from test_cluster import planted_customers


# ------------------------------------------------------------------------------ matching


def test_matching_recovers_a_planted_permutation():
    rng = np.random.default_rng(7)
    truth = np.repeat(np.arange(4), 150)
    permutation = np.array([2, 3, 1, 0])  # group g of the method is record segment permutation[g]... inverted below
    labels = np.argsort(permutation)[truth]  # the method numbers record segment s as argsort(permutation)[s]
    noisy = rng.random(len(truth)) < 0.1
    labels[noisy] = rng.integers(0, 4, noisy.sum())
    index = pd.Index([f"c{i:03d}" for i in range(len(truth))], name="customer_id")
    reference = pd.Series([f"seg{s}" for s in truth], index=index)
    shuffled = pd.Series(labels, index=index).iloc[rng.permutation(len(index))]  # alignment is by customer, not row
    m = match_segments(shuffled, reference)
    assert m.assignment["segment"].to_dict() == {g: f"seg{permutation[g]}" for g in range(4)}
    assert m.assignment["matched"].all()
    assert m.ari == pytest.approx(adjusted_rand_score(truth, labels))
    assert m.matched_share == pytest.approx((np.argsort(permutation)[truth] == labels).mean())


def test_agreement_figures_equal_a_hand_count():
    labels = pd.Series([0, 0, 0, 1, 1, 2, 2, 2, 2, 1], index=list("abcdefghij"))
    reference = pd.Series(["x", "x", "y", "y", "y", "z", "z", "x", "z", "z"], index=list("abcdefghij"))
    m = match_segments(labels.iloc[::-1], reference)  # order of rows does not matter
    # by hand: group 0 = a b c -> x x y; group 1 = d e j -> y y z; group 2 = f g h i -> z z x z
    hand = pd.DataFrame([[2, 1, 0], [0, 2, 1], [1, 0, 3]], index=[0, 1, 2], columns=["x", "y", "z"])
    np.testing.assert_array_equal(m.contingency.to_numpy(), hand.to_numpy())
    assert list(m.contingency.columns) == ["x", "y", "z"]
    assert m.assignment["segment"].tolist() == ["x", "y", "z"]  # 2 + 2 + 3 = 7 shared, the best pairing
    assert m.assignment["shared"].tolist() == [2, 2, 3]
    np.testing.assert_allclose(m.assignment["share_of_group"], [2 / 3, 2 / 3, 3 / 4])
    np.testing.assert_allclose(m.assignment["share_of_segment"], [2 / 3, 2 / 3, 3 / 4])
    assert m.matched_share == pytest.approx(7 / 10) and m.n_customers == 10
    # ARI from the pair counts of the hand table (Hubert & Arabie), and from scikit-learn
    pairs = sum(math.comb(int(v), 2) for v in hand.to_numpy().ravel())
    rows, cols = (sum(math.comb(int(v), 2) for v in hand.sum(axis=a)) for a in (1, 0))
    expected = (rows * cols) / math.comb(10, 2)
    ari = (pairs - expected) / ((rows + cols) / 2 - expected)
    assert m.ari == pytest.approx(ari)
    assert m.ari == pytest.approx(adjusted_rand_score(labels.sort_index(), reference.sort_index()))
    strict = match_segments(labels, reference, min_share=0.7)
    assert strict.assignment["matched"].tolist() == [False, False, True]
    assert strict.matched_share == pytest.approx(3 / 10)


def test_a_share_at_min_share_is_a_match_and_min_share_one_is_allowed():
    # group 0 is half x, half y; group 1 all y: the pairing is 0-x, 1-y, and group 0 holds exactly 50% x
    m = match_segments([0, 0, 1, 1], ["x", "y", "y", "y"])
    assert m.assignment["segment"].tolist() == ["x", "y"]
    assert m.assignment["share_of_group"].tolist() == [0.5, 1.0] and m.assignment["matched"].tolist() == [True, True]
    assert (m.contingency.index.name, m.contingency.columns.name) == ("group", "segment")
    strict = match_segments([0, 0, 1, 1], ["x", "y", "y", "y"], min_share=1.0)
    assert strict.min_share == 1.0 and strict.assignment["matched"].tolist() == [False, True]
    with pytest.raises(DataError, match=r"^min_share=1.5 must be a share in \(0, 1\], e.g. 0.5.$"):
        match_segments([0, 1], [0, 1], min_share=1.5)


def test_more_groups_than_segments_leaves_one_unpaired():
    m = match_segments([0, 0, 0, 1, 1, 2, 2, 2], ["a", "a", "a", "a", "a", "b", "b", "b"])
    a = m.assignment
    assert a["segment"].tolist()[0] == "a" and a["segment"].tolist()[2] == "b" and pd.isna(a["segment"].iloc[1])
    assert a["shared"].tolist() == [3, 0, 3] and a["matched"].tolist() == [True, False, True]
    assert a.at[1, "largest_segment"] == "a" and a.at[1, "largest_share"] == 1.0
    assert m.matched_share == pytest.approx(6 / 8)


@pytest.mark.parametrize(
    ("labels", "reference", "kwargs", "message"),
    [
        (pd.Series([0, 1], index=["a", "b"]), pd.Series([0, 1], index=["c", "d"]), {}, "share 0 customers"),
        ([0, 1, 1], [0, 1], {}, r"\(3,\) and \(2,\) labels"),
        ([0, 1], [0, 1], {"min_share": 0.0}, "min_share=0.0"),
    ],
)
def test_bad_input_is_refused(labels, reference, kwargs, message):
    with pytest.raises(DataError, match=message):
        match_segments(labels, reference, **kwargs)


# ------------------------------------------------------------------------------ names


def test_names_are_unique_under_a_constructed_collision():
    # both are recent frequent high spenders and no other feature is left to tell them apart by trait:
    # the qualifier comes from the feature on which they differ most (orders, 0.5 SD)
    z = pd.DataFrame({"days_since_last_purchase": [-1.0, -0.8], "n_orders": [1.0, 1.5], "revenue": [1.0, 1.4]})
    assert name_clusters(z).tolist() == ["recent frequent high spenders (fewer orders)",
                                         "recent frequent high spenders (more orders)"]
    three = pd.DataFrame({"revenue": [1.0, 3.0, 2.0]})
    names = name_clusters(three)
    assert names.tolist() == ["high spenders (least revenue)", "high spenders (most revenue)",
                              "high spenders (2nd most revenue)"]
    alike = name_clusters(pd.DataFrame({"revenue": [1.0, 1.0]}))
    assert alike.tolist() == ["high spenders (1st of 2 alike)", "high spenders (2nd of 2 alike)"]
    for result in (names, alike, disambiguate(pd.Series(["x"] * 4), pd.DataFrame({"avg_discount": [1.0, 2, 3, 4]}))):
        assert result.is_unique
        assert not any(re.search(r"_\d|\(\d+\)$", n) for n in result)


def test_ordinals_in_english():
    from segkit.cluster.describe import _ordinal

    numbers = [1, 2, 3, 4, 10, 11, 12, 13, 14, 21, 22, 23, 24, 101, 111, 112, 113, 122]
    assert [_ordinal(n) for n in numbers] == ["1st", "2nd", "3rd", "4th", "10th", "11th", "12th", "13th", "14th",
                                              "21st", "22nd", "23rd", "24th", "101st", "111th", "112th", "113th",
                                              "122nd"]


def test_generic_features_get_a_generated_qualifier():
    z = pd.DataFrame({"channel_share_web": [0.2, -0.3]})
    assert disambiguate(pd.Series(["a", "a"]), z).tolist() == ["a (higher share of orders via web)",
                                                              "a (lower share of orders via web)"]


def _hand_match():
    # record segments 0 "loyal" and 1 "lapsed"; groups: 0 inside loyal, 1 half and half, 2 inside lapsed
    labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    reference = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    return match_segments(labels, reference)


def test_a_matched_group_takes_the_record_name_and_an_unmatched_one_a_distinct_name():
    m = _hand_match()
    record_names = pd.Series(["loyal", "lapsed"])
    record_means = pd.DataFrame({"revenue": [1.0, -1.0], "n_orders": [1.0, -1.0]})
    group_means = pd.DataFrame({"revenue": [1.1, 0.2, -1.1], "n_orders": [0.9, 0.9, -0.9]})
    # group 1's own name collides with a record name: it differs most from "loyal" on revenue (0.2 vs 1.0)
    names = name_by_record(m, own_names=pd.Series(["big", "loyal", "gone"]), record_names=record_names,
                           group_means=group_means, record_means=record_means)
    assert not m.assignment.at[1, "matched"]
    assert names.tolist() == ["loyal", "loyal (less revenue)", "lapsed"]
    assert names[1] not in set(record_names) and names.is_unique
    # an own name that is no record name is kept as it is
    kept = name_by_record(m, own_names=pd.Series(["big", "mixed", "gone"]), record_names=record_names,
                          group_means=group_means, record_means=record_means)
    assert kept.tolist() == ["loyal", "mixed", "lapsed"]


def test_unmatched_groups_with_one_own_name_are_told_apart():
    # groups 0 and 1 spread a third each over the three segments; group 2 is segment 1
    m = match_segments([0, 0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 1, 2, 0, 1, 2, 1, 1, 1, 1])
    names = name_by_record(m, own_names=pd.Series(["mixed", "mixed", "x"]), record_names=pd.Series(["a", "b", "c"]),
                           group_means=pd.DataFrame({"n_orders": [0.5, -0.5, 0.0]}),
                           record_means=pd.DataFrame({"n_orders": [1.0, 0.0, -1.0]}))
    assert names.tolist() == ["mixed (more orders)", "mixed (fewer orders)", "b"]


# ------------------------------------------------------------------------------ the record, end to end


@pytest.fixture(scope="module")
def story():
    customers, _ = planted_customers(n_per_group=60, seed=3)
    record = cluster.segmentation_of_record(customers, seed=5)
    prepared = cluster.prepare_features(customers)
    ward = cluster.WardClustering(n_clusters=3).fit(prepared.scaled, order_by=customers["revenue"])
    return customers, record, ward, _compare_ward(customers, record, ward)


def _compare_ward(customers, record, ward):
    """Ward's groups, described and named, against the record, as notebook 03 compares them."""
    prepared = cluster.prepare_features(customers)
    described = cluster.describe_clusters(prepared.raw.assign(revenue=customers["revenue"]), ward.labels_,
                                          prepared.scaled)
    return cluster.compare_to_record(pd.Series(ward.labels_, index=prepared.scaled.index), record,
                                     own_names=described.names, method="Ward")


def test_the_record_is_the_documented_call_and_reproducible(story):
    customers, record, _, _ = story
    settings = dict(cluster.RECORD_SETTINGS)
    direct = cluster.kmeans_segmentation(customers, random_state=5, **settings)
    np.testing.assert_array_equal(record.labels, direct.labels)
    again = cluster.segmentation_of_record(customers.sample(frac=1.0, random_state=1).loc[customers.index], seed=5)
    np.testing.assert_array_equal(again.labels, record.labels)
    pd.testing.assert_series_equal(again.summary["cluster_name"], record.summary["cluster_name"])
    assert record.summary["cluster_name"].is_unique
    fixed = cluster.segmentation_of_record(customers, seed=5, n_clusters=3)
    assert fixed.k == 3 and fixed.k_source == "parameter"


def test_the_record_against_itself_agrees_fully(story):
    _, record, _, _ = story
    same = cluster.compare_to_record(record.labels, record, own_names=record.summary["cluster_name"], method="k-means")
    assert same.ari == pytest.approx(1.0) and same.matched_share == pytest.approx(1.0)
    pd.testing.assert_series_equal(same.names, record.summary["cluster_name"], check_names=False)
    assert (np.diag(same.contingency.to_numpy()) == record.summary["n_customers"].to_numpy()).all()


def test_ward_against_the_record_names_and_figures(story):
    customers, record, ward, stored = story
    # compared again here, not only in the module's fixture: mutation testing maps a function to the tests
    # that call it, and a module-scoped fixture runs in the first test that asks for it only
    comparison = _compare_ward(customers, record, ward)
    pd.testing.assert_frame_equal(comparison.table, stored.table)
    m = comparison.match
    hand = pd.crosstab(ward.labels_, record.labels).to_numpy()
    np.testing.assert_array_equal(comparison.contingency.to_numpy(), hand)
    assert comparison.ari == pytest.approx(adjusted_rand_score(record.labels, ward.labels_))
    record_names = set(record.summary["cluster_name"])
    matched = m.assignment["matched"].to_numpy(dtype=bool)
    names = comparison.names
    assert names.is_unique
    assert all(names[g] == record.summary["cluster_name"][m.assignment.at[g, "segment"]]
               for g in names.index[matched])
    assert not set(names[~matched]) & record_names
    expected_share = sum(hand[g, m.assignment.at[g, "segment"]] for g in names.index[matched]) / len(customers)
    assert comparison.matched_share == pytest.approx(expected_share)
    assert comparison.table["customers"].tolist() == hand.sum(axis=1).tolist()
    # the table, by name, from the hand crosstab
    table = comparison.table
    assert table.index.name == "Ward" and table.index.tolist() == names.tolist()
    assert table.columns.tolist() == ["customers", "record_segment", "share_in_it", "share_of_segment",
                                      "largest_record_segment", "largest_share"]
    record_names_by_label = record.summary["cluster_name"]
    for g in names.index:
        row = table.loc[names[g]]
        largest = int(np.argmax(hand[g]))
        assert row["largest_record_segment"] == record_names_by_label[largest]
        assert row["largest_share"] == pytest.approx(hand[g, largest] / hand[g].sum())
        if matched[g]:
            segment = m.assignment.at[g, "segment"]
            assert row["record_segment"] == record_names_by_label[segment]
            assert row["share_in_it"] == pytest.approx(hand[g, segment] / hand[g].sum())
            assert row["share_of_segment"] == pytest.approx(hand[g, segment] / hand[:, segment].sum())
        else:
            assert pd.isna(row["record_segment"]) and pd.isna(row["share_in_it"]) and pd.isna(row["share_of_segment"])
    strict = cluster.compare_to_record(pd.Series(ward.labels_, index=customers.index), record,
                                       own_names=comparison.names, method="Ward", min_share=0.99)
    assert strict.match.min_share == 0.99
    assert strict.table["record_segment"].notna().sum() == int((strict.match.assignment["share_of_group"] >= 0.99).sum())


def test_the_words_carry_the_computed_figures(story):
    _, record, ward, comparison = story
    w = words(comparison, record=record, own=ward)
    assert w.headline.startswith(f"**Ward agrees with the segmentation of record for "
                                 f"{comparison.matched_share:.0%} of customers**")
    assert f"adjusted Rand index {comparison.ari:.2f}" in w.headline
    sizes = comparison.match.contingency.sum(axis=1)
    for g, name in comparison.names.items():
        assert f"*{name}* ({sizes[g]:,} customers)" in w.groups
    a = comparison.match.assignment
    assert a["matched"].any()
    for g in a.index[a["matched"].to_numpy(dtype=bool)]:
        segment = a.at[g, "segment"]
        covered = comparison.match.contingency.at[g, segment] / (record.labels == segment).sum()
        assert f"(it holds {covered:.0%} of the record's {record.summary['cluster_name'][segment]})" in w.groups
    verb = {True: "merge", False: "split"}[ward.n_clusters_ < record.k] if ward.n_clusters_ != record.k else "redraw"
    assert w.groups.startswith(f"Ward's 3 groups {verb} the record's {record.k} segments as follows: ")
    if record.k != 3:
        assert w.k.startswith(f"Ward has 3 groups where the segmentation of record has {record.k}")
        # Ward's own reason is its rule without the bold and the path, with the gap at the record's k
        assert w.k == (f"Ward has 3 groups where the segmentation of record has {record.k}; each method's own "
                       "evidence picks its k. Ward: k = 3, fixed by the parameter n_clusters = 3; at the record's "
                       f"k = {record.k} the gap is {ward.merge_gaps_['gap'][record.k]:.1f}. The record (k-means on "
                       "the RFM features): " + words(record).choice.removeprefix(f"k = {record.k}: "))
    else:
        assert w.k == "Ward and the segmentation of record both have k = 3."
    justification = words(record).record
    assert f"k = {record.k} is the segmentation of record" in justification
    assert f"mean adjusted Rand index {record.stability['ari_mean'][record.k]:.2f}" in justification


# ------------------------------------------------------------------------------ the notebooks share one call


def _code(notebook: str) -> str:
    cells = json.loads((PROJECT_ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_labels_by_position_must_be_one_per_customer_of_the_record(story):
    customers, record, ward, _ = story
    names = pd.Series(["a", "b", "c"])
    with pytest.raises(DataError) as refused:
        cluster.compare_to_record(ward.labels_[:-1], record, own_names=names, method="Ward")
    assert str(refused.value) == (f"labels has shape ({len(customers) - 1},) but the record has {len(customers):,} "
                                  "customers; pass one label per customer, or a Series indexed by customer_id.")
    by_position = cluster.compare_to_record(ward.labels_, record, own_names=names, method="Ward")
    by_customer = cluster.compare_to_record(pd.Series(ward.labels_, index=customers.index), record, own_names=names,
                                            method="Ward")
    pd.testing.assert_frame_equal(by_position.table, by_customer.table)


def test_the_clustering_notebooks_compute_the_record_with_one_call():
    calls = {nb: re.findall(r"cluster\.segmentation_of_record\(([^)]*)\)", _code(nb))
             for nb in ("02_kmeans", "03_hierarchical", "04_pca")}
    assert calls["02_kmeans"] == ["customers, seed=seed, n_clusters=n_clusters, segments=rfm_segment"]
    assert calls["03_hierarchical"] == calls["04_pca"] == ["customers, seed=seed, n_clusters=record_k"]
    assert "n_clusters: int = 0" in _code("02_kmeans")  # the same default k as record_k below
    for nb in ("03_hierarchical", "04_pca"):
        assert "record_k: int = 0" in _code(nb) and "cluster.compare_to_record(" in _code(nb)


# ------------------------------------------------------------------------------ the words, by hand


def _hand_comparison(groups: list[list[int]], own_names: list[str], method: str):
    """A comparison from per-group lists of record segments (0 loyal, 1 lapsed, 2 new), named as given."""
    from segkit.cluster.match import RecordComparison

    labels = [g for g, members in enumerate(groups) for _ in members]
    reference = [s for members in groups for s in members]
    m = match_segments(labels, reference)
    return RecordComparison(method=method, match=m, names=pd.Series(own_names),
                            record_names=pd.Series(["loyal", "lapsed", "new"]), table=pd.DataFrame())


def test_record_words_word_for_word_when_a_method_splits_the_record():
    from types import SimpleNamespace

    from segkit.cluster.text.record import _record_words

    groups = [[0] * 8 + [1] * 2, [0] * 6 + [2] * 4, [1] * 4 + [2] * 3 + [0] * 3, [2] * 9 + [1], [0] * 7 + [1] * 3]
    comparison = _hand_comparison(groups, ["loyal", "big baskets", "mixed", "new", "bargain hunters"], "Ward")
    # the pairing that shares most customers: loyal-loyal 8, mixed-lapsed 4, new-new 9; mixed holds only 40%
    assert comparison.match.assignment["matched"].tolist() == [True, False, False, True, False]
    record = SimpleNamespace(k=3, k_source="parameter")
    w = _record_words(comparison, record=record)
    ari = adjusted_rand_score([g for g, members in enumerate(groups) for _ in members], sum(groups, []))
    assert w.headline == (
        "**Ward agrees with the segmentation of record for 34% of customers**: they are in the record segment whose "
        f"name their group carries (adjusted Rand index {ari:.2f}; 1 = the same segments, 0 = no more alike than "
        "chance).")
    assert w.groups == (
        "Ward's 5 groups split the record's 3 segments as follows: "
        "*loyal* (10 customers): 80% loyal, 20% lapsed (it holds 33% of the record's loyal); "
        "*big baskets* (10 customers): 60% loyal, 40% new; "
        "*mixed* (10 customers): 40% lapsed, 30% loyal, 30% new; "
        "*new* (10 customers): 90% new, 10% lapsed (it holds 56% of the record's new); "
        "*bargain hunters* (10 customers): 70% loyal, 30% lapsed. "
        "*mixed* matches no record segment: none holds 50% of its customers (at most 40%, in lapsed). "
        "*big baskets* and *bargain hunters* are mostly loyal (60% and 70%), but that segment is matched one to one "
        "with *loyal*, which shares more customers with it, so these groups keep names of their own. "
        "Own names never repeat a record name.")
    assert w.k == ("Ward has 5 groups where the segmentation of record has 3; each method's own evidence picks its "
                   "k. Ward: k = 5. The record (k-means on the RFM features): k = 3 is set by the parameter n_clusters.")


def test_record_words_word_for_word_when_a_method_merges_or_redraws_it():
    from types import SimpleNamespace

    from segkit.cluster.text.record import _record_words

    # two groups for three segments: the second is mostly loyal, but the first shares more with loyal
    merged = _hand_comparison([[0] * 5 + [2], [0] * 4 + [1]], ["loyal", "quiet"], "k-means on the extended features")
    w = _record_words(merged, record=SimpleNamespace(k=3, k_source="parameter"))
    assert w.headline.startswith("**K-means on the extended features agrees with the segmentation of record for "
                                 "45% of customers**")
    assert w.groups == (
        "K-means on the extended features' 2 groups merge the record's 3 segments as follows: "
        "*loyal* (6 customers): 83% loyal, 17% new (it holds 56% of the record's loyal); "
        "*quiet* (5 customers): 80% loyal, 20% lapsed. "
        "*quiet* is mostly loyal (80%), but that segment is matched one to one with *loyal*, which shares more "
        "customers with it, so this group keeps a name of its own. Own names never repeat a record name.")
    # as many groups as segments, each matched: no sentence about unmatched groups
    redrawn = _hand_comparison([[0] * 3, [1] * 3 + [0], [2] * 2], ["loyal", "lapsed", "new"], "Ward")
    w = _record_words(redrawn, record=SimpleNamespace(k=3, k_source="parameter"))
    assert w.groups == (
        "Ward's 3 groups redraw the record's 3 segments as follows: "
        "*loyal* (3 customers): 100% loyal (it holds 75% of the record's loyal); "
        "*lapsed* (4 customers): 75% lapsed, 25% loyal (it holds 100% of the record's lapsed); "
        "*new* (2 customers): 100% new (it holds 100% of the record's new).")
    assert w.k == "Ward and the segmentation of record both have k = 3."


def test_segmentations_align_by_customer_or_by_position_and_refuse_word_for_word():
    from segkit.cluster.match import _aligned

    labels = pd.Series([0, 1, 1], index=["c", "a", "b"])
    a, b = _aligned(labels, pd.Series(["x", "y"], index=["a", "c"]))  # two shared customers are enough
    assert a.index.tolist() == b.index.tolist() == ["c", "a"] and a.tolist() == [0, 1] and b.tolist() == ["y", "x"]
    a, b = _aligned(labels, ["x", "y", "y"])  # one Series and a list: by position
    assert a.tolist() == [0, 1, 1] and b.tolist() == ["x", "y", "y"]
    with pytest.raises(DataError) as caught:
        _aligned(labels, pd.Series(["x"], index=["a"]))
    assert str(caught.value) == ("the two segmentations share 1 customers (index values); pass both indexed by "
                                 "customer_id over the same customer table.")
    with pytest.raises(DataError) as caught:
        _aligned([0, 1, 1], [0, 1])
    assert str(caught.value) == ("the two segmentations have (3,) and (2,) labels; pass one label per customer, or "
                                 "two Series indexed by customer_id.")
