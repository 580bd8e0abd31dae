"""What the layers compute: feature maps, receptive fields and the patches that excite a channel."""

from __future__ import annotations

import keras
import numpy as np

from cnn_lessons import _arrays, _validate, conv, flops
from cnn_lessons.explain import _model


def activations(model, images, layer_names, *, batch_size: int = 256) -> dict:
    """Outputs of the named layers for a batch of images.

    Parameters
    ----------
    model : keras.Model
        Built with ``keras.Input``.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
        Integer pixels are scaled to [0, 1].
    layer_names : sequence of str
    batch_size : int, default 256

    Returns
    -------
    dict
        layer name -> float32 array ``(N, ...)``, e.g. ``(N, H', W', channels)`` for a
        convolution.
    """
    _model.check_model(model)
    layer_names = _validate.names(layer_names, "layer_names")
    images = _arrays.model_batch(model, images)
    layers = [_model.layer(model, name) for name in layer_names]
    extractor = keras.Model(model.inputs[0], [layer.output for layer in layers])
    batch_size = _model.batch_size(batch_size)
    chunks = []
    for start in range(0, len(images), batch_size):
        outputs = extractor(images[start : start + batch_size], training=False)
        chunks.append(outputs if isinstance(outputs, list | tuple) else [outputs])
    return {
        name: np.concatenate([np.asarray(chunk[index]) for chunk in chunks]).astype(np.float32)
        for index, name in enumerate(layer_names)
    }


def feature_maps(model, image, layer_names) -> dict:
    """Outputs of the named layers for one image.

    Parameters
    ----------
    model : keras.Model
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
    layer_names : sequence of str

    Returns
    -------
    dict
        layer name -> float32 array without the batch axis, e.g. ``(H', W', channels)``.
    """
    _model.check_model(model)
    batch, _ = _arrays.model_image(model, image)
    return {name: maps[0] for name, maps in activations(model, batch, layer_names).items()}


def _layer_geometry(layer, layer_name: str):
    """``(kernel, stride, dilation)`` pairs of a window layer, None for an element-wise one."""
    if isinstance(layer, keras.Model):
        raise ValueError(f"model contains the nested model {layer.name!r}; pass that model itself")
    if hasattr(layer, "kernel_size") and hasattr(layer, "strides"):
        return (
            _validate.int_pair(layer.kernel_size, "kernel_size"),
            _validate.int_pair(layer.strides, "strides"),
            _validate.int_pair(getattr(layer, "dilation_rate", 1), "dilation_rate"),
        )
    if hasattr(layer, "pool_size") and not isinstance(layer, flops.GLOBAL_POOLING_LAYERS):
        pool = _validate.int_pair(layer.pool_size, "pool_size")
        return pool, _validate.int_pair(layer.strides, "strides"), (1, 1)
    if len(layer.output.shape) != 4 or len(layer.input.shape) != 4:
        raise ValueError(
            f"layer {layer.name!r} ({type(layer).__name__}) has no spatial output; "
            f"{layer_name!r} must come before it"
        )
    return None


def layer_receptive_field(model, layer_name: str) -> dict:
    """The input window one unit of a layer sees, following the chain of layers before it.

    Going through a layer with kernel ``k`` (dilated, its span:
    :func:`cnn_lessons.conv.effective_kernel_size`), stride ``s`` and left padding ``p``
    (:func:`cnn_lessons.conv.padding_amounts`), the window
    grows by ``(k - 1) * jump``, the distance ``jump`` between neighbouring units (in input
    pixels) is multiplied by ``s``, and the window's first pixel moves ``p * jump`` to the left.
    Layers without a kernel (activations, batch norm, dropout) change nothing. For a stack given
    as numbers rather than a model, see :func:`cnn_lessons.conv.receptive_field`.

    Parameters
    ----------
    model : keras.Model
        A chain of layers (each layer's input is the previous layer's output) with a fixed
        input size.
    layer_name : str
        A convolution, pooling or element-wise layer of the chain.

    Returns
    -------
    dict
        ``size`` (window side in pixels), ``jump`` (pixels between neighbouring units) and
        ``start`` (input row/column of the first pixel of unit 0's window; negative when it
        reaches into the padding). Unit ``i`` sees rows ``start + i * jump`` to
        ``start + i * jump + size - 1``.
    """
    _model.check_model(model)
    target = _model.layer(model, layer_name)
    sizes = list(_arrays.input_shape(model)[:2])
    if any(size is None for size in sizes):
        raise ValueError(f"model must have a fixed input size, got {tuple(sizes)}")
    fields = [[1, 1, 0], [1, 1, 0]]  # per axis: size, jump, start
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        geometry = _layer_geometry(layer, layer_name)
        if geometry is not None:
            kernel, stride, dilation = geometry
            padding = "same" if getattr(layer, "padding", "valid") == "same" else "valid"
            for axis in range(2):
                shape = {"stride": stride[axis], "padding": padding, "dilation": dilation[axis]}
                span = conv.effective_kernel_size(kernel[axis], dilation[axis])
                left, _ = conv.padding_amounts(sizes[axis], kernel[axis], **shape)
                size, jump, start = fields[axis]
                fields[axis] = [size + (span - 1) * jump, jump * stride[axis], start - left * jump]
                sizes[axis] = conv.output_size(sizes[axis], kernel[axis], **shape)
        if layer is target:
            break
    if fields[0] != fields[1]:
        raise ValueError(
            f"the receptive field of {layer_name!r} is not square ({fields[0]} vs {fields[1]})"
        )
    size, jump, start = fields[0]
    return {"size": int(size), "jump": int(jump), "start": int(start)}


