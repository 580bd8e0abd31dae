"""Rule: whatever a learner's function returns (a string, a dict, a generator, a ragged list,
nothing, an object) or raises, every check reports a failure; no check crashes."""

import numpy as np
import pytest

from cnn_lessons import checks

CHECKS = sorted(
    name for name in dir(checks) if name.startswith("check_") and name != "check_function"
)


def _generator():
    return (value for value in range(3))


ODD_RESULTS = {
    "a string": lambda: "42",
    "a dict": lambda: {"answer": 42},
    "a generator": _generator,
    "a set": lambda: {1, 2},
    "an object": object,
    "an array of strings": lambda: np.array(["4", "2"]),
    "a ragged list": lambda: [[1], [1, 2]],
    "None": lambda: None,
    "NaN": lambda: float("nan"),
    "a function": lambda: print,
    "an exception": lambda: 1 / 0,
}


@pytest.mark.parametrize("returned", list(ODD_RESULTS))
@pytest.mark.parametrize("name", CHECKS)
def test_an_odd_return_value_fails_the_check_without_crashing(name, returned, capsys):
    make = ODD_RESULTS[returned]

    def learner(*args, **kwargs):
        return make()

    result = getattr(checks, name)(learner)
    assert not result and result.failures
    printed = capsys.readouterr().out
    assert "✘" in printed and "Traceback" not in printed


@pytest.mark.parametrize(
    ("expected", "actual", "words"),
    [
        (np.ones(2), "11", "got a str"),
        (np.ones(2), {"a": 1}, "got a dict"),
        (np.ones(2), _generator(), "got a generator"),
        (np.ones(2), np.array(["a", "b"]), "expected numbers"),
        (np.ones(2), [[1], [1, 2]], "expected a number or array"),
        (3.0, None, "forget to `return`"),
        ((1, 2), np.array([1, 2, 3]), "expected (1, 2)"),
    ],
)
def test_compare_describes_any_value(expected, actual, words):
    assert words in checks.compare(expected, actual)
