"""regkit.augment and the augmentation gallery."""
import functools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import regkit as rk
from regkit import augment as A

# name -> (function, name of its strength argument, a positive strength)
STRENGTH = {
    "shift": (A.shift, "pixels", 2),
    "rotate": (A.rotate, "degrees", 20.0),
    "zoom": (A.zoom, "factor", 0.2),
    "gaussian_noise": (A.gaussian_noise, "sigma", 0.2),
    "cutout": (A.cutout, "size", 3),
    "brightness": (A.brightness, "delta", 0.3),
    "contrast": (A.contrast, "factor", 0.3),
    "hflip": (A.hflip, "p", 0.5),
}
NAMES = sorted(STRENGTH)


@pytest.fixture(scope="module")
def digits():
    return rk.datasets.digits(flatten=False, random_state=0)


@pytest.fixture
def batch():
    return np.random.default_rng(42).random((16, 8, 8), dtype=np.float32)


def _apply(name, images, strength=None, **kw):
    f, arg, default = STRENGTH[name]
    return f(images, **{arg: default if strength is None else strength}, **kw)


@pytest.mark.parametrize("name", NAMES)
def test_shape_and_dtype(name, batch):
    out = _apply(name, batch, rng=0)
    assert out.shape == batch.shape and out.dtype == np.float32
    assert _apply(name, batch.astype(np.float64), rng=0).dtype == np.float64
    assert _apply(name, (batch * 16).astype(np.int64), rng=0).dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_input_untouched_and_not_aliased(name, batch):
    before = batch.copy()
    batch.flags.writeable = False  # any in-place write would raise
    out = _apply(name, batch, rng=0)
    np.testing.assert_array_equal(batch, before)
    assert not np.shares_memory(out, batch)


@pytest.mark.parametrize("name", NAMES)
def test_zero_strength_is_exact_identity(name, batch):
    out = _apply(name, batch, strength=0, rng=3)
    np.testing.assert_array_equal(out, batch)


@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 2**16), h=st.integers(1, 9), w=st.integers(1, 9))
def test_zero_strength_identity_any_shape(seed, h, w):
    x = np.random.default_rng(seed).standard_normal((3, h, w)).astype(np.float32)
    for name in NAMES:
        np.testing.assert_array_equal(_apply(name, x, strength=0, rng=seed), x)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_output_different_seed_different(name, batch):
    a, b = _apply(name, batch, rng=7), _apply(name, batch, rng=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, _apply(name, batch, rng=8))


@pytest.mark.parametrize("name", NAMES)
def test_seeded_default_generator(name, batch):
    rk.seed(5)
    a = _apply(name, batch)
    rk.seed(5)
    np.testing.assert_array_equal(a, _apply(name, batch))


@pytest.mark.parametrize("name", NAMES)
def test_values_stay_in_unit_range(name, digits):
    out = _apply(name, digits.x_train, strength=STRENGTH[name][2] * 3
                 if name not in ("zoom", "hflip") else None, rng=0)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_no_clipping_outside_unit_range():
    x = np.random.default_rng(0).standard_normal((8, 6, 6)).astype(np.float32) * 3
    out = A.gaussian_noise(x, sigma=0.5, rng=0)
    assert out.min() < -1 and out.max() > 2  # standardised data is not squashed
    assert A.brightness(x, delta=0.5, rng=0).max() > 1


@pytest.mark.parametrize("name", NAMES)
def test_negative_strength_is_rejected_by_name(name, batch):
    arg = STRENGTH[name][1]
    with pytest.raises(ValueError, match=arg):
        _apply(name, batch, strength=-1)


@pytest.mark.parametrize("name", NAMES)
def test_flat_rows_get_a_helpful_error(name, batch):
    with pytest.raises(ValueError, match="flatten=False"):
        _apply(name, batch.reshape(16, 64))


def test_bad_strength_types_and_ranges(batch):
    with pytest.raises(TypeError, match="pixels"):
        A.shift(batch, pixels=1.5)
    with pytest.raises(ValueError, match="factor"):
        A.zoom(batch, factor=1.0)
    with pytest.raises(ValueError, match="p"):
        A.hflip(batch, p=1.5)
    with pytest.raises(ValueError, match="NaN"):
        A.rotate(np.full((1, 3, 3), np.nan))


