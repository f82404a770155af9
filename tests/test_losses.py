"""SoftmaxCrossEntropy and MSE: values, gradients, stability, validation, dtypes."""
import math

import numpy as np
import pytest

import regkit as rk
from regkit.functional import log_softmax, logsumexp, softmax
from regkit.labels import one_hot


def scores_and_labels(n=5, k=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, k)), rng.integers(0, k, n)


def reference_ce(scores, t):
    """-mean_i sum_k t_ik log softmax_ik, with math.log on Python floats."""
    total = 0.0
    for row, trow in zip(scores.tolist(), t.tolist()):
        lse = math.log(sum(math.exp(v) for v in row))
        total -= sum(tk * (v - lse) for v, tk in zip(row, trow))
    return total / len(scores)


def test_cross_entropy_labels_value_and_grad():
    s, y = scores_and_labels()
    loss = rk.SoftmaxCrossEntropy()
    assert loss(s, y) == pytest.approx(reference_ce(s, one_hot(y, 4)), rel=1e-12)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.backward(), (p - one_hot(y, 4)) / 5, rtol=1e-12)


@pytest.mark.parametrize("eps", [0.1, 0.3])
def test_label_smoothing_with_labels(eps):
    s, y = scores_and_labels()
    t = (1 - eps) * one_hot(y, 4, np.float64) + eps / 4
    loss = rk.SoftmaxCrossEntropy(label_smoothing=eps)
    assert loss(s, y) == pytest.approx(reference_ce(s, t), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), (softmax(s) - t) / 5, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_soft_targets(eps):
    s, _ = scores_and_labels()
    t = np.random.default_rng(1).dirichlet(np.ones(4), size=5)
    loss = rk.SoftmaxCrossEntropy(label_smoothing=eps)
    smoothed = (1 - eps) * t + eps / 4
    assert loss(s, t) == pytest.approx(reference_ce(s, smoothed), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), (softmax(s) - smoothed) / 5, rtol=1e-12,
                               atol=1e-15)


def test_one_hot_probabilities_equal_labels():
    s, y = scores_and_labels()
    loss = rk.SoftmaxCrossEntropy(label_smoothing=0.1)
    a, ga = loss(s, y), loss.backward()
    b, gb = loss(s, one_hot(y, 4, np.float64)), loss.backward()
    assert a == pytest.approx(b, rel=1e-12)
    np.testing.assert_allclose(ga, gb, rtol=1e-12, atol=1e-15)


def test_integer_valued_float_labels_are_accepted():
    s, y = scores_and_labels()
    loss = rk.SoftmaxCrossEntropy()
    assert loss(s, y.astype(np.float32)) == loss(s, y)


def test_huge_scores_are_stable():
    s = np.array([[1e4, 0.0, -1e4], [500.0, 501.0, 499.0]])
    loss = rk.SoftmaxCrossEntropy()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss(s, np.array([0, 1]))
        grad = loss.backward()
    row2 = -(1.0 - math.log(math.exp(0) + math.exp(1) + math.exp(-1)))
    assert value == pytest.approx((0.0 + row2) / 2, rel=1e-12)
    assert np.all(np.isfinite(grad))
    s32 = np.array([[1e38, -1e38, 0.0]], dtype=np.float32)
    assert math.isfinite(loss(s32, np.array([0])))


def test_logsumexp_and_log_softmax():
    z = np.array([[1000.0, 1000.0], [-1000.0, 0.0]])
    np.testing.assert_allclose(logsumexp(z), [1000 + math.log(2), math.log1p(math.exp(-1000))])
    np.testing.assert_allclose(log_softmax(z)[0], [-math.log(2)] * 2)
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0)
    np.testing.assert_allclose(logsumexp(z, keepdims=True).shape, (2, 1))


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="before forward"):
        rk.SoftmaxCrossEntropy().backward()
    with pytest.raises(RuntimeError, match="before forward"):
        rk.MSE().backward()


@pytest.mark.parametrize("target, exc, pattern", [
    (np.array([0, 1, 2, 4, 0]), ValueError, r"label 4.*\[0, 4\)"),
    (np.array([0, -1, 2, 3, 0]), ValueError, r"label -1"),
    (np.array([0, 1, 2]), ValueError, r"3 labels.*5 rows"),
    (np.array([0.5, 1, 2, 3, 0]), TypeError, "integers"),
    (np.full((5, 3), 1 / 3), ValueError, r"shape of scores \(5, 4\)"),
    (np.full((5, 4), 0.3), ValueError, "sum to 1"),
    (np.tile([1.5, -0.5, 0.0, 0.0], (5, 1)), ValueError, "non-negative"),
    (np.zeros((5, 4, 1)), ValueError, "shape"),
])
def test_cross_entropy_rejects_bad_targets(target, exc, pattern):
    s, _ = scores_and_labels()
    with pytest.raises(exc, match=pattern):
        rk.SoftmaxCrossEntropy()(s, target)


def test_cross_entropy_rejects_bad_scores_and_eps():
    with pytest.raises(ValueError, match="scores must be 2-D"):
        rk.SoftmaxCrossEntropy()(np.zeros(4), np.array([0]))
    for eps in (1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="label_smoothing"):
            rk.SoftmaxCrossEntropy(label_smoothing=eps)


def test_configs_and_repr():
    assert rk.SoftmaxCrossEntropy(0.1).get_config() == {"label_smoothing": 0.1}
    assert repr(rk.SoftmaxCrossEntropy(0.1)) == "SoftmaxCrossEntropy(label_smoothing=0.1)"
    assert rk.MSE().get_config() == {} and repr(rk.MSE()) == "MSE()"


def test_mse_value_and_grad():
    rng = np.random.default_rng(2)
    s, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss = rk.MSE()
    assert loss(s, t) == pytest.approx(float(np.mean((s - t) ** 2)), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), 2 * (s - t) / 12, rtol=1e-12)


def test_mse_column_target_and_shape_errors():
    s = np.array([[1.0], [2.0], [4.0]])
    loss = rk.MSE()
    assert loss(s, np.array([1.0, 1.0, 1.0])) == pytest.approx((0 + 1 + 9) / 3)
    assert loss.backward().shape == (3, 1)
    with pytest.raises(ValueError, match=r"target shape \(2,\).*\(3, 1\)"):
        loss(s, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="shape"):
        loss(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="target contains 1 NaN"):
        loss(s, np.array([1.0, np.nan, 1.0]))


@pytest.mark.parametrize("loss, target", [
    (rk.SoftmaxCrossEntropy(), np.array([0, 2, 1])),
    (rk.SoftmaxCrossEntropy(0.1), np.array([0, 2, 1])),
    (rk.SoftmaxCrossEntropy(0.1), np.full((3, 3), 1 / 3)),
    (rk.MSE(), np.ones((3, 3))),
], ids=["ce", "ce-smooth", "ce-soft", "mse"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtypes(loss, target, dtype):
    s = np.random.default_rng(3).standard_normal((3, 3)).astype(dtype)
    before = s.copy()
    value = loss(s, target)
    assert type(value) is float
    assert loss.backward().dtype == dtype
    np.testing.assert_array_equal(s, before)
