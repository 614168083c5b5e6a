"""Tests for segkit.rfm: scores, rules, value types, tiers, lifecycle, migration, playbook."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segkit.errors import DataError
from segkit.paths import DEFAULT_TRANSACTIONS
from segkit.datasets import example_customers
from segkit.rfm import LATTICE_RULES, RFMScale, load_playbook, load_rules, playbook_for, rfm_segments, score_report, segment_summary
from segkit.rfm.migration import segment_migration
from segkit.rfm.rules import rule_to_scale
from segkit.rfm.scores import RFMWarning, rfm_scores
from segkit.rfm.segments import assign_segments
from segkit.rfm.text import NO_LONGER_IN_TABLE, NOT_YET_A_CUSTOMER
from segkit.rfm.views import ABC_TIERS, LIFECYCLE_STAGES, VALUE_TYPES, abc_tiers, lifecycle_stages, value_types

SEGMENTS = [  # the default rules: the published 11-segment table's names, spelled as published
    "Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising", "Need Attention",
    "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
]
LATTICE_SEGMENTS = [  # segkit's lattice rules (resources/rfm_segments_lattice.csv) spell two names its own way
    *(s for s in SEGMENTS if s not in ("Potential Loyalist", "About To Sleep")), "Potential Loyalists", "About to Sleep",
]


def table(days, orders, revenue, tenure=None) -> pd.DataFrame:
    days = np.asarray(days)
    return pd.DataFrame(
        {
            "days_since_last_purchase": days,
            "n_orders": np.asarray(orders),
            "revenue": np.asarray(revenue, dtype=float),
            "tenure_days": days + 100 if tenure is None else np.asarray(tenure),
        },
        index=pd.Index([f"c{i}" for i in range(len(days))], name="customer_id"),
    )


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return example_customers(3000, seed=11)


@pytest.fixture(scope="module")
def default_customers() -> pd.DataFrame:
    """The default data set when the lead's loader and data exist, else a fixture table."""
    try:
        from segkit.data import customer_table, load_clean
    except ImportError:
        return example_customers(5000, seed=2024)
    if not DEFAULT_TRANSACTIONS.exists():
        return example_customers(5000, seed=2024)
    clean, _ = load_clean(DEFAULT_TRANSACTIONS)
    return customer_table(clean)


# --- scores ---------------------------------------------------------------------------------


def test_scores_without_ties_fill_equal_bins():
    n = 100
    c = table(np.arange(n), np.arange(1, n + 1), np.arange(1, n + 1) * 10.0)
    s = rfm_scores(c, bins=5)
    for dim in "RFM":
        assert s[dim].value_counts().sort_index().tolist() == [20] * 5
    # higher is better: most recent (fewest days) gets 5, most orders get 5
    assert s.loc["c0", "R"] == 5 and s.loc["c99", "R"] == 1
    assert s.loc["c99", "F"] == 5 and s.loc["c0", "F"] == 1


def test_heavy_ties_share_a_score_and_are_reported_in_plain_words():
    # 70% one order, 20% two, 10% three: quantile edges coincide (the naive-qcut failure)
    orders = np.repeat([1, 2, 3], [70, 20, 10])
    c = table(np.arange(100), orders, np.arange(100) + 1.0)
    with pytest.warns(RFMWarning, match=r"F \(n_orders\) supports only 3 of 5 score levels"):
        s = rfm_scores(c, bins=5)
    assert s.groupby("n_orders")["F"].nunique().eq(1).all()  # ties share a score
    assert s.loc[s["n_orders"] == 1, "F"].iloc[0] == 1  # the lowest value scores 1
    report = score_report(s)
    assert report.loc["F", "levels_used"] == 3
    assert report.loc["F", "scores_used"] == "1, 4, 5"
    assert report.loc["F", "most_common_share"] == 0.7
    assert "70% of customers share the value 1" in report.loc["F", "note"]
    assert report.loc["R", "note"] == "" and report.loc["R", "levels_used"] == 5


def test_all_tied_dimension_warns_and_scores_one():
    c = table([10] * 6, [1] * 6, [5.0] * 6)
    with pytest.warns(RFMWarning, match="every customer has the same value"):
        s = rfm_scores(c)
    assert (s[["R", "F", "M"]] == 1).all().all()


def test_single_customer_rank_scoring_raises_clear_error_but_thresholds_work():
    c = table([10], [3], [50.0])
    with pytest.raises(DataError, match="only 1 customer.*thresholds"):
        rfm_scores(c)
    s = rfm_scores(c, bins=3, thresholds={"R": [30, 90], "F": [2, 5], "M": [20, 100]})
    assert s[["R", "F", "M"]].iloc[0].tolist() == [3, 2, 2]


def test_fixed_thresholds_semantics():
    c = table([0, 30, 31, 90, 365, 366], [1, 2, 3, 5, 10, 11], [1, 2, 3, 4, 5, 6])
    s = rfm_scores(c, thresholds={"R": [365, 30, 180, 90], "F": [2, 3, 5, 10]}, warn=False)
    assert s["R"].tolist() == [5, 5, 4, 4, 2, 1]  # <= 30 days is 5; order of cut points does not matter
    assert s["F"].tolist() == [1, 2, 3, 4, 5, 5]  # 10 or more orders is 5
    scale = RFMScale.fit(c, thresholds={"R": [365, 30, 180, 90], "F": [2, 3, 5, 10]})
    assert scale.scoring == {"R": "thresholds", "F": "thresholds", "M": "rank"}
    assert scale.thresholds["R"] == (30.0, 90.0, 180.0, 365.0)  # given cut points, sorted


def test_learned_thresholds_reproduce_rank_scores(customers):
    s = rfm_scores(customers, warn=False)
    scale = RFMScale.fit(customers)
    again = rfm_scores(customers, bins=scale.bins, thresholds=scale.thresholds, warn=False)
    pd.testing.assert_frame_equal(s[["R", "F", "M"]], again[["R", "F", "M"]])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bins": 1}, r"bins=1 .*at least 2.*bins=5"),
        ({"bins": 2.5}, r"bins=2.5"),
        ({"thresholds": {"R": [30, 90]}}, r"thresholds\['R'\] has 2 cut points but bins=5 needs 4"),
        ({"thresholds": {"X": [1, 2, 3, 4]}}, r"unknown key.*'R', 'F'"),
    ],
)
def test_bad_options_raise_data_error(customers, kwargs, match):
    with pytest.raises(DataError, match=match):
        rfm_scores(customers, **kwargs)


def test_missing_column_names_column_and_fix(customers):
    with pytest.raises(DataError, match=r"lacks column\(s\) \['revenue'\].*customer_table"):
        rfm_segments(customers.drop(columns="revenue"))


def test_negative_revenue_names_count_and_fix(customers):
    bad = customers.copy()
    bad.iloc[[3, 7], bad.columns.get_loc("revenue")] = -5.0
    with pytest.raises(DataError, match=r"'revenue' must be >= 0, but 2 customers.*returns exceed purchases"):
        rfm_segments(bad)


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("n_orders", 0, r"'n_orders' must be >= 1"),
        ("days_since_last_purchase", np.nan, r"missing or infinite"),
        ("days_since_last_purchase", -1, r"snapshot date is before the last purchase"),
    ],
)
def test_other_bad_values(customers, column, value, match):
    bad = customers.copy()
    bad[column] = bad[column].astype(float)
    bad.iloc[0, bad.columns.get_loc(column)] = value
    with pytest.raises(DataError, match=match):
        rfm_segments(bad)


def test_empty_and_non_numeric_tables_raise(customers):
    with pytest.raises(DataError, match="0 rows"):
        rfm_segments(customers.iloc[:0])
    with pytest.raises(DataError, match="must be numeric"):
        rfm_segments(customers.assign(revenue=customers["revenue"].astype(str)))
    with pytest.raises(DataError, match="unique"):
        rfm_segments(pd.concat([customers.iloc[:3], customers.iloc[:1]]))


# --- rules ----------------------------------------------------------------------------------


def test_default_rules_name_the_eleven_segments_and_cover_every_cell():
    rules = load_rules()
    assert set(rules["segment"]) == set(SEGMENTS)
    assert rules["cells"].sum() == 125 and (rules["cells"] > 0).all()


def test_lattice_rules_name_eleven_segments_and_cover_every_cell():
    rules = load_rules(LATTICE_RULES)
    assert set(rules["segment"]) == set(LATTICE_SEGMENTS) and len(rules) == 11
    assert rules["cells"].sum() == 125 and (rules["cells"] > 0).all()


def rules_frame(rows):
    return pd.DataFrame(rows, columns=["priority", "segment", "R", "F", "M"])


def test_rules_gap_is_detected():
    rules = rules_frame([(1, "High", "3-5", "*", "*"), (2, "Low", "1", "*", "*")])  # R=2 has no rule
    with pytest.raises(DataError, match=r"25 of 125 score cells without a segment.*R=2 F=1 M=1.*catch-all"):
        load_rules(rules)


def test_rules_overlap_with_equal_priority_is_detected():
    rules = rules_frame([(1, "High", "3-5", "*", "*"), (1, "Low", "1-3", "*", "*")])
    with pytest.raises(DataError, match=r"same priority 1.*R=3.*different priorities"):
        load_rules(rules)


