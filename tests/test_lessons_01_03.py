"""Lessons 01-03: the kernel playground, the arithmetic explorer, the pooling explorer, their
drawing helpers and the exercise checks."""

import itertools
import statistics
import time

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnn_lessons import checks, conv, data, plots, widgets


def redraw_counter(app):
    """A list whose length counts the figures the app draws from now on."""
    redraws = []
    app.figure.observe(lambda change: redraws.append(change), names="value")
    return redraws


def png(app):
    return app.output.outputs[0]["data"]["image/png"]


def assert_explains(app, *words):
    """The app shows an explanation (with ``words``) instead of a figure, never a traceback."""
    assert set(app.result) == {"error"}, app.result
    for word in words:
        assert word in app.result["error"]
    assert "Not possible" in app.message.value and "Traceback" not in app.message.value
    assert app.output.outputs == () and app.summary.value == ""


def update_latency(app, name, values, repeats=9):
    """Median seconds of one control change (compute, draw and PNG), measured in-process."""
    timings = []
    control = app.controls[name]
    for repeat in range(repeats):
        value = values[repeat % len(values)]
        if value == control.value:
            value = values[(repeat + 1) % len(values)]
        start = time.perf_counter()
        control.value = value
        timings.append(time.perf_counter() - start)
        assert "error" not in app.result
    return statistics.median(timings)


# --- kernel_playground ------------------------------------------------------------------------


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
    assert png(playground)


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
        picture = png(app)
        app.controls[name].value = value
        assert app.controls[name].value == value
        assert "error" not in app.result, (name, app.result)
        different = (
            before["output"].shape != app.result["output"].shape
            or not np.allclose(before["output"], app.result["output"])
            or before["summary"] != app.result["summary"]
        )
        assert different, f"changing {name} changed nothing"
        assert png(app) != picture, f"changing {name} did not redraw"


def test_a_preset_fills_the_cells_and_redraws_once(fresh_playground):
    app = fresh_playground
    redraws = redraw_counter(app)
    app.controls["preset"].value = "box_blur"
    assert len(redraws) == 1
    assert all(app.cells[row][col].value == 1.0 for row in range(3) for col in range(3))
    assert app.controls["normalize"].value is True  # 1s divided by their sum: the 1/9 blur
    np.testing.assert_allclose(app.result["kernel"], np.full((3, 3), 1 / 9))
    app.controls["size"].value = 5
    assert len(redraws) == 2
    np.testing.assert_allclose(app.result["kernel"], np.full((5, 5), 1 / 25))
    app.controls["preset"].value = "gaussian"
    assert len(redraws) == 3 and app.cells[2][2].value == 36.0
    np.testing.assert_allclose(app.result["kernel"].sum(), 1.0)
    app.controls["preset"].value = "sobel_y"  # a 3x3 preset sits in the middle of the 5x5
    assert app.controls["normalize"].value is False
    np.testing.assert_array_equal(app.result["kernel"][1:4, 1:4], conv.KERNELS["sobel_y"])
    assert app.result["kernel"][0].tolist() == [0] * 5 and len(redraws) == 4


def test_editing_a_cell_changes_the_kernel(fresh_playground):
    app = fresh_playground
    redraws = redraw_counter(app)
    app.cells[0][0].value = 3.0
    assert len(redraws) == 1 and app.result["kernel"][0, 0] == 3.0
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
    assert "error" not in app.result and app.message.value == "" and png(app)
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


@pytest.mark.parametrize(
    "image, error",
    [
        (np.zeros((10, 10, 2)), ValueError),
        (np.zeros((600, 10)), ValueError),
        (np.array([["a"]]), TypeError),
        (np.full((5, 5), np.nan), ValueError),
    ],
)
def test_apps_reject_bad_images(image, error):
    for factory in (
        widgets.kernel_playground,
        widgets.conv_arithmetic_explorer,
        widgets.pooling_explorer,
    ):
        with pytest.raises(error, match="image"):
            factory(image=image)


