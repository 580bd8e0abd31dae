"""The course website, built by ``site/build.py`` and served on 127.0.0.1, for the site test.

Skipped, with the reason in pytest's summary, when Chromium is not installed at /usr/bin/chromium
(``tests/conftest.py``; ``.ci/run`` installs it). Playwright launches that Chromium with the
JupyterLab tests' flags; it never downloads a browser.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from lab_driver import launch_chromium  # noqa: E402  (the JupyterLab tests' Chromium, same flags)

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "site" / "_build" / "html"
ARTIFACTS = ROOT / "tests" / "browser" / "artifacts"


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the site from scratch (``site/build.py`` rereads every page, so a stale page is
    never tested), with warnings as errors, and return its folder."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "site" / "build.py"), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"site build failed:\n{result.stdout}\n{result.stderr}"
    print(f"\nsite build: {time.perf_counter() - start:.1f} s")
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_browser(playwright_session):
    chromium = launch_chromium(playwright_session)
    yield chromium
    chromium.close()


@pytest.fixture
def site_page(site_browser, request):
    """A fresh page; a full-page screenshot lands in tests/browser/artifacts/ when the test
    fails."""
    context = site_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
