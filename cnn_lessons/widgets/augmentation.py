"""Augmentation lesson: random augmentations of one image, one slider per transformation."""

from __future__ import annotations

import functools

import ipywidgets
import numpy as np

from cnn_lessons import _validate, augment, data
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import DPI, Canvas

#: Largest side of the explorer's image: every redraw augments ``count`` copies of it.
MAX_SIDE = 256


def augmented_mosaic(original, *, count: int = 11, ncols: int = 6, **settings) -> dict:
    """``count`` random augmentations of ``original`` and a mosaic of it followed by them.

    Parameters
    ----------
    original : array_like of shape ``(H, W, C)``
        Floats in [0, 1].
    count : int, default 11
    ncols : int, default 6
        Images per row of the mosaic.
    **settings
        ``rotation``, ``zoom``, ``shift``, ``flip``, ``contrast``, ``fill_mode`` and ``seed``,
        as for :func:`cnn_lessons.augment.random_augmentations`.

    Returns
    -------
    dict
        ``original``, ``images`` ``(count, H, W, C)``, ``mosaic``, ``settings`` and ``summary``.
    """
    images = augment.random_augmentations(original, count=count, **settings)
    mosaic = augment.tile_images(np.concatenate([original[None], images]), ncols=ncols)
    return {
        "original": original,
        "images": images,
        "mosaic": mosaic,
        "settings": settings,
        "summary": f"the original (top left) and {count} random versions of it: "
        + ", ".join(
            f"{name} {value if isinstance(value, str) else format(value, 'g')}"
            for name, value in settings.items()
        ),
    }


def draw_mosaic(result: dict, canvas: Canvas) -> None:
    """The whole mosaic as one image, one screen pixel per image pixel."""
    height, width = result["mosaic"].shape[:2]
    canvas.figure.set_size_inches(width / DPI, height / DPI)
    canvas.image("mosaic", canvas.axes[0], result["mosaic"], vmin=0, vmax=1)


def augmentation_explorer(image=None, *, count: int = 11, ncols: int = 6) -> App:
    """Random augmentations of one image: sliders for each transformation and a seed.

    Each redraw builds the Keras preprocessing layers for the chosen settings and runs them in
    training mode on ``count`` copies of the image (:func:`augmented_mosaic`), then draws the
    original followed by the copies as one mosaic.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``, optional
        Floats in [0, 1] or integer pixels (scaled to [0, 1]); default: the "chelsea" photo at
        80x80. At most 256 pixels a side, so a redraw stays fast.
    count : int, default 11
        Augmented copies shown, 1 to 23.
    ncols : int, default 6
        Images per row of the mosaic, 1 to 24.

    Returns
    -------
    App
        Controls ``rotation`` (degrees), ``zoom``, ``shift``, ``flip``, ``contrast``,
        ``fill_mode`` and ``seed``; ``result`` is what :func:`augmented_mosaic` returns.
    """
    if image is None:
        image = data.sample_image("chelsea", size=80)
    image = _validate.float_image(image, "image")
    if image.ndim not in (2, 3) or max(image.shape[:2]) > MAX_SIDE:
        raise ValueError(
            f"image must have shape (H, W) or (H, W, C) with H and W at most {MAX_SIDE}, "
            f"got shape {image.shape}"
        )
    count = _validate.integer(count, "count", minimum=1, maximum=23)
    ncols = _validate.integer(ncols, "ncols", minimum=1, maximum=24)
    original = augment.random_augmentations(image, count=1)[0]  # validates; (H, W, C)
    slider = {"continuous_update": False, "style": {"description_width": "initial"}}

    def number(name, value, high, step):
        return ipywidgets.FloatSlider(
            value=value, min=0, max=high, step=step, description=name, **slider
        )

    controls = {
        "rotation": ipywidgets.IntSlider(
            value=20, min=0, max=180, step=5, description="rotation (°)", **slider
        ),
        "zoom": number("zoom", 0.1, 0.5, 0.05),
        "shift": number("shift", 0.1, 0.5, 0.05),
        "flip": ipywidgets.Dropdown(
            options=augment.FLIP_MODES, value="horizontal", description="flip"
        ),
        "contrast": number("contrast", 0.0, 0.9, 0.1),
        "fill_mode": ipywidgets.Dropdown(options=augment.FILL_MODES, description="fill mode"),
        "seed": ipywidgets.IntSlider(value=0, min=0, max=99, description="seed", **slider),
    }
    return App(
        controls,
        functools.partial(augmented_mosaic, original, count=count, ncols=ncols),
        draw_mosaic,
        canvas=Canvas(1, figsize=(1, 1), left=0, right=1, top=1, bottom=0),
        title="Random augmentations",
    )
