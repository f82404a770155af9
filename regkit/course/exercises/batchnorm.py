"""Checkers for the batch-norm exercises of notebook 04.

The learner writes::

    def batchnorm_forward(x, gamma, beta, eps=1e-5):   # -> y
    def batchnorm_backward(grad_y, x, gamma, eps=1e-5):  # -> (grad_x, grad_gamma, grad_beta)

x: (batch, features); gamma, beta: (features,). Training mode: statistics
of this batch, per feature, biased variance (1/m). The reference is
:func:`regkit.functional.batchnorm_train` and its backward; when the answer
is wrong the checker tries the usual mistakes (unbiased variance, eps
forgotten or outside the square root, statistics over the features instead
of the batch, gamma/beta left out, statistics treated as constants in the
backward) and names the one that matches.
"""
from __future__ import annotations

import numpy as np

from ... import functional as F
from .base import Feedback, check_all, compare_arrays

_EPS = 1e-5


def _reference(x, gamma, beta, eps=_EPS):
    return F.batchnorm_train(x, gamma, beta, eps)[0]


def _forward_mistakes(x, gamma, beta, eps):
    """``{message: wrong y}`` for the mistakes we can recognise."""
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    out = {}
    if x.shape[0] > 1:
        out["the variance divides by m - 1 (unbiased, ddof=1); batch norm uses the "
            "biased batch variance, dividing by m (np.var's default, ddof=0)"] = \
            gamma * (x - mu) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta
    out["the statistics are taken over the features of each sample (axis=1); batch "
        "norm normalises each feature over the BATCH: mean and var with axis=0"] = \
        gamma * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(
            x.var(axis=1, keepdims=True) + eps) + beta
    x_hat = (x - mu) / np.sqrt(var + eps)
    out["the output is x_hat: scale and shift it, y = gamma * x_hat + beta"] = x_hat
    out["gamma and beta are swapped: y = gamma * x_hat + beta"] = beta * x_hat + gamma
    out["eps belongs INSIDE the square root: sqrt(var + eps), not sqrt(var) + eps"] = \
        gamma * (x - mu) / (np.sqrt(var) + eps) + beta
    out["divide by the standard deviation sqrt(var + eps), not by the variance"] = \
        gamma * (x - mu) / (var + eps) + beta
    with np.errstate(divide="ignore", invalid="ignore"):
        out["eps is missing: use sqrt(var + eps) so a feature with (almost) no "
            "spread does not blow up"] = gamma * (x - mu) / np.sqrt(var) + beta
    return out


def _diagnose(got, mistakes, what, want):
    for message, wrong in mistakes.items():
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=1e-4, atol=1e-5):
            return f"{what}: {message}"
    return compare_arrays(what, got, want, atol=1e-4, rtol=1e-4)


def _forward_case(fn, x, gamma, beta, what):
    x_before = x.copy()
    got = fn(x, gamma, beta, _EPS)
    if got is None:
        return "your function returned None (did you forget `return`?)"
    if isinstance(got, tuple):
        return "return y only (an array), not a tuple"
    if not np.array_equal(x, x_before):
        return "your function modified x in place; compute on a new array"
    got = np.asarray(got)
    want = _reference(x, gamma, beta)
    if got.shape != want.shape:
        return f"{what}: y has shape {got.shape}, expected x's shape {want.shape}"
    if not np.all(np.isfinite(got)):
        return (f"{what}: y contains nan/inf. A feature whose values are all equal has "
                "variance 0: eps inside sqrt(var + eps) keeps the division finite")
    if np.allclose(got, want, rtol=1e-4, atol=1e-5):
        return None
    return _diagnose(got, _forward_mistakes(x, gamma, beta, _EPS), what, want)


def check_batchnorm_forward(fn) -> Feedback:
    """Grade ``fn(x, gamma, beta, eps) -> y``: batch norm in training mode.

    Cases: the chapter's worked example ([1, 3, 5, 7], gamma 2, beta 1);
    a random batch with 3 features and random gamma/beta; a feature with no
    spread and one with a spread close to ``sqrt(eps)`` (where a missing or
    misplaced eps shows); a float32 batch must stay float32.
    """
    rng = np.random.default_rng(0)
    worked = np.array([[1.0], [3.0], [5.0], [7.0]])
    x_rand = rng.normal(2.0, 3.0, size=(6, 3))
    g_rand, b_rand = rng.uniform(0.5, 2.0, 3), rng.normal(0.0, 1.0, 3)
    x_flat = np.column_stack([rng.normal(size=5), np.full(5, 3.0),
                              3.0 + 1e-3 * rng.normal(size=5)])

    def dtype():
        x32 = x_rand.astype(np.float32)
        y = np.asarray(fn(x32, g_rand.astype(np.float32), b_rand.astype(np.float32), _EPS))
        if y.dtype != np.float32:
            return (f"float32 input gave {y.dtype} output: a float64 value crept in "
                    "(np.float64 scalars or arrays); keep the arithmetic in x's dtype")
        return None

    return check_all("batchnorm_forward", [
        lambda: _forward_case(fn, worked, np.array([2.0]), np.array([1.0]),
                              "worked example x = [1, 3, 5, 7], gamma = 2, beta = 1"),
        lambda: _forward_case(fn, x_rand, g_rand, b_rand, "a random batch of 6 x 3"),
        lambda: _forward_case(fn, x_flat, np.ones(3), np.zeros(3),
                              "features with no spread or a tiny one"),
        dtype,
    ])


def _backward_mistakes(grad_y, x_hat, inv_std, gamma):
    m = grad_y.shape[0]
    gx, gg, gb = F.batchnorm_train_backward(grad_y, x_hat, inv_std, gamma)
    constant = grad_y * gamma * inv_std
    no_var_path = constant - (grad_y.sum(axis=0) * gamma * inv_std) / m
    return {
        "the batch mean and variance were treated as constants: they depend on "
        "every x_i, so each x_i also gets gradient through them "
        "(dx = gamma/(m*std) * (m*dy - sum(dy) - x_hat * sum(dy*x_hat)))": constant,
        "the path through the batch mean is there but the one through the "
        "variance is missing (the - x_hat * sum(dy * x_hat) term)": no_var_path,
        "gamma is missing from grad_x: y = gamma * x_hat + beta, so dx_hat = gamma * dy":
            gx / gamma,
    }, (gx, gg, gb)


def check_batchnorm_backward(fn) -> Feedback:
    """Grade ``fn(grad_y, x, gamma, eps) -> (grad_x, grad_gamma, grad_beta)``.

    Compared with :func:`regkit.functional.batchnorm_train_backward` on a
    random batch with a random upstream gradient (an all-ones upstream
    gradient gives grad_x = 0 for any gamma and would hide mistakes).
    """
    rng = np.random.default_rng(1)
    x = rng.normal(1.0, 2.0, size=(5, 3))
    gamma = rng.uniform(0.5, 2.0, 3)
    grad_y = rng.standard_normal((5, 3))
    _, x_hat, inv_std, _, _ = F.batchnorm_train(x, gamma, np.zeros(3), _EPS)
    mistakes, (gx, gg, gb) = _backward_mistakes(grad_y, x_hat, inv_std, gamma)
    state = {}

    def returns():
        x_before, g_before = x.copy(), grad_y.copy()
        out = fn(grad_y, x, gamma, _EPS)
        if not isinstance(out, tuple) or len(out) != 3:
            return "return the triple (grad_x, grad_gamma, grad_beta)"
        if not (np.array_equal(x, x_before) and np.array_equal(grad_y, g_before)):
            return "your function modified x or grad_y in place"
        state["out"] = [np.asarray(o) for o in out]
        return None

    def beta_gamma():
        _, got_g, got_b = state["out"]
        if got_b.shape == gg.shape and np.allclose(got_b, gg) and np.allclose(got_g, gb):
            return ("grad_gamma and grad_beta are swapped: grad_beta = sum(dy), "
                    "grad_gamma = sum(dy * x_hat), both over the batch (axis=0)")
        return (compare_arrays("grad_beta = sum over the batch of grad_y", got_b, gb,
                               atol=1e-6, rtol=1e-5)
                or compare_arrays("grad_gamma = sum over the batch of grad_y * x_hat",
                                  got_g, gg, atol=1e-6, rtol=1e-5))

    def grad_x():
        got = state["out"][0]
        if got.shape != gx.shape:
            return f"grad_x has shape {got.shape}, expected x's shape {gx.shape}"
        if np.allclose(got, gx, atol=1e-6, rtol=1e-5):
            return None
        return _diagnose(got, mistakes, "grad_x", gx)

    return check_all("batchnorm_backward", [returns, beta_gamma, grad_x])
