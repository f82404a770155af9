"""clip_grad_norm (against torch.nn.utils.clip_grad_norm_) and max_norm."""
import numpy as np
import pytest

import regkit as rk
from regkit.module import Parameter


def params_with_grads(rng, dtype=np.float64, scale=1.0):
    shapes = [(4, 3), (3,), (3, 2), (2,)]
    ps = []
    for shape in shapes:
        p = Parameter(rng.standard_normal(shape).astype(dtype))
        p.grad = (rng.standard_normal(shape) * scale).astype(dtype)
        ps.append(p)
    return ps


# -- clip_grad_norm --------------------------------------------------------

@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-14), (np.float32, 1e-6)])
@pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0])
def test_clip_grad_norm_matches_torch(dtype, rtol, max_norm):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    ps = params_with_grads(rng, dtype, scale=2.0)
    tensors = []
    for p in ps:
        t = torch.tensor(p.data.copy(), requires_grad=True)
        t.grad = torch.tensor(p.grad.copy())
        tensors.append(t)

    norm = rk.clip_grad_norm(ps, max_norm)
    tnorm = torch.nn.utils.clip_grad_norm_(tensors, max_norm)

    assert isinstance(norm, float)
    assert norm == pytest.approx(float(tnorm), rel=rtol)
    for p, t in zip(ps, tensors):
        assert p.grad.dtype == dtype
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=rtol, atol=rtol * 1e-2)


def test_clip_grad_norm_scales_all_grads_to_max_norm_keeping_direction():
    rng = np.random.default_rng(1)
    ps = params_with_grads(rng, scale=5.0)
    before = np.concatenate([p.grad.ravel() for p in ps])
    norm = rk.clip_grad_norm(ps, 1.0)
    after = np.concatenate([p.grad.ravel() for p in ps])
    assert norm == pytest.approx(np.sqrt(np.sum(before ** 2)), rel=1e-14)
    assert norm > 1.0
    # torch's 1e-6 guard: the new norm is max_norm * norm / (norm + 1e-6)
    assert np.linalg.norm(after) == pytest.approx(norm / (norm + 1e-6), rel=1e-14)
    np.testing.assert_allclose(after, before * (1.0 / (norm + 1e-6)), rtol=1e-14)


def test_clip_grad_norm_below_threshold_leaves_grads_untouched():
    rng = np.random.default_rng(2)
    ps = params_with_grads(rng, scale=0.1)
    grads = [p.grad for p in ps]
    copies = [g.copy() for g in grads]
    norm = rk.clip_grad_norm(ps, 10.0)
    assert norm < 10.0
    for p, g, c in zip(ps, grads, copies):
        assert p.grad is g
        np.testing.assert_array_equal(p.grad, c)


def test_clip_grad_norm_does_not_write_into_assigned_grad_arrays():
    p = Parameter(np.zeros(2))
    g = np.array([30.0, 40.0])
    p.grad = g
    assert rk.clip_grad_norm([p], 5.0) == 50.0
    np.testing.assert_array_equal(g, [30.0, 40.0])
    np.testing.assert_allclose(p.grad, [3.0, 4.0], rtol=1e-6)


def test_clip_grad_norm_float32_stays_float32():
    p = Parameter(np.zeros(3, dtype=np.float32))
    p.grad = np.full(3, 10.0, dtype=np.float32)
    rk.clip_grad_norm([p], 1.0)
    assert p.grad.dtype == np.float32


