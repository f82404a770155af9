"""`mlp`: the one builder of the course's multilayer perceptrons.

``rk.mlp([64, 256, 256, 10], dropout=0.5)`` builds::

    Dense(64, 256) -> ReLU -> Dropout(0.5) -> Dense(256, 256) -> ReLU -> Dropout(0.5)
        -> Dense(256, 10)

``sizes`` lists every width, input first and output last, so a network has
``len(sizes) - 1`` Dense layers. Every hidden block is, in this order::

    Dense (DropConnect with dropconnect=p) -> [BatchNorm, "before"] -> activation
        -> [BatchNorm, "after"] -> [Dropout(p)]

and the output layer is a plain Dense: the scores are never normalised,
activated or dropped. With ``flatten=True`` a ``Flatten`` comes first, so
the data can stay images ``(batch, h, w)`` (what augmentation needs).

The same network written out by hand, for reading::

    layers, width = [], sizes[0]
    for h in sizes[1:-1]:
        layers += [Dense(width, h, regularizer=reg, rng=gen), ReLU(), Dropout(p, rng=gen)]
        width = h
    model = Sequential(*layers, Dense(width, sizes[-1], regularizer=reg, rng=gen))

Every network of the course's experiments, dashboards and of
``rk.MLPClassifier`` is built here; a notebook that wants the learner to see
the layers writes them out itself.
"""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

from ._rng import as_rng
from ._validate import check_int, check_probability, check_real
from .layers import BatchNorm, Dense, DropConnect, Dropout, Flatten, ReLU, Sigmoid, Tanh
from .network import Sequential

if TYPE_CHECKING:
    from collections.abc import Sequence
    from ._typing import RNGLike
    from .regularizers import Regularizer

#: activation name -> layer class
ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}
#: where BatchNorm goes in a hidden block (None: nowhere)
BATCHNORM = (None, "before", "after")

__all__ = ["mlp", "ACTIVATIONS", "BATCHNORM"]


def mlp(sizes: Sequence[int], activation: str = "relu", *, dropout: float | None = None,
        dropconnect: float | None = None, batchnorm: str | None = None,
        bn_momentum: float = 0.9, regularizer: Regularizer | None = None,
        init: str | None = None, flatten: bool = False, rng: RNGLike = None) -> Sequential:
    """A multilayer perceptron as an ``rk.Sequential`` (layer order in the module docstring).

    Args:
        sizes: every width, input first, output last: ``(64, 256, 256, 10)``
            is two hidden layers of 256. ``(64, 10)`` is a single Dense
            (softmax regression with a cross-entropy loss). scikit-learn's
            ``hidden_layer_sizes`` lists the hidden widths only: ``(256, 256)``.
        activation: ``"relu"``, ``"tanh"`` or ``"sigmoid"``, after every
            hidden Dense (never after the output).
        dropout: ``None`` (default): no Dropout layers. A rate ``p`` in
            [0, 1): a ``Dropout(p)`` at the end of every hidden block.
            ``0.0`` adds Dropout layers that drop nothing, so a sweep over
            ``p`` keeps one architecture (the same layer indices and
            state_dict keys for every ``p``).
        dropconnect: ``None`` (default), or a rate ``p``: the hidden Dense
            layers become ``DropConnect(p)`` (weights dropped instead of
            units; the output layer stays a Dense).
        batchnorm: ``None`` (default), ``"before"`` (Dense -> BatchNorm ->
            activation, as in the original paper) or ``"after"`` (Dense ->
            activation -> BatchNorm).
        bn_momentum: the BatchNorm layers' ``momentum`` (regkit's 0.9 is
            PyTorch's 0.1, see :class:`regkit.BatchNorm`).
        regularizer: ``None``, a regularizer (``rk.L2(1e-3)``, ``rk.L1``,
            ``rk.ElasticNet``) or its config dict, on the weights ``W`` of
            every Dense, the output layer's included (biases never).
        init: how every ``W`` is drawn (see :class:`regkit.Dense`); ``None``
            picks ``"he"`` for ReLU and ``"xavier"`` for tanh and sigmoid
            (Keras' Dense always starts from ``glorot_uniform``, PyTorch's
            Linear from uniform in ``+-1/sqrt(fan_in)``).
        flatten: put ``rk.Flatten()`` first, for image input ``(batch, h, w)``.
        rng: where the initial weights and the dropout masks come from:

            * ``None``: regkit's default generator (``rk.seed`` resets it);
              each Dropout looks it up at every forward;
            * an int or a Generator: ONE generator, ``as_rng(rng)``, shared by
              every layer: the weights are drawn layer by layer, first to
              last, and the masks then come from the same stream;
            * a sequence with one entry (``None | int | Generator``) per Dense
              layer: layer ``i`` and the Dropout of its block use
              ``as_rng(rng[i])``, so each layer can be seeded on its own.

    Returns:
        Sequential.

    Example::

        model = rk.mlp((64, 128, 10), dropout=0.3, regularizer=rk.L2(1e-3), rng=0)
    """
    sizes = _check_sizes(sizes)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {activation!r}")
    if batchnorm not in BATCHNORM:
        raise ValueError(f"batchnorm must be None, 'before' or 'after', got {batchnorm!r}")
    if dropout is not None:
        dropout = check_probability("dropout", dropout)
    if dropconnect is not None:
        dropconnect = check_probability("dropconnect", dropconnect)
    bn_momentum = check_real("bn_momentum", bn_momentum, low=0.0, high=1.0)
    if init is None:
        init = "he" if activation == "relu" else "xavier"
    gens = _layer_rngs(rng, len(sizes) - 1)
    act = ACTIVATIONS[activation]

    layers = [Flatten()] if flatten else []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-2], sizes[1:-1])):
        if dropconnect is None:
            layers.append(Dense(fan_in, fan_out, regularizer=regularizer, init=init,
                                rng=gens[i]))
        else:
            layers.append(DropConnect(fan_in, fan_out, p=dropconnect, regularizer=regularizer,
                                      init=init, rng=gens[i]))
        if batchnorm == "before":
            layers.append(BatchNorm(fan_out, momentum=bn_momentum))
        layers.append(act())
        if batchnorm == "after":
            layers.append(BatchNorm(fan_out, momentum=bn_momentum))
        if dropout is not None:
            layers.append(Dropout(dropout, rng=gens[i]))
    layers.append(Dense(sizes[-2], sizes[-1], regularizer=regularizer, init=init, rng=gens[-1]))
    return Sequential(*layers)


def _check_sizes(sizes) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a sequence of ints (input, hidden..., output), "
                        f"got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output width, got {sizes!r}")
    return [check_int(f"sizes[{i}]", s, low=1) for i, s in enumerate(sizes)]


def _layer_rngs(rng, n_dense: int) -> list:
    """One ``None | Generator`` per Dense layer (see ``rng`` in :func:`mlp`)."""
    if rng is None or isinstance(rng, (numbers.Integral, np.random.Generator)):
        gen = None if rng is None else as_rng(rng)
        return [gen] * n_dense
    if isinstance(rng, (str, bytes)) or not hasattr(rng, "__len__"):
        raise TypeError(f"rng must be None, an int, a numpy Generator or a sequence of them "
                        f"(one per Dense layer), got {rng!r}")
    entries = list(rng)
    if len(entries) != n_dense:
        raise ValueError(f"rng as a sequence needs one entry per Dense layer ({n_dense}), "
                         f"got {len(entries)}")
    return [None if r is None else as_rng(r) for r in entries]
