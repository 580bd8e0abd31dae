"""Checking a gradient: centred finite differences and the relative error (CS231n's).

A backward pass is trusted only once it agrees with a reference that shares no code with it:
:func:`numerical_gradient` nudges each number of an array up and down and needs no derivative
at all; :func:`relative_error` says how far apart two gradients are. Both are also available
from :mod:`cnn_lessons.backprop`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnn_lessons import _validate

__all__ = ["numerical_gradient", "relative_error"]


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
