import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lessons import augment


def correlated_images(count=4000, side=4, channels=1, seed=0):
    """Images whose pixels are strongly correlated: random mixtures of a few smooth patterns."""
    generator = np.random.default_rng(seed)
    features = side * side * channels
    mixing = generator.normal(size=(features, features)) + 2.0
    flat = generator.normal(size=(count, features)) @ mixing + 5.0
    return flat.reshape(count, side, side, channels)


# --- featurewise standardization -------------------------------------------------------------


def test_featurewise_statistics_are_one_per_channel():
    images = np.random.default_rng(0).random((10, 5, 6, 3))
    mean, std = augment.featurewise_statistics(images)
    assert mean.shape == std.shape == (3,)
    np.testing.assert_allclose(mean, images.reshape(-1, 3).mean(axis=0))
    np.testing.assert_allclose(std, images.reshape(-1, 3).std(axis=0))
    mean, std = augment.featurewise_statistics(images[..., 0])
    assert mean.shape == std.shape == ()


@pytest.mark.parametrize("channels", [1, 3])
def test_featurewise_standardize_matches_keras_normalization(channels):
    import keras

    generator = np.random.default_rng(channels)
    images = generator.integers(0, 256, size=(64, 12, 12, channels)).astype("float32") / 255
    images[..., 0] *= 0.3  # channels with different statistics
    layer = keras.layers.Normalization(axis=-1)
    layer.adapt(images)
    expected = keras.ops.convert_to_numpy(layer(images))
    actual = augment.featurewise_standardize(images)
    assert actual.dtype == np.float32 and actual.shape == images.shape
    np.testing.assert_allclose(actual, expected, atol=1e-5)


def test_featurewise_standardize_gives_zero_mean_unit_std_per_channel():
    images = np.random.default_rng(1).integers(0, 256, size=(20, 8, 8, 3), dtype=np.uint8)
    standardized = augment.featurewise_standardize(images)
    np.testing.assert_allclose(standardized.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(standardized.std(axis=(0, 1, 2)), 1, atol=1e-5)


def test_featurewise_standardize_reuses_training_statistics():
    generator = np.random.default_rng(2)
    train, test = generator.random((30, 4, 4, 2)), generator.random((5, 4, 4, 2)) + 1
    mean, std = augment.featurewise_statistics(train)
    result = augment.featurewise_standardize(test, mean=mean, std=std)
    np.testing.assert_allclose(result, (test - mean) / std, rtol=1e-5)
    # a single image is fine once the statistics are given
    assert augment.featurewise_standardize(test[:1], mean=mean, std=std).shape == (1, 4, 4, 2)


def test_featurewise_standardize_maps_a_constant_channel_to_zero():
    images = np.random.default_rng(3).random((6, 3, 3, 2))
    images[..., 1] = 0.25
    result = augment.featurewise_standardize(images)
    assert np.isfinite(result).all()
    np.testing.assert_array_equal(result[..., 1], 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: augment.featurewise_statistics(np.zeros((2, 3))), "images must be a batch"),
        (lambda: augment.featurewise_statistics(np.zeros((1, 3, 3))), "at least 2 images"),
        (lambda: augment.featurewise_standardize(np.zeros((2, 3, 3)), mean=0.0), "together"),
        (
            lambda: augment.featurewise_standardize(
                np.zeros((2, 3, 3, 3)), mean=np.zeros(2), std=np.ones(2)
            ),
            "mean must have shape",
        ),
        (
            lambda: augment.featurewise_standardize(
                np.zeros((2, 3, 3, 1)), mean=np.zeros(1), std=-np.ones(1)
            ),
            "std must not be negative",
        ),
        (lambda: augment.featurewise_standardize(np.zeros((2, 3, 3)), epsilon=0), "epsilon"),
        (
            lambda: augment.featurewise_standardize(np.zeros(3), mean=0.0, std=1.0),
            "images must be a batch",
        ),
    ],
)
def test_featurewise_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- ZCA whitening ----------------------------------------------------------------------------


