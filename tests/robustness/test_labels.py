"""Rule: labels and class indices are checked against the model (or the class names) before
use: out of range, negative, not integers, or one too many or too few are refused with the
legal range in the message."""

import pytest

from cnn_lessons import adversarial, explain, plots, widgets


@pytest.mark.parametrize(
    ("labels", "error", "message"),
    [
        ([0, 1, 2, 1, 3], ValueError, "from 0 to 2 .* got 3"),
        ([0, 1, -1, 1, 0], ValueError, "got -1"),
        ([0.0, 1.0, 2.0, 1.0, 0.0], TypeError, "must be integers"),
        (["a", "b", "c", "d", "e"], TypeError, "must be integers"),
        ([0, 1, 2], ValueError, "one int per image .5."),
        ([[0, 1, 2, 1, 0]], ValueError, "1-D"),
    ],
)
def test_bad_labels_are_refused(softmax_model, images, labels, error, message):
    for call in (
        lambda: adversarial.loss_gradient(softmax_model, images, labels),
        lambda: widgets.prediction_explorer(softmax_model, images, labels),
        lambda: widgets.fgsm_explorer(softmax_model, images, labels),
    ):
        with pytest.raises(error, match=message):
            call()


@pytest.mark.parametrize(
    ("class_index", "error"),
    [(3, ValueError), (-1, ValueError), (1.5, ValueError), ("1", TypeError), (True, TypeError)],
)
def test_class_index_out_of_range(softmax_model, images, class_index, error):
    for call in (explain.saliency, explain.integrated_gradients, explain.smoothgrad):
        with pytest.raises(error, match="class_index must be None or an int from 0 to 2"):
            call(softmax_model, images[0], class_index=class_index)


def test_labels_beyond_the_class_names_of_a_browser(softmax_model, images):
    with pytest.raises(ValueError, match="labels must be class indices from 0 to 9"):
        widgets.feature_map_browser(softmax_model, images, labels=[0, 1, 2, 3, 12])


@pytest.mark.parametrize("true_label", [3, -1])
def test_a_true_label_without_a_bar(true_label):
    with pytest.raises(ValueError, match="true_label must be an int from 0 to 2"):
        plots.plot_probabilities([0.2, 0.3, 0.5], true_label=true_label)


def test_the_mistakes_view_needs_labels(softmax_model, images):
    app = widgets.prediction_explorer(softmax_model, images)
    assert app.controls["only_mistakes"].disabled
    app.controls["only_mistakes"].disabled = False
    app.controls["only_mistakes"].value = True
    assert "needs the true labels" in app.result["error"]
