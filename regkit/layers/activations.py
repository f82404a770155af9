"""The activations (ReLU, Tanh, Sigmoid) and Flatten: layers without parameters.

Each keeps in its cache (created as ``None`` in ``__init__``, overwritten by
every forward) exactly what its backward needs: the output for the
activations, whose derivatives are written in terms of ``y``, and the input
shape for Flatten.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from ..module import Module
from ..saving import register_layer


@register_layer
class ReLU(Module):
    """``y = max(x, 0)``; gradient 1 where x > 0, else 0 (also at 0)."""

    def __init__(self) -> None:
        super().__init__()
        self._y: np.ndarray | None = None   # the cache: forward's output

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = F.relu(x)
        self._y = y
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        y = self._from_forward(self._y)
        return self._check_grad(grad_y, y.shape) * (y > 0)


@register_layer
class Tanh(Module):
    """``y = tanh(x)``; ``dy/dx = 1 - y**2`` (computed from the cached y)."""

    def __init__(self) -> None:
        super().__init__()
        self._y: np.ndarray | None = None   # the cache: forward's output

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._y = np.tanh(x)
        return self._y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        y = self._from_forward(self._y)
        return self._check_grad(grad_y, y.shape) * (1 - y * y)


@register_layer
class Sigmoid(Module):
    """``y = 1 / (1 + exp(-x))``; ``dy/dx = y * (1 - y)``.

    Computed without overflow for large ``|x|`` (see
    :func:`regkit.functional.sigmoid`).
    """

    def __init__(self) -> None:
        super().__init__()
        self._y: np.ndarray | None = None   # the cache: forward's output

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._y = F.sigmoid(x)
        return self._y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        y = self._from_forward(self._y)
        return self._check_grad(grad_y, y.shape) * y * (1 - y)


@register_layer
class Flatten(Module):
    """Images to rows: (batch, h, w) -> (batch, h*w). 2-D input passes through.

    Put it first in a model whose data stays as images so augmentation can
    work on ``(batch, h, w)``. ``backward`` reshapes the gradient back.
    Like ``torch.nn.Flatten()`` (which keeps dim 0 and flattens the rest).
    """

    def __init__(self) -> None:
        super().__init__()
        self._shape: tuple[int, ...] | None = None   # the cache: forward's input shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"Flatten: x must have a batch axis and at least one more, "
                             f"got shape {x.shape}")
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        shape = self._from_forward(self._shape)
        grad_y = self._check_grad(grad_y, (shape[0], int(np.prod(shape[1:]))))
        return grad_y.reshape(shape)
