"""Optimizers on a 2-D toy problem: pure compute, no drawing.

A network has millions of weights, far too many to look at. Two weights ``(x, y)`` and a loss
surface we choose ourselves are enough to see how each optimizer moves: this module runs the real
Keras optimizers on a ``keras.Variable`` holding the point ``(x, y)``, feeding them the exact
gradient of a known surface, and returns the positions they visit.

``SURFACES``
    ``"elongated"``: the quadratic bowl ``0.5 * (x**2 + 20 * y**2)``, twenty times steeper
    across than along, minimum at ``(0, 0)``;
    ``"rosenbrock"``: ``(1 - x)**2 + 5 * (y - x**2)**2``, Rosenbrock's curved, flat-bottomed
    banana valley (gentler than the classic factor 100, so that 100 steps get somewhere),
    minimum at ``(1, 1)``.
``OPTIMIZERS``
    The names :func:`make_optimizer` accepts: SGD, momentum, Nesterov, RMSprop, Adagrad,
    Adadelta, Adam, Adamax, Nadam, AdamW, Lion.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from cnn_lessons import _validate

__all__ = [
    "OPTIMIZERS",
    "SURFACES",
    "Surface",
    "make_optimizer",
    "surface_gradient",
    "surface_grid",
    "surface_value",
    "trajectory",
]


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface: its formula, where to start, where the minimum is, what to draw."""

    formula: str
    start: tuple[float, float]
    minimum: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]


SURFACES: dict[str, Surface] = {
    "elongated": Surface(
        formula="0.5 (x² + 20 y²)",
        start=(-4.5, 1.5),
        minimum=(0.0, 0.0),
        x_range=(-5.0, 2.0),
        y_range=(-2.0, 2.0),
    ),
    "rosenbrock": Surface(
        formula="(1 − x)² + 5 (y − x²)²",
        start=(-1.5, 2.0),
        minimum=(1.0, 1.0),
        x_range=(-2.0, 2.0),
        y_range=(-1.0, 3.0),
    ),
}

OPTIMIZERS: dict[str, Callable[[float], keras.optimizers.Optimizer]] = {
    "SGD": lambda rate: keras.optimizers.SGD(rate),
    "momentum": lambda rate: keras.optimizers.SGD(rate, momentum=0.9),
    "Nesterov": lambda rate: keras.optimizers.SGD(rate, momentum=0.9, nesterov=True),
    "RMSprop": lambda rate: keras.optimizers.RMSprop(rate),
    "Adagrad": lambda rate: keras.optimizers.Adagrad(rate),
    "Adadelta": lambda rate: keras.optimizers.Adadelta(rate),
    "Adam": lambda rate: keras.optimizers.Adam(rate),
    "Adamax": lambda rate: keras.optimizers.Adamax(rate),
    "Nadam": lambda rate: keras.optimizers.Nadam(rate),
    "AdamW": lambda rate: keras.optimizers.AdamW(rate),
    "Lion": lambda rate: keras.optimizers.Lion(rate),
}

#: A trajectory stops early once a coordinate leaves this range (the optimizer diverged).
DIVERGENCE_LIMIT = 1e4


def _surface(name: str) -> Surface:
    return SURFACES[_validate.one_of(name, "surface", SURFACES)]


def _learning_rate(learning_rate) -> float:
    return _validate.number(learning_rate, "learning_rate", minimum=0, exclusive_minimum=True)


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """A fresh Keras optimizer by its name in :data:`OPTIMIZERS`, Keras defaults otherwise.

    ``"momentum"`` and ``"Nesterov"`` are ``SGD`` with ``momentum=0.9`` (and ``nesterov=True``).
    """
    _validate.one_of(name, "optimizer", OPTIMIZERS)
    return OPTIMIZERS[name](_learning_rate(learning_rate))


def surface_value(surface: str, x, y) -> np.ndarray:
    """The loss at points ``(x, y)``; ``x`` and ``y`` are arrays of one shape (or scalars)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if _surface(surface) is SURFACES["elongated"]:
        return 0.5 * (x**2 + 20 * y**2)
    return (1 - x) ** 2 + 5 * (y - x**2) ** 2


def _gradient(surface: str, x, y) -> tuple:
    """``(dL/dx, dL/dy)`` written with plain arithmetic: NumPy numbers or TensorFlow tensors."""
    if _surface(surface) is SURFACES["elongated"]:
        return x, 20 * y
    return -2 * (1 - x) - 20 * x * (y - x**2), 10 * (y - x**2)


def surface_gradient(surface: str, point) -> np.ndarray:
    """The exact gradient ``(dL/dx, dL/dy)`` at one point ``(x, y)``, shape ``(2,)``."""
    x, y = np.asarray(point, dtype=np.float64)
    return np.array(_gradient(surface, x, y))


def surface_grid(
    surface: str, *, resolution: int = 150
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss on a ``resolution x resolution`` grid covering the surface's drawing range.

    Returns
    -------
    xs, ys, values : ndarray of shape ``(resolution, resolution)``
        As from ``np.meshgrid``, ready for ``Axes.contour``.
    """
    spec = _surface(surface)
    resolution = _validate.integer(resolution, "resolution", minimum=2, maximum=2000)
    xs, ys = np.meshgrid(
        np.linspace(*spec.x_range, resolution), np.linspace(*spec.y_range, resolution)
    )
    return xs, ys, surface_value(surface, xs, ys)


