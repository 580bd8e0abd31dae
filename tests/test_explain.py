"""The visualisation and attribution maths, checked on tiny models whose answers are known."""

import keras
import numpy as np
import pytest

from cnn_lessons import explain


def _linear_model(weights, bias=None):
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


def test_saliency_of_a_linear_model_is_its_weights():
    weights = np.random.default_rng(0).normal(size=(16, 3))
    model = _linear_model(weights)
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
    gradient = explain.saliency(_linear_model(weights), image)
    assert gradient[0, 0] == pytest.approx(5.0)


def test_integrated_gradients_linear_exact_and_complete_on_a_cnn(small_cnn, images):
    weights = np.random.default_rng(2).normal(size=(16, 2))
    image = np.random.default_rng(3).random((4, 4)).astype("float32")
    attribution = explain.integrated_gradients(_linear_model(weights), image, class_index=0)
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
    model = _linear_model(weights)
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


def test_feature_maps_and_activations_match_a_keras_sub_model(small_cnn, images):
    maps = explain.feature_maps(small_cnn, images[0], ["conv1", "conv2"])
    assert maps["conv1"].shape == (12, 12, 4) and maps["conv2"].shape == (6, 6, 6)
    assert maps["conv1"].min() >= 0  # after ReLU
    sub_model = keras.Model(small_cnn.inputs[0], small_cnn.get_layer("conv2").output)
    expected = np.asarray(sub_model(images[:1, ..., None]))[0]
    np.testing.assert_allclose(maps["conv2"], expected, rtol=1e-5, atol=1e-6)
    batch = explain.activations(small_cnn, images, ["conv1"], batch_size=7)
    assert batch["conv1"].shape == (20, 12, 12, 4)
    np.testing.assert_allclose(batch["conv1"][0], maps["conv1"], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="layer_name must be one of"):
        explain.feature_maps(small_cnn, images[0], ["nope"])
    with pytest.raises(ValueError, match="image"):
        explain.feature_maps(small_cnn, np.zeros((5, 5)), ["conv1"])


def test_receptive_field_formula_and_gradient_check():
    model = keras.Sequential(
        [
            keras.Input(shape=(16, 16, 1)),
            keras.layers.Conv2D(1, 3, padding="same", use_bias=False, name="a"),
            keras.layers.AveragePooling2D(2, name="b"),
            keras.layers.Conv2D(1, 3, padding="valid", use_bias=False, name="c"),
            keras.layers.Conv2D(1, 3, strides=2, padding="same", dilation_rate=1, name="d"),
        ]
    )
    for layer in (model.get_layer("a"), model.get_layer("c"), model.get_layer("d")):
        layer.set_weights([np.ones_like(w) for w in layer.get_weights()])
    assert explain.receptive_field(model, "a") == {"size": 3, "jump": 1, "start": -1}
    assert explain.receptive_field(model, "b") == {"size": 4, "jump": 2, "start": -1}
    field = explain.receptive_field(model, "c")
    assert field == {"size": 8, "jump": 2, "start": -1}
    # The gradient of unit (2, 3) of "c" is non-zero exactly inside its receptive field.
    sub_model = keras.Model(model.inputs[0], model.get_layer("c").output)
    image = np.ones((1, 16, 16, 1), "float32")
    import tensorflow as tf

    inputs = tf.constant(image)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        unit = sub_model(inputs)[0, 2, 3, 0]
    support = np.argwhere(tape.gradient(unit, inputs).numpy()[0, ..., 0] != 0)
    top, left = field["start"] + 2 * field["jump"], field["start"] + 3 * field["jump"]
    assert support.min(axis=0).tolist() == [max(top, 0), max(left, 0)]
    assert support.max(axis=0).tolist() == [top + field["size"] - 1, left + field["size"] - 1]
    with pytest.raises(ValueError, match="layer_name"):
        explain.receptive_field(model, "missing")


def test_top_activating_patches_finds_the_planted_pattern(small_cnn, images):
    planted = images.copy() * 0.1
    planted[7, 4:7, 5:8] = 5.0  # a bright blob in image 7
    result = explain.top_activating_patches(
        small_cnn, planted, layer_name="conv1", channels=[0, 1, 2, 3], top=4
    )
    field = result["receptive_field"]
    assert field == explain.receptive_field(small_cnn, "conv1")
    assert result["patches"].shape == (4, 4, field["size"], field["size"])
    assert result["values"].shape == result["image_indices"].shape == (4, 4)
    assert np.all(np.diff(result["values"], axis=1) <= 0)  # strongest first
    maps = explain.activations(small_cnn, planted, ["conv1"])["conv1"]
    for row, channel in enumerate([0, 1, 2, 3]):
        best = maps[..., channel].reshape(len(planted), -1).max(axis=1)
        assert result["values"][row, 0] == pytest.approx(best.max())
        index = result["image_indices"][row, 0]
        unit_row, unit_col = result["units"][row, 0]
        top = field["start"] + unit_row * field["jump"]
        left = field["start"] + unit_col * field["jump"]
        crop = np.zeros((field["size"], field["size"]), "float32")
        for i in range(field["size"]):
            for j in range(field["size"]):
                if 0 <= top + i < 12 and 0 <= left + j < 12:
                    crop[i, j] = planted[index, top + i, left + j]
        np.testing.assert_array_equal(result["patches"][row, 0], crop)
    with pytest.raises(ValueError, match="top"):
        explain.top_activating_patches(small_cnn, planted, layer_name="conv1", channels=[0], top=21)


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
    model = _linear_model(weights)
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
