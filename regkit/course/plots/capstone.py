"""Notebook 08 (the capstone): the figures, drawn from the comparisons of
:mod:`regkit.course.experiments.capstone`.

:func:`gap_bars` (train / validation / test accuracy per technique, the gap
between them), :func:`before_after` (clean and wrong labels side by side)
and :func:`combo_view` (one run: curves and verdict, the dashboard's picture).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..experiments.capstone import NOISY, SETTINGS
from ...detector.plot import VERDICT_COLOURS
from ...style import PALETTE, TEST, TRAIN, VAL, rk_style


# -- figures -------------------------------------------------------------------
#: Short axis labels for the technique names.
SHORT = {"none": "none", "batchnorm": "batch\nnorm", "augmentation": "augment",
         "l2": "L2", "dropout": "dropout", "early_stopping": "early\nstop", "all": "all"}


def gap_bars(rows, *, title: str = "", ax=None, true_labels: bool = False, legend: bool = True):
    """Train, validation and test accuracy per technique; the gap written above.

    Args:
        rows: from :func:`summary_rows` (or ``Comparison.table``).
        title: the panel title.
        ax: an Axes to draw into, or None for a new figure.
        true_labels: also draw the accuracy on the true training labels
            (rows need ``train_true_acc``).
        legend: draw the legend under the panel.

    Returns:
        matplotlib Figure.
    """
    series = [("train_acc", "train", TRAIN), ("val_acc", "validation", VAL),
              ("test_acc", "test", TEST)]
    if true_labels:
        series.insert(1, ("train_true_acc", "train, true labels", PALETTE["sky"]))
    with rk_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(1.2 * len(rows) + 2.0, 4.6))
        fig = ax.figure
        x = np.arange(len(rows))
        width = 0.8 / len(series)
        for i, (key, label, colour) in enumerate(series):
            ax.bar(x + (i - (len(series) - 1) / 2) * width, [r[key] for r in rows], width,
                   color=colour, label=label)
        for xi, r in zip(x, rows):
            ax.text(xi, 1.01, f"{r['train_acc'] - r['val_acc']:+.2f}", ha="center",
                    va="bottom", fontsize=10)
        ax.text(-0.6, 1.055, "gap (train - val):", fontsize=10, va="bottom")
        ax.set_xticks(x, [SHORT.get(r["technique"], r["technique"]) for r in rows],
                      fontsize=10)
        bottom = max(0.0, np.floor(20 * min(min(r[k] for r in rows)
                                            for k, _, _ in series)) / 20 - 0.05)
        ax.set_ylim(bottom, 1.1)
        ax.set_yticks(np.arange(bottom, 1.001, 0.05))
        ax.set_ylabel("accuracy")
        if legend:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(series),
                      fontsize=10, frameon=False)
        ax.grid(axis="x", visible=False)
        if title:
            ax.set_title(title, pad=14)
        fig.tight_layout()
    return fig


def before_after(clean_rows, noisy_rows):
    """The two capstone stories side by side: clean digits and 30% wrong labels."""
    with rk_style():
        fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
        gap_bars(clean_rows, ax=axes[0],
                 title=f"{SETTINGS['n_train']} clean digits")
        gap_bars(noisy_rows, ax=axes[1], true_labels=True,
                 title=f"{NOISY['n_train']} digits, {NOISY['label_noise']:.0%} wrong labels")
        fig.tight_layout()
    return fig


def combo_view(run: dict, *, loss_max: float = 2.0):
    """One run as the dashboard shows it: accuracy and loss curves, test
    accuracy as a line, best epoch marked, verdict in the title.

    ``run``: ``{"history", "row", "verdict"}`` (see
    :func:`regkit.course.widgets.capstone.capstone_dashboard`). The x axis spans the
    epoch budget, so a run that stopped early visibly ends early.
    """
    h, row = run["history"], run["row"]
    x = np.arange(len(h.train_loss))
    with rk_style():
        fig, (acc_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 3.9))
        acc_ax.plot(x, h.train_acc, color=TRAIN, label="train")
        acc_ax.plot(x, h.val_acc, color=VAL, label="validation")
        acc_ax.axhline(row["test_acc"], color=TEST, linestyle=":",
                       label=f"test (final model) {row['test_acc']:.3f}")
        acc_ax.set_ylim(0.5, 1.02)
        acc_ax.set_ylabel("accuracy")
        loss_ax.plot(x, h.train_loss, color=TRAIN, label="train")
        loss_ax.plot(x, h.val_loss, color=VAL, label="validation")
        loss_ax.set_ylim(0.0, loss_max)
        loss_ax.set_ylabel("loss")
        for axis in (acc_ax, loss_ax):
            axis.set_xlim(0, h.config.get("epochs", len(x)))
            axis.set_xlabel("epoch")
            if h.best_epoch is not None:
                axis.axvline(h.best_epoch, color=PALETTE["grey"], linestyle="--", linewidth=1.5)
        acc_ax.legend(loc="lower right", fontsize=10)
        fig.suptitle(f"{row['technique']}: {run['verdict']}  ·  gap {row['gap']:+.3f}",
                     color=VERDICT_COLOURS.get(run["verdict"], "black"), fontweight="bold")
        # fixed margins: tight_layout would cost a third of a dashboard update
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.86, wspace=0.22)
    return fig
