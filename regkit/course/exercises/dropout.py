"""Checkers for the dropout exercises of notebook 03.

The learner writes two functions::

    def dropout_forward(x, p, rng):      # -> (y, mask)
    def dropout_backward(grad_y, mask, p):  # -> grad_x

``p`` is the probability of DROPPING a unit (regkit, PyTorch, Keras);
``mask`` is 1 (or True) where a unit is kept. The checkers compare with
:func:`regkit.functional.dropout_apply` and, when the answer is wrong,
recognise the usual mistakes (no ``1/(1-p)``, keep and drop probabilities
swapped, a new mask in backward, numpy's global RNG) and say so.
"""
from __future__ import annotations

import numpy as np

from ... import functional as F
from .base import Feedback, check_all, compare_arrays, Problem as _Problem

#: a drop probability that is not 0.5, so 1/p and 1/(1-p) differ
_P = 0.2


def _x(shape=(8, 10), seed=0, dtype=np.float32):
    # strictly positive, so a zero in y can only come from the mask
    return np.random.default_rng(seed).uniform(0.5, 2.0, size=shape).astype(dtype)


def _unpack(out):
    if not isinstance(out, tuple) or len(out) != 2:
        raise _Problem("dropout_forward must return a pair (y, mask); got "
                       f"{type(out).__name__}")
    return np.asarray(out[0]), np.asarray(out[1])


def check_dropout_forward(fn) -> Feedback:
    """Grade ``fn(x, p, rng) -> (y, mask)``: inverted dropout in training mode.

    What is checked, in order: the return value and shapes; the mask is 0/1;
    ``y == x * mask / (1 - p)`` (with a diagnosis of a missing or wrong
    scale); the share of kept units is about ``1 - p`` (not ``p``); ``p = 0``
    keeps everything; a fresh mask at every call; the ``rng`` argument is
    what draws it; ``x`` is not modified; float32 stays float32.
    """
    x = _x()
    x_before = x.copy()
    state = {}

    def shapes():
        y, mask = _unpack(fn(x, _P, np.random.default_rng(0)))
        state["y"], state["mask"] = y, mask
        if y.shape != x.shape:
            return f"y has shape {y.shape}, expected x's shape {x.shape}"
        if mask.shape != x.shape:
            return f"mask has shape {mask.shape}, expected x's shape {x.shape} (one entry per unit)"
        return None

    def binary_mask():
        mask = state["mask"]
        if not np.all((mask == 0) | (mask == 1)):
            return ("mask must hold only 0 and 1 (or False/True), one keep/drop "
                    f"decision per unit; got values such as {np.unique(mask)[:4].tolist()}")
        return None

    def scale():
        y, kept = state["y"], state["mask"].astype(bool)
        if kept.all():
            return (f"no unit was dropped: with p = {_P} about {_P:.0%} of the units "
                    "should be set to 0 (compare rng.random(x.shape) with p)")
        want = F.dropout_apply(x, kept, _P)
        if np.allclose(y, want, rtol=1e-5, atol=1e-6):
            return None
        if np.allclose(y, x * kept):
            return (f"the kept units are not rescaled: with p = {_P} multiply them by "
                    f"1/(1 - p) = {1 / (1 - _P):g} (inverted dropout), so nothing needs "
                    "rescaling at test time")
        if np.allclose(y, x * kept / _P):
            return (f"you divided by p = {_P}; divide by the KEEP probability "
                    f"1 - p = {1 - _P:g} (p is the drop probability)")
        if np.allclose(y, x * kept * (1 - _P)):
            return ("you multiplied by (1 - p): that is the old test-time correction. "
                    "Inverted dropout DIVIDES by (1 - p) during training")
        if np.allclose(y, x):
            return "y equals x: nothing was dropped (apply the mask)"
        if np.allclose(y, F.dropout_apply(x, ~kept, _P)):
            return ("your mask is 1 where a unit is DROPPED; return it the other way "
                    "round: 1 (True) where the unit is kept")
        return compare_arrays("y = x * mask / (1 - p) with the mask you returned", y, want)

    def keep_rate():
        big = np.ones((200, 500), dtype=np.float32)
        _, mask = _unpack(fn(big, _P, np.random.default_rng(1)))
        kept = float(np.mean(np.asarray(mask, dtype=bool)))
        if abs(kept - (1 - _P)) < 0.01:
            return None
        if abs(kept - _P) < 0.01:
            return (f"with p = {_P} your mask keeps {kept:.0%} of the units: p is the "
                    f"probability of DROPPING, so keep each unit with probability "
                    f"1 - p = {1 - _P:g} (e.g. rng.random(x.shape) >= p). CS231n and "
                    "TF1's keep_prob use the opposite convention")
        return (f"with p = {_P} the mask should keep about {1 - _P:.0%} of the units, "
                f"yours keeps {kept:.1%}")

    def p_zero():
        y, _ = _unpack(fn(x, 0.0, np.random.default_rng(2)))
        return compare_arrays("with p = 0 nothing is dropped, so y must equal x", y, x)

    def fresh_mask():
        gen = np.random.default_rng(3)
        big = np.ones((10, 50), dtype=np.float32)
        _, m1 = _unpack(fn(big, 0.5, gen))
        _, m2 = _unpack(fn(big, 0.5, gen))
        if np.array_equal(m1, m2):
            return ("two calls gave the same mask: draw a fresh mask from rng at every "
                    "call (each step trains a different sub-network)")
        return None

    def uses_rng():
        big = np.ones((10, 50), dtype=np.float32)
        _, m1 = _unpack(fn(big, 0.5, np.random.default_rng(4)))
        _, m2 = _unpack(fn(big, 0.5, np.random.default_rng(4)))
        if not np.array_equal(m1, m2):
            return ("two calls with identically seeded generators gave different masks: "
                    "draw the mask from the rng argument (rng.random(...)), not from "
                    "np.random's global functions, so a run can be repeated")
        return None

    def untouched():
        if not np.array_equal(x, x_before):
            return "your function modified x in place; compute y as a new array"
        return None

    def dtype():
        y = state["y"]
        if y.dtype != np.float32:
            return (f"float32 input gave {y.dtype} output: a float64 scalar or array "
                    "(e.g. np.float64, or a mask of float64) promoted it; divide by a "
                    "Python float or cast the mask with x.dtype")
        return None

    return check_all("dropout_forward", [(c) for c in (
        shapes, untouched, binary_mask, scale, keep_rate, p_zero, fresh_mask, uses_rng,
        dtype)])


