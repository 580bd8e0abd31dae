"""What a CNN looks at: feature maps, attributions and synthetic images, as pure functions.

Every function takes a Keras model and NumPy arrays and returns NumPy arrays; none of them
draws (that is :mod:`cnn_lessons.plots`' job). Images are ``(H, W)`` (grayscale) or
``(H, W, C)`` float arrays in the range the model was trained on; a grayscale image is given the
channel axis the model expects and results come back in the image's own shape.

Attribution functions explain a *score*: the model's output for one class. Use a model whose
last layer outputs raw scores (logits, no softmax): a saturated softmax has almost no gradient,
so the explanations of confident predictions would fade to nothing.

Keras 3 notes: a ``Sequential`` model has ``inputs``/``outputs`` but no ``input``/``output``;
the sub-models here are built as ``keras.Model(model.inputs[0], layer.output)``, which needs a
model built with ``keras.Input``. A base model nested inside another as a single layer hides its
inner layers from ``get_layer``: pass the base model itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from scipy import ndimage
from skimage import transform

from cnn_lessons import _validate, conv, flops

# --- Helpers -----------------------------------------------------------------------------------


def _check_model(model) -> None:
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if not getattr(model, "inputs", None):
        raise ValueError(
            "model must be built with keras.Input so that its inputs are known; got a model "
            "without inputs"
        )


def _input_shape(model) -> tuple:
    """The model's input shape without the batch axis, e.g. ``(28, 28, 1)``."""
    return tuple(model.inputs[0].shape)[1:]


def _to_batch(model, image, *, name="image") -> tuple[np.ndarray, tuple]:
    """Return ``image`` as a float32 batch of one for ``model``, and the image's own shape."""
    image = np.asarray(image, dtype=np.float32)
    expected = _input_shape(model)
    if image.ndim == len(expected) - 1 and expected[-1] == 1:
        batch = image[None, ..., None]
    elif image.ndim == len(expected):
        batch = image[None]
    else:
        raise ValueError(
            f"{name} must have shape (H, W) or (H, W, C) matching the model input {expected}, "
            f"got {image.shape}"
        )
    for axis, (size, wanted) in enumerate(zip(batch.shape[1:], expected, strict=True)):
        if wanted is not None and size != wanted:
            raise ValueError(
                f"{name} has shape {image.shape}, but the model expects {expected} "
                f"(axis {axis} differs)"
            )
    return batch, image.shape


def _to_images(model, images, *, name="images") -> np.ndarray:
    """Return a batch ``(N, H, W)`` or ``(N, H, W, C)`` in the model's input layout."""
    images = np.asarray(images, dtype=np.float32)
    expected = _input_shape(model)
    if images.ndim == len(expected) and expected[-1] == 1:
        images = images[..., None]
    if images.ndim != len(expected) + 1:
        raise ValueError(
            f"{name} must have shape (N, H, W) or (N, H, W, C) matching the model input "
            f"{expected}, got {images.shape}"
        )
    return images


def _layer(model, layer_name):
    try:
        return model.get_layer(layer_name)
    except ValueError:
        names = [layer.name for layer in model.layers]
        raise ValueError(f"layer_name must be one of {names}, got {layer_name!r}") from None


def _output_tensor(model):
    if not getattr(model, "outputs", None) or len(model.outputs) != 1:
        raise ValueError("model must have exactly one output (the class scores)")
    return model.outputs[0]


def _resolve_class(model, batch, class_index) -> int:
    scores = np.asarray(model(batch, training=False))
    classes = scores.shape[-1]
    if class_index is None:
        return int(np.argmax(scores[0]))
    if not isinstance(class_index, int | np.integer) or not 0 <= class_index < classes:
        raise ValueError(
            f"class_index must be None or an int in [0, {classes}), got {class_index!r}"
        )
    return int(class_index)


def _score_gradients(model, batch, class_index: int, *, chunk: int = 128) -> np.ndarray:
    """d score[class_index] / d input for every image of ``batch``, in chunks."""
    parts = []
    for start in range(0, len(batch), chunk):
        inputs = tf.convert_to_tensor(batch[start : start + chunk])
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            scores = model(inputs, training=False)[:, class_index]
        parts.append(tape.gradient(scores, inputs).numpy())
    return np.concatenate(parts)


def _scores(model, batch, class_index: int, *, chunk: int = 256) -> np.ndarray:
    return np.concatenate(
        [
            np.asarray(model(batch[start : start + chunk], training=False))[:, class_index]
            for start in range(0, len(batch), chunk)
        ]
    )


