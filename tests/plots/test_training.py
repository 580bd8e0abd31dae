"""Learning curves, the confusion matrix and class probabilities."""

import keras
import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes

from cnn_lessons import plots


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


def test_plot_probabilities_highlights_prediction():
    ax = plots.plot_probabilities([0.1, 0.7, 0.2], class_names=["x", "y", "z"], true_label=2)
    assert isinstance(ax, Axes) and len(ax.patches) == 3
    colors = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in ax.patches]
    gray, orange, green = (
        matplotlib.colors.to_hex(c) for c in ("tab:gray", "tab:orange", "tab:green")
    )
    assert colors == [gray, orange, green]  # the prediction orange, the true class green
    assert [label.get_text() for label in ax.get_yticklabels()] == ["x", "y", "z"]
    assert [bar.get_width() for bar in ax.patches] == pytest.approx([0.1, 0.7, 0.2])
    right = plots.plot_probabilities([0.1, 0.7, 0.2], true_label=1)
    assert matplotlib.colors.to_hex(right.patches[1].get_facecolor()) == green


def test_plot_confusion_matrix_returns_axes():
    ax = plots.plot_confusion_matrix(np.array([[3, 1], [0, 4]]), class_names=["a", "b"])
    assert isinstance(ax, Axes) and ax.get_xlabel() == "predicted"
    assert [t.get_text() for t in ax.texts] == ["3", "1", "0", "4"]
    with pytest.raises(ValueError, match="matrix must be square"):
        plots.plot_confusion_matrix(np.zeros((2, 3)))
