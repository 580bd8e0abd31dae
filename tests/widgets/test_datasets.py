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
    assert set(app.controls) == {"dataset", "split", "index", "pixel_values", "label", "scaled"}
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


def test_dataset_image_filters_a_class_and_scales_the_values():
    (x_train, y_train), _ = data.load_mnist()
    result = datasets.dataset_image("digits", "train", 2, label=7)
    position = int(np.flatnonzero(y_train == 7)[2])
    assert result["position"] == position and result["label"] == 7
    np.testing.assert_array_equal(result["image"], x_train[position])
    assert result["title"] == f"digits train[{position}]: 7"
    assert result["summary"].startswith("label 7: 7; image 3 of the 400 in this class")
    assert result["values"] is result["image"] and "as stored, 0 to 255" in result["summary"]
    scaled = datasets.dataset_image("digits", "train", 2, label=7, scaled=True)
    assert scaled["values"].dtype == np.float32
    np.testing.assert_allclose(scaled["values"], x_train[position] / 255, rtol=1e-6)
    assert "as the network receives them, 0.0 to 1.0" in scaled["summary"]
    top, left = result["crop"]
    assert 0 <= top <= 28 - datasets.CROP and 0 <= left <= 28 - datasets.CROP
    crop = result["image"][top : top + datasets.CROP, left : left + datasets.CROP]
    assert crop.sum() > 0.5 * result["image"].sum()  # the crop sits on the ink
    with pytest.raises(ValueError, match="between 0 and 399 for the digits train split of class"):
        datasets.dataset_image("digits", "train", 400, label=7)
    with pytest.raises(ValueError, match="label must be"):
        datasets.dataset_image("animals", "train", 0, label=10)


def test_dataset_browser_class_filter_values_and_random_button():
    app = widgets.dataset_browser(index=3000)
    assert app.controls["label"].description == "class"
    app.controls["label"].value = 3
    assert app.controls["index"].max == 399 and app.result["label"] == 3
    assert "in this class" in app.result["summary"]
    for _ in range(5):
        before = app.controls["index"].value
        app.random_button.click()
        assert app.controls["index"].value != before and app.result["label"] == 3
    app.controls["dataset"].value = "animals"  # the class list follows the dataset
    assert app.controls["label"].value is None and app.controls["index"].max == 7999
    assert app.controls["label"].options[8] == ("7: horse", 7)
    app.controls["label"].value = 7
    assert app.result["class_name"] == "horse"
    app.controls["pixel_values"].value = True
    plain = app.png
    app.controls["scaled"].value = True
    assert app.result["scaled"] and app.result["values"].max() <= 1 and app.png != plain
    texts = [text.get_text() for text in app.canvas.axes[1].texts]
    assert texts and all(text.startswith(("0.", "1.")) for text in texts if "zoom" not in text)
    assert min(text.get_fontsize() for text in app.canvas.axes[1].texts) >= 7
