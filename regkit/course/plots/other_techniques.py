"""Notebook 07 (label smoothing, mixup, gradient clipping, max-norm): the
figures, drawn from the runs of :mod:`regkit.course.experiments.other_techniques`.

One ``*_multiples`` (small multiples, the static figure) and one ``*_view``
(a single setting, the dashboard's picture) per technique, and the
``draw_*`` panels they are made of.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator
import numpy as np

from ..experiments.calibration import reliability_bins
from ..experiments.other_techniques import (ALPHA_SHOWN, C_SHOWN, EPS_SHOWN, c_label,
                                            threshold_label)
from ...labels import smooth_labels
from .dropout import draw_boundary
from ...style import PALETTE, TRAIN, VAL

OFF, ON = PALETTE["grey"], PALETTE["green"]


def _fixed_layout(fig) -> None:
    """Fixed margins and fewer ticks for the one-row dashboard figures:
    ``tight_layout`` costs ~100 ms per redraw and every tick label ~2 ms,
    against a slider budget of ~250 ms."""
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.16, top=0.9, wspace=0.25)
    for ax in fig.axes:
        if isinstance(ax.xaxis.get_major_locator(), MaxNLocator):   # keep fixed class ticks
            ax.locator_params(axis="x", nbins=5)
        if ax.get_yscale() == "linear":
            ax.locator_params(axis="y", nbins=4)


# -- label smoothing -------------------------------------------------------------
def draw_confidence(ax, run, title=None, xlabel="confidence (max softmax)") -> None:
    """Histogram of the validation max-probability, right (green) and wrong
    (vermillion) predictions stacked; a dashed line at the accuracy."""
    conf = run["probs"].max(axis=1)
    right = run["probs"].argmax(axis=1) == run["data"].y_val
    bins = np.linspace(0.0, 1.0, 21)
    n_all, _ = np.histogram(conf, bins)
    n_right, _ = np.histogram(conf[right], bins)
    # stacked as two filled outlines (one polygon each: much faster than 40 bars)
    ax.stairs(n_all, bins, fill=True, color=PALETTE["vermillion"], label="wrong")
    ax.stairs(n_right, bins, fill=True, color=PALETTE["green"], label="right")
    ax.axvline(run["acc"], color="k", ls="--", lw=1.8, label="accuracy")
    ax.set(xlim=(0, 1), xlabel=xlabel, title=title)


def _legend(ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(k) for k in ("right", "wrong", "accuracy") if k in labels]
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left",
              fontsize=10)


def draw_reliability(ax, run, title=None) -> None:
    """Reliability diagram: accuracy per confidence bin against the diagonal."""
    rel = reliability_bins(run["probs"], run["data"].y_val, n_bins=10)
    full = rel.count > 0
    centres = (rel.edges[:-1] + rel.edges[1:]) / 2
    ax.plot([0, 1], [0, 1], color=PALETTE["grey"], ls="--", lw=1.5)
    ax.bar(centres[full], rel.accuracy[full], width=0.09, color=PALETTE["sky"],
           edgecolor=PALETTE["blue"])
    ax.plot(rel.confidence[full], rel.accuracy[full], "o", color=PALETTE["blue"], ms=5)
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="confidence", title=title)
    ax.text(0.04, 0.95, f"ECE {run['ece']:.3f}", transform=ax.transAxes, va="top", fontsize=12,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})


def smoothing_multiples(grid: dict, eps_values=EPS_SHOWN) -> plt.Figure:
    """One column per eps: the confidence histogram above the reliability diagram."""
    eps_values = [round(float(e), 3) for e in eps_values]
    fig, axes = plt.subplots(2, len(eps_values), figsize=(2.5 * len(eps_values), 5.2),
                             squeeze=False)
    top = max(np.histogram(grid[e]["probs"].max(axis=1), np.linspace(0, 1, 21))[0].max()
              for e in eps_values)
    for col, e in enumerate(eps_values):
        run = grid[e]
        draw_confidence(axes[0, col], run, title=f"ε = {e:g}: acc {run['acc']:.1%}",
                        xlabel="confidence")
        axes[0, col].set_ylim(0, top * 1.05)
        draw_reliability(axes[1, col], run)
        if col:
            axes[0, col].set_ylabel("")
        else:
            axes[0, col].set_ylabel("validation images")
            axes[1, col].set_ylabel("accuracy")
            _legend(axes[0, col])
    fig.tight_layout()
    return fig


def smoothing_view(run: dict, eps: float, k: int = 10, label: int = 3) -> plt.Figure:
    """One eps: the smoothed target of one digit, the confidence histogram and
    the reliability diagram (the dashboard's picture)."""
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(12.5, 4), gridspec_kw={"width_ratios": [1, 1.2, 1]})
    target = smooth_labels(np.array([label]), eps, k)[0]
    a.bar(np.arange(k), target, color=PALETTE["purple"])
    a.set(ylim=(0, 1.05), xticks=np.arange(k), xlabel="class",
          title=f"target of a '{label}', ε = {eps:g}")
    a.text(label, target[label] + 0.02, f"{target[label]:.3f}", ha="center", fontsize=11)
    draw_confidence(b, run, title=f"acc {run['acc']:.1%}, mean conf. {run['confidence']:.1%}")
    _legend(b)
    draw_reliability(c, run, title="reliability")
    _fixed_layout(fig)
    return fig