# --- Feature maps ------------------------------------------------------------------------------


def activations(model, images, layer_names: Sequence[str], *, batch_size: int = 256) -> dict:
    """Outputs of the named layers for a batch of images.

    Parameters
    ----------
    model : keras.Model
        Built with ``keras.Input``.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
    layer_names : sequence of str
    batch_size : int, default 256

    Returns
    -------
    dict
        layer name -> float32 array ``(N, ...)``, e.g. ``(N, H', W', channels)`` for a
        convolution.
    """
    _check_model(model)
    if isinstance(layer_names, str):
        raise TypeError("layer_names must be a sequence of layer names, got a single str")
    images = _to_images(model, images)
    layers = [_layer(model, name) for name in layer_names]
    extractor = keras.Model(model.inputs[0], [layer.output for layer in layers])
    batch_size = _validate.positive_int(batch_size, "batch_size")
    chunks = []
    for start in range(0, len(images), batch_size):
        outputs = extractor(images[start : start + batch_size], training=False)
        chunks.append(outputs if isinstance(outputs, list | tuple) else [outputs])
    return {
        name: np.concatenate([np.asarray(chunk[index]) for chunk in chunks]).astype(np.float32)
        for index, name in enumerate(layer_names)
    }


def feature_maps(model, image, layer_names: Sequence[str]) -> dict:
    """Outputs of the named layers for one image.

    Parameters
    ----------
    model : keras.Model
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
    layer_names : sequence of str

    Returns
    -------
    dict
        layer name -> float32 array without the batch axis, e.g. ``(H', W', channels)``.
    """
    _check_model(model)
    batch, _ = _to_batch(model, image)
    return {name: maps[0] for name, maps in activations(model, batch, layer_names).items()}


# --- Gradient-based attributions ---------------------------------------------------------------


def saliency(model, image, *, class_index: int | None = None) -> np.ndarray:
    """Vanilla gradient: how much a small change of each pixel changes the class score.

    Parameters
    ----------
    model : keras.Model
        Outputs class scores (logits).
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
    class_index : int, optional
        The class to explain; the predicted class when omitted.

    Returns
    -------
    numpy.ndarray
        float32, the image's shape: ``d score / d pixel`` (signed). For a linear model
        ``score = w . x + b`` this is exactly ``w``.
    """
    _check_model(model)
    batch, shape = _to_batch(model, image)
    class_index = _resolve_class(model, batch, class_index)
    return _score_gradients(model, batch, class_index)[0].reshape(shape)


def smoothgrad(
    model,
    image,
    *,
    class_index: int | None = None,
    samples: int = 50,
    noise_level: float = 0.2,
    seed: int = 0,
) -> np.ndarray:
    """SmoothGrad: the average gradient over noisy copies of the image (Smilkov et al., 2017).

    Parameters
    ----------
    model : keras.Model
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
    class_index : int, optional
        The predicted class when omitted (predicted on the clean image).
    samples : int, default 50
        Number of noisy copies.
    noise_level : float, default 0.2
        Standard deviation of the Gaussian noise as a fraction of the image's value range.
    seed : int, default 0

    Returns
    -------
    numpy.ndarray
        float32, the image's shape (signed, like :func:`saliency`).
    """
    _check_model(model)
    samples = _validate.positive_int(samples, "samples")
    if not noise_level >= 0:
        raise ValueError(f"noise_level must be >= 0, got {noise_level!r}")
    batch, shape = _to_batch(model, image)
    class_index = _resolve_class(model, batch, class_index)
    value_range = float(batch.max() - batch.min()) or 1.0
    generator = np.random.default_rng(seed)
    noise = generator.normal(0.0, noise_level * value_range, size=(samples, *batch.shape[1:]))
    noisy = (batch + noise).astype(np.float32)
    return _score_gradients(model, noisy, class_index).mean(axis=0).reshape(shape)


