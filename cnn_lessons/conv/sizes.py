"""Sizes along one axis: the effective kernel, padding amounts, output sizes, receptive fields."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from cnn_lessons import _validate
from cnn_lessons.conv._checks import (
    Padding,
    _axis_sizes,
    _conv_padding,
    _string_padding,
)


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


def _check_fits(kernel_size: int, dilation: int, padded_size: int, extent: str) -> None:
    """Raise ``ValueError`` if a (dilated) kernel is longer than the padded input axis."""
    span = effective_kernel_size(kernel_size, dilation)
    if span > padded_size:
        raise ValueError(
            f"kernel spans {span} pixels (kernel_size {kernel_size}, dilation {dilation}) "
            f"but the padded input is only {padded_size} pixels {extent}; use a smaller kernel "
            "or dilation, or more padding"
        )
