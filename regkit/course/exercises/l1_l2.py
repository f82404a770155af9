"""Checkers for notebook 02 (L1 and L2): the L2 penalty and its gradient,
and one SGD step with an L1 penalty.

Each checker tries the learner's function on the chapter's worked example
first, then on a random matrix, and recognises the usual slips (a missing
1/2, a gradient of ``2 * lam * w``, a flipped sign, a penalised bias, the
input changed in place) so the message says what to fix, not just "wrong".
"""
from __future__ import annotations

import numpy as np

from .base import Feedback, answer_array, check_all, compare_arrays

#: the chapter's example weights and strength
W_EXAMPLE = np.array([2.0, -1.5, 0.5, -3.0])
LAM_EXAMPLE = 0.01


def _close(a, b) -> bool:
    try:
        return bool(np.allclose(np.asarray(a, dtype=np.float64), b, rtol=1e-6, atol=1e-9))
    except (TypeError, ValueError):
        return False


def _random_matrix(seed=0, shape=(3, 4)):
    return np.random.default_rng(seed).normal(size=shape)


# -- exercise 1: L2 penalty and gradient --------------------------------------
def _l2_penalty_problem(got, w, lam):
    want = lam * 0.5 * float(np.sum(w * w))
    if got is None:
        return "l2_penalty returned None (did you forget `return`?)"
    if np.ndim(got) != 0:
        return (f"the penalty must be one number (a scalar), got an array of shape "
                f"{np.shape(got)}: sum over all weights")
    got = float(got)
    if _close(got, want):
        return None
    if _close(got, 2 * want):
        return (f"got {got:.6g}, expected {want:.6g}: twice too large. Did you forget "
                "the 1/2? (Keras' l2(l) has no 1/2; the chapter's and regkit's L2 has.)")
    if _close(got, want / lam):
        return f"got {got:.6g}, expected {want:.6g}: multiply by lam"
    if _close(got, lam * 0.5 * np.sqrt(np.sum(w * w))) or _close(got, lam * np.sqrt(np.sum(w * w))):
        return (f"got {got:.6g}, expected {want:.6g}: use the SQUARED norm, "
                "sum(w**2), not its square root")
    if _close(got, lam * 0.5 * abs(float(np.sum(w)))) or _close(got, lam * 0.5 * float(np.sum(w)) ** 2):
        return f"got {got:.6g}, expected {want:.6g}: square each weight, then sum"
    if _close(got, -want):
        return f"got {got:.6g}, expected {want:.6g}: a penalty is never negative"
    return f"got {got:.6g}, expected lam * 0.5 * sum(w**2) = {want:.6g}"


def _l2_grad_problem(got, w, lam):
    want = lam * w
    if got is None:
        return "l2_grad returned None (did you forget `return`?)"
    got = np.asarray(got)
    if got.shape != w.shape:
        return f"the gradient has the shape of w, {w.shape}; got {got.shape}"
    if _close(got, want):
        return None
    if _close(got, 2 * want):
        return ("the gradient is 2 * lam * w, twice too large: the 1/2 in "
                "lam/2 * w**2 cancels the 2 of the derivative, leaving lam * w")
    if _close(got, -want):
        return ("the sign is flipped: the gradient of the penalty points AWAY from 0 "
                "(lam * w); the update subtracts it, which is what pulls w towards 0")
    if _close(got, lam * np.sign(w)):
        return "that is the L1 gradient, lam * sign(w); the L2 gradient is lam * w"
    if _close(got, 0.5 * want):
        return "got lam/2 * w: the derivative of w**2 is 2 * w, so lam/2 * 2w = lam * w"
    return compare_arrays("l2_grad(w, lam)", got, want)


def check_l2(l2_penalty, l2_grad) -> Feedback:
    """Grade ``l2_penalty(w, lam) -> float`` and ``l2_grad(w, lam) -> array``.

    Expected: ``lam * 0.5 * sum(w**2)`` over every entry of ``w`` (any
    shape) and ``lam * w``; ``w`` must not be changed in place.
    """
    w1, lam1 = W_EXAMPLE.copy(), LAM_EXAMPLE
    w2, lam2 = _random_matrix(1), 0.3

    def untouched(fn, w):
        before = w.copy()
        fn(w, 0.1)
        if not np.array_equal(w, before):
            return f"{fn.__name__} changed the array it was given; compute a new one instead"
        return None

    return check_all("L2 penalty and gradient", [
        lambda: _l2_penalty_problem(l2_penalty(w1.copy(), lam1), w1, lam1),
        lambda: _l2_penalty_problem(l2_penalty(w2.copy(), lam2), w2, lam2),
        lambda: _l2_grad_problem(l2_grad(w1.copy(), lam1), w1, lam1),
        lambda: _l2_grad_problem(l2_grad(w2.copy(), lam2), w2, lam2),
        lambda: untouched(l2_penalty, w2.copy()),
        lambda: untouched(l2_grad, w2.copy()),
    ])


