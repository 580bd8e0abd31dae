"""Backward passes of a small CNN's layers in NumPy, and the tools to check them.

Every layer of a network computes ``output = f(input, weights)``.  Training needs the gradient
of one number, the loss ``L``, with respect to every weight.  Backpropagation gets it one layer
at a time, from the last layer to the first: a layer receives ``upstream = dL/d output`` (same
shape as its output) and returns ``dL/d input`` (passed on to the layer before) and
``dL/d weights`` (used to update its weights).

This module gathers every backward pass of the course, so ``backprop.<name>`` is all a lesson
needs; the code lives in three places, by job:

* here: the dense layer, ReLU and softmax with cross-entropy, and :func:`gradient_flow`, the
  forward and backward pass of ``conv -> ReLU -> 2x2 pooling`` behind the "where does the
  gradient flow" app (:mod:`cnn_lessons.widgets.gradients`);
* :mod:`cnn_lessons.backprop_conv`: :func:`conv2d_backward` and :func:`pool2d_backward`, for
  the forward functions of :mod:`cnn_lessons.conv` (also for batches ``(N, H, W, C)``);
* :mod:`cnn_lessons.gradient_check`: :func:`numerical_gradient` (finite differences) and
  :func:`relative_error`, to check any of them.

Every backward pass is tested against ``tf.GradientTape`` and against finite differences.
"""

from __future__ import annotations

import numpy as np

from cnn_lessons import _validate, conv
from cnn_lessons.backprop_conv import (
    _float_array,
    _same_shape,
    conv2d_backward,
    pool2d_backward,
)
from cnn_lessons.gradient_check import numerical_gradient, relative_error

__all__ = [
    "class_loss_gradient",
    "conv2d_backward",
    "dense_backward",
    "gradient_flow",
    "numerical_gradient",
    "pool2d_backward",
    "relative_error",
    "relu_backward",
    "softmax",
    "softmax_cross_entropy",
]

_POOLINGS = ("none", "max", "avg")


# ---------------------------------------------------------------------------------------------
# Dense layer, ReLU, softmax with cross-entropy
# ---------------------------------------------------------------------------------------------