def integrated_gradients(
    model,
    image,
    *,
    class_index: int | None = None,
    baseline=None,
    steps: int = 32,
) -> np.ndarray:
    """Integrated gradients (Sundararajan et al., 2017), with the trapezoidal rule.

    ``attribution = (image - baseline) * mean of the gradients along the straight path from
    baseline to image``. Completeness: the attributions sum to ``score(image) -
    score(baseline)``, up to the error of the ``steps``-point integral.

    Parameters
    ----------
    model : keras.Model
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
    class_index : int, optional
        The predicted class when omitted.
    baseline : array_like, optional
        Same shape as ``image``; a black image (zeros) when omitted.
    steps : int, default 32
        Intervals of the path integral (``steps + 1`` gradient evaluations).

    Returns
    -------
    numpy.ndarray
        float32, the image's shape.
    """
    _check_model(model)
    steps = _validate.positive_int(steps, "steps")
    batch, shape = _to_batch(model, image)
    if baseline is None:
        base = np.zeros_like(batch)
    else:
        if np.shape(baseline) != shape:
            raise ValueError(
                f"baseline must have the image's shape {shape}, got {np.shape(baseline)}"
            )
        base, _ = _to_batch(model, baseline, name="baseline")
    class_index = _resolve_class(model, batch, class_index)
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32).reshape(-1, 1, 1, 1)
    path = (base + alphas * (batch - base)).astype(np.float32)
    gradients = _score_gradients(model, path, class_index)
    average = ((gradients[:-1] + gradients[1:]) / 2).mean(axis=0)
    return ((batch[0] - base[0]) * average).reshape(shape).astype(np.float32)


def grad_cam(model, image, *, layer_name: str, class_index: int | None = None) -> np.ndarray:
    """Grad-CAM (Selvaraju et al., 2017): where a convolution layer sees evidence for a class.

    Each channel of the layer's output is weighted by the average gradient of the class score
    over that channel; the weighted sum is passed through ReLU, resized to the image and
    divided by its maximum.

    Parameters
    ----------
    model : keras.Model
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
    layer_name : str
        A layer with a spatial output ``(H', W', channels)``, usually the last convolution.
    class_index : int, optional
        The predicted class when omitted.

    Returns
    -------
    numpy.ndarray
        float32 ``(H, W)`` in [0, 1] (all zeros when no location supports the class).
    """
    _check_model(model)
    batch, _ = _to_batch(model, image)
    layer = _layer(model, layer_name)
    if len(layer.output.shape) != 4:
        raise ValueError(
            f"layer_name must name a layer with a spatial output (N, H, W, C); {layer_name!r} "
            f"outputs {tuple(layer.output.shape)}"
        )
    class_index = _resolve_class(model, batch, class_index)
    both = keras.Model(model.inputs[0], [layer.output, _output_tensor(model)])
    inputs = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        maps, scores = both(inputs, training=False)
        score = scores[:, class_index]
    gradients = tape.gradient(score, maps).numpy()[0]
    maps = maps.numpy()[0]
    weights = gradients.mean(axis=(0, 1))
    cam = np.maximum((maps * weights).sum(axis=-1), 0.0)
    cam = transform.resize(cam, batch.shape[1:3], order=1, mode="edge", anti_aliasing=False)
    peak = cam.max()
    return (cam / peak if peak > 0 else cam).astype(np.float32)


def attribution_heatmap(attribution, *, absolute: bool = True, percentile: float = 99.0):
    """Turn an attribution (saliency, SmoothGrad, integrated gradients) into a [0, 1] heatmap.

    Parameters
    ----------
    attribution : array_like of shape ``(H, W)`` or ``(H, W, C)``
    absolute : bool, default True
        Use magnitudes (``|a|``); otherwise keep only positive evidence (``max(a, 0)``).
    percentile : float, default 99
        Values above this percentile saturate at 1, so one extreme pixel does not wash out the
        rest.

    Returns
    -------
    numpy.ndarray
        float32 ``(H, W)`` in [0, 1]; channels are combined by taking the maximum.
    """
    attribution = np.asarray(attribution, dtype=np.float32)
    if attribution.ndim == 3:
        attribution = attribution.max(axis=-1) if not absolute else np.abs(attribution).max(-1)
    elif attribution.ndim != 2:
        raise ValueError(f"attribution must be (H, W) or (H, W, C), got {attribution.shape}")
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {percentile!r}")
    values = np.abs(attribution) if absolute else np.maximum(attribution, 0.0)
    top = float(np.percentile(values, percentile))
    if top <= 0:
        top = float(values.max())
    if top <= 0:
        return np.zeros_like(values)
    return np.clip(values / top, 0.0, 1.0).astype(np.float32)


# --- Occlusion -----------------------------------------------------------------------------


def _patch_starts(size: int, patch: int, stride: int) -> list[int]:
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch and stride <= patch:
        starts.append(size - patch)  # cover the last rows/columns too
    return starts


