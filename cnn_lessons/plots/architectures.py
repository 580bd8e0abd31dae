"""Architectures lesson: a network drawn as a row of boxes sized by their output shapes."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt

from cnn_lessons import _validate
from cnn_lessons.plots._axes import _new_axes


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