def test_rules_overlap_resolved_by_explicit_priority():
    rules = rules_frame([(2, "Low", "1-3", "*", "*"), (1, "High", "3-5", "*", "*")])
    table_ = load_rules(rules)
    assert table_["segment"].tolist() == ["Low", "High"]  # the file's order; precedence is by priority alone
    assert table_["cells"].tolist() == [50, 75]


def test_rule_that_never_wins_is_detected():
    rules = rules_frame([(1, "All", "*", "*", "*"), (2, "Shadowed", "5", "5", "5")])
    with pytest.raises(DataError, match=r"\['Shadowed'\] never apply"):
        load_rules(rules)


@pytest.mark.parametrize("bad", ["0-3", "4-2", "x", "1-6", "1-2-3"])
def test_unreadable_rule_range(bad):
    with pytest.raises(DataError, match=r"rules row 1 column 'F'"):
        load_rules(rules_frame([(1, "All", "*", bad, "*")]))


def test_custom_rules_file_replaces_default(tmp_path, customers):
    path = tmp_path / "two.csv"
    path.write_text("priority,segment,R,F,M\n1,Recent,4-5,*,*\n2,Not recent,*,*,*\n")
    seg = rfm_segments(customers, rules=path, warn=False)
    assert seg["segment"].cat.categories.tolist() == ["Recent", "Not recent"]
    assert ((seg["segment"] == "Recent") == (seg["R"] >= 4)).all()


def test_rule_scale_mapping():
    assert rule_to_scale(np.arange(1, 6), 5).tolist() == [1, 2, 3, 4, 5]
    assert rule_to_scale(np.arange(1, 4), 3).tolist() == [1, 3, 5]
    assert rule_to_scale(np.arange(1, 3), 2).tolist() == [2, 4]
    for bins in range(2, 30):
        mapped = rule_to_scale(np.arange(1, bins + 1), bins)
        assert mapped.min() >= 1 and mapped.max() <= 5 and (np.diff(mapped) >= 0).all()


def naive_segment(r5: int, f5: int, m5: int, rules: pd.DataFrame) -> str:
    """Reference: first rule by priority whose ranges contain the cell."""
    for row in rules.sort_values("priority", kind="stable").itertuples():
        if row.r_min <= r5 <= row.r_max and row.f_min <= f5 <= row.f_max and row.m_min <= m5 <= row.m_max:
            return row.segment
    raise AssertionError("no rule")


@pytest.mark.parametrize("bins", [2, 3, 5, 7, 10])
def test_vectorised_rules_agree_with_naive_reference(bins):
    rng = np.random.default_rng(bins)
    scores = pd.DataFrame(rng.integers(1, bins + 1, size=(400, 3)), columns=list("RFM"))
    got = assign_segments(scores, bins=bins)
    rules = load_rules()
    scaled = np.column_stack([rule_to_scale(scores[d], bins) for d in "RFM"])
    expected = [naive_segment(r, f, m, rules) for r, f, m in scaled]
    assert got.astype(str).tolist() == expected


def test_assign_segments_rejects_scores_outside_bins():
    with pytest.raises(DataError, match=r"outside 1..3"):
        assign_segments(pd.DataFrame({"R": [1, 5], "F": [1, 1], "M": [1, 1]}), bins=3)


# --- property tests -------------------------------------------------------------------------


@st.composite
def customer_tables(draw):
    n = draw(st.integers(1, 60))
    kind = draw(st.sampled_from(["random", "all tied", "few values"]))
    if kind == "all tied":
        days = [draw(st.integers(0, 700))] * n
        orders = [draw(st.integers(1, 5))] * n
        revenue = [draw(st.floats(0, 1e4, allow_nan=False))] * n
    else:
        top = 3 if kind == "few values" else 700
        days = draw(st.lists(st.integers(0, top), min_size=n, max_size=n))
        orders = draw(st.lists(st.integers(1, 3 if kind == "few values" else 50), min_size=n, max_size=n))
        revenue = draw(st.lists(st.floats(0, 1e5, allow_nan=False), min_size=n, max_size=n))
    extra = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    return table(days, orders, revenue, tenure=np.asarray(days) + np.asarray(extra))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=customer_tables(), bins=st.integers(2, 10))
def test_every_customer_gets_exactly_one_segment_and_type(c, bins):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RFMWarning)
        try:
            seg = rfm_segments(c, bins=bins)
        except DataError as err:
            # the only refusals allowed: a lone customer (nothing to rank) or no revenue at all
            assert len(c) == 1 or c["revenue"].sum() == 0, err
            return
    assert seg.index.equals(c.index)
    for dim in "RFM":
        assert seg[dim].between(1, bins).all()
    for col, cats in [("value_type", VALUE_TYPES), ("abc_tier", ABC_TIERS), ("lifecycle_stage", LIFECYCLE_STAGES)]:
        assert seg[col].notna().all() and set(seg[col].astype(str)) <= set(cats)
    assert seg["segment"].notna().all() and set(seg["segment"].astype(str)) <= set(SEGMENTS)
    assert segment_summary(seg)["customers"].sum() == len(c)
    assert segment_summary(seg, by="value_type")["customers"].sum() == len(c)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(0, 20), min_size=2, max_size=80), bins=st.integers(2, 10))
