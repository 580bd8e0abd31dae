"""The kernel playground and its compute step, ``filter_photo``."""

import ipywidgets
import numpy as np
import pytest

from cnn_lessons import conv, data, widgets
from cnn_lessons.widgets import kernels

from .conftest import assert_explains


@pytest.fixture(scope="module")
def playground():
    return widgets.kernel_playground()


@pytest.fixture
def fresh_playground():
    return widgets.kernel_playground()


def test_playground_contract_and_defaults(playground):
    assert isinstance(playground, ipywidgets.Widget)
    for name in ("preset", "image", "padding", "operation", "normalize", "size", "channels"):
        assert name in playground.controls
    cells = [f"cell_{row}_{col}" for row in range(5) for col in range(5)]
    assert all(name in playground.controls for name in cells)
    assert playground.cells[1][2] is playground.controls["cell_1_2"]
    assert isinstance(playground.controls["preset"], ipywidgets.Dropdown)
    assert list(playground.controls["preset"].options) == list(conv.KERNELS)
    assert playground.controls["preset"].description == "preset"
    result = playground.result
    assert result["summary"].startswith("output 126 x 126 x 1")
    assert result["shape"] == (126, 126, 1) and result["output"].shape == (126, 126)
    assert playground.png


def test_playground_output_equals_conv2d(fresh_playground):
    app = fresh_playground
    photo = data.sample_image("chelsea", size=128, gray=True)
    for preset in ("sharpen", "sobel_x", "box_blur", "gaussian", "emboss"):
        app.controls["preset"].value = preset
        np.testing.assert_allclose(app.result["kernel"], conv.KERNELS[preset], atol=1e-12)
        np.testing.assert_allclose(
            app.result["output"], conv.conv2d(photo, conv.KERNELS[preset]), atol=1e-6
        )
    app.controls["padding"].value = "same"
    np.testing.assert_allclose(
        app.result["output"], conv.conv2d(photo, conv.KERNELS["emboss"], padding="same"), atol=1e-6
    )
    app.controls["operation"].value = "convolution"
    np.testing.assert_allclose(
        app.result["output"],
        conv.convolve2d(photo, conv.KERNELS["emboss"], padding="same"),
        atol=1e-6,
    )
    assert "flipped" in app.result["summary"]


def test_playground_rgb_filters_each_channel_with_the_same_kernel(fresh_playground):
    app = fresh_playground
    app.controls["preset"].value = "outline"
    app.controls["channels"].value = "RGB"
    photo = data.sample_image("chelsea", size=128)
    expected = np.stack(
        [conv.conv2d(photo[..., c], conv.KERNELS["outline"]) for c in range(3)], axis=-1
    )
    np.testing.assert_allclose(app.result["output"], expected, atol=1e-6)
    assert app.result["shape"] == (126, 126, 3)
    assert "R, G and B separately" in app.result["summary"]
    assert "3x3x3" in app.result["summary"]


def test_every_playground_control_changes_the_result(fresh_playground):
    app = fresh_playground
    changes = {
        "preset": "outline",
        "image": "astronaut",
        "size": 5,
        "cell_0_0": 2.0,  # the weights now sum to 2
        "normalize": True,
        "padding": "same",
        "operation": "convolution",
        "channels": "RGB",
        "cell_4_4": 1.0,
    }
    for name, value in changes.items():
        before = app.result
        picture = app.png
        app.controls[name].value = value
        assert app.controls[name].value == value
        assert "error" not in app.result, (name, app.result)
        different = (
            before["output"].shape != app.result["output"].shape
            or not np.allclose(before["output"], app.result["output"])
            or before["summary"] != app.result["summary"]
        )
        assert different, f"changing {name} changed nothing"
        assert app.png != picture, f"changing {name} did not redraw"


