"""What the speed work must never break (no timings here: see benchmarks/).

* float32 stays float32 through a whole training step: every activation,
  gradient, parameter, optimizer state and running statistic (NumPy 2
  promotes silently when a float64 scalar or array sneaks in);
* the flat-buffer optimizers keep their layout (aligned views, decaying
  parameters first) and still honour a ``.data`` or ``.grad`` the user
  assigns (that they give the readable loop's bits: tests/test_fast_paths.py);
* ``backward(..., input_grad=False)`` skips work, never changes a gradient;
* training does not copy the data set (per batch or per epoch).
"""
import math
import tracemalloc

import numpy as np
import pytest

import regkit as rk
from regkit.module import Parameter
from regkit._fast.optim import FlatParams

F32 = np.float32


def all_layers_model(rng=0):
    """Every layer type, float32, with a regularizer."""
    return rk.Sequential(
        rk.Dense(12, 16, regularizer=rk.L2(1e-3), rng=rng), rk.BatchNorm(16), rk.ReLU(),
        rk.Dropout(0.3, rng=rng + 1),
        rk.DropConnect(16, 8, p=0.2, regularizer=rk.ElasticNet(1e-4, 1e-3), rng=rng + 2),
        rk.Tanh(), rk.Dense(8, 8, init="xavier", rng=rng + 3), rk.Sigmoid(),
        rk.Dense(8, 4, rng=rng + 4))


def assert_f32(name, arr):
    assert isinstance(arr, np.ndarray), f"{name} is {type(arr).__name__}"
    assert arr.dtype == F32, f"{name} has dtype {arr.dtype}"


# -- float32 end to end ------------------------------------------------------

@pytest.mark.parametrize("make_opt", [
    lambda ps, fused: rk.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3, fused=fused),
    lambda ps, fused: rk.Adam(ps, lr=1e-3, weight_decay=1e-4, fused=fused),
    lambda ps, fused: rk.AdamW(ps, lr=1e-3, weight_decay=0.05, fused=fused),
], ids=["sgd", "adam", "adamw"])
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
@pytest.mark.parametrize("target", ["labels", "smoothed", "mixup"])
def test_a_whole_training_step_stays_float32(make_opt, fused, target):
    rng = np.random.default_rng(0)
    model = all_layers_model()
    opt = make_opt(model.parameters(), fused)
    x = rng.standard_normal((32, 12), dtype=F32)
    y = rng.integers(0, 4, 32)
    loss = rk.SoftmaxCrossEntropy(label_smoothing=0.1 if target == "smoothed" else 0.0)
    if target == "mixup":
        x, y = rk.mixup(x, y, 0.4, 4, rng=1)
        assert_f32("mixed x", x)
        assert_f32("soft y", y)
    for step in range(2):
        opt.zero_grad()
        h = x
        for i, layer in enumerate(model):
            h = layer.forward(h)
            assert_f32(f"output of layer {i} ({layer!r})", h)
        value = loss.forward(h, y) + model.penalty()
        assert isinstance(value, float) and math.isfinite(value)
        g = loss.backward()
        assert_f32("loss gradient", g)
        for i in reversed(range(len(model))):
            g = model[i].backward(g)
            assert_f32(f"input gradient of layer {i}", g)
        for name, p in model.named_parameters():
            assert_f32(f"{name}.grad", p.grad)
        rk.clip_grad_norm(model.parameters(), 0.5)
        opt.step()
        rk.max_norm(model, 2.0)
    for name, p in model.named_parameters():
        assert_f32(f"{name}.data", p.data)
        assert_f32(f"{name}.grad", p.grad)
        for key, buf in opt.state[p].items():
            assert_f32(f"optimizer state {key} of {name}", buf)
    for name, buf in model.named_buffers():
        assert_f32(name, buf)