def occlusion_map(
    model,
    image,
    *,
    patch_size: int,
    stride: int,
    class_index: int | None = None,
    fill: float = 0.0,
) -> np.ndarray:
    """Occlusion sensitivity (Zeiler & Fergus, 2014): the score lost when a patch is covered.

    A ``patch_size`` square of ``fill`` slides over the image in steps of ``stride``; for each
    position the class score is recomputed. Each pixel gets the average score drop of the
    patches that covered it.

    Parameters
    ----------
    model : keras.Model
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
    patch_size : int
        Side of the square patch, at most the image's smaller side.
    stride : int
        Step between patch positions. With ``stride <= patch_size`` every pixel is covered.
    class_index : int, optional
        The predicted class when omitted.
    fill : float, default 0.0
        Value painted into the patch (0 is the black background of the digits).

    Returns
    -------
    numpy.ndarray
        float32 ``(H, W)``: ``score(image) - mean score(occluded images)`` per pixel; positive
        where covering the pixel hurts the class. ``nan`` for pixels no patch covered.
    """
    _check_model(model)
    batch, _ = _to_batch(model, image)
    height, width = batch.shape[1:3]
    patch_size = _validate.positive_int(patch_size, "patch_size")
    stride = _validate.positive_int(stride, "stride")
    if patch_size > min(height, width):
        raise ValueError(
            f"patch_size must be at most the image side {min(height, width)}, got {patch_size}"
        )
    class_index = _resolve_class(model, batch, class_index)
    rows = _patch_starts(height, patch_size, stride)
    cols = _patch_starts(width, patch_size, stride)
    occluded = np.repeat(batch, len(rows) * len(cols), axis=0)
    positions = [(row, col) for row in rows for col in cols]
    for index, (row, col) in enumerate(positions):
        occluded[index, row : row + patch_size, col : col + patch_size] = fill
    drops = _scores(model, batch, class_index)[0] - _scores(model, occluded, class_index)
    total = np.zeros((height, width))
    count = np.zeros((height, width))
    for drop, (row, col) in zip(drops, positions, strict=True):
        total[row : row + patch_size, col : col + patch_size] += drop
        count[row : row + patch_size, col : col + patch_size] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan).astype(np.float32)


# --- Receptive fields and top-activating patches ------------------------------------------------


def receptive_field(model, layer_name: str) -> dict:
    """The input window one unit of a layer sees, following the chain of layers before it.

    Going through a layer with kernel ``k`` (dilated: ``d * (k - 1) + 1``), stride ``s`` and
    left padding ``p``, the window grows by ``(k - 1) * jump``, the distance ``jump`` between
    neighbouring units (in input pixels) is multiplied by ``s``, and the window's first pixel
    moves ``p * jump`` to the left. Layers without a kernel (activations, batch norm, dropout)
    change nothing.

    Parameters
    ----------
    model : keras.Model
        A chain of layers (each layer's input is the previous layer's output) with a fixed
        input size.
    layer_name : str
        A convolution, pooling or element-wise layer of the chain.

    Returns
    -------
    dict
        ``size`` (window side in pixels), ``jump`` (pixels between neighbouring units) and
        ``start`` (input row/column of the first pixel of unit 0's window; negative when it
        reaches into the padding). Unit ``i`` sees rows ``start + i * jump`` to
        ``start + i * jump + size - 1``.
    """
    _check_model(model)
    target = _layer(model, layer_name)
    spatial = _input_shape(model)[:2]
    sizes = [int(spatial[0]), int(spatial[1])]
    fields = [[1, 1, 0], [1, 1, 0]]  # per axis: size, jump, start
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            raise ValueError(
                f"model contains the nested model {layer.name!r}; pass that model itself"
            )
        kernel = stride = dilation = None
        if hasattr(layer, "kernel_size") and hasattr(layer, "strides"):
            kernel = _validate.int_pair(layer.kernel_size, "kernel_size")
            stride = _validate.int_pair(layer.strides, "strides")
            dilation = _validate.int_pair(getattr(layer, "dilation_rate", 1), "dilation_rate")
        elif hasattr(layer, "pool_size") and not isinstance(layer, flops.GLOBAL_POOLING_LAYERS):
            kernel = _validate.int_pair(layer.pool_size, "pool_size")
            stride, dilation = _validate.int_pair(layer.strides, "strides"), (1, 1)
        elif len(layer.output.shape) != 4 or len(layer.input.shape) != 4:
            raise ValueError(
                f"layer {layer.name!r} ({type(layer).__name__}) has no spatial output; "
                f"{layer_name!r} must come before it"
            )
        if kernel is not None:
            padding = getattr(layer, "padding", "valid")
            for axis in range(2):
                geometry = {
                    "stride": stride[axis],
                    "padding": "same" if padding == "same" else "valid",
                    "dilation": dilation[axis],
                }
                effective = conv.effective_kernel_size(kernel[axis], dilation[axis])
                out = conv.output_size(sizes[axis], kernel[axis], **geometry)
                left, _ = conv.padding_amounts(sizes[axis], kernel[axis], **geometry)
                size, jump, start = fields[axis]
                fields[axis] = [
                    size + (effective - 1) * jump,
                    jump * stride[axis],
                    start - left * jump,
                ]
                sizes[axis] = out
        if layer is target:
            break
    if fields[0] != fields[1]:
        raise ValueError(
            f"the receptive field of {layer_name!r} is not square ({fields[0]} vs {fields[1]})"
        )
    size, jump, start = fields[0]
    return {"size": int(size), "jump": int(jump), "start": int(start)}


