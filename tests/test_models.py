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
    ("arguments", "message"),
    [
        ({"input_shape": (28, 28)}, "input_shape must be"),
        ({"input_shape": (28, 0, 1)}, "input_shape must be"),
        ({"num_classes": 1}, "num_classes must be an int of at least 2"),
        ({"num_classes": 2.0}, "num_classes must be"),
        ({"filters": ()}, "filters must hold at least one"),
        ({"filters": (32, -1)}, "filters must be a sequence of positive ints"),
        ({"filters": "32"}, "filters must be"),
        ({"filters": (8, 8, 8, 8, 8)}, "shrinks below one pixel in block 4"),
        ({"kernel_size": 0}, "kernel_size must be"),
        ({"pool_size": 0}, "pool_size must be a positive int"),
        ({"padding": "full"}, r"padding must be one of \('valid', 'same'\)"),
        ({"dense_units": -1}, "dense_units must be a non-negative int"),
        ({"dropout": 1.0}, r"dropout must be a number in \[0, 1\)"),
        ({"dropout": True}, "dropout must be"),
        ({"activation": "relux"}, "activation must be a Keras activation"),
        ({"kernel_initializer": "glorot"}, "kernel_initializer must be"),
        ({"kernel_initializer": None}, "kernel_initializer must be"),
    ],
)
def test_small_cnn_rejects_bad_arguments_with_a_clear_message(arguments, message):
    with pytest.raises(ValueError, match=message):
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
    ("arguments", "message"),
    [
        ({"hidden_units": (0,)}, "hidden_units must be a sequence of positive ints"),
        ({"bias_initializer": "nope"}, "bias_initializer must be"),
        ({"dropout": -0.1}, "dropout must be"),
        ({"input_shape": "28x28"}, "input_shape must be"),
    ],
)
def test_dense_network_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        models.dense_network(**arguments)
