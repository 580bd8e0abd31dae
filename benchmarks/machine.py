"""One line describing the machine a benchmark ran on."""

from __future__ import annotations

import datetime
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def describe_machine() -> str:
    """E.g. 'Machine: <CPU model>, 2 cores, Linux; Python 3.11.7, NumPy ..., TensorFlow ...'."""
    return (
        f"Machine: {_cpu_model()}, {os.cpu_count()} cores, {platform.system()}; "
        f"Python {platform.python_version()}, NumPy {_version('numpy')}, "
        f"TensorFlow {_version('tensorflow')}, Keras {_version('keras')}; "
        f"measured {datetime.date.today().isoformat()}."
    )


def write_report(
    path, *, title: str, notes: list[str], columns: list[str], numeric: set[str], rows: list[str]
) -> None:
    """Write a results file: the title, the machine line, the notes, then the table.

    ``columns`` names the table's columns; those in ``numeric`` are right-aligned. ``rows``
    are the table's lines, already formatted (``| ... |``).
    """
    header = "| " + " | ".join(columns) + " |"
    alignment = "|" + "|".join("---:" if name in numeric else "---" for name in columns) + "|"
    lines = [f"# {title}", "", describe_machine(), "", *notes, "", header, alignment, *rows, ""]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    print(f"wrote {path}")
