"""FGSM maths on softmax regression, where every gradient is known in closed form."""

import numpy as np
import pytest

from cnn_lessons import adversarial


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
    np.testing.assert_allclose(
        adversarial.loss_gradient(model, images, labels), expected, atol=1e-5
    )


def test_fgsm_perturbation_is_epsilon_times_the_gradient_sign_and_raises_the_loss(linear):
    model, weights, bias, images, labels = linear
    gradient = adversarial.loss_gradient(model, images, labels)
    perturbation = adversarial.fgsm_perturbation(model, images, labels, epsilon=0.05)
    np.testing.assert_array_equal(perturbation, np.float32(0.05) * np.sign(gradient))
    assert set(np.unique(perturbation)) <= {-np.float32(0.05), 0.0, np.float32(0.05)}
    attacked = adversarial.fgsm_attack(model, images, labels, epsilon=0.05, clip=None)
    np.testing.assert_allclose(attacked, images + perturbation, atol=1e-7)
    assert np.all(_loss(weights, bias, attacked, labels) > _loss(weights, bias, images, labels))


def test_fgsm_attack_keeps_pixels_in_range_and_within_epsilon(linear):
    model, _, _, images, labels = linear
    attacked = adversarial.fgsm_attack(model, images, labels, epsilon=0.3)
    assert attacked.min() >= 0 and attacked.max() <= 1
    assert np.abs(attacked - images).max() <= 0.3 + 1e-6


def test_a_saturated_softmax_still_has_a_gradient(softmax_regression):
    weights = np.zeros((6, 2), np.float32)
    weights[:, 0], weights[:, 1] = 2.0, -2.0  # class 0 wins with probability 1.0 in float32
    model = softmax_regression(weights, np.zeros(2, np.float32))
    images = np.full((1, 2, 3, 1), 0.9, np.float32)
    assert float(model(images)[0, 0]) == 1.0
    gradient = adversarial.loss_gradient(model, images, [0])
    assert np.all(gradient < 0)  # more of every pixel makes class 0 even surer


def test_accuracy_under_attack(linear):
    model, _, _, images, labels = linear
    clean = np.mean(adversarial.predict_classes(model, images) == labels)
    accuracies = adversarial.accuracy_under_attack(model, images, labels, [0.0, 0.5, 1.0])
    assert accuracies.shape == (3,) and accuracies[0] == clean
    assert accuracies[-1] <= accuracies[0]
    noise = adversarial.accuracy_under_attack(model, images, labels, [0.0, 0.1], random_signs=True)
    assert noise[0] == clean


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epsilon": -0.1}, "epsilon must be a finite number >= 0, got -0.1"),
        ({"epsilon": float("nan")}, "epsilon must be a finite number >= 0, got nan"),
    ],
)
def test_fgsm_rejects_bad_epsilon(linear, options, message):
    model, _, _, images, labels = linear
    with pytest.raises(ValueError, match=message):
        adversarial.fgsm_perturbation(model, images, labels, **options)


def test_fgsm_rejects_labels_that_do_not_fit(linear):
    model, _, _, images, labels = linear
    with pytest.raises(ValueError, match="labels must be a 1-D array with one int per image"):
        adversarial.loss_gradient(model, images, labels[:3])
    with pytest.raises(TypeError, match="labels must be integers"):
        adversarial.loss_gradient(model, images, labels.astype(float))


def test_fgsm_rejects_a_wrong_epsilon_type(linear):
    model, _, _, images, labels = linear
    with pytest.raises(TypeError, match="epsilon must be a finite number >= 0, got 'big'"):
        adversarial.fgsm_perturbation(model, images, labels, epsilon="big")


def test_perturb_is_the_one_fgsm_step_everything_uses(linear):
    model, _, _, images, labels = linear
    signs = np.sign(adversarial.loss_gradient(model, images, labels))
    stepped = adversarial.perturb(images, signs, 0.3)
    np.testing.assert_array_equal(
        stepped, adversarial.fgsm_attack(model, images, labels, epsilon=0.3)
    )
    np.testing.assert_array_equal(stepped, np.clip(images + np.float32(0.3) * signs, 0, 1))
    with pytest.raises(ValueError, match="signs must have the shape of images"):
        adversarial.perturb(images, signs[:2], 0.1)
    with pytest.raises(ValueError, match="clip must be a .low, high. pair with low < high"):
        adversarial.perturb(images, signs, 0.1, clip=(1, 0))
