"""Weight penalties: L2, L1 and their sum, Elastic Net.

A regularizer adds ``R(w)`` to the data loss so the optimizer also keeps the
weights small: ``L_total = L_data + R(w)``. Each object here already holds
its strength, so ``reg(w)`` is the whole penalty and ``reg.grad(w)`` its
gradient, which a layer adds to the data gradient of its weights::

    reg = rk.L2(0.01)
    reg(np.array([2.0, -1.5, 0.5, -3.0]))   # 0.01 * 0.5 * 15.5 = 0.0775

Only weight matrices are penalised: a Dense layer passes ``W`` and never its
bias (shifting a unit's threshold does not make the function wigglier).

Each regularizer: ``__call__(w) -> float``, ``grad(w) -> ndarray`` (same
shape and dtype as ``w``), ``get_config() -> dict`` (constructor keyword
arguments) and a readable ``repr``. :func:`regularizer_to_config` and
:func:`regularizer_from_config` turn one into ``{"class": "L2", "lam": 0.01}``
and back, which is how a saved model remembers its penalties.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_nonnegative


class Regularizer:
    """Base class: subclasses implement ``__call__`` and ``grad``."""

    def __call__(self, w: np.ndarray) -> float:
        raise NotImplementedError

    def grad(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    __hash__ = None


class L2(Regularizer):
    """L2 penalty (weight decay): ``R(w) = lam * 0.5 * sum(w**2)``.

    Gradient ``lam * w``, so a plain gradient step becomes
    ``w := w * (1 - lr * lam) - lr * grad_data``: every step shrinks each
    weight by the same fraction.

    Args:
        lam: strength, a finite real >= 0.

    Other libraries' numbers for the same penalty:

    * PyTorch: ``torch.optim.SGD(..., weight_decay=wd)`` adds ``wd * w`` to
      the gradient, exactly ``L2(lam=wd)`` here (with a mean loss).
    * Keras: ``regularizers.l2(l)`` is ``l * sum(w**2)``, without the 1/2,
      so Keras ``l`` equals ``lam / 2`` here (``lam = 2 * l``).
    * scikit-learn ``MLPClassifier``/``MLPRegressor(alpha=a)`` add
      ``0.5 * a * sum(w**2) / n`` to the mean loss, where ``n`` is the number
      of samples in the gradient computation: the mini-batch size for the
      ``"sgd"``/``"adam"`` solvers, the whole training set for ``"lbfgs"``
      (the sum of the sample weights when ``fit`` gets ``sample_weight``).
      So ``a = lam * n`` (``lam = a / n``). (Read from scikit-learn 1.9's
      ``_backprop``; a test checks it against scikit-learn's own loss.)
    """

    def __init__(self, lam: float) -> None:
        self.lam = check_nonnegative("lam", lam)

    def __call__(self, w):
        w = np.asarray(w).ravel()
        return self.lam * 0.5 * float(np.dot(w, w))

    def grad(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(w) * self.lam

    def get_config(self) -> dict:
        return {"lam": self.lam}


class L1(Regularizer):
    """L1 penalty (lasso): ``R(w) = lam * sum(|w|)``.

    Gradient ``lam * sign(w)`` (0 at exactly 0): a pull of constant size
    towards zero whatever the weight's magnitude, which is why L1 ends with
    many weights at (or very near) zero. Keras ``regularizers.l1(l)`` is the
    same formula, ``l == lam``.

    Args:
        lam: strength, a finite real >= 0.
    """

    def __init__(self, lam: float) -> None:
        self.lam = check_nonnegative("lam", lam)

    def __call__(self, w):
        return self.lam * float(np.abs(w).sum())

    def grad(self, w: np.ndarray) -> np.ndarray:
        return np.sign(w) * self.lam

    def get_config(self) -> dict:
        return {"lam": self.lam}


class ElasticNet(Regularizer):
    """L1 plus L2: ``R(w) = l1 * sum(|w|) + l2 * 0.5 * sum(w**2)``.

    Exactly ``L1(l1)(w) + L2(l2)(w)``, gradients likewise. Note the 1/2 on
    the L2 part (as in :class:`L2`): a formula written as
    ``l1 * sum|w| + l2' * sum(w**2)`` (Keras ``l1_l2``) has ``l2' = l2 / 2``.

    Args:
        l1: strength of the L1 part, a finite real >= 0.
        l2: strength of the L2 part, a finite real >= 0.
    """

    def __init__(self, l1: float, l2: float) -> None:
        self.l1 = check_nonnegative("l1", l1)
        self.l2 = check_nonnegative("l2", l2)
        self._l1, self._l2 = L1(self.l1), L2(self.l2)

    def __call__(self, w):
        return self._l1(w) + self._l2(w)

    def grad(self, w: np.ndarray) -> np.ndarray:
        g = self._l1.grad(w)
        g += self._l2.grad(w)
        return g

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


#: regularizers that configs may name
REGULARIZERS: dict[str, type] = {"L1": L1, "L2": L2, "ElasticNet": ElasticNet}


def regularizer_to_config(reg: Regularizer | None) -> dict | None:
    """``L2(0.01)`` -> ``{"class": "L2", "lam": 0.01}``; ``None`` -> ``None``."""
    if reg is None:
        return None
    return {"class": type(reg).__name__, **reg.get_config()}


def regularizer_from_config(config: dict | None) -> Regularizer | None:
    """Inverse of :func:`regularizer_to_config`."""
    if config is None:
        return None
    if not isinstance(config, dict) or "class" not in config:
        raise ValueError(f"regularizer config must be a dict with a 'class' key, got {config!r}")
    kwargs = dict(config)
    name = kwargs.pop("class")
    if name not in REGULARIZERS:
        raise ValueError(f"unknown regularizer class {name!r}; known: {sorted(REGULARIZERS)}")
    return REGULARIZERS[name](**kwargs)


def as_regularizer(reg) -> Regularizer | None:
    """Accept ``None``, a regularizer object or its config dict."""
    if reg is None or isinstance(reg, Regularizer):
        return reg
    if isinstance(reg, dict):
        return regularizer_from_config(reg)
    raise TypeError(f"regularizer must be None, a Regularizer (rk.L2, rk.L1, "
                    f"rk.ElasticNet) or its config dict, got {reg!r}")


def strengths(reg) -> tuple[float, float]:
    """``(l1, l2)`` strengths of a regularizer (``None`` gives ``(0.0, 0.0)``).

    L1 and L2 keep their strength in ``lam``, ElasticNet in ``l1``/``l2``;
    the training log and the overfit detector report these two numbers.
    """
    if reg is None:
        return 0.0, 0.0
    kind = type(reg).__name__
    l1 = float(getattr(reg, "l1", reg.lam if kind == "L1" else 0.0))
    l2 = float(getattr(reg, "l2", reg.lam if kind == "L2" else 0.0))
    return l1, l2
