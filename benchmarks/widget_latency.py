"""Time one update of every widget app: a control change to a redrawn figure, in-process.

    python benchmarks/widget_latency.py

Setting a control's ``value`` runs the app's observer synchronously (compute, draw, render the
PNG that the browser shows), so timing the assignment measures the kernel-side redraw. Sending
the image and the browser's paint are not included. The apps, the control each one moves and
its goal come from ``cnn_lessons.widgets._timing`` (shared with the tests), so every app is
timed. Writes benchmarks/results/widget_latency.md.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

import matplotlib
from machine import write_report

from cnn_lessons import environment

matplotlib.use("Agg")
environment.quiet_tensorflow()

from cnn_lessons.widgets._timing import latency_cases  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "widget_latency.md"
REPEATS = 30


def main() -> None:
    rows = []
    for name, case in latency_cases().items():
        app = case.build()
        timings = sorted(
            1000 * s for s in app.time_update(case.control, case.values, repeats=REPEATS)
        )
        median = statistics.median(timings)
        p95 = timings[int(0.95 * (len(timings) - 1))]
        verdict = "ok" if median <= case.goal_ms else "OVER"
        cells = [f"`{name}`", f"`{case.control}`", f"{median:.1f}", f"{p95:.1f}"]
        rows.append("| " + " | ".join([*cells, str(case.goal_ms), verdict]) + " |")
        print(rows[-1], flush=True)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    write_report(
        RESULTS,
        title="Widget latency: one control change to a redrawn figure",
        notes=[
            f"In-process, {REPEATS} updates per app; load average when finished: {load}.",
            "Written by `python benchmarks/widget_latency.py`.",
        ],
        columns=["app", "control moved", "median ms", "p95 ms", "goal ms (median)", "verdict"],
        numeric={"median ms", "p95 ms", "goal ms (median)"},
        rows=rows,
    )


if __name__ == "__main__":
    main()
