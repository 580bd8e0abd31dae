"""Optimizers lesson: race Keras optimizers on a 2-D loss surface."""

from __future__ import annotations

import functools

import ipywidgets
import numpy as np

from cnn_lessons import _validate, optim, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas


@functools.cache
def _grid(surface: str):
    return optim.surface_grid(surface)


def race(surface: str, learning_rate: float, steps: int, optimizers) -> dict:
    """Run each named optimizer from the surface's start and compare where they end.

    Parameters
    ----------
    surface : {"elongated", "rosenbrock"}
    learning_rate : float
        The same for every optimizer.
    steps : int
    optimizers : sequence of str
        Names from :data:`cnn_lessons.optim.OPTIMIZERS`, at least one.

    Returns
    -------
    dict
        ``paths`` (name -> ``(k, 2)`` positions), ``final_loss`` (name -> loss at the last
        point), ``diverged`` (names that blew up), ``grid`` (the surface for contours),
        ``surface``, ``learning_rate``, ``steps`` and ``summary``.
    """
    chosen = list(_validate.names(optimizers, "optimizers"))
    if not chosen:
        raise ValueError("no optimizer is ticked: tick at least one box to draw its path")
    paths = {
        name: optim.trajectory(name, surface=surface, learning_rate=learning_rate, steps=steps)
        for name in chosen
    }
    final = {name: float(optim.surface_value(surface, *path[-1])) for name, path in paths.items()}
    diverged = [name for name, path in paths.items() if len(path) < steps + 1]
    best = min((name for name in chosen if name not in diverged), key=final.get, default=None)
    summary = f"{steps} steps at learning rate {learning_rate:.3g}: " + (
        f"lowest loss {final[best]:.3g} ({best})" if best else "every optimizer diverged"
    )
    if diverged:
        summary += f"; diverged: {', '.join(diverged)}"
    return {
        "surface": surface,
        "learning_rate": learning_rate,
        "steps": steps,
        "paths": paths,
        "final_loss": final,
        "diverged": diverged,
        "grid": _grid(surface),
        "summary": summary,
    }


def draw_race(result: dict, canvas: Canvas) -> None:
    """The paths over the surface's contours (drawn once per surface), losses in the legend."""
    ax = canvas.axes[0]
    if canvas.artists.get("surface") != result["surface"]:
        canvas.clear(ax)
        plots.plot_loss_surface(*result["grid"], ax)
        canvas.artists["surface"] = result["surface"]
    for line in list(ax.lines):
        line.remove()
    paths = {
        (f"{name} (diverged)" if name in result["diverged"] else f"{name}: {loss:.2g}"): np.clip(
            path, -1e3, 1e3
        )
        for (name, path), loss in zip(
            result["paths"].items(), result["final_loss"].values(), strict=True
        )
    }
    spec = optim.SURFACES[result["surface"]]
    plots.plot_paths(paths, ax, minimum=spec.minimum)
    canvas.titles[0].set_text(f"loss {spec.formula}, learning rate {result['learning_rate']:.3g}")


def _race_step(surface, learning_rate, steps, **ticked):
    return race(surface, learning_rate, steps, [name for name, on in ticked.items() if on])


def optimizer_trajectories(
    *,
    surface: str = "elongated",
    learning_rate: float = 0.03,
    steps: int = 60,
    optimizers=("SGD", "momentum", "RMSprop", "Adam"),
) -> App:
    """Race Keras optimizers on a 2-D loss surface: a learning-rate slider and one box each.

    Each redraw runs every ticked optimizer from the start (:func:`race`).

    Parameters
    ----------
    surface : {"elongated", "rosenbrock"}, default "elongated"
    learning_rate : float, default 0.03
        Between 0.001 and 1 (the slider is logarithmic); the same for every optimizer.
    steps : int, default 60
        Updates per optimizer, 10 to 100.
    optimizers : sequence of str
        The optimizers ticked at the start; names from ``optim.OPTIMIZERS``.

    Returns
    -------
    App
        Controls ``surface``, ``learning_rate``, ``steps`` and one checkbox per optimizer name.
        ``result`` is what :func:`race` returns.
    """
    for name in _validate.names(optimizers, "optimizers"):
        _validate.one_of(name, "optimizers", optim.OPTIMIZERS)
    _validate.one_of(surface, "surface", optim.SURFACES)
    learning_rate = _validate.number(learning_rate, "learning_rate", minimum=1e-3, maximum=1)
    steps = _validate.integer(steps, "steps", minimum=10, maximum=100)
    slider = {"continuous_update": False, "style": {"description_width": "initial"}}
    controls = {
        "surface": ipywidgets.Dropdown(
            options=list(optim.SURFACES), value=surface, description="surface"
        ),
        "learning_rate": ipywidgets.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=-3,
            max=0,
            step=0.25,
            description="learning rate",
            readout_format=".3g",
            **slider,
        ),
        "steps": ipywidgets.IntSlider(
            value=steps, min=10, max=100, step=10, description="steps", **slider
        ),
        **{
            name: ipywidgets.Checkbox(
                value=name in optimizers, description=name, indent=False, layout={"width": "105px"}
            )
            for name in optim.OPTIMIZERS
        },
    }
    return App(
        controls,
        _race_step,
        draw_race,
        canvas=Canvas(
            1, figsize=(7.5, 4), axes_off=False, left=0.08, right=0.74, bottom=0.12, top=0.9
        ),
        title="Optimizers on a 2-D loss surface",
    )
