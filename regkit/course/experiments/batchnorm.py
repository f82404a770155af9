"""Notebook 04 (batch norm): the experiments (NumPy + regkit, no drawing).

Seeded; ``rk.fit`` runs on one BLAS thread.

* :func:`deep_mlp` - a deep, narrow ReLU MLP, with BatchNorm before or
  after each activation, or none;
* :func:`train_deep` - one run with plain SGD; a run that blows up is
  recorded as diverged (with the epoch), not raised;
* :func:`lr_batch_grid` - plain vs BatchNorm over learning rates and batch
  sizes (the static figure and the dashboard read it);
* :func:`running_stats_trace` - how the running mean/variance approach the
  data's statistics for two momenta;
* :func:`settle_curve` - eval-mode vs batch-statistics accuracy after k
  steps, while the running statistics are still settling.

The figures drawn from these are in :mod:`regkit.course.plots.batchnorm`.
"""
from __future__ import annotations

import math

import numpy as np

from ... import datasets
from ...layers import BatchNorm
from ...losses import SoftmaxCrossEntropy
from ...mlp import mlp
from ...network import Sequential
from ...optim import SGD
from ...training import fit

#: the deep-MLP experiment: 300 digits, 7 hidden layers of 64, 10 epochs of SGD
DEEP = {"n_train": 300, "depth": 8, "width": 64, "epochs": 10}
LOG_LRS = (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0)
BATCH_SIZES = (8, 16, 32, 64, 128)


def deep_mlp(in_features: int = 64, out_features: int = 10, *, depth: int = 8,
             width: int = 64, batchnorm: str | None = None, momentum: float = 0.9,
             rng=0) -> Sequential:
    """``depth`` Dense layers (``depth - 1`` hidden ReLU layers of ``width``).

    ``batchnorm``: ``None`` (plain), ``"before"`` (Dense -> BN -> ReLU, the
    original paper) or ``"after"`` (Dense -> ReLU -> BN). The output layer is
    never normalised. One generator initialises every layer.
    """
    return mlp((in_features, *[width] * (depth - 1), out_features), batchnorm=batchnorm,
               bn_momentum=momentum, rng=rng)


def deep_data(n_train: int = DEEP["n_train"]):
    """The digits split of the experiments (validation set of 359 images)."""
    return datasets.digits(n_train=n_train, random_state=0)


def train_deep(lr: float, batch_size: int = 32, batchnorm: str | None = None, *,
               data=None, seed: int = 0, **cfg) -> dict:
    """Train :func:`deep_mlp` with plain SGD (no momentum).

    Returns ``{"history", "model", "diverged"}``; ``diverged`` is the epoch
    (0-based) in which the loss became inf/NaN, or None. ``cfg`` overrides
    :data:`DEEP` (``depth``, ``width``, ``epochs``, ``n_train``).
    """
    cfg = {**DEEP, **cfg}
    data = data if data is not None else deep_data(cfg["n_train"])
    model = deep_mlp(data.x_train.shape[1], 10, depth=cfg["depth"], width=cfg["width"],
                     batchnorm=batchnorm, rng=seed)
    diverged = None
    with np.errstate(all="ignore"):          # overflow on the way to a divergence
        try:
            history = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
                          optimizer=SGD(model.parameters(), lr=lr), epochs=cfg["epochs"],
                          batch_size=batch_size, validation_data=(data.x_val, data.y_val),
                          rng=seed, progress=False)
        except FloatingPointError as err:
            history = err.history
            diverged = len(history.train_loss)
    return {"history": history, "model": model, "diverged": diverged}


def final_acc(run: dict, last: int = 3) -> float:
    """Mean validation accuracy of the ``last`` epochs of a run (one noisy
    epoch does not decide); 0.1 (chance) for a diverged run."""
    h = run["history"]
    if run["diverged"] is not None or not h.val_acc:
        return 0.1
    return float(np.mean(h.val_acc[-last:]))


def lr_batch_grid(log_lrs=LOG_LRS, batch_sizes=BATCH_SIZES, *, seed: int = 0,
                  data=None, **cfg) -> dict:
    """``{(log10 lr, batch size): {"plain": run, "bn": run}}`` (runs from
    :func:`train_deep`, BatchNorm before the activation)."""
    data = data if data is not None else deep_data({**DEEP, **cfg}["n_train"])
    grid = {}
    for log_lr in log_lrs:
        for bs in batch_sizes:
            key = (round(float(log_lr), 2), int(bs))
            grid[key] = {name: train_deep(10.0 ** log_lr, int(bs), mode, data=data,
                                          seed=seed, **cfg)
                         for name, mode in (("plain", None), ("bn", "before"))}
    return grid


def running_stats_trace(momenta=(0.9, 0.99), steps: int = 150, batch_size: int = 32,
                        mean: float = 5.0, std: float = 2.0, rng=0) -> dict:
    """Feed batches of N(mean, std^2) to ``BatchNorm(1)`` layers with each
    momentum (same batches for all) and record ``running_mean``/``running_var``
    after every step. Returns ``{"steps", "mean", "var", momentum: {"mean": [...],
    "var": [...]}}``."""
    gen = np.random.default_rng(rng)
    layers = {m: BatchNorm(1, momentum=m) for m in momenta}
    out = {"steps": np.arange(1, steps + 1), "mean": mean, "var": std ** 2}
    out.update({m: {"mean": [], "var": []} for m in momenta})
    for _ in range(steps):
        x = (mean + std * gen.standard_normal((batch_size, 1))).astype(np.float32)
        for m, layer in layers.items():
            layer.forward(x)
            out[m]["mean"].append(float(layer.running_mean[0]))
            out[m]["var"].append(float(layer.running_var[0]))
    return out


def settle_curve(checkpoints=(1, 3, 10, 30, 100, 300), *, momentum: float = 0.99,
                 lr: float = 0.1, batch_size: int = 32, seed: int = 0, data=None) -> dict:
    """Accuracy while the running statistics settle.

    Trains a BatchNorm MLP step by step and, at each checkpoint, measures
    the validation accuracy in eval mode (running statistics) and with the
    validation set's own batch statistics (training-mode forward; the
    running statistics are put back afterwards). Returns ``{"steps",
    "eval_acc", "batch_acc"}``.
    """
    data = data if data is not None else deep_data()
    model = deep_mlp(64, 10, depth=4, batchnorm="before", momentum=momentum, rng=seed)
    loss, opt = SoftmaxCrossEntropy(), SGD(model.parameters(), lr=lr)
    gen = np.random.default_rng(seed)
    n = len(data.x_train)
    out = {"steps": [], "eval_acc": [], "batch_acc": []}
    for step in range(1, max(checkpoints) + 1):
        idx = gen.choice(n, size=batch_size, replace=False)
        model.train()
        loss.forward(model.forward(data.x_train[idx]), data.y_train[idx])
        model.backward(loss.backward())
        opt.step()
        if step in checkpoints:
            out["steps"].append(step)
            out["eval_acc"].append(_acc(model.predict(data.x_val), data.y_val))
            saved = model.state_dict()
            out["batch_acc"].append(_acc(model.train().forward(data.x_val), data.y_val))
            model.load_state_dict(saved)
    model.eval()
    return out


def _acc(scores, y) -> float:
    return float(np.mean(scores.argmax(axis=1) == y))


def log10(x: float) -> float:
    """log10 rounded to 2 decimals: the grid's key for a learning rate."""
    return round(math.log10(x), 2)