def test_rank_scores_are_monotone_and_tie_consistent(values, bins):
    c = table(values, np.asarray(values) + 1, np.asarray(values, dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RFMWarning)
        s = rfm_scores(c, bins=bins)
    order = np.argsort(values, kind="stable")
    assert (np.diff(s["F"].to_numpy()[order]) >= 0).all()  # more orders never scores lower
    assert (np.diff(s["R"].to_numpy()[order]) <= 0).all()  # more days never scores higher
    assert s.groupby("n_orders")["F"].nunique().eq(1).all()
    assert s["F"].min() == 1  # the lowest value always scores 1
    assert score_report(s, bins=bins).loc["F", "levels_used"] == s["F"].nunique() <= min(bins, len(set(values)))


# --- value types, ABC, lifecycle ------------------------------------------------------------


def test_value_types_follow_the_classic_eight():
    # means: days 50, orders 5.5 (median 5), revenue 100
    c = table([10, 90, 10, 90, 10, 90, 10, 90], [9, 9, 2, 2, 9, 9, 2, 2],
              [150, 150, 150, 150, 50, 50, 50, 50])
    assert value_types(c).tolist() == VALUE_TYPES[0:1] + [VALUE_TYPES[2], VALUE_TYPES[1], VALUE_TYPES[3],
                                                          VALUE_TYPES[4], VALUE_TYPES[6], VALUE_TYPES[5],
                                                          VALUE_TYPES[7]]


def test_value_type_center_median_differs_on_skewed_revenue():
    c = table([5] * 5, [1, 2, 3, 4, 5], [10, 20, 30, 40, 1000])  # mean 220, median 30
    mean_m = value_types(c, center="mean").str.startswith("important")
    median_m = value_types(c, center="median").str.startswith("important")
    assert mean_m.tolist() == [False, False, False, False, True]
    assert median_m.tolist() == [False, False, False, True, True]
    with pytest.raises(DataError, match="'mean' or 'median'"):
        value_types(c, center="mode")


def test_abc_tiers_split_revenue_at_80_and_95_percent(customers):
    tiers = abc_tiers(customers["revenue"])
    revenue = customers["revenue"]
    share = revenue.groupby(tiers, observed=False).sum() / revenue.sum()
    assert share["A"] >= 0.80 and share["A"] + share["B"] >= 0.95
    a = revenue[tiers == "A"]
    assert (a.sum() - a.min()) / revenue.sum() < 0.80  # A is minimal: without its smallest it is below 80%
    assert revenue[tiers == "A"].min() >= revenue[tiers == "B"].max() >= revenue[tiers == "C"].max()


def test_abc_tied_revenue_shares_a_tier_and_thresholds_are_parameters():
    tiers = abc_tiers(pd.Series([10.0] * 10))
    assert tiers.nunique() == 1 and tiers.iloc[0] == "A"
    assert abc_tiers(pd.Series([50.0, 30.0, 10.0, 6.0, 4.0]), a=0.5, b=0.9).tolist() == ["A", "B", "B", "C", "C"]
    with pytest.raises(DataError, match="0 < a < b <= 1"):
        abc_tiers(pd.Series([1.0]), a=0.9, b=0.8)


def test_lifecycle_gap_method_uses_each_customers_rhythm():
    # weekly buyer silent 20 days is at risk; a 90-day buyer silent 20 days is active
    c = table([20, 20, 20, 1000], [30, 5, 2, 1], [1, 1, 1, 1], tenure=[20 + 7 * 29, 20 + 90 * 4, 25, 1000])
    stages = lifecycle_stages(c, new_days=30)
    assert stages.tolist()[:2] == ["at risk", "active"]
    assert stages.iloc[2] == "new" and stages.iloc[3] == "churned"


def test_lifecycle_fixed_boundaries_are_inclusive():
    # "<= 60 days active, <= 180 at risk, <= 365 lapsed": each threshold day belongs to the earlier stage;
    # "new" is a first purchase at most new_days (60) ago, so tenure 60 is new and 61 is not
    days = [60, 61, 180, 181, 365, 366, 5, 5]
    c = table(days, [2] * 8, [1] * 8, tenure=[400] * 6 + [60, 61])
    assert lifecycle_stages(c, method="fixed").tolist() == [
        "active", "at risk", "at risk", "lapsed", "lapsed", "churned", "new", "active"]


def test_lifecycle_gap_boundaries_are_inclusive():
    # every customer: 2 orders 100 days apart, so g0 = 100 and the typical gap = (100 + 100) / 2 = 100 days;
    # silence q = days / 100 against 1.5, 3, 6: q = 1.5 is still active, 3 still at risk, 6 still lapsed
    days = [150, 151, 300, 301, 600, 601]
    c = table(days, [2] * 6, [1] * 6, tenure=np.asarray(days) + 100)
    assert lifecycle_stages(c).tolist() == ["active", "at risk", "at risk", "lapsed", "lapsed", "churned"]


def test_lifecycle_without_repeat_buyers_falls_back_to_fixed_days():
    c = table([10, 100, 400], [1, 1, 1], [1, 1, 1], tenure=[100, 200, 500])
    with pytest.warns(RFMWarning, match="no repeat buyers"):
        stages = lifecycle_stages(c)
    assert stages.tolist() == ["active", "at risk", "churned"]


def test_lifecycle_can_be_skipped_without_tenure(customers):
    seg = rfm_segments(customers.drop(columns="tenure_days"), lifecycle=None, warn=False)
    assert "lifecycle_stage" not in seg.columns
    with pytest.raises(DataError, match="tenure_days"):
        rfm_segments(customers.drop(columns="tenure_days"), warn=False)


# --- the default data -----------------------------------------------------------------------


def test_champions_have_the_highest_median_scores(default_customers):
    summary = segment_summary(rfm_segments(default_customers, warn=False))
    present = summary[summary["customers"] > 0]
    for dim in "RFM":
        assert present.loc["Champions", f"median_{dim}"] == present[f"median_{dim}"].max()
    assert present.loc["Champions", "revenue_per_customer"] == present["revenue_per_customer"].max()


def test_every_default_segment_is_populated_and_shares_add_up(default_customers):
    summary = segment_summary(rfm_segments(default_customers, warn=False))
    assert (summary["customers"] > 0).all()
    assert summary["customers"].sum() == len(default_customers)
    assert summary["customers_pct"].sum() == pytest.approx(100)
    assert summary["revenue_pct"].sum() == pytest.approx(100)


def test_other_bins_still_segment_everyone(customers):
    for bins in (3, 10):
        seg = rfm_segments(customers, bins=bins, warn=False)
        assert seg["segment"].notna().all() and seg["R"].max() == bins
    top = rfm_segments(customers, bins=10, warn=False)
    assert (top.loc[(top["R"] >= 9) & (top["F"] >= 9) & (top["M"] >= 9), "segment"] == "Champions").all()


# --- migration ------------------------------------------------------------------------------


def test_migration_rows_sum_to_earlier_counts(customers):
    later = rfm_segments(customers, warn=False)
    earlier_table = customers.iloc[:2000].copy()
    earlier_table["days_since_last_purchase"] = earlier_table["days_since_last_purchase"] // 2
    earlier = rfm_segments(earlier_table, warn=False)
    earlier = earlier.drop(index=earlier.index[:5])  # 5 customers that are earlier-only, as with full returns
    later_ = later.drop(index=later.index[5:10])
    matrix = segment_migration(earlier, later_)
    counts = earlier["segment"].value_counts()
    rows = matrix.drop(index=NOT_YET_A_CUSTOMER).sum(axis=1)
    assert (rows == counts.reindex(rows.index)).all()
    assert matrix.loc[NOT_YET_A_CUSTOMER].sum() == len(later_.index.difference(earlier.index))
    assert matrix[NO_LONGER_IN_TABLE].sum() == 5
    assert matrix.to_numpy().sum() == len(earlier.index.union(later_.index))


def test_migration_on_two_snapshots_of_the_default_data(default_customers):
    from segkit.data import customer_table, load_clean, snapshot_date

    if not DEFAULT_TRANSACTIONS.exists():
        pytest.skip("default data not generated yet")
    clean, _ = load_clean(DEFAULT_TRANSACTIONS)
    snapshot = snapshot_date(default_customers)
    earlier_table = customer_table(clean, snapshot_date=snapshot - pd.Timedelta(days=90))
    earlier = rfm_segments(earlier_table, warn=False)
    matrix = segment_migration(earlier, rfm_segments(default_customers, warn=False))
    counts = earlier["segment"].value_counts()
    body = matrix.drop(index=NOT_YET_A_CUSTOMER)
    assert (body.sum(axis=1) == counts.reindex(body.index)).all()
    assert matrix.loc[NOT_YET_A_CUSTOMER].sum() == len(default_customers) - len(
        default_customers.index.intersection(earlier.index))


# --- playbook -------------------------------------------------------------------------------


def test_playbook_covers_every_segment_and_value_type():
    book = load_playbook()
    assert set(book.loc[book["view"] == "segment", "name"]) == set(SEGMENTS) | set(LATTICE_SEGMENTS)
    assert set(book.loc[book["view"] == "value_type", "name"]) == set(VALUE_TYPES)
    assert set(book.loc[book["view"] == "lifecycle_stage", "name"]) == set(LIFECYCLE_STAGES)
    assert (book[["description", "action"]].apply(lambda col: col.str.len()) > 10).all().all()


def test_playbook_for_present_segments_and_missing_rows(customers):
    seg = rfm_segments(customers, warn=False)
    table_ = playbook_for(seg)
    assert table_["customers"].sum() == len(seg)
    assert table_["customers"].is_monotonic_decreasing
    book = load_playbook()
    with pytest.raises(DataError, match=r"no 'segment' row for \['Champions'\]"):
        playbook_for(seg, playbook=book[book["name"] != "Champions"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"value_center": "mode"}, r"center='mode'.*'mean' or 'median'"),
        ({"value_basis": "ranks"}, r"basis='ranks'"),
        ({"abc": (0.9, 0.8)}, r"0 < a < b <= 1"),
        ({"lifecycle": "weekly"}, r"method='weekly'.*'gap', 'fixed' or None"),
        ({"gap_multiples": (3, 1.5, 6)}, r"gap_multiples=.*three increasing"),
        ({"rules": "no/such/rules.csv"}, r"does not exist"),
    ],
)
def test_rfm_segments_rejects_bad_options_up_front(customers, kwargs, match):
    with pytest.raises(DataError, match=match):
        rfm_segments(customers, **kwargs)


def test_value_types_on_scores_basis_hand_computed():
    # score means are R 3, F 3, M 3; "high" is strictly above, so M = 3 is not important
    scores = pd.DataFrame({"R": [5, 1, 5, 1], "F": [5, 5, 1, 1], "M": [5, 1, 3, 3]}, index=list("abcd"))
    assert value_types(scores, basis="scores").tolist() == [
        "important value", "general retention", "general development", "general recovery"]


def test_segment_summary_hand_computed_with_an_empty_group():
    seg = pd.DataFrame(
        {"days_since_last_purchase": [10, 30, 200], "n_orders": [4, 2, 1], "revenue": [100.0, 300.0, 600.0],
         "R": [5, 4, 1], "F": [5, 3, 1], "M": [2, 3, 5],
         "segment": pd.Categorical(["x", "x", "y"], categories=["x", "y", "z"])},
        index=pd.Index(["a", "b", "c"], name="customer_id"),
    )
    s = segment_summary(seg)
    assert s.index.tolist() == ["x", "y", "z"]
    assert s["customers"].tolist() == [2, 1, 0]
    assert s["customers_pct"].round(4).tolist() == [66.6667, 33.3333, 0.0]
    assert s["revenue"].tolist() == [400.0, 600.0, 0.0]
    assert s["revenue_pct"].tolist() == [40.0, 60.0, 0.0]
    assert s["revenue_per_customer"].tolist()[:2] == [200.0, 600.0] and np.isnan(s.loc["z", "revenue_per_customer"])
    assert s.loc["x", ["median_days_since_last_purchase", "median_orders", "median_revenue"]].tolist() == [
        20.0, 3.0, 200.0]
    assert s.loc["x", ["median_R", "median_F", "median_M"]].tolist() == [4.5, 4.0, 2.5]


def test_score_table_errors_name_the_scoring_step():
    with pytest.raises(DataError, match=r"lacks column\(s\) \['M'\].*rfm_scores"):
        assign_segments(pd.DataFrame({"R": [1, 2], "F": [1, 2]}), bins=2)
    with pytest.raises(DataError, match="0 rows"):
        assign_segments(pd.DataFrame({"R": [], "F": [], "M": []}), bins=2)


def test_segment_summary_matches_an_independent_groupby(default_customers):
    seg = rfm_segments(default_customers, warn=False)
    summary = segment_summary(seg)
    revenue = default_customers["revenue"].groupby(seg["segment"].astype(str)).sum()
    present = summary[summary["customers"] > 0]
    assert np.allclose(present["revenue"], revenue.reindex(present.index.astype(str)))
    assert np.allclose(present["revenue_pct"], 100 * revenue.reindex(present.index.astype(str)) / revenue.sum())


# --- migration study: the earlier snapshot as real data allow it ------------------------------


