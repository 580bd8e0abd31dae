"""The machinery every check shares: results, comparisons, known mistakes and stepwise hints.

A check runs the learner's function on several cases, compares each result with the reference
solution, and prints either a clear pass or the first case that failed: its input, what was
expected, what came back and, when the result matches a known mistake, what that mistake is.
Then it prints the first hint step not shown yet. Hints come in steps: a nudge (what to think
about), a more specific step, and the answer, which only ``hint(name, answer=True)`` prints.
"""

from __future__ import annotations

import warnings
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

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's value: the check has printed its verdict already.

        So ``checks.check_x(f)`` as a cell's last line needs no ``;`` to avoid an echo, and the
        cell shows the same under nbval, which runs cells without history and so ignores ``;``.
        """


class ResultError(Exception):
    """The learner's function returned or did something a check reports in its own words."""


class ModifiedInputError(ResultError):
    """A learner's function changed one of its arguments in place."""


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong implementation and what to tell a learner whose result matches it.

    ``explain`` is a sentence, or a function ``(args, kwargs) -> sentence`` for a message about
    the failing case ("for 'same' padding with stride 2 on 7 pixels ..."). It says what is
    wrong, not how to fix it: the hints do that, one step at a time.
    """

    function: Callable
    explain: str | Callable[..., str]

    def sentence(self, args: tuple, kwargs: dict) -> str:
        if callable(self.explain):
            return self.explain(*args, **kwargs)
        return self.explain


# --- stepwise hints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hints:
    """Hint steps for one check, from a nudge to a specific step, and the answer."""

    steps: tuple[str, ...]
    answer: str = ""


_HINTS: dict[str, Hints] = {}
_SHOWN: dict[str, int] = {}  # the one module-level state: hint steps shown per check


def register_hints(name: str, steps: Sequence[str], answer: str = "") -> Hints:
    """Record the hint steps of the check called ``name``; returns them."""
    if isinstance(steps, str) or not steps:
        raise ValueError(f"steps must be a non-empty list of sentences, got {steps!r}")
    hints = Hints(tuple(steps), answer)
    _HINTS[name] = hints
    return hints


def reset_hints(name: str | None = None) -> None:
    """Forget which hint steps were shown, for one check or (``name=None``) for all."""
    if name is None:
        _SHOWN.clear()
    else:
        _SHOWN.pop(name, None)


def _lookup(name) -> Hints:
    if not isinstance(name, str) or name not in _HINTS:
        known = ", ".join(repr(known) for known in sorted(_HINTS))
        raise ValueError(f"no hints for {name!r}; the checks with hints are {known}")
    return _HINTS[name]


def _next_step(name: str) -> str:
    """The first step of ``name``'s hints not shown yet (the last one once all were shown)."""
    hints = _HINTS[name]
    shown = _SHOWN.get(name, 0)
    index = min(shown, len(hints.steps) - 1)
    _SHOWN[name] = index + 1
    text = f"  Hint ({index + 1} of {len(hints.steps)}): {hints.steps[index]}"
    if index + 1 < len(hints.steps):
        return text + f"\n  Run `checks.hint({name!r})` for the next step."
    if hints.answer:
        return (
            text
            + f"\n  That was the last step; `checks.hint({name!r}, answer=True)` shows the answer."
        )
    return text


def hint(name: str, *, answer: bool = False) -> None:
    """Print the next hint step of the check ``name`` (as its report names it).

    Each call reveals one more step; the answer is printed only when ``answer=True``.
    """
    hints = _lookup(name)
    if answer:
        print(f"  Answer for {name}: {hints.answer or 'see the solution cell below the exercise.'}")
        return
    print(_next_step(name))


