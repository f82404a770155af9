"""Where regkit's randomness comes from.

regkit never touches NumPy's global random state. Every stochastic piece
(initialisation, Dropout, shuffling, augmentation, mixup) takes
``rng=None | int | np.random.Generator`` and turns it into a Generator with
:func:`as_rng`:

* ``None``  -> regkit's own default generator, which :func:`seed` resets;
* ``int``   -> a fresh ``np.random.default_rng(int)`` (same int, same numbers);
* ``Generator`` -> used as it is (its state advances).
"""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ._typing import RNGLike

_default_rng = np.random.default_rng()


def seed(n: int) -> np.random.Generator:
    """Reset regkit's default generator so that ``rng=None`` is reproducible.

    Same seed, same numbers::

        rk.seed(0); a = rk.Dense(3, 2).W.data
        rk.seed(0); b = rk.Dense(3, 2).W.data   # a == b
    """
    global _default_rng
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"seed: n must be an int, got {n!r}")
    if n < 0:
        raise ValueError(f"seed: n must be >= 0, got {n}")
    _default_rng = np.random.default_rng(int(n))
    return _default_rng


def as_rng(rng: RNGLike = None) -> np.random.Generator:
    """Turn ``None | int | Generator`` into a ``np.random.Generator``."""
    if rng is None:
        return _default_rng
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng must be a seed >= 0 (or None, or a Generator), got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be None, an int or a numpy.random.Generator, got {rng!r}"
    )
