"""How each app is timed: which control moves through which values, and the goal.

``benchmarks/widget_latency.py`` and ``tests/widgets/test_latency.py`` both read this table, so
an app that is renamed or added cannot silently drop out of either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class LatencyCase(NamedTuple):
    """One app's timing: build it, then move ``control`` through ``values``."""

    build: Callable  # () -> App
    control: str
    values: list
    goal_ms: int  # the median an idle 2-core laptop should reach, in-process


def _prediction_explorer():
    from cnn_lessons import models, widgets

    model = models.small_cnn(filters=(8,), dense_units=0, seed=0)  # untrained: timing only
    return widgets.prediction_explorer(model)


def latency_cases() -> dict[str, LatencyCase]:
    """Every app of :data:`cnn_lessons.widgets.APPS`, with the control a learner moves most."""
    from cnn_lessons import widgets

    cases = {
        "dataset_browser": LatencyCase(widgets.dataset_browser, "index", [1, 2, 3, 4], 100),
        "kernel_playground": LatencyCase(
            widgets.kernel_playground, "preset", ["box_blur", "sharpen", "outline", "sobel_x"], 100
        ),
        "conv_arithmetic_explorer": LatencyCase(
            widgets.conv_arithmetic_explorer, "stride", [1, 2, 3], 100
        ),
        "pooling_explorer": LatencyCase(widgets.pooling_explorer, "pool_size", [2, 3, 4], 100),
        "gradient_flow_explorer": LatencyCase(
            widgets.gradient_flow_explorer, "row", [5, 6, 7, 8], 100
        ),
        "prediction_explorer": LatencyCase(_prediction_explorer, "index", [1, 2, 3, 4], 100),
        "optimizer_trajectories": LatencyCase(
            widgets.optimizer_trajectories, "learning_rate", [0.01, 0.03, 0.1], 500
        ),
        "augmentation_explorer": LatencyCase(
            widgets.augmentation_explorer, "seed", [1, 2, 3, 4], 250
        ),
        "feature_map_browser": LatencyCase(
            widgets.feature_map_browser, "channel", [1, 2, 3, 4], 250
        ),
        "fgsm_explorer": LatencyCase(widgets.fgsm_explorer, "epsilon", [0.05, 0.1, 0.15, 0.2], 250),
    }
    missing = set(widgets.APPS) - set(cases)
    if missing:
        raise RuntimeError(f"no latency case for the apps {sorted(missing)}: add one here")
    return cases
