"""The site's source preparation (site/build.py), without building or a browser."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("site_build", ROOT / "site" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def _lesson(tmp_path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    app = nbformat.v4.new_code_cell("app = widgets.kernel_playground()\napp")
    app.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                build.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                "image/png": "iVBORw0KGgo=",
                "text/plain": "<App: kernels>",
            },
        )
    ]
    solution = nbformat.v4.new_code_cell(
        "def answer():\n    return 42", metadata={"tags": ["solution"]}
    )
    figure = nbformat.v4.new_code_cell("plt.show()")
    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
    notebook.cells = [nbformat.v4.new_markdown_cell("# 01 · A lesson"), app, solution, figure]
    path = tmp_path / "01_lesson.ipynb"
    nbformat.write(notebook, path)
    return path


def test_an_app_becomes_a_note_and_a_solution_is_folded(tmp_path):
    staged = nbformat.reads(build.site_lesson(_lesson(tmp_path)), as_version=4)
    _, app, solution, figure = staged.cells
    assert len(app.outputs) == 1
    assert set(app.outputs[0].data) == {"text/markdown"}  # neither the view nor its PNG
    assert "live when you run this lesson in JupyterLab" in app.outputs[0].data["text/markdown"]
    assert solution.metadata["tags"] == ["solution", "hide-input"]
    assert "image/png" in figure.outputs[0].data  # ordinary figures stay


def test_home_page_keeps_lesson_links_and_drops_other_repository_links():
    readme = (
        "# CNN Lessons\n\nA course; see [the data](data/README.md) and [nbval](https://x.org/).\n"
        "\n## Lessons\n\n| # | lesson |\n|---|---|\n| 00 | [Welcome](lessons/00_welcome.ipynb) |\n"
    )
    page = build.home_page(build.readme_sections(readme))
    assert "[Welcome](lessons/00_welcome.ipynb)" in page
    assert "[nbval](https://x.org/)" in page
    assert "see the data and" in page
    assert "[Run the course locally](running.md)" in page
    assert "lessons/*" in page  # the table of contents takes every lesson, in order


def test_running_page_comes_from_the_readme():
    sections = build.readme_sections((ROOT / "README.md").read_text(encoding="utf-8"))
    page = build.running_page(sections)
    assert page.startswith("# Run the course locally")
    assert "## The two commands" in page and "## Troubleshooting" in page
    assert "make lab" in page
