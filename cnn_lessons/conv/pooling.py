"""2-D max, average and min pooling, and global average pooling, as Keras computes them."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lessons import _validate
from cnn_lessons.conv._checks import IntOrPair, _float_dtype, _string_padding
from cnn_lessons.conv.convolution import _image_3d
from cnn_lessons.conv.sizes import padding_amounts

_POOL_MODES = ("max", "avg", "min")


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
