"""The welcome lesson's check rejects plausible wrong scalings and passes the reference."""

from cnn_lessons import checks

from ._wrong import Wrong, assert_rejected, params

check = checks.check_scale_images

WRONG = [
    Wrong(check, "float64", lambda images: images / 255, r"dtype is float64; expected float32"),
    Wrong(
        check,
        "divides by 256",
        lambda images: images.astype("float32") / 256,
        r"dividing by 256",
    ),
    Wrong(
        check,
        "divides by the batch maximum",
        lambda images: images.astype("float32") / images.max(),
        r"case 2 .*batch's own largest pixel",
    ),
    Wrong(check, "not scaled", lambda images: images.astype("float32"), r"not scaled"),
    Wrong(
        check,
        "integer division",
        lambda images: images // 255,
        r"dtype is uint8; expected float32",
    ),
    Wrong(check, "forgets return", lambda images: None, r"forget to `return`"),
    Wrong(check, "raises", lambda images: 1 / 0, r"raised ZeroDivisionError"),
    Wrong(check, "one image only", lambda images: images[0].astype("float32") / 255, r"shape"),
]

REFERENCES = [(check, lambda images: images.astype("float32") / 255)]


@params(WRONG)
def test_the_check_rejects_a_wrong_scaling(wrong):
    assert_rejected(wrong)


def test_the_reference_passes(capsys):
    result = check(REFERENCES[0][1])
    assert result and result.cases == 4
    assert "all 4 cases pass" in capsys.readouterr().out


def test_the_first_hint_is_a_nudge_not_the_answer(capsys):
    check(lambda images: images / 255)
    printed = capsys.readouterr().out
    assert "Hint (1 of 2)" in printed and "/ 255" not in printed and "astype" not in printed