#: The name the lessons use; :func:`cnn_lessons.conv.receptive_field` is the arithmetic version.
receptive_field = layer_receptive_field


def _crop(image, top, left, size):
    """A ``size`` x ``size`` crop of ``image`` starting at (top, left), zero outside."""
    height, width = image.shape[:2]
    patch = np.zeros((size, size, *image.shape[2:]), dtype=image.dtype)
    rows = slice(max(top, 0), min(top + size, height))
    cols = slice(max(left, 0), min(left + size, width))
    patch[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left] = image[
        rows, cols
    ]
    return patch


def top_activating_patches(model, images, *, layer_name: str, channels, top: int = 9) -> dict:
    """For each channel, the image patches that excite it most (Zeiler & Fergus, 2014).

    For every image, the channel's strongest unit is found; the ``top`` images with the
    strongest maxima are kept (one patch per image), and each patch is the receptive field of
    that unit, cropped from the input (zeros where the field reaches into the padding).

    Parameters
    ----------
    model : keras.Model
        A chain of layers (see :func:`layer_receptive_field`).
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
    layer_name : str
        A layer with a spatial output.
    channels : sequence of int
        Channels of that layer to examine.
    top : int, default 9
        Patches per channel, at most ``N``.

    Returns
    -------
    dict
        ``patches``: ``(len(channels), top, size, size)`` (plus the image's channel axis for
        colour images), strongest first; ``values``: ``(len(channels), top)`` activations;
        ``image_indices``: ``(len(channels), top)``; ``units``: ``(len(channels), top, 2)`` row
        and column of the unit in the feature map; ``receptive_field``: see
        :func:`layer_receptive_field`.
    """
    _model.check_model(model)
    images = _validate.float_image(images, "images")
    batch = _arrays.model_batch(model, images)
    top = _validate.positive_int(top, "top", maximum=len(batch))
    field = layer_receptive_field(model, layer_name)
    maps = activations(model, batch, [layer_name])[layer_name]
    if maps.ndim != 4:
        raise ValueError(f"layer_name must name a layer with a spatial output, got {maps.shape}")
    channels = _validate.integers(channels, "channels", minimum=0, maximum=maps.shape[-1] - 1)
    crops, values, indices, units = [], [], [], []
    for channel in channels:
        flat = maps[..., channel].reshape(len(batch), -1)
        strongest = flat.argmax(axis=1)
        best = flat[np.arange(len(batch)), strongest]
        order = np.argsort(-best, kind="stable")[:top]
        rows, cols = np.unravel_index(strongest[order], maps.shape[1:3])
        start, jump, size = field["start"], field["jump"], field["size"]
        crops.append(
            [
                _crop(images[index], start + row * jump, start + col * jump, size)
                for index, row, col in zip(order, rows, cols, strict=True)
            ]
        )
        values.append(best[order])
        indices.append(order)
        units.append(np.stack([rows, cols], axis=1))
    return {
        "patches": np.asarray(crops, dtype=np.float32),
        "values": np.asarray(values, dtype=np.float32),
        "image_indices": np.asarray(indices),
        "units": np.asarray(units),
        "receptive_field": field,
    }
