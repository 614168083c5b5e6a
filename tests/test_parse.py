"""Tests of segkit.data.parse: one number format and one date format per column, decided from
all its values, with the evidence; refusals that name the file, the column, an example and the fix.

Expected values are written by hand or built independently (datetime objects, f-strings), never
by the code under test.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segkit import DataError
from segkit.data.decisions import Decision
from segkit.data.dates import parse_dates
from segkit.data.numeric import parse_numbers

SOURCE = "'orders.csv'"


def numbers(values, **options) -> tuple[list[float], Decision]:
    parsed, decision = parse_numbers(pd.Series(values, dtype=object), column="Amount", source=SOURCE, **options)
    assert parsed.dtype == "float64"
    return parsed.tolist(), decision


def dates(values, **options) -> tuple[list, Decision]:
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    parsed, decision = parse_dates(series, column="Date", source=SOURCE, **options)
    assert parsed.dtype == "datetime64[ns]"
    return [None if pd.isna(v) else v.to_pydatetime() for v in parsed], decision


def same(got: list[float], expected: list[float]) -> bool:
    return len(got) == len(expected) and all(
        (math.isnan(g) and math.isnan(e)) or g == pytest.approx(e, rel=1e-12, abs=1e-12)
        for g, e in zip(got, expected))


def refusal(function, *args, **options) -> str:
    with pytest.raises(DataError) as error:
        function(*args, **options)
    message = str(error.value)
    assert SOURCE in message
    return message


# --- numbers: one convention at a time ------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected", "value"),
    [
        (["1,234.50", "12.5", "7"], [1234.5, 12.5, 7.0], "decimal '.' thousands ','"),
        (["1.234,50", "12,5", "7"], [1234.5, 12.5, 7.0], "decimal ',' thousands '.'"),
        (["1 234,50", "12,5"], [1234.5, 12.5], "decimal ',' thousands ' '"),
        (["1\u00a0234,50", "12,5"], [1234.5, 12.5], "decimal ',' thousands ' '"),
        (["1\u202f234\u202f567,50", "0,5"], [1234567.5, 0.5], "decimal ',' thousands ' '"),
        (["1'234.50", "2'000'000"], [1234.5, 2000000.0], "decimal '.' thousands \"'\""),
        (["1\u2019234.50", "3.25"], [1234.5, 3.25], "decimal '.' thousands \"'\""),
        (["1.234.567", "12"], [1234567.0, 12.0], "decimal ',' thousands '.'"),
        (["12,5", "0,75", ",5"], [12.5, 0.75, 0.5], "decimal ','"),
        ([".5", "12.25"], [0.5, 12.25], "decimal '.'"),
        (["12", "3", "-4"], [12.0, 3.0, -4.0], "whole numbers"),
        (["1 234", "5"], [1234.0, 5.0], "whole numbers thousands ' '"),
        (["1.5E+03", "2.5e-1"], [1500.0, 0.25], "decimal '.'"),
        (["１，２３４．５０", "3.5"], [1234.5, 3.5], "decimal '.' thousands ','"),  # full-width digits
    ],
)
def test_number_conventions(values, expected, value):
    got, decision = numbers(values)
    assert same(got, expected)
    assert decision.value == value
    assert (decision.subject, decision.aspect, decision.given) == ("column 'Amount'", "number format", False)


@pytest.mark.parametrize(
    ("text", "expected", "currency"),
    [
        ("$1,234.50", 1234.5, "'$'"),
        ("US$ 1,234.50", 1234.5, "'US$'"),
        ("1,234.50 USD", 1234.5, "'USD'"),
        ("€1.234,50", 1234.5, "'€'"),
        ("1.234,50 €", 1234.5, "'€'"),
        ("EUR 1.234,50", 1234.5, "'EUR'"),
        ("£1,234.50", 1234.5, "'£'"),
        ("GBP1,234.50", 1234.5, "'GBP'"),
        ("¥1,234.50", 1234.5, "'¥'"),
        ("￥1,234.50", 1234.5, "'¥'"),  # full-width yen/yuan sign
        ("CN¥1,234.50", 1234.5, "'CN¥'"),
        ("1,234.50元", 1234.5, "'元'"),
        ("RMB 1,234.50", 1234.5, "'RMB'"),
        ("CNY1,234.50", 1234.5, "'CNY'"),
        ("1 234,50 ₽", 1234.5, "'₽'"),
        ("1 234,50 руб.", 1234.5, "'руб.'"),
        ("1 234,50 руб", 1234.5, "'руб'"),
        ("1 234,50р.", 1234.5, "'р.'"),
        ("RUB 1 234,50", 1234.5, "'RUB'"),
        ("usd 1,234.50", 1234.5, "'usd'"),
    ],
)
def test_currency_before_or_after_with_or_without_space(text, expected, currency):
    got, decision = numbers([text, None])
    assert same(got, [expected, float("nan")])
    assert decision.value.endswith(f"currency {currency}")
    assert f"currency {currency} in 1 distinct values" in decision.evidence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1.50", -1.5), ("1.50-", -1.5), ("(1.50)", -1.5), ("\u22121.50", -1.5), ("+1.50", 1.5),
        ("- 1.50", -1.5), ("-$1.50", -1.5), ("$-1.50", -1.5), ("($1.50)", -1.5), ("$(1.50)", -1.5),
        ("(1.50 €)", -1.5), ("1.50 € -", -1.5), ("1,234.50-", -1234.5),
    ],
)
def test_negative_numbers(text, expected):
    got, _ = numbers([text, "0.25"])
    assert same(got, [expected, 0.25])


@pytest.mark.parametrize("text", ["--1.5", "(1.5", "(-1.5)", "+1.5-", "1.2.3", "12,34,56", "1 .5"])
def test_malformed_numbers_are_refused(text):
    message = refusal(numbers, [text, "0.25"])
    assert repr(text) in message and "'Amount'" in message


def test_blank_numbers_are_missing_not_errors():
    got, _ = numbers(["1.5", None, np.nan, "", "   ", pd.NA])
    assert same(got, [1.5] + [float("nan")] * 5)


def test_all_blank_column():
    got, decision = numbers([None, "", np.nan])
    assert same(got, [float("nan")] * 3) and decision.value == "no numbers"


def test_excel_objects_mix_python_numbers_and_text():
    got, decision = numbers([1.5, "2,5", 3, None, "1.234,5"])
    assert same(got, [1.5, 2.5, 3.0, float("nan"), 1234.5])
    assert decision.value == "decimal ',' thousands '.'"
    assert "2 distinct values were already numbers" in decision.evidence


def test_numeric_columns_pass_through():
    got, decision = parse_numbers(pd.Series([1, 2, None], dtype="Int64"), column="Qty", source=SOURCE)
    assert same(got.tolist(), [1.0, 2.0, float("nan")]) and got.dtype == "float64"
    assert decision.value == "already numbers"


def test_index_and_name_are_kept():
    values = pd.Series(["1,5", "2,5"], index=[10, 20], name="Preis")
    got, _ = parse_numbers(values, column="Preis", source=SOURCE)
    assert got.index.tolist() == [10, 20] and got.name == "Preis"


def test_one_value_settles_the_whole_column():
    # '1,500' alone would be ambiguous; '12,75' (two digits after the comma) shows the comma is
    # the decimal mark, so '1,500' is 1.5 in every row
    got, decision = numbers(["1,500", "12,75", "1,500", "3"])
    assert same(got, [1.5, 12.75, 1.5, 3.0])
    assert decision.evidence.startswith("1 of 3 distinct values can only be read with decimal ','")
    assert "'12,75'" in decision.evidence


# --- numbers: ambiguity and refusals --------------------------------------------------------


@pytest.mark.parametrize("values", [["1.234", "5.678"], ["1,500", "2,250", "7"]])
def test_ambiguous_decimal_mark_is_refused(values):
    message = refusal(numbers, values)
    assert "'Amount'" in message
    assert repr(values[0]) in message
    assert 'decimal: ","' in message and 'decimal=","' in message


def test_file_decimal_settles_an_ambiguous_column_and_says_so():
    got, decision = numbers(["1.500", "2.250"], file_decimal=",")
    assert same(got, [1500.0, 2250.0])
    assert decision.value == "decimal ',' thousands '.'" and not decision.given
    assert "other columns" in decision.evidence
    got, _ = numbers(["1.500", "2.250"], file_decimal=".")
    assert same(got, [1.5, 2.25])


def test_the_column_own_evidence_beats_file_decimal():
    got, decision = numbers(["1,234.5", "1,500"], file_decimal=",")
    assert same(got, [1234.5, 1500.0])
    assert decision.value == "decimal '.' thousands ','"


def test_given_decimal_is_applied_strictly():
    got, decision = numbers(["1.234", "5"], decimal=",")
    assert same(got, [1234.0, 5.0]) and decision.given
    message = refusal(numbers, ["12.5", "3"], decimal=",")
    assert "'12.5'" in message and "decimal ','" in message


def test_given_thousands_separator():
    got, decision = numbers(["1.234", "5"], thousands="")
    assert same(got, [1.234, 5.0]) and decision.given
    got, decision = numbers(["1.234", "5"], thousands=".")
    assert same(got, [1234.0, 5.0]) and decision.value == "decimal ',' thousands '.'"


def test_values_that_are_not_numbers_are_refused_with_count_and_examples():
    message = refusal(numbers, ["n/a", "5.5", "abc", "n/a", None])
    assert "'Amount'" in message
    assert "3 value(s)" in message and "2 distinct" in message
    assert "'n/a'" in message and "'abc'" in message
    assert "blank" in message


def test_mixed_number_formats_are_refused():
    message = refusal(numbers, ["1,234.5", "1.234,5"])
    assert "mixes number formats" in message and "'1,234.5'" in message and "'1.234,5'" in message
    assert 'decimal: ","' in message


def test_mixed_currencies_are_refused():
    message = refusal(numbers, ["$5.00", "€5,00", "$7.50"])
    assert "more than one currency" in message and "cannot be added" in message
    assert "2 row(s)" in message and "'$5.00'" in message and "'€5,00'" in message


@pytest.mark.parametrize(("values", "currency"), [(["$5.00", "USD 7.50"], "USD"), (["¥5", "5元"], "CNY"),
                                                 (["5 ₽", "5 руб.", "5 р."], "RUB")])
def test_one_currency_written_several_ways_is_accepted(values, currency):
    _, decision = numbers(values)
    assert f"currency {currency} (written" in decision.value


def test_bad_options_are_refused():
    with pytest.raises(DataError, match="decimal must be"):
        numbers(["1"], decimal=";")
    with pytest.raises(DataError, match="cannot both be"):
        numbers(["1"], decimal=",", thousands=",")


# --- numbers: property test -----------------------------------------------------------------

_SEPARATORS = {".": [None, ",", " ", "\u00a0", "\u202f", "'", "\u2019"],
               ",": [None, ".", " ", "\u00a0", "\u202f", "'"]}
_CURRENCY = ["", "$", "€", "£", "¥", "￥", "₽", "руб.", "р.", "元", "RMB", "CNY", "USD", "EUR", "CN¥", "US$", "CHF"]


def written(amount: float, decimal: str, thousands: str | None, currency: str, after: bool, space: str,
            minus: str) -> str:
    """An amount written by hand in one convention (not with segkit's code)."""
    digits = f"{abs(amount):,.2f}"  # '1,234.50'
    whole, cents = digits.split(".")
    text = whole.replace(",", thousands or "") + decimal + cents
    if currency:
        text = text + space + currency if after else currency + space + text
    if amount < 0:
        text = {"-": "-" + text, "−": "\u2212" + text, "after": text + "-", "()": f"({text})"}[minus]
    return text


@settings(max_examples=150, deadline=None)
@given(
    amounts=st.lists(st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: round(x, 2)), min_size=1, max_size=30),
    decimal=st.sampled_from([".", ","]),
    data=st.data(),
)
def test_property_any_convention_is_recovered(amounts, decimal, data):
    thousands = data.draw(st.sampled_from(_SEPARATORS[decimal]))
    currency = data.draw(st.sampled_from(_CURRENCY))
    after, space, minus = data.draw(st.booleans()), data.draw(st.sampled_from(["", " "])), data.draw(
        st.sampled_from(["-", "−", "after", "()"]))
    texts = [written(a, decimal, thousands, currency, after, space, minus) for a in amounts]
    got, decision = numbers(texts)  # two digits after the decimal mark always settle it
    assert all(g == pytest.approx(a, rel=1e-9, abs=1e-9) for g, a in zip(got, amounts))
    assert decision.value.startswith(f"decimal '{decimal}'")


