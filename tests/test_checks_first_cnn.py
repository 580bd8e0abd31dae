"""Checks of the first-CNN, optimizers and checkpointing lessons."""

import keras
import numpy as np

from cnn_lessons import checks


def _keras_cross_entropy(labels, probabilities):
    loss = keras.losses.CategoricalCrossentropy()
    return float(loss(labels.astype("float32"), probabilities.astype("float32")))


def test_check_cross_entropy_agrees_with_keras_and_catches_mistakes(capsys):
    assert checks.check_cross_entropy(_keras_cross_entropy)
    assert not checks.check_cross_entropy(
        lambda labels, probabilities: -np.sum(labels * np.log(probabilities), axis=1)
    )
    assert "expected shape ()" in capsys.readouterr().out
    with np.errstate(divide="ignore", invalid="ignore"):
        result = checks.check_cross_entropy(
            lambda labels, probabilities: -np.mean(np.sum(labels * np.log(probabilities), axis=1))
        )
    assert not result and "case 4" in result.failures[0]
    assert "clip" in capsys.readouterr().out


def test_check_conv_parameters(capsys):
    assert checks.check_conv_parameters(lambda k, c, f: (k * k * c + 1) * f)
    assert not checks.check_conv_parameters(lambda k, c, f: k * k * c * f)
    assert "bias" in capsys.readouterr().out
    layer = keras.layers.Conv2D(8, 5)
    layer.build((None, 12, 12, 3))
    assert layer.count_params() == (5 * 5 * 3 + 1) * 8


def _keras_momentum_step(weights, gradient, velocity, learning_rate, momentum):
    variable = keras.Variable(np.asarray(weights, "float32"))
    optimizer = keras.optimizers.SGD(learning_rate, momentum=momentum)
    optimizer.build([variable])
    if momentum:
        optimizer.momentums[0].assign(np.asarray(velocity, "float32"))
    optimizer.apply([np.asarray(gradient, "float32")], [variable])
    new_weights = variable.numpy()
    return new_weights, (new_weights - np.asarray(weights, "float32"))


def test_check_momentum_step_agrees_with_keras_sgd(capsys):
    result = checks.check_momentum_step(_keras_momentum_step)
    assert result, capsys.readouterr().out
    assert not checks.check_momentum_step(lambda w, g, v, lr, m: (w - lr * g, v))
    assert not checks.check_momentum_step(lambda w, g, v, lr, m: None)
    printed = capsys.readouterr().out
    assert "Hint:" in printed and "forget to `return`" in printed


def test_check_best_epoch(capsys):
    def best(values, mode):
        values = np.asarray(values)
        return int(np.argmin(values) if mode == "min" else np.argmax(values)) + 1

    assert checks.check_best_epoch(best)
    assert not checks.check_best_epoch(lambda values, mode: int(np.argmin(values)))
    assert not checks.check_best_epoch(
        lambda values, mode: len(values) - int(np.argmin(values[::-1])) if mode == "min" else 1
    )
    assert "epochs count from 1" in capsys.readouterr().out
