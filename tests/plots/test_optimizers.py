"""Optimizer paths over a loss surface."""

import numpy as np
import pytest

from cnn_lessons import optim, plots


def test_plot_optimizer_paths_draws_one_line_per_optimizer():
    xs, ys, values = optim.surface_grid("elongated", resolution=30)
    paths = {"SGD": np.array([[-4.5, 1.5], [-4.0, 0.5]]), "Adam": np.array([[-4.5, 1.5]])}
    ax = plots.plot_optimizer_paths(xs, ys, values, paths, minimum=(0, 0), title="toy")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["SGD", "Adam", "start", "minimum"]
    assert ax.get_title() == "toy"
    with pytest.raises(ValueError, match="2-D grids of one shape"):
        plots.plot_optimizer_paths(xs, ys, values[:5], paths)
    with pytest.raises(ValueError, match=r"paths\['bad'\] must have shape"):
        plots.plot_optimizer_paths(xs, ys, values, {"bad": np.zeros(3)})
