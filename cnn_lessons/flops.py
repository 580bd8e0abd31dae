"""Count the parameters, multiply-adds and FLOPs of a Keras model's forward pass.

Conventions (stated once, used everywhere in the course):

* Counts are for **one input image** (the batch dimension is ignored) and the **inference**
  forward pass (dropout does nothing, batch normalisation uses its moving averages).
* A **multiply-add** (MAC, "mult-add") is one multiplication followed by one addition,
  ``acc += w * x``. ``macs`` counts only the multiply-adds of the layers that carry weights:
  convolutions (``Conv1D/2D/3D``, transposed, depthwise and separable) and ``Dense``. This is
  the number papers quote: "VGG-19 has 19.6 billion FLOPs (multiply-adds)" in the ResNet
  paper, "300M MAdds" for MobileNetV2.
* A **FLOP** is one floating-point operation, and **1 multiply-add = 2 FLOPs**. ``flops``
  counts every operation of the forward pass: ``2 * macs``, plus one FLOP per output element
  for a bias, one per element for an activation function, two per element for batch
  normalisation (folded into one multiply and one add), ``n - 1`` per element for adding,
  multiplying or averaging ``n`` tensors, ``k - 1`` comparisons per output of a max pooling over
  ``k`` values and ``k`` operations (``k - 1`` adds and a multiply) per output of an average
  pooling. Reshaping, padding, dropout and concatenation cost nothing.
* Layers this module does not know are reported with ``counted=False`` and contribute zero.

Everything is computed from the layers' configurations and output shapes, never by running
the model, so it works on a model built with :func:`build_without_weights`, whose weights were
never drawn (building VGG16 normally spends seconds drawing 138 million random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import keras
import pandas as pd

from cnn_lessons import _compat

#: Layers whose weights multiply their input: they are the ones counted in ``macs``.
WEIGHT_LAYER_TYPES = (
    keras.layers.Conv1D,
    keras.layers.Conv2D,
    keras.layers.Conv3D,
    keras.layers.Conv1DTranspose,
    keras.layers.Conv2DTranspose,
    keras.layers.Conv3DTranspose,
    keras.layers.DepthwiseConv1D,
    keras.layers.DepthwiseConv2D,
    keras.layers.SeparableConv1D,
    keras.layers.SeparableConv2D,
    keras.layers.Dense,
)

_FREE_LAYERS = (
    keras.layers.InputLayer,
    keras.layers.Flatten,
    keras.layers.Reshape,
    keras.layers.Permute,
    keras.layers.Dropout,
    keras.layers.SpatialDropout1D,
    keras.layers.SpatialDropout2D,
    keras.layers.GaussianNoise,
    keras.layers.Concatenate,
    keras.layers.ZeroPadding1D,
    keras.layers.ZeroPadding2D,
    keras.layers.ZeroPadding3D,
    keras.layers.Cropping1D,
    keras.layers.Cropping2D,
    keras.layers.Cropping3D,
    keras.layers.Identity,
)

_ACTIVATION_LAYERS = (
    keras.layers.Activation,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
    keras.layers.ELU,
    keras.layers.PReLU,
    keras.layers.Softmax,
)

_MERGE_LAYERS = (
    keras.layers.Add,
    keras.layers.Subtract,
    keras.layers.Multiply,
    keras.layers.Average,
    keras.layers.Maximum,
    keras.layers.Minimum,
)

_MAX_POOLING = (keras.layers.MaxPooling1D, keras.layers.MaxPooling2D, keras.layers.MaxPooling3D)
_AVERAGE_POOLING = (
    keras.layers.AveragePooling1D,
    keras.layers.AveragePooling2D,
    keras.layers.AveragePooling3D,
)
_GLOBAL_MAX_POOLING = (
    keras.layers.GlobalMaxPooling1D,
    keras.layers.GlobalMaxPooling2D,
    keras.layers.GlobalMaxPooling3D,
)
_GLOBAL_AVERAGE_POOLING = (
    keras.layers.GlobalAveragePooling1D,
    keras.layers.GlobalAveragePooling2D,
    keras.layers.GlobalAveragePooling3D,
)
#: Every global pooling layer class (they have a ``pool_size``-free, window-less output).
GLOBAL_POOLING_LAYERS = _GLOBAL_MAX_POOLING + _GLOBAL_AVERAGE_POOLING


def _shape_of(tensors, what: str, layer) -> tuple[int, ...]:
    tensors = keras.tree.flatten(tensors)
    if not tensors:
        raise ValueError(f"layer {layer.name!r} has no {what}; is it part of a built model?")
    shape = tuple(tensors[0].shape)[1:]
    if any(size is None for size in shape):
        raise ValueError(
            f"layer {layer.name!r} has {what} shape {shape} with unknown sizes; build the model "
            "with a fixed input size, e.g. keras.Input(shape=(224, 224, 3))"
        )
    return shape


def _channels_last(layer) -> bool:
    return getattr(layer, "data_format", "channels_last") != "channels_first"


def _split_channels(shape, layer):
    """Return (spatial sizes, channels) of a feature-map shape without the batch axis."""
    if _channels_last(layer):
        return shape[:-1], shape[-1]
    return shape[1:], shape[0]


def _activation_is_identity(layer) -> bool:
    activation = getattr(layer, "activation", None)
    return activation is None or getattr(activation, "__name__", "") == "linear"


def layer_cost(layer) -> dict:
    """Multiply-adds and FLOPs of one layer of a built model, for one input.

    Parameters
    ----------
    layer : keras.layers.Layer
        A layer that has been called on a symbolic input (part of a model built with
        ``keras.Input``), so that its input and output shapes are known.

    Returns
    -------
    dict
        ``macs`` (int), ``flops`` (int) and ``counted`` (False for layer types this module does
        not know; they count as zero). See the module docstring for the conventions.
    """
    output_shape = _shape_of(layer.output, "output", layer)
    elements = math.prod(output_shape)
    macs = 0
    other = 0
    if isinstance(layer, keras.layers.Dense):
        input_shape = _shape_of(layer.input, "input", layer)
        macs = math.prod(input_shape) * layer.units
    elif isinstance(
        layer,
        (keras.layers.SeparableConv1D, keras.layers.SeparableConv2D),
    ):
        input_shape = _shape_of(layer.input, "input", layer)
        spatial, _ = _split_channels(output_shape, layer)
        _, in_channels = _split_channels(input_shape, layer)
        depthwise_channels = in_channels * layer.depth_multiplier
        macs = math.prod(spatial) * depthwise_channels * math.prod(layer.kernel_size)
        macs += math.prod(spatial) * depthwise_channels * layer.filters
    elif isinstance(layer, (keras.layers.DepthwiseConv1D, keras.layers.DepthwiseConv2D)):
        macs = elements * math.prod(layer.kernel_size)
    elif isinstance(
        layer,
        (
            keras.layers.Conv1DTranspose,
            keras.layers.Conv2DTranspose,
            keras.layers.Conv3DTranspose,
        ),
    ):
        input_shape = _shape_of(layer.input, "input", layer)
        in_spatial, in_channels = _split_channels(input_shape, layer)
        macs = math.prod(in_spatial) * in_channels * math.prod(layer.kernel_size) * layer.filters
    elif isinstance(layer, (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)):
        input_shape = _shape_of(layer.input, "input", layer)
        _, in_channels = _split_channels(input_shape, layer)
        groups = getattr(layer, "groups", 1) or 1
        macs = elements * math.prod(layer.kernel_size) * (in_channels // groups)
    elif isinstance(layer, keras.layers.BatchNormalization):
        other = 2 * elements
    elif isinstance(layer, _ACTIVATION_LAYERS):
        other = elements
    elif isinstance(layer, _MERGE_LAYERS):
        other = (len(keras.tree.flatten(layer.input)) - 1) * elements
    elif isinstance(layer, _MAX_POOLING):
        other = elements * (math.prod(layer.pool_size) - 1)
    elif isinstance(layer, _AVERAGE_POOLING):
        other = elements * math.prod(layer.pool_size)
    elif isinstance(layer, _GLOBAL_MAX_POOLING + _GLOBAL_AVERAGE_POOLING):
        input_shape = _shape_of(layer.input, "input", layer)
        spatial, channels = _split_channels(input_shape, layer)
        per_channel = math.prod(spatial) - (1 if isinstance(layer, _GLOBAL_MAX_POOLING) else 0)
        other = channels * per_channel
    elif isinstance(layer, (keras.layers.Rescaling, keras.layers.Normalization)):
        other = 2 * elements
    elif not isinstance(layer, _FREE_LAYERS):
        return {"macs": 0, "flops": 0, "counted": False}
    if isinstance(layer, WEIGHT_LAYER_TYPES):
        if getattr(layer, "use_bias", False):
            other += elements
        if not _activation_is_identity(layer):
            other += elements
    return {"macs": int(macs), "flops": int(2 * macs + other), "counted": True}


def _leaf_layers(model, prefix=""):
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue  # holds the input; computes nothing
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer, prefix=f"{prefix}{layer.name}/")
        else:
            yield prefix, layer


def layer_costs(model) -> pd.DataFrame:
    """One row per layer: name, type, output shape, parameters, multiply-adds and FLOPs.

    Parameters
    ----------
    model : keras.Model
        A built model with a fixed input size (``keras.Input(shape=(H, W, C))``). Nested models
        are expanded: their layers appear as ``"outer/inner"``. Input layers are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``layer``, ``type``, ``output_shape`` (tuple without the batch axis),
        ``params``, ``macs``, ``flops``, ``counted``, for one input image.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    rows = []
    for prefix, layer in _leaf_layers(model):
        cost = layer_cost(layer)
        rows.append(
            {
                "layer": prefix + layer.name,
                "type": type(layer).__name__,
                "output_shape": _shape_of(layer.output, "output", layer),
                "params": int(layer.count_params()) if layer.weights else 0,
                **cost,
            }
        )
    return pd.DataFrame(
        rows, columns=["layer", "type", "output_shape", "params", "macs", "flops", "counted"]
    )