def clean_lines(first_days, n_orders, *, span_days: int, start: str = "2024-01-01", seed: int = 0) -> pd.DataFrame:
    """Clean transactions: customer i first buys on day first_days[i], then n_orders[i] - 1 more times."""
    from segkit.data import clean_transactions, load_transactions

    rng = np.random.default_rng(seed)
    rows = []
    for i, (first, n) in enumerate(zip(first_days, n_orders)):
        days = np.sort(np.r_[first, rng.integers(first, span_days, n - 1)])
        rows += [(f"c{i}", f"o{i}-{j}", pd.Timestamp(start) + pd.Timedelta(days=int(d)), 1, float(rng.integers(5, 200)))
                 for j, d in enumerate(days)]
    raw = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "quantity", "unit_price"])
    return clean_transactions(load_transactions(raw))[0]


def test_migration_study_of_a_closed_cohort_has_no_new_customers():
    """Everyone bought first long ago: no '(not yet a customer)' row, and the prose says so."""
    from segkit.data import customer_table
    from segkit.rfm import migration_study

    rng = np.random.default_rng(1)
    clean = clean_lines(rng.integers(0, 60, 300), rng.integers(1, 8, 300), span_days=540)
    customers = customer_table(clean)
    later = rfm_segments(customers, warn=False)
    study = migration_study(clean, later, days=90)
    assert study.matrix is not None and NOT_YET_A_CUSTOMER not in study.matrix.index
    assert study.new_customers == 0
    assert study.matrix.to_numpy().sum() == len(customers)
    assert (study.matrix.sum(axis=1) == study.earlier["segment"].value_counts().reindex(study.matrix.index)).all()
    text = study.summary("Champions")
    assert "no customer is new" in text and "nan" not in text.lower()


def test_migration_study_with_a_short_history_says_why_there_is_no_matrix():
    from segkit.data import customer_table
    from segkit.rfm import migration_study

    rng = np.random.default_rng(2)
    clean = clean_lines(rng.integers(0, 40, 200), rng.integers(1, 4, 200), span_days=61)
    study = migration_study(clean, rfm_segments(customer_table(clean), warn=False), days=90)
    assert study.matrix is None and study.earlier is None
    assert "migration_days" in study.note and "61" in study.summary("Champions")


def test_migration_study_matches_segment_migration_and_handles_an_absent_segment():
    from segkit.data import customer_table, snapshot_date
    from segkit.rfm import migration_study

    rng = np.random.default_rng(3)
    clean = clean_lines(rng.integers(0, 700, 400), rng.integers(1, 6, 400), span_days=730)
    customers = customer_table(clean)
    later = rfm_segments(customers, warn=False)
    study = migration_study(clean, later, days=90, snapshot=snapshot_date(customers))
    earlier = rfm_segments(customer_table(clean, snapshot_date=study.earlier_date), warn=False)
    pd.testing.assert_frame_equal(study.matrix, segment_migration(earlier, later))
    # the earlier snapshot gets rfm_segments' own defaults for every option it is not given
    pd.testing.assert_frame_equal(study.earlier, earlier)
    assert study.new_customers == study.matrix.loc[NOT_YET_A_CUSTOMER].sum() > 0
    assert study.stayed("no such segment") is None
    assert "no customer was no such segment" in study.summary("no such segment")
    assert f"{study.new_customers:,} customers are new" in study.summary("Champions")


def test_migration_study_with_too_few_earlier_customers():
    from segkit.data import customer_table
    from segkit.rfm import migration_study

    rng = np.random.default_rng(4)
    first = np.r_[[0, 1], rng.integers(300, 360, 200)]  # two early customers, then everyone else
    clean = clean_lines(first, np.ones(len(first), dtype=int), span_days=365)
    study = migration_study(clean, rfm_segments(customer_table(clean), warn=False), days=90)
    assert study.matrix is None and "2 customers" in study.note


def test_migration_study_on_a_tiny_customer_base_does_not_suggest_a_shorter_window():
    from segkit.data import customer_table
    from segkit.rfm import migration_study

    clean = clean_lines(np.arange(12), np.full(12, 3), span_days=365)
    study = migration_study(clean, rfm_segments(customer_table(clean), warn=False), days=90)
    assert study.matrix is None and "only 12 customers in all" in study.note
    assert "migration_days lower" not in study.note


# --- hand-computed cases for mutants that survived the tests above ----------------------------


def test_value_types_a_customer_exactly_at_the_mean_is_low_on_every_dimension():
    # means: 30 days, 2 orders, 20 revenue; "high" is strictly better than the mean, for recency too
    c = table([10, 30, 50], [3, 2, 1], [30, 20, 10])
    assert value_types(c).tolist() == ["important value", "general recovery", "general recovery"]


def test_lifecycle_gap_prior_is_the_median_repeat_gap_not_the_mean():
    # repeat gaps 100, 100, 400: median g0 = 100 (the mean would be 200). The one-time buyer's typical
    # gap is g0, so silent 200 days means q = 2: at risk (with the mean it would be q = 1, active)
    c = table([10, 10, 10, 200], [2, 2, 2, 1], [1, 1, 1, 1], tenure=[110, 110, 410, 200])
    assert lifecycle_stages(c).tolist() == ["active", "active", "active", "at risk"]


def test_playbook_for_skips_empty_groups():
    seg = pd.DataFrame({"segment": pd.Categorical(["Lost", "Champions", "Lost"],
                                                  categories=["Champions", "Lost", "No Such Segment"])})
    table = playbook_for(seg)
    assert table.index.tolist() == ["Lost", "Champions"] and table["customers"].tolist() == [2, 1]


# --- hand-computed cases: scores with ties, the scale, the rules lattice, tiers, migration ------


def ten_customers() -> pd.DataFrame:
    """Ten customers whose bins=5 scores are worked out by hand below (score = 1 + floor(5 × worse / 10))."""
    return table([0, 5, 5, 10, 20, 30, 30, 30, 100, 400], [1, 1, 1, 1, 2, 2, 3, 4, 5, 9],
                 [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])


