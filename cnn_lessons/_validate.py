"""Argument checks shared by the whole package: one policy, one wording.

The policy
----------
* A value of the wrong **type** raises ``TypeError``; a value of the right type that is not
  allowed raises ``ValueError``. A bool is never accepted where a number is expected.
* Every message names the argument, repeats the value received and says what is legal:
  ``"stride must be a positive int, got 0"``.
* Where an int is expected, Python ints, NumPy integer scalars and whole-number floats
  (``2.0``, as ``n / 2`` gives) are accepted and returned as ``int``.
* Integer images are scaled to [0, 1] by one rule (:func:`float_image`): ``uint16`` pixels are
  divided by 65535, every other integer dtype must hold 0-255 and is divided by 255.
* Sizes that decide how much memory is allocated are checked first (:func:`fits_in_memory`), so a
  typo raises an error instead of asking for gigabytes and killing the kernel.

Every function returns the checked value, converted (``int``, ``float``, a tuple, an array), so
callers write ``stride = positive_int(stride, "stride")``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np

#: The most memory one array made from a learner's arguments may take (1 GiB).
MEMORY_LIMIT_BYTES = 2**30


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_NAMED_INT_RANGES = {1: "a positive int", 0: "a non-negative int"}


def _int_legal(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"an int from {minimum} to {maximum}"
    if maximum is None and minimum in _NAMED_INT_RANGES:
        return _NAMED_INT_RANGES[minimum]
    bound = "" if minimum is None else f" of at least {minimum}"
    return "an int" + (bound if maximum is None else f" of at most {maximum}")


def integer(
    value: object,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    legal: str | None = None,
    shown: object = None,
) -> int:
    """Return ``value`` as an ``int`` between ``minimum`` and ``maximum`` (both included).

    ``legal`` overrides the description of the allowed values in the message, and ``shown``
    the value repeated there (e.g. the whole pair an item came from).

    Examples
    --------
    >>> integer(np.int64(3), "steps", minimum=1)
    3
    >>> integer(4.0, "size")
    4
    """
    legal = legal or _int_legal(minimum, maximum)
    shown = _shown(value if shown is None else shown)
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be {legal}, got {shown} (a bool, not an int)")
    if isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, numbers.Real):
        if not float(value).is_integer():
            raise ValueError(f"{name} must be {legal}, got {shown} (not a whole number)")
        number = int(value)
    else:
        raise TypeError(f"{name} must be {legal}, got {shown} of type {type(value).__name__}")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ValueError(f"{name} must be {legal}, got {shown}")
    return number


def positive_int(value: object, name: str, *, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` of at least 1 (and at most ``maximum``)."""
    return integer(value, name, minimum=1, maximum=maximum)


