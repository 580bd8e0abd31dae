"""show_image, show_images, plot_mosaic, plot_heatmap_overlay."""

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


def test_plot_mosaic_flags_and_highlights():
    ax = plots.plot_mosaic(np.random.default_rng(0).random((5, 4, 4)), highlight=1, flagged=[3])
    assert len(ax.images) == 1 and len(ax.patches) == 1 and len(ax.lines) == 2
    assert ax.images[0].get_array().shape == (2 * 5 - 1, 3 * 5 - 1)  # 2 rows of 3 tiles
    with pytest.raises(ValueError, match="images"):
        plots.plot_mosaic(np.zeros((4, 4)))


def test_plot_heatmap_overlay():
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
