"""Tests of the data layer: loading, validation messages, cleaning, reconciliation, customer table."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from segkit import DataError
from segkit import data
from segkit.data.clean import RULES
from segkit.paths import DEFAULT_GROUND_TRUTH, DEFAULT_TRANSACTIONS


def lines(**overrides) -> pd.DataFrame:
    """A small valid order-line table in the UCI Online Retail II layout."""
    frame = pd.DataFrame(
        {
            "Invoice": ["1001", "1001", "1002", "1003", "C1004"],
            "StockCode": ["A", "B", "A", "C", "A"],
            "Quantity": [2, 1, 3, 1, -1],
            "InvoiceDate": ["2024-01-05 10:00", "2024-01-05 10:00", "2024-02-01 09:30", "2024-02-03 12:00",
                            "2024-02-10 08:00"],
            "Price": [2.5, 10.0, 2.5, 7.0, 2.5],
            "Customer ID": ["17850", "17850", "17850", "13047", "17850"],
            "Country": ["United Kingdom"] * 5,
        }
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


# function-scoped, so that each test that reads the default data also runs the code that reads and cleans it
# (mutation testing maps a test to the functions it calls, not to those an earlier test's fixture called)
@pytest.fixture
def default_raw() -> pd.DataFrame:
    return data.load_transactions(DEFAULT_TRANSACTIONS)


@pytest.fixture
def default_clean(default_raw) -> tuple[pd.DataFrame, pd.DataFrame]:
    return data.clean_transactions(default_raw)


# --- loading and column mapping ---------------------------------------------------------


def test_uci_layout_is_recognised_without_a_mapping():
    tx = data.load_transactions(lines())
    assert list(tx.columns[:6]) == ["customer_id", "order_id", "order_date", "quantity", "unit_price", "amount"]
    assert tx["amount"].tolist() == [5.0, 10.0, 7.5, 7.0, -2.5]
    assert tx["product_id"].tolist() == ["A", "B", "A", "C", "A"]


def test_uci_online_retail_one_names_and_float_ids():
    frame = lines().rename(columns={"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"})
    frame["CustomerID"] = [17850.0, 17850.0, 17850.0, np.nan, 17850.0]
    tx = data.load_transactions(frame)
    assert tx["customer_id"].tolist()[:3] == ["17850"] * 3
    assert pd.isna(tx["customer_id"].iloc[3])


def test_explicit_mapping_and_amount_only_layout():
    frame = pd.DataFrame({"Kunde": ["a", "b"], "Beleg": ["1", "2"], "Datum": ["2024-03-01", "2024-03-02"],
                          "Umsatz": [12.0, 30.0]})
    tx = data.load_transactions(frame, columns={"Kunde": "customer_id", "Beleg": "order_id",
                                                "Datum": "order_date", "Umsatz": "amount"})
    assert tx["amount"].tolist() == [12.0, 30.0]
    assert tx["quantity"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet", ".xlsx"])
def test_every_supported_file_type_loads_the_same(tmp_path, suffix):
    frame = lines()
    path = tmp_path / f"orders{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".csv.gz":
        with gzip.open(path, "wt") as handle:
            frame.to_csv(handle, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_excel(path, index=False)
    tx = data.load_transactions(path)
    assert tx["amount"].round(2).tolist() == [5.0, 10.0, 7.5, 7.0, -2.5]
    assert tx["customer_id"].iloc[0] == "17850"


# --- one test per bad-input case: the message names the problem ------------------------


def test_missing_column_lists_what_was_found():
    with pytest.raises(DataError, match=r"(?i)missing required column\(s\): customer_id.*Columns found: \[.*Invoice"):
        data.load_transactions(lines().drop(columns=["Customer ID"]))


def test_missing_amount_and_price():
    with pytest.raises(DataError, match=r"amount \(or quantity and unit_price\)"):
        data.load_transactions(lines().drop(columns=["Price"]))


def test_ambiguous_columns_are_named():
    frame = lines().assign(**{"Customer_ID": lines()["Customer ID"]})
    with pytest.raises(DataError, match=r"(?i)ambiguous columns for 'customer_id': \['Customer ID', 'Customer_ID'\]"):
        data.load_transactions(frame)


def test_mapping_to_a_missing_raw_column():
    with pytest.raises(DataError, match=r"mapping names \['Client'\], which the file does not have"):
        data.load_transactions(lines(), columns={"Client": "customer_id"})


def test_mapping_to_an_unknown_canonical_name():
    with pytest.raises(DataError, match=r"not segkit columns"):
        data.load_transactions(lines(), columns={"Country": "nation"})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("orders.csv", b"", r"empty \(0 bytes\)"),
        ("orders.csv", b"Invoice,Customer ID,InvoiceDate,Quantity,Price\n", r"has no rows"),
        ("orders.json", b"{}", r"Unknown file type for 'orders.json'"),
        ("orders.parquet", b"this is not parquet at all", r"Could not read 'orders.parquet' as parquet"),
    ],
    ids=["empty file", "header only", "unknown file type", "unreadable file"],
)
def test_unusable_file_is_named(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        data.load_transactions(path)


def test_unparseable_dates_show_examples_and_count():
    frame = lines(InvoiceDate=["2024-01-05", "not a date", "2024-02-01", "31/31/2024", "2024-02-10"])
    with pytest.raises(DataError, match=r"'InvoiceDate'.*2 value\(s\).*not dates.*e\.g\. 'not a date', '31/31/2024'.*date_format"):
        data.load_transactions(frame)


def test_missing_dates_are_excluded_by_a_rule_and_reconcile():
    frame = lines(InvoiceDate=["2024-01-05", None, "2024-02-01", "2024-02-03", "2024-02-10"])
    tx = data.load_transactions(frame)
    assert tx["order_date"].isna().sum() == 1
    clean, log = data.clean_transactions(tx)
    by_rule = log.set_index("rule")
    assert by_rule.loc["missing_date", "rows"] == 1
    assert by_rule.loc["missing_date", "revenue"] == pytest.approx(tx.loc[tx["order_date"].isna(), "amount"].sum())
    assert (data.reconcile(tx, clean, log)["difference"] == 0).all()


def test_currency_signs_are_read_and_text_is_refused_with_the_column_and_examples():
    assert data.load_transactions(lines(Price=["2.5", "10", "£2.50", "7", "2.5"]))["unit_price"].tolist() == [
        2.5, 10.0, 2.5, 7.0, 2.5]
    with pytest.raises(DataError, match=r"'Price'.*1 value.*'abc'"):
        data.load_transactions(lines(Price=["2.5", "10", "abc", "7", "2.5"]))


def test_latin1_file_is_detected_and_a_wrong_encoding_is_named(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(lines(Country=["Côte d'Ivoire"] * 5).to_csv(index=False).encode("latin-1"))
    read = data.read_transactions(path)
    assert read.lines["country"].iloc[0] == "Côte d'Ivoire"
    assert read.decisions.set_index("aspect").loc["encoding", "value"] == "cp1252"
    with pytest.raises(DataError, match=r"'orders.csv' is not valid utf-8 text.*reading: \{encoding"):
        data.load_transactions(path, encoding="utf-8")


def test_missing_file():
    with pytest.raises(DataError, match=r"File not found"):
        data.load_transactions("no/such/orders.csv")


def test_blank_order_ids_become_one_order_per_customer_and_timestamp():
    read = data.read_transactions(lines(Invoice=["1", None, "2", "3", "C4"]))
    tx = read.lines
    assert tx["order_id"].notna().all()
    assert tx.loc[1, "order_id"] == f"{tx.loc[1, 'customer_id']} @ {tx.loc[1, 'order_date']:%Y-%m-%d %H:%M:%S}"
    assert "1 line(s) have no order id" in read.decisions.set_index("aspect").loc["order id", "evidence"]


def test_customer_table_rejects_raw_lines_without_customers():
    tx = data.load_transactions(lines(**{"Customer ID": ["1", None, "1", "2", "1"]}))
    with pytest.raises(DataError, match=r"1 line\(s\) have no customer id\. Run clean_transactions first"):
        data.customer_table(tx)


def test_snapshot_before_the_data():
    clean, _ = data.clean_transactions(data.load_transactions(lines()))
    with pytest.raises(DataError, match=r"snapshot_date 2023-12-01 is on or before the first transaction"):
        data.customer_table(clean, snapshot_date="2023-12-01")


def test_bad_returns_option():
    with pytest.raises(DataError, match=r"returns must be 'net' or 'drop'"):
        data.clean_transactions(data.load_transactions(lines()), returns="keep")


# --- cleaning and reconciliation ---------------------------------------------------------


def test_returns_are_netted_or_dropped():
    tx = data.load_transactions(lines())
    clean_net, _ = data.clean_transactions(tx, returns="net")
    clean_drop, log_drop = data.clean_transactions(tx, returns="drop")
    assert clean_net["amount"].sum() == pytest.approx(27.0)
    assert clean_net["is_return"].sum() == 1
    assert clean_drop["amount"].sum() == pytest.approx(29.5)
    assert log_drop.set_index("rule").loc["return", "rows"] == 1


def test_unmatched_return_is_excluded_and_logged():
    frame = lines(StockCode=["A", "B", "A", "C", "Z"])  # the return is of a product never bought
    clean, log = data.clean_transactions(data.load_transactions(frame))
    row = log.set_index("rule").loc["unmatched_return"]
    assert (row["rows"], row["revenue"]) == (1, -2.5)
    assert not clean["is_return"].any()


def test_default_data_log_reconciles_exactly(default_raw, default_clean):
    clean, log = default_clean
    table = data.reconcile(default_raw, clean, log)
    assert (table["difference"].abs() < 1e-6).all()
    assert table.loc["rows", "in raw data"] == len(default_raw)
    assert table.loc["revenue", "kept"] == pytest.approx(clean["amount"].sum())
    # every raw customer is either kept or charged to exactly one rule
    assert default_raw["customer_id"].nunique() == clean["customer_id"].nunique() + log["customers_lost"].sum()


def test_reconcile_by_hand_and_what_it_catches():
    """lines() with the third line a guest's: only that line is excluded (C1004 returns an A that 17850 bought)."""
    tx = data.load_transactions(lines(**{"Customer ID": ["17850", "17850", None, "13047", "17850"]}))
    clean, log = data.clean_transactions(tx)
    table = data.reconcile(tx, clean, log)
    assert table.index.tolist() == ["rows", "customers", "revenue"]
    assert table.columns.tolist() == ["in raw data", "kept", "excluded", "difference"]
    # the guest line (7.5) is excluded; 5 + 10 + 7 - 2.5 are kept
    assert table.loc["rows"].tolist() == [5.0, 4.0, 1.0, 0.0]
    assert table.loc["customers"].tolist() == [2.0, 2.0, 0.0, 0.0]
    assert table.loc["revenue"].tolist() == [27.0, 19.5, 7.5, 0.0]
    twice = log.assign(rows=np.where(log["rule"] == "duplicate", 1, log["rows"]))
    assert data.reconcile(tx, clean, twice).loc["rows", "difference"] == -1
    charged = log.assign(customers_lost=np.where(log["rule"] == "outlier", 1, log["customers_lost"]))
    assert data.reconcile(tx, clean, charged).loc["customers", "difference"] == -1
    # a flag row lists kept lines: it is not an exclusion
    flagged = log.assign(rows=np.where(log["rule"] == "zero_value", 9, log["rows"]))
    assert (data.reconcile(tx, clean, flagged)["difference"] == 0).all()
    assert data.excluded_rules(log)["rule"].tolist() == list(RULES)


