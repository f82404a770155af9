"""ProximalSGD's exact zeros and the feature-selection scores of notebook 02."""
import numpy as np
import pytest

import regkit as rk
from regkit.course.experiments import sparsity
from regkit.course.experiments.sparsity import feature_importance, support_scores, sparse_sweep, train_linear
from regkit.optim import ProximalSGD


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_proximal_step_is_sgd_then_soft_threshold(fused):
    w = rk.Parameter(np.array([1.0, 0.03, -0.02, -2.0], dtype=np.float32))
    b = rk.Parameter(np.array([0.01], dtype=np.float32), decay=False)
    opt = ProximalSGD([w, b], lr=0.1, l1=0.5, fused=fused)
    w.grad = np.array([1.0, 0.0, 0.0, -1.0], dtype=np.float32)
    b.grad = np.zeros(1, dtype=np.float32)
    opt.step()
    # SGD: [0.9, 0.03, -0.02, -1.9]; threshold lr * l1 = 0.05
    np.testing.assert_allclose(w.data, [0.85, 0.0, 0.0, -1.85], rtol=1e-6)
    assert w.data[1] == 0.0 and w.data[2] == 0.0
    assert b.data[0] == np.float32(0.01)                     # biases are not thresholded
    assert w.data.dtype == np.float32
    with pytest.raises(ValueError, match="l1"):
        ProximalSGD([w], lr=0.1, l1=-1.0)


def test_the_course_trains_with_the_librarys_proximal_sgd():
    # moved to regkit.optim; notebook 02 and the sweep use that one class
    assert sparsity.ProximalSGD is ProximalSGD


def test_proximal_sgd_with_momentum_keeps_the_threshold_zeros_exact():
    # momentum carries the data gradient only: a weight the data does not pull
    # stays at exactly 0.0 however many steps follow
    w = rk.Parameter(np.array([0.5, -0.01, 0.02], dtype=np.float64))
    opt = ProximalSGD([w], lr=0.1, l1=0.5, momentum=0.9)
    for _ in range(50):
        w.grad = np.array([-1.0, 0.0, 0.0])
        opt.step()
    assert w.data[1] == 0.0 and w.data[2] == 0.0
    assert w.data[0] > 0.5                                   # the pulled weight moved


def test_feature_importance_and_scores():
    W = np.array([[0.0, 0.0], [0.5, -0.1], [0.0, 2e-4], [-0.2, 0.0]])
    imp = feature_importance(W)
    np.testing.assert_allclose(imp, [0.0, 0.5, 2e-4, 0.2])
    s = support_scores(imp, support=[1, 2])
    assert s["zero_share"] == 0.5                            # features 0 and 2
    assert s["precision"] == 0.5 and s["recall"] == 0.5      # kept {1, 3}, truth {1, 2}
    assert s["top_k_hits"] == 1                              # top-2 are {1, 3}
    with pytest.raises(ValueError, match="2-D"):
        feature_importance(np.ones(3))


def test_proximal_l1_finds_more_zeros_than_plain_l1():
    data = rk.datasets.sparse_features(n_samples=300, n_features=30, n_informative=3,
                                       random_state=2)
    kw = dict(epochs=60, batch_size=len(data.x_train), lr=1.0)
    W_plain, _ = train_linear(data, "L1", 0.1, **kw)
    W_prox, hist = train_linear(data, "L1 prox", 0.1, **kw)
    assert np.sum(W_plain == 0) == 0                         # plain SGD jitters around 0
    assert np.mean(feature_importance(W_prox) == 0) > 0.5
    assert support_scores(feature_importance(W_prox), data.support)["recall"] == 1.0
    assert hist.val_acc[-1] > 0.7


def test_sweep_shapes_and_unknown_penalty():
    data = rk.datasets.sparse_features(n_samples=150, n_features=10, n_informative=2,
                                       random_state=0)
    grid = sparse_sweep(data, [1e-3, 1e-1], penalties=("L2", "ElasticNet"), epochs=5)
    assert grid["L2"]["W"].shape == (2, 10, 2)
    assert grid["ElasticNet"]["val_acc"].shape == (2,)
    with pytest.raises(ValueError, match="penalty"):
        train_linear(data, "L3", 0.1, epochs=1)
