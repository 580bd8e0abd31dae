"""The shared Keras model builders: shapes, parameter counts by hand, argument checks."""

import keras
import numpy as np
import pytest

from cnn_lessons import models, training


def _conv_parameters(kernel, in_channels, filters):
    return (kernel * kernel * in_channels + 1) * filters


def _dense_parameters(inputs, units):
    return (inputs + 1) * units


def test_small_cnn_default_layers_shapes_and_parameter_counts():
    model = models.small_cnn()
    assert isinstance(model, keras.Sequential)
    assert [layer.name for layer in model.layers] == [
        "conv1",
        "pool1",
        "conv2",
        "pool2",
        "flatten",
        "dense",
        "probabilities",
    ]
    # 28 -conv3-> 26 -pool-> 13 -conv3-> 11 -pool-> 5, so 5 * 5 * 64 = 1600 features.
    shapes = [tuple(layer.output.shape) for layer in model.layers]
    assert shapes == [
        (None, 26, 26, 32),
        (None, 13, 13, 32),
        (None, 11, 11, 64),
        (None, 5, 5, 64),
        (None, 1600),
        (None, 64),
        (None, 10),
    ]
    expected = {
        "conv1": _conv_parameters(3, 1, 32),
        "conv2": _conv_parameters(3, 32, 64),
        "dense": _dense_parameters(1600, 64),
        "probabilities": _dense_parameters(64, 10),
    }
    for name, count in expected.items():
        assert model.get_layer(name).count_params() == count, name
    assert model.count_params() == sum(expected.values()) == 121_930
    assert not model.compiled


def test_small_cnn_options_change_the_architecture():
    model = models.small_cnn(
        (32, 32, 3),
        5,
        filters=(8, 16, 32),
        kernel_size=(3, 3),
        padding="same",
        dense_units=0,
        dropout=0.5,
        name="tiny",
    )
    names = [layer.name for layer in model.layers]
    assert names[-3:] == ["flatten", "dropout", "probabilities"]
    assert "dense" not in names
    # padding "same" keeps 32 -> 32, each pool halves: 32 -> 16 -> 8 -> 4.
    assert tuple(model.get_layer("pool3").output.shape) == (None, 4, 4, 32)
    assert model.get_layer("probabilities").count_params() == _dense_parameters(4 * 4 * 32, 5)
    assert model.get_layer("conv1").count_params() == _conv_parameters(3, 3, 8)
    assert model.name == "tiny"


def test_small_cnn_outputs_probabilities_and_trains():
    training.seed_everything(0)
    model = models.small_cnn(filters=(4,), dense_units=8)
    images = np.random.default_rng(0).random((6, 28, 28, 1)).astype("float32")
    probabilities = model.predict(images, verbose=0)
    assert probabilities.shape == (6, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(images, np.arange(6), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_small_cnn_is_repeatable_with_a_seed():
    training.seed_everything(3)
    first = models.small_cnn(filters=(4,)).get_weights()
    training.seed_everything(3)
    second = models.small_cnn(filters=(4,)).get_weights()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"input_shape": (28, 28)}, ValueError, "input_shape must be"),
        ({"input_shape": (28, 0, 1)}, ValueError, "input_shape must be"),
        ({"input_shape": "28x28x1"}, TypeError, "input_shape must be"),
        ({"num_classes": 1}, ValueError, "num_classes must be an int from 2 to 8192, got 1"),
        ({"num_classes": 2.5}, ValueError, r"num_classes must be .*\(not a whole number\)"),
        ({"num_classes": "10"}, TypeError, "num_classes must be"),
        ({"filters": ()}, ValueError, "filters must hold at least one"),
        ({"filters": (32, -1)}, ValueError, "filters must be a sequence of positive ints"),
        ({"filters": "32"}, TypeError, "filters must be"),
        ({"filters": (8, 8, 8, 8, 8)}, ValueError, "shrinks below one pixel in block 4"),
        ({"kernel_size": 0}, ValueError, "kernel_size must be"),
        ({"pool_size": 0}, ValueError, "pool_size must be a positive int"),
        ({"padding": "full"}, ValueError, "padding must be one of 'valid', 'same'"),
        ({"dense_units": -1}, ValueError, "dense_units must be an int from 0 to 8192"),
        ({"dropout": 1.0}, ValueError, r"dropout must be a number in \[0, 1\)"),
        ({"dropout": True}, TypeError, "dropout must be"),
        ({"activation": "relux"}, ValueError, "activation must be a Keras activation"),
        ({"kernel_initializer": "glorot"}, ValueError, "kernel_initializer must be"),
        ({"kernel_initializer": None}, TypeError, "kernel_initializer must be"),
        ({"seed": -1}, ValueError, "seed must be a non-negative int"),
    ],
)
def test_small_cnn_rejects_bad_arguments_with_a_clear_message(arguments, error, message):
    with pytest.raises(error, match=message):
        models.small_cnn(**arguments)


