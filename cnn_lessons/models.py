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

Weights are drawn from Keras' global random state: call ``training.seed_everything(seed)`` first
to get the same initial weights every time.

Bad arguments raise ``ValueError`` naming the argument, the value received and what is legal.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

__all__ = ["dense_network", "small_cnn"]

_PADDINGS = ("valid", "same")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_int(name: str, value) -> int:
    if not _is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _input_shape(input_shape) -> tuple[int, ...]:
    if (
        not isinstance(input_shape, Sequence)
        or isinstance(input_shape, str)
        or len(input_shape) != 3
        or not all(_is_int(size) and size >= 1 for size in input_shape)
    ):
        raise ValueError(
            "input_shape must be (height, width, channels) with positive ints, "
            f"e.g. (28, 28, 1), got {input_shape!r}"
        )
    return tuple(input_shape)


def _num_classes(num_classes) -> int:
    if not _is_int(num_classes) or num_classes < 2:
        raise ValueError(f"num_classes must be an int of at least 2, got {num_classes!r}")
    return num_classes


def _units(name: str, values, *, example: str) -> tuple[int, ...]:
    if _is_int(values):
        values = (values,)
    if (
        not isinstance(values, Sequence)
        or isinstance(values, str)
        or not all(_is_int(value) and value >= 1 for value in values)
    ):
        raise ValueError(
            f"{name} must be a sequence of positive ints, e.g. {example}, got {values!r}"
        )
    return tuple(values)


def _dropout(dropout) -> float:
    if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
    return float(dropout)


def _kernel_size(kernel_size) -> tuple[int, int]:
    if _is_int(kernel_size):
        kernel_size = (kernel_size, kernel_size)
    if (
        not isinstance(kernel_size, Sequence)
        or len(kernel_size) != 2
        or not all(_is_int(size) and size >= 1 for size in kernel_size)
    ):
        raise ValueError(
            f"kernel_size must be a positive int or a pair of them, got {kernel_size!r}"
        )
    return tuple(kernel_size)


def _keras_identifier(name: str, value, getter, examples: str):
    try:
        if getter(value) is None:
            raise ValueError
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a Keras {examples}, got {value!r}") from None
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
    num_classes = _num_classes(num_classes)
    filters = _units("filters", filters, example="(32, 64)")
    if not filters:
        raise ValueError("filters must hold at least one entry (one per convolution block)")
    kernel = _kernel_size(kernel_size)
    pool_size = _positive_int("pool_size", pool_size)
    if padding not in _PADDINGS:
        raise ValueError(f"padding must be one of {_PADDINGS}, got {padding!r}")
    if not _is_int(dense_units) or dense_units < 0:
        raise ValueError(f"dense_units must be a non-negative int, got {dense_units!r}")
    dropout = _dropout(dropout)
    _keras_identifier(
        "activation", activation, keras.activations.get, "activation name such as 'relu'"
    )
    _keras_identifier(
        "kernel_initializer",
        kernel_initializer,
        keras.initializers.get,
        "initializer name such as 'glorot_uniform' or an Initializer",
    )

    layers: list = [keras.Input(shape=(height, width, channels), name="image")]
    size = [height, width]
    for block, count in enumerate(filters, start=1):
        if padding == "valid":
            size = [side - k + 1 for side, k in zip(size, kernel, strict=True)]
        size = [side // pool_size for side in size]
        if min(size) < 1:
            raise ValueError(
                f"filters={filters!r} asks for {len(filters)} conv/pool blocks, but a "
                f"{height}x{width} input shrinks below one pixel in block {block}; use fewer "
                "blocks, padding='same', a smaller kernel_size or pool_size, or a larger input"
            )
        layers += [
            keras.layers.Conv2D(
                count,
                kernel,
                padding=padding,
                activation=activation,
                kernel_initializer=kernel_initializer,
                name=f"conv{block}",
            ),
            keras.layers.MaxPooling2D(pool_size, name=f"pool{block}"),
        ]
    layers.append(keras.layers.Flatten(name="flatten"))
    if dropout > 0:
        layers.append(keras.layers.Dropout(dropout, name="dropout"))
    if dense_units > 0:
        layers.append(
            keras.layers.Dense(
                dense_units,
                activation=activation,
                kernel_initializer=kernel_initializer,
                name="dense",
            )
        )
    layers.append(
        keras.layers.Dense(
            num_classes,
            activation="softmax",
            kernel_initializer=kernel_initializer,
            name="probabilities",
        )
    )
    return keras.Sequential(layers, name=name)


def dense_network(
    input_shape: Sequence[int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    hidden_units: Sequence[int] = (64,),
    dropout: float = 0.0,
    activation: str = "relu",
    kernel_initializer="glorot_uniform",
    bias_initializer="zeros",
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
    name : str, default "dense_network"

    Returns
    -------
    keras.Sequential
        Built, not compiled; output ``(N, num_classes)`` probabilities.
    """
    shape = _input_shape(input_shape)
    num_classes = _num_classes(num_classes)
    if (
        isinstance(hidden_units, Sequence)
        and not isinstance(hidden_units, str)
        and not hidden_units
    ):
        hidden_units = ()
    else:
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
        )
    initializers = {"kernel_initializer": kernel_initializer, "bias_initializer": bias_initializer}
    layers: list = [keras.Input(shape=shape, name="image"), keras.layers.Flatten(name="flatten")]
    for number, units in enumerate(hidden_units, start=1):
        layers.append(
            keras.layers.Dense(units, activation=activation, name=f"dense{number}", **initializers)
        )
    if dropout > 0:
        layers.append(keras.layers.Dropout(dropout, name="dropout"))
    layers.append(
        keras.layers.Dense(num_classes, activation="softmax", name="probabilities", **initializers)
    )
    return keras.Sequential(layers, name=name)
