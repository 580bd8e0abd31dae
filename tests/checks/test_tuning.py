"""The checks of the grid-search and augmentation lessons reject plausible bugs."""

import math

import numpy as np

from cnn_lessons import augment, checks

from ._wrong import Wrong, catalogue_tests


def grid_cost(grid, folds, epochs):
    return math.prod(len(v) for v in grid.values()) * folds * epochs


check = checks.check_grid_cost
GRID_COST = [
    Wrong(
        check,
        "sum of lengths",
        lambda grid, folds, epochs: sum(len(v) for v in grid.values()) * folds * epochs,
        r"case 2 .*adds the lists' lengths",
    ),
    Wrong(check, "keys", lambda grid, folds, epochs: len(grid) * folds * epochs, r"the keys"),
    Wrong(
        check,
        "no epochs",
        lambda grid, folds, epochs: np.prod([len(v) for v in grid.values()]) * folds,
        r"epochs are missing",
    ),
    Wrong(
        check,
        "no folds",
        lambda grid, folds, epochs: grid_cost(grid, 1, epochs),
        r"folds are missing",
    ),
    Wrong(
        check,
        "counts the refit",
        lambda grid, folds, epochs: grid_cost(grid, folds, epochs) + epochs,
        r"final refit",
    ),
    Wrong(check, "forgets return", lambda grid, folds, epochs: None, r"forget to `return`"),
]


def standardize(images):
    mean = images.mean(axis=(0, 1, 2))
    std = images.std(axis=(0, 1, 2))
    return (images - mean) / np.maximum(std, 1e-7)


check = checks.check_featurewise_standardize
STANDARDIZE = [
    Wrong(
        check,
        "one mean for all channels",
        lambda images: (images - images.mean()) / images.std(),
        r"case 2 .*all channels together",
    ),
    Wrong(
        check,
        "samplewise",
        lambda images: (
            (images - images.mean(axis=(1, 2), keepdims=True))
            / images.std(axis=(1, 2), keepdims=True)
        ),
        r"case 1 .*samplewise",
    ),
    Wrong(
        check,
        "divides by a zero std",
        lambda images: (images - images.mean(axis=(0, 1, 2))) / images.std(axis=(0, 1, 2)),
        r"case 3 .*not finite \(it contains nan\)",
    ),
    Wrong(
        check,
        "sample std",
        lambda images: (
            (images - images.mean(axis=(0, 1, 2)))
            / np.maximum(images.std(axis=(0, 1, 2), ddof=1), 1e-7)
        ),
        r"sample standard deviation",
    ),
    Wrong(check, "forgets return", lambda images: None, r"forget to `return`"),
]

WRONG = GRID_COST + STANDARDIZE
REFERENCES = [
    (checks.check_grid_cost, grid_cost),
    (checks.check_featurewise_standardize, standardize),
    (checks.check_featurewise_standardize, augment.featurewise_standardize),
]


test_the_check_rejects_a_plausible_bug, test_the_references_pass = catalogue_tests(
    WRONG, REFERENCES
)
