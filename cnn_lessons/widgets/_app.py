"""The app contract: controls, a pure compute step and a draw step, wired together.

An :class:`App` is an ipywidgets ``VBox``: an optional title, the controls, a message line (an
explanation when something is impossible), a summary line and the figure. Moving a control
calls ``compute(**values)``, then draws the result and shows the figure as PNG bytes in an
``ipywidgets.Image`` (binary over the websocket, no base64). Only when the figure was drawn does
``app.result`` change, so code reading it never sees a result without its picture.

Errors never reach the learner as a traceback: a ``ValueError`` or ``TypeError`` raised by
``compute`` is an explanation ("Not possible: ..."), anything else (a bug in compute or draw) is
reported in one short line, and the full traceback is kept in ``app.error_traceback`` for
whoever debugs it.

Where no widget can be shown (nbval, GitHub, a static HTML export), the app still displays as
the PNG of its last figure: :meth:`App._repr_mimebundle_` sends it with the widget view.
"""

from __future__ import annotations

import base64
import contextlib
import html
import statistics
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence

import ipywidgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from cnn_lessons.widgets._canvas import Canvas, render_png

_EXPLANATION = (
    '<div style="color:#8a4b00;background:#fff4e0;padding:6px;border-radius:4px">'
    "<b>{heading}</b> {text}</div>"
)


class _FigureOutputs:
    """``app.output.outputs``, read-only: the figure as one notebook output, or none.

    Kept for code written against the old ``Output`` figure area (``make_app`` before the
    figure became an ``Image``).
    """

    def __init__(self, app: App):
        self._app = app

    @property
    def outputs(self) -> tuple:
        png = self._app.png
        if png is None:
            return ()
        data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": "<Figure>"}
        return ({"output_type": "display_data", "data": data, "metadata": {}},)


