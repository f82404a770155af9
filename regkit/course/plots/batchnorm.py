"""Notebook 04 (batch norm): the figures, drawn from the runs of
:mod:`regkit.course.experiments.batchnorm`.

:func:`lr_multiples` and :func:`lr_sweep` (with vs without batch norm over
learning rates), :func:`lr_view` (one setting: the dashboard's picture),
:func:`running_stats_figure`, :func:`settle_figure`, :func:`placement_bars`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..experiments.batchnorm import DEEP, final_acc
from ...style import PALETTE

PLAIN, BN = PALETTE["grey"], PALETTE["green"]
COLOURS = {"plain": PLAIN, "none": PLAIN, "bn": BN, "before": BN, "after": PALETTE["purple"]}


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
