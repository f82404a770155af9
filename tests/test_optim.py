"""SGD, Adam, AdamW on plain Parameters: the chapter's numbers, weight decay
semantics, dtypes, validation, and honouring assigned .data/.grad.

Every behaviour is checked on both paths: the fused flat-buffer step (the
default) and the readable per-parameter loop (``fused=False``)."""
import numpy as np
import pytest

import regkit as rk
from regkit.module import Parameter
from regkit.optim import ProximalSGD


def param(values, dtype=np.float32, decay=True):
    return Parameter(np.array(values, dtype=dtype), name="w", decay=decay)


@pytest.fixture(params=[True, False], ids=["fused", "readable"])
def fused(request):
    return request.param


# -- the chapter's numbers -------------------------------------------------

def test_sgd_weight_decay_chapter_example(fused):
    # w = 5.0, lr = 0.1, lambda = 0.01, gradient 0: 5.0 * (1 - 0.001) = 4.995
    w = param([5.0], dtype=np.float64)
    w.grad = np.zeros(1)
    rk.SGD([w], lr=0.1, weight_decay=0.01, fused=fused).step()
    assert w.data[0] == pytest.approx(4.995, abs=1e-12)


def test_sgd_without_decay_leaves_weight_with_zero_grad(fused):
    w = param([5.0], dtype=np.float64)
    rk.SGD([w], lr=0.1, fused=fused).step()
    assert w.data[0] == 5.0


def test_sgd_weight_decay_is_the_shrink_formula(fused):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(6)
    g = rng.standard_normal(6)
    w = param(w0, dtype=np.float64)
    w.grad = g.copy()
    lr, lam = 0.3, 0.05
    rk.SGD([w], lr=lr, weight_decay=lam, fused=fused).step()
    np.testing.assert_allclose(w.data, w0 * (1 - lr * lam) - lr * g, rtol=1e-14)


def test_sgd_weight_decay_equals_adding_l2_gradient(fused):
    from regkit.regularizers import L2
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(5)]
    lam = 0.07

    a = param(w0, dtype=np.float64)
    opt_a = rk.SGD([a], lr=0.1, momentum=0.9, weight_decay=lam, fused=fused)
    b = param(w0, dtype=np.float64)
    opt_b = rk.SGD([b], lr=0.1, momentum=0.9, fused=fused)
    reg = L2(lam)
    for g in grads:
        a.grad = g.copy()
        opt_a.step()
        b.grad = g + reg.grad(b.data)
        opt_b.step()
    np.testing.assert_allclose(a.data, b.data, rtol=1e-13)
    assert not np.allclose(a.data, w0)


def test_sgd_momentum_by_hand(fused):
    w = param([1.0, -2.0], dtype=np.float64)
    opt = rk.SGD([w], lr=0.5, momentum=0.9, fused=fused)
    w.grad = np.array([1.0, 1.0])
    opt.step()                       # buf = g = 1 -> w = [0.5, -2.5]
    w.grad = np.array([2.0, 0.0])
    opt.step()                       # buf = [0.9 + 2, 0.9] -> w -= 0.5 * buf
    np.testing.assert_allclose(w.data, [0.5 - 1.45, -2.5 - 0.45], rtol=1e-14)


# -- decay=False, AdamW vs Adam --------------------------------------------

@pytest.mark.parametrize("make", [
    lambda ps, fused: rk.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.5, fused=fused),
    lambda ps, fused: rk.Adam(ps, lr=0.1, weight_decay=0.5, fused=fused),
    lambda ps, fused: rk.AdamW(ps, lr=0.1, weight_decay=0.5, fused=fused),
])
def test_weight_decay_skips_non_decaying_parameters(make, fused):
    # the same gradients on a decay=True and a decay=False copy: only the first shrinks more
    rng = np.random.default_rng(2)
    w0 = rng.standard_normal(5)
    dec, nodec, ref = param(w0, np.float64), param(w0, np.float64, decay=False), param(w0, np.float64)
    opt = make([dec, nodec], fused)
    ref_opt = type(opt)([ref], lr=0.1, weight_decay=0.0, fused=fused) \
        if not isinstance(opt, rk.SGD) else rk.SGD([ref], lr=0.1, momentum=0.9, fused=fused)
    for _ in range(3):
        g = rng.standard_normal(5)
        dec.grad, nodec.grad, ref.grad = g.copy(), g.copy(), g.copy()
        opt.step()
        ref_opt.step()
    np.testing.assert_allclose(nodec.data, ref.data, rtol=1e-14)
    assert np.max(np.abs(dec.data - ref.data)) > 1e-3


def test_adamw_differs_from_adam_with_same_weight_decay(fused):
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal(50) * 3
    a, b = param(w0, np.float64), param(w0, np.float64)
    adam = rk.Adam([a], lr=0.01, weight_decay=0.1, fused=fused)
    adamw = rk.AdamW([b], lr=0.01, weight_decay=0.1, fused=fused)
    for _ in range(20):
        g = rng.standard_normal(50) * 10       # big gradients swamp Adam's coupled decay
        a.grad, b.grad = g.copy(), g.copy()
        adam.step()
        adamw.step()
    diff = np.max(np.abs(a.data - b.data))
    assert diff > 1e-3
    # decoupled decay shrinks more here: |w| ends smaller with AdamW
    assert np.linalg.norm(b.data) < np.linalg.norm(a.data)


