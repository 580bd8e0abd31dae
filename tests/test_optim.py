"""The 2-D optimizer toy: surfaces, exact gradients and Keras optimizer trajectories."""

import keras
import numpy as np
import pytest

from cnn_lessons import optim


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
