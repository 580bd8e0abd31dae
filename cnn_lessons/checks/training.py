"""Checks of the first-CNN, optimizers and checkpointing lessons."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._framework import CheckResult, Mistake, ResultError, _kind, check_function, register_hints

# --- cross-entropy ----------------------------------------------------------------------------

register_hints(
    "cross_entropy",
    [
        "the loss of one image is minus the log of the probability the network gave to the "
        "true class; the loss of a batch is one number for all its images. What does log do "
        "with a probability of exactly 0?",
        "pick the true class's probability with the one-hot labels (multiply and sum along the "
        "class axis), take -log, and average over the images. log(0) is -inf: clip the "
        "probabilities to [1e-7, 1 - 1e-7] first, as Keras does.",
    ],
    answer="`-np.mean(np.sum(labels * np.log(np.clip(probabilities, 1e-7, 1 - 1e-7)), axis=1))`",
)


def _cross_entropy_reference(labels, probabilities):
    clipped = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    return float(-np.mean(np.sum(np.asarray(labels) * np.log(clipped), axis=1)))


def _picked(labels, probabilities):
    return np.sum(labels * np.clip(probabilities, 1e-7, 1 - 1e-7), axis=1)


CROSS_ENTROPY_MISTAKES = [
    Mistake(
        lambda labels, p: -np.sum(np.log(_picked(labels, p))),
        "This is the sum over the images; the loss is their mean",
    ),
    Mistake(
        lambda labels, p: np.mean(np.log(_picked(labels, p))),
        "This has the wrong sign: a loss is never negative",
    ),
    Mistake(
        lambda labels, p: -np.mean(np.log10(_picked(labels, p))),
        "This uses the base-10 logarithm; cross-entropy uses the natural log",
    ),
    Mistake(
        lambda labels, p: -np.mean(np.sum(np.log(np.clip(p, 1e-7, 1 - 1e-7)), axis=1)),
        "This adds the log of every class's probability, not only the true class's",
    ),
]


def check_cross_entropy(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(labels, probabilities)`` is the mean categorical cross-entropy.

    ``labels`` are one-hot ``(N, K)``, ``probabilities`` are ``(N, K)`` rows summing to 1; the
    result is one number, ``mean over samples of -log(probability of the true class)``, with
    probabilities clipped to ``[1e-7, 1 - 1e-7]`` as Keras does, so a true class given
    probability exactly 0 costs ``-log(1e-7)``, about 16.1, not infinity.
    """
    generator = np.random.default_rng(4)
    logits = generator.normal(size=(6, 5))
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    one_hot = np.eye(5)[generator.integers(0, 5, size=6)]
    cases = [
        ((np.array([[0.0, 1.0, 0.0]]), np.array([[0.2, 0.7, 0.1]])), {}),
        ((np.eye(3), np.array([[0.8, 0.1, 0.1], [0.3, 0.4, 0.3], [0.25, 0.25, 0.5]])), {}),
        ((one_hot, softmax), {}),
        ((np.array([[1.0, 0.0, 0.0]]), np.array([[0.9, 0.1, 0.0]])), {}),
        (
            (np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]), np.array([[0.5, 0.0, 0.5], [1, 0, 0]])),
            {},
        ),
    ]
    return check_function(
        "cross_entropy",
        function,
        _cross_entropy_reference,
        cases,
        mistakes=CROSS_ENTROPY_MISTAKES,
        verbose=verbose,
    )


# --- parameters of a convolution --------------------------------------------------------------

register_hints(
    "conv_parameters",
    [
        "a filter looks at a kernel_size x kernel_size square of every input channel, and each "
        "filter has its own offset too. How many numbers does one filter hold?",
        "one filter holds kernel_size * kernel_size * in_channels weights plus one bias; the "
        "layer has `filters` such filters.",
    ],
    answer="`(kernel_size * kernel_size * in_channels + 1) * filters`",
)

CONV_PARAMETERS_MISTAKES = [
    Mistake(lambda k, c, f: k * k * c * f, "The biases are missing: each filter has one"),
    Mistake(
        lambda k, c, f: k * k * c * f + 1,
        "This counts one bias for the whole layer; each filter has its own",
    ),
    Mistake(
        lambda k, c, f: (k * c + 1) * f,
        "This counts kernel_size weights per channel; the kernel is a square",
    ),
    Mistake(
        lambda k, c, f: (k * k + 1) * f,
        "The input channels are missing: a filter has weights for every input channel",
    ),
]


