"""Interactive ipywidgets apps, one module per lesson topic, all built on :class:`App`.

Every app is an :class:`App` (an ipywidgets ``VBox``) with ``controls`` (name -> control
widget, so a test or a learner can set ``app.controls["stride"].value = 2``) and ``result``
(what the last update computed and drew, a dict; ``{"error": message}`` when the controls
describe something impossible, shown as an explanation in place of the figure).

Each topic module holds a top-level pure compute function (call it by hand, or test it), a
draw function that updates a :class:`Canvas`, and a short factory that builds the controls:

==================  =================================  ========================================
module              app                                compute
==================  =================================  ========================================
``datasets``        :func:`dataset_browser`            ``dataset_image``
``kernels``         :func:`kernel_playground`          ``filter_photo``
``arithmetic``      :func:`conv_arithmetic_explorer`   ``conv_arithmetic``
``pooling``         :func:`pooling_explorer`           ``edge_features``, ``pool_features``
``gradients``       :func:`gradient_flow_explorer`     ``flow``
``predictions``     :func:`prediction_explorer`        ``predict``, ``prediction``
``optimizers``      :func:`optimizer_trajectories`     ``race``
``augmentation``    :func:`augmentation_explorer`      ``augmented_mosaic``
``features``        :func:`feature_map_browser`        ``compute_feature_maps``, ``feature_view``
``adversarial``     :func:`fgsm_explorer`              ``prepare_attack``, ``attack_one``
==================  =================================  ========================================

:func:`make_app` builds an app from a ``draw(result) -> Figure`` function, for apps a lesson
writes itself.
"""

from cnn_lessons.widgets._app import App, make_app
from cnn_lessons.widgets._canvas import Canvas, render_png
from cnn_lessons.widgets.adversarial import fgsm_explorer
from cnn_lessons.widgets.arithmetic import conv_arithmetic_explorer
from cnn_lessons.widgets.augmentation import augmentation_explorer
from cnn_lessons.widgets.datasets import dataset_browser
from cnn_lessons.widgets.features import feature_map_browser
from cnn_lessons.widgets.gradients import gradient_flow_explorer
from cnn_lessons.widgets.kernels import kernel_playground
from cnn_lessons.widgets.optimizers import optimizer_trajectories
from cnn_lessons.widgets.pooling import pooling_explorer
from cnn_lessons.widgets.predictions import prediction_explorer

#: Every app of the course: name -> factory (the benchmark and the tests iterate over it).
APPS = {
    "dataset_browser": dataset_browser,
    "kernel_playground": kernel_playground,
    "conv_arithmetic_explorer": conv_arithmetic_explorer,
    "pooling_explorer": pooling_explorer,
    "gradient_flow_explorer": gradient_flow_explorer,
    "prediction_explorer": prediction_explorer,
    "optimizer_trajectories": optimizer_trajectories,
    "augmentation_explorer": augmentation_explorer,
    "feature_map_browser": feature_map_browser,
    "fgsm_explorer": fgsm_explorer,
}

__all__ = ["APPS", "App", "Canvas", "make_app", "render_png", *APPS]
