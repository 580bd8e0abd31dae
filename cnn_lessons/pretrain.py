"""Rebuild the course's pretrained base network: ``python -m cnn_lessons.pretrain``.

The base is a small CNN trained on six of the ten Animal-MNIST classes (bear, bird, cat, cow,
elephant, giraffe: all 4,800 of their training images). The other four animals (dog, horse,
sheep, zebra: four-legged mammals whose silhouettes look alike and resemble the cat, the cow
and the bear) are never shown to it, so the transfer-learning lesson can transfer its features to a
*similar* task it has not seen (new animals) and to a *different* one (handwritten digits).

The script trains deterministically (fixed seed, TensorFlow's deterministic ops) and writes two
files into ``data/pretrained/`` (or ``--out DIR``):

``animals6.keras``
    the trained model, saved by Keras and then re-zipped with fixed timestamps so the same
    weights always give the same bytes;
``animals6.json``
    its card: source data and classes, architecture, training settings, seed, test accuracy,
    versions and the sha256 of the ``.keras`` file.

Both files are listed with their sha256 in :data:`cnn_lessons.data.REGISTRY`; after a rebuild,
copy the two digests the script prints into it (and into ``data/README.md``).
:func:`load_pretrained` checks the checksum before it loads anything.

Usage::

    python -m cnn_lessons.pretrain                      # writes data/pretrained/ (a few minutes)
    python -m cnn_lessons.pretrain --out DIR --epochs 1 # a quick run somewhere else (tests)
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from cnn_lessons import _compat, _validate, data

#: Animal classes the base is trained on (all their training images).
SOURCE_CLASSES: tuple[str, ...] = ("bear", "bird", "cat", "cow", "elephant", "giraffe")
#: Animal classes the base never sees: the "similar" target task of the transfer-learning lesson.
HELD_OUT_CLASSES: tuple[str, ...] = ("dog", "horse", "sheep", "zebra")

MODEL_NAME = "animals6"
MODEL_FILE = f"pretrained/{MODEL_NAME}.keras"
CARD_FILE = f"pretrained/{MODEL_NAME}.json"

#: Convolutional blocks: (filters, number of 3x3 convolutions); each block ends in 2x2 pooling.
BLOCKS: tuple[tuple[int, int], ...] = ((16, 1), (32, 2), (64, 1))
BATCH_NORM_MOMENTUM = 0.9
EPOCHS = 40
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
SEED = 0


def class_labels(names) -> np.ndarray:
    """The Animal-MNIST labels of the animal ``names``, e.g. ``("giraffe", "zebra") -> [6, 9]``."""
    labels = []
    for name in _validate.names(names, "names"):
        if name not in data.ANIMAL_CLASSES:
            raise ValueError(f"names must be animal classes {data.ANIMAL_CLASSES}, got {name!r}")
        labels.append(data.ANIMAL_CLASSES.index(name))
    return np.array(labels, dtype=np.int64)


def animal_subset(classes, *, data_dir=None):
    """The Animal-MNIST images of some classes, relabelled ``0 .. len(classes) - 1``.

    Parameters
    ----------
    classes : sequence of str
        Animal names, in the order that defines the new labels.
    data_dir : path, optional
        Folder holding ``animals.npz``.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        float32 images ``(N, 28, 28, 1)`` in [0, 1] and int64 labels ``(N,)``.
    """
    wanted = class_labels(classes)
    new_label = np.full(len(data.ANIMAL_CLASSES), -1, dtype=np.int64)
    new_label[wanted] = np.arange(len(wanted))
    splits = []
    for images, labels in data.load_animals(data_dir=data_dir):
        keep = np.isin(labels, wanted)
        splits.append((images[keep, ..., None].astype(np.float32) / 255, new_label[labels[keep]]))
    return splits[0], splits[1]


def build_base(num_classes: int = len(SOURCE_CLASSES), *, seed: int = SEED, name: str = "base"):
    """The base CNN, untrained: input ``(28, 28, 1)`` in [0, 1], softmax over ``num_classes``.

    Layers (names fixed, lessons use them): for each block ``b`` of :data:`BLOCKS`,
    ``block<b>_conv<i>`` (3x3, ``same`` padding, no bias), ``block<b>_bn<i>`` (batch norm),
    ``block<b>_relu<i>``, then ``block<b>_pool`` (2x2 max pooling); ``features`` (flatten:
    the ``3 x 3 x 64 = 576`` numbers a head sees) and ``head`` (dense softmax). There is no
    dropout: with dropout before the head, the features transferred slightly worse to the
    held-out animals in our tests, and the base is meant to be reused.

    Parameters
    ----------
    num_classes : int, default 6
    seed : int, default 0
        Seeds the initial weights, without touching any global random generator (the
        weights equal those after ``keras.utils.set_random_seed(seed)``).
    name : str, default "base"

    Returns
    -------
    keras.Model
        A functional model, built, not compiled.
    """
    import keras

    num_classes = _validate.integer(num_classes, "num_classes", minimum=2, maximum=1000)
    seeded = _compat.initializer_seeder(_validate.seed(seed))
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = inputs
    for block, (filters, convolutions) in enumerate(BLOCKS, start=1):
        for index in range(1, convolutions + 1):
            x = keras.layers.Conv2D(
                filters,
                3,
                padding="same",
                use_bias=False,
                kernel_initializer=seeded("glorot_uniform"),
                name=f"block{block}_conv{index}",
            )(x)
            x = keras.layers.BatchNormalization(
                momentum=BATCH_NORM_MOMENTUM, name=f"block{block}_bn{index}"
            )(x)
            x = keras.layers.ReLU(name=f"block{block}_relu{index}")(x)
        x = keras.layers.MaxPooling2D(name=f"block{block}_pool")(x)
    x = keras.layers.Flatten(name="features")(x)
    outputs = keras.layers.Dense(
        num_classes,
        activation="softmax",
        kernel_initializer=seeded("glorot_uniform"),
        name="head",
    )(x)
    return keras.Model(inputs, outputs, name=name)


def _augmenter(seed: int):
    import keras

    return keras.Sequential(
        [
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed),
            keras.layers.RandomZoom(0.1, fill_mode="constant", seed=seed + 1),
        ],
        name="augmentation",
    )


def train(*, epochs: int = EPOCHS, seed: int = SEED, data_dir=None, verbose: int = 0):
    """Train the base on the source classes; return ``(model, facts)``.

    Augmentation (random shifts and zooms of up to 10%) is applied in a wrapper model during
    training only, so the saved base contains none of it. The learning rate follows a cosine
    from :data:`LEARNING_RATE` to 0 over ``epochs``.

    Returns
    -------
    (keras.Model, dict)
        The trained base and what the card records about the training.
    """
    import keras
    import tensorflow as tf

    from cnn_lessons import training

    epochs = _validate.positive_int(epochs, "epochs")
    training.seed_everything(seed)
    (x_train, y_train), (x_test, y_test) = animal_subset(SOURCE_CLASSES, data_dir=data_dir)
    base = build_base(len(SOURCE_CLASSES), seed=seed)
    trainer = keras.Sequential([keras.Input(shape=(28, 28, 1)), _augmenter(seed), base])
    steps = epochs * int(np.ceil(len(x_train) / BATCH_SIZE))
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, decay_steps=steps)
    trainer.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = trainer.fit(
        x_train, y_train, epochs=epochs, batch_size=BATCH_SIZE, shuffle=True, verbose=verbose
    )
    base.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    _, train_accuracy = base.evaluate(x_train, y_train, batch_size=500, verbose=0)
    _, test_accuracy = base.evaluate(x_test, y_test, batch_size=500, verbose=0)
    facts = {
        "source_data": (
            "Animal-MNIST silhouettes (data/animals.npz), training split, the classes below: "
            f"{len(x_train)} images ({len(x_train) // len(SOURCE_CLASSES)} per class); "
            f"test accuracy on the {len(x_test)} test images of the same classes"
        ),
        "classes": list(SOURCE_CLASSES),
        "held_out_classes": list(HELD_OUT_CLASSES),
        "input": "(28, 28, 1) float32 in [0, 1] (uint8 pixels / 255)",
        "architecture": _layer_summary(base),
        "parameters": int(base.count_params()),
        "epochs": epochs,
        "batch_size": BATCH_SIZE,
        "optimizer": f"Adam, learning rate {LEARNING_RATE:g} with cosine decay to 0",
        "loss": "sparse categorical cross-entropy",
        "augmentation": "random translation and zoom of up to 10% (training only, not saved)",
        "seed": seed,
        "train_accuracy": round(float(train_accuracy), 4),
        "test_accuracy": round(float(test_accuracy), 4),
        "final_training_loss": round(float(history.history["loss"][-1]), 4),
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "rebuild": "python -m cnn_lessons.pretrain",
    }
    return base, facts


def _layer_summary(model) -> list[str]:
    lines = []
    for layer in model.layers[1:]:
        shape = tuple(layer.output.shape[1:])
        lines.append(f"{layer.name}: {type(layer).__name__} -> {shape}")
    return lines


def _renumber_shared_objects(config, numbers: dict):
    """Replace Keras' ``shared_object_id`` values (memory addresses) by 1, 2, 3, ..."""
    if isinstance(config, dict):
        result = {}
        for key, value in config.items():
            if key == "shared_object_id":
                value = numbers.setdefault(value, len(numbers) + 1)
            result[key] = _renumber_shared_objects(value, numbers)
        return result
    if isinstance(config, list):
        return [_renumber_shared_objects(item, numbers) for item in config]
    return config


