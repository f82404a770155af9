"""Two switches that make this machine round like another one.

A seeded run fixes the random numbers, not the arithmetic. Another CPU
(AVX2 instead of AVX-512, FMA or not), another BLAS kernel or another
thread count rounds float32 sums differently, and training amplifies the
difference. The course checks that what its notebooks print survives
that (``make test-portable``) by playing another machine on this one.
Two of the ways it does so live in regkit and are switched on by an
environment variable, read when the work is done (so a kernel started
with it set sees it); they are for that check only, never for learning:

``REGKIT_NUDGE_INIT=1``
    Every freshly drawn weight matrix (:func:`regkit.functional.init_weights`)
    is moved up by one unit in the last place, element by element. That is
    the size of the difference another CPU's rounding makes after one
    operation, and training carries it along as it would carry that one.
``REGKIT_BLAS_THREADS=N``
    :func:`regkit.blas_threads` uses N threads wherever it is asked for a
    number (``rk.fit``'s default ``threads=1`` included), as a machine
    whose course was set up for more threads would.

The third way, NumPy's own ``NPY_DISABLE_CPU_FEATURES``, needs nothing
from regkit. Unset or empty, both switches leave everything as it is.
"""
from __future__ import annotations

import os

import numpy as np

NUDGE_INIT = "REGKIT_NUDGE_INIT"
BLAS_THREADS = "REGKIT_BLAS_THREADS"


def nudge_init(w: np.ndarray) -> np.ndarray:
    """``w`` moved up by one ulp in place when ``REGKIT_NUDGE_INIT`` is set."""
    flag = os.environ.get(NUDGE_INIT, "")
    if flag in ("", "0"):
        return w
    if flag != "1":
        raise ValueError(f"{NUDGE_INIT} must be '1', '0' or unset, got {flag!r}")
    np.nextafter(w, np.inf, out=w)
    return w


def blas_threads_override(n: int) -> int:
    """``n``, or the thread count ``REGKIT_BLAS_THREADS`` asks for instead."""
    value = os.environ.get(BLAS_THREADS, "")
    if value == "":
        return n
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads < 1:
        raise ValueError(f"{BLAS_THREADS} must be a whole number >= 1, got {value!r}")
    return threads
