"""Every lesson notebook is committed clean, executed, and follows the course template."""

import re
from pathlib import Path

import nbformat
import pytest

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
ABSOLUTE_PATH = re.compile(r"(/home/|/root/|/Users/|/work/|/tmp/|[A-Z]:\\\\|site-packages)")


def _code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def _texts(cell):
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            yield output.text
        elif "data" in output:
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in output.data:
                    yield output.data[mime]


def test_lessons_exist_with_unique_numbers():
    assert NOTEBOOKS, "no lesson notebooks found"
    numbers = [path.name[:2] for path in NOTEBOOKS]
    assert len(set(numbers)) == len(numbers), f"two lessons share a number: {numbers}"


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def lesson(request):
    path = request.param
    return path, nbformat.read(path, as_version=4)


def test_valid_nbformat_with_python3_kernel(lesson):
    path, notebook = lesson
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_executed_in_order_without_errors(lesson):
    _, notebook = lesson
    counts = [cell.execution_count for cell in _code_cells(notebook)]
    assert None not in counts, "unexecuted code cells: run `make execute`"
    assert counts == list(range(1, len(counts) + 1)), f"cells executed out of order: {counts}"
    errors = [o for c in _code_cells(notebook) for o in c.outputs if o.output_type == "error"]
    assert not errors, f"stored error output: {errors[0].ename}: {errors[0].evalue}"


def test_title_carries_the_file_number(lesson):
    path, notebook = lesson
    title = notebook.cells[0].source.splitlines()[0]
    assert title.startswith(f"# {path.name[:2]} · "), f"title {title!r} does not match the file"


def test_follows_the_template(lesson):
    _, notebook = lesson
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    assert "In this lesson you will" in markdown
    for heading in ("## Setup", "## Summary", "## Exercises", "## Further reading"):
        assert re.search(rf"^{heading}\s*$", markdown, re.MULTILINE), f"missing {heading!r}"
    assert markdown.index("## Summary") < markdown.index("## Exercises")
    assert markdown.index("## Exercises") < markdown.index("## Further reading")


def test_links_to_other_lessons_resolve(lesson):
    path, notebook = lesson
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", markdown):
        assert (path.parent / target).exists(), f"link to missing lesson {target}"


def test_small_and_without_widget_state(lesson):
    path, notebook = lesson
    assert path.stat().st_size < 2_000_000, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB"
    assert "widgets" not in notebook.metadata, "widget state stored in metadata"


def test_no_absolute_paths_or_warnings_in_outputs(lesson):
    _, notebook = lesson
    for cell in _code_cells(notebook):
        for text in _texts(cell):
            match = ABSOLUTE_PATH.search(text)
            assert not match, f"absolute path {match.group(0)!r} in output of: {cell.source[:60]}"
            assert "Warning:" not in text, (
                f"a warning is stored in the output of: {cell.source[:60]}"
            )


def test_has_a_checked_output_cell(lesson):
    _, notebook = lesson
    tagged = [
        c for c in _code_cells(notebook) if "nbval-check-output" in c.metadata.get("tags", [])
    ]
    assert tagged, "no cell is tagged nbval-check-output"
    assert all(c.outputs for c in tagged), "a checked cell has no output to compare"


def test_cells_that_run_a_check_compare_their_output(lesson):
    """What a check prints (its verdict, hints, case count) is the same on every machine, so nbval
    compares it: a stored message that the package no longer prints fails instead of going stale.
    """
    _, notebook = lesson
    untagged = [
        cell.source.splitlines()[-1]
        for cell in _code_cells(notebook)
        if re.search(r"checks\.check_\w+\(", cell.source)
        and "nbval-check-output" not in cell.metadata.get("tags", [])
    ]
    assert not untagged, f"cells running a check without the nbval-check-output tag: {untagged}"


def test_exercises_have_an_executed_solution_cell(lesson):
    """A reference solution follows the exercises and ran cleanly when the lesson was executed.

    That it still runs is nbval's job (it executes every cell); this test catches a solution
    cell that is missing, sits before the exercises or was stored with an error.
    """
    _, notebook = lesson
    exercises = next(
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown" and re.search(r"^## Exercises\s*$", cell.source, re.M)
    )
    solutions = [
        (index, cell)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", [])
    ]
    assert solutions, "no reference solution cell tagged `solution`"
    for index, cell in solutions:
        assert index > exercises, f"solution cell {index} comes before ## Exercises"
        assert cell.source.strip() and cell.execution_count is not None, "unexecuted solution"
        assert not [o for o in cell.outputs if o.output_type == "error"], "solution failed"
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        assert hidden, f"solution cell {index} is not collapsed (metadata jupyter.source_hidden)"
        intro = notebook.cells[index - 1]
        assert intro.cell_type == "markdown" and intro.source.startswith(
            "A reference solution (hidden"
        ), f"solution cell {index} lacks the line that says a hidden reference solution follows"


def test_outputs_are_free_of_secrets(lesson):
    path, _ = lesson
    text = path.read_text()
    assert "token=" not in text and "api_key" not in text.lower()
