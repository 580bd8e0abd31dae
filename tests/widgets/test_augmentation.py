"""The augmentation explorer and its compute step, ``augmented_mosaic``."""

import numpy as np
import pytest

from cnn_lessons import augment, widgets
from cnn_lessons.widgets import augmentation


@pytest.fixture(scope="module")
def explorer():
    return widgets.augmentation_explorer()


def test_explorer_works_without_arguments(explorer):
    assert set(explorer.controls) == {
        "rotation",
        "zoom",
        "shift",
        "flip",
        "contrast",
        "fill_mode",
        "seed",
    }
    result = explorer.result
    assert "error" not in result
    assert result["original"].shape == (80, 80, 3)
    assert result["images"].shape == (11, 80, 80, 3)
    assert result["mosaic"].shape == (2 * 80 + 2, 6 * 80 + 5 * 2, 3)
    assert explorer.png.startswith(b"\x89PNG")
    assert result["summary"].endswith("fill_mode reflect, seed 0")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("rotation", 90),
        ("zoom", 0.4),
        ("shift", 0.3),
        ("flip", "vertical"),
        ("contrast", 0.6),
        ("fill_mode", "constant"),
        ("seed", 7),
    ],
)
def test_every_control_changes_the_result(explorer, name, value):
    control = explorer.controls[name]
    old_value, old_images = control.value, explorer.result["images"]
    try:
        control.value = value
        result = explorer.result
        assert "error" not in result
        assert result["settings"][name] == value
        assert result["images"].shape == old_images.shape
        assert not np.allclose(result["images"], old_images), f"moving {name} changed nothing"
    finally:
        control.value = old_value
    np.testing.assert_array_equal(explorer.result["images"], old_images)  # same seed, same copies


def test_extreme_settings_never_show_an_error(explorer):
    extremes = {"rotation": 180, "zoom": 0.5, "shift": 0.5, "contrast": 0.9}
    old = {name: explorer.controls[name].value for name in extremes}
    try:
        for name, value in extremes.items():
            explorer.controls[name].value = value
            assert "error" not in explorer.result
        for flip in augment.FLIP_MODES:
            explorer.controls["flip"].value = flip
            assert "error" not in explorer.result
    finally:
        for name, value in old.items():
            explorer.controls[name].value = value
        explorer.controls["flip"].value = "horizontal"


def test_explorer_accepts_an_image():
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[6:22, 13:15] = 255
    app = widgets.augmentation_explorer(digit, count=5, ncols=3)
    assert app.result["images"].shape == (5, 28, 28, 1)
    assert app.result["original"].max() == pytest.approx(1.0)
    assert app.result["mosaic"].shape == (2 * 28 + 2, 3 * 28 + 2 * 2, 1)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.zeros((300, 300, 3)),), {}, "at most 256"),
        ((np.zeros(5),), {}, "image must have shape"),
        ((), {"count": 0}, "count must be an int from 1 to 23"),
        ((), {"ncols": 0}, "ncols must be an int from 1 to 24"),
    ],
)
def test_explorer_rejects_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.augmentation_explorer(*args, **kwargs)


def test_augmented_mosaic_alone():
    original = np.random.default_rng(0).random((6, 6, 1)).astype(np.float32)
    result = augmentation.augmented_mosaic(original, count=3, ncols=2, rotation=30, seed=1)
    np.testing.assert_array_equal(
        result["images"], augment.random_augmentations(original, count=3, rotation=30, seed=1)
    )
    assert result["mosaic"].shape == (2 * 6 + 2, 2 * 6 + 2, 1)
    np.testing.assert_array_equal(result["mosaic"][:6, :6], original)
