"""Checks of the transfer-learning and interpretability lessons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._framework import CheckResult, Mistake, ResultError, _kind, check_function, register_hints

# --- freezing the first layers ----------------------------------------------------------------

register_hints(
    "freeze_up_to",
    [
        "every layer gets a decision, not only the layers you freeze: the model you receive "
        "may already have frozen layers. Which layers must end up frozen, which trainable, and "
        "where does `layer_name` itself go?",
        "find the position of `layer_name` in the list of the model's layers, then set every "
        "layer's `trainable`: False up to and including that position, True after it (set it "
        "back to True even if it was False). Return the model.",
    ],
    answer="`position = [layer.name for layer in model.layers].index(layer_name)`; "
    "`for index, layer in enumerate(model.layers): layer.trainable = index > position`; "
    "`return model`.",
)


@dataclass(frozen=True)
class _Freezing:
    """What a freezing function left: each layer's flag, and the trainable parameters."""

    layer_name: str
    start: str
    flags: tuple[tuple[str, bool], ...]
    trainable_parameters: int


def _freeze_up_to_reference(model, layer_name):
    names = [layer.name for layer in model.layers]
    cut = names.index(layer_name)
    for index, layer in enumerate(model.layers):
        layer.trainable = index > cut
    return model


def _freezing_outcome(function):
    """Run ``function`` on a fresh lesson base (all layers trainable or all frozen)."""

    def outcome(layer_name, *, start):
        import keras

        from cnn_lessons import pretrain

        base = pretrain.build_base(4, seed=0)
        for layer in base.layers:
            layer.trainable = start == "all trainable"
        model = function(base, layer_name)
        if model is None:
            raise ResultError("got None (did you forget to `return` the model?)")
        if not isinstance(model, keras.Model):
            raise ResultError(f"expected the model, got {_kind(model)}")
        flags = tuple((layer.name, bool(layer.trainable)) for layer in model.layers)
        count = int(sum(np.prod(weight.shape) for weight in model.trainable_weights))
        return _Freezing(layer_name, start, flags, count)

    return outcome


def _freezing_differences(expected: _Freezing, actual: _Freezing) -> str | None:
    if not isinstance(actual, _Freezing):
        return f"could not read the model ({_kind(actual)})"
    cut = expected.layer_name
    names = [name for name, _ in expected.flags]
    for (name, want), (_, got) in zip(expected.flags, actual.flags, strict=False):
        if want == got:
            continue
        if name == cut:
            return f"'{cut}' itself is still trainable; the layers up to and including it freeze"
        if names.index(name) < names.index(cut):
            return f"layer '{name}' comes before '{cut}' but is trainable"
        started = (
            " (the model started with every layer frozen)" if "frozen" in expected.start else ""
        )
        return f"layer '{name}' comes after '{cut}' but is frozen{started}"
    if [name for name, _ in actual.flags] != names:
        return "the returned model does not have the layers of the model it was given"
    if actual.trainable_parameters != expected.trainable_parameters:
        return (
            f"the model has {actual.trainable_parameters} trainable parameters, expected "
            f"{expected.trainable_parameters}"
        )
    return None


def check_freeze_up_to(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(model, layer_name)`` freezes every layer up to ``layer_name``.

    The layers up to and including ``layer_name`` get ``trainable = False``, every later layer
    ``trainable = True``; the function returns the model. Tried on fresh
    :func:`cnn_lessons.pretrain.build_base` models whose layers start all trainable or all
    frozen, and compared on the ``trainable`` flag of every layer and the number of trainable
    parameters. No global random generator is touched.
    """
    cases = [
        (("block1_pool",), {"start": "all trainable"}),
        (("block2_pool",), {"start": "all trainable"}),
        (("block2_pool",), {"start": "all frozen"}),
        (("features",), {"start": "all frozen"}),
        (("image",), {"start": "all frozen"}),
    ]
    return check_function(
        "freeze_up_to",
        _freezing_outcome(function),
        _freezing_outcome(_freeze_up_to_reference),
        cases,
        comparator=_freezing_differences,
        verbose=verbose,
    )


# --- one FGSM step ----------------------------------------------------------------------------

register_hints(
    "fgsm_step",
    [
        "FGSM moves every pixel by the same small amount epsilon, in the direction that raises "
        "the loss. Only the gradient's direction matters, not its size; and the result must "
        "still be an image.",
        "the direction of a pixel's gradient is its sign: +1, -1, or 0 when the gradient is 0 "
        "(that pixel does not move). Add epsilon times the sign, then keep every value in "
        "[0, 1].",
    ],
    answer="`np.clip(image + epsilon * np.sign(gradient), 0, 1)`",
)


def _fgsm_step_reference(image, gradient, epsilon):
    return np.clip(image + epsilon * np.sign(gradient), 0.0, 1.0)


FGSM_MISTAKES = [
    Mistake(
        lambda image, gradient, epsilon: image + epsilon * np.sign(gradient),
        "Some values left [0, 1]: the result is no longer a valid image",
    ),
    Mistake(
        lambda image, gradient, epsilon: np.clip(image + epsilon * gradient, 0, 1),
        "This moves each pixel in proportion to its gradient; FGSM moves every pixel by the "
        "same amount, only the direction comes from the gradient",
    ),
    Mistake(
        lambda image, gradient, epsilon: np.clip(image - epsilon * np.sign(gradient), 0, 1),
        "This steps against the gradient, lowering the loss; the attack raises it",
    ),
    Mistake(
        lambda image, gradient, epsilon: np.clip(
            image + epsilon * np.where(gradient >= 0, 1.0, -1.0), 0, 1
        ),
        "A pixel whose gradient is exactly 0 moved; it should stay where it is",
    ),
]


def check_fgsm_step(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(image, gradient, epsilon)`` is one FGSM step, kept in [0, 1].

    ``image + epsilon * sign(gradient)``, clipped to [0, 1]; a zero gradient leaves the pixel
    unchanged.
    """
    generator = np.random.default_rng(12)
    cases = [
        ((np.array([0.5, 0.5, 0.5]), np.array([2.0, -0.1, 0.0]), 0.1), {}),
        ((np.array([[0.0, 1.0], [0.95, 0.02]]), np.array([[-1.0, 1.0], [3.0, -3.0]]), 0.1), {}),
        ((generator.random((28, 28)), generator.normal(size=(28, 28)), 0.25), {}),
        ((generator.random((4, 6, 6, 1)), generator.normal(size=(4, 6, 6, 1)), 0.0), {}),
    ]
    return check_function(
        "fgsm_step",
        function,
        _fgsm_step_reference,
        cases,
        mistakes=FGSM_MISTAKES,
        verbose=verbose,
    )
