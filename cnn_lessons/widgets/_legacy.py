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

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt

from cnn_lessons import data, plots
from cnn_lessons.widgets._app import make_app

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


# --- visualizing lesson ------------------------------------------------------------------------


def _tiny_digit_cnn():
    """A two-convolution digit classifier trained for one epoch (a few seconds)."""
    import keras

    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    initializer = keras.initializers.GlorotUniform(seed=0)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(
                8,
                3,
                padding="same",
                activation="relu",
                name="conv1",
                kernel_initializer=initializer,
            ),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(
                16,
                3,
                padding="same",
                activation="relu",
                name="conv2",
                kernel_initializer=initializer,
            ),
            keras.layers.MaxPooling2D(name="pool2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(10, name="logits", kernel_initializer=initializer),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x_train[..., None] / 255.0, y_train, epochs=1, batch_size=64, verbose=0)
    return model, x_test[:32].astype("float32") / 255.0, y_test[:32]


def feature_map_browser(
    model=None, images=None, *, labels=None, layer_names=None, class_names=None
) -> widgets.VBox:
    """Browse the feature maps of a CNN: pick an image, a layer and a channel.

    All activations are computed once when the app is built, so moving a control only draws.
    Channels that are zero for every image in ``images`` are *dead* (crossed out in red in the
    grid); the app also counts the channels that are silent for the current image only.

    Parameters
    ----------
    model : keras.Model, optional
        Built with ``keras.Input``. When omitted, a tiny digit CNN is trained for one epoch on
        MNIST-5k (a few seconds) and the first 32 test digits are used.
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
    ipywidgets.VBox
        Controls ``image``, ``layer`` and ``channel``. ``result`` holds ``maps`` (the layer's
        ``(h, w, channels)`` output for the image), ``channel_map``, ``dead`` (channel indices
        zero on every image), ``silent`` (zero on this image) and ``title``.
    """
    import numpy as np
    from matplotlib.figure import Figure

    from cnn_lessons import explain

    if model is None:
        if images is not None:
            raise ValueError("images must come with a model; pass model= too, or neither")
        model, images, labels = _tiny_digit_cnn()
    elif images is None:
        raise ValueError("images must be given with model=, e.g. a few dozen test images")
    images = np.asarray(images, dtype=np.float32)
    if layer_names is None:
        layer_names = [layer.name for layer in model.layers if len(layer.output.shape) == 4]
    layer_names = list(layer_names)
    if not layer_names:
        raise ValueError("model has no layer with a spatial output to browse")
    names = data.DIGIT_CLASSES if class_names is None else tuple(class_names)
    maps = explain.activations(model, images, layer_names)
    for name, values in maps.items():
        if values.ndim != 4:
            raise ValueError(
                f"layer_names must name layers with a spatial output; {name!r} outputs "
                f"{values.shape[1:]}"
            )
    dead = {name: np.flatnonzero(values.max(axis=(0, 1, 2)) <= 0) for name, values in maps.items()}
    controls = {
        "image": widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="image"),
        "layer": widgets.Dropdown(options=layer_names, value=layer_names[0], description="layer"),
        "channel": widgets.IntSlider(
            value=0, min=0, max=maps[layer_names[0]].shape[-1] - 1, description="channel"
        ),
    }

    def match_channel_range(change=None):
        controls["channel"].max = maps[controls["layer"].value].shape[-1] - 1

    controls["layer"].observe(match_channel_range, names="value")

    def compute(image, layer, channel):
        layer_maps = maps[layer][image]
        channels = layer_maps.shape[-1]
        if not 0 <= channel < channels:
            raise ValueError(
                f"channel must be between 0 and {channels - 1} for {layer}, got {channel}"
            )
        silent = np.flatnonzero(layer_maps.max(axis=(0, 1)) <= 0)
        label = "" if labels is None else f" (label {names[int(labels[image])]})"
        state = (
            "dead: zero on every image"
            if channel in dead[layer]
            else (
                "silent for this image"
                if channel in silent
                else f"max {layer_maps[..., channel].max():.2f}"
            )
        )
        return {
            "image": images[image],
            "maps": layer_maps,
            "channel_map": layer_maps[..., channel],
            "dead": dead[layer],
            "silent": silent,
            "layer": layer,
            "channel": channel,
            "title": f"image {image}{label}",
            "channel_title": f"{layer} channel {channel}: {state}",
            "grid_title": (
                f"{layer}: {channels} channels {layer_maps.shape[0]}x{layer_maps.shape[1]}, "
                f"{len(dead[layer])} dead (red), {len(silent)} zero for this image"
            ),
        }

    # One figure, reused: creating three Axes costs more than the drawing itself. It is a bare
    # Figure (not pyplot's), so make_app's plt.close leaves it alone.
    figure = Figure(figsize=(9.5, 3.3))
    axes = figure.subplots(
        1,
        3,
        gridspec_kw={"width_ratios": [1, 1.5, 1], "wspace": 0.08, "left": 0.01, "right": 0.99},
    )

    def draw(result):
        for ax in axes:
            ax.clear()
        plots.show_image(result["image"], axes[0], title=result["title"])
        plots.plot_mosaic(
            np.moveaxis(result["maps"], -1, 0),
            axes[1],
            highlight=result["channel"],
            flagged=result["dead"],
            cmap="viridis",
            title=result["grid_title"],
        )
        axes[2].imshow(result["channel_map"], cmap="viridis", interpolation="nearest")
        axes[2].set_xticks([])
        axes[2].set_yticks([])
        axes[2].set_title(result["channel_title"], fontsize=9)
        return figure

    return make_app(controls, compute, draw, title="Feature maps: image, layer, channel")


# --- first CNN lesson ------------------------------------------------------------------------


def _model_inputs(model, images):
    """``images`` as float32 batches in the shape ``model`` expects (uint8 scaled to [0, 1])."""
    import numpy as np

    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 255
    images = images.astype(np.float32)
    expected = tuple(model.inputs[0].shape[1:])
    if images.ndim == len(expected) and expected[-1] == 1:
        images = images[..., None]
    if images.ndim != len(expected) + 1 or any(
        size is not None and size != actual
        for size, actual in zip(expected, images.shape[1:], strict=True)
    ):
        raise ValueError(
            f"images must have shape (N, {', '.join(map(str, expected))}) for this model "
            f"(or (N, H, W) when it takes one channel), got {images.shape}"
        )
    return images


