"""The shared machinery of the exercise checkers."""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field

import numpy as np


class Problem(Exception):
    """A wrong answer found while unpacking the learner's result (a tuple
    where a number was due, ...): raise it inside a check and
    :func:`check_all` reports its message as the problem."""


@dataclass
class Feedback:
    """The result of a checker: ``passed`` and the messages for the learner."""

    name: str
    passed: bool
    messages: list[str] = field(default_factory=list)

    def __str__(self):
        head = f"✔ {self.name}: passed" if self.passed else f"✘ {self.name}: not yet"
        return "\n".join([head] + [f"  - {m}" for m in self.messages])

    __repr__ = __str__

    def __bool__(self):
        return self.passed


def check_all(name: str, checks) -> Feedback:
    """Run ``checks`` (callables returning None when fine or a message) in
    order and stop at the first problem, so the learner fixes one thing at
    a time. A check that raises is reported, with the exception, as a
    problem of the learner's code."""
    for check in checks:
        try:
            problem = check()
        except Problem as wrong:
            problem = str(wrong)
        except NotImplementedError:
            return Feedback(name, False, ["not implemented yet: replace the "
                                          "`raise NotImplementedError` / `...` with your code"])
        except Exception as exc:  # the learner's code raised
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            return Feedback(name, False, [f"your code raised {last}"])
        if problem:
            return Feedback(name, False, [problem])
    return Feedback(name, True, [])


def compare_arrays(what: str, got, want, *, atol=1e-6, rtol=1e-5) -> str | None:
    """None when ``got`` matches ``want`` in shape and value, else a message."""
    if got is None:
        return f"{what}: your function returned None (did you forget `return`?)"
    got = np.asarray(got)
    want = np.asarray(want)
    if got.shape != want.shape:
        return f"{what}: shape {got.shape}, expected {want.shape}"
    if not np.allclose(got, want, atol=atol, rtol=rtol):
        i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape) if want.ndim else ()
        return (f"{what}: got {np.round(got, 4).tolist()}, expected "
                f"{np.round(want, 4).tolist()} (largest difference at index {tuple(int(k) for k in i)})")
    return None


def answer_array(fn, name: str, arrays, extra=(), *, shape) -> np.ndarray:
    """Call the learner's ``fn(*arrays, *extra)`` on copies; its answer as a float64 array.

    Raises :class:`Problem` (reported by :func:`check_all`) when ``fn``
    changed an input in place, returned None, or returned another shape.
    """
    copies = [np.array(a, copy=True) for a in arrays]
    got = fn(*copies, *extra)
    if not all(np.array_equal(c, a) for c, a in zip(copies, arrays)):
        raise Problem(f"{name} changed an input array in place; return a new array")
    if got is None:
        raise Problem(f"{name} returned None (did you forget `return`?)")
    got = np.asarray(got, dtype=np.float64)
    if got.shape != tuple(shape):
        raise Problem(f"{name} must return an array of shape {tuple(shape)}, got {got.shape}")
    return got