# --- dates: one format at a time ------------------------------------------------------------

D = dt.datetime


@pytest.mark.parametrize(
    ("values", "expected", "value"),
    [
        (["2024-03-05", "2024-12-25"], [D(2024, 3, 5), D(2024, 12, 25)], "%Y-%m-%d"),
        (["2024-03-05 14:02", "2024-12-25 09:01"], [D(2024, 3, 5, 14, 2), D(2024, 12, 25, 9, 1)], "%Y-%m-%d %H:%M"),
        (["2024-03-05T14:02:11", "2024-12-25T09:01:00"], [D(2024, 3, 5, 14, 2, 11), D(2024, 12, 25, 9, 1)],
         "%Y-%m-%dT%H:%M:%S"),
        (["2024-03-05T14:02:11.250", "2024-12-25T09:01:00.000001"],
         [D(2024, 3, 5, 14, 2, 11, 250000), D(2024, 12, 25, 9, 1, 0, 1)], "%Y-%m-%dT%H:%M:%S.%f"),
        (["2024/3/5 14:02", "2024/12/25 9:01"], [D(2024, 3, 5, 14, 2), D(2024, 12, 25, 9, 1)], "%Y/%m/%d %H:%M"),
        (["05.03.2024", "25.12.2024"], [D(2024, 3, 5), D(2024, 12, 25)], "%d.%m.%Y"),
        (["05.03.2024 14:02:11", "25.12.2024 09:01:00"], [D(2024, 3, 5, 14, 2, 11), D(2024, 12, 25, 9, 1)],
         "%d.%m.%Y %H:%M:%S"),
        (["12/1/2010 8:26", "12/13/2010 17:05"], [D(2010, 12, 1, 8, 26), D(2010, 12, 13, 17, 5)], "%m/%d/%Y %H:%M"),
        (["01/12/2010 08:26", "13/12/2010 17:05"], [D(2010, 12, 1, 8, 26), D(2010, 12, 13, 17, 5)],
         "%d/%m/%Y %H:%M"),
        (["12/1/10 8:26", "12/13/10 17:05"], [D(2010, 12, 1, 8, 26), D(2010, 12, 13, 17, 5)], "%m/%d/%y %H:%M"),
        (["5-3-2024", "25-3-2024"], [D(2024, 3, 5), D(2024, 3, 25)], "%d-%m-%Y"),
        (["20240305", "19970101"], [D(2024, 3, 5), D(1997, 1, 1)], "%Y%m%d"),
        (["05 Mar 2024", "6 May 2024"], [D(2024, 3, 5), D(2024, 5, 6)], "%d %b %Y"),
        (["05 March 2024", "6 May 2024"], [D(2024, 3, 5), D(2024, 5, 6)], "%d %B %Y"),
        (["Mar 5, 2024", "Dec 25, 2024"], [D(2024, 3, 5), D(2024, 12, 25)], "%b %d, %Y"),
        (["Mar 5, 2024 2:05 PM", "Dec 25, 2024 12:05 AM"], [D(2024, 3, 5, 14, 5), D(2024, 12, 25, 0, 5)],
         "%b %d, %Y %I:%M %p"),
        (["2024年3月5日", "2024年12月25日"], [D(2024, 3, 5), D(2024, 12, 25)], "%Y年%m月%d日"),
        (["２０２４-０３-０５"], [D(2024, 3, 5)], "%Y-%m-%d"),  # full-width digits
    ],
)
def test_date_formats(values, expected, value):
    got, decision = dates(values + [None])
    assert got == expected + [None]
    assert decision.value == value
    assert (decision.subject, decision.aspect, decision.given) == ("column 'Date'", "date format", False)


