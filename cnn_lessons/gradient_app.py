"""Where does the gradient flow? The app of the "How a CNN learns" lesson.

A digit goes through one small layer, ``conv (one k x k filter, valid) -> ReLU -> 2x2
pooling``.  The learner picks what to differentiate: one pixel of the output, or the
cross-entropy loss of one class (a template classifier on the output, see :func:`flow`), and
sees which input pixels and which kernel weights receive gradient, and how much.

The figure has the forward pass on top (input, kernel, convolution + ReLU, pooled output) and
each gradient underneath the quantity it belongs to.  Computing is done by
:func:`cnn_lessons.backprop.gradient_flow` (pure NumPy); this module only prepares its inputs,
draws, and wires the controls with :func:`cnn_lessons.widgets.make_app`.
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cnn_lessons import _validate, backprop, conv, data
from cnn_lessons.widgets import make_app

__all__ = ["app_kernel", "draw_flow", "flow", "gradient_flow_explorer"]

POOLINGS = (("max 2x2", "max"), ("average 2x2", "avg"), ("none", "none"))
TARGETS = (("one output pixel", "pixel"), ("loss on one class", "class"))
DIGIT = 0  # index of the test digit the app shows by default
CLASS_MARGIN = 3.0  # a mean digit's score for its own class, minus the others' (average)


@lru_cache(maxsize=1)
def _digits():
    """The test digits and labels (floats in [0, 1]) and the mean training digit per class."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    means = np.stack([x_train[y_train == digit].mean(axis=0) for digit in range(10)]) / 255
    return x_test / 255.0, y_test, means


@lru_cache(maxsize=16)
def app_kernel(kernel_size: int) -> np.ndarray:
    """The app's filter for ``kernel_size``: fixed random weights, as at the start of training.

    He-normal values from a generator seeded with ``kernel_size`` (so every run shows the same
    filter), with the sign chosen so that the weights sum to a positive number: the filter then
    responds to the digit's strokes rather than to the background.

    Returns
    -------
    numpy.ndarray of float64, shape (kernel_size, kernel_size), read-only
    """
    kernel_size = _validate.positive_int(kernel_size, "kernel_size", maximum=28)
    generator = np.random.default_rng(kernel_size)
    kernel = generator.normal(0, np.sqrt(2 / kernel_size**2), (kernel_size, kernel_size))
    kernel = kernel if kernel.sum() >= 0 else -kernel
    kernel.setflags(write=False)
    return kernel


@lru_cache(maxsize=64)
def _templates(kernel_size: int, stride: int, pooling: str) -> np.ndarray:
    """The template classifier's weights for these settings: ``(10, h, w)``.

    Each class's mean training digit goes through the layer; its output, scaled to unit
    length, minus the average of the ten, is the class's template (the part all digits share
    tells the classes nothing).  The templates are scaled so that a mean digit scores, on
    average, ``CLASS_MARGIN`` more for its own class than for the others.
    """
    _, _, means = _digits()
    kernel = app_kernel(kernel_size)
    maps = np.stack(
        [
            backprop.gradient_flow(mean, kernel, stride=stride, pooling=pooling)["output"]
            for mean in means
        ]
    )
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
    image: np.ndarray | None = None,
) -> dict:
    """One forward and backward pass of the app's layer, with the texts the app shows.

    Parameters
    ----------
    kernel_size : int, default 3
        Side of the filter, :func:`app_kernel`.
    stride : int, default 1
        The convolution's stride.
    pooling : {"max", "avg", "none"}, default "max"
        2x2 pooling with stride 2 after the ReLU, or none.
    target : {"pixel", "class"}, default "pixel"
        ``"pixel"``: differentiate the output pixel ``(row, col)``.  ``"class"``: differentiate
        the cross-entropy loss for ``label`` of a template classifier: the score of digit
        ``c`` is the dot product of the output with a template made from the output of the
        mean training digit ``c`` (see ``_templates``), a stand-in for a trained dense layer.
    row, col : int
        The output pixel (``target="pixel"``).
    label : int, optional
        The class of the loss (``target="class"``); the digit's true label by default.
    image : array_like, shape (H, W), optional
        Floats in [0, 1]; by default the test digit ``DIGIT``.

    Returns
    -------
    dict
        Everything :func:`cnn_lessons.backprop.gradient_flow` returns, plus ``image``,
        ``kernel``, ``settings``, ``loss`` and ``probabilities`` (``None`` for a pixel) and
        ``summary``.
    """
    digits, labels, _ = _digits()
    if image is None:
        image, true_label = digits[DIGIT], int(labels[DIGIT])
    else:
        image, true_label = _validate.real_array(image, "image").astype(np.float64), None
    _validate.one_of(target, "target", ("pixel", "class"))
    label = true_label if label is None else _validate.integer(label, "label", minimum=0, maximum=9)
    kernel = app_kernel(kernel_size)
    loss = probabilities = None
    if target == "pixel":
        result = backprop.gradient_flow(
            image, kernel, stride=stride, pooling=pooling, target=(row, col)
        )
    else:
        loss, probabilities, result = _class_loss_flow(image, kernel, label, stride, pooling)
    settings = {"kernel_size": kernel.shape[0], "stride": stride, "pooling": pooling}
    settings.update(target=target, row=row, col=col, label=label)
    result.update(
        image=image, kernel=kernel, loss=loss, probabilities=probabilities, settings=settings
    )
    result["summary"] = _summary(result)
    return result