def prediction_explorer(model=None, images=None, labels=None, class_names=None) -> widgets.VBox:
    """Pick an image and see what a trained classifier thinks of it.

    All predictions are computed once when the app is built, so moving the slider only draws.

    Parameters
    ----------
    model : keras.Model
        A trained classifier whose output is one row of class probabilities per image (a
        softmax; outputs that are not probabilities are passed through a softmax). Required:
        without a model the app raises ``ValueError`` rather than quietly training one, because
        what it shows is only meaningful for a network you trained yourself.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``, optional
        uint8 pixels (scaled to [0, 1] here) or floats as the model takes them. The MNIST-5k test
        digits by default.
    labels : sequence of int, optional
        True labels; the MNIST-5k test labels when ``images`` is omitted. Without labels the
        ``only_mistakes`` control is disabled.
    class_names : sequence of str, optional
        One name per output unit; the digits 0-9 by default.

    Returns
    -------
    ipywidgets.VBox
        Controls ``index`` (the image, or the n-th mistake when ``only_mistakes`` is ticked) and
        ``only_mistakes``. ``result`` holds ``index`` (position in ``images``), ``image``,
        ``probabilities`` (shape ``(K,)``), ``predicted``, ``confidence``, ``true_label`` (or
        None), ``correct`` and ``title``.
    """
    import numpy as np

    if model is None:
        raise ValueError(
            "model is required: pass a trained classifier, e.g. "
            "prediction_explorer(model, x_test, y_test); the explorer never trains one for you"
        )
    if images is None:
        if labels is not None:
            raise ValueError("labels were given without images; pass images= too, or neither")
        _, (images, labels) = data.load_mnist()
    inputs = _model_inputs(model, images)
    if len(inputs) == 0:
        raise ValueError("images must hold at least one image, got none")
    probabilities = np.asarray(model.predict(inputs, verbose=0), dtype=np.float64)
    if probabilities.ndim != 2:
        raise ValueError(f"model must output (N, classes), got {probabilities.shape}")
    if np.any(probabilities < 0) or not np.allclose(probabilities.sum(axis=1), 1, atol=1e-3):
        shifted = np.exp(probabilities - probabilities.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    classes = probabilities.shape[1]
    names = (
        data.DIGIT_CLASSES
        if class_names is None and classes == 10
        else tuple(str(index) for index in range(classes))
        if class_names is None
        else tuple(class_names)
    )
    if len(names) != classes:
        raise ValueError(
            f"class_names must have {classes} entries (one per output), got {len(names)}"
        )
    if labels is not None:
        labels = np.asarray(labels).astype(np.int64).ravel()
        if len(labels) != len(inputs):
            raise ValueError(
                f"labels must have one entry per image ({len(inputs)}), got {len(labels)}"
            )
    predicted = probabilities.argmax(axis=1)
    mistakes = (
        np.array([], dtype=np.int64) if labels is None else np.flatnonzero(predicted != labels)
    )

    controls = {
        "index": widgets.IntSlider(
            value=0, min=0, max=len(inputs) - 1, description="image", continuous_update=True
        ),
        "only_mistakes": widgets.Checkbox(
            value=False, description="only mistakes", disabled=labels is None, indent=False
        ),
    }

    def match_index_range(change=None):
        count = len(mistakes) if controls["only_mistakes"].value else len(inputs)
        controls["index"].max = max(count - 1, 0)
        controls["index"].description = "mistake" if controls["only_mistakes"].value else "image"

    # Registered before make_app's observer, so the range is right before each redraw.
    controls["only_mistakes"].observe(match_index_range, names="value")

    def compute(index, only_mistakes):
        if only_mistakes:
            if labels is None:
                raise ValueError("only mistakes needs the true labels; pass labels=")
            if len(mistakes) == 0:
                raise ValueError(
                    f"the model gets all {len(inputs)} images right: there is no mistake to show"
                )
            if not 0 <= index < len(mistakes):
                raise ValueError(
                    f"there are {len(mistakes)} mistakes; pick 0 to {len(mistakes) - 1}"
                )
            position = int(mistakes[index])
        else:
            if not 0 <= index < len(inputs):
                raise ValueError(f"index must be between 0 and {len(inputs) - 1}, got {index}")
            position = index
        row = probabilities[position]
        guess = int(predicted[position])
        truth = None if labels is None else int(labels[position])
        verdict = (
            "" if truth is None else (" ✔" if guess == truth else f" ✘ (true: {names[truth]})")
        )
        return {
            "index": position,
            "image": inputs[position],
            "probabilities": row,
            "predicted": guess,
            "confidence": float(row[guess]),
            "true_label": truth,
            "correct": None if truth is None else guess == truth,
            "title": f"image {position}: predicted {names[guess]} ({row[guess]:.1%}){verdict}",
            "summary": (
                f"{len(mistakes)} of {len(inputs)} images misclassified"
                if labels is not None
                else f"{len(inputs)} images, no labels"
            ),
        }

    # One figure, reused (a bare Figure, so make_app's plt.close leaves it alone): making new
    # Axes costs more than drawing on them.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3), layout="constrained")
    image_ax, bars_ax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.4]})

    def draw(result):
        image_ax.clear()
        bars_ax.clear()
        plots.show_image(result["image"], image_ax, title=result["title"])
        plots.plot_probabilities(
            result["probabilities"],
            bars_ax,
            class_names=names,
            true_label=result["true_label"],
            title="softmax output",
        )
        return figure

    return make_app(controls, compute, draw, title="Prediction explorer")


# --- optimizers lesson -----------------------------------------------------------------------


def optimizer_trajectories(
    *,
    surface: str = "elongated",
    learning_rate: float = 0.03,
    steps: int = 60,
    optimizers=("SGD", "momentum", "RMSprop", "Adam"),
) -> widgets.VBox:
    """Race Keras optimizers on a 2-D loss surface: a learning-rate slider and one box each.

    Each redraw runs every ticked optimizer from scratch (:func:`cnn_lessons.optim.trajectory`),
    about a millisecond or a few per step and optimizer, so keep ``steps`` modest.

    Parameters
    ----------
    surface : {"elongated", "rosenbrock"}, default "elongated"
    learning_rate : float, default 0.03
        Between 0.001 and 1 (the slider is logarithmic); the same for every optimizer.
    steps : int, default 60
        Updates per optimizer, 10 to 100.
    optimizers : sequence of str
        The optimizers ticked at the start; names from ``optim.OPTIMIZERS``.

    Returns
    -------
    ipywidgets.VBox
        Controls ``surface``, ``learning_rate``, ``steps`` and one checkbox per optimizer name.
        ``result`` holds ``paths`` (name -> ``(k, 2)`` positions), ``final_loss`` (name ->
        loss at the last point), ``diverged`` (names that blew up), ``grid`` and ``surface``.
    """
    import numpy as np

    from cnn_lessons import optim

    unknown = [name for name in optimizers if name not in optim.OPTIMIZERS]
    if unknown:
        raise ValueError(f"optimizers must be names from {list(optim.OPTIMIZERS)}, got {unknown}")
    if surface not in optim.SURFACES:
        raise ValueError(f"surface must be one of {list(optim.SURFACES)}, got {surface!r}")
    if not 1e-3 <= learning_rate <= 1:
        raise ValueError(f"learning_rate must be between 0.001 and 1, got {learning_rate!r}")
    if not isinstance(steps, int) or not 10 <= steps <= 100:
        raise ValueError(f"steps must be an int from 10 to 100, got {steps!r}")
    box_layout = {"width": "105px"}
    controls = {
        "surface": widgets.Dropdown(
            options=list(optim.SURFACES), value=surface, description="surface"
        ),
        "learning_rate": widgets.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=-3,
            max=0,
            step=0.25,
            description="learning rate",
            readout_format=".3g",
            continuous_update=False,
            style={"description_width": "initial"},
        ),
        "steps": widgets.IntSlider(
            value=steps, min=10, max=100, step=10, description="steps", continuous_update=False
        ),
        **{
            name: widgets.Checkbox(
                value=name in optimizers, description=name, indent=False, layout=box_layout
            )
            for name in optim.OPTIMIZERS
        },
    }
    grids = {}  # this app's own contour grids, computed the first time a surface is shown

    def compute(surface, learning_rate, steps, **ticked):
        chosen = [name for name, on in ticked.items() if on]
        if not chosen:
            raise ValueError("no optimizer is ticked: tick at least one box to draw its path")
        if surface not in grids:
            grids[surface] = optim.surface_grid(surface)
        paths = {
            name: optim.trajectory(name, surface=surface, learning_rate=learning_rate, steps=steps)
            for name in chosen
        }
        final = {
            name: float(optim.surface_value(surface, *path[-1])) for name, path in paths.items()
        }
        diverged = [name for name, path in paths.items() if len(path) < steps + 1]
        best = min((name for name in chosen if name not in diverged), key=final.get, default=None)
        summary = f"{steps} steps at learning rate {learning_rate:.3g}: " + (
            f"lowest loss {final[best]:.3g} ({best})" if best else "every optimizer diverged"
        )
        if diverged:
            summary += f"; diverged: {', '.join(diverged)}"
        return {
            "surface": surface,
            "learning_rate": learning_rate,
            "steps": steps,
            "paths": paths,
            "final_loss": final,
            "diverged": diverged,
            "grid": grids[surface],
            "summary": summary,
        }

    def draw(result):
        figure, ax = plt.subplots(figsize=(7.5, 4))
        spec = optim.SURFACES[result["surface"]]
        labels = {
            (f"{name} (diverged)" if name in result["diverged"] else f"{name}: {loss:.2g}"): path
            for (name, path), loss in zip(
                result["paths"].items(), result["final_loss"].values(), strict=True
            )
        }
        plots.plot_optimizer_paths(
            *result["grid"],
            {label: np.clip(path, -1e3, 1e3) for label, path in labels.items()},
            ax,
            minimum=spec.minimum,
            title=f"loss {spec.formula}, learning rate {result['learning_rate']:.3g}",
        )
        figure.tight_layout()
        return figure

    return make_app(controls, compute, draw, title="Optimizers on a 2-D loss surface")