def test_day_first_column_is_right_in_every_row():
    # the bug this module replaces: a DD.MM.YYYY column read row by row swapped day and month
    # wherever the day was 12 or less. Here only a few rows have a day above 12.
    truth = [D(2024, m, d, (7 * d) % 24, (11 * m) % 60) for m in range(1, 13) for d in range(1, 13)]
    truth += [D(2024, 3, 13, 10, 0), D(2024, 11, 28, 23, 59)]
    texts = [f"{t.day:02d}.{t.month:02d}.{t.year} {t.hour:02d}:{t.minute:02d}" for t in truth]
    got, decision = dates(texts)
    assert got == truth
    assert decision.value == "%d.%m.%Y %H:%M"
    assert decision.evidence.startswith("2 of 146 distinct dates have a first field above 12")


def test_month_first_column_is_right_in_every_row():
    truth = [D(2010, 12, d, 8, 26) for d in range(1, 32)] + [D(2011, m, 1, 9, 5) for m in range(1, 13)]
    texts = [f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}" for t in truth]  # UCI Online Retail
    got, decision = dates(texts)
    assert got == truth
    assert "second field above 12" in decision.evidence


def test_dates_without_time_among_dates_with_time_are_midnight():
    got, decision = dates(["05.03.2024", "13.03.2024 14:02"])
    assert got == [D(2024, 3, 5), D(2024, 3, 13, 14, 2)]
    assert "1 distinct values have no time" in decision.evidence


