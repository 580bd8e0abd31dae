"""The FLOP counter agrees with hand counts, layer by layer, and with the published totals."""

import keras
import pytest

from cnn_lessons import flops


def _model(input_shape, *layers):
    return keras.Sequential([keras.Input(shape=input_shape), *layers])


def _only_layer_cost(input_shape, layer):
    model = _model(input_shape, layer)
    table = flops.layer_costs(model)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["params"] == layer.count_params() == model.count_params()
    return int(row["macs"]), int(row["flops"])


def test_conv2d_valid_without_activation():
    # 8x8x3 -> 6x6x4 with 3x3 kernels: each of the 6*6*4 outputs needs 3*3*3 multiply-adds.
    macs, total = _only_layer_cost((8, 8, 3), keras.layers.Conv2D(4, 3))
    assert macs == 6 * 6 * 4 * 3 * 3 * 3 == 3888
    assert total == 2 * 3888 + 6 * 6 * 4  # two FLOPs per multiply-add, plus the bias


def test_conv2d_activation_stride_and_same_padding():
    macs, total = _only_layer_cost(
        (8, 8, 3), keras.layers.Conv2D(5, 3, strides=2, padding="same", activation="relu")
    )
    assert macs == 4 * 4 * 5 * 27
    assert total == 2 * macs + 2 * 4 * 4 * 5  # bias and ReLU, one FLOP each per output


def test_conv2d_without_bias_and_with_groups():
    macs, total = _only_layer_cost((6, 6, 4), keras.layers.Conv2D(4, 3, groups=2, use_bias=False))
    assert macs == 4 * 4 * 4 * (3 * 3 * 2)  # each filter sees half the input channels
    assert total == 2 * macs


def test_dense_on_vectors_and_on_sequences():
    assert _only_layer_cost((144,), keras.layers.Dense(10)) == (1440, 2 * 1440 + 10)
    macs, _ = _only_layer_cost((5, 7), keras.layers.Dense(3))
    assert macs == 5 * 7 * 3  # applied to each of the 5 rows


def test_depthwise_separable_and_transposed_convolutions():
    macs, total = _only_layer_cost((8, 8, 3), keras.layers.DepthwiseConv2D(3, depth_multiplier=2))
    assert macs == 6 * 6 * 6 * 9  # each of 6 output channels filters one input channel
    assert total == 2 * macs + 6 * 6 * 6
    macs, _ = _only_layer_cost((8, 8, 3), keras.layers.SeparableConv2D(5, 3))
    assert macs == 6 * 6 * 3 * 9 + 6 * 6 * 3 * 5  # depthwise 3x3, then pointwise 1x1
    macs, _ = _only_layer_cost((4, 4, 3), keras.layers.Conv2DTranspose(2, 3, strides=2))
    assert macs == 4 * 4 * 3 * 9 * 2  # every input value is spread over a 3x3x2 window


def test_pooling_counts_comparisons_and_additions():
    assert _only_layer_cost((6, 6, 4), keras.layers.MaxPooling2D(2)) == (0, 3 * 3 * 4 * 3)
    assert _only_layer_cost((6, 6, 4), keras.layers.AveragePooling2D(2)) == (0, 3 * 3 * 4 * 4)
    assert _only_layer_cost((6, 6, 4), keras.layers.GlobalAveragePooling2D()) == (0, 4 * 36)
    assert _only_layer_cost((6, 6, 4), keras.layers.GlobalMaxPooling2D()) == (0, 4 * 35)


def test_elementwise_and_free_layers():
    assert _only_layer_cost((6, 6, 4), keras.layers.BatchNormalization()) == (0, 2 * 144)
    assert _only_layer_cost((6, 6, 4), keras.layers.ReLU()) == (0, 144)
    assert _only_layer_cost((6, 6, 4), keras.layers.Flatten()) == (0, 0)
    assert _only_layer_cost((6, 6, 4), keras.layers.Dropout(0.5)) == (0, 0)
    inputs = keras.Input(shape=(6, 6, 4))
    added = keras.layers.Add()([inputs, inputs, inputs])
    table = flops.layer_costs(keras.Model(inputs, added))
    assert list(table["type"]) == ["Add"]  # the InputLayer computes nothing and is left out
    assert table.set_index("type").loc["Add", "flops"] == 2 * 144  # two additions per element


