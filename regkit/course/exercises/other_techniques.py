"""Checkers for notebook 07: label-smoothed targets, a mixup blend, a max-norm projection.

(Gradient clipping, the fourth technique, has its checker in ``clipping.py``.)
Each checker tries a small worked example first, then random inputs, and
names the usual slips: the other smoothing convention, swapped mixing
weights, row norms where units are columns, and inputs changed in place.
"""
from __future__ import annotations

import numpy as np

from .base import Feedback, Problem, answer_array, check_all, compare_arrays


def _close(a, b) -> bool:
    try:
        a = np.asarray(a, dtype=np.float64)
        return a.shape == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))
    except (TypeError, ValueError):
        return False


def _one_hot(y, k):
    out = np.zeros((len(y), k))
    out[np.arange(len(y)), y] = 1.0
    return out


# -- label smoothing ---------------------------------------------------------------
def reference_smooth_labels(y, k, eps):
    """The answer: ``(1 - eps) * one_hot(y, k) + eps / k``."""
    return (1 - eps) * _one_hot(np.asarray(y), k) + eps / k


def _smoothing_problem(fn, y, k, eps):
    y_in = np.array(y)
    got = fn(y_in, k, eps)
    if not np.array_equal(y_in, y):
        return "your function changed the labels it was given"
    if got is None:
        return "smooth_labels returned None (did you forget `return`?)"
    want = reference_smooth_labels(y, k, eps)
    got = np.asarray(got, dtype=np.float64)
    if got.shape == want.shape[::-1] and want.shape[0] != want.shape[1]:
        return f"the result has shape {got.shape}: one row per sample, so (n, K) = {want.shape}"
    if got.shape != want.shape:
        return f"the result has one row per sample and one column per class: {want.shape}, got {got.shape}"
    if _close(got, want):
        return None
    onehot = _one_hot(np.asarray(y), k)
    if _close(got, (1 - eps) * onehot + eps / (k - 1) * (1 - onehot)):
        return ("that is the other convention (eps spread over the K-1 wrong classes only); "
                "the course, PyTorch and Keras spread eps / K over all K classes, the true "
                "one included, so the true class gets 1 - eps + eps / K")
    if _close(got, (1 - eps) * onehot):
        return "each row must sum to 1: every class (the true one too) also gets eps / K"
    if _close(got, (1 - eps) * onehot + eps):
        return "divide eps by the number of classes: every class gets eps / K, not eps"
    if _close(got, onehot):
        return "the targets are still one-hot: eps was not used"
    if _close(got, onehot * (1 - eps + eps / k)):
        return "the wrong classes get 0: every class gets eps / K"
    return compare_arrays("smooth_labels(y, K, eps)", got, want)


def check_smooth_labels(smooth_labels) -> Feedback:
    """Grade ``smooth_labels(y, k, eps) -> (n, k) array``: ``(1 - eps) * one_hot + eps / k``."""
    rng = np.random.default_rng(7)
    return check_all("label-smoothed targets", [
        # the worked example: K = 4, eps = 0.1, class 2 -> [0.025, 0.025, 0.925, 0.025]
        lambda: _smoothing_problem(smooth_labels, np.array([2]), 4, 0.1),
        lambda: _smoothing_problem(smooth_labels, rng.integers(0, 10, 12), 10, 0.2),
        lambda: _smoothing_problem(smooth_labels, np.array([0, 1, 2]), 3, 0.0),
    ])


# -- mixup ------------------------------------------------------------------------
def reference_mixup(x, y, lam, perm):
    """The answer: ``lam * x + (1 - lam) * x[perm]``, the same for ``y``."""
    return lam * x + (1 - lam) * x[perm], lam * y + (1 - lam) * y[perm]


def _unpack_pair(out, what):
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise Problem(f"return a pair ({what})")
    return np.asarray(out[0], dtype=np.float64), np.asarray(out[1], dtype=np.float64)


