"""Pooling lesson: pool an edge filter's feature map (the pooling explorer)."""

from __future__ import annotations

import functools

import ipywidgets
import matplotlib.patches
import numpy as np

from cnn_lessons import _arrays, conv, data, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas

FILTERS = ("outline", "sobel_x", "sobel_y", "laplacian")
MODES = {"max": "max", "avg": "average", "min": "min"}

#: The largest shift, in pixels, of the view of the photo (the ``shift`` slider).
MAX_SHIFT = 4


def shifted_view(wide, shift: int, *, top: int = 0, left: int = 0, size=None) -> np.ndarray:
    """The part of ``wide`` the explorer filters: a fixed window, moved ``shift`` pixels right.

    As the pooling lesson's ``edge_map`` does: the camera moves, the scene stays, so the view
    shows the same picture moved ``shift`` pixels to the left.

    Parameters
    ----------
    wide : array_like of shape ``(H, W)``
    shift : int
        0 to :data:`MAX_SHIFT`.
    top, left : int, default 0
        The view's top-left pixel at shift 0.
    size : (int, int), optional
        The view's height and width; default: as large as fits with room for the largest
        shift, ``(H - top, W - left - MAX_SHIFT)``.

    Returns
    -------
    numpy.ndarray of shape ``size``
    """
    wide = np.asarray(wide)
    height, width = size or (wide.shape[0] - top, wide.shape[1] - left - MAX_SHIFT)
    if not 0 <= shift <= MAX_SHIFT:
        raise ValueError(f"shift must be an int from 0 to {MAX_SHIFT}, got {shift}")
    if height < 3 or width < 3 or left + MAX_SHIFT + width > wide.shape[1]:
        raise ValueError(
            f"the photo must be at least 3 pixels high and {3 + MAX_SHIFT} wide, so that its "
            f"view can shift by up to {MAX_SHIFT} pixels; got shape {wide.shape}"
        )
    return wide[top : top + height, left + shift : left + shift + width]


def relative_change(original, changed) -> float:
    """``||changed - original|| / ||original||`` (the pooling lesson's measure); nan for 0 / 0.

    ``inf`` when ``original`` is all zeros and ``changed`` is not.
    """
    original, changed = np.asarray(original, float), np.asarray(changed, float)
    norm, difference = np.linalg.norm(original), np.linalg.norm(changed - original)
    if norm == 0:
        return float("nan") if difference == 0 else float("inf")
    return float(difference / norm)


def pooling_note(pool_size: int, stride: int) -> str:
    """One sentence on how neighbouring pooling windows relate.

    Examples
    --------
    >>> pooling_note(2, 2)
    'windows tile the map without overlap: width and height divided by 2'
    """
    if stride < pool_size:
        return (
            f"overlapping windows: stride {stride} < pool size {pool_size}, so neighbouring "
            f"windows share {pool_size - stride} of their {pool_size} rows or columns"
        )
    if stride > pool_size:
        return (
            f"gaps: stride {stride} > pool size {pool_size}, so {stride - pool_size} of every "
            f"{stride} rows and columns are never looked at"
        )
    return f"windows tile the map without overlap: width and height divided by {pool_size}"


