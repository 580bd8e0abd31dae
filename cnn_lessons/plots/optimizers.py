"""Optimizers lesson: trajectories over the contour lines of a 2-D loss surface."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from cnn_lessons.plots._axes import _new_axes


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
