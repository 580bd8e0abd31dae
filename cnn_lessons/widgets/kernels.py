"""Convolution lesson: slide an editable kernel over a photo (the kernel playground)."""

from __future__ import annotations

import functools

import ipywidgets
import numpy as np

from cnn_lessons import _arrays, conv, data, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas

PHOTOS = ("chelsea", "astronaut", "coffee", "camera", "brick")
YOUR_IMAGE = "your image"
OPERATIONS = ("correlation", "convolution")
CHANNELS = ("grayscale", "RGB")


def preset_weights(name: str, size: int) -> tuple[np.ndarray, bool]:
    """Integer weights of a named kernel at ``size`` x ``size``, and whether to normalise them.

    Blurs are stored as integers plus "normalise" (the 1/9 of the box blur is 1 in every cell,
    divided by the sum, 9), as in setosa's image-kernel explainer. At 5x5 the box blur and the
    Gaussian are genuine 5x5 blurs (weights 1, and the binomial 1 4 6 4 1 squared); every other
    preset sits in the centre of a ring of zeros, which changes nothing until you edit it.

    Returns
    -------
    weights : numpy.ndarray of shape ``(size, size)``
    normalize : bool
    """
    kernel = np.asarray(conv.KERNELS[name], dtype=float)
    if size == 5 and name == "box_blur":
        kernel = np.full((5, 5), 1 / 25)
    elif size == 5 and name == "gaussian":
        kernel = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256
    elif size == 5:
        kernel = np.pad(kernel, 1)
    scale = next((m for m in range(1, 257) if np.allclose(kernel * m, np.round(kernel * m))), 1)
    return np.round(kernel * scale), scale > 1


def filter_photo(
    picture,
    weights,
    *,
    normalize: bool = False,
    padding: str = "valid",
    operation: str = "correlation",
    channels: str = "grayscale",
    name: str = "the photo",
    preset: str | None = None,
    bias: float = 0.0,
    relu: bool = False,
) -> dict:
    """Filter a photo with a kernel, as the playground shows it.

    Parameters
    ----------
    picture : array_like of shape ``(H, W)`` (``channels="grayscale"``) or ``(H, W, 3)``
    weights : array_like of shape ``(k, k)``
        The kernel, before normalising.
    normalize : bool, default False
        Divide the weights by their sum (when it is not 0).
    padding : {"valid", "same"}
    operation : {"correlation", "convolution"}
        Cross-correlation (what Keras computes) or true convolution (kernel flipped).
    channels : {"grayscale", "RGB"}
        RGB filters each colour channel with the same kernel.
    name : str
        The photo's name, for messages.
    preset : str, optional
        The preset the weights came from: the label says whether they were edited.
    bias : float, default 0.0
        Added to every output value, as a Conv2D layer adds its bias.
    relu : bool, default False
        Set negative outputs (after the bias) to 0, as a ReLU activation does.

    Returns
    -------
    dict
        ``image``, ``kernel`` (after normalising), ``label``, ``operation``, ``output`` (after
        the bias and the ReLU), ``shape`` (with a channel axis), ``display`` (the output as
        drawn, in [0, 1]), ``bias``, ``relu`` and ``summary``.
    """
    picture = _arrays.photo(picture, name=name)
    kernel = np.asarray(weights, dtype=float)
    if not np.isfinite(kernel).all():
        raise ValueError("every kernel weight must be a finite number, got NaN or infinity")
    size = kernel.shape[0]
    label = preset or "kernel"
    if preset is not None and not np.array_equal(kernel, preset_weights(preset, size)[0]):
        label = f"edited {preset}"
    kernel, notes = _normalized(kernel, normalize)
    slide = conv.convolve2d if operation == "convolution" else conv.conv2d
    if channels == "RGB":
        if picture.ndim == 2:
            raise ValueError(
                f"{name} is a grayscale photo (one channel): there are no colour channels "
                "to filter; choose channels = grayscale, or a colour photo such as chelsea"
            )
        output = np.stack(
            [slide(picture[..., c], kernel, padding=padding) for c in range(3)], axis=-1
        )
    else:
        picture = _arrays.grayscale(picture)
        output = slide(picture, kernel, padding=padding)
    bias = float(bias)
    if not np.isfinite(bias):
        raise ValueError(f"bias must be a finite number, got {bias}")
    if bias:
        output = output + bias
        notes.append(f"bias {bias:+g} added")
    if relu:
        notes.append(f"ReLU: {np.mean(output < 0):.0%} of values (the negative ones) set to 0")
        output = np.maximum(output, 0)
    display = _displayed(output, kernel, notes)
    shape = output.shape if output.ndim == 3 else (*output.shape, 1)
    return {
        "image": picture,
        "kernel": kernel,
        "label": label,
        "operation": operation,
        "output": output,
        "shape": shape,
        "display": display,
        "bias": bias,
        "relu": bool(relu),
        "summary": _summary(picture, shape, size, padding, operation, channels, notes),
    }


