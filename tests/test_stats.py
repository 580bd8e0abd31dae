"""Means and paired differences over seeds, with Student-t intervals."""

import doctest

import numpy as np
import pytest
from scipy import stats as scipy_stats

from cnn_lessons import stats


def test_mean_interval_matches_scipy_t_interval():
    values = [0.91, 0.88, 0.93, 0.90]
    interval = stats.mean_interval(values)
    low, high = scipy_stats.t.interval(
        0.95, df=3, loc=np.mean(values), scale=scipy_stats.sem(values)
    )
    assert interval.mean == pytest.approx(np.mean(values))
    assert (interval.low, interval.high) == pytest.approx((low, high))
    assert interval.n == 4 and interval.half_width == pytest.approx((high - low) / 2)


def test_three_runs_need_the_t_multiplier_not_two():
    assert stats.t_multiplier(3) == pytest.approx(4.303, abs=1e-3)
    assert stats.t_multiplier(30) == pytest.approx(2.045, abs=1e-3)
    assert stats.t_multiplier(3, confidence=0.9) == pytest.approx(2.920, abs=1e-3)


def test_paired_difference_detects_what_separate_intervals_cannot():
    seed_effect = np.array([0.80, 0.90, 0.85, 0.95, 0.88])
    better, worse = seed_effect + 0.01, seed_effect
    separate = stats.mean_interval(better), stats.mean_interval(worse)
    assert separate[0].low < separate[1].high  # the two intervals overlap
    difference = stats.paired_difference(better, worse)
    assert difference.excludes_zero and difference.mean == pytest.approx(0.01)
    assert stats.verdict(difference, better="A", worse="B").startswith("A beats B by 0.010")
    reverse = stats.paired_difference(worse, better)
    assert stats.verdict(reverse, better="B", worse="A").startswith("A beats B by 0.010")


def test_no_detectable_difference_is_said_so():
    difference = stats.paired_difference([0.90, 0.92, 0.91], [0.91, 0.90, 0.915])
    assert not difference.excludes_zero
    assert stats.verdict(difference, better="A", worse="B").startswith("no detectable difference")


def test_interval_prints_mean_bounds_and_runs():
    text = str(stats.mean_interval([1.0, 2.0, 3.0]))
    assert text == "2.000 [-0.484, 4.484] (n=3)"
    assert stats.mean_interval([1.0, 2.0, 3.0]).format(1) == "2.0 [-0.5, 4.5] (n=3)"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: stats.mean_interval([0.9]), ValueError, "at least 2 runs"),
        (lambda: stats.mean_interval("0.9, 0.8"), TypeError, "sequence of numbers"),
        (lambda: stats.mean_interval(0.9), TypeError, "sequence of numbers"),
        (lambda: stats.mean_interval([[0.9, 0.8]]), ValueError, "one-dimensional"),
        (lambda: stats.mean_interval([0.9, np.nan]), ValueError, "finite"),
        (lambda: stats.mean_interval([0.9, 0.8], confidence=95), ValueError, "between 0 and 1"),
        (lambda: stats.mean_interval([0.9, 0.8], confidence="95%"), TypeError, "confidence"),
        (lambda: stats.paired_difference([0.9, 0.8, 0.7], [0.9, 0.8]), ValueError, "pair up"),
        (lambda: stats.t_multiplier(1), ValueError, "at least 2"),
        (lambda: stats.t_multiplier(3.0), TypeError, "runs must be an int"),
        (lambda: stats.verdict(0.1, better="A", worse="B"), TypeError, "Interval"),
        (lambda: stats.mean_interval([1.0, 2.0]).format(-1), ValueError, "digits"),
    ],
)
def test_bad_arguments_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_arrays_and_integer_scalars_are_accepted():
    interval = stats.mean_interval(np.array([1, 2, 3]))
    assert interval.mean == 2.0
    assert stats.t_multiplier(np.int64(3)) == pytest.approx(stats.t_multiplier(3))


def test_the_examples_in_the_docstrings_hold():
    failed, tried = doctest.testmod(stats)
    assert tried >= 4 and failed == 0
