"""Self-checking exercises.

A check runs the learner's function on several cases, compares each result with the reference
solution, and prints either a clear pass or the first case that failed, what was expected, what
came back, and a hint. It returns a :class:`CheckResult`, which is truthy only when every case
passed, so a reference solution can be asserted: ``assert checks.check_scale_images(solution)``.

Each lesson adds its checks at the bottom of this module, built on :func:`check_function`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class CheckResult:
    """Outcome of a check: ``passed``, the number of cases, and a message per failure."""

    name: str
    passed: bool
    cases: int
    failures: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        status = "passed" if self.passed else "failed"
        return f"CheckResult({self.name!r}: {status}, {self.cases} cases)"


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        preview = np.array2string(value.ravel()[:6], precision=4, separator=", ")
        return f"array of shape {value.shape}, dtype {value.dtype}, starting {preview}"
    if value is None:
        return "None (did you forget to `return` the result?)"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value) -> str:
    """What a value is, in a few words: "a str ('abc')", "a generator", "a dict"."""
    if isinstance(value, str | bytes | dict | set | list | tuple):
        return f"a {type(value).__name__} ({_describe(value)})"
    return f"a {type(value).__name__}"


def _compare_numbers(expected, actual, *, rtol, atol, check_dtype) -> str | None:
    if actual is None:
        return "got None (did you forget to `return` the result?)"
    if (
        isinstance(actual, str | bytes | dict | set)
        or not hasattr(actual, "__len__")
        and (
            not isinstance(actual, np.generic | int | float | complex | bool)
            and not hasattr(actual, "__array__")
        )
    ):
        return f"expected a number or an array, got {_kind(actual)}"
    try:
        actual = np.asarray(actual)
    except Exception:  # a value NumPy cannot read as an array (ragged lists, ...)
        return f"expected a number or array, got {_kind(actual)}"
    if actual.dtype.kind not in "biufc":
        return f"expected numbers, got an array of dtype {actual.dtype} ({_describe(actual)})"
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        return f"expected shape {expected.shape}, got shape {actual.shape}"
    if check_dtype and actual.dtype != expected.dtype:
        return f"the dtype is {actual.dtype}; expected {expected.dtype}"
    if expected.dtype.kind in "fc" or actual.dtype.kind in "fc":
        if not np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True):
            difference = np.abs(actual.astype(complex) - expected.astype(complex))
            worst = float(np.nanmax(np.where(np.isnan(difference), np.inf, difference)))
            return f"values differ by up to {worst:.3g} (tolerance {atol:g} + {rtol:g}x)"
        return None
    if not np.array_equal(actual, expected):
        return f"expected {_describe(expected)}, got {_describe(actual)}"
    return None


def _equal(expected, actual) -> bool:
    """``expected == actual`` for any two values, False when they cannot be compared."""
    try:
        same = expected == actual
        if isinstance(same, bool | np.bool_):
            return bool(same)
        return bool(np.all(same)) and np.shape(same) == np.shape(expected)
    except Exception:  # e.g. an array against a tuple of another length
        return False


def compare(
    expected, actual, *, rtol: float = 1e-5, atol: float = 1e-6, check_dtype: bool = False
) -> str | None:
    """Return None when ``actual`` matches ``expected``, else a sentence saying how it differs.

    Arrays and numbers are compared by shape and value (within ``rtol``/``atol`` for floats),
    and by dtype too when ``check_dtype`` is true; anything else with ``==``. Whatever a
    learner's function returns (a string, a dict, a generator, ...) gives a sentence, never an
    exception.
    """
    numeric = isinstance(expected, np.ndarray | np.generic | float | int)
    if numeric and not isinstance(expected, bool):
        try:
            return _compare_numbers(expected, actual, rtol=rtol, atol=atol, check_dtype=check_dtype)
        except Exception as error:  # anything NumPy could not compare
            return f"could not compare the result ({_kind(actual)}): {error}"
    if not _equal(expected, actual):
        return f"expected {expected!r}, got {_describe(actual)}"
    return None


def check_function(
    name: str,
    learner: Callable,
    reference: Callable,
    cases: Sequence[tuple[tuple, dict]],
    *,
    hint: str = "",
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_dtype: bool = False,
    verbose: bool = True,
) -> CheckResult:
    """Run ``learner`` and ``reference`` on every case and compare the results.

    Parameters
    ----------
    name : str
        Shown in the report, e.g. ``"scale_images"``.
    learner, reference : callable
        The learner's function and the reference solution.
    cases : sequence of ``(args, kwargs)``
        Inputs to try, from simplest to trickiest; arrays are copied for each call so a
        function that modifies its input cannot spoil the next comparison.
    hint : str, optional
        Printed when a case fails.
    rtol, atol : float
        Tolerances for floating-point results.
    check_dtype : bool, default False
        Also require the result's dtype to equal the reference's.
    verbose : bool, default True
        Print the report.

    Returns
    -------
    CheckResult
    """
    if not callable(learner):
        raise TypeError(f"learner must be a function, got {type(learner).__name__}")
    failures = []
    for number, (args, kwargs) in enumerate(cases, start=1):
        expected = reference(*_copied(args), **_copied(kwargs))
        shown = ", ".join(
            [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
        )
        try:
            actual = learner(*_copied(args), **_copied(kwargs))
        except Exception as error:  # the learner's code may raise anything
            failures.append(f"case {number} ({shown}): raised {type(error).__name__}: {error}")
            break
        try:
            problem = compare(expected, actual, rtol=rtol, atol=atol, check_dtype=check_dtype)
        except Exception as error:  # never let a learner's odd return value crash the check
            problem = f"could not compare the result ({_kind(actual)}): {error}"
        if problem is not None:
            failures.append(f"case {number} ({shown}): {problem}")
            break
    result = CheckResult(name=name, passed=not failures, cases=len(cases), failures=failures)
    if verbose:
        if result.passed:
            print(f"✔ {name}: all {len(cases)} cases pass.")
        else:
            print(f"✘ {name}: {failures[0]}")
            if hint:
                print(f"  Hint: {hint}")
    return result


def _copied(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    return value


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape} {value.dtype}"
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


# --- welcome ----------------------------------------------------------------------------------


def check_scale_images(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(images)`` turns uint8 images into float32 values in [0, 1]."""
    generator = np.random.default_rng(0)
    cases = [
        ((np.array([[0, 128, 255]], dtype=np.uint8),), {}),
        ((generator.integers(0, 256, size=(2, 28, 28), dtype=np.uint8),), {}),
        ((generator.integers(0, 256, size=(5, 8, 8, 3), dtype=np.uint8),), {}),
    ]
    return check_function(
        "scale_images",
        function,
        lambda images: images.astype(np.float32) / np.float32(255),
        cases,
        hint="convert to float32, then divide by 255, the largest uint8 value "
        "(`images.astype('float32') / 255`).",
        check_dtype=True,
        verbose=verbose,
    )