def _class_loss_flow(image, kernel, label, stride, pooling):
    """``(loss, probabilities, gradient_flow result)`` for the template classifier's loss."""
    if label is None:
        raise ValueError("target 'class' needs a label (0-9) for an image of your own")
    output = backprop.gradient_flow(image, kernel, stride=stride, pooling=pooling)["output"]
    templates = _templates(kernel.shape[0], stride, pooling)
    loss, probabilities, output_gradient = backprop.class_loss_gradient(output, templates, label)
    result = backprop.gradient_flow(
        image, kernel, stride=stride, pooling=pooling, target=output_gradient
    )
    return loss, probabilities, result


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


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------

_PANELS = (
    ("image", "input x"),
    ("kernel", "kernel K"),
    ("feature_map", "conv + ReLU"),
    ("output", "output"),
    ("image_gradient", "dL/dx"),
    ("kernel_gradient", "dL/dK"),
    ("pre_activation_gradient", "dL/d(conv), ReLU gate applied"),
    ("output_gradient", "dL/d output"),
)


def _new_figure():
    """A bare Figure with the eight panels, their images, titles and two outline boxes."""
    figure = Figure(figsize=(8.4, 4.4))
    axes = figure.subplots(
        2,
        4,
        gridspec_kw={
            "left": 0.01,
            "right": 0.99,
            "top": 0.9,
            "bottom": 0.02,
            "wspace": 0.1,
            "hspace": 0.22,
        },
    )
    artists = {"figure": figure, "images": {}, "titles": {}, "axes": {}, "texts": []}
    for ax, (key, title) in zip(axes.ravel(), _PANELS, strict=True):
        ax.set_xticks([])
        ax.set_yticks([])
        artists["axes"][key] = ax
        artists["images"][key] = ax.imshow(np.zeros((2, 2)), interpolation="nearest")
        artists["titles"][key] = ax.text(
            0.5, 1.02, title, transform=ax.transAxes, ha="center", va="bottom", fontsize=8
        )
    artists["field"] = artists["axes"]["image"].add_patch(
        Rectangle((0, 0), 1, 1, fill=False, edgecolor="cyan", linewidth=1.2)
    )
    artists["routed"] = artists["axes"]["feature_map"].add_patch(
        Rectangle((0, 0), 1, 1, fill=False, edgecolor="cyan", linewidth=1.2)
    )
    artists["pixel"] = artists["axes"]["output"].add_patch(
        Rectangle((0, 0), 1, 1, fill=False, edgecolor="cyan", linewidth=1.5)
    )
    figure.suptitle(
        "forward pass (top) and the gradient of each quantity (below it)", fontsize=9, y=0.99
    )
    return artists


def _put(artists: dict, key: str, values: np.ndarray, *, diverging: bool, cmap: str = "magma"):
    image = artists["images"][key]
    height, width = values.shape
    image.set_data(values)
    image.set_extent((-0.5, width - 0.5, height - 0.5, -0.5))
    if diverging:
        limit = float(np.abs(values).max()) or 1.0
        image.set_cmap("RdBu_r")
        image.set_clim(-limit, limit)
    else:
        image.set_cmap(cmap)
        image.set_clim(0, float(values.max()) or 1.0)
    ax = artists["axes"][key]
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)


