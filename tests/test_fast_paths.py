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


# -- dropout masks --------------------------------------------------------------
# regkit/_fast/dropout.py (raw 32-bit integers against an integer limit, what the
# layers use by default) against regkit.functional.dropout_mask (the chapter's
# rng.random(shape, dtype=float32) < 1 - p): the same mask, and the generator
# goes on with the same numbers.

from regkit import functional as F                     # noqa: E402
from regkit._fast import dropout as fast_dropout        # noqa: E402

F32 = np.float32


def _near(q):
    """Python floats p whose 1 - p is q, or the double just above or below it."""
    q = float(q)
    return [1 - q, 1 - np.nextafter(q, 2.0), 1 - np.nextafter(q, -1.0)]


#: drop rates: the notebooks' (0, 0.1 ... 0.8), the tiny and the nearly 1, and
#: rates whose 1 - p sits on a float32 value, next to one, or half-way between
#: two (where rounding to float32 decides)
MASK_PS = sorted({0.0, 1e-12, 2.0 ** -26, 2.0 ** -25, 2.0 ** -24, 1e-7, 0.05, 0.1, 0.2, 0.25,
                  0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1 - 2.0 ** -24, 1 - 2.0 ** -23, 1 - 1e-12,
                  *_near(F32(0.7)), *_near(F32(0.9)), *_near(F32(0.3)),
                  *_near(np.nextafter(F32(0.7), F32(1))),
                  1 - (float(F32(0.7)) + float(np.nextafter(F32(0.7), F32(1)))) / 2,
                  1 - (float(F32(0.25)) + float(np.nextafter(F32(0.25), F32(1)))) / 2})

BIT_GENERATORS = [np.random.PCG64, np.random.PCG64DXSM, np.random.Philox, np.random.SFC64,
                  np.random.MT19937]


class UnlistedBits(np.random.PCG64):
    """A bit generator the fast path does not know: it must take the readable path."""


def future_state(bits):
    """The bit generator's state as far as later draws can see it: ``uinteger``
    (the kept 32-bit half) matters only while ``has_uint32`` is set."""
    state = bits.state
    if not state.get("has_uint32", 0):
        state.pop("uinteger", None)
    return repr(state)


def twin_generators(kind, seed=3, kept=False):
    """Two identical generators; ``kept=True`` leaves a 32-bit half kept in both
    (one float32 draw), as shuffling or float32 initialisation often does."""
    gens = [np.random.Generator(kind(seed)) for _ in range(2)]
    if kept:
        for g in gens:
            g.random(1, dtype=np.float32)
    return gens


def test_keep_limit_is_the_float32_comparison_for_every_possible_draw():
    # all 2**24 values the float32 draw can take, k * 2**-24: exactly those
    # with k < L / 256 pass the readable comparison
    u = np.arange(2 ** 24, dtype=np.float32) * F32(2.0 ** -24)
    for p in MASK_PS + [np.float64(0.3), F32(0.3), np.float64(1 - 2.0 ** -30)]:
        limit = fast_dropout.keep_limit(p)
        assert limit % 256 == 0
        assert np.count_nonzero(u < 1 - p) == limit // 256, f"p={p!r}"
        # and at the 32-bit level, around the limit
        u32 = np.array([0, limit - 257, limit - 256, limit - 1, limit, limit + 1, limit + 255,
                        2 ** 32 - 1], dtype=np.int64)
        u32 = u32[(u32 >= 0) & (u32 < 2 ** 32)].astype(np.uint32)
        floats = (u32 >> 8).astype(np.float32) * F32(2.0 ** -24)
        assert np.array_equal(floats < 1 - p, u32.astype(np.int64) < limit), f"p={p!r}"


def test_keep_limit_of_p_outside_zero_one_is_none():
    assert fast_dropout.keep_limit(float("nan")) is None
    assert fast_dropout.keep_limit(-0.5) is None
    assert fast_dropout.keep_limit(1.5) is None


