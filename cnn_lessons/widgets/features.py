"""Visualizing lesson: browse the feature maps of a CNN (the feature-map browser)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets
import numpy as np

from cnn_lessons import _arrays, _validate, data, explain, models, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas


@dataclass(frozen=True)
class FeatureMaps:
    """Every layer's feature maps for a set of images, computed once."""

    images: np.ndarray  # (N, H, W) or (N, H, W, C), float32
    maps: dict  # layer name -> (N, h, w, channels)
    dead: dict  # layer name -> channel indices zero on every image
    labels: np.ndarray | None
    class_names: tuple[str, ...]


def spatial_layers(model) -> list[str]:
    """Names of the layers with a spatial output ``(N, h, w, channels)``."""
    return [layer.name for layer in model.layers if len(layer.output.shape) == 4]


def compute_feature_maps(
    model, images, *, labels=None, layer_names=None, class_names=None
) -> FeatureMaps:
    """Run ``model`` once on ``images`` and keep the feature maps of the named layers.

    Channels that are zero (or below) for every image are *dead*.
    """
    images = _validate.float_image(images, "images")
    batch = _arrays.model_batch(model, images)
    layer_names = spatial_layers(model) if layer_names is None else layer_names
    layer_names = list(_validate.names(layer_names, "layer_names"))
    if not layer_names:
        raise ValueError("model has no layer with a spatial output to browse")
    maps = explain.activations(model, batch, layer_names)
    for name, values in maps.items():
        if values.ndim != 4:
            raise ValueError(
                f"layer_names must name layers with a spatial output; {name!r} outputs "
                f"{values.shape[1:]}"
            )
    names = (
        data.DIGIT_CLASSES if class_names is None else _validate.names(class_names, "class_names")
    )
    if labels is not None:
        labels = _arrays.class_labels(labels, count=len(batch), classes=len(names))
    dead = {name: np.flatnonzero(values.max(axis=(0, 1, 2)) <= 0) for name, values in maps.items()}
    return FeatureMaps(images, maps, dead, labels, tuple(names))


def feature_view(features: FeatureMaps, image: int, layer: str, channel: int) -> dict:
    """One image's maps in one layer, with one channel picked out.

    Returns
    -------
    dict
        ``image``, ``maps`` (the layer's ``(h, w, channels)`` output for the image),
        ``channel_map``, ``dead`` (channel indices zero on every image), ``silent`` (zero on this
        image), ``layer``, ``channel``, the titles ``title``, ``channel_title`` and
        ``grid_title``, and ``summary``.
    """
    _validate.one_of(layer, "layer", features.maps)
    image = _validate.integer(image, "image", minimum=0, maximum=len(features.images) - 1)
    layer_maps = features.maps[layer][image]
    channels = layer_maps.shape[-1]
    legal = f"between 0 and {channels - 1} for {layer}"
    channel = _validate.integer(channel, "channel", minimum=0, maximum=channels - 1, legal=legal)
    silent = np.flatnonzero(layer_maps.max(axis=(0, 1)) <= 0)
    dead = features.dead[layer]
    if channel in dead:
        state = "dead: zero on every image"
    elif channel in silent:
        state = "silent for this image"
    else:
        state = f"max {layer_maps[..., channel].max():.2f}"
    label = ""
    if features.labels is not None:
        label = f" (label {features.class_names[int(features.labels[image])]})"
    return {
        "image": features.images[image],
        "maps": layer_maps,
        "channel_map": layer_maps[..., channel],
        "dead": dead,
        "silent": silent,
        "layer": layer,
        "channel": channel,
        "title": f"image {image}{label}",
        "channel_title": f"{layer} channel {channel}: {state}",
        "grid_title": (
            f"{layer}: {channels} channels {layer_maps.shape[0]}x{layer_maps.shape[1]}, "
            f"{len(dead)} dead (red), {len(silent)} zero for this image"
        ),
        "summary": f"image {image}{label}, {layer} channel {channel}: {state}",
    }


def draw_feature_view(result: dict, canvas: Canvas) -> None:
    """The image, every channel as a mosaic (dead ones crossed out) and the chosen channel."""
    canvas.image("image", canvas.axes[0], result["image"])
    canvas.titles[0].set_text(result["title"])
    canvas.clear(canvas.axes[1])
    plots.plot_mosaic(
        np.moveaxis(result["maps"], -1, 0),
        canvas.axes[1],
        highlight=result["channel"],
        flagged=result["dead"],
        cmap="viridis",
    )
    canvas.titles[1].set_text(result["grid_title"])
    canvas.image(
        "channel", canvas.axes[2], result["channel_map"], cmap="viridis", vmin=None, vmax=None
    )
    canvas.titles[2].set_text(result["channel_title"])


def default_digit_model():
    """A small digit CNN (``models.small_cnn``, 8 and 16 filters, ``same`` padding, seeded)
    trained for one epoch on MNIST-5k (a few seconds), and the first 32 test digits."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    model = models.small_cnn(filters=(8, 16), padding="same", dense_units=0, seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train[..., None] / 255.0, y_train, epochs=1, batch_size=64, verbose=0)
    return model, x_test[:32].astype("float32") / 255.0, y_test[:32]


def _view_step(features, image, layer, channel):
    return feature_view(features, image, layer, channel)


def feature_map_browser(
    model=None, images=None, *, labels=None, layer_names=None, class_names=None
) -> App:
    """Browse the feature maps of a CNN: pick an image, a layer and a channel.

    All activations are computed once when the app is built (:func:`compute_feature_maps`), so
    moving a control only draws (:func:`feature_view`). Channels that are zero for every image
    in ``images`` are *dead* (crossed out in red in the grid); the app also counts the channels
    that are silent for the current image only.

    Parameters
    ----------
    model : keras.Model, optional
        Built with ``keras.Input``. When omitted, :func:`default_digit_model` trains a small
        digit CNN for one epoch (a few seconds) and the first 32 test digits are used.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``, optional
        Required with ``model``; a few dozen is plenty.
    labels : sequence of int, optional
        True labels, shown in the image's title.
    layer_names : sequence of str, optional
        Layers to offer; by default every layer with a spatial output (convolutions, pooling).
    class_names : sequence of str, optional
        Names for ``labels``; the digits 0-9 by default.

    Returns
    -------
    App
        Controls ``image``, ``layer`` and ``channel``; ``result`` is what :func:`feature_view`
        returns.
    """
    if model is None:
        if images is not None:
            raise ValueError("images must come with a model; pass model= too, or neither")
        model, images, labels = default_digit_model()
    elif images is None:
        raise ValueError("images must be given with model=, e.g. a few dozen test images")
    features = compute_feature_maps(
        model, images, labels=labels, layer_names=layer_names, class_names=class_names
    )
    names = list(features.maps)
    controls = {
        "image": ipywidgets.IntSlider(
            value=0, min=0, max=len(features.images) - 1, description="image"
        ),
        "layer": ipywidgets.Dropdown(options=names, value=names[0], description="layer"),
        "channel": ipywidgets.IntSlider(
            value=0, min=0, max=features.maps[names[0]].shape[-1] - 1, description="channel"
        ),
    }

    def match_channel_range(change=None):
        controls["channel"].max = features.maps[controls["layer"].value].shape[-1] - 1

    return App(
        controls,
        functools.partial(_view_step, features),
        draw_feature_view,
        canvas=Canvas(3, figsize=(9.5, 3.3), width_ratios=[1, 1.5, 1], wspace=0.08, top=0.9),
        title="Feature maps: image, layer, channel",
        reactions={"layer": match_channel_range},
    )