def _deterministic_zip(raw: bytes) -> bytes:
    """Re-zip a ``.keras`` archive so the same weights always give the same bytes.

    Keras writes the save time into ``metadata.json``, the memory address of shared objects
    into ``config.json`` and the current time into the zip entries; all three are fixed here.
    """
    source = zipfile.ZipFile(io.BytesIO(raw))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in sorted(source.namelist()):
            payload = source.read(entry)
            if entry == "metadata.json":
                metadata = json.loads(payload)
                metadata["date_saved"] = "fixed by cnn_lessons.pretrain"
                payload = json.dumps(metadata, sort_keys=True).encode()
            elif entry == "config.json":
                config = _renumber_shared_objects(json.loads(payload), {})
                payload = json.dumps(config).encode()
            info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, payload)
    return buffer.getvalue()


def save(model, facts: dict, out) -> dict:
    """Write ``<name>.keras`` and its card ``<name>.json`` into ``out``; return the card."""
    import tempfile

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        temporary = Path(scratch) / f"{MODEL_NAME}.keras"
        model.save(temporary)
        payload = _deterministic_zip(temporary.read_bytes())
    model_path = out / f"{MODEL_NAME}.keras"
    model_path.write_bytes(payload)
    card = {"name": MODEL_NAME, "file": model_path.name, **facts}
    card["sha256"] = hashlib.sha256(payload).hexdigest()
    card["size_bytes"] = len(payload)
    card_path = out / f"{MODEL_NAME}.json"
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    return card


