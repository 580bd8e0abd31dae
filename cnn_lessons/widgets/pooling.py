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
    features, *, pool_size=2, stride=2, padding="valid", mode="max", busiest=(0, 0)
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

    Returns
    -------
    dict
        ``feature_map``, ``output`` (the pooled map), ``shape``, ``overlap`` (stride < pool
        size), ``window_origin`` (where the first window starts; < 0 inside the padding),
        ``busiest``, ``settings`` and ``summary``.
    """
    pooled = conv.pool2d(features, pool_size, stride=stride, padding=padding, mode=mode)
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
        "summary": (
            f"{MODES[mode]} pooling {pool_size}x{pool_size}, stride {stride}, {padding}: "
            f"feature map {height} x {width} → output {pooled.shape[0]} x {pooled.shape[1]}; "
            + pooling_note(pool_size, stride)
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
    canvas.titles[0].set_text(f"photo {'x'.join(map(str, result['photo'].shape))}")
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


def _pooling_step(photo, features, filter, relu, **settings):
    """The app's compute; ``features`` caches each (filter, relu) feature map of ``photo``."""
    if (filter, relu) not in features:
        features[filter, relu] = edge_features(photo, filter, relu=relu)
    feature_map, busiest = features[filter, relu]
    result = pool_features(feature_map, busiest=busiest, **settings)
    return {**result, "photo": photo, "filter": filter, "relu": relu}


def pooling_explorer(image=None) -> App:
    """Pool an edge filter's feature map: pool size, stride, padding and max / average / min.

    A grayscale photo is filtered with an edge kernel from :data:`cnn_lessons.conv.KERNELS`
    (``"valid"`` borders, then ReLU if ticked, as in a CNN layer) and the feature map is pooled
    with :func:`cnn_lessons.conv.pool2d`. The figure shows the photo, the feature map, a zoom
    into it with three neighbouring pooling windows outlined (overlapping when the stride is
    smaller than the pool size), and the pooled map drawn at the same scale, so the loss of
    resolution is visible. The summary states the shapes and whether windows overlap. The
    computing is :func:`edge_features` and :func:`pool_features`.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, 3)``, optional
        The photo (at most 512 pixels a side; colour is converted to grayscale). Default: the
        "chelsea" photo (a cat) at 128x128.

    Returns
    -------
    App
        Controls ``filter`` (edge kernel name), ``relu``, ``pool_size`` (1-8), ``stride``
        (1-8), ``padding`` (``"valid"``/``"same"``) and ``mode`` (``"max"``, ``"avg"``,
        ``"min"``). ``result`` is what :func:`pool_features` returns, plus ``photo``,
        ``filter`` and ``relu``.
    """
    photo = (
        data.sample_image("chelsea", size=128, gray=True)
        if image is None
        else _arrays.grayscale(_arrays.photo(image))
    )
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
    }
    return App(
        controls,
        functools.partial(_pooling_step, photo, {}),
        draw_pooling,
        canvas=Canvas(4, figsize=(9.6, 2.7)),
        title="Pooling a feature map",
    )