def test_default_data_planted_mess_is_found(default_raw, default_clean):
    _, log = default_clean
    by_rule = log.set_index("rule")
    assert by_rule.loc["missing_customer", "rows"] == default_raw["customer_id"].isna().sum()
    assert by_rule.loc["test_account", "customers"] == 3
    assert by_rule.loc["duplicate", "rows"] > 0
    excluded = data.split_transactions(default_raw).excluded
    reasons = excluded["excluded_by"].reindex(default_raw.index, fill_value="kept")
    # the planted keying errors (quantities of 5,000 and more) never survive cleaning
    planted_extremes = default_raw["quantity"] >= 5000
    assert planted_extremes.sum() >= 4 and not (planted_extremes & (reasons == "kept")).any()
    assert by_rule.loc["outlier", "rows"] > 0
    assert (default_raw.loc[reasons == "negative_price", "unit_price"] < 0).all()
    assert (default_raw.loc[reasons == "kept", "unit_price"] >= 0).all()
    assert by_rule.loc["negative_price", "rows"] == (reasons == "negative_price").sum()
    # zero-price lines are zero-value purchases: kept, and counted in the log's flag row
    zero = (default_raw["unit_price"] == 0) & (default_raw["quantity"] > 0) & (reasons == "kept")
    assert zero.sum() > 0 and by_rule.loc["zero_value", "rows"] == zero.sum()
    assert by_rule.loc["zero_value", "action"] == "kept"


