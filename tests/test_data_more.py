"""More tests of the data layer, each written against a case worked out by hand: the refusals word for
word, the decisions' evidence, and the tables and charts of the profile."""

from __future__ import annotations

import gzip
import re
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segkit import DataError, data, engine, memo  # noqa: E402
from segkit.data import cache  # noqa: E402
from segkit.data import clean as cleaning  # noqa: E402
from segkit.data import plots as data_plots  # noqa: E402
from segkit.data import profiling  # noqa: E402
from segkit.data.customers import check_customer_table  # noqa: E402
from segkit.data.dates import parse_dates  # noqa: E402
from segkit.data.numeric import parse_numbers  # noqa: E402
from segkit.data.read import read_raw  # noqa: E402
from segkit.paths import project_path  # noqa: E402

# --- reading: the encoding a refused file reads best as ----------------------------------


def test_a_compressed_file_refused_in_the_given_encoding_names_the_encoding_of_its_content(tmp_path):
    path = tmp_path / "1c.csv.gz"
    # two hundred lines compress well: the compressed bytes read as nothing in particular
    path.write_bytes(gzip.compress(("Клиент;Сумма\n" + "Иванов;5\n" * 200).encode("cp1251")))
    with pytest.raises(DataError) as error:
        read_raw(path, encoding="utf-8")
    assert str(error.value) == (
        "'1c.csv.gz' is not valid utf-8 text (byte 0 cannot be decoded). The file reads best as cp1251: set it "
        "with the reading parameter, reading: {encoding: cp1251} (in Python: encoding='cp1251'), or re-save the "
        "file as UTF-8.")


def test_a_refused_file_whose_encoding_cannot_be_told_is_offered_cp1252(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n\x81\x8d\x8f\x90\x9d\n")  # bytes every candidate reads about equally badly
    with pytest.raises(DataError) as error:
        read_raw(path, encoding="utf-8")
    assert str(error.value) == (
        "'x.csv' is not valid utf-8 text (byte 4 cannot be decoded). The file reads best as cp1252: set it with "
        "the reading parameter, reading: {encoding: cp1252} (in Python: encoding='cp1252'), or re-save the file "
        "as UTF-8.")


# --- reading: Excel workbooks -------------------------------------------------------------


def _two_sheets_and_notes(path):
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Invoice": ["1", "2"], "Customer ID": ["a", "b"]}).to_excel(writer, sheet_name="A", index=False)
        pd.DataFrame({"invoice": ["3"], "customer_id": ["c"]}).to_excel(writer, sheet_name="B", index=False)
        pd.DataFrame({"note": ["x"]}).to_excel(writer, sheet_name="N", index=False)
    return path


def test_workbook_sheets_decisions_word_for_word(tmp_path):
    path = _two_sheets_and_notes(tmp_path / "w.xlsx")
    table = read_raw(path)
    # B's header is A's written another way: stacked under A's names
    assert table.frame.to_dict("list") == {"Invoice": ["1", "2", "3"], "Customer ID": ["a", "b", "c"]}
    assert [(d.aspect, d.value, d.evidence, d.given) for d in table.decisions] == [(
        "sheets", "'A', 'B'", "stacked, same header: 'A': 2 rows; 'B': 1 rows; skipped (another header): 'N', set "
        "reading: {sheet: ...} to read one", False)]
    for sheet, value in (("B", "'B'"), (1, "1")):
        table = read_raw(path, sheet=sheet)
        assert table.frame.to_dict("list") == {"invoice": ["3"], "customer_id": ["c"]}
        assert [(d.aspect, d.value, d.evidence, d.given) for d in table.decisions] == [
            ("sheets", value, "given; 1 rows", True)]
    with pd.ExcelWriter(tmp_path / "one.xlsx") as writer:
        pd.DataFrame({"Invoice": ["1", "2"]}).to_excel(writer, sheet_name="Only", index=False)
    assert [(d.value, d.evidence) for d in read_raw(tmp_path / "one.xlsx").decisions] == [("'Only'", "'Only': 2 rows")]


def test_workbook_refusals_word_for_word(tmp_path):
    path = _two_sheets_and_notes(tmp_path / "w.xlsx")
    with pytest.raises(DataError) as error:
        read_raw(path, sheet="Z")
    assert str(error.value) == ("'w.xlsx' has no sheet 'Z'; its sheets are ['A', 'B', 'N']. Set reading: "
                                "{sheet: <name>} to one of them.")
    with pd.ExcelWriter(tmp_path / "e.xlsx") as writer:
        pd.DataFrame().to_excel(writer, sheet_name="E", index=False)
    with pytest.raises(DataError) as error:
        read_raw(tmp_path / "e.xlsx")
    assert str(error.value) == "Every sheet of 'e.xlsx' is empty. Export the transactions again."


# --- numbers ---------------------------------------------------------------------------------


def test_number_decisions_word_for_word():
    numbers, decision = parse_numbers(pd.Series(["1.5", "2,500"]), column="P", source="x", file_decimal=",")
    assert numbers.tolist() == [1.5, 2500.0]  # '1.5' settles the column: the file's other columns do not
    assert (decision.value, decision.evidence) == (
        "decimal '.' thousands ','", "1 of 2 distinct values can only be read with decimal '.' (e.g. '1.5'); "
        "1 distinct values group thousands with ','")
    numbers, decision = parse_numbers(pd.Series(["1.500", "2.250"]), column="P", source="x", file_decimal=",")
    assert numbers.tolist() == [1500.0, 2250.0]
    assert (decision.value, decision.evidence) == (
        "decimal ',' thousands '.'", "every value reads with decimal '.' and with ',' (e.g. '1.500'); decimal ',' "
        "as decided for the file's other columns; 2 distinct values group thousands with '.'")
    numbers, decision = parse_numbers(pd.Series(["1 234,5", "12,5"]), column="P", source="x")
    assert numbers.tolist() == [1234.5, 12.5]
    assert (decision.value, decision.evidence) == (
        "decimal ',' thousands ' '", "2 of 2 distinct values can only be read with decimal ',' (e.g. '1 234,5', "
        "'12,5'); 1 distinct values group thousands with ' '")


# --- dates ---------------------------------------------------------------------------------


def test_mixed_day_order_is_refused_when_the_sample_holds_only_one_order():
    # 1,000 distinct dates: the sample (every second one) is all day-first, the others all month-first
    day_first = [f"{d}/{m:02d}/{y}" for y in range(2000, 2003) for m in range(1, 13) for d in range(13, 27)][:500]
    month_first = [f"{m:02d}/{d}/{y}" for y in range(2010, 2013) for m in range(1, 13) for d in range(13, 27)][:500]
    values = pd.Series([v for pair in zip(day_first, month_first) for v in pair])
    with pytest.raises(DataError) as error:
        parse_dates(values, column="Date", source="'o.csv'")
    assert str(error.value) == (
        "Column 'Date' of 'o.csv' mixes day-first and month-first dates: e.g. '13/01/2000', '14/01/2000', "
        "'15/01/2000' only fit %d/%m/%Y (500 distinct dates) and '01/13/2010', '01/14/2010', '01/15/2010' only "
        "fit %m/%d/%Y (500). Export the column again in one order (ISO YYYY-MM-DD is safest); setting reading: "
        '{date_format: "%d/%m/%Y"} in the params YAML, or date_format="%d/%m/%Y" in '
        "segkit.data.load_transactions reads one order and reports the others.")


def test_ambiguous_day_order_is_refused_word_for_word_with_the_time_in_the_fix():
    with pytest.raises(DataError) as error:
        parse_dates(pd.Series(["01/02/2024 10:00", "03/04/2024"]), column="D", source="'o.csv'")
    assert str(error.value) == (
        "Column 'D' of 'o.csv': the dates fit both %d/%m/%Y and %m/%d/%Y (no value has a day above 12), so day "
        "and month cannot be told apart. E.g. '01/02/2024' is 1 February 2024 with %d/%m/%Y but 2 January 2024 "
        'with %m/%d/%Y. Say which: reading: {date_format: "%d/%m/%Y %H:%M"} in the params YAML, or '
        'date_format="%d/%m/%Y %H:%M" in segkit.data.load_transactions (or "%m/%d/%Y %H:%M").')


def test_a_small_number_beside_yyyymmdd_dates_is_refused_not_guessed():
    for first, message_example in ((5, "'5'"), (2024, "'2024'")):  # 2024 is no YYYYMMDD date, whatever it reads as
        with pytest.raises(DataError) as error:
            parse_dates(pd.Series([first, 20240305, 20240305]), column="d", source="x")
        assert str(error.value) == ("Column 'd' of x holds numbers read as YYYYMMDD dates, but 1 row(s) are not such "
                                    f"dates, e.g. {message_example}. Fix or blank those cells.")


# --- cleaning options and the customer table's checks, word for word ------------------------


def one_line() -> pd.DataFrame:
    return data.load_transactions(pd.DataFrame({"customer_id": ["a"], "order_date": ["2024-01-01"], "amount": [1.0]}))


def test_cleaning_options_are_refused_word_for_word():
    with pytest.raises(DataError) as error:
        data.clean_transactions(one_line(), returns="gross")
    assert str(error.value) == "returns must be 'net' or 'drop', got 'gross'."
    with pytest.raises(DataError) as error:
        data.clean_transactions(one_line(), outlier_z=0)
    assert str(error.value) == "outlier_z must be positive (or None to keep outliers), got 0."
    clean, _ = data.clean_transactions(one_line(), outlier_z=None, returns="drop")
    assert clean["amount"].tolist() == [1.0]


def three_clean_lines() -> pd.DataFrame:
    """a buys on 1 and 10 January (10 and 20), b on 5 January (5)."""
    return pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
                         "order_date": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-01-05"]),
                         "amount": [10.0, 20.0, 5.0], "quantity": [1, 1, 1]})


