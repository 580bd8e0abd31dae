"""Welcome lesson: browse the bundled datasets, one image at a time."""

from __future__ import annotations

import functools

import ipywidgets
import matplotlib.patches
import numpy as np

from cnn_lessons import _validate, data
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas

DATASETS = {"digits": data.DIGIT_CLASSES, "animals": data.ANIMAL_CLASSES}
_LOADERS = {"digits": data.load_mnist, "animals": data.load_animals}

#: Side of the zoomed crop on which the pixel values are written.
CROP = 12

# Figure sizes (inches): the image alone, and the image beside the zoomed crop with its values.
_SMALL, _LARGE = (2.6, 2.75), (8.4, 5.2)


@functools.cache
def _split(dataset: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The images and labels of one split of a bundled dataset, loaded once per process."""
    train, test = _LOADERS[dataset]()
    return train if split == "train" else test


@functools.cache
def _positions(dataset: str, split: str, label: int | None) -> np.ndarray:
    """Where the images with ``label`` lie in the split (every position for ``None``)."""
    labels = _split(dataset, split)[1]
    return np.arange(len(labels)) if label is None else np.flatnonzero(labels == label)


def _crop_origin(image: np.ndarray) -> tuple[int, int]:
    """Top-left corner of the :data:`CROP`-pixel square centred on the image's ink."""
    weights = image.astype(float)
    total = weights.sum()
    rows, cols = np.indices(image.shape)
    centre = (
        ((rows * weights).sum() / total, (cols * weights).sum() / total)
        if total
        else (image.shape[0] / 2, image.shape[1] / 2)
    )
    return tuple(
        int(np.clip(round(middle - CROP / 2), 0, side - CROP))
        for middle, side in zip(centre, image.shape, strict=True)
    )


def dataset_image(
    dataset: str, split: str, index: int, *, label: int | None = None, scaled: bool = False
) -> dict:
    """One image of a bundled dataset with its label.

    Parameters
    ----------
    dataset : {"digits", "animals"}
    split : {"train", "test"}
    index : int
        Position in the split; with ``label``, position among the images of that class.
    label : int, optional
        Only the images of this class (0 to 9).
    scaled : bool, default False
        Give the pixel values as the network receives them, divided by 255 (float32 in
        [0, 1]), instead of as stored (uint8, 0 to 255).

    Returns
    -------
    dict
        ``image`` (uint8 ``(28, 28)``), ``values`` (``(28, 28)``: ``image``, or ``image / 255``
        as float32 when ``scaled``), ``label`` (int), ``class_name``, ``position`` (the index
        in the split), ``crop`` (top-left ``(row, col)`` of the :data:`CROP`-pixel square on
        the image's ink, where the app writes the values), ``scaled``, ``title`` and
        ``summary``.
    """
    _validate.one_of(dataset, "dataset", DATASETS)
    _validate.one_of(split, "split", ("train", "test"))
    if label is not None:
        label = _validate.integer(label, "label", minimum=0, maximum=len(DATASETS[dataset]) - 1)
    images, labels = _split(dataset, split)
    positions = _positions(dataset, split, label)
    where = "" if label is None else f" of class {label} ({DATASETS[dataset][label]})"
    index = _validate.integer(
        index,
        "index",
        minimum=0,
        maximum=len(positions) - 1,
        legal=f"between 0 and {len(positions) - 1} for the {dataset} {split} split{where}",
    )
    position = int(positions[index])
    image = images[position]
    label = int(labels[position])
    name = DATASETS[dataset][label]
    values = image.astype(np.float32) / 255 if scaled else image
    summary = f"label {label}: {name}"
    if where:
        summary += f"; image {index + 1} of the {len(positions)} in this class"
    summary += (
        "; pixel values as the network receives them, 0.0 to 1.0 (stored value / 255)"
        if scaled
        else "; pixel values as stored, 0 to 255"
    )
    return {
        "image": image,
        "values": values,
        "label": label,
        "class_name": name,
        "position": position,
        "crop": _crop_origin(image),
        "scaled": bool(scaled),
        "title": f"{dataset} {split}[{position}]: {name}",
        "summary": summary,
    }


def draw_dataset_image(result: dict, canvas: Canvas) -> None:
    """The image; with ``result["pixel_values"]``, beside a zoomed crop showing its values."""
    image_ax, crop_ax = canvas.axes
    canvas.clear(crop_ax)
    pixel_values = result.get("pixel_values", False)
    canvas.figure.set_size_inches(_LARGE if pixel_values else _SMALL)
    scale = 1 / 255 if result.get("scaled") else 1
    limits = {"vmin": 0, "vmax": 255 * scale}
    canvas.image("image", image_ax, result["values"], **limits)
    canvas.titles[0].set_text(result["title"])
    box = canvas.artists.get("crop box")
    if box is None:
        box = matplotlib.patches.Rectangle((0, 0), CROP, CROP, fill=False, edgecolor="cyan")
        canvas.artists["crop box"] = image_ax.add_patch(box)
    box.set_visible(pixel_values)
    crop_ax.set_visible(pixel_values)
    if not pixel_values:
        image_ax.set_position((0.01, 0.01, 0.98, 0.91))
        return
    image_ax.set_position((0.01, 0.2, 0.33, 0.6))
    crop_ax.set_position((0.38, 0.01, 0.61, 0.91))
    top, left = result["crop"]
    box.set_xy((left - 0.5, top - 0.5))
    crop = result["values"][top : top + CROP, left : left + CROP]
    extent = (left - 0.5, left + CROP - 0.5, top + CROP - 0.5, top - 0.5)
    canvas.image("crop", crop_ax, crop, extent=extent, **limits)
    for row, col in zip(*crop.nonzero(), strict=True):
        value = crop[row, col]
        text = f"{value:.2f}" if result.get("scaled") else str(int(value))
        color = "black" if value > 128 * scale else "white"
        crop_ax.text(left + col, top + row, text, ha="center", va="center", fontsize=8, color=color)
    unit = "value / 255 (as the network sees it)" if result.get("scaled") else "stored value"
    rows, columns = f"{top}-{top + CROP - 1}", f"{left}-{left + CROP - 1}"
    canvas.titles[1].set_text(f"zoom (cyan box), rows {rows}, columns {columns}: {unit}")


def _compute(dataset, split, index, pixel_values, label, scaled):
    return {
        **dataset_image(dataset, split, index, label=label, scaled=scaled),
        "pixel_values": pixel_values,
    }


def dataset_browser(*, dataset: str = "digits", index: int = 0) -> App:
    """Browse the bundled datasets: one image, its label and (optionally) its pixel values.

    Pixel values are written on a zoomed :data:`CROP` x :data:`CROP` crop around the image's
    ink (a cyan box on the image), large enough to read; as stored (0-255) or as the network
    receives them (/255). A class filter limits the ``index`` slider to one class, and the
    "random image" button (``app.random_button``) jumps to a random image of the selection.

    Parameters
    ----------
    dataset : {"digits", "animals"}, default "digits"
    index : int, default 0
        Starting image index in the training split.

    Returns
    -------
    App
        Controls ``dataset``, ``split``, ``index``, ``pixel_values``, ``label`` (None for every
        class, or a class number) and ``scaled``; ``result`` holds the ``image`` (uint8,
        28x28), its ``label``, ``class_name`` and ``position`` in the split, and the
        ``values`` shown.
    """
    _validate.one_of(dataset, "dataset", DATASETS)
    size = len(_split(dataset, "train")[0])
    index = _validate.integer(index, "index", minimum=0, maximum=size - 1)
    controls = {
        "dataset": ipywidgets.Dropdown(
            options=list(DATASETS), value=dataset, description="dataset"
        ),
        "split": ipywidgets.ToggleButtons(options=["train", "test"], value="train"),
        "index": ipywidgets.IntSlider(value=index, min=0, max=size - 1, description="index"),
        "pixel_values": ipywidgets.Checkbox(value=False, description="show pixel values"),
        "label": ipywidgets.Dropdown(
            options=_class_options(dataset), value=None, description="class"
        ),
        "scaled": ipywidgets.Checkbox(
            value=False,
            description="values as the network receives them (/255)",
            style={"description_width": "initial"},
            layout={"width": "330px"},
        ),
    }
    random_button = ipywidgets.Button(description="random image", icon="random")

    def match_index_range(change=None):
        positions = _positions(
            controls["dataset"].value, controls["split"].value, controls["label"].value
        )
        controls["index"].max = len(positions) - 1

    def new_dataset(change=None):
        controls["label"].options = _class_options(controls["dataset"].value)
        controls["label"].value = None
        match_index_range()

    app = App(
        controls,
        _compute,
        draw_dataset_image,
        canvas=Canvas(2, figsize=_SMALL, top=0.92, bottom=0.01),
        reactions={
            "dataset": new_dataset,
            "split": match_index_range,
            "label": match_index_range,
        },
        layout=[*controls.values(), random_button],
    )
    rng = np.random.default_rng()

    def random_image(button=None):
        slider = controls["index"]
        choices = [value for value in range(slider.max + 1) if value != slider.value]
        if choices:
            slider.value = int(rng.choice(choices))

    random_button.on_click(random_image)
    app.random_button = random_button
    return app


def _class_options(dataset: str) -> list:
    return [("all", None)] + [
        (f"{label}: {name}" if name != str(label) else name, label)
        for label, name in enumerate(DATASETS[dataset])
    ]
