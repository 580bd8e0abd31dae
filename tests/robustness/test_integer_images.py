"""Rule: integer images mean the same thing everywhere. uint16 pixels are divided by 65535,
every other integer dtype (uint8, int64 0-255, int16, ...) must hold 0-255 and is divided by
255, before any model, augmentation or app sees them; other integer ranges are refused."""

import numpy as np
import pytest

from cnn_lessons import adversarial, augment, explain, plots, widgets
from cnn_lessons.widgets import kernels

PIXELS = np.array([[0, 51, 102, 153], [204, 255, 0, 51], [102, 153, 204, 255], [0, 0, 255, 255]])
EXPECTED = PIXELS / 255


def _spellings():
    """The same picture as uint8, int64, int32, int16, uint16 (x 257) and float."""
    return {
        "uint8": PIXELS.astype(np.uint8),
        "int64": PIXELS.astype(np.int64),
        "int32": PIXELS.astype(np.int32),
        "int16": PIXELS.astype(np.int16),
        "uint16": (PIXELS * 257).astype(np.uint16),
        "float": EXPECTED.astype(np.float32),
    }


SPELLINGS = _spellings()


@pytest.mark.parametrize("dtype", list(SPELLINGS))
def test_the_models_see_the_same_pixels(softmax_model, dtype):
    image = SPELLINGS[dtype]
    reference = explain.saliency(softmax_model, EXPECTED.astype(np.float32), class_index=1)
    np.testing.assert_allclose(
        explain.saliency(softmax_model, image, class_index=1), reference, rtol=1e-5
    )
    np.testing.assert_allclose(
        explain.feature_maps(softmax_model, image, ["conv"])["conv"],
        explain.feature_maps(softmax_model, EXPECTED, ["conv"])["conv"],
        rtol=1e-5,
    )
    batch = np.stack([image, image])
    assert adversarial.predict_classes(softmax_model, batch).tolist() == (
        adversarial.predict_classes(softmax_model, np.stack([EXPECTED, EXPECTED])).tolist()
    )
    attacked = adversarial.fgsm_attack(softmax_model, batch, [0, 1], epsilon=0.0)
    np.testing.assert_allclose(attacked, np.stack([EXPECTED, EXPECTED]), atol=1e-6)


@pytest.mark.parametrize("dtype", list(SPELLINGS))
def test_augmentation_and_the_apps_see_the_same_pixels(dtype):
    image = SPELLINGS[dtype]
    copies = augment.random_augmentations(image, count=1)
    np.testing.assert_allclose(copies[0, ..., 0], EXPECTED, atol=1e-6)
    result = kernels.filter_photo(image, np.eye(1))
    np.testing.assert_allclose(result["image"], EXPECTED, atol=1e-6)
    app = widgets.augmentation_explorer(image, count=1)
    np.testing.assert_allclose(app.result["original"][..., 0], EXPECTED, atol=1e-6)


@pytest.mark.parametrize("dtype", list(SPELLINGS))
def test_plots_show_the_same_picture(dtype):
    ax = plots.show_image(SPELLINGS[dtype])
    np.testing.assert_allclose(ax.images[0].get_array(), EXPECTED, atol=1e-6)
    assert ax.images[0].get_clim() == (0.0, 1.0)


@pytest.mark.parametrize(
    "image",
    [np.array([[0, 300]]), np.array([[-1, 20]], np.int8), np.array([[0, 70000]], np.int64)],
    ids=["300", "negative", "70000"],
)
def test_integers_outside_the_pixel_range_are_refused(softmax_model, image):
    with pytest.raises(ValueError, match="integer pixels must be 0-255"):
        augment.random_augmentations(image)
    with pytest.raises(ValueError, match="integer pixels must be 0-255"):
        explain.saliency(softmax_model, np.resize(image, (4, 4)))
    with pytest.raises(ValueError, match="integer pixels must be 0-255"):
        widgets.kernel_playground(image=image)
