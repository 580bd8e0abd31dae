"""First-CNN lesson: pick an image and see what a trained classifier thinks of it."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets
import numpy as np

from cnn_lessons import _arrays, _validate, data, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas


@dataclass(frozen=True)
class Predictions:
    """A classifier's answers for a set of images, computed once."""

    images: np.ndarray  # (N, *input_shape) float32, as the model took them
    probabilities: np.ndarray  # (N, K) float64, rows sum to 1
    labels: np.ndarray | None  # (N,) int64 true classes, or None
    class_names: tuple[str, ...]

    @property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)

    @property
    def mistakes(self) -> np.ndarray:
        """Positions of the misclassified images (none without labels)."""
        if self.labels is None:
            return np.array([], dtype=np.int64)
        return np.flatnonzero(self.predicted != self.labels)


def predict(model, images, labels=None, class_names=None) -> Predictions:
    """Run a classifier once on ``images``.

    Parameters
    ----------
    model : keras.Model
        Outputs one row of class scores per image; rows that are not probabilities (raw
        scores) are passed through a softmax.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
        Integer pixels are scaled to [0, 1]; floats are used as they are.
    labels : sequence of int, optional
        True classes, each from 0 to the number of outputs - 1.
    class_names : sequence of str, optional
        One per output; the digits 0-9 for a 10-class model, ``"0", "1", ...`` otherwise.

    Returns
    -------
    Predictions
    """
    inputs = _arrays.model_batch(model, images)
    scores = np.asarray(model.predict(inputs, verbose=0), dtype=np.float64)
    if scores.ndim != 2:
        raise ValueError(f"model must output (N, classes), got {scores.shape}")
    if not np.isfinite(scores).all():
        raise ValueError("model outputs NaN or infinity for some images; check its weights")
    try:
        probabilities = _arrays.probabilities(scores)
    except ValueError:
        probabilities = _arrays.softmax(scores)
    classes = probabilities.shape[1]
    if class_names is None:
        names = data.DIGIT_CLASSES if classes == 10 else tuple(map(str, range(classes)))
    else:
        names = _validate.names(class_names, "class_names")
    if len(names) != classes:
        raise ValueError(
            f"class_names must have {classes} entries (one per output), got {len(names)}"
        )
    if labels is not None:
        labels = _arrays.class_labels(labels, count=len(inputs), classes=classes)
    return Predictions(inputs, probabilities, labels, tuple(names))


def prediction(answers: Predictions, index: int, *, only_mistakes: bool = False) -> dict:
    """One image, what the classifier says about it, and whether that is right.

    Parameters
    ----------
    answers : Predictions
    index : int
        The image, or with ``only_mistakes`` the ``index``-th misclassified image.
    only_mistakes : bool, default False

    Returns
    -------
    dict
        ``index`` (position in the images), ``image``, ``probabilities`` ``(K,)``,
        ``predicted``, ``confidence``, ``true_label`` (or None), ``correct`` (or None),
        ``title`` and ``summary``.
    """
    count = len(answers.images)
    if only_mistakes:
        mistakes = answers.mistakes
        if answers.labels is None:
            raise ValueError("only mistakes needs the true labels; pass labels=")
        if len(mistakes) == 0:
            raise ValueError(
                f"the model gets all {count} images right: there is no mistake to show"
            )
        legal = f"from 0 to {len(mistakes) - 1} (there are {len(mistakes)} mistakes)"
        position = int(
            mistakes[
                _validate.integer(index, "index", minimum=0, maximum=len(mistakes) - 1, legal=legal)
            ]
        )
    else:
        position = _validate.integer(index, "index", minimum=0, maximum=count - 1)
    row = answers.probabilities[position]
    guess = int(row.argmax())
    names = answers.class_names
    truth = None if answers.labels is None else int(answers.labels[position])
    verdict = "" if truth is None else " ✔" if guess == truth else f" ✘ (true: {names[truth]})"
    return {
        "index": position,
        "image": answers.images[position],
        "probabilities": row,
        "predicted": guess,
        "confidence": float(row[guess]),
        "true_label": truth,
        "correct": None if truth is None else guess == truth,
        "title": f"image {position}: predicted {names[guess]} ({row[guess]:.1%}){verdict}",
        "summary": (
            f"{len(answers.mistakes)} of {count} images misclassified"
            if truth is not None
            else f"{count} images, no labels"
        )
        + f"; showing image {position}"
        + (f" (mistake {index + 1} of {len(answers.mistakes)})" if only_mistakes else ""),
    }


def draw_prediction(result: dict, canvas: Canvas, *, class_names) -> None:
    """The image and the softmax output as bars (prediction orange, true class green)."""
    canvas.image("image", canvas.axes[0], result["image"])
    canvas.titles[0].set_text(result["title"])
    colors = plots.probability_colors(result["probabilities"], true_label=result["true_label"])
    canvas.bars("bars", canvas.axes[1], result["probabilities"], labels=class_names, colors=colors)
    canvas.titles[1].set_text("softmax output")


def _prediction_step(answers, index, only_mistakes):
    return prediction(answers, index, only_mistakes=only_mistakes)


def prediction_explorer(model=None, images=None, labels=None, class_names=None) -> App:
    """Pick an image and see what a trained classifier thinks of it.

    All predictions are computed once when the app is built (:func:`predict`), so moving the
    slider only draws (:func:`prediction`).

    Parameters
    ----------
    model : keras.Model
        A trained classifier (see :func:`predict`). Required: without a model the app raises
        ``ValueError`` rather than quietly training one, because what it shows is only
        meaningful for a network you trained yourself.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``, optional
        The MNIST-5k test digits by default.
    labels : sequence of int, optional
        True labels; the MNIST-5k test labels when ``images`` is omitted. Without labels the
        ``only_mistakes`` control is disabled.
    class_names : sequence of str, optional

    Returns
    -------
    App
        Controls ``index`` (the image, or the n-th mistake when ``only_mistakes`` is ticked) and
        ``only_mistakes``. ``result`` is what :func:`prediction` returns.
    """
    if model is None:
        raise ValueError(
            "model is required: pass a trained classifier, e.g. "
            "prediction_explorer(model, x_test, y_test); the explorer never trains one for you"
        )
    if images is None:
        if labels is not None:
            raise ValueError("labels were given without images; pass images= too, or neither")
        _, (images, labels) = data.load_mnist()
    answers = predict(model, images, labels, class_names)
    controls = {
        "index": ipywidgets.IntSlider(
            value=0, min=0, max=len(answers.images) - 1, description="image"
        ),
        "only_mistakes": ipywidgets.Checkbox(
            value=False, description="only mistakes", disabled=labels is None, indent=False
        ),
    }

    def match_index_range(change=None):
        mistakes = controls["only_mistakes"].value
        count = len(answers.mistakes) if mistakes else len(answers.images)
        controls["index"].max = max(count - 1, 0)
        controls["index"].description = "mistake" if mistakes else "image"

    return App(
        controls,
        functools.partial(_prediction_step, answers),
        functools.partial(draw_prediction, class_names=answers.class_names),
        # The image's title (prediction, confidence, true class) is wider than the image.
        canvas=Canvas(
            2,
            figsize=(7.5, 3),
            width_ratios=[1, 1.2],
            left=0.1,
            wspace=0.55,
            right=0.97,
            bottom=0.12,
        ),
        title="Prediction explorer",
        reactions={"only_mistakes": match_index_range},
    )
