"""`blas_threads`: how many threads NumPy's matrix products may use.

The matrix products inside a layer run in a BLAS library (OpenBLAS, MKL)
that starts several threads per product. For the small networks and
batches of this course, waking threads costs more than it saves, and on a
small machine one thread is often fastest. Try it::

    with rk.blas_threads(1):
        hist = rk.fit(model, x, y, ...)

It uses ``threadpoolctl`` when that is installed and does nothing
otherwise (regkit's core needs NumPy only). The previous limits come back
when the ``with`` block ends. No environment variable is touched.
"""
from __future__ import annotations

import contextlib

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
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield False
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield True
