"""Type aliases of regkit's annotations (PEP 484; the package ships ``py.typed``).

Only imported under ``typing.TYPE_CHECKING``: with ``from __future__ import
annotations`` every annotation stays a string at run time, so these names
cost nothing when regkit runs and help editors and type checkers read it.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, Union

import numpy as np

#: what every ``rng=`` argument accepts: a seed, a Generator (used as is) or
#: None (regkit's global generator, which :func:`regkit.seed` reseeds); see
#: :func:`regkit.as_rng`
RNGLike = Union[int, np.integer, np.random.Generator, None]
#: a file name
PathLike = Union[str, "os.PathLike[str]"]

if TYPE_CHECKING:
    from .history import History


class HasHistory(Protocol):
    """Keras' ``History``: an object with a ``.history`` dict of per-epoch lists."""

    history: Mapping[str, Sequence[float]]


#: what ``rk.read_log`` and ``rk.diagnose`` read: a regkit History, a Keras
#: History (or its ``.history`` dict), or the path of a CSV/JSON log
LogSource = Union["History", HasHistory, Mapping[str, Sequence[float]], PathLike]

__all__ = ["HasHistory", "LogSource", "PathLike", "RNGLike"]
