"""The pooling explorer and its compute steps, ``edge_features`` and ``pool_features``."""

import numpy as np
import pytest

from cnn_lessons import conv, data, widgets
from cnn_lessons.widgets import pooling

from .conftest import assert_explains


@pytest.fixture
def explorer():
    return widgets.pooling_explorer()


def test_pooling_equals_pool2d(explorer):
    app = explorer
    photo = data.sample_image("chelsea", size=144, gray=True)[8:136, 8:136]  # as the lesson
    features = np.maximum(conv.conv2d(photo, conv.KERNELS["outline"]), 0)
    np.testing.assert_allclose(app.result["feature_map"], features, atol=1e-6)
    np.testing.assert_allclose(app.result["output"], conv.pool2d(features, 2), atol=1e-6)
    assert app.result["summary"].startswith(
        "max pooling 2x2, stride 2, valid: feature map 126 x 126 → output 63 x 63"
    )
    for mode in ("avg", "min"):
        app.controls["mode"].value = mode
        np.testing.assert_allclose(
            app.result["output"], conv.pool2d(features, 2, mode=mode), atol=1e-6
        )
    app.controls["padding"].value = "same"
    app.controls["pool_size"].value = 3
    np.testing.assert_allclose(
        app.result["output"],
        conv.pool2d(features, 3, stride=2, padding="same", mode="min"),
        atol=1e-6,
    )


def test_every_pooling_control_changes_the_result(explorer):
    app = explorer
    for name, value in [
        ("filter", "sobel_x"),
        ("relu", False),
        ("pool_size", 3),
        ("stride", 4),
        ("padding", "same"),
        ("mode", "avg"),
        ("shift", 2),
    ]:
        before, picture = app.result, app.png
        app.controls[name].value = value
        assert "error" not in app.result
        assert before["output"].shape != app.result["output"].shape or not np.allclose(
            before["output"], app.result["output"]
        ), name
        assert app.png != picture


def test_pooling_summary_says_when_windows_overlap(explorer):
    app = explorer
    assert not app.result["overlap"] and "divided by 2" in app.result["summary"]
    app.controls["pool_size"].value = 3
    assert app.result["overlap"] and "overlapping windows" in app.result["summary"]
    app.controls["stride"].value = 5
    assert not app.result["overlap"] and "never looked at" in app.result["summary"]


def test_pooling_explains_a_window_larger_than_the_map():
    app = widgets.pooling_explorer(image=np.random.default_rng(0).random((8, 12)))
    assert app.result["photo"].shape == (8, 8)  # 4 columns kept for the shift
    assert app.result["shape"] == (3, 3)  # 6 x 6 feature map
    app.controls["pool_size"].value = 7
    assert_explains(app, "pool_size")
    app.controls["padding"].value = "same"
    assert app.result["shape"] == (3, 3)


def test_edge_features_and_pool_features_alone():
    photo = np.zeros((12, 12))
    photo[:, 6:] = 1.0  # one vertical edge
    features, busiest = pooling.edge_features(photo, "sobel_x")
    np.testing.assert_allclose(features, np.maximum(conv.conv2d(photo, conv.KERNELS["sobel_x"]), 0))
    assert busiest[1] in range(2, 8)
    raw, _ = pooling.edge_features(photo, "sobel_x", relu=False)
    assert raw.min() == 0 and raw.max() == 4
    result = pooling.pool_features(features, pool_size=3, stride=2, padding="same", mode="avg")
    np.testing.assert_allclose(
        result["output"], conv.pool2d(features, 3, stride=2, padding="same", mode="avg")
    )
    assert result["overlap"] and result["window_origin"] == 0
    assert result["summary"].startswith("average pooling 3x3, stride 2, same")


@pytest.mark.parametrize(
    ("pool_size", "stride", "words"),
    [(2, 2, "tile the map"), (3, 2, "share 1 of their 3"), (2, 5, "3 of every 5")],
)
def test_pooling_note(pool_size, stride, words):
    assert words in pooling.pooling_note(pool_size, stride)


def test_pooling_shift_measures_the_lessons_change(explorer):
    app = explorer
    assert app.result["shift"] == 0 and app.result["pooled_change"] is None
    assert "shift" not in app.result["summary"]
    wide = data.sample_image("chelsea", size=144, gray=True)
    app.controls["shift"].value = 1
    np.testing.assert_array_equal(app.result["photo"], wide[8:136, 9:137])
    # The lesson's table: 1.04 unpooled, 0.56 after 2x2 max pooling, 0.28 (4x4), 0.11 (8x8).
    assert app.result["change"] == pytest.approx(1.04, abs=0.005)
    assert app.result["pooled_change"] == pytest.approx(0.56, abs=0.005)
    assert app.result["summary"].startswith("max pooling 2x2, stride 2, valid: feature map")
    assert app.result["summary"].endswith(
        "; shift 1 px: pooled features change by 0.56 (relative), the feature map by 1.04"
    )
    with app.hold_redraws():
        app.controls["pool_size"].value = 8
        app.controls["stride"].value = 8
    assert app.result["pooled_change"] == pytest.approx(0.11, abs=0.005)
    app.controls["shift"].value = 0
    assert app.result["pooled_change"] is None


def test_shifted_view_and_relative_change_alone():
    wide = np.arange(10 * 14, dtype=float).reshape(10, 14)
    np.testing.assert_array_equal(pooling.shifted_view(wide, 0), wide[:, :10])
    np.testing.assert_array_equal(pooling.shifted_view(wide, 3), wide[:, 3:13])
    view = pooling.shifted_view(wide, 2, top=1, left=1, size=(4, 5))
    np.testing.assert_array_equal(view, wide[1:5, 3:8])
    with pytest.raises(ValueError, match="shift must be an int from 0 to 4, got 5"):
        pooling.shifted_view(wide, 5)
    with pytest.raises(ValueError, match="at least 3 pixels high and 7 wide"):
        pooling.shifted_view(np.zeros((8, 6)), 0)
    with pytest.raises(ValueError, match="7 wide"):
        widgets.pooling_explorer(image=np.zeros((8, 6)))
    assert pooling.relative_change([3.0, 4.0], [3.0, 4.0]) == 0
    assert pooling.relative_change([3.0, 4.0], [0.0, 0.0]) == 1
    assert np.isnan(pooling.relative_change([0.0], [0.0]))
    assert pooling.relative_change([0.0], [1.0]) == np.inf
    features = np.random.default_rng(0).random((6, 6))
    moved = np.roll(features, 1, axis=1)
    result = pooling.pool_features(features, unshifted=moved, shift=1)
    assert result["change"] == pytest.approx(pooling.relative_change(moved, features))
    expected = pooling.relative_change(conv.pool2d(moved, 2), conv.pool2d(features, 2))
    assert result["pooled_change"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="unshifted must have the feature map's shape"):
        pooling.pool_features(features, unshifted=features[:5])
