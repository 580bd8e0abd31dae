"""Self-checking exercises.

A check runs the learner's function on several cases, compares each result with the reference
solution, and prints either a clear pass or the first case that failed, what was expected, what
came back, and a hint. It returns a :class:`CheckResult`, which is truthy only when every case
passed, so a reference solution can be asserted: ``assert checks.check_scale_images(solution)``.

Each lesson adds its checks at the bottom of this module, built on :func:`check_function`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class CheckResult:
    """Outcome of a check: ``passed``, the number of cases, and a message per failure."""

    name: str
    passed: bool
    cases: int
    failures: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        status = "passed" if self.passed else "failed"
        return f"CheckResult({self.name!r}: {status}, {self.cases} cases)"


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        preview = np.array2string(value.ravel()[:6], precision=4, separator=", ")
        return f"array of shape {value.shape}, dtype {value.dtype}, starting {preview}"
    if value is None:
        return "None (did you forget to `return` the result?)"
    return repr(value)


def compare(
    expected, actual, *, rtol: float = 1e-5, atol: float = 1e-6, check_dtype: bool = False
) -> str | None:
    """Return None when ``actual`` matches ``expected``, else a sentence saying how it differs.

    Arrays and numbers are compared by shape and value (within ``rtol``/``atol`` for floats),
    and by dtype too when ``check_dtype`` is true; anything else with ``==``.
    """
    if isinstance(expected, np.ndarray | np.generic | float | int) and not isinstance(
        expected, bool
    ):
        if actual is None:
            return "got None (did you forget to `return` the result?)"
        try:
            actual = np.asarray(actual)
        except Exception:  # a value NumPy cannot read as an array
            return f"expected a number or array, got {type(actual).__name__}"
        expected = np.asarray(expected)
        if actual.shape != expected.shape:
            return f"expected shape {expected.shape}, got shape {actual.shape}"
        if check_dtype and actual.dtype != expected.dtype:
            return f"the dtype is {actual.dtype}; expected {expected.dtype}"
        if expected.dtype.kind in "fc" or actual.dtype.kind in "fc":
            if not np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True):
                worst = float(np.max(np.abs(actual.astype(float) - expected.astype(float))))
                return f"values differ by up to {worst:.3g} (tolerance {atol:g} + {rtol:g}x)"
            return None
        if not np.array_equal(actual, expected):
            return f"expected {_describe(expected)}, got {_describe(actual)}"
        return None
    if actual != expected:
        return f"expected {expected!r}, got {_describe(actual)}"
    return None


def check_function(
    name: str,
    learner: Callable,
    reference: Callable,
    cases: Sequence[tuple[tuple, dict]],
    *,
    hint: str = "",
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_dtype: bool = False,
    verbose: bool = True,
) -> CheckResult:
    """Run ``learner`` and ``reference`` on every case and compare the results.

    Parameters
    ----------
    name : str
        Shown in the report, e.g. ``"scale_images"``.
    learner, reference : callable
        The learner's function and the reference solution.
    cases : sequence of ``(args, kwargs)``
        Inputs to try, from simplest to trickiest; arrays are copied for each call so a
        function that modifies its input cannot spoil the next comparison.
    hint : str, optional
        Printed when a case fails.
    rtol, atol : float
        Tolerances for floating-point results.
    check_dtype : bool, default False
        Also require the result's dtype to equal the reference's.
    verbose : bool, default True
        Print the report.

    Returns
    -------
    CheckResult
    """
    if not callable(learner):
        raise TypeError(f"learner must be a function, got {type(learner).__name__}")
    failures = []
    for number, (args, kwargs) in enumerate(cases, start=1):
        expected = reference(*_copied(args), **_copied(kwargs))
        shown = ", ".join(
            [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
        )
        try:
            actual = learner(*_copied(args), **_copied(kwargs))
        except Exception as error:  # the learner's code may raise anything
            failures.append(f"case {number} ({shown}): raised {type(error).__name__}: {error}")
            break
        problem = compare(expected, actual, rtol=rtol, atol=atol, check_dtype=check_dtype)
        if problem is not None:
            failures.append(f"case {number} ({shown}): {problem}")
            break
    result = CheckResult(name=name, passed=not failures, cases=len(cases), failures=failures)
    if verbose:
        if result.passed:
            print(f"✔ {name}: all {len(cases)} cases pass.")
        else:
            print(f"✘ {name}: {failures[0]}")
            if hint:
                print(f"  Hint: {hint}")
    return result


def _copied(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    return value


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape} {value.dtype}"
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


# --- Lesson 00 --------------------------------------------------------------------------------


def check_scale_images(function: Callable, *, verbose: bool = True) -> CheckResult:
    """Lesson 00: ``function(images)`` turns uint8 images into float32 values in [0, 1]."""
    generator = np.random.default_rng(0)
    cases = [
        ((np.array([[0, 128, 255]], dtype=np.uint8),), {}),
        ((generator.integers(0, 256, size=(2, 28, 28), dtype=np.uint8),), {}),
        ((generator.integers(0, 256, size=(5, 8, 8, 3), dtype=np.uint8),), {}),
    ]
    return check_function(
        "scale_images",
        function,
        lambda images: images.astype(np.float32) / np.float32(255),
        cases,
        hint="convert to float32, then divide by 255, the largest uint8 value "
        "(`images.astype('float32') / 255`).",
        check_dtype=True,
        verbose=verbose,
    )
