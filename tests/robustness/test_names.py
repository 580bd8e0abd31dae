"""Rule: where a sequence of names is expected, a single string is refused with a TypeError that
shows the fix, instead of being read one character at a time."""

import numpy as np
import pytest

from cnn_lessons import explain, plots, pretrain, widgets
from cnn_lessons.widgets import optimizers


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda m, x: explain.activations(m, x, "conv"), "layer_names"),
        (lambda m, x: explain.feature_maps(m, x[0], "conv"), "layer_names"),
        (lambda m, x: widgets.feature_map_browser(m, x, layer_names="conv"), "layer_names"),
        (lambda m, x: widgets.feature_map_browser(m, x, class_names="0123456789"), "class_names"),
        (lambda m, x: widgets.prediction_explorer(m, x, class_names="abc"), "class_names"),
        (
            lambda m, x: widgets.fgsm_explorer(m, x, [0, 1, 2, 1, 0], class_names="abc"),
            "class_names",
        ),
        (lambda m, x: widgets.optimizer_trajectories(optimizers="Adam"), "optimizers"),
        (lambda m, x: optimizers.race("elongated", 0.1, 10, "Adam"), "optimizers"),
        (lambda m, x: plots.plot_probabilities([0.5, 0.5], class_names="ab"), "class_names"),
        (lambda m, x: plots.plot_confusion_matrix(np.eye(2), class_names="ab"), "class_names"),
        (lambda m, x: plots.show_images(np.zeros((2, 3, 3)), titles="ab"), "titles"),
        (lambda m, x: plots.plot_shape_diagram("ab", [(4, 4, 1), (2,)]), "names"),
        (lambda m, x: pretrain.class_labels("cat"), "names"),
        (lambda m, x: pretrain.animal_subset("cat"), "names"),
    ],
)
def test_a_single_string_is_not_a_list_of_names(softmax_model, images, call, argument):
    with pytest.raises(TypeError, match=rf"{argument} must be a sequence of names such as \["):
        call(softmax_model, images)


def test_the_names_still_work_as_a_list(softmax_model, images):
    assert list(explain.activations(softmax_model, images, ["conv"])) == ["conv"]
    assert pretrain.class_labels(["cat"]).tolist() == [2]


def test_deep_dream_layer_names():
    import keras

    inputs = keras.Input((None, None, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same", name="conv")(inputs))
    with pytest.raises(TypeError, match="layer_names must be a sequence of names"):
        explain.deep_dream(model, np.zeros((16, 16)), layer_names="conv")