def _crop(image, top, left, size):
    """A ``size`` x ``size`` crop of ``image`` starting at (top, left), zero outside."""
    height, width = image.shape[:2]
    patch = np.zeros((size, size, *image.shape[2:]), dtype=image.dtype)
    rows = slice(max(top, 0), min(top + size, height))
    cols = slice(max(left, 0), min(left + size, width))
    patch[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left] = image[
        rows, cols
    ]
    return patch


def top_activating_patches(
    model, images, *, layer_name: str, channels: Sequence[int], top: int = 9
) -> dict:
    """For each channel, the image patches that excite it most (Zeiler & Fergus, 2014).

    For every image, the channel's strongest unit is found; the ``top`` images with the
    strongest maxima are kept (one patch per image), and each patch is the receptive field of
    that unit, cropped from the input (zeros where the field reaches into the padding).

    Parameters
    ----------
    model : keras.Model
        A chain of layers (see :func:`receptive_field`).
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
    layer_name : str
        A layer with a spatial output.
    channels : sequence of int
        Channels of that layer to examine.
    top : int, default 9
        Patches per channel, at most ``N``.

    Returns
    -------
    dict
        ``patches``: ``(len(channels), top, size, size)`` (plus the image's channel axis for
        colour images), strongest first; ``values``: ``(len(channels), top)`` activations;
        ``image_indices``: ``(len(channels), top)``; ``units``: ``(len(channels), top, 2)`` row
        and column of the unit in the feature map; ``receptive_field``: see
        :func:`receptive_field`.
    """
    _check_model(model)
    images = np.asarray(images, dtype=np.float32)
    batch = _to_images(model, images)
    top = _validate.positive_int(top, "top")
    if top > len(batch):
        raise ValueError(f"top must be at most the number of images {len(batch)}, got {top}")
    field = receptive_field(model, layer_name)
    maps = activations(model, batch, [layer_name])[layer_name]
    if maps.ndim != 4:
        raise ValueError(f"layer_name must name a layer with a spatial output, got {maps.shape}")
    channels = [int(channel) for channel in channels]
    for channel in channels:
        if not 0 <= channel < maps.shape[-1]:
            raise ValueError(f"channels must be in [0, {maps.shape[-1]}), got {channel}")
    crops, values, indices, units = [], [], [], []
    for channel in channels:
        flat = maps[..., channel].reshape(len(batch), -1)
        strongest = flat.argmax(axis=1)
        best = flat[np.arange(len(batch)), strongest]
        order = np.argsort(-best, kind="stable")[:top]
        rows, cols = np.unravel_index(strongest[order], maps.shape[1:3])
        crops.append(
            [
                _crop(
                    images[index],
                    field["start"] + row * field["jump"],
                    field["start"] + col * field["jump"],
                    field["size"],
                )
                for index, row, col in zip(order, rows, cols, strict=True)
            ]
        )
        values.append(best[order])
        indices.append(order)
        units.append(np.stack([rows, cols], axis=1))
    return {
        "patches": np.asarray(crops, dtype=np.float32),
        "values": np.asarray(values, dtype=np.float32),
        "image_indices": np.asarray(indices),
        "units": np.asarray(units),
        "receptive_field": field,
    }


# --- Synthetic images --------------------------------------------------------------------------


