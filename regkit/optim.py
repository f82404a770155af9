"""Optimizers, in order of increasing complexity: SGD, Adam, AdamW.

Every optimizer holds a list of Parameters and, at ``step()``, reads each
parameter's ``.data`` and ``.grad`` afresh (so a user who assigns a new array
to either is honoured) and updates ``.data`` in place.

Weight decay, two ways (the whole point of having both Adam and AdamW):

* **coupled** (SGD, Adam): the L2 gradient joins the data gradient,
  ``g = grad + wd * w``, and then goes through the optimizer's machinery.
  For plain SGD this *is* the chapter's ``w := w(1 - lr*lambda) - lr*grad``.
  For Adam the decay is then divided by ``sqrt(v)``, so weights with large
  gradients are barely decayed.
* **decoupled** (AdamW): the weights shrink directly, ``w := w(1 - lr*wd)``,
  and Adam's update uses the data gradient alone.

Weight decay applies only to parameters with ``decay=True`` (layers set
``decay=False`` for biases and BatchNorm's gamma/beta). In PyTorch that is
two parameter groups, the non-decaying one with ``weight_decay=0``::

    torch.optim.SGD([{"params": decaying},
                     {"params": non_decaying, "weight_decay": 0.0}],
                    lr=lr, momentum=m, weight_decay=wd)

Each update below matches the corresponding ``torch.optim`` class
(``tests/test_torch_optim.py`` checks the trajectories).
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import check_nonnegative, check_positive, check_real
from .module import Module, Parameter


def _check_unit_interval(name: str, value) -> float:
    """A momentum-like coefficient in [0, 1)."""
    return check_real(name, value, low=0.0, high=1.0, high_inclusive=False)


class Optimizer:
    """Base class: holds the parameters, the learning rate and per-parameter state.

    Args:
        params: an iterable of Parameters, e.g. ``model.parameters()``.
        lr: learning rate (> 0). A plain attribute: a schedule may change
            ``opt.lr`` between steps.
        weight_decay: decay strength (>= 0), applied to ``decay=True``
            parameters only.

    Attributes:
        params (list[Parameter]): what ``step()`` updates.
        state (dict): ``{Parameter: {"name": ndarray, ...}}``, created at the
            first step, in the parameter's dtype.
    """

    def __init__(self, params, lr, weight_decay=0.0):
        if isinstance(params, (Module, Parameter, np.ndarray)):
            raise TypeError(
                f"params must be an iterable of Parameters such as "
                f"model.parameters(), got {type(params).__name__}")
        self.params = list(params)
        if not self.params:
            raise ValueError("params is empty: the optimizer has nothing to update")
        for i, p in enumerate(self.params):
            if not isinstance(p, Parameter):
                raise TypeError(f"params[{i}] must be a Parameter, got {type(p).__name__}")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("params contains the same Parameter twice; "
                             "it would be updated twice per step")
        self.lr = check_positive("lr", lr)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.state: dict[Parameter, dict[str, np.ndarray]] = {}

    def zero_grad(self) -> None:
        """Set every gradient to zeros (a new array: one the user assigned is never written to)."""
        for p in self.params:
            p.grad = np.zeros_like(p.data)

    def step(self) -> None:
        raise NotImplementedError

    def _grad(self, p: Parameter) -> np.ndarray:
        """The current gradient of ``p``, checked against the shape of ``p.data``."""
        if np.shape(p.grad) != p.data.shape:
            raise ValueError(f"{p.name or 'parameter'}: grad has shape {np.shape(p.grad)} "
                             f"but data has shape {p.data.shape}")
        return p.grad

    def _decay(self, p: Parameter) -> float:
        """The weight decay that applies to ``p`` (0.0 for ``decay=False``)."""
        return self.weight_decay if p.decay else 0.0

    def _buffer(self, p: Parameter, key: str) -> np.ndarray:
        """Per-parameter state array, zeros in ``p``'s dtype on first use."""
        state = self.state.setdefault(p, {})
        buf = state.get(key)
        if buf is None or buf.shape != p.data.shape:
            buf = state[key] = np.zeros_like(p.data)
        return buf

    def __repr__(self):
        hyper = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({hyper}, params={len(self.params)})"

    def _hyper(self) -> dict:
        return {"lr": self.lr, "weight_decay": self.weight_decay}


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and (coupled) weight decay.

    For each parameter ``w`` with gradient ``grad``::

        g = grad + wd * w                    # wd only when w.decay is True
        buf = g                  (first step)
        buf = momentum * buf + g (later steps; skipped when momentum == 0)
        w  := w - lr * buf

    Without momentum this is the chapter's update
    ``w := w(1 - lr*lambda) - lr*grad`` with ``lambda = weight_decay``:
    weight decay and an ``L2(lam=weight_decay)`` penalty are the same thing
    for SGD. Identical to ``torch.optim.SGD(params, lr, momentum,
    weight_decay=wd)`` (dampening 0, no Nesterov).

    Args:
        params: iterable of Parameters.
        lr: learning rate, > 0.
        momentum: in [0, 1); 0 is plain SGD.
        weight_decay: >= 0, for ``decay=True`` parameters only.
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = _check_unit_interval("momentum", momentum)

    def step(self) -> None:
        lr, mu = self.lr, self.momentum
        for p in self.params:
            g, wd = self._grad(p), self._decay(p)
            if wd:
                g = g + wd * p.data                     # coupled: the L2 gradient
            if mu:
                buf = self._buffer(p, "momentum")       # zeros at first, so buf = g
                buf *= mu
                buf += g
                g = buf
            p.data -= lr * g

    def _hyper(self):
        return {"lr": self.lr, "momentum": self.momentum, "weight_decay": self.weight_decay}


