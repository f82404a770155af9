"""SGD, Adam, AdamW on plain Parameters: the chapter's numbers, weight decay
semantics, dtypes, validation, and honouring assigned .data/.grad."""
import numpy as np
import pytest

import regkit as rk
from regkit.module import Parameter


def param(values, dtype=np.float32, decay=True):
    return Parameter(np.array(values, dtype=dtype), name="w", decay=decay)


# -- the chapter's numbers -------------------------------------------------

def test_sgd_weight_decay_chapter_example():
    # w = 5.0, lr = 0.1, lambda = 0.01, gradient 0: 5.0 * (1 - 0.001) = 4.995
    w = param([5.0], dtype=np.float64)
    w.grad = np.zeros(1)
    rk.SGD([w], lr=0.1, weight_decay=0.01).step()
    assert w.data[0] == pytest.approx(4.995, abs=1e-12)


def test_sgd_without_decay_leaves_weight_with_zero_grad():
    w = param([5.0], dtype=np.float64)
    rk.SGD([w], lr=0.1).step()
    assert w.data[0] == 5.0


def test_sgd_weight_decay_is_the_shrink_formula():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(6)
    g = rng.standard_normal(6)
    w = param(w0, dtype=np.float64)
    w.grad = g.copy()
    lr, lam = 0.3, 0.05
    rk.SGD([w], lr=lr, weight_decay=lam).step()
    np.testing.assert_allclose(w.data, w0 * (1 - lr * lam) - lr * g, rtol=1e-14)


def test_sgd_weight_decay_equals_adding_l2_gradient():
    from regkit.regularizers import L2
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(5)]
    lam = 0.07

    a = param(w0, dtype=np.float64)
    opt_a = rk.SGD([a], lr=0.1, momentum=0.9, weight_decay=lam)
    b = param(w0, dtype=np.float64)
    opt_b = rk.SGD([b], lr=0.1, momentum=0.9)
    reg = L2(lam)
    for g in grads:
        a.grad = g.copy()
        opt_a.step()
        b.grad = g + reg.grad(b.data)
        opt_b.step()
    np.testing.assert_allclose(a.data, b.data, rtol=1e-13)
    assert not np.allclose(a.data, w0)


def test_sgd_momentum_by_hand():
    w = param([1.0, -2.0], dtype=np.float64)
    opt = rk.SGD([w], lr=0.5, momentum=0.9)
    w.grad = np.array([1.0, 1.0])
    opt.step()                       # buf = g = 1 -> w = [0.5, -2.5]
    w.grad = np.array([2.0, 0.0])
    opt.step()                       # buf = [0.9 + 2, 0.9] -> w -= 0.5 * buf
    np.testing.assert_allclose(w.data, [0.5 - 1.45, -2.5 - 0.45], rtol=1e-14)


# -- decay=False, AdamW vs Adam --------------------------------------------

@pytest.mark.parametrize("make", [
    lambda ps: rk.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.5),
    lambda ps: rk.Adam(ps, lr=0.1, weight_decay=0.5),
    lambda ps: rk.AdamW(ps, lr=0.1, weight_decay=0.5),
])
def test_weight_decay_skips_non_decaying_parameters(make):
    # the same gradients on a decay=True and a decay=False copy: only the first shrinks more
    rng = np.random.default_rng(2)
    w0 = rng.standard_normal(5)
    dec, nodec, ref = param(w0, np.float64), param(w0, np.float64, decay=False), param(w0, np.float64)
    opt = make([dec, nodec])
    ref_opt = type(opt)([ref], lr=0.1, weight_decay=0.0) if not isinstance(opt, rk.SGD) \
        else rk.SGD([ref], lr=0.1, momentum=0.9)
    for _ in range(3):
        g = rng.standard_normal(5)
        dec.grad, nodec.grad, ref.grad = g.copy(), g.copy(), g.copy()
        opt.step()
        ref_opt.step()
    np.testing.assert_allclose(nodec.data, ref.data, rtol=1e-14)
    assert np.max(np.abs(dec.data - ref.data)) > 1e-3


def test_adamw_differs_from_adam_with_same_weight_decay():
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal(50) * 3
    a, b = param(w0, np.float64), param(w0, np.float64)
    adam = rk.Adam([a], lr=0.01, weight_decay=0.1)
    adamw = rk.AdamW([b], lr=0.01, weight_decay=0.1)
    for _ in range(20):
        g = rng.standard_normal(50) * 10       # big gradients swamp Adam's coupled decay
        a.grad, b.grad = g.copy(), g.copy()
        adam.step()
        adamw.step()
    diff = np.max(np.abs(a.data - b.data))
    assert diff > 1e-3
    # decoupled decay shrinks more here: |w| ends smaller with AdamW
    assert np.linalg.norm(b.data) < np.linalg.norm(a.data)


