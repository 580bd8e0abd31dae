"""Checks of the grid-search and augmentation lessons."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._framework import CheckResult, Mistake, check_function, register_hints

# --- cost of a grid search --------------------------------------------------------------------

register_hints(
    "grid_cost",
    [
        "a grid search tries every combination of the listed values, and trains each "
        "combination once per fold, for the given number of epochs. How many combinations "
        "does a grid of two lists with 2 and 3 values have?",
        "the number of combinations is the product of the lists' lengths (not their sum, not "
        "the number of keys); an empty grid has one combination, the estimator as it is. The "
        "final refit on all the data is not counted.",
    ],
    answer="`math.prod(len(values) for values in param_grid.values()) * folds * epochs`",
)


def _grid_cost_reference(param_grid, folds, epochs):
    candidates = 1
    for values in param_grid.values():
        candidates *= len(values)
    return candidates * folds * epochs


def _candidates(grid):
    return math.prod(len(values) for values in grid.values())


GRID_COST_MISTAKES = [
    Mistake(
        lambda grid, folds, epochs: sum(len(values) for values in grid.values()) * folds * epochs,
        "This adds the lists' lengths; the grid tries every combination, so they multiply",
    ),
    Mistake(
        lambda grid, folds, epochs: len(grid) * folds * epochs,
        "This counts the hyperparameters (the keys), not the combinations of their values",
    ),
    Mistake(
        lambda grid, folds, epochs: _candidates(grid) * folds,
        "The epochs are missing: each fit trains for `epochs` epochs",
    ),
    Mistake(
        lambda grid, folds, epochs: _candidates(grid) * epochs,
        "The folds are missing: each combination is trained once per fold",
    ),
    Mistake(
        lambda grid, folds, epochs: (_candidates(grid) * folds + 1) * epochs,
        "This counts the final refit too; the exercise counts only the search",
    ),
]


def check_grid_cost(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(param_grid, folds, epochs)`` counts the epochs a grid search trains.

    ``param_grid`` is a dict of lists, as for ``GridSearchCV``; the answer is the product of the
    list lengths times ``folds`` times ``epochs`` (the final refit is not counted).
    """
    cases = [
        (({"batch_size": [16, 32, 64]}, 2, 3), {}),
        (({"batch_size": [10, 20], "optimizer": ["sgd", "adam", "rmsprop"]}, 3, 10), {}),
        (({"filters": [4], "dropout": [0.0, 0.2, 0.4, 0.6], "activation": ["relu"]}, 5, 20), {}),
        (({}, 2, 4), {}),
    ]
    return check_function(
        "grid_cost",
        function,
        _grid_cost_reference,
        cases,
        mistakes=GRID_COST_MISTAKES,
        verbose=verbose,
    )


# --- featurewise standardization --------------------------------------------------------------

register_hints(
    "featurewise_standardize",
    [
        "featurewise means one mean and one standard deviation per channel, computed over the "
        "whole batch: every image, row and column. What happens to a channel whose values are "
        "all equal?",
        "average over axes (0, 1, 2), which leaves one number per channel (or one number for "
        "(N, H, W) images), use the population standard deviation as Keras does, and divide by "
        "at least 1e-7 so that a constant channel becomes 0 rather than nan.",
    ],
    answer="`mean = images.mean(axis=(0, 1, 2))`, `std = images.std(axis=(0, 1, 2))`, "
    "`return (images - mean) / np.maximum(std, 1e-7)`",
)


def _standardized(images, axis, ddof=0):
    images = np.asarray(images, dtype=np.float64)
    mean = images.mean(axis=axis, keepdims=True)
    return (images - mean) / np.maximum(images.std(axis=axis, keepdims=True, ddof=ddof), 1e-7)


FEATUREWISE_MISTAKES = [
    Mistake(
        lambda images: _standardized(images, None),
        "This uses one mean and one standard deviation for all channels together; each "
        "channel has its own",
    ),
    Mistake(
        lambda images: _standardized(images, (1, 2)),
        "This standardizes each image with its own statistics (samplewise); featurewise uses "
        "the whole batch's",
    ),
    Mistake(
        lambda images: _standardized(images, (0, 1, 2), ddof=1),
        "This uses the sample standard deviation (dividing by n - 1); Keras uses the "
        "population one",
    ),
]


def check_featurewise_standardize(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(images)`` standardizes a batch with its own per-channel statistics.

    ``images`` is ``(N, H, W)`` or ``(N, H, W, C)``; the result is
    ``(images - mean) / max(std, 1e-7)`` with one mean and one (population) standard deviation per
    channel, over all images, rows and columns, as ``keras.layers.Normalization`` computes them.
    """
    from cnn_lessons import augment

    generator = np.random.default_rng(8)
    constant_channel = generator.random((3, 2, 2, 2)).astype(np.float32)
    constant_channel[..., 1] = 0.5
    cases = [
        ((generator.random((4, 3, 3)).astype(np.float32),), {}),
        ((generator.integers(0, 256, size=(5, 4, 4, 3), dtype=np.uint8),), {}),
        ((constant_channel,), {}),
    ]
    return check_function(
        "featurewise_standardize",
        function,
        lambda images: augment.featurewise_standardize(images),
        cases,
        mistakes=FEATUREWISE_MISTAKES,
        rtol=1e-5,
        atol=1e-5,
        verbose=verbose,
    )
