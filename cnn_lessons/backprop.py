"""Backward passes of a small CNN's layers in NumPy, and the tools to check them.

Every layer of a network computes ``output = f(input, weights)``.  Training needs the gradient
of one number, the loss ``L``, with respect to every weight.  Backpropagation gets it one layer
at a time, from the last layer to the first: a layer receives ``upstream = dL/d output`` (same
shape as its output) and returns ``dL/d input`` (passed on to the layer before) and
``dL/d weights`` (used to update its weights).  The functions here are those *backward* passes,
for the forward functions of :mod:`cnn_lessons.conv` and for the dense layer, ReLU and softmax
with cross-entropy.  They are checked against ``tf.GradientTape`` and against finite
differences (:func:`numerical_gradient`, :func:`relative_error`).

Shapes follow :mod:`cnn_lessons.conv` (channels last, Keras kernel layout).  The convolution
and pooling functions also accept a batch, ``(N, H, W, C)``: the gradient of a kernel then
sums over the images, as the gradient of a mean loss over a batch must.
:func:`gradient_flow` is the pure computation behind the "where does the gradient flow" app.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lessons import _validate, conv

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


def _float_array(values: object, name: str) -> np.ndarray:
    """``values`` as a floating array (at least float32), checked to hold real numbers."""
    array = _validate.real_array(values, name)
    return array.astype(conv._float_dtype(array), copy=False)


def _same_shape(upstream: np.ndarray, expected: tuple[int, ...], what: str) -> None:
    if upstream.shape != tuple(expected):
        raise ValueError(
            f"upstream must have the shape of {what}, {tuple(expected)}, got {upstream.shape}"
        )


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
# Convolution and pooling
# ---------------------------------------------------------------------------------------------


def _as_batch(image: object, name: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(first image, images as (N, H, W, C), batched)`` for a 2-, 3- or 4-D argument."""
    array = _float_array(image, name)
    if array.ndim == 4:
        return array[0], array, True
    if array.ndim not in (2, 3):
        raise ValueError(
            f"{name} must have shape (H, W), (H, W, C) or a batch (N, H, W, C), "
            f"got shape {array.shape}"
        )
    batch = array[np.newaxis, :, :, np.newaxis] if array.ndim == 2 else array[np.newaxis]
    return array, batch, False


def _batch_pads(
    images: np.ndarray, kernel: tuple[int, int], stride, padding, dilation
) -> list[tuple[int, int]]:
    return [
        conv.padding_amounts(
            images.shape[axis + 1],
            kernel[axis],
            stride=stride[axis],
            padding=padding,
            dilation=dilation[axis],
        )
        for axis in (0, 1)
    ]


def _tap_slice(tap_row, tap_col, out_height, out_width, stride, dilation):
    """Where kernel tap ``(tap_row, tap_col)`` reads: every window's pixel under that tap."""
    top, left = tap_row * dilation[0], tap_col * dilation[1]
    return (
        slice(None),
        slice(top, top + stride[0] * (out_height - 1) + 1, stride[0]),
        slice(left, left + stride[1] * (out_width - 1) + 1, stride[1]),
    )


def _kernel_gradient(padded, upstream, kernel_size, stride, dilation):
    """``dL/dK[a, b, ci, co] = sum over n, i, j of padded[n, i*s + a*d, j*s + b*d, ci] *
    upstream[n, i, j, co]``: a correlation of the input with the upstream gradient.

    One kernel tap at a time: the pixels tap ``(a, b)`` read, for every window of every image,
    times the upstream gradient of that window, summed (one matrix product per tap).
    """
    count, out_height, out_width, out_channels = upstream.shape
    rows = upstream.reshape(-1, out_channels)  # (N * H_out * W_out, C_out)
    gradient = np.empty((*kernel_size, padded.shape[3], out_channels), dtype=upstream.dtype)
    for tap_row in range(kernel_size[0]):
        for tap_col in range(kernel_size[1]):
            where = _tap_slice(tap_row, tap_col, out_height, out_width, stride, dilation)
            read = padded[where].reshape(-1, padded.shape[3])  # (N * H_out * W_out, C_in)
            gradient[tap_row, tap_col] = read.T @ rows
    return gradient