def test_a_preset_fills_the_cells_and_redraws_once(fresh_playground, redraws):
    app = fresh_playground
    drawn = redraws(app)
    app.controls["preset"].value = "box_blur"
    assert len(drawn) == 1
    assert all(app.cells[row][col].value == 1.0 for row in range(3) for col in range(3))
    assert app.controls["normalize"].value is True  # 1s divided by their sum: the 1/9 blur
    np.testing.assert_allclose(app.result["kernel"], np.full((3, 3), 1 / 9))
    app.controls["size"].value = 5
    assert len(drawn) == 2
    np.testing.assert_allclose(app.result["kernel"], np.full((5, 5), 1 / 25))
    app.controls["preset"].value = "gaussian"
    assert len(drawn) == 3 and app.cells[2][2].value == 36.0
    np.testing.assert_allclose(app.result["kernel"].sum(), 1.0)
    app.controls["preset"].value = "sobel_y"  # a 3x3 preset sits in the middle of the 5x5
    assert app.controls["normalize"].value is False
    np.testing.assert_array_equal(app.result["kernel"][1:4, 1:4], conv.KERNELS["sobel_y"])
    assert app.result["kernel"][0].tolist() == [0] * 5 and len(drawn) == 4


def test_editing_a_cell_changes_the_kernel(fresh_playground, redraws):
    app = fresh_playground
    drawn = redraws(app)
    app.cells[0][0].value = 3.0
    assert len(drawn) == 1 and app.result["kernel"][0, 0] == 3.0
    assert app.result["label"] == "edited sharpen"
    kernel = conv.KERNELS["sharpen"].copy()
    kernel[0, 0] = 3.0
    photo = data.sample_image("chelsea", size=128, gray=True)
    np.testing.assert_allclose(app.result["output"], conv.conv2d(photo, kernel), atol=1e-6)
    app.controls["normalize"].value = True  # the weights now sum to 4
    np.testing.assert_allclose(app.result["kernel"], kernel / 4)
    assert "divided by their sum, 4" in app.result["summary"]
    app.cells[1][1].value = 1.0  # 3 + 4 * -1 + 1: the weights sum to 0, nothing to divide by
    assert "weights sum to 0: nothing to normalise" in app.result["summary"]
    assert "mid-grey = 0" in app.result["summary"]
    # cells outside the chosen size are ignored
    app.cells[4][4].value = 100.0
    assert app.result["kernel"].shape == (3, 3)


def test_playground_explains_impossible_combinations(fresh_playground):
    app = fresh_playground
    app.controls["image"].value = "camera"
    app.controls["channels"].value = "RGB"
    assert_explains(app, "grayscale photo")
    app.controls["channels"].value = "grayscale"
    assert "error" not in app.result and app.message.value == "" and app.png
    app.cells[1][1].value = float("nan")
    assert_explains(app, "finite")


def test_playground_takes_your_image():
    image = (np.random.default_rng(0).random((40, 60)) * 255).astype(np.uint8)
    app = widgets.kernel_playground(image=image)
    assert app.controls["image"].value == "your image"
    assert app.result["shape"] == (38, 58, 1)
    np.testing.assert_allclose(
        app.result["output"], conv.conv2d(image / 255, conv.KERNELS["sharpen"]), atol=1e-5
    )
    app.controls["channels"].value = "RGB"
    assert_explains(app, "your image is a grayscale photo")
    app.controls["channels"].value = "grayscale"
    tiny = widgets.kernel_playground(image=np.ones((4, 4, 3)))
    tiny.controls["size"].value = 5
    assert_explains(tiny, "kernel spans 5 pixels")
    tiny.controls["padding"].value = "same"
    assert tiny.result["shape"] == (4, 4, 1)


def test_preset_weights_store_blurs_as_integers_to_normalise():
    weights, normalize = kernels.preset_weights("box_blur", 3)
    np.testing.assert_array_equal(weights, np.ones((3, 3)))
    assert normalize
    weights, normalize = kernels.preset_weights("gaussian", 5)
    assert weights[2, 2] == 36 and weights.sum() == 256 and normalize
    weights, normalize = kernels.preset_weights("sobel_x", 5)
    np.testing.assert_array_equal(weights[1:4, 1:4], conv.KERNELS["sobel_x"])
    assert weights[0].tolist() == [0] * 5 and not normalize


