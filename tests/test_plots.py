"""The shared chart helpers draw what they are given, in the order given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from segkit import plots  # noqa: E402


def test_share_bars_pair_each_group_first_group_on_top():
    customers = pd.Series([20.0, 30.0, 50.0], index=["Champions", "Loyal", "Lost"])
    revenue = pd.Series([60.0, 30.0, 10.0], index=customers.index)
    fig, ax = plt.subplots()
    assert plots.plot_share_bars(customers, revenue, title="shares", ax=ax) is ax
    widths = [patch.get_width() for patch in ax.patches]
    assert widths == [20.0, 30.0, 50.0, 60.0, 30.0, 10.0]
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == ["Champions", "Loyal", "Lost"]
    assert ax.yaxis_inverted()  # first group drawn at the top
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["share of customers", "share of revenue"]
    plt.close(fig)
