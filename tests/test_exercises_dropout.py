"""The dropout checkers accept the reference answer and name typical mistakes."""
import numpy as np
import pytest

from regkit.course.exercises.dropout import check_dropout_backward, check_dropout_forward
from exercise_helpers import assert_rejects


def forward_ok(x, p, rng):
    mask = rng.random(x.shape) >= p
    return x * mask / (1.0 - p), mask


def backward_ok(grad_y, mask, p):
    return grad_y * mask / (1.0 - p)


def test_reference_solutions_pass():
    fb = check_dropout_forward(forward_ok)
    assert fb.passed, str(fb)
    fb = check_dropout_backward(backward_ok)
    assert fb.passed, str(fb)
    assert "passed" in str(fb)


def _rejects(checker, fn, *words):
    return assert_rejects(checker(fn), *words)


def test_forward_without_rescale():
    def fn(x, p, rng):
        mask = rng.random(x.shape) >= p
        return x * mask, mask
    _rejects(check_dropout_forward, fn, "not rescaled", "1/(1 - p)")


def test_forward_keep_drop_confusion_in_mask():
    def fn(x, p, rng):              # CS231n style: p used as the keep probability
        mask = rng.random(x.shape) < p
        return x * mask / (1.0 - p), mask
    _rejects(check_dropout_forward, fn, "DROPPING", "1 - p")


def test_forward_divides_by_p():
    def fn(x, p, rng):
        mask = rng.random(x.shape) >= p
        return x * mask / p, mask
    _rejects(check_dropout_forward, fn, "divided by p")


def test_forward_old_style_scaling():
    def fn(x, p, rng):
        mask = rng.random(x.shape) >= p
        return x * mask * (1.0 - p), mask
    _rejects(check_dropout_forward, fn, "DIVIDES")


def test_forward_inverted_mask_meaning():
    def fn(x, p, rng):
        dropped = rng.random(x.shape) < p
        return x * ~dropped / (1.0 - p), dropped
    _rejects(check_dropout_forward, fn, "DROPPED")


def test_forward_global_rng():
    state = np.random.default_rng(123)   # a generator the learner keeps around

    def fn(x, p, rng):
        mask = state.random(x.shape) >= p
        return x * mask / (1.0 - p), mask
    _rejects(check_dropout_forward, fn, "rng argument")


def test_forward_same_mask_every_call():
    def fn(x, p, rng):
        mask = np.random.default_rng(0).random(x.shape) >= p
        return x * mask / (1.0 - p), mask
    _rejects(check_dropout_forward, fn, "same mask")


def test_forward_in_place_and_dtype():
    def in_place(x, p, rng):
        mask = rng.random(x.shape) >= p
        x *= mask
        x /= 1.0 - p
        return x, mask
    _rejects(check_dropout_forward, in_place, "in place")

    def float64(x, p, rng):
        mask = rng.random(x.shape) >= p
        return x * mask.astype(np.float64) / (1.0 - p), mask
    _rejects(check_dropout_forward, float64, "float64")


def test_forward_wrong_return_and_stub():
    _rejects(check_dropout_forward, lambda x, p, rng: x, "pair (y, mask)")

    def stub(x, p, rng):
        mask = np.ones(x.shape, dtype=bool)
        return x * mask, mask
    _rejects(check_dropout_forward, stub, "no unit was dropped")

    def not_impl(x, p, rng):
        raise NotImplementedError
    _rejects(check_dropout_forward, not_impl, "not implemented")


def test_backward_new_mask():
    def fn(grad_y, mask, p):
        new = np.random.default_rng(9).random(grad_y.shape) >= p
        return grad_y * new / (1.0 - p)
    _rejects(check_dropout_backward, fn, "reuse the forward's mask")


def test_backward_no_rescale_and_identity():
    _rejects(check_dropout_backward, lambda g, m, p: g * m, "not rescaled")
    _rejects(check_dropout_backward, lambda g, m, p: g, "gradient is 0")
    _rejects(check_dropout_backward, lambda g, m, p: g * m / p, "divided by p")
    _rejects(check_dropout_backward, lambda g, m, p: None, "return")


def test_backward_in_place():
    def fn(grad_y, mask, p):
        grad_y *= mask
        grad_y /= 1.0 - p
        return grad_y
    _rejects(check_dropout_backward, fn, "in place")
