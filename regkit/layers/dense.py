"""Dense, the fully connected layer (and the input check the layers share).

Every layer follows the same pattern: ``forward`` computes the output and
keeps on the object what ``backward`` will need (the cache, created as
``None`` in ``__init__`` and overwritten at each forward); ``backward(grad_y)``
returns ``grad_x`` and *assigns* the ``.grad`` of the layer's parameters.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from .._rng import as_rng
from .._validate import check_array, check_int
from ..module import Module, Parameter
from ..regularizers import as_regularizer, regularizer_to_config
from ..saving import register_layer

if TYPE_CHECKING:
    from .._typing import RNGLike
    from ..regularizers import Regularizer


def check_input(name: str, x, width: int, layer: str) -> np.ndarray:
    """``x`` as a float array of shape (batch, width), or a clear ValueError.

    NaN is not looked for here (that would cost a pass over the data at
    every forward); ``fit`` checks the data once.
    """
    x = check_array(name, x, finite=False)
    if x.ndim != 2:
        raise ValueError(f"{layer}: {name} must be 2-D (batch, {width}), got shape "
                         f"{x.shape}; put rk.Flatten() first for images")
    if x.shape[1] != width:
        raise ValueError(f"{layer}: {name} must have {width} columns, got shape {x.shape}")
    return x


@register_layer
class Dense(Module):
    """Fully connected layer: ``y = x @ W + b``.

    Shapes: x (batch, in_features) -> y (batch, out_features);
    W (in_features, out_features), b (out_features,). (PyTorch's
    ``nn.Linear`` stores the transpose, ``weight`` of shape (out, in).)

    Args:
        in_features, out_features: sizes of x's rows and of y's rows.
        regularizer: ``None``, a regularizer (``rk.L2(0.01)``, ``rk.L1``,
            ``rk.ElasticNet``) or its config dict ``{"class": "L2",
            "lam": 0.01}``. It applies to ``W`` only: ``penalty()`` is
            ``regularizer(W)`` and ``backward`` adds ``regularizer.grad(W)``
            to ``W.grad``. The bias is never penalised (``b.decay`` is False,
            so optimizers skip it for weight decay too).
        init: how ``W`` is drawn, see :func:`regkit.functional.init_weights`
            (``"he"`` for ReLU networks, ``"xavier"``/``"glorot"`` for
            tanh/sigmoid). ``b`` starts at 0.
        rng: ``None | int | Generator`` for the initial weights.
    """

    def __init__(self, in_features: int, out_features: int,
                 regularizer: Regularizer | None = None, init: str = "he",
                 rng: RNGLike = None) -> None:
        super().__init__()
        self.in_features = check_int("in_features", in_features, low=1)
        self.out_features = check_int("out_features", out_features, low=1)
        self.regularizer = as_regularizer(regularizer)
        self.init = init
        w = F.init_weights((self.in_features, self.out_features), init, as_rng(rng))
        self.W = Parameter(w, name="W", decay=True)
        self.b = Parameter(np.zeros(self.out_features, dtype=np.float32), name="b", decay=False)
        self._x: np.ndarray | None = None   # the cache: forward's input, for W.grad
        self._config = {"in_features": self.in_features, "out_features": self.out_features,
                        "regularizer": regularizer_to_config(self.regularizer), "init": init}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (batch, in_features) -> (batch, out_features)."""
        x = check_input("x", x, self.in_features, type(self).__name__)
        self._x = x
        y = x @ self.W.data
        y += self.b.data
        return y

    def backward(self, grad_y: np.ndarray,  # type: ignore[override]
                 input_grad: bool = True) -> np.ndarray | None:
        """grad_y: (batch, out_features) -> grad_x: (batch, in_features).

        ``W.grad = x.T @ grad_y (+ regularizer.grad(W))``,
        ``b.grad = sum of grad_y over the batch``,
        ``grad_x = grad_y @ W.T``.

        ``input_grad=False`` skips ``grad_x`` and returns None: the first
        layer of a network has nothing to pass it to, and for a wide input
        (784 pixels) it is a third of the layer's work.
        """
        x = self._from_forward(self._x)
        W = self.W.data
        grad_y = self._check_grad(grad_y, (x.shape[0], W.shape[1]))
        self._set_grads(x.T @ grad_y, grad_y)
        return grad_y @ W.T if input_grad else None

    def _set_grads(self, grad_w, grad_y):
        if self.regularizer is not None:
            grad_w += self.regularizer.grad(self.W.data)
        self.W.grad = grad_w.astype(self.W.data.dtype, copy=False)
        self.b.grad = grad_y.sum(axis=0).astype(self.b.data.dtype, copy=False)

    def penalty(self) -> float:
        """``regularizer(W)``; 0.0 without a regularizer."""
        return 0.0 if self.regularizer is None else self.regularizer(self.W.data)

    def __repr__(self):
        reg = "" if self.regularizer is None else f", regularizer={self.regularizer!r}"
        init = "" if self.init == "he" else f", init={self.init!r}"
        return f"{type(self).__name__}({self.in_features}, {self.out_features}{reg}{init})"
