"""Axes-level plots of the clustering family: choosing k, profiles, PCA and Ward's tree."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter
from scipy.cluster.hierarchy import dendrogram
from sklearn.utils.validation import check_is_fitted

from segkit.cluster.text import feature_label
from segkit.cluster.pca import PCAResult
from segkit.cluster.ward import WardClustering
from segkit.plots import DIVERGING_CMAP, PALETTE, palette

__all__ = [
    "plot_k_metric",
    "plot_stability",
    "plot_snake",
    "plot_importance",
    "plot_scree",
    "plot_loadings",
    "plot_biplot",
    "plot_pc_scatter",
    "plot_dendrogram",
    "plot_merge_gaps",
]


def _colors(n: int) -> list:
    """The Okabe-Ito palette up to eight groups; beyond, evenly spaced hues (distinct, not CVD-safe)."""
    return palette(n) if n <= len(PALETTE) else sns.color_palette("husl", n)


def _group_order(hue: pd.Series) -> list[str]:
    """Categories in their declared order for categorical ``hue`` (e.g. segments by revenue), else sorted."""
    if isinstance(hue.dtype, pd.CategoricalDtype):
        present = set(hue.astype(str))
        return [str(c) for c in hue.cat.categories if str(c) in present]
    return sorted(hue.astype(str).unique())

_METRIC_LABELS = {
    "inertia": "inertia (within-cluster sum of squares)",
    "silhouette": "silhouette (higher is better)",
    "calinski_harabasz": "Calinski-Harabasz (higher is better)",
    "davies_bouldin": "Davies-Bouldin (lower is better)",
    "gap": "gap statistic (± s.e.)",
}


def plot_k_metric(
    table: pd.DataFrame,
    metric: str,
    *,
    chosen_k: int | None = None,
    best_k: int | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """One criterion of :func:`choose_k` against k, marking the chosen k and the criterion's own best."""
    ax = ax or plt.gca()
    ax.plot(table.index, table[metric], marker="o", color=PALETTE[0])
    if metric == "gap":
        ax.errorbar(table.index, table["gap"], yerr=table["gap_se"], fmt="none", ecolor=PALETTE[0], capsize=3)
    if best_k is not None:
        ax.plot([best_k], [table.at[best_k, metric]], marker="o", markersize=12, mfc="none", color=PALETTE[1],
                label=f"best by this criterion (k = {best_k})")
    if chosen_k is not None:
        ax.axvline(chosen_k, color=PALETTE[5], linestyle="--", linewidth=1, label=f"chosen k = {chosen_k}")
    ax.set_xlabel("number of clusters k")
    ax.set_ylabel(_METRIC_LABELS.get(metric, metric))
    ax.set_title(_METRIC_LABELS.get(metric, metric).split(" (")[0])
    ax.set_xticks(list(table.index))
    ax.legend(fontsize=8)  # pragma: no mutate
    return ax


def plot_stability(table: pd.DataFrame, *, threshold: float = 0.8, ax: plt.Axes | None = None) -> plt.Axes:
    """Mean pairwise ARI of the subsample refits per k (bars), with the minimum and the threshold."""
    ax = ax or plt.gca()
    colors = [PALETTE[2] if s else PALETTE[5] for s in table["stable"]]
    ax.bar(table.index, table["ari_mean"], color=colors)
    ax.scatter(table.index, table["ari_min"], color="black", marker="_", s=200, label="lowest pair", zorder=3)
    ax.axhline(threshold, color="grey", linestyle="--", linewidth=1, label=f"stable from ARI {threshold}")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(list(table.index))
    ax.set_xlabel("number of clusters k")
    ax.set_ylabel("adjusted Rand index between refits")
    ax.set_title("Stability of k-means on subsamples")
    ax.legend(fontsize=8, loc="lower left")  # pragma: no mutate
    return ax


