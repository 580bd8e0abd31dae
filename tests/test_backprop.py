"""Tests for cnn_lessons.backprop: every backward pass must equal tf.GradientTape's gradient.

Property-based tests (hypothesis) draw random shapes, batches, channel counts, strides,
dilations and paddings, differentiate ``sum(output * upstream)`` with TensorFlow, and compare
with the NumPy backward pass; small cases are also checked against finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cnn_lessons import backprop, conv

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
PADDINGS = ["valid", "same", 0, 1, 2]


def _tape(function, *arrays):
    """Gradients of ``function(*tensors)`` (a scalar) with respect to every array."""
    tensors = [tf.constant(array) for array in arrays]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        value = function(*tensors)
    return [gradient.numpy() for gradient in tape.gradient(value, tensors)]


# ---------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------


@st.composite
def conv_cases(draw) -> dict:
    """A random conv2d call: image rank 2, 3 or 4 (a batch), any legal kernel rank."""
    image_rank = draw(st.sampled_from([2, 3, 4]))
    kernel_rank = draw(st.sampled_from([2, 3, 4] if image_rank < 4 else [3, 4]))
    in_channels = draw(st.integers(1, 3)) if image_rank > 2 and kernel_rank > 2 else 1
    out_channels = draw(st.integers(1, 3)) if kernel_rank == 4 else 1
    batch = draw(st.integers(1, 3))
    height, width = draw(st.integers(1, 10)), draw(st.integers(1, 10))
    kernel_size = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.sampled_from(PADDINGS))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    image_shape = {2: (height, width), 3: (height, width, in_channels)}.get(
        image_rank, (batch, height, width, in_channels)
    )
    kernel_shape = (*kernel_size, in_channels, out_channels)[:kernel_rank]
    return {
        "image": rng.normal(size=image_shape),
        "kernel": rng.normal(size=kernel_shape),
        "options": {"stride": stride, "padding": padding, "dilation": dilation},
        "rng": rng,
    }


def _conv_forward(case: dict) -> np.ndarray:
    """conv.conv2d of the case, image by image for a batch."""
    image, kernel, options = case["image"], case["kernel"], case["options"]
    if image.ndim == 4:
        return np.stack([conv.conv2d(one, kernel, **options) for one in image])
    return conv.conv2d(image, kernel, **options)


def _tf_conv(image, kernel, options, image_shape, kernel_shape):
    """TensorFlow's convolution with the same meaning, for the tape.

    Padding is explicit (``padding_amounts``); without dilation ``tf.nn.conv2d`` strides
    itself, with dilation a stride-1 ``tf.nn.convolution`` is subsampled (TensorFlow's CPU
    kernels have no gradient for a strided dilated convolution).
    """
    four_d = {2: (1, *image_shape, 1), 3: (1, *image_shape)}.get(len(image_shape), image_shape)
    x = tf.reshape(image, four_d)
    k = tf.reshape(kernel, tuple(kernel_shape) + (1,) * (4 - len(kernel_shape)))
    height, width = four_d[1:3]
    stride, dilation, padding = options["stride"], options["dilation"], options["padding"]
    pads = [
        conv.padding_amounts(
            size, k.shape[axis], stride=stride[axis], padding=padding, dilation=dilation[axis]
        )
        for axis, size in enumerate((height, width))
    ]
    x = tf.pad(x, [[0, 0], list(pads[0]), list(pads[1]), [0, 0]])
    if dilation == (1, 1):
        return tf.nn.conv2d(x, k, strides=[1, *stride, 1], padding="VALID")
    full = tf.nn.convolution(x, k, padding="VALID", dilations=list(dilation))
    return full[:, :: stride[0], :: stride[1]]


@PROPERTY
@given(conv_cases())
def test_conv2d_backward_matches_gradient_tape(case):
    """Both gradients, float64 to 1e-10, for every stride, padding, dilation and channel count."""
    try:
        output = _conv_forward(case)
    except ValueError:
        assume(False)  # the kernel does not fit
    upstream = case["rng"].normal(size=output.shape)
    image, kernel = case["image"], case["kernel"]
    expected_image, expected_kernel = _tape(
        lambda x, k: tf.reduce_sum(
            tf.reshape(_tf_conv(x, k, case["options"], image.shape, kernel.shape), output.shape)
            * upstream
        ),
        image,
        kernel,
    )
    grad_image, grad_kernel = backprop.conv2d_backward(upstream, image, kernel, **case["options"])
    assert grad_image.shape == image.shape and grad_kernel.shape == kernel.shape
    assert grad_image.dtype == grad_kernel.dtype == np.float64
    np.testing.assert_allclose(grad_image, expected_image, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad_kernel, expected_kernel, rtol=1e-10, atol=1e-10)


def test_conv2d_backward_float32_matches_keras_layer_to_1e5():
    import keras

    rng = np.random.default_rng(1)
    images = rng.normal(size=(4, 9, 8, 2)).astype(np.float32)
    layer = keras.layers.Conv2D(3, (3, 2), strides=2, padding="same", use_bias=False)
    layer.build(images.shape)
    kernel = layer.kernel.numpy()
    upstream = rng.normal(size=(4, 5, 4, 3)).astype(np.float32)
    inputs = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        value = tf.reduce_sum(layer(inputs) * upstream)
    expected_image, expected_kernel = (
        gradient.numpy() for gradient in tape.gradient(value, [inputs, layer.kernel])
    )
    grad_image, grad_kernel = backprop.conv2d_backward(
        upstream, images, kernel, stride=2, padding="same"
    )
    assert grad_image.dtype == grad_kernel.dtype == np.float32
    np.testing.assert_allclose(grad_image, expected_image, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad_kernel, expected_kernel, rtol=1e-5, atol=1e-5)


def test_conv2d_backward_equals_full_convolution_with_the_flipped_kernel():
    """The lesson's claims, for one channel and stride 1: the two gradients as correlations."""
    rng = np.random.default_rng(2)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 2))
    upstream = rng.normal(size=(5, 5))
    grad_image, grad_kernel = backprop.conv2d_backward(upstream, image, kernel)
    np.testing.assert_allclose(grad_kernel, conv.conv2d(image, upstream), atol=1e-12)
    full = conv.conv2d(np.pad(upstream, ((2, 2), (1, 1))), conv.flip_kernel(kernel))
    np.testing.assert_allclose(grad_image, full, atol=1e-12)