def test_customer_table_refusals_word_for_word():
    clean = three_clean_lines()
    cases = [
        (clean.drop(columns=["quantity", "amount"]),
         "The transactions lack column(s) ['amount', 'quantity']. Pass the output of clean_transactions (or "
         "load_clean, or segkit.engine.clean_lines), not the raw file."),
        (clean.iloc[:0], "There are no transactions left to summarise. Check the cleaning log: every row was excluded."),
        (clean.assign(customer_id=["a", None, None]),
         "2 line(s) have no customer id. Run clean_transactions first: it removes and logs them."),
    ]
    for frame, message in cases:
        with pytest.raises(DataError) as error:
            data.customer_table(frame)
        assert str(error.value) == message
    with pytest.raises(DataError) as error:
        data.customer_table(clean, snapshot_date="2024-01-01 18:00")  # the first day itself, at any hour
    assert str(error.value) == ("snapshot_date 2024-01-01 is on or before the first transaction (2024-01-01): no "
                                "customer exists yet. Choose a later date.")
    # a blank snapshot is the default, the day after the last line
    assert data.snapshot_date(data.customer_table(clean, snapshot_date="")) == pd.Timestamp("2024-01-11")
    assert data.customer_table(clean, snapshot_date="2024-01-02")["T"].to_dict() == {"a": 1}  # b not yet a customer


