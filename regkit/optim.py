"""Optimizers, in order of increasing complexity: SGD, ProximalSGD, Adam, AdamW.

Every optimizer holds a list of Parameters and, at ``step()``, reads each
parameter's ``.data`` and ``.grad`` afresh (so a user who assigns a new array
to either is honoured) and updates ``.data`` in place, one parameter ``w``
at a time, with that parameter's state in ``self.state[p]``::

    SGD          g = grad + wd * w
                 buf = momentum * buf + g                 (state "momentum")
                 w  -= lr * buf
    ProximalSGD  SGD, then w = sign(w) * max(|w| - lr * l1, 0)     (decay=True only)
    Adam         g = grad + wd * w
                 m = beta1 * m + (1 - beta1) * g          (state "m")
                 v = beta2 * v + (1 - beta2) * g**2       (state "v")
                 w -= lr * m_hat / (sqrt(v_hat) + eps),
                      m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)
    AdamW        w *= 1 - lr * wd, then Adam on the data gradient alone

``w``, ``grad`` and every state array have the parameter's shape and dtype
(float32 stays float32). Each class's ``step()`` is that loop, a few lines
per parameter; Adam's folds its two bias corrections into two scalars per
step (see :meth:`Adam.step`).

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

The fast path. Like ``torch.optim``'s ``foreach``/``fused`` flags, every
optimizer takes ``fused`` (default True, so ``rk.fit`` and the notebooks
run it): the parameters are packed back to back into one flat array per
dtype and one step is a dozen NumPy calls in all instead of a dozen per
parameter (``regkit/_fast/optim.py``). It performs the same floating-point
operations in the same order, element by element, so ``fused=True`` and
``fused=False`` give bit-identical weights (``tests/test_fast_paths.py``).
Pass ``fused=False`` to run the loops you read here.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._fast.optim import FlatStorage, adam_update, sgd_update
from ._validate import check_nonnegative, check_positive, check_real
from .module import Parameter, check_parameters

if TYPE_CHECKING:
    from collections.abc import Iterable


def _check_unit_interval(name: str, value) -> float:
    """A momentum-like coefficient in [0, 1)."""
    return check_real(name, value, low=0.0, high=1.0, high_inclusive=False)


def _check_grad_shape(p: Parameter) -> None:
    """A gradient must have its parameter's shape (no silent broadcasting)."""
    if np.shape(p.grad) != np.shape(p.data):
        raise ValueError(f"{p.name or 'parameter'}: grad has shape "
                         f"{np.shape(p.grad)} but data has shape {np.shape(p.data)}")


