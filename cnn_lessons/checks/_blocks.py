"""Read the structure of a block a learner built with Keras: its paths, layer by layer.

A residual block is a merge (``Add``) of branches that start at the input, followed by a few
layers. :func:`structure` describes each layer in words ("Conv2D(16, 1x1, strides=2)",
"BatchNormalization", "ReLU"), so a check can say where a learner's block departs from the
reference: which layer of which path, and what it is instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._framework import ResultError, _kind


@dataclass(frozen=True)
class Structure:
    """A block as words: its main path and shortcut (input first), the layers after the merge."""

    merged: bool
    main: tuple[str, ...]
    shortcut: tuple[str, ...]
    tail: tuple[str, ...]
    shape: tuple
    parameters: int


def _text(operation) -> str:
    kind = type(operation).__name__
    config = operation.get_config() if hasattr(operation, "get_config") else {}
    activation = config.get("activation")
    if kind == "InputLayer":
        return "input"
    if kind == "Conv2D":
        height, width = config["kernel_size"]
        text = f"Conv2D({config['filters']}, {height}x{width}"
        strides = tuple(config["strides"])
        if strides != (1, 1):
            text += f", strides={strides[0] if strides[0] == strides[1] else strides}"
        if config["padding"] != "valid":
            text += f", padding={config['padding']!r}"
        if config["use_bias"]:
            text += ", with a bias"
        if activation not in (None, "linear"):
            text += f", activation={activation!r}"
        return text + ")"
    if kind.lower() == "relu" or (kind == "Activation" and activation == "relu"):
        return "ReLU"
    if kind == "Activation":
        return f"Activation({activation!r})"
    if kind.lower() == "add":
        return "Add"
    return kind


def _inputs(tensor):
    operation, node_index, _ = tensor._keras_history
    return operation, list(operation._inbound_nodes[node_index].input_tensors)


def _path(tensor):
    """Layers from ``tensor`` back to a merge or the input: (texts in forward order, stop)."""
    texts = []
    while True:
        operation, inputs = _inputs(tensor)
        if len(inputs) != 1:
            return texts[::-1], operation, inputs
        texts.append(_text(operation))
        tensor = inputs[0]


def structure(block, input_shape, filters, stride) -> Structure:
    """Build ``block`` on a symbolic ``input_shape`` input and describe what it made."""
    import keras

    inputs = keras.Input(shape=input_shape)
    outputs = block(inputs, filters, stride=stride)
    if outputs is None:
        raise ResultError("got None (did you forget to `return` the block's output?)")
    if not isinstance(outputs, keras.KerasTensor):
        raise ResultError(f"expected the block's output tensor, got {_kind(outputs)}")
    parameters = keras.Model(inputs, outputs).count_params()
    tail, stop, merged_inputs = _path(outputs)
    if _text(stop) != "Add" or not merged_inputs:
        return Structure(False, tuple(tail), (), (), tuple(outputs.shape[1:]), parameters)
    branches = sorted((tuple(_path(tensor)[0]) for tensor in merged_inputs), key=len)
    return Structure(
        True, branches[-1], branches[0], tuple(tail), tuple(outputs.shape[1:]), parameters
    )


def _first_difference(where: str, expected: tuple, actual: tuple) -> str | None:
    for index in range(max(len(expected), len(actual))):
        want = expected[index] if index < len(expected) else None
        got = actual[index] if index < len(actual) else None
        if want != got:
            theirs = got if got is not None else "nothing more"
            mine = want if want is not None else "nothing more"
            return f"{where}, layer {index + 1}: the reference has {mine}, yours has {theirs}"
    return None


def differences(expected: Structure, actual: Structure) -> str | None:
    """The first place where ``actual`` departs from ``expected``, in words (None if none)."""
    if not isinstance(actual, Structure):
        return f"could not read the block ({_kind(actual)})"
    if not actual.merged:
        return (
            "your block has no Add: the shortcut is never added to the main path "
            f"(its layers: {', '.join(actual.tail) or 'none'})"
        )
    shortcut = (
        _first_difference("shortcut", expected.shortcut, actual.shortcut)
        if expected.shortcut != actual.shortcut
        else None
    )
    if shortcut and not actual.shortcut:
        projection = ", ".join(expected.shortcut)
        shortcut = f"shortcut: the reference projects it ({projection}), yours is the input itself"
    elif shortcut and not expected.shortcut:
        shortcut = (
            f"shortcut: the reference is the input itself, yours has {', '.join(actual.shortcut)}"
        )
    return (
        _first_difference("main path", expected.main, actual.main)
        or shortcut
        or _first_difference("after the Add", expected.tail, actual.tail)
        or (
            f"the output has shape {actual.shape}, expected {expected.shape}"
            if actual.shape != expected.shape
            else None
        )
        or (
            f"the block has {actual.parameters} parameters, expected {expected.parameters}"
            if actual.parameters != expected.parameters
            else None
        )
    )
