"""The front door on files shaped like real exports: encodings, separators, sheets, and what rows mean."""

from __future__ import annotations

import gzip

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


def test_body_text_decides_when_the_header_is_plain_ascii():
    russian = ("id,name\n" + "".join(f"{i},Молоко пастеризованное {i}\n" for i in range(20))).encode("cp1251")
    chinese = ("id,name\n" + "".join(f"{i},北京市朝阳区儿童玩具 {i}\n" for i in range(20))).encode("gbk")
    assert detect_encoding(russian).value == "cp1251"
    assert detect_encoding(chinese).value == "gb18030"


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


def test_one_sheet_by_name_and_a_wrong_name_lists_the_sheets(tmp_path):
    path = _workbook(tmp_path)
    assert len(read_raw(path, sheet="Year 2010-2011").frame) == 3
    with pytest.raises(DataError, match=r"no sheet 'Year 2011'.*'Year 2009-2010', 'Year 2010-2011', 'Notes'"):
        read_raw(path, sheet="Year 2011")


def test_empty_and_unknown_files_are_refused_by_name(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataError, match="'empty.csv' is empty"):
        read_raw(tmp_path / "empty.csv")
    (tmp_path / "orders.json").write_text("{}")
    with pytest.raises(DataError, match="Unknown file type for 'orders.json'"):
        read_raw(tmp_path / "orders.json")
