"""The widget apps honour the contract: controls move, result follows, errors explain."""

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnn_lessons import data, widgets


def test_make_app_shows_an_explanation_instead_of_a_traceback():
    def compute(size):
        if size > 3:
            raise ValueError(f"size must be at most 3, got {size}")
        return {"size": size}

    def draw(result):
        figure, ax = plt.subplots()
        ax.plot(range(result["size"]))
        return figure

    app = widgets.make_app({"size": ipywidgets.IntSlider(value=2, min=0, max=5)}, compute, draw)
    assert app.result == {"size": 2}
    assert app.output.outputs[0]["data"]["image/png"]
    app.controls["size"].value = 5
    assert app.result == {"error": "size must be at most 3, got 5"}
    assert "size must be at most 3" in app.message.value and "Traceback" not in app.message.value
    assert app.output.outputs == ()
    app.controls["size"].value = 1
    assert app.result == {"size": 1} and app.message.value == ""


def test_dataset_browser_follows_every_control():
    app = widgets.dataset_browser()
    assert isinstance(app, ipywidgets.Widget)
    assert set(app.controls) == {"dataset", "split", "index", "pixel_values"}
    first = app.result["image"]
    app.controls["index"].value = 1
    assert not np.array_equal(first, app.result["image"])
    assert app.controls["index"].max == 3999
    app.controls["split"].value = "test"
    assert app.controls["index"].max == 999 and app.result["title"].startswith("digits test")
    app.controls["dataset"].value = "animals"
    assert app.controls["index"].max == 1999
    assert app.result["class_name"] in data.ANIMAL_CLASSES
    before = app.output.outputs[0]["data"]["image/png"]
    app.controls["pixel_values"].value = True
    assert app.result["pixel_values"] is True
    assert app.output.outputs[0]["data"]["image/png"] != before


def test_dataset_browser_rejects_unknown_dataset():
    with pytest.raises(ValueError, match="dataset must be one of"):
        widgets.dataset_browser(dataset="cifar")