def test_split_transactions_excluded_lines_add_up_to_the_log(default_raw, default_clean):
    clean, excluded, log = data.split_transactions(default_raw)
    pd.testing.assert_frame_equal(clean, default_clean[0])
    by_rule = excluded.groupby("excluded_by").agg(rows=("amount", "size"), revenue=("amount", "sum"))
    expected = data.excluded_rules(log).set_index("rule")[["rows", "revenue"]]
    expected = expected[expected["rows"] > 0]
    assert by_rule.index.sort_values().tolist() == expected.index.sort_values().tolist()
    assert (by_rule["rows"] == expected["rows"].reindex(by_rule.index)).all()
    assert np.allclose(by_rule["revenue"], expected["revenue"].reindex(by_rule.index))
    assert len(clean) + len(excluded) == len(default_raw)


def test_clean_customers_match_ground_truth(default_clean):
    clean, _ = default_clean
    truth = pd.read_csv(DEFAULT_GROUND_TRUTH, dtype={"customer_id": str})
    assert set(clean["customer_id"]) <= set(truth["customer_id"])
    assert clean["customer_id"].nunique() >= 0.99 * len(truth)


@settings(max_examples=40, deadline=None)
@given(
    quantities=st.lists(st.integers(min_value=-5, max_value=20).filter(bool), min_size=1, max_size=30),
    customers=st.lists(st.sampled_from(["a", "b", "c", "TEST1", None]), min_size=30, max_size=30),
    returns=st.sampled_from(["net", "drop"]),
)
def test_log_always_reconciles(quantities, customers, returns):
    n = len(quantities)
    assume(any(c is not None for c in customers[:n]))  # a file without any customer id is refused: tested below
    frame = pd.DataFrame({
        "order_id": [f"{i}" for i in range(n)], "customer_id": customers[:n],
        "order_date": pd.date_range("2024-01-01", periods=n, freq="D"),
        "quantity": quantities, "unit_price": 3.0, "product_id": "x",
    })
    tx = data.load_transactions(frame)
    clean, log = data.clean_transactions(tx, returns=returns)
    table = data.reconcile(tx, clean, log)
    assert (table["difference"].abs() < 1e-9).all()
    if len(clean):
        table = data.customer_table(clean)
        assert (table["revenue"] > 0).all()
        assert table.index.is_unique