def test_conv2d_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    image, kernel = rng.normal(size=(2, 7, 7, 2)), rng.normal(size=(3, 3, 2, 2))
    options = {"stride": 2, "padding": 1, "dilation": 1}
    upstream = rng.normal(size=(2, 4, 4, 2))

    def loss(x, k):
        return np.sum(np.stack([conv.conv2d(one, k, **options) for one in x]) * upstream)

    grad_image, grad_kernel = backprop.conv2d_backward(upstream, image, kernel, **options)
    numeric_image = backprop.numerical_gradient(lambda x: loss(x, kernel), image)
    numeric_kernel = backprop.numerical_gradient(lambda k: loss(image, k), kernel)
    assert backprop.relative_error(grad_image, numeric_image) < 1e-6
    assert backprop.relative_error(grad_kernel, numeric_kernel) < 1e-6


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"stride": 0},
            ValueError,
            "stride must be a positive int or a pair of positive ints, got 0",
        ),
        ({"padding": "full"}, ValueError, "padding must be 'valid', 'same' or a non-negative int"),
        ({"dilation": True}, TypeError, "dilation must be"),
        (
            {"upstream": np.ones((3, 3))},
            ValueError,
            r"upstream must have the shape of conv2d's "
            r"output for these arguments, \(4, 4\), got \(3, 3\)",
        ),
        ({"image": np.ones((2, 2, 2, 2, 1))}, ValueError, "image must have shape"),
        ({"kernel": np.ones((7, 7))}, ValueError, "kernel spans 7 pixels"),
        ({"image": np.array([["a"]])}, TypeError, "image must contain real numbers"),
    ],
)
def test_conv2d_backward_rejects_bad_arguments(arguments, error, message):
    call = {"upstream": np.ones((4, 4)), "image": np.ones((6, 6)), "kernel": np.ones((3, 3))}
    call.update(arguments)
    with pytest.raises(error, match=message):
        backprop.conv2d_backward(
            call.pop("upstream"), call.pop("image"), call.pop("kernel"), **call
        )


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------


@st.composite
def pool_cases(draw) -> dict:
    rank = draw(st.sampled_from([2, 3, 4]))
    height, width = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    channels, batch = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shape = {2: (height, width), 3: (height, width, channels)}.get(
        rank, (batch, height, width, channels)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pool = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 4), st.integers(1, 4))))
    return {
        "x": rng.normal(size=shape),
        "pool_size": pool,
        "options": {
            "stride": stride,
            "padding": draw(st.sampled_from(["valid", "same"])),
            "mode": draw(st.sampled_from(["max", "avg", "min"])),
        },
        "rng": rng,
    }


def _tf_pool(x, pool_size, options, shape):
    strides = pool_size if options["stride"] is None else options["stride"]
    four_d = tf.reshape(x, shape if len(shape) == 4 else (1, *shape[:2], -1))
    arguments = {"ksize": pool_size, "strides": strides, "padding": options["padding"].upper()}
    if options["mode"] == "max":
        return tf.nn.max_pool2d(four_d, **arguments)
    if options["mode"] == "min":
        return -tf.nn.max_pool2d(-four_d, **arguments)
    return tf.nn.avg_pool2d(four_d, **arguments)


@PROPERTY
@given(pool_cases())
def test_pool2d_backward_matches_gradient_tape(case):
    x, pool_size, options = case["x"], case["pool_size"], case["options"]
    try:
        if x.ndim == 4:
            output = np.stack([conv.pool2d(one, pool_size, **options) for one in x])
        else:
            output = conv.pool2d(x, pool_size, **options)
    except ValueError:
        assume(False)  # the window does not fit
    upstream = case["rng"].normal(size=output.shape)
    (expected,) = _tape(
        lambda t: tf.reduce_sum(
            tf.reshape(_tf_pool(t, pool_size, options, x.shape), output.shape) * upstream
        ),
        x,
    )
    result = backprop.pool2d_backward(upstream, x, pool_size, **options)
    assert result.shape == x.shape and result.dtype == np.float64
    np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-10)


def test_max_pool_backward_sends_ties_to_the_first_pixel_like_tensorflow():
    x = np.zeros((1, 4, 4, 1))
    for stride in (2, 1):
        upstream = np.ones((1, 4 // stride - (stride == 1), 4 // stride - (stride == 1), 1))
        (expected,) = _tape(
            lambda t, s=stride, u=upstream: tf.reduce_sum(tf.nn.max_pool2d(t, 2, s, "VALID") * u),
            x,
        )
        result = backprop.pool2d_backward(upstream, x, 2, stride=stride)
        np.testing.assert_array_equal(result, expected)
    assert backprop.pool2d_backward(np.ones((2, 2)), np.zeros((4, 4)), 2)[0::2, 0::2].all()


@pytest.mark.parametrize("mode", ["max", "avg", "min"])
def test_pool2d_backward_matches_finite_differences(mode):
    x = np.random.default_rng(4).permutation(50).reshape(5, 5, 2) / 7.0  # no ties
    upstream = np.random.default_rng(5).normal(size=(3, 3, 2))
    options = {"stride": 2, "padding": "same", "mode": mode}
    analytic = backprop.pool2d_backward(upstream, x, 2, **options)
    numeric = backprop.numerical_gradient(
        lambda t: np.sum(conv.pool2d(t, 2, **options) * upstream), x
    )
    assert backprop.relative_error(analytic, numeric) < 1e-6


def test_pool2d_backward_rejects_bad_arguments():
    with pytest.raises(ValueError, match="mode must be one of 'max', 'avg', 'min', got 'sum'"):
        backprop.pool2d_backward(np.ones((2, 2)), np.ones((4, 4)), 2, mode="sum")
    with pytest.raises(ValueError, match=r"upstream must have the shape of pool2d's output"):
        backprop.pool2d_backward(np.ones((3, 3)), np.ones((4, 4)), 2)
    with pytest.raises(ValueError, match="pool_size must be a positive int"):
        backprop.pool2d_backward(np.ones((2, 2)), np.ones((4, 4)), 0)
    with pytest.raises(ValueError, match="x must have shape"):
        backprop.pool2d_backward(np.ones(2), np.ones(4), 2)


# ---------------------------------------------------------------------------------------------
# Dense, ReLU, softmax with cross-entropy
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_dense_relu_and_softmax_cross_entropy_match_gradient_tape(batch, inputs, units, seed):
    rng = np.random.default_rng(seed)
    x, weights, bias = (
        rng.normal(size=(batch, inputs)),
        rng.normal(size=(inputs, units)),
        rng.normal(size=units),
    )
    labels = rng.integers(0, units, size=batch)

    def loss(x, weights, bias):
        logits = tf.nn.relu(x) @ weights + bias
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))

    expected_x, expected_weights, expected_bias = _tape(loss, x, weights, bias)
    hidden = np.maximum(x, 0)
    value, grad_logits = backprop.softmax_cross_entropy(hidden @ weights + bias, labels)
    assert value == pytest.approx(float(loss(x, weights, bias)), rel=1e-12)
    grad_hidden, grad_weights, grad_bias = backprop.dense_backward(grad_logits, hidden, weights)
    grad_x = backprop.relu_backward(grad_hidden, x)
    for result, expected in [
        (grad_x, expected_x),
        (grad_weights, expected_weights),
        (grad_bias, expected_bias),
    ]:
        np.testing.assert_allclose(result, expected, rtol=1e-10, atol=1e-12)


