"""Image augmentation: random, label-preserving changes to a training batch.

Every transform has the form ``f(images, <strength>=default, rng=None)``:

* ``images`` is ``(batch, height, width)``; flat rows must be reshaped
  first (``x.reshape(-1, 8, 8)``, or load with ``flatten=False``).
* Each image gets its own random strength, drawn up to the given maximum
  (``rotate(x, degrees=15)`` turns every image by its own angle in
  [-15, 15]); a strength of zero is exactly the identity.
* The input array is never changed; a new array of the same dtype comes
  back (float32 stays float32, float64 stays float64; integer input
  becomes float32).
* Everything is vectorised over the batch: no Python loop over images.

Values stay in range. Geometric transforms (shift, rotate, zoom, hflip,
cutout) only move, mix (bilinear interpolation is a weighted average) or
blank pixels, filling with 0 (the background of images scaled to [0, 1]),
so they never leave [min(x, 0), max(x, 0)]. The photometric ones
(gaussian_noise, brightness, contrast) clip to [0, 1] when the batch lies
in [0, 1] (what regkit's image datasets give); a batch outside [0, 1]
(standardised, say) has no known range and is left unclipped.

Combine with :class:`Compose`; fix a strength with ``functools.partial``::

    aug = Compose([partial(shift, pixels=1), rotate, gaussian_noise])
    x_aug = aug(x_train, rng=0)

Mapping to torchvision: ``shift`` ~ ``RandomAffine(translate=...)`` in
whole pixels, ``rotate`` ~ ``RandomRotation``, ``zoom`` ~
``RandomAffine(scale=(1-f, 1+f))``, ``brightness``/``contrast`` ~
``ColorJitter``, ``cutout`` ~ ``RandomErasing`` with a square of value 0,
``hflip`` ~ ``RandomHorizontalFlip``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._rng import as_rng
from ._validate import check_array, check_int, check_nonnegative, check_real

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from numpy.typing import ArrayLike
    from ._typing import RNGLike

__all__ = ["shift", "rotate", "zoom", "gaussian_noise", "cutout", "brightness",
           "contrast", "hflip", "Compose", "TRANSFORMS"]


# -- helpers -----------------------------------------------------------------
def _check_images(images) -> np.ndarray:
    arr = np.asarray(images)
    if arr.ndim != 3:
        raise ValueError(
            f"images must be 3-D (batch, height, width), got shape {arr.shape}. "
            "Reshape flat rows with x.reshape(-1, h, w), load the dataset with "
            "flatten=False, or pass a single image as image[None].")
    return check_array("images", arr)


def _per_image(rng, low, high, n, dtype):
    """One uniform draw per image, shaped (n, 1, 1) to broadcast over pixels."""
    return rng.uniform(low, high, size=n).astype(dtype)[:, None, None]


def _keep_in_unit_range(out, images):
    """Clip to [0, 1] in place, but only when the input itself was in [0, 1]."""
    if images.size and images.min() >= 0 and images.max() <= 1:
        np.clip(out, 0, 1, out=out)
    return out


def _padded(images):
    """A copy with a zero border (one pixel before, two after each axis).

    Reads outside the image land on the border and give 0, so the gathers
    below need no masks; the second trailing pixel is there for the +1
    neighbour of bilinear interpolation.
    """
    return np.pad(images, ((0, 0), (1, 2), (1, 2)))


def _flat_index(padded, rows, cols):
    """Flat positions in ``padded`` of pixel (rows, cols) of every image.

    rows/cols index the unpadded image and broadcast to (batch, h, w); any
    value beyond one pixel outside is clipped onto the zero border.
    """
    n, hp, wp = padded.shape
    r = np.clip(rows, -1, hp - 3) + 1
    c = np.clip(cols, -1, wp - 3) + 1
    return (np.arange(n).reshape(-1, 1, 1) * hp + r) * wp + c


def _warp(images, matrices):
    """Bilinear resampling through a per-image 2x2 map about the image centre.

    Output pixel p (relative to the centre c) reads the input at
    ``matrices[b] @ p + c``: an inverse map, so every output pixel gets a
    value, 0 beyond the edge (scipy.ndimage's ``mode="grid-constant"``).
    The coordinates of the whole batch are built at once; the four corners
    around each sampling point are four reads of one flat array.
    """
    n, h, w = images.shape
    dtype = images.dtype
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    py, px = np.meshgrid(np.arange(h, dtype=dtype) - cy, np.arange(w, dtype=dtype) - cx,
                         indexing="ij")
    m = matrices.astype(dtype)[:, :, :, None, None]
    # Beyond one pixel outside everything reads 0 anyway, so clip there.
    src_y = np.clip(m[:, 0, 0] * py + m[:, 0, 1] * px + cy, -1, h)
    src_x = np.clip(m[:, 1, 0] * py + m[:, 1, 1] * px + cx, -1, w)
    y0, x0 = np.floor(src_y), np.floor(src_x)
    wy, wx = src_y - y0, src_x - x0
    pad = _padded(images)
    flat, wp = pad.reshape(-1), pad.shape[2]
    i = _flat_index(pad, y0.astype(np.intp), x0.astype(np.intp))
    top = flat[i] * (1 - wx) + flat[i + 1] * wx
    bottom = flat[i + wp] * (1 - wx) + flat[i + wp + 1] * wx
    return top * (1 - wy) + bottom * wy


# -- geometric ---------------------------------------------------------------
def shift(images: ArrayLike, pixels: int = 2, rng: RNGLike = None) -> np.ndarray:
    """Translate each image by whole pixels, filling the uncovered border with 0.

    Each image moves by its own ``(dy, dx)``, both drawn uniformly from the
    integers in ``[-pixels, pixels]``; pixels pushed off the edge are lost.
    Simulates a digit written off-centre. On 8x8 digits one pixel is
    already an eighth of the image, so ``pixels=1`` is the gentle choice
    there; 2 suits 28x28 MNIST.

    Args:
        images: (batch, h, w).
        pixels: int >= 0, the largest shift along each axis.
        rng: None | int | np.random.Generator.
    """
    x = _check_images(images)
    pixels = check_int("pixels", pixels, low=0)
    n, h, w = x.shape
    dy, dx = as_rng(rng).integers(-pixels, pixels + 1, size=(2, n, 1, 1))
    rows = np.arange(h)[None, :, None] - dy
    cols = np.arange(w)[None, None, :] - dx
    pad = _padded(x)
    return pad.reshape(-1)[_flat_index(pad, rows, cols)]


def rotate(images: ArrayLike, degrees: float = 15, rng: RNGLike = None) -> np.ndarray:
    """Rotate each image about its centre by its own angle in [-degrees, degrees].

    Bilinear interpolation, zero fill for the corners that rotate in from
    outside. Small angles (10-15 degrees) keep digits readable; much larger
    ones turn a 6 into something like a 9.

    Args:
        images: (batch, h, w).
        degrees: float >= 0, the largest angle in degrees.
        rng: None | int | np.random.Generator.
    """
    x = _check_images(images)
    degrees = check_nonnegative("degrees", degrees)
    theta = np.deg2rad(as_rng(rng).uniform(-degrees, degrees, size=len(x)))
    cos, sin = np.cos(theta), np.sin(theta)
    return _warp(x, np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], 1))


def zoom(images: ArrayLike, factor: float = 0.1, rng: RNGLike = None) -> np.ndarray:
    """Scale each image about its centre by its own s in [1 - factor, 1 + factor].

    ``s > 1`` zooms in (the border is cut off), ``s < 1`` zooms out (a zero
    border appears). Bilinear interpolation.

    Args:
        images: (batch, h, w).
        factor: float in [0, 1), the largest relative change of scale.
        rng: None | int | np.random.Generator.
    """
    x = _check_images(images)
    factor = check_real("factor", factor, low=0.0, high=1.0, high_inclusive=False)
    inv = 1.0 / as_rng(rng).uniform(1.0 - factor, 1.0 + factor, size=len(x))
    zero = np.zeros_like(inv)
    return _warp(x, np.stack([np.stack([inv, zero], -1), np.stack([zero, inv], -1)], 1))


def hflip(images: ArrayLike, p: float = 0.5, rng: RNGLike = None) -> np.ndarray:
    """Mirror each image left-right with probability ``p``.

    Not for digits or text. Mirroring does not preserve the label there: a
    mirrored 3 is no digit at all (it looks like the letter epsilon), and
    mirrored 2s and 5s start to look like each other, so the network is
    taught wrong answers. Use it where a mirrored object is the same
    object (photos of cats, cars, clothes).

    Args:
        images: (batch, h, w).
        p: float in [0, 1], the probability of flipping each image.
        rng: None | int | np.random.Generator.
    """
    x = _check_images(images)
    p = check_real("p", p, low=0.0, high=1.0)
    flip = as_rng(rng).random(len(x)) < p
    return np.where(flip[:, None, None], x[:, :, ::-1], x)


def cutout(images: ArrayLike, size: int = 3, rng: RNGLike = None) -> np.ndarray:
    """Blank (set to 0) a random square in each image.

    Each image gets its own side length in ``1..size`` and a centre anywhere
    in the image; squares that stick out over the edge are cut off there
    (as in DeVries & Taylor, 2017). The network must use the rest of the
    digit. ``size=0`` is the identity.

    Args:
        images: (batch, h, w).
        size: int >= 0, the largest side of the square in pixels.
        rng: None | int | np.random.Generator.
    """
    x = _check_images(images)
    size = check_int("size", size, low=0)
    if size == 0:
        return x.copy()
    n, h, w = x.shape
    g = as_rng(rng)
    side = g.integers(1, size + 1, size=(n, 1, 1))
    top = g.integers(0, h, size=(n, 1, 1)) - side // 2
    left = g.integers(0, w, size=(n, 1, 1)) - side // 2
    rows, cols = np.arange(h)[None, :, None], np.arange(w)[None, None, :]
    hole = (rows >= top) & (rows < top + side) & (cols >= left) & (cols < left + side)
    return np.where(hole, 0, x)


# -- photometric -------------------------------------------------------------
def gaussian_noise(images: ArrayLike, sigma: float = 0.1, rng: RNGLike = None) -> np.ndarray:
    """Add pixel noise: ``x + s * N(0, 1)`` with ``s`` in [0, sigma] per image.

    Clipped to [0, 1] when the batch is in [0, 1] (see the module doc).

    Args:
        images: (batch, h, w).
        sigma: float >= 0, the largest noise standard deviation.
        rng: None | int | np.random.Generator.
    """
    x = _check_images(images)
    sigma = check_nonnegative("sigma", sigma)
    g = as_rng(rng)
    s = _per_image(g, 0.0, sigma, len(x), x.dtype)
    out = x + s * g.standard_normal(x.shape, dtype=x.dtype)
    return _keep_in_unit_range(out, x)


def brightness(images: ArrayLike, delta: float = 0.2, rng: RNGLike = None) -> np.ndarray:
    """Scale every pixel: ``x_new = a * x``, ``a`` in [max(0, 1 - delta), 1 + delta].

    The multiplicative form used by the chapter and by torchvision's
    ``ColorJitter(brightness=delta)``. Clipped to [0, 1] when the batch is
    in [0, 1].

    Args:
        images: (batch, h, w).
        delta: float >= 0, the largest relative change (0.2 means +-20%).
        rng: None | int | np.random.Generator.
    """
    x = _check_images(images)
    delta = check_nonnegative("delta", delta)
    a = _per_image(as_rng(rng), max(0.0, 1.0 - delta), 1.0 + delta, len(x), x.dtype)
    return _keep_in_unit_range(x * a, x)


def contrast(images: ArrayLike, factor: float = 0.2, rng: RNGLike = None) -> np.ndarray:
    """Stretch or squeeze pixels about the image mean ``m``: ``a * x + (1 - a) * m``.

    ``a`` is drawn in [max(0, 1 - factor), 1 + factor] per image. The
    chapter writes the pivot as mid-grey, ``128 + a * (x - 128)`` for 0..255
    pixels; here the pivot is each image's own mean (as torchvision's
    ``ColorJitter(contrast=factor)``), which needs no assumption about the
    pixel range. Clipped to [0, 1] when the batch is in [0, 1].

    Args:
        images: (batch, h, w).
        factor: float >= 0, the largest relative change of contrast.
        rng: None | int | np.random.Generator.
    """
    x = _check_images(images)
    factor = check_nonnegative("factor", factor)
    a = _per_image(as_rng(rng), max(0.0, 1.0 - factor), 1.0 + factor, len(x), x.dtype)
    mean = x.mean(axis=(1, 2), keepdims=True)
    return _keep_in_unit_range(a * x + (1 - a) * mean, x)


# -- composition -------------------------------------------------------------
class Compose:
    """Apply transforms one after the other, all drawing from one generator.

    ``Compose([shift, rotate])(x, rng=0)`` is ``rotate(shift(x, rng=g),
    rng=g)`` with ``g = np.random.default_rng(0)``, so one seed fixes the
    whole pipeline. Any callable ``t(images, rng=...)`` fits, including
    ``functools.partial(shift, pixels=1)``. Unlike torchvision's
    ``Compose``, it works on a whole batch at once.
    """

    def __init__(self, transforms: Iterable[Callable[..., np.ndarray]]) -> None:
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, got {t!r}")

    def __call__(self, images, rng=None):
        g = as_rng(rng)
        out = _check_images(images)
        if not self.transforms:
            return out.copy()
        for t in self.transforms:
            out = t(out, rng=g)
        return out

    def __repr__(self) -> str:
        return "Compose([" + ", ".join(_name(t) for t in self.transforms) + "])"


def _name(t) -> str:
    func = getattr(t, "func", None)  # functools.partial
    if func is not None:
        kw = ", ".join(f"{k}={v!r}" for k, v in t.keywords.items())
        return f"{_name(func)}({kw})"
    return getattr(t, "__name__", repr(t))


#: Every transform with its default strength, in a stable order (galleries).
TRANSFORMS = {"shift": shift, "rotate": rotate, "zoom": zoom,
              "gaussian_noise": gaussian_noise, "cutout": cutout,
              "brightness": brightness, "contrast": contrast, "hflip": hflip}
