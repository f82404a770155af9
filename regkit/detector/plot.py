"""Figures for the overfit detector: one run diagnosed, several runs compared.

Train is blue and validation orange, as everywhere in the course. The gap
between them is shaded, because the gap is what the detector reads.
"""
from __future__ import annotations

import numpy as np

from ..style import PALETTE, TRAIN, VAL, rk_style

def _pyplot():
    # matplotlib is optional for the library: imported only to draw
    import matplotlib.pyplot as plt
    return plt


#: Title colour per verdict: green when all is well, vermillion for trouble.
VERDICT_COLOURS = {
    "good fit": PALETTE["green"], "overfitting": PALETTE["vermillion"],
    "underfitting": PALETTE["purple"], "not converged": PALETTE["sky"],
    "unstable": PALETTE["black"],
}


def _panels(d):
    """(key, ylabel) for the panels this diagnosis can show."""
    out = []
    if "train_loss" in d.series and "val_loss" in d.series:
        out.append(("loss", "loss"))
    if "train_acc" in d.series and "val_acc" in d.series:
        out.append(("acc", "accuracy"))
    return out


def _draw_pair(ax, x, train, val, best, ylabel, legend=True):
    """Train and validation curves with the gap between them shaded."""
    ax.plot(x, train, color=TRAIN, label="train")
    ax.plot(x, val, color=VAL, label="validation")
    ax.fill_between(x, train, val, color=VAL, alpha=0.15, linewidth=0,
                    label="gap")
    if best is not None:
        ax.axvline(x[best], color=PALETTE["grey"], linestyle="--", linewidth=1.5,
                   label=f"best epoch ({int(x[best])})")
        ax.plot([x[best]], [val[best]], "o", color=VAL, markeredgecolor="black")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend(loc="best")


def plot_diagnosis(d, ax=None):
    """Draw a :class:`regkit.detector.diagnosis.Diagnosis`: curves, best epoch, gap, verdict.

    Args:
        d: the Diagnosis.
        ax: None (a new figure, one panel per available metric), one Axes
            (the first panel only: loss, or accuracy for accuracy-only logs)
            or a sequence of Axes (one per panel).

    Returns:
        matplotlib Figure.
    """
    panels = _panels(d)
    with rk_style():
        if ax is None:
            fig, axes = _pyplot().subplots(1, len(panels), figsize=(5.5 * len(panels), 4.2),
                                     squeeze=False)
            axes = list(axes[0])
        else:
            axes = list(np.atleast_1d(ax))
            fig = axes[0].figure
        x = np.asarray(d.series["epoch"])
        for axis, (key, ylabel) in zip(axes, panels):
            _draw_pair(axis, x, d.series[f"train_{key}"], d.series[f"val_{key}"],
                       d.best_epoch, ylabel, legend=axis is axes[0])
        title = f"Diagnosis: {d.verdict}"
        colour = VERDICT_COLOURS.get(d.verdict, "black")
        if len(axes) == 1:
            axes[0].set_title(title, color=colour, fontweight="bold")
        else:
            fig.suptitle(title, color=colour, fontweight="bold")
            fig.tight_layout()
    return fig


def plot_comparison(comparison, metric="acc", *, sharey=True):
    """Small multiples: one panel per technique, the same axes everywhere.

    Args:
        comparison: a :class:`regkit.detector.comparison.Comparison`.
        metric: ``"acc"`` or ``"loss"``.
        sharey: share the y axis across panels, so heights compare.

    Returns:
        matplotlib Figure.
    """
    if metric not in ("acc", "loss"):
        raise ValueError(f"metric must be 'acc' or 'loss', got {metric!r}")
    names = list(comparison.histories)
    cols = min(4, len(names))
    rows = -(-len(names) // cols)
    with rk_style():
        fig, axes = _pyplot().subplots(rows, cols, figsize=(3.6 * cols, 3.0 * rows),
                                 sharex=True, sharey=sharey, squeeze=False)
        for axis, name in zip(axes.flat, names):
            h = comparison.histories[name]
            train, val = getattr(h, f"train_{metric}"), getattr(h, f"val_{metric}")
            x = np.arange(len(train))
            _draw_pair(axis, x, train, val, h.best_epoch, "", legend=False)
            row = next(r for r in comparison.table if r["technique"] == name)
            axis.set_title(f"{name}\nval acc {row['val_acc']:.3f}, gap {row['gap']:+.3f}",
                           fontsize=11)
        for axis in axes.flat[len(names):]:
            axis.set_visible(False)
        for axis in axes[:, 0]:
            axis.set_ylabel("accuracy" if metric == "acc" else "loss")
        for axis in axes[:-1].flat:            # shared x: label the bottom row only
            axis.set_xlabel("")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles[:3], labels[:3], loc="upper center", ncol=3,
                   bbox_to_anchor=(0.5, 1.02))
        fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig
