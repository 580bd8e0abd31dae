"""The checks of the architectures and visualizing lessons reject plausible bugs."""

import keras
import numpy as np

from cnn_lessons import checks

from ._wrong import Wrong, catalogue_tests

# --- multiply-adds ----------------------------------------------------------------------------


def macs(rounding="ceil", channels=True, square=False, per_output=None):
    def conv_macs(input_shape, filters, kernel_size, *, strides=1, padding="valid"):
        height, width, c = input_shape
        if square:
            width = height
        if padding == "same":
            if rounding == "ceil":
                out_h, out_w = -(-height // strides), -(-width // strides)
            else:
                out_h, out_w = height // strides, width // strides
        else:
            out_h = (height - kernel_size) // strides + 1
            out_w = (width - kernel_size) // strides + 1
        each = kernel_size**2 * (c if channels else 1)
        if per_output:
            each = per_output(kernel_size, c)
        return out_h * out_w * filters * each

    return conv_macs


def ignores_padding(input_shape, filters, kernel_size, *, strides=1, padding="valid"):
    return macs()(input_shape, filters, kernel_size, strides=strides)


check = checks.check_conv_macs
CONV_MACS = [
    Wrong(
        check,
        "floor for 'same'",
        macs(rounding="floor"),
        r"case 4 .*expected 4608, got 2592\. For 'same' padding with stride 2 on 7 pixels the "
        r"output has 4 pixels, and your count matches 3",
    ),
    Wrong(check, "ignores padding", ignores_padding, r"case 3 .*'valid' count"),
    Wrong(check, "no channels", macs(channels=False), r"case 2 .*input channels are missing"),
    Wrong(check, "square input", macs(square=True), r"case 7 .*height for its width"),
    Wrong(
        check,
        "kernel not squared",
        macs(per_output=lambda k, c: k * c),
        r"case 1 .*kernel is a square",
    ),
    Wrong(
        check,
        "counts the bias",
        macs(per_output=lambda k, c: k * k * c + 1),
        r"case 1 .*expected 48672, got 54080",
    ),
]

# --- bottleneck -------------------------------------------------------------------------------


def bottleneck(
    *,
    projection=True,
    stride_on_3x3=False,
    relu_before_bn=False,
    middle_relu=True,
    final_relu=True,
    bias=False,
):
    layers = keras.layers

    def norm_relu(x, relu=True):
        if relu_before_bn:
            return layers.BatchNormalization()(layers.ReLU()(x) if relu else x)
        x = layers.BatchNormalization()(x)
        return layers.ReLU()(x) if relu else x

    def block(inputs, filters, *, stride=1):
        shortcut = inputs
        if projection and (stride != 1 or inputs.shape[-1] != 4 * filters):
            shortcut = layers.Conv2D(4 * filters, 1, strides=stride, use_bias=False)(inputs)
            shortcut = layers.BatchNormalization()(shortcut)
        first, second = (1, stride) if stride_on_3x3 else (stride, 1)
        x = layers.Conv2D(filters, 1, strides=first, use_bias=bias)(inputs)
        x = norm_relu(x)
        x = layers.Conv2D(filters, 3, strides=second, padding="same", use_bias=bias)(x)
        x = norm_relu(x, relu=middle_relu)
        x = layers.BatchNormalization()(layers.Conv2D(4 * filters, 1, use_bias=bias)(x))
        x = layers.Add()([shortcut, x])  # the other operand order: allowed
        return layers.ReLU()(x) if final_relu else x

    return block


def with_ops(inputs, filters, *, stride=1):
    """The reference written with keras.ops and activations instead of layers."""
    layers = keras.layers
    shortcut = inputs
    if stride != 1 or inputs.shape[-1] != 4 * filters:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, use_bias=False)(inputs)
        shortcut = layers.BatchNormalization()(shortcut)
    x = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(inputs)
    x = layers.Activation("relu")(layers.BatchNormalization()(x))
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = keras.activations.relu(layers.BatchNormalization()(x))
    x = layers.BatchNormalization()(layers.Conv2D(4 * filters, 1, use_bias=False)(x))
    return keras.activations.relu(keras.ops.add(x, shortcut))