def _channel_objective(layer_output_rank: int, channels):
    channels = tf.constant(channels, dtype=tf.int32)

    def objective(outputs):
        if layer_output_rank == 4:
            per_channel = tf.reduce_mean(outputs, axis=(1, 2))  # (N, C)
        else:
            per_channel = outputs
        return tf.reduce_sum(tf.gather(per_channel, channels, axis=1, batch_dims=1))

    return objective


def activation_maximization(
    model,
    *,
    layer_name: str,
    channels: Sequence[int],
    steps: int = 64,
    step_size: float = 0.05,
    jitter: int = 2,
    blur_sigma: float = 0.6,
    blur_every: int = 4,
    l2: float = 0.01,
    seed: int = 0,
) -> np.ndarray:
    """Synthesise one input per channel that excites it strongly, by gradient ascent.

    Starting from faint noise, each step shifts the images by a random ``jitter`` (so the
    result cannot rely on exact pixel positions), follows the normalised gradient of the mean
    activation of each image's channel, shrinks the images towards zero by the factor
    ``1 - l2`` (an L2 penalty that keeps only pixels that earn their place), blurs them every
    ``blur_every`` steps (removing high-frequency noise) and clips them to [0, 1].

    Parameters
    ----------
    model : keras.Model
        With a fixed input size and inputs in [0, 1].
    layer_name : str
        A convolution (the channel's mean activation is maximised) or a dense layer (the unit's
        value).
    channels : sequence of int
        One synthetic image per entry; all are optimised together as one batch.
    steps : int, default 64
    step_size : float, default 0.05
        Size of each step, in units of the gradient's standard deviation.
    jitter : int, default 2
        Largest random shift in pixels (0 disables it).
    blur_sigma : float, default 0.6
        Gaussian blur in pixels (0 disables it).
    blur_every : int, default 4
    l2 : float, default 0.01
        Decay towards zero per step, in [0, 1).
    seed : int, default 0

    Returns
    -------
    numpy.ndarray
        float32 ``(len(channels), *input_shape)`` in [0, 1], e.g. ``(n, 28, 28, 1)``.
    """
    _check_model(model)
    steps = _validate.positive_int(steps, "steps")
    blur_every = _validate.positive_int(blur_every, "blur_every")
    if not isinstance(jitter, int | np.integer) or jitter < 0:
        raise ValueError(f"jitter must be a non-negative int, got {jitter!r}")
    if not 0 <= l2 < 1:
        raise ValueError(f"l2 must be in [0, 1), got {l2!r}")
    layer = _layer(model, layer_name)
    channels = [int(channel) for channel in channels]
    units = layer.output.shape[-1]
    for channel in channels:
        if not 0 <= channel < units:
            raise ValueError(f"channels must be in [0, {units}), got {channel}")
    shape = _input_shape(model)
    if any(size is None for size in shape):
        raise ValueError(f"model must have a fixed input size, got {shape}")
    extractor = keras.Model(model.inputs[0], layer.output)
    objective = _channel_objective(len(layer.output.shape), channels)

    @tf.function(reduce_retracing=True)
    def gradient(images):
        with tf.GradientTape() as tape:
            tape.watch(images)
            value = objective(extractor(images, training=False))
        return tape.gradient(value, images)

    generator = np.random.default_rng(seed)
    images = (0.1 + 0.02 * generator.standard_normal((len(channels), *shape))).astype(np.float32)
    for step in range(steps):
        shift = tuple(int(s) for s in generator.integers(-jitter, jitter + 1, size=2))
        shifted = np.roll(images, shift, axis=(1, 2))
        grads = np.roll(gradient(tf.constant(shifted)).numpy(), (-shift[0], -shift[1]), axis=(1, 2))
        spread = grads.reshape(len(channels), -1).std(axis=1).reshape(-1, *[1] * len(shape))
        images = images + step_size * grads / (spread + 1e-8)
        images *= 1.0 - l2
        if blur_sigma > 0 and (step + 1) % blur_every == 0:
            images = ndimage.gaussian_filter(images, sigma=(0, blur_sigma, blur_sigma, 0))
        images = np.clip(images, 0.0, 1.0).astype(np.float32)
    return images