# -- mixup ---------------------------------------------------------------------
def draw_beta(ax, alpha: float, title=None) -> None:
    """The density of lambda ~ Beta(alpha, alpha); alpha = 0 means no mixing
    (lambda = 1, drawn as a spike)."""
    if alpha <= 0:
        ax.vlines([1.0], 0, 1, color=PALETTE["purple"], lw=4)
        ax.text(0.5, 0.5, "no mixup:\nλ = 1 always", ha="center", va="center",
                transform=ax.transAxes, fontsize=12)
        ax.set(ylim=(0, 1.1), yticks=[])
    else:
        from scipy.stats import beta
        lam = np.linspace(0.0025, 0.9975, 399)
        dens = beta.pdf(lam, alpha, alpha)
        ax.fill_between(lam, dens, color=PALETTE["purple"], alpha=0.35, lw=0)
        ax.plot(lam, dens, color=PALETTE["purple"])
        ax.set(ylim=(0, min(float(dens.max()) * 1.1, 6.0)))
    ax.set(xlim=(0, 1), xlabel="λ", title=title)


def mixup_multiples(grid: dict, alphas=ALPHA_SHOWN) -> plt.Figure:
    """One column per alpha: the Beta density above the moons boundary."""
    alphas = [round(float(a), 3) for a in alphas]
    fig, axes = plt.subplots(2, len(alphas), figsize=(2.9 * len(alphas), 5.6), squeeze=False,
                             gridspec_kw={"height_ratios": [0.7, 1]})
    for col, a in enumerate(alphas):
        draw_beta(axes[0, col], a, title=f"α = {a:g}" if a else "α = 0 (off)")
        h = grid[a]["history"]
        draw_boundary(axes[1, col], grid[a],
                      title=f"val loss {h.val_loss[-1]:.2f}, acc {h.val_acc[-1]:.0%}")
    axes[0, 0].set_ylabel("density")
    fig.tight_layout()
    return fig


def mixup_view(run: dict, alpha: float, baseline: dict | None = None) -> plt.Figure:
    """One alpha: Beta density, boundary, and validation loss per epoch
    (grey: no mixup, for comparison)."""
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(13, 4), gridspec_kw={"width_ratios": [0.8, 1, 1]})
    draw_beta(a, alpha, title=f"Beta(α, α), α = {alpha:g}" if alpha else "no mixup")
    h = run["history"]
    draw_boundary(b, run, title=f"val acc {h.val_acc[-1]:.0%}")
    epochs = np.arange(1, len(h.val_loss) + 1)
    if baseline is not None and baseline is not run:
        c.plot(epochs, baseline["history"].val_loss, color=OFF, label="val, no mixup")
    c.plot(epochs, h.train_loss, color=TRAIN, label="train")
    c.plot(epochs, h.val_loss, color=VAL, label="validation")
    c.set(xlabel="epoch", ylabel="loss", ylim=(0, 0.8), title="loss (eval mode)")
    c.legend(loc="upper right", fontsize=10)
    _fixed_layout(fig)
    return fig


# -- gradient clipping ---------------------------------------------------------
def draw_clip_run(ax_loss, ax_norm, run, ylim_loss=(1e-2, 1e6), ylim_norm=(1e-1, 1e8)):
    """Loss per step (top) and gradient norm per step (bottom), log scales."""
    steps = np.arange(len(run["step_loss"]))
    ax_loss.plot(steps, np.clip(run["step_loss"], None, ylim_loss[1]), color=TRAIN, lw=1.6)
    ax_norm.plot(steps, np.clip(run["grad_norm"], None, ylim_norm[1]), color=PALETTE["purple"], lw=1.4)
    if run["threshold"] is not None:
        ax_norm.axhline(run["threshold"], color="k", ls="--", lw=1.8)
    if run["diverged_at"] is not None:
        for ax in (ax_loss, ax_norm):
            ax.axvline(run["diverged_at"], color=PALETTE["vermillion"], lw=2)
        ax_loss.text(0.97, 0.9, f"NaN/inf at step {run['diverged_at']}", transform=ax_loss.transAxes,
                     ha="right", va="top", color=PALETTE["vermillion"], fontsize=11)
    ax_loss.set(yscale="log", ylim=ylim_loss, ylabel="batch loss")
    ax_norm.set(yscale="log", ylim=ylim_norm, ylabel="‖g‖ before clipping", xlabel="step")
    for ax in (ax_loss, ax_norm):
        _plain_log_ticks(ax)