class App(ipywidgets.VBox):
    """An interactive app: controls, a pure ``compute`` step and a ``draw`` step.

    Parameters
    ----------
    controls : mapping of str to widget
        Each control's ``value`` is passed to ``compute`` under its name.
    compute : callable
        ``compute(**values) -> dict``. Raise ``ValueError`` (or ``TypeError``) with a
        learner-readable message when the values describe something impossible.
    draw : callable
        With a ``canvas``: ``draw(result, canvas)`` updates the canvas' artists. Without one:
        ``draw(result) -> Figure`` returns a figure to show (a pyplot figure is closed after
        rendering).
    canvas : Canvas, optional
        The figure the app keeps between redraws.
    title : str, optional
        A bold line above the controls.
    reactions : mapping of str to callable, optional
        ``name -> reaction(change)``: run when control ``name`` changes, before the redraw,
        with redraws held, e.g. to fill other controls or clamp a slider's range. However many
        controls a reaction changes, the app redraws once.
    layout : sequence of widgets, optional
        What to show in place of the row of controls (e.g. columns of them).

    Attributes
    ----------
    controls : dict of str to widget
    result : dict
        What the last successful update computed and drew; ``{"error": message}`` after an
        update that could not draw.
    png : bytes or None
        The figure shown now, as PNG bytes (None after an error).
    message, summary : ipywidgets.HTML
        The explanation line and the one-line summary (``result["summary"]``, escaped).
    figure : ipywidgets.Image
        The figure area.
    error_traceback : str or None
        The full traceback of the last unexpected error, for debugging.
    """

    def __init__(
        self,
        controls: Mapping[str, ipywidgets.Widget],
        compute: Callable[..., dict],
        draw: Callable,
        *,
        canvas: Canvas | None = None,
        title: str | None = None,
        reactions: Mapping[str, Callable] | None = None,
        layout: Sequence[ipywidgets.Widget] | None = None,
    ):
        self.controls = dict(controls)
        self.compute, self.draw, self.canvas = compute, draw, canvas
        self.result: dict = {}
        self.png: bytes | None = None
        self.error_traceback: str | None = None
        self._holds = 0
        self._pending = False
        self.message = ipywidgets.HTML()
        self.message.add_class("cnn-message")
        self.summary = ipywidgets.HTML()
        self.summary.add_class("cnn-summary")
        self.figure = ipywidgets.Image(format="png", layout={"max_width": "100%"})
        self._figure_box = ipywidgets.Box([self.figure])
        self._figure_box.add_class("cnn-figure")
        self.title = title
        header = [ipywidgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        row = ipywidgets.HBox(
            list(layout or self.controls.values()), layout={"flex_flow": "row wrap"}
        )
        super().__init__([*header, row, self.message, self.summary, self._figure_box])
        for name, reaction in (reactions or {}).items():
            self.controls[name].observe(self._held(reaction), names="value")
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    # --- redrawing ------------------------------------------------------------------------------

    @property
    def output(self) -> _FigureOutputs:
        """The figure as notebook outputs (read-only; for code written for the old Output)."""
        return _FigureOutputs(self)

    def _held(self, reaction: Callable) -> Callable:
        def run(change=None):
            with self.hold_redraws(redraw=False):
                reaction(change)

        return run

    @contextlib.contextmanager
    def hold_redraws(self, *, redraw: bool = True) -> Iterator[App]:
        """Change several controls and redraw once, when the block ends.

        Examples
        --------
        ``with app.hold_redraws(): app.controls["stride"].value = 2; ...`` redraws once.
        """
        self._holds += 1
        try:
            yield self
        finally:
            self._holds -= 1
        if redraw and self._holds == 0 and self._pending:
            self.update()

    def update(self, change=None) -> None:
        """Compute and redraw now (the observer of every control)."""
        if self._holds:
            self._pending = True
            return
        self._pending = False
        values = {name: control.value for name, control in self.controls.items()}
        try:
            result = self.compute(**values)
        except (ValueError, TypeError) as error:
            self._fail("Not possible:", str(error), error)
            return
        except Exception as error:  # a bug in compute: explain briefly, keep the traceback
            self._fail("Something went wrong:", _short(error), error, keep_traceback=True)
            return
        try:
            png = self._render(result)
        except Exception as error:  # a bug in draw
            self._fail("Could not draw this:", _short(error), error, keep_traceback=True)
            return
        self.result = result
        self.png = png
        self.error_traceback = None
        self.message.value = ""
        self.summary.value = html.escape(str(result.get("summary", "")))
        self._figure_box.layout.display = None
        self.figure.value = png

    def _render(self, result: dict) -> bytes:
        if self.canvas is not None:
            self.draw(result, self.canvas)
            return self.canvas.render()
        figure = self.draw(result)
        if not isinstance(figure, Figure):
            raise TypeError(f"draw must return a matplotlib Figure, got {type(figure).__name__}")
        try:
            return render_png(figure)
        finally:
            if plt.fignum_exists(getattr(figure, "number", -1)):
                plt.close(figure)

    def _fail(self, heading: str, text: str, error: Exception, *, keep_traceback=False) -> None:
        self.result = {"error": text}
        self.png = None
        self.error_traceback = (
            "".join(traceback.format_exception(type(error), error, error.__traceback__))
            if keep_traceback
            else None
        )
        hint = " (details: <code>app.error_traceback</code>)" if keep_traceback else ""
        self.message.value = _EXPLANATION.format(heading=heading, text=html.escape(text) + hint)
        self.summary.value = ""
        self._figure_box.layout.display = "none"

    # --- measuring and showing ----------------------------------------------------------------

    def time_update(self, name: str, values: Sequence, *, repeats: int = 9) -> list[float]:
        """Seconds each of ``repeats`` changes of control ``name`` took (compute, draw, PNG).

        Cycles through ``values``, skipping the current value so every change is a real one.
        Raises ``RuntimeError`` if an update explained an error instead of drawing.
        """
        control = self.controls[name]
        timings = []
        for repeat in range(repeats):
            value = values[repeat % len(values)]
            if value == control.value:
                value = values[(repeat + 1) % len(values)]
            start = time.perf_counter()
            control.value = value
            timings.append(time.perf_counter() - start)
            if "error" in self.result:
                raise RuntimeError(f"{name}={value!r} gave an error: {self.result['error']}")
        return timings

    def median_update(self, name: str, values: Sequence, *, repeats: int = 9) -> float:
        """Median seconds of one change of control ``name``; see :meth:`time_update`."""
        return statistics.median(self.time_update(name, values, repeats=repeats))

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The widget view, plus the current figure as PNG for where widgets cannot render."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        if self.png is not None:
            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        bundle["text/plain"] = f"<App: {self.title or 'interactive figure'}>"
        return bundle


def _short(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 200 else text[:197] + "..."


def make_app(
    controls: Mapping[str, ipywidgets.Widget],
    compute: Callable[..., dict],
    draw: Callable[[dict], Figure],
    *,
    title: str | None = None,
) -> App:
    """Build an :class:`App` whose ``draw(result)`` returns a Figure (the original interface).

    Parameters
    ----------
    controls : mapping of str to widget
    compute : callable
        ``compute(**values) -> dict``.
    draw : callable
        ``draw(result) -> Figure``; a pyplot figure is closed once rendered, a bare ``Figure``
        may be returned again and again.
    title : str, optional

    Returns
    -------
    App
    """
    return App(controls, compute, draw, title=title)