# --- augmentation lesson ----------------------------------------------------------------------


def augmentation_explorer(image=None, *, count: int = 11, ncols: int = 6) -> widgets.VBox:
    """Random augmentations of one image: sliders for each transformation and a seed.

    Each redraw builds the Keras preprocessing layers for the chosen settings and runs them in
    training mode on ``count`` copies of the image
    (:func:`cnn_lessons.augment.random_augmentations`), then draws the original followed by the
    copies as one mosaic.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``, optional
        Floats in [0, 1] or uint8; default: the "chelsea" photo at 80x80. At most 256 pixels a
        side, so a redraw stays fast.
    count : int, default 11
        Augmented copies shown, 1 to 23.
    ncols : int, default 6
        Images per row of the mosaic.

    Returns
    -------
    ipywidgets.VBox
        Controls ``rotation`` (degrees), ``zoom``, ``shift``, ``flip``, ``contrast``,
        ``fill_mode`` and ``seed``; ``result`` holds ``original`` ``(H, W, C)``, ``images``
        ``(count, H, W, C)``, ``mosaic`` and the ``settings``.
    """
    import numpy as np

    from cnn_lessons import augment

    if image is None:
        image = data.sample_image("chelsea", size=80)
    image = np.asarray(image)
    if image.ndim not in (2, 3) or max(image.shape[:2]) > 256:
        raise ValueError(
            "image must have shape (H, W) or (H, W, C) with H and W at most 256, "
            f"got shape {image.shape}"
        )
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 23:
        raise ValueError(f"count must be an int from 1 to 23, got {count!r}")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    original = augment.random_augmentations(image, count=1)[0]  # validates and scales the image
    slider = {"continuous_update": False, "style": {"description_width": "initial"}}
    controls = {
        "rotation": widgets.IntSlider(
            value=20, min=0, max=180, step=5, description="rotation (°)", **slider
        ),
        "zoom": widgets.FloatSlider(
            value=0.1, min=0, max=0.5, step=0.05, description="zoom", **slider
        ),
        "shift": widgets.FloatSlider(
            value=0.1, min=0, max=0.5, step=0.05, description="shift", **slider
        ),
        "flip": widgets.Dropdown(
            options=augment.FLIP_MODES, value="horizontal", description="flip"
        ),
        "contrast": widgets.FloatSlider(
            value=0.0, min=0, max=0.9, step=0.1, description="contrast", **slider
        ),
        "fill_mode": widgets.Dropdown(
            options=augment.FILL_MODES, value="reflect", description="fill mode"
        ),
        "seed": widgets.IntSlider(value=0, min=0, max=99, description="seed", **slider),
    }

    def compute(**settings):
        images = augment.random_augmentations(original, count=count, **settings)
        mosaic = augment.tile_images(np.concatenate([original[None], images]), ncols=ncols)
        return {
            "original": original,
            "images": images,
            "mosaic": mosaic,
            "settings": settings,
            "summary": f"the original (top left) and {count} random versions of it",
        }

    def draw(result):
        # One imshow of the whole mosaic, one screen pixel per image pixel (figure_output's
        # 80 dpi) and no resampling: far faster than a grid of subplots.
        height, width = result["mosaic"].shape[:2]
        figure, ax = plt.subplots(figsize=(width / 80, height / 80))
        plots.show_image(result["mosaic"], ax, interpolation="nearest")
        ax.set_axis_off()
        figure.subplots_adjust(0, 0, 1, 1)
        return figure

    return make_app(controls, compute, draw, title="Random augmentations")


# --- Lessons 01-03: convolution, stride and padding, pooling ---------------------------------

_PLAYGROUND_PHOTOS = ("chelsea", "astronaut", "coffee", "camera", "brick")
_YOUR_IMAGE = "your image"


def _learner_photo(image, *, max_side: int = 512):
    """A learner's image as float32: ``(H, W)`` or ``(H, W, 3)``, uint8 scaled to [0, 1]."""
    import numpy as np

    array = np.asarray(image)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"image must hold numbers, got an array of dtype {array.dtype}")
    if array.ndim == 3 and array.shape[2] in (1, 4):
        array = array[..., 0] if array.shape[2] == 1 else array[..., :3]  # drop alpha
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3) or 0 in array.shape:
        raise ValueError(f"image must have shape (H, W) or (H, W, 3), got shape {np.shape(image)}")
    if max(array.shape[:2]) > max_side:
        raise ValueError(
            f"image must be at most {max_side} pixels a side so the app stays fast, got shape "
            f"{array.shape}; resize it first, e.g. data.sample_image(name, size=128)"
        )
    array = array / 255 if array.dtype == np.uint8 else array
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError("image must contain only finite numbers, got NaN or infinity")
    return array


def _grayscale(photo):
    """Luminance of an ``(H, W, 3)`` photo; a 2-D photo is returned as it is."""
    if photo.ndim == 2:
        return photo
    from skimage import color

    return color.rgb2gray(photo).astype(photo.dtype)


