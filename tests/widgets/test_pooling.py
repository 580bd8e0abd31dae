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
    photo = data.sample_image("chelsea", size=128, gray=True)
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
    app = widgets.pooling_explorer(image=np.random.default_rng(0).random((8, 8)))
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