class Optimizer:
    """Base class: holds the parameters, the learning rate and per-parameter state.

    Args:
        params: an iterable of Parameters, e.g. ``model.parameters()``.
        lr: learning rate (> 0). A plain attribute: a schedule may change
            ``opt.lr`` between steps.
        weight_decay: decay strength (>= 0), applied to ``decay=True``
            parameters only.
        fused: True (default) for the fast flat-buffer step of
            ``regkit/_fast/optim.py``, False for the per-parameter loop of
            this file. Both give the same bits; they differ in bookkeeping:
            with ``fused=True`` every ``p.data`` becomes a view into the
            optimizer's flat array, and a ``.data`` the user assigns is
            copied in at the next step (the array they handed over is never
            written); with ``fused=False`` the step updates whatever array
            ``p.data`` is, in place, as ``torch.optim`` does.

    Attributes:
        params (list[Parameter]): what ``step()`` updates.
        state (dict): ``{Parameter: {"name": ndarray, ...}}`` (Adam's ``m``
            and ``v``, SGD's ``momentum``), in the parameter's dtype and
            shape, zeros until the first step. Data of a new shape assigned
            by the user starts its state again from zeros.
        fused (bool): which path ``step()`` runs; fixed at construction.
    """

    #: names of the per-parameter state arrays a subclass keeps
    state_keys: tuple[str, ...] = ()
    #: names of the settings ``__repr__`` shows, in order (a subclass adds its own)
    hyperparameters: tuple[str, ...] = ("lr", "weight_decay")

    def __init__(self, params: Iterable[Parameter], lr: float, weight_decay: float = 0.0, *,
                 fused: bool = True) -> None:
        self.params = check_parameters(params, "params")
        if not self.params:
            raise ValueError("params is empty: the optimizer has nothing to update")
        self.lr = check_positive("lr", lr)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        if not isinstance(fused, bool):
            raise TypeError(f"fused must be True or False, got {fused!r}")
        self.fused = fused
        self.state: dict[Parameter, dict[str, np.ndarray]] = {}
        if fused:       # the flat buffers fill self.state with views into them
            self._flat = FlatStorage(self.params, self.state_keys, self.state)
        else:
            self._flat = None
            for p in self.params:
                self.state[p] = {key: np.zeros_like(p.data) for key in self.state_keys}

    # The learning rate is checked whenever it is set, not only by __init__:
    # ``opt.lr = -0.5`` in a schedule would otherwise send the weights uphill.
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = check_positive("lr", value)

    def zero_grad(self) -> None:
        """Set every gradient to zeros.

        Each ``p.grad`` becomes a new array of zeros (with ``fused=True``, a
        view of a zero buffer the optimizer refills, so nothing is
        allocated); an array the user assigned to ``.grad`` is never
        written to.
        """
        if self.fused:
            self._flat.zero_grad()
        else:
            for p in self.params:
                p.grad = np.zeros_like(p.data)

    def step(self) -> None:
        raise NotImplementedError

    def _read(self, p: Parameter):
        """``(w, g, state)`` for one parameter, read afresh at every step.

        ``w`` is ``p.data`` (the step updates it in place); ``g`` is
        ``p.grad`` in ``w``'s dtype (so float32 training stays float32; it
        is never written to); ``state`` is ``self.state[p]``, started again
        from zeros if the user gave ``p.data`` a new shape and cast if a
        new dtype, as the fused path does.
        """
        w = p.data = np.asarray(p.data)             # a list assigned by the user, say
        _check_grad_shape(p)
        g = np.asarray(p.grad, dtype=w.dtype)
        state = self.state[p]
        for key, value in state.items():
            if value.shape != w.shape:
                state[key] = np.zeros_like(w)
            elif value.dtype != w.dtype:
                state[key] = value.astype(w.dtype)
        return w, g, state

    def _flat_groups(self):
        """The fused path's flat buffers with this step's data and gradients copied in."""
        groups = self._flat.packed()
        for p in self.params:
            _check_grad_shape(p)
        for group in groups:
            group.copy_grads()
        return groups

    def __repr__(self):
        settings = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.hyperparameters)
        return (f"{type(self).__name__}({settings}, fused={self.fused}, "
                f"params={len(self.params)})")


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
        fused: the fast path (default) or the loop below; same bits
            (see :class:`Optimizer`).
    """

    state_keys = ("momentum",)
    hyperparameters = ("lr", "momentum", "weight_decay")

    def __init__(self, params: Iterable[Parameter], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, *, fused: bool = True) -> None:
        super().__init__(params, lr, weight_decay, fused=fused)
        self.momentum = _check_unit_interval("momentum", momentum)

    def step(self) -> None:
        if self.fused:
            self._fused_step()
            return
        lr, momentum, wd = self.lr, self.momentum, self.weight_decay
        for p in self.params:
            w, g, state = self._read(p)
            if wd and p.decay:
                g = g + wd * w                  # coupled: the L2 gradient joins g
            if momentum:                        # the buffer starts at zeros, so buf = g at first
                state["momentum"] = momentum * state["momentum"] + g
                g = state["momentum"]
            w -= lr * g

    def _fused_step(self) -> None:
        for group in self._flat_groups():       # all parameters of one dtype at once
            sgd_update(*group.arrays(), lr=self.lr, momentum=self.momentum,
                       weight_decay=self.weight_decay)


def soft_threshold(x, t):
    """The proximal step of ``t * |x|``: ``sign(x) * max(|x| - t, 0)``.

    Entries with ``|x| <= t`` become exactly 0; the others move ``t``
    towards 0. This is the step that makes L1 solutions sparse.
    """
    t = check_nonnegative("t", t)
    x = np.asarray(x)
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


class ProximalSGD(SGD):
    """SGD on the data gradient, then a soft-threshold: L1 with exact zeros.

    After the usual SGD step, every parameter with ``decay=True`` (weights,
    not biases) becomes ``sign(w) * max(|w| - lr * l1, 0)``. For a convex
    loss this is proximal gradient descent (ISTA) on
    ``L_data + l1 * ||w||_1``. Leave L1 out of the layers' regularizers:
    the threshold is the penalty. (An L2 regularizer may stay: that makes
    it Elastic Net.)

    Why not plain SGD on ``L1``: its gradient ``l1 * sign(w)`` has the same
    size however small ``w`` is, so a weight near zero is pushed across it
    and back every step and jitters around 0 at a scale of ``lr * l1``; the
    threshold lands it on 0.0 exactly and keeps it there.

    Args:
        params, lr, momentum, weight_decay, fused: as :class:`SGD`.
        l1: the L1 strength, >= 0.
    """

    hyperparameters = SGD.hyperparameters + ("l1",)

    def __init__(self, params: Iterable[Parameter], lr: float, l1: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, *, fused: bool = True) -> None:
        super().__init__(params, lr, momentum=momentum, weight_decay=weight_decay, fused=fused)
        self.l1 = check_nonnegative("l1", l1)

    def step(self) -> None:
        super().step()                          # SGD on the data gradient
        t = self.lr * self.l1
        for p in self.params:
            if p.decay and t > 0:
                p.data[...] = soft_threshold(p.data, t)


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
        fused: the fast path (default) or the loop below; same bits
            (see :class:`Optimizer`).

    Attributes:
        t (int): the number of steps taken (the ``t`` of the bias corrections).
    """

    decoupled = False
    state_keys = ("m", "v")
    hyperparameters = ("lr", "betas", "eps", "weight_decay")

    def __init__(self, params: Iterable[Parameter], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, *, fused: bool = True) -> None:
        super().__init__(params, lr, weight_decay, fused=fused)
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
        lr, wd, eps, (b1, b2) = self.lr, self.weight_decay, self.eps, self.betas
        # The bias corrections m_hat = m / (1 - b1**t) and v_hat = v / (1 - b2**t),
        # folded into two Python floats (so float32 stays float32): with
        # c = sqrt(1 - b2**t),
        #   lr * m_hat / (sqrt(v_hat) + eps) = step_size * m / (sqrt(v) + eps_c).
        c = math.sqrt(1.0 - b2 ** self.t)
        step_size, eps_c = lr * c / (1.0 - b1 ** self.t), eps * c
        if self.fused:
            self._fused_step(step_size, eps_c)
            return
        for p in self.params:
            w, g, state = self._read(p)
            if wd and p.decay and self.decoupled:
                w *= 1 - lr * wd                # AdamW: shrink the weights directly
            elif wd and p.decay:
                g = g + wd * w                  # Adam: the L2 gradient joins g
            state["m"] = b1 * state["m"] + (1 - b1) * g
            state["v"] = b2 * state["v"] + (1 - b2) * g**2
            w -= step_size * (state["m"] / (np.sqrt(state["v"]) + eps_c))

    def _fused_step(self, step_size, eps_c) -> None:
        for group in self._flat_groups():       # all parameters of one dtype at once
            adam_update(*group.arrays(), lr=self.lr, betas=self.betas, step_size=step_size,
                        eps_c=eps_c, weight_decay=self.weight_decay, decoupled=self.decoupled)


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

    def __init__(self, params: Iterable[Parameter], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, *, fused: bool = True) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, fused=fused)