def _hold_redraws(app, controls, holding):
    """Make ``controls`` redraw ``app`` only while ``holding[0]`` is false.

    ``make_app`` redraws on every change of every control. When one change sets several other
    controls (a preset filling 9 kernel cells), the handler that does it sets ``holding[0]``
    first, so the app redraws once, for the control the learner moved, instead of once per cell.
    """

    def update_unless_holding(change=None):
        if not holding[0]:
            app.update()

    for control in controls:
        control.unobserve(app.update, names="value")
        control.observe(update_unless_holding, names="value")


def _controls_box(app):
    """The row of controls that ``make_app`` built (to lay the controls out differently)."""
    return next(child for child in app.children if isinstance(child, widgets.HBox))


def _preset_weights(name: str, size: int):
    """Integer weights of a named kernel at ``size`` x ``size``, and whether to normalise them.

    Blurs are stored as integers plus "normalise" (the 1/9 of the box blur is 1 in every cell,
    divided by the sum, 9), as in setosa's image-kernel explainer. At 5x5 the box blur and the
    Gaussian are genuine 5x5 blurs (weights 1, and the binomial 1 4 6 4 1 squared); every other
    preset sits in the centre of a ring of zeros, which changes nothing until you edit it.
    """
    import numpy as np

    from cnn_lessons import conv

    kernel = np.asarray(conv.KERNELS[name], dtype=float)
    if size == 5 and name == "box_blur":
        kernel = np.full((5, 5), 1 / 25)
    elif size == 5 and name == "gaussian":
        kernel = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256
    elif size == 5:
        kernel = np.pad(kernel, 1)
    scale = next((m for m in range(1, 257) if np.allclose(kernel * m, np.round(kernel * m))), 1)
    return np.round(kernel * scale), scale > 1


def kernel_playground(image=None) -> widgets.VBox:
    """Slide an editable 3x3 or 5x5 kernel over a photo: input, kernel and output side by side.

    Choose a preset (it fills the kernel's cells, and ticks ``normalize`` for the blurs, whose
    cells hold integers), edit any cell, normalise the weights, pick valid or same borders,
    cross-correlation (what Keras computes) or true convolution (kernel flipped first), and
    grayscale or RGB (the same kernel filters each colour channel on its own). Changing
    ``size`` reloads the preset at the new size. A preset change redraws once, not once per
    cell. The output is computed with :func:`cnn_lessons.conv.conv2d` (or ``convolve2d``).

    Output values are shown as they are, clipped to [0, 1], except for kernels whose weights sum
    to 0 (edge detectors): their output is centred on mid-grey (0), scaled by its largest
    magnitude, so negative and positive responses are both visible.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, 3)``, optional
        A photo of your own (uint8, scaled to [0, 1]; other numbers are used as they are), at
        most 512 pixels a side; offered first in the ``image`` menu. By default the menu offers
        a few bundled photos at 128x128.

    Returns
    -------
    ipywidgets.VBox
        Controls ``image``, ``preset``, ``size`` (3 or 5), ``normalize``, ``padding``
        (``"valid"``/``"same"``), ``operation`` (``"correlation"``/``"convolution"``),
        ``channels`` (``"grayscale"``/``"RGB"``) and the kernel cells ``cell_<row>_<col>``
        (rows and columns 0-4; only the top-left ``size`` x ``size`` are used and shown), also
        available as ``app.cells`` (5x5 nested list). ``result`` holds ``image``, ``kernel``
        (the weights used, after normalising), ``output``, ``shape``, ``display`` (the output
        as drawn) and ``summary``.
    """
    import numpy as np

    from cnn_lessons import conv

    photos = {}  # (name, gray) -> float32 photo, loaded the first time it is shown
    names = _PLAYGROUND_PHOTOS
    if image is not None:
        own = _learner_photo(image)
        photos[_YOUR_IMAGE, False], photos[_YOUR_IMAGE, True] = own, _grayscale(own)
        names = (_YOUR_IMAGE, *names)

    def photo(name, gray):
        if (name, gray) not in photos:
            photos[name, gray] = data.sample_image(name, size=128, gray=gray)
        return photos[name, gray]

    cells = [
        [
            widgets.FloatText(
                value=0.0, step=0.5, layout={"width": "62px"}, continuous_update=False
            )
            for _ in range(5)
        ]
        for _ in range(5)
    ]
    dropdown = {"style": {"description_width": "70px"}, "layout": {"width": "230px"}}
    controls = {
        "image": widgets.Dropdown(options=names, value=names[0], description="image", **dropdown),
        "preset": widgets.Dropdown(
            options=list(conv.KERNELS), value="sharpen", description="preset", **dropdown
        ),
        "size": widgets.Dropdown(
            options=[("3x3", 3), ("5x5", 5)], value=3, description="size", **dropdown
        ),
        "normalize": widgets.Checkbox(value=False, description="normalize", indent=False),
        "padding": widgets.Dropdown(
            options=["valid", "same"], value="valid", description="padding", **dropdown
        ),
        "operation": widgets.Dropdown(
            options=["correlation", "convolution"],
            value="correlation",
            description="operation",
            **dropdown,
        ),
        "channels": widgets.Dropdown(
            options=["grayscale", "RGB"], value="grayscale", description="channels", **dropdown
        ),
        **{f"cell_{row}_{col}": cells[row][col] for row in range(5) for col in range(5)},
    }
    grid = widgets.GridBox(layout={"grid_gap": "2px"})
    holding = [False]  # True while a preset writes the cells: one redraw instead of 26

    def fill_cells(change=None):
        size = controls["size"].value
        weights, normalize = _preset_weights(controls["preset"].value, size)
        holding[0] = True
        try:
            for row in range(5):
                for col in range(5):
                    inside = row < size and col < size
                    cells[row][col].value = float(weights[row, col]) if inside else 0.0
            controls["normalize"].value = normalize
        finally:
            holding[0] = False
        grid.children = [cells[row][col] for row in range(size) for col in range(size)]
        grid.layout.grid_template_columns = f"repeat({size}, 62px)"

    # Registered before make_app's observers: the cells are filled before the redraw.
    controls["preset"].observe(fill_cells, names="value")
    controls["size"].observe(fill_cells, names="value")
    fill_cells()

    def compute(image, preset, size, normalize, padding, operation, channels, **weights):
        kernel = np.array(
            [[weights[f"cell_{row}_{col}"] for col in range(size)] for row in range(size)]
        )
        if not np.isfinite(kernel).all():
            raise ValueError("every kernel weight must be a finite number, got NaN or infinity")
        preset_weights, _ = _preset_weights(preset, size)
        label = preset if np.array_equal(kernel, preset_weights) else f"edited {preset}"
        total = float(kernel.sum())
        notes = []
        if normalize and abs(total) > 1e-12:
            kernel = kernel / total
            notes.append(f"weights divided by their sum, {total:g}")
        elif normalize:
            notes.append("weights sum to 0: nothing to normalise")
        slide = conv.convolve2d if operation == "convolution" else conv.conv2d
        if channels == "RGB":
            picture = photo(image, False)
            if picture.ndim == 2:
                raise ValueError(
                    f"{image} is a grayscale photo (one channel): there are no colour channels "
                    "to filter; choose channels = grayscale, or a colour photo such as chelsea"
                )
            output = np.stack(
                [slide(picture[..., c], kernel, padding=padding) for c in range(3)], axis=-1
            )
            what = f"the same {size}x{size} kernel on R, G and B separately"
        else:
            picture = photo(image, True)
            output = slide(picture, kernel, padding=padding)
            what = f"one {size}x{size} kernel on the grayscale photo"
        if abs(kernel.sum()) < 1e-9:
            scale = float(np.abs(output).max()) or 1.0
            display = 0.5 + output / (2 * scale)
            notes.append(f"mid-grey = 0, white = +{scale:.2g}")
        else:
            display = np.clip(output, 0, 1)
            clipped = float(np.mean((output < 0) | (output > 1)))
            if clipped > 0.01:
                notes.append(f"{clipped:.0%} of values clipped to [0, 1]")
        shape = output.shape if output.ndim == 3 else (*output.shape, 1)
        height, width = picture.shape[:2]
        border = (
            f"valid: {height}x{width} shrinks by {size - 1}"
            if padding == "valid"
            else "same: zero padding keeps the size"
        )
        verb = "convolution (kernel flipped)" if operation == "convolution" else "cross-correlation"
        summary = (
            f"output {shape[0]} x {shape[1]} x {shape[2]}: {verb} with {what}; {border}"
            + "".join(f"; {note}" for note in notes)
        )
        if channels == "RGB":
            summary += (
                f" (a Conv2D filter would instead hold {size}x{size}x3 weights and add the three"
                " channels into one map)"
            )
        return {
            "image": picture,
            "kernel": kernel,
            "label": label,
            "operation": operation,
            "output": output,
            "shape": shape,
            "display": display,
            "summary": summary,
        }

    # One bare Figure whose Axes are kept: each redraw removes the old artists and adds new
    # ones. Clearing or rebuilding Axes (ticks, title layout) would cost more than the drawing.
    figure, axes, titles = _reusable_figure(3, figsize=(8.4, 2.9))

    def draw(result):
        picture, display = result["image"], result["display"]
        _clear_artists(axes)
        _show(axes[0], picture)
        titles[0].set_text(f"input {'x'.join(map(str, picture.shape))}")
        fmt = ".2g" if np.allclose(result["kernel"], np.round(result["kernel"])) else ".2f"
        plots.plot_kernel_values(result["kernel"], axes[1], fmt=fmt)
        flipped = " (flipped before sliding)" if result["operation"] == "convolution" else ""
        titles[1].set_text(f"kernel: {result['label']}{flipped}")
        _show(axes[2], display)
        titles[2].set_text(f"output {'x'.join(map(str, result['shape']))}")
        return figure

    app = make_app(
        controls, compute, draw, title="Image kernels: edit the weights, watch the output"
    )
    _hold_redraws(app, [cell for row in cells for cell in row] + [controls["normalize"]], holding)
    names_column = ["image", "preset", "size", "normalize"]
    options_column = ["padding", "operation", "channels"]
    _controls_box(app).children = [
        widgets.VBox([controls[name] for name in names_column]),
        widgets.VBox([controls[name] for name in options_column]),
        widgets.VBox([widgets.HTML("kernel weights (edit any cell):"), grid]),
    ]
    app.cells = cells
    return app


