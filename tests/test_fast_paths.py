"""The private fast paths of ``regkit._fast`` give the bits of the readable code.

Each section runs one computation twice, through the fast path (what
``rk.fit`` and the notebooks use by default) and through the plain code a
learner reads, and compares raw bits: the arrays are viewed as unsigned
integers, so a NaN, a -0.0 or a last-place rounding difference all count.
IEEE addition, multiplication, division and square root are correctly
rounded, so the two agree exactly when they perform the same operations in
the same order, element by element; any reordering shows up here within a
few steps.
"""
import numpy as np
import pytest

import regkit as rk
from regkit.module import Parameter
from regkit.optim import ProximalSGD


def bits(a):
    """The raw bits of a float array, as unsigned integers of the same width."""
    a = np.ascontiguousarray(a)
    return a.view({4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


def assert_same_bits(a, b, what):
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} vs {b.dtype}"
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs {b.shape}"
    differ = bits(a) != bits(b)
    assert not differ.any(), (f"{what}: {differ.sum()} of {a.size} elements differ "
                              f"(max |diff| {np.max(np.abs(a - b))})")


# -- optimizers ---------------------------------------------------------------
# fused=True (the default: flat buffers, regkit/_fast/optim.py) against
# fused=False (the per-parameter loop of regkit/optim.py).

STEPS = 240

#: shapes that are not multiples of the 64-byte alignment, decay flags mixed
SHAPES = [((7, 5), True), ((5,), False), ((5, 3), True), ((3,), False), ((1, 1), True),
          ((33,), False), ((4, 3, 2), True)]

OPTIMIZERS = {
    "sgd": lambda ps, **kw: rk.SGD(ps, lr=0.05, **kw),
    "sgd_momentum": lambda ps, **kw: rk.SGD(ps, lr=0.05, momentum=0.9, **kw),
    "sgd_decay": lambda ps, **kw: rk.SGD(ps, lr=0.05, weight_decay=0.1, **kw),
    "sgd_momentum_decay": lambda ps, **kw: rk.SGD(ps, lr=0.05, momentum=0.9,
                                                  weight_decay=0.1, **kw),
    "adam": lambda ps, **kw: rk.Adam(ps, lr=0.01, **kw),
    "adam_decay": lambda ps, **kw: rk.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6,
                                           weight_decay=0.3, **kw),
    "adamw": lambda ps, **kw: rk.AdamW(ps, lr=0.02, weight_decay=0.5, **kw),
    "prox": lambda ps, **kw: ProximalSGD(ps, lr=0.05, l1=0.3, **kw),
    "prox_momentum_decay": lambda ps, **kw: ProximalSGD(ps, lr=0.05, l1=0.1, momentum=0.5,
                                                        weight_decay=0.05, **kw),
}


def twin_params(dtype, shapes=SHAPES, seed=0):
    """Two independent lists of equal Parameters, one per path."""
    rng = np.random.default_rng(seed)
    values = [(rng.standard_normal(s).astype(dtype), d) for s, d in shapes]
    return tuple([Parameter(v.copy(), name=f"p{i}", decay=d) for i, (v, d) in enumerate(values)]
                 for _ in range(2))


def give_grads(fast, plain, rng, t):
    """The same random gradient to both twins, arriving in the ways training uses."""
    for a, b in zip(fast, plain):
        g = rng.standard_normal(a.data.shape) * (10.0 ** rng.integers(-3, 2))
        g[rng.random(g.shape) < 0.1] = 0.0                   # some exact zeros, too
        if t % 3 == 0:                                       # zero_grad, then accumulate
            a.grad += g.astype(a.data.dtype)
            b.grad += g.astype(b.data.dtype)
        elif t % 7 == 1:                                     # float64 onto float32 data
            a.grad, b.grad = g, g.copy()
        else:
            a.grad, b.grad = g.astype(a.data.dtype), g.astype(b.data.dtype)


