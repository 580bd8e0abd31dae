"""Reference NumPy maths for convolution and pooling, as Keras computes them.

Everything here is a pure function: NumPy arrays in, NumPy arrays (or plain numbers) out.
Nothing draws and nothing imports TensorFlow or Keras, so the lessons can compare these
functions with the real layers and learners can read exactly what a layer does.

Conventions
-----------
* Images are ``channels_last``: ``(height, width)`` or ``(height, width, channels)``.
* Kernels are laid out as Keras stores them: ``(kernel_height, kernel_width)``,
  ``(kernel_height, kernel_width, in_channels)`` or
  ``(kernel_height, kernel_width, in_channels, out_channels)``.
* "Convolution" in deep learning is really *cross-correlation*: the kernel is slid over the
  image without being flipped. :func:`conv2d` does exactly that; :func:`convolve2d` is the
  textbook convolution (kernel rotated by 180 degrees first).
* ``padding`` is ``"valid"`` (no padding), ``"same"`` (Keras/TensorFlow rule, the odd pixel
  of an uneven total goes after, i.e. bottom/right) or a non-negative int of zero pixels added
  on *each* side.
* ``stride`` and ``dilation`` are an int or a ``(rows, cols)`` pair.

Keras refuses ``strides > 1`` together with ``dilation_rate > 1`` (on any axis).  The functions
here accept the combination, because the maths is well defined: each output pixel reads every
``dilation``-th input pixel, and the windows start every ``stride`` pixels.  ``tf.nn.conv2d``
on the CPU computes the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lessons import _validate

__all__ = [
    "KERNELS",
    "KERNEL_DESCRIPTIONS",
    "conv2d",
    "conv2d_naive",
    "convolve2d",
    "effective_kernel_size",
    "flip_kernel",
    "global_average_pool",
    "output_size",
    "padding_amounts",
    "pool2d",
    "receptive_field",
    "transposed_output_size",
]

IntOrPair = int | tuple[int, int]
Padding = str | int

_CONV_PADDING = "'valid', 'same' or a non-negative int"
_POOL_MODES = ("max", "avg", "min")
_PATCH_BLOCK_BYTES = 32 * 2**20  # largest im2col patch matrix conv2d builds at once


# ---------------------------------------------------------------------------------------------
# Argument checking
# ---------------------------------------------------------------------------------------------


def _conv_padding(padding: object) -> str | int:
    """Return ``padding`` as ``"valid"``, ``"same"`` or a non-negative ``int``."""
    if isinstance(padding, str):
        lowered = padding.lower()
        if lowered not in ("valid", "same"):
            raise ValueError(f"padding must be {_CONV_PADDING}, got {padding!r}")
        return lowered
    return _validate.integer(padding, "padding", minimum=0, legal=_CONV_PADDING)


def _string_padding(padding: object) -> str:
    """Return ``padding`` as ``"valid"`` or ``"same"`` (pooling and transposed convolution)."""
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        error = ValueError if isinstance(padding, str) else TypeError
        raise error(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()


def _float_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype the maths is done in: the promoted input dtype, at least float32."""
    return np.result_type(*arrays, np.float32)


def _axis_sizes(input_size, kernel_size, stride, dilation) -> tuple[int, int, int, int]:
    """The four sizes of one axis of a convolution, each checked to be a positive int."""
    names = ("input_size", "kernel_size", "stride", "dilation")
    values = (input_size, kernel_size, stride, dilation)
    input_size, kernel_size, stride, dilation = (
        _validate.positive_int(value, name) for value, name in zip(values, names, strict=True)
    )
    return input_size, kernel_size, stride, dilation


def _check_fits(kernel_size: int, dilation: int, padded_size: int, extent: str) -> None:
    """Raise ``ValueError`` if a (dilated) kernel is longer than the padded input axis."""
    span = effective_kernel_size(kernel_size, dilation)
    if span > padded_size:
        raise ValueError(
            f"kernel spans {span} pixels (kernel_size {kernel_size}, dilation {dilation}) "
            f"but the padded input is only {padded_size} pixels {extent}; use a smaller kernel "
            "or dilation, or more padding"
        )


