"""The FGSM explorer and its compute steps, ``prepare_attack`` and ``attack_one``."""

import ipywidgets
import keras
import numpy as np
import pytest

from cnn_lessons import pretrain, widgets
from cnn_lessons.widgets import adversarial


def test_fgsm_explorer_contract_with_the_pretrained_model():
    app = widgets.fgsm_explorer()
    assert isinstance(app, ipywidgets.Widget)
    assert set(app.controls) == {"image", "epsilon"}
    result = app.result
    assert result["adversarial"].shape == (28, 28, 1)
    assert result["clean_probabilities"].shape == (len(pretrain.SOURCE_CLASSES),)
    epsilon = np.float32(result["epsilon"])
    assert set(np.unique(result["perturbation"])) <= {-epsilon, 0.0, epsilon}
    before = app.png
    app.controls["epsilon"].value = 0.0
    np.testing.assert_array_equal(app.result["adversarial"], app.result["image"])
    assert app.result["fooled"] is False
    assert app.summary.value.startswith("epsilon 0.00: ") and "fooled" not in app.summary.value
    assert app.png != before
    app.controls["epsilon"].value = 0.3
    app.controls["image"].value = 5
    assert app.result["label"] == 2 and app.result["epsilon"] == pytest.approx(0.3)
    assert np.abs(app.result["adversarial"] - app.result["image"]).max() <= 0.3 + 1e-6


def test_fgsm_explorer_with_a_model_of_your_own(linear):
    model, _, _, images, labels = linear
    app = widgets.fgsm_explorer(model, images, labels, class_names=["a", "b", "c"])
    assert app.controls["image"].max == len(images) - 1
    app.controls["image"].value = 2
    assert app.result["label"] == 2
    with pytest.raises(ValueError, match="class_names must have 3 entries"):
        widgets.fgsm_explorer(model, images, labels, class_names=["a"])
    with pytest.raises(ValueError, match="images and labels must come with a model"):
        widgets.fgsm_explorer(images=images)
    with pytest.raises(ValueError, match="images and labels must be given with model"):
        widgets.fgsm_explorer(model)


def test_fgsm_explorer_draws_colour_images():
    generator = np.random.default_rng(1)
    model = keras.Sequential(
        [
            keras.Input(shape=(4, 4, 3)),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    images = generator.integers(0, 256, (3, 4, 4, 3), dtype=np.uint8)
    app = widgets.fgsm_explorer(model, images, [0, 1, 0])
    app.controls["epsilon"].value = 0.2
    assert app.result["adversarial"].shape == (4, 4, 3)
    assert app.result["image"].max() <= 1.0  # uint8 was scaled
    assert app.png


def test_prepare_attack_and_attack_one_alone(linear):
    model, _, _, images, labels = linear
    setup = adversarial.prepare_attack(model, images, labels, ["a", "b", "c"])
    assert setup.signs.shape == images.shape and setup.clean.shape == (5, 3)
    result = adversarial.attack_one(setup, 1, 0.25)
    expected = np.clip(images[1] + np.float32(0.25) * setup.signs[1], 0, 1)
    np.testing.assert_array_equal(result["adversarial"], expected)
    assert result["summary"].startswith("epsilon 0.25: ")
    with pytest.raises(ValueError, match="epsilon must be a number from 0 to 1, got 2"):
        adversarial.attack_one(setup, 1, 2)


def test_prepare_attack_refuses_a_model_that_does_not_fit_the_data(linear):
    model, weights, bias, images, labels = linear
    with pytest.raises(ValueError, match="labels must be class indices from 0 to 2"):
        adversarial.prepare_attack(model, images, [0, 1, 2, 3, 0])  # 3 outputs only
    logits = keras.Sequential(
        [keras.Input(shape=(2, 3, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    logits.layers[-1].set_weights([weights, bias])
    with pytest.raises(ValueError, match="must output probabilities"):
        adversarial.prepare_attack(logits, images, labels)
    with pytest.raises(ValueError, match=r"images must have shape \(N, 2, 3, 1\)"):
        adversarial.prepare_attack(model, np.zeros((5, 3, 3)), labels)
