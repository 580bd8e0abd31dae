"""Checks of the grid-search and augmentation lessons."""

import numpy as np
import pytest

from cnn_lessons import augment, checks


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
