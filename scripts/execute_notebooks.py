"""Re-execute lesson notebooks in place, in a fresh kernel each, deterministically.

    python scripts/execute_notebooks.py lessons/*.ipynb

Each notebook runs with its own folder as the working directory (as under nbval and JupyterLab),
with ``PYTHONHASHSEED=0``; the lessons seed everything else in their setup cell. Widget state is
not kept (it breaks GitHub's rendering) and neither are per-cell timestamps (noise in diffs).
Prints the seconds each notebook took.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, *, timeout: int = 600) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,  # False trips nbclient 0.11 on Output widgets; stripped below
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return seconds


def main(paths: list[str]) -> None:
    if not paths:
        raise SystemExit("usage: python scripts/execute_notebooks.py NOTEBOOK [NOTEBOOK ...]")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for name in paths:
        seconds = execute(Path(name))
        print(f"{name}: executed in {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
