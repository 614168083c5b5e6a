"""The front door on files shaped like real exports: encodings, separators, sheets, and what rows mean."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile

import numpy as np
import pandas as pd
import pytest

from segkit import data
from segkit.data.read import detect_delimiter, detect_encoding, read_raw
from segkit.errors import DataError

ROWS = {
    "gb18030": ("订单编号,客户ID,下单时间,商品名称,实付金额", ["1001,张伟,2024/3/5 14:02,儿童玩具汽车,120.50",
                                               "1002,李娜,2024/3/15 9:30,北京烤鸭礼盒,88.00"]),
    "big5": ("訂單編號,客戶編號,日期,商品名稱,金額", ["1,王小明,2024/3/5,兒童玩具汽車,100", "2,陳美玲,2024/3/6,臺灣烏龍茶,250"]),
    "cp1251": ("Документ;Дата;Контрагент;Номенклатура;Сумма", ["Реализация 00001;05.03.2024;ООО Ромашка;Молоко;120",
                                                             "Реализация 00002;15.03.2024;ИП Иванов;Хлеб ржаной;45"]),
    "cp1252": ("Invoice,Customer,Date,Country,Amount", ["1,Müller,2024-03-05,Côte d'Ivoire,12.5",
                                                       "2,Señora López,2024-03-06,España,7"]),
}


def _write(tmp_path, name: str, text: str, encoding: str) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", list(ROWS))
def test_legacy_encodings_are_detected_and_read_exactly(tmp_path, encoding):
    header, lines = ROWS[encoding]
    text = "\n".join([header, *lines]) + "\n"
    path = _write(tmp_path, f"orders_{encoding}.csv", text, encoding)
    table = read_raw(path)
    decided = {d.aspect: d.value for d in table.decisions}
    assert decided["encoding"] == encoding
    separator = ";" if ";" in header else ","
    assert table.frame.columns.tolist() == header.split(separator)
    assert table.frame.iloc[1].tolist() == lines[1].split(separator)


@pytest.mark.parametrize("encoding, expected", [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"),
                                                ("utf-16-le", "utf-16-le"), ("utf-8", "utf-8")])
def test_unicode_files_with_and_without_byte_order_mark(tmp_path, encoding, expected):
    header, lines = ROWS["gb18030"]
    path = _write(tmp_path, "orders.csv", "\n".join([header, *lines]) + "\n", encoding)
    table = read_raw(path)
    assert {d.aspect: d.value for d in table.decisions}["encoding"] == expected
    assert table.frame.columns[0] == "订单编号"  # no byte-order mark left in the first name
    assert table.frame.iloc[0, 3] == "儿童玩具汽车"


@pytest.mark.parametrize("encoding", ["utf-16", "gbk", "utf-8", "big5"])
def test_a_file_larger_than_the_sample_is_decided_from_the_sample_and_read_whole(tmp_path, monkeypatch, encoding):
    import segkit.data.read as read

    monkeypatch.setattr(read.read_sample, "__defaults__", (1001,))  # a sample that ends inside a character
    text = "customer_id,order_date,amount\n" + "".join(f"客戶{i},2024-01-{1 + i % 28:02d},{i}.5\n" for i in range(500))
    path = _write(tmp_path, "big.csv", text, encoding)
    lines = data.read_transactions(path).lines
    assert len(lines) == 500 and lines["customer_id"].iloc[-1] == "客戶499" and lines["amount"].iloc[-1] == 499.5


def test_a_plain_sample_then_other_bytes_deep_in_the_file_is_decided_again_from_the_whole_file(
        tmp_path, monkeypatch):
    import segkit.data.read as read

    monkeypatch.setattr(read._read_text, "__kwdefaults__", {"sample_bytes": 300})  # the sample is all ASCII
    text = "customer,date,amount\n" + "".join(f"c{i},2024-01-0{1 + i % 9},{i}\n" for i in range(100)) + "Müller,2024-01-02,5\n"
    path = _write(tmp_path, "late.csv", text, "cp1252")
    read_back = data.read_transactions(path)
    assert read_back.lines["customer_id"].iloc[-1] == "Müller"
    assert read_back.decisions.set_index("aspect").loc["encoding", "value"] == "cp1252"


def test_a_wrong_encoding_given_names_the_likely_one(tmp_path):
    header, lines = ROWS["cp1251"]
    path = _write(tmp_path, "1c.csv", "\n".join([header, *lines]) + "\n", "cp1251")
    with pytest.raises(DataError, match=r"'1c.csv' is not valid utf-8 text.*reads best as cp1251.*encoding: cp1251"):
        data.load_transactions(path, encoding="utf-8")


def test_body_text_decides_when_the_header_is_plain_ascii():
    russian = ("id,name\n" + "".join(f"{i},Молоко пастеризованное {i}\n" for i in range(20))).encode("cp1251")
    chinese = ("id,name\n" + "".join(f"{i},北京市朝阳区儿童玩具 {i}\n" for i in range(20))).encode("gbk")
    assert detect_encoding(russian).value == "cp1251"
    assert detect_encoding(chinese).value == "gb18030"


@pytest.mark.parametrize("body, encoding", [
    ("张伟,1\n李娜,2\n王芳,3\n", "gbk"), ("王小明,1\n陳美玲,2\n", "big5"),
    ("".join(f"客戶{i},1\n" for i in range(30)), "gbk"), ("".join(f"客戶{i},1\n" for i in range(30)), "big5"),
    ("ООО Ромашка,1\nИП Сидоров,2\n", "cp1251"), ("".join(f"Иванов И.И.,{i}\n" for i in range(5)), "cp1251"),
    ("José,1\nFrançois,2\nZoë,3\n", "cp1252"), ("Müller Straße café,12€\n", "cp1252"),
])
def test_short_customer_names_decide_the_encoding(body, encoding):
    expected = "gb18030" if encoding == "gbk" else encoding
    assert detect_encoding(("name,orders\n" + body).encode(encoding)).value == expected


def test_unsure_encoding_names_the_likeliest_and_the_parameter():
    # two bytes that are a common hanzi in GBK and a capitalised Cyrillic pair in cp1251
    with pytest.raises(DataError, match=r"(?s)orders\.csv.*likeliest is (gb18030|cp1251).*reading: \{encoding: "):
        detect_encoding(b"a,b\n1,\xc0\xc1\n", name="'orders.csv'")


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_separator_is_the_one_that_splits_every_line_alike(tmp_path, separator):
    rows = [["customer", "date", "amount"], ["a", "2024-01-02", '"1,5"' if separator != "," else "1.5"],
            ["b", "2024-01-03", "2"]]
    text = "\n".join(separator.join(r) for r in rows) + "\n"
    path = _write(tmp_path, "orders.txt", text, "utf-8")
    table = read_raw(path)
    assert {d.aspect: d.value for d in table.decisions}["delimiter"] == repr(separator)
    assert table.frame.shape == (2, 3)


def test_quoted_separators_do_not_split_fields():
    decision = detect_delimiter('id,name,amount\n1,"Smith, John","1,234.50"\n2,"Doe, Jane",7\n')
    assert decision.value == "','"


def test_unsplittable_file_says_separator():
    with pytest.raises(DataError, match=r"(?s)separator of 'x.csv'.*reading: \{delimiter"):
        detect_delimiter("a,b;c\n1;2,3,4\n5\n", name="'x.csv'")


def test_compressed_text_is_read_with_its_decisions(tmp_path):
    header, lines = ROWS["cp1251"]
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(("\n".join([header, *lines]) + "\n").encode("cp1251")))
    table = read_raw(path)
    assert table.frame["Контрагент"].tolist() == ["ООО Ромашка", "ИП Иванов"]


def _workbook(tmp_path):
    path = tmp_path / "online_retail_II.xlsx"
    first = pd.DataFrame({"Invoice": ["1", "2"], "Customer ID": [1.0, 2.0], "InvoiceDate": pd.to_datetime(
        ["2009-12-01 07:45", "2009-12-02 08:00"]), "Quantity": [1, 2], "Price": [2.5, 3.0]})
    second = pd.DataFrame({"Invoice": ["3", "4", "5"], "Customer ID": [1.0, 3.0, 4.0], "InvoiceDate": pd.to_datetime(
        ["2010-12-01 07:45", "2010-12-02 08:00", "2010-12-03 09:00"]), "Quantity": [1, 1, 5], "Price": [1.0, 2.0, 3.0]})
    notes = pd.DataFrame({"Note": ["exported by the shop system"]})
    with pd.ExcelWriter(path) as writer:
        first.to_excel(writer, sheet_name="Year 2009-2010", index=False)
        second.to_excel(writer, sheet_name="Year 2010-2011", index=False)
        notes.to_excel(writer, sheet_name="Notes", index=False)
    return path


def test_workbook_sheets_with_the_same_header_are_stacked_and_named(tmp_path):
    table = read_raw(_workbook(tmp_path))
    assert len(table.frame) == 5
    (sheets,) = [d for d in table.decisions if d.aspect == "sheets"]
    assert "'Year 2009-2010': 2 rows" in sheets.evidence and "'Year 2010-2011': 3 rows" in sheets.evidence
    assert "skipped (another header): 'Notes'" in sheets.evidence
    assert (sheets.subject, sheets.value, sheets.given) == ("file", "'Year 2009-2010', 'Year 2010-2011'", False)
    assert sheets.evidence == ("stacked, same header: 'Year 2009-2010': 2 rows; 'Year 2010-2011': 3 rows; skipped "
                               "(another header): 'Notes', set reading: {sheet: ...} to read one")
    # one row label per line, in sheet order: an excluded line's label is its place in the workbook
    assert table.frame.index.tolist() == [0, 1, 2, 3, 4]
    assert table.frame["Invoice"].tolist() == ["1", "2", "3", "4", "5"]


def test_one_sheet_by_name_and_a_wrong_name_lists_the_sheets(tmp_path):
    path = _workbook(tmp_path)
    chosen = read_raw(path, sheet="Year 2010-2011")
    assert len(chosen.frame) == 3
    (sheets,) = [d for d in chosen.decisions if d.aspect == "sheets"]
    assert (sheets.subject, sheets.value, sheets.evidence, sheets.given) == (
        "file", "'Year 2010-2011'", "given; 3 rows", True)
    with pytest.raises(DataError, match=r"no sheet 'Year 2011'.*'Year 2009-2010', 'Year 2010-2011', 'Notes'"):
        read_raw(path, sheet="Year 2011")


def test_empty_and_unknown_files_are_refused_by_name(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataError, match="'empty.csv' is empty"):
        read_raw(tmp_path / "empty.csv")
    (tmp_path / "orders.json").write_text("{}")
    with pytest.raises(DataError, match="Unknown file type for 'orders.json'"):
        read_raw(tmp_path / "orders.json")


# --- what the rows mean -------------------------------------------------------------------------


def test_day_first_dates_are_right_in_every_row_not_only_those_with_a_day_above_12(tmp_path):
    days = pd.date_range("2024-01-01", "2024-12-31", freq="7D")
    frame = pd.DataFrame({"Kunde": [f"k{i % 9}" for i in range(len(days))], "Datum": days.strftime("%d.%m.%Y"),
                          "Betrag": "10,50"})
    path = tmp_path / "export.csv"
    frame.to_csv(path, sep=";", index=False)
    read = data.read_transactions(path, columns={"Kunde": "customer_id", "Datum": "order_date", "Betrag": "amount"})
    assert (read.lines["order_date"].to_numpy() == days.to_numpy()).all()
    assert read.decisions.set_index("aspect").loc["date format", "value"] == "%d.%m.%Y"
    assert (read.lines["amount"] == 10.5).all()


def _amount_only(tmp_path, rows):
    path = tmp_path / "payments.csv"
    pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount"]).to_csv(path, index=False)
    return path


def test_refunds_in_an_amount_only_file_are_netted_or_dropped_not_called_bad_prices(tmp_path):
    path = _amount_only(tmp_path, [("a", "1", "2024-01-02", 100.0), ("a", "2", "2024-01-09", -40.0),
                                   ("b", "3", "2024-01-03", 20.0)])
    read = data.read_transactions(path)
    assert read.lines["unit_price"].isna().all()  # no price column: none invented
    assert read.lines["quantity"].tolist() == [1.0, -1.0, 1.0]
    clean, log = data.clean_transactions(read.lines, returns="net")
    assert data.customer_table(clean).loc["a", "revenue"] == 60.0
    assert data.customer_table(clean).loc["a", "n_orders"] == 1  # a refund is not a purchase
    clean, log = data.clean_transactions(read.lines, returns="drop")
    by_rule = log.set_index("rule")
    assert by_rule.loc["return", "rows"] == 1 and by_rule.loc["return", "revenue"] == -40.0
    assert by_rule.loc["negative_price", "rows"] == 0


def test_a_free_purchase_keeps_its_customer_and_its_place_as_first_purchase(tmp_path):
    path = _amount_only(tmp_path, [("a", "1", "2024-01-02", 0.0), ("a", "2", "2024-02-01", 30.0),
                                   ("b", "3", "2024-01-05", 0.0), ("c", "4", "2024-01-06", 12.0)])
    clean, log = data.clean_transactions(data.load_transactions(path))
    table = data.customer_table(clean, snapshot_date="2024-03-01")
    assert set(table.index) == {"a", "b", "c"}
    assert table.loc["a", "first_purchase"] == pd.Timestamp("2024-01-02")
    assert (table.loc["a", ["frequency", "recency", "T"]] == [1, 30, 59]).all()
    assert table.loc["b", "revenue"] == 0 and table.loc["b", "n_orders"] == 1
    flagged = log.set_index("rule").loc["zero_value"]
    assert flagged["action"] == "kept" and flagged["rows"] == 2 and flagged["customers"] == 2
    assert (data.reconcile(data.load_transactions(path), clean, log)["difference"] == 0).all()


def test_without_order_ids_one_order_is_one_customer_at_one_timestamp(tmp_path):
    path = tmp_path / "cdnow.csv"
    path.write_text("customer_id,date,number_of_cds,dollar_value\n"
                    "00001,19970101,1,11.77\n00001,19970101,2,0.00\n00001,19970118,1,9.99\n00002,19970102,3,29.33\n")
    read = data.read_transactions(path)
    assert read.lines["order_id"].nunique() == 3
    assert read.decisions.set_index("aspect").loc["order id", "value"] == "one order = one customer at one timestamp"
    table = data.customer_table(data.clean_transactions(read.lines)[0])
    assert table.loc["00001", "n_orders"] == 2 and table.loc["00001", "frequency"] == 1
    assert table.index.tolist() == ["00001", "00002"]  # leading zeros kept


def test_a_1c_export_in_cp1251_with_decimal_commas_and_no_break_space_thousands(tmp_path):
    text = ("Документ;Дата;Контрагент;Количество;Цена;Сумма\n"
            "Реализация 00001 от 05.03.2024;05.03.2024 14:02:11;ООО Ромашка;2;1\u00a0234,50;2\u00a0469,00\n"
            "Реализация 00002 от 15.03.2024;15.03.2024 09:00:00;ИП Иванов;1,5;99,90;149,85\n"
            "Возврат 00003;16.03.2024 10:00:00;ООО Ромашка;-1;1\u00a0234,50;-1\u00a0234,50\n")
    path = tmp_path / "1c.csv"
    path.write_bytes(text.encode("cp1251"))
    read = data.read_transactions(path)
    decided = read.decisions.set_index(["subject", "aspect"])["value"]
    assert decided[("file", "encoding")] == "cp1251" and decided[("file", "delimiter")] == "';'"
    assert read.lines["amount"].tolist() == [2469.0, 149.85, -1234.5]
    assert read.lines["quantity"].tolist() == [2.0, 1.5, -1.0]
    assert read.lines["order_date"].tolist() == pd.to_datetime(
        ["2024-03-05 14:02:11", "2024-03-15 09:00:00", "2024-03-16 10:00:00"]).tolist()
    clean, log = data.clean_transactions(read.lines)
    assert data.customer_table(clean).loc["ООО Ромашка", "revenue"] == 2469.0 - 1234.5


def test_a_chinese_export_takes_the_order_time_before_the_payment_time(tmp_path):
    text = ("订单编号,买家会员名,付款时间,下单时间,数量,单价\n"
            "1001,张伟,2024/3/6 10:00,2024/3/5 14:02,2,\"￥1,234.50\"\n"
            "1002,李娜,2024/3/16 09:30,2024/3/15 9:30,1,￥88.00\n")
    path = tmp_path / "taobao.csv"
    path.write_bytes(text.encode("gbk"))
    read = data.read_transactions(path)
    assert read.lines["order_date"].tolist() == pd.to_datetime(["2024-03-05 14:02", "2024-03-15 09:30"]).tolist()
    assert read.lines["amount"].tolist() == [2469.0, 88.0]
    meaning = read.decisions[read.decisions["aspect"] == "meaning"]
    assert "付款时间" in meaning.set_index("value").loc["order_date", "evidence"]


def test_shopify_line_revenue_is_quantity_times_price_not_the_order_total(tmp_path):
    frame = pd.DataFrame({
        "Name": ["#1001", "#1001", "#1002"], "Email": ["a@x.com", "a@x.com", "b@y.com"],
        "Created at": ["2024-03-05 14:02:11 +0100", "2024-03-05 14:02:11 +0100", "2024-07-01 09:00:00 +0200"],
        "Total": ["59.90", "", "10.00"], "Lineitem quantity": [1, 2, 1], "Lineitem price": ["19.90", "20.00", "10.00"],
        "Lineitem sku": ["A", "B", "A"],
    })
    path = tmp_path / "orders_export.csv"
    frame.to_csv(path, index=False)
    read = data.read_transactions(path)
    assert read.lines["amount"].tolist() == [19.9, 40.0, 10.0]
    assert read.lines["order_date"].tolist() == pd.to_datetime(
        ["2024-03-05 14:02:11", "2024-03-05 14:02:11", "2024-07-01 09:00:00"]).tolist()  # local clock time
    assert "Total" in read.lines.columns  # kept as it was, not used as revenue


def test_reading_options_reach_load_clean_and_the_log_says_what_was_read(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("Customer;Date;Amount\nÅsa;01/02/2024;1,5\nBjörn;03/02/2024;2\n".encode("cp1252"))
    with pytest.raises(DataError, match=r"day and month"):
        data.load_clean(path, cache=False)
    clean, log = data.load_clean(path, cache=False, date_format="%d/%m/%Y", decimal=",", encoding="cp1252")
    assert clean["order_date"].tolist() == pd.to_datetime(["2024-02-01", "2024-02-03"]).tolist()
    assert clean["amount"].tolist() == [1.5, 2.0] and clean["customer_id"].tolist() == ["Åsa", "Björn"]
    reading = data.read_transactions(path, date_format="%d/%m/%Y", decimal=",", encoding="cp1252").decisions
    reading = reading.set_index("aspect")
    assert reading.loc["encoding", "given"] and reading.loc["date format", "value"] == "%d/%m/%Y"


def test_every_notebook_takes_the_reading_parameter():
    import papermill

    from segkit.report import list_notebooks

    for notebook in list_notebooks():
        declared = papermill.inspect_notebook(str(notebook))
        # a notebook that reads the other notebooks' exports (exports_dir) never reads the raw file
        assert ("reading" in declared) != ("exports_dir" in declared), notebook.name


def test_missing_values_written_as_text_are_blank_and_excluded_by_their_rule(tmp_path):
    path = _amount_only(tmp_path, [("a", "1", "2024-01-02", "NULL"), ("a", "2", "NULL", 5.0), ("b", "3", "2024-01-03", 7.0)])
    clean, log = data.load_clean(path, cache=False)
    by_rule = log.set_index("rule")
    assert by_rule.loc["missing_amount", "rows"] == 1 and by_rule.loc["missing_date", "rows"] == 1
    assert np.isclose(clean["amount"].sum(), 7.0)


# --- the reader's exact words: decisions and refusals --------------------------------------------


def test_cjk_score_counts_frequent_characters_in_full_and_rare_ones_half():
    from segkit.data.read import _cjk_score

    # GB2312 level 1 (B0-D7 with a trail from A1): 的 B5C4, 座 D7F9, 啊 B0A1; punctuation 、A1A2 ，A3AC;
    # rare: 亍 D8A1 (level 2), 丟 8147 (GBK extension), 盃 B0A0 (trail below A1); é (A8A6) is no hanzi
    assert _cjk_score(list("的座啊、，亍丟盃é"), "gb18030") == pytest.approx(6.5 / 9)
    # Big5's first block A440-C67E: 一 A440, 廳 C655, 的 AABA; punctuation 兙 A259 (lead A2); rare: 亍 C948,
    # 乂 C940; Я is two bytes in Big5 but neither hanzi nor CJK punctuation
    assert _cjk_score(list("一廳兙的亍乂Я"), "big5") == pytest.approx(5 / 7)


def test_encoding_decisions_word_for_word():
    assert detect_encoding(b"\xef\xbb\xbfa,b\n").evidence == "byte-order mark ef bb bf"
    for encoding in ("utf-16-le", "utf-16-be"):
        decision = detect_encoding("a,b\n1,2\n".encode(encoding))
        assert (decision.value, decision.evidence) == (
            encoding, "every other byte is zero (UTF-16 without a byte-order mark)")
    assert detect_encoding(b"a,b\n").evidence == "all bytes are ASCII"
    assert detect_encoding("a,b\nü,1\n".encode("utf-8")).evidence == "the text is valid UTF-8"
    decision = detect_encoding(b"a,b\n\x80\x98\x81\n")  # 80 ends GB18030 and Big5, 98 cp1251, 81 cp1252
    assert (decision.value, decision.evidence) == (
        "latin-1", "not valid UTF-8, GB18030, Big5, cp1251 or cp1252; latin-1 reads any byte")
    decision = detect_encoding("name,orders\nМолоко пастеризованное,1\n".encode("cp1251"))
    assert (decision.value, decision.evidence) == ("cp1251", "not UTF-8; as cp1251, 100% of the non-ASCII text is "
                                                   "ordinary text of its script (next best cp1252: 0%)")
    decision = detect_encoding("Клиент;Сумма\nИванов;5\n".encode("cp1251"))
    assert decision.evidence.startswith("not UTF-8; only as cp1251 does the header read as known column names (")


def test_encoding_refusals_word_for_word(tmp_path):
    path = tmp_path / "1c.csv"
    path.write_bytes("Клиент;Сумма\nИванов;5\n".encode("cp1251"))
    with pytest.raises(DataError) as error:
        read_raw(path, encoding="utf-8")
    assert str(error.value) == (
        "'1c.csv' is not valid utf-8 text (byte 0 cannot be decoded). The file reads best as cp1251: set it with "
        "the reading parameter, reading: {encoding: cp1251} (in Python: encoding='cp1251'), or re-save the file as "
        "UTF-8.")
    with pytest.raises(DataError, match=r"^'1c.csv' is not valid nonsense text \(unknown encoding: nonsense\)\. "
                                        r"The file reads best as cp1251"):
        read_raw(path, encoding="nonsense")
    with pytest.raises(DataError) as error:
        detect_encoding(b"a,b\n\x81\x8d\x8f\x90\x9d\n")
    assert str(error.value) == (
        "Cannot tell the encoding of the file: it is not UTF-8, and the candidates read it about equally well "
        "(cp1251 0%); the likeliest is cp1251. Set it with the reading parameter, e.g. reading: {encoding: cp1251} "
        "(in Python: encoding='cp1251'), or re-save the file as UTF-8.")


def test_delimiter_decisions_and_refusal_word_for_word():
    decision = detect_delimiter("a;b,c\n1;2,3\n")
    assert (decision.value, decision.evidence) == (
        "','", "splits the header and all 2 sampled lines into 2 fields; semicolon gives 2")
    assert detect_delimiter("a;b\n").evidence == "splits the header and all 1 sampled lines into 2 fields"
    assert detect_delimiter("a|b|c\n1|2|3\n4|5").evidence == "splits the header and all 2 sampled lines into 3 fields"
    with pytest.raises(DataError) as error:
        detect_delimiter("a,b;c\n1;2,3,4\n5\n", name="'x.csv'")
    assert str(error.value) == (
        "Cannot tell the separator of 'x.csv': none of comma, semicolon, tab or pipe splits the header and the "
        "first 3 lines into the same number of fields (in the header: comma 1, semicolon 1, tab 0, pipe 0). Check "
        "the file's quoting, or set the separator with the reading parameter, e.g. reading: {delimiter: ';'} (in "
        "Python: delimiter=';').")


@pytest.mark.parametrize(("name", "pack"), [
    ("x.csv.zip", None), ("x.csv.bz2", bz2.compress), ("x.tsv.xz", lzma.compress), ("x.txt.gz", gzip.compress)])
def test_every_compression_is_read(tmp_path, name, pack):
    text = b"a\tb\n1\t2\n"
    if pack is None:
        with zipfile.ZipFile(tmp_path / name, "w") as archive:
            archive.writestr("x.tsv", text)
    else:
        (tmp_path / name).write_bytes(pack(text))
    table = read_raw(tmp_path / name)
    assert table.frame.to_dict("list") == {"a": ["1"], "b": ["2"]}
    assert [(d.aspect, d.value) for d in table.decisions] == [("encoding", "utf-8"), ("delimiter", "'\\t'")]


def test_file_refusals_word_for_word(tmp_path):
    with zipfile.ZipFile(tmp_path / "two.csv.zip", "w") as archive:
        archive.writestr("a.csv", "a,b\n1,2\n")
        archive.writestr("b.csv", "a,b\n1,2\n")
    cases = {
        "two.csv.zip": "'two.csv.zip' holds 2 files; segkit reads a zip with exactly one. Unzip it and pass the "
                       "transactions file.",
        "blank.csv": "The file 'blank.csv' is empty. Export the transactions again.",
        "zero.csv": "The file 'zero.csv' is empty (0 bytes). Export the transactions again.",
        "orders.json": "Unknown file type for 'orders.json': segkit reads .csv, .parquet, .pq, .tab, .tsv, .txt, "
                       ".xls, .xlsm, .xlsx (text files optionally compressed: .gz, .bz2, .xz, .zip). Save the file "
                       "in one of these formats, or load it yourself and pass the DataFrame.",
    }
    (tmp_path / "blank.csv").write_bytes(b"  \n\n")
    (tmp_path / "zero.csv").write_bytes(b"")
    (tmp_path / "orders.json").write_text("{}")
    for name, message in cases.items():
        with pytest.raises(DataError) as error:
            read_raw(tmp_path / name)
        assert str(error.value) == message
    with pytest.raises(DataError) as error:
        read_raw(tmp_path / "missing.csv")
    assert str(error.value) == (f"File not found: '{tmp_path / 'missing.csv'}'. Check the path (relative paths are "
                                "read from the project root).")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(DataError, match=r"^Could not read 'bad.parquet' as parquet: .*\. Check that the file is not "
                                        r"truncated and that its extension matches its content\.$"):
        read_raw(tmp_path / "bad.parquet")
    (tmp_path / "wide.csv").write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(DataError) as error:
        read_raw(tmp_path / "wide.csv", delimiter=",")
    assert str(error.value) == (
        "Could not split 'wide.csv' with the separator ',': Error tokenizing data. C error: Expected 2 fields in line "
        "3, saw 3. A line has more fields than the header: check the separator (reading: {delimiter: ...}) and the "
        "quoting of text fields that contain it.")


def test_given_encoding_and_delimiter_are_recorded_as_given(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("Kunde;Betrag\nJosé;1\n".encode("cp1252"))
    table = read_raw(path, encoding="cp1252", delimiter=";")
    assert [(d.aspect, d.value, d.evidence, d.given) for d in table.decisions] == [
        ("encoding", "cp1252", "given", True), ("delimiter", "';'", "given", True)]
    assert table.frame["Kunde"].tolist() == ["José"]


#: Texts that pandas' C parser splits in its own way; pyarrow's reader must split each the same or decline it.
SPLIT_CASES: dict[str, str] = {
    "plain": "a,b,c\n1,2,3\n4,,6\n",
    "quoted empty field": 'a,b\n"",x\n"y",""\n',
    "newline in a quoted field": 'a,b\n"line1\nline2",x\n3,4\n',
    "doubled quotes": 'a,b\n"he said ""hi""",x\n',
    "quote inside a field": 'a,b\nab"c,x\n',
    "space before a quote": 'a,b\n "x",y\n',
    "CRLF": "a,b\r\n1,2\r\n3,4\r\n",
    "CR only": "a,b\r1,2\r3,4\r",
    "blank lines": "a,b\n1,2\n\n3,4\n\n",
    "only separators": "a,b,c\n,,\n1,2,3\n",
    "NA-like text": "a,b\nNA,NULL\nnan,None\n",
    "spaces kept": "a,b\n  1 , 2 \n",
    "header only": "a,b\n",
    "no final newline": "a,b\n1,2",
    "quoted header": '"a b","c"\n1,2\n',
    "backslash": 'a,b\n"x\\"y",1\n',
    "non-ASCII": "имя,город\nИван Петров,Москва\n",
}
#: ... and these it must decline, because pyarrow would split or name them differently.
DECLINED_CASES: dict[str, str] = {
    "fewer fields than the header": "a,b,c\n1,2\n",
    "one more field on every row": "a,b\n1,2,3\n4,5,6\n",
    "repeated header name": "a,a\n1,2\n",
    "empty header name": ",a\n1,2\n",
    "trailing separator": "a,b,\n1,2,\n",
    "a line of spaces": "a,b\n1,2\n   \n3,4\n",
}


