"""Stride and padding lesson: convolution arithmetic, live (the arithmetic explorer)."""

from __future__ import annotations

import functools

import ipywidgets
import numpy as np

from cnn_lessons import _arrays, conv, data, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import DPI, Canvas

PADDING_MODES = ("valid", "same", "explicit")


@functools.cache
def keras_output_shape(height, width, kernel_size, stride, padding, dilation) -> tuple:
    """The output shape Keras reports for a one-filter convolution of an ``(H, W, 1)`` input.

    ``keras.layers.Conv2D(...).compute_output_shape`` does arithmetic only (no layer is run),
    but building the layer still takes a moment, so each setting is asked once. An int
    ``padding`` is Keras' ``ZeroPadding2D(padding)`` followed by a ``"valid"`` ``Conv2D``.
    """
    import keras

    shape = (None, height, width, 1)
    if not isinstance(padding, str):
        shape = keras.layers.ZeroPadding2D(padding).compute_output_shape(shape)
    layer = keras.layers.Conv2D(
        1,
        kernel_size,
        strides=stride,
        padding=padding if isinstance(padding, str) else "valid",
        dilation_rate=dilation,
    )
    return tuple(layer.compute_output_shape(shape))


def size_formula(input_size, kernel_size, *, stride, padding, dilation) -> str:
    """The output-size relation with the numbers filled in, as one line of text.

    Examples
    --------
    >>> size_formula(7, 3, stride=2, padding=1, dilation=1)
    'floor((7 + 2*1 - 3) / 2) + 1 = 4'
    """
    out = conv.output_size(
        input_size, kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    if padding == "same":
        before, after = conv.padding_amounts(
            input_size, kernel_size, stride=stride, padding=padding, dilation=dilation
        )
        return (
            f"same: ceil({input_size} / {stride}) = {out}, "
            f"padding {before} before and {after} after"
        )
    span = conv.effective_kernel_size(kernel_size, dilation)
    prefix = f"k_eff = {dilation}*({kernel_size} - 1) + 1 = {span}; " if dilation > 1 else ""
    pixels = 0 if padding == "valid" else padding
    return f"{prefix}floor(({input_size} + 2*{pixels} - {span}) / {stride}) + 1 = {out}"


def conv_arithmetic(
    photo, *, input_size, kernel_size, stride=1, padding=0, dilation=1, step=0
) -> dict:
    """One setting of the arithmetic explorer: the grid, the formula and the same on a photo.

    Parameters
    ----------
    photo : array_like of shape ``(H, W)``
        Filtered with a ``kernel_size`` box blur under the same settings.
    input_size, kernel_size, stride, dilation : int
    padding : {"valid", "same"} or int
        As in :func:`cnn_lessons.conv.output_size`.
    step : int
        The kernel position shown, from 0 to ``output_size ** 2 - 1``.

    Returns
    -------
    dict
        ``output_size``, ``padding_amounts`` (before, after), ``formula``, ``step``, ``window``
        (top-left corner of the kernel in the padded grid), ``settings``, ``photo``, ``output``
        (the filtered photo), ``shape``, ``keras_shape``, ``agrees`` and ``summary``.
    """
    if stride > 1 and dilation > 1:
        raise ValueError(
            f"Keras does not allow stride > 1 together with dilation > 1 (Conv2D raises a "
            f"ValueError for strides={stride}, dilation_rate={dilation}); set one of them "
            "to 1. The maths is defined (conv.conv2d and tf.nn.conv2d compute it), but no "
            "Keras layer does it"
        )
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    out = conv.output_size(input_size, kernel_size, **geometry)
    if not 0 <= step < out * out:
        raise ValueError(f"step must be between 0 and {out * out - 1}, got {step}")
    kernel = np.full((kernel_size, kernel_size), 1 / kernel_size**2, dtype=np.float32)
    try:
        filtered = conv.conv2d(photo, kernel, **geometry)
    except ValueError as error:
        raise ValueError(f"the grid works, but not on the photo: {error}") from None
    reported = keras_output_shape(*photo.shape, kernel_size, stride, padding, dilation)
    agrees = tuple(reported[1:3]) == filtered.shape
    layer = "Conv2D" if isinstance(padding, str) else f"ZeroPadding2D({padding}) + Conv2D(valid)"
    formula = size_formula(input_size, kernel_size, **geometry)
    row, col = divmod(step, out)
    return {
        "output_size": out,
        "padding_amounts": conv.padding_amounts(input_size, kernel_size, **geometry),
        "formula": formula,
        "step": step,
        "window": (row * stride, col * stride),
        "settings": {"input_size": input_size, "kernel_size": kernel_size, **geometry},
        "photo": photo,
        "output": filtered,
        "shape": filtered.shape,
        "keras_shape": reported,
        "agrees": agrees,
        "summary": (
            f"output {out} x {out}: {formula} · photo {photo.shape[0]} x {photo.shape[1]} "
            f"→ {filtered.shape[0]} x {filtered.shape[1]}; Keras {layer} reports "
            f"{reported}: {'equal' if agrees else 'DIFFERENT'}"
        ),
    }


def draw_arithmetic(result: dict, canvas: Canvas) -> None:
    """Padded input with the kernel's taps, output grid, the photo and the filtered photo."""
    settings, out, step = result["settings"], result["output_size"], result["step"]
    canvas.clear(*canvas.axes[:2])
    plots.plot_conv_grid(
        settings["input_size"],
        settings["kernel_size"],
        stride=settings["stride"],
        padding=result["padding_amounts"],
        dilation=settings["dilation"],
        step=step,
        axes=canvas.axes[:2],
        title="",
    )
    for ax in canvas.axes[:2]:
        ax.title.set_text("")  # the canvas' own titles say more
    row, col = divmod(step, out)
    canvas.titles[0].set_text(f"input + padding (grey): position {step + 1} of {out * out}")
    canvas.titles[1].set_text(f"output {out}x{out}: pixel ({row}, {col})")
    photo, (height, width) = result["photo"], result["shape"][:2]
    canvas.image("photo", canvas.axes[2], photo)
    canvas.titles[2].set_text(f"photo {photo.shape[0]}x{photo.shape[1]}")
    canvas.image("output", canvas.axes[3], result["output"], vmin=None, vmax=None)
    size = settings["kernel_size"]
    canvas.titles[3].set_text(f"{size}x{size} blur: {height}x{width}")
    # Same scale as the photo: a strided output looks smaller, as it is.
    canvas.axes[3].set_xlim(-0.5, max(photo.shape[1], width) - 0.5)
    canvas.axes[3].set_ylim(max(photo.shape[0], height) - 0.5, -0.5)
    if "legend" not in canvas.artists:  # the grid colours' meanings, drawn once as pixels
        canvas.artists["legend"] = canvas.figure.figimage(_legend_pixels(), xo=4, yo=2)


@functools.cache
def _legend_pixels() -> np.ndarray:
    """The grid colours' legend as an RGBA picture, rendered once.

    Pasted into the figure as pixels: a live legend's texts cost a third of the redraw.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.2, 0.22), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.legend(
        handles=plots.conv_grid_legend_handles(),
        loc="center left",
        ncols=5,
        fontsize=7,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.0,
        borderaxespad=0,
        borderpad=0.1,
    )
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba()).copy()


def _padding(padding_mode: str, padding: int):
    return padding if padding_mode == "explicit" else padding_mode


def _arithmetic_step(photo, *, padding_mode, padding, **settings):
    return conv_arithmetic(photo, padding=_padding(padding_mode, padding), **settings)


def _arithmetic_controls() -> dict:
    slider = {"style": {"description_width": "initial"}, "layout": {"width": "250px"}}

    def slider_for(name, value, low, high):
        return ipywidgets.IntSlider(value=value, min=low, max=high, description=name, **slider)

    return {
        "input_size": slider_for("input_size", 7, 3, 32),
        "kernel_size": slider_for("kernel_size", 3, 1, 7),
        "stride": slider_for("stride", 1, 1, 4),
        "padding_mode": ipywidgets.Dropdown(
            options=PADDING_MODES, value="explicit", description="padding_mode", **slider
        ),
        "padding": slider_for("padding", 1, 0, 4),
        "dilation": slider_for("dilation", 1, 1, 3),
        "step": slider_for("step", 0, 0, 48),
    }


def conv_arithmetic_explorer(image=None) -> App:
    """Convolution arithmetic, live: grids for input, kernel positions and output, the formula
    with the numbers, and the same settings on a photo checked against Keras.

    Every parameter is a control. The left panels draw the padded input (grey = zero padding,
    orange = the pixels the kernel reads at the current ``step``, pale orange = the gaps of a
    dilated kernel) and the output grid (the pixel being computed in orange, those computed
    before it pale green); a legend under the figure names the colours. The ``step`` slider, or
    the play button next to it, walks the kernel over every position. The summary line prints
    the output-size relation with the numbers filled in, e.g.
    ``floor((7 + 2*1 - 3) / 2) + 1 = 4``. The right panels apply the same kernel size, stride,
    padding and dilation to a photo (a box blur) and compare its shape with the shape Keras
    reports. The computing is :func:`conv_arithmetic`.

    Padding has two controls: ``padding_mode`` is ``"valid"`` (none), ``"same"`` (Keras' rule,
    output ``ceil(n / stride)``, possibly one pixel more after than before) or ``"explicit"``,
    which adds ``padding`` zero pixels on every side (Keras: ``ZeroPadding2D(padding)`` then a
    ``"valid"`` ``Conv2D``). The ``padding`` slider only counts in ``"explicit"`` mode.

    Keras refuses ``strides > 1`` together with ``dilation_rate > 1``; the app explains that
    instead of drawing. So does a kernel that does not fit in the padded input.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, 3)``, optional
        The photo (at most 512 pixels a side; colour is converted to grayscale). Default: the
        "camera" photo at 96x96.

    Returns
    -------
    App
        Controls ``input_size`` (3-32), ``kernel_size`` (1-7), ``stride`` (1-4),
        ``padding_mode``, ``padding`` (0-4), ``dilation`` (1-3) and ``step``; ``app.play``
        walks ``step``. ``result`` is what :func:`conv_arithmetic` returns.
    """
    photo = (
        data.sample_image("camera", size=96)
        if image is None
        else _arrays.grayscale(_arrays.photo(image))
    )
    controls = _arithmetic_controls()
    geometry = ["input_size", "kernel_size", "stride", "padding_mode", "padding", "dilation"]

    def match_step_range(change=None):
        values = {name: controls[name].value for name in geometry}
        controls["padding"].disabled = values["padding_mode"] != "explicit"
        padding = _padding(values.pop("padding_mode"), values.pop("padding"))
        try:
            out = conv.output_size(values.pop("input_size"), padding=padding, **values)
        except ValueError:
            return  # the app explains the problem; the slider keeps its range
        controls["step"].max = out * out - 1  # also clamps the value

    match_step_range()
    play = ipywidgets.Play(value=0, min=0, max=controls["step"].max, interval=700)
    ipywidgets.jslink((play, "value"), (controls["step"], "value"))
    ipywidgets.dlink((controls["step"], "max"), (play, "max"))
    app = App(
        controls,
        functools.partial(_arithmetic_step, photo),
        draw_arithmetic,
        canvas=Canvas(4, figsize=(9.6, 2.95), width_ratios=[1.25, 0.85, 1, 1], bottom=0.1),
        title="Convolution arithmetic",
        reactions=dict.fromkeys(geometry, match_step_range),
        layout=[
            ipywidgets.VBox([controls[name] for name in geometry[:3]]),
            ipywidgets.VBox([controls[name] for name in geometry[3:]]),
            ipywidgets.VBox([controls["step"], play]),
        ],
    )
    app.play = play
    return app
