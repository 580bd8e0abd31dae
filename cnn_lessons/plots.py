"""Drawing helpers: matplotlib and seaborn, all in the ``ax=None`` style.

Each function draws on the Axes it is given, or creates a figure when none is given, and returns
what it drew on. None of them computes anything heavier than a colour map, calls ``plt.show()``
or changes global rcParams.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns


def _new_axes(ax, **subplots_options):
    if ax is not None:
        return ax
    _, ax = plt.subplots(**subplots_options)
    return ax


def show_image(image, ax=None, *, title=None, cmap=None, **kwargs):
    """Show one image without axis ticks.

    Parameters
    ----------
    image : array_like
        ``(H, W)`` grayscale, ``(H, W, 1)`` or ``(H, W, 3)`` colour; floats in [0, 1] or uint8.
        Grayscale images default to the ``"gray"`` colour map on a fixed [0, 1] (or [0, 255])
        range unless ``cmap``/``vmin``/``vmax`` say otherwise.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    cmap : str, optional
    **kwargs
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"image must have shape (H, W), (H, W, 1) or (H, W, 3), got {image.shape}")
    ax = _new_axes(ax, figsize=(3, 3))
    if image.ndim == 2:
        if cmap is None:
            cmap = "gray"
            if "vmin" not in kwargs and "vmax" not in kwargs and image.min() >= 0:
                kwargs["vmin"], kwargs["vmax"] = 0, 255 if image.max() > 1 else 1
    ax.imshow(image, cmap=cmap, **kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


def show_images(images, axes=None, *, titles=None, ncols=8, cmap=None, size=1.2, **kwargs):
    """Show several images in a grid.

    Parameters
    ----------
    images : sequence of arrays or array of shape ``(N, H, W)`` / ``(N, H, W, C)``
    axes : sequence of Axes, optional
        At least ``N`` Axes to draw on; a new grid of ``ncols`` columns is made when omitted.
    titles : sequence of str, optional
        One title per image.
    ncols : int, default 8
    cmap : str, optional
    size : float, default 1.2
        Inches per grid cell when a new figure is made.

    Returns
    -------
    numpy.ndarray of Axes
        The Axes used, flattened; unused cells of a new grid are hidden.
    """
    count = len(images)
    if count == 0:
        raise ValueError("images must contain at least one image, got an empty sequence")
    if titles is not None and len(titles) != count:
        raise ValueError(f"titles must have one entry per image ({count}), got {len(titles)}")
    if axes is None:
        ncols = max(1, min(ncols, count))
        nrows = math.ceil(count / ncols)
        _, grid = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.2 * nrows))
        axes = np.atleast_1d(grid).ravel()
        for extra in axes[count:]:
            extra.set_visible(False)
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) < count:
        raise ValueError(f"axes must hold at least {count} Axes, got {len(axes)}")
    for index in range(count):
        title = None if titles is None else titles[index]
        show_image(images[index], axes[index], title=title, cmap=cmap, **kwargs)
    return axes[:count]


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
    labels = "auto" if class_names is None else list(class_names)
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


def plot_kernel(kernel, ax=None, *, title=None, annotate=True, fmt=".2g"):
    """Draw a 2-D kernel as a heatmap with its weights written in the cells.

    Parameters
    ----------
    kernel : array_like of shape ``(kh, kw)``
    ax : Axes, optional
    title : str, optional
    annotate : bool, default True
        Write each weight in its cell.
    fmt : str, default ".2g"

    Returns
    -------
    matplotlib.axes.Axes
    """
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh, kw), got shape {kernel.shape}")
    limit = float(np.abs(kernel).max()) or 1.0
    ax = _new_axes(ax, figsize=(2.2, 2.2))
    sns.heatmap(
        kernel,
        ax=ax,
        annot=annotate,
        fmt=fmt,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        cbar=False,
        square=True,
        linewidths=0.5,
        linecolor="white",
        xticklabels=False,
        yticklabels=False,
        annot_kws={"fontsize": 8},
    )
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


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
        else list(class_names)
    )
    if len(names) != len(probabilities):
        raise ValueError(f"class_names must have {len(probabilities)} entries, got {len(names)}")
    colors = ["tab:gray"] * len(names)
    colors[int(np.argmax(probabilities))] = "tab:orange"
    if true_label is not None:
        colors[int(true_label)] = "tab:green"
    ax = _new_axes(ax, figsize=(3, 3))
    ax.barh(np.arange(len(names)), probabilities, color=colors)
    ax.set_yticks(np.arange(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability")
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax
