"""Tests of the data profile (segkit.data.profiling), its text and its charts, on a file worked out by hand."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segkit import DataError, data  # noqa: E402
from segkit.data import plots as data_plots  # noqa: E402
from segkit.data import profiling, text  # noqa: E402
from segkit.plots import PALETTE  # noqa: E402


def eight_lines() -> pd.DataFrame:
    """Eight order lines, every count of the tests below worked out by hand from this table.

    a buys 20 + 5 (order 1) and cancels 10 (C3); b buys 40 (order 2, exported twice) and returns it
    (order 6, an "other" return); a guest buys 8 (order 4); c gets a free item (order 5).
    Gross sales 113, returns 50, net 63. Cleaning removes the guest line, the duplicate, and b
    (no net revenue: both of b's remaining lines), and keeps a's three lines and c's free line.
    """
    return data.load_transactions(pd.DataFrame({
        "order_id": ["1", "1", "2", "2", "C3", "4", "5", "6"],
        "customer_id": ["a", "a", "b", "b", "a", None, "c", "b"],
        "order_date": ["2024-01-05", "2024-01-05", "2024-01-20", "2024-01-20", "2024-02-02", "2024-02-10",
                       "2024-03-01", "2024-03-15"],
        "quantity": [2, 1, 1, 1, -1, 1, 3, -1],
        "unit_price": [10.0, 5.0, 40.0, 40.0, 10.0, 8.0, 0.0, 40.0],
        "product_id": ["x", "y", "x", "x", "x", "y", "z", "x"],
        "country": ["UK", "UK", "FR", "FR", "UK", "UK", "FR", "FR"],
    }))


# function-scoped, so that every test that reads the profile also runs the code that makes it (mutation
# testing maps a test to the functions it calls, not to those an earlier test's fixture called)
@pytest.fixture
def tx() -> pd.DataFrame:
    return eight_lines()


@pytest.fixture
def profile(tx) -> profiling.DataProfile:
    clean, log = data.clean_transactions(tx)
    return data.profile_transactions(tx, clean, log, data.customer_table(clean))


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


# --- the tables --------------------------------------------------------------------------------


def test_overview_counts(profile):
    assert profile.overview["value"].to_dict() == {
        "order lines": 8, "orders (invoices)": 6, "customers (with an id)": 3, "products": 3,
        "gross sales": 113.0, "net revenue (all lines)": 63.0, "first order": "2024-01-05",
        "last order": "2024-03-15", "days covered": 71,  # 27 days of January from the 5th, 29 of February, 15 of March
    }


def test_overview_without_products():
    lines = pd.DataFrame({"order_id": ["1"], "customer_id": ["a"], "quantity": [1.0], "amount": [2.0],
                          "order_date": pd.to_datetime(["2024-01-01"])})
    table = profiling.overview(lines)["value"]
    assert table["products"] == "no product column" and table["days covered"] == 1


def test_schema_table(profile):
    schema = profile.schema
    assert schema.loc["customer_id", ["filled", "missing", "missing_pct", "distinct", "example"]].tolist() == [
        7, 1, 12.5, 3, "a"]
    assert schema.loc["quantity", "type"] == "float64" and schema.loc["quantity", "missing"] == 0
    assert schema.index.name == "column" and "country" in schema.index


def test_schema_table_of_an_empty_column():
    schema = profiling.schema_table(pd.DataFrame({"a": [None, None, None], "b": ["x", "y", None]}, dtype=object))
    assert schema.loc["a", ["filled", "missing", "missing_pct", "distinct", "example"]].tolist() == [0, 3, 100.0, 0, None]
    assert schema.loc["b", ["missing_pct", "example"]].tolist() == [33.33, "x"]
    assert schema.columns.tolist() == ["type", "filled", "missing", "missing_pct", "distinct", "example"]
    assert schema.index.name == "column"


def test_monthly_activity(profile):
    monthly = profile.monthly
    assert [str(m) for m in monthly.index] == ["2024-01", "2024-02", "2024-03"] and monthly.index.name == "month"
    assert monthly.dtypes.astype(str).tolist() == ["int64", "int64", "float64"]
    # orders and customers count purchases only (a guest has no id); revenue counts every line
    assert monthly["orders"].tolist() == [2, 1, 1]
    assert monthly["customers"].tolist() == [2, 0, 1]
    assert monthly["revenue"].tolist() == [105.0, -2.0, -40.0]


def test_monthly_activity_of_a_month_with_returns_only():
    lines = pd.DataFrame({"order_id": ["1", "C2"], "customer_id": ["a", "a"], "quantity": [1.0, -1.0],
                          "amount": [5.004, -5.0], "order_date": pd.to_datetime(["2024-01-03", "2024-02-03"])})
    monthly = profiling.monthly_activity(lines)
    assert monthly.loc[pd.Period("2024-02"), ["orders", "customers", "revenue"]].tolist() == [0, 0, -5.0]
    assert monthly.loc[pd.Period("2024-01"), "revenue"] == 5.0  # to the cent


def test_returns_summary(profile):
    table = profile.returns
    assert table.index.tolist() == ["cancelled invoices (C...)", "other returns", "all returns"]
    assert table["lines"].tolist() == [1, 1, 2] and table["orders"].tolist() == [1, 1, 2]
    assert table["value"].tolist() == [10.0, 40.0, 50.0]
    # 10 / 113, 40 / 113 and 50 / 113 of gross sales, in percent to two decimals
    assert table["pct_of_gross_sales"].tolist() == [8.85, 35.4, 44.25]
    assert table.index.name == "kind"


def test_returns_summary_rounds_to_the_cent():
    tx = pd.DataFrame({"order_id": ["1", "C2", "3"], "quantity": [3.0, -1.0, -1.0],
                       "amount": [30.0, -1.2345, -0.0049]})
    table = profiling.returns_summary(tx)
    assert table["value"].tolist() == [1.23, 0.0, 1.24]
    # 1.2345 / 30, 0.0049 / 30 and 1.2394 / 30 of gross sales, in percent to two decimals
    assert table["pct_of_gross_sales"].tolist() == [4.12, 0.02, 4.13]


def test_returns_summary_without_sales_or_returns():
    only_returns = pd.DataFrame({"order_id": ["c1"], "quantity": [-1.0], "amount": [-3.0]})
    table = profiling.returns_summary(only_returns)
    assert table.loc["cancelled invoices (C...)", "lines"] == 1  # a lower-case c counts
    assert table["pct_of_gross_sales"].isna().all()
    no_returns = profiling.returns_summary(pd.DataFrame({"order_id": ["1"], "quantity": [1.0], "amount": [3.0]}))
    assert no_returns["value"].tolist() == [0.0, 0.0, 0.0]
    assert str(no_returns["value"].iloc[0]) == "0.0"  # not -0.0


def test_duplicate_summary(profile):
    assert profile.duplicates["value"].to_dict() == {
        "duplicate lines": 1, "orders affected": 1, "customers affected": 1, "revenue in duplicates": 40.0}


def test_top_lines_rank_purchases_and_score_them():
    amounts = [1.0, 2.0, 4.0, 8.0, 1024.0, -2000.0, 0.0]
    lines = pd.DataFrame({"order_id": [str(i) for i in range(7)], "customer_id": list("abcdefg"),
                          "order_date": pd.to_datetime(["2024-01-01"] * 7),
                          "quantity": [1.0] * 5 + [-1.0, 1.0], "unit_price": [abs(a) for a in amounts],
                          "amount": amounts})
    top = profiling.top_lines(lines, n=2)
    assert top["amount"].tolist() == [1024.0, 8.0]
    # log amounts 0, ln 2, ln 4, ln 8, ln 1024: median ln 4, MAD ln 2, so z = (ln a - ln 4) / (1.4826 ln 2)
    assert top["robust_z"].tolist() == [5.4, 0.7]
    assert top.columns.tolist() == ["order_id", "customer_id", "order_date", "quantity", "unit_price", "amount",
                                    "robust_z"]
    assert len(profiling.top_lines(lines)) == 5  # the return and the free line are not purchases with revenue
    many = pd.DataFrame({"order_id": [str(i) for i in range(12)], "customer_id": ["a"] * 12, "product_id": ["p"] * 12,
                         "order_date": pd.to_datetime(["2024-01-01"] * 12), "quantity": [1.0] * 12,
                         "unit_price": np.arange(1.0, 13.0), "amount": np.arange(1.0, 13.0)})
    top = profiling.top_lines(many)
    assert top["amount"].tolist() == [12.0, 11.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.0]  # 8 by default
    assert top.columns.tolist()[:3] == ["order_id", "customer_id", "product_id"]


def test_quantile_table():
    lines = pd.DataFrame({"quantity": np.arange(101.0), "unit_price": np.arange(101.0) * 2,
                          "amount": np.arange(101.0) / 3})
    table = profiling.quantile_table(lines)
    assert table.loc["amount", ["p1", "max"]].tolist() == [0.33, 33.33]  # to the cent
    assert table.columns.tolist() == ["min", "p1", "p25", "median", "p75", "p99", "p99.9", "max"]
    assert table.loc["quantity"].tolist() == [0.0, 1.0, 25.0, 50.0, 75.0, 99.0, 99.9, 100.0]
    assert table.loc["unit_price", "max"] == 200.0
    assert profiling.quantile_table(lines, columns=("amount",)).index.tolist() == ["amount"]


@pytest.mark.parametrize(
    ("revenue", "top_share", "expected"),
    [
        ([15.0, 0.0], 0.2, {"top_customers_pct": 20.0, "top_revenue_pct": 100.0, "gini": 0.5}),
        # one customer of five has everything: Gini (n - 1) / n
        ([0.0, 0.0, 10.0, 0.0, 0.0], 0.2, {"top_customers_pct": 20.0, "top_revenue_pct": 100.0, "gini": 0.8}),
        ([1.0, 2.0, 3.0, 4.0], 0.5, {"top_customers_pct": 50.0, "top_revenue_pct": 70.0, "gini": 0.25}),
        ([0.0, 0.0], 0.2, {"top_customers_pct": 20.0, "top_revenue_pct": 0.0, "gini": 0.0}),
        ([5.0] * 4, 0.25, {"top_customers_pct": 25.0, "top_revenue_pct": 25.0, "gini": 0.0}),
        # a third of 2 customers rounds to 1; 2/3 of revenue; Gini of 1, 2: |1 - 2| * 2 / (2 * 2^2 * 1.5) = 1/6
        ([1, 2], 1 / 3, {"top_customers_pct": 33.3, "top_revenue_pct": 66.7, "gini": 0.167}),
        # equal shares: the Gini sum rounds to -0.0 in floating point, shown as 0.0
        ([0.1] * 6, 0.5, {"top_customers_pct": 50.0, "top_revenue_pct": 50.0, "gini": 0.0}),
    ],
)
def test_concentration_by_hand(revenue, top_share, expected):
    """Gini of 1, 2, 3, 4: mean absolute difference 20/16 over twice the mean 2.5 = 0.25."""
    shares = profiling.concentration(pd.Series(revenue), top_share=top_share)
    assert shares == expected
    assert [str(v) for v in shares.values()] == [str(float(v)) for v in expected.values()]  # 0.0, not -0.0 or 0


def test_breakdown(profile):
    table = profile.breakdowns["country"]
    assert list(profile.breakdowns) == ["country"]  # no channel or category column
    assert table.index.tolist() == ["UK", "FR"]
    assert table.loc["UK"].tolist() == [1, 2, 15.0, 100.0]  # a: orders 1 and C3, 20 + 5 - 10
    assert table.loc["FR"].tolist() == [1, 1, 0.0, 0.0]


def test_reconciliation(profile):
    table = profile.reconciliation
    assert table.loc["rows"].tolist() == [8.0, 4.0, 4.0, 0.0]
    assert table.loc["customers"].tolist() == [3.0, 2.0, 1.0, 0.0]
    assert table.loc["revenue"].tolist() == [63.0, 15.0, 48.0, 0.0]


def test_facts(profile):
    facts = profile.facts
    assert (facts.rows_in, facts.rows_kept, facts.customers_in, facts.customers_kept) == (8, 4, 3, 2)
    assert (facts.gross_sales, facts.returned) == (113.0, 50.0)
    assert (facts.missing_customer_rows, facts.missing_customer_revenue, facts.duplicate_rows) == (1, 8.0, 1)
    assert (facts.outlier_rows, facts.unmatched_return_rows, facts.test_account_customers) == (0, 0, 0)
    assert facts.one_off_share == 1.0  # a and c each placed one order
    assert (facts.first_date, facts.last_date) == (pd.Timestamp("2024-01-05"), pd.Timestamp("2024-03-01"))
    assert (facts.top_customers_pct, facts.top_revenue_pct) == (20.0, 100.0)


def test_headline_and_findings(profile):
    assert profile.headline == ("**2 customers and 50% of order lines are usable** (Jan 2024 to Mar 2024); "
                                "the top 20% of customers bring 100% of net revenue.")
    assert profile.findings == (
        "12.5% of lines (7.1% of gross sales) have no customer id: segments describe identified customers only. "
        "Ask whether guest checkouts can be linked by e-mail.",
        "1 exact duplicate lines were removed; check the export job, since duplicates inflate frequency and revenue.",
        "Returns and cancellations are 44.2% of gross sales; 0 return lines had no matching purchase "
        "(bought before the data starts) and were excluded.",
        "100% of customers ordered once: frequency scores will be heavily tied, and buy-till-you-die models will "
        "rest on the repeat buyers.",
        "Kept 50.0% of lines and 2 of 3 customers; every excluded row is in the log.",
    )


def test_profile_options_and_boundary(tx):
    clean, log = data.clean_transactions(tx)
    customers = data.customer_table(clean)
    profile = data.profile_transactions(tx, clean, log, customers, top_share=0.5, n_top_lines=3)
    assert len(profile.top_lines) == 3 and profile.concentration["top_customers_pct"] == 50.0
    assert "the top 50% of customers" in profile.headline
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.headline = "changed"
    with pytest.raises(DataError, match="lacks column"):
        data.profile_transactions(tx, clean, log, customers.drop(columns="n_orders"))


# --- the words ---------------------------------------------------------------------------------


def facts(**changes) -> profiling.QualityFacts:
    base = dict(rows_in=1000, rows_kept=900, customers_in=120, customers_kept=100,
                first_date=pd.Timestamp("2023-12-31"), last_date=pd.Timestamp("2024-06-01"),
                gross_sales=50_000.0, returned=0.0, missing_customer_rows=0, missing_customer_revenue=0.0,
                duplicate_rows=0, outlier_rows=0, outlier_revenue=0.0, unmatched_return_rows=0,
                test_account_customers=0, one_off_share=0.3, top_customers_pct=20.0, top_revenue_pct=61.0)
    return profiling.QualityFacts(**{**base, **changes})


def test_findings_of_a_clean_file_say_only_what_is_there():
    assert text.findings(facts()) == [
        "30% of customers ordered once; the others are repeat buyers.",
        "Kept 90.0% of lines and 100 of 120 customers; every excluded row is in the log.",
    ]


def test_findings_each_problem_has_its_sentence():
    points = text.findings(facts(outlier_rows=2, outlier_revenue=12_345.6, test_account_customers=3,
                                 duplicate_rows=1_234, one_off_share=0.5, returned=5_000.0,
                                 unmatched_return_rows=7, customers_kept=1_500, customers_in=2_000))
    assert points == [
        "1,234 exact duplicate lines were removed; check the export job, since duplicates inflate frequency and "
        "revenue.",
        "2 extreme line(s) worth 12,346 were excluded as keying errors; confirm with the order system before "
        "trusting revenue totals.",
        "Returns and cancellations are 10.0% of gross sales; 7 return lines had no matching purchase (bought "
        "before the data starts) and were excluded.",
        "50% of customers ordered once: frequency scores will be heavily tied, and buy-till-you-die models will "
        "rest on the repeat buyers.",
        "3 test or internal account(s) were removed; add any others to the test_accounts option.",
        "Kept 90.0% of lines and 1,500 of 2,000 customers; every excluded row is in the log.",
    ]


def test_findings_without_sales_divide_missing_revenue_by_one():
    points = text.findings(facts(gross_sales=0.5, missing_customer_rows=10, missing_customer_revenue=0.25,
                                 returned=1.0))
    assert points[0].startswith("1.0% of lines (25.0% of gross sales) have no customer id")
    assert points[1].startswith("Returns and cancellations are 200.0% of gross sales")
    # without gross sales there is no share of them to give
    assert text.findings(facts(gross_sales=0.0, returned=3.0))[0].startswith("30% of customers")


def test_headline_words():
    assert text.headline(facts(customers_kept=12_345, rows_kept=995)) == (
        "**12,345 customers and 100% of order lines are usable** (Dec 2023 to Jun 2024); the top 20% of "
        "customers bring 61% of net revenue.")


def test_describe_reading_says_what_was_decided_or_given():
    from segkit.data.decisions import Decision, decisions_table

    table = decisions_table([Decision("file", "encoding", "gb18030", "the header reads as known names"),
                             Decision("column 'Datum'", "date format", "%d.%m.%Y", "unused", given=True)])
    assert text.describe_reading(table) == (
        "- **encoding** of the file: `gb18030` (decided: the header reads as known names)\n"
        "- **date format** of the column 'Datum': `%d.%m.%Y` (as given)")
    assert text.describe_reading(decisions_table([])) == ""


def test_describe_rules_lists_every_rule_in_order_and_the_flag():
    from segkit.data.clean import FLAGS, RULES

    lines = text.describe_rules().splitlines()
    assert lines[:len(RULES)] == [f"{i}. **{rule.replace('_', ' ')}**: {RULES[rule]}"
                                  for i, rule in enumerate(RULES, start=1)]
    assert lines[len(RULES):] == ["", "Listed but kept:", "", f"- **zero value** ({FLAGS['zero_value']})"]
    assert lines[0].startswith("1. **missing customer**: ")


# --- the charts --------------------------------------------------------------------------------


def two_axes():
    """Two axes, the second current: a chart asked to draw on the first must not draw on the current one."""
    fig, (first, second) = plt.subplots(1, 2)
    plt.sca(second)
    return fig, first, second


def test_plot_missing_draws_one_bar_per_column(profile):
    fig, ax, other = two_axes()
    out = data_plots.plot_missing(profile.schema, ax=ax)
    assert out is ax and not other.patches
    assert [p.get_width() for p in ax.patches] == profile.schema["missing_pct"].tolist()
    assert all(matplotlib.colors.same_color(p.get_facecolor(), PALETTE[5]) for p in ax.patches)
    assert [t.get_text() for t in ax.get_yticklabels()] == profile.schema.index.tolist()
    assert ax.yaxis_inverted() and ax.get_title() == "Missing values per column"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("missing values (% of lines)", "column")
    plt.close(fig)


def test_plot_monthly_draws_orders_as_bars_and_revenue_as_a_line(profile):
    fig, ax, other = two_axes()
    data_plots.plot_monthly(profile.monthly, ax=ax)
    assert not other.patches
    assert [p.get_height() for p in ax.patches] == [2, 1, 1]
    assert all(matplotlib.colors.same_color(p.get_facecolor(), PALETTE[0]) for p in ax.patches)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024-01", "2024-02", "2024-03"]
    assert [t.get_rotation() for t in ax.get_xticklabels()] == [90.0] * 3
    (twin,) = [a for a in fig.axes if a not in (ax, other)]
    (line,) = twin.lines
    assert np.allclose(line.get_ydata(), [0.105, -0.002, -0.04])  # thousands
    assert matplotlib.colors.same_color(line.get_color(), PALETTE[1]) and line.get_marker() == "o"
    assert not any(gridline.get_visible() for gridline in twin.get_ygridlines())
    assert twin.get_ylabel() == "net revenue per month (thousands)"
    assert (ax.get_ylabel(), ax.get_xlabel()) == ("orders per month", "month")
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["orders", "revenue"]
    assert legend._loc == 2  # matplotlib's code for "upper left"
    assert (ax.get_legend_handles_labels()[1], twin.get_legend_handles_labels()[1]) == (["orders"], ["revenue"])
    assert ax.get_title() == "Orders and revenue per month"
    plt.close(fig)


def test_plot_log_histogram_leaves_out_non_positive_values(ax):
    data_plots.plot_log_histogram(pd.Series([1.0, 10.0, 100.0, 0.0, -5.0]), label="net revenue", bins=2, ax=ax)
    assert [p.get_height() for p in ax.patches] == [1, 2]  # edges 1, 10, 100; the last bin holds 10 and 100
    assert all(matplotlib.colors.same_color(p.get_facecolor(), PALETTE[0]) for p in ax.patches)
    assert all(matplotlib.colors.same_color(p.get_edgecolor(), "white") for p in ax.patches)
    assert np.allclose([ax.patches[0].get_x(), ax.patches[1].get_x()], [1.0, 10.0])
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "net revenue (log scale)" and ax.get_title() == "Net revenue per customer"
    assert ax.get_ylabel() == "customers"


def test_plots_draw_on_the_current_axes_by_default(profile):
    fig = plt.figure()
    try:
        assert data_plots.plot_missing(profile.schema) is fig.gca()
        assert data_plots.plot_log_histogram(pd.Series([1.0, 2.0]), label="orders") is fig.gca()
        assert len(fig.gca().patches) == len(profile.schema) + 40  # 40 log-spaced bins by default
        assert data_plots.plot_monthly(profile.monthly) is fig.axes[0]
    finally:
        plt.close(fig)