def test_offsets_are_dropped_keeping_the_local_clock_time():
    # the night Berlin moved to summer time: +01:00 before, +02:00 after
    got, decision = dates(["2024-03-31T01:30:00+01:00", "2024-03-31T03:30:00+0200", "2024-04-01T12:00:00+02:00"])
    assert got == [D(2024, 3, 31, 1, 30), D(2024, 3, 31, 3, 30), D(2024, 4, 1, 12)]
    assert "+01:00" in decision.evidence and "daylight saving" in decision.evidence
    assert "local clock time" in decision.evidence


def test_utc_z_is_said_to_be_utc():
    got, decision = dates(["2024-03-05T14:02:11Z", "2024-03-05T15:00:00.5Z"])
    assert got == [D(2024, 3, 5, 14, 2, 11), D(2024, 3, 5, 15, 0, 0, 500000)]
    assert "'Z' (UTC)" in decision.evidence


def test_time_zone_typed_column_keeps_local_clock_time():
    values = pd.Series(pd.to_datetime(["2024-03-05 10:00", "2024-07-05 10:00"]).tz_localize("Europe/Berlin"))
    got, decision = dates(values)
    assert got == [D(2024, 3, 5, 10), D(2024, 7, 5, 10)]
    assert decision.value == "already dates" and "Europe/Berlin" in decision.evidence


def test_excel_serial_day_numbers():
    # Excel's serial 45292 is 2024-01-01; 45356 is 64 days later; .75 of a day is 18:00
    got, decision = dates(pd.Series([45292.0, 45356.75, np.nan]))
    assert got == [D(2024, 1, 1), D(2024, 3, 5, 18), None]
    assert decision.value == "Excel serial day numbers"


def test_yyyymmdd_integers_as_in_cdnow():
    got, decision = dates(pd.Series([19970101, 19970225, 19980630]))
    assert got == [D(1997, 1, 1), D(1997, 2, 25), D(1998, 6, 30)]
    assert decision.value == "YYYYMMDD integers"


def test_excel_date_objects_mixed_with_text():
    values = [D(2024, 3, 5, 10), pd.Timestamp("2024-03-06 11:00"), "13.03.2024", "01.04.2024", None,
              pd.Timestamp("2024-01-01 09:00", tz="Europe/Berlin")]
    got, decision = dates(values)
    assert got == [D(2024, 3, 5, 10), D(2024, 3, 6, 11), D(2024, 3, 13), D(2024, 4, 1), None, D(2024, 1, 1, 9)]
    assert decision.value == "%d.%m.%Y; already dates"


def test_blank_dates_are_missing_not_errors():
    got, _ = dates(["", "  ", None, np.nan])
    assert got == [None] * 4


def test_given_date_format_is_applied_strictly():
    got, decision = dates(["01.02.2024", "03.04.2024"], date_format="%d.%m.%Y")
    assert got == [D(2024, 2, 1), D(2024, 4, 3)] and decision.given
    got, _ = dates(["01.02.2024", "03.04.2024"], date_format="%m.%d.%Y")
    assert got == [D(2024, 1, 2), D(2024, 3, 4)]
    message = refusal(dates, ["01.02.2024", "2024-02-03"], date_format="%d.%m.%Y")
    assert "'2024-02-03'" in message and "date_format" in message and "'Date'" in message


def test_given_format_with_offset_keeps_local_clock_time():
    got, _ = dates(["2024-03-05 14:02+01:00"], date_format="%Y-%m-%d %H:%M%z")
    assert got == [D(2024, 3, 5, 14, 2)]


def test_given_format_reads_numbers_as_their_digits():
    got, _ = dates(pd.Series([5032024, 25122024]), date_format="%d%m%Y")
    assert got == [D(2024, 3, 5), D(2024, 12, 25)]


def test_mixed_is_not_a_format():
    with pytest.raises(DataError, match="per-row guess"):
        dates(["2024-03-05"], date_format="mixed")


# --- dates: ambiguity and refusals ----------------------------------------------------------


