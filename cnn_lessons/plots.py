"""Drawing helpers: matplotlib and seaborn, all in the ``ax=None`` style.

Each function draws on the Axes it is given, or creates a figure when none is given, and returns
what it drew on. None of them computes anything heavier than a colour map, calls ``plt.show()``
or changes global rcParams.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from cnn_lessons import _validate, augment, conv

#: Largest grid side :func:`plot_conv_grid` draws (one cell per pixel: more is unreadable).
_MAX_GRID = 64


def data_range(values) -> tuple[float, float]:
    """Colour limits for a picture: [0, 1] when it lies inside that range (so a faint image
    looks faint), otherwise its finite minimum and maximum (never an empty range).

    Examples
    --------
    >>> data_range([[0.2, 0.5]]), data_range([[0.0, 3.5]]), data_range([[np.nan, 2.0]])
    ((0.0, 1.0), (0.0, 3.5), (0.0, 2.0))
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0 or (finite.min() >= 0 and finite.max() <= 1):
        return 0.0, 1.0
    low, high = float(min(finite.min(), 0.0)), float(finite.max())
    return low, high if high > low else low + 1.0


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
    image = _validate.float_image(image, "image", finite=False)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"image must have shape (H, W), (H, W, 1) or (H, W, 3), got {image.shape}")
    ax = _new_axes(ax, figsize=(3, 3))
    if image.ndim == 2 and cmap is None:
        cmap = "gray"
        if "vmin" not in kwargs and "vmax" not in kwargs:
            kwargs["vmin"], kwargs["vmax"] = data_range(image)
    elif image.ndim == 3 and np.isfinite(image).all() and (image.min() < 0 or image.max() > 1):
        low, high = data_range(image)  # colour pictures must be in [0, 1] for imshow
        image = (image - low) / (high - low)
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
    if titles is not None:
        titles = _validate.names(titles, "titles")
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


# --- Lessons 09-10: architectures and what CNNs learn -----------------------------------------


