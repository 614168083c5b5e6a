"""segkit.present: report tables written for people, checked value by value against hand-written text.

Every expected string below is written out by hand from the rule it tests (thousands separators,
the currency, one decimal for shares, none for counts). The last test reads the stored outputs of
the converted notebooks and checks that no HTML table cell shows a float with more than two
decimals or a whole number ending in ".0".
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segkit import plots, present  # noqa: E402
from segkit.errors import DataError  # noqa: E402
from segkit.paths import PROJECT_ROOT  # noqa: E402

#: notebooks whose tables go through segkit.present
CONVERTED = ["00_data_profiling", "01_rfm", "02_kmeans", "03_hierarchical", "04_pca", "05_clv", "06_campaign_roi",
             "07_segments_over_time", "08_what_segments_buy", "09_personas"]


def cells(table: present.Table) -> list[str]:
    """Every written cell of a table, row by row."""
    return table.frame.to_numpy().ravel().tolist()


# --- values, one kind at a time -------------------------------------------------------------------------------


def test_money_has_the_currency_thousands_separators_and_two_decimals():
    t = present.table(pd.DataFrame({"revenue": [1234567.891, 0.5, -12.5, -0.001]}), currency="£")
    assert cells(t) == ["£1,234,567.89", "£0.50", "-£12.50", "£0.00"]  # no negative zero


def test_an_iso_code_is_written_before_the_amount_with_a_space():
    t = present.table(pd.DataFrame({"net_profit": [1234.5, -7.0]}), currency="EUR")
    assert cells(t) == ["EUR 1,234.50", "-EUR 7.00"]


def test_a_currency_that_is_not_one_is_refused():
    with pytest.raises(DataError, match="currency"):
        present.table(pd.DataFrame({"revenue": [1.0]}), currency="pounds sterling")


def test_shares_are_percentages_with_one_decimal_and_percent_columns_are_not_scaled_again():
    frame = pd.DataFrame({"revenue_share": [0.1234, 1.0], "customers_pct": [12.34, 100.0]})
    t = present.table(frame)
    assert t.frame["Share of revenue"].tolist() == ["12.3%", "100.0%"]
    assert t.frame["Share of customers"].tolist() == ["12.3%", "100.0%"]


def test_counts_stored_as_floats_are_whole_numbers_and_an_expected_count_keeps_one_decimal():
    t = present.table(pd.DataFrame({"customers": [4982.0, 106911.0], "contacts": [306.667, 296.0]}))
    assert t.frame["Customers"].tolist() == ["4,982", "106,911"]
    assert t.frame["Contacts"].tolist() == ["306.7", "296"]


def test_rates_points_and_p_values():
    frame = pd.DataFrame({"break_even_response_rate": [0.0123], "abs_lift": [0.033], "p_value": [0.0004]})
    assert cells(present.table(frame)) == ["1.23%", "+3.3 pts", "<0.001"]


# --- small values are never written as zero ---------------------------------------------------------------------


@pytest.mark.parametrize(("value", "written"), [
    (0.01, "0.01"),        # at the boundary: the usual two decimals
    (0.00999, "0.01"),     # two significant digits would round it up to 0.010: the usual rule writes it
    (0.0034, "0.0034"),    # a standard error that two decimals write as 0.00
    (-0.0034, "-0.0034"),
    (0.003, "0.003"),      # trailing zeros dropped, not 0.0030
    (0.000123, "0.00012"),
    (3.4e-07, "3.4e-07"),  # below one millionth: scientific, not seven zeros
    (0.0, "0"),
    (0.4588, "0.46"),      # ordinary magnitudes unchanged
    (np.nan, "–"),
])
def test_a_small_number_keeps_two_significant_digits(value, written):
    t = present.table(pd.DataFrame({"std_error": [value]}), kinds={"std_error": "number"})
    assert cells(t) == [written]
    assert present.format_any(value) == written


@pytest.mark.parametrize(("kind", "value", "written"), [
    ("share", 0.001, "0.1%"),     # at the boundary
    ("share", 0.0003, "0.03%"),   # 0.0% before
    ("share", 0.000347, "0.035%"),
    ("share", -0.0003, "-0.03%"),
    ("share", 0.0, "0%"),
    ("share", 0.1234, "12.3%"),
    ("percent", 0.03, "0.03%"),
    ("percent", 0.0, "0%"),
    ("rate", 0.00004, "0.004%"),  # 0.00% before
    ("rate", 0.0123, "1.23%"),
    ("rate", 0.0, "0%"),
    ("points", 0.0002, "+0.02 pts"),  # +0.0 pts before
    ("points", -0.0002, "-0.02 pts"),
    ("points", 0.0, "0 pts"),
    ("ratio", 0.0034, "0.0034"),
    ("score", -0.004, "-0.004"),
    ("pvalue", 0.2345, "0.23"),
    ("pvalue", 0.01, "0.01"),
    ("pvalue", 0.0034, "0.0034"),
    ("pvalue", 0.001, "0.001"),
    ("pvalue", 0.00099, "<0.001"),
    ("pvalue", 0.0, "<0.001"),
    ("share", np.nan, "–"),
    ("pvalue", np.nan, "–"),
])
def test_small_shares_rates_points_and_p_values_show_their_size(kind, value, written):
    assert cells(present.table(pd.DataFrame({"x": [value]}), kinds={"x": kind})) == [written]


def test_money_and_counts_keep_their_fixed_decimals_for_small_values():
    t = present.table(pd.DataFrame({"revenue": [0.0034], "customers": [0.0]}), currency="£")
    assert cells(t) == ["£0.00", "0"]


def test_other_floats_have_at_most_two_decimals_and_none_when_all_are_whole():
    t = present.table(pd.DataFrame({"estimate": [0.4588, 20.481], "k": [3.0, 5.0], "whatever": [2.0, 7.0]}))
    assert t.frame["Estimate"].tolist() == ["0.46", "20.48"]
    assert t.frame["K"].tolist() == ["3", "5"]
    assert t.frame["Whatever"].tolist() == ["2", "7"]


def test_dates_without_nanoseconds_and_with_a_time_only_when_there_is_one():
    days = pd.DataFrame({"first_purchase": pd.to_datetime(["2025-12-31", "2024-01-01"])})
    assert cells(present.table(days)) == ["2025-12-31", "2024-01-01"]
    times = pd.DataFrame({"order_date": pd.to_datetime(["2025-12-31 14:05:00", "2024-01-01 00:00:00"])})
    assert cells(present.table(times)) == ["2025-12-31 14:05", "2024-01-01 00:00"]


def test_missing_values_are_a_dash_in_every_kind():
    frame = pd.DataFrame({"revenue": [np.nan], "customers": [np.nan], "p_alive": [np.nan],
                          "last_purchase": pd.to_datetime([None]), "note": [None]})
    assert cells(present.table(frame, currency="£")) == ["–"] * 5


def test_text_columns_keep_numbers_and_dates_readable():
    frame = pd.DataFrame({"value": ["106911", 4562849.28, 731.0, pd.Timestamp("2024-01-01"), True]},
                         dtype=object)
    assert cells(present.table(frame, kinds={"value": "text"})) == ["106911", "4,562,849.28", "731",
                                                                    "2024-01-01", "yes"]


# --- kinds, labels, layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [
    ("revenue", "money"), ("revenue_per_customer", "money"), ("value_share", "share"), ("revenue_pct", "percent"),
    ("n_orders", "count"), ("median_orders", "number"), ("days_since_last_purchase", "days"), ("p_alive", "share"),
    ("break_even_response_rate", "rate"), ("response_treatment", "rate"), ("value_per_response", "money"),
    ("revenue_lift", "money"), ("abs_lift_low", "points"), ("roi_per_contact", "ratio"), ("customer_id", "text"),
])
def test_kinds_from_names(name, kind):
    assert present.infer_kind(name, pd.Series([1.5])) == kind


def test_explicit_kinds_override_the_name_and_unknown_ones_are_refused():
    frame = pd.DataFrame({"most_common_value": [108.27]})
    assert cells(present.table(frame)) == ["108.27"]  # the name says money, but no currency is set
    assert cells(present.table(frame, kinds={"most_common_value": "number"}, currency="£")) == ["108.27"]
    assert cells(present.table(frame, currency="£")) == ["£108.27"]
    with pytest.raises(DataError, match="Unknown kind"):
        present.table(frame, kinds={"most_common_value": "dollars"})
    with pytest.raises(DataError, match="not columns"):
        present.table(frame, kinds={"revenue": "money"})


def test_human_labels_from_the_dictionary_a_fallback_and_overrides():
    frame = pd.DataFrame({"break_even_response_rate": [0.1], "mean_order_gap": [2.0], "n_baskets": [3]},
                         index=pd.Index(["Champions"], name="segment"))
    t = present.table(frame, labels={"mean_order_gap": "Gap between orders (days)"})
    assert list(t.frame.columns) == ["Break-even response rate", "Gap between orders (days)", "Number of baskets"]
    assert t.corner == "Segment"  # the index name moves to the corner instead of its own header row
    assert "index_name level0\" >Segment<" in t.to_html()


def test_a_wide_table_is_split_into_parts_that_keep_the_row_labels_and_every_column_once():
    frame = pd.DataFrame(np.arange(36, dtype=float).reshape(3, 12), columns=[f"c{i:02d}" for i in range(12)],
                         index=pd.Index(["a", "b", "c"], name="segment"))
    t = present.table(frame, caption="Wide")
    assert [p.shape[1] for p in t.parts] == [6, 6]  # as few parts as fit 8 columns, of even widths
    assert [c for p in t.parts for c in p.columns] == [f"C{i:02d}" for i in range(12)]
    assert all(list(p.index) == ["a", "b", "c"] for p in t.parts)
    html = t.to_html()
    assert html.count("<table") == 2 and "Wide (columns 1–6 of 12)" in html and "Wide (columns 7–12 of 12)" in html
    assert [p.shape[1] for p in present.table(frame, max_columns=5).parts] == [4, 4, 4]
    assert [p.shape[1] for p in present.table(frame.iloc[:, :9]).parts] == [5, 4]
    assert len(present.table(frame.iloc[:, :8]).parts) == 1


def test_long_text_is_never_cut_and_wraps():
    action = "Personalised win-back emails with their favourite categories " * 8
    frame = pd.DataFrame({"action": [action.strip()]}, index=pd.Index(["At Risk"], name="segment"))
    t = present.table(frame)
    assert action.strip() in t.to_html() and action.strip() in repr(t)
    assert "…" not in t.to_html() and "..." not in repr(t)
    assert "white-space: normal" in t.to_html()


def test_html_is_deterministic_and_two_tables_never_share_ids():
    one = pd.DataFrame({"revenue": [1.0, 2.0]})
    first, again = present.table(one, currency="£").to_html(), present.table(one, currency="£").to_html()
    other = present.table(pd.DataFrame({"revenue": [3.0, 2.0]}), currency="£").to_html()
    ids = lambda html: set(re.findall(r'id="(T_[^"_]+)', html))  # noqa: E731
    assert first == again and ids(first) and not ids(first) & ids(other)
    assert "0x" not in repr(present.table(one))  # the plain text nbval compares has no object address


def test_two_columns_with_one_label_keep_their_own_alignment():
    frame = pd.DataFrame({"customers_pct": [12.0], "customer_share": [0.12], "note": ["x"]})
    t = present.table(frame, labels={"note": "Share of customers"})
    assert list(t.frame.columns) == ["Share of customers"] * 3 and cells(t) == ["12.0%", "12.0%", "x"]
    html = t.to_html()
    assert "td.col0 {" in html and "td.col1 {" in html and "td.col2 {" not in html


def test_a_plain_range_index_is_hidden_and_a_named_one_is_shown():
    assert not present.table(pd.DataFrame({"customers": [1]})).show_index
    assert present.table(pd.DataFrame({"customers": [1]}, index=["x"])).show_index
    assert present.table(pd.DataFrame({"seed": [1, 2], "customers": [3, 4]}).set_index("seed")).show_index


def test_measure_tables_are_formatted_row_by_row():
    overview = pd.DataFrame({"value": [106911, 4562849.28, pd.Timestamp("2024-01-01"), 731]},
                            index=pd.Index(["order lines", "gross sales", "first order", "days covered"],
                                           name="measure"), dtype=object)
    t = present.table(overview, by="rows", currency="£")
    assert t.frame["Value"].tolist() == ["106,911", "£4,562,849.28", "2024-01-01", "731"]
    assert list(t.frame.index) == ["Order lines", "Gross sales", "First order", "Days covered"]
    relabelled = present.table(overview, by="rows", labels={"order lines": "Lines in the file"},
                               kinds={"days covered": "text"})
    assert relabelled.frame.index[0] == "Lines in the file" and relabelled.frame["Value"].iloc[3] == "731"
    with pytest.raises(DataError, match="labels="):
        present.table(overview, by="rows", labels={"orders": "Invoices"})


def test_set_currency_is_the_default_until_a_call_gives_another():
    before = present.get_currency()
    try:
        present.set_currency("$")
        assert cells(present.table(pd.DataFrame({"revenue": [5.0]}))) == ["$5.00"]
        assert cells(present.table(pd.DataFrame({"revenue": [5.0]}), currency="€")) == ["€5.00"]
    finally:
        present.set_currency(before)


# --- describe ------------------------------------------------------------------------------------------------


def test_describe_writes_each_statistic_in_its_columns_kind():
    frame = pd.DataFrame({"revenue": [1.0, 2.0, 3.0, 4.0], "n_orders": [1.0, 1.0, 2.0, 10.0],
                          "first_purchase": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-05", "2024-01-07"]),
                          "segment": list("abcd")})
    t = present.describe(frame, currency="£")
    assert list(t.frame.index) == ["Revenue", "Orders", "First purchase"]  # text has no quartiles
    # quartiles by linear interpolation: position (n - 1) q, e.g. 0.75 → 1 + 0.75 × (2 - 1) = 1.75
    assert t.frame.loc["Revenue"].tolist() == ["4", "£2.50", "£1.00", "£1.75", "£2.50", "£3.25", "£4.00"]
    assert t.frame.loc["Orders"].tolist() == ["4", "3.5", "1", "1", "1.5", "4", "10"]
    # dates stay dates: the mean of whole days is shown as a day (2024-01-04 12:00 → 2024-01-04)
    assert t.frame.loc["First purchase"].tolist() == ["4", "2024-01-04", "2024-01-01", "2024-01-02", "2024-01-04",
                                                      "2024-01-05", "2024-01-07"]


# --- figures -------------------------------------------------------------------------------------------------


def test_axis_formatters_write_money_and_percentages_and_put_units_in_the_label():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 250000])
    ax.set_xlabel("budget (money)")
    plots.money_axis(ax, "£", axis="x")
    plots.money_axis(ax, "EUR", label="expected profit")
    assert ax.get_xlabel() == "budget (£)" and ax.get_ylabel() == "expected profit (EUR)"
    assert ax.yaxis.get_major_formatter()(125000, 0) == "EUR 125,000"
    plots.percent_axis(ax, axis="x", label="share of customers")
    assert ax.xaxis.get_major_formatter()(0.25, 0) == "25%" and ax.get_xlabel() == "share of customers (%)"
    plt.close(fig)


# --- the converted notebooks' stored outputs -----------------------------------------------------------------


class _Cells(HTMLParser):
    """Collects the text of every <td> and <th> of an HTML fragment."""

    def __init__(self):
        super().__init__()
        self.cells, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag in {"td", "th"}:
            self._open = []

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._open is not None:
            self.cells.append("".join(self._open).strip())
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)


#: a number with more than 2 decimals, except a small one written with two significant digits (0.0034, 0.03%)
LONG_FLOAT = re.compile(r"(?<![\w.,])-?(?!0\.0+[1-9]\d?(?![\w.]))\d[\d,]*\.\d{3,}(?![\w.])")
#: a count written as a float, "4982.0" (as the browser test defines it: a ratio may be 1.00, money £0.00)
WHOLE_WITH_POINT_ZERO = re.compile(r"^[-+]?\d[\d,]*\.0$")


def table_cells(notebook: str) -> list[str]:
    path = PROJECT_ROOT / "notebooks" / f"{notebook}.ipynb"
    found = []
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html:
                parser = _Cells()
                parser.feed("".join(html))
                found.extend(parser.cells)
    return found


def test_the_cell_check_itself_catches_raw_pandas_output():
    raw = pd.DataFrame({"revenue": [540239.655], "customers": [4982.0]}).to_html()
    parser = _Cells()
    parser.feed(raw)
    assert any(LONG_FLOAT.search(c) for c in parser.cells) and any(WHOLE_WITH_POINT_ZERO.match(c)
                                                                  for c in parser.cells)


@pytest.mark.parametrize(("cell", "flagged"), [
    ("540239.655", True), ("0.1234", True), ("0.00345", True), ("£1,234.567", True),
    ("0.0034", False), ("-0.0034", False), ("0.03%", False), ("<0.001", False), ("1.23%", False),
    ("2025-12-31", False), ("3.4e-07", False),
])
def test_the_cell_check_lets_small_values_with_two_significant_digits_through(cell, flagged):
    assert bool(LONG_FLOAT.search(cell)) is flagged


@pytest.mark.parametrize("notebook", CONVERTED)
def test_converted_notebooks_show_no_raw_floats_in_their_tables(notebook):
    found = table_cells(notebook)
    assert found, f"{notebook} stores no HTML table"
    long = [c for c in found if LONG_FLOAT.search(c)]
    point_zero = [c for c in found if WHOLE_WITH_POINT_ZERO.match(c)]
    assert not long, f"{notebook}: cells with more than 2 decimals, e.g. {long[:5]}"
    assert not point_zero, f"{notebook}: whole numbers written with '.0', e.g. {point_zero[:5]}"


# --- titles that state the finding -----------------------------------------------------------------------------


def test_concentration_title_counts_the_top_share_by_hand():
    # 10 customers, the top 20% are the two largest: (50 + 20) / 100 = 70%
    values = pd.Series([50.0, 20.0, 5.0, 5.0, 5.0, 5.0, 4.0, 3.0, 2.0, 1.0])
    assert present.concentration_title(values, what="net revenue") == "The top 20% of customers make 70% of net revenue"
    with pytest.raises(DataError, match="top"):
        present.concentration_title(values, top=20)


def test_largest_share_and_interval_titles():
    customers = pd.Series({"Champions": 19.8, "Lost": 8.2})
    revenue = pd.Series({"Champions": 62.4, "Lost": 0.9})
    assert present.largest_share_title(customers, revenue) == "Champions: 20% of customers, 62% of revenue"
    assert present.interval_title(1000.0, 900.0, 1100.0, level=0.9, currency="EUR") == \
        "Total predicted CLV EUR 1,000 (90% interval EUR 900 to EUR 1,100)"
    assert present.interval_title(1000.0, np.nan, np.nan, level=0.9, currency="£") == \
        "Total predicted CLV £1,000 (no interval)"


# --- money in sentences ---------------------------------------------------------------------------------------


@pytest.fixture
def restore_currency():
    """Whatever a test sets, the next one finds the currency it had before."""
    before = present.get_currency()
    yield
    present.set_currency(before)


def test_money_text_writes_the_currency_as_the_tables_do(restore_currency):
    assert present.money_text(2027.4, "£") == "£2,027"
    assert present.money_text(-2027.4, "£") == "-£2,027"
    assert present.money_text(2027.4, "EUR") == "EUR 2,027"
    assert present.money_text(1234.5, "$", decimals=2) == "$1,234.50"
    assert present.money_text(-0.2, "£") == "£0"  # no negative zero
    assert present.money_text(np.nan, "£") == "–"
    present.set_currency("EUR")
    assert present.money_text(5000.0) == "EUR 5,000"
    assert present.money_text(5000.0, "£") == "£5,000"  # a currency given wins over the run's
    present.set_currency("")
    assert present.money_text(5000.0) == "5,000"


def test_money_text_refuses_what_is_not_a_currency():
    with pytest.raises(DataError, match="currency"):
        present.money_text(1.0, "pounds sterling")
