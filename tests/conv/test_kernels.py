"""The named kernels: read-only, documented, and doing what their names say."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_lessons import conv


def test_kernels_are_documented_read_only_3x3_floats():
    assert {"identity", "box_blur", "gaussian", "sharpen", "outline", "emboss"} <= set(conv.KERNELS)
    assert {"sobel_x", "sobel_y", "laplacian"} <= set(conv.KERNELS)
    assert set(conv.KERNEL_DESCRIPTIONS) == set(conv.KERNELS)
    for name, kernel in conv.KERNELS.items():
        assert kernel.shape == (3, 3), name
        assert kernel.dtype == np.float64, name
        assert not kernel.flags.writeable, name
        assert conv.KERNEL_DESCRIPTIONS[name].endswith("."), name
        with pytest.raises(ValueError, match="read-only"):
            kernel[0, 0] = 1.0


def test_kernel_sums():
    kernels = conv.KERNELS
    for name in ("identity", "box_blur", "gaussian", "sharpen", "emboss"):
        assert kernels[name].sum() == pytest.approx(1.0), name
    for name in ("outline", "laplacian", "sobel_x", "sobel_y", "prewitt_x", "prewitt_y"):
        assert kernels[name].sum() == pytest.approx(0.0), name
    assert kernels["box_blur"][0, 0] == pytest.approx(1 / 9)
    assert kernels["gaussian"][1, 1] == pytest.approx(4 / 16)
    assert kernels["outline"][1, 1] == 8.0
    np.testing.assert_array_equal(kernels["sobel_y"], kernels["sobel_x"].T)


def test_kernels_do_what_their_names_say():
    ramp = np.tile(np.arange(6.0), (6, 1))  # brighter to the right
    np.testing.assert_array_equal(conv.conv2d(ramp, conv.KERNELS["sobel_x"]), np.full((4, 4), 8.0))
    np.testing.assert_array_equal(conv.conv2d(ramp, conv.KERNELS["sobel_y"]), np.zeros((4, 4)))
    np.testing.assert_array_equal(conv.conv2d(ramp, conv.KERNELS["laplacian"]), np.zeros((4, 4)))
    np.testing.assert_array_equal(conv.conv2d(ramp, conv.KERNELS["identity"]), ramp[1:-1, 1:-1])
    np.testing.assert_allclose(conv.conv2d(ramp, conv.KERNELS["box_blur"]), ramp[1:-1, 1:-1])