def test_adamw_with_zero_gradient_is_pure_shrinkage():
    w = param([2.0, -4.0], dtype=np.float64)
    opt = rk.AdamW([w], lr=0.1, weight_decay=0.2)
    for _ in range(3):
        w.grad = np.zeros(2)
        opt.step()
    np.testing.assert_allclose(w.data, np.array([2.0, -4.0]) * (1 - 0.02) ** 3, rtol=1e-14)


def test_adam_first_step_is_lr_times_sign():
    # after bias correction, m/sqrt(v) = g/|g| at t = 1
    w = param([0.0, 0.0, 0.0], dtype=np.float64)
    w.grad = np.array([3.0, -0.01, 100.0])
    rk.Adam([w], lr=0.01, eps=1e-12).step()
    np.testing.assert_allclose(w.data, [-0.01, 0.01, -0.01], rtol=1e-8)


# -- dtypes, assigned arrays, zero_grad -------------------------------------

@pytest.mark.parametrize("cls", [rk.SGD, rk.Adam, rk.AdamW])
def test_float32_stays_float32(cls):
    kwargs = {"momentum": 0.9} if cls is rk.SGD else {}
    w = param(np.ones((3, 2)), np.float32)
    opt = cls([w], lr=0.01, weight_decay=0.1, **kwargs)
    for _ in range(2):
        w.grad = np.full((3, 2), 0.5, dtype=np.float32)
        opt.step()
    assert w.data.dtype == np.float32
    for buf in opt.state[w].values():
        assert buf.dtype == np.float32


@pytest.mark.parametrize("cls", [rk.SGD, rk.Adam, rk.AdamW])
def test_step_updates_data_in_place_and_reads_assigned_arrays(cls):
    kwargs = {"momentum": 0.5} if cls is rk.SGD else {}
    w = param([1.0, 2.0], np.float64)
    opt = cls([w], lr=0.1, weight_decay=0.0, **kwargs)
    w.grad = np.array([1.0, 1.0])
    before = w.data
    opt.step()
    assert w.data is before                      # in place
    # the user assigns new arrays: the next step must use them
    w.data = np.array([10.0, 10.0])
    w.grad = np.array([-1.0, -1.0])
    opt.step()
    assert np.all(np.abs(w.data - 10.0) < 0.2)   # moved from the new value
    assert w.data.shape == (2,) and not np.allclose(w.data, 10.0)


def test_step_does_not_write_to_users_grad_array():
    w = param([1.0, 2.0], np.float64)
    g = np.array([0.5, -0.5])
    w.grad = g
    opt = rk.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(g, [0.5, -0.5])


def test_zero_grad_gives_fresh_zeros():
    w = param([1.0, 2.0])
    g = np.array([3.0, 4.0], dtype=np.float32)
    w.grad = g
    rk.Adam([w]).zero_grad()
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_grad_shape_mismatch_is_an_error():
    w = param([1.0, 2.0])
    w.grad = np.zeros(3, dtype=np.float32)
    with pytest.raises(ValueError, match="shape"):
        rk.SGD([w], lr=0.1).step()


# -- validation ---------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    ({"lr": 0.0}, "lr"), ({"lr": -1.0}, "lr"), ({"lr": float("nan")}, "lr"),
    ({"lr": 0.1, "momentum": 1.0}, "momentum"), ({"lr": 0.1, "momentum": -0.1}, "momentum"),
    ({"lr": 0.1, "weight_decay": -0.01}, "weight_decay"),
    ({"lr": 0.1, "weight_decay": float("inf")}, "weight_decay"),
])
def test_sgd_validation(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rk.SGD([param([1.0])], **kwargs)


@pytest.mark.parametrize("cls", [rk.Adam, rk.AdamW])
@pytest.mark.parametrize("kwargs, name", [
    ({"lr": 0.0}, "lr"), ({"betas": (1.0, 0.999)}, r"betas\[0\]"),
    ({"betas": (0.9, -0.1)}, r"betas\[1\]"), ({"betas": 0.9}, "betas"),
    ({"eps": 0.0}, "eps"), ({"weight_decay": float("nan")}, "weight_decay"),
])
def test_adam_validation(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls([param([1.0])], **kwargs)


def test_params_validation():
    with pytest.raises(ValueError, match="empty"):
        rk.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="params"):
        rk.SGD([np.zeros(3)], lr=0.1)
    w = param([1.0])
    with pytest.raises(ValueError, match="twice"):
        rk.SGD([w, w], lr=0.1)
    with pytest.raises(TypeError, match="parameters()"):
        rk.SGD(rk.Sequential(), lr=0.1)


def test_defaults_and_repr():
    w = param([1.0])
    assert rk.Adam([w]).weight_decay == 0.0
    assert rk.AdamW([w]).weight_decay == 0.01
    assert rk.AdamW([w]).lr == 1e-3
    assert "momentum=0.9" in repr(rk.SGD([w], lr=0.1, momentum=0.9))