def _compressed(tmp_path, text: str, encoding: str, compression: str | None):
    raw = text.encode(encoding)
    path = tmp_path / ("orders.csv" + (compression or ""))
    if compression == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("orders.csv", raw)
    else:
        path.write_bytes({None: bytes, ".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[compression](raw))
    return path


@pytest.mark.parametrize("compression", [None, ".gz", ".bz2", ".xz", ".zip"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_the_fast_split_equals_pandas_c_parser_or_declines(tmp_path, encoding, compression):
    from segkit.data.read import _split_with_arrow

    if pd.Series([], dtype=str).dtype == object:
        pytest.skip("pandas before 3 gives Python strings for dtype=str: the fast split is not used")
    for name, text in {**SPLIT_CASES, **DECLINED_CASES}.items():
        path = _compressed(tmp_path, text, encoding, compression)
        fast = _split_with_arrow(path, compression, sep=",", encoding=encoding)
        if name in DECLINED_CASES:
            assert fast is None, name
            continue
        pandas = pd.read_csv(path, sep=",", dtype=str, encoding=encoding, keep_default_na=False, na_values=[""],
                             compression={".zip": "zip", ".gz": "gzip", ".bz2": "bz2", ".xz": "xz"}.get(compression or ""))
        assert fast is not None, name
        pd.testing.assert_frame_equal(fast, pandas, check_exact=True, obj=name)