check = checks.check_bottleneck_block
BOTTLENECK = [
    Wrong(
        check,
        "stride on the 3x3",
        bottleneck(stride_on_3x3=True),
        r"case 3 .*main path, layer 1: the reference has Conv2D\(32, 1x1, strides=2\), yours has "
        r"Conv2D\(32, 1x1\)",
    ),
    Wrong(
        check,
        "ReLU before BatchNorm",
        bottleneck(relu_before_bn=True),
        r"main path, layer 2: the reference has BatchNormalization, yours has ReLU",
    ),
    Wrong(
        check,
        "no ReLU after the middle BatchNorm",
        bottleneck(middle_relu=False),
        r"main path, layer 6: the reference has ReLU, yours has Conv2D",
    ),
    Wrong(
        check,
        "no final ReLU",
        bottleneck(final_relu=False),
        r"after the Add, layer 1: the reference has ReLU, yours has nothing more",
    ),
    Wrong(
        check,
        "convolutions with biases",
        bottleneck(bias=True),
        r"main path, layer 1: .*yours has Conv2D\(16, 1x1, with a bias\)",
    ),
    Wrong(check, "no projection", bottleneck(projection=False), r"case 2 .*raised ValueError"),
    Wrong(
        check,
        "no shortcut",
        lambda inputs, filters, *, stride=1: keras.layers.Conv2D(4 * filters, 1)(inputs),
        r"no Add",
    ),
    Wrong(check, "forgets return", lambda inputs, filters, *, stride=1: None, r"forget to `ret"),
]

# --- saliency ---------------------------------------------------------------------------------


def saliency(pick=lambda scores, class_index: scores[class_index], post=lambda g: g):
    import tensorflow as tf

    def saliency_map(model, image, class_index):
        x = tf.constant(image[None, ..., None])
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = pick(model(x)[0], class_index)
        return post(tape.gradient(score, x).numpy()[0, ..., 0])

    return saliency_map


def with_axes(model, image, class_index):
    import tensorflow as tf

    x = tf.constant(image[None, ..., None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        score = model(x)[0, class_index]
    return tape.gradient(score, x).numpy()


check = checks.check_saliency
SALIENCY = [
    Wrong(check, "absolute value", saliency(post=np.abs), r"absolute value"),
    Wrong(check, "class 0", saliency(pick=lambda s, c: s[0]), r"case 2 .*first class's score"),
    Wrong(check, "sum of scores", saliency(pick=lambda s, c: tf_sum(s)), r"sum of all the scores"),
    Wrong(check, "the image", lambda model, image, class_index: image, r"the image itself"),
    Wrong(check, "keeps the axes", with_axes, r"expected shape \(10, 10\), got shape \(1, 10"),
]


def tf_sum(scores):
    import tensorflow as tf

    return tf.reduce_sum(scores)


# --- receptive field --------------------------------------------------------------------------


def field(kernel_sizes, strides, jump_first=False):
    size, jump = 1, 1
    for kernel, stride in zip(kernel_sizes, strides, strict=True):
        if jump_first:
            jump *= stride
        size += (kernel - 1) * jump
        if not jump_first:
            jump *= stride
    return size


check = checks.check_receptive_field_size
RECEPTIVE_FIELD = [
    Wrong(check, "sum of kernels", lambda k, s: sum(k), r"case 2 .*adds the kernel sizes"),
    Wrong(check, "ignores strides", lambda k, s: field(k, [1] * len(s)), r"ignores the strides"),
    Wrong(check, "stride too early", lambda k, s: field(k, s, True), r"before its own kernel"),
    Wrong(check, "product", lambda k, s: int(np.prod(k)), r"multiplies the kernel sizes"),
]

WRONG = CONV_MACS + BOTTLENECK + SALIENCY + RECEPTIVE_FIELD
REFERENCES = [
    (checks.check_conv_macs, macs()),
    (checks.check_bottleneck_block, bottleneck()),
    (checks.check_bottleneck_block, with_ops),
    (checks.check_saliency, saliency()),
    (checks.check_receptive_field_size, field),
]


test_the_check_rejects_a_plausible_bug, test_the_references_pass = catalogue_tests(
    WRONG, REFERENCES
)