# --- comparing values ---------------------------------------------------------------------------


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        preview = np.array2string(value.ravel()[:6], precision=4, separator=", ")
        return f"array of shape {value.shape}, dtype {value.dtype}, starting {preview}"
    if value is None:
        return "None (did you forget to `return` the result?)"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value) -> str:
    """What a value is, in a few words: "a str ('abc')", "a generator", "a dict"."""
    if value is None:
        return "None"
    if isinstance(value, str | bytes | dict | set | list | tuple):
        return f"a {type(value).__name__} ({_describe(value)})"
    return f"a {type(value).__name__}"


def _compare_numbers(expected, actual, *, rtol, atol, check_dtype) -> str | None:
    if actual is None:
        return "got None (did you forget to `return` the result?)"
    if (
        isinstance(actual, str | bytes | dict | set)
        or not hasattr(actual, "__len__")
        and (
            not isinstance(actual, np.generic | int | float | complex | bool)
            and not hasattr(actual, "__array__")
        )
    ):
        return f"expected a number or an array, got {_kind(actual)}"
    try:
        actual = np.asarray(actual)
    except Exception:  # a value NumPy cannot read as an array (ragged lists, ...)
        return f"expected a number or array, got {_kind(actual)}"
    if actual.dtype.kind not in "biufc":
        return f"expected numbers, got an array of dtype {actual.dtype} ({_describe(actual)})"
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        return f"expected shape {expected.shape}, got shape {actual.shape}"
    if check_dtype and actual.dtype != expected.dtype:
        return f"the dtype is {actual.dtype}; expected {expected.dtype}"
    if expected.dtype.kind in "fc" or actual.dtype.kind in "fc":
        finite = np.isfinite(expected)
        if np.any(finite & ~np.isfinite(actual)):
            bad = actual[finite & ~np.isfinite(actual)].ravel()[0]
            return f"the result is not finite (it contains {bad}); expected finite values"
        if not np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True):
            if expected.ndim == 0:
                return f"expected {float(expected):.6g}, got {float(actual.real):.6g}"
            difference = np.abs(actual.astype(complex) - expected.astype(complex))
            worst = float(np.nanmax(np.where(np.isnan(difference), np.inf, difference)))
            return f"values differ by up to {worst:.3g} (tolerance {atol:g} + {rtol:g}x)"
        return None
    if not np.array_equal(actual, expected):
        if expected.ndim == 0:
            return f"expected {expected.item()}, got {actual.item()}"
        return f"expected {_describe(expected)}, got {_describe(actual)}"
    return None


def _equal(expected, actual) -> bool:
    """``expected == actual`` for any two values, False when they cannot be compared."""
    try:
        same = expected == actual
        if isinstance(same, bool | np.bool_):
            return bool(same)
        return bool(np.all(same)) and np.shape(same) == np.shape(expected)
    except Exception:  # e.g. an array against a tuple of another length
        return False


def compare(
    expected, actual, *, rtol: float = 1e-5, atol: float = 1e-6, check_dtype: bool = False
) -> str | None:
    """Return None when ``actual`` matches ``expected``, else a sentence saying how it differs.

    Arrays and numbers are compared by shape and value (within ``rtol``/``atol`` for floats),
    and by dtype too when ``check_dtype`` is true; anything else with ``==``. Whatever a
    learner's function returns (a string, a dict, a generator, ...) gives a sentence, never an
    exception.
    """
    numeric = isinstance(expected, np.ndarray | np.generic | float | int)
    if numeric and not isinstance(expected, bool):
        try:
            return _compare_numbers(expected, actual, rtol=rtol, atol=atol, check_dtype=check_dtype)
        except Exception as error:  # anything NumPy could not compare
            return f"could not compare the result ({_kind(actual)}): {error}"
    if not _equal(expected, actual):
        return f"expected {expected!r}, got {_describe(actual)}"
    return None


# --- running a check ----------------------------------------------------------------------------