def test_clip_grad_norm_nonfinite():
    p = Parameter(np.zeros(2))
    p.grad = np.array([np.inf, 1.0])
    assert rk.clip_grad_norm([p], 1.0) == np.inf
    np.testing.assert_array_equal(p.grad, [np.inf, 1.0])
    with pytest.raises(ValueError, match="diverged"):
        rk.clip_grad_norm([p], 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_clip_grad_norm_validates_max_norm(bad):
    with pytest.raises(ValueError, match="max_norm"):
        rk.clip_grad_norm([Parameter(np.zeros(2))], bad)


# -- max_norm -----------------------------------------------------------------

def test_max_norm_only_rescales_columns_above_c():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((6, 5))
    w[:, 1] *= 10.0
    w[:, 3] *= 0.01
    c = 2.0
    norms = np.linalg.norm(w, axis=0)
    over = norms > c
    assert over.any() and not over.all()
    p = Parameter(w.copy())
    assert rk.max_norm([p], c) == over.sum()
    new_norms = np.linalg.norm(p.data, axis=0)
    np.testing.assert_allclose(new_norms[over], c, rtol=1e-14)
    np.testing.assert_array_equal(p.data[:, ~over], w[:, ~over])
    # direction kept
    np.testing.assert_allclose(p.data[:, over], w[:, over] * (c / norms[over]), rtol=1e-14)


def test_max_norm_float32():
    w = np.array([[3.0, 0.1], [4.0, 0.1]], dtype=np.float32)
    p = Parameter(w.copy())
    rk.max_norm([p], 1.0)
    assert p.data.dtype == np.float32
    np.testing.assert_allclose(p.data[:, 0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_array_equal(p.data[:, 1], w[:, 1])


def test_max_norm_nothing_above_c_is_a_no_op():
    w = np.full((3, 2), 0.1)
    p = Parameter(w.copy())
    assert rk.max_norm([p], 1.0) == 0
    np.testing.assert_array_equal(p.data, w)


class _FakeDense(rk.Module):
    """Anything with a 2-D W Parameter counts as a Dense for max_norm."""

    def __init__(self, w):
        super().__init__()
        self.W = Parameter(w)
        self.b = Parameter(np.full(w.shape[1], 100.0), decay=False)


def test_max_norm_on_layer_and_sequential_leaves_biases():
    rng = np.random.default_rng(4)
    a = _FakeDense(rng.standard_normal((4, 3)) * 5)
    b = _FakeDense(rng.standard_normal((3, 2)) * 5)
    rk.max_norm(a, 1.5)
    assert np.all(np.linalg.norm(a.W.data, axis=0) <= 1.5 + 1e-12)
    np.testing.assert_array_equal(a.b.data, 100.0)

    model = rk.Sequential(_FakeDense(rng.standard_normal((4, 3)) * 5), rk.Sequential(b))
    n = rk.max_norm(model, 1.5)
    assert n == 3 + 2
    for layer in (model[0], b):
        np.testing.assert_allclose(np.linalg.norm(layer.W.data, axis=0), 1.5, rtol=1e-14)
        np.testing.assert_array_equal(layer.b.data, 100.0)


def test_max_norm_validation():
    with pytest.raises(ValueError, match="c"):
        rk.max_norm([Parameter(np.ones((2, 2)))], 0.0)
    with pytest.raises(ValueError, match="2-D"):
        rk.max_norm([Parameter(np.ones(3))], 1.0)
    with pytest.raises(ValueError, match="no layer"):
        rk.max_norm(rk.Sequential(), 1.0)
    with pytest.raises(TypeError, match="target"):
        rk.max_norm([np.ones((2, 2))], 1.0)


def test_parameter_lists_are_checked_once_for_optimizers_and_constraints():
    # one check (regkit.module.check_parameters) behind both: same rule, same message
    layer = rk.Dense(3, 2, rng=0)
    with pytest.raises(ValueError, match="params contains the same Parameter twice"):
        rk.clip_grad_norm([layer.W, layer.W], 1.0)
    with pytest.raises(ValueError, match="params contains the same Parameter twice"):
        rk.SGD([layer.W, layer.W], lr=0.1)
    with pytest.raises(TypeError, match="params must be an iterable of Parameters"):
        rk.clip_grad_norm(layer, 1.0)
    assert rk.clip_grad_norm(layer.W, 1.0) == 0.0       # a single Parameter is fine here
