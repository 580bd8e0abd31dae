"""Tests for cnn_lessons.conv: the NumPy maths must match Keras and tf.nn exactly.

Property-based tests (hypothesis) draw random shapes, strides, dilations and paddings and compare
``conv2d``/``conv2d_naive``/``pool2d``/``output_size`` with the real layers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import keras
import numpy as np
import pytest
import scipy.signal
import tensorflow as tf
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cnn_lessons import conv

FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
KERAS = settings(FAST, max_examples=60)

PADDINGS = ["valid", "same", 0, 1, 2, 3]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _fits(size: int, kernel_size: int, dilation: int, padding: str | int) -> bool:
    """Whether a dilated kernel fits in the padded axis ("same" always fits)."""
    if padding == "same":
        return True
    pixels = 0 if padding == "valid" else padding
    return dilation * (kernel_size - 1) + 1 <= size + 2 * pixels


def _maybe_int(draw, pair: tuple[int, int]) -> int | tuple[int, int]:
    """Pass an equal pair as a plain int half of the time, to test both spellings."""
    if pair[0] == pair[1] and draw(st.booleans()):
        return pair[0]
    return pair


@st.composite
def conv_cases(draw, *, keras_legal: bool, paddings: Sequence[str | int] = PADDINGS) -> dict:
    """A random legal-shaped conv2d call: arrays, options and the 4-D versions for TF."""
    image_rank = draw(st.sampled_from([2, 3]))
    kernel_rank = draw(st.sampled_from([2, 3, 4]))
    in_channels = draw(st.integers(1, 3)) if image_rank == 3 and kernel_rank > 2 else 1
    out_channels = draw(st.integers(1, 3)) if kernel_rank == 4 else 1
    height, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    kernel_height, kernel_width = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if keras_legal and max(stride) > 1 and max(dilation) > 1:
        # Keras refuses strides > 1 together with dilation_rate > 1 (on any axis).
        if draw(st.booleans()):
            stride = (1, 1)
        else:
            dilation = (1, 1)
    padding = draw(st.sampled_from(paddings))
    seed = draw(st.integers(0, 2**32 - 1))

    rng = np.random.default_rng(seed)
    image_shape = (height, width) if image_rank == 2 else (height, width, in_channels)
    kernel_shape = (kernel_height, kernel_width, in_channels, out_channels)[:kernel_rank]
    image = rng.uniform(0, 1, image_shape)
    kernel = rng.uniform(-1, 1, kernel_shape)
    return {
        "image": image,
        "kernel": kernel,
        "stride": _maybe_int(draw, stride),
        "padding": padding,
        "dilation": _maybe_int(draw, dilation),
        "stride_pair": stride,
        "dilation_pair": dilation,
        "fits": _fits(height, kernel_height, dilation[0], padding)
        and _fits(width, kernel_width, dilation[1], padding),
        "keep_channels": image_rank == 3 or kernel_rank > 2,
        "image_4d": image.reshape(1, height, width, in_channels),
        "kernel_4d": kernel.reshape(kernel_height, kernel_width, in_channels, out_channels),
    }


def _options(case: dict) -> dict:
    return {key: case[key] for key in ("stride", "padding", "dilation")}


def _tf_input_and_padding(case: dict, dtype: type) -> tuple[np.ndarray, str]:
    """The 4-D input for TF (explicitly zero-padded for int padding) and TF's padding name."""
    image = case["image_4d"].astype(dtype)
    if isinstance(case["padding"], int):
        pixels = case["padding"]
        return np.pad(image, ((0, 0), (pixels, pixels), (pixels, pixels), (0, 0))), "VALID"
    return image, case["padding"].upper()


def _expected_layout(result_4d: np.ndarray, case: dict) -> np.ndarray:
    """Drop the batch axis, and the channel axis when neither input had one."""
    result = np.asarray(result_4d)[0]
    return result if case["keep_channels"] else result[:, :, 0]


def _tf_conv(case: dict, dtype: type) -> np.ndarray:
    image, padding = _tf_input_and_padding(case, dtype)
    result = tf.nn.conv2d(
        image,
        case["kernel_4d"].astype(dtype),
        strides=[1, *case["stride_pair"], 1],
        padding=padding,
        dilations=[1, *case["dilation_pair"], 1],
    )
    return _expected_layout(result.numpy(), case)


