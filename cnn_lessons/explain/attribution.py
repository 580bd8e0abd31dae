"""Which pixels a class score depends on: saliency, SmoothGrad, integrated gradients, Grad-CAM
and occlusion.

Attribution functions explain a *score*: the model's output for one class. Use a model whose
last layer outputs raw scores (logits, no softmax): a saturated softmax has almost no gradient,
so the explanations of confident predictions would fade to nothing.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from skimage import transform

from cnn_lessons import _arrays, _validate
from cnn_lessons.explain import _model

#: Most model evaluations one attribution may ask for (noisy copies, path points, patches).
MAX_EVALUATIONS = 100_000


def _evaluations(count: int, batch: np.ndarray, what: str) -> None:
    """Refuse a number of model inputs that would take too long or too much memory."""
    if count > MAX_EVALUATIONS:
        raise ValueError(f"{what} asks for {count} model evaluations; at most {MAX_EVALUATIONS}")
    _validate.fits_in_memory((count, *batch.shape[1:]), what, itemsize=4)


def saliency(model, image, *, class_index: int | None = None) -> np.ndarray:
    """Vanilla gradient: how much a small change of each pixel changes the class score.

    Simonyan, Vedaldi and Zisserman (2013), arXiv:1312.6034.

    Parameters
    ----------
    model : keras.Model
        Outputs class scores (logits).
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
        Integer pixels are scaled to [0, 1].
    class_index : int, optional
        The class to explain; the predicted class when omitted.

    Returns
    -------
    numpy.ndarray
        float32, the image's shape: ``d score / d pixel`` (signed). For a linear model
        ``score = w . x + b`` this is exactly ``w``.
    """
    _model.check_model(model)
    batch, shape = _arrays.model_image(model, image)
    class_index = _model.resolve_class(model, batch, class_index)
    return _model.score_gradients(model, batch, class_index)[0].reshape(shape)


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
        Seeds the noise (a generator of its own; the global ones are left alone).

    Returns
    -------
    numpy.ndarray
        float32, the image's shape (signed, like :func:`saliency`).
    """
    _model.check_model(model)
    samples = _validate.positive_int(samples, "samples")
    noise_level = _validate.number(noise_level, "noise_level", minimum=0)
    batch, shape = _arrays.model_image(model, image)
    _evaluations(samples, batch, f"samples={samples}")
    class_index = _model.resolve_class(model, batch, class_index)
    value_range = float(batch.max() - batch.min()) or 1.0
    generator = np.random.default_rng(_validate.seed(seed))
    noise = generator.normal(0.0, noise_level * value_range, size=(samples, *batch.shape[1:]))
    noisy = (batch + noise).astype(np.float32)
    return _model.score_gradients(model, noisy, class_index).mean(axis=0).reshape(shape)


def integrated_gradients(
    model, image, *, class_index: int | None = None, baseline=None, steps: int = 32
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
    _model.check_model(model)
    steps = _validate.positive_int(steps, "steps")
    batch, shape = _arrays.model_image(model, image)
    _evaluations(steps + 1, batch, f"steps={steps}")
    if baseline is None:
        base = np.zeros_like(batch)
    else:
        if np.shape(baseline) != shape:
            raise ValueError(
                f"baseline must have the image's shape {shape}, got {np.shape(baseline)}"
            )
        base, _ = _arrays.model_image(model, baseline, name="baseline")
    class_index = _model.resolve_class(model, batch, class_index)
    alphas = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32).reshape(-1, 1, 1, 1)
    path = (base + alphas * (batch - base)).astype(np.float32)
    gradients = _model.score_gradients(model, path, class_index)
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
    _model.check_model(model)
    batch, _ = _arrays.model_image(model, image)
    layer = _model.layer(model, layer_name)
    if len(layer.output.shape) != 4:
        raise ValueError(
            f"layer_name must name a layer with a spatial output (N, H, W, C); {layer_name!r} "
            f"outputs {tuple(layer.output.shape)}"
        )
    class_index = _model.resolve_class(model, batch, class_index)
    both = keras.Model(model.inputs[0], [layer.output, _model.output_tensor(model)])
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
        NaN (pixels nothing says anything about, as in :func:`occlusion_map`) counts as 0.
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
    attribution = _validate.real_array(attribution, "attribution").astype(np.float32)
    if np.isinf(attribution).any():
        raise ValueError("attribution must not contain infinity")
    attribution = np.nan_to_num(attribution, nan=0.0)
    percentile = _validate.number(
        percentile, "percentile", minimum=0, maximum=100, exclusive_minimum=True
    )
    if attribution.ndim == 3:
        attribution = np.abs(attribution).max(-1) if absolute else attribution.max(axis=-1)
    elif attribution.ndim != 2:
        raise ValueError(f"attribution must be (H, W) or (H, W, C), got {attribution.shape}")
    values = np.abs(attribution) if absolute else np.maximum(attribution, 0.0)
    top = float(np.percentile(values, percentile))
    if top <= 0:
        top = float(values.max())
    if top <= 0:
        return np.zeros_like(values)
    return np.clip(values / top, 0.0, 1.0).astype(np.float32)


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
    _model.check_model(model)
    batch, _ = _arrays.model_image(model, image)
    height, width = batch.shape[1:3]
    legal = f"an int from 1 to the image's smaller side, {min(height, width)}"
    patch_size = _validate.integer(
        patch_size, "patch_size", minimum=1, maximum=min(height, width), legal=legal
    )
    stride = _validate.positive_int(stride, "stride")
    fill = _validate.number(fill, "fill")
    rows = _patch_starts(height, patch_size, stride)
    cols = _patch_starts(width, patch_size, stride)
    _evaluations(len(rows) * len(cols), batch, f"patch_size={patch_size}, stride={stride}")
    class_index = _model.resolve_class(model, batch, class_index)
    occluded = np.repeat(batch, len(rows) * len(cols), axis=0)
    positions = [(row, col) for row in rows for col in cols]
    for index, (row, col) in enumerate(positions):
        occluded[index, row : row + patch_size, col : col + patch_size] = fill
    clean = _model.scores(model, batch, class_index)[0]
    drops = clean - _model.scores(model, occluded, class_index)
    total = np.zeros((height, width))
    count = np.zeros((height, width))
    for drop, (row, col) in zip(drops, positions, strict=True):
        total[row : row + patch_size, col : col + patch_size] += drop
        count[row : row + patch_size, col : col + patch_size] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan).astype(np.float32)
