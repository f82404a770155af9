"""The chapter's worked examples, recomputed by regkit.

Expected values are the chapter's (sections 3.2, 3.3, 4.1, 5.3, 8.1),
given to the precision the chapter prints them.
"""
import numpy as np
import pytest

import regkit as rk
from regkit import functional as F
from regkit.functional import dropout_apply

CHAPTER_W = np.array([2.0, -1.5, 0.5, -3.0])


def test_l2_penalty():
    assert rk.L2(1.0)(CHAPTER_W) == pytest.approx(7.75)
    assert rk.L2(0.01)(CHAPTER_W) == pytest.approx(0.0775)


def test_l1_penalty():
    assert rk.L1(1.0)(CHAPTER_W) == pytest.approx(7.0)
    assert rk.L1(0.01)(CHAPTER_W) == pytest.approx(0.07)


def test_weight_decay_step():
    w, lr, data_grad = np.array([5.0]), 0.1, np.array([0.0])
    new = w - lr * (data_grad + rk.L2(0.01).grad(w))
    assert new[0] == pytest.approx(4.995)
    assert new[0] == pytest.approx(5.0 * (1 - lr * 0.01))   # the (1 - lr*lam) form


def test_l1_step_is_a_fixed_amount():
    lr = 0.1
    for w, expected in [(5.0, 4.999), (10.0, 9.999), (-5.0, -4.999)]:
        new = w - lr * (0.0 + rk.L1(0.01).grad(np.array([w])))
        assert new[0] == pytest.approx(expected)


def test_dropout_example():
    a = np.array([[1.0, 2.0, 3.0, 4.0]])
    mask = np.array([[1, 0, 1, 0]], dtype=bool)
    np.testing.assert_allclose(dropout_apply(a, mask, 0.5), [[2.0, 0.0, 6.0, 0.0]])


def test_dropout_example_through_the_layer():
    # find a generator state that draws the chapter's mask, then let the
    # layer itself apply it
    a = np.array([[1.0, 2.0, 3.0, 4.0]])
    seed = next(s for s in range(1000)
                if np.array_equal(F.dropout_mask((1, 4), 0.5, np.random.default_rng(s)),
                                  [[True, False, True, False]]))
    layer = rk.Dropout(p=0.5, rng=seed)
    np.testing.assert_allclose(layer(a), [[2.0, 0.0, 6.0, 0.0]])
    np.testing.assert_array_equal(layer.mask, [[True, False, True, False]])


def test_batchnorm_example():
    x = np.array([[1.0], [3.0], [5.0], [7.0]], dtype=np.float32)
    x_hat = rk.BatchNorm(1)(x)            # gamma = 1, beta = 0: y is x_hat
    np.testing.assert_allclose(x_hat.ravel(), [-1.342, -0.447, 0.447, 1.342], atol=5e-4)
    np.testing.assert_allclose(x_hat.mean(), 0.0, atol=1e-6)
    np.testing.assert_allclose(x_hat.var(), 1.0, atol=1e-5)     # var 5 -> 1 (eps aside)
    bn = rk.BatchNorm(1)
    bn.gamma.data = np.array([2.0], dtype=np.float32)
    bn.beta.data = np.array([1.0], dtype=np.float32)
    np.testing.assert_allclose(bn(x).ravel(), [-1.684, 0.106, 1.894, 3.684], atol=1e-3)


def test_label_smoothing_example():
    # the loss's gradient for a one-sample batch is softmax - smoothed target,
    # so the smoothed target the loss uses is softmax - gradient
    loss = rk.SoftmaxCrossEntropy(label_smoothing=0.1)
    scores = np.array([[0.3, -1.0, 2.0, 0.5]])
    loss(scores, np.array([2]))
    target = rk.functional.softmax(scores) - loss.backward()
    np.testing.assert_allclose(target, [[0.025, 0.025, 0.925, 0.025]], atol=1e-12)
    np.testing.assert_allclose(rk.smooth_labels(np.array([2]), 0.1, 4),
                               [[0.025, 0.025, 0.925, 0.025]])
