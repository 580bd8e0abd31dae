"""Checks of the convolution, stride-and-padding and pooling lessons."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._framework import CheckResult, Mistake, _kind, check_function, register_hints, report

# --- cross-correlation ------------------------------------------------------------------------

register_hints(
    "cross_correlate",
    [
        "slide the kernel over every position where it fits entirely inside the image; at each "
        "position multiply the pixels under the kernel by the weights they lie under and add "
        "the products up. How many positions are there along each axis?",
        "there are H - kh + 1 rows of positions and W - kw + 1 columns (use the kernel's own "
        "height and width: neither has to be square). Keep the kernel as it is, no flipping, "
        "and sum the products rather than averaging them.",
    ],
    answer="loop over `row` in `range(H - kh + 1)` and `col` in `range(W - kw + 1)` and set "
    "`out[row, col] = np.sum(image[row:row + kh, col:col + kw] * kernel)`.",
)


def _correlate(image, kernel):
    from cnn_lessons import conv

    return conv.conv2d(np.asarray(image, dtype=float), np.asarray(kernel, dtype=float))


CROSS_CORRELATION_MISTAKES = [
    Mistake(
        lambda image, kernel: _correlate(image, kernel[::-1, ::-1]),
        "This is what flipping the kernel gives (true convolution); Keras and this exercise "
        "do not flip",
    ),
    Mistake(
        lambda image, kernel: _correlate(image, kernel) / kernel.size,
        "This is the average of the products under the kernel, not their sum",
    ),
    Mistake(
        lambda image, kernel: (
            _correlate(image, kernel[:, : kernel.shape[0]])
            if kernel.shape[1] >= kernel.shape[0]
            else _correlate(image, kernel[: kernel.shape[1], :])
        ),
        "This is what a square kernel gives: the kernel is not necessarily square",
    ),
]


def check_cross_correlation(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(image, kernel)`` is the valid 2-D cross-correlation of one channel.

    ``image`` is ``(H, W)`` and ``kernel`` ``(kh, kw)``; the result is ``(H - kh + 1, W - kw + 1)``
    with ``out[i, j] = sum(image[i:i + kh, j:j + kw] * kernel)``, as ``conv.conv2d`` (and a
    Keras ``Conv2D`` without bias) computes it.
    """
    generator = np.random.default_rng(1)
    cases = [
        ((np.arange(16.0).reshape(4, 4), np.ones((2, 2))), {}),
        ((np.arange(25.0).reshape(5, 5), np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]])), {}),
        ((np.arange(20.0).reshape(4, 5), np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])), {}),
        ((generator.random((6, 9)), generator.normal(size=(2, 3))), {}),
        ((generator.random((3, 3)), generator.normal(size=(3, 3))), {}),
        ((generator.random((7, 5)), np.array([[2.5]])), {}),
    ]
    return check_function(
        "cross_correlate",
        function,
        _correlate,
        cases,
        mistakes=CROSS_CORRELATION_MISTAKES,
        verbose=verbose,
    )


# --- output size ------------------------------------------------------------------------------

register_hints(
    "output_size",
    [
        "count the positions the kernel can take: how wide is the padded input, how many "
        "pixels can the kernel's first column move before the kernel leaves it, and how many "
        "of those moves does a stride allow? Do not forget the starting position.",
        "padding adds pixels on both sides. A step that would take the kernel past the edge "
        "does not happen, so the division by the stride rounds down, never up or to the "
        "nearest whole number.",
    ],
    answer="`(input_size + 2 * padding - kernel_size) // stride + 1`",
)


def _output_size_reference(input_size, kernel_size, stride, padding):
    from cnn_lessons import conv

    return conv.output_size(input_size, kernel_size, stride=stride, padding=padding)


OUTPUT_SIZE_MISTAKES = [
    Mistake(
        lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1,
        "This is what rounding the division by the stride up gives: a step that would leave "
        "the padded input is not taken",
    ),
    Mistake(
        lambda n, k, s, p: round((n + 2 * p - k) / s) + 1,
        "This is what rounding the division by the stride to the nearest integer gives",
    ),
    Mistake(
        lambda n, k, s, p: (n + 2 * p - k) // s,
        "This is one position short: the kernel's first position is not counted",
    ),
    Mistake(
        lambda n, k, s, p: (n + p - k) // s + 1,
        "This is what padding only one side gives",
    ),
    Mistake(
        lambda n, k, s, p: (n + 2 * p - k) / s + 1,
        "This is a fraction: a kernel cannot stop part of the way through a step",
    ),
]


