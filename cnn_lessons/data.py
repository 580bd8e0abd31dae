"""Bundled datasets and sample photos, verified by sha256 before use.

Everything here works offline. The datasets live in the repository's ``data/`` folder (built by
``scripts/rebuild_data.py``); the sample photos are the ones that ship inside scikit-image,
scikit-learn and matplotlib. Nothing is ever unpickled: arrays are read with
``np.load(..., allow_pickle=False)``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from cnn_lessons import _validate

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: Every bundled file, relative to ``data/``, with its expected sha256.
REGISTRY: dict[str, str] = {
    "mnist5k.npz": "5da84b486f93d41624f71fff564e276ad0fa0086c519c8c2a62f0d18e3f97890",
    "animals.npz": "97feb73d205848fcdd12b5dbccfa8a54e1c2b9645086d96126d5a4dfbb851d66",
    "pretrained/animals6.keras": "50dcfa14db17d9171554922109211156f4422a5a19de678f7e2bb1fc009fef52",
    "pretrained/animals6.json": "018122f421ad0729883c69cbc2528f12ffe2bebde381ab75416a6b74997e968d",
}

#: Class names of the Animal-MNIST silhouettes, indexed by label.
ANIMAL_CLASSES: tuple[str, ...] = (
    "bear",
    "bird",
    "cat",
    "cow",
    "dog",
    "elephant",
    "giraffe",
    "horse",
    "sheep",
    "zebra",
)

#: Class names of the digits, indexed by label.
DIGIT_CLASSES: tuple[str, ...] = tuple(str(digit) for digit in range(10))

_RESTORE_HINT = (
    "Restore it with `git checkout -- data/{name}`, or rebuild the datasets with "
    "`pip install -e .[dev] && python scripts/rebuild_data.py` (see data/README.md)."
)


class DataFileError(OSError):
    """A bundled data file is missing or does not match its recorded sha256."""


def sha256_of(path: str | Path) -> str:
    """Return the hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified_path(name: str, *, data_dir: str | Path | None = None) -> Path:
    """Return the path of a bundled file after checking that its sha256 is the recorded one.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY`, e.g. ``"mnist5k.npz"``.
    data_dir : path, optional
        Folder holding the file; defaults to the repository's ``data/``.

    Raises
    ------
    ValueError
        If ``name`` is not a registered file.
    DataFileError
        If the file is missing or its checksum differs; the message says how to restore it.
    """
    if name not in REGISTRY:
        raise ValueError(f"name must be one of {sorted(REGISTRY)}, got {name!r}")
    path = Path(data_dir or DATA_DIR) / name
    hint = _RESTORE_HINT.format(name=name)
    if not path.is_file():
        raise DataFileError(f"data/{name} is missing (looked for {path}). {hint}")
    actual = sha256_of(path)
    if actual != REGISTRY[name]:
        raise DataFileError(
            f"data/{name} is corrupted: its sha256 is {actual}, expected {REGISTRY[name]}. {hint}"
        )
    return path


def verify_all(*, data_dir: str | Path | None = None) -> dict[str, str]:
    """Check every registered file; return ``{name: "ok"}`` or ``{name: <problem>}``."""
    report = {}
    for name in REGISTRY:
        try:
            verified_path(name, data_dir=data_dir)
            report[name] = "ok"
        except DataFileError as error:
            report[name] = str(error)
    return report