def test_a_file_whose_rows_all_lack_a_customer_says_so(tmp_path):
    path = tmp_path / "guests.csv"
    lines(**{"Customer ID": [None] * 5}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"'guests.csv': the customer column 'Customer ID' is empty in every one of its 5 rows"):
        data.load_transactions(path)


# --- the customer table ------------------------------------------------------------------


def test_customer_table_conventions():
    clean, _ = data.clean_transactions(data.load_transactions(lines()))
    table = data.customer_table(clean, snapshot_date="2024-03-01")
    a = table.loc["17850"]
    # purchases on 2024-01-05 and 2024-02-01 (one return on 02-10); snapshot 2024-03-01
    assert a["days_since_last_purchase"] == 29
    assert a["n_orders"] == 2
    assert a["revenue"] == pytest.approx(5 + 10 + 7.5 - 2.5)
    assert (a["frequency"], a["recency"], a["T"]) == (1, 27, 56)
    # the repeat day was worth 7.5 gross; returns are spread over purchase days in proportion
    assert a["monetary_value"] == pytest.approx(7.5 * 20 / 22.5)
    b = table.loc["13047"]
    assert (b["frequency"], b["recency"], b["monetary_value"]) == (0, 0, 0)


def test_earlier_snapshot_ignores_later_lines():
    clean, _ = data.clean_transactions(data.load_transactions(lines()))
    table = data.customer_table(clean, snapshot_date="2024-01-10")
    assert list(table.index) == ["17850"]
    assert table.loc["17850", "n_orders"] == 1
    assert data.snapshot_date(table) == pd.Timestamp("2024-01-10")


def test_snapshot_date_default_and_explicit(default_clean):
    clean, _ = default_clean
    last = clean["order_date"].max()
    assert data.snapshot_date(data.customer_table(clean)) == last.normalize() + pd.Timedelta(days=1)
    assert data.snapshot_date(data.customer_table(clean, snapshot_date="2025-03-15")) == pd.Timestamp("2025-03-15")
    # a time of day is dropped: the snapshot is a day
    assert data.snapshot_date(data.customer_table(clean, snapshot_date="2025-03-15 18:00")) == pd.Timestamp("2025-03-15")