# ---------------------------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------------------------


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Pixels a dilated kernel spans along one axis: ``dilation * (kernel_size - 1) + 1``.

    A kernel of ``k`` taps with ``dilation - 1`` gaps between neighbouring taps reaches as far
    as a dense kernel of this size, which is the size every output-size formula uses.

    Parameters
    ----------
    kernel_size : int
        Taps along the axis.
    dilation : int, optional
        Spacing between taps (1: no gaps).

    Returns
    -------
    int
        The span in pixels, often written ``k_eff``.

    Examples
    --------
    >>> effective_kernel_size(3), effective_kernel_size(3, 2), effective_kernel_size(5, 3)
    (3, 5, 13)
    """
    kernel_size = _validate.positive_int(kernel_size, "kernel_size")
    dilation = _validate.positive_int(dilation, "dilation")
    return dilation * (kernel_size - 1) + 1


def padding_amounts(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: Padding = "valid",
    dilation: int = 1,
) -> tuple[int, int]:
    """Pixels of zero padding added before and after one axis.

    For ``"same"`` this is the Keras/TensorFlow rule: the output has ``ceil(n / stride)``
    pixels, the total padding is ``max((out - 1) * stride + k_eff - n, 0)`` with
    ``k_eff = dilation * (kernel_size - 1) + 1``, and an odd total puts the extra pixel
    *after* (bottom or right).

    Parameters
    ----------
    input_size : int
        Pixels along the axis, ``n``.
    kernel_size : int
        Kernel pixels along the axis.
    stride : int, optional
        Step between windows.
    padding : {"valid", "same"} or int, optional
        ``"valid"`` gives ``(0, 0)``; an int ``p`` gives ``(p, p)``.
    dilation : int, optional
        Spacing between kernel taps.

    Returns
    -------
    tuple of int
        ``(before, after)``.

    Examples
    --------
    >>> padding_amounts(28, 4, padding="same")
    (1, 2)
    """
    input_size, kernel_size, stride, dilation = _axis_sizes(
        input_size, kernel_size, stride, dilation
    )
    padding = _conv_padding(padding)
    if padding == "valid":
        return 0, 0
    if padding != "same":
        return padding, padding
    effective_kernel = effective_kernel_size(kernel_size, dilation)
    output = math.ceil(input_size / stride)
    total = max((output - 1) * stride + effective_kernel - input_size, 0)
    return total // 2, total - total // 2


def output_size(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: Padding = 0,
    dilation: int = 1,
) -> int:
    """Output pixels along one axis of a convolution or pooling layer.

    ``"same"`` gives ``ceil(input_size / stride)`` as in Keras; otherwise, with ``p`` pixels of
    padding on each side (``"valid"`` means 0) and ``k_eff = dilation * (kernel_size - 1) + 1``,
    the result is ``floor((input_size + 2 p - k_eff) / stride) + 1``.

    Parameters
    ----------
    input_size : int
        Pixels along the axis.
    kernel_size : int
        Kernel (or pool) pixels along the axis.
    stride : int, optional
        Step between windows.
    padding : {"valid", "same"} or int, optional
        Padding mode, or zero pixels added on each side.
    dilation : int, optional
        Spacing between kernel taps.

    Returns
    -------
    int
        Output pixels along the axis.

    Raises
    ------
    ValueError
        If the (dilated) kernel does not fit in the padded input.

    Examples
    --------
    >>> output_size(28, 3), output_size(28, 3, padding=1)
    (26, 28)
    >>> output_size(28, 3, stride=2, padding="same")
    14
    """
    input_size, kernel_size, stride, dilation = _axis_sizes(
        input_size, kernel_size, stride, dilation
    )
    padding = _conv_padding(padding)
    if padding == "same":
        return math.ceil(input_size / stride)
    pixels = 0 if padding == "valid" else padding
    _check_fits(kernel_size, dilation, input_size + 2 * pixels, "long")
    effective_kernel = effective_kernel_size(kernel_size, dilation)
    return (input_size + 2 * pixels - effective_kernel) // stride + 1


def transposed_output_size(
    input_size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: str = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> int:
    """Output pixels along one axis of a transposed convolution (``Conv2DTranspose``).

    Matches ``keras.layers.Conv2DTranspose(...).compute_output_shape``.  With
    ``k_eff = dilation * (kernel_size - 1) + 1``:

    * ``"valid"``: ``(n - 1) * stride + k_eff + output_padding``, where a missing
      ``output_padding`` means ``max(k_eff, stride) - k_eff``;
    * ``"same"``: ``n * stride``, or ``(n - 1) * stride + k_eff % 2 + output_padding`` when
      ``output_padding`` is given.

    Parameters
    ----------
    input_size : int
        Pixels along the axis of the layer's input.
    kernel_size : int
        Kernel pixels along the axis.
    stride : int, optional
        Upsampling factor.
    padding : {"valid", "same"}, optional
        Padding mode.
    output_padding : int or None, optional
        Extra pixels added after; must be smaller than ``stride`` (Keras rule).
    dilation : int, optional
        Spacing between kernel taps.

    Returns
    -------
    int
        Output pixels along the axis.

    Examples
    --------
    >>> transposed_output_size(7, 3, stride=2, padding="same")
    14
    """
    input_size, kernel_size, stride, dilation = _axis_sizes(
        input_size, kernel_size, stride, dilation
    )
    padding = _string_padding(padding)
    if output_padding is not None:
        output_padding = _validate.non_negative_int(output_padding, "output_padding")
        if output_padding >= stride:
            raise ValueError(
                f"output_padding must be smaller than stride ({stride}), got {output_padding}"
            )
    effective_kernel = effective_kernel_size(kernel_size, dilation)
    if padding == "valid":
        if output_padding is None:
            output_padding = max(effective_kernel, stride) - effective_kernel
        return (input_size - 1) * stride + effective_kernel + output_padding
    if output_padding is None:
        return input_size * stride
    return (input_size - 1) * stride + effective_kernel % 2 + output_padding


def receptive_field(layers: Iterable[Sequence[int]]) -> list[dict[str, int]]:
    """Receptive field and jump after each layer of a stack of convolutions or poolings.

    Uses the standard recurrence, starting from one input pixel (``r = 1``, ``j = 1``)::

        k_eff = dilation * (kernel_size - 1) + 1
        r_out = r_in + (k_eff - 1) * j_in      # input pixels one output pixel sees
        j_out = j_in * stride                  # input pixels between neighbouring outputs

    Padding does not change either number.  Work per axis (pass the row sizes for the height).

    Parameters
    ----------
    layers : iterable of tuples
        One ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)`` tuple (or list)
        per layer, in order from the input.  Pooling layers count too: ``(pool_size, stride)``.

    Returns
    -------
    list of dict
        One dict per layer with keys ``"layer"`` (1-based), ``"kernel_size"``, ``"stride"``,
        ``"dilation"``, ``"jump"`` and ``"receptive_field"``; the last entry describes the
        whole stack.  ``pandas.DataFrame(receptive_field(...))`` shows it as a table.

    Examples
    --------
    >>> [row["receptive_field"] for row in receptive_field([(3, 1), (3, 1), (3, 1)])]
    [3, 5, 7]
    >>> receptive_field([(3, 1), (2, 2), (3, 1)])[-1]["jump"]
    2
    """
    rows = []
    field, jump = 1, 1
    for number, spec in enumerate(layers, start=1):
        if isinstance(spec, str | bytes) or not isinstance(spec, Sequence | np.ndarray):
            raise TypeError(
                "each layer must be a (kernel_size, stride) or (kernel_size, stride, dilation) "
                f"tuple, got {spec!r} for layer {number}"
            )
        if len(spec) not in (2, 3):
            raise ValueError(
                "each layer must be a (kernel_size, stride) or (kernel_size, stride, dilation) "
                f"tuple, got {spec!r} for layer {number}"
            )
        kernel_size = _validate.positive_int(spec[0], f"kernel_size of layer {number}")
        stride = _validate.positive_int(spec[1], f"stride of layer {number}")
        dilation = (
            _validate.positive_int(spec[2], f"dilation of layer {number}") if len(spec) == 3 else 1
        )
        field += (effective_kernel_size(kernel_size, dilation) - 1) * jump
        jump *= stride
        rows.append(
            {
                "layer": number,
                "kernel_size": kernel_size,
                "stride": stride,
                "dilation": dilation,
                "jump": jump,
                "receptive_field": field,
            }
        )
    if not rows:
        raise ValueError("layers must contain at least one (kernel_size, stride) tuple, got none")
    return rows


# ---------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------


def pool2d(
    x: np.ndarray,
    pool_size: IntOrPair,
    *,
    stride: IntOrPair | None = None,
    padding: str = "valid",
    mode: str = "max",
) -> np.ndarray:
    """2-D max, average or min pooling as ``keras.layers.MaxPooling2D``/``AveragePooling2D``.

    With ``padding="same"`` the padded positions are ignored, as in Keras: the maximum
    (minimum) is taken over the real pixels of each window only, and the average divides by
    the number of real pixels (``count_include_pad=False``).

    Parameters
    ----------
    x : array_like, shape (H, W) or (H, W, C)
        Feature map, channels last.
    pool_size : int or (int, int)
        Window height and width.
    stride : int or (int, int) or None, optional
        Step between windows; ``None`` means ``pool_size`` (non-overlapping windows).
    padding : {"valid", "same"}, optional
        ``"valid"`` drops windows that would stick out; ``"same"`` gives ``ceil(n / stride)``
        outputs per axis.
    mode : {"max", "avg", "min"}, optional
        Statistic taken over each window.

    Returns
    -------
    numpy.ndarray, shape (H_out, W_out) or (H_out, W_out, C)
        Floating point (at least float32); keeps the channel axis exactly when ``x`` has one.

    Examples
    --------
    >>> pool2d(np.arange(16.0).reshape(4, 4), 2)
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x = _validate.real_array(x, "x", finite=True)
    if x.ndim not in (2, 3):
        raise ValueError(
            f"x must have shape (height, width) or (height, width, channels), got shape {x.shape}"
        )
    pool = _validate.int_pair(pool_size, "pool_size")
    stride = pool if stride is None else _validate.int_pair(stride, "stride")
    padding = _string_padding(padding)
    if mode not in _POOL_MODES:
        raise ValueError(f"mode must be one of 'max', 'avg', 'min', got {mode!r}")

    data = _image_3d(x).astype(_float_dtype(x), copy=False)
    pads = []
    for axis, extent in ((0, "high"), (1, "wide")):
        if padding == "same":
            pads.append(
                padding_amounts(data.shape[axis], pool[axis], stride=stride[axis], padding="same")
            )
        elif pool[axis] > data.shape[axis]:
            raise ValueError(
                f"pool_size {pool} does not fit: the input is only {data.shape[axis]} pixels "
                f"{extent}; use a smaller pool_size or padding='same'"
            )
        else:
            pads.append((0, 0))

    padded_shape = [size + sum(pad) for size, pad in zip(data.shape, pads, strict=False)]
    _validate.fits_in_memory((*padded_shape, data.shape[2]), f"pool_size={pool_size!r}")
    fill = {"max": -np.inf, "min": np.inf, "avg": 0.0}[mode]
    padded = np.pad(data, (*pads, (0, 0)), constant_values=fill)
    windows = sliding_window_view(padded, pool, axis=(0, 1))[:: stride[0], :: stride[1]]
    if mode == "max":
        result = windows.max(axis=(3, 4))
    elif mode == "min":
        result = windows.min(axis=(3, 4))
    else:
        # Count the real (unpadded) pixels in each window and divide the sum by that.
        real = np.pad(np.ones(data.shape[:2], dtype=data.dtype), pads)
        counts = sliding_window_view(real, pool)[:: stride[0], :: stride[1]].sum(axis=(2, 3))
        result = windows.sum(axis=(3, 4)) / counts[:, :, np.newaxis]
    return result if x.ndim == 3 else result[:, :, 0]


