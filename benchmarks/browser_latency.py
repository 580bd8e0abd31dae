"""What the learner feels: a key press on an app's slider to the new figure on screen.

    python benchmarks/browser_latency.py

Starts JupyterLab on a copy of the lessons and drives it with headless Chromium (the browser
tests' setup, ``tests/browser/lab_driver.py``). For each lesson with a slider app it runs the
lesson top to bottom, then presses ArrowRight and ArrowLeft in turn on one slider of each app:
one warm-up move, then ``MOVES`` measured ones. Each time is measured in the page: from the
``keydown`` event to the new figure painted, that is a ``MutationObserver`` seeing the figure's
``<img>`` get a new ``blob:`` URL, its ``decode()`` promise resolving, then a
``requestAnimationFrame`` callback and a zero-delay timeout (which runs after that frame's
paint). Writes benchmarks/results/browser_latency.md, with the in-process update times of
benchmarks/results/widget_latency.md beside the browser's.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from machine import write_report

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from lab_driver import (  # noqa: E402
    CHROMIUM,
    app_titled,
    app_with_control,
    launch_chromium,
    open_and_run,
    start_lab,
)

RESULTS = ROOT / "benchmarks" / "results" / "browser_latency.md"
IN_PROCESS = ROOT / "benchmarks" / "results" / "widget_latency.md"
MOVES = 12  # measured moves per app, after one warm-up move
KEYS = ("ArrowRight", "ArrowLeft")


class Case(NamedTuple):
    """One app: where it is, how to find it, the slider to move and the goal (median, ms)."""

    app: str
    lesson: str
    find: Callable  # (page) -> the app's locator
    slider: str | None  # the slider's label; None: the app's only slider
    goal_ms: int


def _titled(title: str) -> Callable:
    return lambda page: app_titled(page, title)


# Goals (issue 17): 100 ms for apps that only draw, 250 ms for apps that run a model on each
# move, 500 ms for the optimizer race (it runs four Keras optimizers; its in-process goal).
CASES = [
    Case(
        "dataset_browser", "00_welcome.ipynb", lambda p: app_with_control(p, "index"), "index", 100
    ),
    Case("kernel_playground", "01_convolution.ipynb", _titled("Image kernels"), "bias", 100),
    Case(
        "conv_arithmetic_explorer",
        "02_stride_padding.ipynb",
        _titled("Convolution arithmetic"),
        "stride",
        100,
    ),
    Case(
        "pooling_explorer", "03_pooling.ipynb", _titled("Pooling a feature map"), "pool_size", 100
    ),
    Case(
        "gradient_flow_explorer",
        "04_how_cnns_learn.ipynb",
        _titled("Where does the gradient flow?"),
        "row",
        100,
    ),
    Case("prediction_explorer", "05_first_cnn.ipynb", _titled("Prediction explorer"), None, 100),
    Case(
        "optimizer_trajectories",
        "06_optimizers.ipynb",
        _titled("Optimizers on a 2-D loss surface"),
        "learning rate",
        500,
    ),
    Case(
        "augmentation_explorer",
        "09_augmentation.ipynb",
        _titled("Random augmentations"),
        "seed",
        250,
    ),
    Case("feature_map_browser", "11_visualizing.ipynb", _titled("Feature maps"), "channel", 250),
    Case(
        "occlusion (lesson-made app)",
        "11_visualizing.ipynb",
        lambda p: app_with_control(p, "patch size"),
        "patch size",
        250,
    ),
    Case(
        "fgsm_explorer",
        "13_interpretability.ipynb",
        _titled("Fast gradient sign method"),
        "epsilon",
        250,
    ),
]

# Installed once per app: times every key press on ``handle`` until the new figure is painted.
_WATCH = """([element, handle]) => {
    const state = {start: null, results: []};
    window.__latency = state;
    const box = element.querySelector('.cnn-figure');
    let shown = box.querySelector('img')?.getAttribute('src');
    handle.addEventListener('keydown', () => { state.start = performance.now(); },
                            {capture: true});
    new MutationObserver(() => {
        const img = box.querySelector('img');
        const source = img?.getAttribute('src');
        if (state.start === null || !source || source === shown) return;
        shown = source;
        const start = state.start;
        state.start = null;
        const painted = () => setTimeout(() => state.results.push(performance.now() - start), 0);
        img.decode().catch(() => null).then(() => requestAnimationFrame(painted));
    }).observe(box, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}"""


def measure(page, case: Case) -> tuple[str, list[float]]:
    """The slider's label, and the milliseconds from key press to painted figure of ``MOVES``
    moves after a warm-up."""
    app = case.find(page)
    sliders = app.locator(".widget-slider")
    if case.slider is not None:
        label = re.compile(rf"^\s*{re.escape(case.slider)}\s*$")
        sliders = sliders.filter(has=page.locator(".widget-label").filter(has_text=label))
    label = sliders.first.locator(".widget-label").inner_text().strip()
    handle = sliders.first.locator(".noUi-handle")
    page.evaluate(_WATCH, [app.element_handle(), handle.element_handle()])
    for move in range(MOVES + 1):
        handle.focus()
        page.keyboard.press(KEYS[move % 2])
        page.wait_for_function(
            f"() => window.__latency.results.length > {move}", timeout=120_000, polling=20
        )
        page.wait_for_timeout(150)  # let the kernel settle before the next move
    return label, page.evaluate("() => window.__latency.results")[1:]  # the first warms up


def in_process_medians() -> dict[str, str]:
    """App name -> "median ms (control)" from widget_latency.md (empty before it is written)."""
    if not IN_PROCESS.exists():
        return {}
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| ([\d.]+) \|", IN_PROCESS.read_text(), re.M)
    return {app: f"{median} (`{control}`)" for app, control, median in rows}


def row(case: Case, label: str, timings: list[float], in_process: dict[str, str]) -> str:
    median = statistics.median(timings)
    p90 = statistics.quantiles(timings, n=10, method="inclusive")[-1]
    verdict = "ok" if median <= case.goal_ms else "OVER"
    lesson = case.lesson.removesuffix(".ipynb")
    cells = [f"`{case.app}`", lesson, f"`{label}`", f"{median:.0f}", f"{p90:.0f}"]
    cells += [in_process.get(case.app, "not measured"), str(case.goal_ms), verdict]
    return "| " + " | ".join(cells) + " |"


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    if not CHROMIUM.exists():
        print(f"browser latency not measured: no Chromium at {CHROMIUM} (apt-get install chromium)")
        return
    from playwright.sync_api import sync_playwright

    load_before, started = _load(), time.monotonic()
    in_process, rows = in_process_medians(), []
    lessons = list(dict.fromkeys(case.lesson for case in CASES))
    with tempfile.TemporaryDirectory() as folder, start_lab(Path(folder)) as lab:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for lesson in lessons:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                open_and_run(page, lab, lesson)
                for case in (case for case in CASES if case.lesson == lesson):
                    rows.append(row(case, *measure(page, case), in_process))
                    print(rows[-1], flush=True)
                context.close()
                lab.shut_down_kernels()
            browser.close()
    # The run itself keeps a core or two busy (kernel, JupyterLab, Chromium): judge the machine
    # by the load before it started.
    cores = os.cpu_count() or 1
    warning = (
        f"The machine was busy with other work when this started (1-minute load above half its "
        f"{cores} cores): these times are inflated, by the CPU the kernel, JupyterLab and "
        "Chromium had to share. Re-run on an idle machine for numbers to hold against the goals."
        if float(load_before.split(",")[0]) > cores / 2
        else "The machine was otherwise idle when this started (the load after is this run's own)."
    )
    write_report(
        RESULTS,
        title="Browser latency: a key press on a slider to the new figure on screen",
        notes=[
            f"Load average (1, 5, 15 min) before: {load_before}; after: {_load()}; "
            f"{(time.monotonic() - started) / 60:.0f} minutes in all. {warning}",
            "",
            "JupyterLab and headless Chromium on this machine; each lesson runs top to bottom, "
            "then one slider of each app moves by key presses (ArrowRight, ArrowLeft, ...): one "
            f"warm-up move, then {MOVES} measured ones. Each time runs from the `keydown` event "
            "to the new figure painted (a MutationObserver sees the figure's new `blob:` URL, "
            "`img.decode()` resolves, then a `requestAnimationFrame` callback and a zero-delay "
            "timeout). The in-process column is the kernel's own update (compute, draw, PNG) "
            "from `widget_latency.md`, for the control named there, measured separately, on the "
            "machine and at the load that file states. "
            "Written by `python benchmarks/browser_latency.py`.",
        ],
        columns=[
            "app",
            "lesson",
            "slider",
            "median ms",
            "p90 ms",
            "in-process median ms",
            "goal ms (median)",
            "verdict",
        ],
        numeric={"median ms", "p90 ms", "in-process median ms", "goal ms (median)"},
        rows=rows,
    )


if __name__ == "__main__":
    main()
