"""Optimizers, in order of increasing complexity: SGD, Adam, AdamW.

Every optimizer holds a list of Parameters and, at ``step()``, reads each
parameter's ``.data`` and ``.grad`` afresh (so a user who assigns a new array
to either is honoured) and updates ``.data`` in place.

For speed the parameters live back to back in one flat float array per
dtype (:class:`FlatParams`; each ``p.data`` is a view into it), so one step
is the same dozen NumPy operations whatever the number of parameters (plus
a copy of each gradient into the flat gradient); the arithmetic is in
:func:`sgd_update` and :func:`adam_update` at the end of this file. The
updates below read as if for one parameter ``w``; applied to the flat
arrays they do the same arithmetic on every element.

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
        state (dict): ``{Parameter: {"name": ndarray, ...}}`` (Adam's ``m``
            and ``v``, SGD's ``momentum``), in the parameter's dtype, zeros
            until the first step.

    Storage: the optimizer packs every parameter into one flat array (see
    :class:`FlatParams`) and makes each ``p.data`` a view into it, so a step
    is a dozen NumPy operations in all instead of a dozen per parameter.
    Assigning ``p.data`` or ``p.grad`` a new array is still honoured: the
    next step copies it in (and ``p.data`` becomes a view again).
    """

    #: names of the per-parameter state arrays a subclass keeps
    state_keys: tuple[str, ...] = ()

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
        self._groups: list[FlatParams] = []
        self._pack()

    def zero_grad(self) -> None:
        """Set every gradient to zeros.

        The zeros live in a buffer of the optimizer's (refilled at each
        call, nothing allocated); an array the user assigned to ``.grad`` is
        never written to.
        """
        for group in self._packed():
            group.zeros.fill(0.0)
            for p, view in zip(group.params, group.zero_views):
                p.grad = view

    def step(self) -> None:
        raise NotImplementedError

    def _flat_groups(self) -> list["FlatParams"]:
        """The packed parameters with this step's gradients copied in."""
        groups = self._packed()
        for group in groups:
            group.copy_grads()
        return groups

    def _packed(self) -> list["FlatParams"]:
        """The flat buffers, after reading every ``p.data`` afresh.

        An array the user assigned is copied into the flat buffer; a new
        shape or dtype repacks everything, keeping the state of the
        parameters whose shape did not change.
        """
        if not all(group.sync_data() for group in self._groups):
            self._pack()
        return self._groups

    def _pack(self) -> None:
        """(Re)build the flat buffers: one per dtype, decaying parameters first."""
        old = {p: {k: v.copy() for k, v in st.items()} for p, st in self.state.items()}
        by_dtype: dict[np.dtype, list[Parameter]] = {}
        for p in self.params:
            p.data = np.asarray(p.data)                 # a list assigned by the user, say
            by_dtype.setdefault(p.data.dtype, []).append(p)
        self._groups = [FlatParams(ps, self.state_keys) for ps in by_dtype.values()]
        self.state = {}
        for group in self._groups:
            for p, views in zip(group.params, group.state_views):
                for key, view in views.items():
                    before = old.get(p, {}).get(key)
                    if before is not None and before.shape == view.shape:
                        view[...] = before
                self.state[p] = views

    def __repr__(self):
        hyper = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items())
        return f"{type(self).__name__}({hyper}, params={len(self.params)})"

    def _hyper(self) -> dict:
        return {"lr": self.lr, "weight_decay": self.weight_decay}


