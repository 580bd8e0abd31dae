"""Helpers for the catalogues of wrong implementations each check must reject.

Each test module lists, per check, named wrong implementations with a regular expression the
failure message must match (it must point at the mistake), and the reference solutions.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Wrong:
    """A plausible wrong implementation and what the check must say about it."""

    check: object
    name: str
    function: object
    message: str  # regex searched in the first failure


def params(wrongs):
    """``pytest.mark.parametrize`` arguments: one test per wrong implementation."""
    import pytest

    return pytest.mark.parametrize(
        "wrong", wrongs, ids=[f"{w.check.__name__}-{w.name}" for w in wrongs]
    )


def assert_rejected(wrong: Wrong):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        result = wrong.check(wrong.function, verbose=False)
    assert not result, f"{wrong.check.__name__} accepted {wrong.name}"
    assert result.failures and re.search(wrong.message, result.failures[0]), (
        f"{wrong.name}: {result.failures[0]!r} does not match {wrong.message!r}"
    )
    return result


def catalogue_tests(wrongs, references):
    """The two tests every catalogue module runs, parametrised by its own lists.

    Returns ``(rejects, references_pass)``: one test per wrong implementation (the check must
    reject it with a message pointing at the mistake) and one per ``(check, solution)`` pair
    (the check must accept the reference solution and say so with a tick). Assign them to
    ``test_*`` names.
    """
    import pytest

    @params(wrongs)
    def rejects(wrong):
        assert_rejected(wrong)

    @pytest.mark.parametrize(("check", "solution"), references)
    def references_pass(check, solution, capsys):
        passed = check(solution)
        printed = capsys.readouterr().out
        assert passed, printed
        assert "✔" in printed, printed

    return rejects, references_pass
