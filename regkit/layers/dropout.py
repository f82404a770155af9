"""Dropout and DropConnect: train with random pieces of the network removed.

Both use *inverted* scaling: what is kept is multiplied by ``1 / (1 - p)``
during training, so the expected value of every unit (or weight) is what it
is at test time, and eval mode needs no correction at all.

``p`` is the probability of DROPPING (as in PyTorch and Keras; CS231n's
``p`` is the keep probability).

Randomness: each layer keeps its generator in the attribute ``rng``
(``None`` means regkit's default generator, looked up at every forward so
``rk.seed(n)`` applies to layers built earlier). :func:`regkit.gradcheck.check_layer`
swaps in a freshly seeded generator before every forward to hold the mask
fixed.

The mask is the chapter's ``rng.random(shape) < 1 - p``
(:func:`regkit.functional.dropout_mask`). By default the layers draw it
through ``regkit/_fast/dropout.py``, which reads the same random bits as
integers: the same mask, the same generator state afterwards, less work.
``fast_mask=False`` runs the readable function instead.

Mode: each forward records the mode it ran in, and ``backward`` follows
that record, not the current ``training`` flag, so calling ``eval()``
between the two passes cannot silently drop the mask from the gradient.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from .._fast import dropout as fast
from .._rng import as_rng
from .._validate import check_array, check_flag, check_probability
from ..module import Module
from ..saving import register_layer
from .dense import Dense, check_input

if TYPE_CHECKING:
    import numpy as np
    from .._typing import RNGLike
    from ..regularizers import Regularizer


@register_layer
class Dropout(Module):
    """Inverted dropout: ``y = x * mask / (1 - p)`` in training, ``y = x`` in eval.

    Each forward in training mode draws a fresh mask, ``mask[i, j]`` True
    with probability ``1 - p``, one per element of x. ``backward`` applies
    the same mask and scale to the gradient. Shapes: any; y has x's shape
    and dtype.

    Args:
        p: probability of dropping a unit, in [0, 1). ``torch.nn.Dropout(p)``
            and ``keras.layers.Dropout(rate)`` mean the same thing.
        rng: ``None | int | Generator`` drawing the masks.
        fast_mask: draw the mask through the fast path (default) or through
            :func:`regkit.functional.dropout_mask`; the masks are the same.

    Attributes:
        mask (ndarray of bool): the mask of the last training forward
            (``None`` before the first one). ``backward`` applies whatever
            array is here, so a mask can be swapped in after a forward.
    """

    def __init__(self, p: float = 0.5, rng: RNGLike = None, *, fast_mask: bool = True) -> None:
        super().__init__()
        self.p = check_probability("p", p)
        self.rng = None if rng is None else as_rng(rng)
        self.fast_mask = check_flag("fast_mask", fast_mask)
        self.mask = None
        self._mode: str | None = None    # the cache: "train" or "eval", the last forward's mode
        self._shape: tuple | None = None  # the last forward's output shape
        self._config = {"p": self.p}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (any shape) -> y (x's shape and dtype)."""
        if not self.training:
            self._mode = "eval"
            self._shape = np.shape(x)
            return x
        x = check_array("x", x, finite=False)
        self._shape = x.shape
        draw = fast.dropout_mask if self.fast_mask else F.dropout_mask   # the same mask
        self.mask = draw(x.shape, self.p, as_rng(self.rng))
        self._mode = "train"
        return F.dropout_apply(x, self.mask, self.p)

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        """grad_y -> grad_x: the forward's mask and scale; after an eval forward, grad_y."""
        mode = self._from_forward(self._mode)
        grad_y = self._check_grad(grad_y, self._shape)
        if mode == "eval":
            return grad_y
        return F.dropout_apply(grad_y, self.mask, self.p)


@register_layer
class DropConnect(Dense):
    """A Dense layer whose individual *weights* are dropped in training.

    Training: ``W_eff = W * M / (1 - p)`` and ``y = x @ W_eff + b``, with a
    fresh boolean mask ``M`` of W's shape, True with probability ``1 - p``,
    at every forward. Eval: ``y = x @ W + b``.

    One mask per forward is shared by every sample of the batch (the
    original paper, Wan et al. 2013, draws one per sample; sharing keeps it
    a single matrix product). At test time the paper approximates the
    average over masks by sampling; with inverted scaling ``E[W_eff] = W``,
    so regkit simply uses ``W``, as Dropout uses ``x``. Where Dropout silences a whole unit (a column
    of ``x @ W``), DropConnect silences single connections. The bias is
    never dropped.

    Gradients: ``W.grad = (x.T @ grad_y) * M / (1 - p)`` plus the
    regularizer's gradient (the penalty is on ``W``, not ``W_eff``);
    ``grad_x = grad_y @ W_eff.T``.

    Args:
        in_features, out_features, regularizer, init: as for :class:`Dense`.
        p: probability of dropping a weight, in [0, 1).
        rng: ``None | int | Generator`` for the initial weights and the masks.
        fast_mask: as for :class:`Dropout`.

    Attributes:
        mask (ndarray of bool): the mask of the last training forward.
    """

    def __init__(self, in_features: int, out_features: int, p: float = 0.5,
                 regularizer: Regularizer | None = None, init: str = "he",
                 rng: RNGLike = None, *, fast_mask: bool = True) -> None:
        self.p = check_probability("p", p)
        self.fast_mask = check_flag("fast_mask", fast_mask)
        # one generator for the initial weights and then the masks, so an
        # int seed does not replay the weights' random stream as masks
        self.rng = None if rng is None else as_rng(rng)
        super().__init__(in_features, out_features, regularizer=regularizer,
                         init=init, rng=self.rng)
        self.mask = None
        self._W_eff = None               # the cache (with Dense's _x): the weights used
        self._mode: str | None = None    # and the mode of the last forward
        self._config["p"] = self.p

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (batch, in_features) -> (batch, out_features)."""
        if not self.training:
            self._mode = "eval"
            return super().forward(x)
        x = check_input("x", x, self.in_features, type(self).__name__)
        W = self.W.data
        draw = fast.dropout_mask if self.fast_mask else F.dropout_mask   # the same mask
        self.mask = draw(W.shape, self.p, as_rng(self.rng))
        self._W_eff = F.dropout_apply(W, self.mask, self.p)
        self._x = x
        self._mode = "train"
        y = x @ self._W_eff
        y += self.b.data
        return y

    def backward(self, grad_y: np.ndarray,  # type: ignore[override]
                 input_grad: bool = True) -> np.ndarray | None:
        """After a training forward, the gradients above; after an eval one, Dense's."""
        if self._from_forward(self._mode) == "eval":
            return super().backward(grad_y, input_grad)
        grad_y = self._check_grad(grad_y, (self._x.shape[0], self.W.data.shape[1]))
        grad_w = F.dropout_apply(self._x.T @ grad_y, self.mask, self.p)
        self._set_grads(grad_w, grad_y)
        return grad_y @ self._W_eff.T if input_grad else None

    def __repr__(self):
        return super().__repr__()[:-1] + f", p={self.p})"
