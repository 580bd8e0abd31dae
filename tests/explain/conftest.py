"""Tiny models whose explanations are known: a linear scorer and a small CNN."""

import keras
import numpy as np
import pytest


def linear_model(weights, bias=None):
    """score = flatten(image) @ weights + bias, for 4x4 grayscale images."""
    model = keras.Sequential(
        [keras.Input(shape=(4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(weights.shape[1])]
    )
    model.layers[-1].set_weights(
        [weights.astype("float32"), np.zeros(weights.shape[1], "float32") if bias is None else bias]
    )
    return model


@pytest.fixture(scope="module")
def small_cnn():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input(shape=(12, 12, 1)),
            keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(6, 3, padding="same", activation="relu", name="conv2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(3, name="logits"),
        ]
    )


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(1).random((20, 12, 12)).astype("float32")