def plot_mosaic(
    images,
    ax=None,
    *,
    ncols=None,
    normalize_each=True,
    highlight=None,
    flagged=(),
    cmap="gray",
    gap=1,
    gap_color="white",
    title=None,
):
    """Draw many small images (feature maps, patches, filters) as one tiled picture.

    One ``imshow`` for the whole grid keeps this fast enough for a widget, unlike one Axes per
    image.

    Parameters
    ----------
    images : array_like of shape ``(N, h, w)``
        For feature maps ``(h, w, channels)`` pass ``np.moveaxis(maps, -1, 0)``.
    ax : Axes, optional
    ncols : int, optional
        Columns of the grid; about ``sqrt(N)`` when omitted.
    normalize_each : bool, default True
        Stretch each image to its own [min, max], so faint patterns stay visible; otherwise
        all share one colour scale.
    highlight : int, optional
        Index of an image framed in orange.
    flagged : sequence of int, default ()
        Indices of images crossed out in red (e.g. dead channels).
    cmap : str, default "gray"
    gap : int, default 1
        Pixels between tiles.
    gap_color : color, default "white"
        Colour of the gaps (and of unused cells), e.g. a mid-tone for black-and-white patches.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    images = _validate.real_array(images, "images").astype(float)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, h, w) with N >= 1, got {images.shape}")
    count, height, width = images.shape
    ncols = _validate.positive_int(ncols or math.ceil(math.sqrt(count)), "ncols")
    nrows = math.ceil(count / min(ncols, count))
    images = np.where(np.isfinite(images), images, np.nan)  # NaN and inf show as gaps
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN tile has no range
        axes = (1, 2) if normalize_each else None
        low = np.nanmin(images, axis=axes, keepdims=True)
        span = np.nanmax(images, axis=axes, keepdims=True) - low
    scaled = np.where(span > 0, (images - low) / np.where(span > 0, span, 1), 0.0)
    scaled[np.isnan(images)] = np.nan
    mosaic = augment.tile_images(scaled, ncols=ncols, padding=gap, fill=np.nan)
    ncols = min(ncols, count)
    ax = _new_axes(ax, figsize=(min(10, 0.6 * ncols + 1), min(10, 0.6 * nrows + 1)))
    shown = plt.get_cmap(cmap).with_extremes(bad=gap_color)
    ax.imshow(mosaic, cmap=shown, vmin=0, vmax=1, interpolation="nearest")
    for index in flagged:
        row, col = divmod(int(index), ncols)
        top, left = row * (height + gap) - 0.5, col * (width + gap) - 0.5
        ax.plot([left, left + width], [top, top + height], color="red", linewidth=1.2)
        ax.plot([left, left + width], [top + height, top], color="red", linewidth=1.2)
    if highlight is not None:
        row, col = divmod(int(highlight), ncols)
        ax.add_patch(
            plt.Rectangle(
                (col * (width + gap) - 0.5, row * (height + gap) - 0.5),
                width,
                height,
                fill=False,
                edgecolor="orange",
                linewidth=2,
            )
        )
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


def plot_heatmap_overlay(
    image, heatmap, ax=None, *, title=None, alpha=0.55, cmap="inferno", outline=False, center=None
):
    """Show a heatmap (saliency, Grad-CAM, occlusion) on top of an image.

    Parameters
    ----------
    image : array_like of shape ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``
    heatmap : array_like of shape ``(H, W)``
        Drawn with its own colour scale (``nan`` is transparent).
    ax : Axes, optional
    title : str, optional
    alpha : float, default 0.55
        Opacity of the heatmap over the grayscale image (ignored with ``outline=True``).
    cmap : str, default "inferno"
    outline : bool, default False
        Draw the heatmap opaque and the image only as a cyan contour line at half its
        brightness range: clearer for line drawings such as digits.
    center : float, optional
        Make the colour scale symmetric around this value (use with a diverging ``cmap`` such
        as ``"RdBu_r"`` for signed maps: positive red, negative blue).

    Returns
    -------
    matplotlib.axes.Axes
    """
    image = _validate.float_image(image, "image", finite=False).astype(float)
    heatmap = _validate.real_array(heatmap, "heatmap").astype(float)
    heatmap[np.isinf(heatmap)] = np.nan  # shown transparent, like the pixels nothing covered
    if image.ndim == 3:
        image = image.mean(axis=-1)
    if heatmap.shape != image.shape:
        raise ValueError(f"heatmap must have the image's shape {image.shape}, got {heatmap.shape}")
    ax = _new_axes(ax, figsize=(3, 3))
    scale = {}
    if center is not None:
        reach = symmetric_limit(heatmap - center)
        scale = {"vmin": center - reach, "vmax": center + reach}
    if outline:
        ax.imshow(heatmap, cmap=cmap, **scale)
        low, high = float(np.nanmin(image)), float(np.nanmax(image))
        if np.isfinite(image).all() and high > low:
            ax.contour(image, levels=[(low + high) / 2], colors="cyan", linewidths=0.7)
    else:
        low, high = data_range(image)
        ax.imshow(image, cmap="gray", vmin=low, vmax=high)
        ax.imshow(heatmap, cmap=cmap, alpha=alpha, **scale)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


def plot_shape_diagram(names, shapes, ax=None, *, title=None):
    """Draw a network as a row of boxes, one per layer, sized by its output shape.

    A box's height is proportional to the feature map's side ``H`` and its width grows with the
    number of channels (on a square-root scale, so 3 and 512 channels fit on one page); flat
    outputs (dense layers) are drawn as thin orange bars whose height grows with the square
    root of the number of units. Each box is labelled with
    the layer and its shape, so the figure reads like the diagrams in the AlexNet and VGG
    papers: the image shrinks while the channels grow.

    Parameters
    ----------
    names : sequence of str
    shapes : sequence of tuples
        Output shapes without the batch axis: ``(H, W, C)`` or ``(units,)``.
    ax : Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    names = list(_validate.names(names, "names"))
    shapes = [tuple(int(s) for s in shape) for shape in shapes]
    if len(names) != len(shapes) or not names:
        raise ValueError(
            f"names and shapes must be non-empty and of equal length, got {len(names)} names "
            f"and {len(shapes)} shapes"
        )
    sides = [float(shape[0]) if len(shape) == 3 else 0.0 for shape in shapes]
    units = [shape[-1] for shape in shapes]
    top_side = max(sides) or 1.0
    top_units = max(math.sqrt(u) for u in units)
    ax = _new_axes(ax, figsize=(min(10, 0.75 * len(names) + 1), 3.2))
    x = 0.0
    for name, shape, side, channels in zip(names, shapes, sides, units, strict=True):
        if len(shape) == 3:
            height = 0.1 + 0.9 * side / top_side
            width = 0.1 + 0.5 * math.sqrt(channels) / top_units
            color = "tab:blue"
        else:
            height = 0.15 + 0.85 * math.sqrt(channels) / top_units
            width = 0.08
            color = "tab:orange"
        ax.add_patch(
            plt.Rectangle(
                (x, -height / 2),
                width,
                height,
                facecolor=color,
                alpha=0.6,
                edgecolor="black",
                linewidth=0.6,
            )
        )
        label = "x".join(str(s) for s in shape)
        ax.text(x + width / 2, -0.56, label, rotation=90, ha="center", va="top", fontsize=7)
        ax.text(x + width / 2, 0.56, name, rotation=90, ha="center", va="bottom", fontsize=7)
        x += width + 0.18
    ax.set_xlim(-0.1, x)
    ax.set_ylim(-1.45, 1.45)
    ax.axis("off")
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


