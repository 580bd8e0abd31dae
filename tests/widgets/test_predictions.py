"""The prediction explorer and its compute steps, ``predict`` and ``prediction``."""

import ipywidgets
import keras
import numpy as np
import pytest

from cnn_lessons import training, widgets
from cnn_lessons.widgets import predictions


def _tiny_classifier():
    """Three classes from 4x4 images: the class is the brightest of three fixed pixels."""
    model = keras.Sequential(
        [
            keras.Input(shape=(4, 4, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    kernel = np.zeros((16, 3), "float32")
    kernel[[0, 5, 10], [0, 1, 2]] = 20.0
    model.layers[-1].set_weights([kernel, np.zeros(3, "float32")])
    return model


def _images(classes):
    images = np.zeros((len(classes), 4, 4), np.uint8)
    for index, label in enumerate(classes):
        images[index].flat[[0, 5, 10][label]] = 255
    return images


def test_prediction_explorer_follows_the_slider_and_shows_mistakes():
    images = _images([0, 1, 2, 1, 0])
    labels = [0, 1, 1, 1, 2]  # images 2 and 4 are misclassified
    app = widgets.prediction_explorer(_tiny_classifier(), images, labels, ["a", "b", "c"])
    assert isinstance(app, ipywidgets.Widget)
    assert set(app.controls) == {"index", "only_mistakes"}
    assert app.controls["index"].max == 4
    assert app.result["predicted"] == 0 and app.result["correct"]
    assert app.result["probabilities"].shape == (3,)
    assert app.result["image"].shape == (4, 4, 1) and app.result["image"].max() == 1.0
    assert app.png
    app.controls["index"].value = 2
    assert app.result["index"] == 2 and app.result["predicted"] == 2
    assert not app.result["correct"] and "true: b" in app.result["title"]
    assert app.result["confidence"] > 0.99
    assert app.result["summary"] == "2 of 5 images misclassified; showing image 2"
    app.controls["only_mistakes"].value = True
    assert app.controls["index"].max == 1
    assert app.result["index"] in (2, 4) and not app.result["correct"]
    app.controls["index"].value = 1
    assert app.result["index"] == 4
    app.controls["only_mistakes"].value = False
    assert app.controls["index"].max == 4 and app.result["index"] == 1


def test_prediction_explorer_explains_when_there_is_no_mistake():
    images = _images([0, 1, 2])
    app = widgets.prediction_explorer(_tiny_classifier(), images, [0, 1, 2], ["a", "b", "c"])
    app.controls["only_mistakes"].value = True
    assert "no mistake to show" in app.result["error"]
    assert "Not possible" in app.message.value and app.png is None
    app.controls["only_mistakes"].value = False
    assert "error" not in app.result and app.message.value == ""


def test_prediction_explorer_without_labels_disables_mistakes_and_softmaxes_logits():
    logits = keras.Sequential(
        [keras.Input(shape=(4, 4)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    app = widgets.prediction_explorer(logits, np.random.default_rng(0).random((3, 4, 4)))
    assert app.controls["only_mistakes"].disabled
    assert app.result["true_label"] is None
    assert app.result["probabilities"].sum() == pytest.approx(1)
    assert (app.result["probabilities"] >= 0).all()


def test_prediction_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="model is required"):
        widgets.prediction_explorer()
    model = _tiny_classifier()
    with pytest.raises(ValueError, match=r"images must have shape \(N, 4, 4, 1\)"):
        widgets.prediction_explorer(model, np.zeros((2, 5, 5)), [0, 1])
    with pytest.raises(ValueError, match="labels must be a 1-D array with one int per image"):
        widgets.prediction_explorer(model, _images([0, 1]), [0])
    with pytest.raises(ValueError, match="class_names must have 3 entries"):
        widgets.prediction_explorer(model, _images([0, 1]), [0, 1], ["a", "b"])
    with pytest.raises(ValueError, match="labels were given without images"):
        widgets.prediction_explorer(model, labels=[0, 1])


def test_prediction_explorer_defaults_to_the_mnist_test_digits():
    training.seed_everything(0)
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")]
    )
    app = widgets.prediction_explorer(model)
    assert app.controls["index"].max == 999
    assert app.result["image"].shape == (28, 28, 1)
    assert app.result["true_label"] is not None


def test_predict_and_prediction_alone():
    answers = predictions.predict(_tiny_classifier(), _images([0, 1, 2, 1]), [0, 1, 1, 1])
    assert answers.class_names == ("0", "1", "2") and answers.mistakes.tolist() == [2]
    np.testing.assert_allclose(answers.probabilities.sum(axis=1), 1)
    result = predictions.prediction(answers, 0, only_mistakes=True)
    assert result["index"] == 2 and result["predicted"] == 2 and result["correct"] is False
    assert result["title"] == "image 2: predicted 2 (100.0%) ✘ (true: 1)"
    assert predictions.prediction(answers, np.int64(1))["index"] == 1
    with pytest.raises(ValueError, match="index must be from 0 to 0 .there are 1 mistakes"):
        predictions.prediction(answers, 1, only_mistakes=True)


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [
        ([0, 1, 3], ValueError, "labels must be class indices from 0 to 2"),  # 3 classes only
        ([0, -1, 2], ValueError, "labels must be class indices"),
        ([0.0, 1.0, 2.0], TypeError, "labels must be integers"),
        ([0, 1], ValueError, "one int per image"),
    ],
)
def test_predict_refuses_labels_the_model_has_no_output_for(labels, error, message):
    with pytest.raises(error, match=message):
        predictions.predict(_tiny_classifier(), _images([0, 1, 2]), labels)


def test_predict_refuses_class_names_given_as_one_string():
    with pytest.raises(TypeError, match="class_names must be a sequence of names"):
        predictions.predict(_tiny_classifier(), _images([0, 1, 2]), class_names="abc")
