"""Checks of the architectures and visualizing lessons."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import _blocks
from ._framework import CheckResult, Mistake, check_function, register_hints

# --- multiply-adds of a convolution -----------------------------------------------------------

register_hints(
    "conv_macs",
    [
        "count the output values first (rows x columns x filters), then the multiply-adds each "
        "one needs: one per weight of the filter that makes it. How many output rows does "
        "'same' padding give when the stride does not divide the input size evenly?",
        "each output value needs kernel_size * kernel_size * C multiply-adds. With 'same' "
        "padding a last, partial step still makes an output pixel, so the output side is the "
        "input side divided by the stride rounded up; with 'valid' it is "
        "(H - kernel_size) // strides + 1. Rows and columns are computed separately.",
    ],
    answer="`out_h = -(-H // strides)` ('same') or `(H - kernel_size) // strides + 1` "
    "('valid'), the same for W; then `out_h * out_w * filters * kernel_size**2 * C`.",
)


def _sides(input_shape, kernel_size, strides, padding, *, rounding="ceil"):
    height, width, _ = input_shape
    if padding != "same":
        return (height - kernel_size) // strides + 1, (width - kernel_size) // strides + 1
    if rounding == "ceil":
        return -(-height // strides), -(-width // strides)
    return height // strides, width // strides


def _macs(input_shape, filters, kernel_size, *, strides=1, padding="valid", **variant):
    out_height, out_width = _sides(
        input_shape, kernel_size, strides, padding, rounding=variant.get("rounding", "ceil")
    )
    channels = variant.get("channels", input_shape[2])
    per_output = variant.get("per_output", kernel_size * kernel_size * channels)
    return out_height * out_width * filters * per_output


def _conv_macs_reference(input_shape, filters, kernel_size, *, strides=1, padding="valid"):
    return _macs(input_shape, filters, kernel_size, strides=strides, padding=padding)


def _floor_explained(input_shape, filters, kernel_size, *, strides=1, padding="valid"):
    height = input_shape[0]
    return (
        f"For 'same' padding with stride {strides} on {height} pixels the output has "
        f"{-(-height // strides)} pixels, and your count matches {height // strides}: the "
        "division by the stride was rounded down"
    )


CONV_MACS_MISTAKES = [
    Mistake(
        lambda shape, f, k, *, strides=1, padding="valid": _macs(
            shape, f, k, strides=strides, padding=padding, rounding="floor"
        ),
        _floor_explained,
    ),
    Mistake(
        lambda shape, f, k, *, strides=1, padding="valid": _macs(shape, f, k, strides=strides),
        "This is the 'valid' count: 'same' padding keeps the border positions too",
    ),
    Mistake(
        lambda shape, f, k, *, strides=1, padding="valid": _macs(
            shape, f, k, strides=strides, padding=padding, channels=1
        ),
        "The input channels are missing: each filter spans all C of them",
    ),
    Mistake(
        lambda shape, f, k, *, strides=1, padding="valid": _macs(
            shape, f, k, strides=strides, padding=padding, per_output=k * shape[2]
        ),
        "This counts kernel_size weights per channel; the kernel is a square",
    ),
    Mistake(
        lambda shape, f, k, *, strides=1, padding="valid": _macs(
            (shape[0], shape[0], shape[2]), f, k, strides=strides, padding=padding
        ),
        "This uses the input's height for its width too; the input is not square",
    ),
]


def check_conv_macs(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(input_shape, filters, kernel_size, *, strides=1, padding="valid")``
    returns the multiply-adds of one ``Conv2D`` layer for one ``(H, W, C)`` input.

    The output side is ``ceil(H / strides)`` with ``"same"`` padding (Keras' rule) and
    ``(H - kernel_size) // strides + 1`` with ``"valid"``; inputs need not be square.
    """
    cases = [
        (((28, 28, 1), 8, 3), {}),
        (((7, 7, 64), 32, 1), {}),
        (((224, 224, 3), 64, 3), {"padding": "same"}),
        (((7, 7, 8), 4, 3), {"strides": 2, "padding": "same"}),
        (((32, 32, 3), 16, 5), {"strides": 2, "padding": "same"}),
        (((57, 57, 64), 64, 3), {"strides": 2, "padding": "valid"}),
        (((9, 6, 2), 3, 3), {"strides": 2, "padding": "same"}),
        (((10, 7, 3), 2, 3), {"strides": 2}),
    ]
    return check_function(
        "conv_macs",
        function,
        _conv_macs_reference,
        cases,
        mistakes=CONV_MACS_MISTAKES,
        verbose=verbose,
    )


