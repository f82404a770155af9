"""Layer behaviour: formulas, modes, configs, bad input and dtypes."""
import json
import math

import numpy as np
import pytest

import regkit as rk
from regkit import functional as F
from regkit.saving import registered_layers


def data(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# -- Dense ----------------------------------------------------------------


def test_dense_forward_backward_formulas():
    layer = rk.Dense(3, 2, rng=0)
    layer.b.data = np.array([0.5, -1.0], dtype=np.float32)
    x, gy = data((4, 3)), data((4, 2), seed=1)
    W = layer.W.data
    np.testing.assert_allclose(layer(x), x @ W + layer.b.data, rtol=1e-6)
    gx = layer.backward(gy)
    np.testing.assert_allclose(gx, gy @ W.T, rtol=1e-6)
    np.testing.assert_allclose(layer.W.grad, x.T @ gy, rtol=1e-6)
    np.testing.assert_allclose(layer.b.grad, gy.sum(axis=0), rtol=1e-6)


def test_dense_parameters_and_decay_flags():
    layer = rk.Dense(5, 4, rng=0)
    assert [p.name for p in layer.parameters()] == ["W", "b"]
    assert layer.W.shape == (5, 4) and layer.b.shape == (4,)
    assert layer.W.decay and not layer.b.decay
    assert layer.W.data.dtype == np.float32 and layer.b.data.dtype == np.float32
    np.testing.assert_array_equal(layer.b.data, 0.0)


@pytest.mark.parametrize("init, std", [
    ("he", math.sqrt(2 / 400)),
    ("he_uniform", math.sqrt(2 / 400)),
    ("xavier", math.sqrt(2 / 600)),
    ("glorot", math.sqrt(2 / 600)),
    ("xavier_normal", math.sqrt(2 / 600)),
])
def test_dense_init_scales(init, std):
    w = rk.Dense(400, 200, init=init, rng=0).W.data
    assert w.dtype == np.float32
    assert abs(w.mean()) < 0.05 * std
    assert w.std() == pytest.approx(std, rel=0.02)


def test_dense_init_is_reproducible_and_rejects_unknown_names():
    np.testing.assert_array_equal(rk.Dense(3, 2, rng=7).W.data, rk.Dense(3, 2, rng=7).W.data)
    rk.seed(3)
    a = rk.Dense(3, 2).W.data
    rk.seed(3)
    np.testing.assert_array_equal(a, rk.Dense(3, 2).W.data)
    with pytest.raises(ValueError, match="init.*'lecun'"):
        rk.Dense(3, 2, init="lecun")


def test_dense_regularizer_penalty_and_gradient():
    reg = rk.L2(0.1)
    layer = rk.Dense(3, 2, regularizer=reg, rng=0)
    W = layer.W.data
    assert layer.penalty() == pytest.approx(0.05 * float(np.sum(W.astype(np.float64) ** 2)),
                                            rel=1e-6)
    x, gy = data((4, 3)), data((4, 2), seed=1)
    layer(x)
    layer.backward(gy)
    np.testing.assert_allclose(layer.W.grad, x.T @ gy + 0.1 * W, rtol=1e-5)
    np.testing.assert_allclose(layer.b.grad, gy.sum(axis=0), rtol=1e-6)   # bias untouched
    assert rk.Dense(3, 2).penalty() == 0.0


def test_dense_accepts_regularizer_config_and_reports_its_config():
    layer = rk.Dense(3, 2, regularizer={"class": "L1", "lam": 0.01}, init="xavier", rng=0)
    assert layer.regularizer == rk.L1(0.01)
    config = layer.get_config()
    assert config == {"in_features": 3, "out_features": 2,
                      "regularizer": {"class": "L1", "lam": 0.01}, "init": "xavier"}
    json.dumps(config)
    assert registered_layers()["Dense"] is rk.Dense
    rebuilt = rk.Dense.from_config(config)
    assert rebuilt.regularizer == layer.regularizer
    assert "L1(lam=0.01)" in repr(layer)


def test_dense_honours_assigned_data():
    layer = rk.Dense(2, 2, rng=0)
    layer.W.data = np.eye(2, dtype=np.float32)
    x = data((3, 2))
    np.testing.assert_array_equal(layer(x), x)


@pytest.mark.parametrize("bad, pattern", [
    (np.zeros((4, 5), np.float32), r"x must have 3 columns.*\(4, 5\)"),
    (np.zeros((4, 2, 3), np.float32), r"x must be 2-D.*\(4, 2, 3\)"),
    (np.zeros(3, np.float32), r"x must be 2-D.*\(3,\)"),
])
def test_dense_rejects_wrong_input(bad, pattern):
    with pytest.raises(ValueError, match=pattern):
        rk.Dense(3, 2)(bad)


def test_dense_rejects_bad_sizes():
    with pytest.raises(ValueError, match="in_features"):
        rk.Dense(0, 2)
    with pytest.raises(TypeError, match="out_features"):
        rk.Dense(3, 2.5)
    with pytest.raises(TypeError, match="regularizer"):
        rk.Dense(3, 2, regularizer=0.01)


# -- activations and Flatten -----------------------------------------------


def test_activation_values():
    x = np.array([[-2.0, 0.0, 3.0]], dtype=np.float32)
    np.testing.assert_array_equal(rk.ReLU()(x), [[0.0, 0.0, 3.0]])
    np.testing.assert_allclose(rk.Tanh()(x), np.tanh(x))
    np.testing.assert_allclose(rk.Sigmoid()(x), 1 / (1 + np.exp(-x.astype(np.float64))),
                               rtol=1e-6)


def test_relu_gradient_is_zero_at_and_below_zero():
    relu = rk.ReLU()
    relu(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0]])), [[0, 0, 5.0]])


