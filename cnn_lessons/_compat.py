"""The few Keras internals the package relies on, in one place.

Each one is used only because no public Keras API does the job, and each has a test in
``tests/test_compat.py`` that fails loudly (instead of letting the package silently fall back
to a slower or different path) when a Keras release changes it. After a Keras upgrade, run
those tests first.

* :func:`keras_default_seeds`: the seeds Keras' unseeded initializers draw after
  ``keras.utils.set_random_seed(seed)`` (Keras draws them with Python's ``random.randint(1,
  10**9)``). With them a model builder seeds its initializers one by one and gets the weights
  a global reseed would give, without touching the learner's random generators.
* :func:`producing_layer`: the layer that computed a symbolic tensor (``tensor._keras_history``).
* :func:`reseed_random_layer`: a new seed for a Keras random layer (its ``generator.state``).
* :func:`forget_pending_initialisation`: drops a model's weights from Keras' global list of
  variables still to be drawn (``keras.src.backend.common.global_state``).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator

import numpy as np

#: Keras' unseeded initializers draw their seed with ``random.randint(1, KERAS_SEED_RANGE)``.
KERAS_SEED_RANGE = int(1e9)


def keras_default_seeds(seed: int) -> Iterator[int]:
    """Yield the seeds Keras' unseeded initializers would draw after ``set_random_seed(seed)``.

    Uses a private ``random.Random``: the learner's generators are left as they are.

    Parameters
    ----------
    seed : int

    Yields
    ------
    int
        One seed per initializer, in the order the initializers are created.
    """
    generator = random.Random(seed)
    while True:
        yield generator.randint(1, KERAS_SEED_RANGE)


@contextlib.contextmanager
def python_random_kept() -> Iterator[None]:
    """Put Python's global random generator back as it was when the block ends.

    Keras draws a seed from it (``random.randint``) whenever an unseeded initializer, dropout
    or random layer is made, e.g. when ``keras.initializers.get("glorot_uniform")`` is only
    called to check a name.
    """
    state = random.getstate()
    try:
        yield
    finally:
        random.setstate(state)


def initializer_seeder(seed: int | None) -> Callable:
    """A function that seeds initializers one after the other from ``seed``.

    ``seeder(initializer)`` returns ``initializer`` itself when ``seed`` is None (Keras then uses
    its global random state); otherwise a copy seeded with the next of
    :func:`keras_default_seeds`. Only random initializers take a seed, as in Keras, so a model
    built this way has the weights ``keras.utils.set_random_seed(seed)`` followed by unseeded
    initializers would give, and no global random generator is touched.

    Parameters
    ----------
    seed : int or None

    Returns
    -------
    callable
        ``seeder(initializer) -> initializer`` for a name (``"glorot_uniform"``) or an instance.
    """
    if seed is None:
        return lambda initializer: initializer
    import keras

    seeds = keras_default_seeds(seed)

    def seeder(initializer):
        with python_random_kept():  # an unseeded instance made from a name draws a seed
            instance = keras.initializers.get(initializer)
        config = instance.get_config()
        if "seed" not in config:
            return instance
        return type(instance).from_config({**config, "seed": next(seeds)})

    return seeder


def reseed_random_layer(layer, seed: int) -> None:
    """Give a Keras random layer (``RandomFlip``, ``RandomRotation``, ...) a new seed.

    Afterwards it draws exactly what a new layer made with ``seed=seed`` would draw: Keras
    keeps a random layer's seed as the state ``[seed, 0]`` of its ``generator``
    (``keras.random.SeedGenerator``). Reseeding is much faster than making a new layer.
    """
    state = layer.generator.state
    state.assign(np.array([seed, 0], dtype=state.dtype))


def producing_layer(tensor):
    """The layer (operation) that computed the symbolic ``tensor``, or None for an input."""
    history = getattr(tensor, "_keras_history", None)
    return None if history is None else history.operation


def forget_pending_initialisation(model) -> bool:
    """Drop ``model``'s weights from Keras' list of variables to initialise later.

    Keras keeps the weights declared in ``keras.StatelessScope(initialize_variables=False)`` in
    a global list and draws them all the next time any stateless scope closes, which would
    silently spend the time saved on the next model built.

    Returns
    -------
    bool
        False when this Keras has no such list (the weights then get drawn later, as before).
    """
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # pragma: no cover - tests/test_compat.py fails on such a Keras
        return False
    pending = global_state.get_global_attribute("uninitialized_variables")
    if pending:
        ours = {id(variable) for variable in model.variables}
        global_state.set_global_attribute(
            "uninitialized_variables", [v for v in pending if id(v) not in ours]
        )
    return True
