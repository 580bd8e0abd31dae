"""What training produced: learning curves, a confusion matrix, class probabilities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from cnn_lessons import _validate
from cnn_lessons.plots._axes import _new_axes


def _history_dict(history) -> Mapping[str, Sequence[float]]:
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping):
        raise TypeError(f"history must be a keras History or a dict, got {type(history).__name__}")
    return values


def plot_history(history, ax=None, *, metrics=("loss", "accuracy"), title=None):
    """Plot training and validation curves, one panel per metric.

    Parameters
    ----------
    history : keras.callbacks.History or dict
        ``{"loss": [...], "val_loss": [...], ...}`` with one value per epoch.
    ax : Axes or sequence of Axes, optional
        One Axes per metric; a row of new panels is made when omitted.
    metrics : sequence of str, default ("loss", "accuracy")
        Metrics missing from ``history`` are skipped.
    title : str, optional
        Figure-level title prefix.

    Returns
    -------
    numpy.ndarray of Axes
    """
    values = _history_dict(history)
    shown = [metric for metric in metrics if metric in values]
    if not shown:
        raise ValueError(f"history has none of the metrics {list(metrics)}; it has {list(values)}")
    if ax is None:
        _, grid = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3), squeeze=False)
        axes = grid.ravel()
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        if len(axes) < len(shown):
            raise ValueError(f"ax must hold one Axes per metric ({len(shown)}), got {len(axes)}")
    for axis, metric in zip(axes, shown, strict=False):
        epochs = np.arange(1, len(values[metric]) + 1)
        axis.plot(epochs, values[metric], marker="o", markersize=3, label="training")
        if f"val_{metric}" in values:
            axis.plot(epochs, values[f"val_{metric}"], marker="o", markersize=3, label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.set_title(metric if title is None else f"{title}: {metric}", fontsize=10)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    return axes[: len(shown)]


def plot_confusion_matrix(matrix, ax=None, *, class_names=None, normalize=False, title=None):
    """Draw a confusion matrix as a seaborn heatmap.

    Parameters
    ----------
    matrix : array_like of shape ``(K, K)``
        Counts, rows = true class, columns = predicted class
        (e.g. from ``sklearn.metrics.confusion_matrix``).
    ax : Axes, optional
    class_names : sequence of str, optional
    normalize : bool, default False
        Show each row as fractions of its true class.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (K, K), got shape {matrix.shape}")
    if normalize:
        matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    labels = "auto" if class_names is None else list(_validate.names(class_names, "class_names"))
    ax = _new_axes(ax, figsize=(5, 4.2))
    sns.heatmap(
        matrix,
        ax=ax,
        annot=True,
        fmt=".2f" if normalize else "d",
        cmap="Blues",
        cbar=False,
        xticklabels=labels,
        yticklabels=labels,
        annot_kws={"fontsize": 7},
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def probability_colors(probabilities, *, true_label=None) -> list[str]:
    """Bar colours for class probabilities: grey, the prediction orange, the true class green.

    Examples
    --------
    >>> probability_colors([0.1, 0.7, 0.2], true_label=2)
    ['tab:gray', 'tab:orange', 'tab:green']
    """
    probabilities = np.asarray(probabilities, dtype=float).ravel()
    colors = ["tab:gray"] * len(probabilities)
    if np.isfinite(probabilities).any():
        colors[int(np.nanargmax(np.where(np.isfinite(probabilities), probabilities, np.nan)))] = (
            "tab:orange"
        )
    if true_label is not None:
        label = _validate.integer(
            true_label, "true_label", minimum=0, maximum=len(probabilities) - 1
        )
        colors[label] = "tab:green"
    return colors


def plot_probabilities(probabilities, ax=None, *, class_names=None, true_label=None, title=None):
    """Horizontal bars of class probabilities (e.g. one softmax output).

    Parameters
    ----------
    probabilities : array_like of shape ``(K,)``
    ax : Axes, optional
    class_names : sequence of str, optional
    true_label : int, optional
        Highlight this class's bar in green (the prediction is drawn in orange).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    probabilities = np.asarray(probabilities, dtype=float).ravel()
    names = (
        [str(index) for index in range(len(probabilities))]
        if class_names is None
        else list(_validate.names(class_names, "class_names"))
    )
    if len(names) != len(probabilities):
        raise ValueError(f"class_names must have {len(probabilities)} entries, got {len(names)}")
    colors = probability_colors(probabilities, true_label=true_label)
    ax = _new_axes(ax, figsize=(3, 3))
    ax.barh(np.arange(len(names)), probabilities, color=colors)
    ax.set_yticks(np.arange(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax
