"""Checker for the augmentation exercise of notebook 06: a random shift.

The learner writes::

    def random_shift(images, pixels, rng):   # -> shifted images

``images`` is ``(batch, h, w)``; each image moves by its own whole-pixel
offset ``(dy, dx)``, both drawn from ``-pixels..pixels``; what moves out of
the frame is lost and the uncovered border is 0. Like every transform of
:mod:`regkit.augment` it returns images only: a shifted 3 is still a 3, so
the labels are untouched and the function never sees them.

The checker finds, for every output image, the offset that explains it
exactly, and so can name the usual mistakes: wrap-around (``np.roll``), one
offset for the whole batch, an upper bound that never draws ``+pixels``,
only one axis moved, the input changed in place, float32 turned into
float64, a global random generator.
"""
from __future__ import annotations

import numpy as np

from .base import Feedback, check_all


def shifted(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Images ``(..., h, w)`` moved ``dy`` rows down and ``dx`` columns right, zero fill."""
    h, w = images.shape[-2:]
    out = np.zeros_like(images)
    out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        images[..., max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def _offsets(x, y, pixels):
    """For each image, the (dy, dx) with |dy|, |dx| <= pixels that turns x[i]
    into y[i] exactly, or None. x has no zero pixel, so the zero border
    identifies the offset."""
    found = [None] * len(x)
    for dy in range(-pixels, pixels + 1):
        for dx in range(-pixels, pixels + 1):
            hit = np.all(np.isclose(shifted(x, dy, dx), y, atol=1e-6), axis=(-2, -1))
            for i in np.flatnonzero(hit):
                found[i] = found[i] or (dy, dx)
    return found


def _images(n=64, h=8, w=8, seed=0, dtype=np.float32):
    # every pixel > 0, all different: a shift is recognisable by its zero border
    return np.random.default_rng(seed).uniform(0.1, 1.0, size=(n, h, w)).astype(dtype)


def check_random_shift(fn) -> Feedback:
    """Grade ``fn(images, pixels, rng) -> images``: a random whole-pixel shift per image.

    Checked in order: an array (images only, no labels) of the input's
    shape; the input is not modified; every output image is its input moved
    by some ``(dy, dx)`` within ``-pixels..pixels`` with a zero border
    (content kept, not wrapped around); offsets differ from image to image,
    use both axes and reach both ends of the range; ``pixels=0`` gives the
    images back; the ``rng`` argument decides the offsets; float32 stays
    float32.
    """
    pixels = 2
    x = _images()
    before = x.copy()
    state = {}

    def returns_images():
        out = fn(x, pixels, np.random.default_rng(1))
        if out is None:
            return "your function returned None (did you forget `return`?)"
        if isinstance(out, tuple):
            return ("return the shifted images only, not a tuple: a shift does not change "
                    "what digit it is, so labels are never needed (fit passes only the batch)")
        out = np.asarray(out)
        if out.shape != x.shape:
            return (f"output shape {out.shape}, expected the input's {x.shape}: keep the "
                    "image size and fill the uncovered border with 0 (do not crop or pad)")
        state["out"] = out
        return None

    def untouched():
        if not np.array_equal(x, before):
            return ("your function changed the input array in place; build a new array "
                    "(np.zeros_like(images), then copy the moved part into it)")
        return None

    def zero_is_identity():
        out = np.asarray(fn(x, 0, np.random.default_rng(2)))
        if out.shape != x.shape or not np.allclose(out, x):
            return "with pixels=0 nothing may move: the output must equal the input"
        return None

    def content_kept():
        out = state["out"]
        offsets = _offsets(x, out, pixels)
        bad = [i for i, o in enumerate(offsets) if o is None]
        if not bad:
            state["offsets"] = offsets
            return None
        i = bad[0]
        for dy in range(-pixels, pixels + 1):
            for dx in range(-pixels, pixels + 1):
                if np.allclose(np.roll(x[i], (dy, dx), axis=(0, 1)), out[i]):
                    return ("pixels that leave one side come back on the other (np.roll "
                            "wraps around): set the uncovered border to 0 instead")
        for p in range(pixels + 1, 2 * pixels + 2):
            if _offsets(x[i:i + 1], out[i:i + 1], p)[0] is not None:
                return (f"image {i} moved by more than pixels={pixels}: draw dy and dx from "
                        f"-pixels..pixels")
        return (f"image {i} is not its input moved by whole pixels with a zero border "
                f"(checked every offset up to {pixels}); each pixel must keep its value, "
                "only its position changes")

    def per_image():
        offsets = state["offsets"]
        if len(set(offsets)) == 1:
            return ("every image got the same offset: draw a (dy, dx) per image, e.g. "
                    "rng.integers(-pixels, pixels + 1, size=len(images)) for each axis")
        dys = {o[0] for o in offsets}
        dxs = {o[1] for o in offsets}
        if dys == {0} or dxs == {0}:
            axis = "vertical (dy)" if dys == {0} else "horizontal (dx)"
            return f"the {axis} offset is always 0: move along both axes"
        if pixels not in dys | dxs or -pixels not in dys | dxs:
            return (f"in {len(offsets)} images no offset reached {'+' if pixels not in dys | dxs else '-'}"
                    f"{pixels}: rng.integers(low, high) excludes high, so use "
                    "rng.integers(-pixels, pixels + 1)")
        return None

    def uses_rng():
        a = np.asarray(fn(x, pixels, np.random.default_rng(7)))
        b = np.asarray(fn(x, pixels, np.random.default_rng(7)))
        c = np.asarray(fn(x, pixels, np.random.default_rng(8)))
        if not np.array_equal(a, b):
            return ("two calls with identically seeded generators gave different shifts: "
                    "draw the offsets from the rng argument, not np.random's global state")
        if np.array_equal(a, c):
            return ("different seeds gave the same shifts: draw the offsets from rng, "
                    "so every batch of training gets new ones")
        return None

    def dtype():
        if state["out"].dtype != np.float32:
            return (f"float32 images came back as {state['out'].dtype}: create the output "
                    "with np.zeros_like(images) (or dtype=images.dtype)")
        return None

    return check_all("random_shift", [returns_images, untouched, content_kept, per_image,
                                      zero_is_identity, uses_rng, dtype])
