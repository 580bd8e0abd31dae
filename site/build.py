"""Build the course website from the committed, executed lessons, with no network.

    python site/build.py            # what `make site` runs; the pages land in site/_build/html/

The lessons are not executed: Sphinx and myst-nb render the outputs stored in the notebooks.
Before Sphinx runs, this script lays out its source folder, ``site/_build/source/``:

- ``index.md``, the home page: the README's introduction and its table of lessons (the table's
  links, ``lessons/NN_topic.ipynb``, point at the lesson pages because the source folder has the
  README's layout);
- ``running.md``: the README's sections on running the course locally and troubleshooting;
- ``lessons/``: a copy of each lesson in which every interactive app's output (a widget view
  whose only fallback is text such as "VBox(...)") becomes a note saying the app is live in
  JupyterLab, and the input of each reference solution is folded away.

Every page is rebuilt each time (``-E -a``, a few seconds): an incremental Sphinx build
rewrites only the pages whose source changed, and the other pages would keep a stale sidebar
(a renamed lesson kept its old title there). ``--incremental`` skips that for quick edits.
Warnings are errors (a broken link between lessons stops the build).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
README = ROOT / "README.md"
LESSONS = ROOT / "lessons"
BUILD = SITE / "_build"
SOURCE = BUILD / "source"
HTML = BUILD / "html"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LIVE_APP_NOTE = """\
```{admonition} Interactive app
:class: tip cnn-live-app
This app is live when you run this lesson in JupyterLab
([run the course locally](../running.md)): its controls redraw the figure as you move them.
The static figure above shows what it draws.
```
"""
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def lesson_paths() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))


def readme_sections(text: str) -> dict[str, str]:
    """The README split at its ``## `` headings: heading -> body; the text before the first
    heading is under the empty string."""
    sections, heading, lines = {}, "", []
    for line in text.splitlines():
        if line.startswith("## "):
            sections[heading] = "\n".join(lines).strip() + "\n"
            heading, lines = line[3:].strip(), []
        else:
            lines.append(line)
    sections[heading] = "\n".join(lines).strip() + "\n"
    return sections


def site_links(markdown: str) -> str:
    """Keep links to the web and to lessons; a link to another file of the repository (which
    the site does not have) keeps its text only."""

    def replace(match: re.Match) -> str:
        text, target = match.groups()
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        if re.fullmatch(r"lessons/[0-9][0-9]_\w+\.ipynb(#[\w-]+)?", target):
            return match.group(0)
        return text

    return LINK.sub(replace, markdown)


def home_page(sections: dict[str, str]) -> str:
    intro = sections[""].split("\n", 1)[1].strip()  # without the README's "# CNN Lessons"
    if "Lessons" not in sections:
        raise SystemExit("README.md has no '## Lessons' section for the home page")
    intro, lessons = site_links(intro), site_links(sections["Lessons"])
    return f"""\
# CNN Lessons

{intro}

New here? [Run the course locally](running.md) to move the sliders and run every cell; the
pages of this site show each lesson as it ran, figures and all.

## Lessons

{lessons}
```{{toctree}}
:hidden:
:caption: Lessons
:glob:

lessons/*
```

```{{toctree}}
:hidden:
:caption: The course

running
```
"""


def running_page(sections: dict[str, str]) -> str:
    wanted = ["The two commands", "Read the course as a website", "Troubleshooting"]
    missing = [name for name in ("The two commands", "Troubleshooting") if name not in sections]
    if missing:
        raise SystemExit(f"README.md has no section {missing[0]!r} for the 'running' page")
    body = "\n".join(f"## {name}\n\n{sections[name]}" for name in wanted if name in sections)
    return site_links(
        f"""\
# Run the course locally

Each lesson is a Jupyter notebook. On this site you read it as it ran; on your machine you run
it yourself, move the sliders of its interactive apps and solve its exercises. Clone the
repository, then:

{body}"""
    )


def site_lesson(path: Path) -> str:
    """The lesson as the site shows it: apps become a note, solutions are folded."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "solution" in tags and "hide-input" not in tags:
            cell.metadata["tags"] = [*tags, "hide-input"]
        for index, output in enumerate(cell.get("outputs", [])):
            if WIDGET_VIEW in output.get("data", {}):
                cell.outputs[index] = nbformat.v4.new_output(
                    "display_data", data={"text/markdown": LIVE_APP_NOTE}
                )
    return nbformat.writes(notebook)


def write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def stage() -> None:
    sections = readme_sections(README.read_text(encoding="utf-8"))
    write_if_changed(SOURCE / "index.md", home_page(sections))
    write_if_changed(SOURCE / "running.md", running_page(sections))
    wanted = {path.name for path in lesson_paths()}
    for path in lesson_paths():
        write_if_changed(SOURCE / "lessons" / path.name, site_lesson(path))
    for stale in (SOURCE / "lessons").glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="rebuild only pages whose source changed (other pages' sidebars may be stale)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print warnings only")
    args = parser.parse_args(argv)

    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    stage()
    options = ["-b", "html", "-c", str(SITE), "-W", "--keep-going", "-n"]
    options += [] if args.incremental else ["-E", "-a"]
    options += ["-q"] if args.quiet else []
    status = build_main([*options, str(SOURCE), str(HTML)])
    if status == 0:
        seconds = time.perf_counter() - start
        print(f"site built in {seconds:.1f} s: open {HTML.relative_to(ROOT)}/index.html")
    return status


if __name__ == "__main__":
    sys.exit(main())
