"""The ``ax=None`` convention: draw on the Axes given, or make a figure with one."""

from __future__ import annotations

import matplotlib.pyplot as plt


def _new_axes(ax, **subplots_options):
    if ax is not None:
        return ax
    _, ax = plt.subplots(**subplots_options)
    return ax