def test_calibration_holdout_refusals_word_for_word():
    clean = three_clean_lines()
    cases = [
        ({"calibration_end": "mid-June"}, "calibration_end 'mid-June' is not a date. Use 'YYYY-MM-DD'."),
        ({"calibration_end": "2024-01-05", "holdout_end": "soon"}, "holdout_end 'soon' is not a date. Use 'YYYY-MM-DD'."),
        ({"calibration_end": "2024-01-05", "holdout_end": "2024-01-05"},
         "holdout_end 2024-01-05 must be after calibration_end 2024-01-05 (both are the last day of their period). "
         "Choose a calibration_end inside the data's date range."),
    ]
    for options, message in cases:
        with pytest.raises(DataError) as error:
            data.calibration_holdout(clean, **options)
        assert str(error.value) == message


def test_check_customer_table_refusals_word_for_word():
    with pytest.raises(DataError) as error:
        check_customer_table([1.0], ["revenue"])
    assert str(error.value) == ("expected the customer table as a pandas DataFrame (one row per customer), got list; "
                                "build it with segkit.data.customer_table(clean).")
    with pytest.raises(DataError) as error:
        check_customer_table(pd.DataFrame({"revenue": []}), ["revenue"])
    assert str(error.value) == ("the customer table is empty (0 rows); check the data path and the cleaning log "
                                "(segkit.data.load_clean).")
    with pytest.raises(DataError) as error:
        check_customer_table(pd.DataFrame({"revenue": [1.0]}), ["n_orders", "revenue", "T"], fix="pass X")
    assert str(error.value) == "the customer table lacks column(s) ['n_orders', 'T']; pass X, or rename your columns to these names."
    check_customer_table(pd.DataFrame({"revenue": [1.0]}), ["revenue"])  # a valid table passes


def test_snapshot_disagreement_lists_three_snapshots_then_dots():
    table = pd.DataFrame({"last_purchase": pd.to_datetime(["2024-01-10", "2024-01-04", "2024-01-01", "2024-01-02", None]),
                          "days_since_last_purchase": [1, 1, 1, 1, 1]})
    with pytest.raises(DataError) as error:
        data.snapshot_date(table)
    assert str(error.value) == (
        "the customer table's rows do not give one snapshot date (last_purchase + days_since_last_purchase gives "
        "2024-01-11, 2024-01-05, 2024-01-02, ...); build it with segkit.data.customer_table(clean, snapshot_date=...).")
    with pytest.raises(DataError) as error:
        data.snapshot_date(table.iloc[[0, 4]])
    assert str(error.value) == (
        "the customer table's rows do not give one snapshot date (last_purchase + days_since_last_purchase gives "
        "2024-01-11, missing); build it with segkit.data.customer_table(clean, snapshot_date=...).")
    with pytest.raises(DataError, match=r"gives 2024-01-11, 2024-01-05, 2024-01-02\)"):  # three: no dots
        data.snapshot_date(table.iloc[:3])
    with pytest.raises(DataError, match=r"gives 2024-01-11, 2024-01-05, 2024-01-02, \.\.\.\)"):  # four: dots
        data.snapshot_date(table.iloc[:4])


def test_reconcile_by_hand_shows_differences_below_a_millionth_as_zero():
    tx = pd.DataFrame({"customer_id": ["a", "b", "b"], "amount": [1.0, 2.0, 0.5]})
    clean = tx.iloc[:1]
    log = pd.DataFrame({"rule": ["missing_date", "zero_value"], "action": ["excluded", "kept"],
                        "rows": [2, 9], "customers_lost": [1, 9], "revenue": [2.4999996, 9.0]})
    table = cleaning.reconcile(tx, clean, log)
    assert table.index.name == "measure"
    # revenue: 3.5 in, 1 kept, 2.4999996 excluded: 0.0000004 apart, which rounds to 0 at six decimals;
    # the flag row (kept) is not counted as excluded
    assert table.to_dict("index") == {
        "rows": {"in raw data": 3.0, "kept": 1.0, "excluded": 2.0, "difference": 0.0},
        "customers": {"in raw data": 2.0, "kept": 1.0, "excluded": 1.0, "difference": 0.0},
        "revenue": {"in raw data": 3.5, "kept": 1.0, "excluded": 2.4999996, "difference": 0.0},
    }
    off = cleaning.reconcile(tx, clean, log.assign(revenue=[2.499996, 9.0]))
    assert off.loc["revenue", "difference"] == 0.000004


def test_clean_parquet_applies_every_option_file_to_file(tmp_path):
    # a buys 2 x 5 and returns one (-5, same product); TEST1 matches the default test-account pattern (7);
    # c (3) is a test account only when named
    tx = data.load_transactions(pd.DataFrame({
        "order_id": ["1", "C2", "3", "4"], "customer_id": ["a", "a", "TEST1", "c"],
        "order_date": ["2024-01-01", "2024-01-05", "2024-01-02", "2024-01-03"], "quantity": [2, -1, 1, 1],
        "unit_price": [5.0, 5.0, 7.0, 3.0], "product_id": ["x", "x", "y", "z"]}))
    tx.to_parquet(tmp_path / "lines.parquet", index=False)

    def run(folder, **options):
        folder.mkdir()
        log = cleaning.clean_parquet(tmp_path / "lines.parquet", folder, **options)
        counted = log[log["rows"] > 0].set_index("rule")
        kept = pd.read_parquet(folder / "clean.parquet")
        excluded = pd.read_parquet(folder / "excluded.parquet")
        return (counted[["rows", "revenue"]].to_dict("index"), sorted(zip(kept["customer_id"], kept["amount"])),
                list(zip(excluded["customer_id"], excluded["excluded_by"], excluded["line_no"])))

    counts, kept, excluded = run(tmp_path / "default")
    assert counts == {"test_account": {"rows": 1, "revenue": 7.0}}
    assert kept == [("a", -5.0), ("a", 10.0), ("c", 3.0)]  # the matched return is kept, netting a's revenue
    assert [(c, rule) for c, rule, _ in excluded] == [("TEST1", "test_account")]
    counts, kept, excluded = run(tmp_path / "options", returns="drop", test_account_pattern=None,
                                 test_accounts=["c"], outlier_z=None)
    assert counts == {"test_account": {"rows": 1, "revenue": 3.0}, "return": {"rows": 1, "revenue": -5.0}}
    assert kept == [("TEST1", 7.0), ("a", 10.0)]
    assert sorted((c, rule) for c, rule, _ in excluded) == [("a", "return"), ("c", "test_account")]
    with pytest.raises(DataError, match=r"^returns must be 'net' or 'drop', got 'x'\.$"):
        cleaning.clean_parquet(tmp_path / "lines.parquet", tmp_path, returns="x")
    with pytest.raises(DataError, match=r"^outlier_z must be positive \(or None to keep outliers\), got -1\.$"):
        cleaning.clean_parquet(tmp_path / "lines.parquet", tmp_path, outlier_z=-1)


