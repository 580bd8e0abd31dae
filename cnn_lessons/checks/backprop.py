"""Checks of the "how a CNN learns" lesson: backward passes of ReLU, max pooling and a kernel."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._framework import (
    CheckResult,
    Mistake,
    check_function,
    leaves_inputs_alone,
    register_hints,
)

# --- ReLU -------------------------------------------------------------------------------------

register_hints(
    "relu_backward",
    [
        "ReLU is made of two straight pieces: what is the slope of each, and so how much of the "
        "upstream gradient gets through where x is positive, and where it is not?",
        "at x == 0 exactly, TensorFlow uses the flat piece. Keep upstream's dtype (float32 stays "
        "float32: a mask of Python floats would turn it into float64) and build a new array "
        "rather than writing into upstream.",
    ],
    answer="`upstream * (x > 0)`",
)

RELU_MISTAKES = [
    Mistake(lambda upstream, x: upstream, "Every gradient got through, even where x is negative"),
    Mistake(
        lambda upstream, x: upstream * (x >= 0),
        "The gradient got through where x is exactly 0; TensorFlow blocks it there",
    ),
    Mistake(
        lambda upstream, x: (x > 0).astype(upstream.dtype),
        "The result does not depend on the upstream gradient: the chain rule multiplies by it",
    ),
    Mistake(
        lambda upstream, x: upstream * np.maximum(x, 0),
        "This multiplies by ReLU's value, not by its slope",
    ),
]


def check_relu_backward(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(upstream, x)`` is ``dL/dx`` for ``relu(x) = max(x, 0)``.

    ``upstream`` is ``dL/d relu(x)``, same shape as ``x``. The result keeps ``upstream``'s
    dtype, is 0 where ``x <= 0`` (TensorFlow's choice at exactly 0), and the arguments are not
    modified.
    """
    from cnn_lessons import backprop

    generator = np.random.default_rng(13)
    cases = [
        ((np.ones(5), np.array([-2.0, -0.5, 0.0, 0.5, 2.0])), {}),
        ((generator.normal(size=(3, 4)), generator.normal(size=(3, 4))), {}),
        ((np.full((2, 2), 7.0), -np.ones((2, 2))), {}),
        (
            (
                generator.normal(size=(2, 3, 3, 2)).astype(np.float32),
                generator.normal(size=(2, 3, 3, 2)).astype(np.float32),
            ),
            {},
        ),
    ]
    return check_function(
        "relu_backward",
        leaves_inputs_alone(function, ["upstream", "x"]),
        backprop.relu_backward,
        cases,
        mistakes=RELU_MISTAKES,
        check_dtype=True,
        verbose=verbose,
    )


# --- max pooling ------------------------------------------------------------------------------

register_hints(
    "max_pool_backward",
    [
        "in each 2x2 window only one pixel decided the output: nudging any other pixel of the "
        "window a little changes nothing. Which pixel is it, and how much of the window's "
        "upstream value does it get?",
        "on a tie only the first one in reading order counts. The result has x's shape and "
        "upstream's dtype (float32 stays float32); pixels that no window covers (a last odd "
        "row or column) get 0. Do not write into x or upstream.",
    ],
    answer="start from `np.zeros(x.shape, dtype=upstream.dtype)`; for each window find the "
    "position of its largest pixel (`argmax` of the window's four values) and put the window's "
    "upstream value there.",
)


def _winner_takes(upstream, x, *, first=True):
    rows, cols = upstream.shape
    gradient = np.zeros(x.shape, dtype=upstream.dtype)
    for row in range(rows):
        for col in range(cols):
            window = x[2 * row : 2 * row + 2, 2 * col : 2 * col + 2].ravel()
            index = int(np.argmax(window) if first else 3 - np.argmax(window[::-1]))
            top, left = divmod(index, 2)
            gradient[2 * row + top, 2 * col + left] = upstream[row, col]
    return gradient


def _spread(upstream, x, factor=1.0):
    gradient = np.zeros(x.shape, dtype=upstream.dtype)
    rows, cols = upstream.shape
    gradient[: 2 * rows, : 2 * cols] = np.kron(upstream, np.ones((2, 2))) * factor
    return gradient


MAX_POOL_BACKWARD_MISTAKES = [
    Mistake(
        lambda upstream, x: _spread(upstream, x),
        "Every pixel of a window got the window's gradient, not only the largest one",
    ),
    Mistake(
        lambda upstream, x: _spread(upstream, x, 0.25),
        "The gradient is shared equally by the window's pixels: that is average pooling's "
        "backward pass",
    ),
    Mistake(
        lambda upstream, x: _winner_takes(upstream, -x),
        "The gradient went to each window's smallest pixel",
    ),
    Mistake(
        lambda upstream, x: _winner_takes(upstream, x, first=False),
        "On a tie the gradient went to the last largest pixel; TensorFlow picks the first",
    ),
]


