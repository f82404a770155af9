"""Small datasets, already split, for provoking and curing overfitting.

Every loader returns a :class:`Split`, a named tuple of six float32/int64
arrays ``(x_train, y_train, x_val, y_val, x_test, y_test)``::

    x_tr, y_tr, x_va, y_va, x_te, y_te = rk.datasets.digits(n_train=200)

Shared rules:

* ``random_state`` (None | int | Generator) fixes the split and any
  sampling; the same int gives the same arrays.
* The three splits are disjoint and together use every sample. Where there
  are classes they are stratified: each class has (up to one sample) the
  same share in every split.
* ``n_train`` keeps only that many training samples (a stratified subset of
  the training split) so that overfitting can be provoked on purpose. The
  samples left out are dropped, never moved to validation or test, so the
  validation and test sets do not depend on ``n_train``.
* Scaling uses training-split statistics only, so nothing about the
  validation or test data leaks into the inputs: images are divided by
  their fixed pixel maximum into [0, 1]; tabular features are standardised
  with the mean and standard deviation of the training split.
* Class labels are int64 of shape ``(n,)``; regression targets are float32
  of shape ``(n, 1)``, the shape of a ``Dense(..., 1)`` output.

Extras (true function, true support, class names, image shape, the
statistics used for scaling) live in ``split.info`` and are also readable
as attributes: ``split.support``, ``split.true_function``.

``digits``, ``moons``, ``mnist`` and ``fashion_mnist`` need scikit-learn
(the ``notebooks`` extra); ``noisy_sine`` and ``sparse_features`` need only
NumPy.
"""
from __future__ import annotations

import functools
from collections import namedtuple
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from ._rng import as_rng
from ._validate import check_flag, check_int, check_nonnegative, check_real

if TYPE_CHECKING:
    from numpy.typing import ArrayLike
    from ._typing import PathLike, RNGLike

__all__ = ["Split", "DatasetUnavailableError", "digits", "moons", "noisy_sine",
           "sine_function", "sample_noisy_sine", "sparse_features", "mnist",
           "fashion_mnist"]

_FIELDS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")


class Split(namedtuple("Split", _FIELDS)):
    """The six arrays of a dataset, plus ``info`` (a dict of extras).

    Unpacks like a plain tuple; ``split.info["key"]`` is also readable as
    ``split.key``. The repr shows shapes, not numbers.
    """

    info = MappingProxyType({})  # replaced per instance by the loaders

    def __getattr__(self, name):
        info = self.__dict__.get("info", {})
        if name in info:
            return info[name]
        raise AttributeError(f"Split has no attribute or info key {name!r}")

    def _replace(self, **arrays) -> "Split":
        return _make_split(super()._replace(**arrays), **self.info)

    def __repr__(self) -> str:
        parts = [f"{f}={a.dtype}{a.shape}" for f, a in zip(self._fields, self)]
        extra = f", info keys={sorted(self.info)}" if self.info else ""
        return "Split(" + ", ".join(parts) + extra + ")"


class DatasetUnavailableError(ConnectionError):
    """A dataset could not be downloaded and is not in the local cache."""


def _make_split(arrays, **info) -> Split:
    split = Split(*arrays)
    split.info = info
    return split


# -- splitting and scaling -------------------------------------------------
def _stratified_order(y, rng) -> np.ndarray:
    """All indices, ordered so that every prefix is stratified (to +-1 per class).

    Each sample gets the key (rank within its class + 1/2) / class size, its
    fractional position inside its own class after a shuffle. Sorting by
    this key interleaves the classes in proportion, so any contiguous block
    of the order holds each class in (almost exactly) its overall share.
    """
    perm = rng.permutation(len(y))
    _, cls, counts = np.unique(y[perm], return_inverse=True, return_counts=True)
    by_class = np.argsort(cls, kind="stable")
    starts = np.cumsum(counts) - counts
    rank = np.empty(len(y), dtype=np.float64)
    rank[by_class] = np.arange(len(y)) - np.repeat(starts, counts)
    key = (rank + 0.5) / counts[cls]
    return perm[np.argsort(key, kind="stable")]


def _split_indices(y, *, n_val, n_test, n_train, rng, stratify):
    """Index arrays (train, val, test): disjoint, covering every sample."""
    n = len(y)
    order = _stratified_order(y, rng) if stratify else rng.permutation(n)
    n_avail = n - n_val - n_test
    if n_avail < 1:
        raise ValueError(f"val/test sizes leave no training samples (n={n})")
    if n_train is None:
        n_train = n_avail
    n_train = check_int("n_train", n_train, low=1)
    if n_train > n_avail:
        raise ValueError(f"n_train must be at most {n_avail} (the size of the "
                         f"training split), got {n_train}")
    # A prefix of the stratified order is itself stratified, so n_train keeps
    # the front of the training block. The key order cycles through the
    # classes, hence the shuffles; val and test are drawn first so that
    # nothing about them depends on n_train.
    val = rng.permutation(order[n_avail:n_avail + n_val])
    test = rng.permutation(order[n_avail + n_val:])
    return rng.permutation(order[:n_train]), val, test


