"""The engine's SQL: each cleaning rule on a hand-made case, the customer table by hand, and the
same numbers whatever the number of threads or the input form (frame or Parquet)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from segkit import data, engine
from segkit.data.clean import DEFAULT_OUTLIER_Z, DEFAULT_TEST_ACCOUNT_PATTERN
from segkit.engine import database, duck, exclusions, sources
from segkit.errors import DataError

CORPUS = Path(__file__).parent / "corpus" / "files"
OPTIONS = dict(returns="net", test_account_pattern=DEFAULT_TEST_ACCOUNT_PATTERN, test_accounts=("staffer",),
               outlier_z=DEFAULT_OUTLIER_Z)


def lines(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "quantity", "unit_price", "product_id"])
    frame["order_date"] = pd.to_datetime(frame["order_date"], format="ISO8601")
    frame["amount"] = frame["quantity"] * frame["unit_price"]
    return frame.astype({"customer_id": "string", "order_id": "string", "product_id": "string"})


#: One line per rule, in the order the rules apply, each with the reason a reader would give by hand.
CASE = [
    # customer, order, date, quantity, price, product -> reason
    (("a", "1", "2024-01-01", 2, 5.0, "x"), None),
    (("a", "1", "2024-01-01", 2, 5.0, "x"), "duplicate"),  # the same line exported twice
    ((None, "2", "2024-01-02", 1, 5.0, "x"), "missing_customer"),
    (("b", "3", None, 1, 5.0, "x"), "missing_date"),
    (("TEST-7", "4", "2024-01-03", 1, 5.0, "x"), "test_account"),  # the default pattern
    (("staffer", "5", "2024-01-03", 1, 5.0, "x"), "test_account"),  # named in test_accounts
    (("b", "6", "2024-01-04", 1, -3.0, "y"), "negative_price"),
    (("a", "C7", "2024-01-05", -1, 5.0, "x"), None),  # returns 1 of the 2 bought: matched, kept
    (("a", "C8", "2024-01-06", -1, 5.0, "z"), "unmatched_return"),  # product z never bought
    (("c", "9", "2024-01-07", 1, 8.0, "x"), "no_net_revenue"),  # c returned all it bought...
    (("c", "C10", "2024-01-08", -1, 8.0, "x"), "no_net_revenue"),
    (("c", "9", "2024-01-07", 0, 0.0, "w"), "no_net_revenue"),  # ...so even c's free line goes
    (("d", "11", "2024-01-09", 1, 0.0, "w"), None),  # a free purchase: kept, flagged zero_value
]


@pytest.fixture
def case() -> pd.DataFrame:
    return lines([row for row, _ in CASE])


def test_each_rule_excludes_the_line_a_person_would(case):
    split = exclusions.split_lines(case, **OPTIONS)
    expected = {i: reason for i, (_, reason) in enumerate(CASE) if reason}
    assert len(split.clean) == sum(reason is None for _, reason in CASE)
    assert split.excluded["excluded_by"].tolist() == list(expected.values())
    counts = split.counts.set_index("rule")
    assert counts.loc["zero_value", "rows"] == 1 and counts.loc["zero_value", "customers"] == 1
    # b, c and the two test accounts have no line left: each is lost to the last rule (in rule
    # order) that removed a line of theirs; b's lines went to missing_date, then negative_price
    lost = counts["customers_lost"]
    assert (lost["no_net_revenue"], lost["test_account"], lost["negative_price"]) == (1, 2, 1)
    assert lost.drop(["no_net_revenue", "test_account", "negative_price"]).sum() == 0
    assert (split.totals["customers_in"], split.totals["customers_kept"]) == (6, 2)  # a and d are kept


def test_totals_reconcile_rows_customers_and_revenue(case):
    split = exclusions.split_lines(case, **OPTIONS)
    excluded = split.counts[split.counts["rule"] != "zero_value"]
    totals = split.totals
    assert totals["rows_in"] == len(case) == totals["rows_kept"] + excluded["rows"].sum()
    assert totals["revenue_in"] == pytest.approx(totals["revenue_kept"] + excluded["revenue"].sum(), abs=1e-9)
    assert totals["customers_in"] == totals["customers_kept"] + excluded["customers_lost"].sum()
    assert totals["revenue_kept"] == pytest.approx(10.0 - 5.0 + 0.0)  # a's 2 x 5 less the matched return; d's 0


def test_returns_drop_excludes_every_return(case):
    split = exclusions.split_lines(case, **{**OPTIONS, "returns": "drop"})
    assert split.excluded.set_index("order_id")["excluded_by"].get("C7") == "return"
    assert not split.clean["is_return"].any()


def test_an_extreme_line_is_an_outlier_only_past_the_threshold():
    rng = np.random.default_rng(0)
    n = 400
    rows = [(f"c{i % 50}", str(i), "2024-02-01", 1, float(p), "x") for i, p in enumerate(rng.lognormal(3, 0.5, n))]
    rows.append(("big", "big", "2024-02-01", 1, 1e7, "x"))
    split = exclusions.split_lines(lines(rows), **OPTIONS)
    assert split.excluded["excluded_by"].tolist() == ["outlier"]
    assert split.excluded["customer_id"].tolist() == ["big"]
    kept = exclusions.split_lines(lines(rows), **{**OPTIONS, "outlier_z": None})
    assert len(kept.clean) == n + 1


def test_a_source_column_named_like_an_engine_column_is_refused(case):
    with pytest.raises(DataError, match=r"column\(s\) \['reason'\]"):
        exclusions.split_lines(case.assign(reason="x"), **OPTIONS)


@pytest.fixture(params=["in memory", "on disk"])
def parquet_read(request, monkeypatch) -> str:
    """Parquet lines scanned from their copy in memory, or from the file at every pass."""
    if request.param == "on disk":
        monkeypatch.setattr(sources, "IN_MEMORY_LINES", 0)
    return request.param


def test_parquet_input_gives_the_frame_result(case, tmp_path, parquet_read):
    case.to_parquet(tmp_path / "lines.parquet", index=False)
    assert (sources.lines_in_memory([tmp_path / "lines.parquet"]) is not None) == (parquet_read == "in memory")
    from_frame = exclusions.split_lines(case, **OPTIONS)
    files = exclusions.split_parquet(tmp_path / "lines.parquet", tmp_path / "out", **OPTIONS)
    clean = pd.read_parquet(files.clean)  # in no particular order, with each line's number in the source
    excluded = pd.read_parquet(files.excluded)
    assert sorted(clean["line_no"]) == sorted(set(range(len(case))) - set(excluded["line_no"]))
    clean = clean.sort_values(["order_date", "order_id", "line_no"]).drop(columns="line_no").reset_index(drop=True)
    pd.testing.assert_frame_equal(clean.drop(columns="is_return"), from_frame.clean.drop(columns="is_return"),
                                  check_dtype=False)
    assert files.totals == from_frame.totals


def test_one_thread_and_two_give_the_same_sums(tmp_path):
    rng = np.random.default_rng(1)
    n = 200_000
    frame = pd.DataFrame({
        "customer_id": pd.array(rng.integers(0, 5000, n).astype(str), dtype="string"),
        "order_id": pd.array(np.arange(n).astype(str), dtype="string"),
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        "quantity": rng.integers(1, 5, n).astype(float),
        "unit_price": rng.lognormal(2, 1, n).round(2),
    })
    frame["amount"] = frame["quantity"] * frame["unit_price"]
    one = exclusions.split_lines(frame, **OPTIONS, connection=database.connect(threads=1))
    two = exclusions.split_lines(frame, **OPTIONS, connection=database.connect(threads=2))
    assert one.totals == two.totals
    pd.testing.assert_frame_equal(one.counts, two.counts)
    snapshot = pd.Timestamp("2025-01-01")
    pd.testing.assert_frame_equal(duck.customer_days(one.clean, snapshot, connection=database.connect(threads=1)),
                                  duck.customer_days(one.clean, snapshot, connection=database.connect(threads=2)))


def test_customer_aggregates_by_hand():
    clean = lines([
        ("a", "1", "2024-01-01 09:00", 1, 10.0, "x"),
        ("a", "1", "2024-01-01 09:00", 2, 5.0, "y"),   # same order, same day
        ("a", "2", "2024-01-01 17:00", 1, 4.0, "x"),   # a second order on the same day
        ("a", "3", "2024-01-11", 1, 30.0, "x"),
        ("a", "C4", "2024-01-12", -1, 10.0, "x"),      # a return: no purchase day
        ("b", "5", "2024-01-05", 1, 7.0, "x"),
        ("b", "6", "2024-01-20", 1, 9.0, "x"),         # on or after the snapshot: not counted
    ])
    days = duck.customer_days(clean, pd.Timestamp("2024-01-20")).set_index("customer_id")
    a, b = days.loc["a"], days.loc["b"]
    assert (a["n_days"], a["first_day"], a["last_day"], a["n_orders"]) == (2, -19, -9, 3)
    assert (a["gross"], a["first_value"], a["net"]) == (54.0, 24.0, 44.0)
    assert (b["n_days"], b["first_day"], b["last_day"], b["n_orders"], b["net"]) == (1, -15, -15, 1, 7.0)
    table = duck.customer_table_from(days.reset_index(), pd.Timestamp("2024-01-20"))
    assert table.loc["a", "frequency"] == 1 and table.loc["a", "recency"] == 10 and table.loc["a", "T"] == 19
    # the repeat day's 30, less its share of the return (44 net of 54 gross)
    assert table.loc["a", "monetary_value"] == pytest.approx(round(30 * 44 / 54, 6))
    assert table.loc["a", "avg_order_value"] == pytest.approx(round(44 / 3, 6))


def test_small_parquet_is_read_into_memory_once_and_again_when_it_changes(case, tmp_path):
    path = tmp_path / "lines.parquet"
    case.to_parquet(path, index=False)
    first = sources.lines_in_memory([path])
    assert first.num_rows == len(case) and sources.lines_in_memory([path]) is first  # read once
    case.iloc[:5].to_parquet(path, index=False)
    con = database.connect()
    sources.register_lines(con, path)
    assert con.sql("SELECT count(*) FROM source_lines").fetchall() == [(5,)]  # the file changed: read again
    assert sources.lines_in_memory([path]) is not first
    # the engine sees in it what it sees in the file: the same columns, types, values and line numbers
    con.register("in_memory", sources.lines_in_memory([path]))
    on_disk = con.sql(f"SELECT * EXCLUDE (file_row_number), file_row_number AS line_no "
                      f"FROM read_parquet('{path}', file_row_number = true) ORDER BY line_no")
    in_memory = con.sql("SELECT * FROM in_memory ORDER BY line_no")
    assert in_memory.columns == on_disk.columns and in_memory.types == on_disk.types
    assert in_memory.fetchall() == on_disk.fetchall()


def test_a_column_arrow_would_change_keeps_the_lines_on_disk(case, tmp_path):
    """An interval column (a delivery time, say) comes back from pyarrow as bytes: those lines are
    scanned from the file, so that the exports keep the column's type."""
    path = tmp_path / "lines.parquet"
    con = database.connect()
    con.register("case_lines", case)
    con.execute(f"COPY (SELECT *, INTERVAL 2 DAY AS delivery FROM case_lines) TO '{path}'")
    assert sources.lines_in_memory([path]) is None
    assert [t for c, t in zip(sources.register_lines(con, path), con.sql("SELECT * FROM source_lines").types)
            if c == "delivery"] == ["INTERVAL"]


