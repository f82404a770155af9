"""`Parameter` and `Module`: the two ideas every layer is built from.

A **Parameter** is an array the optimizer trains (``.data``) together with
the gradient that backpropagation assigns to it (``.grad``). A **buffer** is
state a layer keeps that is *not* trained by gradients, such as BatchNorm's
running mean; it is a plain ndarray attribute listed in ``_buffers``.

A **Module** has a ``training`` flag, ``forward``/``backward``, and lists its
parameters. Its constructor arguments are recorded by ``get_config`` so a
model can be saved to ``.npz`` and rebuilt without pickle.

Conventions (same as PyTorch's ``nn.Module`` where that makes sense):

* ``train(mode=True)`` and ``eval()`` set ``training`` on the module and all
  its children, and return the module, so ``model.eval().predict(x)`` works.
* ``backward`` *assigns* ``.grad`` (it does not accumulate across calls).
* A layer reads ``param.data`` at every forward, so assigning a new array to
  ``.data`` (as tests and notebooks do) is honoured.
"""
from __future__ import annotations

import numpy as np

#: Every Module subclass, by class name, so ``rk.load`` can rebuild a model.
LAYER_REGISTRY: dict[str, type] = {}


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

    def __init__(self, data, name: str | None = None, decay: bool = True):
        data = np.asarray(data)
        if data.dtype.kind != "f":
            data = data.astype(np.float32)
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name
        self.decay = bool(decay)

    @property
    def shape(self):
        return self.data.shape

    @property
    def size(self):
        return self.data.size

    def __repr__(self):
        return (f"Parameter(name={self.name!r}, shape={self.data.shape}, "
                f"dtype={self.data.dtype}, decay={self.decay})")


class Module:
    """Base class of every layer and of Sequential.

    Subclasses implement ``forward(x)`` and ``backward(grad_y)`` and set
    ``self._config`` (constructor keyword arguments, JSON-friendly) and, when
    they hold running statistics, ``self._buffers`` (attribute names).
    """

    #: names of ndarray attributes that are state but not parameters
    _buffers: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        LAYER_REGISTRY[cls.__name__] = cls

    def __init__(self):
        self.training = True
        self._config: dict = {}

    # -- the two passes ------------------------------------------------
    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_y):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    # -- modes ---------------------------------------------------------
    def children(self) -> list["Module"]:
        """Sub-modules (none for a plain layer)."""
        return []

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
        """``[(name, Parameter), ...]`` in a stable order."""
        return [(k, v) for k, v in vars(self).items() if isinstance(v, Parameter)]

    def parameters(self) -> list[Parameter]:
        """All trainable Parameters, as a flat list."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self) -> list[tuple[str, np.ndarray]]:
        """``[(name, ndarray), ...]`` of non-trainable state (running stats)."""
        return [(name, getattr(self, name)) for name in self._buffers]

    def penalty(self) -> float:
        """This module's share of the regularisation loss (0.0 where none)."""
        return 0.0

    def get_config(self) -> dict:
        """Constructor arguments that rebuild this module (no weights)."""
        return dict(self._config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items()
                         if k != "rng")
        return f"{type(self).__name__}({args})"