def plot_snake(means: pd.DataFrame, *, names: pd.Series | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Snake plot: the standardised mean of every feature, one line per cluster."""
    ax = ax or plt.gca()
    colors = _colors(len(means))
    for (label, row), color in zip(means.iterrows(), colors, strict=True):
        name = names[label] if names is not None else f"cluster {label}"
        ax.plot(range(len(row)), row.to_numpy(), marker="o", color=color, label=name)
    ax.axhline(0, color="grey", linewidth=1)
    ax.set_xticks(range(means.shape[1]), [feature_label(c) for c in means.columns], rotation=30, ha="right")
    ax.set_ylabel("mean of standardised feature (SD units)")
    ax.set_title("Snake plot of cluster profiles")
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")  # pragma: no mutate
    return ax


def plot_importance(rel: pd.DataFrame, *, names: pd.Series | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of :func:`relative_importance` (cluster mean / population mean − 1)."""
    ax = ax or plt.gca()
    data = rel.copy()
    data.index = [names[i] for i in rel.index] if names is not None else [f"cluster {i}" for i in rel.index]
    data.columns = [feature_label(c) for c in rel.columns]
    limit = float(np.nanmax(np.abs(data.to_numpy()))) or 1.0
    with warnings.catch_warnings():  # seaborn 0.13 + matplotlib 3.11: set_bad deprecation notice
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        sns.heatmap(data, annot=True, fmt="+.0%", cmap=DIVERGING_CMAP, center=0, vmin=-limit, vmax=limit, ax=ax,
                    cbar_kws={"label": "cluster mean / population mean − 1", "format": PercentFormatter(1.0)})
    ax.set_title("Relative importance of features per cluster")
    ax.tick_params(axis="x", rotation=30)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    return ax


def plot_scree(explained: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Scree plot: variance explained per component (bars) and cumulative (line)."""
    ax = ax or plt.gca()
    x = np.arange(1, len(explained) + 1)
    ax.bar(x, explained["explained_variance_ratio"] * 100, color=PALETTE[0], label="per component")
    ax.plot(x, explained["cumulative"] * 100, marker="o", color=PALETTE[1], label="cumulative")
    ax.axhline(80, color="grey", linestyle="--", linewidth=1, label="80 %")
    ax.set_xticks(x, list(explained.index))
    ax.set_xlabel("principal component")
    ax.set_ylabel("variance explained (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Scree plot")
    ax.legend(fontsize=8, loc="center right")  # pragma: no mutate
    return ax


def plot_loadings(loadings: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of the component weights (features × components)."""
    ax = ax or plt.gca()
    data = loadings.copy()
    data.index = [feature_label(c) for c in loadings.index]
    with warnings.catch_warnings():  # seaborn 0.13 + matplotlib 3.11: set_bad deprecation notice
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        sns.heatmap(data, annot=True, fmt="+.2f", cmap=DIVERGING_CMAP, center=0, vmin=-1, vmax=1, ax=ax,
                    cbar_kws={"label": "weight in component"})
    ax.set_title("PCA loadings")
    ax.set_xlabel("principal component")
    return ax


def plot_pc_scatter(
    scores: pd.DataFrame,
    *,
    hue: pd.Series | None = None,
    max_points: int = 3000,
    random_state: int = 0,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Customers in the PC1-PC2 plane, coloured by ``hue`` (a seeded sample of ``max_points``)."""
    ax = ax or plt.gca()
    data = scores[["PC1", "PC2"]].copy()
    if hue is not None:
        data["group"] = np.asarray(hue.astype(str))
    if len(data) > max_points:
        data = data.sample(max_points, random_state=random_state)
    order = _group_order(hue) if hue is not None else None
    sns.scatterplot(data=data, x="PC1", y="PC2", hue="group" if hue is not None else None, hue_order=order,
                    palette=_colors(len(order)) if order else None, s=10, alpha=0.6, linewidth=0, ax=ax)
    ax.set_xlabel("PC1 score (SD units)")
    ax.set_ylabel("PC2 score (SD units)")
    if hue is not None:
        ax.legend(fontsize=8, markerscale=2, bbox_to_anchor=(1.01, 1), loc="upper left", title=hue.name)
    return ax


def plot_biplot(
    result: PCAResult,
    *,
    hue: pd.Series | None = None,
    n_arrows: int = 8,
    max_points: int = 3000,
    random_state: int = 0,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Biplot: customers in PC1-PC2 with an arrow for each feature's weights (the longest ``n_arrows``)."""
    ax = plot_pc_scatter(result.scores, hue=hue, max_points=max_points, random_state=random_state, ax=ax)
    w = result.loadings[["PC1", "PC2"]]
    longest = (w**2).sum(axis=1).sort_values(ascending=False, kind="stable").index[:n_arrows]
    spread = float(np.abs(result.scores[["PC1", "PC2"]]).quantile(0.95).min())
    scale = 0.8 * spread / float(np.abs(w.loc[longest]).max().max())
    for feature in longest:
        x, y = w.loc[feature] * scale
        ax.annotate("", xy=(x, y), xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.2})
        ax.text(x * 1.08, y * 1.08, feature_label(feature), fontsize=8, ha="center", va="center",
                bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1})  # pragma: no mutate
    ax.set_title("Biplot: customers and feature directions")
    return ax


def _node_weights(Z: np.ndarray, leaf_weights: np.ndarray) -> np.ndarray:
    """Customers under every node of the tree (leaves first, then the merges)."""
    n = len(Z) + 1
    weights = np.concatenate([leaf_weights, np.zeros(len(Z))])
    for i, (a, b) in enumerate(Z[:, :2].astype(np.intp)):  # one pass over the merges, not over customers
        weights[n + i] = weights[a] + weights[b]
    return weights


def _first_leaf(Z: np.ndarray, node: int) -> int:
    """A leaf under ``node`` (follow left children down)."""
    n = len(Z) + 1
    while node >= n:
        node = int(Z[node - n, 0])  # pragma: no mutate (the right child's leaves are in the same segment)
    return node


def plot_dendrogram(
    model: WardClustering,
    *,
    truncate: int | None = 30,
    names: Mapping[int, str] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Dendrogram of a fitted :class:`WardClustering`, coloured by segment, with the cut line.

    Parameters
    ----------
    model : WardClustering
        Fitted model.
    truncate : int or None
        Show only the last ``truncate`` merges' branches, each labelled with its number of customers
        (the stakeholder view). ``None`` draws every leaf, unlabelled (teaching view, for a sample of a
        few hundred customers).
    names : mapping, optional
        Segment number -> name, for the legend.
    ax : Axes, optional
        Where to draw (default: the current axes).

    Returns
    -------
    Axes
    """
    check_is_fitted(model)
    ax = ax or plt.gca()
    Z, n = model.linkage_, len(model.linkage_) + 1
    colours = palette(model.n_clusters_)
    weights = _node_weights(Z, model.leaf_weights_)

    def link_colour(node: int) -> str:
        if node - n >= n - model.n_clusters_:  # one of the k − 1 merges the cut undoes
            return "#999999"
        return colours[model.leaf_labels_[_first_leaf(Z, node)]]

    truncated = truncate is not None and truncate < n
    info = dendrogram(
        Z,
        ax=ax,
        **({"truncate_mode": "lastp", "p": truncate} if truncated else {}),
        link_color_func=link_colour,
        leaf_label_func=lambda node: f"{weights[node]:,.0f}",
        no_labels=not truncated,
        leaf_rotation=90,
    )
    if truncated:
        for tick, leaf in zip(ax.get_xticklabels(), info["leaves"]):
            tick.set_color(colours[model.leaf_labels_[_first_leaf(Z, leaf)]])
    ax.axhline(model.cut_height_, color="black", linestyle="--", linewidth=1)
    _dendrogram_legend(ax, model, colours, names)
    ax.set_xlabel("customer groups (number of customers)" if truncated else f"{model.n_customers_:,} customers")
    ax.set_ylabel("Ward merge height (√(2 × Δ within-SS), std. units)")
    ax.set_title(f"Ward dendrogram: {model.n_customers_:,} customers, {model.n_clusters_} segments")
    ax.grid(axis="x", visible=False)  # pragma: no mutate
    return ax


def _dendrogram_legend(ax: plt.Axes, model, colours: list, names: dict | None) -> None:
    """One legend entry per segment (label, name, customers) and one for the cut."""
    sizes = np.bincount(model.labels_)  # every segment has customers
    handles = [Line2D([], [], color=c, linewidth=3) for c in colours]
    labels = [f"{s}: {(names or {}).get(s, f'segment {s}')} ({sizes[s]:,})" for s in range(model.n_clusters_)]
    handles.append(Line2D([], [], color="black", linestyle="--", linewidth=1))
    labels.append(f"cut: {model.n_clusters_} segments")
    ax.legend(handles, labels, loc="upper right", fontsize="small")


def plot_merge_gaps(gaps: pd.DataFrame, *, chosen_k: int | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Bars of the gap in merge height for each k (from :func:`merge_gaps`), the chosen k highlighted."""
    ax = ax or plt.gca()
    colours = ["#999999" if k != chosen_k else palette(1)[0] for k in gaps.index]
    ax.bar(gaps.index, gaps["gap"], color=colours)
    ax.set_xticks(list(gaps.index))
    ax.set_xlabel("number of segments k")
    ax.set_ylabel("gap in Ward merge height (std. units)")
    ax.set_title("Gap between merge heights per k" + (f" (chosen k = {chosen_k})" if chosen_k else ""))
    return ax
