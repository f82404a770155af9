"""Batch normalisation for (batch, features) activations."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._validate import check_int, check_positive, check_real
from .dense import check_input
from ..module import Module, Parameter
from ..saving import register_layer


@register_layer
class BatchNorm(Module):
    """Normalise each feature over the batch, then scale and shift.

    Training mode, per feature (column) over the m rows of the batch::

        mu    = mean(x)                      var = mean((x - mu)**2)   # 1/m
        x_hat = (x - mu) / sqrt(var + eps)   y   = gamma * x_hat + beta

    and the running statistics move towards this batch's::

        running = momentum * running + (1 - momentum) * batch_statistic

    Eval mode uses ``running_mean`` and ``running_var`` in place of ``mu``
    and ``var``, so a single sample gets the same answer whatever batch it
    comes in. ``backward`` after a training forward is the full gradient
    through the batch statistics (see
    :func:`regkit.functional.batchnorm_train_backward`); after an eval forward
    the running statistics are constants. Which one is decided by the mode
    the forward ran in, recorded with its cache.

    Shapes: x (batch, num_features) -> y (batch, num_features); gamma,
    beta, running_mean, running_var (num_features,).

    Args:
        num_features: width of x.
        momentum: weight of the old running value, in [0, 1]. Mapping to
            other libraries: Keras ``BatchNormalization(momentum=0.99)``
            means the same (regkit 0.99 == Keras 0.99); PyTorch's
            ``BatchNorm1d(momentum=...)`` is the weight of the *new* batch,
            so regkit ``momentum=0.9`` == PyTorch ``momentum=0.1``.
        eps: added to the variance before the square root, > 0.

    Running variance vs PyTorch: regkit, like the chapter (and Keras 3's
    documented update), feeds the *biased* batch variance (1/m) into
    ``running_var``; PyTorch feeds the unbiased one (1/(m-1)), so each
    batch's contribution is ``m/(m-1)`` times larger there. Both start from
    1, so after t steps at a fixed batch size m::

        torch_running_var = momentum**t + m/(m-1) * (running_var - momentum**t)

    ``running_mean`` and the training-mode output are identical.

    Attributes:
        gamma, beta (Parameter): scale (starts at 1) and shift (starts at 0),
            with ``decay=False``: no penalty or weight decay applies to them.
        running_mean, running_var (ndarray, float32): buffers, not trained
            by gradients; start at 0 and 1.
    """

    _buffers = ("running_mean", "running_var")

    def __init__(self, num_features: int, momentum: float = 0.9, eps: float = 1e-5) -> None:
        super().__init__()
        self.num_features = check_int("num_features", num_features, low=1)
        self.momentum = check_real("momentum", momentum, low=0.0, high=1.0)
        self.eps = check_positive("eps", eps)
        self.gamma = Parameter(np.ones(num_features, dtype=np.float32), name="gamma", decay=False)
        self.beta = Parameter(np.zeros(num_features, dtype=np.float32), name="beta", decay=False)
        self.running_mean = np.zeros(num_features, dtype=np.float32)
        self.running_var = np.ones(num_features, dtype=np.float32)
        self._mode: str | None = None    # the cache: the last forward's mode ("train"/"eval"),
        self._x_hat: np.ndarray | None = None   # its normalised input
        self._inv_std: np.ndarray | None = None # and the 1 / sqrt(var + eps) it used
        self._config = {"num_features": self.num_features, "momentum": self.momentum,
                        "eps": self.eps}

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_input("x", x, self.num_features, "BatchNorm")
        if not self.training:
            inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
            x_hat = x - self.running_mean
            x_hat *= inv_std.astype(x_hat.dtype, copy=False)
            self._mode, self._x_hat, self._inv_std = "eval", x_hat, inv_std
            y = x_hat * self.gamma.data
            y += self.beta.data
            return y
        if x.shape[0] < 2:
            raise ValueError(f"BatchNorm in training mode needs a batch of at least 2 "
                             f"samples to estimate a variance, got batch size {x.shape[0]} "
                             f"(x of shape {x.shape}); call .eval() to use the running statistics")
        y, x_hat, inv_std, mean, var = F.batchnorm_train(x, self.gamma.data, self.beta.data,
                                                         self.eps)
        self._update_running(mean, var)
        self._mode, self._x_hat, self._inv_std = "train", x_hat, inv_std
        return y

    def _update_running(self, mean, var):
        # in place, so the buffers keep their dtype and identity
        m = self.momentum
        self.running_mean *= m
        self.running_mean += (1.0 - m) * mean
        self.running_var *= m
        self.running_var += (1.0 - m) * var

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        """grad_y: (batch, num_features) -> grad_x; sets gamma.grad, beta.grad."""
        mode = self._from_forward(self._mode)
        x_hat, inv_std, gamma = self._x_hat, self._inv_std, self.gamma.data
        grad_y = self._check_grad(grad_y, x_hat.shape)
        if mode == "train":
            grad_x, grad_gamma, grad_beta = F.batchnorm_train_backward(grad_y, x_hat, inv_std,
                                                                       gamma)
        else:                            # running statistics are constants
            grad_beta = grad_y.sum(axis=0)
            grad_gamma = np.einsum("ij,ij->j", grad_y, x_hat)
            grad_x = grad_y * (gamma * inv_std).astype(grad_y.dtype, copy=False)
        self.gamma.grad = grad_gamma.astype(gamma.dtype, copy=False)
        self.beta.grad = grad_beta.astype(self.beta.data.dtype, copy=False)
        return grad_x
