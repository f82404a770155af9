"""The random-shift checker accepts correct shifts and names typical mistakes."""
import numpy as np

import regkit as rk
from regkit.course.exercises.augmentation import check_random_shift, shifted
from exercise_helpers import assert_rejects


def shift_ok(images, pixels, rng):
    """Vectorised: gather from a zero-padded copy."""
    n, h, w = images.shape
    dy, dx = rng.integers(-pixels, pixels + 1, size=(2, n, 1, 1))
    padded = np.pad(images, ((0, 0), (pixels, pixels), (pixels, pixels)))
    rows = np.arange(h)[None, :, None] - dy + pixels
    cols = np.arange(w)[None, None, :] - dx + pixels
    return padded[np.arange(n)[:, None, None], rows, cols]


def shift_loop(images, pixels, rng):
    """A plain loop over images is accepted too."""
    out = np.zeros_like(images)
    for i, img in enumerate(images):
        dy, dx = rng.integers(-pixels, pixels + 1, size=2)
        out[i] = shifted(img, int(dy), int(dx))
    return out


def _rejects(fn, *words):
    return assert_rejects(check_random_shift(fn), *words)


def test_correct_versions_pass():
    for fn in (shift_ok, shift_loop, lambda x, p, rng: rk.augment.shift(x, pixels=p, rng=rng)):
        fb = check_random_shift(fn)
        assert fb.passed, str(fb)


def test_shifted_helper_by_hand():
    img = np.arange(1, 10, dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(shifted(img, 1, 0), [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(shifted(img, 0, -1), [[2, 3, 0], [5, 6, 0], [8, 9, 0]])


def test_wrap_around():
    def roll(images, pixels, rng):
        out = np.empty_like(images)
        for i, img in enumerate(images):
            out[i] = np.roll(img, tuple(rng.integers(-pixels, pixels + 1, size=2)), axis=(0, 1))
        return out
    _rejects(roll, "np.roll")


def test_one_offset_for_the_batch():
    def same(images, pixels, rng):
        dy, dx = rng.integers(-pixels, pixels + 1, size=2)
        return np.stack([shifted(img, int(dy), int(dx)) for img in images])
    _rejects(same, "same offset")


def test_upper_bound_off_by_one():
    def exclusive(images, pixels, rng):
        out = np.zeros_like(images)
        for i, img in enumerate(images):
            dy, dx = rng.integers(-pixels, pixels, size=2)
            out[i] = shifted(img, int(dy), int(dx))
        return out
    _rejects(exclusive, "pixels + 1")


def test_one_axis_only():
    def rows_only(images, pixels, rng):
        out = np.zeros_like(images)
        for i, img in enumerate(images):
            out[i] = shifted(img, int(rng.integers(-pixels, pixels + 1)), 0)
        return out
    _rejects(rows_only, "horizontal")


def test_in_place_dtype_tuple_and_global_rng():
    def in_place(images, pixels, rng):
        images[:] = shift_ok(images, pixels, rng)
        return images
    _rejects(in_place, "in place")

    _rejects(lambda x, p, rng: shift_ok(x, p, rng).astype(np.float64), "float64")
    _rejects(lambda x, p, rng: (shift_ok(x, p, rng), None), "not a tuple")

    state = np.random.default_rng(0)
    _rejects(lambda x, p, rng: shift_ok(x, p, state), "rng argument")


def test_stub_and_identity():
    _rejects(lambda x, p, rng: x.copy(), "same offset")     # the notebook's stub
    _rejects(lambda x, p, rng: None, "return")
    _rejects(lambda x, p, rng: x[:, 1:, 1:], "shape")
