"""Charts of the data profile, axes-level as in seaborn: each draws on the axes it is given (or the current one) and returns it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from segkit.plots import PALETTE


def plot_monthly(monthly: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Orders per month as bars, revenue per month (in thousands) as a line on a second axis.

    ``monthly`` is :attr:`segkit.data.profiling.DataProfile.monthly` (``orders`` and ``revenue`` by month).
    """
    ax = ax or plt.gca()
    labels = monthly.index.astype(str)
    ax.bar(labels, monthly["orders"], color=PALETTE[0], label="orders")
    ax.set_ylabel("orders per month")
    ax.set_xlabel("month")
    ax.tick_params(axis="x", rotation=90)
    twin = ax.twinx()
    twin.plot(labels, monthly["revenue"] / 1000, color=PALETTE[1], marker="o", label="revenue")
    twin.set_ylabel("net revenue per month (thousands)")
    twin.grid(False)
    ax.set_title("Orders and revenue per month")
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, ["orders", "revenue"], loc="upper left")
    return ax


def plot_missing(schema: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Percentage of missing values per column, as horizontal bars (``schema`` as in ``DataProfile.schema``)."""
    ax = ax or plt.gca()
    ax.barh(schema.index, schema["missing_pct"], color=PALETTE[5])
    ax.set_xlabel("missing values (% of lines)")
    ax.set_ylabel("column")
    ax.set_title("Missing values per column")
    ax.invert_yaxis()
    return ax


def plot_log_histogram(values: pd.Series, *, label: str, ax: plt.Axes | None = None, bins: int = 40) -> plt.Axes:
    """Histogram of a positive quantity on log-spaced bins with a log x axis (values <= 0 are left out)."""
    ax = ax or plt.gca()
    positive = values[values > 0]
    edges = np.logspace(np.log10(positive.min()), np.log10(positive.max()), bins + 1)
    ax.hist(positive, bins=edges, color=PALETTE[0], edgecolor="white")
    ax.set_xscale("log")
    ax.set_xlabel(f"{label} (log scale)")
    ax.set_ylabel("customers")
    ax.set_title(f"{label.capitalize()} per customer")
    return ax