def assert_same_optimizer(fast_opt, plain_opt, fast, plain, when):
    for a, b in zip(fast, plain):
        assert_same_bits(a.data, b.data, f"{when}, {a.name}.data")
        assert fast_opt.state[a].keys() == plain_opt.state[b].keys()
        for key in fast_opt.state[a]:
            assert_same_bits(fast_opt.state[a][key], plain_opt.state[b][key],
                             f"{when}, state {key!r} of {a.name}")
    assert getattr(fast_opt, "t", None) == getattr(plain_opt, "t", None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fused_and_readable_optimizers_give_the_same_bits(name, dtype):
    fast, plain = twin_params(dtype)
    start = [p.data.copy() for p in fast]
    fast_opt = OPTIMIZERS[name](fast)                        # the default path
    plain_opt = OPTIMIZERS[name](plain, fused=False)
    assert fast_opt.fused and not plain_opt.fused
    rng = np.random.default_rng(1)
    zeros = 0                                                # weights the threshold zeroed
    for t in range(STEPS):
        if t == 80:                                          # a schedule changes lr
            fast_opt.lr = plain_opt.lr = fast_opt.lr * 0.3
        if t == 120:                                         # the user sets new values
            for i in (0, 3):
                new = rng.standard_normal(fast[i].data.shape).astype(dtype)
                fast[i].data, plain[i].data = new, new.copy()
        if t == 160:                                         # ... of a new shape: state restarts
            new = rng.standard_normal((2, 9)).astype(dtype)
            fast[5].data, plain[5].data = new, new.copy()
        if t % 3 == 0:
            fast_opt.zero_grad()
            plain_opt.zero_grad()
        give_grads(fast, plain, rng, t)
        fast_opt.step()
        plain_opt.step()
        assert_same_optimizer(fast_opt, plain_opt, fast, plain, f"step {t}")
        zeros += sum(int(np.sum(p.data == 0)) for p in fast if p.decay)
    for a, s in zip(fast, start):                            # the run did something
        assert a.data.dtype == dtype
        if a.data.shape == s.shape:
            assert not np.allclose(a.data, s)
    assert (zeros > 0) == name.startswith("prox")            # and the threshold bit


@pytest.mark.parametrize("name", ["sgd_momentum_decay", "adam_decay", "adamw", "prox"])
def test_fused_and_readable_agree_with_mixed_dtypes_and_a_dtype_change(name):
    # fused packs one flat array per dtype and repacks when a dtype changes
    fast32, plain32 = twin_params(np.float32, SHAPES[:4], seed=2)
    fast64, plain64 = twin_params(np.float64, SHAPES[4:], seed=3)
    fast, plain = fast32 + fast64, plain32 + plain64
    fast_opt, plain_opt = OPTIMIZERS[name](fast), OPTIMIZERS[name](plain, fused=False)
    assert len(fast_opt._flat.groups) == 2
    rng = np.random.default_rng(4)
    for t in range(STEPS):
        if t == 100:                                         # float32 -> float64, state cast
            fast[1].data = fast[1].data.astype(np.float64)
            plain[1].data = plain[1].data.astype(np.float64)
        give_grads(fast, plain, rng, t if t % 3 else t + 1)  # no accumulation across a cast
        fast_opt.step()
        plain_opt.step()
        assert_same_optimizer(fast_opt, plain_opt, fast, plain, f"step {t}")
    assert fast[1].data.dtype == np.float64 and len(fast_opt._flat.groups) == 2


def small_model():
    return rk.Sequential(rk.Dense(10, 16, regularizer=rk.L2(1e-3), rng=0), rk.BatchNorm(16),
                         rk.ReLU(), rk.Dropout(0.3, rng=1), rk.Dense(16, 3, rng=2))


@pytest.mark.parametrize("make", [
    lambda ps, **kw: rk.Adam(ps, lr=1e-2, weight_decay=1e-4, **kw),
    lambda ps, **kw: rk.AdamW(ps, lr=1e-2, **kw),
    lambda ps, **kw: rk.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3, **kw),
], ids=["adam", "adamw", "sgd"])
def test_fit_with_the_default_optimizer_matches_the_readable_one(make):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((96, 10)).astype(np.float32)
    y = rng.integers(0, 3, 96)
    runs = []
    for kw in ({}, {"fused": False}):
        model = small_model()
        opt = make(model.parameters(), **kw)
        hist = rk.fit(model, x, y, loss=rk.SoftmaxCrossEntropy(), optimizer=opt, epochs=4,
                      batch_size=16, validation_data=(x[:32], y[:32]), clip_norm=1.0,
                      rng=0, progress=False)
        runs.append((model.state_dict(), hist))
    (fast_state, fast_hist), (plain_state, plain_hist) = runs
    for key in fast_state:
        assert_same_bits(fast_state[key], plain_state[key], key)
    assert fast_hist.train_loss == plain_hist.train_loss
    assert fast_hist.val_loss == plain_hist.val_loss
    assert not np.allclose(fast_state["0.W"], small_model().state_dict()["0.W"])
