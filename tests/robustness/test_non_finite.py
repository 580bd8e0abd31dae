"""Rule: NaN and infinity in images, kernels and maps are refused with a message that says so,
or (in drawings, where they mean "nothing here") shown as gaps; never a silent garbage result."""

import numpy as np
import pytest

from cnn_lessons import adversarial, augment, conv, explain, plots, widgets
from cnn_lessons.widgets import kernels


def poisoned(shape, value, where=(1, 1)):
    """An array of 0.5 with one ``value`` (NaN or infinity) in it."""
    array = np.full(shape, 0.5)
    array[where] = value
    return array


NAN_IMAGE = poisoned((6, 6), np.nan, (2, 3))
INF_IMAGE = poisoned((6, 6), np.inf, (0, 0))


@pytest.mark.parametrize("bad", [NAN_IMAGE, INF_IMAGE, -INF_IMAGE], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(
    "call",
    [
        lambda bad: conv.conv2d(bad, np.ones((3, 3))),
        lambda bad: conv.conv2d(np.ones((6, 6)), poisoned((3, 3), bad[np.isfinite(bad) == 0][0])),
        lambda bad: conv.conv2d_naive(bad, np.ones((3, 3))),
        lambda bad: conv.convolve2d(bad, np.ones((3, 3))),
        lambda bad: conv.pool2d(bad, 2),
        lambda bad: conv.global_average_pool(bad),
        lambda bad: augment.random_augmentations(bad),
        lambda bad: augment.featurewise_statistics(np.stack([bad, bad])),
        lambda bad: widgets.kernel_playground(image=bad),
        lambda bad: widgets.pooling_explorer(image=bad),
        lambda bad: widgets.conv_arithmetic_explorer(image=bad),
        lambda bad: widgets.augmentation_explorer(bad),
        lambda bad: kernels.filter_photo(
            np.ones((6, 6)), poisoned((3, 3), bad[np.isfinite(bad) == 0][0])
        ),
    ],
    ids=[
        "conv2d image",
        "conv2d kernel",
        "conv2d_naive",
        "convolve2d",
        "pool2d",
        "global_average_pool",
        "random_augmentations",
        "featurewise_statistics",
        "kernel_playground",
        "pooling_explorer",
        "conv_arithmetic_explorer",
        "augmentation_explorer",
        "filter_photo",
    ],
)
def test_computations_refuse_non_finite_numbers(call, bad):
    with pytest.raises(ValueError, match="finite"):
        call(bad)


@pytest.mark.parametrize(
    "call",
    [
        lambda model, bad: explain.saliency(model, bad[:4, :4]),
        lambda model, bad: explain.smoothgrad(model, bad[:4, :4], samples=2),
        lambda model, bad: explain.integrated_gradients(model, bad[:4, :4], steps=2),
        lambda model, bad: explain.grad_cam(model, bad[:4, :4], layer_name="conv"),
        lambda model, bad: explain.occlusion_map(model, bad[:4, :4], patch_size=2, stride=2),
        lambda model, bad: explain.feature_maps(model, bad[:4, :4], ["conv"]),
        lambda model, bad: explain.activations(model, bad[None, :4, :4], ["conv"]),
        lambda model, bad: adversarial.loss_gradient(model, bad[None, :4, :4], [0]),
        lambda model, bad: adversarial.predict_classes(model, bad[None, :4, :4]),
        lambda model, bad: widgets.prediction_explorer(model, bad[None, :4, :4]),
    ],
    ids=[
        "saliency",
        "smoothgrad",
        "integrated_gradients",
        "grad_cam",
        "occlusion_map",
        "feature_maps",
        "activations",
        "loss_gradient",
        "predict_classes",
        "prediction_explorer",
    ],
)
@pytest.mark.parametrize("bad", [NAN_IMAGE, INF_IMAGE], ids=["nan", "inf"])
def test_model_functions_refuse_non_finite_images(softmax_model, call, bad):
    with pytest.raises(ValueError, match="finite"):
        call(softmax_model, bad)


def test_an_infinite_attribution_is_refused_and_nan_counts_as_nothing():
    with pytest.raises(ValueError, match="infinity"):
        explain.attribution_heatmap(INF_IMAGE)
    heatmap = explain.attribution_heatmap(NAN_IMAGE)
    assert np.isfinite(heatmap).all() and heatmap[2, 3] == 0


def test_drawings_show_non_finite_values_as_gaps_with_limits_from_the_rest():
    ax = plots.plot_mosaic(np.stack([NAN_IMAGE, INF_IMAGE, np.zeros((6, 6))]), normalize_each=True)
    shown = ax.images[0].get_array()
    assert shown.mask[2, 3] and shown.max() <= 1  # a gap, drawn in the gap colour
    ax = plots.plot_heatmap_overlay(np.zeros((6, 6)), INF_IMAGE, center=0.0, cmap="RdBu_r")
    assert ax.images[-1].get_clim() == (-0.5, 0.5)
    ax = plots.show_image(NAN_IMAGE * 3)
    assert ax.images[0].get_clim() == (0.0, 1.5)
    ax = plots.plot_kernel(NAN_IMAGE[:3, :4])
    assert ax.images[0].get_clim() == (-0.5, 0.5)
