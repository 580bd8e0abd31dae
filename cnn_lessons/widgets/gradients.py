"""How-a-CNN-learns lesson: where does the gradient flow? (the gradient-flow explorer).

A digit goes through one small layer, ``conv (one k x k filter, valid) -> ReLU -> 2x2
pooling``. The learner picks what to differentiate, one pixel of the output or the
cross-entropy loss of one class (a template classifier on the output, see :func:`flow`), and
sees which input pixels and which kernel weights receive gradient, and how much. The layer's
forward and backward pass is :func:`cnn_lessons.backprop.gradient_flow` (pure NumPy).
"""

from __future__ import annotations

import functools

import ipywidgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cnn_lessons import _validate, backprop, conv, data, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas

POOLINGS = (("max 2x2", "max"), ("average 2x2", "avg"), ("none", "none"))
TARGETS = (("one output pixel", "pixel"), ("loss on one class", "class"))
DIGIT = 0  # index of the test digit the app shows by default
CLASS_MARGIN = 3.0  # a mean digit's score for its own class, minus the others' (average)
ZOOM_MARGIN = 3  # pixels shown around a box when the gradient panels zoom in


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test digits ``(N, 28, 28)`` in [0, 1], their labels ``(N,)`` and the mean training
    digit of each class, ``(10, 28, 28)`` in [0, 1]."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    means = np.stack([x_train[y_train == digit].mean(axis=0) for digit in range(10)]) / 255
    return x_test / 255.0, y_test, means


@functools.lru_cache(maxsize=16)
def app_kernel(kernel_size: int) -> np.ndarray:
    """The app's filter for ``kernel_size``: fixed random weights, as at the start of training.

    He-normal values from a generator seeded with ``kernel_size`` (so every run shows the same
    filter), with the sign chosen so that the weights sum to a positive number: the filter then
    responds to the digit's strokes rather than to the background.

    Returns
    -------
    numpy.ndarray of float64, shape ``(kernel_size, kernel_size)``, read-only
    """
    kernel_size = _validate.positive_int(kernel_size, "kernel_size", maximum=28)
    generator = np.random.default_rng(kernel_size)
    kernel = generator.normal(0, np.sqrt(2 / kernel_size**2), (kernel_size, kernel_size))
    kernel = kernel if kernel.sum() >= 0 else -kernel
    kernel.setflags(write=False)
    return kernel


@functools.lru_cache(maxsize=64)
def _templates(kernel_size: int, stride: int, pooling: str) -> np.ndarray:
    """The template classifier's weights for these settings, ``(10, h, w)``.

    Each class's mean training digit goes through the layer; its output, scaled to unit length,
    minus the average of the ten, is the class's template (what all digits share tells the
    classes nothing). The templates are scaled so that a mean digit scores, on average,
    ``CLASS_MARGIN`` more for its own class than for the others.
    """
    layer = functools.partial(backprop.gradient_flow, stride=stride, pooling=pooling)
    maps = np.stack([layer(mean, app_kernel(kernel_size))["output"] for mean in _digits()[2]])
    units = maps / np.maximum(np.linalg.norm(maps.reshape(10, -1), axis=1), 1e-12)[:, None, None]
    templates = units - units.mean(axis=0)
    scores = maps.reshape(10, -1) @ templates.reshape(10, -1).T  # mean digit x class
    margin = np.trace(scores) / 10 - (scores.sum() - np.trace(scores)) / 90
    return templates * CLASS_MARGIN / max(margin, 1e-12)