def test_snapshot_date_by_hand_and_its_errors():
    from segkit.datasets import example_customers

    table = pd.DataFrame({"last_purchase": pd.to_datetime(["2024-02-27", "2024-01-31"]),
                          "days_since_last_purchase": [3, 30]}, index=["a", "b"])
    assert data.snapshot_date(table) == pd.Timestamp("2024-03-01")  # 2024 is a leap year
    assert data.snapshot_date(example_customers(50, seed=1)) == pd.Timestamp("2025-01-01")
    with pytest.raises(DataError, match="gives 2024-03-01, 2024-03-02\\)"):
        data.snapshot_date(table.assign(days_since_last_purchase=[3, 31]))
    with pytest.raises(DataError, match=r"lacks column\(s\) \['days_since_last_purchase'\]"):
        data.snapshot_date(table.drop(columns="days_since_last_purchase"))
    with pytest.raises(DataError, match="empty"):
        data.snapshot_date(table.iloc[:0])
    with pytest.raises(DataError, match="gives missing\\)"):
        data.snapshot_date(table.assign(last_purchase=pd.NaT))


def test_customer_table_matches_a_naive_groupby(default_clean):
    clean, _ = default_clean
    table = data.customer_table(clean)
    purchases = clean[~clean["is_return"]]
    naive = purchases.groupby("customer_id").agg(
        n_orders=("order_id", "nunique"), last=("order_date", "max"),
        days=("order_date", lambda d: d.dt.normalize().nunique()),
    )
    assert (table["n_orders"] == naive["n_orders"].reindex(table.index)).all()
    assert (table["frequency"] == naive["days"].reindex(table.index) - 1).all()
    expected_revenue = clean.groupby("customer_id")["amount"].sum().reindex(table.index)
    assert np.allclose(table["revenue"], expected_revenue, atol=1e-4)
    assert (table["recency"] <= table["T"]).all()
    assert len(table) == clean["customer_id"].nunique()


def test_calibration_holdout_split(default_clean):
    """calibration_end is the last calibration day; T_cal counts days from the first purchase to it (lifetimes)."""
    clean, _ = default_clean
    last_day = pd.Timestamp("2025-06-30")
    split = data.calibration_holdout(clean, calibration_end=last_day)
    buys = clean[clean["quantity"] > 0].assign(day=lambda f: f["order_date"].dt.normalize())
    cal, hold = buys[buys["day"] <= last_day], buys[buys["day"] > last_day]
    naive = cal.groupby("customer_id")["day"].agg(["min", "max", "nunique"])
    assert set(split.index) == set(naive.index)
    naive = naive.reindex(split.index)
    assert (split["T_cal"] == (last_day - naive["min"]).dt.days).all()
    assert (split["recency_cal"] == (naive["max"] - naive["min"]).dt.days).all()
    assert (split["frequency_cal"] == naive["nunique"] - 1).all()
    assert (split["duration_holdout"] == (clean["order_date"].max().normalize() - last_day).days).all()
    holdout_days = hold[hold["customer_id"].isin(split.index)].groupby("customer_id")["day"].nunique()
    assert (split["frequency_holdout"] == holdout_days.reindex(split.index, fill_value=0)).all()