def check_conv_parameters(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(kernel_size, in_channels, filters)`` counts a Conv2D's parameters."""
    cases = [
        ((3, 1, 16), {}),
        ((3, 16, 32), {}),
        ((5, 3, 8), {}),
        ((1, 64, 10), {}),
    ]
    return check_function(
        "conv_parameters",
        function,
        lambda kernel_size, in_channels, filters: (
            (kernel_size * kernel_size * in_channels + 1) * filters
        ),
        cases,
        mistakes=CONV_PARAMETERS_MISTAKES,
        verbose=verbose,
    )


# --- SGD with momentum ------------------------------------------------------------------------

register_hints(
    "momentum_step",
    [
        "the velocity remembers past steps: it keeps a fraction (momentum) of its old value and "
        "adds this step's downhill move. Which comes first, updating the velocity or moving "
        "the weights, and which velocity moves them?",
        "first the new velocity, from the old one and this gradient (downhill means minus the "
        "learning rate times the gradient); then move the weights by that new velocity. "
        "Return both, weights first.",
    ],
    answer="`velocity = momentum * velocity - learning_rate * gradient` and "
    "`return weights + velocity, velocity`",
)


def _momentum_step_reference(weights, gradient, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * gradient
    return weights + velocity, velocity


def _stacked(function):
    """Wrap a function returning ``(a, b)`` so that check_function compares one array."""

    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        if not (isinstance(result, tuple | list) and len(result) == 2):
            raise ResultError(
                f"expected a pair (new_weights, new_velocity), got {_kind(result)}"
                + (" (did you forget to `return` it?)" if result is None else "")
            )
        first, second = (np.asarray(part, dtype=np.float64) for part in result)
        if first.shape != second.shape:
            raise ResultError(
                f"expected a pair of arrays of one shape, got shapes {first.shape} and "
                f"{second.shape}"
            )
        return np.stack([first, second])

    return wrapped


MOMENTUM_MISTAKES = [
    Mistake(
        _stacked(lambda w, g, v, lr, m: (w + v, m * v - lr * g)),
        "The weights moved by the old velocity; they move by the new one",
    ),
    Mistake(
        _stacked(lambda w, g, v, lr, m: (w + (m * v + lr * g), m * v + lr * g)),
        "The step goes uphill: the gradient points up, so the move subtracts it",
    ),
    Mistake(
        _stacked(lambda w, g, v, lr, m: (w - lr * g, v)),
        "This is a plain gradient step: the velocity is neither used nor updated",
    ),
    Mistake(
        _stacked(lambda w, g, v, lr, m: (m * v - lr * g, w + m * v - lr * g)),
        "The pair is in the other order: new weights first, then the new velocity",
    ),
]


def check_momentum_step(function: Callable, *, verbose: bool = True) -> CheckResult:
    """one step of SGD with momentum, as ``keras.optimizers.SGD`` computes it.

    ``function(weights, gradient, velocity, learning_rate, momentum)`` returns the pair
    ``(new_weights, new_velocity)``.
    """
    generator = np.random.default_rng(5)
    weights, gradient, velocity = generator.normal(size=(3, 4, 3))
    cases = [
        ((np.array([1.0]), np.array([0.5]), np.array([0.0]), 0.1, 0.9), {}),
        ((np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([0.2, -0.1]), 0.1, 0.9), {}),
        ((weights, gradient, velocity, 0.01, 0.0), {}),
        ((weights, gradient, velocity, 0.05, 0.99), {}),
    ]
    return check_function(
        "momentum_step",
        _stacked(function),
        _stacked(_momentum_step_reference),
        cases,
        mistakes=MOMENTUM_MISTAKES,
        verbose=verbose,
    )


# --- the best epoch ---------------------------------------------------------------------------

register_hints(
    "best_epoch",
    [
        "a best-only checkpoint saves when the metric improves strictly: for a loss, lower is "
        "better, for an accuracy, higher. How are epochs numbered, and which epoch wins a tie?",
        "find the position of the best value (the first one on a tie, since an equal value is "
        "not an improvement), following `mode`, and remember that epochs count from 1 while "
        "Python positions count from 0.",
    ],
    answer="`int(np.argmin(values) if mode == 'min' else np.argmax(values)) + 1`",
)


def _best_epoch_reference(values, mode):
    values = np.asarray(values, dtype=float)
    return int(np.argmin(values) if mode == "min" else np.argmax(values)) + 1


BEST_EPOCH_MISTAKES = [
    Mistake(
        lambda values, mode: _best_epoch_reference(values, mode) - 1,
        "This is the position in the list, counted from 0; epochs count from 1",
    ),
    Mistake(
        lambda values, mode: (
            len(values)
            - int(
                np.argmin(np.asarray(values)[::-1])
                if mode == "min"
                else np.argmax(np.asarray(values)[::-1])
            )
        ),
        "On a tie this keeps the later epoch; an equal value is not an improvement, so the "
        "checkpoint keeps the earlier one",
    ),
    Mistake(
        lambda values, mode: int(np.argmin(values)) + 1,
        "This looks for the smallest value even when mode is 'max'",
    ),
    Mistake(
        lambda values, mode: float(np.min(values) if mode == "min" else np.max(values)),
        "This is the best value itself, not its epoch",
    ),
]


def check_best_epoch(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(values, mode)`` is the 1-based epoch a best-only checkpoint keeps.

    ``values`` holds one metric value per epoch; ``mode`` is ``"min"`` (losses) or ``"max"``
    (accuracies). On a tie the earlier epoch wins, because ``ModelCheckpoint`` only saves on a
    strict improvement.
    """
    cases = [
        (([0.9, 0.5, 0.6], "min"), {}),
        (([0.80, 0.91, 0.85, 0.90], "max"), {}),
        (([0.7], "min"), {}),
        (([0.5, 0.4, 0.4, 0.6], "min"), {}),
        (([0.9, 0.95, 0.95, 0.93], "max"), {}),
    ]
    return check_function(
        "best_epoch",
        function,
        _best_epoch_reference,
        cases,
        mistakes=BEST_EPOCH_MISTAKES,
        verbose=verbose,
    )
