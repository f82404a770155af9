"""Sequential: the container, a whole network against PyTorch, predict,
state_dict and save/load."""
import json
import os

import numpy as np
import pytest

import regkit as rk
from regkit.layers import BatchNorm, Dense, Dropout, ReLU
from regkit.losses import SoftmaxCrossEntropy
from regkit.regularizers import L1, L2, ElasticNet


def small_model(rng=0):
    return rk.Sequential(
        Dense(6, 10, regularizer=L2(0.01), rng=rng),
        BatchNorm(10, momentum=0.8, eps=1e-3),
        ReLU(),
        Dropout(0.3, rng=rng),
        Dense(10, 3, regularizer=ElasticNet(0.002, 0.02), rng=rng),
    )


def train_steps(model, n=5, seed=1):
    rng = np.random.default_rng(seed)
    loss = SoftmaxCrossEntropy()
    opt = rk.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(n):
        x = rng.standard_normal((16, 6)).astype(np.float32)
        y = rng.integers(0, 3, 16)
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        opt.step()


def data(n=40, seed=2):
    return np.random.default_rng(seed).standard_normal((n, 6)).astype(np.float32)


# -- the container -----------------------------------------------------------

def test_layers_indexing_len_iteration_and_names():
    model = small_model()
    assert len(model) == 5
    assert model[1] is model.layers[1]
    assert list(model) == model.layers == model.children()
    assert isinstance(model[1:3], rk.Sequential) and model[1:3].layers == model.layers[1:3]
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.W", "0.b", "1.gamma", "1.beta", "4.W", "4.b"]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert [n for n, _ in model.named_buffers()] == ["1.running_mean", "1.running_var"]
    assert model.num_parameters() == 6 * 10 + 10 + 10 + 10 + 10 * 3 + 3


def test_sequential_accepts_a_list_and_rejects_non_modules():
    assert len(rk.Sequential([ReLU(), ReLU()])) == 2
    with pytest.raises(TypeError, match=r"layers\[1\]"):
        rk.Sequential(ReLU(), np.zeros(3))


def test_train_eval_propagate():
    model = small_model()
    model.eval()
    assert not model.training and not any(layer.training for layer in model)
    assert model.train() is model
    assert all(layer.training for layer in model)


def test_penalty_is_the_sum_over_layers():
    model = small_model()
    w0, w4 = model[0].W.data.astype(np.float64), model[4].W.data.astype(np.float64)
    expected = (0.01 * 0.5 * np.sum(w0 ** 2)
                + 0.002 * np.sum(np.abs(w4)) + 0.02 * 0.5 * np.sum(w4 ** 2))
    assert isinstance(model.penalty(), float)
    assert model.penalty() == pytest.approx(expected, rel=1e-6)


def test_backward_runs_layers_in_reverse():
    calls = []

    class Tracer(rk.Module):
        def __init__(self, tag):
            super().__init__()
            self.tag = tag

        def forward(self, x):
            calls.append(("f", self.tag))
            return x + self.tag

        def backward(self, g):
            calls.append(("b", self.tag))
            return g * self.tag

    model = rk.Sequential(Tracer(2.0), Tracer(3.0))
    np.testing.assert_array_equal(model.forward(np.zeros(2)), [5.0, 5.0])
    np.testing.assert_array_equal(model.backward(np.ones(2)), [6.0, 6.0])
    assert calls == [("f", 2.0), ("f", 3.0), ("b", 3.0), ("b", 2.0)]


def test_repr_lists_layers_and_parameter_count():
    text = repr(small_model())
    assert text.startswith("Sequential(") and "(0): Dense(6, 10" in text
    assert "(3): Dropout" in text and "123 parameters" in text


# -- a whole network against PyTorch --------------------------------------------

def _to_float64(model):
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    for layer in model:
        for name, buf in layer.named_buffers():
            setattr(layer, name, buf.astype(np.float64))


def _torch_twin(torch, model):
    d1, bn, _, d2 = model.layers
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.BatchNorm1d(8, momentum=0.1, eps=bn.eps),
                              torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(d1.W.data.T))
        net[0].bias.copy_(torch.from_numpy(d1.b.data))
        net[1].weight.copy_(torch.from_numpy(bn.gamma.data))
        net[1].bias.copy_(torch.from_numpy(bn.beta.data))
        net[3].weight.copy_(torch.from_numpy(d2.W.data.T))
        net[3].bias.copy_(torch.from_numpy(d2.b.data))
    return net