# --- conv_arithmetic_explorer -----------------------------------------------------------------


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
        before, picture = app.result, png(app)
        app.controls[name].value = value
        assert "error" not in app.result, (name, value, app.result)
        assert before["summary"] != app.result["summary"] or before["step"] != app.result["step"]
        assert png(app) != picture, f"changing {name} did not redraw"


def test_explorer_redraws_once_per_move_and_keeps_step_in_range(explorer):
    app = explorer
    app.controls["step"].value = 48  # the last of 7 x 7 positions
    redraws = redraw_counter(app)
    app.controls["stride"].value = 2  # 4 x 4 positions now: step is clamped to 15
    assert len(redraws) == 1
    assert app.controls["step"].max == 15 and app.result["step"] == 15
    assert app.result["window"] == (6, 6)
    app.controls["step"].value = 5
    assert len(redraws) == 2 and app.result["window"] == (2, 2)
    assert app.play.max == 15


def test_explorer_shape_equals_conv2d_and_keras_over_a_grid(explorer):
    keras = pytest.importorskip("keras")
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
        # Keras, asked independently of the app
        shape = (None, 96, 96, 1)
        if not isinstance(padding, str):
            shape = keras.layers.ZeroPadding2D(padding).compute_output_shape(shape)
        layer = keras.layers.Conv2D(
            1,
            kernel_size,
            strides=stride,
            padding=padding if isinstance(padding, str) else "valid",
            dilation_rate=dilation,
        )
        assert tuple(layer.compute_output_shape(shape)) == result["keras_shape"]
        assert result["keras_shape"][1:3] == filtered.shape and result["agrees"]
        assert result["summary"].endswith(": equal")
        checked += 1
    assert checked == 32


def test_explorer_keras_shape_matches_a_real_keras_layer(explorer):
    keras = pytest.importorskip("keras")
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
    assert "error" not in app.result and png(app)
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
                assert ("error" in app.result) != bool(app.output.outputs)
                assert app.controls["step"].value <= app.controls["step"].max
        control.value = {"input_size": 7, "kernel_size": 3}.get(name, control.min)


# --- pooling_explorer -------------------------------------------------------------------------


@pytest.fixture
def pooling():
    return widgets.pooling_explorer()


def test_pooling_equals_pool2d(pooling):
    app = pooling
    photo = data.sample_image("chelsea", size=128, gray=True)
    features = np.maximum(conv.conv2d(photo, conv.KERNELS["outline"]), 0)
    np.testing.assert_allclose(app.result["feature_map"], features, atol=1e-6)
    np.testing.assert_allclose(app.result["output"], conv.pool2d(features, 2), atol=1e-6)
    assert app.result["summary"].startswith(
        "max pooling 2x2, stride 2, valid: feature map 126 x 126 → output 63 x 63"
    )
    for mode in ("avg", "min"):
        app.controls["mode"].value = mode
        np.testing.assert_allclose(
            app.result["output"], conv.pool2d(features, 2, mode=mode), atol=1e-6
        )
    app.controls["padding"].value = "same"
    app.controls["pool_size"].value = 3
    np.testing.assert_allclose(
        app.result["output"],
        conv.pool2d(features, 3, stride=2, padding="same", mode="min"),
        atol=1e-6,
    )


def test_every_pooling_control_changes_the_result(pooling):
    app = pooling
    for name, value in [
        ("filter", "sobel_x"),
        ("relu", False),
        ("pool_size", 3),
        ("stride", 4),
        ("padding", "same"),
        ("mode", "avg"),
    ]:
        before, picture = app.result, png(app)
        app.controls[name].value = value
        assert "error" not in app.result
        assert before["output"].shape != app.result["output"].shape or not np.allclose(
            before["output"], app.result["output"]
        ), name
        assert png(app) != picture


def test_pooling_summary_says_when_windows_overlap(pooling):
    app = pooling
    assert not app.result["overlap"] and "divided by 2" in app.result["summary"]
    app.controls["pool_size"].value = 3
    assert app.result["overlap"] and "overlapping windows" in app.result["summary"]
    app.controls["stride"].value = 5
    assert not app.result["overlap"] and "never looked at" in app.result["summary"]