def load_pretrained(*, data_dir=None, path=None):
    """Load the bundled base after checking its sha256 (see :data:`cnn_lessons.data.REGISTRY`).

    Parameters
    ----------
    data_dir : path, optional
        Folder holding ``pretrained/animals6.keras``; defaults to the repository's
        ``data/``. The file must match the registered checksum.
    path : path, optional
        Load this ``.keras`` file instead, checked against the sha256 in the card
        (``.json``) beside it: for a model you rebuilt with ``--out``.

    Returns
    -------
    keras.Model
        Compiled with Adam and sparse categorical cross-entropy (accuracy metric), ready for
        ``evaluate``.

    Raises
    ------
    cnn_lessons.data.DataFileError
        If the file is missing or its checksum differs.
    """
    import keras

    if path is None:
        try:
            model_path = data.verified_path(MODEL_FILE, data_dir=data_dir)
        except data.DataFileError as error:
            raise data.DataFileError(
                f"{error} The model itself is rebuilt by `python -m cnn_lessons.pretrain`."
            ) from None
    else:
        model_path = Path(path)
        card = json.loads(model_path.with_suffix(".json").read_text())
        actual = data.sha256_of(model_path) if model_path.is_file() else "missing"
        if actual != card["sha256"]:
            raise data.DataFileError(
                f"{model_path.name} does not match its card: sha256 {actual}, "
                f"expected {card['sha256']}"
            )
    model = keras.saving.load_model(model_path, compile=False)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def load_card(*, data_dir=None) -> dict:
    """The bundled base's card (a dict), after checking the card file's sha256."""
    return json.loads(data.verified_path(CARD_FILE, data_dir=data_dir).read_text())


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=data.DATA_DIR / "pretrained", help="output folder"
    )
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"default {EPOCHS}")
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    arguments = parser.parse_args(argv)
    from cnn_lessons import environment

    environment.quiet_tensorflow()
    model, facts = train(epochs=arguments.epochs, seed=arguments.seed, verbose=2)
    card = save(model, facts, arguments.out)
    print(
        f"test accuracy {card['test_accuracy']:.4f} on the source classes; "
        f"wrote {card['file']} ({card['size_bytes'] / 1e6:.2f} MB)"
    )
    card_bytes = (arguments.out / f"{MODEL_NAME}.json").read_bytes()
    print(f'"{MODEL_FILE}": "{card["sha256"]}",')
    print(f'"{CARD_FILE}": "{hashlib.sha256(card_bytes).hexdigest()}",')
    return card


if __name__ == "__main__":
    main()
