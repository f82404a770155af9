"""Notebook 05 (early stopping): the figures, drawn from the recorded run of
:func:`regkit.course.experiments.early_stopping.record_run`.

:func:`stop_multiples` (several patiences side by side), :func:`stop_view`
(one setting: the dashboard's picture), :func:`weight_norm_figure` (early
stopping as a limit on the weights). Where the rule stops is
:func:`~regkit.course.experiments.early_stopping.replay` on the recorded
validation loss (microseconds).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..experiments.early_stopping import PATIENCE_SHOWN, StopPoint, replay
from ...style import PALETTE, TRAIN, VAL

#: top of the loss axis (the recorded run's validation loss stays near 1)
YMAX = 2.0


# -- figures -------------------------------------------------------------------
def draw_stop(ax, run: dict, patience: int, min_delta: float = 0.0, *,
              title: str | None = None, legend: bool = False) -> StopPoint:
    """Train and validation loss of the recorded run, where the rule stops
    (a vertical line; the epochs it saves are greyed) and the restored
    epoch (a ring). Epochs are drawn 1-based, as people count them."""
    h = run["history"]
    stop = replay(h.val_loss, patience, min_delta)
    epochs = np.arange(1, len(h.val_loss) + 1)
    ax.plot(epochs, h.train_loss, color=TRAIN, label="train")
    ax.plot(epochs, h.val_loss, color=VAL, label="validation")
    if stop.stopped_epoch is not None:
        s = stop.stopped_epoch + 1
        ax.axvspan(s, epochs[-1], color="0.92", zorder=0)
        ax.axvline(s, color=PALETTE["vermillion"], lw=2, ls="--", label="stop")
    b = stop.best_epoch
    ax.plot(b + 1, h.val_loss[b], "o", ms=11, mfc="none", mec=PALETTE["black"], mew=2.2,
            label="restored")
    # linear and cut above: the first epochs' loss would flatten the part that matters
    ax.set(xlabel="epoch", ylabel="loss", title=title, ylim=(0, YMAX))
    if legend:
        ax.legend(loc="lower left", fontsize=10)
    return stop


def _when(stop: StopPoint) -> str:
    return "ran to the end" if stop.stopped_epoch is None else f"stop at {stop.stopped_epoch + 1}"


def stop_multiples(run: dict, patiences=PATIENCE_SHOWN, min_delta: float = 0.0) -> plt.Figure:
    """One panel per patience: where it stops, which epoch it restores, and
    that epoch's validation accuracy (the last epoch's for comparison in the
    title). Validation, not test: these panels are for choosing the patience."""
    fig, axes = plt.subplots(1, len(patiences), figsize=(3.2 * len(patiences), 3.6),
                             sharey=True, squeeze=False)
    for i, (ax, p) in enumerate(zip(axes[0], patiences)):
        stop = draw_stop(ax, run, p, min_delta, title=f"patience {p}")
        acc = run["history"].val_acc[stop.best_epoch]
        ax.text(0.97, 0.97, f"{_when(stop)}\nrestore {stop.best_epoch + 1}\nval acc {acc:.1%}",
                transform=ax.transAxes, ha="right", va="top", fontsize=10,
                bbox={"fc": "white", "ec": "0.8", "alpha": 0.9})
        if i:
            ax.set_ylabel("")
    fig.suptitle(f"same recorded run, four patiences (min_delta = {min_delta:g}); "
                 f"last epoch's validation accuracy {run['history'].val_acc[-1]:.1%}", fontsize=12)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=11, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def stop_view(run: dict, patience: int, min_delta: float = 0.0) -> plt.Figure:
    """The dashboard's picture: left the loss curves with the stop and the
    restored epoch, right the validation accuracy of every epoch's weights (the
    test set stays out of the choice the dashboard is for)."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10.5, 3.9))
    stop = draw_stop(a, run, patience, min_delta, legend=True,
                     title=f"patience {patience}, min_delta {min_delta:g}")
    acc = np.asarray(run["history"].val_acc)
    epochs = np.arange(1, len(acc) + 1)
    b.plot(epochs, acc, color=VAL, label="validation accuracy of epoch t's weights")
    best = stop.best_epoch
    b.plot(best + 1, acc[best], "o", ms=11, mfc="none", mec=PALETTE["black"], mew=2.2)
    b.axhline(acc[-1], color="0.5", lw=1.2, ls=":", label=f"last epoch: {acc[-1]:.1%}")
    if stop.stopped_epoch is not None:
        b.axvspan(stop.stopped_epoch + 1, epochs[-1], color="0.92", zorder=0)
    lo = float(np.quantile(acc, 0.05))
    b.set(xlabel="epoch", ylabel="validation accuracy", ylim=(lo - 0.01, acc.max() + 0.015),
          title=f"restored epoch {best + 1}: validation accuracy {acc[best]:.1%}")
    b.legend(loc="upper right", fontsize=10)
    # fixed margins, not tight_layout: it would double the drawing time of a slider update
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.14, top=0.91, wspace=0.22)
    return fig


def weight_norm_figure(run: dict, patience: int = 10) -> plt.Figure:
    """Left: the squared weight norm grows with every epoch (ring: the epoch
    early stopping restores). Right: loss against that norm: past the ring,
    bigger weights only fit the training set better."""
    h, norm = run["history"], run["weight_norm"]
    epochs = np.arange(1, len(norm) + 1)
    best = replay(h.val_loss, patience).best_epoch
    fig, (a, b) = plt.subplots(1, 2, figsize=(10.5, 3.9))
    a.plot(epochs, norm, color=PALETTE["purple"])
    a.plot(best + 1, norm[best], "o", ms=11, mfc="none", mec=PALETTE["black"], mew=2.2,
           label=f"restored (patience {patience}): epoch {best + 1}")
    a.set(xlabel="epoch", ylabel=r"$\sum W^2$", title="weights grow with training time")
    a.legend(loc="lower right", fontsize=10)
    b.plot(norm, h.train_loss, color=TRAIN, label="train")
    b.plot(norm, h.val_loss, color=VAL, label="validation")
    b.plot(norm[best], h.val_loss[best], "o", ms=11, mfc="none", mec=PALETTE["black"], mew=2.2)
    b.set(xlabel=r"$\sum W^2$ (grows with epochs $\rightarrow$)", ylabel="loss",
          ylim=(0, YMAX), title="loss against weight size")
    b.legend(loc="upper right", fontsize=10)
    fig.tight_layout()
    return fig
