"""The gradient-flow app of the "How a CNN learns" lesson, driven without a browser."""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnn_lessons import backprop, conv, gradient_app


@pytest.fixture(scope="module")
def app():
    return gradient_app.gradient_flow_explorer()


def test_app_starts_on_a_pixel_whose_gradient_reaches_the_input(app):
    assert set(app.controls) == {
        "kernel_size",
        "stride",
        "pooling",
        "target",
        "row",
        "col",
        "label",
    }
    result = app.result
    assert result["output"].shape == (13, 13)
    assert result["conv_pixels"] == 1 and result["input_pixels"] == 9
    assert result["kernel_weights"] <= 9
    assert "reaches 1 convolution pixel(s), 9 input pixels" in result["summary"]
    assert app.output.outputs and "image/png" in app.output.outputs[0]["data"]


def test_geometry_controls_resize_the_output_and_the_pixel_sliders(app):
    app.controls["kernel_size"].value = 5
    app.controls["stride"].value = 2
    side = conv.output_size(28, 5, stride=2) // 2
    assert app.result["output"].shape == (side, side)
    assert app.controls["row"].max == app.controls["col"].max == side - 1
    app.controls["pooling"].value = "none"
    assert app.result["output"].shape == (12, 12) and app.controls["row"].max == 11
    app.controls["row"].value = 11
    app.controls["kernel_size"].value = 7  # 11 x 11 output: the row is clamped to 10
    assert app.controls["row"].value == 10 and app.result["settings"]["row"] == 10
    assert "error" not in app.result
    for name, value in [("kernel_size", 3), ("stride", 1), ("pooling", "max")]:
        app.controls[name].value = value


def test_max_pooling_routes_to_one_pixel_and_average_pooling_to_four(app):
    app.controls["pooling"].value = "avg"
    averaged = app.result
    app.controls["pooling"].value = "max"
    assert app.result["conv_pixels"] == 1
    assert averaged["conv_pixels"] <= 4
    assert np.count_nonzero(averaged["feature_gradient"]) == 4


def test_a_pixel_where_the_relu_is_off_gets_no_gradient(app):
    output = app.result["pre_activation"]
    dead = np.argwhere(conv.pool2d(output, 2) <= 0)[0]
    app.controls["row"].value, app.controls["col"].value = (int(index) for index in dead)
    assert app.result["input_pixels"] == 0
    assert "no gradient flows back" in app.result["summary"]


def test_class_loss_target_uses_every_output_pixel(app):
    app.controls["target"].value = "class"
    assert app.controls["row"].disabled and not app.controls["label"].disabled
    first = app.result
    assert first["loss"] == pytest.approx(
        -np.log(first["probabilities"][first["settings"]["label"]])
    )
    assert first["input_pixels"] > 100
    app.controls["label"].value = (first["settings"]["label"] + 1) % 10
    assert app.result["loss"] != first["loss"]
    assert app.result["summary"].startswith("loss for class")
    app.controls["target"].value = "pixel"
    assert not app.controls["row"].disabled


def test_class_loss_gradient_matches_finite_differences_through_the_whole_layer():
    result = gradient_app.flow(kernel_size=3, stride=2, pooling="avg", target="class")
    templates = gradient_app._templates(3, 2, "avg")
    image, kernel, label = result["image"], result["kernel"], result["settings"]["label"]

    def loss(k):
        output = backprop.gradient_flow(image, k, stride=2, pooling="avg")["output"]
        return backprop.class_loss_gradient(output, templates, label)[0]

    numeric = backprop.numerical_gradient(loss, kernel)
    assert backprop.relative_error(result["kernel_gradient"], numeric) < 1e-6


def test_flow_explains_impossible_settings():
    with pytest.raises(ValueError, match="2x2 pooling needs a feature map"):
        gradient_app.flow(image=np.ones((8, 8)), kernel_size=7, stride=3, label=0)
    with pytest.raises(ValueError, match="outside the 13 x 13 output"):
        gradient_app.flow(row=13)
    with pytest.raises(ValueError, match="target must be one of .pixel., .class., got"):
        gradient_app.flow(target="everything")
    with pytest.raises(ValueError, match="needs a label"):
        gradient_app.flow(image=np.ones((8, 8)), target="class")


def test_app_kernel_is_fixed_and_read_only():
    kernel = gradient_app.app_kernel(3)
    np.testing.assert_array_equal(kernel, gradient_app.app_kernel(3))
    assert kernel.sum() > 0 and not kernel.flags.writeable


def test_draw_flow_draws_eight_panels():
    figure = gradient_app.draw_flow(gradient_app.flow(target="class"))
    assert isinstance(figure, Figure) and len(figure.axes) == 8


def test_a_slider_move_redraws_quickly(app):
    """The goal is 100 ms on an idle laptop; this only guards against a large regression."""
    timings = []
    for value in [5, 6, 7, 8] * 5:
        start = time.perf_counter()
        app.controls["row"].value = value
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.5