def test_a_file_that_is_not_parquet_is_refused_by_duckdb_with_its_reason(tmp_path):
    path = tmp_path / "lines.parquet"
    path.write_text("customer_id,amount\na,1\n")
    assert sources.lines_in_memory([path]) is None
    with pytest.raises(duckdb.Error, match="magic bytes"):
        sources.register_lines(database.connect(), path)


def test_past_the_in_memory_size_the_lines_stay_on_disk(case, tmp_path, monkeypatch):
    path = tmp_path / "lines.parquet"
    case.to_parquet(path, index=False)
    monkeypatch.setattr(sources, "IN_MEMORY_LINES", len(case) - 1)
    assert sources.lines_in_memory([path]) is None
    monkeypatch.setattr(sources, "IN_MEMORY_LINES", len(case))
    assert sources.lines_in_memory([path]).num_rows == len(case)


def test_the_default_snapshot_is_found_in_the_same_pass_as_the_customers():
    """The day after the last line of any kind (here a return, after the last purchase), and the
    customers' days at it as :func:`duck.customer_days` gives them there."""
    clean = lines([
        ("a", "1", "2024-01-01 09:00", 1, 10.0, "x"),
        ("a", "3", "2024-01-11", 1, 30.0, "x"),
        ("a", "C4", "2024-01-15 18:00", -1, 10.0, "x"),
        ("b", "5", "2024-01-05", 2, 7.0, "x"),
    ])
    days, snapshot = duck.customer_days_at_end(clean)
    assert snapshot == pd.Timestamp("2024-01-16")
    pd.testing.assert_frame_equal(days, duck.customer_days(clean, snapshot))
    a = days.set_index("customer_id").loc["a"]
    assert (a["first_day"], a["last_day"], a["n_days"]) == (-15, -5, 2)
    # no purchase at all: the lines do not say here where they end
    assert duck.customer_days_at_end(clean[clean["quantity"] < 0]) is None


