"""Small models for the robustness rules: a softmax and a raw-score classifier of 4x4 images."""

import keras
import numpy as np
import pytest

from cnn_lessons import _compat


def _classifier(activation):
    seeded = _compat.initializer_seeder(0)
    return keras.Sequential(
        [
            keras.Input(shape=(4, 4, 1)),
            keras.layers.Conv2D(
                2, 3, padding="same", name="conv", kernel_initializer=seeded("glorot_uniform")
            ),
            keras.layers.Flatten(),
            keras.layers.Dense(
                3, activation=activation, kernel_initializer=seeded("glorot_uniform")
            ),
        ]
    )


@pytest.fixture(scope="package")
def softmax_model():
    return _classifier("softmax")


@pytest.fixture(scope="package")
def logits_model():
    return _classifier(None)


@pytest.fixture
def images():
    return np.random.default_rng(0).random((5, 4, 4)).astype(np.float32)
