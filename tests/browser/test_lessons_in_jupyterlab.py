"""Every app of every lesson, in a real JupyterLab: open the lesson, run it, move the controls.

One test per lesson that has an app. Each runs the lesson up to its last app (nbval runs every
cell already; the cells after the apps add nothing here), finds its apps by their title
or a control's label (never by cell position: lessons change), and moves at least one control
of every app the way a learner does: sliders with the keyboard, dropdowns by selection,
checkboxes and toggle buttons by clicking. After each move it waits for a new figure (its
``blob:`` URL changes) and, where the move changes what the summary line says, a new summary.
Apps that can be set to something impossible are driven there, and must show their
explanation, never a traceback, then come back when the setting is undone.
"""

from __future__ import annotations

import re

import pytest
from lab_driver import (  # noqa: F401  (open_and_run and press_on_slider: used by other tests)
    app_titled,
    app_with_control,
    click_checkbox,
    click_toggle,
    figure_source,
    move_slider,
    open_and_run,
    press_key,
    press_on_slider,
    redraw_milliseconds,
    select_option,
    summary_text,
    ticked_checkboxes,
    wait_for_change,
    wait_for_explanation,
    wait_for_figure,
)

pytestmark = pytest.mark.browser


def test_lesson_00_dataset_browser(page, lab):
    open_and_run(page, lab, "00_welcome.ipynb", through="widgets.dataset_browser(")
    app = app_with_control(page, "index")
    move_slider(page, app, "index", "ArrowRight")
    assert summary_text(app).startswith("label ")
    _, after = select_option(page, app, "dataset", "animals")
    assert re.match(r"label \d+: [a-z]", after), after  # "label 6: giraffe", not a digit
    click_toggle(page, app, "test", summary=False)  # a test image may share the label
    click_checkbox(page, app, "show pixel values", summary=False)


def test_lesson_01_kernel_playground(page, lab):
    open_and_run(page, lab, "01_convolution.ipynb", through="widgets.kernel_playground(")
    app = app_titled(page, "Image kernels")
    _, after = select_option(page, app, "preset", "box_blur")
    assert "weights divided by their sum, 9" in after
    select_option(page, app, "padding", "same")
    assert "same: zero padding keeps the size" in summary_text(app)
    click_checkbox(page, app, "normalize")
    # Impossible: colour channels of a grayscale photo.
    select_option(page, app, "image", "camera", summary=False)
    select_option(page, app, "channels", "RGB", redraw=False)
    wait_for_explanation(app, "camera is a grayscale photo")
    select_option(page, app, "channels", "grayscale", redraw=False)
    wait_for_figure(app)


