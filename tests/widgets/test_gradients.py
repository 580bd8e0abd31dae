"""The gradient-flow explorer and its compute step, ``flow``, driven without a browser."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnn_lessons import backprop, conv, widgets
from cnn_lessons.widgets import gradients


@pytest.fixture(scope="module")
def explorer():
    return widgets.gradient_flow_explorer()


def test_app_starts_on_a_pixel_whose_gradient_reaches_the_input(explorer):
    app = explorer
    assert set(app.controls) == {
        "kernel_size",
        "stride",
        "pooling",
        "target",
        "row",
        "col",
        "label",
        "zoom",
    }
    result = app.result
    assert result["output"].shape == (13, 13)
    assert result["conv_pixels"] == 1 and result["input_pixels"] == 9
    assert result["kernel_weights"] <= 9
    assert "reaches 1 convolution pixel(s), 9 input pixels" in app.summary.value
    assert app.png is not None and "image/png" in app.output.outputs[0]["data"]


def test_geometry_controls_resize_the_output_and_the_pixel_sliders(explorer):
    app = explorer
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


def test_a_geometry_change_redraws_once(explorer, redraws):
    app = explorer
    drawn = redraws(app)
    app.controls["kernel_size"].value = 7  # clamps row and col too
    app.controls["kernel_size"].value = 3
    assert len(drawn) == 2


def test_max_pooling_routes_to_one_pixel_and_average_pooling_to_four(explorer):
    app = explorer
    app.controls["pooling"].value = "avg"
    averaged = app.result
    app.controls["pooling"].value = "max"
    assert app.result["conv_pixels"] == 1
    assert averaged["conv_pixels"] <= 4
    assert np.count_nonzero(averaged["feature_gradient"]) == 4


def test_a_pixel_where_the_relu_is_off_gets_no_gradient(explorer):
    app = explorer
    output = app.result["pre_activation"]
    dead = np.argwhere(conv.pool2d(output, 2) <= 0)[0]
    app.controls["row"].value, app.controls["col"].value = (int(index) for index in dead)
    assert app.result["input_pixels"] == 0
    assert "no gradient flows back" in app.result["summary"]
    assert "error" not in app.result and app.png is not None


def test_class_loss_target_uses_every_output_pixel(explorer):
    app = explorer
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


def test_every_panel_states_its_colour_scale(explorer):
    app = explorer
    titles = [title.get_text() for title in app.canvas.titles]
    assert titles[0] == "input x: 0 to 1"
    limit = np.abs(app.result["kernel"]).max()
    assert titles[1] == f"kernel K: ±{limit:.2g}"
    assert titles[3].startswith("output 13x13: 0 to ")
    assert titles[7] == "dL/d output: ±1"
    assert all(f"colour bar {index}" in app.canvas.artists for index in range(8))


def test_zoom_shows_the_box_and_three_pixels_around_it(explorer):
    app = explorer
    brightest = np.unravel_index(np.argmax(app.result["output"]), app.result["output"].shape)
    with app.hold_redraws():
        app.controls["row"].value, app.controls["col"].value = (int(i) for i in brightest)
        app.controls["zoom"].value = True
    ax, title = app.canvas.axes[4], app.canvas.titles[4]
    rows, cols = np.nonzero(app.result["image_gradient"])
    assert title.get_text().startswith("dL/dx, zoomed")
    left, right = ax.get_xlim()
    assert left == max(cols.min() - gradients.ZOOM_MARGIN, 0) - 0.5
    assert right == min(cols.max() + gradients.ZOOM_MARGIN, 27) + 0.5
    app.controls["zoom"].value = False
    assert ax.get_xlim() == (-0.5, 27.5) and title.get_text().startswith("dL/dx: ")
    app.controls["zoom"].value = True


def test_class_loss_gradient_matches_finite_differences_through_the_whole_layer():
    result = gradients.flow(kernel_size=3, stride=2, pooling="avg", target="class")
    templates = gradients._templates(3, 2, "avg")
    image, kernel, label = result["image"], result["kernel"], result["settings"]["label"]

    def loss(k):
        output = backprop.gradient_flow(image, k, stride=2, pooling="avg")["output"]
        return backprop.class_loss_gradient(output, templates, label)[0]

    numeric = backprop.numerical_gradient(loss, kernel)
    assert backprop.relative_error(result["kernel_gradient"], numeric) < 1e-6


def test_flow_explains_impossible_settings():
    with pytest.raises(ValueError, match="2x2 pooling needs a feature map"):
        gradients.flow(image=np.ones((8, 8)), kernel_size=7, stride=3, label=0)
    with pytest.raises(ValueError, match="outside the 13 x 13 output"):
        gradients.flow(row=13)
    with pytest.raises(ValueError, match="target must be one of .pixel., .class., got"):
        gradients.flow(target="everything")
    with pytest.raises(ValueError, match="needs a label"):
        gradients.flow(image=np.ones((8, 8)), target="class")


def test_app_kernel_is_fixed_and_read_only():
    kernel = gradients.app_kernel(3)
    np.testing.assert_array_equal(kernel, gradients.app_kernel(3))
    assert kernel.sum() > 0 and not kernel.flags.writeable


def test_flow_figure_draws_eight_panels_for_a_lesson():
    figure = gradients.flow_figure(gradients.flow(target="class"), zoom=True)
    assert isinstance(figure, Figure) and len(figure.axes) == 8
    assert "own colour scale" in figure.get_suptitle()
