"""Feature maps, receptive fields and top-activating patches."""

import keras
import numpy as np
import pytest

from cnn_lessons import explain


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