def test_is_return_by_hand():
    tx = pd.DataFrame({"quantity": [2, -1, 1, 0, -1], "amount": [10.0, -5.0, -5.0, 5.0, 0.0]})
    # a purchase; a return; a refund written with a positive quantity; a line of no quantity but revenue;
    # the return of a free item
    assert cleaning.is_return(tx).tolist() == [False, True, True, False, True]


# --- profiling tables ---------------------------------------------------------------------


def test_duplicate_summary_is_indexed_by_measure():
    tx = pd.DataFrame({"order_id": ["1", "1", "2", "2"], "customer_id": ["a", "a", "b", "b"],
                       "amount": [5.0, 5.0, 3.0, 3.0]})
    table = profiling.duplicate_summary(tx)
    assert table.index.name == "measure"
    assert table["value"].to_dict() == {"duplicate lines": 2, "orders affected": 2, "customers affected": 2,
                                        "revenue in duplicates": 8.0}


def test_returns_summary_counts_a_return_without_an_order_id_as_another_return():
    tx = pd.DataFrame({"order_id": ["C1", None, "3"], "quantity": [-1, -1, 1], "amount": [-2.0, -3.0, 5.0]})
    table = profiling.returns_summary(tx)
    assert table["lines"].to_dict() == {"cancelled invoices (C...)": 1, "other returns": 1, "all returns": 2}
    assert table["value"].to_dict() == {"cancelled invoices (C...)": 2.0, "other returns": 3.0, "all returns": 5.0}
    assert table["pct_of_gross_sales"].tolist() == [40.0, 60.0, 100.0]  # of gross sales 5


def test_overview_rounds_money_to_cents():
    tx = pd.DataFrame({"order_id": ["1", "2", "C3"], "customer_id": ["a", "b", "a"],
                       "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
                       "quantity": [1, 1, -1], "amount": [1.111, 2.222, -1.001]})
    table = profiling.overview(tx)
    assert table.index.name == "measure"
    # gross sales 1.111 + 2.222 = 3.333, net of the return 2.332
    assert (table.loc["gross sales", "value"], table.loc["net revenue (all lines)", "value"]) == (3.33, 2.33)
    assert table.loc["products", "value"] == "no product column"


def test_top_lines_score_a_narrow_spread_and_none():
    # logs of 10, 11, 12 around the median log 11: deviations -0.0953 and +0.0870, MAD 0.0870,
    # times 1.4826 = 0.1290: z = -0.739, 0, 0.674 (a spread below one is still a spread)
    lines = pd.DataFrame({"order_id": ["1", "2", "3"], "quantity": [1.0] * 3, "amount": [10.0, 11.0, 12.0]})
    top = profiling.top_lines(lines)
    assert top["amount"].tolist() == [12.0, 11.0, 10.0] and top["robust_z"].tolist() == [0.7, 0.0, -0.7]
    # three equal lines of four: the median absolute deviation is 0, so no line can be scored
    equal = pd.DataFrame({"order_id": ["1", "2", "3", "4"], "quantity": [1.0] * 4, "amount": [5.0, 5.0, 5.0, 20.0]})
    top = profiling.top_lines(equal)
    assert top["amount"].tolist() == [20.0, 5.0, 5.0, 5.0] and top["robust_z"].isna().all()


def test_duplicate_summary_rounds_money_to_cents_and_shows_counts_as_whole_numbers():
    tx = pd.DataFrame({"order_id": ["1", "1", "2"], "customer_id": ["a", "a", "b"], "amount": [1.234, 1.234, 3.0]})
    table = profiling.duplicate_summary(tx)
    assert table.loc["revenue in duplicates", "value"] == 1.23
    assert [str(v) for v in table["value"]] == ["1", "1", "1", "1.23"]  # as the report prints them


def test_breakdown_by_hand():
    clean = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c"], "order_id": ["1", "2", "3", "3"],
        "amount": [1.0, 2.14159, 4.0, 2.0],
        "category": pd.Categorical(["toys", "toys", "food", "food"], categories=["books", "food", "toys"]),
    })
    table = profiling.breakdown(clean, "category")
    # food: customers b and c, one order (3), 6.00; toys: customer a, orders 1 and 2, 3.14159 -> 3.14;
    # books has no line and no row; shares of 9.14: 65.6% and 34.4% (3.14 / 9.14 = 0.34354)
    assert table.to_dict("index") == {
        "food": {"customers": 2, "orders": 1, "revenue": 6.0, "revenue_pct": 65.6},
        "toys": {"customers": 1, "orders": 2, "revenue": 3.14, "revenue_pct": 34.4},
    }
    assert table.index.tolist() == ["food", "toys"]  # by revenue, largest first


def test_concentration_default_share_and_gini_by_hand():
    # five customers, 100 in all: the top 20% (one customer) bring 50; Gini from the mean absolute difference:
    # ordered pairs differ by 2 * (3 * 10 + 3 * 40 + 30) = 360, / (2 * 5^2 * mean 20) = 0.36
    assert profiling.concentration(pd.Series([10.0, 50.0, 10.0, 20.0, 10.0])) == {
        "top_customers_pct": 20.0, "top_revenue_pct": 50.0, "gini": 0.36}