def test_softmax_cross_entropy_gradient_is_p_minus_y_over_n():
    logits = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]])
    labels = np.array([0, 2])
    loss, gradient = backprop.softmax_cross_entropy(logits, labels)
    expected = (backprop.softmax(logits) - np.eye(3)[labels]) / 2
    np.testing.assert_allclose(gradient, expected)
    assert loss == pytest.approx(np.mean(-np.log(backprop.softmax(logits)[[0, 1], labels])))
    huge = backprop.softmax(np.array([[1000.0, 0.0]]))
    assert np.isfinite(huge).all() and huge[0, 0] == 1


def test_relu_backward_is_zero_at_zero_like_tensorflow():
    x = np.array([-1.0, 0.0, 2.0], dtype=np.float32)
    (expected,) = _tape(lambda t: tf.reduce_sum(tf.nn.relu(t) * 3.0), x)
    result = backprop.relu_backward(np.full(3, 3.0, dtype=np.float32), x)
    np.testing.assert_array_equal(result, expected)
    assert result.dtype == np.float32


def test_dense_relu_softmax_match_finite_differences():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, 5))
    x[np.abs(x) < 0.1] = 0.5  # keep away from the ReLU's kink
    weights, labels = rng.normal(size=(5, 3)), rng.integers(0, 3, size=4)

    def loss(x, weights):
        return backprop.softmax_cross_entropy(np.maximum(x, 0) @ weights, labels)[0]

    _, grad_logits = backprop.softmax_cross_entropy(np.maximum(x, 0) @ weights, labels)
    grad_hidden, grad_weights, _ = backprop.dense_backward(grad_logits, np.maximum(x, 0), weights)
    grad_x = backprop.relu_backward(grad_hidden, x)
    numeric_x = backprop.numerical_gradient(lambda t: loss(t, weights), x)
    numeric_weights = backprop.numerical_gradient(lambda w: loss(x, w), weights)
    assert backprop.relative_error(grad_x, numeric_x) < 1e-6
    assert backprop.relative_error(grad_weights, numeric_weights) < 1e-6


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: backprop.relu_backward(np.ones(3), np.ones(4)),
            ValueError,
            r"upstream must have the shape of x, \(4,\), got \(3,\)",
        ),
        (
            lambda: backprop.dense_backward(np.ones((2, 3)), np.ones(4), np.ones((4, 3))),
            ValueError,
            r"inputs must have shape \(N, D_in\), got shape \(4,\)",
        ),
        (
            lambda: backprop.dense_backward(np.ones((2, 3)), np.ones((2, 4)), np.ones((5, 3))),
            ValueError,
            "weights must have shape",
        ),
        (
            lambda: backprop.softmax_cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])),
            TypeError,
            "labels must be integers",
        ),
        (
            lambda: backprop.softmax_cross_entropy(np.ones((2, 3)), np.array([0, 3])),
            ValueError,
            r"labels must lie in 0 \.\. 2, got 0 \.\. 3",
        ),
        (
            lambda: backprop.numerical_gradient(lambda t: 0.0, np.ones(2), step=0),
            ValueError,
            "step must be a positive number, got 0",
        ),
        (lambda: backprop.numerical_gradient(3, np.ones(2)), TypeError, "function must be"),
        (lambda: backprop.relative_error(np.ones(2), np.ones(3)), ValueError, "same shape"),
    ],
)
def test_bad_arguments_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numerical_gradient_leaves_its_argument_alone():
    x = np.array([1.0, 2.0, 3.0])
    gradient = backprop.numerical_gradient(lambda t: float(np.sum(t**2)), x)
    np.testing.assert_allclose(gradient, 2 * x, rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_relative_error_is_cs231n_s():
    assert backprop.relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0
    assert backprop.relative_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)