def test_quintile_scores_with_ties_worked_out_by_hand():
    # R: days 0 has 9 customers worse -> 1 + floor(4.5) = 5; days 5 (twice) 7 worse -> 4; days 10 6 worse -> 4;
    #    days 20 5 worse -> 3; days 30 (three times) 2 worse -> 2; days 100 1 worse -> 1; days 400 -> 1
    # F: 1 order (4 customers) 0 worse -> 1; 2 orders 4 worse -> 3; 3 -> 6 worse -> 4; 4 -> 7 worse -> 4;
    #    5 -> 8 worse -> 5; 9 -> 9 worse -> 5 (score 2 stays empty: the four one-order customers tie)
    # M: no ties, 0..9 worse -> 1, 1, 2, 2, 3, 3, 4, 4, 5, 5
    s = rfm_scores(ten_customers(), warn=False)
    assert s["R"].tolist() == [5, 4, 4, 4, 3, 2, 2, 2, 1, 1]
    assert s["F"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert s["M"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s.columns.tolist() == ["days_since_last_purchase", "n_orders", "revenue", "R", "F", "M"]
    assert all(s[d].dtype == np.int64 for d in "RFM")


def test_scale_cut_points_worked_out_by_hand_and_reused_on_other_customers():
    scale = RFMScale.fit(ten_customers())
    assert scale.bins == 5 and scale.scoring == {"R": "rank", "F": "rank", "M": "rank"}
    # R: upper bounds in days (<= 0 scores 5, <= 10 scores 4, <= 20 scores 3, <= 30 scores 2)
    # F: lower bounds (2 orders open both the empty score 2 and score 3, 3 opens 4, 5 opens 5); M likewise
    assert scale.thresholds == {"R": (0.0, 10.0, 20.0, 30.0), "F": (2.0, 2.0, 3.0, 5.0),
                                "M": (30.0, 50.0, 70.0, 90.0)}
    other = table([0, 1, 10, 11, 30, 31], [1, 2, 3, 4, 5, 100], [29, 30, 50, 69, 90, 1e6])
    s = rfm_scores(other, bins=scale.bins, thresholds=scale.thresholds, warn=False)
    assert s["R"].tolist() == [5, 4, 4, 3, 2, 1]
    assert s["F"].tolist() == [1, 3, 4, 4, 5, 5]
    assert s["M"].tolist() == [1, 2, 3, 3, 5, 5]
    seg = rfm_segments(other, bins=scale.bins, thresholds=scale.thresholds, warn=False)
    pd.testing.assert_frame_equal(seg[["R", "F", "M"]], s[["R", "F", "M"]])


def test_scale_of_a_top_level_no_customer_reaches_is_infinite():
    # bins=4, orders 1, 1, 1, 2: 2 orders has 3 of 4 customers worse -> 1 + floor(3) = 4; scores 2, 3 empty.
    # revenue all tied: every level above 1 is out of reach, so its cut point is infinite
    c = table([1, 2, 3, 4], [1, 1, 1, 2], [5.0] * 4)
    scale = RFMScale.fit(c, bins=4)
    assert scale.thresholds["F"] == (2.0, 2.0, 2.0)
    assert scale.thresholds["M"] == (np.inf, np.inf, np.inf)
    assert RFMScale.fit(table([7] * 3, [1] * 3, [1.0] * 3), bins=2).thresholds["R"] == (-np.inf,)
    assert rfm_scores(c, bins=4, warn=False)["F"].tolist() == [1, 1, 1, 4]


def test_scale_is_frozen_plain_data():
    import dataclasses
    import json

    scale = RFMScale.fit(ten_customers(), bins=3, thresholds={"M": [40, 80]})
    with pytest.raises(dataclasses.FrozenInstanceError):
        scale.bins = 4
    saved = json.loads(json.dumps(dataclasses.asdict(scale)))
    assert saved == {"bins": 3, "thresholds": {"R": [5.0, 20.0], "F": [2.0, 4.0], "M": [40.0, 80.0]},
                     "scoring": {"R": "rank", "F": "rank", "M": "thresholds"}}
    # bins=3 by hand, score = 1 + floor(0.3 × worse): R worse counts 9, 7, 7, 6, 5, 2, 2, 2, 1, 0 give 3, 3, 3, 2,
    # 2, 1, ... (so <= 5 days scores 3, <= 20 scores 2); F worse counts 0 (x4), 4, 4, 6, 7, 8, 9 give 1 (x4), 2, 2,
    # 2, 3, 3, 3 (2 orders open score 2, 4 orders score 3)
    s = rfm_scores(ten_customers(), bins=3, thresholds={"M": [40, 80]}, warn=False)
    assert s["R"].tolist() == [3, 3, 3, 2, 2, 1, 1, 1, 1, 1]
    assert s["F"].tolist() == [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_score_report_worked_out_by_hand():
    s = rfm_scores(ten_customers(), warn=False)
    report = score_report(s)
    assert report.index.tolist() == ["R", "F", "M"] and report.index.name == "dimension"
    f = report.loc["F"]
    assert f["column"] == "n_orders" and f["scoring"] == "rank"
    assert (f["levels_requested"], f["levels_used"], f["scores_used"]) == (5, 4, "1, 3, 4, 5")
    assert (f["most_common_value"], f["most_common_share"]) == (1.0, 0.4)
    assert f["note"] == (
        "F (n_orders) supports only 4 of 5 score levels (score(s) 2 empty): 40% of customers share the value 1, "
        "and customers with the same value must get the same score. Read F as a coarse scale; use fewer bins "
        "or fixed thresholds={'F': [2, 3, 5, 10]} if you need more levels.")
    assert report.loc["R", "most_common_value"] == 30.0 and report.loc["R", "most_common_share"] == 0.3
    assert report.loc["M", "note"] == "" and report.loc["M", "levels_used"] == 5


def test_score_report_of_fixed_thresholds_names_the_empty_levels():
    c = ten_customers()
    cuts = {"F": [2, 3, 50, 60]}
    report = score_report(rfm_scores(c, thresholds=cuts, warn=False), thresholds=cuts)
    assert report["scoring"].tolist() == ["rank", "thresholds", "rank"]
    assert report.loc["F", "note"] == (
        "F (n_orders): the fixed thresholds leave score(s) 4, 5 empty on this data (3 of 5 levels used). "
        "Adjust thresholds['F'] if those levels should exist.")
    with pytest.raises(DataError, match=r"unknown key\(s\) \['X'\]"):
        score_report(rfm_scores(c, warn=False), thresholds={"X": [1, 2, 3, 4]})


def test_score_report_and_plots_refuse_scores_outside_the_scale():
    s = rfm_scores(ten_customers(), warn=False)
    with pytest.raises(DataError, match=r"score column 'R' has values outside 1..3 \(min 1, max 5\)"):
        score_report(s, bins=3)
    with pytest.raises(DataError, match=r"lack column\(s\) \['revenue'\]"):
        score_report(s.drop(columns="revenue"))
    with pytest.raises(DataError, match="non-empty DataFrame"):
        score_report(s.iloc[:0])
    with pytest.raises(DataError, match="non-empty DataFrame"):
        score_report(s["R"])
    with pytest.raises(DataError, match=r"score column 'M' has values outside 1..5 \(min 0, max 4\)"):
        score_report(s.assign(M=s["M"] - 1))


def read_rules_by_hand(path) -> list[tuple[float, str, tuple[int, int], tuple[int, int], tuple[int, int]]]:
    """The rules file read with the csv module: (priority, segment, R range, F range, M range), in file order."""
    import csv

    def bounds(text: str) -> tuple[int, int]:
        if text == "*":
            return 1, 5
        low, _, high = text.partition("-")
        return int(low), int(high or low)

    with open(path, newline="", encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return [(float(r["priority"]), r["segment"], bounds(r["R"]), bounds(r["F"]), bounds(r["M"]))
            for r in csv.DictReader(lines)]


@pytest.mark.parametrize("name", ["rfm_segments.csv", "rfm_segments_lattice.csv"])
def test_every_cell_of_the_lattice_gets_the_first_matching_rule_of_the_file(name):
    from segkit.paths import RESOURCES_DIR

    path = RESOURCES_DIR / name
    rules = read_rules_by_hand(path)
    by_priority = sorted(rules, key=lambda row: row[0])
    cells = [(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]
    expected = [next(name for _, name, rr, fr, mr in by_priority
                     if rr[0] <= r <= rr[1] and fr[0] <= f <= fr[1] and mr[0] <= m <= mr[1]) for r, f, m in cells]
    scores = pd.DataFrame(cells, columns=list("RFM"))
    got = assign_segments(scores, rules=path)
    assert got.astype(str).tolist() == expected
    assert got.cat.categories.tolist() == list(dict.fromkeys(name for _, name, *_ in rules))  # as first listed
    wins = pd.Series(expected).value_counts()
    per_segment = load_rules(path).groupby("segment", sort=False)["cells"].sum()
    assert per_segment.to_dict() == wins.reindex(per_segment.index).to_dict()
    # spot checks read straight off the file: (5, 1, 1) is New Customers, (1, 5, 5) Can't Lose Them
    assert dict(zip(cells, expected))[(5, 1, 1)] == "New Customers"
    assert dict(zip(cells, expected))[(1, 5, 5)] == "Can't Lose Them"


def test_rules_table_columns_are_parsed_by_hand():
    rules = load_rules(rules_frame([(3, " Rest ", "*", "any", "1–5"), (1, "Top", "5", "4-5", " 5 ")]))
    assert rules["segment"].tolist() == ["Rest", "Top"]  # the order given, names stripped
    assert rules.loc[1, ["r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]].tolist() == [5, 5, 4, 5, 5, 5]
    assert rules.loc[0, ["r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]].tolist() == [1, 5, 1, 5, 1, 5]
    assert rules["cells"].tolist() == [123, 2]
    assert rules["priority"].tolist() == [3, 1]


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([("x", "All", "*", "*", "*")], r"rules row 1 has priority 'x'; use a number"),
        ([(1, "All", "*", "*", "*"), (2, " ", "*", "*", "*")], r"rules row 2 has an empty segment name"),
    ],
)
def test_rules_with_bad_priority_or_name(rows, match):
    with pytest.raises(DataError, match=match):
        load_rules(rules_frame(rows))


def test_rules_file_errors(tmp_path):
    with pytest.raises(DataError, match=r"lack column\(s\) \['M'\]"):
        load_rules(pd.DataFrame({"priority": [1], "segment": ["A"], "R": ["*"], "F": ["*"]}))
    with pytest.raises(DataError, match="no rows"):
        load_rules(rules_frame([]))
    with pytest.raises(DataError, match="CSV path or a DataFrame, got int"):
        load_rules(3)
    path = tmp_path / "r.csv"
    path.write_text("priority,segment,R,F,M,comment\n1,All,*,*,*,catch-all\n")
    assert load_rules(str(path))["segment"].tolist() == ["All"]


def test_abc_tiers_worked_out_by_hand_at_the_exact_boundary():
    # revenue 40, 25, 15, 10, 5, 5 (total 100). Share of revenue of customers with strictly more revenue:
    # 40 -> 0, 25 -> .40, 15 -> .65, 10 -> .80 (not below .80, so B), 5 and 5 -> .90 (tied, same tier)
    revenue = pd.Series([5.0, 40.0, 10.0, 25.0, 5.0, 15.0], index=list("abcdef"))
    tiers = abc_tiers(revenue)
    assert tiers.to_dict() == {"a": "B", "b": "A", "c": "B", "d": "A", "e": "B", "f": "A"}
    assert tiers.name == "abc_tier" and tiers.cat.categories.tolist() == ABC_TIERS
    assert abc_tiers(revenue, a=0.8, b=0.9).tolist() == ["C", "A", "B", "A", "C", "A"]  # .90 is not below .90
    assert abc_tiers(revenue, a=0.81, b=0.9).tolist() == ["C", "A", "A", "A", "C", "A"]
    assert abc_tiers(revenue.to_numpy()).tolist() == ["B", "A", "B", "A", "B", "A"]  # an array works too


@pytest.mark.parametrize("revenue", [[], [1.0, np.nan], [3.0, -1.0], [0.0, 0.0]])
def test_abc_tiers_refuse_unusable_revenue(revenue):
    with pytest.raises(DataError) as err:
        abc_tiers(pd.Series(revenue, dtype=float))
    assert str(err.value) in (
        "ABC tiers need non-negative, non-missing revenue for at least one customer.",
        "total revenue is 0, so revenue shares (ABC tiers) are undefined; check the input or the returns handling.")


def test_abc_tiers_of_one_customer_and_of_zero_revenue():
    assert abc_tiers(pd.Series([5.0])).tolist() == ["A"]
    assert abc_tiers(pd.Series([5.0, 0.0])).tolist() == ["A", "C"]  # all revenue is before the 0: share 1.0


def test_abc_thresholds_are_checked():
    for a, b in [(0.0, 0.5), (0.5, 0.5), (0.5, 1.01)]:
        with pytest.raises(DataError, match="0 < a < b <= 1"):
            abc_tiers(pd.Series([1.0, 2.0]), a=a, b=b)
    assert abc_tiers(pd.Series([1.0, 2.0]), a=0.5, b=1.0).tolist() == ["B", "A"]


def test_segment_migration_on_a_two_snapshot_hand_case():
    cats = ["x", "y", "z"]
    earlier = pd.Series(pd.Categorical(["x", "x", "y", "y"], categories=cats), index=list("abcd"))
    later = pd.Series(pd.Categorical(["x", "y", "y", "z"], categories=cats), index=list("abce"))
    # a stays x, b x -> y, c stays y, d leaves the table, e is new (-> z); nobody was z earlier
    full = segment_migration(earlier, later, drop_empty=False)
    assert full.index.tolist() == ["x", "y", "z", NOT_YET_A_CUSTOMER]
    assert full.columns.tolist() == ["x", "y", "z", NO_LONGER_IN_TABLE]
    assert full.to_numpy().tolist() == [[1, 1, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0], [0, 0, 1, 0]]
    assert (full.index.name, full.columns.name) == ("segment earlier", "segment later")
    dropped = segment_migration(earlier, later)
    assert dropped.index.tolist() == ["x", "y", NOT_YET_A_CUSTOMER]
    assert dropped.columns.tolist() == ["x", "y", "z", NO_LONGER_IN_TABLE]
    # without departures the "no longer" column goes even with drop_empty=False; the empty z row stays
    stay = segment_migration(earlier.iloc[:3], later, drop_empty=False)
    assert stay.columns.tolist() == ["x", "y", "z"] and stay.loc["z"].sum() == 0


def test_segment_migration_reads_a_column_and_plain_labels():
    earlier = pd.DataFrame({"tier": ["B", "A"]}, index=["p", "q"])
    later = pd.DataFrame({"tier": ["A", "A"]}, index=["p", "q"])
    m = segment_migration(earlier, later, column="tier")
    assert m.index.tolist() == ["A", "B"] and m.columns.tolist() == ["A"]  # sorted labels, empty parts dropped
    assert m.to_numpy().tolist() == [[1], [1]]
    assert m.index.name == "tier earlier"
    with pytest.raises(DataError, match="earlier segmentation has repeated customer ids"):
        segment_migration(pd.Series(["A", "B"], index=["p", "p"]), later["tier"])
    with pytest.raises(DataError, match="later segmentation has 1 customers without a segment"):
        segment_migration(later["tier"], pd.Series(["A", None], index=["p", "q"]))


def test_migration_result_hand_case():
    from segkit.rfm.migration import Migration

    matrix = pd.DataFrame([[3, 1], [0, 2], [4, 0]], index=["Champions", "Lost", NOT_YET_A_CUSTOMER],
                          columns=["Champions", "Lost"])
    study = Migration(matrix, None, pd.Timestamp("2025-10-03"), pd.Timestamp("2026-01-01"), 4)
    assert study.stayed("Champions") == 0.75 and study.stayed("Lost") == 1.0 and study.stayed("VIP") is None
    # nobody of "Gone" stayed, and no one is "Gone" later, so the matrix has no "Gone" column at all
    gone = Migration(pd.DataFrame([[2, 2]], index=["Gone"], columns=["Champions", "Lost"]), None,
                     pd.Timestamp("2025-10-03"), pd.Timestamp("2026-01-01"), 0)
    assert gone.stayed("Gone") == 0.0
    assert study.summary("Champions") == (
        "Between 2025-10-03 and 2026-01-01, 75% of Champions stayed Champions; 4 customers are new since then.")
    empty = Migration(None, None, pd.Timestamp("2025-10-03"), pd.Timestamp("2026-01-01"), 0, "no data")
    assert empty.stayed("Champions") is None and empty.summary("Champions") == "no data"


def test_migration_study_refuses_bad_days_and_unknown_options():
    from segkit.rfm import migration_study

    clean = clean_lines(np.arange(30), np.full(30, 2), span_days=400)
    later = rfm_segments(customer_table_of(clean), warn=False)
    for days in (0, 2.5, True):
        with pytest.raises(DataError, match="whole number of days of at least 1"):
            migration_study(clean, later, days=days)
    with pytest.raises(TypeError, match="colour"):
        migration_study(clean, later, days=90, colour="red")


def customer_table_of(clean):
    from segkit.data import customer_table

    return customer_table(clean)


def test_migration_study_forwards_options_to_the_earlier_snapshot():
    from segkit.data import customer_table
    from segkit.rfm import migration_study

    rng = np.random.default_rng(5)
    clean = clean_lines(rng.integers(0, 500, 300), rng.integers(1, 6, 300), span_days=730)
    later = rfm_segments(customer_table(clean), bins=3, lifecycle=None, warn=False)
    study = migration_study(clean, later, days=60, bins=3, lifecycle=None, abc=(0.5, 0.9))
    expected = rfm_segments(customer_table(clean, snapshot_date=study.earlier_date), bins=3, lifecycle=None,
                            abc=(0.5, 0.9), warn=False)
    pd.testing.assert_frame_equal(study.earlier, expected)
    assert study.earlier["R"].max() == 3 and "lifecycle_stage" not in study.earlier


# --- text -----------------------------------------------------------------------------------


def test_headline_worked_out_by_hand():
    from segkit.rfm import rfm_headline

    summary = pd.DataFrame({"customers_pct": [12.4, 7.0, 5.6, 75.0], "revenue_pct": [55.5, 10.2, 4.0, 30.3]},
                           index=["Champions", "At Risk", "Can't Lose Them", "Lost"])
    tiers = pd.DataFrame({"customers_pct": [21.6, 30.0, 48.4]}, index=["A", "B", "C"])
    assert rfm_headline(summary, tiers, segment="Lost", winback=["At Risk", "Can't Lose Them", "Missing"],
                        a=0.75) == (
        "**Lost are 75% of customers and 30% of revenue.** At Risk and Can't Lose Them and Missing are 13% of "
        "customers and 14% of past revenue but have stopped buying: the first win-back target. 22% of customers "
        "(tier A) make 75% of revenue.")
    assert rfm_headline(summary, tiers).startswith("**Champions are 12% of customers and 56% of revenue.** At Risk "
                                                   "and Can't Lose Them are 13% of customers and 14% of past")
    assert rfm_headline(summary, tiers).endswith("make 80% of revenue.")


def test_score_levels_note_lists_the_notes_or_says_all_levels_are_used():
    from segkit.rfm import score_levels_note

    report = score_report(rfm_scores(ten_customers(), bins=3, warn=False), bins=3)
    assert score_levels_note(report) == "All three dimensions use all 3 score levels."
    report = score_report(rfm_scores(ten_customers(), warn=False))
    assert score_levels_note(report) == "* " + report.loc["F", "note"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RFMWarning)
        tied = score_report(rfm_scores(table([3] * 4, [1] * 4, [2.0] * 4), bins=2), bins=2)
    assert score_levels_note(tied).split("\n") == ["* " + note for note in tied["note"]]
    assert tied.loc["R", "note"].startswith("R (days_since_last_purchase): every customer has the same value (3)")


def test_playbook_file_is_read_as_text(tmp_path):
    path = tmp_path / "book.csv"
    path.write_text('view,name,description,action\nsegment,007,NA,\nsegment,12,"1.5",N/A\n')
    book = load_playbook(path)
    assert book.to_dict("records") == [
        {"view": "segment", "name": "007", "description": "NA", "action": ""},
        {"view": "segment", "name": "12", "description": "1.5", "action": "N/A"}]
    given = pd.DataFrame({"view": ["segment"], "name": ["x"], "description": ["d"], "action": ["a"]})
    copy = load_playbook(given)
    copy.loc[0, "name"] = "changed"
    assert given.loc[0, "name"] == "x"  # the caller's table is not touched
    with pytest.raises(DataError, match=r"^playbook file '.*nope\.csv' does not exist; pass an existing CSV or None\.$"):
        load_playbook(tmp_path / "nope.csv")
    with pytest.raises(DataError, match=r"^the playbook lacks column\(s\) \['action'\]; it needs view, name, "
                                        r"description, action\.$"):
        load_playbook(given.drop(columns="action"))


def test_playbook_for_columns_order_and_errors():
    seg = pd.DataFrame({"lifecycle_stage": pd.Categorical(["new", "active", "active", "new", "lapsed"],
                                                          categories=LIFECYCLE_STAGES)})
    table_ = playbook_for(seg, view="lifecycle_stage")
    assert table_.columns.tolist() == ["customers", "description", "action"]
    assert table_.index.name == "lifecycle_stage"
    assert table_.index.tolist() == ["new", "active", "lapsed"]  # 2, 2, 1: ties keep the category order
    assert table_["customers"].tolist() == [2, 2, 1]
    with pytest.raises(DataError, match=r"^column 'segment' is not in the segments table; use one of "
                                        r"\['lifecycle_stage'\]\.$"):
        playbook_for(seg)
    book = load_playbook()
    with pytest.raises(DataError, match=r"^the playbook has no 'lifecycle_stage' row for \['lapsed'\]; add rows "
                                        r"'view=lifecycle_stage, name=<group>, description, action' to the "
                                        r"playbook file\.$"):
        playbook_for(seg, view="lifecycle_stage", playbook=book[book["name"] != "lapsed"])


def test_value_types_on_scores_name_the_scoring_step():
    with pytest.raises(DataError, match=r"lacks column\(s\) \['M'\].*rfm_scores"):
        value_types(pd.DataFrame({"R": [1, 2], "F": [1, 2]}), basis="scores")


def test_migration_notes_worked_out_by_hand():
    from segkit.rfm.text import _no_history_note, _too_few_buyers_note, _too_few_customers_note

    assert _too_few_buyers_note(pd.Timestamp("2025-10-03"), 90, 12, 1234.5, 20) == (
        "No migration matrix: on 2025-10-03 (90 days before the snapshot) only 12 customers had bought, with "
        "revenue 1,234.50; scores need at least 20 customers with revenue. Set migration_days lower to compare "
        "with a later date.")
    assert _too_few_customers_note(1500, 20) == (
        "No migration matrix: the data have only 1,500 customers in all; rank scores of so few say little about "
        "segments (a migration matrix needs at least 20).")
    assert _no_history_note(pd.Timestamp("2025-11-01"), 61, 1000) == (
        "No migration matrix: the data start on 2025-11-01, 61 days before the snapshot, so there is no customer "
        "base 1,000 days earlier to compare with. Set migration_days below 61 to compare with an earlier date "
        "inside the data.")


# --- migration study at its boundaries ------------------------------------------------------


def priced_lines(rows) -> pd.DataFrame:
    """Clean order lines from (customer, day, price) with day 0 = 2024-01-01, one order each."""
    from segkit.data import load_transactions

    raw = pd.DataFrame([(c, f"o{i}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=d), 1, p)
                        for i, (c, d, p) in enumerate(rows)],
                       columns=["customer_id", "order_id", "order_date", "quantity", "unit_price"])
    return load_transactions(raw).assign(is_return=False)


def test_migration_study_of_one_day_and_of_exactly_the_minimum_of_customers():
    from segkit.rfm import migration_study

    # 20 customers (the minimum) buying on days 0..19 and again on day 300: the snapshot is day 301
    clean = priced_lines([(f"c{i}", i, 10.0 + i) for i in range(20)] + [(f"c{i}", 300, 5.0) for i in range(20)])
    later = rfm_segments(customer_table_of(clean), warn=False)
    for days in (1, 90):
        study = migration_study(clean, later, days=days)
        assert study.matrix is not None and study.note == ""
        assert study.later_date == pd.Timestamp("2024-10-28")  # day 301
        assert (study.later_date - study.earlier_date).days == days
        assert study.matrix.to_numpy().sum() == 20 and study.new_customers == 0
    assert migration_study(clean, later, days=90, snapshot="").later_date == pd.Timestamp("2024-10-28")
    moved = migration_study(clean, later, days=90, snapshot="2024-12-31 15:00")
    assert (moved.later_date, moved.earlier_date) == (pd.Timestamp("2024-12-31"), pd.Timestamp("2024-10-02"))


def test_migration_study_when_the_earlier_date_is_the_first_day_of_data():
    from segkit.rfm import migration_study

    clean = priced_lines([(f"c{i}", i, 10.0 + i) for i in range(30)])  # days 0..29; snapshot day 30
    later = rfm_segments(customer_table_of(clean), warn=False)
    study = migration_study(clean, later, days=30)  # earlier date = day 0, the first day: nobody before it
    assert study.matrix is None and study.earlier is None
    assert study.note.startswith("No migration matrix: the data start on 2024-01-01, 30 days before the snapshot")
    assert (study.earlier_date, study.later_date, study.new_customers) == (
        pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-31"), 30)
    short = migration_study(clean, later, days=29)  # one day of history: 1 customer had bought
    assert short.note.startswith("No migration matrix: on 2024-01-02 (29 days before the snapshot) only 1 customers")


def test_migration_study_needs_positive_revenue_at_the_earlier_date():
    from segkit.rfm import migration_study

    def study_with_early_price(price):
        rows = [(f"c{i}", i, price) for i in range(25)] + [(f"c{i}", 200, 10.0) for i in range(25)]
        clean = priced_lines(rows)
        return migration_study(clean, rfm_segments(customer_table_of(clean), warn=False), days=100)

    free = study_with_early_price(0.0)  # 25 customers had "bought" by day 101, for nothing
    assert free.matrix is None and "only 25 customers had bought, with revenue 0.00" in free.note
    cheap = study_with_early_price(0.01)  # revenue 0.25 in all: little, but shares are defined
    assert cheap.matrix is not None and cheap.matrix.to_numpy().sum() == 25


def test_migration_study_earlier_snapshot_never_warns():
    from segkit.rfm import migration_study

    # every customer one order of the same value: the earlier scores cannot use all levels (an RFMWarning
    # for a direct call), and there are no repeat buyers for the lifecycle gap (another one)
    rows = [(f"c{i}", i % 5, 10.0) for i in range(30)] + [(f"n{i}", 100 + i, 10.0) for i in range(5)]
    clean = priced_lines(rows)
    later = rfm_segments(customer_table_of(clean), warn=False)
    with pytest.warns(RFMWarning):
        rfm_segments(customer_table_of(clean[clean["order_date"] < "2024-03-01"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study = migration_study(clean, later, days=60, warn=True)
    assert study.matrix is not None and study.new_customers == 5


def test_assign_segments_uses_the_rules_it_is_given():
    rules = rules_frame([(1, "Recent", "4-5", "*", "*"), (2, "Other", "*", "*", "*")])
    scores = pd.DataFrame({"R": [1, 2, 3], "F": [1, 1, 1], "M": [3, 3, 3]})
    assert assign_segments(scores, bins=3, rules=rules).tolist() == ["Other", "Other", "Recent"]  # 3 -> 5


def test_abc_tiers_accept_numbers_stored_as_objects():
    # 6 has nothing before it, 2 has .6 before it (A), the 1s have .8 (not below .8: B)
    assert abc_tiers(pd.Series([6, 2, 1, 1], dtype=object)).tolist() == ["A", "A", "B", "B"]


def test_segment_summary_rows_follow_the_categories_and_columns_a_fixed_order():
    seg = pd.DataFrame(
        {"days_since_last_purchase": [10, 30, 50], "n_orders": [1, 2, 3], "revenue": [10.0, 20.0, 30.0],
         "R": [3, 2, 1], "F": [1, 2, 3], "M": [1, 2, 3],
         "segment": pd.Categorical(["y", "x", "y"], categories=["x", "y", "z"])})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no pandas deprecation on the way
        s = segment_summary(seg)
    assert s.index.tolist() == ["x", "y", "z"]  # category order, not order of appearance; empty z kept
    assert s.columns.tolist() == [
        "customers", "customers_pct", "revenue", "revenue_pct", "revenue_per_customer",
        "median_days_since_last_purchase", "median_orders", "median_revenue", "median_R", "median_F", "median_M"]
    assert s["customers"].tolist() == [1, 2, 0] and s["revenue_per_customer"].tolist()[:2] == [20.0, 20.0]
    assert segment_summary(seg.assign(segment=seg["segment"].astype(str))).index.tolist() == ["x", "y"]
    with pytest.raises(DataError, match=r"^column 'tier' is not in the segments table; use one of "
                                        r"\['days_since_last_purchase', 'n_orders', 'revenue', 'R', 'F', 'M', "
                                        r"'segment'\]\.$"):
        segment_summary(seg, by="tier")


def test_lifecycle_without_repeat_buyers_warns_in_full_and_ignores_gap_multiples():
    c = table([10, 100, 400], [1, 1, 1], [1, 1, 1], tenure=[100, 200, 500])
    with pytest.warns(RFMWarning) as record:
        stages = lifecycle_stages(c, gap_multiples=(0.5, 1.0, 2.0), day_thresholds=(50, 150, 450))
    assert str(record[0].message) == ("no repeat buyers, so no typical gap between purchases can be learned; "
                                      "lifecycle stages use fixed day thresholds instead (method='fixed').")
    assert stages.tolist() == ["active", "at risk", "lapsed"]  # the day thresholds given, not the defaults


def test_lifecycle_gap_prior_is_at_least_one_day():
    # the repeat buyers bought twice on the same day (gap 0): g0 = max(0, 1) = 1 day. Their typical gap is
    # (0 + 1) / 2 = 0.5 days, so 1 day of silence is q = 2; the one-time buyer's gap is g0 = 1 day, silent 2 days
    # is q = 2 too: all at risk (a 0-day prior would divide by zero, a 2-day one would make everyone active)
    c = table([1, 1, 2], [2, 2, 1], [1, 1, 1], tenure=[1, 1, 2])
    assert lifecycle_stages(c, new_days=0).tolist() == ["at risk", "at risk", "at risk"]


# --- the customer-table checks, message by message -------------------------------------------


def test_customer_table_errors_in_full():
    c = table([1, 2, 3], [1, 2, 3], [1.0, 2.0, 3.0])
    cases = [
        (pd.concat([c, c.iloc[[0, 0]]]),
         "customer ids must be unique, but 2 are repeated (e.g. ['c0', 'c0']); aggregate to one row per customer "
         "with segkit.data.customer_table."),
        (c.assign(n_orders=[1, 2, np.inf]),
         "column 'n_orders' has 1 missing or infinite values (e.g. customers ['c2']); fill or drop those customers "
         "first."),
        (c.assign(revenue=["1", "2", "3"]),
         "column 'revenue' must be numeric but has dtype str; convert it with pd.to_numeric(customers['revenue']) or "
         "rebuild the table with segkit.data.customer_table."),
        (c.assign(revenue=[True, False, True]),
         "column 'revenue' must be numeric but has dtype bool; convert it with pd.to_numeric(customers['revenue']) or "
         "rebuild the table with segkit.data.customer_table."),
        (c.assign(days_since_last_purchase=[-2, -1, 3]),
         "column 'days_since_last_purchase' must be >= 0, but 2 customers are below (min -2, e.g. ['c0', 'c1']): "
         "the snapshot date is before the last purchase; pass a later snapshot_date to segkit.data.customer_table."),
        (c.assign(n_orders=[0, 2, 3]),
         "column 'n_orders' must be >= 1, but 1 customers are below (min 0, e.g. ['c0']): every customer in the "
         "table needs at least one order; drop customers without orders."),
        (c.assign(revenue=[-1.0, 2.0, 3.0]),
         "column 'revenue' must be >= 0, but 1 customers are below (min -1, e.g. ['c0']): returns exceed purchases "
         "for these customers; drop them or clean with segkit.data.clean_transactions so that net revenue is "
         "positive."),
        (c.assign(tenure_days=[0, 5, 2]),
         "2 customers have tenure_days smaller than days_since_last_purchase (e.g. ['c0', 'c2']): the first purchase "
         "cannot be after the last; rebuild the table with segkit.data.customer_table."),
    ]
    for bad, message in cases:
        with pytest.raises(DataError) as err:
            rfm_segments(bad, warn=False)
        assert str(err.value) == message
    # the boundaries themselves are fine: 0 days since the last purchase, 1 order, 0 revenue, tenure = days
    ok = rfm_segments(c.assign(days_since_last_purchase=[0, 2, 3], tenure_days=[0, 2, 3], revenue=[0.0, 2.0, 3.0]),
                      warn=False)
    assert len(ok) == 3


def test_option_errors_in_full():
    c = table([1, 2, 3], [1, 2, 3], [1.0, 2.0, 3.0])
    cases = [
        ({"bins": True}, "bins=True cannot make a score scale: it must be a whole number of at least 2. Use bins=5 "
                         "(the usual quintiles) or bins=3 for small or heavily tied data."),
        ({"thresholds": [30, 90]}, "thresholds must be a mapping like {'R': [30, 90, 180, 365]}, got list."),
        ({"thresholds": {"F": [2, np.nan, 5, 10]}}, "thresholds['F'] contains NaN; give 4 numbers."),
        ({"thresholds": {"M": [[1, 2], [3, 4]]}},
         "thresholds['M'] has 4 cut points but bins=5 needs 4 (one fewer than the number of scores), "
         "e.g. [50, 100, 250, 1000]."),
        ({"bins": 7, "thresholds": {"F": [1, 2]}},
         "thresholds['F'] has 2 cut points but bins=7 needs 6 (one fewer than the number of scores), "
         "e.g. [2, 3, 5, 10, 20, 30]."),
        ({"value_basis": "x"}, "basis='x' is not supported; use 'values' or 'scores'."),
        ({"abc": (0.8, 0.8)}, "ABC thresholds a=0.8, b=0.8 must satisfy 0 < a < b <= 1; the usual are a=0.8, b=0.95."),
        ({"day_thresholds": (60, 60, 365)},
         "day_thresholds=(60.0, 60.0, 365.0) must be three increasing positive numbers (ends of active, at risk, "
         "lapsed)."),
        ({"gap_multiples": (0, 1, 2)},
         "gap_multiples=(0.0, 1.0, 2.0) must be three increasing positive numbers (ends of active, at risk, lapsed)."),
        ({"gap_multiples": (1, 2)},
         "gap_multiples=(1.0, 2.0) must be three increasing positive numbers (ends of active, at risk, lapsed)."),
    ]
    for options, message in cases:
        with pytest.raises(DataError) as err:
            rfm_segments(c, warn=False, **options)
        assert str(err.value) == message, options
    # unchecked when the lifecycle is skipped
    assert "lifecycle_stage" not in rfm_segments(c, lifecycle=None, gap_multiples=(0, 1, 2), warn=False)


def test_single_customer_needs_every_dimension_fixed():
    c = table([10], [3], [50.0])
    with pytest.raises(DataError, match="only 1 customer"):
        rfm_scores(c, bins=2, thresholds={"R": [30], "F": [2]})
    assert rfm_scores(c, bins=2, thresholds={"R": [30], "F": [2], "M": [60]})[["R", "F", "M"]].iloc[0].tolist() == [
        2, 2, 1]


def test_rules_errors_in_full(tmp_path):
    cases = [
        (rules_frame([(1, "High", "3-5", "*", "*"), (2, "Low", "1", "*", "*")]),
         "the rules leave 25 of 125 score cells without a segment (gap), e.g. R=2 F=1 M=1; R=2 F=1 M=2; R=2 F=1 M=3; "
         "R=2 F=1 M=4; R=2 F=1 M=5. Widen a rule's ranges or add a last catch-all rule with R, F, M = '*'."),
        (rules_frame([(1, "High", "3-5", "*", "*"), (1, "Low", "1-3", "*", "*")]),
         "rules ['High', 'Low'] have the same priority 1 and both claim 25 cell(s), e.g. R=3 F=1 M=1 (overlap). "
         "Give them different priorities (lower wins) or make the ranges disjoint."),
        (rules_frame([(1, "All", "*", "*", "*"), (2, "Shadowed", "5", "5", "5"), (3, "Also", "1", "1", "1")]),
         "rule(s) for ['Shadowed', 'Also'] never apply: every cell they cover is taken by rules of higher "
         "precedence. Give them a lower priority number or remove them."),
        (rules_frame([(1, "All", "*", "2-", "*")]),
         "rules row 1 column 'F' has '2-'; write a score range on the 1..5 scale such as '4-5', a single score such "
         "as '3', or '*' for any score."),
        (pd.DataFrame({"priority": [1], "segment": ["A"], "R": ["*"], "F": ["*"]}),
         "the rules lack column(s) ['M']; the file needs columns ['priority', 'segment', 'R', 'F', 'M'] (see "
         "rfm_segments.csv for an example)."),
        (str(tmp_path / "none.csv"),
         f"rules file {str(tmp_path / 'none.csv')!r} does not exist; pass an existing CSV or None for the default."),
        (rules_frame([(1, "A", "*", "*", "*"), ("", "B", "*", "*", "*")]),
         "rules row 2 has priority ''; use a number (lower wins)."),
    ]
    for rules, message in cases:
        with pytest.raises(DataError) as err:
            load_rules(rules)
        assert str(err.value) == message
    # a dash range with spaces and an en dash are read as ranges
    assert load_rules(rules_frame([(1, "All", " 1 - 5 ", "1–5", "*")]))["cells"].tolist() == [125]


def test_example_cut_points_in_notes():
    from segkit.rfm.text import _example_cuts

    assert _example_cuts("R", 5) == [30, 90, 180, 365]
    assert _example_cuts("F", 5) == [2, 3, 5, 10]
    assert _example_cuts("M", 5) == [50, 100, 250, 1000]
    assert _example_cuts("R", 3) == [30, 90]
    assert _example_cuts("M", 8) == [50, 100, 250, 1000, 2000, 3000, 4000]


def test_missing_column_and_lone_customer_messages_in_full():
    c = table([1, 2], [1, 2], [1.0, 2.0])
    with pytest.raises(DataError) as err:
        rfm_segments(c.drop(columns="revenue"))
    assert str(err.value) == ("the customer table lacks column(s) ['revenue']; build it with "
                              "segkit.data.customer_table(clean), or rename your columns to these names.")
    with pytest.raises(DataError) as err:
        rfm_segments(c.iloc[:1])
    assert str(err.value) == (
        "rank scores compare customers with each other, but the table has only 1 customer; pass fixed thresholds "
        "for R, F and M (e.g. thresholds={'R': [30, 90, 180, 365], ...}) or score a larger table.")


def test_loaded_rules_have_exactly_the_documented_columns():
    rules = load_rules()
    assert rules.columns.tolist() == ["priority", "segment", "R", "F", "M", "note", "r_min", "r_max", "f_min",
                                      "f_max", "m_min", "m_max", "cells"]
    assert rules.index.tolist() == list(range(25))
    assert load_rules(rules_frame([(1, "All", "*", "*", "*")]))["note"].tolist() == [""]  # no note column: empty
    with_notes = rules_frame([(1, "A", "1-2", "*", "*"), (2, "B", "*", "*", "*")]).assign(note=["why", None])
    assert load_rules(with_notes)["note"].tolist() == ["why", ""]
