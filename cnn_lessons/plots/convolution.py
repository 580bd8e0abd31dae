"""Convolution, stride and padding, pooling: kernels as numbered cells, the kernel walking over a
padded grid, pooling windows over a feature map."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from cnn_lessons import _validate, conv
from cnn_lessons.plots._axes import _new_axes

#: Largest grid side :func:`plot_conv_grid` draws (one cell per pixel: more is unreadable).
_MAX_GRID = 64


def _matrix(values, name: str, axes: str) -> np.ndarray:
    """``values`` as a 2-D float array, or a ValueError naming ``name`` and its ``axes``."""
    values = _validate.real_array(values, name).astype(float)
    if values.ndim != 2:
        raise ValueError(f"{name} must be 2-D {axes}, got shape {values.shape}")
    return values


def _grid_lines(ax, rows, cols, *, color="white", linewidth=0.8):
    """Cell borders of a ``rows x cols`` image drawn with ``imshow`` (one LineCollection)."""
    from matplotlib.collections import LineCollection

    segments = [[(-0.5, r - 0.5), (cols - 0.5, r - 0.5)] for r in range(rows + 1)]
    segments += [[(c - 0.5, -0.5), (c - 0.5, rows - 0.5)] for c in range(cols + 1)]
    ax.add_collection(LineCollection(segments, colors=color, linewidths=linewidth))


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
    kernel = _matrix(kernel, "kernel", "(kh, kw)")
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


_GRID_COLORS = {
    "padding": (0.86, 0.86, 0.86),
    "input": (0.74, 0.85, 0.95),
    "span": (1.0, 0.87, 0.72),
    "tap": (0.96, 0.55, 0.16),
    "done": (0.72, 0.88, 0.70),
    "todo": (0.97, 0.97, 0.97),
}

_GRID_LABELS = {
    "padding": "zero padding",
    "input": "input",
    "tap": "kernel taps / pixel computed",
    "span": "dilation gaps",
    "done": "output already computed",
}


def conv_grid_legend_handles() -> list:
    """Legend patches for the colours of :func:`plot_conv_grid`, one per meaning.

    Returns
    -------
    list of matplotlib.patches.Patch
        For ``figure.legend(handles=...)`` or ``ax.legend(handles=...)``.
    """
    from matplotlib.patches import Patch

    return [
        Patch(facecolor=_GRID_COLORS[key], edgecolor="gray", linewidth=0.5, label=label)
        for key, label in _GRID_LABELS.items()
    ]


def _draw_output_grid(ax, out: int, step: int) -> None:
    """The ``out`` x ``out`` output: pixels done tinted, the one being computed orange."""
    result = np.empty((out, out, 3))
    result[:] = _GRID_COLORS["todo"]
    result.reshape(-1, 3)[:step] = _GRID_COLORS["done"]
    result[divmod(int(step), out)] = _GRID_COLORS["tap"]
    ax.imshow(result, interpolation="nearest")
    _grid_lines(ax, out, out, color="gray", linewidth=0.6 if out <= 16 else 0.3)
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
    the pixel computed at this position is orange and the ones computed before it pale green.
    :func:`conv_grid_legend_handles` gives a legend for these colours.

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
    _grid_lines(input_ax, padded, padded, linewidth=0.8 if padded <= 16 else 0.4)
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
    feature_map = _matrix(feature_map, "feature_map", "(h, w)")
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
