"""`blas_threads`: how many threads NumPy's matrix products may use.

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

The previous limits come back when the ``with`` block ends.
:func:`limit_blas_threads` sets the same limit until further notice (the
notebooks' ``setup_notebook`` does); both go through it. It uses
``threadpoolctl`` when that is installed and does nothing otherwise
(regkit's core needs NumPy only). No environment variable is touched (one
is read: ``REGKIT_BLAS_THREADS``, for the portability check only, see
:mod:`regkit.portability`).
"""
from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

from ._validate import check_int
from .portability import blas_threads_override

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextlib.contextmanager
def blas_threads(n: int | None) -> Iterator[bool]:
    """Limit BLAS to ``n`` threads inside the ``with`` block (``None``: no change).

    Args:
        n: threads, >= 1, or None to leave the current setting alone.

    Yields:
        True when the limit is in force, False when it could not be set
        (threadpoolctl missing, or ``n`` is None).
    """
    limiter = None if n is None else limit_blas_threads(n)
    if limiter is None:
        yield False
        return
    with limiter:                      # gives the previous limits back on exit
        yield True


def limit_blas_threads(n, *, name: str = "n"):
    """Limit BLAS to ``n`` threads from now on; the one place regkit does it.

    ``REGKIT_BLAS_THREADS``, when set, replaces ``n`` (the portability
    check, see :mod:`regkit.portability`).

    Args:
        n: threads, >= 1.
        name: the argument's name in the caller, for the error message.

    Returns:
        threadpoolctl's limiter (its ``restore_original_limits()``, or
        leaving it as a context manager, puts the previous limits back), or
        None when threadpoolctl is not installed and nothing was changed.
    """
    n = blas_threads_override(check_int(name, n, low=1))
    controller = _controller()
    if controller is None:
        return None
    return controller.limit(limits=n, user_api="blas")


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
