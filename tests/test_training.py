import keras
import numpy as np
import pytest

from cnn_lessons import training


def _short_fit(seed):
    training.seed_everything(seed)
    inputs = np.random.default_rng(0).random((64, 8, 8, 1)).astype("float32")
    labels = (inputs.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(inputs, labels, epochs=2, batch_size=16, shuffle=True, verbose=0)
    return model.get_weights(), history.history


def test_seeding_makes_two_short_fits_identical():
    first_weights, first_history = _short_fit(3)
    second_weights, second_history = _short_fit(3)
    for first, second in zip(first_weights, second_weights, strict=True):
        np.testing.assert_array_equal(first, second)
    assert first_history == second_history


def test_a_different_seed_gives_different_weights():
    first_weights, _ = _short_fit(1)
    second_weights, _ = _short_fit(2)
    assert not np.array_equal(first_weights[0], second_weights[0])


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (1.5, ValueError), ("0", TypeError), (True, TypeError)]
)
def test_bad_seed_is_rejected(seed, error):
    with pytest.raises(error, match="seed must be a non-negative int"):
        training.seed_everything(seed)


def test_seed_everything_does_not_pretend_to_seed_string_hashing(monkeypatch):
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    training.seed_everything(1)
    assert "PYTHONHASHSEED" not in __import__("os").environ


def test_progress_line_and_live_curves_record_the_fit(capsys):
    training.seed_everything(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    curves = training.LiveCurves()
    features = np.eye(3, dtype="float32")
    model.fit(
        features,
        np.array([0, 1, 0]),
        validation_data=(features, np.array([0, 1, 0])),
        epochs=3,
        verbose=0,
        callbacks=[training.ProgressLine(), curves],
    )
    printed = capsys.readouterr().out
    assert "3/3" in printed and "loss" in printed
    assert len(curves.history["loss"]) == 3 and len(curves.history["val_accuracy"]) == 3
    assert [axis.get_ylabel() for axis in curves.axes] == ["loss", "accuracy"]
    assert len(curves.axes[0].lines) == 2  # training and validation
