"""conv2d, conv2d_naive and convolve2d against tf.nn.conv2d, Keras and SciPy, and their checks."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.signal
from hypothesis import assume, given
from hypothesis import strategies as st

from cnn_lessons import conv

from .strategies import FAST, KERAS, _keras_conv, _options, _tf_conv, conv_cases


@FAST
@given(conv_cases(keras_legal=False))
def test_conv2d_matches_tf_nn_conv2d(case):
    """float64 to 1e-10 and float32 to 1e-5, including stride combined with dilation."""
    assume(case["fits"])
    expected = _tf_conv(case, np.float64)
    for function in (conv.conv2d, conv.conv2d_naive):
        result = function(case["image"], case["kernel"], **_options(case))
        assert result.dtype == np.float64
        assert result.shape == expected.shape
        np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-10)

    expected_32 = _tf_conv(case, np.float32)
    image_32, kernel_32 = case["image"].astype(np.float32), case["kernel"].astype(np.float32)
    for function in (conv.conv2d, conv.conv2d_naive):
        result = function(image_32, kernel_32, **_options(case))
        assert result.dtype == np.float32
        np.testing.assert_allclose(result, expected_32, rtol=1e-5, atol=1e-5)


@KERAS
@given(conv_cases(keras_legal=True))
def test_conv2d_matches_keras_conv2d_layer(case):
    assume(case["fits"])
    expected = _keras_conv(case)
    image_32, kernel_32 = case["image"].astype(np.float32), case["kernel"].astype(np.float32)
    for function in (conv.conv2d, conv.conv2d_naive):
        result = function(image_32, kernel_32, **_options(case))
        assert result.shape == expected.shape
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)


@FAST
@given(conv_cases(keras_legal=False))
def test_conv2d_rejects_kernels_that_do_not_fit(case):
    assume(not case["fits"])
    for function in (conv.conv2d, conv.conv2d_naive):
        with pytest.raises(ValueError, match=r"kernel spans \d+ pixels .* padded input is only"):
            function(case["image"], case["kernel"], **_options(case))


def test_conv2d_small_example_by_hand():
    image = np.arange(16.0).reshape(4, 4)
    expected = np.array([[10.0, 14.0, 18.0], [26.0, 30.0, 34.0], [42.0, 46.0, 50.0]])
    np.testing.assert_array_equal(conv.conv2d(image, np.ones((2, 2))), expected)
    np.testing.assert_array_equal(conv.conv2d_naive(image, np.ones((2, 2))), expected)


@pytest.mark.parametrize(
    ("image_shape", "kernel_shape", "expected_shape"),
    [
        ((6, 5), (3, 3), (4, 3)),
        ((6, 5, 1), (3, 3), (4, 3, 1)),
        ((6, 5), (3, 3, 1), (4, 3, 1)),
        ((6, 5, 3), (3, 3, 3), (4, 3, 1)),
        ((6, 5), (3, 3, 1, 4), (4, 3, 4)),
        ((6, 5, 2), (2, 3, 2, 4), (5, 3, 4)),
    ],
)
def test_conv2d_output_layout(image_shape, kernel_shape, expected_shape):
    result = conv.conv2d(np.ones(image_shape), np.ones(kernel_shape))
    assert result.shape == expected_shape


@pytest.mark.parametrize(
    ("image_dtype", "kernel_dtype", "expected"),
    [
        (np.float32, np.float32, np.float32),
        (np.float64, np.float32, np.float64),
        (np.uint8, np.float32, np.float32),
        (np.int64, np.int64, np.float64),
        (np.float16, np.float16, np.float32),
        (np.bool_, np.float32, np.float32),
    ],
)
def test_conv2d_dtypes(image_dtype, kernel_dtype, expected):
    image = np.ones((5, 5), dtype=image_dtype)
    kernel = np.ones((3, 3), dtype=kernel_dtype)
    for function in (conv.conv2d, conv.conv2d_naive):
        result = function(image, kernel)
        assert result.dtype == expected
        np.testing.assert_array_equal(result, np.full((3, 3), 9.0))


def test_conv2d_accepts_lists_and_whole_floats():
    image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    np.testing.assert_array_equal(conv.conv2d(image, [[1, 0], [0, 1]]), [[6.0, 8.0], [12.0, 14.0]])
    np.testing.assert_array_equal(
        conv.conv2d(np.ones((7, 7)), np.ones((3, 3)), stride=2.0, padding=1.0),
        conv.conv2d(np.ones((7, 7)), np.ones((3, 3)), stride=2, padding=1),
    )


@pytest.mark.parametrize("block_bytes", [1, 1000, 5000])
def test_conv2d_row_blocks_give_the_same_result(monkeypatch, block_bytes):
    """Large images are done in blocks of output rows; force tiny blocks here."""
    rng = np.random.default_rng(2)
    image = rng.normal(size=(13, 11, 2))
    kernel = rng.normal(size=(3, 4, 2, 3))
    options = {"stride": (2, 1), "padding": "same", "dilation": 1}
    expected = conv.conv2d_naive(image, kernel, **options)
    monkeypatch.setattr(conv.convolution, "_PATCH_BLOCK_BYTES", block_bytes)
    np.testing.assert_allclose(conv.conv2d(image, kernel, **options), expected, atol=1e-12)


def test_conv2d_does_not_modify_its_inputs():
    image = np.random.default_rng(0).uniform(size=(6, 6, 2)).astype(np.float32)
    kernel = np.ones((3, 3, 2, 2), dtype=np.float32)
    image_before, kernel_before = image.copy(), kernel.copy()
    conv.conv2d(image, kernel, padding="same")
    conv.conv2d_naive(image, kernel, padding="same")
    np.testing.assert_array_equal(image, image_before)
    np.testing.assert_array_equal(kernel, kernel_before)


IMAGE = np.zeros((8, 8))


KERNEL = np.ones((3, 3))


def test_kernel_too_large_message():
    message = (
        "kernel spans 19 pixels (kernel_size 7, dilation 3) but the padded input is only 16 "
        "pixels high; use a smaller kernel or dilation, or more padding"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        conv.conv2d(np.zeros((16, 30)), np.ones((7, 7)), dilation=3)
    with pytest.raises(ValueError, match="pixels wide"):
        conv.conv2d(np.zeros((30, 4)), np.ones((3, 5)))
    with pytest.raises(ValueError, match="pixels long"):
        conv.output_size(4, 5)


@pytest.mark.parametrize(
    ("options", "error", "pattern"),
    [
        (
            {"stride": 0},
            ValueError,
            "stride must be a positive int or a pair of positive ints, got 0",
        ),
        ({"stride": -1}, ValueError, "stride must be .* got -1"),
        ({"stride": (1, 0)}, ValueError, r"stride must be .* got \(1, 0\)"),
        ({"stride": (1, 2, 3)}, ValueError, r"stride must be .* got \(1, 2, 3\)"),
        ({"stride": [[1, 2]]}, ValueError, "stride must be"),
        ({"stride": 1.5}, ValueError, "stride must be .* got 1.5"),
        ({"stride": True}, TypeError, "stride must be .* got True"),
        ({"stride": "2"}, TypeError, "stride must be .* got '2'"),
        ({"stride": None}, TypeError, "stride must be"),
        ({"dilation": 0}, ValueError, "dilation must be a positive int or a pair"),
        ({"dilation": (2, 0.5)}, ValueError, "dilation must be"),
        ({"dilation": (True, 1)}, TypeError, "dilation must be"),
        (
            {"padding": "full"},
            ValueError,
            "padding must be 'valid', 'same' or a non-negative int, got 'full'",
        ),
        ({"padding": -1}, ValueError, "padding must be .* got -1"),
        ({"padding": 1.5}, ValueError, "padding must be .* got 1.5"),
        ({"padding": False}, TypeError, "padding must be .* got False"),
        ({"padding": None}, TypeError, "padding must be"),
        ({"padding": (1, 1)}, TypeError, "padding must be"),
    ],
)
def test_conv2d_rejects_bad_options(options, error, pattern):
    for function in (conv.conv2d, conv.conv2d_naive, conv.convolve2d):
        with pytest.raises(error, match=pattern):
            function(IMAGE, KERNEL, **options)


@pytest.mark.parametrize(
    ("image", "kernel", "error", "pattern"),
    [
        (np.zeros((8, 8, 3)), np.ones((3, 3, 2)), ValueError, "kernel has 2 input channels"),
        (np.zeros((8, 8, 3)), np.ones((3, 3, 1, 4)), ValueError, "kernel has 1 input channels"),
        (np.zeros((8, 8)), np.ones((3, 3, 2, 4)), ValueError, "kernel has 2 input channels"),
        (np.zeros((8, 8, 3)), np.ones((3, 3)), ValueError, "a 2-D kernel .* needs a 2-D image"),
        (np.zeros((1, 8, 8, 3)), np.ones((3, 3, 3)), ValueError, "image must have shape"),
        (np.zeros(8), np.ones((3, 3)), ValueError, "image must have shape"),
        (np.zeros((8, 8)), np.ones(3), ValueError, "kernel must have shape"),
        (np.zeros((8, 8)), np.ones((3, 3, 1, 1, 1)), ValueError, "kernel must have shape"),
        (np.zeros((0, 8)), np.ones((3, 3)), ValueError, "image must not be empty"),
        (np.zeros((8, 8)), np.ones((0, 3)), ValueError, "kernel must not be empty"),
        (np.zeros((8, 8), dtype=complex), np.ones((3, 3)), TypeError, "image must contain real"),
        (np.full((8, 8), "a"), np.ones((3, 3)), TypeError, "image must contain real"),
        (np.zeros((8, 8)), np.full((3, 3), None), TypeError, "kernel must contain real"),
    ],
)
def test_conv2d_rejects_bad_arrays(image, kernel, error, pattern):
    for function in (conv.conv2d, conv.conv2d_naive):
        with pytest.raises(error, match=pattern):
            function(image, kernel)


def test_two_dimensional_kernel_error_explains_per_channel_filtering():
    with pytest.raises(ValueError, match=r"shape \(3, 3, 3\) to sum over the channels"):
        conv.conv2d(np.zeros((8, 8, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="filter each channel separately"):
        conv.conv2d(np.zeros((8, 8, 3)), np.ones((3, 3)))


def test_flip_kernel():
    kernel = np.arange(12.0).reshape(3, 4)
    flipped = conv.flip_kernel(kernel)
    np.testing.assert_array_equal(flipped, np.rot90(kernel, 2))
    assert flipped.flags.writeable
    flipped_sobel = conv.flip_kernel(conv.KERNELS["sobel_x"])
    np.testing.assert_array_equal(flipped_sobel, -conv.KERNELS["sobel_x"])
    kernel_4d = np.arange(2 * 3 * 2 * 2.0).reshape(2, 3, 2, 2)
    np.testing.assert_array_equal(conv.flip_kernel(kernel_4d), kernel_4d[::-1, ::-1])
    np.testing.assert_array_equal(conv.flip_kernel(conv.flip_kernel(kernel_4d)), kernel_4d)
    with pytest.raises(ValueError, match="kernel must have 2, 3 or 4 axes"):
        conv.flip_kernel(np.ones(3))


@FAST
@given(
    height=st.integers(1, 10),
    width=st.integers(1, 10),
    kernel_height=st.integers(1, 5),
    kernel_width=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_convolve2d_matches_scipy(height, width, kernel_height, kernel_width, seed):
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(height, width))
    kernel = rng.normal(size=(kernel_height, kernel_width))
    if kernel_height <= height and kernel_width <= width:
        expected = scipy.signal.convolve2d(image, kernel, mode="valid")
        np.testing.assert_allclose(conv.convolve2d(image, kernel), expected, atol=1e-12)
    if kernel_height % 2 and kernel_width % 2:
        expected = scipy.signal.convolve2d(image, kernel, mode="same")
        result = conv.convolve2d(image, kernel, padding="same")
        np.testing.assert_allclose(result, expected, atol=1e-12)
    if kernel_height == kernel_width:
        expected = scipy.signal.convolve2d(image, kernel, mode="full")
        result = conv.convolve2d(image, kernel, padding=kernel_height - 1)
        np.testing.assert_allclose(result, expected, atol=1e-12)
