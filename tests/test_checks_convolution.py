"""Checks of the convolution, stride-and-padding and pooling lessons."""

import numpy as np
import pytest

from cnn_lessons import checks


def _cross_correlate(image, kernel):
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    return np.array(
        [[np.sum(image[i : i + kh, j : j + kw] * kernel) for j in range(cols)] for i in range(rows)]
    )


def _max_pool(x):
    rows, cols = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * rows, : 2 * cols].reshape(rows, 2, cols, 2).max(axis=(1, 3))


@pytest.mark.parametrize(
    "check, right, wrong",
    [
        (
            checks.check_cross_correlation,
            _cross_correlate,
            lambda image, kernel: _cross_correlate(image, kernel[::-1, ::-1]),
        ),
        (
            checks.check_output_size,
            lambda n, k, s, p: (n + 2 * p - k) // s + 1,
            lambda n, k, s, p: round((n + 2 * p - k) / s) + 1,
        ),
        (checks.check_max_pool, _max_pool, lambda x: np.maximum(_max_pool(x), 0)),
    ],
)
def test_checks_pass_right_and_fail_wrong_answers(check, right, wrong, capsys):
    assert check(right)
    assert "✔" in capsys.readouterr().out
    assert not check(wrong)
    assert not check(lambda *args: None, verbose=False)
    output = capsys.readouterr().out
    assert "✘" in output and "Hint" in output
