"""Pictures: one image, a grid of images, a mosaic of maps, a heatmap over an image.

Used from the welcome lesson on, and for feature maps and attributions in the visualizing
lesson.
"""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np

from cnn_lessons import _validate, augment
from cnn_lessons.plots._axes import _new_axes
from cnn_lessons.plots.convolution import symmetric_limit


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