def _load_split(name: str, data_dir: str | Path | None):
    with np.load(verified_path(name, data_dir=data_dir), allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_mnist(*, full: bool = False, data_dir: str | Path | None = None):
    """Load the bundled 5,000-digit MNIST subset, split like ``keras.datasets.mnist``.

    Parameters
    ----------
    full : bool, default False
        If True, download the full 70,000-image MNIST through Keras' own cache instead
        (needs the network the first time; a clear error explains what to do offline).
    data_dir : path, optional
        Folder holding ``mnist5k.npz``; defaults to the repository's ``data/``.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        uint8 images of shape ``(N, 28, 28)`` and int64 labels of shape ``(N,)``:
        4,000 training images (400 per digit) and 1,000 test images (100 per digit).
    """
    if not full:
        return _load_split("mnist5k.npz", data_dir)
    import keras

    try:
        return keras.datasets.mnist.load_data()
    except Exception as error:  # the download raises several exception types when offline
        raise DataFileError(
            "Full MNIST is not in Keras' cache and could not be downloaded "
            f"({type(error).__name__}: {error}). Connect to the internet once, or use the "
            "bundled subset with load_mnist()."
        ) from error


def load_animals(*, data_dir: str | Path | None = None):
    """Load the bundled Animal-MNIST silhouettes, split like ``keras.datasets.mnist``.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        uint8 images of shape ``(N, 28, 28)`` and int64 labels of shape ``(N,)``:
        8,000 training images (800 per class) and 2,000 test images (200 per class).
        :data:`ANIMAL_CLASSES` names the labels.
    """
    return _load_split("animals.npz", data_dir)


def _skimage(name):
    def load():
        import skimage.data

        return getattr(skimage.data, name)()

    return load


def _sklearn(filename):
    def load():
        from sklearn.datasets import load_sample_image

        return load_sample_image(filename)

    return load


def _matplotlib(filename):
    def load():
        import matplotlib.cbook
        import matplotlib.image

        with matplotlib.cbook.get_sample_data(filename) as handle:
            return matplotlib.image.imread(handle, format=Path(filename).suffix[1:])

    return load


_SAMPLE_LOADERS = {
    "astronaut": _skimage("astronaut"),
    "brick": _skimage("brick"),
    "camera": _skimage("camera"),
    "chelsea": _skimage("chelsea"),
    "checkerboard": _skimage("checkerboard"),
    "coffee": _skimage("coffee"),
    "coins": _skimage("coins"),
    "grass": _skimage("grass"),
    "gravel": _skimage("gravel"),
    "moon": _skimage("moon"),
    "page": _skimage("page"),
    "rocket": _skimage("rocket"),
    "china": _sklearn("china.jpg"),
    "flower": _sklearn("flower.jpg"),
    "grace_hopper": _matplotlib("grace_hopper.jpg"),
}

#: Names accepted by :func:`sample_image`.
SAMPLE_IMAGES: tuple[str, ...] = tuple(_SAMPLE_LOADERS)


#: Largest side :func:`sample_image` resizes to: far more than a lesson needs, small enough that
#: a typo cannot ask for gigabytes.
MAX_SAMPLE_SIZE = 2048


def _validate_size(size):
    if size is None:
        return None
    if isinstance(size, list):
        size = tuple(size)
    if isinstance(size, tuple):
        if len(size) != 2:
            raise ValueError(f"size must be a (height, width) pair, got {size!r}")
        return _validate.int_pair(size, "size", maximum=MAX_SAMPLE_SIZE)
    return _validate.positive_int(size, "size", maximum=MAX_SAMPLE_SIZE)


def sample_image(name: str, *, size=None, gray: bool = False) -> np.ndarray:
    """Return a bundled sample photo as float32 in [0, 1].

    Parameters
    ----------
    name : str
        One of :data:`SAMPLE_IMAGES`.
    size : int or (int, int), optional
        ``None`` keeps the original size. An int crops the centre square and resizes it to
        ``(size, size)``; a ``(height, width)`` pair resizes to exactly that shape.
    gray : bool, default False
        Convert a colour photo to grayscale (luminance).

    Returns
    -------
    numpy.ndarray
        float32 array of shape ``(H, W, 3)`` for colour photos, ``(H, W)`` for grayscale ones
        (``gray=True`` or a grayscale source such as ``"camera"``).
    """
    _validate.one_of(name, "name", SAMPLE_IMAGES)
    size = _validate_size(size)
    from skimage import color, transform, util

    image = util.img_as_float32(np.asarray(_SAMPLE_LOADERS[name]()))
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    if gray and image.ndim == 3:
        image = color.rgb2gray(image)
    if isinstance(size, int):
        height, width = image.shape[:2]
        side = min(height, width)
        top, left = (height - side) // 2, (width - side) // 2
        image = image[top : top + side, left : left + side]
        size = (size, size)
    if size is not None:
        image = transform.resize(image, size, anti_aliasing=True, preserve_range=True)
    return np.clip(image, 0.0, 1.0).astype(np.float32)
