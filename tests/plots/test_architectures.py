"""The shape diagram of a network."""

import pytest

from cnn_lessons import plots


def test_plot_shape_diagram():
    ax = plots.plot_shape_diagram(["conv", "pool", "dense"], [(28, 28, 8), (14, 14, 8), (10,)])
    assert len(ax.patches) == 3
    with pytest.raises(ValueError, match="names and shapes"):
        plots.plot_shape_diagram(["a"], [])
