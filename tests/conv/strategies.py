"""Hypothesis strategies and the TensorFlow/Keras references the conv tests compare with."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


KERAS = settings(FAST, max_examples=60)


PADDINGS = ["valid", "same", 0, 1, 2, 3]


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