def count_macs(model) -> int:
    """Multiply-adds of one forward pass of ``model`` for one input (see the module docstring)."""
    return int(layer_costs(model)["macs"].sum())


def count_flops(model) -> int:
    """FLOPs of one forward pass of ``model`` for one input, with 1 multiply-add = 2 FLOPs."""
    return int(layer_costs(model)["flops"].sum())


def weight_depth(model) -> int:
    """The largest number of weight layers (convolutions, dense) on one input-to-output path.

    This is the depth in a network's name: VGG16 has 16, ResNet50 has 50, although ResNet50
    holds 54 weight layers (its four projection shortcuts run beside the main path).

    Parameters
    ----------
    model : keras.Model
        A built Functional or Sequential model; nested models count with their own depth.

    Returns
    -------
    int
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    depth_after: dict[int, int] = {}
    deepest = 0
    for layer in model.layers:  # topological order for Functional and Sequential models
        inputs = (
            keras.tree.flatten(layer.input)
            if not isinstance(layer, keras.layers.InputLayer)
            else []
        )
        producers = [_compat.producing_layer(tensor) for tensor in inputs]
        before = max(
            (depth_after.get(id(producer), 0) for producer in producers if producer is not None),
            default=0,
        )
        if isinstance(layer, keras.Model):
            own = weight_depth(layer)
        else:
            own = 1 if isinstance(layer, WEIGHT_LAYER_TYPES) else 0
        depth_after[id(layer)] = before + own
        deepest = max(deepest, before + own)
    return deepest


def build_without_weights(build: Callable[..., keras.Model], /, *args, **kwargs) -> keras.Model:
    """Build a model whose weights are declared (shapes known) but never drawn.

    Building ``keras.applications.VGG16(weights=None)`` spends most of its time filling its
    138 million weights with random numbers. Inside ``keras.StatelessScope(
    initialize_variables=False)`` Keras only records each weight's shape and initializer, so the
    graph, the shapes and the parameter counts are ready in a fraction of a second. Such a model
    is for counting only (:func:`layer_costs`, ``count_params``): it cannot run.

    Parameters
    ----------
    build : callable
        Returns a Keras model, e.g. ``keras.applications.ResNet50``.
    *args, **kwargs
        Passed to ``build``.

    Returns
    -------
    keras.Model
    """
    with keras.StatelessScope(initialize_variables=False):
        model = build(*args, **kwargs)
    _compat.forget_pending_initialisation(model)
    return model