def global_average_pool(x: np.ndarray) -> np.ndarray | np.floating:
    """Mean of each channel over all pixels, as ``keras.layers.GlobalAveragePooling2D``.

    Parameters
    ----------
    x : array_like, shape (H, W, C) or (H, W)
        Feature map, channels last.

    Returns
    -------
    numpy.ndarray of shape (C,), or a NumPy float scalar for a 2-D ``x``
        Floating point, at least float32.
    """
    x = _validate.real_array(x, "x", finite=True)
    if x.ndim not in (2, 3):
        raise ValueError(
            f"x must have shape (height, width) or (height, width, channels), got shape {x.shape}"
        )
    return x.astype(_float_dtype(x), copy=False).mean(axis=(0, 1))


# ---------------------------------------------------------------------------------------------
# Classic image-processing kernels
# ---------------------------------------------------------------------------------------------


def _read_only(rows: list[list[float]], scale: float = 1.0) -> np.ndarray:
    """A read-only float64 3x3 kernel."""
    kernel = np.array(rows, dtype=np.float64) * scale
    kernel.setflags(write=False)
    return kernel


KERNELS: dict[str, np.ndarray] = {
    "identity": _read_only([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "box_blur": _read_only([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9),
    "gaussian": _read_only([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),
    "sharpen": _read_only([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "outline": _read_only([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "emboss": _read_only([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "sobel_x": _read_only([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel_y": _read_only([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "prewitt_x": _read_only([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
    "prewitt_y": _read_only([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
    "top_sobel": _read_only([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
    "bottom_sobel": _read_only([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "left_sobel": _read_only([[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
    "right_sobel": _read_only([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "laplacian": _read_only([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
}
"""Named 3x3 float64 kernels (read-only arrays), meant for :func:`conv2d` (no flipping).

Directions assume cross-correlation, as in CNNs: ``sobel_x`` is positive where the image gets
brighter from left to right.  ``KERNEL_DESCRIPTIONS`` explains each one.
"""

KERNEL_DESCRIPTIONS: dict[str, str] = {
    "identity": "A single 1 in the centre copies each pixel unchanged.",
    "box_blur": "Replaces each pixel by the plain average of its 3x3 neighbourhood (weights 1/9).",
    "gaussian": "A weighted average that trusts near pixels more (1-2-1 weights over 16): it "
    "blurs more smoothly than the box blur and never inverts fine stripes (a box blur turns "
    "1-pixel stripes into fainter stripes of the opposite phase); at 3x3 it blurs slightly less "
    "than the box blur.",
    "sharpen": "Adds the difference between a pixel and its four neighbours back to the pixel, "
    "exaggerating edges while keeping flat areas unchanged (weights sum to 1).",
    "outline": "Compares each pixel with all eight neighbours: flat areas give 0, edges and "
    "texture light up (weights sum to 0).",
    "emboss": "Subtracts the top-left neighbours from the bottom-right ones, so diagonal edges "
    "look raised or sunken like a relief.",
    "sobel_x": "Right column minus left column, centre row counted twice: responds to vertical "
    "edges, positive where brightness increases to the right.",
    "sobel_y": "Bottom row minus top row, centre column counted twice: responds to horizontal "
    "edges, positive where brightness increases downwards.",
    "prewitt_x": "Like sobel_x but with equal row weights: a plain difference of the right and "
    "left columns.",
    "prewitt_y": "Like sobel_y but with equal column weights: a plain difference of the bottom "
    "and top rows.",
    "top_sobel": "Sobel for edges that are brighter above than below (top row minus bottom row).",
    "bottom_sobel": "Sobel for edges that are brighter below than above (same as sobel_y).",
    "left_sobel": "Sobel for edges that are brighter on the left (left column minus right).",
    "right_sobel": "Sobel for edges that are brighter on the right (same as sobel_x).",
    "laplacian": "Four neighbours minus four times the centre: a second derivative that is 0 on "
    "flat areas and on steady ramps, and large at fine detail and edges.",
}
"""One sentence per entry of :data:`KERNELS` saying why the kernel does what it does."""
