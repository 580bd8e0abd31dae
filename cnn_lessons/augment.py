"""Image augmentation helpers: the dataset-wide transforms that have no Keras layer, and more.

Keras preprocessing layers (``RandomFlip``, ``RandomRotation``, ...) replace almost every
argument of the old ``ImageDataGenerator``. Two need statistics of the whole training set and have
no random layer: *featurewise standardization* (subtract the dataset's per-channel mean, divide by
its per-channel standard deviation) and *ZCA whitening* (decorrelate the pixels). Both are written
here in NumPy, as pure functions: arrays in, arrays out, nothing drawn.

:func:`random_augmentations` runs a small stack of Keras preprocessing layers on copies of one
image (the augmentation explorer's compute step), and :func:`tile_images` packs a batch of images
into one mosaic array so a grid can be drawn with a single ``imshow``.

Image batches are ``(N, H, W)`` (grayscale) or ``(N, H, W, C)`` arrays.
"""

from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import threadpool_limits

from cnn_lessons import _compat, _validate

#: The ``flip`` modes accepted by :func:`random_augmentations` (Keras ``RandomFlip`` modes).
FLIP_MODES: tuple[str, ...] = ("none", "horizontal", "vertical", "horizontal_and_vertical")

#: The ``fill_mode`` values accepted by :func:`random_augmentations`.
FILL_MODES: tuple[str, ...] = ("reflect", "constant", "nearest", "wrap")

#: Largest number of values per image that :func:`zca_whitening_matrix` accepts.
ZCA_MAX_FEATURES = 4096


def _image_batch(images, name: str = "images") -> np.ndarray:
    images = _validate.real_array(images, name, finite=True)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"{name} must be a batch of shape (N, H, W) or (N, H, W, C), got shape {images.shape}"
        )
    if len(images) < 2:
        raise ValueError(
            f"{name} must hold at least 2 images to compute dataset statistics, got {len(images)}"
        )
    return images


def _positive(value, name: str) -> float:
    return _validate.number(value, name, minimum=0, exclusive_minimum=True)


def featurewise_statistics(images) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation over a whole dataset.

    This is what ``ImageDataGenerator(featurewise_center=True,
    featurewise_std_normalization=True).fit(images)`` computed, and what
    ``keras.layers.Normalization(axis=-1).adapt(images)`` computes: one mean and one standard
    deviation per channel, over all images, rows and columns.

    Parameters
    ----------
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``, N >= 2
        The training images.

    Returns
    -------
    mean, std : numpy.ndarray (float64)
        Shape ``()`` for ``(N, H, W)`` input, ``(C,)`` for ``(N, H, W, C)``. ``std`` is the
        population standard deviation (``ddof=0``), as Keras computes it.
    """
    images = _image_batch(images).astype(np.float64)
    axes = (0, 1, 2)
    return images.mean(axis=axes), images.std(axis=axes)


def featurewise_standardize(images, *, mean=None, std=None, epsilon: float = 1e-7) -> np.ndarray:
    """Subtract the dataset's per-channel mean and divide by its per-channel standard deviation.

    Parameters
    ----------
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
    mean, std : array_like, optional
        Statistics from :func:`featurewise_statistics` of the *training* images; give both to
        standardize validation or test images the same way. When both are omitted they are
        computed from ``images`` (which then needs N >= 2).
    epsilon : float, default 1e-7
        Smallest standard deviation divided by, as in ``keras.layers.Normalization``
        (``keras.backend.epsilon()``), so constant channels do not divide by zero.

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``: ``(images - mean) / max(std, epsilon)``.
    """
    epsilon = _positive(epsilon, "epsilon")
    if (mean is None) != (std is None):
        raise ValueError(
            "mean and std must be given together (both from featurewise_statistics) or both "
            f"omitted, got mean={'None' if mean is None else 'an array'} and "
            f"std={'None' if std is None else 'an array'}"
        )
    if mean is None:
        mean, std = featurewise_statistics(images)
        images = np.asarray(images)
    else:
        images = np.asarray(images)
        if images.ndim not in (3, 4):
            raise ValueError(
                "images must be a batch of shape (N, H, W) or (N, H, W, C), "
                f"got shape {images.shape}"
            )
        mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
        channels = () if images.ndim == 3 else (images.shape[-1],)
        for name, value in (("mean", mean), ("std", std)):
            if value.shape not in (channels, (1,) * len(channels), ()):
                raise ValueError(
                    f"{name} must have shape {channels} (one value per channel of images with "
                    f"shape {images.shape}), got shape {value.shape}"
                )
        if np.any(std < 0):
            raise ValueError(f"std must not be negative, got {std}")
    scaled = (images.astype(np.float64) - mean) / np.maximum(std, epsilon)
    return scaled.astype(np.float32)


def zca_whitening_matrix(images, *, epsilon: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Fit ZCA whitening on a dataset: the mean image and the whitening matrix.

    Every image is flattened to a vector of D values. With ``X`` the centred ``(N, D)`` data,
    its covariance is ``C = X.T @ X / N = U diag(S) U.T`` (eigendecomposition), and the ZCA
    matrix is ``W = U diag(1 / sqrt(S + epsilon)) U.T``. ``X @ W`` has (nearly) identity
    covariance: its pixels are decorrelated and have unit variance, yet it stays as close as
    possible to the original images (which PCA whitening, ``X @ U diag(...)``, does not).

    Parameters
    ----------
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``, N >= 2
        The training images; ``D = H * W * C`` may be at most :data:`ZCA_MAX_FEATURES`.
    epsilon : float, default 0.1
        Added to every eigenvalue before the inverse square root. Tiny values (the old
        ``ImageDataGenerator`` default was 1e-6) blow up noise along directions of almost no
        variance; larger values whiten less and keep the images readable.

    Returns
    -------
    mean : numpy.ndarray (float64) of shape ``(D,)``
        The mean image, flattened.
    matrix : numpy.ndarray (float64) of shape ``(D, D)``
        The symmetric whitening matrix ``W``.
    """
    images = _image_batch(images)
    epsilon = _positive(epsilon, "epsilon")
    flat = images.reshape(len(images), -1).astype(np.float64)
    features = flat.shape[1]
    if features > ZCA_MAX_FEATURES:
        raise ValueError(
            f"images must have at most {ZCA_MAX_FEATURES} values each for ZCA (its matrix is "
            f"D x D), got D = {features} for shape {images.shape[1:]}; resize the images first"
        )
    mean = flat.mean(axis=0)
    centred = flat - mean
    # One BLAS thread: for matrices this small, more threads cost more than they save (ten times
    # more on a busy machine).
    with threadpool_limits(limits=1, user_api="blas"):
        covariance = centred.T @ centred / len(flat)
        eigenvalues, eigenvectors = np.linalg.eigh(covariance)
        eigenvalues = np.clip(eigenvalues, 0.0, None)  # round-off can make tiny ones negative
        matrix = (eigenvectors / np.sqrt(eigenvalues + epsilon)) @ eigenvectors.T
    return mean, matrix