def test_day_and_month_that_cannot_be_told_apart_are_refused():
    message = refusal(dates, ["01/02/2024 10:00", "03/04/2024 11:00", "12/11/2024 09:00"])
    assert "'Date'" in message
    assert "%d/%m/%Y" in message and "%m/%d/%Y" in message
    assert "'01/02/2024" in message and "1 February 2024" in message and "2 January 2024" in message
    assert 'date_format: "%d/%m/%Y %H:%M"' in message and "date_format=" in message


def test_equal_day_and_month_need_no_decision():
    got, decision = dates(["01/01/2024", "02/02/2024"])
    assert got == [D(2024, 1, 1), D(2024, 2, 2)]
    assert "equal" in decision.evidence


def test_day_first_and_month_first_in_one_column_are_refused():
    message = refusal(dates, ["13/01/2024", "01/13/2024", "05/05/2024"])
    assert "mixes day-first and month-first" in message
    assert "'13/01/2024'" in message and "'01/13/2024'" in message and "date_format" in message


def test_values_that_are_not_dates_are_refused_with_count_and_examples():
    message = refusal(dates, ["05.03.2024", "soon", "13.03.2024", "soon", "32.01.2024"])
    assert "'Date'" in message and "3 value(s) (2 distinct)" in message
    assert "'soon'" in message and "'32.01.2024'" in message and "%d.%m.%Y" in message


def test_no_known_format_is_refused_with_the_parameter():
    message = refusal(dates, ["5th of March", "6th of March"])
    assert "'5th of March'" in message and "date_format" in message


def test_impossible_times_are_refused():
    message = refusal(dates, ["2024-03-05 25:00", "2024-03-05 10:00"])
    assert "'2024-03-05 25:00'" in message


def test_numbers_that_are_not_dates_are_refused():
    message = refusal(dates, pd.Series([3.0, 45000.0]))
    assert "not dates" in message and "'3.0'" in message


def test_twelve_and_twenty_four_hour_clocks_mixed_are_refused():
    refusal(dates, ["2024-03-05 2:05 PM", "2024-03-05 14:05"])


# --- dates: property test -------------------------------------------------------------------


def us_without_zeros(t: dt.datetime) -> str:
    return f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}"


_DATE_WRITERS = [
    ("%Y-%m-%d", "d"), ("%Y-%m-%d %H:%M", "m"), ("%Y-%m-%dT%H:%M:%S", "s"), ("%Y-%m-%dT%H:%M:%S.%f", "u"),
    ("%Y/%m/%d %H:%M", "m"), ("%d.%m.%Y", "d"), ("%d.%m.%Y %H:%M:%S", "s"), ("%m/%d/%Y %H:%M", "m"),
    ("%d/%m/%Y %H:%M", "m"), ("%d-%m-%Y", "d"), ("%Y%m%d", "d"), ("%d %b %Y", "d"), ("%b %d, %Y", "d"),
    ("%d %B %Y %H:%M", "m"), ("%m/%d/%y %H:%M", "m"), ("%b %d, %Y %I:%M %p", "m"), ("%Y-%m-%dT%H:%M:%S+01:00", "s"),
    (us_without_zeros, "m"),
]


def truncated(t: dt.datetime, resolution: str) -> dt.datetime:
    return {"d": t.replace(hour=0, minute=0, second=0, microsecond=0), "m": t.replace(second=0, microsecond=0),
            "s": t.replace(microsecond=0), "u": t}[resolution]


@settings(max_examples=150, deadline=None)
@given(
    moments=st.lists(st.datetimes(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31)), min_size=1, max_size=30),
    writer=st.sampled_from(_DATE_WRITERS),
)
def test_property_any_supported_format_is_recovered(moments, writer):
    write, resolution = writer
    moments = [truncated(t, resolution) for t in moments + [D(2021, 7, 25, 10, 11, 12, 345678)]]  # day 25 decides
    texts = [write(t) if callable(write) else t.strftime(write) for t in moments]
    got, _ = dates(texts)
    assert got == moments


# --- dates: the exact words of decisions and refusals (a message is the user's only guide) ------------

FIX_DMY = 'reading: {date_format: "%d.%m.%Y"} in the params YAML, or date_format="%d.%m.%Y" in segkit.data.load_transactions'


def test_given_iso8601_reads_dates_with_and_without_times_and_refuses_others():
    got, decision = dates(["2024-03-05", "2024-03-05T14:02:11", "2024-03-06 09:00"], date_format="ISO8601")
    assert got == [D(2024, 3, 5), D(2024, 3, 5, 14, 2, 11), D(2024, 3, 6, 9)]
    assert (decision.value, decision.evidence, decision.given) == (
        "ISO8601", "date format ISO8601 given by the reading parameter", True)
    assert refusal(dates, ["2024-03-05", "05/03/2024"], date_format="ISO8601") == (
        "Column 'Date' of 'orders.csv' has 1 value(s) (1 distinct) that are not dates in the format ISO8601, "
        "e.g. '05/03/2024'. Check the date_format setting, or fix or blank those cells.")


def test_given_format_refusal_counts_rows_and_says_to_check_the_setting():
    assert refusal(dates, ["05.03.2024", "2024-02-03", "2024-02-03"], date_format="%d.%m.%Y") == (
        "Column 'Date' of 'orders.csv' has 2 value(s) (1 distinct) that are not dates in the format %d.%m.%Y, "
        "e.g. '2024-02-03'. Check the date_format setting, or fix or blank those cells.")


