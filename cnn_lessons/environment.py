"""Quiet TensorFlow start-up and a short report of the environment a lesson runs in."""

from __future__ import annotations

import os
import platform
import sys
import warnings


def quiet_tensorflow() -> None:
    """Import TensorFlow without its native start-up chatter on stderr.

    TensorFlow's C++ core prints informational lines when it is imported (oneDNN, missing CUDA
    drivers) before its own log level applies, and later some harmless ``E0000`` lines. This sets
    ``TF_CPP_MIN_LOG_LEVEL=3`` (unless you chose a level yourself), imports TensorFlow with the
    process's stderr briefly pointed at ``/dev/null``, and hides Python warnings that Keras and
    TensorFlow raise about their own internals. Python exceptions are never hidden. Call it
    before anything else imports TensorFlow; calling it later is harmless but too late to help.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" not in sys.modules:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 2)
                import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    for module in ("keras", "tensorflow", "absl"):
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=module)
        warnings.filterwarnings("ignore", category=FutureWarning, module=module)


def report() -> dict[str, str]:
    """Versions and hardware in use: Python, TensorFlow, Keras, accelerator, CPU cores."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return {
        "Python": platform.python_version(),
        "TensorFlow": tf.__version__,
        "Keras": f"{keras.__version__} (backend: {keras.backend.backend()})",
        "Accelerator": ", ".join(g.name for g in gpus)
        if gpus
        else "none: training runs on the CPU",
        "CPU cores": str(os.cpu_count()),
    }
