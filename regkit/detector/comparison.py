"""Train one model with and without each regularization technique, side by side.

``rk.compare(build_model, techniques, data)`` is the capstone experiment: the
same architecture, the same initial weights, the same batches, once with
nothing and once per technique (and all together), so differences in the
curves come from the technique alone.

The ``build_model`` contract::

    def build_model(dropout=0.0, batchnorm=False, l2=0.0) -> rk.Sequential

``dropout`` is the drop probability for Dropout layers after the hidden
layers (0 means none), ``batchnorm`` puts a BatchNorm after each hidden
Dense, ``l2`` is the strength of an ``rk.L2`` on the Dense weights. Early
stopping and augmentation are training options, so the builder never sees
them. For augmentation the data must be images ``(batch, h, w)`` (load with
``flatten=False``) and the model must start with ``rk.Flatten()``;
:func:`mlp` builds such a model.
"""
from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from .. import augment as _augment
from .._rng import seed as _seed
from ..callbacks import EarlyStopping
from ..datasets import digits
from .plot import plot_comparison
from .rules import diagnose
from ..losses import SoftmaxCrossEntropy
from ..mlp import mlp as build_mlp
from ..optim import Adam
from ..regularizers import L2
from ..training import fit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from matplotlib.figure import Figure
    from ..datasets import Split
    from ..history import History
    from ..network import Sequential

#: Every technique compare knows, in the chapter's order; "all" combines them.
TECHNIQUES = ("none", "l2", "dropout", "batchnorm", "early_stopping", "augmentation", "all")


def mlp(n_in: int = 64, hidden=(256, 256), n_out: int = 10):
    """A ``build_model`` for :func:`compare`: Flatten, then Dense-[BN]-ReLU-[Dropout] blocks.

    Returns a function ``build(dropout=0.0, batchnorm=False, l2=0.0)`` that
    calls :func:`regkit.mlp` (``batchnorm=True`` is ``"before"``; a rate or
    strength of 0 leaves the layer or the penalty out). Weights come from
    regkit's default generator, which ``compare`` reseeds before every
    build, so every technique starts from the same weights.
    """
    def build(dropout=0.0, batchnorm=False, l2=0.0):
        return build_mlp((n_in, *hidden, n_out), dropout=dropout or None,
                         batchnorm="before" if batchnorm else None,
                         regularizer=L2(l2) if l2 else None, flatten=True)
    return build


def default_augment():
    """Light, digit-safe augmentation: shifts of 1 px and rotations up to 10°."""
    return _augment.Compose([partial(_augment.shift, pixels=1),
                             partial(_augment.rotate, degrees=10)])


def compare(build_model: Callable[..., Sequential], techniques: Iterable[str] | None = None,
            data: Split | None = None, *, epochs: int = 100, lr: float = 1e-3,
            batch_size: int = 32, l2: float = 1e-3, dropout: float = 0.5,
            patience: int = 10, augment: Callable[..., np.ndarray] | None = None,
            seed: int = 0, progress: bool = False) -> Comparison:
    """Train ``build_model`` once per technique with the same seeds; tabulate and plot.

    Args:
        build_model: ``build(dropout=0.0, batchnorm=False, l2=0.0) -> Sequential``
            (see the module docstring); :func:`mlp` makes one.
        techniques: names from :data:`TECHNIQUES` (default: all of them).
        data: a split from ``rk.datasets`` (``x_train, y_train, x_val, y_val,
            x_test, y_test``). Default: 200 digits as images.
        epochs, lr, batch_size: training settings (Adam, softmax cross-entropy).
        l2, dropout, patience: the strength of each technique when it is on.
        augment: the augmentation for "augmentation" (default
            :func:`default_augment`).
        seed: reseeds regkit before each build and drives shuffling, dropout
            and augmentation, identically for every technique.

    Returns:
        Comparison: ``.table`` (one dict per technique), ``.histories``,
        ``.models``, ``.plot()``.
    """
    names = list(TECHNIQUES if techniques is None else techniques)
    unknown = [t for t in names if t not in TECHNIQUES]
    if unknown or not names:
        raise ValueError(f"techniques must be names from {TECHNIQUES}, got {techniques!r}")
    data = digits(n_train=200, flatten=False, random_state=seed) if data is None else data
    if any(t in ("augmentation", "all") for t in names) and np.ndim(data.x_train) != 3:
        raise ValueError("the 'augmentation' technique needs images (batch, h, w): load the "
                         f"data with flatten=False (x_train has shape {np.shape(data.x_train)})")
    augment = default_augment() if augment is None else augment
    result = Comparison()
    for name in names:
        on = (lambda t: name in (t, "all"))
        _seed(seed)
        model = build_model(dropout=dropout if on("dropout") else 0.0,
                            batchnorm=on("batchnorm"), l2=l2 if on("l2") else 0.0)
        callbacks = [EarlyStopping(patience=patience)] if on("early_stopping") else []
        start = time.perf_counter()
        history = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
                      optimizer=Adam(model.parameters(), lr=lr), epochs=epochs,
                      batch_size=batch_size, validation_data=(data.x_val, data.y_val),
                      callbacks=callbacks, augment=augment if on("augmentation") else None,
                      rng=seed, progress=progress)
        seconds = time.perf_counter() - start
        result.add(name, model, history, data, seconds)
    return result


def _accuracy(model, x, y) -> float:
    return float(np.mean(model.predict(x).argmax(axis=1) == y))


@dataclass
class Comparison:
    """What :func:`compare` measured: a table, the histories and the models.

    ``table`` rows: ``technique``, ``train_acc``, ``val_acc``, ``test_acc``
    (of the final model: the restored best weights under early stopping),
    ``gap`` (train - val accuracy), ``best_epoch``, ``stopped_epoch``,
    ``verdict`` (the overfit detector's), ``seconds``.
    """

    table: list = field(default_factory=list)
    histories: dict = field(default_factory=dict)
    models: dict = field(default_factory=dict)

    COLUMNS = ("technique", "train_acc", "val_acc", "test_acc", "gap", "best_epoch",
               "stopped_epoch", "verdict", "seconds")

    def add(self, name: str, model: Sequential, history: History, data: Split,
            seconds: float) -> None:
        train = _accuracy(model, data.x_train, data.y_train)
        val = _accuracy(model, data.x_val, data.y_val)
        test = _accuracy(model, data.x_test, data.y_test) if len(data.x_test) else None
        self.table.append({
            "technique": name, "train_acc": train, "val_acc": val, "test_acc": test,
            "gap": train - val, "best_epoch": history.best_epoch,
            "stopped_epoch": history.stopped_epoch,
            "verdict": diagnose(history, model=model).verdict, "seconds": seconds,
        })
        self.histories[name] = history
        self.models[name] = model

    def _cells(self):
        def fmt(key, value):
            if value is None:
                return "-"
            if key == "seconds":
                return f"{value:.2f}"
            return f"{value:.3f}" if isinstance(value, float) else str(value)
        return [[fmt(k, row[k]) for k in self.COLUMNS] for row in self.table]

    def __str__(self) -> str:
        rows = [list(self.COLUMNS), *self._cells()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self.COLUMNS))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)

    def __repr__(self) -> str:
        return f"Comparison({[row['technique'] for row in self.table]})"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in self.COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in self._cells())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def plot(self, metric: str = "acc") -> Figure:
        """Small multiples of the train/validation curves, shared axes. Returns a Figure."""
        return plot_comparison(self, metric=metric)
