"""One line describing the machine a benchmark ran on."""

from __future__ import annotations

import datetime
import os
import platform
from importlib.metadata import PackageNotFoundError, version


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
