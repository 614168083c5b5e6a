"""segkit.timeline.migration: migration between two snapshots, the alert list and the re-cut artefacts.

Every expected value is worked out by hand from small order lines, or counted by a plain loop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segkit import rfm
from segkit.errors import DataError
from segkit.rfm.migration import segment_migration
from segkit.timeline import migration_alerts, migration_table, recut_comparison, snapshot_pair
from segkit.timeline import text

NEW, GONE = "(not yet a customer)", "(no longer in the table)"


def lines_from(rows) -> pd.DataFrame:
    """(customer, 'YYYY-MM-DD', amount) rows as clean lines, one order each; a negative amount is a return."""
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame.insert(1, "order_id", [f"o{i}" for i in range(len(frame))])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["quantity"] = np.where(frame["amount"] < 0, -1, 1)
    frame["is_return"] = frame["amount"] < 0
    return frame


def random_lines(seed: int, n_customers: int = 60, n_lines: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01")
    rows = [(f"c{c:03d}", str(start + pd.Timedelta(days=int(d))), float(a)) for c, d, a in zip(
        rng.integers(0, n_customers, n_lines), rng.integers(0, 540, n_lines),
        rng.choice([10.0, 25.0, 40.0], n_lines))]
    return lines_from(rows)


def naive_stake(lines: pd.DataFrame, customer: str, snapshot: pd.Timestamp, days: int) -> float:
    total = 0.0
    for _, row in lines.iterrows():
        if row["customer_id"] == customer and snapshot - pd.Timedelta(days=days) <= row["order_date"] < snapshot:
            total += row["amount"]
    return total


# --- the matrix adds up ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_migration_adds_up_to_the_customers_of_both_snapshots(seed):
    lines = random_lines(seed)
    pair = snapshot_pair(lines, days=120, stake_days=200)
    earlier = rfm.rfm_segments(pair.earlier, lifecycle=None, warn=False)["segment"]
    later = rfm.rfm_segments(pair.later, lifecycle=None, warn=False)["segment"]
    table = migration_table(earlier, later, pair.at_stake)
    # customers of either snapshot, counted by a loop over the lines
    before = {c for c, d in zip(lines["customer_id"], lines["order_date"]) if d < pair.earlier_date}
    every = {c for c, d in zip(lines["customer_id"], lines["order_date"]) if d < pair.later_date}
    assert table["customers"].sum() == len(every | before) == len(every)
    assert table.loc[table["from"] == NEW, "customers"].sum() == len(every - before)
    for segment, n in earlier.value_counts().items():
        assert table.loc[table["from"] == segment, "customers"].sum() == n
    for segment, n in later.value_counts().items():
        assert table.loc[table["to"] == segment, "customers"].sum() == n
    stakes = {c: naive_stake(lines, c, pair.later_date, 200) for c in sorted(every)}
    assert table["revenue"].sum() == pytest.approx(sum(stakes.values()))
    assert pair.at_stake.sort_index().to_dict() == pytest.approx(stakes)
    assert (table["customers"] > 0).all() and GONE not in set(table["to"])


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 199), st.sampled_from([-5.0, 10.0, 30.0])),
                     min_size=1, max_size=40),
       days=st.integers(1, 150), stake_days=st.integers(1, 400))
def test_every_customer_of_either_snapshot_moves_exactly_once(rows, days, stake_days):
    start = pd.Timestamp("2024-01-01")
    lines = lines_from([(c, str(start + pd.Timedelta(days=d)), a) for c, d, a in rows])
    first = lines.loc[~lines["is_return"]].groupby("customer_id")["order_date"].min()
    since = first.reindex(lines["customer_id"]).to_numpy(dtype="datetime64[ns]")
    lines = lines.loc[lines["order_date"].to_numpy() >= since]  # no customer starts with a return
    if lines.empty or lines["order_date"].min() >= start + pd.Timedelta(days=200 - days):
        return  # nobody bought before the earlier snapshot: test_an_earlier_snapshot_before_the_data_... covers it
    pair = snapshot_pair(lines, days=days, snapshot_date=start + pd.Timedelta(days=200), stake_days=stake_days)
    # segments by hand: a customer's number of purchase lines, capped at 3
    earlier = pair.earlier["n_orders"].clip(upper=3).astype(str)
    later = pair.later["n_orders"].clip(upper=3).astype(str)
    table = migration_table(earlier, later, pair.at_stake)
    buyers = set(lines.loc[~lines["is_return"], "customer_id"])
    assert table["customers"].sum() == len(buyers) == len(pair.at_stake)
    assert table.loc[table["from"] != NEW, "customers"].sum() == len(pair.earlier)
    window = lines.loc[lines["order_date"] >= start + pd.Timedelta(days=200 - stake_days)]
    assert table["revenue"].sum() == pytest.approx(window["amount"].sum())


def test_two_exports_count_the_gone_customers_and_their_earlier_revenue():
    earlier_lines = lines_from([("a", "2024-01-05", 10.0), ("b", "2024-01-10", 20.0), ("g", "2023-06-01", 70.0),
                                ("g", "2024-01-20", 5.0)])
    later_lines = lines_from([("a", "2024-01-05", 10.0), ("b", "2024-01-10", 20.0), ("a", "2024-03-01", 4.0),
                              ("n", "2024-03-02", 8.0)])
    pair = snapshot_pair(later_lines, earlier_clean=earlier_lines, stake_days=365)
    assert (pair.earlier_date, pair.later_date) == (pd.Timestamp("2024-01-21"), pd.Timestamp("2024-03-03"))
    # g is gone: its stake is the 365 days before the earlier snapshot, from 2023-01-21 (both lines)
    assert pair.at_stake.sort_index().to_dict() == {"a": 14.0, "b": 20.0, "g": 75.0, "n": 8.0}
    earlier = pd.Series(["x", "x", "y"], index=["a", "b", "g"])
    later = pd.Series(["x", "y", "y"], index=["a", "b", "n"])
    table = migration_table(earlier, later, pair.at_stake)
    assert table.to_numpy().tolist() == [["x", "x", 1, 14.0], ["x", "y", 1, 20.0], ["y", GONE, 1, 75.0],
                                         [NEW, "y", 1, 8.0]]


def test_segment_migration_weights_sum_each_cell():
    earlier = pd.Series(["x", "x", "y"], index=["a", "b", "c"])
    later = pd.Series(["y", "x", "y", "x"], index=["a", "b", "c", "d"])
    weights = pd.Series([1.5, 2.0, 4.0, 8.0], index=["d", "a", "b", "c"])  # any order
    matrix = segment_migration(earlier, later, weights=weights)
    assert matrix.to_numpy().tolist() == [[4.0, 2.0], [0.0, 8.0], [1.5, 0.0]]
    assert segment_migration(earlier, later).to_numpy().tolist() == [[1, 1], [0, 1], [1, 0]]


def test_segment_migration_weights_must_cover_every_customer():
    earlier = pd.Series(["x"], index=["a"])
    later = pd.Series(["x", "y"], index=["a", "b"])
    with pytest.raises(DataError) as err:
        segment_migration(earlier, later, weights=pd.Series([1.0], index=["a"]))
    assert str(err.value) == ("weights lack a finite number for 1 customer(s) of the two segmentations (e.g. ['b']); "
                              "give every customer of either snapshot a weight (0 for none).")


# --- alerts, each reason built by hand ---------------------------------------------------------------------

# Later snapshot 2024-07-01, earlier 90 days before: 2024-04-02. Stake: the 365 days from 2023-07-02.
HAND = lines_from([
    ("top", "2023-06-01", 500.0),  # before the stake window
    ("top", "2024-01-10", 100.0), ("top", "2024-02-10", 100.0), ("top", "2024-02-15", -30.0),
    ("stay", "2024-03-25", 10.0), ("stay", "2024-03-30", 10.0), ("stay", "2024-06-20", 10.0),
    ("stay", "2024-06-25", 10.0),
    # gap 10 days; 12 days silent at the earlier snapshot (ratio 1.2), 102 at the later one (10.2)
    ("overdue", "2024-03-01", 1000.0), ("overdue", "2024-03-11", 1000.0), ("overdue", "2024-03-21", 1000.0),
    ("small_overdue", "2024-03-01", 1.0), ("small_overdue", "2024-03-11", 1.0), ("small_overdue", "2024-03-21", 1.0),
    # gap 10 days; overdue at both snapshots (113 and 203 days silent)
    ("already", "2023-12-01", 2000.0), ("already", "2023-12-11", 2000.0),
    ("winback", "2023-08-01", 50.0), ("winback", "2024-05-15", 30.0),
    ("lapsed", "2023-08-01", 50.0),
    ("new", "2024-06-01", 20.0),
])
HAND_EARLIER = pd.Series({"top": "Champions", "stay": "Champions", "overdue": "Champions",
                          "small_overdue": "Need Attention", "already": "At Risk", "winback": "Lost",
                          "lapsed": "Lost"})
HAND_LATER = pd.Series({"top": "At Risk", "stay": "Champions", "overdue": "Champions",
                        "small_overdue": "Need Attention", "already": "At Risk", "winback": "Promising",
                        "lapsed": "Lost", "new": "New Customers"})


def hand_pair():
    return snapshot_pair(HAND, days=90, snapshot_date="2024-07-01")


def test_hand_pair_dates_stakes_and_overdue():
    pair = hand_pair()
    assert (pair.earlier_date, pair.later_date, pair.days) == (pd.Timestamp("2024-04-02"), pd.Timestamp("2024-07-01"), 90)
    assert pair.at_stake.to_dict() == {"already": 4000.0, "lapsed": 50.0, "new": 20.0, "overdue": 3000.0,
                                       "small_overdue": 3.0, "stay": 40.0, "top": 170.0, "winback": 80.0}
    # 'top': gaps 223 and 31 days (median 127), silent 52 then 142 days: never overdue
    assert sorted(pair.cycle_later.index[pair.cycle_later["overdue"]]) == ["already", "overdue", "small_overdue"]
    assert sorted(pair.cycle_earlier.index[pair.cycle_earlier["overdue"]]) == ["already"]


def test_alerts_one_case_per_reason():
    # valuable at 0.8: 'already' (4000) then 'overdue' (3000, 55% of 7,363 before it); 'top' has 95% before it
    alerts = migration_alerts(hand_pair(), HAND_EARLIER, HAND_LATER, top_segments=["Champions"],
                              lapsed_segments=["Lost", "At Risk"], valuable_share=0.8)
    assert list(alerts.columns) == ["customer_id", "from", "to", "revenue_at_stake", "reason"]
    assert alerts.to_numpy().tolist() == [
        ["top", "Champions", "At Risk", 170.0, "left a top segment"],
        ["overdue", "Champions", "Champions", 3000.0, "newly overdue"],
        ["winback", "Lost", "Promising", 80.0, "won back"],
    ]


def test_only_the_top_share_of_revenue_is_valuable():
    # at 0.5 only 'already' (4000 of 7,363) is valuable, and it was overdue already: no overdue alert
    alerts = migration_alerts(hand_pair(), HAND_EARLIER, HAND_LATER, top_segments=["Champions"],
                              lapsed_segments=["Lost"], valuable_share=0.5)
    assert alerts["reason"].tolist() == ["left a top segment", "won back"]


def test_leaving_for_another_top_segment_is_no_alert_and_gone_is_one():
    pair = snapshot_pair(HAND.loc[HAND["customer_id"] != "top"], earlier_clean=HAND.loc[HAND["order_date"] < "2024-04-02"],
                         snapshot_date="2024-07-01")
    # the earlier export ends on 2024-03-30, so its snapshot is 2024-03-31
    assert (pair.earlier_date, pair.later_date) == (pd.Timestamp("2024-03-31"), pd.Timestamp("2024-07-01"))
    later = HAND_LATER.drop("top").replace({"Champions": "Loyal Customers"})  # 'stay' and 'overdue' stay on top
    alerts = migration_alerts(pair, HAND_EARLIER, later, top_segments=["Champions", "Loyal Customers"],
                              lapsed_segments=["Lost"], valuable_share=0.5)
    left = alerts.loc[alerts["reason"] == "left a top segment"]
    # 'top' is gone: its stake is the 365 days before the earlier snapshot, from 2023-04-01: 500 + 100 + 100 - 30
    assert left.to_numpy().tolist() == [["top", "Champions", GONE, 670.0, "left a top segment"]]


def test_alert_options_are_checked():
    pair = hand_pair()
    with pytest.raises(DataError) as err:
        migration_alerts(pair, HAND_EARLIER, HAND_LATER, top_segments=["Champion"], lapsed_segments=["Lost"])
    assert str(err.value) == (
        "top_segments names segment(s) ['Champion'] that neither snapshot has; the segments are ['At Risk', "
        "'Champions', 'Lost', 'Need Attention', 'New Customers', 'Promising']. Spell them as the segment rules do.")
    with pytest.raises(DataError) as err:
        migration_alerts(pair.at_stake, HAND_EARLIER, HAND_LATER)
    assert str(err.value) == ("pair must be a SnapshotPair, got Series; build it with "
                              "segkit.timeline.snapshot_pair(clean, days=90).")
    with pytest.raises(DataError, match=r"valuable_share=1 must be a share of revenue between 0 and 1"):
        migration_alerts(pair, HAND_EARLIER, HAND_LATER, top_segments=["Champions"], lapsed_segments=["Lost"],
                         valuable_share=1)


# --- fixed model against a refit -------------------------------------------------------------------------


def customers(rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(rows, index=["days_since_last_purchase", "n_orders", "revenue"]).T
    return frame.astype({"days_since_last_purchase": int, "n_orders": int, "revenue": float}).rename_axis("customer_id")


def test_recut_moves_customers_who_did_not_change():
    # five customers c1 (best) .. c5 (worst): rank scores 5..1 on R, F and M
    earlier = customers({f"c{i}": (10 * i, 10 - i, 100.0 * (10 - i)) for i in range(1, 6)})
    # later: the same five, unchanged, and five new customers better than c1 on everything
    later = pd.concat([earlier, customers({f"n{i}": (i, 20 - i, 1000.0 * (20 - i)) for i in range(1, 6)})])
    scale = rfm.RFMScale.fit(earlier)
    before = rfm.rfm_segments(earlier, thresholds=scale.thresholds, lifecycle=None, warn=False)["segment"]
    fixed = rfm.rfm_segments(later, thresholds=scale.thresholds, lifecycle=None, warn=False)["segment"]
    refit = rfm.rfm_segments(later, lifecycle=None, warn=False)["segment"]
    # by hand: earlier c1..c5 score (5,5,5), (4,4,4), (3,3,3), (2,2,2), (1,1,1); re-cut among ten
    # (score = 1 + floor(5 x share worse)): n1 n2 -> 5, n3 n4 -> 4, n5 c1 -> 3, c2 c3 -> 2, c4 c5 -> 1.
    # The names are the default rules' for those cells (Champions, Champions, Need Attention, Hibernating, Lost)
    name = rfm.rule_cells().set_index(["R", "F", "M"])["segment"]
    n = {score: name[(score, score, score)] for score in range(1, 6)}
    assert [n[5], n[4], n[3], n[2], n[1]] == ["Champions", "Champions", "Need Attention", "Hibernating", "Lost"]
    assert before.astype(str).tolist() == [n[5], n[4], n[3], n[2], n[1]]
    assert refit.astype(str).tolist() == [n[3], n[2], n[2], n[1], n[1], n[5], n[5], n[4], n[4], n[3]]
    assert fixed.astype(str).tolist() == before.astype(str).tolist() + [n[5]] * 5
    counts = recut_comparison(before, fixed, refit)
    assert counts.to_dict() == {"customers": 10, "differ": 5, "followed": 5, "moved_fixed": 0, "moved_refit": 4,
                                "only_refit": 4, "only_fixed": 0}
    assert text.recut_words(counts) == (
        "Scored with the model fitted at the earlier snapshot and with quintiles re-cut at the later one, "
        "**5 of 10 customers (50%) land in different segments**. Of the 5 customers of both snapshots, 0 moved "
        "with the fixed model and 4 with the refit: **4 moves (100% of the moves a refit shows) are only artefacts "
        "of re-cutting the quintiles**, and 0 real moves are hidden by it.")


def test_recut_counts_moves_the_refit_hides():
    earlier = pd.Series(["x", "x", "y", "y"], index=list("abcd"))
    fixed = pd.Series(["y", "x", "y", "x", "z"], index=list("abcde"))
    refit = pd.Series(["x", "y", "y", "x", "x"], index=list("edcba"))  # a: x, b: x, c: y, d: y, e: x
    counts = recut_comparison(earlier, fixed, refit)
    # fixed moves a and d; refit moves nobody; a, d and e are scored differently
    assert counts.to_dict() == {"customers": 5, "differ": 3, "followed": 4, "moved_fixed": 2, "moved_refit": 0,
                                "only_refit": 0, "only_fixed": 2}


# --- bad input ---------------------------------------------------------------------------------------------


def test_two_snapshots_with_no_customer_in_common():
    earlier = lines_from([("00123", "2024-01-05", 10.0), ("00124", "2024-01-06", 10.0)])
    later = lines_from([("123", "2024-02-05", 10.0), ("124", "2024-02-06", 10.0), ("125", "2024-02-07", 10.0)])
    with pytest.raises(DataError) as err:
        snapshot_pair(later, earlier_clean=earlier)
    assert str(err.value) == (
        "the two snapshots have no customers in common: the earlier has 2 customers (e.g. ['00123', '00124']), "
        "the later 3 (e.g. ['123', '124', '125']), so nobody can be followed from one to the other. Compare two "
        "exports of the same shop whose customer ids are read alike: map the same column to customer_id in both "
        "(column_map) and check that ids keep their form (leading zeros, prefixes).")


def test_an_earlier_snapshot_before_the_data_says_which_days_work():
    with pytest.raises(DataError) as err:
        snapshot_pair(HAND, days=400, snapshot_date="2024-07-01")
    assert str(err.value) == (
        "nobody had bought by the earlier snapshot 2023-05-28: the data start on 2023-06-01, 396 days before "
        "the later snapshot 2024-07-01; set the comparison below 396 days (it is 400).")


def test_snapshot_options_are_checked():
    with pytest.raises(DataError) as err:
        snapshot_pair(HAND, days=0)
    assert str(err.value) == "days=0 must be a whole number of days of at least 1 (e.g. 90 for a quarter)."
    with pytest.raises(DataError) as err:
        snapshot_pair(HAND, earlier_clean=HAND, earlier_snapshot_date="2024-07-01", snapshot_date="2024-07-01")
    assert str(err.value) == (
        "the earlier snapshot 2024-07-01 is not before the later one 2024-07-01; pass the older export as the "
        "earlier one, or an earlier_snapshot_date before the later.")


# --- words -------------------------------------------------------------------------------------------------


def test_migration_and_alert_words_by_hand():
    table = pd.DataFrame({"from": ["x", "x", "y", NEW, "y"], "to": ["x", "y", "y", "x", GONE],
                          "customers": [3, 1, 4, 2, 1], "revenue": [30.0, 5.0, 40.0, 1200.0, 7.0]})
    assert text.migration_words(table, earlier_date=pd.Timestamp("2024-04-02"),
                                later_date=pd.Timestamp("2024-07-01")) == (
        "Between 2024-04-02 and 2024-07-01 (90 days), 8 customers were there at both snapshots: **88% (7) stayed "
        "in their segment and 1 moved**. 2 customers are new since then (1,200 of revenue at stake), and 1 of the "
        "earlier customers are missing from the later data (7 of revenue at stake).")
    alerts = pd.DataFrame({"customer_id": ["a", "b", "a"], "revenue_at_stake": [10.0, 2500.0, 10.0],
                           "reason": ["left a top segment", "won back", "newly overdue"]})
    assert text.alert_words(alerts, top_segments=["Champions", "Loyal Customers"], valuable_share=0.5) == (
        "**3 alerts on 2 customers:** 1 left a top segment (Champions or Loyal Customers), with 10 of revenue at "
        "stake; 1 valuable customers (those bringing the top 50% of it) are newly overdue on their own cycle, with "
        "10 of revenue at stake; 1 lapsed or at-risk customers came back, with 2,500 of revenue at stake.")