def edge_features(photo, filter: str, *, relu: bool = True) -> tuple[np.ndarray, tuple]:
    """A photo filtered by an edge kernel (``"valid"`` borders, then ReLU if asked).

    Returns
    -------
    features : numpy.ndarray of shape ``(H - 2, W - 2)``
    busiest : (int, int)
        Centre of the 14x14 patch with the most edge energy (where the app zooms in).
    """
    # "valid": zero padding would light up the photo's border as an edge.
    response = conv.conv2d(photo, conv.KERNELS[filter])
    features = np.maximum(response, 0) if relu else response
    side = min(14, *features.shape)
    energy = conv.pool2d(np.abs(features), side, stride=1, mode="avg")
    top, left = np.unravel_index(int(np.argmax(energy)), energy.shape)
    return features, (int(top) + side // 2, int(left) + side // 2)


def pool_features(
    features,
    *,
    pool_size=2,
    stride=2,
    padding="valid",
    mode="max",
    busiest=(0, 0),
    unshifted=None,
    shift=0,
) -> dict:
    """Pool a feature map as the explorer shows it.

    Parameters
    ----------
    features : array_like of shape ``(H, W)``
    pool_size, stride : int
    padding : {"valid", "same"}
    mode : {"max", "avg", "min"}
    busiest : (int, int)
        Where the drawing zooms in (from :func:`edge_features`).
    unshifted : array_like of shape ``(H, W)``, optional
        The feature map of the photo before it was shifted by ``shift`` pixels: the summary
        then says how much the shift changed the features, pooled and not.
    shift : int, default 0
        How far ``features`` is shifted from ``unshifted``, for the summary.

    Returns
    -------
    dict
        ``feature_map``, ``output`` (the pooled map), ``shape``, ``overlap`` (stride < pool
        size), ``window_origin`` (where the first window starts; < 0 inside the padding),
        ``busiest``, ``settings``, ``shift``, ``change`` and ``pooled_change`` (relative
        changes against ``unshifted``, :func:`relative_change`; None without it) and
        ``summary``.
    """
    pooled = conv.pool2d(features, pool_size, stride=stride, padding=padding, mode=mode)
    change = pooled_change = None
    shifted = ""
    if unshifted is not None:
        unshifted = np.asarray(unshifted)
        if unshifted.shape != np.shape(features):
            raise ValueError(
                f"unshifted must have the feature map's shape {np.shape(features)}, "
                f"got {unshifted.shape}"
            )
        change = relative_change(unshifted, features)
        before = conv.pool2d(unshifted, pool_size, stride=stride, padding=padding, mode=mode)
        pooled_change = relative_change(before, pooled)
        shifted = (
            f"; shift {shift} px: pooled features change by {pooled_change:.2f} "
            f"(relative), the feature map by {change:.2f}"
        )
    height, width = features.shape
    before = 0
    if padding == "same":
        before = conv.padding_amounts(height, pool_size, stride=stride, padding="same")[0]
    return {
        "feature_map": features,
        "output": pooled,
        "shape": pooled.shape,
        "overlap": stride < pool_size,
        "settings": {"pool_size": pool_size, "stride": stride, "padding": padding, "mode": mode},
        "window_origin": -before,
        "busiest": busiest,
        "shift": shift,
        "change": change,
        "pooled_change": pooled_change,
        "summary": (
            f"{MODES[mode]} pooling {pool_size}x{pool_size}, stride {stride}, {padding}: "
            f"feature map {height} x {width} → output {pooled.shape[0]} x {pooled.shape[1]}; "
            + pooling_note(pool_size, stride)
            + shifted
        ),
    }


def _colour_scale(features: np.ndarray) -> dict:
    """Colours saturate at the 99.5th percentile: a few strong edges would leave all else black."""
    finite = np.abs(features[np.isfinite(features)])
    limit = float(np.percentile(finite, 99.5)) if finite.size else 1.0
    limit = limit or 1.0
    if np.nanmin(features) < 0:  # no ReLU: a diverging scale centred on 0
        return {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit}
    return {"cmap": "magma", "vmin": 0, "vmax": limit}


def _zoom(result: dict) -> tuple[int, int, int, tuple[int, int]]:
    """The zoomed crop (top, left, side) and the first window starting inside it."""
    features, settings = result["feature_map"], result["settings"]
    size, stride = settings["pool_size"], settings["stride"]
    height, width = features.shape
    zoom = min(max(14, 2 * stride + size + 2), height, width)
    row, col = result["busiest"]
    top = int(np.clip(row - zoom // 2, 0, height - zoom))
    left = int(np.clip(col - zoom // 2, 0, width - zoom))
    origin = result["window_origin"]
    first_row = origin + stride * -(-(top - origin) // stride)  # first window start >= top
    first_col = origin + stride * -(-(left - origin) // stride)
    return top, left, zoom, (first_row - top, first_col - left)


def draw_pooling(result: dict, canvas: Canvas) -> None:
    """Photo, feature map, a zoom with three windows outlined, and the pooled map to scale."""
    features, pooled, settings = result["feature_map"], result["output"], result["settings"]
    scale = _colour_scale(features)
    canvas.image("photo", canvas.axes[0], result["photo"])
    moved = f", shifted {result['shift']} px" if result["shift"] else ""
    canvas.titles[0].set_text(f"photo {'x'.join(map(str, result['photo'].shape))}{moved}")
    canvas.image("features", canvas.axes[1], features, **scale)
    relu = " + ReLU" if result.get("relu") else ""
    height, width = features.shape
    canvas.titles[1].set_text(f"{result.get('filter', 'feature map')}{relu}: {height}x{width}")
    top, left, zoom, origin = _zoom(result)
    size, stride = settings["pool_size"], settings["stride"]
    canvas.clear(canvas.axes[2])
    plots.plot_pooling_windows(
        features[top : top + zoom, left : left + zoom],
        size,
        canvas.axes[2],
        stride=stride,
        origin=origin,
        count=3,
        **scale,
    )
    box = canvas.artists.get("zoom box")
    if box is None:
        box = matplotlib.patches.Rectangle((0, 0), 1, 1, fill=False, edgecolor="cyan")
        canvas.artists["zoom box"] = canvas.axes[1].add_patch(box)
    box.set_bounds(left - 0.5, top - 0.5, zoom, zoom)
    canvas.titles[2].set_text(f"zoom (cyan box): windows {size}x{size}, stride {stride}")
    # Each pooled pixel drawn over the stride x stride block it summarises.
    out_height, out_width = pooled.shape
    extent = (-0.5, out_width * stride - 0.5, out_height * stride - 0.5, -0.5)
    canvas.image("pooled", canvas.axes[3], pooled, extent=extent, **scale)
    canvas.axes[3].set_xlim(-0.5, max(width, out_width * stride) - 0.5)
    canvas.axes[3].set_ylim(max(height, out_height * stride) - 0.5, -0.5)
    canvas.titles[3].set_text(f"{settings['mode']} pooled: {out_height}x{out_width}")
    for number in (1, 3):
        _colour_bar(canvas, canvas.axes[number], **scale)


def _colour_bar(canvas: Canvas, ax, *, cmap: str, vmin: float, vmax: float) -> None:
    """A thin colour bar right of ``ax``: a gradient image and three labels, updated in place.

    Cheaper to redraw than ``Figure.colorbar``, whose tick machinery doubled the redraw time.
    """
    key = f"colour bar {canvas.axes.index(ax)}"
    if key not in canvas.artists:
        bar = ax.inset_axes((1.03, 0.0, 0.05, 1.0))
        bar.set_axis_off()
        gradient = bar.imshow(
            np.linspace(1, 0, 64)[:, None], aspect="auto", extent=(0, 1, 0, 1), cmap=cmap
        )
        labels = [
            bar.text(1.25, height, "", transform=bar.transAxes, va=align, fontsize=7)
            for height, align in [(1, "top"), (0.5, "center"), (0, "bottom")]
        ]
        canvas.artists[key] = (gradient, labels)
    gradient, labels = canvas.artists[key]
    gradient.set_data(np.linspace(vmax, vmin, 64)[:, None])
    gradient.set_cmap(cmap)
    gradient.set_clim(vmin, vmax)
    for label, value in zip(labels, (vmax, (vmin + vmax) / 2, vmin), strict=True):
        label.set_text(f"{value:.2g}")


def _pooling_step(view, features, filter, relu, shift, **settings):
    """The app's compute; ``features`` caches each (filter, relu, shift) feature map.

    ``view(shift)`` is the photo seen ``shift`` pixels further right.
    """
    for moved in {0, shift}:
        if (filter, relu, moved) not in features:
            features[filter, relu, moved] = edge_features(view(moved), filter, relu=relu)
    feature_map, busiest = features[filter, relu, shift]
    unshifted = features[filter, relu, 0][0] if shift else None
    result = pool_features(
        feature_map, busiest=busiest, unshifted=unshifted, shift=shift, **settings
    )
    return {**result, "photo": view(shift), "filter": filter, "relu": relu}


def pooling_explorer(image=None) -> App:
    """Pool an edge filter's feature map: pool size, stride, padding and max / average / min.

    A grayscale photo is filtered with an edge kernel from :data:`cnn_lessons.conv.KERNELS`
    (``"valid"`` borders, then ReLU if ticked, as in a CNN layer) and the feature map is pooled
    with :func:`cnn_lessons.conv.pool2d`. The figure shows the photo, the feature map, a zoom
    into it with three neighbouring pooling windows outlined (overlapping when the stride is
    smaller than the pool size), and the pooled map drawn at the same scale, so the loss of
    resolution is visible, with colour bars for both. The summary states the shapes and
    whether windows overlap. The ``shift`` slider moves the view of the photo 1 to 4 pixels
    to the right, as the pooling lesson's ``edge_map`` does, and the summary then gives the
    relative change of the pooled features against the unshifted ones (and of the feature map
    itself): 2x2 max pooling still changes by about half for a 1-pixel shift; only large
    windows barely move. The computing is :func:`edge_features` and :func:`pool_features`.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, 3)``, optional
        The photo (at most 512 pixels a side; colour is converted to grayscale). The app shows
        its left ``W - 4`` columns, moved right by the shift (:func:`shifted_view`). Default:
        the "chelsea" photo (a cat) at 144x144, seen through a 128x128 window from (8, 8), as
        in the lesson.

    Returns
    -------
    App
        Controls ``filter`` (edge kernel name), ``relu``, ``pool_size`` (1-8), ``stride``
        (1-8), ``padding`` (``"valid"``/``"same"``), ``mode`` (``"max"``, ``"avg"``,
        ``"min"``) and ``shift`` (0-4 pixels). ``result`` is what :func:`pool_features`
        returns, plus ``photo`` (the shifted view), ``filter`` and ``relu``.
    """
    if image is None:
        wide = data.sample_image("chelsea", size=144, gray=True)
        view = functools.partial(shifted_view, wide, top=8, left=8, size=(128, 128))
    else:
        wide = _arrays.grayscale(_arrays.photo(image))
        view = functools.partial(shifted_view, wide)
        view(0)  # a photo too narrow to shift: the error names it now
    slider = {"style": {"description_width": "initial"}, "layout": {"width": "240px"}}
    dropdown = {"style": {"description_width": "initial"}, "layout": {"width": "200px"}}
    controls = {
        "filter": ipywidgets.Dropdown(
            options=FILTERS, value="outline", description="filter", **dropdown
        ),
        "relu": ipywidgets.Checkbox(value=True, description="ReLU after the filter", indent=False),
        "pool_size": ipywidgets.IntSlider(value=2, min=1, max=8, description="pool_size", **slider),
        "stride": ipywidgets.IntSlider(value=2, min=1, max=8, description="stride", **slider),
        "padding": ipywidgets.Dropdown(
            options=["valid", "same"], value="valid", description="padding", **dropdown
        ),
        "mode": ipywidgets.Dropdown(options=list(MODES), description="mode", **dropdown),
        "shift": ipywidgets.IntSlider(
            value=0, min=0, max=MAX_SHIFT, description="shift (px)", **slider
        ),
    }
    return App(
        controls,
        functools.partial(_pooling_step, view, {}),
        draw_pooling,
        canvas=Canvas(4, figsize=(10.4, 2.7), wspace=0.3, right=0.955),
        title="Pooling a feature map",
    )
