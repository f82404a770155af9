"""Checker for the global-norm clipping exercise of notebook 07.

The learner writes::

    def clip_global_norm(grads, max_norm):   # -> (clipped_grads, norm)

``grads`` is a list of arrays (one per parameter, any shapes). The function
returns a NEW list of arrays, all scaled by the same factor so that their
global L2 norm is at most ``max_norm``, and the global norm *before*
clipping. The inputs must not be modified. The checker compares with
:func:`regkit.clip_grad_norm` (itself equal to PyTorch's
``clip_grad_norm_``) on random gradient lists and recognises the usual
mistakes: clipping each array on its own, clipping values instead of the
norm, scaling small gradients up, the norm after clipping, a squared norm.
"""
from __future__ import annotations

import math

import numpy as np

from ...constraints import clip_grad_norm
from ...module import Parameter
from .base import Feedback, check_all, compare_arrays, Problem as _Problem

_SHAPES = ((6, 4), (4,), (4, 3), (3,))


def _grads(seed=0, total=10.0, dtype=np.float32):
    """Random gradients with a global norm of ``total`` and each array's own
    norm above 1 (so clipping each array separately gives another answer)."""
    gen = np.random.default_rng(seed)
    grads = [gen.standard_normal(s) for s in _SHAPES]
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    return [(g * (total / norm)).astype(dtype) for g in grads]


