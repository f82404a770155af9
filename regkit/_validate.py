"""Argument checks shared by every module.

Each raises a ValueError/TypeError that names the argument and the value it
got, so a learner sees at once what to fix. Nothing is clipped silently.
"""
from __future__ import annotations

import math
import numbers

import numpy as np


def check_real(name: str, value: object, *, low: float | None = None,
               high: float | None = None, low_inclusive: bool = True,
               high_inclusive: bool = True) -> float:
    """Return ``value`` as a float after checking it is a finite real in range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (v < low or (v == low and not low_inclusive)):
        bracket = "[" if low_inclusive else "("
        raise ValueError(f"{name} must be in {bracket}{low}, {high if high is not None else 'inf'}"
                         f"{']' if high_inclusive and high is not None else ')'}, got {value!r}")
    if high is not None and (v > high or (v == high and not high_inclusive)):
        bracket = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be in {'[' if low_inclusive else '('}"
                         f"{low if low is not None else '-inf'}, {high}{bracket}, got {value!r}")
    return v


def check_nonnegative(name: str, value: object) -> float:
    """A finite real >= 0 (regularisation strengths, weight decay)."""
    return check_real(name, value, low=0.0)


def check_positive(name: str, value: object) -> float:
    """A finite real > 0 (learning rates, epsilons, norms)."""
    return check_real(name, value, low=0.0, low_inclusive=False)


def check_probability(name: str, value: object) -> float:
    """A drop probability in [0, 1): p = 1 would drop everything and divide by 0."""
    return check_real(name, value, low=0.0, high=1.0, high_inclusive=False)


def check_flag(name: str, value: object) -> bool:
    """True or False (NumPy's bools too); a string such as "no" is not a flag."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_int(name: str, value: object, *, low: int | None = None) -> int:
    """An int (not a bool), optionally >= low."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r}")
    v = int(value)
    if low is not None and v < low:
        raise ValueError(f"{name} must be >= {low}, got {value!r}")
    return v


def check_array(name: str, x: object, *, ndim: int | None = None,
                finite: bool = True) -> np.ndarray:
    """Return ``x`` as a floating ndarray (no copy when it already is one).

    Integer and boolean input is converted to float32; float16/32/64 keep
    their dtype so float64 gradient checks stay float64.
    """
    arr = np.asarray(x)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float32)
    elif arr.dtype.kind != "f":
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s)")
    return arr