def test_adamw_with_zero_gradient_is_pure_shrinkage(fused):
    w = param([2.0, -4.0], dtype=np.float64)
    opt = rk.AdamW([w], lr=0.1, weight_decay=0.2, fused=fused)
    for _ in range(3):
        w.grad = np.zeros(2)
        opt.step()
    np.testing.assert_allclose(w.data, np.array([2.0, -4.0]) * (1 - 0.02) ** 3, rtol=1e-14)


def test_adam_first_step_is_lr_times_sign(fused):
    # after bias correction, m/sqrt(v) = g/|g| at t = 1
    w = param([0.0, 0.0, 0.0], dtype=np.float64)
    w.grad = np.array([3.0, -0.01, 100.0])
    rk.Adam([w], lr=0.01, eps=1e-12, fused=fused).step()
    np.testing.assert_allclose(w.data, [-0.01, 0.01, -0.01], rtol=1e-8)


def test_readable_adam_is_the_textbook_bias_corrected_update():
    # the loop folds the corrections into step_size and eps_c; unfolded, it is
    # m_hat = m / (1 - b1**t), v_hat = v / (1 - b2**t), w -= lr * m_hat / (sqrt(v_hat) + eps)
    rng = np.random.default_rng(4)
    w0 = rng.standard_normal(20)
    w = param(w0, dtype=np.float64)
    lr, (b1, b2), eps, wd = 0.01, (0.8, 0.95), 1e-3, 0.1
    opt = rk.Adam([w], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd, fused=False)
    ref, m, v = w0.copy(), np.zeros(20), np.zeros(20)
    for t in range(1, 31):
        g = rng.standard_normal(20)
        w.grad = g
        opt.step()
        g = g + wd * ref
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        ref = ref - lr * m_hat / (np.sqrt(v_hat) + eps)
    np.testing.assert_allclose(w.data, ref, rtol=1e-13)
    np.testing.assert_allclose(opt.state[w]["v"], v, rtol=1e-13)
    assert opt.t == 30 and np.max(np.abs(w.data - w0)) > 0.1


# -- dtypes, assigned arrays, zero_grad -------------------------------------

@pytest.mark.parametrize("cls", [rk.SGD, rk.Adam, rk.AdamW])
def test_float32_stays_float32(cls, fused):
    kwargs = {"momentum": 0.9} if cls is rk.SGD else {}
    w = param(np.ones((3, 2)), np.float32)
    opt = cls([w], lr=0.01, weight_decay=0.1, **kwargs, fused=fused)
    for _ in range(2):
        w.grad = np.full((3, 2), 0.5, dtype=np.float32)
        opt.step()
    assert w.data.dtype == np.float32
    for buf in opt.state[w].values():
        assert buf.dtype == np.float32


@pytest.mark.parametrize("cls", [rk.SGD, rk.Adam, rk.AdamW])
def test_step_updates_data_in_place_and_reads_assigned_arrays(cls, fused):
    kwargs = {"momentum": 0.5} if cls is rk.SGD else {}
    w = param([1.0, 2.0], np.float64)
    opt = cls([w], lr=0.1, weight_decay=0.0, **kwargs, fused=fused)
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


@pytest.mark.parametrize("cls", [rk.SGD, rk.Adam])
def test_an_assigned_data_array_is_copied_in_when_fused_and_updated_in_place_when_not(cls):
    # the one documented difference between the paths (the numbers agree)
    arrays = {}
    for fused in (True, False):
        w = param([1.0, 2.0], np.float64)
        opt = cls([w], lr=0.1, fused=fused)
        mine = np.array([10.0, 10.0])
        w.data = mine
        w.grad = np.array([1.0, -1.0])
        opt.step()
        arrays[fused] = (mine, w.data)
    (mine_f, data_f), (mine_r, data_r) = arrays[True], arrays[False]
    np.testing.assert_array_equal(mine_f, [10.0, 10.0])    # fused: never written
    assert data_f is not mine_f
    assert data_r is mine_r                                 # readable: torch.optim's way
    np.testing.assert_array_equal(data_f, data_r)
    assert not np.array_equal(data_r, [10.0, 10.0])


def test_step_does_not_write_to_users_grad_array(fused):
    w = param([1.0, 2.0], np.float64)
    g = np.array([0.5, -0.5])
    w.grad = g
    opt = rk.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1, fused=fused)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(g, [0.5, -0.5])


def test_zero_grad_gives_fresh_zeros(fused):
    w = param([1.0, 2.0])
    g = np.array([3.0, 4.0], dtype=np.float32)
    w.grad = g
    rk.Adam([w], fused=fused).zero_grad()
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_grad_shape_mismatch_is_an_error(fused):
    w = param([1.0, 2.0])
    w.grad = np.zeros(3, dtype=np.float32)
    with pytest.raises(ValueError, match="shape"):
        rk.SGD([w], lr=0.1, fused=fused).step()


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
    assert rk.SGD([w], lr=0.1).fused and rk.Adam([w]).fused and rk.AdamW([w]).fused
    assert repr(rk.Adam([w], lr=0.01, fused=False)) == (
        "Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, fused=False, params=1)")
    assert repr(ProximalSGD([w], lr=0.1, l1=0.5)) == (
        "ProximalSGD(lr=0.1, momentum=0.0, weight_decay=0.0, l1=0.5, fused=True, params=1)")


@pytest.mark.parametrize("cls", [rk.SGD, rk.Adam, rk.AdamW, ProximalSGD])
@pytest.mark.parametrize("fused", [1, "False", None])
def test_fused_must_be_a_bool(cls, fused):
    kwargs = {"l1": 0.1} if cls is ProximalSGD else {}
    with pytest.raises(TypeError, match="fused must be True or False"):
        cls([param([1.0])], lr=0.1, fused=fused, **kwargs)
