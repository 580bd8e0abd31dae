"""The course website (``make site``) in a real browser: every page of the built site is opened
in Debian's Chromium, served from 127.0.0.1.

On each page: every image loaded and has alternative text, every link inside the site resolves
(the page answers 200 and the anchor exists), no request leaves 127.0.0.1 (such a request is
blocked and reported), the console has no errors, and previous/next lead through the lessons in
order. On a lesson page: one figure per image the notebook stores, and a note wherever the
notebook has an interactive app. A failing page leaves a screenshot in tests/browser/artifacts/.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Reading order: previous/next walk through it.
ORDER = ["index.html", *(f"lessons/{path.stem}.html" for path in LESSONS), "running.html"]
PAGES = [*ORDER, "search.html", "genindex.html"]
NOTEBOOKS = {f"lessons/{path.stem}.html": path for path in LESSONS}

IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done);
    img.addEventListener("error", done);
  })));
  return images.map((img) => ({
    src: img.currentSrc || img.src,
    width: img.naturalWidth,
    alt: img.getAttribute("alt"),
    figure: img.closest(".cell_output") !== null,
  }));
}"""

_fetched: dict[str, tuple[int, set[str] | None]] = {}


def _fetch(url: str) -> tuple[int, set[str] | None]:
    """HTTP status of a URL of the site and, for an HTML page, the ids it defines."""
    if url not in _fetched:
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                status, body = reply.status, reply.read()
                html = reply.headers.get_content_type() == "text/html"
        except urllib.error.HTTPError as error:
            status, body, html = error.code, b"", False
        ids = None
        if html:
            text = body.decode("utf-8", "replace")
            ids = set(re.findall(r'\b(?:id|name)="([^"]+)"', text))
        _fetched[url] = (status, ids)
    return _fetched[url]


def _figures(cell) -> list:
    """The figures a cell shows on the site: its image outputs, except an interactive app's
    (whose output may carry a PNG of the app; the site shows a note in its place)."""
    return [
        output
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {}) and WIDGET_VIEW not in output["data"]
    ]


def _stored_outputs(path: Path) -> tuple[int, int]:
    """(figures, interactive apps) stored in a lesson notebook."""
    images = apps = 0
    for cell in nbformat.read(path, as_version=4).cells:
        images += len(_figures(cell))
        apps += sum(WIDGET_VIEW in o.get("data", {}) for o in cell.get("outputs", []))
    return images, apps


def test_every_figure_of_every_lesson_has_alt_text():
    """The lesson gives each figure its alternative text in the drawing cell's metadata."""
    missing = []
    for path in LESSONS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            if _figures(cell) and not (isinstance(alt, str) and alt.strip()):
                missing.append(f"{path.name} cell {index}: {cell.source.splitlines()[0]}")
    assert not missing, (
        'figures without alternative text (cell metadata {"mystnb": {"image": {"alt": ...}}}):\n'
        + "\n".join(missing)
    )


@pytest.mark.browser
def test_the_build_has_exactly_the_expected_pages(built_site):
    pages = {
        path.relative_to(built_site).as_posix()
        for path in built_site.rglob("*.html")
        if not path.relative_to(built_site).parts[0].startswith("_")
    }
    assert pages == set(PAGES)


@pytest.mark.browser
@pytest.mark.parametrize("name", PAGES)
def test_page(name, site_url, site_page):
    page = site_page
    left_site, console_errors, failed = [], [], []

    def route(route):
        url = route.request.url
        if urllib.parse.urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            left_site.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(site_url + name, wait_until="networkidle")

    problems = [f"request left 127.0.0.1: {url}" for url in left_site]
    problems += [f"console error: {text}" for text in console_errors]
    problems += [f"failed to load: {text}" for text in failed]

    images = page.evaluate(IMAGES_JS)
    for image in images:
        if image["width"] == 0:
            problems.append(f"image did not load: {image['src']}")
        alt = (image["alt"] or "").strip()
        # Sphinx writes the file name when a figure has no alternative text.
        if not alt or re.fullmatch(r"\S+\.(png|jpe?g|gif|svg)", alt):
            problems.append(f"image without alt text: {image['src']}")

    links = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
    for link in sorted(set(links)):
        if not link.startswith(site_url):
            continue
        target, _, anchor = link.partition("#")
        status, ids = _fetch(target)
        if status != 200:
            problems.append(f"broken link ({status}): {link}")
        elif anchor and ids is not None and urllib.parse.unquote(anchor) not in ids:
            problems.append(f"missing anchor: {link}")

    if name in ORDER:
        position = ORDER.index(name)
        for selector, neighbour in (("a.left-prev", position - 1), ("a.right-next", position + 1)):
            expected = site_url + ORDER[neighbour] if 0 <= neighbour < len(ORDER) else None
            found = page.eval_on_selector_all(selector, "links => links.map((a) => a.href)")
            if found != ([expected] if expected else []):
                problems.append(f"{selector} leads to {found}, expected {expected}")

    if name in NOTEBOOKS:
        stored_images, stored_apps = _stored_outputs(NOTEBOOKS[name])
        figures = sum(image["figure"] for image in images)
        if figures != stored_images:
            problems.append(f"{figures} figures on the page, {stored_images} in the notebook")
        notes = page.locator(".cnn-live-app").count()
        if notes != stored_apps:
            problems.append(f"{notes} notes for interactive apps, {stored_apps} apps stored")
        text = page.inner_text("main")
        if "VBox(" in text or "<App" in text:
            problems.append("an app's text fallback (VBox(...) or <App: ...>) is shown")

    if name == "index.html":
        lesson_links = page.eval_on_selector_all(
            "article a[href*='lessons/']", "links => links.map((a) => a.href.split('#')[0])"
        )
        unlinked = [n for n in NOTEBOOKS if site_url + n not in lesson_links]
        if unlinked:
            problems.append(f"home page does not link to {unlinked}")

    assert not problems, f"{name}:\n" + "\n".join(problems)


@pytest.mark.browser
def test_search_finds_a_lesson(site_url, site_page):
    """The search runs in the page, from the site's own index."""
    site_page.goto(site_url + "search.html?q=pooling", wait_until="networkidle")
    results = site_page.locator("#search-results ul.search a")
    results.first.wait_for(timeout=10_000)
    targets = results.evaluate_all("links => links.map((a) => a.href.split(/[?#]/)[0])")
    assert site_url + "lessons/03_pooling.html" in targets, targets


@pytest.mark.browser
def test_every_page_lists_the_lessons_under_their_current_titles(built_site):
    # An incremental build rewrote only changed pages and left stale titles in the others'
    # sidebars; every page must name every lesson as its notebook's title does now.
    titles = [
        nbformat.read(path, as_version=4).cells[0].source.splitlines()[0].lstrip("# ").strip()
        for path in LESSONS
    ]
    for name in ORDER:
        text = (built_site / name).read_text()
        sidebar = set(re.findall(r"\d\d · [^<]+", text))
        missing = [title for title in titles if title not in sidebar]
        assert not missing, f"{name} does not list {missing}; it lists {sorted(sidebar)[:4]}..."