# --- architectures, visualizing what CNNs learn --------------------------------------------


def _conv_macs_reference(input_shape, filters, kernel_size, *, strides=1, padding="valid"):
    height, width, channels = input_shape
    if padding == "same":
        out_height, out_width = -(-height // strides), -(-width // strides)
    else:
        out_height = (height - kernel_size) // strides + 1
        out_width = (width - kernel_size) // strides + 1
    return out_height * out_width * filters * kernel_size * kernel_size * channels


def check_conv_macs(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(input_shape, filters, kernel_size, *, strides=1, padding="valid")``
    returns the multiply-adds of one ``Conv2D`` layer for one ``(H, W, C)`` input."""
    cases = [
        (((28, 28, 1), 8, 3), {}),
        (((7, 7, 64), 32, 1), {}),
        (((224, 224, 3), 64, 3), {"padding": "same"}),
        (((32, 32, 3), 16, 5), {"strides": 2, "padding": "same"}),
        (((57, 57, 64), 64, 3), {"strides": 2, "padding": "valid"}),
    ]
    return check_function(
        "conv_macs",
        function,
        _conv_macs_reference,
        cases,
        hint="each output value (out_H * out_W * filters of them) needs kernel_size * kernel_size "
        "* C multiply-adds; out_H is ceil(H / strides) with 'same' padding and "
        "(H - kernel_size) // strides + 1 with 'valid'.",
        verbose=verbose,
    )


def _bottleneck_block_reference(inputs, filters, *, stride=1):
    import keras

    layers = keras.layers
    shortcut = inputs
    if stride != 1 or inputs.shape[-1] != 4 * filters:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, use_bias=False)(inputs)
        shortcut = layers.BatchNormalization()(shortcut)
    x = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(inputs)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2D(4 * filters, 1, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(layers.Add()([x, shortcut]))


def _summarize_block(block):
    """Build ``block`` on a symbolic input; return its output shape, parameters and merges."""
    import keras

    def summary(input_shape, filters, stride):
        inputs = keras.Input(shape=input_shape)
        outputs = block(inputs, filters, stride=stride)
        if outputs is None:
            return None
        model = keras.Model(inputs, outputs)
        adds = sum(isinstance(layer, keras.layers.Add) for layer in model.layers)
        return (tuple(outputs.shape[1:]), model.count_params(), adds)

    return summary


def check_bottleneck_block(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(inputs, filters, *, stride=1)`` builds a ResNet bottleneck block.

    Compared with the reference on (output shape, parameter count, number of ``Add`` layers),
    for identity shortcuts and for projection shortcuts (other channels, or stride 2).
    """
    cases = [
        (((8, 8, 64), 16, 1), {}),
        (((8, 8, 32), 16, 1), {}),
        (((8, 8, 64), 32, 2), {}),
        (((9, 9, 16), 4, 2), {}),
    ]
    return check_function(
        "bottleneck_block",
        _summarize_block(function),
        _summarize_block(_bottleneck_block_reference),
        cases,
        hint="the result compared is (output shape, parameters, Add layers). Main path: Conv2D "
        "1x1 with `filters` (strides=stride), BatchNormalization, ReLU; Conv2D 3x3 "
        "(padding='same'), BatchNormalization, ReLU; Conv2D 1x1 with 4 * filters, "
        "BatchNormalization. Shortcut: the input itself, or, when stride != 1 or the input does "
        "not have 4 * filters channels, Conv2D 1x1 with 4 * filters (strides=stride) and "
        "BatchNormalization. Every Conv2D uses use_bias=False. Then Add and ReLU.",
        verbose=verbose,
    )


def _tiny_saliency_case():
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(10, 10, 1)),
            keras.layers.Conv2D(
                3, 3, activation="relu", kernel_initializer=keras.initializers.HeNormal(seed=0)
            ),
            keras.layers.Flatten(),
            keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(seed=1)),
        ]
    )
    images = np.random.default_rng(0).random((3, 10, 10)).astype(np.float32)
    return model, images


