"""Notebook 03 (dropout): the figures, drawn from the runs of
:mod:`regkit.course.experiments.dropout`.

:func:`p_multiples` (curves and boundaries side by side), :func:`p_view`
(one ``p``, the dashboard's picture), :func:`ensemble_curve`,
:func:`dropconnect_curves`; :func:`draw_curves` and :func:`draw_boundary`
draw one panel.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..experiments.dropout import P_SHOWN
from ...style import PALETTE, TRAIN, VAL


# -- figures -------------------------------------------------------------------
def draw_curves(ax, history, metric: str = "loss", title: str | None = None) -> None:
    """Train (blue) and validation (orange) ``metric`` per epoch on ``ax``."""
    epochs = np.arange(1, len(history.train_loss) + 1)
    train = getattr(history, f"train_{metric}")
    val = getattr(history, f"val_{metric}")
    ax.plot(epochs, train, color=TRAIN, label="train")
    ax.plot(epochs, val, color=VAL, label="validation")
    best = int(np.argmin(val)) if metric == "loss" else int(np.argmax(val))
    ax.plot(epochs[best], val[best], "o", color=VAL, ms=7)
    ax.set(xlabel="epoch", ylabel=metric, title=title)


def draw_boundary(ax, moons_run, title: str | None = None) -> None:
    """The moons decision boundary (probability shading, 0.5 contour) and the
    training points."""
    xx, yy, prob = moons_run["boundary"]
    data = moons_run["data"]
    # flat pale bands (sure / unsure on each side), no transparency: small PNGs
    ax.contourf(xx, yy, prob, levels=[0, 0.1, 0.5, 0.9, 1],
                colors=["#c6dbef", "#e8f1fa", "#fbe3d6", "#f6bfa6"])
    ax.contour(xx, yy, prob, levels=[0.5], colors="k", linewidths=2)
    # classes in sky and vermillion, as in notebook 00: blue and orange mean
    # training and validation in every figure of the course
    colours = np.where(data.y_train == 1, PALETTE["vermillion"], PALETTE["sky"])
    ax.scatter(data.x_train[:, 0], data.x_train[:, 1], c=colours, s=14, linewidths=0)
    ax.set(xticks=[], yticks=[], title=title)
    ax.grid(False)


def _digits_ylim(grid, ps):
    top = max(max(grid[p]["digits"]["history"].val_loss) for p in ps)
    return (0.0, min(top * 1.05, 2.5))


def p_multiples(grid: dict, ps=P_SHOWN, rows=("curves", "boundaries")) -> plt.Figure:
    """Small multiples, one column per ``p``: digits loss curves (row
    ``"curves"``) and the moons decision boundary (row ``"boundaries"``)."""
    ps = [round(float(p), 2) for p in ps]
    fig, axes = plt.subplots(len(rows), len(ps), figsize=(2.9 * len(ps), 2.8 * len(rows)),
                             squeeze=False)
    ylim = _digits_ylim(grid, ps)
    for row, kind in zip(axes, rows):
        for col, (ax, p) in enumerate(zip(row, ps)):
            if kind == "curves":
                h = grid[p]["digits"]["history"]
                draw_curves(ax, h, title=f"p = {p:g}")
                ax.set_ylim(*ylim)
                ax.text(0.97, 0.95, f"val acc {h.val_acc[-1]:.1%}", transform=ax.transAxes,
                        ha="right", va="top", fontsize=11)
                ax.set_ylabel("digits loss" if col == 0 else "")
                if col == 0:
                    ax.legend(loc="center right", fontsize=10)
            else:
                mh = grid[p]["moons"]["history"]
                title = f"moons, p = {p:g}: {mh.val_acc[-1]:.0%}"
                draw_boundary(ax, grid[p]["moons"], title=title)
    fig.tight_layout()
    return fig


def p_view(grid_entry: dict, p: float, ylim=(0.0, 1.2)) -> plt.Figure:
    """One ``p``: digits curves and the moons boundary (the dashboard's picture)."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4.2))
    draw_curves(a, grid_entry["digits"]["history"], title=f"wide MLP on 100 digits, p = {p:g}")
    a.set_ylim(*ylim)
    a.legend(loc="upper right")
    mh = grid_entry["moons"]["history"]
    draw_boundary(b, grid_entry["moons"], title=f"moons: val acc {mh.val_acc[-1]:.0%}")
    fig.tight_layout()
    return fig


def ensemble_curve(result: dict) -> plt.Figure:
    """Left: accuracy of the K-pass Monte-Carlo average vs K, with the
    eval-mode accuracy as a line. Right: how often the two predict the same
    class, and how far apart their probabilities are."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10.5, 4))
    ks = result["passes"]
    a.plot(ks, result["mc_acc"], "o-", color=PALETTE["green"], label="average of K passes")
    a.axhline(result["eval_acc"], color=PALETTE["black"], ls="--", label="eval mode")
    a.set(xscale="log", xlabel="K (dropout passes averaged)", ylabel="validation accuracy",
          title="accuracy")
    a.legend(loc="lower right", fontsize=10)
    b.plot(ks, result["agreement"], "s-", color=PALETTE["purple"], label="same class")
    b.plot(ks, result["max_prob_gap"], "^-", color=PALETTE["vermillion"],
           label="mean max |prob difference|")
    b.set(xscale="log", xlabel="K (dropout passes averaged)", ylim=(0, 1.02),
          title="K-pass average vs eval mode")
    b.legend(loc="center right", fontsize=10)
    fig.tight_layout()
    return fig


def dropconnect_curves(runs: dict) -> plt.Figure:
    """Validation loss and accuracy per epoch for several runs
    (``{label: history}``): e.g. no dropout, Dropout, DropConnect."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    colours = [PALETTE["grey"], PALETTE["green"], PALETTE["vermillion"], PALETTE["purple"]]
    for (label, h), colour in zip(runs.items(), colours):
        epochs = np.arange(1, len(h.val_loss) + 1)
        a.plot(epochs, h.val_loss, color=colour, label=label)
        b.plot(epochs, h.val_acc, color=colour, label=label)
    a.set(xlabel="epoch", ylabel="validation loss", title="validation loss")
    b.set(xlabel="epoch", ylabel="validation accuracy", title="validation accuracy")
    b.legend(loc="lower right", fontsize=10)
    fig.tight_layout()
    return fig
