"""Rule: a size, padding or count that would allocate far more memory (or time) than a lesson
needs is refused before anything is allocated: a typo must not ask for gigabytes and kill the
kernel. Each case here would otherwise allocate gigabytes or run for hours."""

import numpy as np
import pytest

from cnn_lessons import augment, conv, data, explain, models, optim, plots, pretrain, widgets

IMAGE = np.zeros((8, 8))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.conv2d(IMAGE, np.ones((3, 3)), padding=100_000), "padding=100000 would need"),
        (lambda: conv.conv2d_naive(IMAGE, np.ones((3, 3)), padding=60_000), "would need"),
        (
            lambda: conv.conv2d(IMAGE, np.ones((3, 3)), padding="same", dilation=50_000),
            "would need",
        ),
        (lambda: conv.pool2d(IMAGE, 100_000, padding="same"), "pool_size=100000 would need"),
        (lambda: augment.tile_images(np.zeros((16, 3, 3)), padding=10**5), "would need"),
        (
            lambda: augment.random_augmentations(IMAGE, count=10_000),
            "count must be an int from 1 to 64",
        ),
        (lambda: data.sample_image("camera", size=100_000), "size must be an int from 1 to 2048"),
        (lambda: data.sample_image("camera", size=(64, 10**6)), "size must be"),
        (lambda: plots.plot_conv_grid(10**6, 3), "input_size must be an int from 1 to 64"),
        (lambda: plots.plot_conv_grid(5, 3, padding=(0, 10**6)), "padding must be"),
        (lambda: optim.trajectory("SGD", steps=10**7), "steps must be an int from 1 to 10000"),
        (lambda: optim.surface_grid("elongated", resolution=10**5), "resolution must be"),
        (lambda: models.small_cnn(filters=(10**9,)), "at most 8192"),
        (lambda: models.small_cnn(input_shape=(10**6, 10**6, 1)), "up to 4096"),
        (lambda: models.small_cnn(dense_units=10**9), "dense_units must be"),
        (lambda: models.dense_network(hidden_units=(10**8,)), "at most 8192"),
        (lambda: models.dense_network(num_classes=10**9), "num_classes must be"),
        (
            lambda: pretrain.build_base(num_classes=10**9),
            "num_classes must be an int from 2 to 1000",
        ),
        (lambda: widgets.augmentation_explorer(count=10**5), "count must be an int from 1 to 23"),
        (lambda: widgets.kernel_playground(image=np.zeros((600, 4))), "at most 512 pixels"),
        (lambda: widgets.dataset_browser(index=10**9), "index must be"),
    ],
)
def test_oversized_requests_are_refused_first(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: explain.smoothgrad(m, np.zeros((4, 4)), samples=10**7), "samples=10000000"),
        (lambda m: explain.integrated_gradients(m, np.zeros((4, 4)), steps=10**8), "steps="),
        (
            lambda m: explain.activations(m, np.zeros((2, 4, 4)), ["conv"], batch_size=10**9),
            "batch_size",
        ),
        (
            lambda m: explain.activation_maximization(
                m, layer_name="conv", channels=[0], steps=10**7
            ),
            "steps must be an int from 1 to 10000",
        ),
        (
            lambda m: explain.activation_maximization(
                m, layer_name="conv", channels=[0], jitter=10**6
            ),
            "jitter must be",
        ),
        (
            lambda m: explain.occlusion_map(m, np.zeros((4, 4)), patch_size=9, stride=1),
            "patch_size",
        ),
    ],
)
def test_oversized_explanations_are_refused_first(softmax_model, call, message):
    with pytest.raises(ValueError, match=message):
        call(softmax_model)


def test_deep_dream_octaves_are_bounded():
    import keras

    inputs = keras.Input((None, None, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same")(inputs))
    with pytest.raises(ValueError, match="octaves must be an int from 1 to 12"):
        explain.deep_dream(model, np.zeros((16, 16)), octaves=1000)
    with pytest.raises(ValueError, match="steps must be"):
        explain.deep_dream(model, np.zeros((16, 16)), steps=10**6)
