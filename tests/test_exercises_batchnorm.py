"""The batch-norm checkers accept the reference answer and name typical mistakes."""
import numpy as np

from regkit.course.exercises.batchnorm import check_batchnorm_backward, check_batchnorm_forward
from exercise_helpers import assert_rejects


def forward_ok(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def backward_ok(grad_y, x, gamma, eps=1e-5):
    m = x.shape[0]
    mu = x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - mu) * inv_std
    d_beta = grad_y.sum(axis=0)
    d_gamma = (grad_y * x_hat).sum(axis=0)
    d_x = gamma * inv_std / m * (m * grad_y - d_beta - x_hat * d_gamma)
    return d_x, d_gamma, d_beta


def _rejects(checker, fn, *words):
    return assert_rejects(checker(fn), *words)


def test_reference_solutions_pass():
    assert check_batchnorm_forward(forward_ok).passed, str(check_batchnorm_forward(forward_ok))
    fb = check_batchnorm_backward(backward_ok)
    assert fb.passed, str(fb)


def test_forward_unbiased_variance():
    def fn(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + beta
    _rejects(check_batchnorm_forward, fn, "worked example", "m - 1")


def test_forward_without_eps():
    def fn(x, gamma, beta, eps=1e-5):
        with np.errstate(divide="ignore", invalid="ignore"):
            return gamma * (x - x.mean(0)) / np.sqrt(x.var(0)) + beta
    _rejects(check_batchnorm_forward, fn, "nan/inf", "eps")


def test_forward_eps_outside_sqrt():
    def fn(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(0)) / (np.sqrt(x.var(0)) + eps) + beta
    _rejects(check_batchnorm_forward, fn, "INSIDE the square root")


def test_forward_over_features():
    def fn(x, gamma, beta, eps=1e-5):
        mu, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
        return gamma * (x - mu) / np.sqrt(var + eps) + beta
    _rejects(check_batchnorm_forward, fn, "axis=0")


def test_forward_without_gamma_beta_and_swapped():
    def no_affine(x, gamma, beta, eps=1e-5):
        return (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
    _rejects(check_batchnorm_forward, no_affine, "scale and shift")

    def swapped(x, gamma, beta, eps=1e-5):
        return beta * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + gamma
    _rejects(check_batchnorm_forward, swapped, "swapped")


def test_forward_in_place_and_dtype():
    def in_place(x, gamma, beta, eps=1e-5):
        x -= x.mean(0)
        x /= np.sqrt(x.var(0) + eps)
        return gamma * x + beta
    _rejects(check_batchnorm_forward, in_place, "in place")

    def promotes(x, gamma, beta, eps=1e-5):
        return forward_ok(x.astype(np.float64), gamma, beta, eps)
    _rejects(check_batchnorm_forward, promotes, "float64")


def test_forward_stub_message():
    _rejects(check_batchnorm_forward, lambda x, g, b, eps=1e-5: x, "worked example")
    _rejects(check_batchnorm_forward, lambda x, g, b, eps=1e-5: None, "return")


def test_backward_statistics_as_constants():
    def fn(grad_y, x, gamma, eps=1e-5):
        inv_std = 1.0 / np.sqrt(x.var(0) + eps)
        x_hat = (x - x.mean(0)) * inv_std
        return grad_y * gamma * inv_std, (grad_y * x_hat).sum(0), grad_y.sum(0)
    _rejects(check_batchnorm_backward, fn, "constants")


def test_backward_missing_variance_path_and_gamma():
    def no_var(grad_y, x, gamma, eps=1e-5):
        dx, dg, db = backward_ok(grad_y, x, gamma, eps)
        inv_std = 1.0 / np.sqrt(x.var(0) + eps)
        return gamma * inv_std * (grad_y - grad_y.mean(0)), dg, db
    _rejects(check_batchnorm_backward, no_var, "variance")

    def no_gamma(grad_y, x, gamma, eps=1e-5):
        dx, dg, db = backward_ok(grad_y, x, gamma, eps)
        return dx / gamma, dg, db
    _rejects(check_batchnorm_backward, no_gamma, "gamma is missing")


def test_backward_swapped_and_wrong_return():
    def swapped(grad_y, x, gamma, eps=1e-5):
        dx, dg, db = backward_ok(grad_y, x, gamma, eps)
        return dx, db, dg
    _rejects(check_batchnorm_backward, swapped, "swapped")
    _rejects(check_batchnorm_backward, lambda g, x, gamma, eps=1e-5: g, "triple")