def test_network_matches_torch_loss_and_every_gradient():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    model = rk.Sequential(Dense(5, 8, rng=1), BatchNorm(8), ReLU(), Dense(8, 3, rng=2))
    _to_float64(model)
    bn = model[1]
    bn.gamma.data = rng.uniform(0.5, 1.5, 8)       # not the trivial 1/0
    bn.beta.data = rng.standard_normal(8) * 0.1
    net = _torch_twin(torch, model).train()

    x = rng.standard_normal((12, 5)) * 2 + 0.5
    y = rng.integers(0, 3, 12)
    loss = SoftmaxCrossEntropy()
    value = loss.forward(model.forward(x), y)
    grad_x = model.backward(loss.backward())

    tx = torch.tensor(x, requires_grad=True)
    tvalue = torch.nn.functional.cross_entropy(net(tx), torch.from_numpy(y))
    tvalue.backward()

    assert value == pytest.approx(tvalue.item(), rel=1e-12)
    pairs = [(model[0].W.grad, net[0].weight.grad.T), (model[0].b.grad, net[0].bias.grad),
             (bn.gamma.grad, net[1].weight.grad), (bn.beta.grad, net[1].bias.grad),
             (model[3].W.grad, net[3].weight.grad.T), (model[3].b.grad, net[3].bias.grad),
             (grad_x, tx.grad)]
    for mine, theirs in pairs:
        assert mine.dtype == np.float64
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-9, atol=1e-12)


