"""Notebook 04 (batch norm): the experiments and the figures drawn from them.

Experiments (seeded; ``rk.fit`` on one BLAS thread):

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
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from ... import datasets
from ...layers import BatchNorm, Dense, ReLU
from ...losses import SoftmaxCrossEntropy
from ...network import Sequential
from ...optim import SGD
from ...training import fit
from ...style import PALETTE

#: the deep-MLP experiment: 300 digits, 7 hidden layers of 64, 10 epochs of SGD
DEEP = {"n_train": 300, "depth": 8, "width": 64, "epochs": 10}
LOG_LRS = (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0)
BATCH_SIZES = (8, 16, 32, 64, 128)
PLAIN, BN = PALETTE["grey"], PALETTE["green"]
COLOURS = {"plain": PLAIN, "none": PLAIN, "bn": BN, "before": BN, "after": PALETTE["purple"]}


# -- experiments ---------------------------------------------------------------
def deep_mlp(in_features: int = 64, out_features: int = 10, *, depth: int = 8,
             width: int = 64, batchnorm: str | None = None, momentum: float = 0.9,
             rng=0) -> Sequential:
    """``depth`` Dense layers (``depth - 1`` hidden ReLU layers of ``width``).

    ``batchnorm``: ``None`` (plain), ``"before"`` (Dense -> BN -> ReLU, the
    original paper) or ``"after"`` (Dense -> ReLU -> BN). The output layer is
    never normalised. One generator initialises every layer.
    """
    if batchnorm not in (None, "before", "after"):
        raise ValueError(f"batchnorm must be None, 'before' or 'after', got {batchnorm!r}")
    gen = np.random.default_rng(rng)
    layers, fan_in = [], in_features
    for _ in range(depth - 1):
        layers.append(Dense(fan_in, width, rng=gen))
        block = [ReLU()]
        if batchnorm == "before":
            block.insert(0, BatchNorm(width, momentum=momentum))
        elif batchnorm == "after":
            block.append(BatchNorm(width, momentum=momentum))
        layers += block
        fan_in = width
    layers.append(Dense(fan_in, out_features, rng=gen))
    return Sequential(*layers)


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


# -- figures -------------------------------------------------------------------
def _draw_runs(ax, entry, metric="val_acc"):
    for name, label in (("plain", "no batch norm"), ("bn", "batch norm")):
        run = entry[name]
        values = getattr(run["history"], metric)
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, color=COLOURS[name], label=label)
        if run["diverged"] is not None:
            ax.plot([run["diverged"] + 1], [values[-1] if values else 0.1], "x",
                    color=COLOURS[name], ms=14, mew=3)
            ax.text(0.03, 0.06 if name == "plain" else 0.16, f"{label}: diverged",
                    transform=ax.transAxes, color=COLOURS[name], fontsize=11)


def lr_multiples(grid: dict, log_lrs=(-3.0, -2.0, -1.0, 0.0), batch_size: int = 32) -> plt.Figure:
    """Small multiples: validation accuracy per epoch with and without batch
    norm, one panel per learning rate, plus the sweep of final accuracy."""
    fig, axes = plt.subplots(1, len(log_lrs) + 1, figsize=(3.3 * (len(log_lrs) + 1), 3.9))
    for ax, log_lr in zip(axes, log_lrs):
        _draw_runs(ax, grid[(round(float(log_lr), 2), batch_size)])
        ax.set(title=f"lr = {10.0 ** log_lr:g}", xlabel="epoch", ylim=(0, 1))
    axes[0].set_ylabel("validation accuracy")
    axes[0].legend(loc="upper left", fontsize=10)
    lr_sweep(grid, batch_size, ax=axes[-1])
    fig.tight_layout()
    return fig


def lr_sweep(grid: dict, batch_size: int = 32, ax=None) -> plt.Figure:
    """Final validation accuracy against the learning rate (log axis); a
    diverged run is drawn as an x at chance level."""
    fig, ax = (plt.subplots(figsize=(6, 4)) if ax is None else (ax.figure, ax))
    log_lrs = sorted({k[0] for k in grid if k[1] == batch_size})
    lrs = [10.0 ** v for v in log_lrs]
    for name, label in (("plain", "no batch norm"), ("bn", "batch norm")):
        runs = [grid[(v, batch_size)][name] for v in log_lrs]
        ax.plot(lrs, [final_acc(r) for r in runs], "o-", color=COLOURS[name], label=label)
        bad = [lr for lr, r in zip(lrs, runs) if r["diverged"] is not None]
        ax.plot(bad, [0.1] * len(bad), "x", color=COLOURS[name], ms=14, mew=3)
    ax.set(xscale="log", xlabel="learning rate", ylabel="val. accuracy, last 3 epochs",
           ylim=(0, 1), title=f"after {len(runs[0]['history'].val_acc) or DEEP['epochs']}"
                              f" epochs, batch {batch_size}")
    return fig


def lr_view(entry: dict, lr: float, batch_size: int) -> plt.Figure:
    """The dashboard's picture: training loss and validation accuracy per
    epoch, with and without batch norm, for one (lr, batch size)."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    _draw_runs(a, entry, "train_loss")
    top = max([max(entry[k]["history"].train_loss, default=2.5) for k in entry] + [2.5])
    a.set(title=f"training loss (lr {lr:.2g}, batch {batch_size})", xlabel="epoch",
          ylim=(0, min(top, 4.0)))
    _draw_runs(b, entry, "val_acc")
    b.set(title="validation accuracy", xlabel="epoch", ylim=(0, 1))
    b.legend(loc="lower right", fontsize=10)
    fig.tight_layout()
    return fig


