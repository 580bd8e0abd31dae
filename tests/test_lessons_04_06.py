"""Lessons 04-06 helpers: the optimizer toy, the two apps, the path plot and the checks."""

import time

import ipywidgets
import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnn_lessons import checks, optim, plots, training, widgets

# --- optim: the 2-D toy --------------------------------------------------------------------


@pytest.mark.parametrize("surface", list(optim.SURFACES))
@pytest.mark.parametrize("point", [(-1.5, 2.0), (0.3, -0.7), (1.0, 1.0)])
def test_surface_gradient_matches_finite_differences(surface, point):
    step = 1e-6
    expected = [
        (
            optim.surface_value(surface, point[0] + dx, point[1] + dy)
            - optim.surface_value(surface, point[0] - dx, point[1] - dy)
        )
        / (2 * step)
        for dx, dy in ((step, 0), (0, step))
    ]
    np.testing.assert_allclose(
        optim.surface_gradient(surface, point), expected, rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize("surface", list(optim.SURFACES))
def test_the_minimum_is_where_the_gradient_vanishes(surface):
    spec = optim.SURFACES[surface]
    np.testing.assert_allclose(optim.surface_gradient(surface, spec.minimum), 0, atol=1e-12)
    assert optim.surface_value(surface, *spec.minimum) == 0


def test_surface_grid_covers_the_drawing_range():
    xs, ys, values = optim.surface_grid("rosenbrock", resolution=20)
    assert xs.shape == ys.shape == values.shape == (20, 20)
    assert (xs.min(), xs.max()) == optim.SURFACES["rosenbrock"].x_range
    assert (ys.min(), ys.max()) == optim.SURFACES["rosenbrock"].y_range
    assert (values >= 0).all()


def test_sgd_trajectory_follows_the_closed_form():
    # On 0.5 (x^2 + 20 y^2) plain SGD multiplies x by (1 - lr) and y by (1 - 20 lr) each step.
    path = optim.trajectory("SGD", surface="elongated", learning_rate=0.02, steps=30)
    assert path.shape == (31, 2)
    start = np.array(optim.SURFACES["elongated"].start)
    np.testing.assert_array_equal(path[0], start)
    steps = np.arange(31)
    expected = np.stack([start[0] * 0.98**steps, start[1] * 0.6**steps], axis=1)
    np.testing.assert_allclose(path, expected, rtol=1e-4, atol=1e-6)


def test_momentum_trajectory_matches_the_numpy_update_rule():
    learning_rate, momentum = 0.01, 0.9
    path = optim.trajectory("momentum", learning_rate=learning_rate, steps=25)
    point = np.array(optim.SURFACES["elongated"].start)
    velocity = np.zeros(2)
    for row in path[1:]:
        velocity = momentum * velocity - learning_rate * optim.surface_gradient("elongated", point)
        point = point + velocity
        np.testing.assert_allclose(row, point, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_every_optimizer_lowers_the_loss_at_a_sensible_learning_rate(name):
    rate = 1.0 if name == "Adadelta" else 0.01 if name in ("SGD", "momentum", "Nesterov") else 0.1
    path = optim.trajectory(name, learning_rate=rate, steps=40)
    assert path.shape == (41, 2) and np.isfinite(path).all()
    first, last = (optim.surface_value("elongated", *point) for point in (path[0], path[-1]))
    assert last < first


def test_make_optimizer_builds_the_named_keras_optimizer():
    expected = {
        "SGD": keras.optimizers.SGD,
        "Adam": keras.optimizers.Adam,
        "AdamW": keras.optimizers.AdamW,
        "Lion": keras.optimizers.Lion,
        "Adadelta": keras.optimizers.Adadelta,
    }
    for name, cls in expected.items():
        optimizer = optim.make_optimizer(name, 0.05)
        assert type(optimizer) is cls
        assert float(optimizer.learning_rate) == pytest.approx(0.05)
    nesterov = optim.make_optimizer("Nesterov", 0.1)
    assert nesterov.momentum == 0.9 and nesterov.nesterov
    assert optim.make_optimizer("momentum", 0.1).momentum == 0.9


def test_a_diverging_optimizer_stops_early():
    # |1 - 20 * 0.2| = 3 > 1: the y coordinate triples (with a sign flip) at every step.
    path = optim.trajectory("SGD", learning_rate=0.2, steps=100)
    assert len(path) < 101
    assert np.abs(path[-1]).max() > optim.DIVERGENCE_LIMIT


def test_trajectory_accepts_an_optimizer_instance_and_a_start():
    path = optim.trajectory(keras.optimizers.SGD(0.1), start=(1.0, 0.0), steps=3)
    np.testing.assert_allclose(path[:, 0], [1.0, 0.9, 0.81, 0.729], rtol=1e-6)
    np.testing.assert_array_equal(path[:, 1], 0)


def test_trajectory_rejects_a_non_optimizer_with_type_error():
    with pytest.raises(TypeError, match="optimizer must be a name"):
        optim.trajectory(3)
    with pytest.raises(TypeError, match="steps must be an int from 1 to 10000, got '5'"):
        optim.trajectory("SGD", steps="5")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"optimizer": "adam"}, "optimizer must be one of"),
        ({"optimizer": "SGD", "surface": "bowl"}, "surface must be one of"),
        ({"optimizer": "SGD", "learning_rate": 0}, "learning_rate must be a positive number"),
        ({"optimizer": "SGD", "steps": 0}, "steps must be an int from 1 to 10000"),
        ({"optimizer": "SGD", "start": (1.0, np.nan)}, "start must be a finite point"),
        ({"optimizer": "SGD", "start": (1.0,)}, "start must be a finite point"),
    ],
)
def test_trajectory_rejects_bad_arguments(arguments, message):
    optimizer = arguments.pop("optimizer")
    with pytest.raises(ValueError, match=message):
        optim.trajectory(optimizer, **arguments)


