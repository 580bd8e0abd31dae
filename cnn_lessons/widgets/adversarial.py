"""Interpretability lesson: attack a classifier with FGSM, one image and one epsilon at a time."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ipywidgets
import numpy as np

from cnn_lessons import _arrays, _validate, adversarial, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas


@dataclass(frozen=True)
class AttackSetup:
    """What the attack needs for every image, computed once."""

    model: object
    images: np.ndarray  # (N, *input_shape) float32
    labels: np.ndarray  # (N,) int64
    signs: np.ndarray  # sign of the loss gradient, the shape of images
    clean: np.ndarray  # (N, classes) probabilities on the clean images
    class_names: tuple[str, ...]


def prepare_attack(model, images, labels, class_names=None) -> AttackSetup:
    """Check the model against the data and compute every image's gradient sign once.

    The model must output probabilities (a softmax) and have an output for every label.
    """
    images = _arrays.model_batch(model, images)
    signs = np.sign(adversarial.loss_gradient(model, images, labels))  # checks model and labels
    labels = _arrays.class_labels(labels, count=len(images))
    clean = _arrays.probabilities(np.asarray(model(images, training=False)))
    classes = clean.shape[-1]
    if class_names is None:
        names = tuple(str(index) for index in range(classes))
    else:
        names = _validate.names(class_names, "class_names")
    if len(names) != classes:
        raise ValueError(f"class_names must have {classes} entries, got {len(names)}")
    return AttackSetup(model, images, labels, signs, clean, names)


def attack_one(setup: AttackSetup, image: int, epsilon: float) -> dict:
    """FGSM on one image: the perturbation, the adversarial image and both predictions.

    Returns
    -------
    dict
        ``image``, ``perturbation``, ``adversarial`` (the images, shaped like one input),
        ``clean_probabilities``, ``adversarial_probabilities``, ``label``,
        ``clean_prediction``, ``adversarial_prediction``, ``epsilon``, ``fooled`` (the
        prediction was right and is now wrong) and ``summary``.
    """
    image = _validate.integer(image, "image", minimum=0, maximum=len(setup.images) - 1)
    epsilon = _validate.number(epsilon, "epsilon", minimum=0, maximum=1)
    original = setup.images[image]
    adversarial_image = adversarial.perturb(original, setup.signs[image], epsilon)
    probabilities = np.asarray(setup.model.predict_on_batch(adversarial_image[None]))[0]
    label, names = int(setup.labels[image]), setup.class_names
    clean = setup.clean[image]
    before, after = int(np.argmax(clean)), int(np.argmax(probabilities))
    fooled = before == label and after != label
    return {
        "image": original,
        "perturbation": np.float32(epsilon) * setup.signs[image],
        "adversarial": adversarial_image,
        "clean_probabilities": clean,
        "adversarial_probabilities": probabilities,
        "label": label,
        "clean_prediction": before,
        "adversarial_prediction": after,
        "epsilon": epsilon,
        "fooled": fooled,
        "summary": (
            f"epsilon {epsilon:.2f}: {names[before]} ({clean[before]:.1%}) becomes "
            f"{names[after]} ({probabilities[after]:.1%})" + (", fooled" if fooled else "")
        ),
    }


def _picture(image: np.ndarray) -> np.ndarray:
    return image[..., 0] if image.shape[-1] == 1 else image  # gray (H, W) or RGB (H, W, 3)


def draw_attack(result: dict, canvas: Canvas, *, class_names) -> None:
    """Original, perturbation (amplified), adversarial image, and the probabilities before/after."""
    eps = max(result["epsilon"], 1e-6)
    canvas.image("original", canvas.axes[0], _picture(result["image"]))
    canvas.image(
        "perturbation",
        canvas.axes[1],
        result["perturbation"].mean(axis=-1),  # one map for any number of channels
        cmap="RdBu_r",
        vmin=-eps,
        vmax=eps,
    )
    canvas.image("adversarial", canvas.axes[2], _picture(result["adversarial"]))
    before, after = result["clean_prediction"], result["adversarial_prediction"]
    confidence = result["clean_probabilities"][before]
    adversarial_confidence = result["adversarial_probabilities"][after]
    canvas.titles[0].set_text(
        f"original: {class_names[before]}\n{confidence:.1%} (true: {class_names[result['label']]})"
    )
    canvas.titles[1].set_text(f"+ perturbation\n(+-{result['epsilon']:.2f}, amplified)")
    canvas.titles[2].set_text(
        f"= adversarial: {class_names[after]}\n{adversarial_confidence:.1%}"
        + (" fooled!" if result["fooled"] else "")
    )
    for column, key in ((3, "clean_probabilities"), (4, "adversarial_probabilities")):
        colors = plots.probability_colors(result[key], true_label=result["label"])
        canvas.bars(key, canvas.axes[column], result[key], labels=class_names, colors=colors)
        canvas.titles[column].set_text(f"probabilities {'before' if column == 3 else 'after'}")


def default_attack_data():
    """The pretrained animal base and two test images of each of its classes."""
    from cnn_lessons import pretrain

    model = pretrain.load_pretrained()
    _, (x_test, y_test) = pretrain.animal_subset(pretrain.SOURCE_CLASSES)
    chosen = np.concatenate(
        [np.flatnonzero(y_test == label)[:2] for label in range(len(pretrain.SOURCE_CLASSES))]
    )
    return model, x_test[chosen], y_test[chosen], pretrain.SOURCE_CLASSES


def _attack_step(setup, image, epsilon):
    return attack_one(setup, image, epsilon)


def fgsm_explorer(model=None, images=None, labels=None, class_names=None) -> App:
    """Attack a classifier with the fast gradient sign method: pick an image and an epsilon.

    The loss gradient of every image is computed once when the app is built
    (:func:`prepare_attack`); moving a control adds ``epsilon * sign(gradient)``, clips to
    [0, 1] and runs the model on one image (:func:`attack_one`).

    Parameters
    ----------
    model : keras.Model, optional
        A softmax classifier built with ``keras.Input``. When omitted, the course's pretrained
        animal base and two test silhouettes of each of its six classes are used
        (:func:`default_attack_data`).
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``, optional
        Floats in [0, 1] (integer pixels are scaled). Required with ``model``.
    labels : sequence of int, optional
        The true classes. Required with ``model``.
    class_names : sequence of str, optional
        Names of the model's classes; ``"0", "1", ...`` by default.

    Returns
    -------
    App
        Controls ``image`` and ``epsilon``; ``result`` is what :func:`attack_one` returns.
    """
    if model is None:
        if images is not None or labels is not None:
            raise ValueError("images and labels must come with a model; pass model= too, or none")
        model, images, labels, class_names = default_attack_data()
    elif images is None or labels is None:
        raise ValueError("images and labels must be given with model=")
    setup = prepare_attack(model, images, labels, class_names)
    controls = {
        "image": ipywidgets.IntSlider(
            value=0, min=0, max=len(setup.images) - 1, description="image"
        ),
        "epsilon": ipywidgets.FloatSlider(
            value=0.1,
            min=0.0,
            max=0.3,
            step=0.01,
            description="epsilon",
            readout_format=".2f",
            continuous_update=False,
        ),
    }
    canvas = Canvas(
        5,
        figsize=(9.6, 2.5),
        width_ratios=[1, 1, 1, 1.15, 1.15],
        wspace=0.5,
        right=0.98,
        top=0.8,
        bottom=0.2,
    )
    return App(
        controls,
        functools.partial(_attack_step, setup),
        functools.partial(draw_attack, class_names=setup.class_names),
        canvas=canvas,
        title="Fast gradient sign method: image + epsilon x sign(gradient)",
    )