def _outline(box: Rectangle, mask: np.ndarray) -> None:
    """Show ``box`` around the non-zero entries of ``mask``, or hide it when there are none."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    box.set_visible(rows.size > 0)
    if rows.size:
        box.set_bounds(cols[0] - 0.5, rows[0] - 0.5, cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)


def draw_flow(result: dict, artists: dict | None = None) -> Figure:
    """Draw a :func:`flow` result: forward pass on top, gradients below; returns the Figure.

    ``artists`` is the drawing state an app keeps between redraws (a new figure when omitted).
    """
    artists = _new_figure() if artists is None else artists
    _put(artists, "image", result["image"], diverging=False, cmap="gray")
    artists["images"]["image"].set_clim(0, 1)
    _put(artists, "kernel", result["kernel"], diverging=True)
    _put(artists, "feature_map", result["feature_map"], diverging=False)
    for key in ("image_gradient", "kernel_gradient", "pre_activation_gradient"):
        _put(artists, key, result[key], diverging=True)
    settings = result["settings"]
    pixel = settings["target"] == "pixel"
    _put(artists, "output", result["output"], diverging=False)
    _put(artists, "output_gradient", result["output_gradient"], diverging=True)
    _outline(artists["field"], result["image_gradient"] != 0)
    _outline(artists["routed"], result["pre_activation_gradient"] != 0)
    artists["pixel"].set_visible(pixel)
    if pixel:
        artists["pixel"].set_bounds(settings["col"] - 0.5, settings["row"] - 0.5, 1, 1)
    height, width = result["output"].shape
    artists["titles"]["output"].set_text(f"output {height}x{width}")
    for text in artists["texts"]:
        text.remove()
    artists["texts"] = []
    if settings["kernel_size"] <= 3:
        ax = artists["axes"]["kernel_gradient"]
        gradient = result["kernel_gradient"]
        strong = 0.6 * np.abs(gradient).max()
        for (row, col), value in np.ndenumerate(gradient):
            colour = "white" if strong and abs(value) > strong else "black"
            artists["texts"].append(
                ax.text(
                    col, row, f"{value:.2f}", ha="center", va="center", fontsize=7, color=colour
                )
            )
    return artists["figure"]


# ---------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------


def _output_side(size: int, kernel_size: int, stride: int, pooling: str) -> int | None:
    """Pixels per side of the output, or None when the settings are impossible."""
    try:
        side = conv.output_size(size, kernel_size, stride=stride)
    except ValueError:
        return None
    return side if pooling == "none" else side // 2 or None


def _controls(row: int, col: int, side: int, label: int) -> dict:
    slider = {"style": {"description_width": "initial"}, "layout": {"width": "230px"}}
    dropdown = {"layout": {"width": "200px"}}
    return {
        "kernel_size": widgets.IntSlider(
            value=3, min=1, max=7, description="kernel_size", **slider
        ),
        "stride": widgets.IntSlider(value=1, min=1, max=3, description="stride", **slider),
        "pooling": widgets.Dropdown(
            options=POOLINGS, value="max", description="pooling", **dropdown
        ),
        "target": widgets.ToggleButtons(options=TARGETS, value="pixel"),
        "row": widgets.IntSlider(value=row, min=0, max=side - 1, description="row", **slider),
        "col": widgets.IntSlider(value=col, min=0, max=side - 1, description="col", **slider),
        "label": widgets.Dropdown(
            options=list(range(10)), value=label, description="class", **dropdown
        ),
    }


def gradient_flow_explorer(*, digit: int = DIGIT) -> widgets.VBox:
    """Pick an output pixel (or a class loss) and see where its gradient flows.

    Parameters
    ----------
    digit : int, default ``DIGIT``
        Index of the MNIST-5k test digit to show.

    Returns
    -------
    ipywidgets.VBox
        Controls ``kernel_size`` (1-7), ``stride`` (1-3), ``pooling``, ``target``
        (``"pixel"``/``"class"``), ``row``, ``col`` (the output pixel) and ``label`` (the
        class of the loss).  ``result`` is what :func:`flow` returns.
    """
    digits, labels, _ = _digits()
    digit = _validate.integer(digit, "digit", minimum=0, maximum=len(digits) - 1)
    image, true_label = digits[digit], int(labels[digit])
    # Start on the brightest output pixel: it is on a stroke, so its ReLU lets gradient through.
    output = flow(image=image, label=true_label)["output"]
    row, col = (int(index) for index in np.unravel_index(np.argmax(output), output.shape))
    controls = _controls(row, col, output.shape[0], true_label)
    geometry = ("kernel_size", "stride", "pooling")
    holding = [False]  # True while row/col ranges change: no redraw for that

    def match_ranges(change=None):
        pixel = controls["target"].value == "pixel"
        controls["row"].disabled = controls["col"].disabled = not pixel
        controls["label"].disabled = pixel
        side = _output_side(image.shape[0], *(controls[name].value for name in geometry))
        if side is None:
            return  # flow explains the problem; the sliders keep their range
        holding[0] = True
        try:
            for name in ("row", "col"):
                controls[name].max = side - 1  # also clamps the value
        finally:
            holding[0] = False

    # Registered before make_app's observers, so the ranges are right before each redraw.
    for name in (*geometry, "target"):
        controls[name].observe(match_ranges, names="value")
    match_ranges()
    artists = _new_figure()

    def compute(**values):
        return flow(**values, image=image)

    app = make_app(
        controls,
        compute,
        lambda result: draw_flow(result, artists),
        title="Where does the gradient flow?",
    )

    def update_unless_holding(change=None):
        if not holding[0]:
            app.update()

    for name in ("row", "col"):
        controls[name].unobserve(app.update, names="value")
        controls[name].observe(update_unless_holding, names="value")
    return app
