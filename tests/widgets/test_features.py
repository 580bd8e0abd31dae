"""The feature-map browser and its compute steps, ``compute_feature_maps`` and ``feature_view``."""

import ipywidgets
import keras
import numpy as np
import pytest

from cnn_lessons import widgets
from cnn_lessons.widgets import features


def _model_with_a_dead_channel():
    model = keras.Sequential(
        [
            keras.Input(shape=(12, 12, 1)),
            keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="conv2"),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    kernel, bias = model.get_layer("conv1").get_weights()
    kernel[..., 2] = 0.0
    bias[2] = -1.0  # channel 2 of conv1 can never fire: it is dead
    model.get_layer("conv1").set_weights([kernel, bias])
    return model


def test_feature_map_browser_follows_every_control_and_flags_dead_channels():
    images = np.random.default_rng(0).random((5, 12, 12)).astype("float32")
    app = widgets.feature_map_browser(_model_with_a_dead_channel(), images, labels=[0, 1, 0, 1, 0])
    assert isinstance(app, ipywidgets.Widget)
    assert set(app.controls) == {"image", "layer", "channel"}
    assert list(app.controls["layer"].options) == ["conv1", "pool1", "conv2"]
    assert app.result["maps"].shape == (12, 12, 4)
    assert 2 in app.result["dead"] and 2 in app.result["silent"]
    app.controls["channel"].value = 2
    assert "dead" in app.result["channel_title"]
    np.testing.assert_array_equal(app.result["channel_map"], 0)
    app.controls["image"].value = 3
    assert app.result["title"] == "image 3 (label 1)"
    assert app.result["summary"] == "image 3 (label 1), conv1 channel 2: dead: zero on every image"
    app.controls["layer"].value = "conv2"
    assert app.controls["channel"].max == 2
    assert app.result["maps"].shape == (6, 6, 3)
    assert app.png
    # Setting an impossible channel by code explains instead of failing.
    app.controls["channel"].max = 10
    app.controls["channel"].value = 7
    assert "channel must be between 0 and 2" in app.result["error"]


def test_feature_map_browser_needs_images_with_a_model():
    with pytest.raises(ValueError, match="images"):
        widgets.feature_map_browser(_model_with_a_dead_channel())
    with pytest.raises(ValueError, match="model"):
        widgets.feature_map_browser(images=np.zeros((2, 12, 12)))


def test_feature_map_browser_works_without_arguments():
    app = widgets.feature_map_browser()
    assert app.result["image"].shape == (28, 28)
    assert app.result["maps"].shape == (28, 28, 8)


def test_compute_feature_maps_and_feature_view_alone():
    images = np.random.default_rng(0).random((3, 12, 12)).astype("float32")
    computed = features.compute_feature_maps(_model_with_a_dead_channel(), images)
    assert list(computed.maps) == ["conv1", "pool1", "conv2"]
    assert 2 in computed.dead["conv1"] and computed.labels is None
    view = features.feature_view(computed, np.int64(1), "pool1", 2)
    assert view["maps"].shape == (6, 6, 4) and view["title"] == "image 1"
    assert "dead" in view["channel_title"]
    with pytest.raises(ValueError, match="layer must be one of 'conv1'"):
        features.feature_view(computed, 0, "dense", 0)
    with pytest.raises(TypeError, match="layer_names must be a sequence of names"):
        features.compute_feature_maps(_model_with_a_dead_channel(), images, layer_names="conv1")
