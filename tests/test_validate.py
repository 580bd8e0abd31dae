"""The shared argument checks: TypeError for a wrong type, ValueError for a wrong value."""

import numpy as np
import pytest

from cnn_lessons import _validate


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3), 3.0, np.float32(3.0)])
def test_integer_accepts_every_spelling_of_an_int(value):
    result = _validate.integer(value, "steps", minimum=1)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (True, TypeError, r"steps must be a positive int, got True \(a bool, not an int\)"),
        (np.bool_(True), TypeError, "a bool, not an int"),
        ("3", TypeError, "steps must be a positive int, got '3' of type str"),
        (None, TypeError, "got None of type NoneType"),
        ([3], TypeError, "got \\[3\\] of type list"),
        (0, ValueError, "steps must be a positive int, got 0"),
        (2.5, ValueError, r"got 2.5 \(not a whole number\)"),
        (float("nan"), ValueError, "not a whole number"),
        (float("inf"), ValueError, "not a whole number"),
    ],
)
def test_integer_refuses_with_the_right_error(value, error, message):
    with pytest.raises(error, match=message):
        _validate.positive_int(value, "steps")


def test_integer_bounds_are_named_in_the_message():
    with pytest.raises(ValueError, match="count must be an int from 1 to 23, got 24"):
        _validate.integer(24, "count", minimum=1, maximum=23)
    with pytest.raises(ValueError, match="n must be an int of at least 2, got 1"):
        _validate.integer(1, "n", minimum=2)
    with pytest.raises(ValueError, match="padding must be a non-negative int, got -1"):
        _validate.non_negative_int(-1, "padding")


@pytest.mark.parametrize(
    ("value", "expected"), [(2, (2, 2)), ((2, 3), (2, 3)), (np.array([1, 2]), (1, 2))]
)
def test_int_pair(value, expected):
    assert _validate.int_pair(value, "stride") == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [((1, 2, 3), ValueError), ((1, 0), ValueError), ("22", TypeError), ((1, "2"), TypeError)],
)
def test_int_pair_refuses(value, error):
    with pytest.raises(error, match="stride must be"):
        _validate.int_pair(value, "stride")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("big", TypeError, "epsilon must be a number >= 0, got 'big' of type str"),
        (False, TypeError, "epsilon must be"),
        (-0.1, ValueError, "epsilon must be a number >= 0, got -0.1"),
        (float("nan"), ValueError, "got nan"),
        (float("inf"), ValueError, "got inf"),
    ],
)
def test_number_refuses(value, error, message):
    with pytest.raises(error, match=message):
        _validate.number(value, "epsilon", minimum=0)


def test_number_bounds_open_and_closed():
    assert _validate.number(np.float32(0.5), "p", minimum=0, maximum=1) == 0.5
    with pytest.raises(ValueError, match=r"rate must be a number in \[0, 1\), got 1"):
        _validate.number(1, "rate", minimum=0, maximum=1, exclusive_maximum=True)
    with pytest.raises(ValueError, match="lr must be a positive number, got 0"):
        _validate.number(0, "lr", minimum=0, exclusive_minimum=True)


def test_one_of_tells_type_errors_from_value_errors():
    assert _validate.one_of("max", "mode", ("max", "avg")) == "max"
    with pytest.raises(ValueError, match="mode must be one of 'max', 'avg', got 'sum'"):
        _validate.one_of("sum", "mode", ("max", "avg"))
    with pytest.raises(TypeError, match="mode must be one of"):
        _validate.one_of(3, "mode", ("max", "avg"))
    with pytest.raises(ValueError, match="size must be one of 3, 5, got 4"):
        _validate.one_of(4, "size", (3, 5))


def test_names_refuses_a_single_string():
    assert _validate.names(["conv1", "conv2"], "layer_names") == ("conv1", "conv2")
    assert _validate.names((name for name in ("a",)), "names") == ("a",)
    with pytest.raises(TypeError, match=r"such as \['conv1'\], got the single string"):
        _validate.names("conv1", "layer_names")
    with pytest.raises(TypeError, match="got 3 of type int in it"):
        _validate.names(["conv1", 3], "layer_names")
    with pytest.raises(TypeError, match="must be a sequence of names"):
        _validate.names(5, "layer_names")


def test_integers():
    assert _validate.integers([0, np.int64(2)], "channels", minimum=0) == [0, 2]
    with pytest.raises(TypeError, match="channels must be a sequence of ints"):
        _validate.integers(3, "channels")
    with pytest.raises(ValueError, match="channels must be an int of at most 3, got 5"):
        _validate.integers([1, 5], "channels", maximum=3)


def test_real_array():
    with pytest.raises(TypeError, match="image must contain real numbers, got .* dtype <U1"):
        _validate.real_array(np.array([["a"]]), "image")
    with pytest.raises(TypeError, match="complex"):
        _validate.real_array(np.ones(2, complex), "image")
    with pytest.raises(ValueError, match="image must not be empty"):
        _validate.real_array(np.zeros((0, 3)), "image")
    with pytest.raises(ValueError, match="image must contain only finite numbers, got NaN"):
        _validate.real_array([1.0, np.nan], "image", finite=True)
    with pytest.raises(ValueError, match="got infinity"):
        _validate.real_array([1.0, np.inf], "image", finite=True)
    assert _validate.real_array([1.0, np.nan], "image").shape == (2,)


@pytest.mark.parametrize(
    ("pixels", "expected"),
    [
        (np.array([0, 51, 255], np.uint8), [0.0, 0.2, 1.0]),
        (np.array([0, 51, 255], np.int64), [0.0, 0.2, 1.0]),
        (np.array([0, 51, 255], np.int16), [0.0, 0.2, 1.0]),
        (np.array([0, 13107, 65535], np.uint16), [0.0, 0.2, 1.0]),
        (np.array([False, True]), [0.0, 1.0]),
        (np.array([0.0, 0.2, 1.0]), [0.0, 0.2, 1.0]),
    ],
)
def test_float_image_scales_integers_by_one_rule(pixels, expected):
    image = _validate.float_image(pixels)
    assert image.dtype == np.float32
    np.testing.assert_allclose(image, expected, rtol=1e-6)


def test_float_image_refuses_integers_outside_0_255_and_non_finite_floats():
    with pytest.raises(ValueError, match="image holds integers from 0 to 1000.*0-255"):
        _validate.float_image(np.array([0, 1000]))
    with pytest.raises(ValueError, match="holds integers from -1 to 3"):
        _validate.float_image(np.array([-1, 3], np.int8))
    with pytest.raises(ValueError, match="finite"):
        _validate.float_image(np.array([0.5, np.inf]))


def test_fits_in_memory():
    _validate.fits_in_memory((1000, 1000, 3), "padding=10")
    with pytest.raises(ValueError, match=r"padding=100000 would need .* GiB.*typo"):
        _validate.fits_in_memory((200_000, 200_000, 1), "padding=100000")