def test_sigmoid_is_stable_for_huge_inputs():
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y = rk.Sigmoid()(x)
    np.testing.assert_allclose(y, [[0.0, math.exp(-50) / (1 + math.exp(-50)), 0.5,
                                    1 / (1 + math.exp(-50)), 1.0]], rtol=1e-12, atol=0)


def test_flatten_round_trip():
    flat = rk.Flatten()
    x = data((2, 3, 4))
    y = flat(x)
    assert y.shape == (2, 12)
    np.testing.assert_array_equal(y[1], x[1].ravel())
    assert flat.backward(y).shape == (2, 3, 4)
    assert rk.Flatten()(data((2, 5))).shape == (2, 5)
    with pytest.raises(ValueError, match="shape"):
        flat(np.zeros(3))


def test_layers_do_not_modify_their_input():
    x = data((5, 4))
    before = x.copy()
    for layer in [rk.Dense(4, 4), rk.ReLU(), rk.Tanh(), rk.Sigmoid(), rk.Flatten(),
                  rk.Dropout(0.5), rk.DropConnect(4, 4), rk.BatchNorm(4)]:
        y = layer(x)
        layer.backward(np.ones_like(y))
        np.testing.assert_array_equal(x, before, err_msg=repr(layer))


# -- Dropout ----------------------------------------------------------------


def test_dropout_training_uses_mask_and_scale():
    drop = rk.Dropout(0.25, rng=0)
    x = data((50, 40)) + 3.0
    y = drop(x)
    assert drop.mask.shape == x.shape and drop.mask.dtype == bool
    np.testing.assert_allclose(y, np.where(drop.mask, x / 0.75, 0.0), rtol=1e-6)
    assert 0.2 < 1 - drop.mask.mean() < 0.3
    gy = data((50, 40), seed=1)
    np.testing.assert_allclose(drop.backward(gy), np.where(drop.mask, gy / 0.75, 0.0),
                               rtol=1e-6)


@pytest.mark.parametrize("bits", [np.random.PCG64, np.random.MT19937, np.random.Philox,
                                  np.random.SFC64])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.83])
def test_dropout_mask_keeps_each_entry_with_probability_one_minus_p(bits, p):
    # MT19937's raw draws hold 32 bits, the others' 64: both must give 1 - p
    rng = np.random.Generator(bits(7))
    mask = F.dropout_mask((999, 1001), p, rng)          # an odd number of entries
    assert mask.shape == (999, 1001) and mask.dtype == bool
    n, keep = mask.size, 1.0 - p
    assert abs(mask.mean() - keep) < 5 * np.sqrt(keep * p / n)     # 5 standard errors
    # entries are independent: neighbours agree as often as chance says
    same = np.mean(mask[:, 1:] == mask[:, :-1])
    assert abs(same - (keep ** 2 + p ** 2)) < 0.005


class FewBits(np.random.PCG64):
    """A bit generator regkit does not know (its raw draws could hold any number of bits)."""