def test_a_single_int_is_one_block():
    model = models.small_cnn(filters=16)
    assert [layer.name for layer in model.layers][:2] == ["conv1", "pool1"]
    assert "conv2" not in [layer.name for layer in model.layers]


def test_dense_network_parameters_and_initializers():
    model = models.dense_network(
        hidden_units=(32, 16), kernel_initializer="zeros", bias_initializer="ones"
    )
    assert [layer.name for layer in model.layers] == [
        "flatten",
        "dense1",
        "dense2",
        "probabilities",
    ]
    assert model.count_params() == (
        _dense_parameters(784, 32) + _dense_parameters(32, 16) + _dense_parameters(16, 10)
    )
    kernel, bias = model.get_layer("dense1").get_weights()
    assert not kernel.any() and (bias == 1).all()


def test_dense_network_default_initializers_are_keras_defaults():
    model = models.dense_network()
    config = model.get_layer("dense1").get_config()
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["bias_initializer"]["class_name"] == "Zeros"


def test_dense_network_without_hidden_layers_is_logistic_regression():
    model = models.dense_network((8, 8, 1), 3, hidden_units=(), dropout=0.2)
    assert [layer.name for layer in model.layers] == ["flatten", "dropout", "probabilities"]
    assert model.count_params() == _dense_parameters(64, 3)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"hidden_units": (0,)}, ValueError, "hidden_units must be a sequence of positive ints"),
        ({"bias_initializer": "nope"}, ValueError, "bias_initializer must be"),
        ({"dropout": -0.1}, ValueError, "dropout must be"),
        ({"input_shape": "28x28"}, TypeError, "input_shape must be"),
    ],
)
def test_dense_network_rejects_bad_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        models.dense_network(**arguments)


def test_a_seeded_builder_leaves_every_global_generator_alone():
    import random

    random.seed(11)
    np.random.seed(11)  # noqa: NPY002 - the global state is what must stay untouched
    python_state, numpy_state = random.getstate(), np.random.get_state()[1].copy()  # noqa: NPY002
    first = models.small_cnn(filters=(4,), dense_units=8, seed=5).get_weights()
    second = models.small_cnn(filters=(4,), dense_units=8, seed=5).get_weights()
    assert random.getstate() == python_state
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    other = models.dense_network(hidden_units=(8,), seed=6).get_weights()
    assert not np.array_equal(
        other[0], models.dense_network(hidden_units=(8,), seed=7).get_weights()[0]
    )


def test_a_seed_gives_the_weights_of_a_global_reseed():
    """seed=s equals keras.utils.set_random_seed(s) followed by unseeded initializers."""
    keras.utils.set_random_seed(3)
    layers = [keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten()]
    reference = keras.Sequential([*layers, keras.layers.Dense(3)]).get_weights()
    seeded = models.small_cnn(
        (6, 6, 1), 3, filters=(2,), pool_size=1, dense_units=0, seed=3
    ).get_weights()
    np.testing.assert_array_equal(seeded[0], reference[0])
    np.testing.assert_array_equal(seeded[2], reference[2])
