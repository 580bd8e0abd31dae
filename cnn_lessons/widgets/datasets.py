"""Welcome lesson: browse the bundled datasets, one image at a time."""

from __future__ import annotations

import functools

import ipywidgets
import numpy as np

from cnn_lessons import _validate, data
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas

DATASETS = {"digits": data.DIGIT_CLASSES, "animals": data.ANIMAL_CLASSES}
_LOADERS = {"digits": data.load_mnist, "animals": data.load_animals}


@functools.cache
def _split(dataset: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The images and labels of one split of a bundled dataset, loaded once per process."""
    train, test = _LOADERS[dataset]()
    return train if split == "train" else test


def dataset_image(dataset: str, split: str, index: int) -> dict:
    """One image of a bundled dataset with its label.

    Parameters
    ----------
    dataset : {"digits", "animals"}
    split : {"train", "test"}
    index : int
        Position in the split.

    Returns
    -------
    dict
        ``image`` (uint8 ``(28, 28)``), ``label`` (int), ``class_name``, ``title`` and
        ``summary``.
    """
    _validate.one_of(dataset, "dataset", DATASETS)
    _validate.one_of(split, "split", ("train", "test"))
    images, labels = _split(dataset, split)
    index = _validate.integer(
        index,
        "index",
        minimum=0,
        maximum=len(images) - 1,
        legal=f"between 0 and {len(images) - 1} for the {dataset} {split} split",
    )
    label = int(labels[index])
    name = DATASETS[dataset][label]
    return {
        "image": images[index],
        "label": label,
        "class_name": name,
        "title": f"{dataset} {split}[{index}]: {name}",
        "summary": f"label {label}: {name}",
    }


def draw_dataset_image(result: dict, canvas: Canvas) -> None:
    """The image; with ``result["pixel_values"]``, larger and with every non-zero pixel's value."""
    ax = canvas.axes[0]
    canvas.clear(ax)
    pixel_values = result.get("pixel_values", False)
    canvas.figure.set_size_inches((4.2, 4.35) if pixel_values else (2.6, 2.75))
    canvas.image("image", ax, result["image"], vmin=0, vmax=255)
    canvas.titles[0].set_text(result["title"])
    if pixel_values:
        image = result["image"]
        for row, col in zip(*image.nonzero(), strict=True):
            value = int(image[row, col])
            color = "black" if value > 128 else "white"
            ax.text(col, row, str(value), ha="center", va="center", fontsize=4.5, color=color)


def _compute(dataset, split, index, pixel_values):
    return {**dataset_image(dataset, split, index), "pixel_values": pixel_values}


def dataset_browser(*, dataset: str = "digits", index: int = 0) -> App:
    """Browse the bundled datasets: one image, its label and (optionally) its pixel values.

    Parameters
    ----------
    dataset : {"digits", "animals"}, default "digits"
    index : int, default 0
        Starting image index in the training split.

    Returns
    -------
    App
        Controls ``dataset``, ``split``, ``index`` and ``pixel_values``; ``result`` holds the
        ``image`` (uint8, 28x28), its ``label`` and ``class_name``.
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
    }

    def match_index_range(change=None):
        images, _ = _split(controls["dataset"].value, controls["split"].value)
        controls["index"].max = len(images) - 1

    return App(
        controls,
        _compute,
        draw_dataset_image,
        canvas=Canvas(1, figsize=(2.6, 2.75), top=0.92, bottom=0.01),
        reactions={"dataset": match_index_range, "split": match_index_range},
    )