def deep_dream(
    model,
    image,
    *,
    layer_names: Sequence[str] | None = None,
    octaves: int = 3,
    octave_scale: float = 1.4,
    steps: int = 10,
    step_size: float = 0.02,
) -> np.ndarray:
    """DeepDream (Mordvintsev et al., 2015): amplify whatever the layers already see.

    Gradient ascent on the *image* to increase the mean activation of the chosen layers, run
    on a pyramid of ``octaves`` scales from small to full size; after each scale, the detail the
    downscaling removed is added back, so patterns appear at several sizes.

    Parameters
    ----------
    model : keras.Model
        A fully convolutional model that accepts any image size, e.g. ``keras.Input(shape=(None,
        None, 1))`` followed by convolution and pooling layers.
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
        Values in [0, 1].
    layer_names : sequence of str, optional
        Layers whose activations to amplify; the model's output when omitted.
    octaves : int, default 3
    octave_scale : float, default 1.4
        Size ratio between successive octaves.
    steps : int, default 10
        Gradient steps per octave.
    step_size : float, default 0.02
        Step per iteration, relative to the mean absolute gradient.

    Returns
    -------
    numpy.ndarray
        float32, the image's shape, in [0, 1].
    """
    _check_model(model)
    octaves = _validate.positive_int(octaves, "octaves")
    steps = _validate.positive_int(steps, "steps")
    if not octave_scale > 1:
        raise ValueError(f"octave_scale must be > 1, got {octave_scale!r}")
    image = np.asarray(image, dtype=np.float32)
    expected = _input_shape(model)
    if image.ndim == len(expected) - 1 and expected[-1] == 1:
        work = image[..., None]
    elif image.ndim == len(expected) and image.shape[-1] == expected[-1]:
        work = image
    else:
        raise ValueError(f"image must match the model input {expected}, got shape {image.shape}")
    if layer_names is None:
        outputs = list(model.outputs)
    else:
        outputs = [_layer(model, name).output for name in layer_names]
    dreamer = keras.Model(model.inputs[0], outputs)

    @tf.function(reduce_retracing=True)
    def gradient(batch):
        with tf.GradientTape() as tape:
            tape.watch(batch)
            values = dreamer(batch, training=False)
            values = values if isinstance(values, list | tuple) else [values]
            loss = tf.add_n([tf.reduce_mean(value) for value in values])
        grads = tape.gradient(loss, batch)
        return grads / (tf.reduce_mean(tf.abs(grads)) + 1e-8)

    height, width = work.shape[:2]
    shapes = [
        (max(8, round(height / octave_scale**level)), max(8, round(width / octave_scale**level)))
        for level in reversed(range(octaves))
    ]

    def resize(array, size):
        return transform.resize(array, size, order=1, mode="edge", anti_aliasing=False)

    original = work
    shrunk_original = resize(original, shapes[0])
    dream = shrunk_original.copy()
    for size in shapes:
        dream = resize(dream, size).astype(np.float32)
        for _ in range(steps):
            grads = gradient(tf.constant(dream[None])).numpy()[0]
            dream = np.clip(dream + step_size * grads, 0.0, 1.0)
        lost_detail = resize(original, size) - resize(shrunk_original, size)
        dream = np.clip(dream + lost_detail, 0.0, 1.0)
        shrunk_original = resize(original, size)
    return dream.reshape(image.shape).astype(np.float32)


# --- FGSM (interpretability lesson) ----------------------------------------------------------


def _labels_for(images, labels) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(
            f"labels must be a 1-D array with one int per image ({len(images)}), "
            f"got shape {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers (class indices), got dtype {labels.dtype}")
    return labels.astype(np.int64)


def _epsilon(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"epsilon must be a number >= 0, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"epsilon must be a finite number >= 0, got {value!r}")
    return float(value)


def loss_gradient(
    model, images, labels, *, from_logits: bool = False, batch_size: int = 256
) -> np.ndarray:
    """Gradient of the cross-entropy loss with respect to each input pixel.

    Parameters
    ----------
    model : keras.Model
        A classifier built with ``keras.Input``; its output is class probabilities (softmax)
        or, with ``from_logits=True``, raw scores.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
        In the range the model was trained on.
    labels : array_like of int, shape ``(N,)``
        The class each image should be recognised as.
    from_logits : bool, default False
    batch_size : int, default 256
        Images per gradient computation.

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``: ``d loss(image, label) / d image`` for each image,
        where the loss is the cross-entropy ``-log p[label]``.
    """
    _check_model(model)
    shape = np.shape(images)
    batch = _to_images(model, images)
    labels = _labels_for(batch, labels)
    batch_size = _validate.positive_int(batch_size, "batch_size")
    parts = []
    for start in range(0, len(batch), batch_size):
        inputs = tf.convert_to_tensor(batch[start : start + batch_size])
        targets = tf.convert_to_tensor(labels[start : start + batch_size])
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = model(inputs, training=False)
            if from_logits:
                loss = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, outputs)
            else:
                chosen = tf.gather(outputs, targets, axis=1, batch_dims=1)
                loss = -tf.math.log(tf.maximum(chosen, np.finfo(np.float32).tiny))
            total = tf.reduce_sum(loss)
        parts.append(tape.gradient(total, inputs).numpy())
    return np.concatenate(parts).reshape(shape).astype(np.float32)


