"""Seeding, a one-line progress display and live training curves for ``model.fit``.

``seed_everything`` makes a lesson's training repeatable: the same seed gives the same weights,
the same batches and so the same curves on every run on the same machine.

``ProgressLine`` and ``LiveCurves`` are Keras callbacks. In a notebook each keeps one output area
that it updates in place (an IPython display handle), so the saved notebook shows only the final
line and the final figure; outside a notebook they print.
"""

from __future__ import annotations

import time

import keras
import tensorflow as tf
from matplotlib.figure import Figure
from tqdm import tqdm

from cnn_lessons import _validate, plots


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy, Keras and TensorFlow; make TensorFlow ops deterministic.

    This is the one function in the package that sets global random state; everything else
    that needs randomness takes a ``seed=`` and uses a generator of its own. String hashing
    (``PYTHONHASHSEED``) cannot be changed in a running interpreter: it is fixed when Python
    starts (``make lab`` starts JupyterLab with ``PYTHONHASHSEED=0``), so it is not set here.

    Parameters
    ----------
    seed : int, default 0
        A non-negative int.
    """
    seed = _validate.seed(seed)
    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend
    tf.config.experimental.enable_op_determinism()


class _InPlaceOutput:
    """One notebook output area that is shown once and then updated in place."""

    def __init__(self):
        self._handle = None
        self.in_kernel = False
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        self.in_kernel = shell is not None and hasattr(shell, "kernel")

    def show(self, value):
        from IPython.display import display

        if self._handle is None:
            self._handle = display(value, display_id=True)
        else:
            self._handle.update(value)


def _format_logs(logs) -> str:
    return "  ".join(f"{name} {value:.4f}" for name, value in (logs or {}).items())


class ProgressLine(keras.callbacks.Callback):
    """A one-line progress display for ``fit``: epochs done, time, and the latest metrics.

    Use with ``verbose=0``: ``model.fit(..., verbose=0, callbacks=[ProgressLine()])``.
    The line is formatted by tqdm and updated in place once per epoch.
    """

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self._epochs = self.params.get("epochs") or 0
        self._output = _InPlaceOutput()
        self._show(0, {})

    def on_epoch_end(self, epoch, logs=None):
        self._show(epoch + 1, logs)

    def _show(self, done, logs):
        line = tqdm.format_meter(
            done,
            self._epochs,
            time.perf_counter() - self._start,
            unit="epoch",
            ncols=0,
            postfix=_format_logs(logs) or None,
        )
        if self._output.in_kernel:
            from IPython.display import Pretty

            self._output.show(Pretty(line))
        elif done == self._epochs:
            print(line)


class LiveCurves(keras.callbacks.Callback):
    """Redraw loss and accuracy curves (training and validation) after every epoch.

    Parameters
    ----------
    metrics : sequence of str, default ("loss", "accuracy")
    title : str, optional
    """

    def __init__(self, metrics=("loss", "accuracy"), *, title=None):
        super().__init__()
        self.metrics = tuple(metrics)
        self.title = title
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs=None):
        self.history = {}
        self._output = _InPlaceOutput()
        # A bare Figure (not pyplot's) so the inline backend does not show it a second time.
        self.figure = Figure(figsize=(4 * len(self.metrics), 2.8), layout="constrained")
        self.axes = self.figure.subplots(1, len(self.metrics), squeeze=False).ravel()

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(value))
        for axis in self.axes:
            axis.clear()
        plots.plot_history(self.history, self.axes, metrics=self.metrics, title=self.title)
        if self._output.in_kernel:
            self._output.show(self.figure)