def test_given_format_with_offsets_reads_day_first_local_time_and_says_what_was_dropped():
    got, decision = dates(["05.03.2024 14:02 +0100", "13.03.2024 09:00 +0200"], date_format="%d.%m.%Y %H:%M %z")
    assert got == [D(2024, 3, 5, 14, 2), D(2024, 3, 13, 9)]
    assert decision.evidence == (
        "date format %d.%m.%Y %H:%M %z given by the reading parameter; times carry UTC offsets +0100, +0200 "
        "(they change, e.g. for daylight saving time); the offsets were dropped, keeping the local clock time")
    got, decision = dates(["05.03.2024 14:02 UTC"], date_format="%d.%m.%Y %H:%M %Z")
    assert got == [D(2024, 3, 5, 14, 2)]
    assert decision.evidence == (
        "date format %d.%m.%Y %H:%M %Z given by the reading parameter; times carry 'UTC' (UTC): read as UTC "
        "clock time, which may differ from the shop's local time")


def test_offsets_many_or_partly_missing_are_listed_briefly():
    texts = [f"2024-03-{d:02d}T10:00:00+0{d}00" for d in range(1, 9)] + ["2024-03-20T10:00:00"]
    _, decision = dates(texts)
    assert decision.value == "%Y-%m-%dT%H:%M:%S%z"
    assert decision.evidence.endswith(
        "times carry UTC offsets +0100, +0200, +0300, +0400, +0500, +0600 ... (they change, e.g. for daylight "
        "saving time) (1 distinct values have none); the offsets were dropped, keeping the local clock time")
    _, decision = dates(["2024-03-05T10:00:00Z", "2024-03-06T10:00:00Z", "2024-03-07T11:00:00"])
    assert decision.evidence == (
        "all 3 distinct dates match %Y-%m-%d; times carry 'Z' (UTC) (1 distinct values have none): read as UTC "
        "clock time, which may differ from the shop's local time")


def test_day_evidence_names_the_field_that_is_the_day():
    _, decision = dates(["05.03.2024", "13.03.2024 14:02"])
    assert decision.evidence == ("1 of 2 distinct dates have a first field above 12 (e.g. '13.03.2024'), so the "
                                 "first field is the day; 1 distinct values have no time (read as midnight)")
    _, decision = dates(["03/05/2024", "03/13/2024", "04/14/2024"])
    assert (decision.value, decision.evidence) == ("%m/%d/%Y", "2 of 3 distinct dates have a second field above 12 "
                                                   "(e.g. '03/13/2024', '04/14/2024'), so the second field is the day")
    _, decision = dates(["2024-03-05", "2024-03-13"])
    assert decision.evidence == ("all 2 distinct dates match %Y-%m-%d (year first: day and month cannot be "
                                 "confused)")


def test_refusals_word_for_word():
    assert refusal(dates, ["13/01/2024", "01/13/2024", "05/05/2024"]) == (
        "Column 'Date' of 'orders.csv' mixes day-first and month-first dates: e.g. '13/01/2024' only fit %d/%m/%Y "
        "(1 distinct dates) and '01/13/2024' only fit %m/%d/%Y (1). Export the column again in one order (ISO "
        'YYYY-MM-DD is safest); setting reading: {date_format: "%d/%m/%Y"} in the params YAML, or '
        'date_format="%d/%m/%Y" in segkit.data.load_transactions reads one order and reports the others.')
    assert refusal(dates, ["5th of March", "6th of March"]) == (
        "Column 'Date' of 'orders.csv': no known date format reads the values, e.g. '5th of March', '6th of March'. "
        'Set the format with Python\'s strftime codes: reading: {date_format: "%d.%m.%Y %H:%M"} in the params '
        'YAML, or date_format="%d.%m.%Y %H:%M" in segkit.data.load_transactions (adapted).')
    assert refusal(dates, ["05.03.2024", "soon", "13.03.2024", "soon", "32.01.2024"]) == (
        "Column 'Date' of 'orders.csv' has 3 value(s) (2 distinct) that are not dates in the format %d.%m.%Y, "
        f"e.g. 'soon', '32.01.2024'. Fix or blank those cells (blank cells are read as missing), or set the "
        f"format: {FIX_DMY}.")
    assert refusal(dates, ["2024-03-05 2:05 PM", "2024-03-05 14:05"]) == (
        "Column 'Date' of 'orders.csv' mixes 12-hour and 24-hour times, e.g. '2024-03-05 2:05 PM' and "
        "'2024-03-05 14:05'. Export the column again with one clock.")
    assert refusal(dates, pd.Series([True, False])) == (
        "Column 'Date' of 'orders.csv' holds True/False values, not dates. Check the column mapping.")


