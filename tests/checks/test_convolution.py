"""The checks of the convolution, stride-and-padding and pooling lessons reject plausible bugs."""

import numpy as np

from cnn_lessons import checks, conv

from ._wrong import Wrong, catalogue_tests

# --- cross-correlation ------------------------------------------------------------------------


def cross_correlate(image, kernel):
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    return np.array(
        [[np.sum(image[i : i + kh, j : j + kw] * kernel) for j in range(cols)] for i in range(rows)]
    )


def square_kernel(image, kernel):
    size = kernel.shape[0]
    rows, cols = image.shape[0] - size + 1, image.shape[1] - size + 1
    return np.array(
        [
            [np.sum(image[i : i + size, j : j + size] * kernel[:size, :size]) for j in range(cols)]
            for i in range(rows)
        ]
    )


def one_row_short(image, kernel):
    return cross_correlate(image, kernel)[:-1]


def same_size(image, kernel):
    return conv.conv2d(image, kernel, padding="same")


check = checks.check_cross_correlation
CROSS_CORRELATION = [
    Wrong(check, "flips the kernel", lambda i, k: cross_correlate(i, k[::-1, ::-1]), r"flipping"),
    Wrong(check, "averages", lambda i, k: cross_correlate(i, k) / k.size, r"average"),
    Wrong(check, "square kernel", square_kernel, r"case 4 .*expected shape \(5, 7\)"),
    Wrong(check, "one row short", one_row_short, r"expected shape \(3, 3\), got shape \(2, 3\)"),
    Wrong(check, "'same' output", same_size, r"expected shape \(3, 3\), got shape \(4, 4\)"),
]

# --- output size ------------------------------------------------------------------------------

check = checks.check_output_size
OUTPUT_SIZE = [
    Wrong(check, "ceil", lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1, r"rounding .* up"),
    Wrong(check, "round", lambda n, k, s, p: round((n + 2 * p - k) / s) + 1, r"nearest"),
    Wrong(check, "forgets +1", lambda n, k, s, p: (n + 2 * p - k) // s, r"first position"),
    Wrong(check, "pads one side", lambda n, k, s, p: (n + p - k) // s + 1, r"one side"),
    Wrong(check, "true division", lambda n, k, s, p: (n + 2 * p - k) / s + 1, r"fraction"),
]

# --- max pooling ------------------------------------------------------------------------------


def max_pool(x):
    rows, cols = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * rows, : 2 * cols].reshape(rows, 2, cols, 2).max(axis=(1, 3))


def loops_from_zero(x):
    out = np.zeros((x.shape[0] // 2, x.shape[1] // 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            best = 0.0
            for value in x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].ravel():
                best = max(best, value)
            out[i, j] = best
    return out


def rows_grouped(x):
    rows, cols = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * rows, : 2 * cols].reshape(rows, cols, 4).max(axis=2)


check = checks.check_max_pool
MAX_POOL = [
    Wrong(check, "starts from 0", loops_from_zero, r"started from 0"),
    Wrong(
        check,
        "average",
        lambda x: (
            x[: x.shape[0] // 2 * 2, : x.shape[1] // 2 * 2]
            .reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2)
            .mean(axis=(1, 3))
        ),
        r"average",
    ),
    Wrong(check, "reshape without moving axes", rows_grouped, r"not 2x2 squares"),
    Wrong(check, "pads odd edges", lambda x: conv.pool2d(x, 2, padding="same"), r"\(2, 3\)"),
    Wrong(check, "stride 1", lambda x: conv.pool2d(x, 2, stride=1), r"expected shape \(2, 2\)"),
]

# --- diagonal-edge kernel ---------------------------------------------------------------------

DIAGONAL = np.array([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]])


def kernel_check(kernel, *, verbose=True):
    """The kernel check in the (function, verbose) shape the catalogue expects."""
    return checks.check_diagonal_edge_kernel(kernel(), verbose=verbose)


kernel_check.__name__ = "check_diagonal_edge_kernel"
KERNEL = [
    Wrong(kernel_check, "all zeros", lambda: np.zeros((3, 3)), r"does not respond to it"),
    Wrong(kernel_check, "sums to 1 (emboss)", lambda: conv.KERNELS["emboss"], r"flat patch"),
    Wrong(kernel_check, "vertical edges (sobel_x)", lambda: conv.KERNELS["sobel_x"], r"other diag"),
    Wrong(kernel_check, "5x5", lambda: np.pad(DIAGONAL, 1), r"3x3 array .* shape \(5, 5\)"),
    Wrong(kernel_check, "a list of words", lambda: ["up", "down"], r"3x3 array"),
    Wrong(kernel_check, "nan", lambda: np.full((3, 3), np.nan), r"not all finite"),
    Wrong(kernel_check, "other diagonal", lambda: np.fliplr(DIAGONAL), r"does not respond"),
]

WRONG = CROSS_CORRELATION + OUTPUT_SIZE + MAX_POOL + KERNEL
REFERENCES = [
    (checks.check_cross_correlation, cross_correlate),
    (checks.check_output_size, lambda n, k, s, p: (n + 2 * p - k) // s + 1),
    (checks.check_max_pool, max_pool),
    (kernel_check, lambda: DIAGONAL),
    (kernel_check, lambda: -DIAGONAL),
    (kernel_check, lambda: np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]])),
]


test_the_check_rejects_a_plausible_bug, test_the_references_pass = catalogue_tests(
    WRONG, REFERENCES
)


def test_the_kernel_check_reports_a_function_instead_of_a_kernel(capsys):
    result = checks.check_diagonal_edge_kernel(print)
    assert not result and "3x3 array" in result.failures[0]
    assert "Hint (1 of 2)" in capsys.readouterr().out