def check_dropout_backward(fn) -> Feedback:
    """Grade ``fn(grad_y, mask, p) -> grad_x``: the gradient of inverted dropout.

    ``grad_x = grad_y * mask / (1 - p)``, with the forward's own mask: a
    dropped unit did not influence the loss, so it gets no gradient.
    """
    gen = np.random.default_rng(5)
    grad_y = gen.standard_normal((4, 6)).astype(np.float32)
    mask = F.dropout_mask(grad_y.shape, _P, gen)
    mask[0, 0], mask[0, 1] = False, True     # at least one of each
    before = grad_y.copy()
    want = F.dropout_apply(grad_y, mask, _P)
    state = {}

    def value():
        got = fn(grad_y, mask.copy(), _P)
        if got is None:
            return "your function returned None (did you forget `return`?)"
        got = np.asarray(got)
        state["got"] = got
        if got.shape != grad_y.shape:
            return f"grad_x has shape {got.shape}, expected grad_y's shape {grad_y.shape}"
        if np.allclose(got, want, rtol=1e-5, atol=1e-6):
            return None
        if np.allclose(got, grad_y):
            return ("grad_x equals grad_y: units dropped in the forward pass did not "
                    "affect the output, so their gradient is 0 (multiply by the mask)")
        if not np.array_equal(got != 0, mask):
            return ("grad_x is non-zero where the mask dropped a unit (or zero where it "
                    "kept one): reuse the forward's mask, do not draw a new one")
        if np.allclose(got, grad_y * mask):
            return (f"the gradient is not rescaled: the forward multiplied kept units by "
                    f"1/(1 - p) = {1 / (1 - _P):g}, so the backward must too")
        if np.allclose(got, grad_y * mask / _P):
            return f"you divided by p = {_P}; divide by 1 - p = {1 - _P:g}"
        return compare_arrays("grad_x = grad_y * mask / (1 - p)", got, want)

    def untouched():
        if not np.array_equal(grad_y, before):
            return "your function modified grad_y in place; return a new array"
        return None

    return check_all("dropout_backward", [value, untouched])