@pytest.mark.parametrize("bins", [3, 5, 10])
def test_rfm_scores_and_segments_in_sql_are_the_documented_rank_scores(bins):
    """The one implementation (SQL) against the definition, computed here with numpy: score = 1 +
    floor(bins × share of customers strictly worse), and the segment of the score's cell on the 1..5
    rule scale, read from the rules file by hand."""
    from segkit.datasets import example_customers
    from segkit.rfm import load_rules, rfm_segments

    customers = example_customers(5000, seed=3)
    expected_scores = {}
    for dim, column, lower_is_better in (("R", "days_since_last_purchase", True), ("F", "n_orders", False),
                                         ("M", "revenue", False)):
        good = -customers[column].to_numpy(float) if lower_is_better else customers[column].to_numpy(float)
        worse = np.searchsorted(np.sort(good), good, side="left")
        expected_scores[dim] = 1 + (worse * bins) // len(good)
    cuts = duck.rfm_cuts(customers, bins=bins)
    got = duck.rfm_segments(customers, cuts, bins=bins).set_index("customer_id").loc[customers.index]
    segments = rfm_segments(customers, bins=bins, warn=False, lifecycle=None)
    for dim in "RFM":
        assert got[dim].tolist() == expected_scores[dim].tolist() == segments[dim].tolist()
    rules = load_rules(None)
    centre = {dim: (5 * (2 * expected_scores[dim] - 1)) // (2 * bins) + 1 for dim in "RFM"}
    by_hand = []
    for r, f, m in zip(centre["R"], centre["F"], centre["M"]):
        claims = rules[(rules["r_min"] <= r) & (r <= rules["r_max"]) & (rules["f_min"] <= f) & (f <= rules["f_max"])
                       & (rules["m_min"] <= m) & (m <= rules["m_max"])]
        by_hand.append(claims.sort_values("priority")["segment"].iloc[0])
    assert got["segment"].tolist() == by_hand == segments["segment"].astype(str).tolist()


# --- the data layer on the engine --------------------------------------------------------------


def test_the_log_lists_the_rules_in_the_order_the_engine_ranks_them():
    from segkit.data.clean import RULES
    from segkit.engine.sql import RULE_ORDER

    # a lost customer is charged by rank in RULE_ORDER and reported under RULES: one order for both
    assert tuple(RULES) == RULE_ORDER


def test_excluded_lines_keep_their_labels_in_the_input(case):
    relabelled = case.set_axis(pd.Index([f"line {i}" for i in range(len(case))]))
    clean, excluded, log = data.split_transactions(relabelled, test_accounts=["staffer"])
    expected = [f"line {i}" for i, (_, reason) in enumerate(CASE) if reason]
    assert excluded.index.tolist() == expected
    assert excluded["excluded_by"].tolist() == [reason for _, reason in CASE if reason]
    # every rule is in the log, those that excluded nothing with zeros
    by_rule = log.set_index("rule")
    assert by_rule.loc["outlier", "rows"] == 0 and by_rule.loc["duplicate", "rows"] == 1
    assert by_rule.loc["zero_value", "action"] == "kept"


@pytest.mark.parametrize("name, snapshot", [("small_shop.csv", None), ("shopify_orders.csv", None),
                                            ("cdnow_style.csv", "1997-12-01")])
def test_the_engine_customer_table_of_a_file_is_the_data_layer_one(name, snapshot, tmp_path, monkeypatch):
    monkeypatch.setattr(data.cache, "INTERIM_DIR", tmp_path / "interim")
    path = CORPUS / name
    expected = data.customer_table(data.load_clean(path, cache=False).clean, snapshot_date=snapshot)
    got = engine.customer_table(path, snapshot_date=snapshot)
    pd.testing.assert_frame_equal(got, expected)
    # it made one cache entry, without a copy of the clean lines: it read them as the lines without the
    # excluded ones, and so does the log's count of them
    (entry,) = (tmp_path / "interim").glob("clean-*")
    log, totals = engine.cleaning_log(path)
    assert sorted(p.name for p in entry.iterdir()) == ["dropped.parquet", "dtypes.parquet", "log.parquet"]
    assert totals == duck.clean_totals(data.load_clean(path, cache=False).clean)
    # asked for, the clean lines are written into that entry; the table and the counts read from them are the same
    assert engine.clean_lines(path) == entry / "clean.parquet" and (entry / "excluded.parquet").exists()
    pd.testing.assert_frame_equal(engine.customer_table(path, snapshot_date=snapshot), expected)
    pd.testing.assert_frame_equal(engine.cleaning_log(path).log, log)
    assert engine.cleaning_log(path).totals == totals
    assert [p.name for p in (tmp_path / "interim").glob("clean-*")] == [entry.name]


def test_the_engine_customer_table_refuses_a_snapshot_before_the_data(tmp_path, monkeypatch):
    monkeypatch.setattr(data.cache, "INTERIM_DIR", tmp_path / "interim")
    with pytest.raises(DataError, match=r"^snapshot_date 1990-01-01 is on or before the first transaction"):
        engine.customer_table(CORPUS / "small_shop.csv", snapshot_date="1990-01-01")


def test_canonical_parquet_is_cleaned_in_the_engine_to_the_same_tables(case, tmp_path, monkeypatch):
    monkeypatch.setattr(data.cache, "INTERIM_DIR", tmp_path / "interim")
    path = tmp_path / "lines.parquet"
    case.to_parquet(path, index=False)
    assert sources.canonical_parquet(path) and not sources.canonical_parquet(CORPUS / "one_timers.parquet")
    assert not sources.canonical_parquet(CORPUS / "small_shop.csv")
    clean, excluded, log = data.split_transactions(case, test_accounts=["staffer"])
    got = engine.customer_table(path, test_accounts=["staffer"])
    pd.testing.assert_frame_equal(got, data.customer_table(clean))
    # the entry was written by the engine file to file: the excluded lines' numbers in the file and their
    # rules, then (asked for) the excluded lines themselves, and the quality log, as the frame path gives them
    entry = next((tmp_path / "interim").glob("clean-*"))
    dropped = pd.read_parquet(entry / "dropped.parquet")
    assert dropped.values.tolist() == [[i, reason] for i, (_, reason) in enumerate(CASE) if reason]
    assert not (entry / "excluded.parquet").exists()
    engine.export_lines(path, tmp_path / "out", test_accounts=["staffer"])
    written = pd.read_parquet(entry / "excluded.parquet")
    expected = [i for i, (_, reason) in enumerate(CASE) if reason]
    assert written["line_no"].tolist() == excluded.index.tolist() == expected
    assert written["excluded_by"].tolist() == excluded["excluded_by"].tolist()
    pd.testing.assert_frame_equal(pd.read_parquet(entry / "log.parquet"), log)


def test_a_folder_of_parquet_files_is_one_source_numbered_file_by_file(case, tmp_path, parquet_read):
    folder = tmp_path / "lines"
    folder.mkdir()
    halves = case.iloc[:7], case.iloc[7:]  # the duplicate pair stays in the first file
    for i, half in enumerate(halves):
        half.to_parquet(folder / f"part-{i}.parquet", index=False)
    assert (sources.lines_in_memory(sources.parquet_files(folder)) is not None) == (parquet_read == "in memory")
    files = exclusions.split_parquet(folder, tmp_path / "out", **OPTIONS)
    excluded = pd.read_parquet(files.excluded)
    # a line's number is (file index << 40) + its row in the file: file 1's rows come after file 0's
    expected = [i if i < 7 else (1 << 40) + i - 7 for i, (_, reason) in enumerate(CASE) if reason]
    assert excluded["line_no"].tolist() == expected
    assert excluded["excluded_by"].tolist() == [reason for _, reason in CASE if reason]
    assert files.totals == exclusions.split_lines(case, **OPTIONS).totals


def test_functions_of_clean_lines_give_the_same_on_the_engine_file_as_on_the_frame(tmp_path, monkeypatch):
    """The clean lines of a file, as the Parquet file engine.clean_lines gives, stand in for the frame
    load_clean gives in every function that takes clean lines; the frame path is the reference."""
    from segkit import clv

    monkeypatch.setattr(data.cache, "INTERIM_DIR", tmp_path / "interim")
    path = CORPUS / "cdnow_style.csv"
    frame = data.load_clean(path, cache=False).clean
    lines = engine.clean_lines(path)
    assert lines.suffix == ".parquet" and len(pd.read_parquet(lines)) == len(frame)
    customers = data.customer_table(frame)
    pd.testing.assert_frame_equal(data.customer_table(lines).loc[customers.index], customers)
    split = dict(calibration_end="1997-09-30", holdout_end="1998-06-30")
    expected = data.calibration_holdout(frame, **split)
    pd.testing.assert_frame_equal(data.calibration_holdout(lines, **split).loc[expected.index], expected)
    snapshot = data.snapshot_date(customers)
    by_frame = clv.holdout_validation(frame, snapshot_date=snapshot, holdout_days=200)
    by_file = clv.holdout_validation(lines, snapshot_date=snapshot, holdout_days=200)
    assert by_frame.done and by_file.summary == by_frame.summary
    pd.testing.assert_frame_equal(by_file.tracking, by_frame.tracking)
    # the tracking's actual counts, by hand from the frame: repeat purchase days per day
    days = frame.loc[frame["quantity"] > 0, ["customer_id"]].assign(day=frame["order_date"].dt.normalize())
    days = days.drop_duplicates()
    first = days.groupby("customer_id")["day"].transform("min")
    cohort = first <= by_frame.calibration_end
    repeats = days[cohort & (days["day"] > first)].groupby("day").size()
    assert by_frame.tracking["actual"].sum() == repeats.sum()
    assert by_frame.tracking["actual"].reindex(repeats.index).tolist() == repeats.astype(float).tolist()
    from segkit import rfm

    later = rfm.rfm_segments(customers, warn=False)
    by_frame_moves = rfm.migration_study(frame, later, days=90)
    by_file_moves = rfm.migration_study(lines, later, days=90)
    assert by_frame_moves.matrix is not None and by_file_moves.note == by_frame_moves.note
    pd.testing.assert_frame_equal(by_file_moves.matrix, by_frame_moves.matrix)
    predictions = clv.clv_analysis(customers, n_draws=10).predictions
    pd.testing.assert_frame_equal(clv.crm_export(predictions, lines, snapshot_date=snapshot),
                                  clv.crm_export(predictions, frame, snapshot_date=snapshot))


def test_a_clean_lines_file_is_checked_like_the_frame(tmp_path):
    good = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"],
                         "order_date": pd.to_datetime(["2024-01-01", "2024-01-05"]),
                         "amount": [10.0, 5.0], "quantity": [1.0, 1.0]})
    missing = tmp_path / "nowhere.parquet"
    with pytest.raises(DataError, match=r"^The clean lines file .*nowhere.parquet does not exist\. Make it with "
                                        r"segkit\.engine\.clean_lines\(source\)\.$"):
        data.customer_table(missing)
    not_parquet = tmp_path / "lines.parquet"
    not_parquet.write_text("customer_id,order_id\n")
    with pytest.raises(DataError, match=r"lines.parquet is not a Parquet file of order lines"):
        data.customer_table(not_parquet)
    no_amount = tmp_path / "no_amount.parquet"
    good.drop(columns="amount").to_parquet(no_amount)
    with pytest.raises(DataError, match=r"^The transactions lack column\(s\) \['amount'\]"):
        data.customer_table(no_amount)
    guests = tmp_path / "guests.parquet"
    good.assign(customer_id=["a", None]).to_parquet(guests)
    with pytest.raises(DataError, match=r"^1 line\(s\) have no customer id"):
        data.customer_table(guests)
    empty = tmp_path / "empty.parquet"
    good.iloc[:0].to_parquet(empty)
    with pytest.raises(DataError, match=r"^There are no transactions left"):
        data.customer_table(empty)
    fine = tmp_path / "fine.parquet"
    good.to_parquet(fine)
    assert data.customer_table(fine)["n_orders"].to_dict() == {"a": 1, "b": 1}


