"""Backward passes of convolution and pooling in NumPy: the gradients of conv2d and pool2d.

Each function receives ``upstream = dL/d output`` (the shape the forward function returns) and
returns the gradient with respect to the forward function's input (and, for the convolution,
its kernel). Shapes follow :mod:`cnn_lessons.conv` (channels last, Keras kernel layout); both
functions also accept a batch ``(N, H, W, C)``, and the kernel gradient of a batch sums over
its images, as the gradient of a mean loss over a batch must. Import them from
:mod:`cnn_lessons.backprop`, which gathers every backward pass of the course.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lessons import _validate, conv

__all__ = ["conv2d_backward", "pool2d_backward"]


def _float_array(values: object, name: str) -> np.ndarray:
    """``values`` as a floating array (at least float32), checked to hold real numbers."""
    array = _validate.real_array(values, name)
    return array.astype(conv._float_dtype(array), copy=False)


def _same_shape(upstream: np.ndarray, expected: tuple[int, ...], what: str) -> None:
    if upstream.shape != tuple(expected):
        raise ValueError(
            f"upstream must have the shape of {what}, {tuple(expected)}, got {upstream.shape}"
        )


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
