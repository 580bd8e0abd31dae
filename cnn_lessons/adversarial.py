"""Adversarial examples: the fast gradient sign method (FGSM) and accuracy under attack.

Goodfellow, Shlens and Szegedy (2014), "Explaining and Harnessing Adversarial Examples",
arXiv:1412.6572: one step of size ``epsilon`` per pixel in the direction that increases the loss
fastest under a per-pixel (L-infinity) budget.

Every function takes a Keras classifier and NumPy arrays and returns NumPy arrays. Images are
batches ``(N, H, W)`` or ``(N, H, W, C)`` in the range the model was trained on (integer pixels
are scaled to [0, 1]); labels are class indices. A classifier here outputs probabilities (a
softmax), unless ``from_logits=True`` says it outputs raw scores: a model that does not match
what is said, or labels it has no output for, are refused before any work is done.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from cnn_lessons import _arrays, _validate
from cnn_lessons.explain import _model

__all__ = [
    "accuracy_under_attack",
    "fgsm_attack",
    "fgsm_perturbation",
    "loss_gradient",
    "perturb",
    "predict_classes",
]


def _epsilon(value) -> float:
    return _validate.number(value, "epsilon", minimum=0, legal="a finite number >= 0")


def _clip_range(clip) -> tuple[float, float] | None:
    if clip is None:
        return None
    if isinstance(clip, str) or not hasattr(clip, "__len__") or len(clip) != 2:
        raise TypeError(f"clip must be None or a (low, high) pair, got {clip!r}")
    low, high = (_validate.number(value, "clip") for value in clip)
    if low >= high:
        raise ValueError(f"clip must be a (low, high) pair with low < high, got {clip!r}")
    return low, high


def _checked(model, images, labels, *, from_logits: bool):
    """The batch and labels, after checking that they fit the model and what it outputs."""
    _model.check_model(model)
    batch = _arrays.model_batch(model, images)
    first = np.asarray(model(batch[:1], training=False))
    if first.ndim != 2:
        raise ValueError(f"model must output (N, classes), got shape {first.shape}")
    if not from_logits:
        _arrays.probabilities(first)
    labels = _arrays.class_labels(labels, count=len(batch), classes=first.shape[1])
    return batch, labels


def loss_gradient(
    model, images, labels, *, from_logits: bool = False, batch_size: int = 256
) -> np.ndarray:
    """Gradient of the cross-entropy loss with respect to each input pixel.

    Parameters
    ----------
    model : keras.Model
        A classifier built with ``keras.Input``; its output is class probabilities (softmax)
        or, with ``from_logits=True``, raw scores.
    images : array_like of shape ``(N, H, W)`` or ``(N, H, W, C)``
    labels : array_like of int, shape ``(N,)``
        The class each image should be recognised as.
    from_logits : bool, default False
    batch_size : int, default 256
        Images per gradient computation.

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``: ``d loss(image, label) / d image`` for each image,
        where the loss is the cross-entropy ``-log p[label]``.
    """
    shape = np.shape(images)
    batch, labels = _checked(model, images, labels, from_logits=from_logits)
    batch_size = _model.batch_size(batch_size)
    parts = []
    for start in range(0, len(batch), batch_size):
        inputs = tf.convert_to_tensor(batch[start : start + batch_size])
        targets = tf.convert_to_tensor(labels[start : start + batch_size])
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = model(inputs, training=False)
            if from_logits:
                loss = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, outputs)
            else:
                chosen = tf.gather(outputs, targets, axis=1, batch_dims=1)
                loss = -tf.math.log(tf.maximum(chosen, np.finfo(np.float32).tiny))
            total = tf.reduce_sum(loss)
        parts.append(tape.gradient(total, inputs).numpy())
    return np.concatenate(parts).reshape(shape).astype(np.float32)


def perturb(images, signs, epsilon: float, *, clip=(0.0, 1.0)) -> np.ndarray:
    """``images + epsilon * signs``, clipped to ``clip``: one FGSM step from known signs.

    Parameters
    ----------
    images : array_like
        float images (integer pixels are scaled to [0, 1]).
    signs : array_like
        The shape of ``images``; ``sign(d loss / d image)``, or random signs.
    epsilon : float
        The largest change per pixel, ``>= 0``.
    clip : (low, high) or None, default (0.0, 1.0)

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``.
    """
    images = _validate.float_image(images, "images")
    signs = _validate.real_array(signs, "signs", finite=True)
    if signs.shape != images.shape:
        raise ValueError(f"signs must have the shape of images {images.shape}, got {signs.shape}")
    perturbed = images + np.float32(_epsilon(epsilon)) * signs.astype(np.float32)
    clip = _clip_range(clip)
    if clip is not None:
        perturbed = np.clip(perturbed, *clip)
    return perturbed.astype(np.float32)


def fgsm_perturbation(
    model, images, labels, *, epsilon: float, from_logits: bool = False
) -> np.ndarray:
    """The fast gradient sign method's perturbation: ``epsilon * sign(d loss / d image)``.

    Parameters
    ----------
    model, images, labels, from_logits
        As for :func:`loss_gradient`.
    epsilon : float
        The largest change allowed per pixel (``>= 0``), in the image's units (1.0 is the full
        black-to-white range for images in [0, 1]).

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``, every value ``-epsilon``, ``0`` or ``+epsilon``.
    """
    epsilon = _epsilon(epsilon)
    gradient = loss_gradient(model, images, labels, from_logits=from_logits)
    return (epsilon * np.sign(gradient)).astype(np.float32)


def fgsm_attack(
    model, images, labels, *, epsilon: float, clip=(0.0, 1.0), from_logits: bool = False
) -> np.ndarray:
    """Adversarial images: ``images + fgsm_perturbation(...)``, clipped to the valid range.

    Parameters
    ----------
    model, images, labels, epsilon, from_logits
        As for :func:`fgsm_perturbation`.
    clip : (low, high) or None, default (0.0, 1.0)
        Keep pixels in this range (an image is still an image); ``None`` does not clip.

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``images``.
    """
    epsilon = _epsilon(epsilon)
    signs = np.sign(loss_gradient(model, images, labels, from_logits=from_logits))
    return perturb(images, signs, epsilon, clip=clip)


def predict_classes(model, images, *, batch_size: int = 512) -> np.ndarray:
    """The most likely class of each image, ``(N,)`` int64 (no Keras progress bar)."""
    _model.check_model(model)
    batch = _arrays.model_batch(model, images)
    batch_size = _model.batch_size(batch_size)
    return np.concatenate(
        [
            np.argmax(np.asarray(model(batch[start : start + batch_size], training=False)), -1)
            for start in range(0, len(batch), batch_size)
        ]
    ).astype(np.int64)


def accuracy_under_attack(
    model,
    images,
    labels,
    epsilons,
    *,
    random_signs: bool = False,
    seed: int = 0,
    clip=(0.0, 1.0),
    from_logits: bool = False,
) -> np.ndarray:
    """Accuracy on FGSM images for each epsilon (or on random-sign noise of the same size).

    The gradient's sign does not depend on epsilon, so it is computed once; each epsilon then
    costs one prediction pass.

    Parameters
    ----------
    model, images, labels, clip, from_logits
        As for :func:`fgsm_attack`.
    epsilons : sequence of float
        Perturbation sizes, each ``>= 0``.
    random_signs : bool, default False
        Instead of the gradient's sign, use a random ``+-1`` per pixel (drawn with ``seed``):
        noise exactly as large as the attack, pointing nowhere in particular.
    seed : int, default 0
        Seeds the random signs (a generator of its own).

    Returns
    -------
    numpy.ndarray
        float64 of shape ``(len(epsilons),)``, accuracies in [0, 1].
    """
    if isinstance(epsilons, str) or not hasattr(epsilons, "__iter__"):
        raise TypeError(f"epsilons must be a sequence of numbers, got {epsilons!r}")
    epsilons = [_epsilon(value) for value in epsilons]
    images = _validate.float_image(images, "images")
    _, labels = _checked(model, images, labels, from_logits=from_logits)
    if random_signs:
        generator = np.random.default_rng(_validate.seed(seed))
        signs = generator.choice(np.array([-1.0, 1.0], np.float32), images.shape)
    else:
        signs = np.sign(loss_gradient(model, images, labels, from_logits=from_logits))
    return np.array(
        [
            float(np.mean(predict_classes(model, perturb(images, signs, eps, clip=clip)) == labels))
            for eps in epsilons
        ]
    )