def _input_gradient(upstream, kernel, padded_shape, stride, dilation):
    """``dL/d padded input``: every upstream value stamps the kernel, scaled by the value, onto
    the pixels its window read, and overlapping stamps add up (a transposed convolution).

    One kernel tap at a time, for the whole batch at once: tap ``(a, b)`` read the pixels
    ``(i * s + a * d, j * s + b * d)``, so it sends ``upstream[:, i, j] @ kernel[a, b].T`` back
    there.  The result equals a "full" correlation of the upstream gradient, spread ``stride``
    pixels apart, with the kernel rotated by 180 degrees (the lesson checks this).
    """
    count, out_height, out_width, _ = upstream.shape
    gradient = np.zeros((count, *padded_shape[1:3], kernel.shape[2]), dtype=upstream.dtype)
    for tap_row in range(kernel.shape[0]):
        for tap_col in range(kernel.shape[1]):
            where = _tap_slice(tap_row, tap_col, out_height, out_width, stride, dilation)
            gradient[where] += upstream @ kernel[tap_row, tap_col].T
    return gradient


def conv2d_backward(
    upstream: np.ndarray,
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: conv.IntOrPair = 1,
    padding: conv.Padding = "valid",
    dilation: conv.IntOrPair = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of :func:`cnn_lessons.conv.conv2d` with respect to its image and its kernel.

    * ``dL/d kernel`` is a correlation of the (padded) image with the upstream gradient.
    * ``dL/d image`` is the transposed convolution of the stride and padding lesson: each
      upstream value stamps the kernel onto the pixels its window read.  Equivalently, a
      "full" correlation of the upstream gradient (spread ``stride`` pixels apart) with the
      kernel rotated by 180 degrees, i.e. a full convolution.

    Parameters
    ----------
    upstream : array_like
        ``dL/d output``, with exactly the shape ``conv.conv2d(image, kernel, ...)`` returns;
        ``(N, H_out, W_out, C_out)`` for a batch.
    image : array_like, shape (H, W), (H, W, C_in) or a batch (N, H, W, C_in)
        The convolution's input.
    kernel : array_like, shape (kh, kw), (kh, kw, C_in) or (kh, kw, C_in, C_out)
        Weights in Keras layout.
    stride, padding, dilation
        As in :func:`cnn_lessons.conv.conv2d`.

    Returns
    -------
    grad_image : numpy.ndarray, same shape as ``image``
    grad_kernel : numpy.ndarray, same shape as ``kernel``
        Summed over the batch.  Both in the promoted floating dtype (at least float32).

    Raises
    ------
    ValueError, TypeError
        For every argument :func:`cnn_lessons.conv.conv2d` rejects, and for an ``upstream``
        whose shape is not the convolution's output shape.
    """
    first, images, batched = _as_batch(image, "image")
    plan = conv._prepare_conv(first, kernel, stride, padding, dilation)  # checks everything
    upstream = _float_array(upstream, "upstream")
    weights = plan.kernel  # (kh, kw, C_in, C_out)
    channels_out = weights.shape[3]
    shape = (*plan.output_shape, channels_out)
    expected = (len(images), *shape) if batched else shape if plan.keep_channels else shape[:2]
    _same_shape(upstream, expected, "conv2d's output for these arguments")

    dtype = np.result_type(upstream, weights, images)
    gradient = upstream.astype(dtype, copy=False).reshape(len(images), *shape)
    pads = _batch_pads(
        images, weights.shape[:2], plan.stride, conv._conv_padding(padding), plan.dilation
    )
    padded = np.pad(images.astype(dtype, copy=False), ((0, 0), *pads, (0, 0)))
    weights = weights.astype(dtype, copy=False)
    grad_kernel = _kernel_gradient(padded, gradient, weights.shape[:2], plan.stride, plan.dilation)
    grad_padded = _input_gradient(gradient, weights, padded.shape, plan.stride, plan.dilation)
    (top, bottom), (left, right) = pads
    grad_image = grad_padded[:, top : padded.shape[1] - bottom, left : padded.shape[2] - right]
    return grad_image.reshape(np.shape(image)), grad_kernel.reshape(np.shape(kernel))


def _winners(padded, pool, steps, out_shape, mode):
    """Per window, the row-major index of the pixel that wins it (the first one on a tie)."""
    best = winner = None
    for index in range(pool[0] * pool[1]):
        values = padded[_tap_slice(*divmod(index, pool[1]), *out_shape, steps, (1, 1))]
        if best is None:
            best, winner = values, np.zeros(values.shape, dtype=np.intp)
            continue
        better = values > best if mode == "max" else values < best  # strict: ties keep the first
        best = np.where(better, values, best)
        winner[better] = index
    return winner


def _scatter_windows(values, padded_shape, pool, steps, winner=None):
    """Add each window's value to its pixels: to all of them, or to its ``winner`` only.

    ``values`` is ``(N, H_out, W_out, C)``.  One pass per position inside the window, each a
    strided slice over every window at once; overlapping windows add up.
    """
    result = np.zeros(padded_shape, dtype=values.dtype)
    for index in range(pool[0] * pool[1]):
        where = _tap_slice(*divmod(index, pool[1]), *values.shape[1:3], steps, (1, 1))
        result[where] += values if winner is None else np.where(winner == index, values, 0)
    return result


def pool2d_backward(
    upstream: np.ndarray,
    x: np.ndarray,
    pool_size: conv.IntOrPair,
    *,
    stride: conv.IntOrPair | None = None,
    padding: str = "valid",
    mode: str = "max",
) -> np.ndarray:
    """Gradient of :func:`cnn_lessons.conv.pool2d` with respect to its input.

    * ``"max"`` (``"min"``): each window's upstream value goes to the one pixel that won the
      window, the first in row-major order on a tie, as TensorFlow does; every other pixel
      gets nothing.
    * ``"avg"``: each window's upstream value is shared equally among the window's real
      (unpadded) pixels.

    Overlapping windows add up their contributions.

    Parameters
    ----------
    upstream : array_like
        ``dL/d output``, with exactly the shape ``conv.pool2d(x, ...)`` returns;
        ``(N, H_out, W_out, C)`` for a batch.
    x : array_like, shape (H, W), (H, W, C) or a batch (N, H, W, C)
        The pooling layer's input.
    pool_size, stride, padding, mode
        As in :func:`cnn_lessons.conv.pool2d`.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
        ``dL/dx`` in the promoted floating dtype (at least float32).
    """
    first, data, batched = _as_batch(x, "x")
    pooled = conv.pool2d(first, pool_size, stride=stride, padding=padding, mode=mode)  # checks
    pool = _validate.int_pair(pool_size, "pool_size")
    steps = pool if stride is None else _validate.int_pair(stride, "stride")
    upstream = _float_array(upstream, "upstream")
    _same_shape(
        upstream,
        (len(data), *pooled.shape) if batched else pooled.shape,
        "pool2d's output for these arguments",
    )
    count, out_height, out_width = len(data), pooled.shape[0], pooled.shape[1]
    gradient = upstream.reshape(count, out_height, out_width, data.shape[3])
    dtype = np.result_type(gradient, data)
    pads = [
        conv.padding_amounts(data.shape[axis + 1], pool[axis], stride=steps[axis], padding="same")
        if padding.lower() == "same"
        else (0, 0)
        for axis in (0, 1)
    ]
    fill = {"max": -np.inf, "min": np.inf, "avg": 0.0}[mode]
    padded = np.pad(data.astype(dtype, copy=False), ((0, 0), *pads, (0, 0)), constant_values=fill)
    if mode == "avg":
        real = np.pad(np.ones(data.shape[1:3]), pads)
        counts = sliding_window_view(real, pool)[:: steps[0], :: steps[1]].sum(axis=(2, 3))
        share = gradient / counts[:out_height, :out_width, np.newaxis]
        result = _scatter_windows(share.astype(dtype), padded.shape, pool, steps)
    else:
        winner = _winners(padded, pool, steps, (out_height, out_width), mode)
        result = _scatter_windows(gradient.astype(dtype), padded.shape, pool, steps, winner)
    height, width = data.shape[1:3]
    result = result[:, pads[0][0] : pads[0][0] + height, pads[1][0] : pads[1][0] + width]
    return result.reshape(np.shape(x))


# ---------------------------------------------------------------------------------------------
# Checking gradients
# ---------------------------------------------------------------------------------------------


def numerical_gradient(
    function: Callable[[np.ndarray], float], x: np.ndarray, *, step: float = 1e-5
) -> np.ndarray:
    """Centred finite differences ``(f(x + h e_i) - f(x - h e_i)) / 2h`` for every element.

    Parameters
    ----------
    function : callable
        ``function(x) -> float``, a scalar function of the array.
    x : array_like
        Where to take the gradient; converted to float64 (do gradient checks in float64).
    step : float, default 1e-5
        ``h``, a positive float.

    Returns
    -------
    numpy.ndarray of float64, same shape as ``x``
        Calls ``function`` ``2 * x.size`` times; ``x`` itself is not changed.
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    step = _validate.number(step, "step", minimum=0, exclusive_minimum=True)
    point = _validate.real_array(x, "x").astype(np.float64)  # a copy
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + step
        above = float(function(point))
        point[index] = saved - step
        below = float(function(point))
        point[index] = saved
        gradient[index] = (above - below) / (2 * step)
    return gradient


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """Largest element-wise relative error ``|a - b| / max(|a| + |b|, 1e-8)`` (CS231n's).

    Around 1e-7 or below for a correct gradient in float64; 1e-2 or more means a bug.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"analytic and numeric must have the same shape, got {analytic.shape} and "
            f"{numeric.shape}"
        )
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    return float(np.max(np.abs(analytic - numeric) / scale))


# ---------------------------------------------------------------------------------------------
# Where the gradient flows (the app's computation)
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