def zca_whiten(images, *, mean, matrix) -> np.ndarray:
    """Apply ZCA whitening fitted by :func:`zca_whitening_matrix`.

    Parameters
    ----------
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
        Images of the shape the whitening was fitted on.
    mean : array_like of shape ``(D,)``
    matrix : array_like of shape ``(D, D)``

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``: ``(flat(images) - mean) @ matrix``, reshaped back.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"images must be a batch of shape (N, H, W) or (N, H, W, C), got shape {images.shape}"
        )
    mean, matrix = np.asarray(mean, dtype=np.float64), np.asarray(matrix, dtype=np.float64)
    features = int(np.prod(images.shape[1:]))
    if mean.shape != (features,) or matrix.shape != (features, features):
        raise ValueError(
            f"mean and matrix must have shapes ({features},) and ({features}, {features}) for "
            f"images of shape {images.shape[1:]}, got {mean.shape} and {matrix.shape}"
        )
    flat = images.reshape(len(images), -1).astype(np.float64)
    with threadpool_limits(limits=1, user_api="blas"):
        whitened = (flat - mean) @ matrix
    return whitened.reshape(images.shape).astype(np.float32)


def tile_images(images, *, ncols: int = 8, padding: int = 2, fill: float = 1.0) -> np.ndarray:
    """Pack a batch of images into one mosaic image, row by row.

    Drawing a mosaic with a single ``imshow`` is much faster than one subplot per image.

    Parameters
    ----------
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
    ncols : int, default 8
        Images per row (fewer when there are fewer images).
    padding : int, default 2
        Pixels of ``fill`` between neighbouring images (none around the border).
    fill : float, default 1.0
        Value of the padding and of unused cells in the last row.

    Returns
    -------
    numpy.ndarray
        ``(rows * (H + padding) - padding, cols * (W + padding) - padding[, C])``, the dtype of
        ``images`` (float when ``fill`` does not fit an integer dtype).
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError(
            "images must be a non-empty batch of shape (N, H, W) or (N, H, W, C), "
            f"got shape {images.shape}"
        )
    ncols = _validate.positive_int(ncols, "ncols")
    padding = _validate.non_negative_int(padding, "padding")
    if not (isinstance(fill, float) and np.isnan(fill)):  # NaN gaps are transparent in imshow
        fill = _validate.number(fill, "fill")
    count, height, width = images.shape[:3]
    cols = min(ncols, count)
    rows = -(-count // cols)
    shape = (rows * (height + padding) - padding, cols * (width + padding) - padding)
    _validate.fits_in_memory((*shape, *images.shape[3:]), f"padding={padding}")
    whole = float(fill).is_integer()
    dtype = images.dtype if whole else np.result_type(images.dtype, np.float32)
    mosaic = np.full((*shape, *images.shape[3:]), fill, dtype=dtype)
    for index, image in enumerate(images):
        row, col = divmod(index, cols)
        top, left = row * (height + padding), col * (width + padding)
        mosaic[top : top + height, left : left + width] = image
    return mosaic


def random_augmentations(
    image,
    *,
    count: int = 12,
    rotation: float = 0.0,
    zoom: float = 0.0,
    shift: float = 0.0,
    flip: str = "none",
    contrast: float = 0.0,
    fill_mode: str = "reflect",
    seed: int = 0,
) -> np.ndarray:
    """Augmented copies of one image, made by Keras preprocessing layers in training mode.

    Parameters
    ----------
    image : array_like of shape ``(H, W)`` or ``(H, W, C)``
        Floats in [0, 1] or uint8 (scaled to [0, 1]).
    count : int, default 12
        Number of augmented copies.
    rotation : float, default 0
        Largest rotation in degrees, 0 to 180 (``RandomRotation(rotation / 360)``).
    zoom : float, default 0
        Largest zoom in or out as a fraction of the size, 0 to 0.9 (``RandomZoom``).
    shift : float, default 0
        Largest shift as a fraction of height and width, 0 to 1 (``RandomTranslation``).
    flip : str, default "none"
        One of :data:`FLIP_MODES`.
    contrast : float, default 0
        Contrast factor, 0 to 1 (``RandomContrast``).
    fill_mode : str, default "reflect"
        How rotation, zoom and shift fill the pixels they uncover; one of :data:`FILL_MODES`.
    seed : int, default 0
        The same seed and settings always give the same copies.

    Returns
    -------
    numpy.ndarray
        float32 of shape ``(count, H, W, C)`` (``C = 1`` for a grayscale image), in [0, 1].
    """
    image = _validate.float_image(image, "image")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3, 4)):
        raise ValueError(f"image must have shape (H, W), (H, W, 1) or (H, W, 3), got {image.shape}")
    if image.ndim == 2:
        image = image[..., None]
    image = image[..., :3]
    count = _validate.integer(count, "count", minimum=1, maximum=64)
    rotation = _validate.number(rotation, "rotation", minimum=0, maximum=180)
    zoom = _validate.number(zoom, "zoom", minimum=0, maximum=0.9)
    shift = _validate.number(shift, "shift", minimum=0, maximum=1)
    contrast = _validate.number(contrast, "contrast", minimum=0, maximum=1)
    _validate.one_of(flip, "flip", FLIP_MODES)
    _validate.one_of(fill_mode, "fill_mode", FILL_MODES)
    seed = _validate.seed(seed)

    import keras

    batch = np.repeat(image[None], count, axis=0)
    for offset, layer in _augmentation_layers(flip, rotation, zoom, shift, contrast, fill_mode):
        # A different seed for each layer, so their random draws differ.
        _compat.reseed_random_layer(layer, seed * 8 + offset)
        batch = layer(batch, training=True)
    return np.clip(keras.ops.convert_to_numpy(batch), 0.0, 1.0).astype(np.float32)


@functools.lru_cache(maxsize=16)
def _augmentation_layers(flip, rotation, zoom, shift, contrast, fill_mode) -> tuple:
    """The Keras random layers for these settings, as ``(seed offset, layer)`` pairs.

    Kept for the next call with the same settings (an app redraws with a new seed far more
    often than with new settings): making a random layer creates a TensorFlow variable for its
    seed, which took a quarter of an augmentation explorer redraw.
    """
    import keras

    layers = []
    if flip != "none":
        layers.append((0, keras.layers.RandomFlip(flip, seed=0)))
    if rotation > 0:
        layers.append((1, keras.layers.RandomRotation(rotation / 360, fill_mode=fill_mode, seed=0)))
    if zoom > 0:
        layers.append((2, keras.layers.RandomZoom(zoom, fill_mode=fill_mode, seed=0)))
    if shift > 0:
        layers.append(
            (3, keras.layers.RandomTranslation(shift, shift, fill_mode=fill_mode, seed=0))
        )
    if contrast > 0:
        layers.append((4, keras.layers.RandomContrast(contrast, value_range=(0, 1), seed=0)))
    return tuple(layers)
