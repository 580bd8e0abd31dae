"""Interactive ipywidgets apps, one function per app.

Every app returns an ipywidgets box with two extra attributes:

``controls``
    dict of name -> control widget, so a test (or a learner) can set
    ``app.controls["stride"].value = 2``;
``result``
    what the last update computed (a dict), so the effect can be read without a browser.
    If it has a ``"summary"`` entry (a short HTML-safe text such as the output shape), the
    app shows it as a line above the figure.
    When the controls describe something impossible, ``result`` is ``{"error": message}`` and
    the app shows that explanation in place of the figure, never a traceback.

Apps compute with the pure functions of :mod:`cnn_lessons.conv` / :mod:`cnn_lessons.explain`
and draw with :mod:`cnn_lessons.plots`; :func:`make_app` wires the two together.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt

from cnn_lessons import data, plots


def make_app(
    controls: Mapping[str, widgets.Widget],
    compute: Callable[..., dict],
    draw: Callable[[dict], plt.Figure],
    *,
    title: str | None = None,
) -> widgets.VBox:
    """Build an app from its controls, a pure compute step and a drawing step.

    Parameters
    ----------
    controls : mapping of str to widget
        Shown in order; each control's ``value`` is passed to ``compute`` by name.
    compute : callable
        ``compute(**values) -> dict``; raises ``ValueError`` with a learner-readable message
        when the values describe something impossible.
    draw : callable
        ``draw(result) -> Figure``; shown in the app's output area, then closed.
    title : str, optional
        A line of text above the controls.

    Returns
    -------
    ipywidgets.VBox
        With ``controls``, ``result``, ``message`` (the explanation area), ``summary`` (the
        line above the figure), ``output`` (the figure area) and ``update`` (recompute and
        redraw now).
    """
    controls = dict(controls)
    output = widgets.Output()
    message = widgets.HTML()
    summary = widgets.HTML()
    summary.add_class("cnn-summary")
    header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
    app = widgets.VBox(
        [
            *header,
            widgets.HBox(list(controls.values()), layout={"flex_flow": "row wrap"}),
            message,
            summary,
            output,
        ]
    )
    message.add_class("cnn-message")
    output.add_class("cnn-figure")

    def update(change=None):
        values = {name: control.value for name, control in controls.items()}
        try:
            result = compute(**values)
        except ValueError as error:
            app.result = {"error": str(error)}
            message.value = (
                '<div style="color:#8a4b00;background:#fff4e0;padding:6px;border-radius:4px">'
                f"<b>Not possible:</b> {html.escape(str(error))}</div>"
            )
            output.outputs = ()
            summary.value = ""
            return
        app.result = result
        message.value = ""
        summary.value = str(result.get("summary", ""))
        figure = draw(result)
        output.outputs = (figure_output(figure),)
        plt.close(figure)

    for control in controls.values():
        control.observe(update, names="value")
    app.controls = controls
    app.message = message
    app.summary = summary
    app.output = output
    app.update = update
    app.result = {}
    update()
    return app


def figure_output(figure, *, dpi: int = 80) -> dict:
    """Render a figure to PNG as one notebook output, for an ``Output`` widget's ``outputs``.

    Setting ``Output.outputs`` from the kernel, instead of displaying inside ``with output:``,
    updates the app the same way in JupyterLab, under nbval and in tests, and never leaks the
    figure into the notebook cell that moved a control.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    width, height = figure.get_size_inches() * dpi
    return {
        "output_type": "display_data",
        "data": {
            "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
            "text/plain": f"<Figure size {width:.0f}x{height:.0f}>",
        },
        "metadata": {},
    }


_DATASETS = {
    "digits": (data.load_mnist, data.DIGIT_CLASSES),
    "animals": (data.load_animals, data.ANIMAL_CLASSES),
}


def dataset_browser(*, dataset: str = "digits", index: int = 0) -> widgets.VBox:
    """Browse the bundled datasets: one image, its label and (optionally) its pixel values.

    Parameters
    ----------
    dataset : {"digits", "animals"}, default "digits"
    index : int, default 0
        Starting image index in the training split.

    Returns
    -------
    ipywidgets.VBox
        Controls ``dataset``, ``split``, ``index`` and ``pixel_values``; ``result`` holds the
        ``image`` (uint8, 28x28), its ``label`` and ``class_name``.
    """
    if dataset not in _DATASETS:
        raise ValueError(f"dataset must be one of {sorted(_DATASETS)}, got {dataset!r}")
    loaded = {name: loader() for name, (loader, _) in _DATASETS.items()}
    controls = {
        "dataset": widgets.Dropdown(options=list(_DATASETS), value=dataset, description="dataset"),
        "split": widgets.ToggleButtons(options=["train", "test"], value="train"),
        "index": widgets.IntSlider(value=index, min=0, max=index, description="index"),
        "pixel_values": widgets.Checkbox(value=False, description="show pixel values"),
    }

    def match_index_range(change=None):
        (x_train, _), (x_test, _) = loaded[controls["dataset"].value]
        size = len(x_train) if controls["split"].value == "train" else len(x_test)
        controls["index"].max = size - 1

    # Registered before make_app's observers, so the range is right before each redraw.
    controls["dataset"].observe(match_index_range, names="value")
    controls["split"].observe(match_index_range, names="value")
    match_index_range()

    def compute(dataset, split, index, pixel_values):
        (x_train, y_train), (x_test, y_test) = loaded[dataset]
        images, labels = (x_train, y_train) if split == "train" else (x_test, y_test)
        if not 0 <= index < len(images):
            raise ValueError(
                f"index must be between 0 and {len(images) - 1} for the {dataset} {split} split, "
                f"got {index}"
            )
        label = int(labels[index])
        return {
            "image": images[index],
            "label": label,
            "class_name": _DATASETS[dataset][1][label],
            "title": f"{dataset} {split}[{index}]: {_DATASETS[dataset][1][label]}",
            "summary": f"label {label}: {_DATASETS[dataset][1][label]}",
            "pixel_values": pixel_values,
        }

    def draw(result):
        figure, ax = plt.subplots(figsize=(4.2, 4.2) if result["pixel_values"] else (2.6, 2.6))
        plots.show_image(result["image"], ax, title=result["title"])
        if result["pixel_values"]:
            for (row, col), value in _nonzero_pixels(result["image"]):
                ax.text(
                    col,
                    row,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=4.5,
                    color="black" if value > 128 else "white",
                )
        return figure

    return make_app(controls, compute, draw)


def _nonzero_pixels(image):
    rows, cols = image.nonzero()
    return (((row, col), int(image[row, col])) for row, col in zip(rows, cols, strict=True))
