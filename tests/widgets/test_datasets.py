"""The dataset browser and its compute step, ``dataset_image``."""

import ipywidgets
import numpy as np
import pytest

from cnn_lessons import data, widgets
from cnn_lessons.widgets import datasets


def test_dataset_image_returns_the_image_and_its_label():
    result = datasets.dataset_image("animals", "test", 7)
    (_, _), (x_test, y_test) = data.load_animals()
    np.testing.assert_array_equal(result["image"], x_test[7])
    assert result["label"] == y_test[7]
    assert result["class_name"] == data.ANIMAL_CLASSES[y_test[7]]
    assert result["title"] == f"animals test[7]: {result['class_name']}"


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (("cifar", "train", 0), ValueError, "dataset must be one of 'digits', 'animals'"),
        (("digits", "valid", 0), ValueError, "split must be one of"),
        (("digits", "test", 1000), ValueError, "between 0 and 999 for the digits test split"),
        (("digits", "test", -1), ValueError, "index must be"),
        (("digits", "test", "3"), TypeError, "index must be"),
    ],
)
def test_dataset_image_refuses_what_does_not_exist(arguments, error, message):
    with pytest.raises(error, match=message):
        datasets.dataset_image(*arguments)


def test_dataset_image_accepts_numpy_integers():
    assert (
        datasets.dataset_image("digits", "train", np.int64(3))["label"]
        == (datasets.dataset_image("digits", "train", 3)["label"])
    )


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
    before = app.png
    app.controls["pixel_values"].value = True
    assert app.result["pixel_values"] is True
    assert app.png != before and len(app.png) > len(before)  # larger, with the numbers


def test_switching_to_a_smaller_split_clamps_the_index_and_redraws_once(redraws):
    app = widgets.dataset_browser(index=3000)
    drawn = redraws(app)
    app.controls["split"].value = "test"  # 1,000 images: the index is clamped to 999
    assert len(drawn) == 1 and "error" not in app.result
    assert app.result["title"] == "digits test[999]: " + app.result["class_name"]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"dataset": "cifar"}, ValueError),
        ({"index": 4000}, ValueError),
        ({"index": -1}, ValueError),
        ({"index": "0"}, TypeError),
        ({"dataset": ["digits"]}, TypeError),
    ],
)
def test_dataset_browser_rejects_bad_arguments(options, error):
    with pytest.raises(error):
        widgets.dataset_browser(**options)