def flow(
    *,
    kernel_size: int = 3,
    stride: int = 1,
    pooling: str = "max",
    target: str = "pixel",
    row: int = 0,
    col: int = 0,
    label: int | None = None,
    image=None,
) -> dict:
    """One forward and backward pass of the app's layer, with the summary the app shows.

    Parameters
    ----------
    kernel_size, stride : int, default 3 and 1
        Side of the filter (:func:`app_kernel`) and the convolution's stride.
    pooling : {"max", "avg", "none"}, default "max"
        2x2 pooling with stride 2 after the ReLU, or none.
    target : {"pixel", "class"}, default "pixel"
        ``"pixel"``: differentiate the output pixel ``(row, col)``. ``"class"``: differentiate
        the cross-entropy loss for ``label`` of a template classifier: the score of digit ``c``
        is the dot product of the output with a template made from the output of the mean
        training digit ``c``, a stand-in for a trained dense layer.
    row, col : int
        The output pixel (``target="pixel"``).
    label : int, optional
        The class of the loss (``target="class"``); the digit's true label by default.
    image : array_like of shape ``(H, W)``, optional
        Floats in [0, 1]; by default the test digit ``DIGIT``.

    Returns
    -------
    dict
        What :func:`cnn_lessons.backprop.gradient_flow` returns (``output`` ``(h, w)``,
        ``image_gradient`` ``(H, W)``, ...), plus ``image``, ``kernel``, ``settings``, ``loss``
        and ``probabilities`` ``(10,)`` (``None`` for a pixel) and ``summary``. A ``ValueError``
        says why for settings the layer cannot compute (e.g. a pixel outside the output).
    """
    digits, labels, _ = _digits()
    if image is None:
        image, true_label = digits[DIGIT], int(labels[DIGIT])
    else:
        image, true_label = _validate.real_array(image, "image").astype(np.float64), None
    _validate.one_of(target, "target", ("pixel", "class"))
    label = true_label if label is None else _validate.integer(label, "label", minimum=0, maximum=9)
    kernel = app_kernel(kernel_size)
    layer = functools.partial(backprop.gradient_flow, image, kernel, stride=stride, pooling=pooling)
    loss = probabilities = None
    gradient = (row, col)  # the output pixel, or dL/d output of the class loss
    if target == "class":
        if label is None:
            raise ValueError("target 'class' needs a label (0-9) for an image of your own")
        templates = _templates(kernel_size, stride, pooling)
        loss, probabilities, gradient = backprop.class_loss_gradient(
            layer()["output"], templates, label
        )
    result = layer(target=gradient)
    settings = {"kernel_size": kernel.shape[0], "stride": stride, "pooling": pooling}
    settings.update(target=target, row=row, col=col, label=label)
    result.update(
        image=image, kernel=kernel, loss=loss, probabilities=probabilities, settings=settings
    )
    result["summary"] = _summary(result)
    return result


def _summary(result: dict) -> str:
    settings = result["settings"]
    height, width = result["output"].shape
    reach = (
        f"reaches {result['conv_pixels']} convolution pixel(s), {result['input_pixels']} input "
        f"pixels and {result['kernel_weights']} of {settings['kernel_size'] ** 2} kernel weights"
    )
    if settings["target"] == "class":
        chance = result["probabilities"][settings["label"]]
        return (
            f"loss for class {settings['label']}: {result['loss']:.2f} (p = {chance:.2f}); "
            f"its gradient {reach}"
        )
    pixel = f"output {height} x {width}, pixel ({settings['row']}, {settings['col']})"
    if result["conv_pixels"] == 0:
        return (
            f"{pixel} = {result['output'][settings['row'], settings['col']]:.2f}: the ReLU is "
            "off there (its input is not positive), so no gradient flows back at all"
        )
    return f"{pixel}: its gradient {reach}"


# --- drawing ------------------------------------------------------------------------------------

#: The panels, row by row: the forward pass on top, each quantity's gradient under it.
#: Each is ``(result key, name, colour scale)``.
PANELS = (
    ("image", "input x", "gray"),
    ("kernel", "kernel K", "signed"),
    ("feature_map", "conv + ReLU", "magnitude"),
    ("output", "output", "magnitude"),
    ("image_gradient", "dL/dx", "signed"),
    ("kernel_gradient", "dL/dK", "signed"),
    ("pre_activation_gradient", "dL/d(conv)", "signed"),
    ("output_gradient", "dL/d output", "signed"),
)
#: The grey input on [0, 1]; never-negative maps from 0 (black) to their largest value
#: (yellow); values of either sign from -largest (blue) through 0 (white) to +largest (red).
COLOUR_MAPS = {"gray": "gray", "magnitude": "magma", "signed": "RdBu_r"}
#: Panels with a cyan box around the non-zero entries of a gradient: panel -> gradient.
FRAMED = dict.fromkeys((0, 4), "image_gradient") | dict.fromkeys((2, 6), "pre_activation_gradient")
ZOOMABLE = (4, 6)  # dL/dx and dL/d(conv), zero outside their box
_READING = (
    "The forward pass on top, the gradient of each quantity below it; each panel has its own "
    "colour scale, given in its title"
)
_RAMP = np.linspace(1.0, 0.0, 128)[:, np.newaxis]  # a colour bar, top to bottom


def _flow_canvas() -> Canvas:
    """Eight panels in two rows of four; the draw function adds the rest on first use."""
    canvas = Canvas(8, figsize=(10.4, 5.0))
    grid = canvas.figure.add_gridspec(
        2, 4, left=0.01, right=0.95, top=0.9, bottom=0.02, wspace=0.3, hspace=0.2
    )
    for index, ax in enumerate(canvas.axes):
        ax.set_subplotspec(grid[divmod(index, 4)])
    return canvas