def check_function(
    name: str,
    learner: Callable,
    reference: Callable,
    cases: Sequence[tuple[tuple, dict]],
    *,
    hint: str | Sequence[str] | None = None,
    mistakes: Sequence[Mistake] = (),
    comparator: Callable | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_dtype: bool = False,
    verbose: bool = True,
) -> CheckResult:
    """Run ``learner`` and ``reference`` on every case and compare the results.

    Parameters
    ----------
    name : str
        Shown in the report, e.g. ``"scale_images"``; also the name of its hints.
    learner, reference : callable
        The learner's function and the reference solution.
    cases : sequence of ``(args, kwargs)``
        Inputs to try, from simplest to trickiest; arrays are copied for each call so a
        function that modifies its input cannot spoil the next comparison.
    hint : str or list of str, optional
        Hint steps; by default those registered under ``name`` with :func:`register_hints`.
    mistakes : sequence of Mistake
        Known wrong implementations: when the learner's result on the failing case equals a
        mistake's, the report says what that mistake is.
    comparator : callable, optional
        ``comparator(expected, actual) -> str | None`` in place of :func:`compare`.
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
    if hint is not None:
        register_hints(name, [hint] if isinstance(hint, str) else hint)

    def differs(expected, actual):
        if comparator is not None:
            return comparator(expected, actual)
        return compare(expected, actual, rtol=rtol, atol=atol, check_dtype=check_dtype)

    failures = []
    for number, (args, kwargs) in enumerate(cases, start=1):
        expected = reference(*_copied(args), **_copied(kwargs))
        shown = ", ".join(
            [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
        )
        try:
            actual = learner(*_copied(args), **_copied(kwargs))
        except ResultError as error:
            failures.append(f"case {number} ({shown}): {error}")
            break
        except Exception as error:  # the learner's code may raise anything
            failures.append(f"case {number} ({shown}): raised {type(error).__name__}: {error}")
            break
        try:
            problem = differs(expected, actual)
        except Exception as error:  # never let a learner's odd return value crash the check
            problem = f"could not compare the result ({_kind(actual)}): {error}"
        if problem is not None:
            known = _matching_mistake(mistakes, args, kwargs, actual, differs)
            failures.append(f"case {number} ({shown}): {problem}" + (f". {known}" if known else ""))
            break
    return report(name, failures, len(cases), verbose=verbose)


def _matching_mistake(mistakes, args, kwargs, actual, differs) -> str | None:
    """What the known mistakes whose result equals ``actual`` on this case are, in words."""
    matches = []
    for mistake in mistakes:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                wrong = mistake.function(*_copied(args), **_copied(kwargs))
                if differs(wrong, actual) is None:
                    matches.append(mistake.sentence(args, kwargs))
        except Exception:  # a mistake that does not apply to this case
            continue
    return " Or: ".join(f"{sentence}." for sentence in matches)[:-1] if matches else None


def report(name: str, failures: list[str], cases: int, *, verbose: bool = True) -> CheckResult:
    """Build the :class:`CheckResult`; print the pass, or the failure and the next hint step."""
    result = CheckResult(name=name, passed=not failures, cases=cases, failures=failures)
    if verbose:
        if result.passed:
            print(f"✔ {name}: all {cases} cases pass.")
        else:
            print(f"✘ {name}: {failures[0]}")
            if name in _HINTS:
                print(_next_step(name))
    return result


def leaves_inputs_alone(function: Callable, names: Sequence[str]) -> Callable:
    """Wrap ``function`` so that changing an array argument in place fails the case.

    In a network the arrays a function receives are often still needed elsewhere (the same
    upstream gradient may feed two branches, the forward values feed other gradients), so
    writing into them is a bug even when the returned values are right.
    """

    def wrapped(*args):
        before = [np.array(arg, copy=True) if isinstance(arg, np.ndarray) else arg for arg in args]
        result = function(*args)
        for name, old, new in zip(names, before, args, strict=False):
            if isinstance(new, np.ndarray) and not np.array_equal(old, new, equal_nan=True):
                raise ModifiedInputError(
                    f"your function changed `{name}` in place; return a new array and leave the "
                    "arguments as they were (the rest of the network still needs them)"
                )
        return result

    return wrapped


def _copied(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    return value


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape} {value.dtype}"
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."
