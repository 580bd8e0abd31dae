"""Argument checks shared by the convolution and pooling functions."""

from __future__ import annotations

import numpy as np

from cnn_lessons import _validate

IntOrPair = int | tuple[int, int]
Padding = str | int

_CONV_PADDING = "'valid', 'same' or a non-negative int"


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
