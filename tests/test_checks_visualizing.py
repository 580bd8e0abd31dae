"""Checks of the architectures and visualizing lessons."""

import keras
import numpy as np

from cnn_lessons import checks


def test_check_conv_macs_accepts_the_formula_and_rejects_mistakes(capsys):
    def right(input_shape, filters, kernel_size, *, strides=1, padding="valid"):
        height, width, channels = input_shape
        if padding == "same":
            out_h, out_w = -(-height // strides), -(-width // strides)
        else:
            out_h = (height - kernel_size) // strides + 1
            out_w = (width - kernel_size) // strides + 1
        return out_h * out_w * filters * kernel_size**2 * channels

    def ignores_padding(input_shape, filters, kernel_size, *, strides=1, padding="valid"):
        height, width, channels = input_shape
        out = (height - kernel_size) // strides + 1
        return out * out * filters * kernel_size**2 * channels

    assert checks.check_conv_macs(right)
    assert not checks.check_conv_macs(ignores_padding)
    assert "Hint" in capsys.readouterr().out
    assert not checks.check_conv_macs(lambda *args, **kwargs: None)


def _bottleneck(projection: bool):
    layers = keras.layers

    def block(inputs, filters, *, stride=1):
        shortcut = inputs
        if projection and (stride != 1 or inputs.shape[-1] != 4 * filters):
            shortcut = layers.Conv2D(4 * filters, 1, strides=stride, use_bias=False)(inputs)
            shortcut = layers.BatchNormalization()(shortcut)
        x = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(inputs)
        x = layers.ReLU()(layers.BatchNormalization()(x))
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
        x = layers.BatchNormalization()(layers.Conv2D(4 * filters, 1, use_bias=False)(x))
        return layers.ReLU()(layers.Add()([x, shortcut]))

    return block


def test_check_bottleneck_block():
    assert checks.check_bottleneck_block(_bottleneck(projection=True))
    # Without the projection the shapes cannot be added: the learner sees the error.
    assert not checks.check_bottleneck_block(_bottleneck(projection=False))
    assert not checks.check_bottleneck_block(lambda inputs, filters, *, stride=1: None)


def test_check_saliency_and_receptive_field_size():
    import tensorflow as tf

    def saliency_map(model, image, class_index):
        x = tf.constant(image[None, ..., None])
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = model(x)[0, class_index]
        return tape.gradient(score, x).numpy()[0, ..., 0]

    assert checks.check_saliency(saliency_map)
    assert not checks.check_saliency(lambda model, image, class_index: np.abs(image))

    def field(kernel_sizes, strides):
        size, jump = 1, 1
        for kernel, stride in zip(kernel_sizes, strides, strict=True):
            size, jump = size + (kernel - 1) * jump, jump * stride
        return size

    assert checks.check_receptive_field_size(field)
    assert not checks.check_receptive_field_size(lambda kernel_sizes, strides: sum(kernel_sizes))
