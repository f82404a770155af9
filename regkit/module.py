"""`Parameter` and `Module`: the two ideas every layer is built from.

A **Parameter** is an array the optimizer trains (``.data``) together with
the gradient that backpropagation assigns to it (``.grad``). A **buffer** is
state a layer keeps that is *not* trained by gradients, such as BatchNorm's
running mean; it is a plain ndarray attribute listed in ``_buffers``.

A **Module** has a ``training`` flag, ``forward``/``backward``, and lists its
parameters. Its constructor arguments are recorded by ``get_config`` so a
model can be saved to ``.npz`` and rebuilt without pickle (``regkit.saving``).

Conventions (same as PyTorch's ``nn.Module`` where that makes sense):

* A module made of other modules lists them in ``children()`` (``Sequential``
  returns its layers; a plain layer has none). ``modules()`` walks the tree:
  the module itself, then every descendant, depth-first, as PyTorch's.
  ``parameters()``, ``named_buffers()``, ``penalty()`` and ``train()``/
  ``eval()`` all go through the children, so a module built from other
  modules (a "block") needs nothing else: its children's parameters are
  named by their position, ``"0.W"``, ``"1.gamma"``, as in PyTorch's
  ``Sequential``.
* ``train(mode=True)`` and ``eval()`` set ``training`` on the module and all
  its descendants, and return the module, so ``model.eval().predict(x)`` works.
* The layer protocol: ``forward`` keeps on the object what ``backward`` needs
  (the cache, created as ``None`` in ``__init__`` and overwritten by every
  forward), including the mode it ran in, so ``backward`` differentiates the
  forward that actually ran even if ``train()``/``eval()`` was called in
  between. ``backward`` before any forward is a ``RuntimeError`` naming the
  layer.
* ``backward`` *assigns* ``.grad`` (it does not accumulate across calls).
* A layer reads ``param.data`` at every forward, so assigning a new array to
  ``.data`` (as tests and notebooks do) is honoured.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import numpy as np

_T = TypeVar("_T")

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


class Parameter:
    """A trainable array and its gradient.

    Args:
        data: the initial values (any shape). Kept as given (no copy when it
            is already a floating ndarray).
        name: a label for reprs and ``state_dict`` keys ("W", "b", "gamma").
        decay: whether penalties and weight decay apply. Layers set it to
            False for biases and for BatchNorm's gamma/beta.

    Attributes:
        data (ndarray): current value.
        grad (ndarray): gradient of the loss w.r.t. ``data``, same shape;
            zeros until the first backward.
    """

    def __init__(self, data: ArrayLike, name: str | None = None, decay: bool = True) -> None:
        data = np.asarray(data)
        if data.dtype.kind != "f":
            data = data.astype(np.float32)
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name
        self.decay = bool(decay)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def __repr__(self):
        return (f"Parameter(name={self.name!r}, shape={self.data.shape}, "
                f"dtype={self.data.dtype}, decay={self.decay})")


class Module:
    """Base class of every layer and of Sequential.

    Subclasses implement ``forward(x)`` and ``backward(grad_y)`` and set
    ``self._config`` (constructor keyword arguments, JSON-friendly) and, when
    they hold running statistics, ``self._buffers`` (attribute names). A
    module made of other modules returns them from :meth:`children`.
    """

    #: names of ndarray attributes that are state but not parameters
    _buffers: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.training = True
        self._config: dict = {}

    # -- the two passes ------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def _from_forward(self, cached: _T | None) -> _T:
        """``cached`` (what forward kept for backward), or a clear error when
        no forward has run yet (it is still the ``None`` of ``__init__``)."""
        if cached is None:
            raise RuntimeError(f"{type(self).__name__}.backward() called before forward(): "
                               "backward differentiates the last forward, so run "
                               "forward(x) first")
        return cached

    def _check_grad(self, grad_y, shape) -> np.ndarray:
        """``grad_y`` as an array, which must have the shape of the last output.

        NumPy would broadcast a ``(1, 3)`` gradient against a ``(4, 3)``
        output without a word and return a wrong answer; a layer's backward
        calls this first so the mistake is named instead.
        """
        grad_y = np.asarray(grad_y)
        if grad_y.shape != tuple(shape):
            raise ValueError(f"{type(self).__name__}.backward: grad_y has shape "
                             f"{grad_y.shape}, but the last forward returned shape "
                             f"{tuple(shape)}; pass the gradient of the loss with respect "
                             "to that output")
        return grad_y

    # -- the module tree -------------------------------------------------
    def children(self) -> list["Module"]:
        """The direct sub-modules, in order: none for a plain layer.

        A module made of other modules overrides this (``Sequential``
        returns its layers); everything that walks the tree starts here,
        and names the children by their position, ``"0"``, ``"1"``, ...
        """
        return []

    def named_modules(self, prefix: str = "") -> list[tuple[str, "Module"]]:
        """The tree walk: ``[("", self), ("0", first child), ("0.1", its second
        child), ...]``, depth-first, each module with its dotted position (the
        names that prefix parameters and buffers: ``"0.1.W"``).

        A module used twice (the same object at two places) is listed at
        both; :meth:`named_parameters` still lists its Parameters once.
        """
        found = [(prefix, self)]
        for i, child in enumerate(self.children()):
            found += child.named_modules(f"{prefix}.{i}" if prefix else str(i))
        return found

    def modules(self) -> list["Module"]:
        """This module, then every sub-module depth-first (the walk of
        :meth:`named_modules`, without the names).

        Like ``torch.nn.Module.modules()``: for ``Sequential(Dense, ReLU)``
        it is ``[the Sequential, the Dense, the ReLU]``.
        """
        return [module for _, module in self.named_modules()]

    # -- modes ---------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (``mode=True``) or eval mode, recursively."""
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        """Eval mode: Dropout is the identity, BatchNorm uses running stats."""
        return self.train(False)

    # -- parameters, penalty, state -----------------------------------
    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``[(name, Parameter), ...]`` over the whole tree, in a stable order.

        Each module's own Parameters (attribute names, in assignment order),
        module by module in the order of :meth:`named_modules`; a child's
        are prefixed by its name (``"0.W"``, ``"1.0.b"``). A Parameter
        shared by two modules is listed once, under its first name.
        """
        out, seen = [], set()
        for prefix, module in self.named_modules():
            for name, value in vars(module).items():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    out.append((f"{prefix}.{name}" if prefix else name, value))
        return out

    def parameters(self) -> list[Parameter]:
        """All trainable Parameters, as a flat list."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self) -> list[tuple[str, np.ndarray]]:
        """``[(name, ndarray), ...]`` of non-trainable state (running stats),
        over the whole tree, named as in :meth:`named_parameters`."""
        return [(name, getattr(module, attr)) for name, module, attr in self._buffer_slots()]

    def _buffer_slots(self) -> list[tuple[str, "Module", str]]:
        """``[(name, module holding it, attribute), ...]`` for every buffer."""
        return [(f"{prefix}.{attr}" if prefix else attr, module, attr)
                for prefix, module in self.named_modules() for attr in module._buffers]

    def penalty(self) -> float:
        """This module's share of the regularisation loss: 0.0 for a plain
        layer without a regularizer, the sum of its children's for a module
        made of others."""
        return float(sum(child.penalty() for child in self.children()))

    def get_config(self) -> dict:
        """Constructor arguments that rebuild this module (no weights)."""
        return dict(self._config)

    @classmethod
    def from_config(cls, config: dict) -> "Module":
        """A new module from :meth:`get_config`'s dict (fresh weights)."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def check_parameters(params, name: str = "params", *, allow_single: bool = False) -> list:
    """``params`` as a list of distinct Parameters, or a clear error naming ``name``.

    Optimizers and ``clip_grad_norm``/``max_norm`` take "an iterable of
    Parameters such as ``model.parameters()``"; this is the one check of
    that promise. A Module or an ndarray is refused (pass
    ``model.parameters()``); a single Parameter is accepted when
    ``allow_single``; the same Parameter twice is refused, because it would
    be updated (or counted) twice.
    """
    if isinstance(params, Parameter) and allow_single:
        return [params]
    if isinstance(params, (Module, Parameter, np.ndarray)):
        raise TypeError(f"{name} must be an iterable of Parameters such as "
                        f"model.parameters(), got {type(params).__name__}")
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"{name}[{i}] must be a Parameter, got {type(p).__name__}")
    if len({id(p) for p in params}) != len(params):
        raise ValueError(f"{name} contains the same Parameter twice; "
                         "it would be updated (or counted) twice per step")
    return params