def check_saliency(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(model, image, class_index)`` returns d score / d pixel.

    ``image`` is ``(H, W)``; the result must have the same shape. The reference is
    :func:`cnn_lessons.explain.saliency`.
    """
    from cnn_lessons import explain

    model, images = _tiny_saliency_case()
    cases = [((model, images[0], 0), {}), ((model, images[1], 3), {}), ((model, images[2], 1), {})]
    return check_function(
        "saliency_map",
        function,
        lambda model, image, class_index: explain.saliency(model, image, class_index=class_index),
        cases,
        hint="add the batch and channel axes (image[None, ..., None]), make it a tf.constant, "
        "watch it with tf.GradientTape, take model(x)[0, class_index], ask the tape for the "
        "gradient and drop the extra axes again ([0, ..., 0]).",
        rtol=1e-4,
        atol=1e-6,
        verbose=verbose,
    )


def _receptive_field_reference(kernel_sizes, strides):
    size, jump = 1, 1
    for kernel, stride in zip(kernel_sizes, strides, strict=True):
        size += (kernel - 1) * jump
        jump *= stride
    return size


def check_receptive_field_size(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(kernel_sizes, strides)`` returns the receptive field side of a
    unit after a chain of convolution / pooling layers."""
    cases = [
        (([3], [1]), {}),
        (([3, 3], [1, 1]), {}),
        (([3, 2, 3], [1, 2, 1]), {}),
        (([3, 2, 3, 2, 3], [1, 2, 1, 2, 1]), {}),
        (([11, 3, 5, 3], [4, 2, 1, 2]), {}),
    ]
    return check_function(
        "receptive_field_size",
        function,
        _receptive_field_reference,
        cases,
        hint="start with size 1 and jump 1; each layer adds (kernel - 1) * jump to the size, "
        "then multiplies the jump by its stride.",
        verbose=verbose,
    )


# --- a first CNN, optimizers, checkpointing --------------------------------------------------


def _cross_entropy_reference(labels, probabilities):
    clipped = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    return float(-np.mean(np.sum(np.asarray(labels) * np.log(clipped), axis=1)))


def check_cross_entropy(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(labels, probabilities)`` is the mean categorical cross-entropy.

    ``labels`` are one-hot ``(N, K)``, ``probabilities`` are ``(N, K)`` rows summing to 1; the
    result is one number, ``mean over samples of -log(probability of the true class)``, with
    probabilities clipped to ``[1e-7, 1 - 1e-7]`` as Keras does.
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
    ]
    return check_function(
        "cross_entropy",
        function,
        _cross_entropy_reference,
        cases,
        hint="for each row take -log of the probability given to the true class, then average "
        "over the rows. A probability of exactly 0 makes log() return -inf and 0 * -inf is nan: "
        "clip the probabilities to [1e-7, 1 - 1e-7] first, as Keras does.",
        verbose=verbose,
    )


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
        hint="each filter has kernel_size x kernel_size weights per input channel, plus one "
        "bias; a layer has `filters` of them.",
        verbose=verbose,
    )


