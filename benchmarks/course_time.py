"""Time every lesson under nbval, as CI runs it, and write benchmarks/results/course_time.md.

    python benchmarks/course_time.py                 # every lesson
    python benchmarks/course_time.py lessons/04*.ipynb

Each lesson runs in its own pytest process (fresh kernel), one after the other, so the numbers
are what a learner or CI sees for that notebook alone. Budgets: 60 s per lesson, 450 s total.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from machine import write_report

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "course_time.md"
LESSON_BUDGET = 60
COURSE_BUDGET = 450


def time_lesson(path: Path) -> tuple[float, bool]:
    start = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", str(path.relative_to(REPO))],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if finished.returncode != 0:
        print(finished.stdout[-3000:], file=sys.stderr)
    return seconds, finished.returncode == 0


def main(arguments: list[str]) -> int:
    paths = [Path(a).resolve() for a in arguments] or sorted(
        (REPO / "lessons").glob("[0-9][0-9]_*.ipynb")
    )
    rows, total, failures = [], 0.0, 0
    for path in paths:
        seconds, passed = time_lesson(path)
        total += seconds
        failures += not passed
        status = "pass" if passed else "FAIL"
        budget = "ok" if seconds <= LESSON_BUDGET else "OVER"
        rows.append(f"| {path.name} | {seconds:.1f} | {seconds / 60:.1f} | {status} | {budget} |")
        print(rows[-1], flush=True)
    rows.append(
        f"| **total** | **{total:.1f}** | **{total / 60:.1f}** | "
        f"{'pass' if not failures else f'{failures} FAILED'} | "
        f"{'ok' if total <= COURSE_BUDGET else 'OVER'} |"
    )
    print(rows[-1])
    if not arguments:
        write_report(
            RESULTS,
            title="Course time under nbval",
            notes=[
                "Each lesson timed alone: `python -m pytest <lesson>` (nbval, fresh kernel, "
                f"including kernel start-up). Budget: {LESSON_BUDGET} s per lesson, "
                f"{COURSE_BUDGET} s in all.",
                "Load average when finished (1, 5, 15 min): "
                + ", ".join(f"{value:.2f}" for value in os.getloadavg())
                + " (above 0 means other work shared the 2 cores).",
            ],
            columns=["lesson", "seconds", "minutes", "nbval", "budget"],
            numeric={"seconds", "minutes"},
            rows=rows,
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
