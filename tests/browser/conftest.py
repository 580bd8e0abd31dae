"""A real JupyterLab, started on the lessons' copy, driven by Playwright in Debian's Chromium.

The whole folder is skipped, with the reason printed in pytest's summary, when Chromium is not
installed at /usr/bin/chromium (``tests/conftest.py``; ``.ci/run`` installs it). Playwright never
downloads a browser of its own here: it launches the system Chromium through
``executable_path``. One JupyterLab and one Chromium serve the whole session (``lab_driver``
starts them, and the latency benchmark reuses it); every test gets a fresh page, and the kernels
it started are shut down after it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_driver import launch_chromium, start_lab

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    with start_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="session")
def browser(playwright_session):
    chromium = launch_chromium(playwright_session)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser, lab, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    lab.shut_down_kernels()