def relu_backward(upstream: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Gradient through ``relu(x) = max(x, 0)``: ``upstream`` where ``x > 0``, else 0.

    Parameters
    ----------
    upstream : array_like, any shape
        ``dL/d relu(x)``.
    x : array_like, same shape as ``upstream``
        The ReLU's input (not its output).  At ``x == 0`` the gradient is 0, as in TensorFlow.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        ``dL/dx``, in ``upstream``'s floating dtype (at least float32).
    """
    upstream = _float_array(upstream, "upstream")
    x = _validate.real_array(x, "x")
    _same_shape(upstream, x.shape, "x")
    return np.where(x > 0, upstream, upstream.dtype.type(0))


def dense_backward(
    upstream: np.ndarray, inputs: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a dense layer ``outputs = inputs @ weights + bias``.

    Parameters
    ----------
    upstream : array_like, shape (N, D_out)
        ``dL/d outputs``.
    inputs : array_like, shape (N, D_in)
        The layer's input batch.
    weights : array_like, shape (D_in, D_out)
        Weights in Keras layout.

    Returns
    -------
    grad_inputs : numpy.ndarray, shape (N, D_in)
        ``upstream @ weights.T``.
    grad_weights : numpy.ndarray, shape (D_in, D_out)
        ``inputs.T @ upstream``: summed over the batch.
    grad_bias : numpy.ndarray, shape (D_out,)
        ``upstream.sum(axis=0)``.
    """
    upstream = _float_array(upstream, "upstream")
    inputs = _float_array(inputs, "inputs")
    weights = _float_array(weights, "weights")
    if inputs.ndim != 2:
        raise ValueError(f"inputs must have shape (N, D_in), got shape {inputs.shape}")
    if weights.ndim != 2 or weights.shape[0] != inputs.shape[1]:
        raise ValueError(
            f"weights must have shape (D_in, D_out) with D_in = {inputs.shape[1]} (the inputs' "
            f"second axis), got shape {weights.shape}"
        )
    _same_shape(upstream, (inputs.shape[0], weights.shape[1]), "the outputs, (N, D_out)")
    return upstream @ weights.T, inputs.T @ upstream, upstream.sum(axis=0)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax ``exp(z_k) / sum_j exp(z_j)`` of an ``(N, K)`` array, computed stably."""
    logits = _float_array(logits, "logits")
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of a softmax and its gradient with respect to the logits.

    ``L = mean_i(-log p_i[label_i])`` with ``p = softmax(logits)``, as Keras'
    ``SparseCategoricalCrossentropy(from_logits=True)``.  Its gradient is ``(p - y) / N`` with
    ``y`` the one-hot labels: the softmax and the logarithm cancel out.

    Parameters
    ----------
    logits : array_like, shape (N, K)
        Scores before the softmax.
    labels : array_like of int, shape (N,)
        True classes, each in ``0 .. K - 1``.

    Returns
    -------
    loss : float
    grad_logits : numpy.ndarray, shape (N, K)
    """
    logits = _float_array(logits, "logits")
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, K), got shape {logits.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got an array of dtype {labels.dtype}")
    if labels.shape != logits.shape[:1]:
        raise ValueError(f"labels must have shape ({logits.shape[0]},), got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise ValueError(
            f"labels must lie in 0 .. {logits.shape[1] - 1}, got {labels.min()} .. {labels.max()}"
        )
    rows = np.arange(len(labels))
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    gradient = np.exp(log_probabilities)
    gradient[rows, labels] -= 1
    return float(-log_probabilities[rows, labels].mean()), gradient / len(labels)


# ---------------------------------------------------------------------------------------------
# Where the gradient flows through conv -> ReLU -> pooling (the gradient-flow app's layer)
# ---------------------------------------------------------------------------------------------


def class_loss_gradient(
    output: np.ndarray, templates: np.ndarray, label: int
) -> tuple[float, np.ndarray, np.ndarray]:
    """Cross-entropy of a template classifier on a feature map, and its gradient.

    The score of class ``c`` is ``sum(templates[c] * output)``; the loss is the softmax
    cross-entropy of the scores for ``label``.

    Parameters
    ----------
    output : array_like, shape (h, w)
        Feature map.
    templates : array_like, shape (K, h, w)
        One template per class.
    label : int
        The true class, ``0 .. K - 1``.

    Returns
    -------
    loss : float
    probabilities : numpy.ndarray, shape (K,)
    grad_output : numpy.ndarray, shape (h, w)
        ``sum_c (p_c - y_c) * templates[c]``.
    """
    output = _float_array(output, "output")
    templates = _float_array(templates, "templates")
    if templates.ndim != 3 or templates.shape[1:] != output.shape:
        raise ValueError(
            f"templates must have shape (K, {output.shape[0]}, {output.shape[1]}), "
            f"got {templates.shape}"
        )
    label = _validate.integer(label, "label", minimum=0, maximum=len(templates) - 1)
    scores = templates.reshape(len(templates), -1) @ output.ravel()
    loss, grad_scores = softmax_cross_entropy(scores[np.newaxis], np.array([label]))
    grad_output = np.tensordot(grad_scores[0], templates, axes=1)
    return loss, softmax(scores), grad_output


def _target_gradient(target, output: np.ndarray) -> np.ndarray:
    """``dL/d output`` for a ``(row, col)`` target (a one-hot) or a given gradient array."""
    if not isinstance(target, tuple | list):
        gradient = _float_array(target, "target")
        _same_shape(gradient, output.shape, "the output")
        return gradient
    row, col = _validate.int_pair(target, "target", minimum=0)
    if row >= output.shape[0] or col >= output.shape[1]:
        raise ValueError(
            f"target pixel ({row}, {col}) is outside the {output.shape[0]} x "
            f"{output.shape[1]} output; pick a row below {output.shape[0]} and a column "
            f"below {output.shape[1]}"
        )
    gradient = np.zeros_like(output)
    gradient[row, col] = 1
    return gradient


def gradient_flow(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int = 1,
    pooling: str = "max",
    target: tuple[int, int] | np.ndarray = (0, 0),
) -> dict:
    """Forward and backward pass of ``conv (valid) -> ReLU -> 2x2 pooling`` for one image.

    Parameters
    ----------
    image : array_like, shape (H, W)
        One grayscale image.
    kernel : array_like, shape (k, k)
        One filter.
    stride : int, default 1
        The convolution's stride (the pooling is 2x2 with stride 2).
    pooling : {"max", "avg", "none"}, default "max"
    target : (int, int) or array_like of the output's shape
        A ``(row, col)`` pixel of the output, whose value is the "loss", or ``dL/d output``.

    Returns
    -------
    dict
        ``pre_activation`` (conv output), ``feature_map`` (after ReLU), ``output`` (after
        pooling), ``output_gradient``, ``feature_gradient`` (``dL/d feature_map``),
        ``pre_activation_gradient``, ``image_gradient`` (``(H, W)``), ``kernel_gradient``
        (``(k, k)``), and the counts of pixels and weights whose gradient is not 0:
        ``input_pixels``, ``conv_pixels`` and ``kernel_weights``.
    """
    if pooling not in _POOLINGS:
        raise ValueError(f"pooling must be one of 'none', 'max', 'avg', got {pooling!r}")
    image = _float_array(image, "image")
    if image.ndim != 2:
        raise ValueError(f"image must have shape (H, W), got shape {image.shape}")
    pre_activation = conv.conv2d(image, kernel, stride=stride)
    feature_map = np.maximum(pre_activation, 0)
    if pooling == "none":
        output = feature_map
    elif min(feature_map.shape) < 2:
        raise ValueError(
            f"2x2 pooling needs a feature map of at least 2 x 2 pixels, but the convolution "
            f"gives {feature_map.shape[0]} x {feature_map.shape[1]}; use a smaller kernel or "
            "stride, or no pooling"
        )
    else:
        output = conv.pool2d(feature_map, 2, mode=pooling)
    output_gradient = _target_gradient(target, output)
    feature_gradient = (
        output_gradient
        if pooling == "none"
        else pool2d_backward(output_gradient, feature_map, 2, mode=pooling)
    )
    pre_gradient = relu_backward(feature_gradient, pre_activation)
    image_gradient, kernel_gradient = conv2d_backward(pre_gradient, image, kernel, stride=stride)
    return {
        "pre_activation": pre_activation,
        "feature_map": feature_map,
        "output": output,
        "output_gradient": output_gradient,
        "feature_gradient": feature_gradient,
        "pre_activation_gradient": pre_gradient,
        "image_gradient": image_gradient,
        "kernel_gradient": kernel_gradient,
        "input_pixels": int(np.count_nonzero(image_gradient)),
        "conv_pixels": int(np.count_nonzero(pre_gradient)),
        "kernel_weights": int(np.count_nonzero(kernel_gradient)),
    }