def fgsm_perturbation(
    model, images, labels, *, epsilon: float, from_logits: bool = False
) -> np.ndarray:
    """The fast gradient sign method's perturbation: ``epsilon * sign(d loss / d image)``.

    Goodfellow, Shlens and Szegedy (2014), arXiv:1412.6572: one step of size ``epsilon`` per
    pixel in the direction that increases the loss fastest under a per-pixel (L-infinity)
    budget.

    Parameters
    ----------
    model, images, labels, from_logits
        As for :func:`loss_gradient`.
    epsilon : float
        The largest change allowed per pixel (``>= 0``), in the image's units (1.0 is the full
        black-to-white range for images in [0, 1]).

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``, every value ``-epsilon``, ``0`` or ``+epsilon``.
    """
    epsilon = _epsilon(epsilon)
    gradient = loss_gradient(model, images, labels, from_logits=from_logits)
    return (epsilon * np.sign(gradient)).astype(np.float32)


def fgsm_attack(
    model,
    images,
    labels,
    *,
    epsilon: float,
    clip: tuple[float, float] | None = (0.0, 1.0),
    from_logits: bool = False,
) -> np.ndarray:
    """Adversarial images: ``images + fgsm_perturbation(...)``, clipped to the valid range.

    Parameters
    ----------
    model, images, labels, epsilon, from_logits
        As for :func:`fgsm_perturbation`.
    clip : (low, high) or None, default (0.0, 1.0)
        Keep pixels in this range (an image is still an image); ``None`` does not clip.

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``.
    """
    perturbation = fgsm_perturbation(
        model, images, labels, epsilon=epsilon, from_logits=from_logits
    )
    adversarial = np.asarray(images, dtype=np.float32) + perturbation
    if clip is not None:
        adversarial = np.clip(adversarial, clip[0], clip[1])
    return adversarial.astype(np.float32)


def predict_classes(model, images, *, batch_size: int = 512) -> np.ndarray:
    """The most likely class of each image, ``(N,)`` int64 (no Keras progress bar)."""
    _check_model(model)
    batch = _to_images(model, images)
    batch_size = _validate.positive_int(batch_size, "batch_size")
    return np.concatenate(
        [
            np.argmax(np.asarray(model(batch[start : start + batch_size], training=False)), -1)
            for start in range(0, len(batch), batch_size)
        ]
    ).astype(np.int64)


def accuracy_under_attack(
    model,
    images,
    labels,
    epsilons: Sequence[float],
    *,
    random_signs: bool = False,
    seed: int = 0,
    clip: tuple[float, float] | None = (0.0, 1.0),
    from_logits: bool = False,
) -> np.ndarray:
    """Accuracy on FGSM images for each epsilon (or on random-sign noise of the same size).

    The gradient's sign does not depend on epsilon, so it is computed once; each epsilon then
    costs one prediction pass.

    Parameters
    ----------
    model, images, labels, clip, from_logits
        As for :func:`fgsm_attack`.
    epsilons : sequence of float
        Perturbation sizes, each ``>= 0``.
    random_signs : bool, default False
        Instead of the gradient's sign, use a random ``+-1`` per pixel (drawn with ``seed``):
        noise exactly as large as the attack, pointing nowhere in particular.
    seed : int, default 0

    Returns
    -------
    numpy.ndarray
        float64 of shape ``(len(epsilons),)``, accuracies in [0, 1].
    """
    epsilons = [_epsilon(value) for value in epsilons]
    images = np.asarray(images, dtype=np.float32)
    labels = _labels_for(images, labels)
    if random_signs:
        signs = np.random.default_rng(seed).choice(np.array([-1.0, 1.0], np.float32), images.shape)
    else:
        signs = np.sign(loss_gradient(model, images, labels, from_logits=from_logits))
    accuracies = []
    for epsilon in epsilons:
        perturbed = images + np.float32(epsilon) * signs
        if clip is not None:
            perturbed = np.clip(perturbed, clip[0], clip[1])
        accuracies.append(float(np.mean(predict_classes(model, perturbed) == labels)))
    return np.array(accuracies)