def trajectory(
    optimizer: str | keras.optimizers.Optimizer,
    *,
    surface: str = "elongated",
    learning_rate: float = 0.1,
    steps: int = 80,
    start=None,
) -> np.ndarray:
    """Run a Keras optimizer on a 2-D surface and return the points it visits.

    The point ``(x, y)`` lives in a float32 ``keras.Variable``; each step computes the exact
    gradient there and calls ``optimizer.apply([gradient], [variable])``, just as ``fit`` does for
    a network's weights.

    Parameters
    ----------
    optimizer : str or keras.optimizers.Optimizer
        A name from :data:`OPTIMIZERS` (built with ``learning_rate``), or a fresh optimizer
        instance (then ``learning_rate`` is ignored; an optimizer keeps state, so never reuse one).
    surface : {"elongated", "rosenbrock"}, default "elongated"
    learning_rate : float, default 0.1
    steps : int, default 80
        Number of updates, 1 to 10,000.
    start : (float, float), optional
        Starting point; the surface's own ``start`` when omitted.

    Returns
    -------
    ndarray of shape ``(k, 2)``, float64
        Row 0 is the start, row ``i`` the point after ``i`` updates. ``k == steps + 1``, unless
        the optimizer diverged (a coordinate became non-finite or larger than
        :data:`DIVERGENCE_LIMIT` in size): then the path stops at the first such point.
    """
    spec = _surface(surface)
    steps = _validate.integer(steps, "steps", minimum=1, maximum=10_000)
    if isinstance(optimizer, str):
        _validate.one_of(optimizer, "optimizer", OPTIMIZERS)
        learning_rate = _learning_rate(learning_rate)
    elif not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(
            f"optimizer must be a name from {list(OPTIMIZERS)} or a keras optimizer, "
            f"got {type(optimizer).__name__}"
        )
    start = spec.start if start is None else start
    start = np.asarray(start, dtype=np.float64)
    if start.shape != (2,) or not np.all(np.isfinite(start)):
        raise ValueError(f"start must be a finite point (x, y), got {start.tolist()!r}")
    if isinstance(optimizer, str):
        runner = _runner(optimizer, surface)
        positions = runner.run(start, learning_rate, steps)
    else:
        positions = _eager_positions(optimizer, surface, start, steps)
    return _until_divergence(np.concatenate([start[None], positions]))


def _until_divergence(positions: np.ndarray) -> np.ndarray:
    """The path up to and including the first point that is non-finite or too far out."""
    with np.errstate(invalid="ignore"):
        out = ~np.isfinite(positions).all(axis=1) | (
            np.abs(positions).max(axis=1) > DIVERGENCE_LIMIT
        )
    out[0] = False
    return positions[: int(np.argmax(out)) + 1] if out.any() else positions


def _eager_positions(optimizer, surface: str, start: np.ndarray, steps: int) -> np.ndarray:
    """``optimizer.apply`` step by step, as ``fit`` does (for an optimizer instance)."""
    variable = keras.Variable(start.astype(np.float32), name="point")
    positions = []
    for _ in range(steps):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging path overflows
            gradient = surface_gradient(surface, variable.numpy()).astype(np.float32)
        optimizer.apply([gradient], [variable])
        positions.append(np.asarray(variable.numpy(), dtype=np.float64))
        if not np.all(np.isfinite(positions[-1])) or np.abs(positions[-1]).max() > DIVERGENCE_LIMIT:
            break
    return np.array(positions).reshape(-1, 2)


class _Runner:
    """A named optimizer on one surface, its update loop compiled once with ``tf.function``.

    Each :meth:`run` resets the optimizer's state (iteration count, moments) to what a fresh
    optimizer has, sets the learning rate and runs the same ``optimizer.apply`` steps as
    :func:`_eager_positions` (the results are identical), about 30 times faster than eagerly.
    """

    def __init__(self, name: str, surface: str):
        self.surface = surface
        self.optimizer = OPTIMIZERS[name](0.1)
        self.variable = keras.Variable(np.zeros(2, np.float32), name="point")
        self.optimizer.build([self.variable])
        self.fresh = [variable.numpy() for variable in self.optimizer.variables]
        self.steps = tf.function(self._steps, reduce_retracing=True)

    def _steps(self, count):
        positions = tf.TensorArray(tf.float32, size=count)
        for index in tf.range(count):
            gradient = tf.stack(_gradient(self.surface, self.variable[0], self.variable[1]))
            self.optimizer.apply([gradient], [self.variable])
            positions = positions.write(index, self.variable.value)
        return positions.stack()

    def run(self, start: np.ndarray, learning_rate: float, steps: int) -> np.ndarray:
        for variable, value in zip(self.optimizer.variables, self.fresh, strict=True):
            variable.assign(value)
        self.optimizer.learning_rate = learning_rate
        self.variable.assign(start.astype(np.float32))
        return self.steps(tf.constant(steps)).numpy().astype(np.float64)


@functools.cache
def _runner(name: str, surface: str) -> _Runner:
    _validate.one_of(name, "optimizer", OPTIMIZERS)
    return _Runner(name, surface)
