"""Time one update of every widget app: a control change to a redrawn figure, in-process.

    python benchmarks/widget_latency.py

Setting a control's ``value`` runs the app's observer synchronously (compute, draw, render the
PNG that the browser shows), so timing the assignment measures the kernel-side redraw. Browser
paint time is not included. Writes benchmarks/results/widget_latency.md.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import matplotlib
from machine import describe_machine

from cnn_lessons import environment

matplotlib.use("Agg")
environment.quiet_tensorflow()

from cnn_lessons import widgets  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "widget_latency.md"
REPEATS = 30

# app name -> (goal in ms, factory, the control to move, the values to cycle through)
APPS = {
    "dataset_browser": (100, widgets.dataset_browser, "index", [1, 2, 3, 4]),
}


def _optional(name, goal, control, values, **options):
    """Register an app only if this checkout has it (apps land lesson by lesson)."""
    factory = getattr(widgets, name, None)
    if factory is not None:
        APPS[name] = (goal, lambda: factory(**options), control, values)


_optional("kernel_playground", 100, "preset", ["box_blur", "sharpen", "outline", "sobel_x"])
_optional("conv_arithmetic_explorer", 100, "stride", [1, 2, 3])
_optional("pooling_explorer", 100, "pool_size", [2, 3, 4])
_optional("augmentation_explorer", 250, "seed", [1, 2, 3, 4])
_optional("feature_map_browser", 250, "channel", [1, 2, 3, 4])
_optional("fgsm_explorer", 250, "epsilon", [0.05, 0.1, 0.15, 0.2])


def time_app(factory, control: str, values: list) -> list[float]:
    app = factory()
    slider = app.controls[control]
    timings = []
    for repeat in range(REPEATS):
        value = values[repeat % len(values)]
        if value == slider.value:
            value = values[(repeat + 1) % len(values)]
        start = time.perf_counter()
        slider.value = value
        timings.append((time.perf_counter() - start) * 1000)
        if "error" in app.result:
            raise RuntimeError(f"{control}={value!r} gave an error: {app.result['error']}")
    return timings


def main() -> None:
    rows = []
    for name, (goal, factory, control, values) in APPS.items():
        timings = sorted(time_app(factory, control, values))
        median = statistics.median(timings)
        p95 = timings[int(0.95 * (len(timings) - 1))]
        verdict = "ok" if median <= goal else "OVER"
        rows.append(f"| `{name}` | `{control}` | {median:.1f} | {p95:.1f} | {goal} | {verdict} |")
        print(rows[-1], flush=True)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        "# Widget latency: one control change to a redrawn figure",
        "",
        describe_machine(),
        "",
        f"In-process, {REPEATS} updates per app; load average when finished: {load}.",
        "Written by `python benchmarks/widget_latency.py`.",
        "",
        "| app | control moved | median ms | p95 ms | goal ms (median) | verdict |",
        "|---|---|---:|---:|---:|---|",
        *rows,
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