def _reusable_figure(count, *, figsize, width_ratios=None):
    """A bare Figure with ``count`` Axes in a row, axes off, and a title Text for each.

    Titles are plain Text artists above each Axes (``Axes.set_title`` would lay out tick labels
    that are never shown on every redraw). A bare ``Figure`` (not pyplot's) is never closed by
    ``make_app``, so an app can draw on the same one again and again.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    axes = figure.subplots(
        1,
        count,
        gridspec_kw={
            "wspace": 0.12,
            "left": 0.01,
            "right": 0.99,
            "top": 0.88,
            "bottom": 0.02,
            "width_ratios": width_ratios,
        },
    )
    titles = []
    for ax in axes:
        ax.set_axis_off()
        titles.append(
            ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=9)
        )
    return figure, axes, titles


def _clear_artists(axes):
    """Remove what the last redraw added (images, texts but the titles, lines, patches)."""
    for ax in axes:
        for artist in [*ax.images, *ax.collections, *ax.patches, *ax.lines, *ax.texts[1:]]:
            artist.remove()


def _show(ax, image, **options):
    """``imshow`` a photo or map: grayscale on [0, 1] unless ``options`` say otherwise."""
    image = image[..., 0] if image.ndim == 3 and image.shape[2] == 1 else image
    if image.ndim == 2:
        options = {"cmap": "gray", "vmin": 0, "vmax": 1, **options}
    ax.imshow(image, **{"interpolation": "nearest", **options})


def _keras_shape_reporter():
    """A function giving the output shape Keras reports for a convolution, with a cache.

    ``keras.layers.Conv2D(...).compute_output_shape`` only does arithmetic, but building the
    layer still takes a moment, so each setting is asked once. An int ``padding`` is Keras'
    ``ZeroPadding2D(padding)`` followed by a ``"valid"`` ``Conv2D``.
    """
    import keras

    cache = {}

    def keras_shape(height, width, kernel_size, stride, padding, dilation):
        key = (height, width, kernel_size, stride, padding, dilation)
        if key not in cache:
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
            cache[key] = tuple(layer.compute_output_shape(shape))
        return cache[key]

    return keras_shape


def _size_formula(input_size, kernel_size, stride, padding, dilation, before, after, out):
    """The output-size relation with the numbers filled in, as one line of text."""
    span = dilation * (kernel_size - 1) + 1
    effective = f"{span}" if dilation > 1 else f"{kernel_size}"
    prefix = f"k_eff = {dilation}*({kernel_size} - 1) + 1 = {span}; " if dilation > 1 else ""
    if padding == "same":
        return (
            f"same: ceil({input_size} / {stride}) = {out}, "
            f"padding {before} before and {after} after"
        )
    pixels = 0 if padding == "valid" else padding
    return f"{prefix}floor(({input_size} + 2*{pixels} - {effective}) / {stride}) + 1 = {out}"


def conv_arithmetic_explorer(image=None) -> widgets.VBox:
    """Convolution arithmetic, live: grids for input, kernel positions and output, the formula
    with the numbers, and the same settings on a photo checked against Keras.

    Every parameter is a control. The left panels draw the padded input (grey = zero padding,
    orange = the pixels the kernel reads at the current ``step``) and the output grid (the
    pixel being computed in orange); the ``step`` slider, or the play button next to it, walks
    the kernel over every position. The summary line prints the output-size relation with the
    numbers filled in, e.g. ``floor((7 + 2*1 - 3) / 2) + 1 = 4``. The right panels apply the
    same kernel size, stride, padding and dilation to a photo (a box blur, computed with
    :func:`cnn_lessons.conv.conv2d`) and compare its shape with the shape
    ``keras.layers.Conv2D(...).compute_output_shape`` reports (no Keras layer is run).

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
    ipywidgets.VBox
        Controls ``input_size`` (3-12), ``kernel_size`` (1-7), ``stride`` (1-4),
        ``padding_mode``, ``padding`` (0-4), ``dilation`` (1-3) and ``step``. ``result`` holds
        ``output_size`` (pixels per side of the grid's output), ``padding_amounts``
        (before, after), ``formula``, ``step`` and ``window`` (top-left corner of the kernel
        in the padded grid), and for the photo ``output`` (the filtered photo), ``shape`` and
        ``keras_shape`` (as Keras reports it, with the batch axis).
    """
    import numpy as np

    from cnn_lessons import conv

    photo = (
        data.sample_image("camera", size=96) if image is None else _grayscale(_learner_photo(image))
    )
    keras_shape = _keras_shape_reporter()
    slider = {"style": {"description_width": "initial"}, "layout": {"width": "250px"}}
    controls = {
        "input_size": widgets.IntSlider(value=7, min=3, max=12, description="input_size", **slider),
        "kernel_size": widgets.IntSlider(
            value=3, min=1, max=7, description="kernel_size", **slider
        ),
        "stride": widgets.IntSlider(value=1, min=1, max=4, description="stride", **slider),
        "padding_mode": widgets.Dropdown(
            options=["valid", "same", "explicit"],
            value="explicit",
            description="padding_mode",
            style={"description_width": "initial"},
            layout={"width": "250px"},
        ),
        "padding": widgets.IntSlider(value=1, min=0, max=4, description="padding", **slider),
        "dilation": widgets.IntSlider(value=1, min=1, max=3, description="dilation", **slider),
        "step": widgets.IntSlider(value=0, min=0, max=48, description="step", **slider),
    }
    geometry = ["input_size", "kernel_size", "stride", "padding_mode", "padding", "dilation"]
    holding = [False]  # True while the step slider's range is adjusted: no redraw for that

    def padding_argument(padding_mode, padding):
        return padding if padding_mode == "explicit" else padding_mode

    def match_step_range(change=None):
        values = {name: controls[name].value for name in geometry}
        controls["padding"].disabled = values["padding_mode"] != "explicit"
        try:
            out = conv.output_size(
                values["input_size"],
                values["kernel_size"],
                stride=values["stride"],
                padding=padding_argument(values["padding_mode"], values["padding"]),
                dilation=values["dilation"],
            )
        except ValueError:
            return  # compute explains the problem; the slider keeps its range
        holding[0] = True
        try:
            controls["step"].max = out * out - 1  # also clamps the value
        finally:
            holding[0] = False

    # Registered before make_app's observers, so the step range is right before each redraw.
    for name in geometry:
        controls[name].observe(match_step_range, names="value")
    match_step_range()

    def compute(input_size, kernel_size, stride, padding_mode, padding, dilation, step):
        if stride > 1 and dilation > 1:
            raise ValueError(
                f"Keras does not allow stride > 1 together with dilation > 1 (Conv2D raises a "
                f"ValueError for strides={stride}, dilation_rate={dilation}); set one of them "
                "to 1. The maths is defined (conv.conv2d and tf.nn.conv2d compute it), but no "
                "Keras layer does it"
            )
        pad = padding_argument(padding_mode, padding)
        out = conv.output_size(
            input_size, kernel_size, stride=stride, padding=pad, dilation=dilation
        )
        before, after = conv.padding_amounts(
            input_size, kernel_size, stride=stride, padding=pad, dilation=dilation
        )
        if not 0 <= step < out * out:
            raise ValueError(f"step must be between 0 and {out * out - 1}, got {step}")
        formula = _size_formula(input_size, kernel_size, stride, pad, dilation, before, after, out)
        kernel = np.full((kernel_size, kernel_size), 1 / kernel_size**2, dtype=np.float32)
        try:
            filtered = conv.conv2d(photo, kernel, stride=stride, padding=pad, dilation=dilation)
        except ValueError as error:
            raise ValueError(f"the grid works, but not on the photo: {error}") from None
        reported = keras_shape(*photo.shape, kernel_size, stride, pad, dilation)
        agrees = tuple(reported[1:3]) == filtered.shape
        layer = f"ZeroPadding2D({pad}) + Conv2D(valid)" if padding_mode == "explicit" else "Conv2D"
        verdict = "equal" if agrees else "DIFFERENT"
        row, col = divmod(step, out)
        return {
            "output_size": out,
            "padding_amounts": (before, after),
            "formula": formula,
            "step": step,
            "window": (row * stride, col * stride),
            "settings": {
                "input_size": input_size,
                "kernel_size": kernel_size,
                "stride": stride,
                "padding": pad,
                "dilation": dilation,
            },
            "photo": photo,
            "output": filtered,
            "shape": filtered.shape,
            "keras_shape": reported,
            "agrees": agrees,
            "summary": (
                f"output {out} x {out}: {formula} · photo {photo.shape[0]} x {photo.shape[1]} "
                f"→ {filtered.shape[0]} x {filtered.shape[1]}; Keras {layer} reports "
                f"{reported}: {verdict}"
            ),
        }

    figure, axes, titles = _reusable_figure(4, figsize=(9.6, 2.7), width_ratios=[1.25, 0.85, 1, 1])

    def draw(result):
        _clear_artists(axes)
        settings = result["settings"]
        plots.plot_conv_grid(
            settings["input_size"],
            settings["kernel_size"],
            stride=settings["stride"],
            padding=result["padding_amounts"],
            dilation=settings["dilation"],
            step=result["step"],
            axes=axes[:2],
            title="",
        )
        out = result["output_size"]
        row, col = divmod(result["step"], out)
        for ax in axes[:2]:
            ax.title.set_text("")
        titles[0].set_text(f"input + padding (grey): position {result['step'] + 1} of {out * out}")
        titles[1].set_text(f"output {out}x{out}: pixel ({row}, {col})")
        _show(axes[2], result["photo"])
        titles[2].set_text(f"photo {result['photo'].shape[0]}x{result['photo'].shape[1]}")
        _show(axes[3], result["output"], vmin=None, vmax=None)
        height, width = result["shape"][:2]
        titles[3].set_text(
            f"{settings['kernel_size']}x{settings['kernel_size']} blur: {height}x{width}"
        )
        # Same scale as the photo: a strided output looks smaller, as it is.
        photo_height, photo_width = result["photo"].shape[:2]
        axes[3].set_xlim(-0.5, max(photo_width, width) - 0.5)
        axes[3].set_ylim(max(photo_height, height) - 0.5, -0.5)
        return figure

    app = make_app(controls, compute, draw, title="Convolution arithmetic")
    _hold_redraws(app, [controls["step"]], holding)
    play = widgets.Play(value=0, min=0, max=controls["step"].max, interval=700, description="walk")
    widgets.jslink((play, "value"), (controls["step"], "value"))
    widgets.dlink((controls["step"], "max"), (play, "max"))
    _controls_box(app).children = [
        widgets.VBox([controls[name] for name in ("input_size", "kernel_size", "stride")]),
        widgets.VBox([controls[name] for name in ("padding_mode", "padding", "dilation")]),
        widgets.VBox([controls["step"], play]),
    ]
    app.play = play
    return app


_POOLING_FILTERS = ("outline", "sobel_x", "sobel_y", "laplacian")


def _pooling_note(pool_size, stride):
    """One sentence on how neighbouring pooling windows relate."""
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


def pooling_explorer(image=None) -> widgets.VBox:
    """Pool an edge filter's feature map: pool size, stride, padding and max / average / min.

    A grayscale photo is filtered with an edge kernel from :data:`cnn_lessons.conv.KERNELS`
    (``"valid"`` borders, then ReLU if ticked, as in a CNN layer) and the feature map is pooled
    with :func:`cnn_lessons.conv.pool2d`. The figure shows the photo, the feature map, a zoom
    into it with three neighbouring pooling windows outlined (overlapping when the stride is
    smaller than the pool size), and the pooled map drawn at the same scale, so the loss of
    resolution is visible. The summary states the shapes and whether windows overlap.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, 3)``, optional
        The photo (at most 512 pixels a side; colour is converted to grayscale). Default: the
        "chelsea" photo (a cat) at 128x128.

    Returns
    -------
    ipywidgets.VBox
        Controls ``filter`` (edge kernel name), ``relu``, ``pool_size`` (1-8), ``stride``
        (1-8), ``padding`` (``"valid"``/``"same"``) and ``mode`` (``"max"``, ``"avg"``,
        ``"min"``). ``result`` holds ``feature_map``, ``output`` (the pooled map), ``shape``,
        ``overlap`` (True when stride < pool size) and ``summary``.
    """
    import numpy as np

    from cnn_lessons import conv

    photo = (
        data.sample_image("chelsea", size=128, gray=True)
        if image is None
        else _grayscale(_learner_photo(image))
    )
    feature_maps = {}  # (filter, relu) -> feature map, computed the first time it is shown
    slider = {"style": {"description_width": "initial"}, "layout": {"width": "240px"}}
    dropdown = {"style": {"description_width": "initial"}, "layout": {"width": "200px"}}
    controls = {
        "filter": widgets.Dropdown(
            options=_POOLING_FILTERS, value="outline", description="filter", **dropdown
        ),
        "relu": widgets.Checkbox(value=True, description="ReLU after the filter", indent=False),
        "pool_size": widgets.IntSlider(value=2, min=1, max=8, description="pool_size", **slider),
        "stride": widgets.IntSlider(value=2, min=1, max=8, description="stride", **slider),
        "padding": widgets.Dropdown(
            options=["valid", "same"], value="valid", description="padding", **dropdown
        ),
        "mode": widgets.Dropdown(
            options=["max", "avg", "min"], value="max", description="mode", **dropdown
        ),
    }

    def feature_map(name, relu):
        """The filtered photo and the centre of its busiest 14x14 patch (for the zoom)."""
        if (name, relu) not in feature_maps:
            # "valid": zero padding would light up the photo's border as an edge.
            response = conv.conv2d(photo, conv.KERNELS[name])
            features = np.maximum(response, 0) if relu else response
            side = min(14, *features.shape)
            energy = conv.pool2d(np.abs(features), side, stride=1, mode="avg")
            top, left = np.unravel_index(int(np.argmax(energy)), energy.shape)
            feature_maps[name, relu] = features, (top + side // 2, left + side // 2)
        return feature_maps[name, relu]

    def compute(filter, relu, pool_size, stride, padding, mode):
        features, busiest = feature_map(filter, relu)
        pooled = conv.pool2d(features, pool_size, stride=stride, padding=padding, mode=mode)
        height, width = features.shape
        before = (
            conv.padding_amounts(height, pool_size, stride=stride, padding="same")[0]
            if padding == "same"
            else 0
        )
        name = {"max": "max", "avg": "average", "min": "min"}[mode]
        return {
            "photo": photo,
            "feature_map": features,
            "output": pooled,
            "shape": pooled.shape,
            "overlap": stride < pool_size,
            "settings": {
                "pool_size": pool_size,
                "stride": stride,
                "padding": padding,
                "mode": mode,
                "filter": filter,
                "relu": relu,
            },
            "window_origin": -before,
            "busiest": busiest,
            "summary": (
                f"{name} pooling {pool_size}x{pool_size}, stride {stride}, {padding}: feature "
                f"map {height} x {width} → output {pooled.shape[0]} x {pooled.shape[1]}; "
                + _pooling_note(pool_size, stride)
            ),
        }

    figure, axes, titles = _reusable_figure(4, figsize=(9.6, 2.7))

    def draw(result):
        _clear_artists(axes)
        features, pooled = result["feature_map"], result["output"]
        settings = result["settings"]
        # Colours saturate at the 99.5th percentile: a few very strong edges would otherwise
        # leave everything else black.
        limit = float(np.percentile(np.abs(features), 99.5)) or 1.0
        if features.min() < 0:  # no ReLU: a diverging scale centred on 0
            scale = {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit}
        else:
            scale = {"cmap": "magma", "vmin": 0, "vmax": limit}
        _show(axes[0], result["photo"])
        titles[0].set_text(f"photo {'x'.join(map(str, result['photo'].shape))}")
        _show(axes[1], features, **scale)
        relu = " + ReLU" if settings["relu"] else ""
        titles[1].set_text(f"{settings['filter']}{relu}: {features.shape[0]}x{features.shape[1]}")
        # Zoom where the map is busiest, with the windows that start inside the crop.
        size, stride = settings["pool_size"], settings["stride"]
        height, width = features.shape
        zoom = min(max(14, 2 * stride + size + 2), height, width)
        row, col = result["busiest"]
        top = int(np.clip(row - zoom // 2, 0, height - zoom))
        left = int(np.clip(col - zoom // 2, 0, width - zoom))
        origin = result["window_origin"]  # where the first window starts (< 0: padding)
        first_row = origin + stride * -(-(top - origin) // stride)  # first start >= top
        first_col = origin + stride * -(-(left - origin) // stride)
        plots.plot_pooling_windows(
            features[top : top + zoom, left : left + zoom],
            size,
            axes[2],
            stride=stride,
            origin=(first_row - top, first_col - left),
            count=3,
            **scale,
        )
        axes[1].add_patch(
            plt.Rectangle(
                (left - 0.5, top - 0.5), zoom, zoom, fill=False, edgecolor="cyan", linewidth=1
            )
        )
        titles[2].set_text(f"zoom (cyan box): windows {size}x{size}, stride {stride}")
        # Each pooled pixel drawn over the stride x stride block it summarises.
        out_height, out_width = pooled.shape
        _show(
            axes[3],
            pooled,
            extent=(-0.5, out_width * stride - 0.5, out_height * stride - 0.5, -0.5),
            **scale,
        )
        axes[3].set_xlim(-0.5, max(width, out_width * stride) - 0.5)
        axes[3].set_ylim(max(height, out_height * stride) - 0.5, -0.5)
        titles[3].set_text(f"{settings['mode']} pooled: {out_height}x{out_width}")
        return figure

    return make_app(controls, compute, draw, title="Pooling a feature map")


# --- interpretability lesson -------------------------------------------------------------------


def _default_fgsm_setup():
    """The pretrained animal base and two test images of each of its classes."""
    import numpy as np

    from cnn_lessons import pretrain

    model = pretrain.load_pretrained()
    _, (x_test, y_test) = pretrain.animal_subset(pretrain.SOURCE_CLASSES)
    chosen = np.concatenate(
        [np.flatnonzero(y_test == label)[:2] for label in range(len(pretrain.SOURCE_CLASSES))]
    )
    return model, x_test[chosen], y_test[chosen], pretrain.SOURCE_CLASSES


def fgsm_explorer(model=None, images=None, labels=None, class_names=None) -> widgets.VBox:
    """Attack a classifier with the fast gradient sign method: pick an image and an epsilon.

    The loss gradient of every image is computed once when the app is built; moving a control
    adds ``epsilon * sign(gradient)``, clips to [0, 1] and runs the model on one image.

    Parameters
    ----------
    model : keras.Model, optional
        A softmax classifier built with ``keras.Input``. When omitted, the course's pretrained
        animal base (:func:`cnn_lessons.pretrain.load_pretrained`) and two test silhouettes of
        each of its six classes are used.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``, optional
        Floats in [0, 1] (uint8 is scaled). Required with ``model``.
    labels : sequence of int, optional
        The true classes. Required with ``model``.
    class_names : sequence of str, optional
        Names of the model's classes; ``"0", "1", ...`` by default.

    Returns
    -------
    ipywidgets.VBox
        Controls ``image`` and ``epsilon``. ``result`` holds ``image``, ``perturbation``,
        ``adversarial`` (the images, shaped like one input), ``clean_probabilities``,
        ``adversarial_probabilities``, ``label``, ``clean_prediction``,
        ``adversarial_prediction``, ``epsilon``, ``fooled`` (the prediction was right and is
        now wrong) and ``summary`` (one line: the prediction before and after).
    """
    import numpy as np
    from matplotlib.figure import Figure

    from cnn_lessons import explain

    if model is None:
        if images is not None or labels is not None:
            raise ValueError("images and labels must come with a model; pass model= too, or none")
        model, images, labels, class_names = _default_fgsm_setup()
    elif images is None or labels is None:
        raise ValueError("images and labels must be given with model=")
    images = _model_inputs(model, images)
    labels = np.asarray(labels).astype(np.int64)
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have one int per image ({len(images)}), got {labels.shape}")
    signs = np.sign(explain.loss_gradient(model, images, labels))
    clean = np.asarray(model(images, training=False))
    names = (
        tuple(str(index) for index in range(clean.shape[-1]))
        if class_names is None
        else tuple(class_names)
    )
    if len(names) != clean.shape[-1]:
        raise ValueError(f"class_names must have {clean.shape[-1]} entries, got {len(names)}")
    controls = {
        "image": widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="image"),
        "epsilon": widgets.FloatSlider(
            value=0.1,
            min=0.0,
            max=0.3,
            step=0.01,
            description="epsilon",
            readout_format=".2f",
            continuous_update=False,
        ),
    }

    def compute(image, epsilon):
        if not 0 <= image < len(images):
            raise ValueError(f"image must be between 0 and {len(images) - 1}, got {image}")
        if not 0 <= epsilon <= 1:
            raise ValueError(f"epsilon must be between 0 and 1, got {epsilon}")
        perturbation = np.float32(epsilon) * signs[image]
        adversarial = np.clip(images[image] + perturbation, 0.0, 1.0)
        probabilities = np.asarray(model.predict_on_batch(adversarial[None]))[0]
        label = int(labels[image])
        clean_prediction = int(np.argmax(clean[image]))
        adversarial_prediction = int(np.argmax(probabilities))
        fooled = clean_prediction == label and adversarial_prediction != label
        summary = (
            f"epsilon {epsilon:.2f}: {html.escape(names[clean_prediction])} "
            f"({clean[image][clean_prediction]:.1%}) becomes "
            f"{html.escape(names[adversarial_prediction])} "
            f"({probabilities[adversarial_prediction]:.1%})" + (", fooled" if fooled else "")
        )
        return {
            "image": images[image],
            "perturbation": perturbation,
            "adversarial": adversarial,
            "clean_probabilities": clean[image],
            "adversarial_probabilities": probabilities,
            "label": label,
            "clean_prediction": clean_prediction,
            "adversarial_prediction": adversarial_prediction,
            "epsilon": float(epsilon),
            "fooled": fooled,
            "summary": summary,
        }

    # One figure whose artists are created once and updated in place: clearing and redrawing
    # five Axes (ticks, labels, bars) costs several times more than the model call.
    figure = Figure(figsize=(9.6, 2.5))
    axes = figure.subplots(
        1,
        5,
        gridspec_kw={
            "width_ratios": [1, 1, 1, 1.15, 1.15],
            "wspace": 0.5,
            "left": 0.01,
            "right": 0.98,
            "top": 0.84,
            "bottom": 0.2,
        },
    )
    # Titles are plain Text artists: Axes.set_title re-measures every tick label on each save.
    titles = [
        ax.text(0.5, 1.04, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=9)
        for ax in axes
    ]
    blank = np.zeros(images.shape[1:3], dtype=np.float32)
    pictures = []
    for ax, cmap in zip(axes[:3], ("gray", "RdBu_r", "gray"), strict=True):
        ax.set_axis_off()
        pictures.append(ax.imshow(blank, cmap=cmap, vmin=0, vmax=1, interpolation="nearest"))
    positions = np.arange(len(names))
    bar_sets = []
    for ax, title, text in zip(axes[3:], ("before", "after"), titles[3:], strict=True):
        bar_sets.append(ax.barh(positions, np.zeros(len(names)), color="tab:gray"))
        ax.set_yticks(positions, names, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"], fontsize=8)
        text.set_text(f"probabilities {title}")

    def as_picture(image):
        return image[..., 0] if image.shape[-1] == 1 else image  # gray (H, W) or RGB (H, W, 3)

    def draw(result):
        eps = result["epsilon"]
        clean_name = names[result["clean_prediction"]]
        true_name = names[result["label"]]
        adversarial_name = names[result["adversarial_prediction"]]
        clean_confidence = result["clean_probabilities"][result["clean_prediction"]]
        adversarial_confidence = result["adversarial_probabilities"][
            result["adversarial_prediction"]
        ]
        verdict = "fooled!" if result["fooled"] else ""
        pictures[0].set_data(as_picture(result["image"]))
        pictures[1].set_data(result["perturbation"].mean(axis=-1))  # one map for any channels
        pictures[1].set_clim(-max(eps, 1e-6), max(eps, 1e-6))
        pictures[2].set_data(as_picture(result["adversarial"]))
        titles[0].set_text(f"original: {clean_name}\n{clean_confidence:.1%} (true: {true_name})")
        titles[1].set_text(f"+ perturbation\n(+-{eps:.2f}, amplified)")
        titles[2].set_text(
            f"= adversarial: {adversarial_name}\n{adversarial_confidence:.1%} {verdict}"
        )
        for bars, key in zip(
            bar_sets, ("clean_probabilities", "adversarial_probabilities"), strict=True
        ):
            probabilities = result[key]
            winner = int(np.argmax(probabilities))
            for index, bar in enumerate(bars):
                bar.set_width(float(probabilities[index]))
                color = "tab:gray"
                if index == winner:
                    color = "tab:orange"
                if index == result["label"]:
                    color = "tab:green"
                bar.set_color(color)
        return figure

    return make_app(
        controls, compute, draw, title="Fast gradient sign method: image + epsilon x sign(gradient)"
    )