def test_zca_whitened_data_has_identity_covariance():
    images = correlated_images()
    mean, matrix = augment.zca_whitening_matrix(images, epsilon=1e-8)
    whitened = augment.zca_whiten(images, mean=mean, matrix=matrix)
    assert whitened.shape == images.shape and whitened.dtype == np.float32
    flat = whitened.reshape(len(images), -1).astype(np.float64)
    np.testing.assert_allclose(flat.mean(axis=0), 0, atol=1e-4)
    covariance = flat.T @ flat / len(flat)
    np.testing.assert_allclose(covariance, np.eye(flat.shape[1]), atol=1e-3)
    # the original pixels were far from uncorrelated
    original = images.reshape(len(images), -1)
    assert np.abs(np.corrcoef(original, rowvar=False) - np.eye(original.shape[1])).max() > 0.5


def test_zca_matrix_is_symmetric_and_stays_closest_to_the_original():
    images = correlated_images(count=2000, side=3, channels=2, seed=1)
    mean, matrix = augment.zca_whitening_matrix(images, epsilon=1e-8)
    np.testing.assert_allclose(matrix, matrix.T, atol=1e-8)
    centred = images.reshape(len(images), -1) - mean
    zca = centred @ matrix
    # PCA whitening (rotate onto the principal axes, then scale) also gives identity covariance,
    # but moves the data further from where it was.
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred / len(centred))
    pca = centred @ eigenvectors / np.sqrt(eigenvalues)
    scale = np.sqrt((zca**2).sum() / (centred**2).sum())
    assert np.linalg.norm(zca - centred * scale) < np.linalg.norm(pca - centred * scale)


def test_larger_zca_epsilon_whitens_less():
    images = correlated_images(count=1000, seed=2)
    variances = []
    for epsilon in (1e-6, 1.0, 100.0):
        mean, matrix = augment.zca_whitening_matrix(images, epsilon=epsilon)
        variances.append(augment.zca_whiten(images, mean=mean, matrix=matrix).var())
    assert variances[0] == pytest.approx(1, abs=1e-3)
    assert variances[0] > variances[1] > variances[2]


def test_zca_works_on_grayscale_batches_and_new_images():
    images = correlated_images(count=500)[..., 0]
    mean, matrix = augment.zca_whitening_matrix(images)
    assert mean.shape == (16,) and matrix.shape == (16, 16)
    assert augment.zca_whiten(images[:3], mean=mean, matrix=matrix).shape == (3, 4, 4)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: augment.zca_whitening_matrix(np.zeros((5, 4))), "images must be a batch"),
        (lambda: augment.zca_whitening_matrix(np.zeros((1, 4, 4))), "at least 2"),
        (lambda: augment.zca_whitening_matrix(np.zeros((5, 4, 4)), epsilon=-1), "epsilon"),
        (lambda: augment.zca_whitening_matrix(np.zeros((2, 65, 65))), "at most 4096"),
        (
            lambda: augment.zca_whiten(np.zeros((2, 4, 4)), mean=np.zeros(9), matrix=np.eye(9)),
            "mean and matrix must have shapes",
        ),
        (
            lambda: augment.zca_whiten(np.zeros((4, 4)), mean=np.zeros(4), matrix=np.eye(4)),
            "images must be a batch",
        ),
    ],
)
def test_zca_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- tile_images ------------------------------------------------------------------------------


def test_tile_images_places_images_row_by_row():
    images = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    mosaic = augment.tile_images(images, ncols=3, padding=1, fill=-1.0)
    assert mosaic.shape == (2 * 2 + 1, 3 * 3 + 2)
    np.testing.assert_array_equal(mosaic[:2, :3], images[0])
    np.testing.assert_array_equal(mosaic[:2, 4:7], images[1])
    np.testing.assert_array_equal(mosaic[3:5, 4:7], images[4])
    assert (mosaic[2] == -1).all()  # the padding row
    assert (mosaic[3:, 8:] == -1).all()  # the unused sixth cell


def test_tile_images_keeps_channels_and_integer_dtype():
    images = np.zeros((3, 4, 4, 3), dtype=np.uint8)
    mosaic = augment.tile_images(images, ncols=8, padding=2, fill=255)
    assert mosaic.shape == (4, 3 * 4 + 2 * 2, 3) and mosaic.dtype == np.uint8


