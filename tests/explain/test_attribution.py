"""Saliency, SmoothGrad, integrated gradients, Grad-CAM and occlusion on models whose answers
are known."""

import keras
import numpy as np
import pytest

from cnn_lessons import explain

from .conftest import linear_model


def test_saliency_of_a_linear_model_is_its_weights():
    weights = np.random.default_rng(0).normal(size=(16, 3))
    model = linear_model(weights)
    image = np.random.default_rng(1).random((4, 4)).astype("float32")
    for class_index in range(3):
        gradient = explain.saliency(model, image, class_index=class_index)
        assert gradient.shape == (4, 4)
        np.testing.assert_allclose(gradient, weights[:, class_index].reshape(4, 4), rtol=1e-5)
    # SmoothGrad averages gradients of noisy copies: for a linear model they are all the same.
    smooth = explain.smoothgrad(model, image, class_index=1, samples=5)
    np.testing.assert_allclose(smooth, weights[:, 1].reshape(4, 4), rtol=1e-5)


def test_predicted_class_is_the_default():
    weights = np.zeros((16, 3))
    weights[0, 2] = 5.0  # only class 2 reacts, and positively, to pixel (0, 0)
    image = np.zeros((4, 4), "float32")
    image[0, 0] = 1.0
    gradient = explain.saliency(linear_model(weights), image)
    assert gradient[0, 0] == pytest.approx(5.0)


def test_integrated_gradients_linear_exact_and_complete_on_a_cnn(small_cnn, images):
    weights = np.random.default_rng(2).normal(size=(16, 2))
    image = np.random.default_rng(3).random((4, 4)).astype("float32")
    attribution = explain.integrated_gradients(linear_model(weights), image, class_index=0)
    np.testing.assert_allclose(attribution, image * weights[:, 0].reshape(4, 4), rtol=1e-5)
    image = images[0]
    attribution = explain.integrated_gradients(small_cnn, image, class_index=1, steps=64)
    score = np.asarray(small_cnn(image[None, ..., None]))[0, 1]
    baseline_score = np.asarray(small_cnn(np.zeros((1, 12, 12, 1), "float32")))[0, 1]
    assert attribution.shape == (12, 12)
    assert attribution.sum() == pytest.approx(score - baseline_score, rel=0.02, abs=1e-3)


def test_occluding_the_only_informative_pixel_changes_the_score_most():
    weights = np.zeros((16, 1))
    weights[2 * 4 + 3, 0] = 3.0  # the score depends on pixel (2, 3) only
    image = np.full((4, 4), 0.5, "float32")
    model = linear_model(weights)
    sensitivity = explain.occlusion_map(model, image, patch_size=1, stride=1, class_index=0)
    assert sensitivity.shape == (4, 4)
    assert np.unravel_index(np.argmax(sensitivity), (4, 4)) == (2, 3)
    assert sensitivity[2, 3] == pytest.approx(1.5)  # 3 * 0.5 lost
    assert np.count_nonzero(sensitivity) == 1
    wide = explain.occlusion_map(model, image, patch_size=2, stride=2, class_index=0)
    assert wide[2:4, 2:4] == pytest.approx(np.full((2, 2), 1.5)) and wide[:2].sum() == 0
    gaps = explain.occlusion_map(model, image, patch_size=1, stride=3, class_index=0)
    assert np.isnan(gaps[1, 1]) and not np.isnan(gaps[0, 0])  # pixels no patch covered
    with pytest.raises(ValueError, match="patch_size"):
        explain.occlusion_map(model, image, patch_size=5, stride=1)
    with pytest.raises(ValueError, match="stride"):
        explain.occlusion_map(model, image, patch_size=2, stride=0)


def test_grad_cam_is_a_normalised_map_that_finds_the_evidence():
    inputs = keras.Input(shape=(8, 8, 1))
    maps = keras.layers.Conv2D(1, 1, use_bias=False, activation="relu", name="maps")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(maps)
    scores = keras.layers.Dense(2, use_bias=False)(pooled)
    model = keras.Model(inputs, scores)
    model.get_layer("maps").set_weights([np.ones((1, 1, 1, 1), "float32")])
    model.layers[-1].set_weights([np.array([[1.0, -1.0]], "float32")])
    image = np.zeros((8, 8), "float32")
    image[5, 2] = 1.0
    cam = explain.grad_cam(model, image, layer_name="maps", class_index=0)
    assert cam.shape == (8, 8) and cam.dtype == np.float32
    assert cam.max() == pytest.approx(1.0) and cam.min() >= 0
    assert np.unravel_index(np.argmax(cam), cam.shape) == (5, 2)
    # Class 1 has negative evidence everywhere: ReLU leaves nothing.
    assert explain.grad_cam(model, image, layer_name="maps", class_index=1).max() == 0
    with pytest.raises(ValueError, match="spatial"):
        explain.grad_cam(model, image, layer_name=model.layers[2].name)


def test_attribution_heatmap_is_in_unit_range():
    attribution = np.random.default_rng(0).normal(size=(6, 5, 3))
    heatmap = explain.attribution_heatmap(attribution)
    assert heatmap.shape == (6, 5) and heatmap.min() >= 0 and heatmap.max() == 1
    assert explain.attribution_heatmap(np.zeros((3, 3))).max() == 0
    positive = explain.attribution_heatmap(-np.ones((3, 3)), absolute=False)
    assert positive.max() == 0


def test_bad_arguments_name_themselves(small_cnn, images):
    with pytest.raises(ValueError, match="class_index"):
        explain.saliency(small_cnn, images[0], class_index=3)
    with pytest.raises(ValueError, match="samples"):
        explain.smoothgrad(small_cnn, images[0], samples=0)
    with pytest.raises(ValueError, match="baseline"):
        explain.integrated_gradients(small_cnn, images[0], baseline=np.zeros((3, 3)))
    with pytest.raises(TypeError, match="keras.Model"):
        explain.saliency("model", images[0])