def _momentum_step_reference(weights, gradient, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * gradient
    return weights + velocity, velocity


def _stacked(function):
    """Wrap a function returning ``(a, b)`` so that check_function compares one array."""

    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        if isinstance(result, tuple | list) and len(result) == 2:
            first, second = (np.asarray(part, dtype=np.float64) for part in result)
            if first.shape == second.shape:
                return np.stack([first, second])
            return f"a pair of arrays with shapes {first.shape} and {second.shape}"
        return result

    return wrapped


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
        hint="first the velocity: momentum * velocity - learning_rate * gradient; then move the "
        "weights by the new velocity. Return both: (new_weights, new_velocity).",
        verbose=verbose,
    )


def _best_epoch_reference(values, mode):
    values = np.asarray(values, dtype=float)
    return int(np.argmin(values) if mode == "min" else np.argmax(values)) + 1


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
        hint="epochs count from 1 while Python lists count from 0; np.argmin / np.argmax return "
        "the first position of the best value, which is the epoch ModelCheckpoint keeps on a tie.",
        verbose=verbose,
    )


# --- grid search, augmentation ---------------------------------------------------------------


def _grid_cost_reference(param_grid, folds, epochs):
    candidates = 1
    for values in param_grid.values():
        candidates *= len(values)
    return candidates * folds * epochs


