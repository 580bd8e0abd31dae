"""cnn_lessons._arrays: learners' photos, model batches, labels and model outputs."""

import keras
import numpy as np
import pytest

from cnn_lessons import _arrays


@pytest.fixture(scope="module")
def gray_model():
    return keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])


def test_photo_drops_a_single_channel_and_alpha():
    assert _arrays.photo(np.zeros((5, 6, 1))).shape == (5, 6)
    assert _arrays.photo(np.zeros((5, 6, 4), np.uint8)).shape == (5, 6, 3)
    with pytest.raises(ValueError, match=r"\(H, W\) or \(H, W, 3\)"):
        _arrays.photo(np.zeros((5, 6, 2)))
    with pytest.raises(ValueError, match="at most 8 pixels a side"):
        _arrays.photo(np.zeros((9, 2)), max_side=8)


def test_grayscale_uses_luminance_weights():
    picture = np.zeros((1, 3, 3), np.float32)
    picture[0, np.arange(3), np.arange(3)] = 1.0
    np.testing.assert_allclose(_arrays.grayscale(picture)[0], [0.2125, 0.7154, 0.0721], rtol=1e-6)
    flat = np.ones((2, 2))
    assert _arrays.grayscale(flat) is flat


def test_model_batch_and_model_image(gray_model):
    batch = _arrays.model_batch(gray_model, np.full((2, 4, 4), 255, np.uint8))
    assert batch.shape == (2, 4, 4, 1) and batch.dtype == np.float32 and batch.max() == 1
    single, shape = _arrays.model_image(gray_model, np.zeros((4, 4)))
    assert single.shape == (1, 4, 4, 1) and shape == (4, 4)
    with pytest.raises(ValueError, match=r"images must have shape \(N, 4, 4, 1\)"):
        _arrays.model_batch(gray_model, np.zeros((2, 5, 4)))
    assert _arrays.input_shape(gray_model) == (4, 4, 1)


def test_class_labels_and_probabilities():
    np.testing.assert_array_equal(_arrays.class_labels([2, 0], count=2, classes=3), [2, 0])
    with pytest.raises(ValueError, match="from 0 to 2 .the model has 3 outputs., got 3"):
        _arrays.class_labels([3, 0], count=2, classes=3)
    rows = np.array([[0.2, 0.8], [1.0, 0.0]])
    np.testing.assert_array_equal(_arrays.probabilities(rows), rows)
    with pytest.raises(ValueError, match="raw scores"):
        _arrays.probabilities(np.array([[2.0, -1.0]]))
    np.testing.assert_allclose(_arrays.softmax(np.array([[0.0, 0.0]])), [[0.5, 0.5]])