@pytest.mark.parametrize("kind", BIT_GENERATORS + [UnlistedBits], ids=lambda k: k.__name__)
@pytest.mark.parametrize("kept", [False, True], ids=["fresh", "kept-half"])
def test_fast_and_readable_masks_are_identical(kind, kept):
    # consecutive draws from one generator: odd and even sizes alternate, so
    # every combination of "a half kept before" and "a half left after" occurs
    shapes = [(7,), (3, 5), (64, 33), 1, (0,), (128, 256), (2, 3, 5), (9, 1)]
    readable_gen, fast_gen = twin_generators(kind, kept=kept)
    for p in MASK_PS:
        for shape in shapes:
            want = F.dropout_mask(shape, p, readable_gen)
            got = fast_dropout.dropout_mask(shape, p, fast_gen)
            assert got.dtype == bool and got.shape == np.shape(want), (p, shape)
            assert np.array_equal(got, want), (
                f"p={p!r} shape={shape}: {np.count_nonzero(got != want)} elements differ")
            assert future_state(fast_gen.bit_generator) == future_state(
                readable_gen.bit_generator), (p, shape)
    # and the generators go on with the same numbers
    assert np.array_equal(fast_gen.random(5, dtype=np.float32),
                          readable_gen.random(5, dtype=np.float32))
    assert np.array_equal(fast_gen.permutation(101), readable_gen.permutation(101))


@pytest.mark.parametrize("p", [0.3, np.float64(0.3), F32(0.3), 0.5])
def test_fast_mask_follows_the_precision_of_p_as_the_readable_one_does(p):
    # a NumPy float64 p is compared in float64, a Python float in float32
    readable_gen, fast_gen = twin_generators(np.random.PCG64, seed=8)
    for _ in range(20):
        assert np.array_equal(fast_dropout.dropout_mask((300, 301), p, fast_gen),
                              F.dropout_mask((300, 301), p, readable_gen))


def test_p_zero_keeps_everything_and_draws_nothing_on_both_paths():
    for mask_fn in (F.dropout_mask, fast_dropout.dropout_mask):
        gen = np.random.default_rng(4)
        before = gen.bit_generator.state
        assert mask_fn((6, 7), 0.0, gen).all()
        assert gen.bit_generator.state == before


def test_threshold_rates_change_masks_only_inside_their_window():
    # the old fast threshold round((1 - p) * 2**32) against the exact one: the
    # number of 32-bit values (of 2**32) on which they disagree, as reported
    windows = {p: fast_dropout.keep_limit(p) - round((1 - p) * 2.0 ** 32)
               for p in (0.1, 0.2, 0.25, 0.3, 0.5)}
    assert windows == {0.1: -102, 0.2: 51, 0.25: 0, 0.3: -51, 0.5: 0}


@pytest.mark.parametrize("make", [
    lambda fast_mask: rk.Dropout(0.3, rng=np.random.default_rng(1), fast_mask=fast_mask),
    lambda fast_mask: rk.DropConnect(6, 5, p=0.4, rng=2, fast_mask=fast_mask),
], ids=["dropout", "dropconnect"])
def test_layers_give_the_same_bits_with_either_mask(make):
    x = np.random.default_rng(3).standard_normal((9, 6)).astype(np.float32)
    fast_layer, plain_layer = make(True), make(False)
    for step in range(25):
        rows = x[: 9 - step % 2]                       # odd and even mask sizes
        assert_same_bits(fast_layer(rows), plain_layer(rows), f"forward {step}")
        assert np.array_equal(fast_layer.mask, plain_layer.mask)
        g = np.ones((len(rows), 5 if isinstance(fast_layer, rk.Dense) else 6), np.float32)
        assert_same_bits(fast_layer.backward(g), plain_layer.backward(g), f"backward {step}")
    assert future_state(fast_layer.rng.bit_generator) == future_state(
        plain_layer.rng.bit_generator)


def mask_model(fast_mask, gen):
    # one generator for the initial weights and the masks (as rk.mlp(rng=seed)):
    # the float32 initialisation leaves a kept 32-bit half behind or not
    return rk.Sequential(rk.Dense(10, 16, rng=gen), rk.BatchNorm(16), rk.ReLU(),
                         rk.Dropout(0.3, rng=gen, fast_mask=fast_mask),
                         rk.DropConnect(16, 3, p=0.2, rng=gen, fast_mask=fast_mask))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_with_fast_masks_matches_the_readable_masks(seed):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((97, 10)).astype(np.float32)      # an odd last batch
    y = rng.integers(0, 3, 97)
    runs = []
    for fast_mask in (True, False):
        model = mask_model(fast_mask, np.random.default_rng(seed))
        hist = rk.fit(model, x, y, loss=rk.SoftmaxCrossEntropy(),
                      optimizer=rk.Adam(model.parameters(), lr=1e-2), epochs=4,
                      batch_size=16, rng=0, progress=False)
        runs.append((model.state_dict(), hist.train_loss))
    (fast_state, fast_loss), (plain_state, plain_loss) = runs
    for key in fast_state:
        assert_same_bits(fast_state[key], plain_state[key], key)
    assert fast_loss == plain_loss
