"""Model plumbing shared by the explanation techniques: checks, layers, scores, gradients."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from cnn_lessons import _arrays, _validate


def check_model(model) -> None:
    """Refuse anything but a Keras model built with ``keras.Input``."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    _arrays.input_shape(model)  # refuses a model without inputs


def layer(model, layer_name: str):
    """``model.get_layer(layer_name)``, with an error that lists the layer names."""
    if not isinstance(layer_name, str):
        raise TypeError(f"layer_name must be a layer name (str), got {layer_name!r}")
    try:
        return model.get_layer(layer_name)
    except ValueError:
        names = [each.name for each in model.layers]
        raise ValueError(f"layer_name must be one of {names}, got {layer_name!r}") from None


def output_tensor(model):
    """The model's single output (the class scores)."""
    if not getattr(model, "outputs", None) or len(model.outputs) != 1:
        raise ValueError("model must have exactly one output (the class scores)")
    return model.outputs[0]


def resolve_class(model, batch: np.ndarray, class_index) -> int:
    """``class_index`` checked against the model's outputs, or the class predicted for ``batch``."""
    scores = np.asarray(model(batch, training=False))
    classes = scores.shape[-1]
    if class_index is None:
        return int(np.argmax(scores[0]))
    return _validate.integer(
        class_index,
        "class_index",
        minimum=0,
        maximum=classes - 1,
        legal=f"None or an int from 0 to {classes - 1}",
    )


def score_gradients(model, batch: np.ndarray, class_index: int, *, chunk: int = 128) -> np.ndarray:
    """d score[class_index] / d input for every image of ``batch``, in chunks."""
    parts = []
    for start in range(0, len(batch), chunk):
        inputs = tf.convert_to_tensor(batch[start : start + chunk])
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            scores = model(inputs, training=False)[:, class_index]
        parts.append(tape.gradient(scores, inputs).numpy())
    return np.concatenate(parts)


def scores(model, batch: np.ndarray, class_index: int, *, chunk: int = 256) -> np.ndarray:
    """The score of class ``class_index`` for every image of ``batch``, in chunks."""
    return np.concatenate(
        [
            np.asarray(model(batch[start : start + chunk], training=False))[:, class_index]
            for start in range(0, len(batch), chunk)
        ]
    )


def batch_size(value, name: str = "batch_size") -> int:
    """A positive batch size (at most 100,000)."""
    return _validate.positive_int(value, name, maximum=100_000)
