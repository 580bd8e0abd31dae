"""Every number a lesson's prose states is a number its code printed (or cites its source).

The audit reads each lesson's markdown and takes every number with three or more significant
digits, and every percentage or multiplier ("98%", "3.4x"). Each must appear in the same
notebook's stored outputs, after rounding to the precision the prose wrote ("0.15" matches a
printed 0.147; "98%" matches a printed 0.981 or 98.1), unless the same line cites its source:
a link to a paper or documentation page, or an author-year reference ("et al.", "(2015)").
Years, numbers inside inline code or math, and numbers in links are not claims and are skipped.
A number edited by hand in the prose, or left behind when the code's output changed, fails here
with the lesson, the cell and the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import nbformat
import pytest

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))

_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%|x(?![\w\d])|\s(?:thousand|million|billion)\b)?"
)
_SCALE = {"thousand": 3, "million": 6, "billion": 9}
_PRINTED = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:[eE][-+]?\d+)?")
_CITATION = re.compile(
    r"\]\(https?://|et al\.|\(\d{4}[a-z]?\)|, \d{4}[a-z]?\)|arXiv|doi\.org"
    r"|\b(?:NIPS|NeurIPS|CVPR|ICCV|ECCV|ICLR|ICML|JMLR|Nature|Science)\b[^|]*\d{4}"
)
_NOT_PROSE = [
    re.compile(r"`[^`\n]*`"),  # inline code
    re.compile(r"\$[^$\n]*\$"),  # inline math
    re.compile(r"\]\([^)\n]*\)"),  # link targets
    re.compile(r"<[^>\n]+>"),  # HTML tags
]


@dataclass(frozen=True)
class Claim:
    cell: int
    text: str  # as written, e.g. "0.147" or "98%"
    value: Decimal
    percent: bool
    line: str
    scale: int = 0  # "138 million" is 138 at a scale of 10**6


def _significant_digits(integer: str, fraction: str | None) -> int:
    digits = (integer.replace(",", "") + (fraction or "")[1:]).lstrip("0")
    return len(digits if fraction else digits.rstrip("0"))


def prose_claims(notebook) -> list[Claim]:
    """The numbers the markdown of ``notebook`` states that need a printed source."""
    claims = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        source = re.sub(r"```.*?```", " ", cell.source, flags=re.DOTALL)
        for line in source.splitlines():
            prose = line
            for pattern in _NOT_PROSE[:2]:  # code and maths first: "(4096)" there is no year
                prose = pattern.sub(" ", prose)
            if _CITATION.search(prose):
                continue
            for pattern in _NOT_PROSE[2:]:
                prose = pattern.sub(" ", prose)
            for match in _NUMBER.finditer(prose):
                integer, fraction, suffix = match.group(1), match.group(2), match.group(3) or ""
                value = Decimal(integer.replace(",", "") + (fraction or ""))
                if not fraction and not suffix and 1900 <= value <= 2030:
                    continue  # a year
                scale = _SCALE.get(suffix.strip(), 0)
                if (suffix and not scale) or _significant_digits(integer, fraction) >= 3:
                    claims.append(
                        Claim(
                            index, match.group(0), value, suffix.strip() == "%", line.strip(), scale
                        )
                    )
    return claims


def printed_numbers(notebook) -> set[Decimal]:
    """Every number in the stored text outputs of ``notebook``, without its sign."""
    numbers = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            texts += [output.get("data", {}).get(kind, "") for kind in ("text/plain", "text/html")]
            for text in texts:
                for match in _PRINTED.finditer(text):
                    try:
                        numbers.add(Decimal(match.group(0).replace(",", "")))
                    except InvalidOperation:
                        continue
    return numbers


def is_printed(claim: Claim, printed: set[Decimal]) -> bool:
    """Whether some printed number, rounded as the claim is written, equals the claim."""
    places = -claim.value.as_tuple().exponent
    targets = [(claim.value.scaleb(claim.scale), places - claim.scale)]
    if claim.scale:  # "15.5 billion" may be printed in billions: 15.47
        targets.append((claim.value, places))
    if claim.percent:  # 98% may be printed as 98.1 or as the fraction 0.981
        targets.append((claim.value / 100, places + 2))
    for number in printed:
        for target, digits in targets:
            step = Decimal(1).scaleb(-digits)
            for rounding in (ROUND_HALF_UP, ROUND_HALF_EVEN):
                if number.quantize(step, rounding=rounding) == target.quantize(step):
                    return True
    return False


def unprinted_claims(notebook) -> list[Claim]:
    printed = printed_numbers(notebook)
    return [claim for claim in prose_claims(notebook) if not is_printed(claim, printed)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_every_number_in_the_prose_was_printed_by_the_lesson(path):
    missing = unprinted_claims(nbformat.read(path, as_version=4))
    report = "\n".join(
        f"  {path.name}, cell {claim.cell}: {claim.text!r} in {claim.line[:90]!r}"
        for claim in missing
    )
    assert not missing, f"numbers in the prose that no output printed (or cite):\n{report}"


def _lesson(prose: str, printed: str):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(accuracy)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    notebook.cells = [nbformat.v4.new_markdown_cell(prose), cell]
    return notebook


def test_the_audit_fails_when_a_prose_number_is_edited_by_hand():
    honest = _lesson("The network reaches 0.912 test accuracy (91%).", "test accuracy 0.9123\n")
    assert unprinted_claims(honest) == []
    edited = _lesson("The network reaches 0.915 test accuracy (91%).", "test accuracy 0.9123\n")
    assert [claim.text for claim in unprinted_claims(edited)] == ["0.915"]
    inflated = _lesson("The network reaches 0.912 test accuracy (93%).", "test accuracy 0.9123\n")
    assert [claim.text for claim in unprinted_claims(inflated)] == ["93%"]


def test_what_counts_as_a_claim():
    notebook = _lesson(
        "A 28x28 image has 784 pixels; 3.4x faster; 2x2 pooling; 12 filters; since 2012;\n"
        "`Dense(4096)` and $224 \\times 224$ are code and maths; 14,410 parameters.\n"
        "AlexNet's error was 15.3% (Krizhevsky et al., 2012).\n"
        "| 2012 | AlexNet | 15.3% | Krizhevsky, Sutskever & Hinton, NIPS 2012 |\n"
        "VGG16 has 138 million weights and 1.2 million images; 5 million.",
        "nothing printed\n",
    )
    claims = [claim.text for claim in prose_claims(notebook)]
    assert claims == ["784", "3.4x", "14,410", "138 million"]  # 1.2 and 5: too few digits


def test_printed_numbers_match_after_rounding_as_written():
    printed = printed_numbers(_lesson("", "loss 0.14712, 108,618 parameters, 1e-05, ratio 3.42\n"))
    assert {Decimal("0.14712"), Decimal("108618"), Decimal("1e-05"), Decimal("3.42")} <= printed
    for text, percent, expected in [
        ("0.147", False, True),
        ("0.15", False, True),
        ("0.148", False, False),
        ("108618", False, True),
        ("3.4", False, True),
        ("14.7", True, True),  # 14.7% of ... printed as the fraction 0.14712
        ("15", True, True),
        ("16", True, False),
    ]:
        claim = Claim(0, text, Decimal(text), percent, "")
        assert is_printed(claim, printed) is expected, text
    for text, expected in [("0.109", True), ("0.108", False), ("3.42", True), ("3.43", False)]:
        claim = Claim(0, f"{text} million", Decimal(text), False, "", scale=6)
        assert is_printed(claim, printed) is expected, text
    for _ in []:
        claim = Claim(0, text, Decimal(text), percent, "")
        assert is_printed(claim, printed) is expected, text
