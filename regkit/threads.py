"""How many threads regkit may use: `blas_threads` and `cpu_threads`.

The matrix products inside a layer run in a BLAS library (OpenBLAS, MKL)
that starts several threads per product. For the small networks and
batches of this course, waking threads costs more than it saves, and on a
small machine one thread is often fastest: a second thread gains little
(1.2-1.35x on an MNIST-sized epoch) and, when another process keeps the
cores busy, makes every product wait for it (2-4x slower, sometimes far
worse). So ``rk.fit`` trains on one thread unless told otherwise::

    hist = rk.fit(model, x, y, ..., threads=2)      # or None: leave BLAS alone

and any other code can do the same::

    with rk.blas_threads(1):
        scores = model.predict(x)

It uses ``threadpoolctl`` when that is installed and does nothing
otherwise (regkit's core needs NumPy only). The previous limits come back
when the ``with`` block ends. No environment variable is touched.

Besides the matrix products, one more piece of work is big enough to share:
an optimizer's elementwise update of a large model (Adam touches every
weight a dozen times per step; on a 235,000-weight network that is a third
of an epoch). NumPy runs it on one core, but it releases the GIL inside
each operation, so two Python threads, each updating half of the flat
parameter array, really run at once. ``cpu_threads(n)`` sets both limits;
it is what ``rk.fit(threads=n)`` uses::

    with rk.cpu_threads(2):          # BLAS on 2 threads, updates in 2 halves
        for xb, yb in batches: ...
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

from ._validate import check_int


@contextlib.contextmanager
def blas_threads(n):
    """Limit BLAS to ``n`` threads inside the ``with`` block (``None``: no change).

    Args:
        n: threads, >= 1, or None to leave the current setting alone.

    Yields:
        True when the limit is in force, False when it could not be set
        (threadpoolctl missing, or ``n`` is None).
    """
    if n is None:
        yield False
        return
    n = check_int("n", n, low=1)
    controller = _controller()
    if controller is None:
        yield False
        return
    with controller.limit(limits=n, user_api="blas"):
        yield True


_cached = (None, -1)


def _controller():
    """A ``threadpoolctl.ThreadpoolController``, or None without threadpoolctl.

    Finding the loaded BLAS libraries takes a few milliseconds (more than
    a slider's retrain can spare when ``fit`` is called again and again),
    so the controller is kept and only rebuilt after new modules were
    imported, which is how a new BLAS library can arrive.
    """
    global _cached
    controller, n_modules = _cached
    if controller is None or n_modules != len(sys.modules):
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return None
        controller = ThreadpoolController()
        _cached = (controller, len(sys.modules))
    return controller


# -- elementwise work in two halves ------------------------------------------

#: threads an optimizer's elementwise update may use (set by cpu_threads)
_update_threads = 1
#: below this many elements a second thread costs more than it saves
#: (handing work to a thread takes ~20-50 microseconds; measured on 2 cores,
#: Adam on 65,536 float32 weights takes ~0.2 ms)
MIN_PARALLEL = 1 << 16
_pool = None
_pool_lock = threading.Lock()


@contextlib.contextmanager
def cpu_threads(n):
    """Let regkit use ``n`` threads inside the ``with`` block (``None``: no change).

    Sets the BLAS limit (as :func:`blas_threads`) and the number of threads
    an optimizer's update of a large model (>= ``MIN_PARALLEL`` numbers)
    is split over. Only 1 and 2 make a difference to the update: it is
    split in at most two halves. Both settings are process-wide, like
    BLAS's own, so two threads of a program should not set different ones.
    Without threadpoolctl the BLAS limit cannot be set (``False`` is
    yielded), but the update is still split. ``rk.fit(threads=...)`` sets
    its own value inside an enclosing ``cpu_threads`` block (``threads=None``
    keeps the enclosing one).

    Yields:
        as :func:`blas_threads`.
    """
    global _update_threads
    if n is None:
        yield False
        return
    n = check_int("n", n, low=1)
    before, _update_threads = _update_threads, n
    try:
        with blas_threads(n) as active:
            yield active
    finally:
        _update_threads = before


def in_halves(update, n: int) -> None:
    """Call ``update(start, stop)`` to cover ``range(n)``, on two threads if allowed.

    ``update`` must only touch elements ``[start, stop)`` of its arrays, so
    the halves cannot interfere. Without permission (``cpu_threads``), for
    small ``n`` or on one core it is simply ``update(0, n)``.

    The main thread does the first half while a worker does the second, under
    the caller's ``np.errstate`` (NumPy keeps it per thread). If the worker
    has not even started when the first half is done (another process has
    the other core), the main thread takes the second half back and does it
    too, so a busy machine costs no waiting. Whichever half fails, the other
    has finished before the error reaches the caller, so no array is still
    being written to when it is caught.
    """
    if _update_threads < 2 or n < MIN_PARALLEL or _cores() < 2:
        update(0, n)
        return
    mid = (n // 2) // 16 * 16             # a multiple of 16 (64 bytes of float32)
    pending = _worker().submit(_with_errstate, np.geterr(), update, mid, n)
    try:
        update(0, mid)
    except BaseException:
        if not pending.cancel():
            wait([pending])               # let the worker finish its half first
        raise
    if pending.cancel():                  # the worker never started it
        update(mid, n)
    else:
        pending.result()                  # re-raises the worker's exception, if any


def _with_errstate(err: dict, update, start: int, stop: int) -> None:
    with np.errstate(**err):
        update(start, stop)


def _cores() -> int:
    """CPUs this process may run on (respects pinning, e.g. taskset or a container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                # not on Linux
        return os.cpu_count() or 1


def _worker() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:                      # two threads asking at once get one pool
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="regkit-update")
        return _pool


def _forget_worker():
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):       # a child made by fork has no worker thread
    os.register_at_fork(after_in_child=_forget_worker)