def running_stats_figure(trace: dict) -> plt.Figure:
    """Running mean and variance against the step, one line per momentum,
    the data's true values dashed."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    colours = [PALETTE["green"], PALETTE["purple"], PALETTE["vermillion"]]
    momenta = [k for k in trace if isinstance(k, float)]
    for m, colour in zip(momenta, colours):
        a.plot(trace["steps"], trace[m]["mean"], color=colour, label=f"momentum {m:g}")
        b.plot(trace["steps"], trace[m]["var"], color=colour, label=f"momentum {m:g}")
    a.axhline(trace["mean"], color="k", ls="--", lw=1.5, label="data")
    b.axhline(trace["var"], color="k", ls="--", lw=1.5, label="data")
    a.set(title="running_mean (starts at 0)", xlabel="training step")
    b.set(title="running_var (starts at 1)", xlabel="training step")
    a.legend(loc="lower right", fontsize=10)
    fig.tight_layout()
    return fig


def settle_figure(curve: dict) -> plt.Figure:
    """Eval-mode vs batch-statistics validation accuracy against the step."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    # both lines are validation accuracy, so not the train/validation colours
    ax.plot(curve["steps"], curve["batch_acc"], "o-", color=PALETTE["green"],
            label="batch statistics (train mode)")
    ax.plot(curve["steps"], curve["eval_acc"], "s-", color=PALETTE["purple"],
            label="running statistics (eval mode)")
    ax.set(xscale="log", xlabel="training steps", ylabel="validation accuracy", ylim=(0, 1),
           title="eval mode before the running statistics settle")
    ax.legend(loc="lower right", fontsize=10)
    fig.tight_layout()
    return fig


def placement_bars(results: dict) -> plt.Figure:
    """Mean +- sd of final validation accuracy per placement
    (``{"before": [...], "after": [...], ...}``)."""
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    names = list(results)
    means = [float(np.mean(results[n])) for n in names]
    sds = [float(np.std(results[n])) for n in names]
    ax.bar(names, means, yerr=sds, capsize=8,
           color=[COLOURS.get(n, PALETTE["sky"]) for n in names])
    for i, v in enumerate(means):
        ax.text(i, v / 2, f"{v:.3f}", ha="center", color="white", fontsize=12)
    ax.set(ylabel="final validation accuracy", ylim=(0, 1), title="where to put batch norm")
    fig.tight_layout()
    return fig


def log10(x: float) -> float:
    """log10 rounded to 2 decimals: the grid's key for a learning rate."""
    return round(math.log10(x), 2)