def test_lesson_02_conv_arithmetic_explorer(page, lab):
    open_and_run(page, lab, "02_stride_padding.ipynb", through="widgets.conv_arithmetic_explorer(")
    app = app_titled(page, "Convolution arithmetic")
    _, summary_before = press_on_slider(page, app, "stride", "ArrowRight")
    summary_after = summary_text(app)
    assert summary_after != summary_before and "output" in summary_after
    assert figure_source(app).startswith("blob:")  # binary PNG, not base64 text
    timings = redraw_milliseconds(page, app, "stride", ["ArrowRight", "ArrowLeft"] * 6)
    median = sorted(timings)[len(timings) // 2]
    print(f"lesson 02 stride: key press to new figure, median {median:.0f} ms of {timings}")
    # The goal is 100 ms on an idle laptop; this bound only catches a redraw gone wrong.
    assert median < 1000
    _, after = select_option(page, app, "padding_mode", "valid")
    assert "floor((7 + 2*0 - 3) / 2) + 1 = 3" in after
    move_slider(page, app, "step", "ArrowRight", summary=False)  # the summary has no step
    # Impossible in Keras: stride 2 with dilation 2.
    press_key(page, app, "dilation", "ArrowRight")
    wait_for_explanation(app, "stride > 1 together with dilation > 1")
    press_key(page, app, "dilation", "ArrowLeft")
    wait_for_figure(app)


def test_lesson_03_pooling_explorer(page, lab):
    open_and_run(page, lab, "03_pooling.ipynb", through="widgets.pooling_explorer(")
    app = app_titled(page, "Pooling a feature map")
    move_slider(page, app, "pool_size", "ArrowRight")
    assert summary_text(app).startswith("max pooling 3x3")
    _, after = select_option(page, app, "mode", "avg")
    assert after.startswith("average pooling")
    select_option(page, app, "padding", "same")
    select_option(page, app, "filter", "sobel_x", summary=False)  # the summary has no filter
    click_checkbox(page, app, "ReLU after the filter", summary=False)


def test_lesson_04_gradient_flow_explorer(page, lab):
    open_and_run(page, lab, "04_how_cnns_learn.ipynb", through="widgets.gradient_flow_explorer(")
    app = app_titled(page, "Where does the gradient flow?")
    readout = move_slider(page, app, "row", "ArrowLeft")
    assert f"output 13 x 13, pixel ({readout}," in summary_text(app)
    move_slider(page, app, "kernel_size", "ArrowRight")
    assert summary_text(app).startswith("output 12 x 12")
    _, after = select_option(page, app, "pooling", "none")
    assert after.startswith("output 25 x 25")
    _, after = click_toggle(page, app, "loss on one class")
    assert after.startswith("loss for class 0")
    # Zoom changes the figure only where gradient flows (every ReLU may be off at one pixel).
    click_checkbox(page, app, "zoom dL/dx and dL/d(conv) in on their boxes", summary=False)
    _, after = select_option(page, app, "class", "3")
    assert after.startswith("loss for class 3")


def test_lesson_05_prediction_explorer(page, lab):
    open_and_run(page, lab, "05_first_cnn.ipynb", through="widgets.prediction_explorer(")
    app = app_titled(page, "Prediction explorer")
    click_checkbox(page, app, "only mistakes")
    checked = "only mistakes" in ticked_checkboxes(app)
    move_slider(page, app, "mistake" if checked else "image", "ArrowRight")
    assert "images misclassified; showing image" in summary_text(app)


def test_lesson_06_optimizer_trajectories(page, lab):
    open_and_run(page, lab, "06_optimizers.ipynb", through="widgets.optimizer_trajectories(")
    app = app_titled(page, "Optimizers on a 2-D loss surface")
    move_slider(page, app, "learning rate", "ArrowRight")
    select_option(page, app, "surface", "rosenbrock")
    move_slider(page, app, "steps", "ArrowLeft")
    assert summary_text(app).startswith("50 steps")
    # Impossible: no optimizer ticked. Untick them one by one; the last one leaves nothing.
    ticked = ticked_checkboxes(app)
    assert ticked, "no optimizer is ticked at the start"
    for name in ticked[:-1]:
        click_checkbox(page, app, name, summary=False)  # the best one may stay the best
    click_checkbox(page, app, ticked[-1], redraw=False)
    wait_for_explanation(app, "no optimizer is ticked")
    click_checkbox(page, app, "Adam", redraw=False)
    wait_for_figure(app)
    assert "Adam" in summary_text(app)


def test_lesson_09_augmentation_explorer(page, lab):
    open_and_run(page, lab, "09_augmentation.ipynb", through="widgets.augmentation_explorer(")
    app = app_titled(page, "Random augmentations")
    move_slider(page, app, "seed", "ArrowRight")
    assert summary_text(app).endswith("seed 1")
    move_slider(page, app, "rotation (°)", "ArrowRight")
    select_option(page, app, "flip", "vertical")
    select_option(page, app, "fill mode", "wrap")


def test_lesson_11_feature_maps_and_the_occlusion_app(page, lab):
    open_and_run(page, lab, "11_visualizing.ipynb", through="widgets.make_app(")
    browser = app_titled(page, "Feature maps")
    move_slider(page, browser, "channel", "ArrowRight")
    move_slider(page, browser, "image", "ArrowRight")
    layers = browser.locator(".widget-dropdown select")
    other = next(name for name in layers.locator("option").all_inner_texts() if name != "conv1")
    select_option(page, browser, "layer", "conv1" if layers.input_value() != "conv1" else other)
    # The lesson's own app (made with widgets.make_app): its summary names the patch and stride.
    occlusion = app_with_control(page, "patch size")
    readout = move_slider(page, occlusion, "patch size", "ArrowRight")
    assert summary_text(occlusion).startswith(f"patch {readout}, stride 2:")
    move_slider(page, occlusion, "stride", "ArrowRight")
    move_slider(page, occlusion, "image", "ArrowRight", summary=False)  # may peak at one pixel


def test_lesson_13_fgsm_explorer(page, lab):
    open_and_run(page, lab, "13_interpretability.ipynb", through="widgets.fgsm_explorer(")
    app = app_titled(page, "Fast gradient sign method")
    readout = move_slider(page, app, "epsilon", "ArrowLeft")
    assert summary_text(app).startswith(f"epsilon {readout}:")
    move_slider(page, app, "image", "ArrowRight")
