"""Images made by gradient ascent: activation maximisation and DeepDream."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from scipy import ndimage
from skimage import transform

from cnn_lessons import _arrays, _validate
from cnn_lessons.explain import _model

#: Most gradient steps one call may take (each is a forward and a backward pass).
MAX_STEPS = 10_000


def _channel_objective(layer_output_rank: int, channels):
    channels = tf.constant(channels, dtype=tf.int32)

    def objective(outputs):
        if layer_output_rank == 4:
            per_channel = tf.reduce_mean(outputs, axis=(1, 2))  # (N, C)
        else:
            per_channel = outputs
        return tf.reduce_sum(tf.gather(per_channel, channels, axis=1, batch_dims=1))

    return objective


def _gradient_function(extractor, objective):
    @tf.function(reduce_retracing=True)
    def gradient(images):
        with tf.GradientTape() as tape:
            tape.watch(images)
            value = objective(extractor(images, training=False))
        return tape.gradient(value, images)

    return gradient


def activation_maximization(
    model,
    *,
    layer_name: str,
    channels,
    steps: int = 64,
    step_size: float = 0.05,
    jitter: int = 2,
    blur_sigma: float = 0.6,
    blur_every: int = 4,
    l2: float = 0.01,
    seed: int = 0,
) -> np.ndarray:
    """Synthesise one input per channel that excites it strongly, by gradient ascent.

    Starting from faint noise, each step shifts the images by a random ``jitter`` (so the
    result cannot rely on exact pixel positions), follows the normalised gradient of the mean
    activation of each image's channel, shrinks the images towards zero by the factor
    ``1 - l2`` (an L2 penalty that keeps only pixels that earn their place), blurs them every
    ``blur_every`` steps (removing high-frequency noise) and clips them to [0, 1]
    (Erhan et al., 2009; Olah, Mordvintsev and Schubert, 2017, "Feature Visualization").

    Parameters
    ----------
    model : keras.Model
        With a fixed input size and inputs in [0, 1].
    layer_name : str
        A convolution (the channel's mean activation is maximised) or a dense layer (the unit's
        value).
    channels : sequence of int
        One synthetic image per entry; all are optimised together as one batch.
    steps : int, default 64
    step_size : float, default 0.05
        Size of each step, in units of the gradient's standard deviation.
    jitter : int, default 2
        Largest random shift in pixels (0 disables it).
    blur_sigma : float, default 0.6
        Gaussian blur in pixels (0 disables it).
    blur_every : int, default 4
    l2 : float, default 0.01
        Decay towards zero per step, in [0, 1).
    seed : int, default 0
        Seeds the starting noise and the jitter (a generator of its own).

    Returns
    -------
    numpy.ndarray
        float32 ``(len(channels), *input_shape)`` in [0, 1], e.g. ``(n, 28, 28, 1)``.
    """
    _model.check_model(model)
    steps = _validate.positive_int(steps, "steps", maximum=MAX_STEPS)
    blur_every = _validate.positive_int(blur_every, "blur_every")
    jitter = _validate.non_negative_int(jitter, "jitter", maximum=64)
    step_size = _validate.number(step_size, "step_size", minimum=0)
    blur_sigma = _validate.number(blur_sigma, "blur_sigma", minimum=0)
    l2 = _validate.number(l2, "l2", minimum=0, maximum=1, exclusive_maximum=True)
    layer = _model.layer(model, layer_name)
    units = layer.output.shape[-1]
    channels = _validate.integers(channels, "channels", minimum=0, maximum=units - 1)
    shape = _arrays.input_shape(model)
    if any(size is None for size in shape):
        raise ValueError(f"model must have a fixed input size, got {shape}")
    _validate.fits_in_memory((len(channels), *shape), f"channels ({len(channels)})", itemsize=4)
    extractor = keras.Model(model.inputs[0], layer.output)
    gradient = _gradient_function(extractor, _channel_objective(len(layer.output.shape), channels))
    generator = np.random.default_rng(_validate.seed(seed))
    images = (0.1 + 0.02 * generator.standard_normal((len(channels), *shape))).astype(np.float32)
    for step in range(steps):
        shift = tuple(int(s) for s in generator.integers(-jitter, jitter + 1, size=2))
        shifted = np.roll(images, shift, axis=(1, 2))
        grads = np.roll(gradient(tf.constant(shifted)).numpy(), (-shift[0], -shift[1]), axis=(1, 2))
        spread = grads.reshape(len(channels), -1).std(axis=1).reshape(-1, *[1] * len(shape))
        images = images + step_size * grads / (spread + 1e-8)
        images *= 1.0 - l2
        if blur_sigma > 0 and (step + 1) % blur_every == 0:
            images = ndimage.gaussian_filter(images, sigma=(0, blur_sigma, blur_sigma, 0))
        images = np.clip(images, 0.0, 1.0).astype(np.float32)
    return images


def _dream_image(model, image) -> np.ndarray:
    """The image with the channel axis the model takes, ``(H, W, C)``, floats in [0, 1]."""
    image = _validate.float_image(image, "image")
    expected = _arrays.input_shape(model)
    if image.ndim == len(expected) - 1 and expected[-1] == 1:
        return image[..., None]
    if image.ndim == len(expected) and image.shape[-1] == expected[-1]:
        return image
    raise ValueError(f"image must match the model input {expected}, got shape {image.shape}")


def deep_dream(
    model,
    image,
    *,
    layer_names=None,
    octaves: int = 3,
    octave_scale: float = 1.4,
    steps: int = 10,
    step_size: float = 0.02,
) -> np.ndarray:
    """DeepDream (Mordvintsev et al., 2015): amplify whatever the layers already see.

    Gradient ascent on the *image* to increase the mean activation of the chosen layers, run
    on a pyramid of ``octaves`` scales from small to full size; after each scale, the detail the
    downscaling removed is added back, so patterns appear at several sizes.

    Parameters
    ----------
    model : keras.Model
        A fully convolutional model that accepts any image size, e.g. ``keras.Input(shape=(None,
        None, 1))`` followed by convolution and pooling layers.
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
        Values in [0, 1] (integer pixels are scaled).
    layer_names : sequence of str, optional
        Layers whose activations to amplify; the model's output when omitted.
    octaves : int, default 3
    octave_scale : float, default 1.4
        Size ratio between successive octaves.
    steps : int, default 10
        Gradient steps per octave.
    step_size : float, default 0.02
        Step per iteration, relative to the mean absolute gradient.

    Returns
    -------
    numpy.ndarray
        float32, the image's shape, in [0, 1].
    """
    _model.check_model(model)
    octaves = _validate.positive_int(octaves, "octaves", maximum=12)
    steps = _validate.positive_int(steps, "steps", maximum=MAX_STEPS)
    octave_scale = _validate.number(octave_scale, "octave_scale", minimum=1, exclusive_minimum=True)
    step_size = _validate.number(step_size, "step_size", minimum=0)
    original_shape = np.shape(image)
    work = _dream_image(model, image)
    if layer_names is None:
        outputs = list(model.outputs)
    else:
        names = _validate.names(layer_names, "layer_names")
        outputs = [_model.layer(model, name).output for name in names]
    dreamer = keras.Model(model.inputs[0], outputs)

    @tf.function(reduce_retracing=True)
    def gradient(batch):
        with tf.GradientTape() as tape:
            tape.watch(batch)
            values = dreamer(batch, training=False)
            values = values if isinstance(values, list | tuple) else [values]
            loss = tf.add_n([tf.reduce_mean(value) for value in values])
        grads = tape.gradient(loss, batch)
        return grads / (tf.reduce_mean(tf.abs(grads)) + 1e-8)

    height, width = work.shape[:2]
    shapes = [
        (max(8, round(height / octave_scale**level)), max(8, round(width / octave_scale**level)))
        for level in reversed(range(octaves))
    ]

    def resize(array, size):
        return transform.resize(array, size, order=1, mode="edge", anti_aliasing=False)

    shrunk_original = resize(work, shapes[0])
    dream = shrunk_original.copy()
    for size in shapes:
        dream = resize(dream, size).astype(np.float32)
        for _ in range(steps):
            grads = gradient(tf.constant(dream[None])).numpy()[0]
            dream = np.clip(dream + step_size * grads, 0.0, 1.0)
        lost_detail = resize(work, size) - resize(shrunk_original, size)
        dream = np.clip(dream + lost_detail, 0.0, 1.0)
        shrunk_original = resize(work, size)
    return dream.reshape(original_shape).astype(np.float32)
