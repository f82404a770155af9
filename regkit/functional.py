"""Pure maths behind the layers and losses: no state, and no randomness but
the generator a function is handed (``dropout_mask``, ``init_weights``).

Each function takes arrays and returns new arrays; none of them modifies an
array it was given. The layers (``regkit/layers/``) keep the caches and call
these; the functions are public so a notebook can show one formula at a time.

dtype rule: every function returns the dtype of its input (float32 in,
float32 out). Scalars are Python floats, which NumPy 2 treats as "weak" and
never uses to promote a float32 array to float64.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .portability import nudge_init

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

# -- softmax and friends ------------------------------------------------


def logsumexp(z: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log(sum(exp(z)))`` along ``axis``, computed without overflow.

    Subtracting the row maximum ``c`` first changes nothing mathematically
    (``log sum exp(z) = c + log sum exp(z - c)``) but keeps every ``exp``
    at most 1, so scores of 1e4 (or 1e30 in float32) are fine.
    """
    c = np.max(z, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(z - c), axis=axis, keepdims=True))
    out += c
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log(softmax(z)) = z - logsumexp(z)``, stable for huge scores.

    Shapes: z (batch, classes) -> (batch, classes).
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)
    shifted -= np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``exp(z_k) / sum_j exp(z_j)`` along ``axis``; rows sum to 1."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


# -- activations --------------------------------------------------------


def relu(x: np.ndarray) -> np.ndarray:
    """``max(x, 0)`` elementwise."""
    return np.maximum(x, 0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` without overflow for large ``|x|``.

    With ``e = exp(-|x|)`` (always <= 1): ``1 / (1 + e)`` for x >= 0 and
    ``e / (1 + e)`` for x < 0, which are the same function.
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


# -- batch normalisation ------------------------------------------------


def batchnorm_train(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                    eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Batch normalisation with the statistics of this batch.

    ``mu = mean(x)``, ``var = mean((x - mu)**2)`` (biased, 1/m), per column;
    ``x_hat = (x - mu) / sqrt(var + eps)``; ``y = gamma * x_hat + beta``.

    Shapes: x (m, features); gamma, beta (features,).

    Returns:
        ``(y, x_hat, inv_std, mean, var)``: the last four are what backward
        and the running statistics need.
    """
    m = x.shape[0]
    mean = x.mean(axis=0)
    x_hat = x - mean                     # a fresh array: safe to edit in place
    var = np.einsum("ij,ij->j", x_hat, x_hat) / m
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat *= inv_std
    y = x_hat * gamma
    y += beta
    return y, x_hat, inv_std, mean, var


def batchnorm_train_backward(grad_y: np.ndarray, x_hat: np.ndarray,
                             inv_std: np.ndarray,
                             gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient of :func:`batchnorm_train` through the batch statistics.

    Because ``mu`` and ``var`` depend on every row, each input gets a share
    of every output's gradient. Collected, the chain rule is::

        dbeta  = sum_i dy_i
        dgamma = sum_i dy_i * x_hat_i
        dx     = gamma / (m * std) * (m * dy - dbeta - x_hat * dgamma)

    Shapes: grad_y, x_hat (m, features); inv_std, gamma (features,).

    Returns:
        ``(grad_x, grad_gamma, grad_beta)``.
    """
    m = grad_y.shape[0]
    grad_beta = grad_y.sum(axis=0)
    grad_gamma = np.einsum("ij,ij->j", grad_y, x_hat)
    grad_x = grad_y * m
    grad_x -= grad_beta
    grad_x -= x_hat * grad_gamma
    grad_x *= gamma * inv_std / m
    return grad_x, grad_gamma, grad_beta


# -- dropout ------------------------------------------------------------


def dropout_mask(shape: int | tuple[int, ...], p: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean keep-mask of ``shape``: each entry True with probability ``1 - p``.

    The chapter's ``m ~ Bernoulli(1 - p)``: one uniform number ``u`` in
    [0, 1) per entry, kept when ``u < 1 - p``. The draws are float32 (one
    32-bit random integer each, half the work of float64); ``1 - p`` is
    compared in float32 too. ``p = 0`` keeps everything and draws nothing,
    so a ``Dropout(0.0)`` leaves every later random number as it was.

    The layers draw the same mask faster by default: see
    ``regkit/_fast/dropout.py``, which gives these very bits and leaves
    ``rng`` in the same state.
    """
    if p == 0:
        return np.ones(shape, dtype=bool)
    return rng.random(shape, dtype=np.float32) < 1 - p


def dropout_apply(x: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
    """Inverted dropout with a given mask: ``x * mask / (1 - p)``.

    The same function is the backward pass (apply it to ``grad_y``).
    """
    out = np.multiply(x, mask, dtype=x.dtype)
    out *= 1.0 / (1.0 - p)
    return out


# -- initialisation -----------------------------------------------------

#: names accepted by :func:`init_weights`
INITS = ("he", "he_uniform", "xavier", "glorot", "xavier_normal", "glorot_normal")


def init_weights(shape: tuple[int, int], init: str, rng: np.random.Generator,
                 dtype: DTypeLike = np.float32) -> np.ndarray:
    """A weight matrix (fan_in, fan_out) drawn for ``init``.

    * ``"he"``: normal, std ``sqrt(2 / fan_in)`` (for ReLU layers;
      ``torch.nn.init.kaiming_normal_`` in fan_in mode, Keras ``he_normal``
      up to its truncation).
    * ``"he_uniform"``: uniform in ``+-sqrt(6 / fan_in)`` (same variance).
    * ``"xavier"`` / ``"glorot"``: uniform in ``+-sqrt(6 / (fan_in + fan_out))``
      (``torch.nn.init.xavier_uniform_``, Keras ``glorot_uniform``, the Keras
      default); for tanh/sigmoid layers.
    * ``"xavier_normal"`` / ``"glorot_normal"``: normal, std
      ``sqrt(2 / (fan_in + fan_out))``.

    PyTorch's ``nn.Linear`` default is none of these: uniform in
    ``+-1/sqrt(fan_in)``.
    """
    fan_in, fan_out = shape
    if init == "he":
        w = _normal(shape, math.sqrt(2.0 / fan_in), rng, dtype)
    elif init == "he_uniform":
        w = _uniform(shape, math.sqrt(6.0 / fan_in), rng, dtype)
    elif init in ("xavier", "glorot"):
        w = _uniform(shape, math.sqrt(6.0 / (fan_in + fan_out)), rng, dtype)
    elif init in ("xavier_normal", "glorot_normal"):
        w = _normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)
    else:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    # a no-op unless the portability check asks for it (regkit.portability)
    return nudge_init(w)


def _normal(shape, std, rng, dtype):
    w = rng.standard_normal(shape, dtype=dtype)
    w *= std
    return w


def _uniform(shape, limit, rng, dtype):
    w = rng.random(shape, dtype=dtype)   # [0, 1) -> [-limit, limit)
    w *= 2.0 * limit
    w -= limit
    return w
