"""Learners' arrays in the shapes the package works with: photos, model batches, labels.

One place converts images for a model (``explain``, ``adversarial`` and the apps all call it),
so a uint8 array gives the same result everywhere: integer pixels are scaled to [0, 1] by
:func:`cnn_lessons._validate.float_image`'s one rule, NaN and infinity are refused, a
grayscale batch gets the channel axis a one-channel model expects, and a shape the model cannot
take is refused when the function or app is called, not halfway through.
"""

from __future__ import annotations

import numpy as np

from cnn_lessons import _validate

#: Largest side of a learner's photo in the convolution apps (bigger photos redraw slowly).
MAX_PHOTO_SIDE = 512


def photo(image, *, name: str = "image", max_side: int = MAX_PHOTO_SIDE) -> np.ndarray:
    """A learner's photo as float32 ``(H, W)`` or ``(H, W, 3)`` in the package's scale.

    A single channel is dropped to ``(H, W)`` and an alpha channel is removed.
    """
    array = _validate.float_image(image, name)
    if array.ndim == 3 and array.shape[2] in (1, 4):
        array = array[..., 0] if array.shape[2] == 1 else array[..., :3]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise ValueError(f"{name} must have shape (H, W) or (H, W, 3), got shape {np.shape(image)}")
    if max(array.shape[:2]) > max_side:
        raise ValueError(
            f"{name} must be at most {max_side} pixels a side so the app stays fast, got shape "
            f"{array.shape}; resize it first, e.g. data.sample_image(name, size=128)"
        )
    return array


def grayscale(picture: np.ndarray) -> np.ndarray:
    """Luminance of an ``(H, W, 3)`` photo (ITU-R 601, as scikit-image); ``(H, W)`` unchanged."""
    if picture.ndim == 2:
        return picture
    weights = np.array([0.2125, 0.7154, 0.0721], dtype=picture.dtype)
    return picture @ weights


def input_shape(model) -> tuple:
    """A Keras model's input shape without the batch axis, e.g. ``(28, 28, 1)``."""
    if not callable(model) or not hasattr(model, "layers"):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    inputs = getattr(model, "inputs", None)
    if not inputs:
        raise ValueError(
            "model must be built with keras.Input so that its inputs are known; got a model "
            "without inputs"
        )
    return tuple(inputs[0].shape)[1:]


def _fits(shape: tuple, expected: tuple) -> bool:
    return len(shape) == len(expected) and all(
        wanted is None or wanted == size for size, wanted in zip(shape, expected, strict=True)
    )


def model_batch(model, images, *, name: str = "images") -> np.ndarray:
    """``images`` as a float32 batch ``(N, *input_shape)`` that ``model`` can take.

    ``(N, H, W)`` is accepted for a one-channel model. Integer pixels are scaled to [0, 1].
    """
    expected = input_shape(model)
    batch = _validate.float_image(images, name)
    if batch.ndim == len(expected) and expected[-1] == 1:
        batch = batch[..., None]
    if batch.ndim != len(expected) + 1 or not _fits(batch.shape[1:], expected):
        one_channel = " (or (N, H, W) when it takes one channel)" if expected[-1] == 1 else ""
        raise ValueError(
            f"{name} must have shape (N, {', '.join(map(str, expected))}) for this model"
            f"{one_channel}, got {np.shape(images)}"
        )
    return batch


def model_image(model, image, *, name: str = "image") -> tuple[np.ndarray, tuple]:
    """One image as a batch of one for ``model``, and the image's own shape.

    ``(H, W)`` is accepted for a one-channel model; integer pixels are scaled to [0, 1].
    """
    expected = input_shape(model)
    array = _validate.float_image(image, name)
    if array.ndim == len(expected) - 1 and expected[-1] == 1:
        batch = array[None, ..., None]
    elif array.ndim == len(expected):
        batch = array[None]
    else:
        raise ValueError(
            f"{name} must have shape (H, W) or (H, W, C) matching the model input {expected}, "
            f"got {array.shape}"
        )
    if not _fits(batch.shape[1:], expected):
        raise ValueError(f"{name} has shape {array.shape}, but the model expects {expected}")
    return batch, array.shape


def class_labels(labels, *, count: int, classes: int | None = None, name="labels") -> np.ndarray:
    """``labels`` as a 1-D int64 array with ``count`` entries, each in ``[0, classes)``."""
    array = np.asarray(labels)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be integers (class indices), got an array of dtype {array.dtype}"
        )
    if array.ndim != 1 or len(array) != count:
        raise ValueError(
            f"{name} must be a 1-D array with one int per image ({count}), got shape {array.shape}"
        )
    if count and (array.min() < 0 or (classes is not None and array.max() >= classes)):
        bad = int(array.min() if array.min() < 0 else array.max())
        legal = f"0 to {classes - 1}" if classes is not None else "0 or more"
        raise ValueError(
            f"{name} must be class indices from {legal} (the model has {classes} outputs), "
            f"got {bad}"
        )
    return array.astype(np.int64)


def probabilities(outputs, *, name: str = "model") -> np.ndarray:
    """Check that a model's ``(N, classes)`` outputs are probabilities (rows of a softmax).

    Raises ``ValueError`` for raw scores (negative values or rows that do not sum to 1), which
    the cross-entropy of a probability would silently get wrong.
    """
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim != 2:
        raise ValueError(f"{name} must output (N, classes), got shape {outputs.shape}")
    if np.any(outputs < 0) or not np.allclose(outputs.sum(axis=1), 1, atol=1e-3):
        raise ValueError(
            f"{name} must output probabilities (a softmax: non-negative rows that sum to 1), "
            "but its outputs look like raw scores; end the model with a softmax, or pass "
            "from_logits=True where the function offers it"
        )
    return outputs


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``(N, classes)`` scores, float64."""
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