def _mixup_problem(fn, x, y, lam, perm):
    args = [x.copy(), y.copy(), lam, perm.copy()]
    got_x, got_y = _unpack_pair(fn(*args), "x_mixed, y_mixed")
    if not (np.array_equal(args[0], x) and np.array_equal(args[1], y)):
        return "your function changed x or y in place; return new arrays"
    want_x, want_y = reference_mixup(x, y, lam, perm)
    if got_x.shape != x.shape or got_y.shape != y.shape:
        return f"x_mixed must have x's shape {x.shape} and y_mixed y's {y.shape}"
    if not _close(got_x, want_x):
        if _close(got_x, (1 - lam) * x + lam * x[perm]):
            return ("the weights are swapped: each sample keeps weight lam and its partner "
                    "x[perm] gets 1 - lam")
        if _close(got_x, lam * x[perm] + (1 - lam) * x):
            return "the partner is x[perm] with weight 1 - lam; sample i itself gets lam"
        if _close(got_x, lam * x + (1 - lam) * x[np.argsort(perm)]):
            return "the partner of sample i is x[perm[i]], i.e. x[perm], not the inverse permutation"
        return compare_arrays("x_mixed", got_x, want_x)
    rounded = _one_hot(np.argmax(want_y, axis=1), y.shape[1])
    if _close(got_y, y) or _close(got_y, rounded):
        return ("the targets are still one-hot: blend y with the same lam and partner as x, "
                "and keep the soft targets (rounding them back to one class throws the mix "
                "away)")
    if _close(got_y, (1 - lam) * y + lam * y[perm]):
        return "the targets' weights are swapped: lam for y, 1 - lam for y[perm], as for x"
    return compare_arrays("y_mixed", got_y, want_y)


def check_mixup(mixup_batch) -> Feedback:
    """Grade ``mixup_batch(x, y_onehot, lam, perm) -> (x_mixed, y_mixed)``."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(6, 3))
    y = _one_hot(rng.integers(0, 4, 6), 4)
    perm = np.array([3, 0, 5, 1, 2, 4])
    x2, y2 = np.array([[0.0, 0.0], [10.0, 20.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    return check_all("a mixup blend", [
        # worked example: two samples swapped with lam = 0.7 -> [[3, 6], [7, 14]]
        lambda: _mixup_problem(mixup_batch, x2, y2, 0.7, np.array([1, 0])),
        lambda: _mixup_problem(mixup_batch, x, y, 0.35, perm),
    ])


# -- max-norm -----------------------------------------------------------------------
def reference_max_norm(W, c):
    """The answer: every column (a unit's incoming weights) longer than ``c`` scaled to ``c``."""
    norms = np.sqrt((W * W).sum(axis=0))
    return W * np.where(norms > c, c / np.maximum(norms, 1e-300), 1.0)


def _max_norm_problem(fn, W, c):
    got = answer_array(fn, "max_norm_project", (W,), (c,), shape=W.shape)
    want = reference_max_norm(W, c)
    if _close(got, want):
        return None
    rows = np.sqrt((W * W).sum(axis=1, keepdims=True))
    if _close(got, W * np.where(rows > c, c / rows, 1.0)):
        return ("you limited the rows; W is (inputs, units), so unit j's incoming "
                "weights are the column W[:, j]: use the norm over axis 0")
    cols = np.sqrt((W * W).sum(axis=0))
    if _close(got, W * c / cols):
        return ("every column now has norm c, also those that were shorter: only columns "
                "longer than c are rescaled, the others stay as they are")
    if _close(got, W * min(1.0, c / np.sqrt((W * W).sum()))):
        return "the limit is per unit (each column), not on the norm of the whole matrix"
    if _close(got, np.clip(W, -c, c)):
        return ("clipping each weight to [-c, c] changes the vector's direction; max-norm "
                "rescales the whole column, keeping its direction")
    return compare_arrays("max_norm_project(W, c)", got, want)


def check_max_norm(max_norm_project) -> Feedback:
    """Grade ``max_norm_project(W, c) -> W_new`` (columns longer than ``c`` scaled to ``c``)."""
    rng = np.random.default_rng(5)
    W = rng.normal(size=(5, 4)) * np.array([0.2, 1.0, 3.0, 0.5])   # some columns over, some under
    return check_all("a max-norm projection", [
        # worked example: columns of norm 5 and 0.5 with c = 1 -> (0.6, 0.8) and unchanged
        lambda: _max_norm_problem(max_norm_project, np.array([[3.0, 0.3], [4.0, 0.4]]), 1.0),
        lambda: _max_norm_problem(max_norm_project, W, 1.5),
    ])