def test_fit_with_every_option_keeps_float32():
    rng = np.random.default_rng(1)
    x = rng.random((90, 4, 3), dtype=F32)
    y = rng.integers(0, 4, 90)
    model = rk.Sequential(rk.Flatten(), *all_layers_model(rng=5).layers)
    opt = rk.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    hist = rk.fit(model, x, y, loss=rk.SoftmaxCrossEntropy(label_smoothing=0.05),
                  optimizer=opt, epochs=2, batch_size=16, validation_data=(x[:20], y[:20]),
                  augment=rk.augment.gaussian_noise, mixup_alpha=0.2, clip_norm=1.0,
                  max_norm=3.0, rng=0, progress=False)
    assert all(math.isfinite(v) for v in hist.train_loss)
    for name, p in model.named_parameters():
        assert_f32(f"{name}.data", p.data)
        assert_f32(f"{name}.grad", p.grad)
    for name, buf in model.named_buffers():
        assert_f32(name, buf)
    assert_f32("predict", model.predict(x))


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_float64_parameters_stay_float64_through_a_step(fused):
    model = rk.Sequential(rk.Dense(3, 5, rng=0), rk.BatchNorm(5), rk.ReLU(), rk.Dense(5, 2, rng=1))
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    opt = rk.Adam(model.parameters(), weight_decay=1e-3, fused=fused)
    x = np.random.default_rng(0).standard_normal((8, 3))
    loss = rk.SoftmaxCrossEntropy()
    loss.forward(model.forward(x), np.arange(8) % 2)
    model.backward(loss.backward())
    opt.step()
    for name, p in model.named_parameters():
        assert p.data.dtype == np.float64 and p.grad.dtype == np.float64, name


# -- the flat buffers: layout and bookkeeping ---------------------------------
# (that they give the bits of the readable per-parameter loop, over hundreds of
# steps, is tests/test_fast_paths.py's job)

def ragged_params(rng, dtype=F32):
    # sizes that are not multiples of 16, decaying and non-decaying interleaved
    shapes = [((7, 5), True), ((5,), False), ((5, 3), True), ((3,), False), ((1, 1), True),
              ((33,), False)]
    return [Parameter(rng.standard_normal(s).astype(dtype), name=f"p{i}", decay=d)
            for i, (s, d) in enumerate(shapes)]


def test_parameters_are_aligned_views_into_one_flat_buffer():
    params = ragged_params(np.random.default_rng(0))
    opt = rk.Adam(params, weight_decay=0.1)
    (group,) = opt._flat.groups
    assert isinstance(group, FlatParams)
    for p in params:
        assert np.shares_memory(p.data, group.data)
        assert p.data.ctypes.data % FlatParams.ALIGN == 0
        assert p.data.flags.c_contiguous
    # the decaying parameters come first: weight decay is one slice
    decaying = [p for p in params if p.decay]
    end = max(p.data.ctypes.data + p.data.nbytes for p in decaying)
    assert group.n_decay * group.data.itemsize == end - group.data.ctypes.data
    before = [p.data for p in params]
    for p in params:
        p.grad = np.ones_like(p.data)
    opt.step()
    assert all(p.data is b for p, b in zip(params, before))     # updated in place
    # the padding between parameters stays zero
    used = np.zeros(group.data.size, bool)
    for p in params:
        start = (p.data.ctypes.data - group.data.ctypes.data) // group.data.itemsize
        used[start:start + p.data.size] = True
    assert np.all(group.data[~used] == 0) and np.all(group.state["v"][~used] == 0)