def _scale(kind: str, values: np.ndarray) -> tuple[float, float, str]:
    """``(low, high, text)`` of a panel's colour scale; ``text`` goes in its title."""
    if kind == "gray":
        return 0.0, 1.0, "0 to 1"
    if kind == "magnitude":
        high = float(values.max()) or 1.0
        return 0.0, high, f"0 to {high:.2g}"
    limit = plots.symmetric_limit(values)
    return -limit, limit, f"±{limit:.2g}"


def _colour_bar(canvas: Canvas, index: int, cmap: str) -> None:
    """A strip of the colour map right of panel ``index``, made once.

    A ramp image in the panel's own Axes: a Matplotlib ``colorbar`` (an Axes with ticks,
    recomputed on each change) tripled the redraw time. The numbers are in the panel's title.
    """
    key = f"colour bar {index}"
    if key not in canvas.artists:
        ax = canvas.axes[index]
        place = {"extent": (1.04, 1.11, 0.0, 1.0), "transform": ax.transAxes, "clip_on": False}
        canvas.artists[key] = ax.imshow(_RAMP, cmap=cmap, vmin=0, vmax=1, **place)


def _bounds(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(top, left, bottom, right)`` of the non-zero entries of ``mask``, or None."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return (int(rows[0]), int(cols[0]), int(rows[-1]), int(cols[-1])) if rows.size else None


def _box(canvas: Canvas, index: int, bounds) -> None:
    """The cyan box of panel ``index`` around ``bounds``; hidden when ``bounds`` is None."""
    key = f"box {index}"
    if key not in canvas.artists:
        box = Rectangle((0, 0), 1, 1, fill=False, edgecolor="cyan", linewidth=1.3)
        canvas.artists[key] = canvas.axes[index].add_patch(box)
    box = canvas.artists[key]
    box.set_visible(bounds is not None)
    if bounds is not None:
        top, left, bottom, right = bounds
        box.set_bounds(left - 0.5, top - 0.5, right - left + 1, bottom - top + 1)


def _limit(ax, shape: tuple[int, int], bounds=None) -> None:
    """Show the whole map, or only ``bounds`` and ``ZOOM_MARGIN`` pixels around them."""
    top, left, bottom, right = bounds or (0, 0, shape[0] - 1, shape[1] - 1)
    margin = ZOOM_MARGIN if bounds else 0
    ax.set_xlim(max(left - margin, 0) - 0.5, min(right + margin, shape[1] - 1) + 0.5)
    ax.set_ylim(min(bottom + margin, shape[0] - 1) + 0.5, max(top - margin, 0) - 0.5)


def _kernel_values(canvas: Canvas, gradient: np.ndarray) -> None:
    """The kernel gradient's values written in its cells (kernels up to 3x3)."""
    texts = canvas.artists.setdefault("kernel values", [])
    while len(texts) < 9:
        texts.append(canvas.axes[5].text(0, 0, "", ha="center", va="center", fontsize=7))
    strong = 0.6 * float(np.abs(gradient).max())
    cells = list(np.ndenumerate(gradient)) if gradient.size <= 9 else []
    for position, text in enumerate(texts):
        text.set_visible(position < len(cells))
        if position < len(cells):
            (row, col), value = cells[position]
            text.set_position((col, row))
            text.set_text(f"{value:.2f}")
            text.set_color("white" if strong and abs(value) > strong else "black")


def draw_flow(result: dict, canvas: Canvas) -> None:
    """Draw a :func:`flow` result on the app's canvas: eight panels in two rows.

    Each panel has its own colour scale, a strip on its right and its range in its title. With
    ``result["zoom"]`` true, the ``dL/dx`` and ``dL/d(conv)`` panels show only their cyan box
    and ``ZOOM_MARGIN`` pixels around it (every gradient outside the box is 0).
    """
    settings = result["settings"]
    for index, (key, name, kind) in enumerate(PANELS):
        values, ax = result[key], canvas.axes[index]
        low, high, scale = _scale(kind, values)
        canvas.image(key, ax, values, cmap=COLOUR_MAPS[kind], vmin=low, vmax=high)
        _colour_bar(canvas, index, COLOUR_MAPS[kind])
        bounds = _bounds(result[FRAMED[index]] != 0) if index in FRAMED else None
        if index == 3:  # the output: its size, and the pixel whose gradient is shown
            name = f"output {values.shape[0]}x{values.shape[1]}"
            pixel = settings["target"] == "pixel"
            bounds = (settings["row"], settings["col"]) * 2 if pixel else None
        if index in FRAMED or index == 3:
            _box(canvas, index, bounds)
        zoomed = index in ZOOMABLE and result.get("zoom", False) and bounds is not None
        _limit(ax, values.shape, bounds if zoomed else None)
        canvas.titles[index].set_text(f"{name}{', zoomed' if zoomed else ''}: {scale}")
    _kernel_values(canvas, result["kernel_gradient"])


def flow_figure(result: dict, *, zoom: bool = False) -> Figure:
    """A new figure of a :func:`flow` result, as the app draws it (for a lesson's static figure).

    Parameters
    ----------
    result : dict
        What :func:`flow` returned.
    zoom : bool, default False
        Zoom the ``dL/dx`` and ``dL/d(conv)`` panels in on their boxes.

    Returns
    -------
    matplotlib.figure.Figure
        A bare figure (not managed by pyplot), 10.4 x 5 inches, with a title on the colours.
    """
    canvas = _flow_canvas()
    draw_flow({**result, "zoom": zoom}, canvas)
    canvas.figure.suptitle(_READING.lower(), fontsize=9, y=0.995)
    return canvas.figure


# --- the app ------------------------------------------------------------------------------------


def _flow_step(image, *, zoom, **settings) -> dict:
    """The app's compute: :func:`flow` on the app's digit, and whether to zoom in."""
    return {**flow(**settings, image=image), "zoom": zoom}


def _flow_controls(row: int, col: int, side: int, label: int) -> dict:
    slider = {"style": {"description_width": "initial"}, "layout": {"width": "230px"}}

    def slider_for(name, value, low, high):
        return ipywidgets.IntSlider(value=value, min=low, max=high, description=name, **slider)

    def dropdown(name, options, value):
        return ipywidgets.Dropdown(
            options=options, value=value, description=name, layout={"width": "200px"}
        )

    return {
        "kernel_size": slider_for("kernel_size", 3, 1, 7),
        "stride": slider_for("stride", 1, 1, 3),
        "pooling": dropdown("pooling", POOLINGS, "max"),
        "target": ipywidgets.ToggleButtons(options=TARGETS, value="pixel"),
        "row": slider_for("row", row, 0, side - 1),
        "col": slider_for("col", col, 0, side - 1),
        "label": dropdown("class", list(range(10)), label),
        "zoom": ipywidgets.Checkbox(
            value=True, description="zoom dL/dx and dL/d(conv) in on their boxes", indent=False
        ),
    }


def gradient_flow_explorer(*, digit: int = DIGIT) -> App:
    """Pick an output pixel (or a class loss) and see where its gradient flows.

    The figure shows the forward pass of ``conv -> ReLU -> 2x2 pooling`` on a test digit (top
    row) and, under each array, the gradient with respect to it, each panel with its own colour
    bar. Cyan boxes frame the pixels that receive gradient; ``zoom`` shows only that
    neighbourhood in the gradient panels. The computing is :func:`flow`.

    Parameters
    ----------
    digit : int, default ``DIGIT``
        Index of the MNIST-5k test digit to show.

    Returns
    -------
    App
        Controls ``kernel_size`` (1-7), ``stride`` (1-3), ``pooling``, ``target``
        (``"pixel"``/``"class"``), ``row``, ``col`` (the output pixel), ``label`` (the class of
        the loss) and ``zoom``. ``result`` is what :func:`flow` returns, plus ``zoom``.
    """
    digits, labels, _ = _digits()
    digit = _validate.integer(digit, "digit", minimum=0, maximum=len(digits) - 1)
    image, true_label = digits[digit], int(labels[digit])
    # Start on the brightest output pixel: it is on a stroke, so its ReLU lets gradient through.
    output = flow(image=image, label=true_label)["output"]
    row, col = (int(index) for index in np.unravel_index(np.argmax(output), output.shape))
    controls = _flow_controls(row, col, output.shape[0], true_label)
    geometry = ("kernel_size", "stride", "pooling")

    def match_ranges(change=None):
        pixel = controls["target"].value == "pixel"
        controls["row"].disabled = controls["col"].disabled = not pixel
        controls["label"].disabled = pixel
        kernel_size, stride, pooling = (controls[name].value for name in geometry)
        side = conv.output_size(image.shape[0], kernel_size, stride=stride)  # legal on 28 x 28
        side = side if pooling == "none" else side // 2
        controls["row"].max = controls["col"].max = side - 1  # also clamps the values

    match_ranges()
    return App(
        controls,
        functools.partial(_flow_step, image),
        draw_flow,
        canvas=_flow_canvas(),
        title=f"Where does the gradient flow? {_READING}",
        reactions=dict.fromkeys((*geometry, "target"), match_ranges),
    )
