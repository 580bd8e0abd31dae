"""Rule: a NumPy integer (``np.int64(3)``, what indexing an array gives) is accepted wherever a
Python int is, and gives the same result."""

import numpy as np
import pytest

from cnn_lessons import adversarial, augment, conv, data, explain, models, optim, plots, training
from cnn_lessons.widgets import datasets, features

I = np.int64  # noqa: E741 - short on purpose: every case below reads "the same, but NumPy"


@pytest.mark.parametrize(
    ("numpy_call", "python_call"),
    [
        (
            lambda: conv.output_size(I(28), np.int32(3), stride=I(2)),
            lambda: conv.output_size(28, 3, stride=2),
        ),
        (
            lambda: conv.padding_amounts(I(28), I(4), padding="same"),
            lambda: conv.padding_amounts(28, 4, padding="same"),
        ),
        (
            lambda: conv.effective_kernel_size(I(3), np.uint8(2)),
            lambda: conv.effective_kernel_size(3, 2),
        ),
        (
            lambda: conv.conv2d(np.ones((6, 6)), np.ones((3, 3)), stride=I(2), padding=I(1)),
            lambda: conv.conv2d(np.ones((6, 6)), np.ones((3, 3)), stride=2, padding=1),
        ),
        (
            lambda: conv.pool2d(np.arange(16.0).reshape(4, 4), I(2)),
            lambda: conv.pool2d(np.arange(16.0).reshape(4, 4), 2),
        ),
        (lambda: conv.receptive_field([(I(3), I(2))]), lambda: conv.receptive_field([(3, 2)])),
        (
            lambda: augment.tile_images(np.zeros((3, 2, 2)), ncols=I(2), padding=I(1)),
            lambda: augment.tile_images(np.zeros((3, 2, 2)), ncols=2, padding=1),
        ),
        (
            lambda: augment.random_augmentations(
                np.ones((4, 4)), count=I(2), rotation=I(30), seed=I(1)
            ),
            lambda: augment.random_augmentations(np.ones((4, 4)), count=2, rotation=30, seed=1),
        ),
        (
            lambda: data.sample_image("camera", size=I(16)),
            lambda: data.sample_image("camera", size=16),
        ),
        (lambda: optim.trajectory("SGD", steps=I(5)), lambda: optim.trajectory("SGD", steps=5)),
        (
            lambda: datasets.dataset_image("digits", "test", I(3))["label"],
            lambda: datasets.dataset_image("digits", "test", 3)["label"],
        ),
    ],
)
def test_numpy_integers_give_the_python_int_result(numpy_call, python_call):
    first, second = numpy_call(), python_call()
    if isinstance(first, np.ndarray):
        np.testing.assert_array_equal(first, second)
    else:
        assert first == second


def test_model_builders_take_numpy_integers():
    model = models.small_cnn(
        (I(12), I(12), I(1)), I(3), filters=(I(4),), dense_units=I(8), seed=I(0)
    )
    assert model.output_shape == (None, 3)
    assert models.dense_network(num_classes=np.int32(4), hidden_units=[I(5)]).output_shape == (
        None,
        4,
    )
    training.seed_everything(I(0))


def test_explanations_take_numpy_integers(softmax_model, images):
    np.testing.assert_array_equal(
        explain.saliency(softmax_model, images[0], class_index=I(1)),
        explain.saliency(softmax_model, images[0], class_index=1),
    )
    occluded = explain.occlusion_map(
        softmax_model, images[0], patch_size=I(2), stride=I(2), class_index=I(0)
    )
    assert occluded.shape == (4, 4)
    top = explain.top_activating_patches(
        softmax_model, images, layer_name="conv", channels=np.arange(2), top=I(2)
    )
    assert top["patches"].shape[:2] == (2, 2)
    noisy = explain.smoothgrad(softmax_model, images[0], samples=I(2), seed=I(3), class_index=I(0))
    assert noisy.shape == (4, 4)
    assert adversarial.predict_classes(softmax_model, images, batch_size=I(2)).shape == (5,)


def test_drawings_and_app_steps_take_numpy_integers(softmax_model, images):
    ax = plots.plot_mosaic(
        np.random.default_rng(0).random((4, 3, 3)), ncols=I(2), highlight=I(1), flagged=[I(3)]
    )
    assert len(ax.patches) == 1
    plots.plot_conv_grid(I(5), I(3), stride=I(2), padding=(I(1), I(1)), step=I(3))
    plots.plot_probabilities([0.2, 0.8], true_label=I(1))
    computed = features.compute_feature_maps(
        softmax_model, images, labels=np.array([0, 1, 2, 1, 0])
    )
    assert features.feature_view(computed, I(2), "conv", I(1))["title"] == "image 2 (label 2)"