def test_one_row_per_buyer_is_checked_on_the_lines_file(tmp_path):
    lines = tmp_path / "lines.parquet"
    pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "order_id": ["1", "2", "3", "4"],
                  "order_date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02", "2024-02-01"]),
                  "amount": [10.0, -10.0, 5.0, 7.0], "quantity": [1.0, -1.0, 1.0, 1.0],
                  "is_return": [False, True, False, False]}).to_parquet(lines)
    snapshot = pd.Timestamp("2024-01-10")  # c buys later: not a buyer yet
    data.check_one_row_per_buyer(["b", "a"], lines, snapshot_date=snapshot, what="The export")
    for ids in (["a"], ["a", "b", "c"], ["a", "b", "b"]):
        with pytest.raises(DataError, match=rf"^The export has {len(ids)} rows for 2 customers with purchases before "
                                            r"2024-01-10: build it from segkit\.data\.customer_table\(clean\)"):
            data.check_one_row_per_buyer(ids, lines, snapshot_date=snapshot, what="The export")
    with pytest.raises(DataError, match=r"^The export needs column\(s\) \['is_return'\]"):
        data.check_one_row_per_buyer(["a"], pd.read_parquet(lines).drop(columns="is_return"), snapshot_date=snapshot,
                                     what="The export")