def test_calibration_end_day_belongs_to_calibration():
    """A purchase on calibration_end (at any time of day) is calibration; holdout_end is inclusive."""
    clean = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "c"], "order_id": ["1", "2", "3", "4", "5"],
        "order_date": pd.to_datetime(["2024-01-01 12:00", "2024-01-10 18:30", "2024-01-15 08:00",
                                      "2024-01-10 09:00", "2024-01-11 10:00"]),
        "amount": [10.0, 20.0, 30.0, 5.0, 7.0], "quantity": [1, 1, 1, 1, 1]})
    split = data.calibration_holdout(clean, calibration_end="2024-01-10", holdout_end="2024-01-15")
    assert split.index.tolist() == ["a", "b"]  # c first bought after the calibration period
    assert split.loc["a", ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout"]].tolist() == [1, 9, 9, 1]
    assert split.loc["b", ["frequency_cal", "recency_cal", "T_cal"]].tolist() == [0, 0, 0]  # first purchase on D
    assert (split["duration_holdout"] == 5).all()
    shorter = data.calibration_holdout(clean, calibration_end="2024-01-10", holdout_end="2024-01-14")
    assert shorter.loc["a", "frequency_holdout"] == 0 and (shorter["duration_holdout"] == 4).all()


def test_calibration_end_after_data_is_an_error(default_clean):
    clean, _ = default_clean
    with pytest.raises(DataError, match=r"holdout_end .* must be after calibration_end"):
        data.calibration_holdout(clean, calibration_end="2026-06-01")
    last_day = clean["order_date"].max().normalize()
    with pytest.raises(DataError, match=r"holdout_end .* must be after calibration_end"):
        data.calibration_holdout(clean, calibration_end=last_day)  # the holdout would be empty
    with pytest.raises(DataError, match="before the first transaction"):
        data.calibration_holdout(clean, calibration_end="2000-01-01")
    with pytest.raises(DataError, match="^calibration_end 'mid-June' is not a date. Use 'YYYY-MM-DD'.$"):
        data.calibration_holdout(clean, calibration_end="mid-June")
    with pytest.raises(DataError, match="^holdout_end 'soon' is not a date. Use 'YYYY-MM-DD'.$"):
        data.calibration_holdout(clean, calibration_end="2025-06-30", holdout_end="soon")


def test_load_clean_cache_returns_the_same_result(tmp_path, monkeypatch):
    monkeypatch.setattr(data.cache, "INTERIM_DIR", tmp_path / "interim")
    path = tmp_path / "orders.csv"
    lines().to_csv(path, index=False)
    first_clean, first_log = data.load_clean(path)
    assert len(list((tmp_path / "interim").glob("clean-*"))) == 1
    second_clean, second_log = data.load_clean(path)
    pd.testing.assert_frame_equal(first_clean, second_clean)
    pd.testing.assert_frame_equal(first_log, second_log)
    # a different option is a different cache entry, never a stale hit
    drop_clean, _ = data.load_clean(path, returns="drop")
    assert len(list((tmp_path / "interim").glob("clean-*"))) == 2
    assert drop_clean["amount"].sum() != first_clean["amount"].sum()


# --- the column mapping and the reader's decisions, word for word ---------------------------------


def _refusal(frame, **options) -> str:
    with pytest.raises(DataError) as error:
        data.load_transactions(frame, **options)
    return str(error.value)


def test_column_mapping_refusals_word_for_word():
    frame = pd.DataFrame({"Customer": ["a"], "Date": ["2024-01-01"], "Amount": [1.0]})
    assert _refusal(frame, columns={"X": "customer_id"}) == (
        "the DataFrame: the column mapping names ['X'], which the file does not have. Columns found: ['Customer', "
        "'Date', 'Amount']. Fix the mapping's keys (raw names) to match.")
    assert _refusal(frame, columns={"Customer": "client"}) == (
        "the DataFrame: the column mapping maps to ['client'], which are not segkit columns. Map raw names to one "
        "of: ['amount', 'category', 'channel', 'country', 'customer_id', 'description', 'discount', 'order_date', "
        "'order_id', 'product_id', 'quantity', 'unit_price'].")
    assert _refusal(frame.assign(customer_id=["b"]).rename(columns={"Customer": "Customer ID"})) == (
        "the DataFrame: ambiguous columns for 'customer_id': ['Customer ID', 'customer_id'] all look like it. Say "
        "which one to use with column_map: {'Customer ID': 'customer_id'}.")
    assert _refusal(pd.DataFrame({"Foo": ["a"], "Date": ["2024-01-01"]})) == (
        "the DataFrame: missing required column(s): customer_id, amount (or quantity and unit_price). Columns "
        "found: ['Foo', 'Date']. Rename them, or map them with the column_map parameter, e.g. column_map: "
        "{'MyCustomerCol': 'customer_id'} (in Python: columns={'MyCustomerCol': 'customer_id'}).")
    # quantity alone is not enough, quantity and price are
    assert "amount (or quantity and unit_price)" in _refusal(frame.drop(columns="Amount").assign(Quantity=[1]))
    assert data.load_transactions(frame.drop(columns="Amount").assign(Quantity=[2], Price=[1.5]))["amount"].tolist() == [3.0]
    assert _refusal(pd.DataFrame({"Customer": ["a"], "Amount": [1.0]})).startswith(
        "the DataFrame: missing required column(s): order_date. ")


def test_mapping_decisions_word_for_word():
    frame = pd.DataFrame({"Kunde": ["a"], "Date": ["2024-01-01"], "Amount": [1.0], "Sales": [2.0]})
    decisions = data.read_transactions(frame, columns={"Kunde": "customer_id"}).decisions
    meaning = decisions[decisions["aspect"] == "meaning"]
    assert meaning.to_dict("records") == [
        {"subject": "column 'Kunde'", "aspect": "meaning", "value": "customer_id",
         "evidence": "given in the column map", "given": True},
        {"subject": "column 'Amount'", "aspect": "meaning", "value": "amount",
         "evidence": "preferred to ['Sales'] (set column_map to choose another)", "given": False},
    ]
    rest = decisions[decisions["subject"] == "file"].set_index("aspect")
    assert rest.loc["order id", ["value", "evidence"]].tolist() == [
        "one order = one customer at one timestamp",
        "the file has no order id column; lines of a customer with the same date and time form one order"]
    assert rest.loc["quantity", ["value", "evidence"]].tolist() == [
        "1 per line; -1 for a negative amount (a refund)", "the file has no quantity column"]
    assert rest.loc["unit price", ["value", "evidence"]].tolist() == [
        "none (not invented)", "the file has no unit price column; line amounts are used as they are"]
    priced = data.read_transactions(pd.DataFrame({"Customer": ["a"], "Date": ["2024-01-01"], "Quantity": [2],
                                                  "Price": [1.5]})).decisions.set_index("aspect")
    assert priced.loc["amount", ["subject", "value", "evidence"]].tolist() == [
        "file", "quantity × unit price", "the file has no line amount column"]


def test_blank_order_ids_are_filled_and_said():
    frame = pd.DataFrame({"Invoice": ["1", "", None, "2"], "Customer": ["a", "a", "b", "b"],
                          "Date": ["2024-01-01 10:00", "2024-01-02 11:00", "2024-01-02 11:00", "2024-01-03"],
                          "Amount": [1.0, 2.0, 3.0, 4.0]})
    read = data.read_transactions(frame)
    assert read.lines["order_id"].tolist() == ["1", "a @ 2024-01-02 11:00:00", "b @ 2024-01-02 11:00:00", "2"]
    decision = read.decisions.set_index("aspect").loc["order id"]
    assert decision[["subject", "value", "evidence"]].tolist() == [
        "column 'Invoice'", "blanks filled: one order = one customer at one timestamp", "2 line(s) have no order id"]
    # without blanks, nothing is said about order ids
    assert "order id" not in data.read_transactions(frame.assign(Invoice=list("1234"))).decisions["aspect"].tolist()


def test_ids_are_text_and_missing_tokens_are_blank():
    frame = pd.DataFrame({"Invoice": ["1", "2", "3", "4"], "Customer": ["17850.0", " 007 ", "NULL", "nan"],
                          "Date": ["2024-01-01", "N/A", "2024-01-02", "2024-01-03"],
                          "Amount": ["1.5", "2", "#N/A", "4"]})
    lines = data.load_transactions(frame)
    assert lines["customer_id"].tolist()[:2] == ["17850", "007"]
    assert lines["customer_id"].isna().tolist() == [False, False, True, True]
    assert lines["order_date"].isna().tolist() == [False, True, False, False]
    assert lines["amount"].isna().tolist() == [False, False, True, False]
    assert _refusal(pd.DataFrame({"Customer": [None, None], "Date": ["2024-01-01"] * 2, "Amount": [1.0, 2.0]})) == (
        "the DataFrame: the customer column 'Customer' is empty in every one of its 2 rows, so no line can be "
        "attributed to a customer. Export the customer id (or e-mail) with the orders, or map another column with "
        "column_map: {'<column>': 'customer_id'}.")
    assert _refusal(pd.DataFrame({"Customer": []})) == "the DataFrame has no rows. Check the export."
    assert _refusal(pd.DataFrame()) == "the DataFrame has no rows and no columns. Check the export."


def test_extra_columns_are_kept_after_the_canonical_ones():
    frame = pd.DataFrame({"Note": ["x"], "Customer": ["a"], "Date": ["2024-01-01"], "Amount": [1.0],
                          "Country": [" UK "], "Discount": ["0,5"]})
    lines = data.load_transactions(frame, decimal=",")
    assert lines.columns.tolist() == ["customer_id", "order_id", "order_date", "quantity", "unit_price", "amount",
                                      "country", "discount", "Note"]
    assert lines.loc[0, "country"] == "UK" and lines.loc[0, "discount"] == 0.5


def test_calibration_holdout_by_hand():
    """a buys on Jan 1, 10, 12 (twice) and 14; b on Jan 10. Calibration ends Jan 10 (inclusive); the holdout
    runs to the last day, Jan 14: a has two holdout days worth 36 and 40, b none."""
    clean = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "a", "b"], "order_id": ["1", "2", "3", "4", "5", "6"],
        "order_date": pd.to_datetime(["2024-01-01 00:00", "2024-01-10 00:00", "2024-01-12 09:00", "2024-01-12 18:00",
                                      "2024-01-14 00:00", "2024-01-10 00:00"]),
        "amount": [10.0, 20.0, 30.0, 6.0, 40.0, 5.0], "quantity": [1, 1, 1, 1, 1, 1]})
    split = data.calibration_holdout(clean, calibration_end="2024-01-10")
    assert split.loc["a", ["frequency_holdout", "monetary_value_holdout", "duration_holdout"]].tolist() == [2, 38.0, 4]
    assert split.loc["b", ["frequency_holdout", "monetary_value_holdout"]].tolist() == [0, 0.0]
    assert split.loc["a", "monetary_value_cal"] == 20.0  # the one repeat day in calibration
    pd.testing.assert_frame_equal(data.calibration_holdout(clean, calibration_end="2024-01-10", holdout_end=""), split)
    # the first day of the data may end the calibration period: first-day customers have T_cal 0
    first = data.calibration_holdout(clean, calibration_end="2024-01-01")
    assert first.index.tolist() == ["a"] and first.loc["a", ["T_cal", "frequency_holdout"]].tolist() == [0, 3]
    with pytest.raises(DataError) as error:
        data.calibration_holdout(clean, calibration_end="2023-12-31")
    assert str(error.value) == ("calibration_end 2023-12-31 is before the first transaction (2024-01-01): the "
                                "calibration period would have no purchases. Choose a later date.")
    with pytest.raises(DataError) as error:
        data.customer_table(clean, snapshot_date="soon")
    assert str(error.value) == "snapshot_date 'soon' is not a date. Use 'YYYY-MM-DD'."


