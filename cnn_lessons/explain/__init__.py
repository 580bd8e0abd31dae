"""What a CNN looks at: feature maps, attributions and synthetic images, as pure functions.

Every function takes a Keras model and NumPy arrays and returns NumPy arrays; none of them
draws (that is :mod:`cnn_lessons.plots`' job). Images are ``(H, W)`` (grayscale) or
``(H, W, C)`` arrays in the range the model was trained on (integer pixels are scaled to
[0, 1]); a grayscale image is given the channel axis the model expects and results come back in
the image's own shape.

One module per job, all re-exported here so ``explain.grad_cam(...)`` works:

* :mod:`~cnn_lessons.explain.features`: ``activations``, ``feature_maps``,
  ``layer_receptive_field`` (also ``receptive_field``) and ``top_activating_patches``;
* :mod:`~cnn_lessons.explain.attribution`: ``saliency``, ``smoothgrad``,
  ``integrated_gradients``, ``grad_cam``, ``attribution_heatmap`` and ``occlusion_map``;
* :mod:`~cnn_lessons.explain.synthesis`: ``activation_maximization`` and ``deep_dream``.

The adversarial attack lives in :mod:`cnn_lessons.adversarial`; its functions are also
available here (``explain.fgsm_attack``), as the interpretability lesson first used them.

Keras 3 notes: a ``Sequential`` model has ``inputs``/``outputs`` but no ``input``/``output``;
the sub-models here are built as ``keras.Model(model.inputs[0], layer.output)``, which needs a
model built with ``keras.Input``. A base model nested inside another as a single layer hides its
inner layers from ``get_layer``: pass the base model itself.
"""

from cnn_lessons.explain.attribution import (
    attribution_heatmap,
    grad_cam,
    integrated_gradients,
    occlusion_map,
    saliency,
    smoothgrad,
)
from cnn_lessons.explain.features import (
    activations,
    feature_maps,
    layer_receptive_field,
    receptive_field,
    top_activating_patches,
)
from cnn_lessons.explain.synthesis import activation_maximization, deep_dream

# The attack's functions, under the names the interpretability lesson first used. Looked up on
# first use: cnn_lessons.adversarial itself imports this package's model plumbing.
_ADVERSARIAL = (
    "accuracy_under_attack",
    "fgsm_attack",
    "fgsm_perturbation",
    "loss_gradient",
    "predict_classes",
)


def __getattr__(name: str):
    if name in _ADVERSARIAL:
        from cnn_lessons import adversarial

        return getattr(adversarial, name)
    raise AttributeError(f"module 'cnn_lessons.explain' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_ADVERSARIAL])


__all__ = [
    "accuracy_under_attack",
    "activation_maximization",
    "activations",
    "attribution_heatmap",
    "deep_dream",
    "feature_maps",
    "fgsm_attack",
    "fgsm_perturbation",
    "grad_cam",
    "integrated_gradients",
    "layer_receptive_field",
    "loss_gradient",
    "occlusion_map",
    "predict_classes",
    "receptive_field",
    "saliency",
    "smoothgrad",
    "top_activating_patches",
]