# -- what each transform does ---------------------------------------------------
def _shifted(img, dy, dx):
    out = np.zeros_like(img)
    h, w = img.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        img[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def test_shift_is_a_whole_pixel_shift_within_range():
    x = np.random.default_rng(1).uniform(0.1, 1, (40, 8, 8)).astype(np.float32)
    out = A.shift(x, pixels=2, rng=0)
    found = set()
    for img, o in zip(x, out):  # each output is exactly one shift of its own input
        hits = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                if np.array_equal(o, _shifted(img, dy, dx))]
        assert len(hits) == 1
        found.add(hits[0])
    assert len(found) > 10  # fresh shift per image


def test_warp_matches_scipy_affine_transform():
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(0)
    x = rng.random((4, 7, 9))
    m = np.eye(2) + 0.4 * rng.standard_normal((4, 2, 2))
    centre = np.array([3.0, 4.0])
    ref = [ndimage.affine_transform(img, mi, offset=centre - mi @ centre, order=1,
                                    mode="grid-constant", cval=0.0)
           for img, mi in zip(x, m)]
    np.testing.assert_allclose(A._warp(x, m), ref, atol=1e-12)
    single = A._warp(x.astype(np.float32), m)  # float32 coordinates are plenty
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, ref, atol=2e-6)


def _centroid_polar(images):
    n, h, w = images.shape
    ys, xs = np.mgrid[:h, :w]
    mass = images.sum(axis=(1, 2))
    cy = (images * ys).sum(axis=(1, 2)) / mass - (h - 1) / 2
    cx = (images * xs).sum(axis=(1, 2)) / mass - (w - 1) / 2
    return np.hypot(cy, cx), np.degrees(np.arctan2(cy, cx))


@pytest.fixture
def blob():
    """A 3x3 blob 6 pixels right of the centre of a 21x21 image, 300 copies."""
    img = np.zeros((21, 21), dtype=np.float32)
    img[9:12, 15:18] = 1.0
    return np.repeat(img[None], 300, axis=0)


def test_rotate_angle_is_per_image_and_bounded(blob):
    r0, a0 = _centroid_polar(blob)
    r, a = _centroid_polar(A.rotate(blob, degrees=30, rng=0))
    np.testing.assert_allclose(r, r0, rtol=0.03)  # rotation keeps the radius
    turn = a - a0
    assert np.abs(turn).max() <= 30.5
    assert turn.min() < -25 and turn.max() > 25  # the whole range is used


def test_zoom_scale_is_per_image_and_bounded(blob):
    r0, a0 = _centroid_polar(blob)
    r, a = _centroid_polar(A.zoom(blob, factor=0.2, rng=0))
    ratio = r / r0
    assert ratio.min() >= 0.8 - 0.01 and ratio.max() <= 1.2 + 0.01
    assert ratio.min() < 0.85 and ratio.max() > 1.15
    np.testing.assert_allclose(a, a0, atol=1e-3)  # zoom about the centre keeps direction


def test_gaussian_noise_std_per_image_up_to_sigma():
    x = np.full((200, 32, 32), 0.5, dtype=np.float32)
    std = (A.gaussian_noise(x, sigma=0.08, rng=0) - x).std(axis=(1, 2))
    assert std.max() <= 0.08 * 1.1 and std.min() < 0.02 and std.max() > 0.07


def test_brightness_and_contrast_factors_bounded(batch):
    x = 0.25 + 0.25 * batch  # so +-30% never reaches the clip at 0 or 1
    a = (A.brightness(x, delta=0.3, rng=0) / x).reshape(16, -1)
    np.testing.assert_allclose(a, a[:, :1] * np.ones_like(a), rtol=1e-5)  # one factor per image
    assert a.min() >= 0.7 - 1e-6 and a.max() <= 1.3 + 1e-6 and np.unique(a[:, 0]).size == 16
    m = x.mean(axis=(1, 2), keepdims=True)
    c = ((A.contrast(x, factor=0.3, rng=0) - m) / (x - m)).reshape(16, -1)
    assert c.min() >= 0.7 - 1e-4 and c.max() <= 1.3 + 1e-4
    np.testing.assert_allclose(A.contrast(x, factor=0.3, rng=0).mean(axis=(1, 2)),
                               m[:, 0, 0], rtol=1e-5)  # the mean is the pivot


