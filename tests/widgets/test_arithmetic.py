"""The convolution-arithmetic explorer and its compute step, ``conv_arithmetic``."""

import itertools

import ipywidgets
import keras
import numpy as np
import pytest

from cnn_lessons import conv, data, widgets
from cnn_lessons.widgets import arithmetic

from .conftest import assert_explains


def _keras_run_shape(photo, kernel_size, stride, padding, dilation):
    """The output shape of real Keras layers run on the photo (batch axis as None)."""
    layers = [keras.Input(photo.shape + (1,))]
    if not isinstance(padding, str):
        layers.append(keras.layers.ZeroPadding2D(padding))
    conv_padding = padding if isinstance(padding, str) else "valid"
    layers.append(
        keras.layers.Conv2D(
            1, kernel_size, strides=stride, padding=conv_padding, dilation_rate=dilation
        )
    )
    output = keras.Sequential(layers)(photo[None, :, :, None])
    return (None, *output.shape[1:])


@pytest.fixture
def explorer():
    return widgets.conv_arithmetic_explorer()


def test_explorer_contract_and_formula(explorer):
    app = explorer
    for name in ("input_size", "kernel_size", "stride", "padding_mode", "padding", "dilation"):
        assert name in app.controls
    assert isinstance(app.controls["stride"], ipywidgets.IntSlider)
    assert app.controls["stride"].description == "stride"
    assert app.result["summary"].startswith("output 7 x 7: floor((7 + 2*1 - 3) / 1) + 1 = 7")
    app.controls["stride"].value = 2
    assert "floor((7 + 2*1 - 3) / 2) + 1 = 4" in app.result["summary"]
    assert app.result["output_size"] == 4 and app.controls["step"].max == 15
    app.controls["padding_mode"].value = "same"
    app.controls["kernel_size"].value = 4
    assert "ceil(7 / 2) = 4, padding 1 before and 2 after" in app.result["formula"]
    assert app.result["padding_amounts"] == (1, 2)
    app.controls["padding_mode"].value = "valid"
    app.controls["stride"].value = 1
    app.controls["dilation"].value = 2
    assert app.result["formula"] == "k_eff = 2*(4 - 1) + 1 = 7; floor((7 + 2*0 - 7) / 1) + 1 = 1"


def test_every_explorer_control_changes_the_result(explorer):
    app = explorer
    for name, value in [
        ("input_size", 9),
        ("kernel_size", 5),
        ("stride", 2),
        ("padding_mode", "same"),
        ("padding_mode", "explicit"),
        ("padding", 2),
        ("stride", 1),
        ("dilation", 2),
        ("step", 4),
    ]:
        before, picture = app.result, app.png
        app.controls[name].value = value
        assert "error" not in app.result, (name, value, app.result)
        assert before["summary"] != app.result["summary"] or before["step"] != app.result["step"]
        assert app.png != picture, f"changing {name} did not redraw"


def test_explorer_redraws_once_per_move_and_keeps_step_in_range(explorer, redraws):
    app = explorer
    app.controls["step"].value = 48  # the last of 7 x 7 positions
    drawn = redraws(app)
    app.controls["stride"].value = 2  # 4 x 4 positions now: step is clamped to 15
    assert len(drawn) == 1
    assert app.controls["step"].max == 15 and app.result["step"] == 15
    assert app.result["window"] == (6, 6)
    app.controls["step"].value = 5
    assert len(drawn) == 2 and app.result["window"] == (2, 2)
    assert app.play.max == 15