def _keras_conv(case: dict) -> np.ndarray:
    image, padding = _tf_input_and_padding(case, np.float32)
    kernel = case["kernel_4d"].astype(np.float32)
    layer = keras.layers.Conv2D(
        kernel.shape[3],
        kernel.shape[:2],
        strides=case["stride_pair"],
        padding=padding.lower(),
        dilation_rate=case["dilation_pair"],
        use_bias=False,
    )
    layer(keras.Input(shape=image.shape[1:]))
    layer.set_weights([kernel])
    return _expected_layout(keras.ops.convert_to_numpy(layer(image)), case)


# ---------------------------------------------------------------------------------------------
# conv2d and conv2d_naive against TensorFlow and Keras
# ---------------------------------------------------------------------------------------------


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


@FAST
@given(conv_cases(keras_legal=False, paddings=["same"]))
def test_same_padding_equals_explicit_padding_amounts(case):
    """'same' is valid convolution of the image padded by padding_amounts (asymmetric split)."""
    kernel_4d = case["kernel_4d"]
    pads = [
        conv.padding_amounts(
            case["image"].shape[axis],
            kernel_4d.shape[axis],
            stride=case["stride_pair"][axis],
            padding="same",
            dilation=case["dilation_pair"][axis],
        )
        for axis in (0, 1)
    ]
    padded = np.pad(case["image"], pads + [(0, 0)] * (case["image"].ndim - 2))
    options = {**_options(case), "padding": "valid"}
    expected = conv.conv2d(padded, case["kernel"], **options)
    result = conv.conv2d(case["image"], case["kernel"], **_options(case))
    np.testing.assert_array_equal(result, expected)
    assert result.shape[:2] == tuple(
        math.ceil(size / step)
        for size, step in zip(case["image"].shape[:2], case["stride_pair"], strict=True)
    )


def test_conv2d_small_example_by_hand():
    image = np.arange(16.0).reshape(4, 4)
    expected = np.array([[10.0, 14.0, 18.0], [26.0, 30.0, 34.0], [42.0, 46.0, 50.0]])
    np.testing.assert_array_equal(conv.conv2d(image, np.ones((2, 2))), expected)
    np.testing.assert_array_equal(conv.conv2d_naive(image, np.ones((2, 2))), expected)


def test_same_padding_puts_the_extra_pixel_after():
    assert conv.padding_amounts(28, 4, padding="same") == (1, 2)
    assert conv.padding_amounts(28, 3, padding="same") == (1, 1)
    assert conv.padding_amounts(5, 2, stride=2, padding="same") == (0, 1)
    assert conv.padding_amounts(28, 3, padding="valid") == (0, 0)
    assert conv.padding_amounts(28, 3, padding=2) == (2, 2)
    # Dilation 2 makes a 3-tap kernel span 5 pixels.
    assert conv.padding_amounts(10, 3, padding="same", dilation=2) == (2, 2)


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
    monkeypatch.setattr(conv, "_PATCH_BLOCK_BYTES", block_bytes)
    np.testing.assert_allclose(conv.conv2d(image, kernel, **options), expected, atol=1e-12)


def test_conv2d_does_not_modify_its_inputs():
    image = np.random.default_rng(0).uniform(size=(6, 6, 2)).astype(np.float32)
    kernel = np.ones((3, 3, 2, 2), dtype=np.float32)
    image_before, kernel_before = image.copy(), kernel.copy()
    conv.conv2d(image, kernel, padding="same")
    conv.conv2d_naive(image, kernel, padding="same")
    np.testing.assert_array_equal(image, image_before)
    np.testing.assert_array_equal(kernel, kernel_before)


# ---------------------------------------------------------------------------------------------
# Argument validation
# ---------------------------------------------------------------------------------------------

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