def test_load_clean_makes_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(data.cache, "INTERIM_DIR", tmp_path / "deep" / "interim")
    path = tmp_path / "orders.csv"
    lines().to_csv(path, index=False)
    clean, log = data.load_clean(path)
    assert len(list((tmp_path / "deep" / "interim").glob("clean-*"))) == 1
    cached_clean, cached_log = data.load_clean(path)
    pd.testing.assert_frame_equal(cached_clean, clean)
    pd.testing.assert_frame_equal(cached_log, log)
    assert data.load_clean(path, cache=False).clean.equals(clean)


def test_customer_table_by_hand_with_an_order_over_midnight_a_free_line_and_a_late_return():
    clean = pd.DataFrame({
        "customer_id": ["x", "x", "x", "x", "y"],
        "order_id": ["o1", "o1", "o2", "r1", "r2"],
        "order_date": pd.to_datetime(["2024-01-01 23:50", "2024-01-02 00:10", "2024-01-05 09:00",
                                      "2024-01-06 10:00", "2024-01-03 12:00"]),
        "quantity": [1, 1, 1, -1, -1], "amount": [10.0, 5.0, 0.0, -3.0, -4.0]})
    table = data.customer_table(clean, snapshot_date="2024-01-10")
    assert list(table.index) == ["x"]  # y only returned something: no purchase, not a customer yet
    x = table.loc["x"]
    # purchase days 01-01 (10), 01-02 (5) and 01-05 (the free line); one order spans two of them
    assert (x["n_orders"], x["frequency"], x["recency"], x["T"], x["days_since_last_purchase"]) == (2, 2, 4, 9, 5)
    assert (x["revenue"], x["avg_order_value"]) == (12.0, 6.0)
    # repeat days are worth 5 of 15 gross; net is 12 of 15, so 5 * 0.8 over 2 repeat days
    assert x["monetary_value"] == pytest.approx(2.0)