def _reference(grads, max_norm):
    params = [Parameter(g.copy()) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.copy()
    norm = clip_grad_norm(params, max_norm)
    return [p.grad for p in params], norm


def _call(fn, grads, max_norm):
    out = fn(grads, max_norm)
    if out is None:
        raise _Problem("your function returned None (did you forget `return`?)")
    if not isinstance(out, tuple) or len(out) != 2:
        raise _Problem("return a pair (clipped_grads, norm); got "
                       f"{type(out).__name__}")
    clipped, norm = out
    if not isinstance(clipped, (list, tuple)) or len(clipped) != len(grads):
        raise _Problem(f"clipped_grads must be a list with one array per gradient "
                       f"({len(grads)}), got {type(clipped).__name__}"
                       + (f" of length {len(clipped)}" if hasattr(clipped, "__len__") else ""))
    try:
        norm = float(norm)
    except (TypeError, ValueError):
        raise _Problem(f"the norm must be a number, got {type(norm).__name__}") from None
    return [np.asarray(c) for c in clipped], norm


def _norms(grads):
    return [math.sqrt(float(np.sum(np.asarray(g, np.float64) ** 2))) for g in grads]


def check_clip_global_norm(fn) -> Feedback:
    """Grade ``fn(grads, max_norm) -> (clipped_grads, norm)``.

    Checked, in order: the return value and shapes; the inputs are not
    modified; the norm before
    clipping; above the threshold every array scaled by the same factor
    ``max_norm / norm`` (as ``rk.clip_grad_norm``); below it nothing
    changes; float32 stays float32.
    """
    max_norm = 1.0
    grads = _grads(seed=0, total=10.0)
    before = [g.copy() for g in grads]
    want, want_norm = _reference(grads, max_norm)
    state = {}

    def shapes():
        clipped, norm = _call(fn, grads, max_norm)
        state["clipped"], state["norm"] = clipped, norm
        for i, (c, g) in enumerate(zip(clipped, grads)):
            if c.shape != g.shape:
                return f"clipped_grads[{i}] has shape {c.shape}, expected {g.shape}"
        return None

    def norm_value():
        got = state["norm"]
        if math.isclose(got, want_norm, rel_tol=1e-4):
            return None
        per = _norms(before)
        if math.isclose(got, want_norm ** 2, rel_tol=1e-4):
            return (f"you returned {got:.4g}, the SQUARED norm; take the square root: "
                    f"sqrt(sum over arrays of sum(g**2)) = {want_norm:.4g}")
        if math.isclose(got, sum(per), rel_tol=1e-4):
            return (f"you returned {got:.4g}, the sum of the arrays' own norms; the global "
                    f"norm treats all gradients as ONE long vector: sqrt of the sum of all "
                    f"squared entries = {want_norm:.4g}")
        if math.isclose(got, max(per), rel_tol=1e-4):
            return (f"you returned {got:.4g}, the largest single-array norm; the global "
                    f"norm covers all arrays together = {want_norm:.4g}")
        if math.isclose(got, max_norm, rel_tol=1e-3):
            return (f"you returned {got:.4g}, the norm AFTER clipping; return the norm "
                    f"before clipping ({want_norm:.4g}), as torch's clip_grad_norm_ does, so "
                    "the caller can log how large the gradient really was")
        return f"norm: got {got:.6g}, expected the global norm before clipping {want_norm:.6g}"

    def scaled_together():
        clipped = state["clipped"]
        per_clipped = [g * min(1.0, max_norm / n) for g, n in zip(before, _norms(before))]
        if all(np.allclose(c, p, rtol=1e-4, atol=1e-6) for c, p in zip(clipped, per_clipped)):
            return ("each array was clipped to max_norm on its own: that changes the "
                    "direction of the update and lets the total norm exceed max_norm "
                    f"(here {math.sqrt(sum(n * n for n in _norms(per_clipped))):.3g} > "
                    f"{max_norm:g}). Compute ONE global norm and scale every array by the "
                    "same factor max_norm / norm")
        if all(np.allclose(c, np.clip(g, -max_norm, max_norm)) for c, g in zip(clipped, before)):
            return ("you clipped each entry to [-max_norm, max_norm]: that is value "
                    "clipping (torch's clip_grad_value_), which changes the direction. "
                    "Norm clipping rescales the whole gradient: g * max_norm / norm")
        for i, (c, w) in enumerate(zip(clipped, want)):
            problem = compare_arrays(f"clipped_grads[{i}] (norm {want_norm:.3g} > "
                                     f"max_norm {max_norm:g}, so scale by max_norm / norm)",
                                     c, w, rtol=1e-4, atol=1e-6)
            if problem:
                return problem
        total = math.sqrt(sum(n * n for n in _norms(clipped)))
        if total > max_norm * (1 + 1e-4):
            return f"after clipping the global norm is {total:.4g}, above max_norm {max_norm:g}"
        return None

    def below_threshold():
        small = _grads(seed=1, total=0.5)
        clipped, norm = _call(fn, [g.copy() for g in small], max_norm)
        if all(np.allclose(c, g * (max_norm / 0.5), rtol=1e-4) for c, g in zip(clipped, small)):
            return ("a gradient with norm 0.5 < max_norm 1 was scaled UP to norm 1; "
                    "clipping only ever shrinks: leave the gradients alone when "
                    "norm <= max_norm (scale = min(1, max_norm / norm))")
        for i, (c, g) in enumerate(zip(clipped, small)):
            problem = compare_arrays(f"below the threshold (norm 0.5 <= max_norm 1) "
                                     f"clipped_grads[{i}] must equal the input", c, g,
                                     rtol=1e-6, atol=1e-7)
            if problem:
                return problem
        if not math.isclose(norm, 0.5, rel_tol=1e-4):
            return f"below the threshold the returned norm should be 0.5, got {norm:.4g}"
        return None

    def untouched():
        for i, (g, b) in enumerate(zip(grads, before)):
            if not np.array_equal(g, b):
                return (f"your function modified grads[{i}] in place; return new arrays "
                        "(g * scale) and leave the caller's gradients as they were")
        return None

    def dtype():
        for i, c in enumerate(state["clipped"]):
            if c.dtype != np.float32:
                return (f"float32 gradients came back as {c.dtype} (clipped_grads[{i}]): "
                        "a float64 value promoted them (a NumPy float64 scalar from np.sqrt or "
                        "np.float64 does since NumPy 2, a float64 array always); "
                        "multiply by a Python float, e.g. float(max_norm / norm)")
        return None

    return check_all("clip_global_norm", [(c) for c in (
        shapes, untouched, norm_value, scaled_together, below_threshold, dtype)])