# --- a bottleneck block -----------------------------------------------------------------------

register_hints(
    "bottleneck_block",
    [
        "the check reads your block layer by layer and names the first layer that departs from "
        "the exercise's list. Compare that path of yours with the list: order, stride, and "
        "every activation count.",
        "main path: Conv2D 1x1 (with the stride), BatchNormalization, ReLU; Conv2D 3x3 "
        "(padding='same'), BatchNormalization, ReLU; Conv2D 1x1 with 4 * filters, "
        "BatchNormalization. The shortcut is projected (Conv2D 1x1 with the stride, "
        "BatchNormalization) only when the stride is not 1 or the channels differ. Every "
        "Conv2D has use_bias=False; Add, then ReLU.",
    ],
    answer="see the solution cell below the exercise: it follows the list step by step.",
)


def _bottleneck_block_reference(inputs, filters, *, stride=1):
    import keras

    layers = keras.layers
    shortcut = inputs
    if stride != 1 or inputs.shape[-1] != 4 * filters:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, use_bias=False)(inputs)
        shortcut = layers.BatchNormalization()(shortcut)
    x = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(inputs)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2D(4 * filters, 1, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(layers.Add()([x, shortcut]))


def _built(block):
    def summary(input_shape, filters, stride):
        return _blocks.structure(block, input_shape, filters, stride)

    return summary


def check_bottleneck_block(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(inputs, filters, *, stride=1)`` builds a ResNet bottleneck block.

    The block is built on symbolic inputs and read layer by layer: its main path, its shortcut
    and the layers after the ``Add`` must be the reference's, in order (strides, kernel sizes,
    filters, padding, biases and activations included), for identity shortcuts and for
    projection shortcuts (other channels, or stride 2).
    """
    cases = [
        (((8, 8, 64), 16, 1), {}),
        (((8, 8, 32), 16, 1), {}),
        (((8, 8, 64), 32, 2), {}),
        (((9, 9, 16), 4, 2), {}),
    ]
    return check_function(
        "bottleneck_block",
        _built(function),
        _built(_bottleneck_block_reference),
        cases,
        comparator=_blocks.differences,
        verbose=verbose,
    )


# --- saliency ---------------------------------------------------------------------------------

register_hints(
    "saliency_map",
    [
        "a saliency map is the gradient of one class's score with respect to the input "
        "pixels: how much the score would change if a pixel changed a little. Which score, "
        "and what shape does the model expect its input to have?",
        "give the image the batch and channel axes the model expects, watch it with "
        "tf.GradientTape, take the score of `class_index` for the one image, ask the tape for "
        "the gradient, and drop the extra axes again. Keep the sign: no absolute value.",
    ],
    answer="`x = tf.constant(image[None, ..., None])`; inside `with tf.GradientTape() as tape:` "
    "`tape.watch(x)` and `score = model(x)[0, class_index]`; return "
    "`tape.gradient(score, x).numpy()[0, ..., 0]`.",
)


def _score_gradient(model, image, pick):
    import tensorflow as tf

    x = tf.constant(np.asarray(image, dtype=np.float32)[None, ..., None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = model(x)[0]
        score = tf.reduce_sum(scores) if pick is None else pick(scores)
    return tape.gradient(score, x).numpy()[0, ..., 0]


SALIENCY_MISTAKES = [
    Mistake(
        lambda model, image, class_index: np.abs(
            _score_gradient(model, image, lambda scores: scores[class_index])
        ),
        "This is the absolute value of the gradient; the exercise keeps its sign",
    ),
    Mistake(
        lambda model, image, class_index: _score_gradient(model, image, lambda s: s[0]),
        "This is the gradient of the first class's score, not of `class_index`'s",
    ),
    Mistake(
        lambda model, image, class_index: _score_gradient(model, image, None),
        "This is the gradient of the sum of all the scores, not of one class's",
    ),
    Mistake(lambda model, image, class_index: image, "This is the image itself, not a gradient"),
]


def _tiny_saliency_case():
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(10, 10, 1)),
            keras.layers.Conv2D(
                3, 3, activation="relu", kernel_initializer=keras.initializers.HeNormal(seed=0)
            ),
            keras.layers.Flatten(),
            keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(seed=1)),
        ]
    )
    images = np.random.default_rng(0).random((3, 10, 10)).astype(np.float32)
    return model, images


def check_saliency(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(model, image, class_index)`` returns d score / d pixel.

    ``image`` is ``(H, W)``; the result must have the same shape. The reference is
    :func:`cnn_lessons.explain.saliency`.
    """
    from cnn_lessons import explain

    model, images = _tiny_saliency_case()
    cases = [((model, images[0], 0), {}), ((model, images[1], 3), {}), ((model, images[2], 1), {})]
    return check_function(
        "saliency_map",
        function,
        lambda model, image, class_index: explain.saliency(model, image, class_index=class_index),
        cases,
        mistakes=SALIENCY_MISTAKES,
        rtol=1e-4,
        atol=1e-6,
        verbose=verbose,
    )


# --- receptive field --------------------------------------------------------------------------

register_hints(
    "receptive_field_size",
    [
        "follow the layers from the input: each layer's kernel widens the field by kernel - 1 "
        "steps, but how many input pixels is one step of that layer, after the strides of the "
        "layers before it?",
        "keep two numbers, the field's size (start 1) and the jump between neighbouring units "
        "in input pixels (start 1). For each layer, the size grows by (kernel - 1) times the "
        "jump so far; only then does the layer's stride multiply the jump.",
    ],
    answer="`size, jump = 1, 1`; for each layer `size += (kernel - 1) * jump`, then "
    "`jump *= stride`; return `size`.",
)


def _receptive_field_reference(kernel_sizes, strides, *, jump_first=False):
    size, jump = 1, 1
    for kernel, stride in zip(kernel_sizes, strides, strict=True):
        if jump_first:
            jump *= stride
        size += (kernel - 1) * jump
        if not jump_first:
            jump *= stride
    return size


RECEPTIVE_FIELD_MISTAKES = [
    Mistake(
        lambda kernel_sizes, strides: sum(kernel_sizes),
        "This adds the kernel sizes; neighbouring windows overlap and strides spread them",
    ),
    Mistake(
        lambda kernel_sizes, strides: _receptive_field_reference(kernel_sizes, [1] * len(strides)),
        "This ignores the strides: after a stride-2 layer one step covers 2 input pixels",
    ),
    Mistake(
        lambda kernel_sizes, strides: _receptive_field_reference(
            kernel_sizes, strides, jump_first=True
        ),
        "This applies each layer's stride before its own kernel; a layer's stride only "
        "spreads the layers after it",
    ),
    Mistake(
        lambda kernel_sizes, strides: int(np.prod(kernel_sizes)),
        "This multiplies the kernel sizes; the field grows by adding",
    ),
]


def check_receptive_field_size(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(kernel_sizes, strides)`` returns the receptive field side of a
    unit after a chain of convolution / pooling layers."""
    cases = [
        (([3], [1]), {}),
        (([3, 3], [1, 1]), {}),
        (([3, 2, 3], [1, 2, 1]), {}),
        (([3, 2, 3, 2, 3], [1, 2, 1, 2, 1]), {}),
        (([11, 3, 5, 3], [4, 2, 1, 2]), {}),
    ]
    return check_function(
        "receptive_field_size",
        function,
        _receptive_field_reference,
        cases,
        mistakes=RECEPTIVE_FIELD_MISTAKES,
        verbose=verbose,
    )