def test_concentration_takes_exact_decimals_from_a_database():
    revenue = pd.Series([Decimal("10.00"), Decimal("50.00"), Decimal("10.00"), Decimal("20.00"), Decimal("10.00")])
    assert profiling.concentration(revenue, top_share=0.4) == {
        "top_customers_pct": 40.0, "top_revenue_pct": 70.0, "gini": 0.36}


def nine_small_lines_and_a_keying_error() -> pd.DataFrame:
    """Ten customers with one line each: nine of 10 to 26 and one of 1,000,000 (robust z far above 6)."""
    amounts = [10, 12, 14, 16, 18, 20, 22, 24, 26, 1_000_000]
    return data.load_transactions(pd.DataFrame({
        "order_id": [str(i) for i in range(10)], "customer_id": list("abcdefghij"),
        "order_date": [f"2024-01-{i + 1:02d}" for i in range(10)], "quantity": [1] * 10, "unit_price": amounts}))


def test_profile_of_a_file_with_a_keying_error():
    tx = nine_small_lines_and_a_keying_error()
    clean, log = data.clean_transactions(tx)
    profile = data.profile_transactions(tx, clean, log, data.customer_table(clean))
    assert (profile.facts.outlier_rows, profile.facts.outlier_revenue) == (1, 1_000_000.0)
    assert profile.findings[0] == ("1 extreme line(s) worth 1,000,000 were excluded as keying errors; confirm "
                                   "with the order system before trusting revenue totals.")
    # eight top lines by default, largest first: the keying error, then 26, 24, ..., 14
    assert profile.top_lines["amount"].tolist() == [1_000_000.0, 26.0, 24.0, 22.0, 20.0, 18.0, 16.0, 14.0]
    # percentiles of the ten amounts, linear between order statistics: p25 at 2.25 -> 14.5, median (18 + 20) / 2
    amount = profile.quantiles.loc["amount"]
    assert (amount["min"], amount["p25"], amount["median"], amount["p75"], amount["max"]) == (
        10.0, 14.5, 19.0, 23.5, 1_000_000.0)
    # the top 20% of the nine kept customers is two of them: (26 + 24) / 162 = 30.9%
    assert profile.concentration["top_revenue_pct"] == 30.9


# --- charts ------------------------------------------------------------------------------


def test_plot_monthly_turns_the_month_labels_only():
    monthly = pd.DataFrame({"orders": [3, 5], "revenue": [1500.0, 2500.0]},
                           index=pd.PeriodIndex(["2024-01", "2024-02"], freq="M", name="month"))
    fig, ax = plt.subplots()
    try:
        data_plots.plot_monthly(monthly, ax=ax)
        fig.canvas.draw()
        assert [t.get_rotation() for t in ax.get_xticklabels()] == [90.0, 90.0]
        assert {t.get_rotation() for t in ax.get_yticklabels()} == {0.0}  # the order counts stay upright
    finally:
        plt.close(fig)


# --- the cache ---------------------------------------------------------------------------------

ORDERS_CSV = "Invoice;Customer ID;InvoiceDate;Quantity;Price\n1;a;2024-01-05;2;2,5\n2;b;2024-01-06;1;10\n3;a;2024-02-01;1;4\n"


@pytest.fixture
def interim(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "interim"
    monkeypatch.setattr(cache, "INTERIM_DIR", folder)
    return folder


def test_a_cache_entry_is_a_named_folder_of_parquet_files(tmp_path, interim):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV)
    entry = cache.cache_entry(path)
    assert re.fullmatch(r"clean-[0-9a-f]{20}", entry.name) and entry.parent == interim
    # dtypes.parquet: no rows, the pandas types of the lines as read, which the clean lines are given back in
    assert sorted(p.name for p in entry.iterdir()) == ["clean.parquet", "dropped.parquet", "dtypes.parquet", "excluded.parquet",
                                                       "log.parquet"]
    assert len(pd.read_parquet(entry / "dtypes.parquet")) == 0
    # the file as read has its own entry; no staging folder is left behind
    (lines,) = interim.glob("lines-*")
    assert sorted(p.name for p in interim.iterdir()) == sorted([entry.name, lines.name])
    assert sorted(p.name for p in lines.iterdir()) == ["decisions.parquet", "lines.parquet"]
    written = pd.read_parquet(entry / "clean.parquet").sort_values("line_no")  # cleaned file to file: in no order
    assert written["amount"].tolist() == [5.0, 10.0, 4.0]  # decimal comma read
    # blank reading options are no options, and cleaning defaults given are defaults: the same entry
    assert cache.cache_entry(path, delimiter="", encoding=None) == entry
    assert cache.cache_entry(path, returns="net", outlier_z=6.0, test_accounts=[]) == entry
    # what decides the result is in the key: the column map, an option, the file's content, the code
    assert cache.cache_entry(path, columns={"Customer ID": "customer_id"}) != entry
    assert cache.cache_entry(path, delimiter=";") != entry
    assert cache.cache_entry(path, outlier_z=4.0) != entry
    assert len(list(interim.glob("clean-*"))) == 4


def test_read_file_is_read_transactions_served_from_its_entry(tmp_path, interim):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV)
    read = data.read_transactions(path)
    first = data.read_file(path)
    pd.testing.assert_frame_equal(first.lines, read.lines)
    pd.testing.assert_frame_equal(first.decisions, read.decisions)
    (entry,) = interim.glob("lines-*")
    # an entry that exists is read, not made again: doctor it and see the doctored lines come back
    read.lines.assign(amount=read.lines["amount"] * 2).to_parquet(entry / "lines.parquet")
    assert data.read_file(path).lines["amount"].tolist() == [10.0, 20.0, 8.0]
    assert data.read_file(path, cache=False).lines["amount"].tolist() == [5.0, 10.0, 4.0]
    assert data.read_file(path, delimiter="").lines["amount"].tolist() == [10.0, 20.0, 8.0]  # blank: no option
    # a reading option is in the key and reaches the reader
    with pytest.raises(DataError, match=r"^'orders.csv': missing required column\(s\): customer_id, order_date"):
        data.read_file(path, delimiter=",")