def check_output_size(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(input_size, kernel_size, stride, padding)`` -> output pixels.

    ``padding`` is a number of zero pixels on each side; the answer is
    ``floor((input_size + 2 * padding - kernel_size) / stride) + 1``, as ``conv.output_size``.
    """
    cases = [
        ((28, 3, 1, 0), {}),
        ((28, 3, 1, 1), {}),
        ((5, 3, 2, 1), {}),
        ((7, 3, 2, 0), {}),
        ((6, 3, 2, 1), {}),
        ((224, 7, 2, 3), {}),
        ((5, 4, 1, 2), {}),
        ((10, 10, 3, 0), {}),
    ]
    return check_function(
        "output_size",
        function,
        _output_size_reference,
        cases,
        mistakes=OUTPUT_SIZE_MISTAKES,
        verbose=verbose,
    )


# --- max pooling ------------------------------------------------------------------------------

register_hints(
    "max_pool",
    [
        "cut the map into separate 2x2 windows (they do not overlap) and keep the largest value "
        "of each. What happens to a last row or column that cannot fill a window? And what is "
        "the largest value of a window whose values are all negative?",
        "the output is (H // 2, W // 2): a leftover odd row or column is dropped, as Keras' "
        "'valid' pooling does. Start each window's maximum from the window's own values, not "
        "from 0; if you reshape, make sure each group of four really is a 2x2 square.",
    ],
    answer="`x[:2 * (H // 2), :2 * (W // 2)].reshape(H // 2, 2, W // 2, 2).max(axis=(1, 3))`",
)


def _pool(x, mode="max"):
    rows, cols = x.shape[0] // 2, x.shape[1] // 2
    windows = x[: 2 * rows, : 2 * cols].reshape(rows, 2, cols, 2)
    return windows.max(axis=(1, 3)) if mode == "max" else windows.mean(axis=(1, 3))


MAX_POOL_MISTAKES = [
    Mistake(
        lambda x: np.maximum(_pool(x), 0),
        "A window whose values are all negative gave 0: the maximum started from 0 instead of "
        "from the window's values",
    ),
    Mistake(lambda x: _pool(x, "mean"), "This is the average of each window, not its maximum"),
    Mistake(
        lambda x: (
            x[: 2 * (x.shape[0] // 2), : 2 * (x.shape[1] // 2)]
            .reshape(x.shape[0] // 2, x.shape[1] // 2, 4)
            .max(axis=2)
        ),
        "The windows are not 2x2 squares: the reshape grouped pixels of the same row together",
    ),
]


def check_max_pool(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(x)`` is 2x2 max pooling with stride 2 of an ``(H, W)`` map.

    Like ``keras.layers.MaxPooling2D()`` (``"valid"``): an odd last row or column that does not
    fill a window is dropped, so the result is ``(H // 2, W // 2)``.
    """
    from cnn_lessons import conv

    generator = np.random.default_rng(3)
    cases = [
        ((np.arange(16.0).reshape(4, 4),), {}),
        ((np.array([[1.0, -2], [-3, -4]]),), {}),
        ((-generator.random((4, 6)),), {}),
        ((generator.normal(size=(5, 7)),), {}),
        ((generator.normal(size=(8, 2)),), {}),
    ]
    return check_function(
        "max_pool",
        function,
        lambda x: conv.pool2d(x, 2),
        cases,
        mistakes=MAX_POOL_MISTAKES,
        verbose=verbose,
    )


# --- a diagonal-edge kernel -------------------------------------------------------------------

register_hints(
    "diagonal_edge_kernel",
    [
        "on a flat patch every pixel has the same value v, so the response is v times the sum "
        "of the weights: what must that sum be? Then ask which side of the top-left to "
        "bottom-right diagonal is bright in the test edge.",
        "give positive weights to the pixels above that diagonal (towards the top-right corner) "
        "and negative ones below it, mirror images of each other so they sum to 0. Weights "
        "placed symmetrically about that diagonal cancel on the other diagonal's edge.",
    ],
    answer="`np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]])` (or its negative)",
)


def _strongest(image, kernel) -> float:
    from cnn_lessons import conv

    return float(np.abs(conv.conv2d(image, kernel)).max())


def check_diagonal_edge_kernel(kernel, *, verbose: bool = True) -> CheckResult:
    """``kernel`` is a 3x3 array that detects the edge of ``np.triu(np.ones((8, 8)), 1)``.

    It must give 0 on flat patches (all ones, all 0.5), respond to that diagonal edge (largest
    absolute response above 0) and respond at least twice as strongly to it as to the same edge
    mirrored (``np.fliplr``), which runs along the other diagonal. Either sign is accepted.
    """
    name, cases, failures = "diagonal_edge_kernel", 4, []
    try:
        weights = np.asarray(kernel, dtype=float)
    except Exception:  # a value that is not a grid of numbers
        weights = None
    if weights is None or callable(kernel) or weights.shape != (3, 3):
        shape = f"an array of shape {weights.shape}" if weights is not None else _kind(kernel)
        failures.append(f"case 1 (the kernel): expected a 3x3 array of weights, got {shape}")
    elif not np.all(np.isfinite(weights)):
        failures.append("case 1 (the kernel): the weights are not all finite numbers")
    else:
        edge = np.triu(np.ones((8, 8)), 1)
        for value in (1.0, 0.5):
            flat = _strongest(np.full((8, 8), value), weights)
            if flat > 1e-9:
                failures.append(
                    f"case 2 (a flat patch of {value:g}): the response is {flat:.3g}, not 0; a "
                    "flat patch has no edge, yet your kernel answers it"
                )
                break
        if not failures:
            diagonal, mirrored = _strongest(edge, weights), _strongest(np.fliplr(edge), weights)
            if diagonal <= 1e-9:
                failures.append(
                    "case 3 (the diagonal edge): your kernel does not respond to it at all "
                    "(largest absolute response 0)"
                )
            elif diagonal < 2 * mirrored:
                failures.append(
                    f"case 4 (the mirrored edge): your kernel responds to the other diagonal "
                    f"with {mirrored:.3g}, more than half its response {diagonal:.3g} to the "
                    "diagonal edge; it does not tell the two directions apart"
                )
    return report(name, failures, cases, verbose=verbose)
