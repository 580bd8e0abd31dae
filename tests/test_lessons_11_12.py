"""Lessons 11-12: FGSM maths, the FGSM explorer app and the exercise checks."""

import ipywidgets
import keras
import numpy as np
import pytest

from cnn_lessons import checks, explain, pretrain, widgets


def _linear_model(weights, bias):
    """Softmax regression on 2x3 images: scores = flatten(image) @ weights + bias."""
    model = keras.Sequential(
        [
            keras.Input(shape=(2, 3, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(weights.shape[1], activation="softmax"),
        ]
    )
    model.layers[-1].set_weights([weights, bias])
    return model


@pytest.fixture
def linear():
    generator = np.random.default_rng(0)
    weights = generator.normal(size=(6, 3)).astype(np.float32)
    bias = generator.normal(size=3).astype(np.float32)
    images = generator.random((5, 2, 3, 1)).astype(np.float32)
    labels = np.array([0, 1, 2, 1, 0])
    return _linear_model(weights, bias), weights, bias, images, labels


def _softmax(scores):
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _loss(weights, bias, images, labels):
    probabilities = _softmax(images.reshape(len(images), -1) @ weights + bias)
    return -np.log(probabilities[np.arange(len(labels)), labels])


def test_loss_gradient_of_softmax_regression_is_w_times_p_minus_onehot(linear):
    model, weights, bias, images, labels = linear
    probabilities = _softmax(images.reshape(len(images), -1) @ weights + bias)
    onehot = np.eye(3)[labels]
    expected = ((probabilities - onehot) @ weights.T).reshape(images.shape)
    np.testing.assert_allclose(explain.loss_gradient(model, images, labels), expected, atol=1e-5)


def test_fgsm_perturbation_is_epsilon_times_the_gradient_sign_and_raises_the_loss(linear):
    model, weights, bias, images, labels = linear
    gradient = explain.loss_gradient(model, images, labels)
    perturbation = explain.fgsm_perturbation(model, images, labels, epsilon=0.05)
    np.testing.assert_array_equal(perturbation, np.float32(0.05) * np.sign(gradient))
    assert set(np.unique(perturbation)) <= {-np.float32(0.05), 0.0, np.float32(0.05)}
    attacked = explain.fgsm_attack(model, images, labels, epsilon=0.05, clip=None)
    np.testing.assert_allclose(attacked, images + perturbation, atol=1e-7)
    assert np.all(_loss(weights, bias, attacked, labels) > _loss(weights, bias, images, labels))


def test_fgsm_attack_keeps_pixels_in_range_and_within_epsilon(linear):
    model, _, _, images, labels = linear
    attacked = explain.fgsm_attack(model, images, labels, epsilon=0.3)
    assert attacked.min() >= 0 and attacked.max() <= 1
    assert np.abs(attacked - images).max() <= 0.3 + 1e-6


def test_a_saturated_softmax_still_has_a_gradient():
    weights = np.zeros((6, 2), np.float32)
    weights[:, 0], weights[:, 1] = 2.0, -2.0  # class 0 wins with probability 1.0 in float32
    model = _linear_model(weights, np.zeros(2, np.float32))
    images = np.full((1, 2, 3, 1), 0.9, np.float32)
    assert float(model(images)[0, 0]) == 1.0
    gradient = explain.loss_gradient(model, images, [0])
    assert np.all(gradient < 0)  # more of every pixel makes class 0 even surer


def test_accuracy_under_attack(linear):
    model, _, _, images, labels = linear
    clean = np.mean(explain.predict_classes(model, images) == labels)
    accuracies = explain.accuracy_under_attack(model, images, labels, [0.0, 0.5, 1.0])
    assert accuracies.shape == (3,) and accuracies[0] == clean
    assert accuracies[-1] <= accuracies[0]
    noise = explain.accuracy_under_attack(model, images, labels, [0.0, 0.1], random_signs=True)
    assert noise[0] == clean


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epsilon": -0.1}, "epsilon must be a finite number >= 0"),
        ({"epsilon": "big"}, "epsilon must be a number"),
    ],
)
def test_fgsm_rejects_bad_epsilon(linear, options, message):
    model, _, _, images, labels = linear
    with pytest.raises(ValueError, match=message):
        explain.fgsm_perturbation(model, images, labels, **options)


def test_fgsm_rejects_labels_that_do_not_fit(linear):
    model, _, _, images, labels = linear
    with pytest.raises(ValueError, match="labels must be a 1-D array with one int per image"):
        explain.loss_gradient(model, images, labels[:3])
    with pytest.raises(ValueError, match="labels must be integers"):
        explain.loss_gradient(model, images, labels.astype(float))


def test_fgsm_explorer_contract_with_the_pretrained_model():
    app = widgets.fgsm_explorer()
    assert isinstance(app, ipywidgets.Widget)
    assert set(app.controls) == {"image", "epsilon"}
    result = app.result
    assert result["adversarial"].shape == (28, 28, 1)
    assert result["clean_probabilities"].shape == (len(pretrain.SOURCE_CLASSES),)
    epsilon = np.float32(result["epsilon"])
    assert set(np.unique(result["perturbation"])) <= {-epsilon, 0.0, epsilon}
    before = app.output.outputs[0]["data"]["image/png"]
    app.controls["epsilon"].value = 0.0
    np.testing.assert_array_equal(app.result["adversarial"], app.result["image"])
    assert app.result["fooled"] is False
    assert app.summary.value.startswith("epsilon 0.00: ") and "fooled" not in app.summary.value
    assert app.output.outputs[0]["data"]["image/png"] != before
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


def test_check_freeze_up_to(capsys):
    def solution(model, layer_name):
        names = [layer.name for layer in model.layers]
        for index, layer in enumerate(model.layers):
            layer.trainable = index > names.index(layer_name)
        return model

    def only_that_layer(model, layer_name):
        model.get_layer(layer_name).trainable = False
        return model

    assert checks.check_freeze_up_to(solution)
    assert "all 4 cases pass" in capsys.readouterr().out
    assert not checks.check_freeze_up_to(only_that_layer)
    assert "Hint" in capsys.readouterr().out
    assert not checks.check_freeze_up_to(lambda model, layer_name: None, verbose=False)


def test_check_fgsm_step(capsys):
    assert checks.check_fgsm_step(
        lambda image, gradient, epsilon: np.clip(image + epsilon * np.sign(gradient), 0, 1)
    )
    assert not checks.check_fgsm_step(
        lambda image, gradient, epsilon: image + epsilon * np.sign(gradient)
    )
    assert "np.clip" in capsys.readouterr().out
    assert not checks.check_fgsm_step(lambda image, gradient, epsilon: None, verbose=False)


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
    assert app.output.outputs[0]["data"]["image/png"]
