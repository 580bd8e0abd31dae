"""2-D convolution as Keras computes it: vectorised, with loops for reading, and flipped."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lessons import _validate
from cnn_lessons.conv._checks import (
    IntOrPair,
    Padding,
    _conv_padding,
    _float_dtype,
)
from cnn_lessons.conv.sizes import _check_fits, effective_kernel_size, padding_amounts

_PATCH_BLOCK_BYTES = 32 * 2**20  # largest im2col patch matrix conv2d builds at once


class _ConvPlan(NamedTuple):
    """Checked, padded inputs shared by :func:`conv2d` and :func:`conv2d_naive`."""

    padded: np.ndarray  # (padded_height, padded_width, in_channels), float
    kernel: np.ndarray  # (kernel_height, kernel_width, in_channels, out_channels), float
    stride: tuple[int, int]
    dilation: tuple[int, int]
    output_shape: tuple[int, int]
    keep_channels: bool


def _image_3d(image: np.ndarray) -> np.ndarray:
    """Return an ``(H, W)`` or ``(H, W, C)`` image as ``(H, W, C)``."""
    if image.ndim not in (2, 3):
        raise ValueError(
            "image must have shape (height, width) or (height, width, channels), "
            f"got shape {image.shape} ({image.ndim} axes)"
        )
    return image[:, :, np.newaxis] if image.ndim == 2 else image


def _kernel_4d(kernel: np.ndarray, image: np.ndarray) -> np.ndarray:
    """Return a 2-, 3- or 4-D kernel as ``(kh, kw, C_in, C_out)``, checking ``C_in``."""
    channels = 1 if image.ndim == 2 else image.shape[2]
    if kernel.ndim not in (2, 3, 4):
        raise ValueError(
            "kernel must have shape (kernel_height, kernel_width), (kernel_height, "
            "kernel_width, in_channels) or (kernel_height, kernel_width, in_channels, "
            f"out_channels), got shape {kernel.shape} ({kernel.ndim} axes)"
        )
    if kernel.ndim == 2:
        if channels != 1:
            raise ValueError(
                f"a 2-D kernel (shape {kernel.shape}) needs a 2-D image or an image with 1 "
                f"channel, but the image has shape {image.shape}; pass a kernel of shape "
                f"{kernel.shape + (channels,)} to sum over the channels, or filter each channel "
                "separately with np.stack([conv2d(image[:, :, c], kernel) for c in "
                "range(image.shape[2])], axis=-1)"
            )
        return kernel[:, :, np.newaxis, np.newaxis]
    if kernel.shape[2] != channels:
        raise ValueError(
            f"kernel has {kernel.shape[2]} input channels (shape {kernel.shape}) but the image "
            f"has {channels} (shape {image.shape}); the kernel's third axis must equal the "
            "image's channel count"
        )
    return kernel[:, :, :, np.newaxis] if kernel.ndim == 3 else kernel


def _prepare_conv(
    image: object, kernel: object, stride: object, padding: object, dilation: object
) -> _ConvPlan:
    """Check every argument of a 2-D convolution and zero-pad the image."""
    image = _validate.real_array(image, "image", finite=True)
    kernel = _validate.real_array(kernel, "kernel", finite=True)
    stride = _validate.int_pair(stride, "stride")
    dilation = _validate.int_pair(dilation, "dilation")
    padding = _conv_padding(padding)
    image_3d = _image_3d(image)
    kernel_4d = _kernel_4d(kernel, image)

    pads = []
    output_shape = []
    for axis, extent in ((0, "high"), (1, "wide")):
        before, after = padding_amounts(
            image_3d.shape[axis],
            kernel_4d.shape[axis],
            stride=stride[axis],
            padding=padding,
            dilation=dilation[axis],
        )
        padded_size = image_3d.shape[axis] + before + after
        _check_fits(kernel_4d.shape[axis], dilation[axis], padded_size, extent)
        span = effective_kernel_size(kernel_4d.shape[axis], dilation[axis])
        output_shape.append((padded_size - span) // stride[axis] + 1)
        pads.append((before, after))

    padded_shape = [size + sum(pad) for size, pad in zip(image_3d.shape, pads, strict=False)]
    _validate.fits_in_memory((*padded_shape, image_3d.shape[2]), f"padding={padding!r}")
    dtype = _float_dtype(image, kernel)
    padded = image_3d.astype(dtype, copy=False)
    if any(before or after for before, after in pads):
        padded = np.pad(padded, (*pads, (0, 0)))
    return _ConvPlan(
        padded=padded,
        kernel=kernel_4d.astype(dtype, copy=False),
        stride=stride,
        dilation=dilation,
        output_shape=(output_shape[0], output_shape[1]),
        keep_channels=image.ndim == 3 or kernel.ndim > 2,
    )


def _finish(result: np.ndarray, plan: _ConvPlan) -> np.ndarray:
    """Drop the channel axis of an ``(H_out, W_out, 1)`` result when no input had one."""
    return result if plan.keep_channels else result[:, :, 0]


def conv2d(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
    dilation: IntOrPair = 1,
) -> np.ndarray:
    """2-D cross-correlation exactly as ``keras.layers.Conv2D`` computes it (no bias).

    Each output pixel is the sum, over the kernel's rows, columns and input channels, of
    kernel weight times the image pixel under it.  The kernel is *not* flipped (see
    :func:`convolve2d` for textbook convolution).  This version is vectorised: it gathers every
    image patch into one matrix (the "im2col" trick, using
    :func:`numpy.lib.stride_tricks.sliding_window_view`) and multiplies it by the reshaped
    kernel in a single matrix product (block by block for very large images, so the patch
    matrix stays below 32 MiB).  :func:`conv2d_naive` computes the same thing with loops.
    The patch matrix orders its columns (kernel row, kernel column, channel) like the kernel
    itself, as TensorFlow does, so float32 results agree closely (often bit for bit) with
    ``tf.nn.conv2d``.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C_in)
        Input image, channels last.
    kernel : array_like, shape (kh, kw), (kh, kw, C_in) or (kh, kw, C_in, C_out)
        Weights in Keras layout.  A 2-D kernel needs a 2-D image or ``C_in == 1``; to filter
        each channel of a colour image separately, call ``conv2d`` once per channel.
    stride : int or (int, int), optional
        Step between windows, for rows and columns.
    padding : {"valid", "same"} or int, optional
        ``"valid"``: no padding.  ``"same"``: Keras rule, output ``ceil(n / stride)`` pixels,
        extra padding pixel at the bottom/right.  An int: that many zero pixels on each side.
    dilation : int or (int, int), optional
        Spacing between kernel taps ("atrous" convolution).  Unlike Keras, ``dilation > 1``
        may be combined with ``stride > 1``.

    Returns
    -------
    numpy.ndarray, shape (H_out, W_out), (H_out, W_out, 1) or (H_out, W_out, C_out)
        Floating point, in the promoted dtype of ``image`` and ``kernel`` but at least float32
        (two float32 inputs give float32, integers give float64).  The channel axis is dropped
        only when both ``image`` and ``kernel`` are 2-D; a 3-D kernel gives one output channel.

    Raises
    ------
    ValueError
        For wrong shapes, mismatched channels, a kernel that does not fit in the padded image,
        or an illegal ``stride``, ``padding`` or ``dilation``.
    TypeError
        For non-numeric arrays or arguments of the wrong type (including bools).

    Examples
    --------
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> conv2d(image, np.ones((2, 2)))
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    >>> conv2d(np.ones((28, 28, 3)), np.ones((3, 3, 3, 8)), stride=2, padding="same").shape
    (14, 14, 8)
    """
    plan = _prepare_conv(image, kernel, stride, padding, dilation)
    kernel_height, kernel_width, in_channels, out_channels = plan.kernel.shape
    (row_stride, col_stride), (row_dilation, col_dilation) = plan.stride, plan.dilation
    out_height, out_width = plan.output_shape

    # Channels first, so that each image row is one contiguous run of pixels: the big copy
    # below then moves whole runs of neighbouring pixels, several times faster than copying
    # short (kernel_width x channels) pieces from a channels-last image.
    channels_first = np.ascontiguousarray(plan.padded.transpose(2, 0, 1))  # (C_in, Hp, Wp)
    span = (
        effective_kernel_size(kernel_height, row_dilation),
        effective_kernel_size(kernel_width, col_dilation),
    )
    # Read-only view of every window, no copy: (C_in, rows, cols, span_height, span_width).
    windows = sliding_window_view(channels_first, span, axis=(1, 2))
    # Keep every stride-th window and every dilation-th tap: (C_in, H_out, W_out, kh, kw).
    windows = windows[:, ::row_stride, ::col_stride, ::row_dilation, ::col_dilation]
    # Every tap of every window, still a view: (kh, kw, C_in, H_out, W_out), the kernel's order.
    taps = windows.transpose(3, 4, 0, 1, 2)
    weights = plan.kernel.reshape(-1, out_channels)  # (K, C_out) with K = kh * kw * C_in
    result = np.empty((out_height, out_width, out_channels), dtype=weights.dtype)
    # Work on blocks of output rows so that the patch matrix never takes more than about
    # _PATCH_BLOCK_BYTES (the lessons' images fit in one block).
    row_bytes = weights.shape[0] * out_width * weights.itemsize
    block_rows = max(1, _PATCH_BLOCK_BYTES // row_bytes)
    for top in range(0, out_height, block_rows):
        bottom = min(top + block_rows, out_height)
        # im2col (transposed): one row per kernel tap, one column per output pixel of the
        # block, shape (K, rows * W_out).  This reshape is the only big copy.
        patches = taps[:, :, :, top:bottom].reshape(weights.shape[0], -1)
        # One matrix product does all the block's multiply-adds:
        # (rows * W_out, K) @ (K, C_out), written straight into the result.
        np.matmul(patches.T, weights, out=result[top:bottom].reshape(-1, out_channels))
    return _finish(result, plan)


def conv2d_naive(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
    dilation: IntOrPair = 1,
) -> np.ndarray:
    """2-D cross-correlation written with plain loops, for reading; same result as :func:`conv2d`.

    Parameters, return value and errors are exactly those of :func:`conv2d`.  This version
    visits every output pixel and every output channel in Python, so it is slow (seconds for a
    256x256 photo), but each step is visible.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C_in)
        Input image, channels last.
    kernel : array_like, shape (kh, kw), (kh, kw, C_in) or (kh, kw, C_in, C_out)
        Weights in Keras layout.
    stride : int or (int, int), optional
        Step between windows, for rows and columns.
    padding : {"valid", "same"} or int, optional
        Padding mode or zero pixels on each side.
    dilation : int or (int, int), optional
        Spacing between kernel taps.

    Returns
    -------
    numpy.ndarray, shape (H_out, W_out), (H_out, W_out, 1) or (H_out, W_out, C_out)
        Same shape and dtype rules as :func:`conv2d`.
    """
    plan = _prepare_conv(image, kernel, stride, padding, dilation)
    padded, weights = plan.padded, plan.kernel  # (Hp, Wp, C_in) and (kh, kw, C_in, C_out)
    kernel_height, kernel_width, _, out_channels = weights.shape
    (row_stride, col_stride), (row_dilation, col_dilation) = plan.stride, plan.dilation
    out_height, out_width = plan.output_shape

    span_height = effective_kernel_size(kernel_height, row_dilation)
    span_width = effective_kernel_size(kernel_width, col_dilation)
    result = np.zeros((out_height, out_width, out_channels), dtype=padded.dtype)
    for out_row in range(out_height):
        for out_col in range(out_width):
            # The window's top-left corner moves `stride` pixels per output pixel.
            top = out_row * row_stride
            left = out_col * col_stride
            # The pixels under the kernel: every `dilation`-th pixel from the corner,
            # all input channels.  Shape (kh, kw, C_in), like one filter of the kernel.
            bottom = top + span_height
            right = left + span_width
            patch = padded[top:bottom:row_dilation, left:right:col_dilation, :]
            for out_channel in range(out_channels):
                # Multiply each pixel by the weight on top of it and add everything up.
                products = patch * weights[:, :, :, out_channel]
                result[out_row, out_col, out_channel] = products.sum()
    return _finish(result, plan)


def flip_kernel(kernel: np.ndarray) -> np.ndarray:
    """Rotate a kernel by 180 degrees over its two spatial axes.

    Convolution with a kernel equals cross-correlation with the flipped kernel.

    Parameters
    ----------
    kernel : array_like, shape (kh, kw, ...)
        Kernel with its spatial axes first (2-, 3- or 4-D).

    Returns
    -------
    numpy.ndarray, same shape as ``kernel``
        A new, writeable array: ``kernel[::-1, ::-1, ...]``.
    """
    kernel = _validate.real_array(kernel, "kernel")
    if kernel.ndim not in (2, 3, 4):
        raise ValueError(
            f"kernel must have 2, 3 or 4 axes (spatial axes first), got shape {kernel.shape}"
        )
    return kernel[::-1, ::-1].copy()


def convolve2d(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
    dilation: IntOrPair = 1,
) -> np.ndarray:
    """True (textbook) 2-D convolution: :func:`conv2d` with the kernel flipped.

    For 2-D inputs this equals ``scipy.signal.convolve2d(image, kernel, mode="valid")``, and
    ``mode="same"`` for odd kernel sizes (SciPy centres even kernels differently from Keras).

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C_in)
        Input image, channels last.
    kernel : array_like, shape (kh, kw), (kh, kw, C_in) or (kh, kw, C_in, C_out)
        Kernel, flipped over its spatial axes before use.
    stride, padding, dilation
        As in :func:`conv2d`.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype rules as :func:`conv2d`.
    """
    return conv2d(image, flip_kernel(kernel), stride=stride, padding=padding, dilation=dilation)