def _split_sizes(n, val_size, test_size):
    val_size = check_real("val_size", val_size, low=0.0, high=1.0, high_inclusive=False)
    test_size = check_real("test_size", test_size, low=0.0, high=1.0, high_inclusive=False)
    if val_size + test_size >= 1.0:
        raise ValueError(f"val_size + test_size must be < 1, got {val_size} + {test_size}")
    return int(round(val_size * n)), int(round(test_size * n))


def _standardize(x_train, *others):
    """Scale every array with the training split's mean and std (std 0 -> 1)."""
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    scaled = [((x - mean) / std).astype(np.float32) for x in (x_train, *others)]
    return scaled, mean.astype(np.float32), std.astype(np.float32)


def _assemble(x, y, idx, *, standardize, y_dtype):
    """Cut x and y by the index triple, scale, and interleave as a Split's six."""
    xs = [x[i] for i in idx]
    info = {}
    if standardize:
        xs, info["mean"], info["std"] = _standardize(*xs)
    arrays = []
    for xi, i in zip(xs, idx):
        arrays += [np.asarray(xi, dtype=np.float32), y[i].astype(y_dtype)]
    return arrays, info


def _need_sklearn(what):
    try:
        import sklearn.datasets  # noqa: F401
    except ImportError as err:  # pragma: no cover - depends on the install
        raise ImportError(f"rk.datasets.{what}() needs scikit-learn: "
                          "pip install 'regkit[notebooks]'") from err
    return sklearn.datasets


# -- the loaders -------------------------------------------------------------
def digits(*, n_train: int | None = None, flatten: bool = True, val_size: float = 0.2,
           test_size: float = 0.2, random_state: int = 0) -> Split:
    """scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes).

    Works offline (the data ships with scikit-learn), so it is the default
    dataset of the course, the tests and CI. Split 60/20/20, stratified.

    Pixels (0..16 in the original) are divided by 16, so x is in [0, 1]; a
    fixed scale, so no statistic of any split is used.

    Args:
        n_train: keep only this many training samples (stratified subset);
            None keeps the whole training split (1079 images).
        flatten: True gives rows ``(n, 64)``; False gives images
            ``(n, 8, 8)`` for :mod:`regkit.augment`.
        val_size, test_size: fractions of all samples.
        random_state: None | int | Generator.

    Returns:
        Split with x float32, y int64 in 0..9; info: ``num_classes``,
        ``classes``, ``image_shape``.
    """
    flatten = check_flag("flatten", flatten)
    raw = _need_sklearn("digits").load_digits()
    rng = as_rng(random_state)
    x = raw.images.astype(np.float32) / 16.0
    n_val, n_test = _split_sizes(len(x), val_size, test_size)
    idx = _split_indices(raw.target, n_val=n_val, n_test=n_test, n_train=n_train,
                         rng=rng, stratify=True)
    arrays, _ = _assemble(x.reshape(len(x), -1) if flatten else x, raw.target, idx,
                          standardize=False, y_dtype=np.int64)
    return _make_split(arrays, num_classes=10, classes=np.arange(10),
                       image_shape=(8, 8))


def moons(*, n_samples: int = 1000, noise: float = 0.25, n_train: int | None = None,
          val_size: float = 0.2, test_size: float = 0.2, random_state: int = 0) -> Split:
    """Two interleaving half circles in 2-D (``sklearn.datasets.make_moons``).

    Made for decision-boundary pictures: with few samples and much noise an
    unregularised network draws a wiggly boundary around single points.
    Split 60/20/20, stratified; x is standardised with the training split's
    mean and std (stored in ``info["mean"]``, ``info["std"]``).

    Returns:
        Split with x float32 ``(n, 2)``, y int64 in {0, 1}; info:
        ``num_classes``, ``noise``, ``mean``, ``std``.
    """
    n_samples = check_int("n_samples", n_samples, low=3)
    noise = check_nonnegative("noise", noise)
    rng = as_rng(random_state)
    seed = int(rng.integers(2**31 - 1))
    x, y = _need_sklearn("moons").make_moons(n_samples=n_samples, noise=noise,
                                             random_state=seed)
    n_val, n_test = _split_sizes(n_samples, val_size, test_size)
    idx = _split_indices(y, n_val=n_val, n_test=n_test, n_train=n_train, rng=rng,
                         stratify=True)
    arrays, info = _assemble(x, y, idx, standardize=True, y_dtype=np.int64)
    return _make_split(arrays, num_classes=2, noise=noise, **info)


