"""Two constraints that act outside the loss: gradient clipping and max-norm.

* :func:`clip_grad_norm` runs *between* ``backward`` and ``optimizer.step()``:
  it caps the length of the whole gradient, against exploding gradients.
* :func:`max_norm` runs *after* ``optimizer.step()``: it caps the length of
  each unit's incoming weight vector, a hard limit often paired with dropout.

Neither adds a penalty term; they change the arrays directly.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._validate import check_positive
from .module import Module, Parameter, check_parameters

if TYPE_CHECKING:
    from collections.abc import Iterable
    from .module import Module, Parameter

#: PyTorch's guard in ``clip_grad_norm_``: scale = max_norm / (norm + 1e-6).
_CLIP_EPS = 1e-6


def clip_grad_norm(params: Iterable[Parameter], max_norm: float,
                   error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so that their global L2 norm is at most ``max_norm``.

    The norm is taken over every gradient as if they were one long vector::

        norm = sqrt(sum over params of sum(grad**2))
        scale = max_norm / (norm + 1e-6)
        if scale < 1:  grad := grad * scale     (for every parameter)

    so the direction of the step is kept and only its length is capped (the
    chapter's ``g * theta / ||g||``; the ``1e-6`` is PyTorch's, which keeps
    the division safe and leaves the clipped norm a hair under ``max_norm``).
    Same as ``torch.nn.utils.clip_grad_norm_(params, max_norm)``. Call it
    after ``backward`` and before ``optimizer.step()``.

    Each clipped ``.grad`` is replaced by a new array (an array the user
    assigned to ``.grad`` is never written to).

    Args:
        params: an iterable of Parameters, e.g. ``model.parameters()``.
        max_norm: the largest allowed global norm, > 0.
        error_if_nonfinite: raise a ValueError when the norm is NaN or
            infinite (as PyTorch's argument). Otherwise such a norm is
            returned and the gradients are left unchanged (PyTorch would
            fill them with NaN or zeros), so the caller can see the
            divergence.

    Returns:
        The global norm *before* clipping, as a Python float.
    """
    max_norm = check_positive("max_norm", max_norm)
    params = check_parameters(params, "params", allow_single=True)
    total = math.sqrt(sum(_sum_of_squares(p.grad) for p in params))
    if not math.isfinite(total):
        if error_if_nonfinite:
            raise ValueError(f"clip_grad_norm: the gradient norm is {total}; "
                             "training has diverged (lower the learning rate?)")
        return total
    scale = max_norm / (total + _CLIP_EPS)
    if scale < 1.0:
        for p in params:
            p.grad = p.grad * scale                     # Python float: dtype kept
    return total


def max_norm(target: Module | Iterable[Parameter], c: float) -> int:
    """Rescale every unit's incoming weight vector whose L2 norm exceeds ``c`` back to ``c``.

    For a Dense ``W`` of shape ``(in_features, out_features)``, unit ``j``'s
    incoming weights are the column ``W[:, j]``::

        n_j = ||W[:, j]||
        if n_j > c:  W[:, j] := W[:, j] * c / n_j    (other columns untouched)

    Call it after ``optimizer.step()``. Biases are not constrained.
    ``W`` is changed in place (as an optimizer step is).

    Mapping: Keras ``kernel_constraint=MaxNorm(c, axis=0)`` on a Dense kernel
    (Keras adds 1e-7 to the norm; regkit does not, so a rescaled column ends
    at exactly ``c`` up to rounding). PyTorch stores ``Linear.weight`` as
    ``(out, in)``, so there it is ``torch.renorm(weight, 2, 0, c)`` (rows).

    Args:
        target: a Dense layer (anything with a 2-D ``W`` Parameter), a
            Sequential (every layer with such a ``W``, nested included) or a
            list of 2-D Parameters.
        c: the largest allowed norm, > 0.

    Returns:
        The number of columns that were rescaled (0 when none exceeded ``c``).
    """
    c = check_positive("c", c)
    rescaled = 0
    for w in _weight_matrices(target):
        norms = np.sqrt(np.einsum("ij,ij->j", w.data, w.data))
        over = norms > c
        if over.any():
            w.data[:, over] *= c / norms[over]
            rescaled += int(over.sum())
    return rescaled


def _sum_of_squares(g) -> float:
    flat = np.ravel(g)
    return float(np.dot(flat, flat))


def _weight_matrices(target) -> list[Parameter]:
    """The 2-D weight Parameters that ``max_norm`` constrains in ``target``."""
    if isinstance(target, Module):
        found = _module_weights(target)
        if not found:
            raise ValueError(f"target {type(target).__name__} has no layer with a 2-D W "
                             "(max_norm constrains Dense weights)")
        return found
    params = check_parameters(target, "target", allow_single=True)
    for i, p in enumerate(params):
        if p.data.ndim != 2:
            raise ValueError(f"target[{i}] must be a 2-D weight matrix, got shape {p.data.shape}")
    return params


def _module_weights(module: Module) -> list[Parameter]:
    """Every 2-D ``W`` Parameter in ``module``'s tree, each once, in walk order."""
    found: list[Parameter] = []
    for m in module.modules():
        w = getattr(m, "W", None)
        if isinstance(w, Parameter) and w.data.ndim == 2 and not any(w is q for q in found):
            found.append(w)
    return found