@pytest.mark.parametrize("cls", [rk.SGD, rk.Adam, rk.AdamW])
def test_assigned_data_is_copied_in_and_trained_from(cls):
    rng = np.random.default_rng(1)
    a, b = ragged_params(rng), ragged_params(np.random.default_rng(1))
    opt_a, opt_b = cls(a, lr=0.1), cls(b, lr=0.1)
    for p, q in zip(a, b):
        p.grad = q.grad = np.full(p.data.shape, 0.5, F32)
    opt_a.step()
    opt_b.step()
    new = rng.standard_normal(a[0].data.shape).astype(F32)
    kept = new.copy()
    a[0].data = new                                 # e.g. load_state_dict or a notebook
    b[0].data[...] = new                            # the same values, written in place
    opt_a.step()
    opt_b.step()
    for p, q in zip(a, b):
        assert np.array_equal(p.data, q.data)
    assert not np.array_equal(a[0].data, kept)      # it trained from the new values
    assert np.shares_memory(a[0].data, opt_a._flat.groups[0].data)   # a view again
    np.testing.assert_array_equal(new, kept)        # the array the user gave is untouched


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_assigned_data_of_another_shape_or_dtype_repacks_and_keeps_other_state(fused):
    params = ragged_params(np.random.default_rng(2))
    opt = rk.Adam(params, lr=0.1, fused=fused)
    for p in params:
        p.grad = np.ones_like(p.data)
    opt.step()
    m_kept = opt.state[params[2]]["m"].copy()
    params[0].data = np.zeros((2, 2), F32)          # a new shape: its state starts over
    params[1].data = params[1].data.astype(np.float64)   # a new dtype: its own flat group
    params[0].grad = np.ones((2, 2), F32)
    params[1].grad = np.ones(params[1].data.shape)
    opt.step()
    assert params[0].data.shape == (2, 2) and np.all(params[0].data < 0)
    assert params[1].data.dtype == np.float64 and opt.state[params[1]]["m"].dtype == np.float64
    if fused:
        assert len(opt._flat.groups) == 2
    # the unchanged parameter kept its first moment: m = 0.9 * m + 0.1 * 1
    one_minus_b1 = F32(1.0 - 0.9)
    np.testing.assert_array_equal(opt.state[params[2]]["m"], m_kept * F32(0.9) + one_minus_b1)
    np.testing.assert_array_equal(opt.state[params[0]]["m"], np.full((2, 2), one_minus_b1))


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_assigned_grad_is_read_and_never_written(fused):
    p = Parameter(np.ones(5, F32), decay=True)
    opt = rk.Adam([p], lr=0.1, weight_decay=0.5, fused=fused)
    g = np.arange(5, dtype=F32)
    p.grad = g
    opt.step()
    opt.step()
    np.testing.assert_array_equal(g, np.arange(5))  # coupled decay did not go into g
    assert p.grad is g
    opt.zero_grad()
    assert np.all(p.grad == 0) and p.grad is not g
    p.grad += 1.0                                    # PyTorch-style accumulation works
    before = p.data.copy()
    opt.step()
    assert np.all(p.data < before)


def test_two_optimizers_on_the_same_parameters_take_turns_correctly():
    # each flat optimizer copies in what the other one left in .data; the
    # reference is the same pair of optimizers on the readable path
    ours, ref = ragged_params(np.random.default_rng(4)), ragged_params(np.random.default_rng(4))
    start = [p.data.copy() for p in ours]
    sgd, adam = rk.SGD(ours, lr=0.1, momentum=0.5), rk.Adam(ours, lr=0.01, weight_decay=0.1)
    ref_sgd = rk.SGD(ref, lr=0.1, momentum=0.5, fused=False)
    ref_adam = rk.Adam(ref, lr=0.01, weight_decay=0.1, fused=False)
    rng = np.random.default_rng(0)
    for t in range(6):
        for p, q in zip(ours, ref):
            p.grad = rng.standard_normal(p.data.shape).astype(F32)
            q.grad = p.grad.copy()
        if t % 2:
            sgd.step()
            ref_sgd.step()
            assert np.shares_memory(ours[0].data, sgd._flat.groups[0].data)
        else:
            adam.step()
            ref_adam.step()
            assert np.shares_memory(ours[0].data, adam._flat.groups[0].data)
        for p, q in zip(ours, ref):
            assert np.array_equal(p.data, q.data), f"step {t}, {p.name}"
    assert all(not np.allclose(p.data, s) for p, s in zip(ours, start))


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_adam_matches_torch_on_ragged_parameters_with_reassignment(fused):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    params = ragged_params(rng, np.float64)
    tparams = [torch.tensor(p.data.copy(), requires_grad=True) for p in params]
    groups = [{"params": [t for t, p in zip(tparams, params) if p.decay]},
              {"params": [t for t, p in zip(tparams, params) if not p.decay],
               "weight_decay": 0.0}]
    opt = rk.Adam(params, lr=0.01, weight_decay=0.2, fused=fused)
    topt = torch.optim.Adam(groups, lr=0.01, weight_decay=0.2)
    for t in range(10):
        if t == 5:                                  # the user sets new values mid-run
            for p, tp in zip(params, tparams):
                p.data = p.data * 0.5
                with torch.no_grad():
                    tp.mul_(0.5)
        for p, tp in zip(params, tparams):
            g = rng.standard_normal(p.data.shape)
            p.grad, tp.grad = g, torch.from_numpy(g.copy())
        opt.step()
        topt.step()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-12, atol=1e-13)


