"""Notebook 02's checkers accept the answer and explain the usual mistakes."""
import numpy as np
import pytest

from regkit.course.exercises.l1_l2 import check_l1_step, check_l2, reference_l1_sgd_step


# -- exercise 1: L2 penalty and gradient -------------------------------------
def good_penalty(w, lam):
    return lam * 0.5 * float(np.sum(w ** 2))


def good_grad(w, lam):
    return lam * w


def test_l2_accepts_the_answer_and_regkit():
    import regkit as rk
    fb = check_l2(good_penalty, good_grad)
    assert fb.passed, str(fb)
    assert check_l2(lambda w, lam: rk.L2(lam)(w), lambda w, lam: rk.L2(lam).grad(w))


@pytest.mark.parametrize("penalty, grad, hint", [
    (lambda w, lam: lam * float(np.sum(w ** 2)), good_grad, "1/2"),
    (good_penalty, lambda w, lam: 2 * lam * w, "2 * lam * w"),
    (good_penalty, lambda w, lam: -lam * w, "sign"),
    (good_penalty, lambda w, lam: lam * np.sign(w), "L1 gradient"),
    (lambda w, lam: lam * 0.5 * float(np.linalg.norm(w)), good_grad, "SQUARED"),
    (lambda w, lam: lam * 0.5 * w ** 2, good_grad, "scalar"),
    (lambda w, lam: None, good_grad, "None"),
    (good_penalty, lambda w, lam: (lam * w).ravel(), "shape"),
])
def test_l2_rejects_typical_mistakes_with_a_hint(penalty, grad, hint):
    fb = check_l2(penalty, grad)
    assert not fb.passed
    assert hint in str(fb), str(fb)


def test_l2_rejects_in_place_change():
    def grad_in_place(w, lam):
        w *= lam
        return w
    fb = check_l2(good_penalty, grad_in_place)
    assert not fb.passed and "changed the array" in str(fb)


def test_l2_stub_does_not_raise():
    def stub(w, lam):
        raise NotImplementedError
    fb = check_l2(stub, stub)
    assert not fb.passed and "not implemented" in str(fb)


# -- exercise 2: one SGD step with L1 ----------------------------------------
def test_l1_step_accepts_the_reference():
    fb = check_l1_step(reference_l1_sgd_step)
    assert fb.passed, str(fb)


@pytest.mark.parametrize("step, hint", [
    (lambda W, b, gW, gb, lr, lam: (W - lr * (gW - lam * np.sign(W)), b - lr * gb), "TOWARDS zero"),
    (lambda W, b, gW, gb, lr, lam: (W - lr * (gW + lam * W), b - lr * gb), "L2 step"),
    (lambda W, b, gW, gb, lr, lam: (W - lr * gW - lam * np.sign(W), b - lr * gb), "multiplied by lr"),
    (lambda W, b, gW, gb, lr, lam: (W - lr * (gW + lam * np.sign(W)),
                                    b - lr * (gb + lam * np.sign(b))), "bias was penalised"),
    (lambda W, b, gW, gb, lr, lam: (W - lr * (gW + lam * np.where(W >= 0, 1.0, -1.0)),
                                    b - lr * gb), "sign(0) is 0"),
    (lambda W, b, gW, gb, lr, lam: (W - lr * gW, b - lr * gb), "missing"),
    (lambda W, b, gW, gb, lr, lam: W - lr * gW, "pair"),
])
def test_l1_step_rejects_typical_mistakes_with_a_hint(step, hint):
    fb = check_l1_step(step)
    assert not fb.passed
    assert hint in str(fb), str(fb)


def test_l1_step_rejects_in_place_update():
    def in_place(W, b, gW, gb, lr, lam):
        W -= lr * (gW + lam * np.sign(W))
        b -= lr * gb
        return W, b
    fb = check_l1_step(in_place)
    assert not fb.passed and "in place" in str(fb)


def test_l1_step_stub_does_not_raise():
    fb = check_l1_step(lambda *args: None)
    assert not fb.passed and "pair" in str(fb)


# -- exercise 3: one proximal L1 step -----------------------------------------
from regkit.course.exercises.l1_l2 import check_prox_l1_step, reference_prox_l1_step  # noqa: E402


def test_prox_accepts_the_answer_and_matches_proximal_sgd():
    import regkit as rk
    assert check_prox_l1_step(reference_prox_l1_step).passed
    # the reference is exactly what regkit's ProximalSGD does to a weight matrix
    rng = np.random.default_rng(0)
    W, g = rng.normal(size=(3, 2)) * 0.1, rng.normal(size=(3, 2))
    p = rk.Parameter(W.copy())
    p.grad = g.copy()
    rk.ProximalSGD([p], lr=0.05, l1=0.5).step()
    np.testing.assert_array_equal(p.data, reference_prox_l1_step(W, g, 0.05, 0.5))


def _sign_max(z, t):
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


@pytest.mark.parametrize("step, hint", [
    (lambda W, g, lr, lam: _sign_max(W - lr * g, lam), "lr * lam, the pull of one step"),
    (lambda W, g, lr, lam: _sign_max(W, lr * lam) - lr * g, "AFTER the gradient step"),
    (lambda W, g, lr, lam: W - lr * (g + lam * np.sign(W)), "subgradient"),
    (lambda W, g, lr, lam: np.sign(W - lr * g) * (np.abs(W - lr * g) - lr * lam), "exactly 0"),
    (lambda W, g, lr, lam: np.where(np.abs(W - lr * g) > lr * lam, W - lr * g, 0.0), "hard threshold"),
    (lambda W, g, lr, lam: None, "returned None"),
])
def test_prox_names_the_mistake(step, hint):
    fb = check_prox_l1_step(step)
    assert not fb.passed and hint in str(fb), str(fb)


def test_prox_in_place_and_stub():
    def in_place(W, g, lr, lam):
        W -= lr * g
        W[...] = _sign_max(W, lr * lam)
        return W
    assert "in place" in str(check_prox_l1_step(in_place))

    def stub(W, g, lr, lam):
        raise NotImplementedError
    assert "not implemented yet" in str(check_prox_l1_step(stub))


# -- exercise 4: the elastic-net gradient ---------------------------------------------
from regkit.course.exercises.l1_l2 import (check_elastic_net_grad,  # noqa: E402
                                           reference_elastic_net_grad)


def test_elastic_net_accepts_the_answer_and_regkit():
    import regkit as rk
    assert check_elastic_net_grad(reference_elastic_net_grad).passed
    assert check_elastic_net_grad(lambda w, l1, l2: rk.ElasticNet(l1, l2).grad(w)).passed


@pytest.mark.parametrize("fn, hint", [
    (lambda w, l1, l2: l1 * np.sign(w) + 2 * l2 * w, "twice too large"),
    (lambda w, l1, l2: l2 * np.sign(w) + l1 * w, "swapped"),
    (lambda w, l1, l2: l1 * np.sign(w), "L2 part is missing"),
    (lambda w, l1, l2: l2 * w, "L1 part is missing"),
    (lambda w, l1, l2: l1 * np.where(w >= 0, 1.0, -1.0) + l2 * w, "np.sign(0) == 0"),
    (lambda w, l1, l2: 0.5 * (l1 * np.sign(w) + l2 * w), "1/2 too many"),
    (lambda w, l1, l2: None, "returned None"),
])
def test_elastic_net_names_the_mistake(fn, hint):
    fb = check_elastic_net_grad(fn)
    assert not fb.passed and hint in str(fb), str(fb)
