"""The bundled pretrained base: its builder, the rebuild script, the card and checksum checks."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnn_lessons import data, pretrain

REPO = Path(__file__).resolve().parent.parent


def test_build_base_has_the_named_layers_lessons_use():
    model = pretrain.build_base(4, seed=0)
    names = [layer.name for layer in model.layers]
    for name in ("image", "block1_pool", "block2_pool", "block3_pool", "features", "head"):
        assert name in names
    assert tuple(model.outputs[0].shape) == (None, 4)
    assert tuple(model.get_layer("features").output.shape) == (None, 576)
    probabilities = model.predict(np.zeros((2, 28, 28, 1), np.float32), verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


def test_build_base_is_seeded():
    first = pretrain.build_base(6, seed=3).get_weights()
    second = pretrain.build_base(6, seed=3).get_weights()
    other = pretrain.build_base(6, seed=4).get_weights()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"num_classes": 1}, "num_classes must be an int from 2 to 1000"),
        ({"seed": -1}, "seed must be"),
    ],
)
def test_build_base_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        pretrain.build_base(**arguments)


def test_animal_subset_relabels_in_the_given_order():
    (x_train, y_train), (x_test, y_test) = pretrain.animal_subset(("zebra", "bear"))
    assert x_train.shape == (1600, 28, 28, 1) and x_test.shape == (400, 28, 28, 1)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() <= 1
    np.testing.assert_array_equal(np.bincount(y_train), [800, 800])
    (animals, labels), _ = data.load_animals()
    first_zebra = animals[np.flatnonzero(labels == data.ANIMAL_CLASSES.index("zebra"))[0]]
    position = next(
        i for i, image in enumerate(x_train) if np.array_equal(image[..., 0] * 255, first_zebra)
    )
    assert y_train[position] == 0


def test_source_and_held_out_classes_split_the_animals():
    assert set(pretrain.SOURCE_CLASSES) | set(pretrain.HELD_OUT_CLASSES) == set(data.ANIMAL_CLASSES)
    assert not set(pretrain.SOURCE_CLASSES) & set(pretrain.HELD_OUT_CLASSES)
    with pytest.raises(ValueError, match="names must be animal classes"):
        pretrain.class_labels(["unicorn"])


def test_save_writes_the_same_bytes_for_the_same_weights(tmp_path):
    model = pretrain.build_base(6, seed=0)
    first = pretrain.save(model, {"note": "test"}, tmp_path / "first")
    second = pretrain.save(model, {"note": "test"}, tmp_path / "second")
    assert first["sha256"] == second["sha256"]
    assert (tmp_path / "first" / "animals6.json").read_bytes() == (
        tmp_path / "second" / "animals6.json"
    ).read_bytes()


def _rebuild(out):
    finished = subprocess.run(
        [sys.executable, "-m", "cnn_lessons.pretrain", "--out", str(out), "--epochs", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    return finished.stdout


def test_one_epoch_rebuild_into_a_folder_loads_and_is_deterministic(tmp_path):
    out = tmp_path / "rebuilt"
    printed = _rebuild(out)
    card = json.loads((out / "animals6.json").read_text())
    assert card["epochs"] == 1 and card["seed"] == 0
    assert card["classes"] == list(pretrain.SOURCE_CLASSES)
    assert card["sha256"] == hashlib.sha256((out / "animals6.keras").read_bytes()).hexdigest()
    assert card["sha256"] in printed
    model = pretrain.load_pretrained(path=out / "animals6.keras")
    assert model.count_params() == card["parameters"]
    _, (x_test, y_test) = pretrain.animal_subset(pretrain.SOURCE_CLASSES)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy == pytest.approx(card["test_accuracy"], abs=1e-3)
    # A second run with the same seed trains the same weights, so it writes the same bytes.
    _rebuild(tmp_path / "again")
    assert (tmp_path / "again" / "animals6.keras").read_bytes() == (
        out / "animals6.keras"
    ).read_bytes()


def test_bundled_model_matches_registry_and_card():
    card = pretrain.load_card()
    assert card["sha256"] == data.REGISTRY[pretrain.MODEL_FILE]
    assert card["classes"] == list(pretrain.SOURCE_CLASSES)
    assert card["held_out_classes"] == list(pretrain.HELD_OUT_CLASSES)
    path = data.DATA_DIR / pretrain.MODEL_FILE
    assert path.stat().st_size < 2_000_000
    model = pretrain.load_pretrained()
    assert model.count_params() == card["parameters"]
    _, (x_test, y_test) = pretrain.animal_subset(pretrain.SOURCE_CLASSES)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy == pytest.approx(card["test_accuracy"], abs=0.01)
    assert accuracy >= 0.95


def test_corrupted_model_is_refused_before_keras_reads_it(tmp_path):
    (tmp_path / "pretrained").mkdir()
    copy = tmp_path / pretrain.MODEL_FILE
    shutil.copy(data.DATA_DIR / pretrain.MODEL_FILE, copy)
    with open(copy, "r+b") as handle:
        handle.seek(2000)
        handle.write(b"\x00\xff\x00\xff")
    with pytest.raises(data.DataFileError, match="corrupted.*python -m cnn_lessons.pretrain"):
        pretrain.load_pretrained(data_dir=tmp_path)
    shutil.copy(data.DATA_DIR / pretrain.CARD_FILE, tmp_path / pretrain.CARD_FILE)
    with pytest.raises(data.DataFileError, match="does not match its card"):
        pretrain.load_pretrained(path=copy)


def test_missing_model_says_how_to_rebuild(tmp_path):
    with pytest.raises(data.DataFileError, match="missing.*python -m cnn_lessons.pretrain"):
        pretrain.load_pretrained(data_dir=tmp_path)


def test_build_base_leaves_the_learners_random_generators_alone():
    import random

    import keras  # noqa: F401 - importing Keras the first time draws random numbers itself

    random.seed(5)
    before = (random.getstate(), np.random.get_state()[1].copy())  # noqa: NPY002
    pretrain.build_base(6, seed=3)
    assert random.getstate() == before[0]
    np.testing.assert_array_equal(np.random.get_state()[1], before[1])  # noqa: NPY002