def test_load_split_is_split_transactions_of_the_file(tmp_path, interim):
    path = tmp_path / "orders.csv"
    # line 1 (0-based) has no customer, line 3 repeats line 0: both excluded, and keep their positions
    path.write_text("Invoice;Customer ID;InvoiceDate;Quantity;Price\n1;a;2024-01-05;2;2,5\n2;;2024-01-06;1;10\n"
                    "3;a;2024-02-01;1;4\n1;a;2024-01-05;2;2,5\n")
    expected = data.split_transactions(data.read_transactions(path).lines)
    for _ in range(2):  # made, then read from the entry
        got = data.load_split(path)
        for ours, theirs in zip(got, expected):
            pd.testing.assert_frame_equal(ours, theirs)
    assert got.excluded.index.tolist() == [1, 3]
    assert got.excluded["excluded_by"].tolist() == ["missing_customer", "duplicate"]
    pd.testing.assert_frame_equal(data.load_clean(path).clean, expected.clean)  # the same entry
    assert len(list(interim.glob("clean-*"))) == 1


def test_the_engine_s_cleaning_log_is_load_clean_s_log_and_the_totals_of_its_lines(tmp_path, interim):
    path = tmp_path / "orders.csv"
    # a guest line (excluded) and b returning the 10.00 item of order 2: netted, b is left with no revenue and
    # both lines go (a's 5 + 4 stay); with returns="drop" the return goes and b's purchase stays (5 + 10 + 4)
    path.write_text(ORDERS_CSV + "4;;2024-02-02;1;3\nC5;b;2024-03-01;-1;10\n")
    for options, revenue, n_lines in (({}, 9.0, 2), ({"returns": "drop"}, 19.0, 3)):
        clean, log = data.load_clean(path, **options)
        logged = engine.cleaning_log(path, **options)
        pd.testing.assert_frame_equal(logged.log, log)
        assert (logged.totals["revenue"], logged.totals["n_lines"]) == (revenue, n_lines) == (
            clean["amount"].sum(), len(clean))
        assert (logged.totals["first"], logged.totals["last"]) == (clean["order_date"].min(), clean["order_date"].max())
    assert len(list(interim.glob("clean-*"))) == 2  # cleaning_log read the entries load_clean made


def test_the_front_door_s_lines_are_cleaned_file_to_file_as_split_transactions_cleans_them(interim):
    """The shipped sample (89k clean lines, returns, duplicates, outliers, guests) under three sets of
    options: the cache entry, cleaned by the engine from the cached lines as read, gives back the lines,
    excluded lines and log of split_transactions in memory, in the same order and pandas types."""
    path = project_path("data/raw/transactions.csv.gz")
    lines = data.read_file(path).lines
    for options in ({}, {"returns": "drop"}, {"outlier_z": 4.0}):
        expected = data.split_transactions(lines, **options)
        for ours, theirs in zip(data.load_split(path, **options), expected, strict=True):
            pd.testing.assert_frame_equal(ours, theirs)


def test_lines_parquet_cannot_hold_are_cleaned_in_memory_with_the_same_result(tmp_path, interim):
    """A workbook column of numbers and words (mixed Python types) cannot go to Parquet as read: the lines are
    served uncached (no lines entry) and cleaned in memory, and load_split still equals split_transactions
    (the engine gives the mixed column back as text; from the cache it is pandas' text type, not object)."""
    path = tmp_path / "orders.xlsx"
    pd.DataFrame({"Invoice": ["1", "2", "3"], "Customer ID": ["a", "b", "a"],
                  "InvoiceDate": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-02-01"]),
                  "Quantity": [2, 1, 1], "Price": [2.5, 10.0, 4.0], "Note": [1, "gift", 2.5]}).to_excel(path, index=False)
    lines = data.read_file(path).lines
    assert lines["Note"].tolist() == [1, "gift", 2.5]
    split = data.load_split(path)
    for ours, theirs in zip(split, data.split_transactions(lines), strict=True):
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
    assert split.clean["Note"].tolist() == ["1", "gift", "2.5"]
    assert [entry.name.split("-")[0] for entry in interim.iterdir()] == ["clean"]


def test_load_split_honours_a_column_map(tmp_path, interim):
    path = tmp_path / "export.csv"
    # headers segkit does not know: without the map the file cannot be read at all
    path.write_text("Beleg;Kunde;Datum;Menge;Preis\n1;a;2024-01-05;2;2,5\n2;;2024-01-06;1;10\n3;b;2024-02-01;1;4\n")
    columns = {"Beleg": "order_id", "Kunde": "customer_id", "Datum": "order_date", "Menge": "quantity",
               "Preis": "unit_price"}
    got = data.load_split(path, columns=columns)
    expected = data.split_transactions(data.read_transactions(path, columns=columns).lines)
    for ours, theirs in zip(got, expected):
        pd.testing.assert_frame_equal(ours, theirs)
    assert got.clean["customer_id"].tolist() == ["a", "b"] and got.excluded.index.tolist() == [1]


def test_the_cache_key_follows_the_content_and_the_code(tmp_path, interim, monkeypatch):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV)
    key = cache._cache_key([path], {})
    assert cache._cache_key([path], {}) == key
    with monkeypatch.context() as patch:
        patch.setattr(cache, "_code_version", lambda: "another")
        assert cache._cache_key([path], {}) != key
    assert cache._cache_key([path], {}) == key
    assert cache._cache_key([path], {"returns": "drop"}) != key
    path.write_text(ORDERS_CSV.replace("10\n", "11\n"))
    assert cache._cache_key([path], {}) != key


