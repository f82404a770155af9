"""Notebook 07's checkers: label smoothing, mixup, max-norm. Each accepts the answer
(and regkit's own function) and names the usual mistakes."""
import numpy as np
import pytest

import regkit as rk
from regkit.course.exercises.other_techniques import (
    check_max_norm, check_mixup, check_smooth_labels, reference_max_norm, reference_mixup,
    reference_smooth_labels)


def _one_hot(y, k):
    return np.eye(k)[np.asarray(y)]


# -- label smoothing -------------------------------------------------------------
def test_smoothing_accepts_the_answer_and_regkit():
    assert check_smooth_labels(reference_smooth_labels).passed
    assert check_smooth_labels(
        lambda y, k, eps: rk.smooth_labels(y, eps, k, dtype=np.float64)).passed


@pytest.mark.parametrize("fn, hint", [
    (lambda y, k, eps: (1 - eps) * _one_hot(y, k) + eps / (k - 1) * (1 - _one_hot(y, k)),
     "other convention"),
    (lambda y, k, eps: (1 - eps) * _one_hot(y, k), "sum to 1"),
    (lambda y, k, eps: (1 - eps) * _one_hot(y, k) + eps, "divide eps"),
    (lambda y, k, eps: _one_hot(y, k), "still one-hot"),
    (lambda y, k, eps: reference_smooth_labels(y, k, eps).T, "one row per sample"),
    (lambda y, k, eps: None, "returned None"),
])
def test_smoothing_names_the_mistake(fn, hint):
    fb = check_smooth_labels(fn)
    assert not fb.passed and hint in str(fb), str(fb)


# -- mixup --------------------------------------------------------------------------
def test_mixup_accepts_the_answer():
    assert check_mixup(reference_mixup).passed


@pytest.mark.parametrize("fn, hint", [
    (lambda x, y, lam, p: ((1 - lam) * x + lam * x[p], (1 - lam) * y + lam * y[p]), "swapped"),
    (lambda x, y, lam, p: (lam * x + (1 - lam) * x[np.argsort(p)],
                           lam * y + (1 - lam) * y[np.argsort(p)]), "inverse permutation"),
    (lambda x, y, lam, p: (lam * x + (1 - lam) * x[p], y), "targets are still one-hot"),
    (lambda x, y, lam, p: (lam * x + (1 - lam) * x[p],
                           np.eye(y.shape[1])[np.argmax(lam * y + (1 - lam) * y[p], 1)]),
     "keep the soft targets"),
    (lambda x, y, lam, p: (lam * x + (1 - lam) * x[p], (1 - lam) * y + lam * y[p]),
     "targets' weights are swapped"),
    (lambda x, y, lam, p: lam * x + (1 - lam) * x[p], "return a pair"),
])
def test_mixup_names_the_mistake(fn, hint):
    fb = check_mixup(fn)
    assert not fb.passed and hint in str(fb), str(fb)


def test_mixup_in_place():
    def in_place(x, y, lam, p):
        partner = x[p]
        x *= lam
        x += (1 - lam) * partner
        return x, lam * y + (1 - lam) * y[p]
    assert "in place" in str(check_mixup(in_place))


# -- max-norm -------------------------------------------------------------------------
def test_max_norm_accepts_the_answer_and_regkit():
    assert check_max_norm(reference_max_norm).passed

    def with_regkit(W, c):
        p = rk.Parameter(W.copy())
        rk.max_norm([p], c)
        return p.data
    assert check_max_norm(with_regkit).passed


@pytest.mark.parametrize("fn, hint", [
    (lambda W, c: W * np.minimum(1, c / np.linalg.norm(W, axis=1, keepdims=True)), "rows"),
    (lambda W, c: W * c / np.linalg.norm(W, axis=0), "also those that were shorter"),
    (lambda W, c: W * min(1.0, c / np.linalg.norm(W)), "whole matrix"),
    (lambda W, c: np.clip(W, -c, c), "direction"),
    (lambda W, c: None, "returned None"),
])
def test_max_norm_names_the_mistake(fn, hint):
    fb = check_max_norm(fn)
    assert not fb.passed and hint in str(fb), str(fb)


def test_max_norm_in_place():
    def in_place(W, c):
        norms = np.linalg.norm(W, axis=0)
        W[:, norms > c] *= c / norms[norms > c]
        return W
    assert "in place" in str(check_max_norm(in_place))