def sine_function(x: ArrayLike) -> np.ndarray:
    """The noiseless truth behind :func:`noisy_sine`: ``f(x) = sin(pi * x)``."""
    return np.sin(np.pi * x)


def sample_noisy_sine(n: int, noise: float = 0.3,
                      rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` fresh points: ``x ~ U(-1, 1)``, ``y = f(x) + N(0, noise^2)``.

    Fresh training sets from the same distribution (one per seed) are what
    an exact bias/variance measurement averages over.

    Returns:
        x: (n, 1) float32, y: (n, 1) float32.
    """
    n = check_int("n", n, low=1)
    noise = check_nonnegative("noise", noise)
    rng = as_rng(rng)
    x = rng.uniform(-1.0, 1.0, size=(n, 1)).astype(np.float32)
    eps = rng.standard_normal((n, 1), dtype=np.float32)
    return x, (sine_function(x) + noise * eps).astype(np.float32)


def noisy_sine(*, n_samples: int = 200, noise: float = 0.3, n_train: int | None = None,
               val_size: float = 0.2, test_size: float = 0.2, random_state: int = 0) -> Split:
    """1-D regression on ``y = sin(pi x) + noise``, for bias and variance.

    Because the truth is known, bias and variance can be measured exactly:
    train on many fresh training sets (``split.sample(n, rng=seed)``), predict
    on a grid, and compare the mean prediction with ``split.true_function``;
    the irreducible error is ``noise**2``.

    x is drawn from U(-1, 1), already centred and of unit range, and is NOT
    standardised: the true function and fresh samples must use the same
    input scale, which per-draw training statistics would change.

    Returns:
        Split with x float32 ``(n, 1)``, y float32 ``(n, 1)`` (random, not
        stratified, split); info: ``noise``, ``true_function`` (``f(x)``),
        ``sample`` (``sample(n, rng) -> (x, y)`` from the same
        distribution), ``x_range``.
    """
    n_samples = check_int("n_samples", n_samples, low=3)
    rng = as_rng(random_state)
    x, y = sample_noisy_sine(n_samples, noise, rng)
    n_val, n_test = _split_sizes(n_samples, val_size, test_size)
    idx = _split_indices(y[:, 0], n_val=n_val, n_test=n_test, n_train=n_train,
                         rng=rng, stratify=False)
    arrays, _ = _assemble(x, y, idx, standardize=False, y_dtype=np.float32)
    return _make_split(arrays, noise=float(noise), true_function=sine_function,
                       sample=functools.partial(sample_noisy_sine, noise=float(noise)),
                       x_range=(-1.0, 1.0))


def sparse_features(*, n_samples: int = 1000, n_features: int = 100, n_informative: int = 5,
                    noise: float = 0.5, n_train: int | None = None, val_size: float = 0.2,
                    test_size: float = 0.2, random_state: int = 0) -> Split:
    """Binary classification where only a few of many columns matter (for L1).

    ``x ~ N(0, I)`` with ``n_features`` columns; the label is
    ``y = 1[x @ coef + noise * N(0, 1) > 0]`` where ``coef`` is non-zero on
    ``n_informative`` random columns only (magnitudes in [1, 2], random
    signs). ``info["support"]`` lists those columns, so how well an L1
    penalty finds them can be scored (e.g. the top-k first-layer weight
    norms against the support). Split 60/20/20, stratified; x standardised
    with the training split's mean and std.

    Returns:
        Split with x float32 ``(n, n_features)``, y int64 in {0, 1}; info:
        ``support`` (sorted column indices), ``coef`` ``(n_features,)``,
        ``num_classes``, ``noise``, ``mean``, ``std``.
    """
    n_samples = check_int("n_samples", n_samples, low=3)
    n_features = check_int("n_features", n_features, low=1)
    n_informative = check_int("n_informative", n_informative, low=1)
    if n_informative > n_features:
        raise ValueError(f"n_informative must be <= n_features ({n_features}), "
                         f"got {n_informative}")
    noise = check_nonnegative("noise", noise)
    rng = as_rng(random_state)
    support = np.sort(rng.choice(n_features, size=n_informative, replace=False))
    coef = np.zeros(n_features)
    coef[support] = rng.uniform(1.0, 2.0, n_informative) * rng.choice([-1.0, 1.0],
                                                                       n_informative)
    x = rng.standard_normal((n_samples, n_features))
    y = (x @ coef + noise * rng.standard_normal(n_samples) > 0).astype(np.int64)
    n_val, n_test = _split_sizes(n_samples, val_size, test_size)
    idx = _split_indices(y, n_val=n_val, n_test=n_test, n_train=n_train, rng=rng,
                         stratify=True)
    arrays, info = _assemble(x, y, idx, standardize=True, y_dtype=np.int64)
    return _make_split(arrays, support=support, coef=coef.astype(np.float32),
                       num_classes=2, noise=noise, **info)


# -- OpenML image sets -------------------------------------------------------
_FASHION_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def _fetch(name, version, data_home):
    """(x uint8 (70000, 784), y int64) from our npz cache or from OpenML.

    scikit-learn caches the raw download under its data home; parsing that
    ARFF file without pandas takes a while, so the parsed arrays are also
    kept as ``<data_home>/regkit/<name>-v<version>.npz``.
    """
    skd = _need_sklearn(name)
    home = Path(skd.get_data_home(data_home))
    cache = home / "regkit" / f"{name}-v{version}.npz"
    if cache.exists():
        with np.load(cache, allow_pickle=False) as f:
            return f["x"], f["y"]
    try:
        bunch = skd.fetch_openml(name, version=version, as_frame=False,
                                 parser="liac-arff", data_home=data_home)
    except OSError as err:  # URLError, HTTPError, TimeoutError, socket errors
        raise DatasetUnavailableError(
            f"Could not download {name!r} (version {version}) from OpenML and it is "
            f"not cached under {home} ({err}).\n"
            f"To get it, run this loader once with an internet connection; the "
            f"download is cached and later calls work offline.\n"
            f"Offline, use rk.datasets.digits() instead: it ships with "
            f"scikit-learn and needs no network.") from err
    x = np.asarray(bunch.data).astype(np.uint8)
    y = np.asarray(bunch.target).astype(np.int64)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, x=x, y=y)
    return x, y


def _openml_images(name, version, *, n_train, n_val, flatten, random_state,
                   data_home, **info):
    flatten = check_flag("flatten", flatten)
    x, y = _fetch(name, version, data_home)
    n_test = 10_000
    n_val = check_int("n_val", n_val, low=0)
    rng = as_rng(random_state)
    # The official split: the first 60,000 are training, the last 10,000 test.
    # Validation is a stratified part of the official training block.
    dev, test = np.arange(len(x) - n_test), np.arange(len(x) - n_test, len(x))
    train, val, _ = _split_indices(y[dev], n_val=n_val, n_test=0, n_train=n_train,
                                   rng=rng, stratify=True)
    idx = (dev[train], dev[val], test)
    images = x.reshape(len(x), 28, 28) if not flatten else x
    arrays = []
    for i in idx:
        arrays += [images[i].astype(np.float32) / 255.0, y[i]]
    return _make_split(arrays, num_classes=10, classes=np.arange(10),
                       image_shape=(28, 28), **info)


def mnist(*, n_train: int | None = None, n_val: int = 10_000, flatten: bool = True,
          random_state: int = 0, data_home: PathLike | None = None) -> Split:
    """MNIST handwritten digits, 28x28, through ``sklearn.datasets.fetch_openml``.

    Fetched as ``fetch_openml("mnist_784", version=1, as_frame=False,
    parser="liac-arff")`` (no pandas needed) and cached under scikit-learn's
    data home (``data_home``, default ``~/scikit_learn_data``). Offline and
    not cached: :class:`DatasetUnavailableError` (a ``ConnectionError``)
    explaining how to get the data; ``digits()`` always works offline.

    Split: the standard 10,000 test images; ``n_val`` validation images
    drawn stratified from the standard 60,000 training images; the rest
    train (50,000 by default; ``n_train`` keeps a stratified subset).
    Pixels divided by 255 into [0, 1].
    """
    return _openml_images("mnist_784", 1, n_train=n_train, n_val=n_val,
                          flatten=flatten, random_state=random_state,
                          data_home=data_home, class_names=tuple("0123456789"))


def fashion_mnist(*, n_train: int | None = None, n_val: int = 10_000, flatten: bool = True,
                  random_state: int = 0, data_home: PathLike | None = None) -> Split:
    """Fashion-MNIST (Zalando), 28x28 clothing images, as :func:`mnist`.

    Fetched as ``fetch_openml("Fashion-MNIST", version=1, as_frame=False,
    parser="liac-arff")``; same split, scaling, caching and offline error
    as :func:`mnist`. ``info["class_names"]`` names the ten classes.
    """
    return _openml_images("Fashion-MNIST", 1, n_train=n_train, n_val=n_val,
                          flatten=flatten, random_state=random_state,
                          data_home=data_home, class_names=_FASHION_NAMES)
