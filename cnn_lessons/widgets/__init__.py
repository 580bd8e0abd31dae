"""Interactive ipywidgets apps, one module per topic, all built on :class:`App`.

Every app is an :class:`App` (an ipywidgets ``VBox``) with ``controls`` (name -> control
widget, so a test or a learner can set ``app.controls["stride"].value = 2``) and ``result``
(what the last update computed and drew, a dict; ``{"error": message}`` when the controls
describe something impossible, shown as an explanation in place of the figure).
"""

from cnn_lessons.widgets._app import App, make_app
from cnn_lessons.widgets._canvas import Canvas, render_png
from cnn_lessons.widgets._legacy import (
    augmentation_explorer,
    conv_arithmetic_explorer,
    dataset_browser,
    feature_map_browser,
    fgsm_explorer,
    kernel_playground,
    optimizer_trajectories,
    pooling_explorer,
    prediction_explorer,
)

__all__ = [
    "App",
    "Canvas",
    "augmentation_explorer",
    "conv_arithmetic_explorer",
    "dataset_browser",
    "feature_map_browser",
    "fgsm_explorer",
    "kernel_playground",
    "make_app",
    "optimizer_trajectories",
    "pooling_explorer",
    "prediction_explorer",
    "render_png",
]
