import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

from cnn_lessons import plots


def test_show_image_creates_or_reuses_axes():
    ax = plots.show_image(np.zeros((5, 5)), title="zeros")
    assert isinstance(ax, Axes) and ax.get_title() == "zeros"
    _, given = plt.subplots()
    assert plots.show_image(np.ones((4, 4, 3)), given) is given
    assert plots.show_image(np.ones((4, 4, 1), dtype=np.uint8) * 200).images


def test_show_image_rejects_bad_shapes():
    with pytest.raises(ValueError, match="image must have shape"):
        plots.show_image(np.zeros((2, 2, 2, 2)))


def test_show_images_grid_and_titles():
    axes = plots.show_images(np.zeros((5, 6, 6)), titles=list("abcde"), ncols=3)
    assert len(axes) == 5 and all(isinstance(ax, Axes) for ax in axes)
    assert [ax.get_title() for ax in axes] == list("abcde")
    with pytest.raises(ValueError, match="titles must have one entry per image"):
        plots.show_images(np.zeros((2, 3, 3)), titles=["only one"])


def test_plot_history_draws_training_and_validation():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}
    axes = plots.plot_history(history)
    assert len(axes) == 2
    assert len(axes[0].lines) == 2 and len(axes[1].lines) == 1
    keras_history = keras.callbacks.History()
    keras_history.history = history
    assert len(plots.plot_history(keras_history, metrics=("loss",))) == 1
    with pytest.raises(ValueError, match="history has none of the metrics"):
        plots.plot_history({"mae": [1.0]})


def test_plot_confusion_matrix_and_kernel_return_axes():
    ax = plots.plot_confusion_matrix(np.array([[3, 1], [0, 4]]), class_names=["a", "b"])
    assert isinstance(ax, Axes) and ax.get_xlabel() == "predicted"
    assert [t.get_text() for t in ax.texts] == ["3", "1", "0", "4"]
    assert isinstance(plots.plot_kernel(np.eye(3)), Axes)
    with pytest.raises(ValueError, match="matrix must be square"):
        plots.plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="kernel must be 2-D"):
        plots.plot_kernel(np.zeros((3, 3, 3)))


def test_plot_probabilities_highlights_prediction():
    ax = plots.plot_probabilities([0.1, 0.7, 0.2], class_names=["x", "y", "z"], true_label=2)
    assert isinstance(ax, Axes) and len(ax.patches) == 3
