"""The checks of the "How a CNN learns" exercises pass the reference and reject plausible bugs."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_lessons import backprop, checks, conv

from ._wrong import Wrong, assert_rejected, params

# --- ReLU backward ---------------------------------------------------------------------------


def relu_reference(upstream, x):
    return upstream * (x > 0)


def relu_passes_everything(upstream, x):
    return upstream


def relu_passes_at_zero(upstream, x):
    return upstream * (x >= 0)


def relu_forgets_upstream(upstream, x):
    return (x > 0).astype(upstream.dtype)


def relu_in_place(upstream, x):
    upstream[x <= 0] = 0
    return upstream


def relu_float64_mask(upstream, x):
    return upstream * (x > 0).astype(float)


def relu_of_the_forward_value(upstream, x):
    return upstream * np.maximum(x, 0)


RELU = [
    Wrong(
        checks.check_relu_backward,
        "passes everything",
        relu_passes_everything,
        r"even where x is negative",
    ),
    Wrong(checks.check_relu_backward, "passes at zero", relu_passes_at_zero, r"exactly 0"),
    Wrong(
        checks.check_relu_backward,
        "forgets upstream",
        relu_forgets_upstream,
        r"does not depend on the upstream",
    ),
    Wrong(checks.check_relu_backward, "in place", relu_in_place, r"changed `upstream` in place"),
    Wrong(
        checks.check_relu_backward,
        "float64 mask",
        relu_float64_mask,
        r"dtype is float64; expected float32",
    ),
    Wrong(
        checks.check_relu_backward,
        "forward value",
        relu_of_the_forward_value,
        r"ReLU's value, not .* slope",
    ),
]


# --- max-pool backward -----------------------------------------------------------------------


def max_pool_reference(upstream, x):
    rows, cols = upstream.shape
    blocks = x[: 2 * rows, : 2 * cols].reshape(rows, 2, cols, 2).transpose(0, 2, 1, 3)
    winner = blocks.reshape(rows, cols, 4).argmax(axis=2)
    gradient = np.zeros(x.shape, dtype=upstream.dtype)
    for row in range(rows):
        for col in range(cols):
            top, left = divmod(int(winner[row, col]), 2)
            gradient[2 * row + top, 2 * col + left] = upstream[row, col]
    return gradient


def _spread(upstream, x, factor=1.0):
    """Each window's value copied to its four pixels (times ``factor``), in x's shape."""
    gradient = np.zeros_like(x)
    rows, cols = upstream.shape
    gradient[: 2 * rows, : 2 * cols] = np.kron(upstream, np.ones((2, 2))) * factor
    return gradient


def max_pool_to_every_pixel(upstream, x):
    return _spread(upstream, x)


def max_pool_like_average(upstream, x):
    return _spread(upstream, x, 0.25)


def max_pool_to_every_tied_pixel(upstream, x):
    rows, cols = upstream.shape
    pooled = conv.pool2d(x, 2)
    winners = np.zeros_like(x, dtype=bool)
    winners[: 2 * rows, : 2 * cols] = x[: 2 * rows, : 2 * cols] == np.kron(pooled, np.ones((2, 2)))
    return _spread(upstream, x) * winners


def max_pool_to_the_minimum(upstream, x):
    return max_pool_reference(upstream, -x)


def max_pool_ignores_odd_sizes(upstream, x):
    rows, cols = upstream.shape
    return max_pool_reference(upstream, x[: 2 * rows, : 2 * cols].copy())


def max_pool_in_place(upstream, x):
    gradient = max_pool_reference(upstream, x)
    x[...] = gradient
    return gradient


def max_pool_last_of_a_tie(upstream, x):
    gradient = np.zeros(x.shape, dtype=upstream.dtype)
    for row in range(upstream.shape[0]):
        for col in range(upstream.shape[1]):
            window = x[2 * row : 2 * row + 2, 2 * col : 2 * col + 2]
            top, left = np.argwhere(window == window.max())[-1]
            gradient[2 * row + top, 2 * col + left] = upstream[row, col]
    return gradient


def max_pool_always_float64(upstream, x):
    return max_pool_reference(upstream, x).astype(np.float64)  # np.zeros(x.shape) does this


MAX_POOL = [
    Wrong(
        checks.check_max_pool_backward,
        "every pixel",
        max_pool_to_every_pixel,
        r"Every pixel of a window",
    ),
    Wrong(
        checks.check_max_pool_backward, "like average", max_pool_like_average, r"average pooling"
    ),
    Wrong(
        checks.check_max_pool_backward,
        "every tied pixel",
        max_pool_to_every_tied_pixel,
        r"case 4 .*values differ",
    ),
    Wrong(
        checks.check_max_pool_backward, "the minimum", max_pool_to_the_minimum, r"smallest pixel"
    ),
    Wrong(
        checks.check_max_pool_backward,
        "ignores odd sizes",
        max_pool_ignores_odd_sizes,
        r"expected shape \(5, 7\)",
    ),
    Wrong(checks.check_max_pool_backward, "in place", max_pool_in_place, r"changed `x` in place"),
    Wrong(
        checks.check_max_pool_backward,
        "float64",
        max_pool_always_float64,
        r"dtype is float64; expected float32",
    ),
    Wrong(
        checks.check_max_pool_backward,
        "last of a tie",
        max_pool_last_of_a_tie,
        r"last largest pixel",
    ),
]


# --- kernel gradient -------------------------------------------------------------------------


def kernel_gradient_reference(image, upstream):
    return conv.conv2d(image, upstream)


def kernel_gradient_flipped_upstream(image, upstream):
    return conv.conv2d(image, upstream[::-1, ::-1])


def kernel_gradient_flipped_result(image, upstream):
    return conv.conv2d(image, upstream)[::-1, ::-1]


def kernel_gradient_transposed(image, upstream):
    return conv.conv2d(image.T, upstream.T)


def kernel_gradient_averaged(image, upstream):
    return conv.conv2d(image, upstream) / upstream.size


def kernel_gradient_true_convolution(image, upstream):
    return conv.convolve2d(image, upstream)


def kernel_gradient_scales_upstream_in_place(image, upstream):
    upstream *= 2.0
    return conv.conv2d(image, upstream) / 2.0


KERNEL_GRADIENT = [
    Wrong(
        checks.check_kernel_gradient,
        "flipped upstream",
        kernel_gradient_flipped_upstream,
        r"flipping the upstream",
    ),
    Wrong(
        checks.check_kernel_gradient,
        "flipped result",
        kernel_gradient_flipped_result,
        r"rotated by 180",
    ),
    Wrong(checks.check_kernel_gradient, "transposed", kernel_gradient_transposed, r"transposed"),
    Wrong(checks.check_kernel_gradient, "averaged", kernel_gradient_averaged, r"not averaged"),
    Wrong(
        checks.check_kernel_gradient,
        "true convolution",
        kernel_gradient_true_convolution,
        r"true convolution",
    ),
    Wrong(
        checks.check_kernel_gradient,
        "scales upstream in place",
        kernel_gradient_scales_upstream_in_place,
        r"changed `upstream` in place",
    ),
]

WRONG = RELU + MAX_POOL + KERNEL_GRADIENT


@params(WRONG)
def test_the_check_rejects_a_plausible_bug(wrong):
    assert_rejected(wrong)


# --- the references pass ---------------------------------------------------------------------


REFERENCES = [
    (checks.check_relu_backward, relu_reference),
    (checks.check_relu_backward, backprop.relu_backward),
    (checks.check_max_pool_backward, max_pool_reference),
    (checks.check_max_pool_backward, lambda u, x: backprop.pool2d_backward(u, x, 2)),
    (checks.check_kernel_gradient, kernel_gradient_reference),
]


@pytest.mark.parametrize(("check", "solution"), REFERENCES)
def test_checks_pass_correct_solutions(check, solution, capsys):
    result = check(solution)
    assert result and result.cases >= 4
    assert "cases pass" in capsys.readouterr().out


def test_hints_nudge_without_giving_the_code_away(capsys):
    checks.check_relu_backward(relu_passes_everything)
    checks.check_max_pool_backward(max_pool_to_every_pixel)
    checks.check_kernel_gradient(kernel_gradient_flipped_upstream)
    printed = capsys.readouterr().out
    for answer in ("x > 0", "argmax", "conv2d(", "pool2d_backward", "np.kron", "upstream * "):
        assert answer not in printed
