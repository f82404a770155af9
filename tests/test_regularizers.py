"""L2, L1, ElasticNet: values, gradients, validation, configs, mappings."""

import numpy as np
import pytest

import regkit as rk
from regkit.regularizers import as_regularizer, regularizer_from_config, regularizer_to_config

W = np.array([[0.5, -2.0, 0.0], [1.5, -0.25, 3.0]])


def test_l2_value_and_grad():
    reg = rk.L2(0.2)
    assert reg(W) == pytest.approx(0.2 * 0.5 * sum(v * v for v in W.ravel()))
    np.testing.assert_allclose(reg.grad(W), 0.2 * W)


def test_l1_value_and_grad_with_zero_subgradient():
    reg = rk.L1(0.3)
    assert reg(W) == pytest.approx(0.3 * sum(abs(v) for v in W.ravel()))
    np.testing.assert_allclose(reg.grad(W), 0.3 * np.array([[1, -1, 0], [1, -1, 1]]))


def test_elastic_net_is_the_sum():
    reg = rk.ElasticNet(0.3, 0.2)
    assert reg(W) == pytest.approx(rk.L1(0.3)(W) + rk.L2(0.2)(W))
    np.testing.assert_allclose(reg.grad(W), rk.L1(0.3).grad(W) + rk.L2(0.2).grad(W))


@pytest.mark.parametrize("reg", [rk.L2(0.1), rk.L1(0.1), rk.ElasticNet(0.1, 0.1)], ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_types(reg, dtype):
    w = W.astype(dtype)
    before = w.copy()
    assert type(reg(w)) is float
    g = reg.grad(w)
    assert g.dtype == dtype and g.shape == w.shape
    np.testing.assert_array_equal(w, before)


def test_zero_strength_is_no_penalty():
    assert rk.L2(0)(W) == 0.0 and rk.L1(0.0)(W) == 0.0
    np.testing.assert_array_equal(rk.L2(0).grad(W), 0.0)


@pytest.mark.parametrize("make, name", [
    (lambda v: rk.L2(v), "lam"), (lambda v: rk.L1(v), "lam"),
    (lambda v: rk.ElasticNet(v, 0.1), "l1"), (lambda v: rk.ElasticNet(0.1, v), "l2"),
])
@pytest.mark.parametrize("value", [-0.01, float("nan"), float("inf")])
def test_bad_strength_names_argument_and_value(make, name, value):
    with pytest.raises(ValueError, match=rf"{name}.*{value}"):
        make(value)


def test_non_number_strength_is_type_error():
    with pytest.raises(TypeError, match="lam"):
        rk.L2("0.1")


def test_config_round_trip_and_repr():
    for reg in [rk.L2(0.01), rk.L1(0.5), rk.ElasticNet(0.1, 0.2)]:
        config = regularizer_to_config(reg)
        assert config["class"] == type(reg).__name__
        back = regularizer_from_config(config)
        assert back == reg and back is not reg
        assert as_regularizer(config) == reg and as_regularizer(reg) is reg
    assert regularizer_to_config(None) is None and regularizer_from_config(None) is None
    assert regularizer_to_config(rk.ElasticNet(0.1, 0.2)) == {"class": "ElasticNet",
                                                              "l1": 0.1, "l2": 0.2}
    assert repr(rk.L2(0.01)) == "L2(lam=0.01)"
    assert repr(rk.ElasticNet(0.1, 0.2)) == "ElasticNet(l1=0.1, l2=0.2)"
    assert rk.L2(0.1) != rk.L1(0.1)


def test_unknown_config_is_rejected():
    with pytest.raises(ValueError, match="'L3'"):
        regularizer_from_config({"class": "L3", "lam": 1.0})
    with pytest.raises(ValueError, match="class"):
        regularizer_from_config({"lam": 1.0})


def test_l2_equals_torch_weight_decay_step():
    torch = pytest.importorskip("torch")
    w0 = np.array([2.0, -1.5, 0.5, -3.0])
    data_grad = np.array([0.1, 0.2, -0.3, 0.0])
    lr, wd = 0.1, 0.05
    t = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.SGD([t], lr=lr, weight_decay=wd)
    t.grad = torch.tensor(data_grad)
    opt.step()
    ours = w0 - lr * (data_grad + rk.L2(wd).grad(w0))
    np.testing.assert_allclose(t.detach().numpy(), ours, rtol=1e-12)
