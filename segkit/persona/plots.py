"""The persona card as a figure: one compact labelled table per segment, for small multiples."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from segkit.plots import PALETTE


def plot_card(rows: pd.Series, *, description: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Draw one card (``rows`` from :func:`segkit.persona.text.card_rows`) on ``ax``: title, line, fields.

    The last field (the action, the longest) may wrap onto a second line below the others.
    """
    ax = ax or plt.gca()
    ax.set_axis_off()
    ax.set_title(str(rows.name), loc="left", color=PALETTE[0])
    description = description.removeprefix(f"{rows.name}: ")
    if description:
        ax.text(0, 1.0, textwrap.fill(description, 100), transform=ax.transAxes, va="top", fontsize=8.5,
                style="italic", color="0.25")
    n = len(rows)
    for i, (label, value) in enumerate(rows.items()):
        y = 0.80 - 0.8 * i / n
        ax.text(0, y, label, transform=ax.transAxes, fontsize=9, weight="bold", va="top")
        ax.text(0.27, y, textwrap.fill(str(value), 80), transform=ax.transAxes, fontsize=9, va="top")
    return ax