def test_load_state_dict_after_the_optimizer_is_built_is_trained_from():
    x = np.random.default_rng(0).standard_normal((16, 4)).astype(F32)
    y = np.arange(16) % 3
    model = rk.Sequential(rk.Dense(4, 8, rng=0), rk.ReLU(), rk.Dense(8, 3, rng=1))
    twin = rk.Sequential(rk.Dense(4, 8, rng=9), rk.ReLU(), rk.Dense(8, 3, rng=9))
    opt = rk.SGD(model.parameters(), lr=0.1)
    model.load_state_dict(twin.state_dict())        # new arrays assigned to every .data
    rk.fit(model, x, y, loss=rk.SoftmaxCrossEntropy(), optimizer=opt, epochs=1,
           batch_size=16, shuffle=False, progress=False)
    fresh = rk.Sequential(rk.Dense(4, 8, rng=9), rk.ReLU(), rk.Dense(8, 3, rng=9))
    rk.fit(fresh, x, y, loss=rk.SoftmaxCrossEntropy(), optimizer=rk.SGD(fresh.parameters(), lr=0.1),
           epochs=1, batch_size=16, shuffle=False, progress=False)
    for (k, a), b in zip(model.state_dict().items(), fresh.state_dict().values()):
        assert np.array_equal(a, b), k


# -- skipping the input gradient changes no gradient ---------------------------

@pytest.mark.parametrize("first", ["dense", "flatten_dense", "dropconnect", "batchnorm",
                                   "nested"])
def test_backward_without_input_grad_gives_the_same_gradients(first):
    rng = np.random.default_rng(0)
    head = {"dense": [rk.Dense(6, 5, rng=1)],
            "flatten_dense": [rk.Flatten(), rk.Dense(6, 5, rng=1)],
            "dropconnect": [rk.DropConnect(6, 5, p=0.3, rng=1)],
            "batchnorm": [rk.BatchNorm(6), rk.Dense(6, 5, rng=1)],
            "nested": [rk.Sequential(rk.Flatten(), rk.Dense(6, 5, rng=1))]}[first]
    model = rk.Sequential(*head, rk.ReLU(), rk.Dropout(0.2, rng=3), rk.Dense(5, 3, rng=2))
    x = rng.standard_normal((10, 2, 3) if first == "flatten_dense" else (10, 6)).astype(F32)
    grad_out = rng.standard_normal((10, 3)).astype(F32)
    scores = model.forward(x)
    full = model.backward(grad_out)
    assert full.shape == x.shape
    grads = {k: p.grad.copy() for k, p in model.named_parameters()}
    assert model.backward(grad_out, input_grad=False) is None
    for k, p in model.named_parameters():
        assert np.array_equal(p.grad, grads[k]), k
    assert scores.dtype == F32