def _plain_log_ticks(ax) -> None:
    """Decade ticks labelled 1e+04 (no mathtext) and no minor ticks: a log
    axis then redraws in a fraction of the time."""
    ax.yaxis.set_major_locator(LogLocator(base=10.0, numticks=5))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_decade))


def _decade(v, _pos=None) -> str:
    if 1e-2 <= v <= 1e3:
        return f"{v:g}"
    return f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")


def clip_multiples(runs: dict) -> plt.Figure:
    """One column per threshold (``{threshold: train_clipped(threshold)}``)."""
    fig, axes = plt.subplots(2, len(runs), figsize=(3.0 * len(runs), 5.4), squeeze=False,
                             sharex=True)
    for col, (t, run) in enumerate(runs.items()):
        draw_clip_run(axes[0, col], axes[1, col], run)
        title = threshold_label(t) + ("" if run["diverged_at"] is not None
                             else f"\nval MSE {run['val_loss']:.3g}")
        axes[0, col].set_title(title, fontsize=12)
        if col:
            axes[0, col].set_ylabel("")
            axes[1, col].set_ylabel("")
    fig.tight_layout()
    return fig


def clip_view(run: dict) -> plt.Figure:
    """One threshold: loss and gradient norm per step side by side."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4))
    draw_clip_run(a, b, run)
    a.set(xlabel="step", title=threshold_label(run["threshold"]))
    b.set_title(f"clipped on {run['clipped']:.0%} of the steps")
    _fixed_layout(fig)
    return fig


# -- max-norm -------------------------------------------------------------------
def draw_norms(ax, run, top=None, title=None) -> None:
    """The hidden units' incoming-weight norms, sorted, with the line at c."""
    norms = np.sort(run["norms"])[::-1]
    # one filled outline instead of 128 bars: faster to redraw, no seams
    ax.stairs(norms, np.arange(len(norms) + 1) - 0.5, fill=True, color=ON if run["c"] else OFF)
    if run["c"] is not None:
        ax.axhline(run["c"], color="k", ls="--", lw=1.8)
    ax.set(xlim=(-0.5, len(norms) - 0.5), ylim=(0, top or norms.max() * 1.1),
           xlabel="hidden unit (sorted)", title=title)


def maxnorm_multiples(grid: dict, cs=C_SHOWN) -> plt.Figure:
    """One column per c: sorted column norms above the validation accuracy."""
    fig, axes = plt.subplots(2, len(cs), figsize=(3.0 * len(cs), 5.6), squeeze=False)
    top = max(grid[c]["norms"].max() for c in cs) * 1.1
    for col, c in enumerate(cs):
        h = grid[c]["history"]
        draw_norms(axes[0, col], grid[c], top=top, title=c_label(c))
        axes[1, col].plot(np.arange(1, len(h.val_acc) + 1), h.train_acc, color=TRAIN, label="train")
        axes[1, col].plot(np.arange(1, len(h.val_acc) + 1), h.val_acc, color=VAL, label="validation")
        axes[1, col].set(ylim=(0.5, 1.01), xlabel="epoch", title=f"val acc {h.val_acc[-1]:.1%}")
        if col == 0:
            axes[0, col].set_ylabel("‖W[:, j]‖")
            axes[1, col].set_ylabel("accuracy")
            axes[1, col].legend(loc="lower right", fontsize=10)
    fig.tight_layout()
    return fig


def maxnorm_view(run: dict, top: float | None = None) -> plt.Figure:
    """One c: sorted column norms and the train/validation accuracy curves."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4))
    draw_norms(a, run, top=top, title=f"{c_label(run['c'])}: first-layer column norms")
    h = run["history"]
    epochs = np.arange(1, len(h.val_acc) + 1)
    b.plot(epochs, h.train_acc, color=TRAIN, label="train")
    b.plot(epochs, h.val_acc, color=VAL, label="validation")
    b.set(ylim=(0.5, 1.01), xlabel="epoch", ylabel="accuracy",
          title=f"val acc {h.val_acc[-1]:.1%}, val loss {h.val_loss[-1]:.3f}")
    b.legend(loc="lower right", fontsize=10)
    _fixed_layout(fig)
    return fig