def test_dates_written_as_numbers_word_for_word():
    got, decision = dates(pd.Series([19970101, 19970102]))
    assert got == [D(1997, 1, 1), D(1997, 1, 2)]
    assert decision.evidence == "all 2 distinct numbers are dates written YYYYMMDD (19970101 to 19970102)"
    got, decision = dates(pd.Series([45000.0, 45001.5]))
    assert got == [D(2023, 3, 15), D(2023, 3, 16, 12)]  # 45,000 days after 1899-12-30; .5 is noon
    assert (decision.value, decision.evidence) == ("Excel serial day numbers", (
        "all 2 distinct numbers are between 45,000 and 45,002: Excel serial day numbers (days since 1899-12-30)"))
    assert refusal(dates, pd.Series([19970101.0, 19971301.0])) == (
        "Column 'Date' of 'orders.csv' holds numbers read as YYYYMMDD dates, but 1 row(s) are not such dates, "
        "e.g. '19971301.0'. Fix or blank those cells.")
    assert refusal(dates, pd.Series([19970101.0, 19970102.5])).endswith("e.g. '19970102.5'. Fix or blank those cells.")
    assert refusal(dates, pd.Series([3.0, 45000.0, 3.0])) == (
        "Column 'Date' of 'orders.csv' holds numbers that are not dates: 2 row(s), e.g. '3.0'. Dates written as "
        "numbers must be Excel serial day numbers (20,000-80,000) or YYYYMMDD integers; convert other codes (e.g. "
        "Unix seconds) to dates first.")
    # the ends of the Excel range are dates, one past them is not
    assert dates(pd.Series([20_000.0, 80_000.0]))[0] == [D(1954, 10, 3), D(2119, 1, 11)]
    refusal(dates, pd.Series([19_999.0]))
    refusal(dates, pd.Series([80_001.0]))
    # eight digits are read as YYYYMMDD, from 10,000,000 to 99,999,999; nine digits are not dates at all
    for number in (10_000_000.0, 99_999_999.0):
        assert refusal(dates, pd.Series([number])).startswith(
            "Column 'Date' of 'orders.csv' holds numbers read as YYYYMMDD dates, but 1 row(s) are not such dates")
    assert "must be Excel serial day numbers" in refusal(dates, pd.Series([100_000_000.0]))


def test_given_format_reads_whole_and_fractional_numbers_as_their_digits():
    got, _ = dates(pd.Series([19970101.0, 19970102.0], dtype=object), date_format="%Y%m%d")
    assert got == [D(1997, 1, 1), D(1997, 1, 2)]
    assert refusal(dates, pd.Series([19970101.0, 5.5], dtype=object), date_format="%Y%m%d") == (
        "Column 'Date' of 'orders.csv' has 1 value(s) (1 distinct) that are not dates in the format %Y%m%d, "
        "e.g. '5.5'. Check the date_format setting, or fix or blank those cells.")


def test_date_objects_pass_through_and_out_of_range_ones_are_refused():
    got, decision = dates(pd.Series([dt.date(2024, 1, 1), pd.Timestamp("2024-01-02 10:00")]))
    assert got == [D(2024, 1, 1), D(2024, 1, 2, 10)]
    assert (decision.value, decision.evidence) == ("already dates", "2 distinct values were already dates")
    got, decision = dates(pd.Series([D(2024, 3, 5, 14, 2, tzinfo=dt.timezone(dt.timedelta(hours=1))), "2024-03-06"]))
    assert got == [D(2024, 3, 5, 14, 2), D(2024, 3, 6)]
    assert decision.value == "%Y-%m-%d; already dates"
    assert decision.evidence.endswith(
        "; 1 distinct values were already dates (1 with a time zone, dropped, keeping the local clock time)")
    # a year outside datetime64[ns] is refused, never wrapped round to another date
    assert refusal(dates, pd.Series([dt.date(1500, 1, 1), dt.date(2024, 1, 1)])) == (
        "Column 'Date' of 'orders.csv' has 1 date(s) outside the years 1678-2261, e.g. '1500-01-01'. "
        "Fix those cells in the file.")
    refusal(dates, pd.Series([D(2300, 1, 1), "2024-01-01"]))


def test_typed_dates_with_a_time_zone_keep_the_local_clock():
    series = pd.Series(pd.to_datetime(["2024-03-05 14:02"]).tz_localize("Europe/Berlin"))
    got, decision = dates(series)
    assert got == [D(2024, 3, 5, 14, 2)]
    assert decision.evidence == ("the column already has a date type (time zone Europe/Berlin, dropped, keeping "
                                 "the local clock time)")
    _, decision = dates(pd.Series(pd.to_datetime(["2024-03-05"])), date_format="%Y")
    assert (decision.value, decision.evidence, decision.given) == (
        "already dates", "the column already has a date type", True)


def test_a_blank_column_and_a_bad_date_format_option():
    got, decision = dates([None, " "])
    assert got == [None, None] and (decision.value, decision.evidence) == ("no dates", "every cell is blank")
    _, decision = dates([None], date_format="%d.%m.%Y")
    assert decision.value == "%d.%m.%Y"
    for bad in ("", "mixed", 5):
        with pytest.raises(DataError, match="date_format must be one format such as '%d.%m.%Y %H:%M' or 'ISO8601', "
                                            f"not {bad!r}: a per-row guess"):
            dates(["2024-03-05"], date_format=bad)


# --- numbers: the exact words of decisions and refusals ------------------------------------------

FIX_DECIMAL = 'reading: {decimal: ","} in the params YAML, or decimal="," in segkit.data.load_transactions'


