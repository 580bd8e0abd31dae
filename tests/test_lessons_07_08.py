"""Lessons 07-08: the augmentation explorer widget and the exercise checks."""

import time

import numpy as np
import pytest

from cnn_lessons import augment, checks, widgets


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
    assert len(explorer.output.outputs) == 1  # the figure
    assert "image/png" in explorer.output.outputs[0]["data"]


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
        ((), {"ncols": 0}, "ncols must be a positive int"),
    ],
)
def test_explorer_rejects_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.augmentation_explorer(*args, **kwargs)


def test_explorer_redraws_quickly(explorer):
    """Median CPU time of a control round trip (augment, draw, PNG) stays under 250 ms."""
    seconds = []
    for seed in range(1, 9):
        start = time.process_time()
        explorer.controls["seed"].value = seed
        seconds.append(time.process_time() - start)
    explorer.controls["seed"].value = 0
    assert np.median(seconds) < 0.25, f"median redraw {np.median(seconds) * 1000:.0f} ms"


# --- checks -----------------------------------------------------------------------------------


def test_check_grid_cost_passes_a_correct_solution(capsys):
    import math

    result = checks.check_grid_cost(
        lambda grid, folds, epochs: math.prod(len(v) for v in grid.values()) * folds * epochs
    )
    assert result and result.cases == 4
    assert "all 4 cases pass" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("solution", "expected"),
    [
        (lambda grid, folds, epochs: None, "forget to `return`"),
        (lambda grid, folds, epochs: sum(len(v) for v in grid.values()) * folds * epochs, "case 2"),
        (lambda grid, folds, epochs: len(grid) * folds * epochs, "case 1"),
        (
            lambda grid, folds, epochs: np.prod([len(v) for v in grid.values()]) * folds,
            "case 1",
        ),
    ],
)
def test_check_grid_cost_reports_mistakes(solution, expected, capsys):
    result = checks.check_grid_cost(solution)
    assert not result
    printed = capsys.readouterr().out
    assert expected in printed and "Hint:" in printed


def test_check_featurewise_standardize_passes_correct_solutions(capsys):
    def from_scratch(images):
        mean = images.mean(axis=(0, 1, 2))
        std = images.std(axis=(0, 1, 2))
        return (images - mean) / np.maximum(std, 1e-7)

    assert checks.check_featurewise_standardize(from_scratch)
    assert checks.check_featurewise_standardize(augment.featurewise_standardize)
    assert "all 3 cases pass" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("solution", "expected"),
    [
        (lambda images: None, "forget to `return`"),
        # one mean for all channels instead of one per channel
        (lambda images: (images - images.mean()) / images.std(), "case 2"),
        # samplewise: each image with its own statistics
        (
            lambda images: (
                (images - images.mean(axis=(1, 2), keepdims=True))
                / images.std(axis=(1, 2), keepdims=True)
            ),
            "case 1",
        ),
        # dividing by a zero standard deviation
        (
            lambda images: (images - images.mean(axis=(0, 1, 2))) / images.std(axis=(0, 1, 2)),
            "case 3",
        ),
    ],
)
def test_check_featurewise_standardize_reports_mistakes(solution, expected, capsys):
    with np.errstate(divide="ignore", invalid="ignore"):
        result = checks.check_featurewise_standardize(solution)
    assert not result
    printed = capsys.readouterr().out
    assert expected in printed and "Hint:" in printed
