"""Shared test settings: a non-interactive matplotlib backend and quiet TensorFlow; for the
tests that drive Chromium (marked ``browser``: the JupyterLab tests and the site tests), one
Playwright, a skip with its reason when Debian's Chromium is missing, and the call's report on
each test item (for a screenshot when it failed)."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")  # the same path as tests/browser/lab_driver.py's


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    reason = (
        f"browser test skipped: Chromium not found at {CHROMIUM} "
        "(install Debian's `chromium` package; .ci/run does)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep the call phase's report on the item: fixtures read it to screenshot a failure."""
    report = yield
    if report.when == "call":
        item.report_call = report
    return report


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _softmax_regression(weights, bias):
    """Softmax regression on 2x3 images: scores = flatten(image) @ weights + bias."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(2, 3, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(weights.shape[1], activation="softmax"),
        ]
    )
    model.layers[-1].set_weights([weights, bias])
    return model


@pytest.fixture
def softmax_regression():
    """Build softmax regression on 2x3 images from ``(6, K)`` weights and ``(K,)`` biases."""
    return _softmax_regression


@pytest.fixture
def linear():
    """Softmax regression with random weights, five images and their labels, for FGSM tests."""
    import numpy as np

    generator = np.random.default_rng(0)
    weights = generator.normal(size=(6, 3)).astype(np.float32)
    bias = generator.normal(size=3).astype(np.float32)
    images = generator.random((5, 2, 3, 1)).astype(np.float32)
    labels = np.array([0, 1, 2, 1, 0])
    return _softmax_regression(weights, bias), weights, bias, images, labels


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright for the whole run. The browser tests and the site tests both drive
    Chromium, and Playwright's sync API refuses to start a second instance while one runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright
