"""The global-norm clipping checker accepts the reference and names typical mistakes."""
import math

import numpy as np
import pytest

from regkit.course.exercises.clipping import check_clip_global_norm
from exercise_helpers import assert_rejects


def solution(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    scale = min(1.0, max_norm / (norm + 1e-12))
    return [g * scale for g in grads], norm


def _rejects(fn, *words):
    return assert_rejects(check_clip_global_norm(fn), *words)


def test_reference_passes():
    fb = check_clip_global_norm(solution)
    assert fb.passed, str(fb)


def test_stub_that_returns_inputs_fails_without_raising():
    def stub(grads, max_norm):
        return list(grads), 0.0
    _rejects(stub, "norm")


def test_per_parameter_clipping_rejected():
    def per_param(grads, max_norm):
        out = []
        for g in grads:
            n = math.sqrt(float(np.sum(g * g)))
            out.append(g * min(1.0, max_norm / n))
        return out, math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    _rejects(per_param, "on its own", "same factor")


def test_value_clipping_rejected():
    def by_value(grads, max_norm):
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return [np.clip(g, -max_norm, max_norm) for g in grads], norm
    _rejects(by_value, "value clipping")


def test_scaling_small_gradients_up_rejected():
    def always(grads, max_norm):
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return [g * (max_norm / norm) for g in grads], norm
    _rejects(always, "scaled UP")


def test_norm_after_clipping_and_squared_norm_rejected():
    def after(grads, max_norm):
        clipped, _ = solution(grads, max_norm)
        return clipped, math.sqrt(sum(float(np.sum(g * g)) for g in clipped))
    _rejects(after, "AFTER clipping")

    def squared(grads, max_norm):
        clipped, norm = solution(grads, max_norm)
        return clipped, norm ** 2
    _rejects(squared, "SQUARED")


def test_in_place_modification_rejected():
    def in_place(grads, max_norm):
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        scale = min(1.0, max_norm / norm)
        for g in grads:
            g *= scale
        return grads, norm
    _rejects(in_place, "in place")


def test_float64_promotion_rejected():
    def computes_in_float64(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
        return [g.astype(np.float64) * min(1.0, max_norm / norm) for g in grads], norm
    _rejects(computes_in_float64, "float32")


@pytest.mark.skipif(int(np.__version__.split(".")[0]) < 2,
                    reason="NumPy 1.x keeps float32 * float64-scalar in float32 (NEP 50 came in 2.0)")
def test_float64_scalar_promotion_rejected():
    def promotes(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads))
        scale = np.minimum(1.0, max_norm / norm)          # a float64 NumPy scalar
        return [g * scale for g in grads], norm
    _rejects(promotes, "float32")


def test_wrong_return_shape_and_none():
    _rejects(lambda grads, max_norm: None, "returned None")
    _rejects(lambda grads, max_norm: [g for g in grads], "pair")
    _rejects(lambda grads, max_norm: ([g.ravel() for g in grads], 1.0), "shape")