def test_the_code_version_covers_the_engine_and_the_data_package(monkeypatch):
    version = cache._code_version.__wrapped__
    assert re.fullmatch(r"[0-9a-f]{12}", version())
    assert version() == version()
    read_bytes = Path.read_bytes
    for package in ("engine", "data"):
        def changed(self, package=package):
            content = read_bytes(self)
            return content + b"# edited" if self.parent.name == package else content
        with monkeypatch.context() as patch:
            patch.setattr(Path, "read_bytes", changed)
            edited = version()
        assert edited != version(), package


def test_load_clean_reads_the_entry_it_made_and_passes_reading_options(tmp_path, interim):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV)
    clean, log = data.load_clean(path)
    (entry,) = interim.glob("clean-*")
    # an entry that exists is read, not made again: doctor it and see the doctored lines come back
    clean.assign(amount=clean["amount"] * 2).to_parquet(entry / "clean.parquet", index=False)
    assert data.load_clean(path).clean["amount"].tolist() == [10.0, 20.0, 8.0]
    assert data.load_clean(path, cache=False).clean["amount"].tolist() == [5.0, 10.0, 4.0]
    # reading options reach the reader with and without the cache, cleaning options the cleaning
    for cached in (False, True):
        with pytest.raises(DataError, match=r"^'orders.csv': missing required column\(s\): customer_id, order_date"):
            data.load_clean(path, cache=cached, delimiter=",", outlier_z=None)
        with pytest.raises(DataError, match=r"^returns must be 'net' or 'drop', got 'x'\.$"):
            data.load_clean(path, cache=cached, returns="x")


def test_an_entry_published_twice_keeps_the_first_and_leaves_no_staging(tmp_path):
    folder = tmp_path / "interim" / "clean-x"
    memo.publish(folder, lambda staging: (staging / "clean.parquet").write_text("first"))
    memo.publish(folder, lambda staging: (staging / "clean.parquet").write_text("second"))  # another process first
    assert [p.name for p in folder.parent.iterdir()] == ["clean-x"]
    assert (folder / "clean.parquet").read_text() == "first"


def test_a_failed_write_publishes_nothing_and_leaves_no_staging(tmp_path):
    folder = tmp_path / "interim" / "clean-x"

    def fail(staging):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        memo.publish(folder, fail)
    assert list(folder.parent.iterdir()) == []


def test_a_file_is_published_whole_or_not_at_all(tmp_path):
    target = tmp_path / "clean.parquet"
    memo.publish_file(target, lambda staging: staging.write_text("first"))
    memo.publish_file(target, lambda staging: staging.write_text("second"))  # another process, same content
    assert target.read_text() == "second"

    def fail(staging):
        staging.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        memo.publish_file(target, fail)
    assert target.read_text() == "second" and [p.name for p in tmp_path.iterdir()] == ["clean.parquet"]


def test_canonical_parquet_is_cleaned_by_the_engine_into_the_cache(tmp_path, interim):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV + "4;;2024-02-02;1;3\n")  # a guest line, excluded
    lines = data.load_transactions(path)
    lines.to_parquet(tmp_path / "lines.parquet", index=False)
    entry = cache.cache_entry(tmp_path / "lines.parquet")
    # dtypes.parquet: no rows, the pandas types of the lines as read, which the clean lines are given back in
    assert sorted(p.name for p in entry.iterdir()) == ["clean.parquet", "dropped.parquet", "dtypes.parquet", "excluded.parquet",
                                                       "log.parquet"]
    assert len(pd.read_parquet(entry / "dtypes.parquet")) == 0
    written = pd.read_parquet(entry / "clean.parquet").sort_values("line_no")  # in no particular order
    assert written["line_no"].tolist() == [0, 1, 2] and written["amount"].tolist() == [5.0, 10.0, 4.0]
    log = pd.read_parquet(entry / "log.parquet").set_index("rule")
    assert (log.loc["missing_customer", "rows"], log.loc["missing_customer", "revenue"]) == (1, 3.0)
    # with a column map, the file takes the front door: its excluded lines numbered by their position as read
    mapped = cache.cache_entry(tmp_path / "lines.parquet", columns={"customer_id": "customer_id"})
    assert mapped != entry
    assert sorted(p.name for p in mapped.iterdir()) == sorted(p.name for p in entry.iterdir())
    assert pd.read_parquet(mapped / "excluded.parquet")[["line_no", "excluded_by"]].values.tolist() == [
        [3, "missing_customer"]]
    assert data.load_clean(tmp_path / "lines.parquet").clean["amount"].tolist() == [5.0, 10.0, 4.0]


def test_lines_cleaned_by_the_engine_load_in_the_order_the_frame_path_gives(tmp_path, interim):
    # lines stored newest first, and two lines of one order: loaded, they are in date, order, source-line order
    lines = data.load_transactions(pd.DataFrame({
        "order_id": ["9", "7", "8", "7", "5"], "customer_id": ["a", "b", "a", "b", None],
        "order_date": ["2024-03-05", "2024-03-01", "2024-03-01", "2024-03-01", "2024-02-01"],
        "quantity": [1, 2, 1, 3, 1], "unit_price": [1.0, 2.0, 3.0, 4.0, 5.0]}))
    lines.to_parquet(tmp_path / "lines.parquet", index=False)
    clean = data.load_clean(tmp_path / "lines.parquet").clean
    assert clean["order_id"].tolist() == ["7", "7", "8", "9"] and clean["quantity"].tolist() == [2, 3, 1, 1]
    pd.testing.assert_frame_equal(clean, data.clean_transactions(lines).clean, check_dtype=False)