def test_filter_photo_alone():
    photo = data.sample_image("chelsea", size=32)
    result = kernels.filter_photo(photo, np.ones((3, 3)), normalize=True, channels="RGB")
    expected = np.stack([conv.conv2d(photo[..., c], np.ones((3, 3)) / 9) for c in range(3)], -1)
    np.testing.assert_allclose(result["output"], expected, atol=1e-6)
    assert result["shape"] == (30, 30, 3) and "divided by their sum, 9" in result["summary"]
    gray = kernels.filter_photo(photo, conv.KERNELS["outline"], padding="same", preset="outline")
    assert gray["shape"] == (32, 32, 1) and gray["label"] == "outline"
    assert "mid-grey = 0" in gray["summary"] and 0 <= gray["display"].min()
    edited = kernels.filter_photo(photo, np.eye(3), preset="identity")
    assert edited["label"] == "edited identity"
    with pytest.raises(ValueError, match="finite number"):
        kernels.filter_photo(photo, np.full((3, 3), np.inf))
    with pytest.raises(ValueError, match="cam is a grayscale photo"):
        kernels.filter_photo(photo[..., 0], np.eye(3), channels="RGB", name="cam")


def test_zero_sum_output_is_scaled_by_its_99th_percentile():
    photo = data.sample_image("chelsea", size=64, gray=True)
    result = kernels.filter_photo(photo, conv.KERNELS["outline"])
    scale = np.percentile(np.abs(result["output"]), 99)
    expected = np.clip(0.5 + result["output"] / (2 * scale), 0, 1)
    np.testing.assert_allclose(result["display"], expected)
    assert (
        f"mid-grey = 0, white = +{scale:.2g} (the 99th percentile of |value|" in (result["summary"])
    )
    saturated = (result["display"] == 0) | (result["display"] == 1)
    assert 0.005 < np.mean(saturated) <= 0.011  # the strongest 1%, at white or black


def test_filter_photo_adds_a_bias_then_a_relu():
    photo = data.sample_image("chelsea", size=64, gray=True)
    plain = kernels.filter_photo(photo, conv.KERNELS["sobel_x"])
    result = kernels.filter_photo(photo, conv.KERNELS["sobel_x"], bias=-0.1, relu=True)
    np.testing.assert_allclose(result["output"], np.maximum(plain["output"] - 0.1, 0))
    negative = np.mean(plain["output"] - 0.1 < 0)
    assert result["bias"] == -0.1 and result["relu"]
    assert "bias -0.1 added" in result["summary"]
    assert f"ReLU: {negative:.0%} of values (the negative ones) set to 0" in result["summary"]
    assert "black = 0, white = +" in result["summary"]  # nothing negative left: 0 is black
    blurred = kernels.filter_photo(photo, np.ones((3, 3)) / 9, bias=0.5)
    np.testing.assert_allclose(blurred["output"], conv.conv2d(photo, np.ones((3, 3)) / 9) + 0.5)
    with pytest.raises(ValueError, match="bias must be a finite number"):
        kernels.filter_photo(photo, np.eye(3), bias=float("nan"))


def test_playground_bias_and_relu_controls(fresh_playground):
    app = fresh_playground
    assert app.controls["bias"].description == "bias"
    assert app.controls["relu"].description == "ReLU after the kernel"
    before = app.result["output"]
    app.controls["bias"].value = 0.2
    np.testing.assert_allclose(app.result["output"], before + 0.2, atol=1e-6)
    assert "bias +0.2 added" in app.result["summary"]
    app.controls["bias"].value = -0.5
    app.controls["relu"].value = True
    assert app.result["output"].min() == 0 and "ReLU" in app.result["summary"]
    assert app.png


def test_gaussian_description_says_what_the_lesson_measures():
    text = conv.KERNEL_DESCRIPTIONS["gaussian"]
    assert "never inverts fine stripes" in text and "slightly less" in text
    stripes = np.tile([1.0, 0.0], (8, 4))  # 1-pixel vertical stripes
    box = conv.conv2d(stripes, conv.KERNELS["box_blur"])
    gaussian = conv.conv2d(stripes, conv.KERNELS["gaussian"])
    # Output pixels 0 and 1 sit on the stripes 0 and 1: the box blur inverts them (2/3, 1/3).
    np.testing.assert_allclose(box[0, :2], [2 / 3, 1 / 3])
    np.testing.assert_allclose(gaussian[0, :2], [0.5, 0.5])  # flattened, never inverted
