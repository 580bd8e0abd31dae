"""Drive the lessons' apps in a real JupyterLab: start the server, open and run a lesson, move
an app's controls the way a learner does and wait for the redraw.

Shared by the browser tests (``conftest.py`` makes fixtures of :func:`start_lab` and
:func:`launch_chromium`) and by ``benchmarks/browser_latency.py``. Every app is an
``cnn_lessons.widgets.App``: a ``.widget-vbox`` with an optional bold title, its controls, a
``.cnn-message`` line (the explanation of an impossible setting), a ``.cnn-summary`` line and
the figure, an ``<img>`` in ``.cnn-figure`` shown from a ``blob:`` URL that is new for every
redraw. Apps are found by their title or a control's label, never by cell position.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
LESSONS = Path(__file__).resolve().parents[2] / "lessons"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
RUN_TIMEOUT_MS = 240_000
REDRAW_TIMEOUT_MS = 60_000


# --- the server -----------------------------------------------------------------------------


class Lab:
    """A running JupyterLab server: its base URL, token and working folder."""

    def __init__(self, root: Path, port: int, token: str, process: subprocess.Popen):
        self.root, self.port, self.token, self.process = root, port, token, process

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def shut_down_kernels(self) -> None:
        """Stop every kernel (each opened lesson starts one; each holds TensorFlow's memory)."""
        with urllib.request.urlopen(self.url("api/kernels"), timeout=10) as reply:
            kernels = json.load(reply)
        for kernel in kernels:
            request = urllib.request.Request(self.url(f"api/kernels/{kernel['id']}"))
            request.method = "DELETE"
            with contextlib.suppress(OSError):
                urllib.request.urlopen(request, timeout=30).close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(root: Path) -> dict:
    """Copy the lessons into ``root`` and write a quiet Lab configuration; the environment."""
    shutil.copytree(
        LESSONS, root / "lessons", ignore=shutil.ignore_patterns("outputs", "__pycache__")
    )
    for folder in ("config", "runtime", "workspaces", "data"):
        (root / folder).mkdir()
    # Lab-wide switches: no news/announcement pop-ups, no update checks.
    labconfig = root / "config" / "labconfig"
    labconfig.mkdir()
    (labconfig / "page_config.json").write_text(
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}'
    )
    # Render every cell: JupyterLab 4 otherwise detaches cells scrolled out of view, and the
    # tests look for widgets anywhere in the notebook.
    tracker = root / "config" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    environment = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(root / "config"),
        JUPYTER_RUNTIME_DIR=str(root / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
        JUPYTER_DATA_DIR=str(root / "data"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    environment.pop("MPLBACKEND", None)  # the kernel must use the inline backend
    return environment


@contextlib.contextmanager
def start_lab(root: Path) -> Iterator[Lab]:
    """A JupyterLab server on a copy of the lessons in ``root`` (an empty folder), stopped after.

    Raises ``RuntimeError`` with the server's log if it exits or does not answer in 120 s.
    """
    environment = _prepare(root)
    port, token = _free_port(), uuid.uuid4().hex
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root / 'lessons'}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.collaborative=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = root / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        server = Lab(root, port, token, process)
        try:
            _wait_until_answering(server, log_path)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_answering(server: Lab, log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(server.url("api/status"), timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"JupyterLab did not answer:\n{log_path.read_text()}")
        time.sleep(0.5)


def launch_chromium(playwright):
    """Debian's Chromium, headless, through Playwright (which never downloads a browser here)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


# --- a lesson -------------------------------------------------------------------------------


def open_and_run(page, lab, notebook: str, *, through: str | None = None) -> None:
    """Open a notebook, wait for its kernel, run its cells and wait until all have finished.

    With ``through`` (text in a cell's source, such as ``"widgets.pooling_explorer("``), only
    the cells up to the last code cell containing it run: everything an app needs, without
    the rest of the lesson, which nbval already runs. Without it, every cell runs.

    ``reset`` empties the workspace first: otherwise JupyterLab reopens every notebook an
    earlier page opened, each with a new kernel.
    """
    page.goto(lab.url(f"lab/tree/{notebook}") + "&reset")
    # Every property may be missing for a moment while JupyterLab starts the session.
    ready = """(path) => {
        const panel = window.jupyterapp?.shell?.currentWidget;
        return panel?.context?.path === path
            && panel?.sessionContext?.session?.kernel?.status === 'idle';
    }"""
    page.wait_for_function(ready, arg=notebook, timeout=120_000, polling=500)
    # Clearing first resets every execution count, so "all counted" below means "all re-ran".
    last = page.evaluate(
        """async (marker) => {
            const commands = window.jupyterapp.commands;
            const notebook = window.jupyterapp.shell.currentWidget.content;
            await commands.execute('notebook:clear-all-cell-outputs');
            const cells = notebook.widgets;
            let last = cells.length - 1;
            if (marker !== null) {
                last = cells.findLastIndex(cell => cell.model.type === 'code'
                    && cell.model.sharedModel.getSource().includes(marker));
                if (last < 0) return last;
            }
            if (last === cells.length - 1) {
                await commands.execute('notebook:run-all-cells');
            } else {
                notebook.activeCellIndex = last + 1;
                await commands.execute('notebook:run-all-above');
            }
            return last;
        }""",
        through,
    )
    assert last >= 0, f"no code cell of {notebook} contains {through!r}"
    page.wait_for_function(
        """([path, last]) => {
            const panel = window.jupyterapp?.shell?.currentWidget;
            if (panel?.context?.path !== path) return false;
            const cells = panel.content.widgets.slice(0, last + 1).filter(cell =>
                cell.model.type === 'code' && cell.model.sharedModel.getSource().trim() !== '');
            return panel.sessionContext?.session?.kernel?.status === 'idle'
                && cells.every(cell => cell.model.executionCount !== null);
        }""",
        arg=[notebook, last],
        timeout=RUN_TIMEOUT_MS,
        polling=500,
    )
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [text for text in errors.all_inner_texts() if "Traceback" in text]
    assert not tracebacks, f"a cell failed in the browser: {tracebacks[0][:500]}"


def _exactly(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def _apps(page):
    """Every app on the page: the VBoxes that hold a ``.cnn-figure``."""
    return page.locator(".widget-vbox").filter(has=page.locator(".cnn-figure"))


def app_with_control(page, label: str):
    """The first app with a slider, dropdown or text control whose description is ``label``."""
    control_label = page.locator(".widget-label").filter(has_text=_exactly(label))
    app = _apps(page).filter(has=control_label).first
    app.scroll_into_view_if_needed()
    return app


def app_titled(page, title: str):
    """The first app whose bold title starts with ``title``."""
    heading = page.locator(".widget-html b").filter(has_text=re.compile(rf"^{re.escape(title)}"))
    app = _apps(page).filter(has=heading).first
    app.scroll_into_view_if_needed()
    return app


def figure_source(app) -> str:
    """The ``src`` of the app's figure: an ``ipywidgets.Image`` in the ``.cnn-figure`` box.

    The PNG arrives as binary over the websocket and is shown from a ``blob:`` URL, a new one
    for every redraw, so a changed ``src`` means a redrawn figure.
    """
    image = app.locator(".cnn-figure img").first
    image.wait_for(state="visible", timeout=REDRAW_TIMEOUT_MS)
    return image.get_attribute("src")


def summary_text(app) -> str:
    return app.locator(".cnn-summary").inner_text()


def message_text(app) -> str:
    return app.locator(".cnn-message").inner_text()


def wait_for_change(page, app, selector_text_before: str, image_before: str) -> None:
    """Wait until both the summary line and the figure of ``app`` differ from before."""
    wait_for_redraw(app, image_before, summary_before=selector_text_before)


def wait_for_redraw(app, image_before: str, *, summary_before: str | None = None) -> None:
    """Wait until the figure's ``src`` differs from ``image_before`` (and, if given, the
    summary line from ``summary_before``)."""
    app.page.wait_for_function(
        """([element, image, summary]) => {
            const img = element.querySelector('.cnn-figure img');
            const text = element.querySelector('.cnn-summary').innerText;
            return img && img.getAttribute('src') !== image
                && (summary === null || text !== summary);
        }""",
        arg=[app.element_handle(), image_before, summary_before],
        timeout=REDRAW_TIMEOUT_MS,
    )


def wait_for_explanation(app, *words: str) -> str:
    """Wait for the app's explanation in place of its figure; check it has ``words`` and no
    traceback, and return it."""
    app.page.wait_for_function(
        """(element) => {
            const message = element.querySelector('.cnn-message').innerText;
            const figure = element.querySelector('.cnn-figure');
            return message.includes('Not possible') && getComputedStyle(figure).display === 'none';
        }""",
        arg=app.element_handle(),
        timeout=REDRAW_TIMEOUT_MS,
    )
    text = message_text(app)
    assert "Traceback" not in app.inner_text(), text
    for word in words:
        assert word in text, f"{word!r} not in the explanation {text!r}"
    return text


# --- moving controls ------------------------------------------------------------------------


def _slider(page, app, label: str):
    return app.locator(".widget-slider").filter(
        has=page.locator(".widget-label").filter(has_text=_exactly(label))
    )


def press_on_slider(page, app, label: str, key: str):
    """Focus the slider `label` of `app`, press `key`, and wait for the app to redraw.

    Returns the slider and the app's summary text from before the key press.
    """
    summary_before = summary_text(app)
    image_before = figure_source(app)
    slider = _slider(page, app, label)
    slider.locator(".noUi-handle").focus()
    page.keyboard.press(key)
    wait_for_change(page, app, summary_before, image_before)
    return slider, summary_before


def _redrawn(app, act, *, summary: bool) -> tuple[str, str]:
    """Do ``act()``, wait for the new figure (and summary); return the summary before/after."""
    summary_before, image_before = summary_text(app), figure_source(app)
    act()
    wait_for_redraw(app, image_before, summary_before=summary_before if summary else None)
    return summary_before, summary_text(app)


def move_slider(page, app, label: str, key: str, *, summary: bool = True, presses: int = 3):
    """Press ``key`` on slider ``label`` until the figure and (with ``summary``) the summary
    line change, at most ``presses`` times (a neighbouring value may share the summary, e.g.
    two images of the same class). Returns the slider's readout afterwards."""
    slider = _slider(page, app, label)
    handle = slider.locator(".noUi-handle")
    for _ in range(presses):
        before, image_before = summary_text(app), figure_source(app)
        handle.focus()
        page.keyboard.press(key)
        wait_for_redraw(app, image_before)
        if not summary or summary_text(app) != before:
            return slider.locator(".widget-readout").inner_text().strip()
    raise AssertionError(f"{presses} presses of {key} on {label!r} left the summary {before!r}")


def press_key(page, app, label: str, key: str) -> None:
    """Press ``key`` on slider ``label`` without waiting for anything (e.g. for an explanation)."""
    _slider(page, app, label).locator(".noUi-handle").focus()
    page.keyboard.press(key)


def wait_for_figure(app) -> None:
    """Wait until the explanation is gone and a figure is back."""
    app.page.wait_for_function(
        """(element) => element.querySelector('.cnn-message').innerText.trim() === ''
            && getComputedStyle(element.querySelector('.cnn-figure')).display !== 'none'""",
        arg=app.element_handle(),
        timeout=REDRAW_TIMEOUT_MS,
    )
    assert figure_source(app).startswith("blob:")


def select_option(page, app, label: str, option: str, *, summary: bool = True, redraw=True):
    """Pick ``option`` (its text) in dropdown ``label``; wait for the redraw unless ``redraw``
    is false. Returns the summary before and after (or None)."""
    dropdown = app.locator(".widget-dropdown").filter(
        has=page.locator(".widget-label").filter(has_text=_exactly(label))
    )

    def choose():
        dropdown.locator("select").select_option(label=option)

    if not redraw:
        choose()
        return None
    return _redrawn(app, choose, summary=summary)


def click_checkbox(page, app, description: str, *, summary: bool = True, redraw: bool = True):
    """Click the checkbox ``description``; wait for the redraw unless ``redraw`` is false."""
    # The description is the <span> beside the box (the box's own label holds a zero-width space).
    box = app.locator(".widget-checkbox").filter(
        has=page.locator("span").filter(has_text=_exactly(description))
    )
    checkbox = box.locator("input[type=checkbox]")
    if not redraw:
        checkbox.click()
        return None
    return _redrawn(app, checkbox.click, summary=summary)


def ticked_checkboxes(app) -> list[str]:
    """The descriptions of the app's ticked checkboxes."""
    return app.evaluate(
        """(element) => [...element.querySelectorAll('.widget-checkbox')]
            .filter(box => box.querySelector('input').checked)
            .map(box => box.querySelector('span').innerText.trim())"""
    )


def click_toggle(page, app, button: str, *, summary: bool = True):
    """Click the toggle button ``button``; wait for the redraw."""
    toggle = app.locator(".widget-toggle-button").filter(has_text=_exactly(button))
    return _redrawn(app, toggle.click, summary=summary)


def redraw_milliseconds(page, app, label: str, keys: list[str]) -> list[float]:
    """For each key pressed on slider ``label``: ms from the key press to the new figure."""
    slider = _slider(page, app, label)
    handle = slider.locator(".noUi-handle")
    handle.focus()
    timings = []
    for key in keys:
        page.evaluate(
            """([element, handle]) => {
                window.__redraw = null;
                const image = element.querySelector('.cnn-figure img').getAttribute('src');
                handle.addEventListener('keydown', () => {
                    const start = performance.now();
                    const done = () => { window.__redraw = performance.now() - start; };
                    const watch = new MutationObserver(() => {
                        const img = element.querySelector('.cnn-figure img');
                        if (img && img.getAttribute('src') !== image) {
                            watch.disconnect();  // the new image: done once it is decoded
                            if (img.complete) done(); else img.addEventListener('load', done);
                        }
                    });
                    watch.observe(element, {subtree: true, attributes: true, childList: true});
                }, {once: true, capture: true});
            }""",
            [app.element_handle(), handle.element_handle()],
        )
        page.keyboard.press(key)
        page.wait_for_function("() => window.__redraw !== null", timeout=REDRAW_TIMEOUT_MS)
        timings.append(page.evaluate("() => window.__redraw"))
    return timings
