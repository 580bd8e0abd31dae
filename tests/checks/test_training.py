"""The checks of the first-CNN, optimizers and checkpointing lessons reject plausible bugs."""

import keras
import numpy as np
import pytest

from cnn_lessons import checks

from ._wrong import Wrong, catalogue_tests

# --- cross-entropy ----------------------------------------------------------------------------


def keras_cross_entropy(labels, probabilities):
    loss = keras.losses.CategoricalCrossentropy()
    return float(loss(labels.astype("float32"), probabilities.astype("float32")))


def clipped(p):
    return np.clip(p, 1e-7, 1 - 1e-7)


check = checks.check_cross_entropy
CROSS_ENTROPY = [
    Wrong(
        check,
        "no clipping, true class picked first",
        lambda labels, p: -np.mean(np.log((labels * p).sum(axis=1))),
        r"case 5 .*not finite \(it contains inf\)",
    ),
    Wrong(
        check,
        "no clipping",
        lambda labels, p: -np.mean(np.sum(labels * np.log(p), axis=1)),
        r"case 4 .*not finite \(it contains nan\)",
    ),
    Wrong(
        check,
        "one loss per image",
        lambda labels, p: -np.sum(labels * np.log(clipped(p)), axis=1),
        r"expected shape \(\), got shape \(1,\)",
    ),
    Wrong(
        check,
        "sum over images",
        lambda labels, p: -np.sum(labels * np.log(clipped(p))),
        r"case 2 .*sum over the images",
    ),
    Wrong(
        check,
        "wrong sign",
        lambda labels, p: np.mean(np.sum(labels * np.log(clipped(p)), axis=1)),
        r"wrong sign",
    ),
    Wrong(
        check,
        "log10",
        lambda labels, p: -np.mean(np.sum(labels * np.log10(clipped(p)), axis=1)),
        r"base-10",
    ),
    Wrong(
        check,
        "every class",
        lambda labels, p: -np.mean(np.sum(np.log(clipped(p)), axis=1)),
        r"every class's probability",
    ),
]

# --- parameters -------------------------------------------------------------------------------

check = checks.check_conv_parameters
CONV_PARAMETERS = [
    Wrong(check, "no biases", lambda k, c, f: k * k * c * f, r"biases are missing"),
    Wrong(check, "one bias", lambda k, c, f: k * k * c * f + 1, r"one bias for the whole layer"),
    Wrong(check, "kernel not squared", lambda k, c, f: (k * c + 1) * f, r"kernel is a square"),
    Wrong(check, "no channels", lambda k, c, f: (k * k + 1) * f, r"case 2 .*input channels"),
]

# --- momentum ---------------------------------------------------------------------------------


def keras_momentum_step(weights, gradient, velocity, learning_rate, momentum):
    variable = keras.Variable(np.asarray(weights, "float32"))
    optimizer = keras.optimizers.SGD(learning_rate, momentum=momentum)
    optimizer.build([variable])
    if momentum:
        optimizer.momentums[0].assign(np.asarray(velocity, "float32"))
    optimizer.apply([np.asarray(gradient, "float32")], [variable])
    new_weights = variable.numpy()
    return new_weights, (new_weights - np.asarray(weights, "float32"))


check = checks.check_momentum_step
MOMENTUM = [
    Wrong(check, "old velocity", lambda w, g, v, lr, m: (w + v, m * v - lr * g), r"old velocity"),
    Wrong(
        check,
        "uphill",
        lambda w, g, v, lr, m: (w + m * v + lr * g, m * v + lr * g),
        r"uphill",
    ),
    Wrong(check, "plain SGD", lambda w, g, v, lr, m: (w - lr * g, v), r"plain gradient step"),
    Wrong(
        check,
        "pair swapped",
        lambda w, g, v, lr, m: (m * v - lr * g, w + m * v - lr * g),
        r"other order",
    ),
    Wrong(check, "weights only", lambda w, g, v, lr, m: w - lr * g, r"expected a pair"),
    Wrong(check, "forgets return", lambda w, g, v, lr, m: None, r"forget to `return`"),
]

# --- best epoch -------------------------------------------------------------------------------


def best_epoch(values, mode):
    values = np.asarray(values)
    return int(np.argmin(values) if mode == "min" else np.argmax(values)) + 1


def later_on_a_tie(values, mode):
    values = np.asarray(values)
    flipped = values[::-1]
    return len(values) - int(np.argmin(flipped) if mode == "min" else np.argmax(flipped))


check = checks.check_best_epoch
BEST_EPOCH = [
    Wrong(check, "0-based", lambda values, mode: best_epoch(values, mode) - 1, r"counted from 0"),
    Wrong(check, "later on a tie", later_on_a_tie, r"case 4 .*keeps the later epoch"),
    Wrong(check, "ignores mode", lambda values, mode: int(np.argmin(values)) + 1, r"'max'"),
    Wrong(check, "the value", lambda values, mode: min(values), r"best value itself"),
]

WRONG = CROSS_ENTROPY + CONV_PARAMETERS + MOMENTUM + BEST_EPOCH
REFERENCES = [
    (checks.check_cross_entropy, keras_cross_entropy),
    (
        checks.check_cross_entropy,
        lambda labels, p: -np.mean(np.sum(labels * np.log(clipped(p)), 1)),
    ),
    (checks.check_conv_parameters, lambda k, c, f: (k * k * c + 1) * f),
    (checks.check_momentum_step, keras_momentum_step),
    (checks.check_best_epoch, best_epoch),
]


test_the_check_rejects_a_plausible_bug, test_the_references_pass = catalogue_tests(
    WRONG, REFERENCES
)


def test_keras_counts_the_parameters_the_check_expects():
    layer = keras.layers.Conv2D(8, 5)
    layer.build((None, 12, 12, 3))
    assert layer.count_params() == (5 * 5 * 3 + 1) * 8


def test_a_probability_of_zero_for_the_true_class_costs_the_clipped_log():
    labels, probabilities = np.array([[0.0, 1.0, 0.0]]), np.array([[0.5, 0.0, 0.5]])
    assert keras_cross_entropy(labels, probabilities) == pytest.approx(-np.log(1e-7), rel=1e-4)
