"""Each Keras internal the package relies on still behaves as ``cnn_lessons._compat`` assumes.

These tests fail loudly after a Keras upgrade that moves or changes one of them; fix
``_compat.py`` (or drop the shim if a public API now does the job) before anything else.
"""

import random

import keras
import numpy as np

from cnn_lessons import _compat, flops


def test_unseeded_initializers_draw_their_seed_from_python_random():
    keras.utils.set_random_seed(7)
    seeds = _compat.keras_default_seeds(7)
    assert keras.initializers.GlorotUniform().seed == next(seeds)
    assert keras.initializers.HeNormal().seed == next(seeds)


def test_the_seeder_reproduces_a_global_reseed_without_touching_python_random():
    keras.utils.set_random_seed(4)
    expected = keras.layers.Dense(3)
    expected.build((None, 5))
    random.seed(99)
    state = random.getstate()
    seeder = _compat.initializer_seeder(4)
    seeded = keras.layers.Dense(3, kernel_initializer=seeder("glorot_uniform"))
    seeded.build((None, 5))
    assert random.getstate() == state
    np.testing.assert_array_equal(seeded.kernel.numpy(), expected.kernel.numpy())
    assert seeder("zeros").get_config() == {}  # not random: no seed used


def test_a_reseeded_random_layer_draws_what_a_new_one_would():
    images = np.random.default_rng(0).random((4, 6, 6, 1)).astype("float32")
    fresh = keras.layers.RandomRotation(0.2, seed=11)(images, training=True)
    reused = keras.layers.RandomRotation(0.2, seed=0)
    reused(images, training=True)  # advances its generator
    _compat.reseed_random_layer(reused, 11)
    np.testing.assert_array_equal(np.asarray(reused(images, training=True)), np.asarray(fresh))


def test_producing_layer_reads_the_keras_history_of_a_symbolic_tensor():
    inputs = keras.Input((4,))
    dense = keras.layers.Dense(2)
    outputs = dense(inputs)
    assert outputs._keras_history.operation is dense  # the private attribute itself
    assert _compat.producing_layer(outputs) is dense
    assert _compat.producing_layer(np.zeros(3)) is None


def test_pending_initialisation_list_exists_and_can_be_emptied():
    from keras.src.backend.common import global_state  # fails loudly if Keras moves it

    def build():
        return keras.Sequential([keras.Input((6,)), keras.layers.Dense(4)])

    with keras.StatelessScope(initialize_variables=False):
        model = build()
    pending = global_state.get_global_attribute("uninitialized_variables") or []
    assert {id(v) for v in model.variables} <= {id(v) for v in pending}
    assert _compat.forget_pending_initialisation(model) is True
    pending = global_state.get_global_attribute("uninitialized_variables") or []
    assert not {id(v) for v in model.variables} & {id(v) for v in pending}
    assert flops.count_macs(model) == 24