def test_network_running_stats_and_eval_output_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    model = rk.Sequential(Dense(5, 8, rng=3), BatchNorm(8, momentum=0.9), ReLU(), Dense(8, 3, rng=4))
    _to_float64(model)
    net = _torch_twin(torch, model).train()
    m, steps = 10, 4
    for _ in range(steps):
        x = rng.standard_normal((m, 5)) * 3 + 1.0
        model.forward(x)
        with torch.no_grad():
            net(torch.from_numpy(x))
    bn, tbn = model[1], net[1]
    np.testing.assert_allclose(bn.running_mean, tbn.running_mean.numpy(), rtol=1e-12)
    # torch feeds the unbiased batch variance (m/(m-1)) into running_var
    k, decay = m / (m - 1), 0.9 ** steps
    np.testing.assert_allclose(decay + k * (bn.running_var - decay), tbn.running_var.numpy(),
                               rtol=1e-12)
    assert not np.allclose(bn.running_var, tbn.running_var.numpy(), rtol=1e-3)

    # with torch's running_var set to regkit's, the eval outputs agree
    with torch.no_grad():
        tbn.running_var.copy_(torch.from_numpy(bn.running_var))
    x = rng.standard_normal((7, 5))
    net.eval()
    np.testing.assert_allclose(model.predict(x), net(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-12, atol=1e-13)


# -- predict ---------------------------------------------------------------------

@pytest.mark.parametrize("start_training", [True, False])
def test_predict_restores_the_mode_it_found(start_training):
    model = small_model()
    model.train(start_training)
    model.predict(data())
    assert model.training is start_training
    assert all(layer.training is start_training for layer in model)


def test_predict_restores_mixed_modes_and_on_exception():
    class Boom(rk.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    model = rk.Sequential(Dense(6, 4, rng=0), BatchNorm(4), Boom())
    model[1].eval()                        # a frozen BatchNorm inside a training model
    with pytest.raises(RuntimeError, match="boom"):
        model.predict(data())
    assert [layer.training for layer in model] == [True, False, True]
    assert model.training


def test_predict_is_eval_mode_and_batching_does_not_matter():
    model = small_model()
    train_steps(model)                     # running statistics that are not 0/1
    x = data(101)
    full = model.predict(x, batch_size=1000)
    assert full.shape == (101, 3) and full.dtype == np.float32
    np.testing.assert_allclose(model.predict(x, batch_size=7), full, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.eval().forward(x), full, rtol=1e-5, atol=1e-6)
    model.train()
    # training mode (dropout, batch statistics) would give something else
    assert not np.allclose(model.forward(x), full, atol=1e-3)


def test_predict_validates_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        small_model().predict(data(), batch_size=0)


# -- state_dict --------------------------------------------------------------------

def test_state_dict_holds_copies():
    model = small_model()
    train_steps(model, n=2)
    state = model.state_dict()
    assert set(state) == {"0.W", "0.b", "1.gamma", "1.beta", "1.running_mean",
                          "1.running_var", "4.W", "4.b"}
    frozen = {k: v.copy() for k, v in state.items()}
    train_steps(model, n=3, seed=9)        # changes weights and running statistics
    assert not np.array_equal(model[0].W.data, frozen["0.W"])
    assert not np.array_equal(model[1].running_mean, frozen["1.running_mean"])
    for k in state:
        np.testing.assert_array_equal(state[k], frozen[k])


def test_load_state_dict_round_trip_and_copies_in():
    a, b = small_model(rng=0), small_model(rng=1)
    train_steps(a)
    state = a.state_dict()
    b.load_state_dict(state)
    x = data()
    np.testing.assert_array_equal(b.predict(x), a.predict(x))
    state["0.W"] += 100.0                  # the dict's arrays are not the model's
    np.testing.assert_array_equal(b.predict(x), a.predict(x))
    assert b[0].W.data.dtype == np.float32


def test_load_state_dict_errors_and_loads_nothing_on_error():
    model = small_model()
    before = model.state_dict()
    state = small_model(rng=5).state_dict()
    missing = dict(state)
    del missing["1.running_var"]
    with pytest.raises(ValueError, match=r"missing keys \['1.running_var'\]"):
        model.load_state_dict(missing)
    with pytest.raises(ValueError, match="unexpected keys.*'9.W'"):
        model.load_state_dict({**state, "9.W": np.zeros(2)})
    bad = dict(state)
    bad["4.W"] = np.zeros((3, 10), dtype=np.float32)
    with pytest.raises(ValueError, match=r"'4.W' has shape \(3, 10\).*\(10, 3\)"):
        model.load_state_dict(bad)
    with pytest.raises(TypeError, match="'0.b'"):
        model.load_state_dict({**state, "0.b": np.array(["a"] * 10)})
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


# -- save / load ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["model.npz", "model", "model.bin"])
def test_save_load_round_trip(tmp_path, name):
    model = small_model()
    train_steps(model)
    path = tmp_path / name
    model.save(path)
    assert os.listdir(tmp_path) == [name]  # exactly that path, no ".npz" appended
    np.load(path, allow_pickle=False).close()

    loaded = rk.load(path)
    x = data()
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.get_config() == model.get_config()
    assert [type(layer) for layer in loaded] == [type(layer) for layer in model]
    assert loaded[3].p == 0.3
    assert (loaded[1].momentum, loaded[1].eps) == (0.8, 1e-3)
    assert loaded[0].regularizer == L2(0.01)
    assert loaded[4].regularizer == ElasticNet(0.002, 0.02)
    assert loaded.penalty() == model.penalty()
    for key, value in model.state_dict().items():
        got = loaded.state_dict()[key]
        assert got.dtype == value.dtype
        np.testing.assert_array_equal(got, value)
    assert loaded.training                 # as a freshly built model


def test_save_load_float64_and_nested(tmp_path):
    model = rk.Sequential(rk.Sequential(Dense(3, 2, regularizer=L1(0.1), rng=0), ReLU()),
                          Dense(2, 2, rng=1))
    _to_float64(model)
    path = tmp_path / "nested.npz"
    model.save(path)
    loaded = rk.load(path)
    assert isinstance(loaded[0], rk.Sequential)
    assert [n for n, _ in loaded.named_parameters()] == ["0.0.W", "0.0.b", "1.W", "1.b"]
    assert loaded[0][0].W.data.dtype == np.float64
    x = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_save_overwrites_an_earlier_regkit_save(tmp_path):
    path = tmp_path / "m.npz"
    small_model(rng=0).save(path)
    second = small_model(rng=1)
    second.save(path)
    np.testing.assert_array_equal(rk.load(path)[0].W.data, second[0].W.data)


@pytest.mark.parametrize("content", [b"my notes\n", None])
def test_save_refuses_to_overwrite_a_file_that_is_not_a_regkit_model(tmp_path, content):
    path = tmp_path / "precious.npz"
    if content is None:
        np.savez(path, data=np.arange(5))
        content = path.read_bytes()
    else:
        path.write_bytes(content)
    with pytest.raises(FileExistsError, match="not a regkit model"):
        small_model().save(path)
    assert path.read_bytes() == content


def _pickled_npz(path, key):
    with open(path, "wb") as f:
        np.savez(f, **{key: np.array([{"evil": 1}], dtype=object)})


@pytest.mark.parametrize("make", [
    lambda p: np.savez(open(p, "wb"), a=np.arange(3), b=np.ones((2, 2))),   # no marker
    lambda p: _pickled_npz(p, "__regkit__"),                                 # pickle under the marker
    lambda p: _pickled_npz(p, "0.W"),                                        # pickle, no marker
    lambda p: p.write_text("0.W,0.b\n1,2\n"),                                # text file
    lambda p: np.save(open(p, "wb"), np.arange(3)),                          # a single .npy
    lambda p: np.savez(open(p, "wb"), __regkit__=np.array('{"format": "other"}')),
])
def test_load_rejects_files_that_are_not_regkit_models(tmp_path, make):
    path = tmp_path / "thing.npz"
    make(path)
    with pytest.raises(ValueError, match="not a regkit model"):
        rk.load(path)


def test_load_rejects_unknown_class_and_version(tmp_path):
    path = tmp_path / "m.npz"
    small_model().save(path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays["__regkit__"]))
    for change, message in [({"version": 99}, "version 99"),
                            ({"layers": [{"class": "NoSuchLayer", "config": {}}]}, "NoSuchLayer")]:
        with open(path, "wb") as f:
            np.savez(f, **{**arrays, "__regkit__": np.array(json.dumps({**header, **change}))})
        with pytest.raises(ValueError, match=message):
            rk.load(path)


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        rk.load(tmp_path / "nope.npz")


def test_the_file_format_is_unchanged(tmp_path):
    # the format moved to regkit/saving.py; files written before still load and
    # files written now still read the same: the same keys and the same header
    path = tmp_path / "m.npz"
    small_model().save(path)
    with np.load(path, allow_pickle=False) as npz:
        assert npz.files == ["0.W", "0.b", "1.gamma", "1.beta", "1.running_mean",
                             "1.running_var", "4.W", "4.b", "__regkit__"]
        header = str(npz["__regkit__"])
    assert header == (
        '{"format": "regkit.Sequential", "version": 1, "layers": ['
        '{"class": "Dense", "config": {"in_features": 6, "out_features": 10, '
        '"regularizer": {"class": "L2", "lam": 0.01}, "init": "he"}}, '
        '{"class": "BatchNorm", "config": {"num_features": 10, "momentum": 0.8, "eps": 0.001}}, '
        '{"class": "ReLU", "config": {}}, {"class": "Dropout", "config": {"p": 0.3}}, '
        '{"class": "Dense", "config": {"in_features": 10, "out_features": 3, '
        '"regularizer": {"class": "ElasticNet", "l1": 0.002, "l2": 0.02}, "init": "he"}}]}')


def test_save_load_nested_sequential_with_buffers(tmp_path):
    inner = rk.Sequential(Dense(6, 5, rng=0), BatchNorm(5, momentum=0.5))
    model = rk.Sequential(inner, ReLU(), Dense(5, 3, rng=1))
    model.forward(data())                              # running statistics move
    assert [n for n, _ in model.named_buffers()] == ["0.1.running_mean", "0.1.running_var"]
    path = tmp_path / "nested_bn.npz"
    model.save(path)
    loaded = rk.load(path)
    np.testing.assert_array_equal(loaded[0][1].running_mean, inner[1].running_mean)
    np.testing.assert_array_equal(loaded[0][1].running_var, inner[1].running_var)
    np.testing.assert_array_equal(loaded.predict(data()), model.predict(data()))


def test_load_and_sequential_are_importable_where_they_were():
    from regkit import network, saving
    assert network.load is saving.load is rk.load
    assert network.Sequential is rk.Sequential
