"""Optimizers lesson: race Keras optimizers on a 2-D loss surface."""

from __future__ import annotations

import functools

import ipywidgets
import numpy as np

from cnn_lessons import _validate, optim, plots
from cnn_lessons.widgets._app import App
from cnn_lessons.widgets._canvas import Canvas

#: Each optimizer's own learning rate on each surface, the rates the optimizers lesson races at:
#: the SGD family steps in proportion to the gradient (0.04 on the bowl, 0.03 on the steeper
#: Rosenbrock start), the adaptive family about ``η`` per step (0.1), Adadelta at 1.0 (its
#: steps start about a thousand times shorter than ``η``; Keras 2 used 1.0).
OWN_LEARNING_RATES: dict[str, dict[str, float]] = {
    surface: {
        name: (
            (0.04 if surface == "elongated" else 0.03)
            if name in ("SGD", "momentum", "Nesterov")
            else 1.0
            if name == "Adadelta"
            else 0.1
        )
        for name in optim.OPTIMIZERS
    }
    for surface in optim.SURFACES
}


@functools.cache
def _grid(surface: str):
    return optim.surface_grid(surface)


def _bouncing(surface: str, path: np.ndarray) -> bool:
    """Whether a path that did not diverge keeps bouncing instead of converging.

    It does when, over its last steps, the loss stopped falling (by less than 10%), the path
    went back and forth (it travelled more than twice its net displacement) and the loss is
    still above 1% of where it started. SGD at exactly ``η = 2 / λ`` is the clearest case: it
    jumps across the valley between the same two heights for ever.
    """
    losses = optim.surface_value(surface, path[:, 0], path[:, 1])
    window = max(1, min(10, (len(path) - 1) // 2))
    recent = path[-window - 1 :]
    travelled = np.linalg.norm(np.diff(recent, axis=0), axis=1).sum()
    net = np.linalg.norm(recent[-1] - recent[0])
    falling = losses[-window:].mean() < 0.9 * losses[-2 * window : -window].mean()
    return bool(losses[-1] > 0.01 * losses[0] and not falling and travelled > 2 * net)


def race(
    surface: str, learning_rate: float, steps: int, optimizers, *, rate_scale: float | None = None
) -> dict:
    """Run each named optimizer from the surface's start and compare where they end.

    Parameters
    ----------
    surface : {"elongated", "rosenbrock"}
    learning_rate : float
        The same for every optimizer (ignored when ``rate_scale`` is given).
    steps : int
    optimizers : sequence of str
        Names from :data:`cnn_lessons.optim.OPTIMIZERS`, at least one.
    rate_scale : float, optional
        When given, each optimizer runs at its own rate, :data:`OWN_LEARNING_RATES`, times
        ``rate_scale``.

    Returns
    -------
    dict
        ``paths`` (name -> ``(k, 2)`` positions), ``final_loss`` (name -> loss at the last
        point), ``learning_rates`` (name -> the rate it ran at), ``diverged`` (names that blew
        up), ``bouncing`` (names that neither converged nor diverged: they keep jumping across
        the valley), ``grid`` (the surface for contours), ``surface``, ``learning_rate``,
        ``rate_scale``, ``steps`` and ``summary``.
    """
    chosen = list(_validate.names(optimizers, "optimizers"))
    if not chosen:
        raise ValueError("no optimizer is ticked: tick at least one box to draw its path")
    for name in chosen:
        _validate.one_of(name, "optimizers", optim.OPTIMIZERS)
    _validate.one_of(surface, "surface", optim.SURFACES)
    if rate_scale is None:
        rates = dict.fromkeys(chosen, learning_rate)
    else:
        rate_scale = _validate.number(rate_scale, "rate_scale", minimum=0, exclusive_minimum=True)
        rates = {name: OWN_LEARNING_RATES[surface][name] * rate_scale for name in chosen}
    paths = {
        name: optim.trajectory(name, surface=surface, learning_rate=rates[name], steps=steps)
        for name in chosen
    }
    final = {name: float(optim.surface_value(surface, *path[-1])) for name, path in paths.items()}
    diverged = [name for name, path in paths.items() if len(path) < steps + 1]
    bouncing = [
        name for name, path in paths.items() if name not in diverged and _bouncing(surface, path)
    ]
    best = min((name for name in chosen if name not in diverged), key=final.get, default=None)
    if rate_scale is None:
        summary = f"{steps} steps at learning rate {learning_rate:.3g}: "
    else:
        own = ", ".join(f"{name} {rate:.3g}" for name, rate in rates.items())
        summary = (
            f"{steps} steps, each optimizer at its own learning rate × {rate_scale:.3g} "
            f"({own}; the scale slider multiplies them all): "
        )
    summary += f"lowest loss {final[best]:.3g} ({best})" if best else "every optimizer diverged"
    if diverged:
        summary += f"; diverged: {', '.join(diverged)}"
    if bouncing:
        summary += f"; bouncing, neither converging nor diverging: {', '.join(bouncing)}"
    return {
        "surface": surface,
        "learning_rate": learning_rate,
        "rate_scale": rate_scale,
        "learning_rates": rates,
        "steps": steps,
        "paths": paths,
        "final_loss": final,
        "diverged": diverged,
        "bouncing": bouncing,
        "grid": _grid(surface),
        "summary": summary,
    }


def _legend_label(name: str, result: dict) -> str:
    own = "" if result["rate_scale"] is None else f" (η {result['learning_rates'][name]:.3g})"
    if name in result["diverged"]:
        return f"{name}{own} (diverged)"
    loss = f"{name}{own}: {result['final_loss'][name]:.2g}"
    return loss + (" (bouncing)" if name in result["bouncing"] else "")


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
        _legend_label(name, result): np.clip(path, -1e3, 1e3)
        for name, path in result["paths"].items()
    }
    spec = optim.SURFACES[result["surface"]]
    plots.plot_paths(paths, ax, minimum=spec.minimum)
    rate = (
        f"learning rate {result['learning_rate']:.3g}"
        if result["rate_scale"] is None
        else f"own learning rates × {result['rate_scale']:.3g}"
    )
    canvas.titles[0].set_text(f"loss {spec.formula}, {rate}")


def _race_step(surface, learning_rate, steps, rates, rate_scale, **ticked):
    chosen = [name for name, on in ticked.items() if on]
    scale = rate_scale if rates == "own" else None
    return race(surface, learning_rate, steps, chosen, rate_scale=scale)


def _follow(controls: dict, mode: str):
    """A reaction: moving one rate slider selects the rate mode it belongs to."""

    def reaction(change):
        controls["rates"].value = mode

    return reaction


def _log_slider(value: float, low: int, high: int, description: str):
    """A slider from 10**low to 10**high in quarter decades, applied on release."""
    return ipywidgets.FloatLogSlider(
        value=value,
        base=10,
        min=low,
        max=high,
        step=0.25,
        description=description,
        readout_format=".3g",
        continuous_update=False,
        style={"description_width": "initial"},
    )


def optimizer_trajectories(
    *,
    surface: str = "elongated",
    learning_rate: float | None = None,
    rate_scale: float = 1.0,
    steps: int = 60,
    optimizers=("SGD", "momentum", "RMSprop", "Adam"),
) -> App:
    """Race Keras optimizers on a 2-D loss surface: rate sliders and one box per optimizer.

    Each redraw runs every ticked optimizer from the start (:func:`race`). Each optimizer
    starts at its own learning rate (:data:`OWN_LEARNING_RATES`, as in the optimizers lesson:
    a rate that suits SGD is tiny for Adam), scaled by the ``rate_scale`` slider; moving the
    ``learning_rate`` slider instead runs every optimizer at that one rate (the ``rates``
    buttons show which).

    Parameters
    ----------
    surface : {"elongated", "rosenbrock"}, default "elongated"
    learning_rate : float, optional
        Between 0.001 and 1 (the slider is logarithmic). When given, every optimizer starts at
        this one rate; by default each starts at its own (and the slider shows 0.03).
    rate_scale : float, default 1.0
        Between 0.1 and 10 (logarithmic): the factor on every optimizer's own rate.
    steps : int, default 60
        Updates per optimizer, 10 to 100.
    optimizers : sequence of str
        The optimizers ticked at the start; names from ``optim.OPTIMIZERS``.

    Returns
    -------
    App
        Controls ``surface``, ``learning_rate``, ``rates`` (``"own"`` or ``"shared"``),
        ``rate_scale``, ``steps`` and one checkbox per optimizer name. ``result`` is what
        :func:`race` returns.
    """
    for name in _validate.names(optimizers, "optimizers"):
        _validate.one_of(name, "optimizers", optim.OPTIMIZERS)
    _validate.one_of(surface, "surface", optim.SURFACES)
    mode = "own" if learning_rate is None else "shared"
    learning_rate = 0.03 if learning_rate is None else learning_rate
    learning_rate = _validate.number(learning_rate, "learning_rate", minimum=1e-3, maximum=1)
    rate_scale = _validate.number(rate_scale, "rate_scale", minimum=0.1, maximum=10)
    steps = _validate.integer(steps, "steps", minimum=10, maximum=100)
    slider = {"continuous_update": False, "style": {"description_width": "initial"}}
    controls = {
        "surface": ipywidgets.Dropdown(
            options=list(optim.SURFACES), value=surface, description="surface"
        ),
        "learning_rate": _log_slider(learning_rate, -3, 0, "learning rate"),
        "rates": ipywidgets.ToggleButtons(
            options=[("each its own", "own"), ("one for all", "shared")],
            value=mode,
            description="rates",
            style={"description_width": "initial", "button_width": "95px"},
        ),
        "rate_scale": _log_slider(rate_scale, -1, 1, "own rates ×"),
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
            1, figsize=(7.5, 4), axes_off=False, left=0.08, right=0.7, bottom=0.12, top=0.9
        ),
        title="Optimizers on a 2-D loss surface",
        reactions={
            "learning_rate": _follow(controls, "shared"),
            "rate_scale": _follow(controls, "own"),
        },
    )