def test_explorer_shape_equals_conv2d_and_keras_over_a_grid(explorer):
    app = explorer
    photo = data.sample_image("camera", size=96)
    settings = itertools.product((3, 5), (1, 2, 3), ("valid", "same", 0, 2), (1, 2))
    app.controls["input_size"].value = 12
    checked = 0
    for kernel_size, stride, padding, dilation in settings:
        if stride > 1 and dilation > 1:
            continue
        app.controls["padding_mode"].value = padding if isinstance(padding, str) else "explicit"
        if not isinstance(padding, str):
            app.controls["padding"].value = padding
        app.controls["kernel_size"].value = kernel_size
        app.controls["stride"].value = stride
        app.controls["dilation"].value = dilation
        result = app.result
        assert "error" not in result, result
        expected = conv.output_size(
            12, kernel_size, stride=stride, padding=padding, dilation=dilation
        )
        assert result["output_size"] == expected
        filtered = conv.conv2d(
            photo,
            np.full((kernel_size, kernel_size), 1 / kernel_size**2, dtype=np.float32),
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
        np.testing.assert_allclose(result["output"], filtered, atol=1e-6)
        # Keras, asked independently of the app: real layers run on the photo
        assert (
            _keras_run_shape(photo, kernel_size, stride, padding, dilation)
            == (result["keras_shape"])
        )
        assert result["keras_shape"][1:3] == filtered.shape and result["agrees"]
        assert result["summary"].endswith(": equal")
        checked += 1
    assert checked == 32


def test_explorer_keras_shape_matches_a_real_keras_layer(explorer):
    app = explorer
    app.controls["padding_mode"].value = "same"
    app.controls["kernel_size"].value = 4
    app.controls["stride"].value = 3
    photo = data.sample_image("camera", size=96)
    layer = keras.layers.Conv2D(1, 4, strides=3, padding="same")
    output = keras.ops.convert_to_numpy(layer(photo[None, :, :, None]))
    assert output.shape[1:3] == app.result["shape"] == (32, 32)


def test_explorer_explains_impossible_combinations(explorer):
    app = explorer
    app.controls["stride"].value = 2
    app.controls["dilation"].value = 2
    assert_explains(app, "Keras does not allow stride > 1 together with dilation > 1")
    app.controls["stride"].value = 1
    assert "error" not in app.result and app.png
    app.controls["padding_mode"].value = "valid"
    app.controls["input_size"].value = 3
    app.controls["kernel_size"].value = 7
    assert_explains(app, "kernel spans 13 pixels", "only 3 pixels")
    app.controls["dilation"].value = 1
    assert_explains(app, "kernel spans 7 pixels")
    app.controls["padding_mode"].value = "explicit"
    app.controls["padding"].value = 2
    assert "error" not in app.result and app.result["output_size"] == 1
    tiny = widgets.conv_arithmetic_explorer(image=np.ones((5, 5)))
    tiny.controls["kernel_size"].value = 7
    tiny.controls["padding"].value = 0
    assert_explains(tiny, "not on the photo")


def test_explorer_every_reachable_setting_draws_or_explains():
    """Walk the whole range of every slider once: always a figure or an explanation."""
    app = widgets.conv_arithmetic_explorer()
    for name in ("input_size", "kernel_size", "stride", "padding", "dilation"):
        control = app.controls[name]
        for mode in ("valid", "same", "explicit"):
            app.controls["padding_mode"].value = mode
            for value in range(control.min, control.max + 1):
                control.value = value
                assert ("error" in app.result) != (app.png is not None)
                assert app.controls["step"].value <= app.controls["step"].max
        control.value = {"input_size": 7, "kernel_size": 3}.get(name, control.min)


def test_conv_arithmetic_alone_and_its_formula():
    photo = data.sample_image("camera", size=24)
    result = arithmetic.conv_arithmetic(photo, input_size=7, kernel_size=3, stride=2, padding=1)
    assert result["output_size"] == 4 and result["padding_amounts"] == (1, 1)
    assert result["formula"] == "floor((7 + 2*1 - 3) / 2) + 1 = 4"
    assert result["shape"] == (12, 12) and result["agrees"]
    assert arithmetic.size_formula(7, 4, stride=2, padding="same", dilation=1) == (
        "same: ceil(7 / 2) = 4, padding 1 before and 2 after"
    )
    with pytest.raises(ValueError, match="Keras does not allow stride > 1 together"):
        arithmetic.conv_arithmetic(photo, input_size=7, kernel_size=3, stride=2, dilation=2)
    with pytest.raises(ValueError, match="step must be between 0 and 15"):
        arithmetic.conv_arithmetic(photo, input_size=7, kernel_size=3, stride=2, padding=1, step=16)


def test_explorer_grids_up_to_32_pixels_with_a_legend(explorer):
    app = explorer
    assert app.controls["input_size"].max == 32
    app.controls["input_size"].value = 32
    assert app.result["output_size"] == 32 and app.controls["step"].max == 32 * 32 - 1
    assert app.result["summary"].startswith("output 32 x 32: floor((32 + 2*1 - 3) / 1) + 1 = 32")
    app.controls["step"].value = 1023
    assert app.result["window"] == (31, 31) and app.png
    legend = app.canvas.artists["legend"]  # a picture of the legend, pasted in once
    assert legend in app.canvas.figure.images and legend.get_array().shape[2] == 4
    assert len({tuple(pixel) for pixel in legend.get_array().reshape(-1, 4)}) > 5
    assert app.median_update("stride", [1, 2, 3], repeats=3) < 1.0  # a loose bound under load
