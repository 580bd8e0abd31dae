"""Uncertainty for results measured over a few seeds: means and paired differences with intervals.

A network trained twice with different seeds ends at different accuracies, so one run cannot
rank two recipes. The lessons run each recipe over several seeds and report

* :func:`mean_interval`: the mean over the runs with a 95% confidence interval from Student's t
  distribution (with 3 runs the interval is the mean +- 4.30 standard errors, not 2: the
  normal approximation is far too narrow for so few runs);
* :func:`paired_difference`: when two recipes ran on the same seeds (same data subset, same
  initial weights), the mean of the per-seed differences with its interval. Pairing removes
  the seed-to-seed variation the two share, so it detects smaller differences than comparing
  two separate intervals. When the interval contains 0, the lesson says the difference is not
  detectable with these runs.

Both return an :class:`Interval`, which prints as ``0.912 [0.897, 0.927] (n=3)``.

>>> interval = mean_interval([0.90, 0.91, 0.92])
>>> round(interval.mean, 3), round(interval.low, 3), round(interval.high, 3)
(0.91, 0.885, 0.935)
>>> paired_difference([0.92, 0.93, 0.95], [0.90, 0.91, 0.92]).excludes_zero
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _scipy_stats


@dataclass(frozen=True)
class Interval:
    """A mean over ``n`` runs and its confidence interval ``[low, high]``."""

    mean: float
    low: float
    high: float
    n: int
    confidence: float = 0.95

    @property
    def half_width(self) -> float:
        """Half the interval's width (the "+-" part)."""
        return (self.high - self.low) / 2

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0 (a detectable difference)."""
        return bool(self.low > 0 or self.high < 0)

    def format(self, digits: int = 3) -> str:
        """E.g. ``'0.912 [0.897, 0.927] (n=3)'``."""
        if not isinstance(digits, int | np.integer) or isinstance(digits, bool) or digits < 0:
            raise ValueError(f"digits must be a non-negative int, got {digits!r}")
        return (
            f"{self.mean:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}] (n={self.n})"
        )

    def __str__(self) -> str:
        return self.format()


def _values(values, name: str) -> np.ndarray:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if len(array) < 2:
        raise ValueError(f"{name} needs at least 2 runs for an interval, got {len(array)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers, got {values!r}")
    return array


def _check_confidence(confidence) -> float:
    if not isinstance(confidence, float | int) or isinstance(confidence, bool):
        raise TypeError(f"confidence must be a number, got {type(confidence).__name__}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return float(confidence)


def t_multiplier(runs: int, *, confidence: float = 0.95) -> float:
    """How many standard errors the two-sided interval spans on each side, for ``runs`` runs.

    >>> round(t_multiplier(3), 2), round(t_multiplier(5), 2), round(t_multiplier(1000), 2)
    (4.3, 2.78, 1.96)
    """
    if not isinstance(runs, int | np.integer) or isinstance(runs, bool):
        raise TypeError(f"runs must be an int, got {type(runs).__name__}")
    if runs < 2:
        raise ValueError(f"runs must be at least 2, got {runs}")
    confidence = _check_confidence(confidence)
    return float(_scipy_stats.t.ppf(0.5 + confidence / 2, df=int(runs) - 1))


def mean_interval(values, *, confidence: float = 0.95) -> Interval:
    """Mean of ``values`` with its Student-t confidence interval.

    Parameters
    ----------
    values : sequence of float, shape (n,)
        One result per run (seed), n >= 2.
    confidence : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    Interval
        ``mean +- t * s / sqrt(n)`` with ``s`` the sample standard deviation (ddof=1).
    """
    array = _values(values, "values")
    confidence = _check_confidence(confidence)
    mean = float(array.mean())
    standard_error = float(array.std(ddof=1)) / math.sqrt(len(array))
    half = t_multiplier(len(array), confidence=confidence) * standard_error
    return Interval(mean, mean - half, mean + half, len(array), confidence)


def paired_difference(first, second, *, confidence: float = 0.95) -> Interval:
    """Mean of ``first - second`` over paired runs, with its confidence interval.

    Parameters
    ----------
    first, second : sequence of float, shape (n,)
        Results of two recipes on the same n seeds, in the same order.
    confidence : float, default 0.95

    Returns
    -------
    Interval
        Of the per-seed differences; ``excludes_zero`` says whether the difference is detectable.
    """
    a, b = _values(first, "first"), _values(second, "second")
    if a.shape != b.shape:
        raise ValueError(
            f"first and second must pair up run by run, got {len(a)} and {len(b)} runs"
        )
    return mean_interval(a - b, confidence=confidence)


def verdict(difference: Interval, *, better: str, worse: str) -> str:
    """One sentence for a paired difference: who wins, or that no difference is detectable.

    >>> verdict(paired_difference([0.92, 0.93, 0.95], [0.90, 0.91, 0.92]), better="A", worse="B")
    'A beats B by 0.023 [0.009, 0.038] (n=3)'
    """
    if not isinstance(difference, Interval):
        raise TypeError(f"difference must be an Interval, got {type(difference).__name__}")
    if not difference.excludes_zero:
        return f"no detectable difference between {better} and {worse}: {difference}"
    if difference.mean > 0:
        return f"{better} beats {worse} by {difference}"
    flipped = Interval(
        -difference.mean, -difference.high, -difference.low, difference.n, difference.confidence
    )
    return f"{worse} beats {better} by {flipped}"
