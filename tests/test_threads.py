"""rk.cpu_threads and the optimizers' update in two halves (threads.in_halves).

The halves must change nothing but the speed: every optimizer, on a model
large enough to be split, gives bit for bit the one-thread result.
"""
import threading
import time
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
    monkeypatch.setattr(threads, "_cores", lambda: 2)
    n = threads.MIN_PARALLEL * 2
    assert covered(n, 2) == [(0, n // 2), (n // 2, n)]


def in_two_threads(first, second):
    """in_halves where the main half waits until the worker has started its half."""
    started = threading.Event()

    def update(start, stop):
        if start == 0:
            assert started.wait(10), "the worker never started"
            first()
        else:
            started.set()
            second()
    with rk.cpu_threads(2):
        threads.in_halves(update, threads.MIN_PARALLEL * 2)


def test_an_error_in_the_worker_half_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(threads, "_cores", lambda: 2)

    def fail():
        raise FloatingPointError("second half")
    with pytest.raises(FloatingPointError, match="second half"):
        in_two_threads(lambda: None, fail)


def test_an_error_in_the_main_half_waits_for_the_worker(monkeypatch):
    monkeypatch.setattr(threads, "_cores", lambda: 2)
    done = []

    def fail():
        raise KeyError("first half")

    def slow():
        time.sleep(0.2)
        done.append(True)
    with pytest.raises(KeyError, match="first half"):
        in_two_threads(fail, slow)
    assert done == [True]                     # nothing was still writing when it was caught


def test_the_worker_half_obeys_the_callers_errstate(monkeypatch):
    # NumPy keeps errstate per thread: a split update must not turn an
    # overflow that raises on one thread into a warning on the other
    monkeypatch.setattr(threads, "_cores", lambda: 2)
    big = np.full(4, 3e38, dtype=F32)

    def overflow():
        big * big
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        in_two_threads(lambda: None, overflow)


SHAPES = {
    # the split falls inside the decaying block: both halves see both kinds
    "split in decaying": [((300, 250), True), ((250,), False), ((250, 130), True),
                          ((130,), False)],
    # most numbers do not decay: the second half has none that do
    "split after decaying": [((20, 30), True), ((300, 250), False), ((7,), False)],
}


def big_params(seed, shapes, dtypes=(F32,)):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.standard_normal(s).astype(dtypes[i % len(dtypes)]), name=f"p{i}",
                      decay=d) for i, (s, d) in enumerate(shapes)]


@pytest.mark.parametrize("dtypes", [(F32,), (np.float64,), (F32, np.float64)],
                         ids=["float32", "float64", "two dtypes"])
@pytest.mark.parametrize("layout", list(SHAPES))
@pytest.mark.parametrize("make", [
    lambda ps: rk.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
    lambda ps: rk.Adam(ps, lr=0.01, weight_decay=0.1),
    lambda ps: rk.AdamW(ps, lr=0.01, weight_decay=0.1),
], ids=["sgd", "adam", "adamw"])
def test_two_threads_update_bit_for_bit_like_one(make, layout, dtypes, monkeypatch):
    monkeypatch.setattr(threads, "_cores", lambda: 2)     # split even on one core
    one, two = (big_params(0, SHAPES[layout], dtypes) for _ in range(2))
    opt_one, opt_two = make(one), make(two)
    biggest = max(opt_two._groups, key=lambda grp: grp.size)
    assert biggest.size > threads.MIN_PARALLEL             # so it is really split
    inside = biggest.size // 2 < biggest.n_decay
    assert inside == (layout == "split in decaying")
    rng = np.random.default_rng(1)
    for _ in range(5):
        for a, b in zip(one, two):
            a.grad = rng.standard_normal(a.shape).astype(a.data.dtype)
            b.grad = a.grad.copy()
        with rk.cpu_threads(1):
            opt_one.step()
        with rk.cpu_threads(2):
            opt_two.step()
    for a, b in zip(one, two):
        assert a.data.dtype == b.data.dtype
        assert np.array_equal(a.data, b.data), a.name
        for key in opt_one.state[a]:
            assert np.array_equal(opt_one.state[a][key], opt_two.state[b][key]), key
