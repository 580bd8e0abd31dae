"""Check of the welcome lesson's exercise: scaling uint8 images to [0, 1]."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._framework import CheckResult, Mistake, check_function, register_hints

register_hints(
    "scale_images",
    [
        "pixels are stored as whole numbers from 0 to 255 and the network wants fractions from "
        "0 to 1. What is the largest value a pixel can take, and can the array's current type "
        "hold a fraction?",
        "change the type to float32 before dividing, and divide by the largest value a uint8 "
        "can hold, not by the largest value that happens to be in this batch.",
    ],
    answer="`images.astype('float32') / 255`",
)


def _reference(images):
    return images.astype(np.float32) / np.float32(255)


MISTAKES = [
    Mistake(
        lambda images: images.astype(np.float32) / np.float32(256),
        "This is what dividing by 256 gives: 255 should become exactly 1",
    ),
    Mistake(
        lambda images: images.astype(np.float32) / np.float32(images.max()),
        "This is what dividing by the batch's own largest pixel gives: a dark batch would be "
        "brightened, and two batches scaled differently",
    ),
    Mistake(
        lambda images: images.astype(np.float32),
        "The values are not scaled: they still go up to 255",
    ),
]


def check_scale_images(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(images)`` turns uint8 images into float32 values in [0, 1]."""
    generator = np.random.default_rng(0)
    cases = [
        ((np.array([[0, 128, 255]], dtype=np.uint8),), {}),
        ((np.array([[0, 10, 100]], dtype=np.uint8),), {}),
        ((generator.integers(0, 256, size=(2, 28, 28), dtype=np.uint8),), {}),
        ((generator.integers(0, 256, size=(5, 8, 8, 3), dtype=np.uint8),), {}),
    ]
    return check_function(
        "scale_images",
        function,
        _reference,
        cases,
        mistakes=MISTAKES,
        check_dtype=True,
        verbose=verbose,
    )