def test_cutout_blanks_one_square_of_side_at_most_size():
    x = np.ones((500, 10, 10), dtype=np.float32)
    holes = A.cutout(x, size=4, rng=0) == 0
    for hole in holes:
        rows, cols = np.nonzero(hole.any(axis=1))[0], np.nonzero(hole.any(axis=0))[0]
        assert 1 <= rows.size <= 4 and 1 <= cols.size <= 4
        assert hole.sum() == rows.size * cols.size  # a filled rectangle
    assert np.unique(holes.sum(axis=(1, 2))).size > 4


def test_hflip_mirrors_with_probability_p(batch):
    x = np.random.default_rng(0).random((1000, 4, 5), dtype=np.float32)
    out = A.hflip(x, p=0.3, rng=0)
    flipped = np.all(out == x[:, :, ::-1], axis=(1, 2))
    kept = np.all(out == x, axis=(1, 2))
    assert np.all(flipped ^ kept)
    assert 0.25 < flipped.mean() < 0.35
    np.testing.assert_array_equal(A.hflip(batch, p=1.0), batch[:, :, ::-1])


@pytest.fixture(scope="module")
def clean_classifier(digits):
    lm = pytest.importorskip("sklearn.linear_model")
    n = len(digits.x_train)
    return lm.LogisticRegression(max_iter=500).fit(digits.x_train.reshape(n, -1),
                                                   digits.y_train)


@pytest.mark.parametrize("name", ["rotate", "zoom", "gaussian_noise", "cutout",
                                  "brightness", "contrast"])
def test_labels_still_fit_after_augmentation(name, digits, clean_classifier):
    """Mild augmentations keep batch order and class: a classifier trained on
    clean digits still recognises the augmented test images."""
    out = _apply(name, digits.x_test, rng=0).reshape(len(digits.x_test), -1)
    clf = clean_classifier
    assert clf.score(out, digits.y_test) > 0.85


# -- Compose -------------------------------------------------------------------
def test_compose_is_sequential_with_one_generator(batch):
    pipeline = A.Compose([functools.partial(A.shift, pixels=1), A.rotate, A.brightness])
    g = np.random.default_rng(11)
    expected = A.brightness(A.rotate(A.shift(batch, pixels=1, rng=g), rng=g), rng=g)
    np.testing.assert_array_equal(pipeline(batch, rng=np.random.default_rng(11)), expected)
    np.testing.assert_array_equal(pipeline(batch, rng=4), pipeline(batch, rng=4))
    assert "shift(pixels=1)" in repr(pipeline) and "rotate" in repr(pipeline)


def test_compose_edge_cases(batch):
    out = A.Compose([])(batch)
    np.testing.assert_array_equal(out, batch)
    assert not np.shares_memory(out, batch)
    with pytest.raises(TypeError, match="callable"):
        A.Compose([A.shift, 3])


# -- gallery ---------------------------------------------------------------------
def test_gallery_grid_and_determinism(digits):
    pytest.importorskip("matplotlib")
    from regkit.course.plots import augmentation_gallery
    import matplotlib.pyplot as plt

    img = digits.x_train[0]
    fig = augmentation_gallery(img, n_draws=2, rng=0)
    assert len(fig.axes) == len(A.TRANSFORMS) * 3
    again = augmentation_gallery(img[None], n_draws=2, rng=0)
    shown = [ax.images[0].get_array() for ax in fig.axes]
    for a, b in zip(shown, [ax.images[0].get_array() for ax in again.axes]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(shown[0], img)  # first column is the original
    small = augmentation_gallery(img, {"flip": functools.partial(A.hflip, p=1.0)}, n_draws=2)
    np.testing.assert_array_equal(small.axes[1].images[0].get_array(), img[:, ::-1])
    with pytest.raises(ValueError, match="image"):
        augmentation_gallery(digits.x_train[:3])
    plt.close("all")
