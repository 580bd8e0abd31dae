"""A learner's own copies of the lessons: ``python -m cnn_lessons.student``.

The lessons in ``lessons/`` are the course's reference: executed, with outputs and reference
solutions, and replaced whenever the course is updated. A learner works in copies instead
(``my-work/`` by default, git-ignored), made by this module:

* outputs and execution counts are cleared, so the learner runs every cell;
* reference solutions (code cells tagged ``solution``) and the line that introduces them are
  removed; the exercise stubs stay, so each exercise is a function to write and a check to run;
* worked answers to open questions (HTML ``<details>`` blocks whose summary starts with
  "Answer" or "Solution") are removed;
* a line at the top says where the reference lesson is.

Nothing a learner wrote is ever overwritten. A copy that already exists is left alone when it was
edited (run, saved, typed into); a copy still exactly as this module wrote it is refreshed when
its reference lesson has changed, since nothing of the learner's can be lost then. A manifest
(``.copies.json`` in the output folder) records what was written. The same notebooks, written to
another folder, are an instructor's solution-free hand-out (``make handout``).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: Tag of the reference-solution cells (code, and the markdown line introducing them).
SOLUTION_TAG = "solution"
MANIFEST = ".copies.json"
_SOLUTION_INTRO = re.compile(r"^\s*(A reference solution|Reference solution)\b[^\n]*$")
_ANSWER_BLOCK = re.compile(
    r"\n?<details[^>]*>\s*<summary>\s*(?:<b>|\*\*)?\s*(?:Answer|Solution|Worked answer)"
    r".*?</details>\n?",
    re.DOTALL | re.IGNORECASE,
)


def _is_solution(cells: list, index: int) -> bool:
    """Whether ``cells[index]`` is a reference solution or the line that introduces one."""
    cell = cells[index]
    if SOLUTION_TAG in cell.metadata.get("tags", []):
        return True
    following = cells[index + 1] if index + 1 < len(cells) else None
    return (
        cell.cell_type == "markdown"
        and bool(_SOLUTION_INTRO.match(cell.source))
        and following is not None
        and SOLUTION_TAG in following.metadata.get("tags", [])
    )


def strip_solutions(notebook: nbformat.NotebookNode, *, reference_name: str):
    """Return a learner's copy of ``notebook``; the argument is not modified.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        A lesson, as read by ``nbformat.read(path, as_version=4)``.
    reference_name : str
        The lesson's file name, quoted in the note at the top of the copy.

    Returns
    -------
    nbformat.NotebookNode
        Without solution cells, worked answers, outputs, execution counts and widget state.
    """
    if not isinstance(notebook, nbformat.NotebookNode):
        raise TypeError(f"notebook must be an nbformat NotebookNode, got {type(notebook).__name__}")
    if not isinstance(reference_name, str) or not reference_name:
        raise ValueError(f"reference_name must be a non-empty file name, got {reference_name!r}")
    result = copy.deepcopy(notebook)
    kept = [cell for i, cell in enumerate(result.cells) if not _is_solution(result.cells, i)]
    for cell in kept:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = _ANSWER_BLOCK.sub("\n", cell.source).strip("\n")
        cell.metadata.pop("execution", None)
        if "jupyter" in cell.metadata:  # show everything that is left
            cell.metadata["jupyter"].pop("source_hidden", None)
            cell.metadata["jupyter"].pop("outputs_hidden", None)
            if not cell.metadata["jupyter"]:
                del cell.metadata["jupyter"]
    note = nbformat.v4.new_markdown_cell(
        f"*Your working copy of this lesson: change anything, it is yours. The reference, with "
        f"outputs and solutions, is `lessons/{reference_name}`.*"
    )
    note.pop("id", None)
    result.cells = [note, *kept]
    result.metadata.pop("widgets", None)
    return result


def _serialise(notebook: nbformat.NotebookNode) -> bytes:
    # Cell ids are derived from the position, so the same lesson always gives the same bytes.
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    return (json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Report:
    """What :func:`write_copies` did, file names per outcome."""

    created: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    kept_outdated: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        said = []
        if self.created:
            said.append(f"created {len(self.created)}: {', '.join(self.created)}")
        if self.refreshed:
            said.append(
                f"refreshed {len(self.refreshed)} you had not changed, whose lesson was "
                f"updated: {', '.join(self.refreshed)}"
            )
        if self.kept:
            said.append(f"kept {len(self.kept)} you have changed: {', '.join(self.kept)}")
        if self.kept_outdated:
            said.append(
                f"kept {len(self.kept_outdated)} you have changed although their lesson was "
                f"updated since (compare with lessons/, or move yours away and run again): "
                f"{', '.join(self.kept_outdated)}"
            )
        if not said:
            said.append(f"all {len(self.unchanged)} copies are up to date")
        return said


def write_copies(lessons: Path, out: Path) -> Report:
    """Write a learner's copy of every lesson in ``lessons`` into ``out``, never losing edits.

    Parameters
    ----------
    lessons : path
        Folder of the reference lessons (``NN_topic.ipynb``).
    out : path
        Folder of the copies; created if needed.

    Returns
    -------
    Report
        Which copies were created, refreshed, left unchanged or kept because they were edited.
    """
    lessons, out = Path(lessons), Path(out)
    if not lessons.is_dir():
        raise ValueError(f"lessons must be a folder of lesson notebooks, got {str(lessons)!r}")
    if out.resolve() == lessons.resolve():
        raise ValueError("out must differ from lessons: the copies would replace the lessons")
    paths = sorted(lessons.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise ValueError(f"no lesson notebooks (NN_topic.ipynb) in {str(lessons)!r}")
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    report = Report()
    for path in paths:
        reference = path.read_bytes()
        lesson = nbformat.reads(reference.decode(), as_version=4)
        wanted = _serialise(strip_solutions(lesson, reference_name=path.name))
        target = out / path.name
        record = manifest.get(path.name, {})
        if not target.exists():
            report.created.append(path.name)
        else:
            current = _sha256(target.read_bytes())
            untouched = current == record.get("copy_sha256")
            if current == _sha256(wanted):
                report.unchanged.append(path.name)
                manifest[path.name] = {"copy_sha256": current, "lesson_sha256": _sha256(reference)}
                continue
            if not untouched:
                lesson_changed = record.get("lesson_sha256") not in (None, _sha256(reference))
                (report.kept_outdated if lesson_changed else report.kept).append(path.name)
                continue
            report.refreshed.append(path.name)
        target.write_bytes(wanted)
        manifest[path.name] = {"copy_sha256": _sha256(wanted), "lesson_sha256": _sha256(reference)}
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return report


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cnn_lessons.student",
        description="Write your own copies of the lessons (no outputs, no solutions); "
        "copies you have changed are never overwritten.",
    )
    parser.add_argument("--lessons", type=Path, default=Path("lessons"))
    parser.add_argument("--out", type=Path, default=Path("my-work"))
    options = parser.parse_args(arguments)
    report = write_copies(options.lessons, options.out)
    for line in report.lines():
        print(f"{options.out}/: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
