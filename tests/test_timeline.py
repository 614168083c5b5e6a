"""segkit.timeline against independent computations: naive loops over small hand-made order lines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from segkit import data
from segkit.errors import DataError
from segkit.timeline import (
    cohort_retention,
    cycle_by_segment,
    purchase_cycle,
    retention_trend,
    seasonal_peaks,
    seasonality,
)
from segkit.timeline import text


def lines_from(rows) -> pd.DataFrame:
    """(customer, order, 'YYYY-MM-DD[ HH:MM]', amount) rows as clean lines; a negative amount is a return."""
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"], format="ISO8601")
    frame["quantity"] = np.sign(frame["amount"]).replace(0, 1)
    frame["is_return"] = frame["amount"] < 0
    return frame


def random_lines(seed: int, n_customers: int = 40, n_lines: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    customers = rng.integers(0, n_customers, n_lines)
    start = pd.Timestamp("2023-11-20")
    days = rng.integers(0, 500, n_lines)
    rows = [(f"c{c:03d}", f"o{i}", start + pd.Timedelta(days=int(d), hours=int(rng.integers(0, 24))),
             float(rng.choice([-5.0, 10.0, 20.0, 0.0], p=[0.1, 0.5, 0.3, 0.1]))) for i, (c, d) in
            enumerate(zip(customers, days))]
    frame = lines_from([(c, o, str(t), a) for c, o, t, a in rows])
    # a return is never the customer's first line
    first = frame.groupby("customer_id")["order_date"].transform("min")
    return frame.loc[~(frame["is_return"] & (frame["order_date"] == first))].reset_index(drop=True)


# --- cohort retention -----------------------------------------------------------------------------------


def naive_retention(lines: pd.DataFrame, snapshot: pd.Timestamp) -> dict:
    """Loop over customers and months: {(cohort 'YYYY-MM', k): (size, active, revenue)}."""
    lines = lines[lines["order_date"] < snapshot]
    month = lambda t: t.year * 12 + t.month - 1  # noqa: E731
    cohort = {}
    for _, row in lines.iterrows():
        if not row["is_return"]:
            c = cohort.get(row["customer_id"])
            cohort[row["customer_id"]] = month(row["order_date"]) if c is None else min(c, month(row["order_date"]))
    last = month(snapshot - pd.Timedelta(days=1))
    out = {}
    for c in sorted(set(cohort.values())):
        members = [cust for cust, m in cohort.items() if m == c]
        for k in range(last - c + 1):
            active, revenue = set(), 0.0
            for _, row in lines.iterrows():
                if row["customer_id"] in members and month(row["order_date"]) - c == k:
                    revenue += row["amount"]
                    if not row["is_return"]:
                        active.add(row["customer_id"])
            out[(f"{c // 12}-{c % 12 + 1:02d}", k)] = (len(members), len(active), revenue)
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_retention_matrix_equals_a_naive_loop(seed):
    lines = random_lines(seed)
    snapshot = pd.Timestamp("2025-02-14")
    table = cohort_retention(lines, snapshot_date=snapshot)
    expected = naive_retention(lines, snapshot)
    got = {(r.cohort, r.period_index): (r.cohort_size, r.customers_active, r.revenue) for r in table.itertuples()}
    assert got.keys() == expected.keys()
    for key, (size, active, revenue) in expected.items():
        assert got[key][:2] == (size, active), key
        assert got[key][2] == pytest.approx(revenue, abs=1e-6), key
    share = table["customers_active"] / table["cohort_size"]
    assert np.allclose(table["share_active"], share)
    assert (table.loc[table["period_index"] == 0, "share_active"] == 1).all()


def test_cohort_revenue_per_customer_and_its_running_total():
    lines = lines_from([("a", "1", "2024-01-03", 10.0), ("b", "2", "2024-01-20", 30.0), ("a", "3", "2024-02-01", 6.0),
                        ("b", "4", "2024-03-09", -4.0), ("b", "5", "2024-03-10", 2.0)])
    table = cohort_retention(lines, snapshot_date="2024-04-01")
    assert table["revenue_per_customer"].tolist() == [20.0, 3.0, -1.0]
    assert table["cumulative_revenue_per_customer"].tolist() == [20.0, 23.0, 22.0]
    assert table["customers_active"].tolist() == [2, 1, 1]


def test_customers_with_only_returns_have_no_cohort_and_returns_are_dated_when_they_happen():
    lines = lines_from([("a", "1", "2024-01-03", 10.0), ("z", "9", "2024-01-04", -3.0),
                        ("a", "2", "2024-03-05", -2.0)])
    table = cohort_retention(lines, snapshot_date="2024-04-01")
    assert table["cohort_size"].unique().tolist() == [1]
    assert table["revenue"].tolist() == [10.0, 0.0, -2.0]
    assert table["customers_active"].tolist() == [1, 0, 0]  # a return is not activity


def test_quarters_and_the_incomplete_last_period():
    lines = lines_from([("a", "1", "2024-02-03", 1.0), ("b", "2", "2024-05-01", 1.0), ("a", "3", "2024-06-30", 1.0),
                        ("a", "4", "2024-08-02", 1.0)])
    table = cohort_retention(lines, period="quarter")  # snapshot 2024-08-03, in Q3
    assert table["cohort"].tolist() == ["2024Q1", "2024Q1", "2024Q1", "2024Q2", "2024Q2"]
    assert table["period_index"].tolist() == [0, 1, 2, 0, 1]
    assert table["customers_active"].tolist() == [1, 1, 1, 1, 0]
    assert table["complete"].tolist() == [True, True, False, True, False]
    assert table["cohort_start"].dt.strftime("%Y-%m-%d").tolist()[::3] == ["2024-01-01", "2024-04-01"]


def test_a_month_without_new_customers_has_no_cohort_and_lines_after_the_snapshot_do_not_count():
    lines = lines_from([("a", "1", "2024-01-03", 1.0), ("b", "2", "2024-03-05", 1.0), ("c", "3", "2024-05-05", 1.0)])
    table = cohort_retention(lines, snapshot_date="2024-04-15")
    assert table["cohort"].unique().tolist() == ["2024-01", "2024-03"]


def test_retention_trend_by_hand():
    table = pd.DataFrame({
        "cohort": ["c1", "c2", "c3", "c4", "c5", "c5"],
        "period_index": [3, 3, 3, 3, 3, 6],
        "cohort_size": [10, 30, 50, 20, 40, 40],
        "customers_active": [5, 6, 40, 2, 4, 1],
        "complete": [True, True, True, True, False, False],
    })
    trend = retention_trend(table, horizons=[3, 6])
    row = trend.loc[3]
    assert (row["cohorts"], row["first_cohort"], row["last_cohort"]) == (4, "c1", "c4")  # c5 is incomplete
    assert row["first_share"] == 0.5 and row["last_share"] == 0.1
    assert row["older_share"] == pytest.approx(11 / 40) and row["newer_share"] == pytest.approx(42 / 70)
    assert trend.loc[6, "cohorts"] == 0 and math.isnan(trend.loc[6, "difference"])


def test_retention_words_name_the_direction_and_too_short_data():
    trend = pd.DataFrame({"cohorts": [8, 1], "first_cohort": ["2024-01", "2024-01"], "first_share": [0.40, 0.3],
                          "last_cohort": ["2024-08", ""], "last_share": [0.25, np.nan], "older_share": [0.38, np.nan],
                          "newer_share": [0.30, np.nan], "difference": [-0.08, np.nan]}, index=pd.Index([3, 6]))
    first, second = text.cohort_words(trend)
    assert "40% of the first cohort (2024-01)" in first and "25% of the newest cohort" in first
    assert "Newer cohorts retain worse than older ones: 30% for the newer half against 38% for the older half, " \
           "8 points apart" in first
    assert second.startswith("6 months after their first purchase: only one cohort has been observed that long")


# --- purchase cycle -------------------------------------------------------------------------------------


def test_purchase_gaps_and_overdue_ratio_by_hand():
    lines = lines_from([
        ("a", "1", "2024-01-01 09:00", 5.0), ("a", "2", "2024-01-01 17:00", 5.0),  # two orders, one purchase day
        ("a", "3", "2024-01-05", 5.0), ("a", "4", "2024-01-15", 5.0), ("a", "5", "2024-01-17", 5.0),
        ("a", "6", "2024-01-20", -5.0),  # a return is no purchase day
        ("b", "7", "2024-01-10", 8.0), ("b", "8", "2024-02-09", 8.0),
        ("c", "9", "2024-02-01", 1.0),
    ])
    cycle = purchase_cycle(lines, snapshot_date="2024-03-01")
    # a: purchase days Jan 1, 5, 15, 17 -> gaps 4, 10, 2 -> median 4; silent since Jan 17 = 44 days
    assert cycle.loc["a"].to_dict() == {"n_orders": 5, "purchase_days": 4, "median_gap_days": 4.0,
                                        "days_since_last_purchase": 44, "overdue_ratio": 11.0, "overdue": True}
    # b: one gap of 30 days, silent 21 days -> 0.7, not overdue
    assert cycle.loc["b", "median_gap_days"] == 30 and cycle.loc["b", "overdue_ratio"] == pytest.approx(0.7)
    assert not cycle.loc["b", "overdue"]
    assert math.isnan(cycle.loc["c", "median_gap_days"]) and not cycle.loc["c", "overdue"]


def test_overdue_multiple_is_a_strict_threshold():
    lines = lines_from([("a", "1", "2024-01-01", 1.0), ("a", "2", "2024-01-11", 1.0)])
    at_two = purchase_cycle(lines, snapshot_date="2024-01-31")  # 20 days silent, gap 10: ratio exactly 2
    assert at_two.loc["a", "overdue_ratio"] == 2.0 and not at_two.loc["a", "overdue"]
    assert purchase_cycle(lines, snapshot_date="2024-01-31", overdue_multiple=1.5).loc["a", "overdue"]


def test_cycle_agrees_with_the_customer_table():
    lines = random_lines(3)
    snapshot = pd.Timestamp("2025-01-01")
    cycle = purchase_cycle(lines, snapshot_date=snapshot)
    customers = data.customer_table(lines, snapshot_date=snapshot)
    assert cycle.index.tolist() == customers.index.tolist()
    assert cycle["n_orders"].tolist() == customers["n_orders"].tolist()
    assert cycle["days_since_last_purchase"].tolist() == customers["days_since_last_purchase"].tolist()
    assert (cycle["purchase_days"] - 1).tolist() == customers["frequency"].tolist()


def test_median_gap_against_a_naive_loop():
    lines = random_lines(5)
    cycle = purchase_cycle(lines)
    for customer, rows in lines[~lines["is_return"]].groupby("customer_id"):
        days = sorted(set(rows["order_date"].dt.normalize()))
        gaps = [(b - a).days for a, b in zip(days, days[1:])]
        expected = float(np.median(gaps)) if gaps else float("nan")
        assert cycle.loc[customer, "median_gap_days"] == pytest.approx(expected, nan_ok=True)


def test_cycle_by_segment_quartiles_and_shares_by_hand():
    cycle = pd.DataFrame({"median_gap_days": [10.0, 20.0, 30.0, 40.0, np.nan, 7.0],
                          "overdue": [True, False, True, False, False, False]}, index=list("abcdef"))
    segments = pd.Series(pd.Categorical(["Y", "Y", "X", "X", "X", "X"], categories=["Y", "X", "Empty"]),
                         index=list("fedcba"))  # index order differs from the cycle's
    table = cycle_by_segment(cycle, segments)
    assert table.index.tolist() == ["Y", "X", "all customers"]  # category order, empty category left out
    x = table.loc["X"]
    assert (x["customers"], x["repeat_customers"], x["overdue"]) == (4, 4, 2)
    assert (x["gap_q1"], x["gap_median"], x["gap_q3"]) == (17.5, 25.0, 32.5)
    assert table.loc["Y", "repeat_customers"] == 1 and table.loc["Y", "overdue_share"] == 0
    assert table.loc["all customers", "overdue_share"] == pytest.approx(2 / 5)


def test_cycle_words_in_full():
    by_segment = pd.DataFrame({"customers": [100, 50, 30, 180], "repeat_customers": [80, 25, 10, 115],
                               "gap_q1": [10.0, 20.0, 5.0, 12.0], "gap_median": [20.0, 40.0, 9.0, 25.0],
                               "gap_q3": [40.0, 80.0, 15.0, 50.0], "overdue": [20, 15, 9, 44],
                               "overdue_share": [0.25, 0.6, 0.9, 44 / 115]},
                              index=["Champions", "At Risk", "Tiny", "all customers"])
    assert text.cycle_words(by_segment) == (
        "Of 180 customers, 115 bought on two days or more. Their typical gap between purchases is 25 days "
        "(a quarter buy within 12 days, a quarter wait more than 50). **38% of them (44) are overdue: silent for "
        "more than 2× their own typical gap.** Most overdue: At Risk (60%), Champions (25%); least: Champions (25%).")


# --- seasonality ----------------------------------------------------------------------------------------


def test_weekday_index_by_hand_with_unequal_weekdays():
    # 2024-01-01 is a Monday; the range Jan 1..Jan 10 holds two Mondays, Tuesdays and Wednesdays, one of the rest
    lines = lines_from([("a", "1", "2024-01-01", 5.0), ("a", "1", "2024-01-01", 5.0), ("b", "2", "2024-01-08", 3.0),
                        ("c", "3", "2024-01-05", 4.0), ("c", "4", "2024-01-06", -1.0)])
    table = seasonality(lines, snapshot_date="2024-01-11").query("unit == 'weekday'").set_index("label")
    assert table["exposure_days"].tolist() == [2, 2, 2, 1, 1, 1, 1]
    assert table.loc["Mon", "orders"] == 2 and table.loc["Mon", "revenue"] == 13.0  # one order of two lines
    assert table.loc["Sat", "orders"] == 0  # the return is no order
    # Monday: 2 orders over 2 days against 3 orders over 10 days
    assert table.loc["Mon", "index"] == pytest.approx((2 / 2) / (3 / 10))
    assert table.loc["Fri", "index"] == pytest.approx((1 / 1) / (3 / 10))
    assert "hour" not in set(seasonality(lines)["unit"])  # dates without times have no hour rows


def test_seasonality_per_segment_and_a_planted_weekday():
    rng = np.random.default_rng(7)
    days = pd.date_range("2024-01-01", "2024-12-31")
    rows = []
    for i in range(3000):
        day = days[rng.integers(len(days))]
        if rng.random() < 0.3:  # push 30% of orders onto the next Saturday
            day = day + pd.Timedelta(days=(5 - day.day_of_week) % 7)
        rows.append((f"c{i % 300}", f"o{i}", f"{day:%Y-%m-%d} {rng.integers(9, 18)}:00", 10.0))
    lines = lines_from(rows).query("order_date < '2025-01-01'")
    segments = pd.Series(np.where(np.arange(300) < 100, "first", "rest"), index=[f"c{i}" for i in range(300)])
    table = seasonality(lines, segments=segments)
    assert table["group"].drop_duplicates().tolist() == ["all customers", "first", "rest"]
    assert set(table["unit"]) == {"weekday", "hour", "month"}
    per_group = table.query("unit == 'weekday'").groupby("group")["orders"].sum()
    assert per_group["all customers"] == per_group["first"] + per_group["rest"] == len(lines)
    peaks = seasonal_peaks(table).set_index(["group", "unit"])
    assert peaks.loc[("all customers", "weekday"), "peak"] == "Sat"
    assert peaks.loc[("all customers", "weekday"), "p_value"] < 1e-6
    assert peaks.loc[("all customers", "month"), "p_value"] > 0.001  # no planted month pattern
    words = text.season_words(seasonal_peaks(table))
    assert words[0].startswith("By day of the week: a clear pattern, busiest Sat")


def test_a_growing_shop_is_not_a_season():
    # orders per day grow linearly over two years, evenly over the months: the trend must not look seasonal
    days = pd.date_range("2024-01-01", "2025-12-31")
    counts = np.round(np.linspace(2, 12, len(days))).astype(int)
    rows = [(f"c{i}", f"{d:%Y%m%d}-{i}", f"{d:%Y-%m-%d}", 1.0) for d, n in zip(days, counts) for i in range(n)]
    peaks = seasonal_peaks(seasonality(lines_from(rows))).set_index("unit")
    assert abs(peaks.loc["month", "peak_index"] - 1) < 0.05 and abs(1 - peaks.loc["month", "low_index"]) < 0.05


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, match", [
    (lambda l: cohort_retention(l, period="week"), r"period='week' is not a cohort period; use 'month' or 'quarter'"),
    (lambda l: cohort_retention(l.drop(columns="order_id")), r"lack column\(s\) \['order_id'\].*load_clean"),
    (lambda l: cohort_retention(l.assign(order_date=l["order_date"].astype(str))), r"column 'order_date' holds \w+ values, not dates \(e.g. \['2024-01-03', '2024-02-03'\]\)"),
    (lambda l: cohort_retention(l.assign(customer_id=None)), r"2 line\(s\) have no customer_id"),
    (lambda l: purchase_cycle(l, snapshot_date="2023-01-01"), r"snapshot_date 2023-01-01 is on or before"),
    (lambda l: purchase_cycle(l, overdue_multiple=0), r"overdue_multiple=0 must be a positive number"),
    (lambda l: purchase_cycle("orders.csv"), r"the clean lines file orders.csv does not exist; pass the clean lines "
     r"of segkit.data.load_clean"),
    (lambda l: purchase_cycle(3), r"got int; pass the clean lines of segkit.data.load_clean"),
    (lambda l: retention_trend(cohort_retention(l), horizons=[0]), r"horizons=\[0\] must be whole numbers"),
    (lambda l: cycle_by_segment(purchase_cycle(l), pd.Series(["x"], index=["a"])), r"1 customers of the cycle table "
     r"have no segment \(e.g. \['b'\]\)"),
    (lambda l: seasonality(l, segments=["x"]), r"segments must be a Series"),
])
def test_bad_input_names_the_problem_and_the_fix(call, match):
    lines = lines_from([("a", "1", "2024-01-03", 1.0), ("b", "2", "2024-02-03", 1.0)])
    with pytest.raises(DataError, match=match):
        call(lines)


def test_only_returns_before_the_snapshot_is_refused():
    lines = lines_from([("a", "1", "2024-01-03", -1.0), ("a", "2", "2024-02-03", 1.0)])
    with pytest.raises(DataError, match=r"no purchase is dated before the snapshot 2024-01-10: every line before it "
                                        r"is a return. Choose a later snapshot_date"):
        cohort_retention(lines, snapshot_date="2024-01-10")


# --- planted truth against what was found (segkit.timeline.truth) ---------------------------------------


def _truth_files(tmp_path, customers: pd.DataFrame, params: dict | None = None):
    """A ground_truth.csv (and generator_params.json) as the generator writes them, in tmp_path."""
    import json

    customers.to_csv(tmp_path / "ground_truth.csv", index=False)
    params = params if params is not None else {
        "cohort_effect": {"first_purchase_dropout_per_quarter": 0.5,
                          "retention_multiplier": {"2024Q1": 1.0, "2024Q2": 0.5, "2024Q3": 0.0}},
        "seasonality": {"g1": {"weekday": dict(zip("MTWtFSs", [2.0, 1, 1, 1, 1, 0.5, 0.5])),
                               "month": dict(zip(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                                                  "Oct", "Nov", "Dec"], [3.0] + [12 / 11 - 3 / 11] * 11)),
                               "hour_share": {f"{h:02d}": (1.0 if h == 10 else 0.0) for h in range(24)}}},
        "lapses": {"start": "2024-06-01"},
    }
    (tmp_path / "generator_params.json").write_text(json.dumps(params))
    return tmp_path / "ground_truth.csv"


def _truth_table(ids, groups, lapse=None, alive=None) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame({"customer_id": ids, "group": groups, "acquisition_date": "2024-01-01",
                         "alive_at_end": alive if alive is not None else [True] * n,
                         "planted_lapse": lapse if lapse is not None else [False] * n})


def test_load_truth_refuses_missing_other_and_old_truth(tmp_path):
    from segkit.timeline.truth import load_truth

    truth, why = load_truth(tmp_path / "nope.csv", pd.Index(["a"]))
    assert truth is None and "no ground-truth file" in why
    path = _truth_files(tmp_path, _truth_table([f"c{i}" for i in range(200)], "g1"))
    ids = pd.Index([f"c{i}" for i in range(199)] + ["stranger"])
    truth, why = load_truth(path, ids)  # 199 of 200 known: 99.5%
    assert why == "" and truth.matched == pytest.approx(0.995) and truth.customers.index.name == "customer_id"
    truth, why = load_truth(path, pd.Index([f"c{i}" for i in range(197)] + ["x", "y", "z"]))  # 98.5%
    assert truth is None and "knows only 98%" in why and "other data" in why
    _truth_table(["a"], "g1").drop(columns="planted_lapse").to_csv(path, index=False)
    with pytest.raises(DataError, match=r"lacks \['planted_lapse'\].*python -m segkit.datasets.*ground_truth_path"):
        load_truth(path, pd.Index(["a"]))
    _truth_files(tmp_path, _truth_table(["a"], "g1"), params={"seasonality": {}})
    with pytest.raises(DataError, match=r"lacks \['cohort_effect', 'lapses'\]"):
        load_truth(path, pd.Index(["a"]))


def test_cohort_truth_standardises_by_group_by_hand(tmp_path):
    """Two groups, two acquisition quarters; retention 3 months on, by hand.

    2024Q1: g1 a (back in month 3), b (not); g2 c (back). 2024Q2: g1 d (back), e (not), f (not); g2 g (not).
    Baselines (first quarter, per group): g1 1/2, g2 1/1. 2024Q2: retained 1/4; expected (3 × 1/2 + 1 × 1) / 4.
    """
    from segkit.timeline.truth import cohort_truth, load_truth

    rows = [("a", "1", "2024-01-10", 5.0), ("a", "2", "2024-04-02", 5.0), ("b", "3", "2024-02-01", 5.0),
            ("b", "4", "2024-03-01", 5.0), ("c", "5", "2024-03-15", 5.0), ("c", "6", "2024-06-30", 5.0),
            ("d", "7", "2024-04-01", 5.0), ("d", "8", "2024-07-09", 5.0), ("e", "9", "2024-05-05", 5.0),
            ("e", "10", "2024-08-31", -5.0), ("f", "11", "2024-06-20", 5.0), ("g", "12", "2024-06-01", 5.0),
            ("a", "13", "2024-12-30", 5.0)]
    lines = lines_from(rows)
    groups = {"a": "g1", "b": "g1", "c": "g2", "d": "g1", "e": "g1", "f": "g1", "g": "g2"}
    path = _truth_files(tmp_path, _truth_table(list(groups), list(groups.values())))
    truth, _ = load_truth(path, pd.Index(list(groups)))
    table = cohort_truth(lines, truth, months=[3], snapshot_date="2025-01-01")
    assert table["quarter"].tolist() == ["2024Q1", "2024Q2"]
    assert table["customers"].tolist() == [3, 4]
    assert table["retained"].tolist() == pytest.approx([2 / 3, 1 / 4])  # e's month-3 line is a return
    assert table["expected_as_first"].tolist() == pytest.approx([2 / 3, (3 / 2 + 1) / 4])
    assert table["measured_factor"].tolist() == pytest.approx([1.0, (1 / 4) / (2.5 / 4)])
    assert table["planted_factor"].tolist() == [1.0, 0.5]
    # a quarter whose last month has not had k complete months before the snapshot is left out
    short = cohort_truth(lines, truth, months=[3], snapshot_date="2024-09-01")  # June + 3 is not complete
    assert short["quarter"].tolist() == ["2024Q1"]
    words = text.cohort_truth_words(table)
    assert words == ["3 months after the first purchase, the 2024Q2 customers kept **0.40×** the retention of the "
                     "first quarter's customers of the same groups; the generator planted **0.50×**. Over 1 later "
                     "quarters the measured factor is within 0.1 of the planted one 1 times (largest gap 0.10, "
                     "mean 0.10)."]
    assert "only one acquisition quarter" in text.cohort_truth_words(short)[0]


def test_season_truth_puts_each_planted_weight_beside_its_level(tmp_path):
    from segkit.timeline.truth import load_truth, season_truth

    rows = [(c, f"{c}{i}", f"2024-01-{d:02d} 10:30", 5.0) for i, (c, d) in
            enumerate([("a", 1), ("a", 8), ("b", 2), ("b", 15), ("a", 22), ("b", 29), ("a", 3)])]
    rows.append(("z", "z1", "2024-01-05 18:00", 5.0))  # a customer outside the planted groups counts nowhere here
    lines = lines_from(rows)
    path = _truth_files(tmp_path, _truth_table(["a", "b", "z"], ["g1", "g1", "other"]))
    truth, _ = load_truth(path, pd.Index(["a", "b", "z"]))
    long, summary = season_truth(lines, truth, snapshot_date="2024-02-01")
    assert set(long["group"]) == {"g1"}
    weekday = long.loc[long["unit"] == "weekday"].set_index("label")
    assert weekday["planted"].tolist() == [2.0, 1, 1, 1, 1, 0.5, 0.5]
    found = seasonality(lines.loc[lines["customer_id"] != "z"], snapshot_date="2024-02-01")
    assert weekday["found"].tolist() == found.query("unit == 'weekday'")["index"].tolist()
    month = long.loc[long["unit"] == "month"].set_index("label")
    assert month.loc["Jan", "planted"] == 3.0  # months count from 1: January's weight is the first
    hour = long.loc[long["unit"] == "hour"].set_index("label")
    assert hour.loc["10h", "planted"] == 24.0 and hour["planted"].sum() == 24.0
    row = summary.set_index("unit").loc["weekday"]
    assert row["orders"] == 7 and row["pattern"] and row["planted_peak"] == "Mon"
    assert row["found_peak"] == weekday["found"].idxmax()
    assert row["mean_abs_diff"] == pytest.approx((weekday["found"] - weekday["planted"]).abs().mean())
    assert summary.set_index("unit").loc["hour", "found_peak"] == "10h"
    assert summary.set_index("unit").loc["hour", "peak_match"]


def test_lapse_truth_counts_by_hand(tmp_path):
    """Six regular customers; p and q are planted lapses (silent since June), r dropped out on its own."""
    from segkit.timeline import migration_alerts, snapshot_pair
    from segkit.timeline.truth import lapse_truth, load_truth

    rows = []
    for c, amount, stop in [("p", 100.0, "2024-05-25"), ("q", 1.0, "2024-05-25"), ("r", 90.0, "2024-05-28"),
                            ("s", 80.0, "2024-08-25"), ("t", 70.0, "2024-08-25"), ("u", 60.0, "2024-08-28")]:
        days = pd.date_range("2024-01-05", stop, freq="10D")
        rows += [(c, f"{c}{i}", str(d.date()), amount) for i, d in enumerate(days)]
    lines = lines_from(rows)
    ids = ["p", "q", "r", "s", "t", "u"]
    path = _truth_files(tmp_path, _truth_table(ids, "g1", lapse=[True, True] + [False] * 4,
                                               alive=[False, False, False, True, True, True]))
    truth, _ = load_truth(path, pd.Index(ids))
    pair = snapshot_pair(lines, days=90, snapshot_date="2024-09-01")
    segments = pd.Series("Lost", index=pd.Index(ids, name="customer_id"))
    alerts = migration_alerts(pair, segments, segments, top_segments=["Lost"], lapsed_segments=["Lost"],
                              valuable_share=0.5)
    # every 10 days from 2024-01-05: p, q, r last bought on 2024-05-24, s, t, u on 2024-08-22. Earlier snapshot
    # 2024-06-03: nobody silent for more than 2 × 10 days; later snapshot 2024-09-01: p, q, r silent 100 days.
    # Revenue at stake (365 days): p 15 × 100, q 15 × 1, r 15 × 90, s 24 × 80, t 24 × 70, u 24 × 60: the top half
    # of it is s, t and p. So the only valuable newly-overdue customer is p; s, t, u are won back ('Lost' and bought).
    assert alerts.groupby("reason")["customer_id"].apply(sorted).to_dict() == {
        text.REASONS["newly_overdue"]: ["p"], text.REASONS["won_back"]: ["s", "t", "u"]}
    scores = lapse_truth(alerts, truth, pair, valuable_share=0.5)
    assert scores.to_dict() == {"planted": 2, "overdue_alerts": 1, "caught": 1, "recall": 0.5, "precision": 1.0,
                                "gone": 1, "precision_gone": 1.0, "caught_any": 1, "missed_not_valuable": 1,
                                "missed_not_overdue": 0, "missed_already_overdue": 0}
    # r is gone too but not planted: alerted as valuable, it would lower the planted precision, not the gone one
    wider = lapse_truth(pd.concat([alerts, alerts.iloc[:1].assign(customer_id="r")]), truth, pair)
    assert (wider["precision"], wider["precision_gone"], wider["recall"]) == (0.5, 1.0, 0.5)


def test_lapse_truth_words_in_full():
    scores = pd.Series({"planted": 75, "overdue_alerts": 73, "caught": 42, "recall": 42 / 75, "precision": 42 / 73,
                        "gone": 55, "precision_gone": 55 / 73, "caught_any": 44, "missed_not_valuable": 27,
                        "missed_not_overdue": 0, "missed_already_overdue": 6})
    assert text.lapse_truth_words(scores, start="2025-10-01") == (
        "Of the 75 valuable regular customers planted to stop buying on 2025-10-01, **42 (56%) are in the alert "
        "list as valuable customers newly overdue** (44 with an alert of any reason). Of the 73 newly-overdue "
        "alerts, 42 (58%) are planted lapses and 55 (75%) customers the truth says have stopped buying (planted "
        "lapses and customers who dropped out on their own). Missed: 27 outside the valuable tier by revenue at "
        "stake, 6 already overdue at the earlier snapshot, 0 not yet overdue on their own cycle.")
    none = scores.copy()
    none["planted"] = 0
    assert text.lapse_truth_words(none, start="2025-10-01").startswith("No planted lapse")


def test_headline_counts_the_alerts():
    trend = pd.DataFrame({"cohorts": [3], "first_cohort": ["2024-01"], "first_share": [0.34],
                          "last_cohort": ["2025-09"], "last_share": [0.17], "older_share": [0.31],
                          "newer_share": [0.2], "difference": [-0.11]},
                         index=pd.Index([3], name="horizon"))
    by_segment = pd.DataFrame({"repeat_customers": [10], "overdue_share": [0.6]}, index=["all customers"])
    alerts = pd.DataFrame({"customer_id": ["a", "b", "b", "c"],
                           "reason": [text.REASONS["left_top"], text.REASONS["newly_overdue"],
                                      text.REASONS["left_top"], text.REASONS["won_back"]]})
    plain = text.headline(trend, by_segment)
    assert "alerts" not in plain
    assert text.headline(trend, by_segment, alerts=alerts, compare_days=90) == plain + (
        " **4 alerts** over the last 90 days on 3 customers: 2 left a top segment, 1 valuable and newly overdue, "
        "1 won back.")
    assert text.headline(trend, by_segment, alerts=alerts.iloc[:0]).endswith(
        " **0 alerts** between the two snapshots on 0 customers: 0 left a top segment, 0 valuable and newly overdue, "
        "0 won back.")


def test_the_planted_truth_is_found_in_generated_data(tmp_path):
    """End to end on a generated shop: the cohort factor, the seasonal peaks and the lapses come out."""
    from segkit import datasets, rfm
    from segkit.timeline import migration_alerts, snapshot_pair
    from segkit.timeline.truth import cohort_truth, lapse_truth, load_truth, season_truth

    datasets.write_default_data(n_customers=3000, seed=7, target=tmp_path)
    clean, _ = data.load_clean(tmp_path / "transactions.csv.gz")
    customers = data.customer_table(clean)
    truth, why = load_truth(tmp_path / "ground_truth.csv", customers.index)
    assert why == "" and truth.matched == 1.0
    cohorts = cohort_truth(clean, truth, months=[3])
    late = cohorts.loc[cohorts["quarter"].isin(["2025Q1", "2025Q2", "2025Q3"])]
    assert late["measured_factor"].mean() == pytest.approx(late["planted_factor"].mean(), abs=0.12)
    assert (late["measured_factor"] < 0.9).all()
    _, summary = season_truth(clean, truth)
    weekday = summary.loc[summary["unit"].isin(["weekday", "hour"]) & summary["pattern"]]
    assert weekday["peak_match"].all() and (weekday["correlation"] > 0.8).all()
    pair = snapshot_pair(clean, days=90)
    earlier = rfm.rfm_segments(pair.earlier, warn=False)["segment"]
    from segkit import score

    model = score.fit_model(pair.earlier, n_clusters=3, n_init=1)
    later = score.score_customers(model, pair.later)["segment"]
    alerts = migration_alerts(pair, earlier, later)
    scores = lapse_truth(alerts, truth, pair)
    assert scores["planted"] == truth.customers["planted_lapse"].sum() > 20
    assert scores["recall"] > 0.3 and scores["precision_gone"] > scores["precision"] > 0.2


# --- the same results from the Parquet file of the clean lines (issue 11: the lines stay in the engine) -------


def _as_file(lines: pd.DataFrame, tmp_path, name: str = "clean.parquet"):
    path = tmp_path / name
    lines.to_parquet(path, index=False)
    return path



@pytest.mark.parametrize("seed", [0, 3])
def test_timeline_on_the_file_equals_the_timeline_on_the_frame(seed, tmp_path, no_pandas_read):
    lines = random_lines(seed)
    path = _as_file(lines, tmp_path)
    segments = pd.Series(np.where(np.arange(40) % 3 == 0, "x", "y"), index=[f"c{i:03d}" for i in range(40)])
    for period in ("month", "quarter"):
        pd.testing.assert_frame_equal(cohort_retention(path, period=period, snapshot_date="2024-12-01"),
                                      cohort_retention(lines, period=period, snapshot_date="2024-12-01"))
    pd.testing.assert_frame_equal(purchase_cycle(path), purchase_cycle(lines))
    pd.testing.assert_frame_equal(seasonality(path, segments=segments), seasonality(lines, segments=segments))


def test_snapshot_pair_on_files_equals_the_pair_on_frames(tmp_path, no_pandas_read):
    from segkit.timeline import snapshot_pair

    lines = random_lines(5)
    earlier = lines.loc[lines["order_date"] < pd.Timestamp("2024-10-01")]
    later_path, earlier_path = _as_file(lines, tmp_path), _as_file(earlier, tmp_path, "earlier.parquet")
    for file_pair, frame_pair in [
        (snapshot_pair(later_path, days=60, stake_days=200), snapshot_pair(lines, days=60, stake_days=200)),
        (snapshot_pair(later_path, earlier_clean=earlier_path), snapshot_pair(lines, earlier_clean=earlier)),
    ]:
        assert (file_pair.earlier_date, file_pair.later_date) == (frame_pair.earlier_date, frame_pair.later_date)
        for name in ("earlier", "later", "cycle_earlier", "cycle_later"):
            pd.testing.assert_frame_equal(getattr(file_pair, name), getattr(frame_pair, name))
        pd.testing.assert_series_equal(file_pair.at_stake, frame_pair.at_stake)


def test_recent_revenue_at_stake_by_hand():
    """a: 10 on day -100 and -5 (a return) on day -10 inside a 365-day window, 7 before it; b: nothing since."""
    from segkit.timeline import snapshot_pair

    lines = lines_from([("a", "1", "2023-01-01", 7.0), ("a", "2", "2024-03-22", 10.0), ("a", "3", "2024-06-21", -5.0),
                        ("b", "4", "2023-02-01", 3.0), ("a", "5", "2024-06-30", 1.0)])
    pair = snapshot_pair(lines, days=30, snapshot_date="2024-07-01")
    assert pair.at_stake.to_dict() == {"a": 10.0 - 5.0 + 1.0, "b": 0.0}


def test_truth_checks_on_the_file_equal_those_on_the_frame(tmp_path, no_pandas_read):
    from segkit.timeline.truth import cohort_truth, load_truth, season_truth

    lines = random_lines(2, n_customers=60, n_lines=900)
    path = _as_file(lines, tmp_path)
    ids = sorted(lines["customer_id"].unique())
    truth_path = _truth_files(tmp_path, _truth_table(ids, ["g1" if i % 2 else "g2" for i in range(len(ids))]))
    truth, _ = load_truth(truth_path, pd.Index(ids))
    pd.testing.assert_frame_equal(cohort_truth(path, truth, months=[1, 3]), cohort_truth(lines, truth, months=[1, 3]))
    for found, expected in zip(season_truth(path, truth), season_truth(lines, truth)):
        pd.testing.assert_frame_equal(found, expected)


def test_a_file_that_is_not_clean_lines_is_refused_by_name(tmp_path):
    bad = tmp_path / "notes.parquet"
    pd.DataFrame({"customer_id": ["a"], "when": ["2024-01-01"]}).to_parquet(bad)
    with pytest.raises(DataError, match=r"lack column\(s\) \['order_id', 'order_date', 'amount'\]"):
        purchase_cycle(bad)
    text_dates = tmp_path / "text_dates.parquet"
    lines_from([("a", "1", "2024-01-03", 1.0)]).astype({"order_date": str}).to_parquet(text_dates)
    with pytest.raises(DataError, match=r"column 'order_date' holds VARCHAR values, not dates"):
        cohort_retention(text_dates)
    not_parquet = tmp_path / "lines.csv"
    not_parquet.write_text("customer_id\na\n")
    with pytest.raises(DataError, match=r"is not a Parquet file of order lines"):
        seasonality(not_parquet)