def test_a_folder_of_parquet_is_an_entry_keyed_by_its_files(tmp_path, interim):
    tx = data.load_transactions(pd.DataFrame({
        "order_id": ["1", "C2", "3"], "customer_id": ["a", "a", "b"],
        "order_date": ["2024-01-01", "2024-01-05", "2024-01-02"], "quantity": [2, -1, 1],
        "unit_price": [5.0, 5.0, 7.0], "product_id": ["x", "x", "y"]}))
    folder = tmp_path / "lines"
    folder.mkdir()
    tx.iloc[:2].to_parquet(folder / "part-0.parquet", index=False)  # a's purchase and return
    tx.iloc[2:].to_parquet(folder / "part-1.parquet", index=False)
    entry = cache.cache_entry(folder)
    assert sorted(pd.read_parquet(entry / "clean.parquet")["amount"]) == [-5.0, 7.0, 10.0]  # a's return is netted
    # cleaning options reach the engine: returns dropped is another entry, with the return excluded
    dropped = cache.cache_entry(folder, returns="drop")
    assert dropped != entry
    log = pd.read_parquet(dropped / "log.parquet").set_index("rule")
    assert (log.loc["return", "rows"], log.loc["return", "revenue"]) == (1, -5.0)
    # a changed file of the folder is a new entry
    tx.iloc[2:].assign(amount=8.0).to_parquet(folder / "part-1.parquet", index=False)
    changed = cache.cache_entry(folder)
    assert changed != entry
    assert sorted(pd.read_parquet(changed / "clean.parquet")["amount"]) == [-5.0, 8.0, 10.0]


def test_a_changed_file_is_a_new_entry_and_the_column_map_reaches_the_reader(tmp_path, interim):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV.replace("Customer ID", "Kunde"))
    with pytest.raises(DataError, match=r"missing required column\(s\): customer_id"):
        cache.cache_entry(path)
    for cached in (True, False):
        clean, _ = data.load_clean(path, columns={"Kunde": "customer_id"}, cache=cached)
        assert clean["customer_id"].tolist() == ["a", "b", "a"]
    entry = cache.cache_entry(path, columns={"Kunde": "customer_id"})
    path.write_text(ORDERS_CSV.replace("Customer ID", "Kunde").replace("10\n", "11\n"))
    changed = cache.cache_entry(path, columns={"Kunde": "customer_id"})
    assert changed != entry
    assert pd.read_parquet(changed / "clean.parquet")["amount"].tolist() == [5.0, 11.0, 4.0]


def test_clean_parquet_excludes_a_keying_error_unless_outliers_are_kept(tmp_path):
    nine_small_lines_and_a_keying_error().to_parquet(tmp_path / "lines.parquet", index=False)
    for name, options, rows in (("default", {}, 1), ("kept", {"outlier_z": None}, 0)):
        (tmp_path / name).mkdir()
        log = cleaning.clean_parquet(tmp_path / "lines.parquet", tmp_path / name, **options).set_index("rule")
        assert log.loc["outlier", "rows"] == rows
        assert len(pd.read_parquet(tmp_path / name / "clean.parquet")) == 10 - rows


def test_content_hash_is_the_files_sha256_and_follows_a_rewrite(tmp_path):
    import hashlib
    import os

    from segkit.memo import content_hash

    path = tmp_path / "lines.csv"
    path.write_bytes(b"customer_id,amount\n1,2.5\n")
    assert content_hash(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    before = path.stat().st_mtime_ns
    path.write_bytes(b"customer_id,amount\n1,3.5\n")  # same size, new bytes
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a later modification time, as any rewrite has
    assert content_hash(path) == hashlib.sha256(b"customer_id,amount\n1,3.5\n").hexdigest()


def test_clean_lines_check_refuses_word_for_word(tmp_path):
    from segkit.data.customers import check_clean_lines

    lines = pd.DataFrame({"customer_id": ["a", None], "order_id": ["1", "2"],
                          "order_date": pd.to_datetime(["2024-01-05", "2024-01-06"]),
                          "quantity": [1.0, 1.0], "amount": [5.0, 3.0]})
    cases = [
        (lambda: check_clean_lines(lines[["customer_id"]], columns=["customer_id", "amount"], where="the holdout"),
         "the holdout needs column(s) ['amount']; got ['customer_id']. Build the lines with "
         "segkit.data.load_clean(source) or segkit.engine.clean_lines(source)."),
        (lambda: check_clean_lines(lines[["customer_id"]], columns=["customer_id", "amount"]),
         "The transactions lack column(s) ['amount']. Pass the output of clean_transactions (or load_clean, or "
         "segkit.engine.clean_lines), not the raw file."),
        (lambda: check_clean_lines(lines, columns=["customer_id"]),
         "1 line(s) have no customer id. Run clean_transactions first: it removes and logs them."),
        (lambda: check_clean_lines(tmp_path / "none.parquet", columns=["customer_id"]),
         f"The clean lines file {tmp_path / 'none.parquet'} does not exist. Make it with "
         "segkit.engine.clean_lines(source)."),
    ]
    for call, message in cases:
        with pytest.raises(DataError) as refused:
            call()
        assert str(refused.value) == message
    assert check_clean_lines(lines.iloc[:1], columns=["customer_id"])["n_lines"] == 1


def test_header_hits_count_the_known_names_of_the_first_line_only_and_unquote_them():
    from segkit.data.read import _header_hits

    assert _header_hits('"Invoice";"Customer ID";"Price"\n1;a;2\n') == 3  # quoted, as many exports write them
    assert _header_hits("Invoice,Customer ID\n") == 2
    assert _header_hits("note,remark\nInvoice,Customer ID\nInvoice,Price\n") == 0  # names below the first line
    assert _header_hits("Invoice\tCustomer ID\nx\ty\nInvoice\tPrice") == 2
