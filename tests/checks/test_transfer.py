"""The checks of the transfer-learning and interpretability lessons reject plausible bugs."""

import random

import numpy as np

from cnn_lessons import checks

from ._wrong import Wrong, catalogue_tests


def freeze_up_to(model, layer_name):
    names = [layer.name for layer in model.layers]
    for index, layer in enumerate(model.layers):
        layer.trainable = index > names.index(layer_name)
    return model


def never_unfreezes(model, layer_name):
    for layer in model.layers:
        layer.trainable = False
        if layer.name == layer_name:
            break
    return model


def only_that_layer(model, layer_name):
    model.get_layer(layer_name).trainable = False
    return model


def stops_before(model, layer_name):
    names = [layer.name for layer in model.layers]
    for index, layer in enumerate(model.layers):
        layer.trainable = index >= names.index(layer_name)
    return model


def inverted(model, layer_name):
    names = [layer.name for layer in model.layers]
    for index, layer in enumerate(model.layers):
        layer.trainable = index <= names.index(layer_name)
    return model


def freezes_the_model(model, layer_name):
    model.trainable = False
    return model


check = checks.check_freeze_up_to
FREEZE = [
    Wrong(
        check,
        "never unfreezes later layers",
        never_unfreezes,
        r"case 3 .*start='all frozen'.*layer 'block3_conv1' comes after 'block2_pool' but is "
        r"frozen \(the model started with every layer frozen\)",
    ),
    Wrong(check, "only that layer", only_that_layer, r"case 1 .*comes before 'block1_pool' but"),
    Wrong(check, "stops one layer early", stops_before, r"'block1_pool' itself is still train"),
    Wrong(check, "inverted", inverted, r"comes before 'block1_pool' but is trainable"),
    Wrong(check, "freezes everything", freezes_the_model, r"comes after 'block1_pool' but is fro"),
    Wrong(check, "forgets return", lambda model, layer_name: None, r"forget to `return` the mod"),
    Wrong(
        check,
        "returns the names",
        lambda model, name: [layer.name for layer in model.layers],
        r"expected the model, got a list",
    ),
]


def fgsm(image, gradient, epsilon):
    return np.clip(image + epsilon * np.sign(gradient), 0, 1)


check = checks.check_fgsm_step
FGSM = [
    Wrong(check, "no clip", lambda i, g, e: i + e * np.sign(g), r"case 2 .*left \[0, 1\]"),
    Wrong(check, "raw gradient", lambda i, g, e: np.clip(i + e * g, 0, 1), r"in proportion"),
    Wrong(check, "against the gradient", lambda i, g, e: fgsm(i, -g, e), r"against the gradient"),
    Wrong(
        check,
        "moves zero-gradient pixels",
        lambda i, g, e: np.clip(i + e * np.where(g >= 0, 1.0, -1.0), 0, 1),
        r"case 1 .*gradient is exactly 0",
    ),
]

WRONG = FREEZE + FGSM
REFERENCES = [(checks.check_freeze_up_to, freeze_up_to), (checks.check_fgsm_step, fgsm)]


test_the_check_rejects_a_plausible_bug, test_the_references_pass = catalogue_tests(
    WRONG, REFERENCES
)


def test_running_a_check_does_not_reseed_the_learners_generators():
    random.seed(21)
    np.random.seed(21)  # noqa: NPY002 (the legacy global generator is what a check must not touch)
    expected_next = random.Random(21).random()
    expected_numpy = np.random.RandomState(21).random_sample()
    checks.check_freeze_up_to(freeze_up_to, verbose=False)
    checks.check_freeze_up_to(never_unfreezes, verbose=False)
    # A reseed inside the check would replay or jump the learner's sequence.
    assert random.random() == expected_next
    assert np.random.random_sample() == expected_numpy  # noqa: NPY002