class Adam(Optimizer):
    """Adam, with weight decay coupled into the gradient (as ``torch.optim.Adam``).

    At step ``t = 1, 2, ...``, for each parameter ``w``::

        g = grad + wd * w                          # coupled L2 (decay=True only)
        m = beta1 * m + (1 - beta1) * g            # first moment
        v = beta2 * v + (1 - beta2) * g**2         # second moment
        w := w - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    The decay term is rescaled by ``1/sqrt(v)`` like any gradient, so it is
    *not* the shrinkage ``w(1 - lr*wd)`` of SGD; use AdamW for that.

    Args:
        params: iterable of Parameters.
        lr: learning rate, > 0.
        betas: ``(beta1, beta2)``, each in [0, 1).
        eps: > 0, added to the denominator.
        weight_decay: >= 0, for ``decay=True`` parameters only.
    """

    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (_check_unit_interval("betas[0]", beta1),
                      _check_unit_interval("betas[1]", beta2))
        self.eps = check_positive("eps", eps)
        self.t = 0

    def step(self) -> None:
        self.t += 1
        lr, eps, (b1, b2) = self.lr, self.eps, self.betas
        # Python floats, so float32 parameters stay float32.
        step_size = lr / (1.0 - b1 ** self.t)
        sqrt_bc2 = math.sqrt(1.0 - b2 ** self.t)
        for p in self.params:
            g, wd = self._grad(p), self._decay(p)
            if wd and self.decoupled:
                p.data *= 1.0 - lr * wd                 # AdamW: shrink the weights directly
            elif wd:
                g = g + wd * p.data                     # Adam: L2 gradient joins g
            m, v, tmp = (self._buffer(p, k) for k in ("m", "v", "tmp"))
            m *= b1
            np.multiply(g, 1.0 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - b2
            v += tmp
            np.sqrt(v, out=tmp)                         # tmp becomes the denominator
            tmp /= sqrt_bc2
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p.data -= tmp

    def _hyper(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay}


class AdamW(Adam):
    """Adam with decoupled weight decay (as ``torch.optim.AdamW``, same default 0.01).

    At step ``t``, for each parameter ``w``::

        w := w * (1 - lr * wd)                     # decay=True only, before the update
        m, v, w  as in Adam, from the data gradient alone (no wd * w in g)

    The shrink factor is the chapter's ``(1 - lr*lambda)``, applied whatever
    the gradient's scale, which Adam's coupled decay does not do.

    Args: as :class:`Adam`, with ``weight_decay=0.01``.
    """

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr, betas, eps, weight_decay)
