"""Rule: a drawing picks its colour limits from the data it is given: [0, 1] for pictures inside
it, the data's own range otherwise (finite values only), a symmetric range for signed maps, and
never an empty or NaN range."""

import numpy as np
import pytest

from cnn_lessons import plots, widgets


@pytest.mark.parametrize(
    ("picture", "limits"),
    [
        (np.array([[0.2, 0.5]]), (0.0, 1.0)),
        (np.array([[0.0, 3.5]]), (0.0, 3.5)),
        (np.array([[-1.0, 2.0]]), (-1.0, 2.0)),
        (np.array([[200.0, 300.0]]), (0.0, 300.0)),
        (np.array([[np.nan, 2.0]]), (0.0, 2.0)),
        (np.array([[7.0, 7.0]]), (0.0, 7.0)),
        (np.array([[-3.0, -3.0]]), (-3.0, -2.0)),
        (np.array([[0, 255]], np.uint8), (0.0, 1.0)),
    ],
)
def test_show_image_limits_come_from_the_picture(picture, limits):
    ax = plots.show_image(picture)
    assert ax.images[0].get_clim() == pytest.approx(limits)


def test_a_colour_picture_outside_0_1_is_rescaled_not_clipped():
    ax = plots.show_image(np.linspace(0, 4, 12).reshape(2, 2, 3))
    shown = ax.images[0].get_array()
    assert shown.min() == 0 and shown.max() == 1


@pytest.mark.parametrize(
    ("kernel", "limit"),
    [
        (np.zeros((3, 3)), 1.0),
        (np.array([[1.0, -4.0], [2.0, 0.0]]), 4.0),
        (np.array([[np.nan, 2.0], [np.inf, -1.0]]), 2.0),
    ],
)
def test_kernel_colours_are_symmetric_around_zero(kernel, limit):
    ax = plots.plot_kernel(kernel)
    assert ax.images[0].get_clim() == (-limit, limit)


def test_mosaic_scales_each_tile_or_all_together():
    tiles = np.stack([np.full((2, 2), 5.0), np.array([[0.0, 10.0], [10.0, 0.0]])])
    each = plots.plot_mosaic(tiles, ncols=2).images[0].get_array()
    assert each[0, 0] == 0 and each[0, 4] == 1  # a flat tile is 0, the other stretched
    together = plots.plot_mosaic(tiles, ncols=2, normalize_each=False).images[0].get_array()
    assert together[0, 0] == 0.5


def test_signed_heatmaps_centre_their_scale():
    heatmap = np.array([[-1.0, 3.0], [0.0, np.nan]])
    ax = plots.plot_heatmap_overlay(np.zeros((2, 2)), heatmap, cmap="RdBu_r", center=0.0)
    assert ax.images[-1].get_clim() == (-3.0, 3.0)
    flat = plots.plot_heatmap_overlay(np.zeros((2, 2)), np.zeros((2, 2)), center=0.0)
    assert flat.images[-1].get_clim() == (-1.0, 1.0)


@pytest.mark.parametrize(
    ("picture", "limits"),
    [
        (np.full((3, 3), 0.25), (0, 1)),
        (np.full((3, 3), 40.0), (0.0, 40.0)),
        (-np.ones((3, 3)), (-1.0, 0.0)),
    ],
)
def test_app_canvases_pick_limits_from_the_data(picture, limits):
    canvas = widgets.Canvas(1, figsize=(1, 1))
    shown = canvas.image("picture", canvas.axes[0], picture)
    assert shown.get_clim() == pytest.approx(limits)