def _normalized(kernel: np.ndarray, normalize: bool) -> tuple[np.ndarray, list[str]]:
    total = float(kernel.sum())
    if normalize and abs(total) > 1e-12:
        return kernel / total, [f"weights divided by their sum, {total:g}"]
    if normalize:
        return kernel, ["weights sum to 0: nothing to normalise"]
    return kernel, []


def _displayed(output: np.ndarray, kernel: np.ndarray, notes: list[str]) -> np.ndarray:
    """Edge detectors (weights summing to 0) centred on mid-grey; the rest clipped to [0, 1].

    An edge detector's output is scaled by the 99th percentile of its magnitudes, as the
    convolution lesson's gallery does: scaled by the maximum, a few strong edges would leave
    everything else grey. The brightest 1% saturate. After a ReLU (nothing negative left),
    0 is black instead of mid-grey.
    """
    if abs(kernel.sum()) < 1e-9:
        scale = float(np.percentile(np.abs(output), 99)) or float(np.abs(output).max()) or 1.0
        how = "(the 99th percentile of |value|; the strongest 1% saturate)"
        if output.min() >= 0:
            notes.append(f"black = 0, white = +{scale:.2g} {how}")
            return np.clip(output / scale, 0, 1)
        notes.append(f"mid-grey = 0, white = +{scale:.2g} {how}")
        return np.clip(0.5 + output / (2 * scale), 0, 1)
    clipped = float(np.mean((output < 0) | (output > 1)))
    if clipped > 0.01:
        notes.append(f"{clipped:.0%} of values clipped to [0, 1]")
    return np.clip(output, 0, 1)


def _summary(picture, shape, size, padding, operation, channels, notes) -> str:
    height, width = picture.shape[:2]
    border = (
        f"valid: {height}x{width} shrinks by {size - 1}"
        if padding == "valid"
        else "same: zero padding keeps the size"
    )
    verb = "convolution (kernel flipped)" if operation == "convolution" else "cross-correlation"
    what = (
        f"the same {size}x{size} kernel on R, G and B separately"
        if channels == "RGB"
        else f"one {size}x{size} kernel on the grayscale photo"
    )
    summary = f"output {shape[0]} x {shape[1]} x {shape[2]}: {verb} with {what}; {border}"
    summary += "".join(f"; {note}" for note in notes)
    if channels == "RGB":
        summary += (
            f" (a Conv2D filter would instead hold {size}x{size}x3 weights and add the three"
            " channels into one map)"
        )
    return summary


def draw_filtered(result: dict, canvas: Canvas) -> None:
    """Input, kernel (weights written in the cells) and output, side by side."""
    picture, kernel = result["image"], result["kernel"]
    canvas.image("input", canvas.axes[0], picture)
    canvas.titles[0].set_text(f"input {'x'.join(map(str, picture.shape))}")
    _draw_kernel(canvas, kernel)
    flipped = " (flipped before sliding)" if result["operation"] == "convolution" else ""
    canvas.titles[1].set_text(f"kernel: {result['label']}{flipped}")
    canvas.image("output", canvas.axes[2], result["display"])
    bias = f" {result['bias']:+g}" if result.get("bias") else ""
    relu = ", ReLU" if result.get("relu") else ""
    canvas.titles[2].set_text(f"output {'x'.join(map(str, result['shape']))}{bias}{relu}")


def _draw_kernel(canvas: Canvas, kernel: np.ndarray) -> None:
    """The kernel's cells with their weights; updated in place while the size stays the same."""
    ax, shown = canvas.axes[1], canvas.artists.get("kernel")
    fmt = ".2g" if np.allclose(kernel, np.round(kernel)) else ".2f"
    if shown is None or shown.get_array().shape != kernel.shape:
        canvas.clear(ax)
        plots.plot_kernel(kernel, ax, fmt=fmt)
        canvas.artists["kernel"] = ax.images[0]
        return
    limit = plots.symmetric_limit(kernel)
    shown.set_data(kernel)
    shown.set_clim(-limit, limit)
    texts = [text for text in ax.texts if text is not canvas.titles[1]]
    for text, (label, color) in zip(texts, plots.kernel_labels(kernel, fmt=fmt), strict=True):
        text.set_text(label)
        text.set_color(color)


@functools.cache
def _sample(name: str, gray: bool) -> np.ndarray:
    return data.sample_image(name, size=128, gray=gray)


def _filter_step(
    own, image, preset, size, normalize, padding, operation, channels, bias, relu, **cells
):
    """The app's compute: the photo named by ``image`` and the weights in the cells."""
    weights = [[cells[f"cell_{row}_{col}"] for col in range(size)] for row in range(size)]
    picture = own if image == YOUR_IMAGE else _sample(image, channels == "grayscale")
    return filter_photo(
        picture,
        weights,
        normalize=normalize,
        padding=padding,
        operation=operation,
        channels=channels,
        name=image,
        preset=preset,
        bias=bias,
        relu=relu,
    )


