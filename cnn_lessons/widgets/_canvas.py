"""The figure an app keeps: one bare matplotlib Figure, redrawn in place and rendered once.

Why not a new pyplot figure per redraw, saved with ``bbox_inches="tight"``? Measured in a real
JupyterLab, that made a slider move take 135-145 ms: the tight bounding box renders the figure
twice, PNG compression at the default level takes as long again, and the image then travels as
base64 text. A :class:`Canvas` keeps its Figure, Axes and title texts, lets draw functions update
their artists (``set_data``) instead of making new ones, renders once and compresses fast.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import Container
from matplotlib.figure import Figure
from PIL import Image

from cnn_lessons import plots

#: Pixels per inch of every app figure (one screen pixel per figure pixel in JupyterLab).
DPI = 80

# zlib level 1: about five times faster than matplotlib's default (6) on these figures, for PNG
# files a little larger; they travel to a browser on the same machine or network.
_PNG_COMPRESSION = 1


def render_png(figure: Figure) -> bytes:
    """Render ``figure`` once and return it as PNG bytes (RGB, fast compression).

    Works for a bare ``Figure`` and for a pyplot one. Text is drawn without font hinting: text
    is much of an app figure's drawing time (titles, labels, colour-bar ticks), and unhinted it
    takes about half as long and looks the same at these sizes.
    """
    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(figure)
    with matplotlib.rc_context({"text.hinting": "none"}):
        canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels).reshape(height, width, 3)).save(
        buffer, format="png", compress_level=_PNG_COMPRESSION
    )
    return buffer.getvalue()


class Canvas:
    """A bare Figure with a row of Axes, a title Text above each, kept between redraws.

    Titles are plain Text artists (``Axes.set_title`` would lay out tick labels that are never
    shown on every redraw). A bare ``Figure`` is not registered with pyplot, so it is never
    shown in a cell by accident and never closed by anyone else.

    Parameters
    ----------
    columns : int
        Number of Axes, side by side.
    figsize : (float, float)
        Inches; at :data:`DPI` pixels per inch.
    width_ratios : sequence of float, optional
    axes_off : bool, default True
        Hide every Axes' frame and ticks (pictures); keep them for plots with axes.
    **spacing
        ``left``, ``right``, ``top``, ``bottom``, ``wspace`` of the grid (fractions).

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    axes : list of Axes
    titles : list of matplotlib.text.Text
    artists : dict
        Whatever a draw function keeps between redraws (images it updates, bar containers).
    """

    def __init__(
        self,
        columns: int = 1,
        *,
        figsize: tuple[float, float],
        width_ratios=None,
        axes_off: bool = True,
        **spacing,
    ):
        self.figure = Figure(figsize=figsize, dpi=DPI)
        FigureCanvasAgg(self.figure)
        grid = {"wspace": 0.12, "left": 0.01, "right": 0.99, "top": 0.88, "bottom": 0.02}
        grid.update(spacing)
        axes = self.figure.subplots(
            1, columns, squeeze=False, gridspec_kw={**grid, "width_ratios": width_ratios}
        )
        self.axes = list(axes[0])
        self.titles = []
        for ax in self.axes:
            if axes_off:
                ax.set_axis_off()
            self.titles.append(
                ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=9)
            )
        self.artists: dict = {}

    def clear(self, *axes) -> None:
        """Remove what the last redraw added to ``axes`` (all by default), titles excepted.

        Images, lines, patches, collections and texts go; so do the :attr:`artists` that lived
        on those Axes.
        """
        removed = set()
        for ax in axes or self.axes:
            title = self.titles[self.axes.index(ax)]
            for artist in [*ax.images, *ax.collections, *ax.patches, *ax.lines, *ax.texts]:
                if artist is not title:
                    artist.remove()
                    removed.add(id(artist))

        def gone(artist) -> bool:
            parts = list(artist) if isinstance(artist, Container) else [artist]
            return any(id(part) in removed for part in parts)

        self.artists = {key: artist for key, artist in self.artists.items() if not gone(artist)}

    def image(self, key: str, ax, picture, **options):
        """Show ``picture`` on ``ax``, updating the image kept under ``key`` if there is one.

        ``picture`` is ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``. Grayscale pictures use the
        ``"gray"`` colour map on :func:`cnn_lessons.plots.data_range` unless
        ``cmap``/``vmin``/``vmax`` say otherwise; pass ``vmin=None, vmax=None`` to scale to the
        data's minimum and maximum. ``extent`` places the picture (default:
        one unit per pixel).

        Returns
        -------
        matplotlib.image.AxesImage
        """
        picture = np.asarray(picture)
        if picture.ndim == 3 and picture.shape[2] == 1:
            picture = picture[..., 0]
        if picture.ndim == 2:
            low, high = plots.data_range(picture)
            options = {"cmap": "gray", "vmin": low, "vmax": high, **options}
        height, width = picture.shape[:2]
        extent = options.pop("extent", (-0.5, width - 0.5, height - 0.5, -0.5))
        shown = self.artists.get(key)
        if shown is None or shown.axes is not ax or shown.get_array().ndim != picture.ndim:
            if shown is not None:
                shown.remove()
            shown = ax.imshow(picture, interpolation="nearest", extent=extent, **options)
            self.artists[key] = shown
            return shown
        shown.set_data(picture)
        if tuple(shown.get_extent()) != tuple(extent):
            shown.set_extent(extent)
        if picture.ndim == 2:
            shown.set_cmap(options.get("cmap"))
            low, high = options.get("vmin"), options.get("vmax")
            if low is None or high is None:
                finite = picture[np.isfinite(picture)]
                low = float(finite.min()) if low is None and finite.size else low
                high = float(finite.max()) if high is None and finite.size else high
            shown.set_clim(low, high)
        return shown

    def bars(self, key: str, ax, widths, *, labels, colors):
        """Horizontal bars on ``ax``, one per label, updated in place after the first call.

        Returns
        -------
        matplotlib.container.BarContainer
        """
        shown = self.artists.get(key)
        if shown is None or len(shown) != len(labels) or shown[0].axes is not ax:
            positions = np.arange(len(labels))
            ax.set_axis_on()
            shown = ax.barh(positions, np.zeros(len(labels)))
            ax.set_yticks(positions, labels, fontsize=8)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"], fontsize=8)
            self.artists[key] = shown
        for bar, width, color in zip(shown, widths, colors, strict=True):
            bar.set_width(float(width))
            bar.set_color(color)
        return shown

    def render(self) -> bytes:
        """The figure as PNG bytes, rendered once."""
        return render_png(self.figure)
