"""Checks of the transfer-learning and interpretability lessons."""

import numpy as np

from cnn_lessons import checks


def test_check_freeze_up_to(capsys):
    def solution(model, layer_name):
        names = [layer.name for layer in model.layers]
        for index, layer in enumerate(model.layers):
            layer.trainable = index > names.index(layer_name)
        return model

    def only_that_layer(model, layer_name):
        model.get_layer(layer_name).trainable = False
        return model

    assert checks.check_freeze_up_to(solution)
    assert "all 4 cases pass" in capsys.readouterr().out
    assert not checks.check_freeze_up_to(only_that_layer)
    assert "Hint" in capsys.readouterr().out
    assert not checks.check_freeze_up_to(lambda model, layer_name: None, verbose=False)


def test_check_fgsm_step(capsys):
    assert checks.check_fgsm_step(
        lambda image, gradient, epsilon: np.clip(image + epsilon * np.sign(gradient), 0, 1)
    )
    assert not checks.check_fgsm_step(
        lambda image, gradient, epsilon: image + epsilon * np.sign(gradient)
    )
    assert "np.clip" in capsys.readouterr().out
    assert not checks.check_fgsm_step(lambda image, gradient, epsilon: None, verbose=False)


def test_running_a_check_does_not_reseed_the_learners_generators():
    import random

    def solution(model, layer_name):
        names = [layer.name for layer in model.layers]
        for index, layer in enumerate(model.layers):
            layer.trainable = index > names.index(layer_name)
        return model

    random.seed(21)
    expected_next = random.Random(21).random()
    checks.check_freeze_up_to(solution, verbose=False)
    # A reseed inside the check would replay or jump the learner's sequence.
    assert random.random() == expected_next
