"""one_hot, rk.smooth_labels and rk.mixup: the one place targets become rows."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import regkit as rk
from regkit.functional import log_softmax
from regkit.labels import one_hot


# -- one-hot -------------------------------------------------------------------------
def test_one_hot_rows_and_dtype():
    out = one_hot(np.array([2, 0]), 3)
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0]])
    assert out.dtype == np.float32 and one_hot([1], 2, np.float64).dtype == np.float64
    assert one_hot(np.zeros(0, int), 4).shape == (0, 4)


@pytest.mark.parametrize("y, k, match", [
    (np.array([0, 3]), 3, r"\[0, 2\] for num_classes=3"),
    (np.array([-1, 0]), 3, r"\[0, 2\]"),
    (np.array([0.0, 1.0]), 3, "int labels"),
    (np.array([[0, 1]]), 3, "1-D"),
])
def test_one_hot_rejects_what_is_not_labels(y, k, match):
    with pytest.raises(ValueError, match=match):
        one_hot(y, k)


# -- label smoothing ---------------------------------------------------------------
def test_smooth_labels_chapter_example():
    # K = 4, eps = 0.1, class 2 -> [0.025, 0.025, 0.925, 0.025]
    out = rk.smooth_labels(np.array([2]), 0.1, 4)
    np.testing.assert_allclose(out, [[0.025, 0.025, 0.925, 0.025]], rtol=1e-6)
    assert out.dtype == np.float32


@settings(deadline=None, max_examples=25)
@given(eps=st.floats(0.0, 0.99), k=st.integers(2, 12), seed=st.integers(0, 999))
def test_smooth_labels_rows_are_distributions(eps, k, seed):
    y = np.random.default_rng(seed).integers(0, k, size=7)
    out = rk.smooth_labels(y, eps, k)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(out[np.arange(7), y], 1 - eps + eps / k, rtol=1e-5)
    assert np.all(out.argmax(axis=1) == y) and out.min() >= eps / k - 1e-7


def test_smooth_labels_zero_is_one_hot_and_soft_input_works():
    y = np.array([0, 3, 1])
    np.testing.assert_array_equal(rk.smooth_labels(y, 0.0, 4), np.eye(4)[y])
    soft = np.array([[0.5, 0.5, 0.0]])
    np.testing.assert_allclose(rk.smooth_labels(soft, 0.3, 3),
                               [[0.45, 0.45, 0.1]], rtol=1e-6)


def test_smooth_labels_keeps_the_dtype_asked_for():
    soft = np.array([[0.25, 0.75]])
    out = rk.smooth_labels(soft, 0.1, 2, dtype=np.float64)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, 0.9 * soft + 0.05)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_loss_smooths_probability_targets_with_smooth_labels(dtype):
    # one formula: the gradient is exactly (softmax - smooth_labels(t)) / n
    rng = np.random.default_rng(3)
    s = rng.standard_normal((6, 4)).astype(dtype)
    t = rng.dirichlet(np.ones(4), size=6).astype(dtype)
    loss = rk.SoftmaxCrossEntropy(label_smoothing=0.2)
    loss.forward(s, t)
    expected = (np.exp(log_softmax(s)) - rk.smooth_labels(t, 0.2, 4, dtype=dtype)) / 6
    np.testing.assert_array_equal(loss.backward(), expected)


def test_smooth_labels_validation():
    with pytest.raises(ValueError, match="eps"):
        rk.smooth_labels([0, 1], 1.0, 2)
    with pytest.raises(ValueError, match="eps"):
        rk.smooth_labels([0, 1], -0.1, 2)
    with pytest.raises(ValueError, match="num_classes"):
        rk.smooth_labels(np.array([0, 5]), 0.1, 3)
    with pytest.raises(ValueError, match="shape"):
        rk.smooth_labels(np.ones((2, 4)), 0.1, 3)


# -- mixup ---------------------------------------------------------------------------
def _identity_batch(n, k=5, seed=0):
    """x[i] = e_i, so lam_i and the partner of i can be read off x_mixed[i]."""
    y = np.random.default_rng(seed).integers(0, k, size=n)
    return np.eye(n, dtype=np.float32), y


def _recover(x_mixed):
    n = len(x_mixed)
    lam = x_mixed[np.arange(n), np.arange(n)]
    off = x_mixed.copy()
    off[np.arange(n), np.arange(n)] = 0
    partner = np.where(off.max(axis=1) > 0, off.argmax(axis=1), np.arange(n))
    return lam, partner


def test_mixup_same_lam_and_partner_for_x_and_y():
    x, y = _identity_batch(300)
    xm, ys = rk.mixup(x, y, alpha=0.4, num_classes=5, rng=0)
    assert xm.dtype == np.float32 and ys.dtype == np.float32 and ys.shape == (300, 5)
    lam, partner = _recover(xm)
    eye = np.eye(5)
    moved = partner != np.arange(300)
    expected = lam[:, None] * eye[y] + (1 - lam[:, None]) * eye[y[partner]]
    np.testing.assert_allclose(ys[moved], expected[moved], atol=1e-6)
    assert np.unique(partner[moved]).size == moved.sum()  # a permutation: no repeats
    assert np.unique(np.round(lam[moved], 6)).size > 250  # one lam per sample


def test_mixup_lam_follows_beta():
    x, y = _identity_batch(2000)
    for alpha in (0.2, 2.0):
        lam, partner = _recover(rk.mixup(x, y, alpha, 5, rng=1)[0])
        lam = lam[partner != np.arange(2000)]
        lam = np.where(lam == 0, 1.0, lam)  # cannot tell lam=1 apart; never happens
        var = 1 / (4 * (2 * alpha + 1))  # variance of Beta(alpha, alpha)
        assert abs(lam.mean() - 0.5) < 0.03 and abs(lam.var() - var) < 0.1 * var


def test_mixup_convex_combination_of_images():
    rng = np.random.default_rng(0)
    x = rng.random((64, 8, 8), dtype=np.float32)
    y = rng.integers(0, 10, size=64)
    xm, ys = rk.mixup(x, y, alpha=1.0, num_classes=10, rng=3)
    assert xm.shape == x.shape
    lo = np.minimum(x[:, None], x[None]).min(axis=1)  # bounds over all partners
    hi = np.maximum(x[:, None], x[None]).max(axis=1)
    assert np.all(xm >= lo - 1e-6) and np.all(xm <= hi + 1e-6)
    np.testing.assert_allclose(ys.sum(axis=1), 1.0, rtol=1e-6)
    assert ys.min() >= 0 and ys.max() <= 1
    # each soft label involves two classes at most, its own among them
    assert np.all((ys > 0).sum(axis=1) <= 2) and np.all(ys[np.arange(64), y] > 0)


def test_mixup_deterministic_and_input_untouched():
    rng = np.random.default_rng(0)
    x = rng.random((32, 6), dtype=np.float32)
    y = rng.integers(0, 3, size=32)
    x0, y0 = x.copy(), y.copy()
    a = rk.mixup(x, y, 0.2, 3, rng=5)
    b = rk.mixup(x, y, 0.2, 3, rng=5)
    c = rk.mixup(x, y, 0.2, 3, rng=6)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


def test_mixup_int_and_one_hot_labels_agree_and_float64_kept():
    rng = np.random.default_rng(0)
    x = rng.random((20, 4))
    y = rng.integers(0, 4, size=20)
    xi, yi = rk.mixup(x, y, 0.5, 4, rng=2)
    xs, ysoft = rk.mixup(x, one_hot(y, 4), 0.5, 4, rng=2)
    np.testing.assert_array_equal(xi, xs)
    np.testing.assert_allclose(yi, ysoft)
    assert xi.dtype == np.float64 and yi.dtype == np.float64


def test_mixup_validation():
    x = np.zeros((4, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="alpha"):
        rk.mixup(x, [0, 1, 0, 1], 0.0, 2)
    with pytest.raises(ValueError, match="batch"):
        rk.mixup(x, [0, 1, 0], 0.2, 2)
    with pytest.raises(ValueError, match="num_classes"):
        rk.mixup(x, [0, 1, 0, 2], 0.2, 2)


def test_mixup_targets_feed_softmax_cross_entropy():
    rng = np.random.default_rng(0)
    x = rng.random((8, 3), dtype=np.float32)
    _, ys = rk.mixup(x, rng.integers(0, 3, size=8), 0.2, 3, rng=0)
    scores = rng.standard_normal((8, 3)).astype(np.float32)
    loss = rk.SoftmaxCrossEntropy().forward(scores, ys)
    logp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(loss, -(ys * logp).sum(axis=1).mean(), rtol=1e-5)