def check_max_pool_backward(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(upstream, x)`` is ``dL/dx`` for 2x2 max pooling with stride 2 of ``(H, W)``.

    ``upstream`` has the pooled shape ``(H // 2, W // 2)``; the result has ``x``'s shape and
    ``upstream``'s dtype. As in TensorFlow, a window's gradient goes to its largest pixel only
    (the first in reading order on a tie), and a last odd row or column, which no window
    covers, gets 0.
    """
    from cnn_lessons import backprop

    def reference(upstream, x):
        return backprop.pool2d_backward(upstream, x, 2).astype(upstream.dtype, copy=False)

    generator = np.random.default_rng(14)
    cases = [
        ((np.array([[1.0, 2.0], [3.0, 4.0]]), np.arange(16.0).reshape(4, 4)[::-1]), {}),
        ((generator.normal(size=(2, 3)), -generator.random((4, 6))), {}),
        ((generator.normal(size=(2, 3)), generator.normal(size=(5, 7))), {}),
        ((np.array([[1.0, -2.0]]), np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])), {}),
        (
            (
                generator.normal(size=(2, 2)).astype(np.float32),
                generator.normal(size=(4, 5)).astype(np.float32),
            ),
            {},
        ),
    ]
    return check_function(
        "max_pool_backward",
        leaves_inputs_alone(function, ["upstream", "x"]),
        reference,
        cases,
        mistakes=MAX_POOL_BACKWARD_MISTAKES,
        check_dtype=True,
        verbose=verbose,
    )


# --- kernel gradient --------------------------------------------------------------------------

register_hints(
    "kernel_gradient",
    [
        "take one weight of the kernel at a time. In the forward pass it took part in every "
        "output pixel: which image pixel did it multiply for each of them? The chain rule then "
        "tells you how much each of those products adds to its gradient.",
        "weight (i, j) multiplied image[i + r, j + c] to make output pixel (r, c), so its "
        "gradient is a sum over all (r, c) of upstream[r, c] times that pixel: nothing is "
        "flipped, transposed or averaged, and the result has the kernel's shape.",
    ],
    answer="the valid cross-correlation of the image with the upstream gradient: "
    "`conv.conv2d(image, upstream)`.",
)


def _kernel_gradient_reference(image, upstream):
    from cnn_lessons import backprop

    size = (image.shape[0] - upstream.shape[0] + 1, image.shape[1] - upstream.shape[1] + 1)
    return backprop.conv2d_backward(upstream, image, np.zeros(size))[1]


def _correlate(image, kernel):
    from cnn_lessons import conv

    return conv.conv2d(image, kernel)


KERNEL_GRADIENT_MISTAKES = [
    Mistake(
        lambda image, upstream: _correlate(image, upstream[::-1, ::-1]),
        "This is what flipping the upstream gradient gives (a true convolution)",
    ),
    Mistake(
        lambda image, upstream: _correlate(image, upstream)[::-1, ::-1],
        "This is the right gradient flipped (rotated by 180 degrees)",
    ),
    Mistake(
        lambda image, upstream: _correlate(image, upstream) / upstream.size,
        "This is the right gradient divided by the number of output pixels: the contributions "
        "add up, they are not averaged",
    ),
    Mistake(
        lambda image, upstream: _correlate(image.T, upstream.T),
        "This is the right gradient transposed: rows and columns are swapped",
    ),
]


def check_kernel_gradient(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(image, upstream)`` is ``dL/dK`` for ``output = conv.conv2d(image, K)``.

    One filter, one channel, stride 1, no padding: ``image`` is ``(H, W)``, ``upstream`` is
    ``dL/d output`` of shape ``(H_out, W_out)``, and the kernel, so the result, is
    ``(H - H_out + 1, W - W_out + 1)``.
    """
    generator = np.random.default_rng(15)
    cases = [
        ((np.arange(16.0).reshape(4, 4), np.ones((3, 3))), {}),
        ((np.arange(9.0).reshape(3, 3), np.array([[1.0, -1.0], [2.0, 0.0]])), {}),
        ((generator.random((6, 5)), generator.normal(size=(4, 4))), {}),
        ((generator.random((7, 7)), generator.normal(size=(5, 5))), {}),
        ((generator.random((5, 8)), generator.normal(size=(5, 6))), {}),
    ]
    return check_function(
        "kernel_gradient",
        leaves_inputs_alone(function, ["image", "upstream"]),
        _kernel_gradient_reference,
        cases,
        mistakes=KERNEL_GRADIENT_MISTAKES,
        verbose=verbose,
    )