def test_number_refusals_word_for_word():
    assert refusal(numbers, ["12", "abc", "abc", "7x"]) == (
        "Column 'Amount' of 'orders.csv' has 3 value(s) that cannot be read as numbers (2 distinct), e.g. 'abc', "
        "'7x'. Signs, currency signs and codes and thousands separators are understood. Fix or blank those cells "
        "(blank cells are read as missing), then load again.")
    assert refusal(numbers, ["12,5", "1.234,5"], decimal=".") == (
        "Column 'Amount' of 'orders.csv' has 2 value(s) that cannot be read as numbers with decimal '.' (2 "
        "distinct), e.g. '12,5', '1.234,5'. Signs, currency signs and codes and thousands separators are "
        "understood. Check the decimal setting, or fix or blank those cells, then load again.")
    assert refusal(numbers, ["$5", "€5", "€6"]) == (
        "Column 'Amount' of 'orders.csv' has amounts in more than one currency: $ (1 row(s), e.g. '$5'); EUR (2 "
        "row(s), e.g. '€5', '€6'). Amounts in different currencies cannot be added: convert them to one currency "
        "(or split the file by currency) and load again.")
    assert "CAD (1 row(s), e.g. 'C$5'); USD (1 row(s), e.g. 'US$5')" in refusal(numbers, ["US$5", "C$5"])
    assert "$ (1 row(s), e.g. '$5'); ¥ (1 row(s), e.g. '¥6')" in refusal(numbers, ["$5", "¥6"])
    assert refusal(numbers, ["1.500", "2.250"]) == (
        "Column 'Amount' of 'orders.csv': the decimal mark cannot be told from the values. Every value reads with "
        "decimal '.' and with decimal ',' (2 distinct values differ), e.g. '1.500' is 1.5 with decimal '.' but "
        f"1500 with decimal ','. Say which: {FIX_DECIMAL} (or \".\").")
    assert refusal(numbers, ["1,234.5", "12,5"]) == (
        "Column 'Amount' of 'orders.csv' mixes number formats: no one decimal mark reads every value (with "
        "decimal '.' thousands ',', e.g. '12,5' do not fit; with decimal ',', e.g. '1,234.5' do not fit). Write "
        f"the column in one format, or set the decimal mark ({FIX_DECIMAL}) and fix the cells that do not fit it.")
    assert refusal(numbers, [True, False]).startswith(
        "Column 'Amount' of 'orders.csv' has 2 value(s) that cannot be read as numbers (2 distinct), e.g. 'True'")
    with pytest.raises(DataError, match="^Column 'Qty' of 'orders.csv' holds True/False values, not numbers. "
                                        "Check the column mapping.$"):
        parse_numbers(pd.Series([True, False]), column="Qty", source=SOURCE)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"decimal": ";"}, "decimal must be '.' or ',', not ';'."),
        ({"file_decimal": ";"}, "file_decimal must be '.' or ',', not ';'."),
        ({"thousands": "x"}, "thousands must be one of [' ', \"'\", ',', '.', '\\xa0', '’', '\\u202f'] or '' "
                             "(none), not 'x'."),
        ({"decimal": ",", "thousands": ","}, "decimal and thousands cannot both be ','."),
        ({"decimal": ".", "thousands": "."}, "decimal and thousands cannot both be '.'."),
    ],
)
def test_number_options_are_checked(options, message):
    with pytest.raises(DataError) as error:
        numbers(["1", "2"], **options)
    assert str(error.value) == message


def test_number_options_that_fit_together_are_accepted():
    assert numbers(["1 234,50", "99,9"], decimal=",", thousands="\u00a0")[0] == [1234.5, 99.9]
    assert numbers(["1234", "5"], thousands="")[0] == [1234.0, 5.0]


def test_number_decisions_word_for_word():
    got, decision = numbers(["$5", "USD 6"])
    assert got == [5.0, 6.0]
    assert (decision.value, decision.evidence, decision.given) == (
        "whole numbers currency USD (written '$', 'USD')",
        "no value has a decimal mark (2 distinct values, e.g. '$5', 'USD 6'); currency USD (written '$', 'USD') "
        "in 2 distinct values", False)
    got, decision = numbers(["1 234,50", "99,9"], thousands=" ")
    assert got == [1234.5, 99.9]
    assert (decision.value, decision.evidence, decision.given) == (
        "decimal ',' thousands ' '",
        "2 of 2 distinct values can only be read with decimal ',' (e.g. '1 234,50', '99,9'); 1 distinct values "
        "group thousands with ' '; thousands separator given by the reading parameter", True)
    got, decision = numbers(["1,234", "5,5"], thousands=".")
    assert got == [1.234, 5.5]
    assert decision.evidence.startswith("decimal ',', the other mark being the thousands separator given; ")
    got, decision = numbers(["1.234.567", "12,5"])
    assert got == [1234567.0, 12.5]
    assert decision.value == "decimal ',' thousands '.'"
    got, decision = numbers([5, "6.5"])
    assert got == [5.0, 6.5]
    assert decision.evidence == ("1 of 1 distinct values can only be read with decimal '.' (e.g. '6.5'); "
                                 "1 distinct values were already numbers")
    got, decision = numbers([5, 6.5])
    assert (decision.value, decision.evidence) == ("already numbers", "all 2 distinct values were already numbers")
    got, decision = numbers([None, " "])
    assert (decision.value, decision.evidence) == ("no numbers", "every cell is blank")
    got, decision = numbers(["1.500", "2.250"], decimal=",")
    assert got == [1500.0, 2250.0] and decision.evidence == (
        "decimal ',' given by the reading parameter; 2 distinct values group thousands with '.'")


def test_signs_exponents_and_apostrophes():
    assert numbers(["(1.00)", "1-", "+3", "\u22122", "\u20134"])[0] == [-1.0, -1.0, 3.0, -2.0, -4.0]
    assert numbers(["1e3", "2.5E-1"])[0] == [1000.0, 0.25]
    got, decision = numbers(["1'234.5", "12.5"])
    assert got == [1234.5, 12.5] and decision.value == "decimal '.' thousands \"'\""
    assert refusal(numbers, ["-(5)", "6"]).startswith("Column 'Amount' of 'orders.csv' has 1 value(s) that "
                                                      "cannot be read as numbers (1 distinct), e.g. '-(5)'")
