"""Check hand-written gradients against finite differences.

Every ``backward`` in regkit was derived by hand; these functions are how
the tests (and the notebooks, in front of the learner) show it is right::

    errors = rk.gradcheck.check_layer(rk.BatchNorm(3), x, h=1e-5)
    # {'x': ..., 'gamma': ..., 'beta': ...}: each should be far below 1e-7

How to read a relative error (float64, centred differences): about 1e-9 or
less is right; above 1e-5 the gradient is wrong. In between, look closer:
a kink (ReLU or L1 at 0) inside the +-h window does it, and so does
rounding: the difference quotient carries an absolute error of about
``1e-16 * |f| / h``, which is large *relative* to a gradient entry that
happens to be tiny (1e-5, say). Re-run with other inputs or h = 1e-5.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .module import Module

if TYPE_CHECKING:
    from collections.abc import Callable
    from numpy.typing import ArrayLike
    from ._typing import RNGLike
    from .losses import Loss


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       h: float = 1e-6) -> np.ndarray:
    """Centred differences ``(f(x + h e_i) - f(x - h e_i)) / 2h`` for every i.

    ``f`` maps the array ``x`` to a scalar. Each element of ``x`` is nudged
    IN PLACE and put back exactly afterwards, so ``f`` may read ``x`` itself
    or a layer's parameter that *is* ``x``. ``x`` must be float64: in
    float32 the rounding error of ``f`` divided by ``2h`` swamps the result.

    Returns: an array of x's shape, float64.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"x must be a float64 ndarray, got "
                        f"{getattr(x, 'dtype', type(x).__name__)}")
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f(x))
        x[idx] = old - h
        f_minus = float(f(x))
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a: ArrayLike, b: ArrayLike) -> float:
    """``max |a - b| / max(|a| + |b|, 1e-8)``, elementwise, as in CS231n.

    Scale-free where the values are large; the 1e-8 floor keeps entries
    that are both (nearly) zero from dividing by zero.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def check_layer(layer: Module, x: ArrayLike, *, grad_y: ArrayLike | None = None,
                rng: RNGLike = 0, h: float = 1e-6) -> dict[str, float]:
    """Relative errors of ``layer.backward`` against finite differences.

    The scalar checked is ``sum(layer.forward(x) * grad_y) + layer.penalty()``,
    whose gradient w.r.t. x is what ``backward(grad_y)`` returns and w.r.t.
    each parameter is what it stores in ``.grad``. ``grad_y`` is random by
    default (an all-ones upstream gradient would hide bugs: for BatchNorm
    the gradient of ``sum(y)`` w.r.t. x is zero).

    Everything runs in float64: x is copied to float64 and each parameter
    temporarily holds a float64 copy. The layer is left as it was found
    (parameters, gradients, running statistics and generators restored).
    The layer's mode is used as it is (call ``layer.train()`` or
    ``layer.eval()`` first); ``layer`` may also be a whole model.

    Random layers: every module in ``layer`` that has an ``rng`` attribute
    (Dropout, DropConnect) gets a freshly seeded generator before each
    forward, so every forward draws the same mask.

    Args:
        layer: a Module.
        x: its input.
        grad_y: the upstream gradient; random normal when None.
        rng: seed of the upstream gradient and of the fixed masks.
        h: the finite-difference step.

    Returns:
        ``{"x": err, "<param name>": err, ...}`` with param names from
        ``layer.named_parameters()``.
    """
    pairs = layer_gradients(layer, x, grad_y=grad_y, rng=rng, h=h)
    return {name: rel_error(analytic, numeric) for name, (analytic, numeric) in pairs.items()}


def layer_gradients(layer: Module, x: ArrayLike, *, grad_y: ArrayLike | None = None,
                    rng: RNGLike = 0, h: float = 1e-6) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The two gradients :func:`check_layer` compares: ``{name: (analytic, numeric)}``.

    Same arguments and conventions as :func:`check_layer`. The arrays
    themselves are what a relative error cannot show: a gradient that is 0
    both ways (a bias in front of a batch norm, whose batch mean takes it
    out) has a relative error of about 1, from rounding alone.
    """
    gen = np.random.default_rng(rng)
    mask_seed = int(gen.integers(2**32))
    x = np.array(x, dtype=np.float64)
    modules = layer.modules()
    stochastic = [m for m in modules
                  if hasattr(m, "rng") and (m.rng is None or isinstance(m.rng, np.random.Generator))]
    saved = _save_state(layer, modules, stochastic)
    try:
        for p in layer.parameters():
            p.data = np.array(p.data, dtype=np.float64)

        def forward():
            for m in stochastic:
                m.rng = np.random.default_rng(mask_seed)
            return layer.forward(x)

        y = forward()
        if grad_y is None:
            grad_y = gen.standard_normal(np.shape(y))
        grad_y = np.asarray(grad_y, dtype=np.float64)
        if grad_y.shape != np.shape(y):
            raise ValueError(f"grad_y must have the output's shape {np.shape(y)}, got {grad_y.shape}")
        analytic = {"x": np.array(layer.backward(grad_y), dtype=np.float64)}
        named = layer.named_parameters()
        analytic.update({name: np.array(p.grad, dtype=np.float64) for name, p in named})

        def objective(_):
            return np.sum(forward() * grad_y) + layer.penalty()

        pairs = {"x": (analytic["x"], numerical_gradient(objective, x, h))}
        for name, p in named:
            pairs[name] = (analytic[name], numerical_gradient(objective, p.data, h))
        return pairs
    finally:
        _restore_state(layer, saved)


def check_loss(loss: Loss, scores: ArrayLike, target: ArrayLike, *,
               h: float = 1e-6) -> dict[str, float]:
    """Relative error of ``loss.backward()`` against finite differences.

    ``scores`` (and a probability ``target``) are copied to float64.

    Returns: ``{"scores": err}``.
    """
    scores = np.array(scores, dtype=np.float64)
    target = np.asarray(target)
    if target.dtype.kind == "f":
        target = target.astype(np.float64)
    loss.forward(scores, target)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda s: loss.forward(s, target), scores, h)
    return {"scores": rel_error(analytic, numeric)}


def _save_state(layer, modules, stochastic):
    return {
        "params": [(p, p.data, p.grad) for p in layer.parameters()],
        "buffers": [(buf, buf.copy()) for m in modules for _, buf in m.named_buffers()],
        "rngs": [(m, m.rng) for m in stochastic],
    }


def _restore_state(layer, saved):
    for p, data, grad in saved["params"]:
        p.data, p.grad = data, grad
    for buf, copy in saved["buffers"]:
        buf[...] = copy
    for m, gen in saved["rngs"]:
        m.rng = gen