@settings(max_examples=30, deadline=None)
@given(
    count=st.integers(1, 12),
    ncols=st.integers(1, 6),
    padding=st.integers(0, 3),
    height=st.integers(1, 5),
    width=st.integers(1, 5),
)
def test_tile_images_shape(count, ncols, padding, height, width):
    mosaic = augment.tile_images(np.zeros((count, height, width)), ncols=ncols, padding=padding)
    cols = min(ncols, count)
    rows = -(-count // cols)
    assert mosaic.shape == (rows * (height + padding) - padding, cols * (width + padding) - padding)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"images": np.zeros((0, 3, 3))}, "non-empty batch"),
        ({"images": np.zeros((3, 3))}, "non-empty batch"),
        ({"images": np.zeros((2, 3, 3)), "ncols": 0}, "ncols must be a positive int"),
        ({"images": np.zeros((2, 3, 3)), "padding": -1}, "padding must be a non-negative int"),
    ],
)
def test_tile_images_bad_arguments(kwargs, message):
    images = kwargs.pop("images")
    with pytest.raises(ValueError, match=message):
        augment.tile_images(images, **kwargs)


# --- random_augmentations ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def photo():
    return np.random.default_rng(0).random((24, 32, 3)).astype(np.float32)


def test_random_augmentations_shape_range_and_determinism(photo):
    settings_ = dict(rotation=30, zoom=0.2, shift=0.1, flip="horizontal", contrast=0.5, seed=3)
    first = augment.random_augmentations(photo, count=5, **settings_)
    assert first.shape == (5, 24, 32, 3) and first.dtype == np.float32
    assert first.min() >= 0 and first.max() <= 1
    np.testing.assert_array_equal(first, augment.random_augmentations(photo, count=5, **settings_))
    other_seed = augment.random_augmentations(photo, count=5, **{**settings_, "seed": 4})
    assert not np.allclose(first, other_seed)
    assert not np.allclose(first[0], first[1])  # copies differ from each other


def test_random_augmentations_without_transformations_returns_copies(photo):
    copies = augment.random_augmentations(photo, count=3)
    np.testing.assert_array_equal(copies, np.repeat(photo[None], 3, axis=0))


def test_horizontal_flip_only_mirrors(photo):
    flipped = augment.random_augmentations(photo, count=16, flip="horizontal", seed=1)
    mirrored = [np.allclose(image, photo[:, ::-1]) for image in flipped]
    unchanged = [np.allclose(image, photo) for image in flipped]
    assert all(m or u for m, u in zip(mirrored, unchanged, strict=True))
    assert any(mirrored) and any(unchanged)


def test_random_augmentations_accepts_grayscale_uint8():
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[8:20, 12:16] = 255
    result = augment.random_augmentations(digit, count=2, rotation=90, seed=0)
    assert result.shape == (2, 28, 28, 1)
    assert result.max() <= 1 and result.max() > 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"count": 0}, "count must be an int from 1 to 64"),
        ({"rotation": 181}, "rotation must be a number from 0 to 180, got 181"),
        ({"zoom": 0.95}, "zoom must be a number from 0 to 0.9"),
        ({"shift": -0.1}, "shift must be a number from 0 to 1"),
        ({"contrast": 1.5}, "contrast must be a number from 0 to 1"),
        ({"rotation": float("nan")}, "rotation must be a number from 0 to 180, got nan"),
        ({"flip": "diagonal"}, "flip must be one of"),
        ({"fill_mode": "mirror"}, "fill_mode must be one of"),
        ({"seed": -1}, "seed must be a non-negative int"),
    ],
)
def test_random_augmentations_bad_arguments(photo, kwargs, message):
    with pytest.raises(ValueError, match=message):
        augment.random_augmentations(photo, **kwargs)


def test_random_augmentations_rejects_bad_images():
    with pytest.raises(ValueError, match="image must have shape"):
        augment.random_augmentations(np.zeros((4, 4, 5)))
    with pytest.raises(ValueError, match="image must have shape"):
        augment.random_augmentations(np.zeros(7))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: augment.featurewise_statistics(np.array([["a"]] * 3)), "images must contain"),
        (lambda: augment.zca_whitening_matrix(np.zeros((5, 4, 4)), epsilon="big"), "epsilon"),
        (lambda: augment.random_augmentations(np.zeros((4, 4)), rotation="a lot"), "rotation"),
        (lambda: augment.random_augmentations(np.zeros((4, 4)), seed="0"), "seed"),
        (lambda: augment.tile_images(np.zeros((2, 3, 3)), ncols=True), "ncols"),
    ],
)
def test_wrong_types_raise_type_error(call, message):
    with pytest.raises(TypeError, match=message):
        call()