def test_unknown_layers_are_flagged_not_guessed():
    class Custom(keras.layers.Layer):
        def call(self, inputs):
            return inputs * 2

    table = flops.layer_costs(_model((3,), Custom(), keras.layers.Dense(2)))
    assert list(table["counted"]) == [False, True]
    assert table["flops"].iloc[0] == 0


def test_totals_nested_models_and_table_columns():
    inner = _model((8, 8, 3), keras.layers.Conv2D(4, 3), keras.layers.Flatten())
    outer = _model((8, 8, 3), inner, keras.layers.Dense(2))
    table = flops.layer_costs(outer)
    assert list(table.columns) == [
        "layer",
        "type",
        "output_shape",
        "params",
        "macs",
        "flops",
        "counted",
    ]
    assert table["layer"].iloc[0].startswith(inner.name + "/")
    assert table["output_shape"].iloc[0] == (6, 6, 4)
    assert flops.count_macs(outer) == 3888 + 144 * 2
    assert flops.count_flops(outer) == int(table["flops"].sum())
    assert table["params"].sum() == outer.count_params()


def test_weight_depth_follows_the_longest_path():
    assert (
        flops.weight_depth(
            _model(
                (8, 8, 1), keras.layers.Conv2D(2, 3), keras.layers.Flatten(), keras.layers.Dense(2)
            )
        )
        == 2
    )
    inputs = keras.Input(shape=(8, 8, 4))
    main = keras.layers.Conv2D(8, 3, padding="same")(inputs)
    main = keras.layers.Conv2D(8, 3, padding="same")(main)
    shortcut = keras.layers.Conv2D(8, 1)(inputs)  # projection: beside the path, not on it
    model = keras.Model(inputs, keras.layers.Add()([main, shortcut]))
    assert flops.weight_depth(model) == 2
    nested = _model((8, 8, 4), model, keras.layers.Flatten(), keras.layers.Dense(3))
    assert flops.weight_depth(nested) == 3


def test_unknown_sizes_and_non_models_are_rejected():
    with pytest.raises(ValueError, match="unknown sizes"):
        flops.layer_costs(_model((None, None, 3), keras.layers.Conv2D(2, 3)))
    with pytest.raises(TypeError, match="keras.Model"):
        flops.layer_costs(keras.layers.Dense(3))


def test_build_without_weights_counts_like_a_real_build_and_leaves_nothing_pending():
    from keras.src.backend.common import global_state

    def build():
        return _model(
            (16, 16, 3), keras.layers.Conv2D(8, 3), keras.layers.Flatten(), keras.layers.Dense(4)
        )

    ghost = flops.build_without_weights(build)
    real = build()
    assert ghost.count_params() == real.count_params()
    assert flops.count_flops(ghost) == flops.count_flops(real)
    pending = global_state.get_global_attribute("uninitialized_variables") or []
    assert not {id(v) for v in ghost.variables} & {id(v) for v in pending}


def _vgg16_hand_count():
    """VGG16 at 224x224: 13 3x3 convolutions in 5 blocks, then 3 dense layers."""
    macs, size, channels = 0, 224, 3
    for filters, convs in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
        for _ in range(convs):
            macs += size * size * filters * 9 * channels
            channels = filters
        size //= 2
    return macs + 7 * 7 * 512 * 4096 + 4096 * 4096 + 4096 * 1000


def test_keras_applications_match_hand_counts_and_published_figures():
    vgg = flops.build_without_weights(keras.applications.VGG16, weights=None)
    assert flops.count_macs(vgg) == _vgg16_hand_count() == 15_470_264_320
    assert vgg.count_params() == 138_357_544 and flops.weight_depth(vgg) == 16
    mobilenet = flops.build_without_weights(keras.applications.MobileNetV2, weights=None)
    assert 0.29e9 < flops.count_macs(mobilenet) < 0.31e9  # paper: 300M multiply-adds
    assert mobilenet.count_params() == 3_538_984
