"""pool2d and global_average_pool against Keras pooling layers."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lessons import conv

from .strategies import KERAS, _maybe_int


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
