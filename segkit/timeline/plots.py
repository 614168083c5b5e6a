"""Charts of segments over time, axes-level as in seaborn: each draws on the axes it is given (or the current
one), returns it, and never calls ``plt.show()``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from segkit.plots import SEQUENTIAL_CMAP, DIVERGING_CMAP, palette
from segkit.timeline.cohorts import _check_table, retention_matrix

_VALUE_LABELS = {"share_active": "customers still buying (%)",
                 "revenue_per_customer": "revenue per original customer",
                 "cumulative_revenue_per_customer": "cumulative revenue per original customer"}


def plot_retention_heatmap(table: pd.DataFrame, *, max_periods: int = 12, period: str = "month",
                           ax: plt.Axes | None = None) -> plt.Axes:
    """Cohorts (rows) × periods since the first purchase (columns): % still buying, written in each cell.

    Period 0 (100% by definition) is left out; so are periods past ``max_periods``.
    """
    ax = ax or plt.gca()
    matrix = retention_matrix(table).loc[:, 1:max_periods] * 100
    annotate = matrix.shape[0] * matrix.shape[1] <= 400
    sns.heatmap(matrix, annot=annotate, fmt=".0f", cmap=SEQUENTIAL_CMAP, cbar_kws={"label": "% still buying"},
                ax=ax, annot_kws={"fontsize": 7})
    ax.set_title(f"Retention by acquisition {period}")
    ax.set_xlabel(f"{period}s since the first purchase")
    ax.set_ylabel(f"cohort (first purchase {period})")
    return ax


def plot_cohort_curves(table: pd.DataFrame, *, value: str = "share_active", n_cohorts: int = 6,
                       period: str = "month", ax: plt.Axes | None = None) -> plt.Axes:
    """One line per cohort (``n_cohorts`` spread evenly from oldest to newest) of ``value`` by period index."""
    _check_table(table, [value])
    ax = ax or plt.gca()
    cohorts = table["cohort"].drop_duplicates().to_numpy()
    chosen = cohorts[np.unique(np.linspace(0, len(cohorts) - 1, min(n_cohorts, len(cohorts))).round().astype(int))]
    for colour, cohort in zip(palette(len(chosen)), chosen):
        rows = table.loc[(table["cohort"] == cohort) & table["complete"]]
        scale = 100 if value == "share_active" else 1
        ax.plot(rows["period_index"], rows[value] * scale, marker="o", markersize=3, color=colour, label=cohort)
    ax.set_xlabel(f"{period}s since the first purchase")
    ax.set_ylabel(_VALUE_LABELS.get(value, value))
    ax.set_title(f"{_VALUE_LABELS.get(value, value).capitalize()}, by cohort")
    ax.legend(title="cohort", fontsize="small", ncols=2)
    return ax


def plot_gap_distribution(cycle: pd.DataFrame, segments: pd.Series, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Box plot of each repeat customer's typical gap (days, log scale) per segment, segments in their order."""
    ax = ax or plt.gca()
    frame = pd.DataFrame({"gap": cycle["median_gap_days"], "segment": segments.reindex(cycle.index)}).dropna()
    order = [s for s in (segments.cat.categories if isinstance(segments.dtype, pd.CategoricalDtype)
                         else sorted(frame["segment"].unique())) if s in set(frame["segment"])]
    sns.boxplot(data=frame, x="gap", y="segment", order=order, color=palette(1)[0], fliersize=1.5, log_scale=True,
                ax=ax)
    ax.set_xlabel("typical days between purchases (median per customer, log scale)")
    ax.set_ylabel("")
    ax.set_title("Purchase cycle by segment (repeat customers)")
    return ax


def plot_seasonality(table: pd.DataFrame, *, unit: str = "weekday", ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of the seasonal index (1 = average) per group (rows) and level of ``unit`` (columns)."""
    ax = ax or plt.gca()
    rows = table.loc[table["unit"] == unit]
    matrix = rows.pivot(index="group", columns="level", values="index").reindex(rows["group"].drop_duplicates())
    matrix.columns = rows["label"].drop_duplicates().to_numpy()
    sns.heatmap(matrix, annot=matrix.shape[1] <= 12, fmt=".2f", cmap=DIVERGING_CMAP, center=1.0, vmin=0.5, vmax=1.5,
                cbar_kws={"label": "index (1 = average)"}, ax=ax, annot_kws={"fontsize": 7})
    ax.set_title(f"Orders by {unit}: index against the average")
    ax.set_xlabel(unit)
    ax.set_ylabel("")
    return ax


def plot_revenue_migration(revenue: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of a migration matrix in revenue: colour = share of the earlier row's revenue (%), text = revenue
    in thousands; ``revenue`` is :func:`segkit.rfm.migration.segment_migration` with ``weights``."""
    ax = ax or plt.gca()
    total = revenue.sum(axis=1)
    share = revenue.div(total.where(total != 0), axis=0) * 100
    sns.heatmap(share, annot=revenue / 1000, fmt=".0f", cmap=SEQUENTIAL_CMAP, vmin=0, vmax=100,
                cbar_kws={"label": "% of the earlier segment's revenue at stake"}, annot_kws={"fontsize": 7}, ax=ax)
    ax.set_title("Where the revenue at stake moved (thousands)")
    ax.set_xlabel(str(revenue.columns.name or "later"))
    ax.set_ylabel(str(revenue.index.name or "earlier"))
    return ax
