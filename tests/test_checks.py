import numpy as np
import pytest

from cnn_lessons import checks


def test_check_passes_a_correct_solution(capsys):
    result = checks.check_scale_images(lambda images: images.astype("float32") / 255)
    assert result and result.cases == 3
    assert "all 3 cases pass" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("solution", "expected_message"),
    [
        (lambda images: images / 255, "dtype is float64"),
        (lambda images: images.astype("float32") / 256, "values differ"),
        (lambda images: None, "forget to `return`"),
        (lambda images: images[0].astype("float32") / 255, "expected shape"),
        (lambda images: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_check_reports_the_failing_case_with_a_hint(solution, expected_message, capsys):
    result = checks.check_scale_images(solution)
    assert not result
    printed = capsys.readouterr().out
    assert expected_message in printed
    assert "case 1" in printed or "case 2" in printed
    assert "Hint:" in printed


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


def test_check_function_rejects_non_callables():
    with pytest.raises(TypeError, match="learner must be a function"):
        checks.check_function("x", 3, abs, [((1,), {})])