def test_the_engine_takes_its_threads_and_memory_from_the_environment():
    import os
    import subprocess
    import sys

    code = ("from segkit.engine import database; con = database.connect(); "
            "print(*con.sql(\"SELECT current_setting('threads'), current_setting('memory_limit')\").fetchall()[0])")
    env = {**os.environ, "SEGKIT_ENGINE_THREADS": "1", "SEGKIT_ENGINE_MEMORY": "300MB"}
    threads, memory = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                     check=True).stdout.split(" ", 1)
    assert threads == "1" and memory.strip().startswith("286")  # DuckDB shows 300 MB as 286.1 MiB


def test_the_engine_memory_is_a_share_of_the_machine_with_a_floor():
    """Checked against the kernel's own count of the machine's memory (``MemTotal`` in /proc/meminfo)."""
    from pathlib import Path

    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        pytest.skip("no /proc/meminfo to check against")
    total_kib = int(next(line for line in meminfo.read_text().splitlines() if line.startswith("MemTotal:")).split()[1])
    half = int(database.machine_share_of_memory(share=0.5).removesuffix("MiB"))
    assert abs(half - total_kib / 2 / 1024) <= 1
    assert database.machine_share_of_memory(share=1e-9) == "1024MiB"  # never under the floor of 1 GiB
