"""The shared machinery: comparisons, reports, known mistakes and stepwise hints."""

import numpy as np
import pytest

from cnn_lessons import checks
from cnn_lessons.checks._framework import CheckResult


def test_check_function_copies_inputs_so_mutation_cannot_cheat():
    def mutating(values):
        values *= 0
        return values

    cases = [((np.arange(3.0),), {}), ((np.arange(4.0),), {})]
    result = checks.check_function("double", mutating, lambda v: v * 2, cases, verbose=False)
    assert not result and "case 1" in result.failures[0]


def test_compare_handles_plain_values():
    assert checks.compare("abc", "abc") is None
    assert "expected 'abc'" in checks.compare("abc", "abd")


def test_compare_says_when_a_result_is_not_finite():
    assert "not finite (it contains inf)" in checks.compare(16.1, float("inf"))
    assert "not finite (it contains nan)" in checks.compare(np.ones(2), np.array([1.0, np.nan]))
    assert checks.compare(np.array([np.nan]), np.array([np.nan])) is None


def test_check_function_rejects_non_callables():
    with pytest.raises(TypeError, match="learner must be a function"):
        checks.check_function("x", 3, abs, [((1,), {})])


def test_a_known_mistake_is_named_in_the_failure():
    mistakes = [
        checks.Mistake(lambda v: v + 2, "this adds 2"),
        checks.Mistake(lambda v: v * 3, lambda v: f"this triples {v}"),
        checks.Mistake(lambda v: 1 / 0, "never applies"),
    ]
    cases = [((2,), {})]
    result = checks.check_function(
        "double", lambda v: v * 3, lambda v: v * 2, cases, mistakes=mistakes, verbose=False
    )
    assert result.failures == ["case 1 (2): expected 4, got 6. this triples 2"]
    result = checks.check_function(
        "double", lambda v: v + 2, lambda v: v * 2, [((3,), {})], mistakes=mistakes, verbose=False
    )
    assert result.failures == ["case 1 (3): expected 6, got 5. this adds 2"]


def test_several_matching_mistakes_are_all_named():
    mistakes = [checks.Mistake(lambda v: v + 2, "adds 2"), checks.Mistake(lambda v: 2 * v, "2x")]
    result = checks.check_function(
        "cube", lambda v: 4, lambda v: v**3, [((2,), {})], mistakes=mistakes, verbose=False
    )
    assert result.failures[0].endswith("adds 2. Or: 2x")


def test_a_string_hint_still_works(capsys):
    checks.check_function("plus_one", abs, lambda v: v + 1, [((1,), {})], hint="add one")
    assert "Hint (1 of 1): add one" in capsys.readouterr().out


def test_hints_come_one_step_at_a_time_and_the_answer_only_on_request(capsys):
    checks.register_hints("demo", ["first nudge", "second step"], answer="ANSWER-TEXT")
    cases = [((1,), {})]
    checks.check_function("demo", abs, lambda v: -v, cases)
    printed = capsys.readouterr().out
    assert "first nudge" in printed and "checks.hint('demo')" in printed
    assert "second step" not in printed and "ANSWER-TEXT" not in printed
    checks.check_function("demo", abs, lambda v: -v, cases)  # a second failing run
    printed = capsys.readouterr().out
    assert "second step" in printed and "answer=True" in printed and "ANSWER-TEXT" not in printed
    checks.hint("demo")  # nothing new: the last step again, never the answer
    printed = capsys.readouterr().out
    assert "second step" in printed and "ANSWER-TEXT" not in printed
    checks.hint("demo", answer=True)
    assert "ANSWER-TEXT" in capsys.readouterr().out
    checks.reset_hints("demo")
    checks.hint("demo")
    assert "first nudge" in capsys.readouterr().out


def test_hint_names_the_known_checks_for_an_unknown_name():
    with pytest.raises(ValueError, match="no hints for 'nope'.*'conv_macs'"):
        checks.hint("nope")


def test_register_hints_needs_a_list_of_steps():
    with pytest.raises(ValueError, match="non-empty list"):
        checks.register_hints("x", "one string")


def test_a_result_as_a_cells_value_shows_nothing_more_than_the_check_printed(capsys):
    from IPython.core.formatters import DisplayFormatter

    result = CheckResult("example", passed=False, cases=3, failures=["case 1: wrong"])
    assert DisplayFormatter().format(result) == ({}, {})  # no Out[] echo, with or without ";"
    assert capsys.readouterr().out == ""
    assert repr(result) == "CheckResult('example': failed, 3 cases)"  # plain Python still sees it
