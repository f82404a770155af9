"""Targets as probability rows: one-hot, label smoothing and mixup.

Each turns int labels into probability rows ``(batch, classes)``, the target
form that ``rk.SoftmaxCrossEntropy`` accepts beside int labels. This is the
one place regkit builds such rows: the loss smooths through
:func:`smooth_labels`, and ``fit`` mixes through :func:`mixup`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._rng import as_rng
from ._validate import check_array, check_int, check_positive, check_probability

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike
    from ._typing import RNGLike

__all__ = ["one_hot", "smooth_labels", "mixup"]


def one_hot(y, num_classes, dtype=np.float32) -> np.ndarray:
    """Int labels ``(batch,)`` in ``0..num_classes-1`` to rows ``(batch, num_classes)``."""
    num_classes = check_int("num_classes", num_classes, low=1)
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"y must be 1-D int labels, got dtype {y.dtype} shape {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"y must be in [0, {num_classes - 1}] for num_classes="
                         f"{num_classes}, got values in [{y.min()}, {y.max()}]")
    out = np.zeros((len(y), num_classes), dtype=dtype)
    out[np.arange(len(y)), y] = 1
    return out


def _as_targets(y, num_classes, dtype=np.float32) -> np.ndarray:
    """Int labels -> one-hot; probability rows are checked and passed through."""
    y = np.asarray(y)
    if y.ndim == 1:
        return one_hot(y, num_classes, dtype)
    if y.ndim != 2 or y.shape[1] != num_classes:
        raise ValueError(f"y must be int labels (batch,) or probabilities "
                         f"(batch, {num_classes}), got shape {y.shape}")
    y = check_array("y", y)
    # mixing or smoothing rows that are not probabilities gives targets that
    # are not either, and the loss then trains towards nonsense without a word
    sums = y.sum(axis=1)
    if y.size and (y.min() < 0 or not np.allclose(sums, 1.0, rtol=0, atol=1e-4)):
        bad = int(np.argmax(np.abs(sums - 1.0) + (y.min(axis=1) < 0)))
        raise ValueError(f"y: probability rows must be >= 0 and sum to 1; row {bad} is "
                         f"{np.round(y[bad], 4).tolist()} (sum {sums[bad]:.4g})")
    return y.astype(dtype, copy=False)


def smooth_labels(y: ArrayLike, eps: float, num_classes: int,
                  dtype: DTypeLike = np.float32) -> np.ndarray:
    """The targets label smoothing trains on: ``(1 - eps) * one_hot(y) + eps / K``.

    With K = 4 classes and eps = 0.1, class 2 becomes
    ``[0.025, 0.025, 0.925, 0.025]``: the right class keeps most of the
    mass, every class gets ``eps / K`` (the right one included), and the
    network is no longer pushed towards infinitely large scores. This is
    what ``rk.SoftmaxCrossEntropy(label_smoothing=eps)`` and PyTorch's
    ``CrossEntropyLoss(label_smoothing=eps)`` use internally; Keras'
    ``CategoricalCrossentropy(label_smoothing=eps)`` is the same formula.
    Probability rows (mixup's) are smoothed by the same formula, as
    PyTorch does.

    Args:
        y: int labels (batch,) or probability rows (batch, K).
        eps: smoothing in [0, 1); 0 gives the one-hot targets.
        num_classes: K.
        dtype: of the result (the loss passes its scores' dtype).

    Returns:
        (batch, K) in ``dtype``, each row summing to 1.
    """
    eps = check_probability("eps", eps)
    num_classes = check_int("num_classes", num_classes, low=1)
    targets = _as_targets(y, num_classes, dtype)
    return (1 - eps) * targets + eps / num_classes


def mixup(x: ArrayLike, y: ArrayLike, alpha: float, num_classes: int,
          rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    """Blend each sample with a random partner, inputs and targets alike.

    For sample i, with ``lam_i ~ Beta(alpha, alpha)`` and partner
    ``j = perm[i]`` (a random permutation of the batch)::

        x_mixed[i] = lam_i * x[i] + (1 - lam_i) * x[j]
        y_soft[i]  = lam_i * y[i] + (1 - lam_i) * y[j]     (y one-hot)

    The same ``lam_i`` and partner are used for x and y. Small alpha (0.2 is
    usual) puts most ``lam`` near 0 or 1, so most mixes stay close to one
    real sample. Here ``lam`` is drawn per sample; the original paper
    (Zhang et al., 2018) and many PyTorch snippets draw one per batch.

    Args:
        x: (batch, ...) inputs, any trailing shape (rows or images).
        y: int labels (batch,) or probability rows (batch, num_classes).
        alpha: Beta parameter, > 0.
        num_classes: width of the targets.
        rng: None | int | np.random.Generator.

    Returns:
        (x_mixed, y_soft): x_mixed in x's float dtype (float32 for int x),
        y_soft (batch, num_classes) in the same dtype, rows summing to 1.
    """
    alpha = check_positive("alpha", alpha)
    num_classes = check_int("num_classes", num_classes, low=1)
    x = check_array("x", x)
    if x.ndim < 1 or len(np.asarray(y)) != len(x):
        raise ValueError(f"x and y must have the same batch size, got x {x.shape} "
                         f"and y {np.shape(y)}")
    targets = _as_targets(y, num_classes, x.dtype)
    g = as_rng(rng)
    lam = g.beta(alpha, alpha, size=len(x)).astype(x.dtype)
    perm = g.permutation(len(x))
    lam_x = lam.reshape((-1,) + (1,) * (x.ndim - 1))
    x_mixed = lam_x * x + (1 - lam_x) * x[perm]
    y_soft = lam[:, None] * targets + (1 - lam[:, None]) * targets[perm]
    return x_mixed, y_soft
