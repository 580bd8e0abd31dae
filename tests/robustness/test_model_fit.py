"""Rule: a model that does not fit its data is refused when the function or app is called, not
when a slider reaches the bad image: fewer outputs than the labels need, raw scores where
probabilities are expected, an input shape the images do not have, or no known input at all."""

import keras
import numpy as np
import pytest

from cnn_lessons import adversarial, explain, widgets


def _no_input_model():
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(3)])
    return model


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m, x: widgets.prediction_explorer(m, x, [0, 1, 2, 3, 4]), ValueError, "0 to 2"),
        (lambda m, x: widgets.fgsm_explorer(m, x, [0, 1, 2, 1, 3]), ValueError, "0 to 2"),
        (lambda m, x: adversarial.loss_gradient(m, x, [0, 1, 2, 1, 5]), ValueError, "0 to 2"),
        (
            lambda m, x: adversarial.accuracy_under_attack(m, x, [9, 0, 0, 0, 0], [0.1]),
            ValueError,
            "0 to 2",
        ),
        (
            lambda m, x: widgets.feature_map_browser(
                m, x, labels=[0, 1, 0, 1, 3], class_names=["a", "b", "c"]
            ),
            ValueError,
            "0 to 2",
        ),
        (
            lambda m, x: widgets.prediction_explorer(m, np.zeros((5, 5, 5))),
            ValueError,
            r"\(N, 4, 4, 1\)",
        ),
        (
            lambda m, x: widgets.fgsm_explorer(m, np.zeros((5, 4, 4, 3)), [0] * 5),
            ValueError,
            "shape",
        ),
        (lambda m, x: widgets.feature_map_browser(m, np.zeros((5, 8, 8))), ValueError, "shape"),
        (lambda m, x: explain.saliency(m, np.zeros((5, 5))), ValueError, "model expects"),
        (lambda m, x: explain.activations(m, np.zeros((2, 3, 3)), ["conv"]), ValueError, "shape"),
        (
            lambda m, x: explain.top_activating_patches(
                m, np.zeros((3, 2, 2)), layer_name="conv", channels=[0]
            ),
            ValueError,
            "shape",
        ),
        (lambda m, x: adversarial.predict_classes(m, np.zeros((2, 4, 5))), ValueError, "shape"),
        (lambda m, x: widgets.prediction_explorer("model", x), TypeError, "model"),
        (lambda m, x: explain.saliency("model", x[0]), TypeError, "keras.Model"),
    ],
)
def test_a_model_that_does_not_fit_the_data_is_refused_at_once(
    softmax_model, images, call, error, message
):
    with pytest.raises(error, match=message):
        call(softmax_model, images)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: widgets.fgsm_explorer(m, x, [0, 1, 2, 1, 0]),
        lambda m, x: adversarial.loss_gradient(m, x, [0, 1, 2, 1, 0]),
        lambda m, x: adversarial.fgsm_attack(m, x, [0, 1, 2, 1, 0], epsilon=0.1),
        lambda m, x: adversarial.fgsm_perturbation(m, x, [0, 1, 2, 1, 0], epsilon=0.1),
        lambda m, x: adversarial.accuracy_under_attack(m, x, [0, 1, 2, 1, 0], [0.1]),
    ],
    ids=[
        "fgsm_explorer",
        "loss_gradient",
        "fgsm_attack",
        "fgsm_perturbation",
        "accuracy_under_attack",
    ],
)
def test_raw_scores_where_probabilities_are_expected_are_refused(logits_model, images, call):
    with pytest.raises(ValueError, match="must output probabilities.*from_logits=True"):
        call(logits_model, images)


def test_raw_scores_are_fine_when_said_so(logits_model, images):
    gradient = adversarial.loss_gradient(logits_model, images, [0, 1, 2, 1, 0], from_logits=True)
    assert gradient.shape == images.shape


def test_a_model_without_a_known_input_is_refused(images):
    with pytest.raises(ValueError, match="keras.Input"):
        explain.saliency(_no_input_model(), images[0])
    with pytest.raises(ValueError, match="keras.Input"):
        widgets.prediction_explorer(_no_input_model(), images)