def test_dropout_mask_from_an_unknown_bit_generator():
    mask = F.dropout_mask((400, 500), 0.3, np.random.Generator(FewBits(1)))
    assert abs(mask.mean() - 0.7) < 5 * np.sqrt(0.21 / mask.size)


def test_dropout_mask_edge_cases():
    assert F.dropout_mask(5, 0.5, np.random.default_rng(0)).shape == (5,)   # an int shape
    assert F.dropout_mask((3, 4), 0.0, np.random.default_rng(0)).all()
    assert not F.dropout_mask((1000,), 1 - 1e-12, np.random.default_rng(0)).any()
    a = F.dropout_mask((5, 7), 0.3, np.random.default_rng(3))
    b = F.dropout_mask((5, 7), 0.3, np.random.default_rng(3))
    assert np.array_equal(a, b)                          # same seed, same mask


def test_dropout_draws_a_fresh_mask_every_forward():
    drop = rk.Dropout(0.5, rng=0)
    x = np.ones((20, 20), dtype=np.float32)
    drop(x)
    first = drop.mask.copy()
    drop(x)
    assert not np.array_equal(first, drop.mask)


def test_dropout_eval_is_identity_and_keeps_expectation():
    drop = rk.Dropout(0.5, rng=1)
    x = np.ones((400, 500), dtype=np.float32)
    assert drop(x).mean() == pytest.approx(1.0, abs=0.01)
    drop.eval()
    assert drop(x) is x
    gy = data((400, 500))
    assert drop.backward(gy) is gy


def test_dropout_same_seed_same_masks():
    x = data((10, 10))
    np.testing.assert_array_equal(rk.Dropout(0.3, rng=5)(x), rk.Dropout(0.3, rng=5)(x))


def test_dropout_rng_none_follows_rk_seed_even_when_built_earlier():
    x = data((10, 10))
    layer = rk.Dropout(0.3)
    rk.seed(11)
    first = layer(x)
    rk.seed(11)
    np.testing.assert_array_equal(layer(x), first)
    assert not np.array_equal(layer(x), first)


def test_dropout_p_zero_keeps_everything():
    x = data((6, 6))
    np.testing.assert_array_equal(rk.Dropout(0.0, rng=0)(x), x)


@pytest.mark.parametrize("p, exc", [(1.0, ValueError), (-0.1, ValueError), (1.5, ValueError),
                                    (float("nan"), ValueError), ("0.5", TypeError)])
def test_dropout_rejects_bad_p(p, exc):
    with pytest.raises(exc, match=r"\bp\b"):
        rk.Dropout(p)
    with pytest.raises(exc, match=r"\bp\b"):
        rk.DropConnect(3, 2, p=p)


def test_dropout_config():
    assert rk.Dropout(0.3).get_config() == {"p": 0.3}
    assert repr(rk.Dropout(0.3)) == "Dropout(p=0.3)"


# -- DropConnect --------------------------------------------------------------


def test_dropconnect_training_masks_weights_not_units():
    layer = rk.DropConnect(6, 5, p=0.5, rng=0)
    layer.b.data = data(5, seed=2)
    x = data((8, 6))
    y = layer(x)
    W_eff = np.where(layer.mask, layer.W.data / 0.5, 0.0)
    np.testing.assert_allclose(y, x @ W_eff + layer.b.data, rtol=1e-5)
    assert layer.mask.shape == (6, 5)
    gy = data((8, 5), seed=3)
    gx = layer.backward(gy)
    np.testing.assert_allclose(gx, gy @ W_eff.T, rtol=1e-5)
    np.testing.assert_allclose(layer.W.grad, np.where(layer.mask, x.T @ gy / 0.5, 0.0),
                               rtol=1e-5)


def test_dropconnect_eval_is_plain_dense():
    layer = rk.DropConnect(4, 3, p=0.7, rng=0).eval()
    x = data((5, 4))
    np.testing.assert_allclose(layer(x), x @ layer.W.data + layer.b.data, rtol=1e-6)


def test_dropconnect_config_and_registry():
    layer = rk.DropConnect(4, 3, p=0.2, regularizer=rk.L2(0.5), rng=0)
    config = layer.get_config()
    assert config["p"] == 0.2 and config["regularizer"] == {"class": "L2", "lam": 0.5}
    json.dumps(config)
    assert registered_layers()["DropConnect"] is rk.DropConnect
    assert isinstance(rk.DropConnect.from_config(config), rk.DropConnect)
    assert "p=0.2" in repr(layer)


