"""The optimizer race and its compute step, ``race``."""

import ipywidgets
import numpy as np
import pytest

from cnn_lessons import optim, widgets
from cnn_lessons.widgets import optimizers


def test_optimizer_trajectories_follows_every_control():
    app = widgets.optimizer_trajectories(steps=10, optimizers=("SGD",), learning_rate=0.01)
    assert isinstance(app, ipywidgets.Widget)
    assert set(app.controls) == {
        "surface",
        "learning_rate",
        "rates",
        "rate_scale",
        "steps",
        *optim.OPTIMIZERS,
    }
    assert app.controls["rates"].value == "shared"  # a learning rate was given
    assert list(app.result["paths"]) == ["SGD"]
    assert app.result["paths"]["SGD"].shape == (11, 2)
    assert app.png
    before = app.result["paths"]["SGD"]
    app.controls["learning_rate"].value = 0.05
    assert app.result["learning_rate"] == pytest.approx(0.05)
    assert not np.allclose(app.result["paths"]["SGD"], before)
    app.controls["steps"].value = 20
    assert app.result["paths"]["SGD"].shape == (21, 2)
    app.controls["surface"].value = "rosenbrock"
    assert app.result["surface"] == "rosenbrock"
    np.testing.assert_array_equal(app.result["paths"]["SGD"][0], optim.SURFACES["rosenbrock"].start)
    assert app.result["grid"][2].shape == (150, 150)
    app.controls["steps"].value = 10
    for name in optim.OPTIMIZERS:
        if name == "SGD":
            continue
        app.controls[name].value = True
        assert set(app.result["paths"]) == {"SGD", name}
        assert app.result["final_loss"][name] >= 0
        app.controls[name].value = False
        assert list(app.result["paths"]) == ["SGD"]


def test_optimizer_trajectories_explains_an_empty_selection_and_flags_divergence():
    app = widgets.optimizer_trajectories(steps=30, optimizers=("SGD", "Adam"), learning_rate=0.5)
    assert app.result["diverged"] == ["SGD"]
    assert "diverged: SGD" in app.result["summary"]
    assert "lowest loss" in app.result["summary"] and "(Adam)" in app.result["summary"]
    app.controls["SGD"].value = False
    app.controls["Adam"].value = False
    assert "tick at least one" in app.result["error"]
    assert "Not possible" in app.message.value
    app.controls["Lion"].value = True
    assert "error" not in app.result and list(app.result["paths"]) == ["Lion"]


def test_optimizer_trajectories_rejects_bad_arguments():
    with pytest.raises(ValueError, match="optimizers must be one of .SGD., .momentum."):
        widgets.optimizer_trajectories(optimizers=("adam",))
    with pytest.raises(ValueError, match="surface must be one of"):
        widgets.optimizer_trajectories(surface="bowl")
    with pytest.raises(ValueError, match="learning_rate must be a number from 0.001 to 1"):
        widgets.optimizer_trajectories(learning_rate=3)
    with pytest.raises(ValueError, match="steps must be an int from 10 to 100"):
        widgets.optimizer_trajectories(steps=500)


def test_race_alone():
    result = optimizers.race("elongated", 0.05, 10, ["SGD", "Adam"])
    assert list(result["paths"]) == ["SGD", "Adam"] and result["paths"]["SGD"].shape == (11, 2)
    np.testing.assert_array_equal(
        result["paths"]["SGD"], optim.trajectory("SGD", learning_rate=0.05, steps=10)
    )
    assert result["summary"].startswith("10 steps at learning rate 0.05: lowest loss")
    with pytest.raises(ValueError, match="tick at least one"):
        optimizers.race("elongated", 0.05, 10, [])
    with pytest.raises(TypeError, match="optimizers must be a sequence of names"):
        optimizers.race("elongated", 0.05, 10, "SGD")


def test_optimizer_trajectories_starts_each_optimizer_at_its_own_rate():
    app = widgets.optimizer_trajectories(steps=20, optimizers=("SGD", "Adam"))
    assert app.controls["rates"].value == "own" and app.result["rate_scale"] == 1
    assert app.result["learning_rates"] == {"SGD": 0.04, "Adam": 0.1}
    assert (
        "each optimizer at its own learning rate × 1 (SGD 0.04, Adam 0.1" in (app.result["summary"])
    )
    assert "scale slider multiplies them all" in app.result["summary"]
    app.controls["rate_scale"].value = 0.1
    assert app.result["learning_rates"] == pytest.approx({"SGD": 0.004, "Adam": 0.01})
    assert "own learning rate × 0.1 " in app.result["summary"]
    app.controls["surface"].value = "rosenbrock"
    assert app.result["learning_rates"] == pytest.approx({"SGD": 0.003, "Adam": 0.01})
    # Moving the shared slider runs every optimizer at that one rate, and back.
    app.controls["learning_rate"].value = 0.01
    assert app.controls["rates"].value == "shared"
    assert app.result["learning_rates"] == {"SGD": 0.01, "Adam": 0.01}
    assert app.result["summary"].startswith("20 steps at learning rate 0.01: lowest loss")
    app.controls["rate_scale"].value = 1.0
    assert app.controls["rates"].value == "own"
    assert app.result["learning_rates"] == {"SGD": 0.03, "Adam": 0.1}
    app.controls["rates"].value = "shared"
    assert app.result["learning_rates"] == {"SGD": 0.01, "Adam": 0.01}


def test_optimizer_trajectories_marks_a_run_that_keeps_bouncing():
    # SGD at 2 / 20 on the bowl: y jumps between +1.5 and -1.5 for ever, loss 22.5.
    app = widgets.optimizer_trajectories(optimizers=("SGD", "Adam"), learning_rate=0.1)
    assert app.result["bouncing"] == ["SGD"] and app.result["diverged"] == []
    assert app.result["final_loss"]["SGD"] == pytest.approx(22.5, rel=1e-3)
    assert "bouncing, neither converging nor diverging: SGD" in app.result["summary"]
    assert optimizers._legend_label("SGD", app.result) == "SGD: 23 (bouncing)"
    app.controls["learning_rate"].value = 10**-1.25  # 0.056: zig-zags, but converges
    assert app.result["bouncing"] == [] and "bouncing" not in app.result["summary"]


def test_own_learning_rates_are_the_lessons():
    for surface, sgd_rate in [("elongated", 0.04), ("rosenbrock", 0.03)]:
        rates = optimizers.OWN_LEARNING_RATES[surface]
        assert set(rates) == set(optim.OPTIMIZERS)
        assert rates["SGD"] == rates["momentum"] == rates["Nesterov"] == sgd_rate
        assert rates["RMSprop"] == rates["Adam"] == rates["Lion"] == rates["Adagrad"] == 0.1
        assert rates["Adadelta"] == 1.0


def test_race_alone_at_own_rates():
    result = optimizers.race("elongated", 0.5, 10, ["SGD", "Adam"], rate_scale=2.0)
    assert result["learning_rates"] == {"SGD": 0.08, "Adam": 0.2}
    np.testing.assert_array_equal(
        result["paths"]["Adam"], optim.trajectory("Adam", learning_rate=0.2, steps=10)
    )
    assert result["summary"].startswith("10 steps, each optimizer at its own learning rate × 2")
    with pytest.raises(ValueError, match="rate_scale must be"):
        optimizers.race("elongated", 0.5, 10, ["SGD"], rate_scale=0)
    with pytest.raises(ValueError, match="rate_scale must be a number from 0.1 to 10"):
        widgets.optimizer_trajectories(rate_scale=30)
