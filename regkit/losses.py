"""Data losses: softmax cross-entropy (with label smoothing) and MSE.

A loss object is used in two steps, like a layer::

    loss = rk.SoftmaxCrossEntropy(label_smoothing=0.1)
    value = loss.forward(scores, y)   # a Python float, mean over the batch
    grad_scores = loss.backward()     # d value / d scores, scores' dtype

The value is the *data* loss only; a model's ``penalty()`` is added
separately, so training and validation losses stay comparable.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import functional as F
from ._validate import check_array, check_real
from .labels import smooth_labels

if TYPE_CHECKING:
    from numpy.typing import ArrayLike



def _check_batch(n: int) -> None:
    """A mean over no samples is 0/0: say so instead of dividing by zero."""
    if n == 0:
        raise ValueError("scores: the batch is empty (0 samples); a loss is a mean over "
                         "at least one sample")

class Loss:
    """Base class: ``forward(scores, target) -> float``, ``backward() -> grad``."""

    def forward(self, scores: ArrayLike, target: ArrayLike) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, scores, target) -> float:
        return self.forward(scores, target)

    def get_config(self) -> dict:
        return {}

    def _cached(self):
        if getattr(self, "_cache", None) is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward()")
        return self._cache

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SoftmaxCrossEntropy(Loss):
    """Cross-entropy of softmax(scores) against labels or probabilities.

    ``loss = -(1/n) * sum_i sum_k t[i, k] * log_softmax(scores)[i, k]``

    where the target rows ``t`` are one-hot labels or given probabilities,
    smoothed as ``t = (1 - eps) * t + eps / K`` when ``label_smoothing=eps``
    (K classes; :func:`regkit.smooth_labels`, which builds them for
    probability targets; for int labels the same sum is taken without
    building them). The scores are logits (no softmax layer in the model);
    ``log_softmax`` uses log-sum-exp, so huge scores do not overflow.
    Gradient (softmax and cross-entropy fused): ``(softmax(scores) - t) / n``.

    Same numbers as PyTorch ``nn.CrossEntropyLoss(label_smoothing=eps)``
    (mean reduction), for integer targets and for probability targets.
    Keras' ``CategoricalCrossentropy(label_smoothing=eps)`` smooths the same
    way but takes one-hot targets only.

    Args:
        label_smoothing: eps in [0, 1); 0 is plain cross-entropy.

    forward(scores, target):
        scores: (batch, classes), any real numbers.
        target: int labels (batch,) in [0, classes), or a probability matrix
            (batch, classes) whose rows sum to 1 (mixup's soft targets).
    """

    def __init__(self, label_smoothing: float = 0.0) -> None:
        self.label_smoothing = check_real("label_smoothing", label_smoothing, low=0.0,
                                          high=1.0, high_inclusive=False)
        self._cache = None

    def get_config(self) -> dict:
        return {"label_smoothing": self.label_smoothing}

    def forward(self, scores: ArrayLike, target: ArrayLike) -> float:
        # NaN scores are let through (the loss is then NaN), so a diverging
        # run is recorded rather than stopped with an error
        scores = check_array("scores", scores, ndim=2, finite=False)
        n, k = scores.shape
        _check_batch(n)
        labels, probs = _parse_target(target, n, k, scores.dtype)
        logp = F.log_softmax(scores)
        eps = self.label_smoothing
        if labels is not None:
            total = (1.0 - eps) * float(logp[np.arange(n), labels].sum())
            if eps:
                total += eps / k * float(logp.sum())
        else:
            if eps:
                probs = smooth_labels(probs, eps, k, dtype=probs.dtype)
            total = float(np.vdot(probs, logp))
        self._cache = (logp, labels, probs)
        return -total / n

    def backward(self) -> np.ndarray:
        """Gradient of the mean loss w.r.t. scores: (batch, classes)."""
        logp, labels, probs = self._cached()
        n, k = logp.shape
        grad = np.exp(logp)
        if labels is not None:
            eps = self.label_smoothing
            if eps:
                grad -= eps / k
            grad[np.arange(n), labels] -= 1.0 - eps
        else:
            grad -= probs
        grad /= n
        return grad


def _parse_target(target, n: int, k: int, dtype):
    """Return ``(labels, None)`` or ``(None, probabilities)``, validated."""
    t = np.asarray(target)
    if t.ndim == 1:
        if t.shape[0] != n:
            raise ValueError(f"target has {t.shape[0]} labels but scores has {n} rows")
        if t.dtype.kind == "f" and np.all(t == np.round(t)):
            t = t.astype(np.intp)       # labels stored as floats (2.0) are fine
        if t.dtype.kind not in "iu":
            raise TypeError(f"target labels must be integers, got dtype {t.dtype}")
        if n and (t.min() < 0 or t.max() >= k):
            bad = int(t[(t < 0) | (t >= k)][0])
            raise ValueError(f"target contains label {bad!r}, outside [0, {k}) "
                             f"for scores with {k} classes")
        return t, None
    if t.ndim == 2:
        if t.shape != (n, k):
            raise ValueError(f"probability target must have the shape of scores {(n, k)}, "
                             f"got {t.shape}")
        t = check_array("target", t).astype(dtype, copy=False)
        if np.any(t < 0) or not np.allclose(t.sum(axis=1), 1.0, atol=1e-3):
            raise ValueError("probability target must have non-negative rows that sum to 1, "
                             f"got row sums in [{t.sum(axis=1).min()}, {t.sum(axis=1).max()}]")
        return None, t
    raise ValueError(f"target must be labels (batch,) or probabilities (batch, classes), "
                     f"got shape {t.shape}")


class MSE(Loss):
    """Mean squared error: ``mean((scores - target)**2)`` over ALL elements.

    Gradient ``2 * (scores - target) / scores.size``. Same value as
    PyTorch ``nn.MSELoss()`` and Keras ``MeanSquaredError()``.

    forward(scores, target):
        scores: (batch, outputs); target: the same shape. A target of shape
        (batch,) is accepted for scores of shape (batch, 1), the common
        single-output regression; any other mismatch is an error.
    """

    def __init__(self) -> None:
        self._cache = None

    def forward(self, scores: ArrayLike, target: ArrayLike) -> float:
        scores = check_array("scores", scores, finite=False)
        _check_batch(len(scores) if scores.ndim else 1)
        target = check_array("target", target)
        if target.shape != scores.shape:
            if scores.ndim == 2 and scores.shape[1] == 1 and target.shape == scores.shape[:1]:
                target = target.reshape(-1, 1)
            else:
                raise ValueError(f"target shape {target.shape} does not match scores "
                                 f"shape {scores.shape}")
        diff = scores - target.astype(scores.dtype, copy=False)
        self._cache = diff
        return float(np.vdot(diff, diff)) / diff.size

    def backward(self) -> np.ndarray:
        """Gradient w.r.t. scores, scores' shape and dtype."""
        diff = self._cached()
        return diff * (2.0 / diff.size)
