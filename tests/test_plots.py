import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

from cnn_lessons import conv, optim, plots


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
    colors = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in ax.patches]
    gray, orange, green = (
        matplotlib.colors.to_hex(c) for c in ("tab:gray", "tab:orange", "tab:green")
    )
    assert colors == [gray, orange, green]  # the prediction orange, the true class green
    assert [label.get_text() for label in ax.get_yticklabels()] == ["x", "y", "z"]
    assert [bar.get_width() for bar in ax.patches] == pytest.approx([0.1, 0.7, 0.2])
    right = plots.plot_probabilities([0.1, 0.7, 0.2], true_label=1)
    assert matplotlib.colors.to_hex(right.patches[1].get_facecolor()) == green


def test_plot_conv_grid_marks_the_window():
    input_ax, output_ax = plots.plot_conv_grid(5, 3, stride=2, padding=(1, 1), dilation=1, step=3)
    grid = input_ax.images[0].get_array()
    assert grid.shape == (7, 7, 3)
    taps = np.all(np.isclose(grid, (0.96, 0.55, 0.16)), axis=-1)
    # step 3 of a 3 x 3 output is row 1, column 0: the window starts 2 rows down
    assert np.argwhere(taps).min(axis=0).tolist() == [2, 0] and taps.sum() == 9
    assert output_ax.images[0].get_array().shape == (3, 3, 3)
    dilated, _ = plots.plot_conv_grid(7, 3, dilation=2, padding=(0, 0), step=0)
    assert np.all(np.isclose(dilated.images[0].get_array(), (0.96, 0.55, 0.16)), axis=-1).sum() == 9
    with pytest.raises(ValueError, match="step"):
        plots.plot_conv_grid(5, 3, step=9)
    with pytest.raises(ValueError, match="spans"):
        plots.plot_conv_grid(3, 5)


def test_plot_pooling_windows_and_kernel_values():
    ax = plots.plot_pooling_windows(np.arange(100.0).reshape(10, 10), 3, stride=2, count=3)
    assert len(ax.patches) == 3
    assert [patch.get_x() for patch in ax.patches] == pytest.approx([-0.5, 1.62, 3.74])
    ax = plots.plot_kernel_values(conv.KERNELS["sobel_x"], title="sobel x")
    assert [text.get_text() for text in ax.texts[:3]] == ["-1", "0", "1"]
    assert ax.get_title() == "sobel x"
    with pytest.raises(ValueError, match="2-D"):
        plots.plot_kernel_values(np.ones((3, 3, 3)))


def test_plot_optimizer_paths_draws_one_line_per_optimizer():
    xs, ys, values = optim.surface_grid("elongated", resolution=30)
    paths = {"SGD": np.array([[-4.5, 1.5], [-4.0, 0.5]]), "Adam": np.array([[-4.5, 1.5]])}
    ax = plots.plot_optimizer_paths(xs, ys, values, paths, minimum=(0, 0), title="toy")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["SGD", "Adam", "start", "minimum"]
    assert ax.get_title() == "toy"
    with pytest.raises(ValueError, match="2-D grids of one shape"):
        plots.plot_optimizer_paths(xs, ys, values[:5], paths)
    with pytest.raises(ValueError, match=r"paths\['bad'\] must have shape"):
        plots.plot_optimizer_paths(xs, ys, values, {"bad": np.zeros(3)})


def test_plot_mosaic_flags_and_highlights():
    ax = plots.plot_mosaic(np.random.default_rng(0).random((5, 4, 4)), highlight=1, flagged=[3])
    assert len(ax.images) == 1 and len(ax.patches) == 1 and len(ax.lines) == 2
    assert ax.images[0].get_array().shape == (2 * 5 - 1, 3 * 5 - 1)  # 2 rows of 3 tiles
    with pytest.raises(ValueError, match="images"):
        plots.plot_mosaic(np.zeros((4, 4)))


def test_plot_heatmap_overlay_and_shape_diagram():
    ax = plots.plot_heatmap_overlay(np.zeros((6, 6, 3)), np.ones((6, 6)), title="x")
    assert len(ax.images) == 2
    digit = np.zeros((6, 6))
    digit[2:4, 1:5] = 1.0
    ax = plots.plot_heatmap_overlay(digit, np.ones((6, 6)), outline=True)
    assert len(ax.images) == 1 and len(ax.collections) >= 1  # the heatmap and a contour
    ax = plots.plot_heatmap_overlay(
        digit, np.array([[-1.0, 3.0]] * 3 + [[0, 0]] * 3).repeat(3, 1), cmap="RdBu_r", center=0.0
    )
    assert ax.images[-1].get_clim() == (-3.0, 3.0)
    with pytest.raises(ValueError, match="heatmap"):
        plots.plot_heatmap_overlay(np.zeros((6, 6)), np.ones((5, 6)))
    ax = plots.plot_shape_diagram(["conv", "pool", "dense"], [(28, 28, 8), (14, 14, 8), (10,)])
    assert len(ax.patches) == 3
    with pytest.raises(ValueError, match="names and shapes"):
        plots.plot_shape_diagram(["a"], [])