def test_backward_without_input_grad_does_not_call_leading_parameter_free_layers():
    class Boom(rk.Flatten):
        def backward(self, grad_y):
            raise AssertionError("called")
    model = rk.Sequential(Boom(), rk.Dense(4, 2, rng=0))
    x = np.ones((3, 2, 2), F32)
    model.forward(x)
    model.backward(np.ones((3, 2), F32), input_grad=False)
    with pytest.raises(AssertionError, match="called"):
        model.backward(np.ones((3, 2), F32))


def test_fit_gives_the_same_weights_as_a_loop_with_full_backward():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((64, 10)).astype(F32)
    y = rng.integers(0, 3, 64)

    def build():
        return rk.Sequential(rk.Dense(10, 16, rng=0), rk.BatchNorm(16), rk.ReLU(),
                             rk.Dropout(0.5, rng=1), rk.Dense(16, 3, rng=2))
    a, b = build(), build()
    rk.fit(a, x, y, loss=rk.SoftmaxCrossEntropy(), optimizer=rk.Adam(a.parameters()),
           epochs=1, batch_size=16, shuffle=False, progress=False)
    loss, opt = rk.SoftmaxCrossEntropy(), rk.Adam(b.parameters())
    b.train()
    for s in range(0, 64, 16):
        opt.zero_grad()
        loss.forward(b.forward(x[s:s + 16]), y[s:s + 16])
        b.backward(loss.backward())                          # with the input gradient
        opt.step()
    for (k, p), q in zip(a.named_parameters(), b.parameters()):
        assert np.array_equal(p.data, q.data), k


# -- no copy of the data set ---------------------------------------------------

def test_fit_allocates_far_less_than_a_copy_of_the_data():
    rng = np.random.default_rng(0)
    x = rng.random((5_000, 800), dtype=F32)           # 16 MB
    y = rng.integers(0, 10, 5_000)
    model = rk.Sequential(rk.Dense(800, 32, rng=0), rk.BatchNorm(32), rk.ReLU(),
                          rk.Dropout(0.5, rng=1), rk.Dense(32, 10, rng=2))
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        rk.fit(model, x, y, loss=rk.SoftmaxCrossEntropy(),
               optimizer=rk.Adam(model.parameters()), epochs=1, batch_size=128,
               validation_data=(x[:1000], y[:1000]), progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # a shuffled copy would be +100 %, a float64 copy +200 %, np.isfinite(x) +25 %
    assert peak - base < 0.2 * x.nbytes, f"{(peak - base) / x.nbytes:.0%} of the data"


def test_fit_does_not_modify_or_copy_the_callers_float32_array():
    x = np.random.default_rng(0).random((40, 6), dtype=F32)
    keep = x.copy()
    y = np.arange(40) % 2
    model = rk.Sequential(rk.Dense(6, 2, rng=0))
    rk.fit(model, x, y, loss=rk.SoftmaxCrossEntropy(), optimizer=rk.SGD(model.parameters(), lr=0.1),
           epochs=2, batch_size=8, augment=lambda b, rng=None: np.multiply(b, 2, out=b),
           progress=False)
    np.testing.assert_array_equal(x, keep)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "readable"])
def test_zero_grad_after_data_of_a_new_shape_gives_zeros_of_that_shape(fused):
    p, q = Parameter(np.ones(4, F32)), Parameter(np.ones((2, 3), F32), decay=False)
    opt = rk.SGD([p, q], lr=0.1, fused=fused)
    p.data = np.ones((5, 2), F32)
    opt.zero_grad()
    assert p.grad.shape == (5, 2) and q.grad.shape == (2, 3)
    assert np.all(p.grad == 0) and p.grad.dtype == F32
    opt.step()
    np.testing.assert_array_equal(p.data, np.ones((5, 2)))