def non_negative_int(value: object, name: str, *, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` of at least 0 (and at most ``maximum``)."""
    return integer(value, name, minimum=0, maximum=maximum)


def seed(value: object, name: str = "seed") -> int:
    """Return a random seed: a non-negative ``int``."""
    return integer(value, name, minimum=0)


def int_pair(
    value: object, name: str, *, minimum: int = 1, maximum: int | None = None
) -> tuple[int, int]:
    """Return an int or a pair of ints as a ``(rows, cols)`` pair, each checked by :func:`integer`.

    Examples
    --------
    >>> int_pair(2, "stride"), int_pair((2, 1), "stride")
    ((2, 2), (2, 1))
    """
    if minimum == 1 and maximum is None:
        legal = "a positive int or a pair of positive ints"
    else:
        legal = f"{_int_legal(minimum, maximum)} or a pair of them"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, list | tuple | np.ndarray):
        items = list(value)
        if len(items) != 2 or any(isinstance(item, list | tuple | np.ndarray) for item in items):
            raise ValueError(f"{name} must be {legal}, got {_shown(value)}")
    else:
        items = [value, value]
    rows, cols = (
        integer(item, name, minimum=minimum, maximum=maximum, legal=legal, shown=value)
        for item in items
    )
    return rows, cols


def _number_legal(minimum, maximum, exclusive_minimum, exclusive_maximum) -> str:
    if minimum is not None and maximum is not None:
        if not exclusive_minimum and not exclusive_maximum:
            return f"a number from {minimum:g} to {maximum:g}"
        left = "(" if exclusive_minimum else "["
        right = ")" if exclusive_maximum else "]"
        return f"a number in {left}{minimum:g}, {maximum:g}{right}"
    if minimum == 0:
        return "a positive number" if exclusive_minimum else "a number >= 0"
    if minimum is not None:
        return f"a number {'>' if exclusive_minimum else '>='} {minimum:g}"
    if maximum is not None:
        return f"a number {'<' if exclusive_maximum else '<='} {maximum:g}"
    return "a finite number"


def number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
    legal: str | None = None,
) -> float:
    """Return ``value`` as a finite ``float`` within the given bounds.

    Examples
    --------
    >>> number(0.5, "zoom", minimum=0, maximum=0.9)
    0.5
    """
    legal = legal or _number_legal(minimum, maximum, exclusive_minimum, exclusive_maximum)
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be {legal}, got {_shown(value)} of type {type(value).__name__}"
        )
    result = float(value)
    too_low = minimum is not None and (result <= minimum if exclusive_minimum else result < minimum)
    too_high = maximum is not None and (
        result >= maximum if exclusive_maximum else result > maximum
    )
    if not np.isfinite(result) or too_low or too_high:
        raise ValueError(f"{name} must be {legal}, got {_shown(value)}")
    return result


def one_of(value: object, name: str, options: Iterable) -> object:
    """Return ``value`` if it is one of ``options``.

    A value of another type than the options (say an int where names are expected) raises
    ``TypeError``; an unknown value of the right type raises ``ValueError``.
    """
    options = list(options)
    if any(type(value) is type(option) and value == option for option in options):
        return value
    kinds = {type(option) for option in options}
    error = TypeError if kinds and not isinstance(value, tuple(kinds)) else ValueError
    listed = ", ".join(repr(option) for option in options)
    raise error(f"{name} must be one of {listed}, got {_shown(value)}")


def names(value: object, name: str) -> tuple[str, ...]:
    """Return a sequence of strings as a tuple; a single string is refused (``TypeError``).

    ``"conv1"`` where ``["conv1"]`` is meant would otherwise be read as five one-letter names.
    """
    if isinstance(value, str | bytes):
        raise TypeError(
            f"{name} must be a sequence of names such as [{value!r}], got the single string "
            f"{_shown(value)}"
        )
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a sequence of names, got {type(value).__name__}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(
                f"{name} must be a sequence of names (str), got {_shown(item)} of type "
                f"{type(item).__name__} in it"
            )
    return items


def integers(
    value: object, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> list[int]:
    """Return a sequence of ints (each checked by :func:`integer`) as a list; one int is refused."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable | np.ndarray):
        raise TypeError(f"{name} must be a sequence of ints, got {_shown(value)}")
    return [
        integer(item, name, minimum=minimum, maximum=maximum, shown=item)
        for item in np.asarray(value, dtype=object).ravel()
    ]


def real_array(value: object, name: str, *, finite: bool = False) -> np.ndarray:
    """Return ``value`` as a non-empty NumPy array of real numbers (bool, int or float).

    With ``finite=True``, NaN and infinity are refused too.
    """
    array = np.asarray(value)
    numeric = np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    if not numeric or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must contain real numbers, got an array of dtype {array.dtype}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = "NaN" if np.isnan(array).any() else "infinity"
        raise ValueError(f"{name} must contain only finite numbers, got {bad}")
    return array


def float_image(value: object, name: str = "image", *, finite: bool = True) -> np.ndarray:
    """Return pixels as ``float32``, integer pixels scaled to [0, 1] by the package's one rule.

    ``uint16`` pixels are divided by 65535; any other integer dtype (``uint8``, ``int64``, ...)
    must hold values from 0 to 255 and is divided by 255; bools become 0 and 1; floats are kept
    as they are. The shape is not checked (callers check the layout they need).

    Examples
    --------
    >>> float_image(np.array([[0, 255]], dtype=np.int64))
    array([[0., 1.]], dtype=float32)
    """
    array = real_array(value, name, finite=finite)
    if array.dtype == np.uint16:
        return (array / 65535).astype(np.float32)
    if array.dtype.kind in "iu":
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > 255:
            raise ValueError(
                f"{name} holds integers from {low} to {high}; integer pixels must be 0-255 "
                f"(or uint16 for 0-65535). Pass floats in [0, 1] instead, e.g. {name} / {high}"
            )
        return (array / 255).astype(np.float32)
    return array.astype(np.float32)


def fits_in_memory(shape: Sequence[int], name: str, *, itemsize: int = 8) -> None:
    """Refuse an array of ``shape`` that would take more than :data:`MEMORY_LIMIT_BYTES`.

    ``name`` says what the argument asked for, e.g. ``"padding=100000"``.
    """
    size = itemsize
    for side in shape:
        size *= int(side)
    if size > MEMORY_LIMIT_BYTES:
        raise ValueError(
            f"{name} would need an array of shape {tuple(int(side) for side in shape)} "
            f"({size / 2**30:.1f} GiB); the limit is {MEMORY_LIMIT_BYTES / 2**30:.0f} GiB. "
            "Is there a typo in the number?"
        )
