"""Kernels, the convolution grid and pooling windows."""

import numpy as np
import pytest
from matplotlib.axes import Axes

from cnn_lessons import conv, plots


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


def test_conv_grid_colours_each_mean_one_thing():
    input_ax, output_ax = plots.plot_conv_grid(5, 2, dilation=2, step=2)
    gaps = {tuple(colour) for colour in input_ax.images[0].get_array().reshape(-1, 3)}
    done = {tuple(colour) for colour in output_ax.images[0].get_array().reshape(-1, 3)}
    handles = plots.conv_grid_legend_handles()
    labels = {handle.get_label(): handle.get_facecolor()[:3] for handle in handles}
    assert labels["dilation gaps"] in gaps and labels["output already computed"] in done
    assert labels["dilation gaps"] != labels["output already computed"]
    assert len({tuple(colour) for colour in labels.values()}) == len(labels)


def test_plot_pooling_windows_and_kernel_values():
    ax = plots.plot_pooling_windows(np.arange(100.0).reshape(10, 10), 3, stride=2, count=3)
    assert len(ax.patches) == 3
    assert [patch.get_x() for patch in ax.patches] == pytest.approx([-0.5, 1.62, 3.74])
    ax = plots.plot_kernel_values(conv.KERNELS["sobel_x"], title="sobel x")
    assert [text.get_text() for text in ax.texts[:3]] == ["-1", "0", "1"]
    assert ax.get_title() == "sobel x"
    with pytest.raises(ValueError, match="2-D"):
        plots.plot_kernel_values(np.ones((3, 3, 3)))


def test_plot_kernel_returns_axes():
    assert isinstance(plots.plot_kernel(np.eye(3)), Axes)
    assert plots.plot_kernel_values is plots.plot_kernel
    with pytest.raises(ValueError, match="kernel must be 2-D"):
        plots.plot_kernel(np.zeros((3, 3, 3)))