def test_pooling_explains_a_window_larger_than_the_map():
    app = widgets.pooling_explorer(image=np.random.default_rng(0).random((8, 8)))
    assert app.result["shape"] == (3, 3)  # 6 x 6 feature map
    app.controls["pool_size"].value = 7
    assert_explains(app, "pool_size")
    app.controls["padding"].value = "same"
    assert app.result["shape"] == (3, 3)


# --- latency ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory, control, values",
    [
        (widgets.kernel_playground, "preset", ["box_blur", "sharpen", "outline", "sobel_x"]),
        (widgets.conv_arithmetic_explorer, "stride", [1, 2, 3]),
        (widgets.pooling_explorer, "pool_size", [2, 3, 4]),
    ],
)
def test_one_update_is_quick(factory, control, values):
    # The goal is 100 ms on an idle laptop (benchmarks/widget_latency.py measures it); this
    # generous bound only catches a redraw that became pathologically slow.
    assert update_latency(factory(), control, values) < 1.0


# --- drawing helpers --------------------------------------------------------------------------


def test_plot_conv_grid_marks_the_window():
    input_ax, output_ax = plots.plot_conv_grid(5, 3, stride=2, padding=(1, 1), dilation=1, step=3)
    grid = input_ax.images[0].get_array()
    assert grid.shape == (7, 7, 3)
    taps = np.all(np.isclose(grid, (0.96, 0.55, 0.16)), axis=-1)
    # step 3 of a 3 x 3 output is row 1, column 0: the window starts 2 rows down
    assert np.argwhere(taps).min(axis=0).tolist() == [2, 0] and taps.sum() == 9
    assert output_ax.images[0].get_array().shape == (3, 3, 3)
    dilated, _ = plots.plot_conv_grid(7, 3, dilation=2, padding=(0, 0), step=0)
    assert np.all(np.isclose(dilated.images[0].get_array(), (0.96, 0.55, 0.16)), axis=-1).sum() == 9
    with pytest.raises(ValueError, match="step"):
        plots.plot_conv_grid(5, 3, step=9)
    with pytest.raises(ValueError, match="spans"):
        plots.plot_conv_grid(3, 5)


def test_plot_pooling_windows_and_kernel_values():
    ax = plots.plot_pooling_windows(np.arange(100.0).reshape(10, 10), 3, stride=2, count=3)
    assert len(ax.patches) == 3
    assert [patch.get_x() for patch in ax.patches] == pytest.approx([-0.5, 1.62, 3.74])
    ax = plots.plot_kernel_values(conv.KERNELS["sobel_x"], title="sobel x")
    assert [text.get_text() for text in ax.texts[:3]] == ["-1", "0", "1"]
    assert ax.get_title() == "sobel x"
    with pytest.raises(ValueError, match="2-D"):
        plots.plot_kernel_values(np.ones((3, 3, 3)))
    plt.close("all")


# --- checks -----------------------------------------------------------------------------------


def _cross_correlate(image, kernel):
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    return np.array(
        [[np.sum(image[i : i + kh, j : j + kw] * kernel) for j in range(cols)] for i in range(rows)]
    )


def _max_pool(x):
    rows, cols = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * rows, : 2 * cols].reshape(rows, 2, cols, 2).max(axis=(1, 3))


@pytest.mark.parametrize(
    "check, right, wrong",
    [
        (
            checks.check_cross_correlation,
            _cross_correlate,
            lambda image, kernel: _cross_correlate(image, kernel[::-1, ::-1]),
        ),
        (
            checks.check_output_size,
            lambda n, k, s, p: (n + 2 * p - k) // s + 1,
            lambda n, k, s, p: round((n + 2 * p - k) / s) + 1,
        ),
        (checks.check_max_pool, _max_pool, lambda x: np.maximum(_max_pool(x), 0)),
    ],
)
def test_checks_pass_right_and_fail_wrong_answers(check, right, wrong, capsys):
    assert check(right)
    assert "✔" in capsys.readouterr().out
    assert not check(wrong)
    assert not check(lambda *args: None, verbose=False)
    output = capsys.readouterr().out
    assert "✘" in output and "Hint" in output