def _kernel_controls(names) -> tuple[dict, list]:
    dropdown = {"style": {"description_width": "70px"}, "layout": {"width": "230px"}}
    cells = [
        [
            ipywidgets.FloatText(
                value=0.0, step=0.5, layout={"width": "62px"}, continuous_update=False
            )
            for _ in range(5)
        ]
        for _ in range(5)
    ]
    controls = {
        "image": ipywidgets.Dropdown(
            options=names, value=names[0], description="image", **dropdown
        ),
        "preset": ipywidgets.Dropdown(
            options=list(conv.KERNELS), value="sharpen", description="preset", **dropdown
        ),
        "size": ipywidgets.Dropdown(
            options=[("3x3", 3), ("5x5", 5)], value=3, description="size", **dropdown
        ),
        "normalize": ipywidgets.Checkbox(value=False, description="normalize", indent=False),
        "padding": ipywidgets.Dropdown(
            options=["valid", "same"], value="valid", description="padding", **dropdown
        ),
        "operation": ipywidgets.Dropdown(options=OPERATIONS, description="operation", **dropdown),
        "channels": ipywidgets.Dropdown(options=CHANNELS, description="channels", **dropdown),
        "bias": ipywidgets.FloatSlider(
            value=0.0,
            min=-1.0,
            max=1.0,
            step=0.05,
            description="bias",
            continuous_update=False,
            **dropdown,
        ),
        "relu": ipywidgets.Checkbox(value=False, description="ReLU after the kernel", indent=False),
        **{f"cell_{row}_{col}": cells[row][col] for row in range(5) for col in range(5)},
    }
    return controls, cells


def kernel_playground(image=None) -> App:
    """Slide an editable 3x3 or 5x5 kernel over a photo: input, kernel and output side by side.

    Choose a preset (it fills the kernel's cells, and ticks ``normalize`` for the blurs, whose
    cells hold integers), edit any cell, normalise the weights, pick valid or same borders,
    cross-correlation (what Keras computes) or true convolution (kernel flipped first), and
    grayscale or RGB (the same kernel filters each colour channel on its own). Changing
    ``size`` reloads the preset at the new size. A preset change redraws once, not once per
    cell. The computing is :func:`filter_photo`.

    Output values are shown as they are, clipped to [0, 1], except for kernels whose weights sum
    to 0 (edge detectors): their output is centred on mid-grey (0) and scaled by the 99th
    percentile of its magnitudes (the strongest 1% saturate), so negative and positive
    responses are both visible; the summary says so. A ``bias`` is added to every output value
    and ``relu`` then sets the negative ones to 0, as in a Conv2D layer with a ReLU.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, 3)``, optional
        A photo of your own (integers scaled to [0, 1]; floats used as they are), at most 512
        pixels a side; offered first in the ``image`` menu. By default the menu offers a few
        bundled photos at 128x128.

    Returns
    -------
    App
        Controls ``image``, ``preset``, ``size`` (3 or 5), ``normalize``, ``padding``,
        ``operation``, ``channels``, ``bias`` (-1 to 1), ``relu`` and the kernel cells
        ``cell_<row>_<col>`` (rows and columns 0-4; only the top-left ``size`` x ``size`` are
        used and shown), also available as ``app.cells`` (5x5 nested list). ``result`` is
        what :func:`filter_photo` returns.
    """
    own = None if image is None else _arrays.photo(image)
    controls, cells = _kernel_controls(PHOTOS if own is None else (YOUR_IMAGE, *PHOTOS))
    grid = ipywidgets.GridBox(layout={"grid_gap": "2px"})

    def fill_cells(change=None):
        size = controls["size"].value
        weights, normalize = preset_weights(controls["preset"].value, size)
        for row in range(5):
            for col in range(5):
                inside = row < size and col < size
                cells[row][col].value = float(weights[row, col]) if inside else 0.0
        controls["normalize"].value = normalize
        grid.children = [cells[row][col] for row in range(size) for col in range(size)]
        grid.layout.grid_template_columns = f"repeat({size}, 62px)"

    fill_cells()
    columns = (
        ["image", "preset", "size", "normalize"],
        ["padding", "operation", "channels", "bias", "relu"],
    )
    app = App(
        controls,
        functools.partial(_filter_step, own),
        draw_filtered,
        canvas=Canvas(3, figsize=(8.4, 2.9)),
        title="Image kernels: edit the weights, watch the output",
        reactions={"preset": fill_cells, "size": fill_cells},
        layout=[
            *(ipywidgets.VBox([controls[name] for name in column]) for column in columns),
            ipywidgets.VBox([ipywidgets.HTML("kernel weights (edit any cell):"), grid]),
        ],
    )
    app.cells = cells
    return app
