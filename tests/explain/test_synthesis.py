"""Activation maximisation and DeepDream."""

import keras
import numpy as np
import pytest

from cnn_lessons import explain

from .conftest import linear_model


def test_activation_maximization_raises_the_target_activation(small_cnn):
    result = explain.activation_maximization(
        small_cnn, layer_name="conv2", channels=[0, 1], steps=20, seed=0
    )
    assert result.shape == (2, 12, 12, 1) and result.dtype == np.float32
    assert result.min() >= 0 and result.max() <= 1
    start = (0.1 + 0.02 * np.random.default_rng(0).standard_normal((2, 12, 12, 1))).clip(0, 1)
    maps = explain.activations(small_cnn, result, ["conv2"])["conv2"]
    before = explain.activations(small_cnn, start.astype("float32"), ["conv2"])["conv2"]
    for row, channel in enumerate([0, 1]):
        assert maps[row, ..., channel].mean() > before[row, ..., channel].mean()
    # For a linear class score, the best image is bright where the class weight is positive.
    weights = np.random.default_rng(4).normal(size=(16, 1))
    model = linear_model(weights)
    linear = explain.activation_maximization(
        model, layer_name=model.layers[-1].name, channels=[0], steps=30, blur_sigma=0, jitter=0
    )
    positive = weights[:, 0].reshape(4, 4) > 0
    assert linear[0, ..., 0][positive].mean() > linear[0, ..., 0][~positive].mean()
    with pytest.raises(ValueError, match="channels"):
        explain.activation_maximization(small_cnn, layer_name="conv2", channels=[6])


def test_deep_dream_keeps_the_shape_and_raises_the_activations():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None, None, 1))
    maps = keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="conv")(inputs)
    model = keras.Model(inputs, maps)
    image = np.random.default_rng(0).random((40, 30)).astype("float32") * 0.5
    dream = explain.deep_dream(model, image, layer_names=["conv"], octaves=2, steps=5)
    assert dream.shape == image.shape and dream.dtype == np.float32
    assert 0 <= dream.min() and dream.max() <= 1
    before = np.asarray(model(image[None, ..., None])).mean()
    after = np.asarray(model(dream[None, ..., None])).mean()
    assert after > before