@pytest.mark.parametrize(
    ("arguments", "options", "error", "pattern"),
    [
        ((0, 3), {}, ValueError, "input_size must be a positive int, got 0"),
        ((28, 0), {}, ValueError, "kernel_size must be a positive int, got 0"),
        ((28, 3), {"stride": 0}, ValueError, "stride must be a positive int, got 0"),
        ((28, 3), {"dilation": 0}, ValueError, "dilation must be a positive int, got 0"),
        ((28, 3), {"stride": True}, TypeError, "stride must be a positive int, got True"),
        ((28.5, 3), {}, ValueError, "input_size must be a positive int, got 28.5"),
        ((28, 3), {"padding": "full"}, ValueError, "padding must be 'valid', 'same' or"),
        ((28, 3), {"padding": -2}, ValueError, "padding must be .* got -2"),
        ((28, "3"), {}, TypeError, "kernel_size must be a positive int, got '3'"),
    ],
)
def test_size_functions_reject_bad_arguments(arguments, options, error, pattern):
    with pytest.raises(error, match=pattern):
        conv.output_size(*arguments, **options)
    with pytest.raises(error, match=pattern):
        conv.padding_amounts(*arguments, **options)


def test_transposed_output_size_rejects_bad_arguments():
    with pytest.raises(ValueError, match="output_padding must be smaller than stride"):
        conv.transposed_output_size(7, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding must be a non-negative int, got -1"):
        conv.transposed_output_size(7, 3, stride=2, output_padding=-1)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same', got 'full'"):
        conv.transposed_output_size(7, 3, padding="full")
    with pytest.raises(TypeError, match="padding must be 'valid' or 'same', got 1"):
        conv.transposed_output_size(7, 3, padding=1)


# ---------------------------------------------------------------------------------------------
# Output sizes against Keras
# ---------------------------------------------------------------------------------------------


@settings(FAST, max_examples=200)
@given(
    size=st.integers(1, 64),
    kernel_size=st.integers(1, 7),
    stride=st.integers(1, 4),
    padding=st.sampled_from(PADDINGS),
    channels=st.integers(1, 3),
    data=st.data(),
)
def test_output_size_matches_keras(size, kernel_size, stride, padding, channels, data):
    # Keras refuses strides > 1 together with dilation_rate > 1.
    dilation = data.draw(st.integers(1, 3) if stride == 1 else st.just(1), label="dilation")
    keras_padding = padding if isinstance(padding, str) else "valid"
    keras_size = size if isinstance(padding, str) else size + 2 * padding
    layer = keras.layers.Conv2D(
        4, kernel_size, strides=stride, padding=keras_padding, dilation_rate=dilation
    )
    options = {"stride": stride, "padding": padding, "dilation": dilation}
    if not _fits(size, kernel_size, dilation, padding):
        with pytest.raises(ValueError):
            layer.compute_output_shape((1, keras_size, keras_size, channels))
        with pytest.raises(ValueError, match="kernel spans"):
            conv.output_size(size, kernel_size, **options)
        return
    expected = layer.compute_output_shape((1, keras_size, keras_size, channels))[1]
    assert conv.output_size(size, kernel_size, **options) == expected
    if padding == "same":
        assert expected == math.ceil(size / stride)
    # The full convolution agrees with the size formula too.
    image = np.zeros((size, 3))
    kernel = np.zeros((kernel_size, 1))
    result = conv.conv2d(image, kernel, stride=(stride, 1), padding=padding, dilation=(dilation, 1))
    assert result.shape[0] == expected


def test_output_size_examples():
    assert conv.output_size(28, 3) == 26
    assert conv.output_size(28, 3, padding=1) == 28
    assert conv.output_size(28, 3, padding="valid") == 26
    assert conv.output_size(28, 3, stride=2, padding="same") == 14
    assert conv.output_size(28, 2, stride=2) == 14
    assert conv.output_size(7, 3, dilation=2) == 3
    assert conv.output_size(2, 5, padding="same") == 2


@settings(FAST, max_examples=200)
@given(
    size=st.integers(1, 20),
    kernel_size=st.integers(1, 6),
    stride=st.integers(1, 4),
    padding=st.sampled_from(["valid", "same"]),
    data=st.data(),
)
def test_transposed_output_size_matches_keras(size, kernel_size, stride, padding, data):
    dilation = data.draw(st.integers(1, 3) if stride == 1 else st.just(1), label="dilation")
    output_padding = data.draw(st.none() | st.integers(0, stride - 1), label="output_padding")
    layer = keras.layers.Conv2DTranspose(
        2,
        kernel_size,
        strides=stride,
        padding=padding,
        output_padding=output_padding,
        dilation_rate=dilation,
    )
    expected = layer.compute_output_shape((1, size, size, 3))[1]
    result = conv.transposed_output_size(
        size,
        kernel_size,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    assert result == expected


def test_transposed_output_size_examples():
    assert conv.transposed_output_size(7, 3, stride=2, padding="same") == 14
    assert conv.transposed_output_size(7, 3, stride=2) == 15
    assert conv.transposed_output_size(7, 2, stride=2) == 14
    assert conv.transposed_output_size(7, 3, stride=2, padding="same", output_padding=0) == 13
    assert conv.transposed_output_size(7, 3, stride=2, padding="same", output_padding=1) == 14


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------


@st.composite
def pool_cases(draw) -> dict:
    rank = draw(st.sampled_from([2, 3]))
    height, width = draw(st.integers(1, 10)), draw(st.integers(1, 10))
    channels = draw(st.integers(1, 3))
    pool = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    # Strides below the pool size overlap the windows; above it they skip pixels.
    stride = draw(st.none() | st.tuples(st.integers(1, 4), st.integers(1, 4)))
    padding = draw(st.sampled_from(["valid", "same"]))
    seed = draw(st.integers(0, 2**32 - 1))
    shape = (height, width, channels) if rank == 3 else (height, width)
    x = np.random.default_rng(seed).normal(size=shape).astype(np.float32)
    return {
        "x": x,
        "pool": _maybe_int(draw, pool),
        "pool_pair": pool,
        "stride": None if stride is None else _maybe_int(draw, stride),
        "stride_pair": pool if stride is None else stride,
        "padding": padding,
    }


def _keras_pool(case: dict, mode: str) -> np.ndarray:
    x = case["x"]
    x_4d = x.reshape(1, x.shape[0], x.shape[1], -1)
    options = {"pool_size": case["pool_pair"], "strides": case["stride_pair"]}
    options["padding"] = case["padding"]
    if mode == "avg":
        result = keras.layers.AveragePooling2D(**options)(x_4d)
    elif mode == "max":
        result = keras.layers.MaxPooling2D(**options)(x_4d)
    else:
        result = -keras.layers.MaxPooling2D(**options)(-x_4d)
    result = keras.ops.convert_to_numpy(result)[0]
    return result if x.ndim == 3 else result[:, :, 0]


@settings(KERAS, max_examples=100)
@given(pool_cases(), st.sampled_from(["max", "avg", "min"]))
def test_pool2d_matches_keras(case, mode):
    x = case["x"]
    fits = all(p <= n for p, n in zip(case["pool_pair"], x.shape[:2], strict=True))
    options = {"stride": case["stride"], "padding": case["padding"], "mode": mode}
    if case["padding"] == "valid" and not fits:
        with pytest.raises(ValueError, match="pool_size .* does not fit"):
            conv.pool2d(x, case["pool"], **options)
        return
    expected = _keras_pool(case, mode)
    result = conv.pool2d(x, case["pool"], **options)
    assert result.shape == expected.shape
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)


def test_pool2d_examples():
    x = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(conv.pool2d(x, 2), [[5.0, 7.0], [13.0, 15.0]])
    np.testing.assert_array_equal(conv.pool2d(x, 2, mode="min"), [[0.0, 2.0], [8.0, 10.0]])
    np.testing.assert_array_equal(conv.pool2d(x, 2, mode="avg"), [[2.5, 4.5], [10.5, 12.5]])
    # "same" ignores the padding: the last window of a 3x3 map holds one real pixel.
    y = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(conv.pool2d(y, 2, padding="same", mode="avg")[1, 1], 8.0)
    np.testing.assert_array_equal(conv.pool2d(-y - 1, 2, padding="same")[1, 1], -9.0)


def test_pool2d_rejects_bad_arguments():
    x = np.zeros((4, 4))
    with pytest.raises(ValueError, match="mode must be one of 'max', 'avg', 'min', got 'sum'"):
        conv.pool2d(x, 2, mode="sum")
    with pytest.raises(ValueError, match="pool_size must be a positive int or a pair"):
        conv.pool2d(x, 0)
    with pytest.raises(ValueError, match="stride must be a positive int or a pair"):
        conv.pool2d(x, 2, stride=(2, 0))
    with pytest.raises(TypeError, match="pool_size must be .* got True"):
        conv.pool2d(x, True)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same', got 'full'"):
        conv.pool2d(x, 2, padding="full")
    with pytest.raises(TypeError, match="padding must be 'valid' or 'same', got 1"):
        conv.pool2d(x, 2, padding=1)
    with pytest.raises(ValueError, match=r"pool_size \(5, 5\) does not fit.* 4 pixels high"):
        conv.pool2d(x, 5)
    with pytest.raises(ValueError, match="x must have shape"):
        conv.pool2d(np.zeros((1, 4, 4, 1)), 2)


def test_global_average_pool_matches_keras():
    x = np.random.default_rng(1).normal(size=(5, 7, 3)).astype(np.float32)
    expected = keras.ops.convert_to_numpy(keras.layers.GlobalAveragePooling2D()(x[np.newaxis]))
    result = conv.global_average_pool(x)
    assert result.shape == (3,)
    np.testing.assert_allclose(result, expected[0], rtol=1e-6)
    assert np.ndim(conv.global_average_pool(x[:, :, 0])) == 0
    np.testing.assert_allclose(conv.global_average_pool(x[:, :, 0]), x[:, :, 0].mean())
    with pytest.raises(ValueError, match="x must have shape"):
        conv.global_average_pool(np.zeros(4))


# ---------------------------------------------------------------------------------------------
# Kernels, flipping and true convolution
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Receptive field
# ---------------------------------------------------------------------------------------------


def test_receptive_field_hand_computed():
    rows = conv.receptive_field([(3, 1), (3, 1), (3, 1)])
    assert [row["receptive_field"] for row in rows] == [3, 5, 7]
    assert [row["jump"] for row in rows] == [1, 1, 1]
    assert rows[0] == {
        "layer": 1,
        "kernel_size": 3,
        "stride": 1,
        "dilation": 1,
        "jump": 1,
        "receptive_field": 3,
    }
    last = conv.receptive_field([(3, 1), (2, 2), (3, 1)])[-1]
    assert (last["receptive_field"], last["jump"]) == (8, 2)
    assert conv.receptive_field([(3, 1, 2)])[-1]["receptive_field"] == 5
    # Dilations 1, 2, 4 grow the field exponentially (WaveNet style): 3, 7, 15.
    rows = conv.receptive_field(iter([(3, 1, 1), (3, 1, 2), (3, 1, 4)]))
    assert [row["receptive_field"] for row in rows] == [3, 7, 15]


def test_receptive_field_rejects_bad_layers():
    with pytest.raises(ValueError, match="layers must contain at least one"):
        conv.receptive_field([])
    with pytest.raises(ValueError, match=r"got \(3,\) for layer 1"):
        conv.receptive_field([(3,)])
    with pytest.raises(ValueError, match="stride of layer 2 must be a positive int, got 0"):
        conv.receptive_field([(3, 1), (3, 0)])
    with pytest.raises(TypeError, match="each layer must be a"):
        conv.receptive_field([3, 1])


@settings(FAST, max_examples=40)
@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 2)), min_size=1, max_size=3
    )
)
def test_receptive_field_matches_impulse_responses(layers):
    """Feed one impulse per input pixel through a 1-D stack of all-ones kernels."""
    last = conv.receptive_field(layers)[-1]
    size = 2  # input pixels the stack needs for two outputs, worked out backwards
    for kernel_size, stride, dilation in reversed(layers):
        size = (size - 1) * stride + dilation * (kernel_size - 1) + 1

    def stack(signal: np.ndarray) -> np.ndarray:
        for kernel_size, stride, dilation in layers:
            signal = conv.conv2d(
                signal, np.ones((kernel_size, 1)), stride=(stride, 1), dilation=(dilation, 1)
            )
        return signal[:, 0]

    responses = np.stack([stack(np.eye(size)[:, [pixel]]) for pixel in range(size)])
    assert responses.shape[1] >= 2
    for output in (0, 1):
        seen = np.flatnonzero(responses[:, output])
        assert seen[-1] - seen[0] + 1 == last["receptive_field"]
        assert seen[0] == output * last["jump"]