class FlatParams:
    """Parameters of one dtype packed back to back into flat arrays.

    ``data`` holds every parameter's values (each ``p.data`` is a reshaped
    view into it), ``grad`` a copy of the gradients taken at each step,
    ``state[key]`` the optimizer's state element by element, ``tmp``
    scratch space. Parameters with ``decay=True`` come first, so weight
    decay applies to the slice ``[:n_decay]``. Updating the flat arrays
    does, element by element, exactly the arithmetic a per-parameter loop
    would do (the same numbers), in far fewer NumPy calls.

    Each parameter starts on a 64-byte boundary (the padding between them
    is zeros, with zero gradient and state, and stays zero).
    """

    ALIGN = 64  # bytes

    def __init__(self, params, state_keys):
        params = sorted(params, key=lambda p: not p.decay)   # stable: decaying first
        dtype = params[0].data.dtype
        unit = max(1, self.ALIGN // dtype.itemsize)           # elements per 64 bytes
        offsets, end = [], 0
        for p in params:
            offsets.append(end)
            end += -(-p.data.size // unit) * unit             # round up to the alignment
        self.n_decay = max([o + p.data.size for o, p in zip(offsets, params) if p.decay],
                           default=0)
        self.params, self.dtype = params, dtype
        self.data, self.grad, self.zeros, self.tmp = (_aligned_zeros(end, dtype, self.ALIGN)
                                                      for _ in range(4))
        self.state = {k: _aligned_zeros(end, dtype, self.ALIGN) for k in state_keys}

        def views(flat):
            return [flat[o:o + p.data.size].reshape(p.data.shape)
                    for o, p in zip(offsets, params)]

        self.data_views, self.grad_views = views(self.data), views(self.grad)
        self.zero_views = views(self.zeros)
        per_key = {k: views(v) for k, v in self.state.items()}
        self.state_views = [{k: per_key[k][i] for k in state_keys} for i in range(len(params))]
        for p, view in zip(params, self.data_views):
            view[...] = p.data
            p.data = view

    def arrays(self) -> tuple:
        """``(data, grad, tmp, state, n_decay)``: what an update function takes."""
        return self.data, self.grad, self.tmp, self.state, self.n_decay

    def sync_data(self) -> bool:
        """Copy in any ``.data`` the user assigned; False when a repack is needed."""
        for p, view in zip(self.params, self.data_views):
            if p.data is not view:
                data = np.asarray(p.data)
                if data.shape != view.shape or data.dtype != self.dtype:
                    return False
                view[...] = data
                p.data = view
        return True

    def copy_grads(self) -> None:
        """Copy every ``.grad`` into the flat gradient (checking its shape)."""
        for p, view in zip(self.params, self.grad_views):
            if np.shape(p.grad) != view.shape:
                raise ValueError(f"{p.name or 'parameter'}: grad has shape "
                                 f"{np.shape(p.grad)} but data has shape {view.shape}")
            np.copyto(view, p.grad)


def _aligned_zeros(n: int, dtype, align: int) -> np.ndarray:
    """``np.zeros(n, dtype)`` whose first element sits on an ``align``-byte boundary."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.zeros(n + align // itemsize, dtype=dtype)
    start = (-raw.ctypes.data % align) // itemsize
    return raw[start:start + n]


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

    state_keys = ("momentum",)

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = _check_unit_interval("momentum", momentum)

    def step(self) -> None:
        # not self._hyper(): a subclass (ProximalSGD) adds its own settings there
        hyper = {"lr": self.lr, "momentum": self.momentum, "weight_decay": self.weight_decay}
        for group in self._flat_groups():           # all parameters of one dtype
            sgd_update(*group.arrays(), **hyper)

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
    state_keys = ("m", "v")

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
        # The bias corrections, folded into two Python floats (so float32
        # stays float32): with c = sqrt(1 - beta2**t),
        #   lr/(1 - beta1**t) * m / (sqrt(v)/c + eps)
        #     = step_size * m / (sqrt(v) + eps * c),  step_size = lr*c/(1 - beta1**t)
        c = math.sqrt(1.0 - b2 ** self.t)
        hyper = {"lr": lr, "betas": self.betas, "step_size": lr * c / (1.0 - b1 ** self.t),
                 "eps_c": eps * c, "weight_decay": self.weight_decay,
                 "decoupled": self.decoupled}
        for group in self._flat_groups():           # all parameters of one dtype
            adam_update(*group.arrays(), **hyper)

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


# -- the arithmetic, on flat arrays -----------------------------------------
# Each function updates ``w`` and the state arrays in place. ``w``, ``g``,
# ``tmp`` and every state array are the equally long flat arrays of one
# FlatParams; their first ``n_decay`` elements belong to parameters with
# ``decay=True``. ``g`` may be overwritten (it is the optimizer's copy of
# the gradients); ``tmp`` is scratch space.

def sgd_update(w, g, tmp, state, n_decay, *, lr, momentum, weight_decay) -> None:
    """SGD with momentum and coupled weight decay (see :class:`SGD`)."""
    if weight_decay:                        # coupled: the L2 gradient joins g
        g[:n_decay] += np.multiply(w[:n_decay], weight_decay, out=tmp[:n_decay])
    if momentum:
        buf = state["momentum"]             # zeros at first, so buf = g
        buf *= momentum
        buf += g
        g = buf
    w -= np.multiply(g, lr, out=tmp)


def adam_update(w, g, tmp, state, n_decay, *, lr, betas, step_size, eps_c, weight_decay,
                decoupled) -> None:
    """Adam / AdamW at one step (see :class:`Adam`; ``step_size`` and ``eps_c``
    carry the bias corrections)."""
    b1, b2 = betas
    m, v = state["m"], state["v"]
    if weight_decay and decoupled:          # AdamW: shrink the weights directly
        w[:n_decay] *= 1.0 - lr * weight_decay
    elif weight_decay:                      # Adam: the L2 gradient joins g
        g[:n_decay] += np.multiply(w[:n_decay], weight_decay, out=tmp[:n_decay])
    m *= b1                                 # m = b1*m + (1 - b1)*g
    m += np.multiply(g, 1.0 - b1, out=tmp)
    v *= b2                                 # v = b2*v + (1 - b2)*g**2
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - b2
    v += tmp
    np.sqrt(v, out=tmp)                     # tmp becomes the denominator
    tmp += eps_c
    np.divide(m, tmp, out=tmp)
    tmp *= step_size
    w -= tmp
