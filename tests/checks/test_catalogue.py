"""Every check has at least three wrong implementations that it rejects, and stepwise hints.

The catalogues live in the test module of each checks module; this one counts them, and runs
each check's hint steps: the first failure shows step 1 only, ``checks.hint`` step 2,
``answer=True`` the answer.
"""

import warnings

import numpy as np
import pytest

from cnn_lessons import checks

from . import (
    test_architectures,
    test_backprop,
    test_convolution,
    test_training,
    test_transfer,
    test_tuning,
    test_welcome,
)

MODULES = [
    test_welcome,
    test_convolution,
    test_backprop,
    test_training,
    test_tuning,
    test_architectures,
    test_transfer,
]
WRONG = [wrong for module in MODULES for wrong in module.WRONG]
CHECKS = sorted(
    name for name in checks.__all__ if name.startswith("check_") and name != "check_function"
)


def _count():
    counts = dict.fromkeys(CHECKS, 0)
    for wrong in WRONG:
        counts[wrong.check.__name__] += 1
    return counts


def test_every_check_has_at_least_three_wrong_implementations():
    counts = _count()
    assert set(counts) == set(CHECKS), "a catalogue names a check that does not exist"
    too_few = {name: count for name, count in counts.items() if count < 3}
    assert not too_few
    assert len(CHECKS) == 20 and sum(counts.values()) == len(WRONG) >= 3 * len(CHECKS)


def _first_wrong(name):
    return next(wrong for wrong in WRONG if wrong.check.__name__ == name)


@pytest.mark.parametrize("name", CHECKS)
def test_hints_come_in_steps(name, capsys):
    wrong = _first_wrong(name)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        result = wrong.check(wrong.function)
    hints = checks._framework._HINTS[result.name]
    assert len(hints.steps) >= 2 and hints.answer
    printed = capsys.readouterr().out
    assert hints.steps[0] in printed and f"checks.hint({result.name!r})" in printed
    assert hints.steps[1] not in printed and hints.answer not in printed
    checks.hint(result.name)
    printed = capsys.readouterr().out
    assert hints.steps[1] in printed and hints.answer not in printed
    checks.hint(result.name, answer=True)
    assert hints.answer in capsys.readouterr().out
