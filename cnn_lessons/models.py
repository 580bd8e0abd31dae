"""Keras 3 model builders shared by the lessons.

Every builder returns an **uncompiled** ``keras.Sequential`` that starts with ``keras.Input``, so
the model is built (its weights exist and ``model.summary()`` works) but the lesson still chooses
the optimizer, the loss and the metrics in its own ``model.compile(...)`` call. That keeps the one
decision each lesson is about in view: the optimizers lesson, for example, compiles the same
architecture with eleven optimizers.

Layers have fixed names so later lessons can find them with ``model.get_layer(name)``:

``small_cnn``
    ``conv1``, ``pool1``, ``conv2``, ``pool2``, ... (one pair per entry of ``filters``),
    ``flatten``, ``dropout`` (only when ``dropout > 0``), ``dense`` (only when
    ``dense_units > 0``) and ``probabilities`` (the softmax output).
``dense_network``
    ``flatten``, ``dense1``, ``dense2``, ... (one per entry of ``hidden_units``), ``dropout``
    (only when ``dropout > 0``) and ``probabilities``.

Seeding follows one convention in the whole package: a builder's ``seed=`` seeds the initial
weights without touching any global random generator; without it the weights come from Keras'
global random state, which ``training.seed_everything(seed)`` sets.

Bad arguments raise ``TypeError`` (wrong type) or ``ValueError`` (wrong value) naming the
argument, the value received and what is legal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import keras
import numpy as np

from cnn_lessons import _compat, _validate

__all__ = ["dense_network", "small_cnn"]

_PADDINGS = ("valid", "same")


def _input_shape(input_shape) -> tuple[int, ...]:
    legal = "(height, width, channels) with positive ints up to 4096, e.g. (28, 28, 1)"
    if isinstance(input_shape, str) or not isinstance(input_shape, Sequence):
        raise TypeError(f"input_shape must be {legal}, got {input_shape!r}")
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be {legal}, got {input_shape!r}")
    return tuple(
        _validate.integer(
            size, "input_shape", minimum=1, maximum=4096, legal=legal, shown=input_shape
        )
        for size in input_shape
    )


#: Most filters, units or classes one layer may have: more is a typo, not a course model.
MAX_UNITS = 8192


def _units(name: str, values, *, example: str) -> tuple[int, ...]:
    if isinstance(values, int | np.integer) and not isinstance(values, bool):
        values = (values,)
    legal = f"a sequence of positive ints (at most {MAX_UNITS}), e.g. {example}"
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be {legal}, got {values!r}")
    return tuple(
        _validate.integer(value, name, minimum=1, maximum=MAX_UNITS, legal=legal, shown=values)
        for value in values
    )


def _dropout(dropout) -> float:
    return _validate.number(dropout, "dropout", minimum=0, maximum=1, exclusive_maximum=True)


def _keras_identifier(name: str, value, getter, examples: str, *, seed=None):
    # Making an unseeded initializer draws from Python's global generator. Without a seed the
    # builder uses the global state anyway (and the draw keeps the weights lessons rely on);
    # with one, nothing global may change.
    kept = contextlib.nullcontext() if seed is None else _compat.python_random_kept()
    try:
        with kept:
            found = getter(value)
    except (ValueError, TypeError):
        found = None
    if found is None:
        error = ValueError if isinstance(value, str | dict) else TypeError
        raise error(f"{name} must be a Keras {examples}, got {value!r}")
    return value


def small_cnn(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    filters: Sequence[int] = (32, 64),
    kernel_size: int | Sequence[int] = 3,
    pool_size: int = 2,
    padding: str = "valid",
    dense_units: int = 64,
    dropout: float = 0.0,
    activation: str = "relu",
    kernel_initializer="glorot_uniform",
    seed: int | None = None,
    name: str = "small_cnn",
) -> keras.Sequential:
    """A small convolutional classifier: conv/pool blocks, a dense layer and a softmax.

    The layers are, in order: for each entry ``n`` of ``filters`` a ``Conv2D(n, kernel_size,
    activation=activation)`` named ``conv<i>`` followed by a ``MaxPooling2D(pool_size)`` named
    ``pool<i>``; then ``flatten``; a ``Dropout(dropout)`` named ``dropout`` when ``dropout > 0``;
    a ``Dense(dense_units, activation=activation)`` named ``dense`` when ``dense_units > 0``; and
    ``Dense(num_classes, activation="softmax")`` named ``probabilities``. This follows the usual
    rules of thumb: ReLU after every convolution and hidden dense layer, softmax with one unit per
    class at the end.

    Parameters
    ----------
    input_shape : (height, width, channels), default (28, 28, 1)
        The shape of one image; the model takes batches ``(N, height, width, channels)`` of
        float32 values (scale uint8 pixels to [0, 1] first).
    num_classes : int, default 10
        Number of classes (at least 2); the output has shape ``(N, num_classes)`` and each row
        sums to 1.
    filters : sequence of int, default (32, 64)
        Number of filters of each convolution block; one block per entry.
    kernel_size : int or (int, int), default 3
    pool_size : int, default 2
        Size (and stride) of every max-pooling window.
    padding : {"valid", "same"}, default "valid"
        Padding of the convolutions.
    dense_units : int, default 64
        Units of the hidden dense layer; ``0`` leaves that layer out.
    dropout : float in [0, 1), default 0.0
        Dropout rate applied to the flattened features; ``0`` leaves the layer out.
    activation : str, default "relu"
        Activation of the convolutions and of the hidden dense layer.
    kernel_initializer : str or keras.initializers.Initializer, default "glorot_uniform"
        Initializer of every convolution and dense kernel (Keras' default).
    seed : int, optional
        Seeds the initial weights without touching any global random generator (the weights
        equal those after ``keras.utils.set_random_seed(seed)``). When omitted, the weights are
        drawn from Keras' global random state.
    name : str, default "small_cnn"

    Returns
    -------
    keras.Sequential
        Built, not compiled.

    Raises
    ------
    ValueError
        For an illegal argument, or when ``filters`` has more blocks than the image can take
        (a feature map would shrink below one pixel).

    Examples
    --------
    >>> model = small_cnn(filters=(16, 32), dense_units=128, dropout=0.25)
    >>> model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    """
    height, width, channels = _input_shape(input_shape)
    num_classes = _validate.integer(num_classes, "num_classes", minimum=2, maximum=MAX_UNITS)
    filters = _units("filters", filters, example="(32, 64)")
    if not filters:
        raise ValueError("filters must hold at least one entry (one per convolution block)")
    kernel = _validate.int_pair(kernel_size, "kernel_size")
    pool_size = _validate.positive_int(pool_size, "pool_size")
    _validate.one_of(padding, "padding", _PADDINGS)
    dense_units = _validate.non_negative_int(dense_units, "dense_units", maximum=MAX_UNITS)
    dropout = _dropout(dropout)
    _keras_identifier(
        "activation", activation, keras.activations.get, "activation name such as 'relu'"
    )
    _keras_identifier(
        "kernel_initializer",
        kernel_initializer,
        keras.initializers.get,
        "initializer name such as 'glorot_uniform' or an Initializer",
        seed=seed,
    )

    seeded = _compat.initializer_seeder(None if seed is None else _validate.seed(seed))
    layers: list = [keras.Input(shape=(height, width, channels), name="image")]
    layers += _conv_blocks(
        (height, width), filters, kernel, pool_size, padding, activation, kernel_initializer, seeded
    )
    layers.append(keras.layers.Flatten(name="flatten"))
    if dropout > 0:
        layers.append(keras.layers.Dropout(dropout, name="dropout"))
    if dense_units > 0:
        layers.append(
            keras.layers.Dense(
                dense_units,
                activation=activation,
                kernel_initializer=seeded(kernel_initializer),
                name="dense",
            )
        )
    layers.append(
        keras.layers.Dense(
            num_classes,
            activation="softmax",
            kernel_initializer=seeded(kernel_initializer),
            name="probabilities",
        )
    )
    return keras.Sequential(layers, name=name)


def _conv_blocks(input_size, filters, kernel, pool_size, padding, activation, initializer, seeded):
    """``conv<i>`` and ``pool<i>`` for each entry of ``filters``; refuses an input too small."""
    size = list(input_size)
    layers = []
    for block, count in enumerate(filters, start=1):
        if padding == "valid":
            size = [side - k + 1 for side, k in zip(size, kernel, strict=True)]
        size = [side // pool_size for side in size]
        if min(size) < 1:
            raise ValueError(
                f"filters={filters!r} asks for {len(filters)} conv/pool blocks, but a "
                f"{input_size[0]}x{input_size[1]} input shrinks below one pixel in block "
                f"{block}; use fewer blocks, padding='same', a smaller kernel_size or "
                "pool_size, or a larger input"
            )
        layers += [
            keras.layers.Conv2D(
                count,
                kernel,
                padding=padding,
                activation=activation,
                kernel_initializer=seeded(initializer),
                name=f"conv{block}",
            ),
            keras.layers.MaxPooling2D(pool_size, name=f"pool{block}"),
        ]
    return layers


def dense_network(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    hidden_units: Sequence[int] = (64,),
    dropout: float = 0.0,
    activation: str = "relu",
    kernel_initializer="glorot_uniform",
    bias_initializer="zeros",
    seed: int | None = None,
    name: str = "dense_network",
) -> keras.Sequential:
    """A fully connected classifier: flatten, hidden dense layers, softmax.

    The baseline a CNN is compared with, and the simplest network on which to watch what the
    initializers do.

    Parameters
    ----------
    input_shape : (height, width, channels), default (28, 28, 1)
    num_classes : int, default 10
    hidden_units : sequence of int, default (64,)
        Units of each hidden layer, named ``dense1``, ``dense2``, ...; may be empty.
    dropout : float in [0, 1), default 0.0
        Dropout before the output layer; ``0`` leaves the layer out.
    activation : str, default "relu"
        Activation of the hidden layers.
    kernel_initializer : str or keras.initializers.Initializer, default "glorot_uniform"
        Initializer of every kernel, output layer included.
    bias_initializer : str or keras.initializers.Initializer, default "zeros"
        Initializer of every bias.
    seed : int, optional
        Seeds the kernel initializers, as in :func:`small_cnn`.
    name : str, default "dense_network"

    Returns
    -------
    keras.Sequential
        Built, not compiled; output ``(N, num_classes)`` probabilities.
    """
    shape = _input_shape(input_shape)
    num_classes = _validate.integer(num_classes, "num_classes", minimum=2, maximum=MAX_UNITS)
    hidden_units = _units("hidden_units", hidden_units, example="(64,)")
    dropout = _dropout(dropout)
    _keras_identifier(
        "activation", activation, keras.activations.get, "activation name such as 'relu'"
    )
    for argument, value in (
        ("kernel_initializer", kernel_initializer),
        ("bias_initializer", bias_initializer),
    ):
        _keras_identifier(
            argument,
            value,
            keras.initializers.get,
            "initializer name such as 'glorot_uniform' or 'zeros', or an Initializer",
            seed=seed,
        )
    seeded = _compat.initializer_seeder(None if seed is None else _validate.seed(seed))

    def dense(units, **options):
        return keras.layers.Dense(
            units,
            kernel_initializer=seeded(kernel_initializer),
            bias_initializer=seeded(bias_initializer),
            **options,
        )

    layers: list = [keras.Input(shape=shape, name="image"), keras.layers.Flatten(name="flatten")]
    for number, units in enumerate(hidden_units, start=1):
        layers.append(dense(units, activation=activation, name=f"dense{number}"))
    if dropout > 0:
        layers.append(keras.layers.Dropout(dropout, name="dropout"))
    layers.append(dense(num_classes, activation="softmax", name="probabilities"))
    return keras.Sequential(layers, name=name)
