"""The learner's copies: solution-free, output-free, and never overwriting the learner's edits."""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from cnn_lessons import student

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
# Cheap lessons whose round-tripped copy is also executed (the others are executed by nbval in
# their reference form, which the structural round-trip test shows is the same code).
EXECUTED = ["02_stride_padding.ipynb", "03_pooling.ipynb"]


def _code(notebook):
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def _tagged_solution(cell):
    return student.SOLUTION_TAG in cell.metadata.get("tags", [])


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    out = tmp_path_factory.mktemp("my-work")
    student.write_copies(LESSONS, out)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_copy_is_valid_without_solutions_answers_or_outputs(copies, path):
    reference = nbformat.read(path, as_version=4)
    text = (copies / path.name).read_text()
    copy = nbformat.reads(text, as_version=4)
    nbformat.validate(copy)
    assert not any(_tagged_solution(cell) for cell in copy.cells)
    assert "A reference solution" not in text and "<details" not in text
    for cell in copy.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "widgets" not in copy.metadata
    solutions = [c.source for c in reference.cells if _tagged_solution(c)]
    assert solutions, "a lesson without a reference solution"
    for solution in solutions:
        assert solution not in _code(copy), "a reference solution survived in the copy"
    # the exercise stubs are still there
    assert text.count("your code here") == path.read_text().count("your code here") > 0


def paste_solutions_back(copy, reference):
    """The copy with each reference solution inserted after the cell that precedes it."""
    pasted = nbformat.from_dict(copy)
    copy_code = [cell for cell in pasted.cells if cell.cell_type == "code"]
    reference_cells = [c for c in reference.cells if c.cell_type == "code"]
    result, position = [], 0
    for cell in reference_cells:
        if _tagged_solution(cell):
            result.append(nbformat.v4.new_code_cell(cell.source))
        else:
            assert copy_code[position].source == cell.source, "the copy changed a lesson cell"
            result.append(copy_code[position])
            position += 1
    assert position == len(copy_code)
    markdown = [cell for cell in pasted.cells if cell.cell_type == "markdown"]
    pasted.cells = markdown[:1] + result
    return pasted


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_pasting_the_solutions_back_gives_the_lessons_code(copies, path):
    reference = nbformat.read(path, as_version=4)
    copy = nbformat.read(copies / path.name, as_version=4)
    assert _code(paste_solutions_back(copy, reference)) == _code(reference)


@pytest.mark.slow
@pytest.mark.parametrize("name", EXECUTED)
def test_a_copy_with_the_solutions_pasted_back_runs_and_passes_its_checks(copies, name):
    reference = nbformat.read(LESSONS / name, as_version=4)
    pasted = paste_solutions_back(nbformat.read(copies / name, as_version=4), reference)
    client = NotebookClient(
        pasted, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(copies)}}
    )
    client.execute()  # raises CellExecutionError if any cell (a check's assert) fails
    printed = "".join(
        output.get("text", "")
        for cell in pasted.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    solutions = sum(_tagged_solution(cell) for cell in reference.cells)
    assert printed.count("✔") >= solutions > 0


def _lessons_folder(tmp_path, names=("02_stride_padding.ipynb", "03_pooling.ipynb")):
    folder = tmp_path / "lessons"
    folder.mkdir()
    for name in names:
        shutil.copy(LESSONS / name, folder / name)
    return folder


def _snapshot(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_running_twice_changes_nothing(tmp_path):
    lessons, out = _lessons_folder(tmp_path), tmp_path / "my-work"
    first = student.write_copies(lessons, out)
    assert first.created == ["02_stride_padding.ipynb", "03_pooling.ipynb"]
    before = _snapshot(out)
    second = student.write_copies(lessons, out)
    assert second.unchanged == first.created and not second.created
    assert _snapshot(out) == before


def test_an_edited_copy_survives_byte_for_byte_even_when_its_lesson_changes(tmp_path):
    lessons, out = _lessons_folder(tmp_path), tmp_path / "my-work"
    student.write_copies(lessons, out)
    edited = out / "03_pooling.ipynb"
    mine = edited.read_bytes().replace(b"# your code here", b"return x[::2, ::2]  # my try")
    edited.write_bytes(mine)
    assert student.write_copies(lessons, out).kept == ["03_pooling.ipynb"]
    assert edited.read_bytes() == mine
    # the course is updated: the lesson changes upstream
    lesson = nbformat.read(lessons / "03_pooling.ipynb", as_version=4)
    lesson.cells[1].source += "\n\nA new sentence."
    nbformat.write(lesson, lessons / "03_pooling.ipynb")
    report = student.write_copies(lessons, out)
    assert report.kept_outdated == ["03_pooling.ipynb"]
    assert edited.read_bytes() == mine
    assert any("03_pooling.ipynb" in line for line in report.lines())


def test_an_untouched_copy_follows_its_lesson_and_a_new_lesson_appears(tmp_path):
    lessons, out = _lessons_folder(tmp_path, ["02_stride_padding.ipynb"]), tmp_path / "my-work"
    student.write_copies(lessons, out)
    lesson = nbformat.read(lessons / "02_stride_padding.ipynb", as_version=4)
    lesson.cells[1].source += "\n\nA new sentence."
    nbformat.write(lesson, lessons / "02_stride_padding.ipynb")
    shutil.copy(LESSONS / "03_pooling.ipynb", lessons / "03_pooling.ipynb")  # after `git pull`
    report = student.write_copies(lessons, out)
    assert report.refreshed == ["02_stride_padding.ipynb"]
    assert report.created == ["03_pooling.ipynb"]
    assert "A new sentence." in (out / "02_stride_padding.ipynb").read_text()


def test_a_copy_without_a_record_is_never_replaced(tmp_path):
    lessons, out = _lessons_folder(tmp_path), tmp_path / "my-work"
    out.mkdir()
    mine = b'{"my": "own notebook"}'
    (out / "02_stride_padding.ipynb").write_bytes(mine)
    report = student.write_copies(lessons, out)
    assert report.kept == ["02_stride_padding.ipynb"]
    assert (out / "02_stride_padding.ipynb").read_bytes() == mine


def test_worked_answers_are_removed_and_other_details_kept():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(
            "**1. A question?**\n\n<details><summary>Answer</summary>\n\nBecause.\n</details>\n\n"
            "<details><summary>More about it</summary>\nKept.\n</details>"
        ),
        nbformat.v4.new_code_cell("x = 1", metadata={"jupyter": {"source_hidden": True}}),
    ]
    copy = student.strip_solutions(notebook, reference_name="99_test.ipynb")
    assert "Because." not in copy.cells[1].source and "**1. A question?**" in copy.cells[1].source
    assert "Kept." in copy.cells[1].source
    assert "jupyter" not in copy.cells[2].metadata
    assert "99_test.ipynb" in copy.cells[0].source
    assert notebook.cells[0].source.count("<details>") == 2  # the argument is untouched


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(TypeError, match="notebook must be"):
        student.strip_solutions({"cells": []}, reference_name="x.ipynb")
    with pytest.raises(ValueError, match="reference_name"):
        student.strip_solutions(nbformat.v4.new_notebook(), reference_name="")
    with pytest.raises(ValueError, match="lessons must be a folder"):
        student.write_copies(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(ValueError, match="no lesson notebooks"):
        student.write_copies(tmp_path, tmp_path / "out")
    lessons = _lessons_folder(tmp_path)
    with pytest.raises(ValueError, match="out must differ"):
        student.write_copies(lessons, lessons)
