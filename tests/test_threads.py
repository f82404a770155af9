"""rk.cpu_threads and the optimizers' update in two halves (threads.in_halves).

The halves must change nothing but the speed: every optimizer, on a model
large enough to be split, gives bit for bit the one-thread result.
"""
from concurrent.futures import Future

import numpy as np
import pytest

import regkit as rk
from regkit import threads
from regkit.module import Parameter

F32 = np.float32


def test_cpu_threads_sets_both_limits_and_restores_them():
    tp = pytest.importorskip("threadpoolctl")
    before = [i["num_threads"] for i in tp.threadpool_info() if i["user_api"] == "blas"]
    assert threads._update_threads == 1
    with rk.cpu_threads(2) as active:
        assert active and threads._update_threads == 2
        inside = [i["num_threads"] for i in tp.threadpool_info() if i["user_api"] == "blas"]
        assert set(inside) == {2}
        with rk.cpu_threads(1):
            assert threads._update_threads == 1
        assert threads._update_threads == 2
    assert threads._update_threads == 1
    assert [i["num_threads"] for i in tp.threadpool_info() if i["user_api"] == "blas"] == before
    with rk.cpu_threads(None) as active:
        assert not active and threads._update_threads == 1


def test_cpu_threads_restores_after_an_exception_and_checks_n():
    with pytest.raises(KeyError), rk.cpu_threads(2):
        raise KeyError("boom")
    assert threads._update_threads == 1
    with pytest.raises(ValueError, match="n"), rk.cpu_threads(0):
        pass


def covered(n, allowed):
    calls = []
    with rk.cpu_threads(allowed):
        threads.in_halves(lambda a, b: calls.append((a, b)), n)
    return sorted(calls)


def test_in_halves_covers_the_range_once():
    n = threads.MIN_PARALLEL + 37
    halves = covered(n, 2)
    if len(halves) == 2:                       # a machine with two cores or more
        (a0, a1), (b0, b1) = halves
        assert a0 == 0 and a1 == b0 and b1 == n and a1 % 16 == 0
    else:
        assert halves == [(0, n)]
    assert covered(n, 1) == [(0, n)]                              # not allowed
    assert covered(threads.MIN_PARALLEL - 1, 2) == [(0, threads.MIN_PARALLEL - 1)]  # small


class NeverStarts:
    """A pool whose worker is never scheduled (another process has the core)."""

    def submit(self, fn, *args):
        return Future()                          # pending forever, so cancel() succeeds


def test_main_thread_does_the_second_half_when_the_worker_never_starts(monkeypatch):
    monkeypatch.setattr(threads, "_worker", NeverStarts)
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    n = threads.MIN_PARALLEL * 2
    assert covered(n, 2) == [(0, n // 2), (n // 2, n)]


def test_an_error_in_the_worker_half_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)

    def update(start, stop):
        if start > 0:
            raise FloatingPointError(f"half {start}:{stop}")
    with rk.cpu_threads(2), pytest.raises(FloatingPointError, match="half"):
        threads.in_halves(update, threads.MIN_PARALLEL * 2)


def big_params(seed):
    # more numbers than MIN_PARALLEL, decaying and not, so the split falls
    # inside the decaying block and both halves see both kinds
    rng = np.random.default_rng(seed)
    shapes = [((300, 250), True), ((250,), False), ((250, 130), True), ((130,), False)]
    return [Parameter(rng.standard_normal(s, dtype=F32), name=f"p{i}", decay=d)
            for i, (s, d) in enumerate(shapes)]


@pytest.mark.parametrize("make", [
    lambda ps: rk.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
    lambda ps: rk.Adam(ps, lr=0.01, weight_decay=0.1),
    lambda ps: rk.AdamW(ps, lr=0.01, weight_decay=0.1),
], ids=["sgd", "adam", "adamw"])
def test_two_threads_update_bit_for_bit_like_one(make, monkeypatch):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)   # split even on one core
    one, two = big_params(0), big_params(0)
    assert sum(p.size for p in one) > threads.MIN_PARALLEL
    opt_one, opt_two = make(one), make(two)
    group = opt_two._groups[0]
    assert group.size // 2 < group.n_decay               # the split is inside the decaying part
    rng = np.random.default_rng(1)
    for _ in range(5):
        for a, b in zip(one, two):
            a.grad = b.grad = rng.standard_normal(a.shape, dtype=F32)
        with rk.cpu_threads(1):
            opt_one.step()
        with rk.cpu_threads(2):
            opt_two.step()
    for a, b in zip(one, two):
        assert np.array_equal(a.data, b.data), a.name
        for key in opt_one.state[a]:
            assert np.array_equal(opt_one.state[a][key], opt_two.state[b][key]), key