# --- plots ---------------------------------------------------------------------------------


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


# --- widgets: the prediction explorer ------------------------------------------------------


def _tiny_classifier():
    """Three classes from 4x4 images: the class is the brightest of three fixed pixels."""
    model = keras.Sequential(
        [
            keras.Input(shape=(4, 4, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    kernel = np.zeros((16, 3), "float32")
    kernel[[0, 5, 10], [0, 1, 2]] = 20.0
    model.layers[-1].set_weights([kernel, np.zeros(3, "float32")])
    return model


def _images(classes):
    images = np.zeros((len(classes), 4, 4), np.uint8)
    for index, label in enumerate(classes):
        images[index].flat[[0, 5, 10][label]] = 255
    return images


def test_prediction_explorer_follows_the_slider_and_shows_mistakes():
    images = _images([0, 1, 2, 1, 0])
    labels = [0, 1, 1, 1, 2]  # images 2 and 4 are misclassified
    app = widgets.prediction_explorer(_tiny_classifier(), images, labels, ["a", "b", "c"])
    assert isinstance(app, ipywidgets.Widget)
    assert set(app.controls) == {"index", "only_mistakes"}
    assert app.controls["index"].max == 4
    assert app.result["predicted"] == 0 and app.result["correct"]
    assert app.result["probabilities"].shape == (3,)
    assert app.result["image"].shape == (4, 4, 1) and app.result["image"].max() == 1.0
    assert app.output.outputs[0]["data"]["image/png"]
    app.controls["index"].value = 2
    assert app.result["index"] == 2 and app.result["predicted"] == 2
    assert not app.result["correct"] and "true: b" in app.result["title"]
    assert app.result["confidence"] > 0.99
    assert app.result["summary"] == "2 of 5 images misclassified"
    app.controls["only_mistakes"].value = True
    assert app.controls["index"].max == 1
    assert app.result["index"] in (2, 4) and not app.result["correct"]
    app.controls["index"].value = 1
    assert app.result["index"] == 4
    app.controls["only_mistakes"].value = False
    assert app.controls["index"].max == 4 and app.result["index"] == 1


def test_prediction_explorer_explains_when_there_is_no_mistake():
    images = _images([0, 1, 2])
    app = widgets.prediction_explorer(_tiny_classifier(), images, [0, 1, 2], ["a", "b", "c"])
    app.controls["only_mistakes"].value = True
    assert "no mistake to show" in app.result["error"]
    assert "Not possible" in app.message.value and not app.output.outputs
    app.controls["only_mistakes"].value = False
    assert "error" not in app.result and app.message.value == ""


def test_prediction_explorer_without_labels_disables_mistakes_and_softmaxes_logits():
    logits = keras.Sequential(
        [keras.Input(shape=(4, 4)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    app = widgets.prediction_explorer(logits, np.random.default_rng(0).random((3, 4, 4)))
    assert app.controls["only_mistakes"].disabled
    assert app.result["true_label"] is None
    assert app.result["probabilities"].sum() == pytest.approx(1)
    assert (app.result["probabilities"] >= 0).all()


def test_prediction_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="model is required"):
        widgets.prediction_explorer()
    model = _tiny_classifier()
    with pytest.raises(ValueError, match=r"images must have shape \(N, 4, 4, 1\)"):
        widgets.prediction_explorer(model, np.zeros((2, 5, 5)), [0, 1])
    with pytest.raises(ValueError, match="labels must have one entry per image"):
        widgets.prediction_explorer(model, _images([0, 1]), [0])
    with pytest.raises(ValueError, match="class_names must have 3 entries"):
        widgets.prediction_explorer(model, _images([0, 1]), [0, 1], ["a", "b"])
    with pytest.raises(ValueError, match="labels were given without images"):
        widgets.prediction_explorer(model, labels=[0, 1])


def test_prediction_explorer_defaults_to_the_mnist_test_digits():
    training.seed_everything(0)
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")]
    )
    app = widgets.prediction_explorer(model)
    assert app.controls["index"].max == 999
    assert app.result["image"].shape == (28, 28, 1)
    assert app.result["true_label"] is not None


# --- widgets: optimizer trajectories -------------------------------------------------------


def test_optimizer_trajectories_follows_every_control():
    app = widgets.optimizer_trajectories(steps=10, optimizers=("SGD",), learning_rate=0.01)
    assert isinstance(app, ipywidgets.Widget)
    assert set(app.controls) == {"surface", "learning_rate", "steps", *optim.OPTIMIZERS}
    assert list(app.result["paths"]) == ["SGD"]
    assert app.result["paths"]["SGD"].shape == (11, 2)
    assert app.output.outputs[0]["data"]["image/png"]
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


def test_optimizer_trajectories_update_time_is_reasonable():
    app = widgets.optimizer_trajectories(steps=60)
    start = time.perf_counter()
    app.controls["learning_rate"].value = 0.01
    seconds = time.perf_counter() - start
    # Four optimizers x 60 eager Keras updates plus a contour plot: about half a second on an
    # idle laptop; a generous bound so a busy CI machine does not fail it.
    assert seconds < 10


def test_optimizer_trajectories_rejects_bad_arguments():
    with pytest.raises(ValueError, match="optimizers must be names from"):
        widgets.optimizer_trajectories(optimizers=("adam",))
    with pytest.raises(ValueError, match="surface must be one of"):
        widgets.optimizer_trajectories(surface="bowl")
    with pytest.raises(ValueError, match="learning_rate must be between"):
        widgets.optimizer_trajectories(learning_rate=3)
    with pytest.raises(ValueError, match="steps must be an int from 10 to 100"):
        widgets.optimizer_trajectories(steps=500)


# --- checks --------------------------------------------------------------------------------


def _keras_cross_entropy(labels, probabilities):
    loss = keras.losses.CategoricalCrossentropy()
    return float(loss(labels.astype("float32"), probabilities.astype("float32")))


def test_check_cross_entropy_agrees_with_keras_and_catches_mistakes(capsys):
    assert checks.check_cross_entropy(_keras_cross_entropy)
    assert not checks.check_cross_entropy(
        lambda labels, probabilities: -np.sum(labels * np.log(probabilities), axis=1)
    )
    assert "expected shape ()" in capsys.readouterr().out
    with np.errstate(divide="ignore", invalid="ignore"):
        result = checks.check_cross_entropy(
            lambda labels, probabilities: -np.mean(np.sum(labels * np.log(probabilities), axis=1))
        )
    assert not result and "case 4" in result.failures[0]
    assert "clip" in capsys.readouterr().out


def test_check_conv_parameters(capsys):
    assert checks.check_conv_parameters(lambda k, c, f: (k * k * c + 1) * f)
    assert not checks.check_conv_parameters(lambda k, c, f: k * k * c * f)
    assert "bias" in capsys.readouterr().out
    layer = keras.layers.Conv2D(8, 5)
    layer.build((None, 12, 12, 3))
    assert layer.count_params() == (5 * 5 * 3 + 1) * 8


def _keras_momentum_step(weights, gradient, velocity, learning_rate, momentum):
    variable = keras.Variable(np.asarray(weights, "float32"))
    optimizer = keras.optimizers.SGD(learning_rate, momentum=momentum)
    optimizer.build([variable])
    if momentum:
        optimizer.momentums[0].assign(np.asarray(velocity, "float32"))
    optimizer.apply([np.asarray(gradient, "float32")], [variable])
    new_weights = variable.numpy()
    return new_weights, (new_weights - np.asarray(weights, "float32"))


def test_check_momentum_step_agrees_with_keras_sgd(capsys):
    result = checks.check_momentum_step(_keras_momentum_step)
    assert result, capsys.readouterr().out
    assert not checks.check_momentum_step(lambda w, g, v, lr, m: (w - lr * g, v))
    assert not checks.check_momentum_step(lambda w, g, v, lr, m: None)
    printed = capsys.readouterr().out
    assert "Hint:" in printed and "forget to `return`" in printed


def test_check_best_epoch(capsys):
    def best(values, mode):
        values = np.asarray(values)
        return int(np.argmin(values) if mode == "min" else np.argmax(values)) + 1

    assert checks.check_best_epoch(best)
    assert not checks.check_best_epoch(lambda values, mode: int(np.argmin(values)))
    assert not checks.check_best_epoch(
        lambda values, mode: len(values) - int(np.argmin(values[::-1])) if mode == "min" else 1
    )
    assert "epochs count from 1" in capsys.readouterr().out


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")