# -- exercise 2: one SGD step with L1 -----------------------------------------
def reference_l1_sgd_step(W, b, grad_W, grad_b, lr, lam):
    """The answer: ``W - lr * (grad_W + lam * sign(W))`` and ``b - lr * grad_b``."""
    return W - lr * (grad_W + lam * np.sign(W)), b - lr * grad_b


def _l1_step_problem(step, W, b, gW, gb, lr, lam):
    W_in, b_in, gW_in, gb_in = W.copy(), b.copy(), gW.copy(), gb.copy()
    out = step(W_in, b_in, gW_in, gb_in, lr, lam)
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        return "return a pair (W_new, b_new)"
    got_W, got_b = np.asarray(out[0]), np.asarray(out[1])
    if not (np.array_equal(W_in, W) and np.array_equal(b_in, b)
            and np.array_equal(gW_in, gW) and np.array_equal(gb_in, gb)):
        return "your step changed an input array in place; return new arrays instead"
    want_W, want_b = reference_l1_sgd_step(W, b, gW, gb, lr, lam)
    if got_W.shape != W.shape or got_b.shape != b.shape:
        return (f"W_new must have W's shape {W.shape} and b_new b's shape {b.shape}; "
                f"got {got_W.shape} and {got_b.shape}")
    if not _close(got_b, want_b):
        if _close(got_b, b - lr * (gb + lam * np.sign(b))):
            return ("the bias was penalised: L1 (like L2) applies to the weights W only; "
                    "b takes a plain step b - lr * grad_b")
        return compare_arrays("b_new", got_b, want_b)
    if _close(got_W, want_W):
        return None
    if _close(got_W, W - lr * (gW - lam * np.sign(W))):
        return ("the penalty has the wrong sign: lam * sign(w) is ADDED to the gradient, "
                "so the step moves each weight towards 0")
    if _close(got_W, W - lr * (gW + lam * W)) or _close(got_W, W * (1 - lr * lam) - lr * gW):
        return ("that is the L2 (weight decay) step, a shrink in proportion to w; "
                "L1's pull is lam * sign(w), the same size for every non-zero weight")
    if _close(got_W, W - lr * gW - lam * np.sign(W)):
        return "the penalty's gradient must also be multiplied by the learning rate"
    if _close(got_W, W - lr * gW):
        return "the L1 term is missing: add lam * sign(W) to the gradient"
    if _close(got_W, W - lr * (gW + lam * np.where(W >= 0, 1.0, -1.0))):
        return ("a weight that is exactly 0 moved: sign(0) is 0 (np.sign does this), "
                "so the penalty leaves a zero weight alone")
    return compare_arrays("W_new", got_W, want_W)


def check_l1_step(l1_sgd_step) -> Feedback:
    """Grade ``l1_sgd_step(W, b, grad_W, grad_b, lr, lam) -> (W_new, b_new)``.

    Expected: ``W - lr * (grad_W + lam * sign(W))`` (sign(0) = 0) and
    ``b - lr * grad_b``, as new arrays.
    """
    # the chapter's example: w = 5, lr = 0.1, lam = 0.01, zero gradient -> 4.999
    W1, b1 = np.array([[5.0]]), np.array([0.5])
    z1, zb = np.zeros((1, 1)), np.zeros(1)
    rng = np.random.default_rng(3)
    W2 = rng.normal(size=(4, 3))
    W2[1, 2] = 0.0                       # a weight exactly at zero
    b2, gW2, gb2 = rng.normal(size=3), rng.normal(size=(4, 3)), rng.normal(size=3)

    def worked():
        out = l1_sgd_step(W1.copy(), b1.copy(), z1.copy(), zb.copy(), 0.1, 0.01)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            return "return a pair (W_new, b_new)"
        got = float(np.asarray(out[0]).ravel()[0])
        if abs(got - 4.999) < 1e-9:
            return None
        if abs(got - 5.001) < 1e-9:
            return ("worked example: w = 5, lr = 0.1, lam = 0.01, zero gradient gave 5.001; "
                    "the weight must move TOWARDS zero (4.999): check the sign")
        if abs(got - 4.995) < 1e-9:
            return ("worked example gave 4.995, the L2 step 5 * (1 - lr * lam); "
                    "the L1 step subtracts a fixed lr * lam = 0.001, giving 4.999")
        if abs(got - 5.0) < 1e-12:
            return ("worked example: the weight did not move (5.0) with a zero data "
                    "gradient, so the L1 term is missing: add lam * sign(W) to the gradient")
        if abs(got - 4.99) < 1e-9:
            return ("worked example gave 4.99: the penalty's gradient (lam * sign(w)) "
                    "must be multiplied by lr too, giving 4.999")
        return (f"worked example: w = 5, lr = 0.1, lam = 0.01 and a zero data gradient "
                f"should give 4.999, got {got:.6g}")

    return check_all("one SGD step with L1", [
        worked,
        lambda: _l1_step_problem(l1_sgd_step, W2, b2, gW2, gb2, 0.05, 0.2),
    ])


