"""The App contract: controls drive compute and draw; errors explain; redraws are held."""

import base64

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnn_lessons import widgets

from .conftest import assert_explains


def _compute(size):
    if size > 3:
        raise ValueError(f"size must be at most 3, got {size}")
    return {"size": size, "summary": f"<b>{size}</b> points"}


def _draw(result, canvas):
    canvas.clear()
    canvas.axes[0].plot(range(result["size"] + 1))
    canvas.titles[0].set_text(f"size {result['size']}")


def _app(**options):
    slider = ipywidgets.IntSlider(value=2, min=0, max=5, description="size")
    canvas = widgets.Canvas(1, figsize=(2, 2), axes_off=False)
    return widgets.App({"size": slider}, _compute, _draw, canvas=canvas, **options)


def test_an_app_computes_draws_and_shows_png_bytes():
    app = _app(title="Points")
    assert isinstance(app, ipywidgets.VBox) and app.result["size"] == 2
    assert app.png.startswith(b"\x89PNG") and app.figure.value == app.png
    assert app.summary.value == "&lt;b&gt;2&lt;/b&gt; points"  # escaped once, by the app
    before = app.png
    app.controls["size"].value = 3
    assert app.result["size"] == 3 and app.png != before


def test_an_impossible_value_is_explained_and_the_figure_hidden():
    app = _app()
    app.controls["size"].value = 5
    assert_explains(app, "size must be at most 3")
    assert app._figure_box.layout.display == "none" and app.error_traceback is None
    app.controls["size"].value = 1
    assert app.result["size"] == 1 and app.message.value == "" and app.png
    assert app._figure_box.layout.display is None


@pytest.mark.parametrize("stage", ["compute", "draw"])
def test_a_bug_is_reported_briefly_with_the_traceback_kept(stage):
    def compute(size):
        if stage == "compute" and size == 0:
            return {}["missing"]
        return {"size": size}

    def draw(result, canvas):
        if stage == "draw" and result["size"] == 0:
            raise ZeroDivisionError("division by zero")
        _draw(result, canvas)

    slider = ipywidgets.IntSlider(value=2, min=0, max=5)
    app = widgets.App({"size": slider}, compute, draw, canvas=widgets.Canvas(1, figsize=(2, 2)))
    slider.value = 0
    assert set(app.result) == {"error"}  # never a result whose figure was not drawn
    assert app.png is None and "Traceback" not in app.message.value
    heading = "Something went wrong" if stage == "compute" else "Could not draw this"
    assert heading in app.message.value and "app.error_traceback" in app.message.value
    assert app.error_traceback.startswith("Traceback") and "Error" in app.error_traceback
    slider.value = 1
    assert app.result == {"size": 1} and app.error_traceback is None


def test_hold_redraws_draws_once_for_several_changes(redraws):
    sliders = {name: ipywidgets.IntSlider(value=1, max=9) for name in ("a", "b")}
    app = widgets.App(
        sliders,
        lambda a, b: {"sum": a + b},
        lambda result, canvas: canvas.titles[0].set_text(str(result["sum"])),
        canvas=widgets.Canvas(1, figsize=(1, 1)),
    )
    drawn = redraws(app)
    with app.hold_redraws():
        sliders["a"].value = 4
        sliders["b"].value = 5
        assert not drawn
    assert len(drawn) == 1 and app.result == {"sum": 9}
    with app.hold_redraws():
        pass
    assert len(drawn) == 1  # nothing changed: nothing redrawn


def test_a_reaction_runs_first_and_the_app_redraws_once(redraws):
    sliders = {
        "size": ipywidgets.IntSlider(value=5, min=1, max=9),
        "step": ipywidgets.IntSlider(value=4, min=0, max=4),
    }

    def clamp(change):
        sliders["step"].max = sliders["size"].value - 1  # also clamps the value

    app = widgets.App(
        sliders,
        lambda size, step: {"size": size, "step": step},
        lambda result, canvas: None,
        canvas=widgets.Canvas(1, figsize=(1, 1)),
        reactions={"size": clamp},
    )
    drawn = redraws(app)
    sliders["size"].value = 2
    assert len(drawn) == 1 and app.result == {"size": 2, "step": 1}


def test_make_app_takes_a_draw_that_returns_a_figure_and_closes_pyplot_ones():
    def draw(result):
        figure, ax = plt.subplots(figsize=(2, 2))
        ax.plot(range(result["size"]))
        return figure

    app = widgets.make_app({"size": ipywidgets.IntSlider(value=2, max=5)}, _compute, draw)
    assert app.png and plt.get_fignums() == []
    assert app.output.outputs[0]["data"]["image/png"] == base64.b64encode(app.png).decode()
    app.controls["size"].value = 4
    assert app.output.outputs == ()
    not_a_figure = widgets.make_app({"size": ipywidgets.IntSlider(1)}, _compute, lambda r: 3)
    assert "draw must return a matplotlib Figure" in not_a_figure.result["error"]


def test_the_app_displays_as_png_where_widgets_cannot_render():
    app = _app(title="Points")
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == app.png
    assert bundle["text/plain"] == "<App: Points>"
    app.controls["size"].value = 5
    assert "image/png" not in app._repr_mimebundle_()


def test_time_update_measures_real_changes_and_refuses_errors():
    app = _app()
    timings = app.time_update("size", [1, 2, 3], repeats=4)
    assert len(timings) == 4 and all(seconds > 0 for seconds in timings)
    with pytest.raises(RuntimeError, match="size=5 gave an error"):
        app.time_update("size", [5], repeats=1)


def test_the_canvas_updates_an_image_in_place():
    canvas = widgets.Canvas(2, figsize=(3, 2))
    first = canvas.image("photo", canvas.axes[0], np.zeros((4, 4)))
    second = canvas.image("photo", canvas.axes[0], np.ones((6, 5)), cmap="magma", vmin=None)
    assert first is second and second.get_array().shape == (6, 5)
    assert second.get_extent() == [-0.5, 4.5, 5.5, -0.5] and second.get_clim() == (1.0, 1)
    colour = canvas.image("photo", canvas.axes[0], np.zeros((4, 4, 3)))
    assert colour is not first and len(canvas.axes[0].images) == 1
    canvas.clear(canvas.axes[0])
    assert not canvas.axes[0].images and "photo" not in canvas.artists
    assert canvas.render().startswith(b"\x89PNG")