# -- BatchNorm ------------------------------------------------------------------


def test_batchnorm_training_formula_and_running_stats():
    bn = rk.BatchNorm(3, momentum=0.8)
    bn.gamma.data = np.array([2.0, 0.5, -1.0], dtype=np.float32)
    bn.beta.data = np.array([1.0, 0.0, 3.0], dtype=np.float32)
    x = data((16, 3)) * 4 + 2
    y = bn(x)
    x64 = x.astype(np.float64)
    mu, var = x64.mean(axis=0), x64.var(axis=0)          # biased (1/m)
    expected = bn.gamma.data * (x64 - mu) / np.sqrt(var + 1e-5) + bn.beta.data
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bn.running_mean, 0.2 * mu, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var, 0.8 + 0.2 * var, rtol=1e-5)


def test_batchnorm_eval_uses_running_stats():
    bn = rk.BatchNorm(2)
    bn.running_mean[:] = [1.0, -2.0]
    bn.running_var[:] = [4.0, 0.25]
    bn.eval()
    x = np.array([[3.0, -2.0]], dtype=np.float32)        # a batch of one is fine
    np.testing.assert_allclose(bn(x), [[2.0 / math.sqrt(4 + 1e-5), 0.0]], rtol=1e-6)
    before = (bn.running_mean.copy(), bn.running_var.copy())
    bn(data((5, 2)))
    np.testing.assert_array_equal(bn.running_mean, before[0])
    np.testing.assert_array_equal(bn.running_var, before[1])


def test_batchnorm_structure():
    bn = rk.BatchNorm(4)
    assert [p.name for p in bn.parameters()] == ["gamma", "beta"]
    assert not bn.gamma.decay and not bn.beta.decay
    np.testing.assert_array_equal(bn.gamma.data, 1.0)
    np.testing.assert_array_equal(bn.beta.data, 0.0)
    assert [name for name, _ in bn.named_buffers()] == ["running_mean", "running_var"]
    assert bn.get_config() == {"num_features": 4, "momentum": 0.9, "eps": 1e-5}


def test_batchnorm_rejects_batch_of_one_in_training():
    bn = rk.BatchNorm(3)
    with pytest.raises(ValueError, match="batch size 1"):
        bn(np.zeros((1, 3), dtype=np.float32))


@pytest.mark.parametrize("bad, pattern", [
    (np.zeros((4, 5)), r"x must have 3 columns"),
    (np.zeros((4, 3, 1)), r"x must be 2-D"),
])
def test_batchnorm_rejects_wrong_shapes(bad, pattern):
    with pytest.raises(ValueError, match=pattern):
        rk.BatchNorm(3)(bad)


@pytest.mark.parametrize("kwargs, name", [({"momentum": 1.5}, "momentum"),
                                          ({"momentum": float("nan")}, "momentum"),
                                          ({"eps": 0.0}, "eps"), ({"eps": -1e-5}, "eps")])
def test_batchnorm_rejects_bad_hyperparameters(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rk.BatchNorm(3, **kwargs)


# -- dtypes -------------------------------------------------------------------

LAYERS = [
    lambda: rk.Dense(4, 3, regularizer=rk.ElasticNet(0.1, 0.1)),
    lambda: rk.ReLU(), lambda: rk.Tanh(), lambda: rk.Sigmoid(), lambda: rk.Flatten(),
    lambda: rk.Dropout(0.5), lambda: rk.DropConnect(4, 3, regularizer=rk.L1(0.1)),
    lambda: rk.BatchNorm(4),
]


@pytest.mark.parametrize("make", LAYERS)
@pytest.mark.parametrize("training", [True, False])
def test_float32_stays_float32(make, training):
    layer = make().train(training)
    x = data((5, 4))
    y = layer(x)
    assert y.dtype == np.float32
    gx = layer.backward(np.ones_like(y))
    assert gx.dtype == np.float32
    for p in layer.parameters():
        assert p.grad.dtype == np.float32, p.name
    for _, buf in layer.named_buffers():
        assert buf.dtype == np.float32


@pytest.mark.parametrize("make", LAYERS)
def test_float64_stays_float64(make):
    layer = make()
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    x = data((5, 4), dtype=np.float64)
    y = layer(x)
    assert y.dtype == np.float64
    assert layer.backward(np.ones_like(y)).dtype == np.float64
    for p in layer.parameters():
        assert p.grad.dtype == np.float64, p.name