# -- exercise 3: one proximal L1 step -------------------------------------------
def reference_prox_l1_step(W, grad_W, lr, lam):
    """The answer: a plain step on the data gradient, then a soft threshold at ``lr * lam``."""
    z = W - lr * grad_W
    return np.sign(z) * np.maximum(np.abs(z) - lr * lam, 0.0)


def _prox_problem(step, W, gW, lr, lam, worked=False):
    got = answer_array(step, "prox_l1_step", (W, gW), (lr, lam), shape=W.shape)
    want = reference_prox_l1_step(W, gW, lr, lam)
    if _close(got, want):
        return None
    z = W - lr * gW
    if _close(got, np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)):
        return ("the threshold is lr * lam, the pull of one step of size lr, "
                "not lam itself")
    if _close(got, np.sign(W) * np.maximum(np.abs(W) - lr * lam, 0.0) - lr * gW):
        return ("soft-threshold AFTER the gradient step: first z = W - lr * grad_W, then "
                "shrink z towards 0; thresholding first lets the data step move zeros away")
    if _close(got, W - lr * (gW + lam * np.sign(W))):
        return ("that is the plain (subgradient) L1 step: a weight smaller than the "
                "threshold jumps across 0 instead of landing on exactly 0. Soft-threshold: "
                "sign(z) * max(|z| - lr*lam, 0)")
    if _close(got, np.sign(z) * (np.abs(z) - lr * lam)):
        return ("a weight smaller than the threshold must become exactly 0, not flip its "
                "sign: use max(|z| - lr * lam, 0)")
    if _close(got, np.where(np.abs(z) > lr * lam, z, 0.0)):
        return ("that is a hard threshold: it zeroes the small weights but leaves the others "
                "unshrunk; the soft threshold also pulls every surviving weight in by lr * lam")
    if worked:
        return ("worked example: w = 5 and w = 0.0005, lr = 0.1, lam = 0.01 and a zero "
                "gradient should give 4.999 (5 - lr * lam) and exactly 0.0 (0.0005 is below "
                f"the threshold lr * lam = 0.001); got {np.round(got.ravel(), 6).tolist()}")
    return compare_arrays("W_new", got, want)


def check_prox_l1_step(prox_l1_step) -> Feedback:
    """Grade ``prox_l1_step(W, grad_W, lr, lam) -> W_new``.

    Expected: ``z = W - lr * grad_W``, then ``sign(z) * max(|z| - lr * lam, 0)``.
    """
    rng = np.random.default_rng(4)
    W = rng.normal(size=(4, 3)) * 0.1
    gW = rng.normal(size=(4, 3))

    return check_all("one proximal L1 step", [
        # worked example: w = 5 and 0.0005, lr 0.1, lam 0.01, zero gradient -> 4.999 and 0
        lambda: _prox_problem(prox_l1_step, np.array([[5.0, 0.0005]]), np.zeros((1, 2)),
                              0.1, 0.01, worked=True),
        lambda: _prox_problem(prox_l1_step, W, gW, 0.05, 0.5),
    ])


# -- exercise 4: the elastic-net gradient -------------------------------------------
def reference_elastic_net_grad(w, l1, l2):
    """The answer: ``l1 * sign(w) + l2 * w`` (the gradient of ``l1*|w| + l2/2*w**2``)."""
    return l1 * np.sign(w) + l2 * w


def _elastic_problem(fn, w, l1, l2):
    got = answer_array(fn, "elastic_net_grad", (w,), (l1, l2), shape=w.shape)
    want = reference_elastic_net_grad(w, l1, l2)
    if _close(got, want):
        return None
    if _close(got, l1 * np.sign(w) + 2 * l2 * w):
        return ("the L2 part is twice too large: the 1/2 in l2/2 * w**2 cancels the 2 of the "
                "derivative, leaving l2 * w")
    if _close(got, l2 * np.sign(w) + l1 * w):
        return "l1 and l2 are swapped: l1 goes with sign(w), l2 with w"
    if _close(got, l1 * np.sign(w)):
        return "the L2 part is missing: add l2 * w"
    if _close(got, l2 * w):
        return "the L1 part is missing: add l1 * sign(w)"
    if _close(got, l1 * np.where(w >= 0, 1.0, -1.0) + l2 * w):
        return "at w = 0 the L1 part is 0 (np.sign(0) == 0), not +l1"
    if _close(got, 0.5 * (l1 * np.sign(w) + l2 * w)):
        return "a factor 1/2 too many: the gradient is l1 * sign(w) + l2 * w"
    return compare_arrays("elastic_net_grad(w, l1, l2)", got, want)


def check_elastic_net_grad(elastic_net_grad) -> Feedback:
    """Grade ``elastic_net_grad(w, l1, l2) -> array``: ``l1 * sign(w) + l2 * w``."""
    w2 = _random_matrix(2)
    w2[0, 1] = 0.0                        # a weight exactly at zero
    return check_all("the elastic-net gradient", [
        lambda: _elastic_problem(elastic_net_grad, W_EXAMPLE.copy(), 0.01, 0.02),
        lambda: _elastic_problem(elastic_net_grad, w2, 0.3, 0.5),
    ])
