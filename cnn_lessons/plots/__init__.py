"""Drawing helpers: matplotlib and seaborn, all in the ``ax=None`` style.

Each function draws on the Axes it is given, or creates a figure when none is given, and returns
what it drew on. None of them computes anything heavier than a colour map, calls ``plt.show()``
or changes global rcParams. One module per topic, all re-exported here (``plots.show_image``):

* :mod:`~cnn_lessons.plots.images`: ``show_image``, ``show_images``, ``plot_mosaic``,
  ``plot_heatmap_overlay`` and ``data_range`` (colour limits from the data);
* :mod:`~cnn_lessons.plots.convolution`: ``plot_kernel`` (also ``plot_kernel_values``),
  ``plot_conv_grid`` (``conv_grid_legend_handles``), ``plot_pooling_windows``;
* :mod:`~cnn_lessons.plots.training`: ``plot_history``, ``plot_confusion_matrix``,
  ``plot_probabilities``;
* :mod:`~cnn_lessons.plots.optimizers`: ``plot_loss_surface``, ``plot_paths``,
  ``plot_optimizer_paths``;
* :mod:`~cnn_lessons.plots.architectures`: ``plot_shape_diagram``.
"""

from cnn_lessons.plots.architectures import plot_shape_diagram
from cnn_lessons.plots.convolution import (
    conv_grid_legend_handles,
    kernel_labels,
    plot_conv_grid,
    plot_kernel,
    plot_kernel_values,
    plot_pooling_windows,
    symmetric_limit,
)
from cnn_lessons.plots.images import (
    data_range,
    plot_heatmap_overlay,
    plot_mosaic,
    show_image,
    show_images,
)
from cnn_lessons.plots.optimizers import plot_loss_surface, plot_optimizer_paths, plot_paths
from cnn_lessons.plots.training import (
    plot_confusion_matrix,
    plot_history,
    plot_probabilities,
    probability_colors,
)

__all__ = [
    "conv_grid_legend_handles",
    "data_range",
    "kernel_labels",
    "plot_confusion_matrix",
    "plot_conv_grid",
    "plot_heatmap_overlay",
    "plot_history",
    "plot_kernel",
    "plot_kernel_values",
    "plot_loss_surface",
    "plot_mosaic",
    "plot_optimizer_paths",
    "plot_paths",
    "plot_pooling_windows",
    "plot_probabilities",
    "plot_shape_diagram",
    "probability_colors",
    "show_image",
    "show_images",
    "symmetric_limit",
]
