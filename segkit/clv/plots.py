"""Charts for CLV: holdout validation, tracking, P(alive) matrices, CLV distribution, pyramid.

Axes-level, as in seaborn: each draws on the ``ax`` it is given (or the current axes),
returns it, and never calls ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from segkit.clv.diagnostics import HoldoutValidation
from segkit.clv.bootstrap import TotalCLVInterval
from segkit.clv.predict import repeat_customers
from segkit.plots import PALETTE, SEQUENTIAL_CMAP, plot_share_bars

__all__ = [
    "plot_bootstrap",
    "plot_clv_distribution",
    "plot_matrix",
    "plot_spend_vs_frequency",
    "plot_tiers",
    "plot_validation",
]

#: The views of a holdout validation that :func:`plot_validation` draws.
VALIDATION_VIEWS: tuple[str, ...] = ("by_frequency", "cumulative", "weekly")


def plot_validation(validation: HoldoutValidation, *, kind: str = "by_frequency",
                    ax: plt.Axes | None = None) -> plt.Axes:
    """A view of :func:`~segkit.clv.holdout_validation`: predicted against actual holdout purchases.

    ``kind`` is ``"by_frequency"`` (mean purchases per customer in the holdout, by calibration
    frequency), ``"cumulative"`` (repeat purchases over time, summed, with the end of
    calibration marked) or ``"weekly"`` (the same per week).

    Raises
    ------
    ValueError
        An unknown ``kind``, or a validation that was skipped (``validation.done`` is False).
    """
    if kind not in VALIDATION_VIEWS:
        raise ValueError(f"kind must be one of {VALIDATION_VIEWS}; got {kind!r}.")
    if not validation.done:
        raise ValueError(f"The validation was skipped, there is nothing to draw: {validation.summary}")
    ax = ax or plt.gca()
    if kind == "by_frequency":
        return _plot_by_frequency(validation.by_frequency, ax=ax)
    return _plot_tracking(validation.tracking, calibration_end=validation.calibration_end,
                          cumulative=kind == "cumulative", ax=ax)


def _plot_by_frequency(table: pd.DataFrame, *, ax: plt.Axes) -> plt.Axes:
    """Mean actual vs predicted holdout purchases per calibration frequency (from :func:`holdout_by_frequency`)."""
    labels = table.index.astype(str)
    ax.plot(labels, table["actual"], marker="o", color=PALETTE[0], label="actual")
    ax.plot(labels, table["predicted"], marker="s", linestyle="--", color=PALETTE[1], label="predicted (BG/NBD)")
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout (per customer)")
    ax.set_title("Holdout purchases: predicted vs actual")
    ax.legend()
    return ax


def _plot_tracking(tracking: pd.DataFrame, *, calibration_end: pd.Timestamp, cumulative: bool,
                   ax: plt.Axes) -> plt.Axes:
    """Repeat purchases over time, actual vs expected, with the end of calibration marked.

    ``tracking`` from :func:`purchase_tracking`; ``calibration_end`` is its last calibration
    day. With ``cumulative=False`` the daily counts are summed by week to be readable.
    """
    if cumulative:
        frame, what = tracking[["cumulative_actual", "cumulative_expected"]], "cumulative repeat purchases"
    else:
        frame = tracking[["actual", "expected"]].resample("W").sum().iloc[:-1]
        what = "repeat purchases per week"
    ax.plot(frame.index, frame.iloc[:, 0], color=PALETTE[0], label="actual")
    ax.plot(frame.index, frame.iloc[:, 1], color=PALETTE[1], linestyle="--", label="expected (BG/NBD)")
    # the last calibration day: the period ends at its midnight
    ax.axvline(pd.Timestamp(calibration_end) + pd.Timedelta(days=1), color="grey", linestyle=":",
               label="end of calibration")
    ax.set_xlabel("date")
    ax.set_ylabel(f"{what} (count)")
    ax.set_title(f"Tracking: {what}")
    ax.legend(loc="upper left")
    return ax


def plot_matrix(matrix: pd.DataFrame, *, title: str, label: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of a (frequency × recency) matrix from :func:`~segkit.clv.history_matrices`."""
    ax = ax or plt.gca()
    image = ax.imshow(matrix.to_numpy(dtype=float), aspect="auto", origin="lower", cmap=SEQUENTIAL_CMAP,
                      interpolation="nearest")
    columns = matrix.columns.to_numpy(dtype=float)
    ticks = np.linspace(0, len(columns) - 1, min(6, len(columns))).round().astype(int)
    ax.set_xticks(ticks, [f"{columns[i]:.0f}" for i in ticks])
    rows = matrix.index.to_numpy()
    row_ticks = np.unique(np.linspace(0, len(rows) - 1, min(6, len(rows))).round().astype(int))
    ax.set_yticks(row_ticks, [str(rows[i]) for i in row_ticks])
    ax.set_xlabel("recency: age at last purchase (days)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.grid(False)
    return ax


def plot_clv_distribution(clv: pd.Series, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Histogram of predicted CLV on a log scale (customers with CLV below 1 are counted in the text)."""
    ax = ax or plt.gca()
    values = np.asarray(clv, dtype=float)
    positive = values[values >= 1]
    bins = np.logspace(0, np.log10(max(positive.max(), 10.0)), 40) if positive.size else 10
    ax.hist(positive, bins=bins, color=PALETTE[0])
    ax.set_xscale("log")
    ax.set_xlabel("predicted CLV (money, log scale)")
    ax.set_ylabel("customers (count)")
    ax.set_title(f"Predicted CLV per customer ({int((values < 1).sum()):,} customers below 1 not shown)")
    return ax


def plot_tiers(summary: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Share of customers vs share of value per tier (``CLVAnalysis.pyramid`` or ``tiers``)."""
    return plot_share_bars(summary["customer_share"] * 100, summary["value_share"] * 100, value_label="value",
                           title="Customers and value by tier", legend_loc="center right", ax=ax)


def plot_spend_vs_frequency(customers: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Mean repeat spend against repeat purchases (Gamma-Gamma assumes no relation)."""
    ax = ax or plt.gca()
    repeat = repeat_customers(customers)
    ax.scatter(repeat["frequency"], repeat["monetary_value"], s=6, alpha=0.3, color=PALETTE[0])
    means = repeat.groupby(np.minimum(repeat["frequency"], 30))["monetary_value"].median()
    ax.plot(means.index, means.to_numpy(), color=PALETTE[5], label="median spend (30 = 30 or more)")
    if len(repeat):
        ax.set_yscale("log")
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no paid repeat purchases", transform=ax.transAxes, ha="center", va="center")
    ax.set_xlabel("frequency (repeat purchases)")
    ax.set_ylabel("mean spend per repeat purchase (money, log scale)")
    ax.set_title("Gamma-Gamma check: spend vs frequency")
    return ax


def plot_bootstrap(interval: TotalCLVInterval, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Histogram of bootstrap totals (from :func:`bootstrap_total_clv`) with the interval marked.

    Without draws (no parameter covariance) only the estimate is drawn, with the reason as text.
    """
    ax = ax or plt.gca()
    draws = interval.draws
    if len(draws):
        ax.hist(draws, bins=30, color=PALETTE[4])
    for key, style in (("lower", ":"), ("estimate", "-"), ("upper", ":")):
        if np.isfinite(getattr(interval, key)):
            ax.axvline(getattr(interval, key), color=PALETTE[0], linestyle=style)
    ax.set_xlabel("total predicted CLV (money)")
    ax.set_ylabel("parameter draws (count)")
    if len(draws):
        ax.set_title(f"Total CLV: {interval.level:.0%} interval from parameter uncertainty")
    else:
        ax.set_title("Total CLV: no interval")
        reason = interval.reason or "no parameter draws"
        ax.text(0.5, 0.5, f"no interval:\n{reason}", transform=ax.transAxes, ha="center", va="center", wrap=True)
    return ax