# --- optimizers lesson ----------------------------------------------------------------------


def plot_loss_surface(xs, ys, values, ax=None):
    """Filled contours of a 2-D loss surface, levels spaced logarithmically.

    Parameters
    ----------
    xs, ys, values : array_like of shape ``(R, C)``
        The surface on a grid, as from ``np.meshgrid`` (e.g. ``optim.surface_grid``);
        ``values`` must be non-negative.
    ax : Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or np.shape(xs) != values.shape or np.shape(ys) != values.shape:
        raise ValueError(
            f"xs, ys and values must be 2-D grids of one shape, got {np.shape(xs)}, "
            f"{np.shape(ys)} and {values.shape}"
        )
    ax = _new_axes(ax, figsize=(7, 4.5))
    low = max(float(np.nanmin(values)), 1e-3)
    levels = np.geomspace(low, max(float(np.nanmax(values)), 2 * low), 14)
    ax.contourf(xs, ys, values, levels=levels, cmap="Blues_r", alpha=0.3, extend="min")
    ax.contour(xs, ys, values, levels=levels, colors="gray", linewidths=0.6, alpha=0.8)
    ax.set_xlim(float(np.min(xs)), float(np.max(xs)))
    ax.set_ylim(float(np.min(ys)), float(np.max(ys)))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def plot_paths(paths, ax=None, *, minimum=None, title=None):
    """Optimizer trajectories as lines of dots, the start as a black dot, the minimum a star.

    Parameters
    ----------
    paths : mapping of str to array_like of shape ``(k, 2)``
        One path of ``(x, y)`` points per optimizer, in the order they should be listed.
    ax : Axes, optional
    minimum : (float, float), optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax, figsize=(7, 4.5))
    colors = plt.get_cmap("tab10" if len(paths) <= 10 else "tab20").colors
    for number, (name, path) in enumerate(paths.items()):
        path = np.asarray(path, dtype=float)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"paths[{name!r}] must have shape (k, 2), got {path.shape}")
        color = colors[number % len(colors)]
        ax.plot(
            path[:, 0], path[:, 1], "-o", color=color, markersize=2.5, linewidth=1.2, label=name
        )
    if paths:
        first = np.asarray(next(iter(paths.values())), dtype=float)
        ax.plot(*first[0], "ko", markersize=6, label="start")
    if minimum is not None:
        ax.plot(
            *minimum, "*", color="gold", markeredgecolor="black", markersize=14, label="minimum"
        )
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def plot_optimizer_paths(xs, ys, values, paths, ax=None, *, minimum=None, title=None):
    """Optimizer trajectories over the contour lines of a 2-D loss surface.

    :func:`plot_loss_surface` followed by :func:`plot_paths`.

    Parameters
    ----------
    xs, ys, values : array_like of shape ``(R, C)``
        The surface on a grid, as from ``np.meshgrid``; ``values`` must be non-negative.
    paths : mapping of str to array_like of shape ``(k, 2)``
    ax : Axes, optional
    minimum : (float, float), optional
        Marked with a star.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plot_loss_surface(xs, ys, values, ax)
    return plot_paths(paths, ax, minimum=minimum, title=title)


# --- Lessons 01-03: convolution, stride and padding, pooling ----------------------------------


def _grid_lines(ax, rows, cols, *, color="white", linewidth=0.8):
    """Cell borders of a ``rows x cols`` image drawn with ``imshow`` (one LineCollection)."""
    from matplotlib.collections import LineCollection

    segments = [[(-0.5, r - 0.5), (cols - 0.5, r - 0.5)] for r in range(rows + 1)]
    segments += [[(c - 0.5, -0.5), (c - 0.5, rows - 0.5)] for c in range(cols + 1)]
    ax.add_collection(LineCollection(segments, colors=color, linewidths=linewidth))


_GRID_COLORS = {
    "padding": (0.86, 0.86, 0.86),
    "input": (0.74, 0.85, 0.95),
    "span": (1.0, 0.87, 0.72),
    "tap": (0.96, 0.55, 0.16),
    "done": (0.99, 0.8, 0.6),
    "todo": (0.97, 0.97, 0.97),
}


def _draw_output_grid(ax, out: int, step: int) -> None:
    """The ``out`` x ``out`` output: pixels done tinted, the one being computed orange."""
    result = np.empty((out, out, 3))
    result[:] = _GRID_COLORS["todo"]
    result.reshape(-1, 3)[:step] = _GRID_COLORS["done"]
    result[divmod(int(step), out)] = _GRID_COLORS["tap"]
    ax.imshow(result, interpolation="nearest")
    _grid_lines(ax, out, out, color="gray", linewidth=0.6)
    ax.set_xlim(-0.5, max(out, 3) - 0.5)
    ax.set_ylim(max(out, 3) - 0.5, -0.5)
    ax.set_axis_off()
    ax.set_title(f"output {out}x{out}", fontsize=9)


def plot_conv_grid(
    input_size,
    kernel_size,
    *,
    stride=1,
    padding=(0, 0),
    dilation=1,
    step=0,
    axes=None,
    title=None,
):
    """Draw a square convolution as grids: the padded input with the kernel at one position,
    and the output with the pixel that position computes.

    The input is light blue, zero padding grey, the pixels the kernel reads (its taps) orange,
    and the rest of the window's span (the gaps of a dilated kernel) pale orange. In the output,
    the pixel computed at this position is orange and the ones computed before it are tinted.

    Parameters
    ----------
    input_size : int
        Pixels per side of the (square) input, before padding.
    kernel_size : int
        Kernel pixels per side.
    stride : int, default 1
    padding : (int, int), default (0, 0)
        Zero pixels added before (top/left) and after (bottom/right), as returned by
        ``conv.padding_amounts``.
    dilation : int, default 1
    step : int, default 0
        Which kernel position to show, counting output pixels row by row from 0.
    axes : pair of Axes, optional
        Where to draw the input and the output; a new 1x2 figure when omitted.
    title : str, optional
        Title of the input panel (the output panel is titled with its size).

    Returns
    -------
    tuple of Axes
        ``(input_ax, output_ax)``.
    """
    input_size = _validate.positive_int(input_size, "input_size", maximum=_MAX_GRID)
    kernel_size = _validate.positive_int(kernel_size, "kernel_size")
    stride = _validate.positive_int(stride, "stride")
    dilation = _validate.positive_int(dilation, "dilation")
    before, after = _validate.int_pair(padding, "padding", minimum=0, maximum=_MAX_GRID)
    padded = input_size + before + after
    span = conv.effective_kernel_size(kernel_size, dilation)
    if span > padded:
        raise ValueError(
            f"kernel spans {span} pixels, more than the padded input of {padded}: nothing to draw"
        )
    out = (padded - span) // stride + 1
    if not 0 <= step < out * out:
        raise ValueError(f"step must be between 0 and {out * out - 1}, got {step}")
    if axes is None:
        _, axes = plt.subplots(
            1, 2, figsize=(6, 3), gridspec_kw={"width_ratios": [padded, max(out, 3)]}
        )
    input_ax, output_ax = axes
    row, col = divmod(int(step), out)
    top, left = row * stride, col * stride
    grid = np.empty((padded, padded, 3))
    grid[:] = _GRID_COLORS["padding"]
    grid[before : before + input_size, before : before + input_size] = _GRID_COLORS["input"]
    grid[top : top + span, left : left + span] = _GRID_COLORS["span"]
    grid[top : top + span : dilation, left : left + span : dilation] = _GRID_COLORS["tap"]
    input_ax.imshow(grid, interpolation="nearest")
    _grid_lines(input_ax, padded, padded)
    for corner, side, color in (
        ((before, before), input_size, "tab:blue"),
        ((top, left), span, "black"),
    ):
        input_ax.add_patch(
            plt.Rectangle(
                (corner[1] - 0.5, corner[0] - 0.5),
                side,
                side,
                fill=False,
                edgecolor=color,
                linewidth=1.5,
            )
        )
    input_ax.set_axis_off()
    input_ax.set_title(
        title if title is not None else f"input {input_size}x{input_size} + padding", fontsize=9
    )
    _draw_output_grid(output_ax, out, step)
    return input_ax, output_ax


def plot_pooling_windows(
    feature_map,
    pool_size,
    ax=None,
    *,
    stride=None,
    origin=(0, 0),
    count=3,
    title=None,
    cmap="magma",
    **kwargs,
):
    """Zoom into a feature map and outline a few neighbouring pooling windows.

    ``count`` windows along one row are outlined in different colours, starting at ``origin``
    and ``stride`` pixels apart, so overlapping windows (stride < pool size) and gaps between
    them (stride > pool size) are plain to see.

    Parameters
    ----------
    feature_map : array_like of shape ``(h, w)``
        The patch to show (already cropped; a dozen pixels a side reads well).
    pool_size : int
    ax : Axes, optional
    stride : int, optional
        Defaults to ``pool_size``.
    origin : (int, int), default (0, 0)
        Row and column of the first window's top-left pixel within ``feature_map``.
    count : int, default 3
    title : str, optional
    cmap : str, default "magma"
    **kwargs
        Passed to ``Axes.imshow`` (e.g. ``vmin``, ``vmax``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    feature_map = np.asarray(feature_map, dtype=float)
    if feature_map.ndim != 2:
        raise ValueError(f"feature_map must be 2-D (h, w), got shape {feature_map.shape}")
    stride = pool_size if stride is None else stride
    ax = _new_axes(ax, figsize=(3, 3))
    ax.imshow(feature_map, cmap=cmap, interpolation="nearest", **kwargs)
    _grid_lines(ax, *feature_map.shape, color=(1, 1, 1, 0.25), linewidth=0.5)
    palette = ("#2ca02c", "#1f9cf0", "#ff4fa3", "#ffd21f")
    for number in range(count):
        inset = 0.12 * number  # nested outlines stay visible where windows overlap
        ax.add_patch(
            plt.Rectangle(
                (origin[1] + number * stride - 0.5 + inset, origin[0] - 0.5 + inset),
                pool_size - 2 * inset,
                pool_size - 2 * inset,
                fill=False,
                edgecolor=palette[number % len(palette)],
                linewidth=2,
            )
        )
    ax.set_xlim(-0.5, feature_map.shape[1] - 0.5)
    ax.set_ylim(feature_map.shape[0] - 0.5, -0.5)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


def symmetric_limit(values) -> float:
    """The largest finite magnitude in ``values`` (1.0 when there is none): a colour scale
    from ``-limit`` to ``+limit`` keeps zero white."""
    values = np.asarray(values, dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def kernel_labels(kernel, *, fmt=".2g") -> list[tuple[str, str]]:
    """The text and its colour for each cell of ``kernel``, row by row, as :func:`plot_kernel`
    writes them: white on strong colours, black elsewhere; a zero is ``0``."""
    kernel = np.asarray(kernel, dtype=float)
    limit = symmetric_limit(kernel)
    return [
        (
            "0" if value == 0 else format(value, fmt),
            "white" if abs(value) > 0.6 * limit else "black",
        )
        for value in kernel.ravel()
    ]


def plot_kernel(kernel, ax=None, *, title=None, annotate=True, fmt=".2g"):
    """Draw a 2-D kernel (or any small array) as coloured cells with its values written in them.

    Red is positive, blue negative, white zero, on a scale symmetric around 0. One ``imshow``
    and plain text, fast enough for widgets that redraw on every slider move.
    ``plot_kernel_values`` is the same function under the name the first lessons use.

    Parameters
    ----------
    kernel : array_like of shape ``(kh, kw)``
    ax : Axes, optional
    title : str, optional
    annotate : bool, default True
        Write each value in its cell.
    fmt : str, default ".2g"
        Format of the values; a zero is always written ``0``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh, kw), got shape {kernel.shape}")
    ax = _new_axes(ax, figsize=(2.2, 2.2))
    limit = symmetric_limit(kernel)
    ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    _grid_lines(ax, *kernel.shape, color="white", linewidth=1)
    size = 9 if max(kernel.shape) <= 3 else 7 if max(kernel.shape) <= 5 else 5
    cells = zip(np.ndindex(kernel.shape), kernel_labels(kernel, fmt=fmt), strict=True)
    for (row, col), (text, color) in cells if annotate else ():
        ax.text(col, row, text, ha="center", va="center", fontsize=size, color=color)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


plot_kernel_values = plot_kernel