def check_grid_cost(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(param_grid, folds, epochs)`` counts the epochs a grid search trains.

    ``param_grid`` is a dict of lists, as for ``GridSearchCV``; the answer is the product of the
    list lengths times ``folds`` times ``epochs`` (the final refit is not counted).
    """
    cases = [
        (({"batch_size": [16, 32, 64]}, 2, 3), {}),
        (({"batch_size": [10, 20], "optimizer": ["sgd", "adam", "rmsprop"]}, 3, 10), {}),
        (({"filters": [4], "dropout": [0.0, 0.2, 0.4, 0.6], "activation": ["relu"]}, 5, 20), {}),
        (({}, 2, 4), {}),
    ]
    return check_function(
        "grid_cost",
        function,
        _grid_cost_reference,
        cases,
        hint="multiply the lengths of the lists (math.prod(len(v) for v in param_grid.values())), "
        "then multiply by folds and by epochs. An empty grid still has one candidate: the "
        "estimator as it is.",
        verbose=verbose,
    )


def check_featurewise_standardize(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(images)`` standardizes a batch with its own per-channel statistics.

    ``images`` is ``(N, H, W)`` or ``(N, H, W, C)``; the result is
    ``(images - mean) / max(std, 1e-7)`` with one mean and one (population) standard deviation per
    channel, over all images, rows and columns, as ``keras.layers.Normalization`` computes them.
    """
    from cnn_lessons import augment

    generator = np.random.default_rng(8)
    constant_channel = generator.random((3, 2, 2, 2)).astype(np.float32)
    constant_channel[..., 1] = 0.5
    cases = [
        ((generator.random((4, 3, 3)).astype(np.float32),), {}),
        ((generator.integers(0, 256, size=(5, 4, 4, 3), dtype=np.uint8),), {}),
        ((constant_channel,), {}),
    ]
    return check_function(
        "featurewise_standardize",
        function,
        lambda images: augment.featurewise_standardize(images),
        cases,
        hint="compute the mean and the standard deviation over axes (0, 1, 2), one per channel "
        "(a scalar for (N, H, W) images); divide by np.maximum(std, 1e-7) so a constant channel "
        "gives 0 instead of nan.",
        rtol=1e-5,
        atol=1e-5,
        verbose=verbose,
    )


# --- convolution, stride and padding, pooling ----------------------------------------------


def check_cross_correlation(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(image, kernel)`` is the valid 2-D cross-correlation of one channel.

    ``image`` is ``(H, W)`` and ``kernel`` ``(kh, kw)``; the result is ``(H - kh + 1, W - kw + 1)``
    with ``out[i, j] = sum(image[i:i + kh, j:j + kw] * kernel)``, as ``conv.conv2d`` (and a
    Keras ``Conv2D`` without bias) computes it.
    """
    from cnn_lessons import conv

    generator = np.random.default_rng(1)
    cases = [
        ((np.arange(16.0).reshape(4, 4), np.ones((2, 2))), {}),
        ((np.arange(25.0).reshape(5, 5), np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]])), {}),
        ((np.arange(20.0).reshape(4, 5), np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])), {}),
        ((generator.random((6, 9)), generator.normal(size=(2, 3))), {}),
        ((generator.random((3, 3)), generator.normal(size=(3, 3))), {}),
        ((generator.random((7, 5)), np.array([[2.5]])), {}),
    ]
    return check_function(
        "cross_correlate",
        function,
        lambda image, kernel: conv.conv2d(image.astype(float), kernel.astype(float)),
        cases,
        hint="the output has (H - kh + 1) rows and (W - kw + 1) columns; out[i, j] is "
        "np.sum(image[i:i + kh, j:j + kw] * kernel). Do not flip the kernel, and mind "
        "non-square images and kernels.",
        verbose=verbose,
    )


def check_output_size(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(input_size, kernel_size, stride, padding)`` -> output pixels.

    ``padding`` is a number of zero pixels on each side; the answer is
    ``floor((input_size + 2 * padding - kernel_size) / stride) + 1``, as ``conv.output_size``.
    """
    from cnn_lessons import conv

    def reference(input_size, kernel_size, stride, padding):
        return conv.output_size(input_size, kernel_size, stride=stride, padding=padding)

    cases = [
        ((28, 3, 1, 0), {}),
        ((28, 3, 1, 1), {}),
        ((5, 3, 2, 1), {}),
        ((7, 3, 2, 0), {}),
        ((6, 3, 2, 1), {}),
        ((224, 7, 2, 3), {}),
        ((5, 4, 1, 2), {}),
        ((10, 10, 3, 0), {}),
    ]
    return check_function(
        "output_size",
        function,
        reference,
        cases,
        hint="add the padding on both sides, subtract the kernel, divide by the stride rounding "
        "DOWN (integer division //), then add 1 for the first position.",
        verbose=verbose,
    )


def check_max_pool(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(x)`` is 2x2 max pooling with stride 2 of an ``(H, W)`` map.

    Like ``keras.layers.MaxPooling2D()`` (``"valid"``): an odd last row or column that does not
    fill a window is dropped, so the result is ``(H // 2, W // 2)``.
    """
    from cnn_lessons import conv

    generator = np.random.default_rng(3)
    cases = [
        ((np.arange(16.0).reshape(4, 4),), {}),
        ((np.array([[1.0, -2], [-3, -4]]),), {}),
        ((-generator.random((4, 6)),), {}),
        ((generator.normal(size=(5, 7)),), {}),
        ((generator.normal(size=(8, 2)),), {}),
    ]
    return check_function(
        "max_pool",
        function,
        lambda x: conv.pool2d(x, 2),
        cases,
        hint="the output is (H // 2, W // 2): take x[:2 * (H // 2), :2 * (W // 2)], reshape it "
        "to (H // 2, 2, W // 2, 2) and take the max over axes 1 and 3 (or loop over windows). "
        "Start from the window's own values, not from 0: all values may be negative.",
        verbose=verbose,
    )


# --- transfer learning, interpretability -----------------------------------------------------


def _freeze_up_to_reference(model, layer_name):
    names = [layer.name for layer in model.layers]
    cut = names.index(layer_name)
    for index, layer in enumerate(model.layers):
        layer.trainable = index > cut
    return model


def _freezing_outcome(function):
    """Run ``function`` on a fresh lesson-11 base; return (trainable flags, trainable count)."""

    def outcome(layer_name):
        from cnn_lessons import pretrain

        model = function(pretrain.build_base(4, seed=0), layer_name)
        if model is None:
            return None
        flags = tuple(bool(layer.trainable) for layer in model.layers)
        count = int(sum(np.prod(weight.shape) for weight in model.trainable_weights))
        return (flags, count)

    return outcome


def check_freeze_up_to(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(model, layer_name)`` freezes every layer up to ``layer_name``.

    The layers up to and including ``layer_name`` get ``trainable = False``, every later layer
    ``trainable = True``; the function returns the model. Compared on a fresh
    :func:`cnn_lessons.pretrain.build_base` model: the ``trainable`` flag of every layer and the
    number of trainable parameters.
    """
    cases = [
        (("block1_pool",), {}),
        (("block2_pool",), {}),
        (("features",), {}),
        (("image",), {}),
    ]
    return check_function(
        "freeze_up_to",
        _freezing_outcome(function),
        _freezing_outcome(_freeze_up_to_reference),
        cases,
        hint="the result compared is (trainable flag of every layer, trainable parameters). Find "
        "the position of `layer_name` in `[layer.name for layer in model.layers]`, then set "
        "`layer.trainable = index > position` for every layer (later layers must be set back "
        "to True), and `return model`.",
        verbose=verbose,
    )


def _fgsm_step_reference(image, gradient, epsilon):
    return np.clip(image + epsilon * np.sign(gradient), 0.0, 1.0)


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
        hint="move every pixel by epsilon in the direction of its gradient's sign "
        "(`np.sign(gradient)`: +1, -1, or 0 for a zero gradient), then keep the result a valid "
        "image with `np.clip(..., 0, 1)`.",
        verbose=verbose,
    )


# --- how a CNN learns ------------------------------------------------------------------------


class ModifiedInputError(Exception):
    """A learner's backward pass changed one of its arguments in place."""


def _leaves_inputs_alone(function: Callable, names: Sequence[str]) -> Callable:
    """Wrap ``function`` so that changing an array argument in place fails the case.

    In a network the arrays a backward pass receives are still needed elsewhere (the same
    upstream gradient may feed two branches, the forward values feed other gradients), so
    writing into them is a bug even when the returned values are right.
    """

    def wrapped(*args):
        before = [np.array(arg, copy=True) if isinstance(arg, np.ndarray) else arg for arg in args]
        result = function(*args)
        for name, old, new in zip(names, before, args, strict=False):
            if isinstance(new, np.ndarray) and not np.array_equal(old, new, equal_nan=True):
                raise ModifiedInputError(
                    f"your function changed `{name}` in place; return a new array and leave the "
                    "arguments as they were (the rest of the network still needs them)"
                )
        return result

    return wrapped


def check_relu_backward(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(upstream, x)`` is ``dL/dx`` for ``relu(x) = max(x, 0)``.

    ``upstream`` is ``dL/d relu(x)``, same shape as ``x``. The result keeps ``upstream``'s
    dtype, is 0 where ``x <= 0`` (TensorFlow's choice at exactly 0), and the arguments are not
    modified.
    """
    from cnn_lessons import backprop

    generator = np.random.default_rng(13)
    cases = [
        ((np.ones(5), np.array([-2.0, -0.5, 0.0, 0.5, 2.0])), {}),
        ((generator.normal(size=(3, 4)), generator.normal(size=(3, 4))), {}),
        ((np.full((2, 2), 7.0), -np.ones((2, 2))), {}),
        (
            (
                generator.normal(size=(2, 3, 3, 2)).astype(np.float32),
                generator.normal(size=(2, 3, 3, 2)).astype(np.float32),
            ),
            {},
        ),
    ]
    return check_function(
        "relu_backward",
        _leaves_inputs_alone(function, ["upstream", "x"]),
        backprop.relu_backward,
        cases,
        hint="ReLU is made of two straight pieces: what is the slope of each, and so how much "
        "of the upstream gradient gets through where x is positive, and where it is not? At "
        "x == 0 exactly, TensorFlow uses the flat piece. Keep upstream's dtype (float32 stays "
        "float32) and build a new array rather than writing into upstream.",
        check_dtype=True,
        verbose=verbose,
    )


def check_max_pool_backward(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(upstream, x)`` is ``dL/dx`` for 2x2 max pooling with stride 2 of ``(H, W)``.

    ``upstream`` has the pooled shape ``(H // 2, W // 2)``; the result has ``x``'s shape and
    ``upstream``'s dtype. As in TensorFlow, a window's gradient goes to its largest pixel only
    (the first in reading order on a tie), and a last odd row or column, which no window
    covers, gets 0.
    """
    from cnn_lessons import backprop

    def reference(upstream, x):
        return backprop.pool2d_backward(upstream, x, 2).astype(upstream.dtype, copy=False)

    generator = np.random.default_rng(14)
    cases = [
        ((np.array([[1.0, 2.0], [3.0, 4.0]]), np.arange(16.0).reshape(4, 4)[::-1]), {}),
        ((generator.normal(size=(2, 3)), -generator.random((4, 6))), {}),
        ((generator.normal(size=(2, 3)), generator.normal(size=(5, 7))), {}),
        ((np.array([[1.0, -2.0]]), np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])), {}),
        (
            (
                generator.normal(size=(2, 2)).astype(np.float32),
                generator.normal(size=(4, 5)).astype(np.float32),
            ),
            {},
        ),
    ]
    return check_function(
        "max_pool_backward",
        _leaves_inputs_alone(function, ["upstream", "x"]),
        reference,
        cases,
        hint="in each 2x2 window only one pixel decided the output: nudging any other pixel "
        "of the window a little changes nothing. Which pixel is it, and how much of the "
        "window's upstream value does it get? On a tie only the first one in reading order "
        "counts. The result has x's shape and upstream's dtype (float32 stays float32); "
        "pixels that no window covers get 0.",
        check_dtype=True,
        verbose=verbose,
    )


def _kernel_gradient_reference(image, upstream):
    from cnn_lessons import backprop

    size = (image.shape[0] - upstream.shape[0] + 1, image.shape[1] - upstream.shape[1] + 1)
    return backprop.conv2d_backward(upstream, image, np.zeros(size))[1]


def check_kernel_gradient(function: Callable, *, verbose: bool = True) -> CheckResult:
    """``function(image, upstream)`` is ``dL/dK`` for ``output = conv.conv2d(image, K)``.

    One filter, one channel, stride 1, no padding: ``image`` is ``(H, W)``, ``upstream`` is
    ``dL/d output`` of shape ``(H_out, W_out)``, and the kernel, so the result, is
    ``(H - H_out + 1, W - W_out + 1)``.
    """
    generator = np.random.default_rng(15)
    cases = [
        ((np.arange(16.0).reshape(4, 4), np.ones((3, 3))), {}),
        ((np.arange(9.0).reshape(3, 3), np.array([[1.0, -1.0], [2.0, 0.0]])), {}),
        ((generator.random((6, 5)), generator.normal(size=(4, 4))), {}),
        ((generator.random((7, 7)), generator.normal(size=(5, 5))), {}),
        ((generator.random((5, 8)), generator.normal(size=(5, 6))), {}),
    ]
    return check_function(
        "kernel_gradient",
        _leaves_inputs_alone(function, ["image", "upstream"]),
        _kernel_gradient_reference,
        cases,
        hint="take one weight of the kernel at a time. In the forward pass it took part in "
        "every output pixel: which image pixel did it multiply for each of them? The chain "
        "rule then tells you how much each of those products adds to its gradient. Think about "
        "whether anything gets flipped or averaged, and check the shape: the kernel's.",
        verbose=verbose,
    )