# ---------------------------------------------------------------------------------------------
# Where the gradient flows
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel_size", "stride", "pooling", "input_pixels", "conv_pixels"),
    [
        (3, 1, "none", 9, 1),
        (3, 1, "max", 9, 1),
        (3, 1, "avg", 16, 4),
        (5, 1, "avg", 36, 4),
        (3, 2, "avg", 25, 4),
        (1, 1, "avg", 4, 4),
    ],
)
def test_gradient_flow_reaches_the_receptive_field(
    kernel_size, stride, pooling, input_pixels, conv_pixels
):
    result = backprop.gradient_flow(
        np.ones((12, 12)),
        np.ones((kernel_size, kernel_size)),
        stride=stride,
        pooling=pooling,
        target=(1, 1),
    )
    assert result["input_pixels"] == input_pixels
    assert result["conv_pixels"] == conv_pixels
    assert result["kernel_weights"] == kernel_size**2


def test_gradient_flow_stops_at_a_relu_that_is_off():
    result = backprop.gradient_flow(np.ones((6, 6)), -np.ones((3, 3)), pooling="none")
    assert result["input_pixels"] == result["kernel_weights"] == result["conv_pixels"] == 0


def test_gradient_flow_with_an_output_gradient_matches_gradient_tape():
    rng = np.random.default_rng(7)
    image, kernel = rng.random((10, 10)), rng.normal(size=(3, 3))
    upstream = rng.normal(size=(4, 4))
    result = backprop.gradient_flow(image, kernel, pooling="max", target=upstream)

    def loss(x, k):
        pre = tf.nn.conv2d(tf.reshape(x, (1, 10, 10, 1)), tf.reshape(k, (3, 3, 1, 1)), 1, "VALID")
        return tf.reduce_sum(
            tf.nn.max_pool2d(tf.nn.relu(pre), 2, 2, "VALID")[0, :, :, 0] * upstream
        )

    expected_image, expected_kernel = _tape(loss, image, kernel)
    np.testing.assert_allclose(result["image_gradient"], expected_image, atol=1e-12)
    np.testing.assert_allclose(result["kernel_gradient"], expected_kernel, atol=1e-12)


def test_gradient_flow_explains_impossible_settings():
    with pytest.raises(ValueError, match=r"target pixel \(5, 0\) is outside the 4 x 4 output"):
        backprop.gradient_flow(np.ones((10, 10)), np.ones((3, 3)), target=(5, 0))
    with pytest.raises(ValueError, match="2x2 pooling needs a feature map of at least 2 x 2"):
        backprop.gradient_flow(np.ones((5, 5)), np.ones((3, 3)), stride=3)
    with pytest.raises(ValueError, match="pooling must be one of"):
        backprop.gradient_flow(np.ones((5, 5)), np.ones((3, 3)), pooling="min")
    with pytest.raises(ValueError, match="kernel spans 7 pixels"):
        backprop.gradient_flow(np.ones((5, 5)), np.ones((7, 7)))


def test_class_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(8)
    output, templates = rng.normal(size=(3, 4)), rng.normal(size=(5, 3, 4))
    loss, probabilities, gradient = backprop.class_loss_gradient(output, templates, 2)
    assert probabilities.sum() == pytest.approx(1)
    assert loss == pytest.approx(-np.log(probabilities[2]))
    numeric = backprop.numerical_gradient(
        lambda o: backprop.class_loss_gradient(o, templates, 2)[0], output
    )
    assert backprop.relative_error(gradient, numeric) < 1e-6
    with pytest.raises(ValueError, match="label must be an int from 0 to 4, got 5"):
        backprop.class_loss_gradient(output, templates, 5)
