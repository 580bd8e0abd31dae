"""Output sizes, padding amounts and receptive fields against Keras and by hand."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lessons import conv

from .strategies import FAST, PADDINGS, _fits, _options, conv_cases


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


def test_same_padding_puts_the_extra_pixel_after():
    assert conv.padding_amounts(28, 4, padding="same") == (1, 2)
    assert conv.padding_amounts(28, 3, padding="same") == (1, 1)
    assert conv.padding_amounts(5, 2, stride=2, padding="same") == (0, 1)
    assert conv.padding_amounts(28, 3, padding="valid") == (0, 0)
    assert conv.padding_amounts(28, 3, padding=2) == (2, 2)
    # Dilation 2 makes a 3-tap kernel span 5 pixels.
    assert conv.padding_amounts(10, 3, padding="same", dilation=2) == (2, 2)


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
