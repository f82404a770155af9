"""Figures of notebook 02 (L1 and L2): penalty shapes, the two-weight
geometry, Adam vs AdamW decay, digits learning curves, the sparse sweep.

Every function returns a Figure; the dashboards in ``regkit.course.widgets.l1_l2``
and the static files in ``regkit.course.render.l1_l2`` call these same functions.
The runs and sweeps they draw come from :mod:`regkit.course.experiments.l1_l2`;
the geometry panels solve the two-weight problem of
:mod:`regkit.course.experiments.geometry` themselves (a closed form and a few
hundred ISTA steps: microseconds).
"""
from __future__ import annotations

import functools

import contourpy
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.ticker import FuncFormatter, NullLocator

from ..experiments.geometry import ellipse_problem, l1_solution, l2_solution, quadratic_loss
from ..experiments.l1_l2 import PROBLEM, penalty_paths
from ...style import PALETTE, TRAIN, VAL

L1_COLOUR = PALETTE["vermillion"]
L2_COLOUR = PALETTE["purple"]
PENALTY_COLOURS = {"L2": L2_COLOUR, "L1": L1_COLOUR, "ElasticNet": PALETTE["green"],
                   "L1 prox": PALETTE["black"], "none": PALETTE["grey"]}


# -- the penalties themselves --------------------------------------------------
def penalty_shapes(lam: float = 1.0) -> plt.Figure:
    """``lam/2 w^2`` and ``lam |w|`` and their gradients, side by side."""
    w = np.linspace(-2.5, 2.5, 401)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    a.plot(w, lam * 0.5 * w ** 2, color=L2_COLOUR, label=r"L2: $\frac{\lambda}{2}w^2$")
    a.plot(w, lam * np.abs(w), color=L1_COLOUR, label=r"L1: $\lambda|w|$")
    a.set(title="penalty", xlabel="w")
    b.plot(w, lam * w, color=L2_COLOUR, label=r"$\lambda w$ (shrinks in proportion)")
    b.plot(w, lam * np.sign(w), color=L1_COLOUR, label=r"$\lambda\,\mathrm{sign}(w)$ (fixed pull)")
    b.axhline(0, color="k", lw=0.8)
    b.set(title="gradient", xlabel="w")
    for ax in (a, b):
        ax.legend(loc="upper center")
    fig.tight_layout()
    return fig


# -- geometry: contours, diamond, circle --------------------------------------
@functools.lru_cache(maxsize=4)
def _contour_generator(problem_key, extent):
    """contourpy generator over the loss on a grid (cached: the dashboard
    redraws many times, and drawing pre-computed lines is fast)."""
    H, w_star = ellipse_problem(*problem_key)
    x0, x1, y0, y1 = extent
    g1, g2 = np.meshgrid(np.linspace(x0, x1, 150), np.linspace(y0, y1, 110))
    return contourpy.contour_generator(g1, g2, quadratic_loss(np.stack([g1, g2], -1), H, w_star))


@functools.lru_cache(maxsize=4)
def _background_lines(problem_key, extent):
    gen = _contour_generator(problem_key, extent)
    return [line for level in np.geomspace(0.01, 2, 7) for line in gen.lines(level)]


def _plain_log_ticks(axis):
    """Tick labels like 0.001 instead of mathtext 10^-3: several times faster
    to draw, which is what keeps a dashboard under a quarter second."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(NullLocator())


def _draw_lines(ax, lines, **kw):
    ax.add_collection(LineCollection(lines, **kw))


EXTENT = (-0.7, 2.3, -0.7, 1.5)


def draw_constraint(ax, kind: str, lam: float, *, problem=PROBLEM, path=None,
                    extent=EXTENT) -> np.ndarray:
    """One panel: loss contours, the L1 diamond or L2 circle that holds the
    optimum for ``lam``, the contour that touches it, and the optimum.

    Returns the optimum (2,).
    """
    H, w_star = ellipse_problem(*problem)
    # not antialiased: smooth grey ellipses triple the size of the PNG files
    _draw_lines(ax, _background_lines(problem, extent), colors="0.6", linewidths=1,
                antialiased=False)
    if kind == "L1":
        w = l1_solution(H, w_star, lam)
        c = np.abs(w).sum()
        region = np.array([[c, 0], [0, c], [-c, 0], [0, -c]])
        colour, name = L1_COLOUR, "|w₁| + |w₂| ≤ C"
    else:
        w = l2_solution(H, w_star, lam)
        c = np.linalg.norm(w)
        t = np.linspace(0, 2 * np.pi, 100)
        region = c * np.stack([np.cos(t), np.sin(t)], axis=1)
        colour, name = L2_COLOUR, "w₁² + w₂² ≤ C²"
    ax.fill(region[:, 0], region[:, 1], color=colour, alpha=0.22, lw=2, ec=colour, label=name)
    touch = quadratic_loss(w, H, w_star)
    if touch > 1e-9:
        _draw_lines(ax, _contour_generator(problem, extent).lines(touch), colors=colour,
                    linewidths=2.2)
    if path is not None:
        ax.plot(path[:, 0], path[:, 1], color=colour, lw=1.2, ls="--")
    ax.plot(*w_star, marker="*", ms=14, color="k", ls="none", label="w* (no penalty)")
    ax.plot(*w, marker="o", ms=9, color=colour, mec="k", ls="none",
            label=f"optimum ({w[0]:.2f}, {w[1]:.2f})")
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0, color="k", lw=0.8)
    ax.set(xlim=extent[:2], ylim=extent[2:], aspect="equal", xlabel="w₁", ylabel="w₂")
    ax.grid(False)                     # the contours are grid enough
    ax.set_title(f"{kind}, λ = {lam:.3g}", color=colour)
    return w


def geometry_grid(lams=(0.1, 0.4, 0.8, 1.6), problem=PROBLEM) -> plt.Figure:
    """Small multiples: L1 (top row) and L2 (bottom row) for several lambdas."""
    paths = penalty_paths(problem)
    fig, axes = plt.subplots(2, len(lams), figsize=(2.8 * len(lams), 5.3), sharex=True,
                             sharey=True)
    for j, lam in enumerate(lams):
        for i, kind in enumerate(("L1", "L2")):
            ax = axes[i, j]
            draw_constraint(ax, kind, lam, problem=problem, path=paths[kind])
            ax.set_xlabel("w₁" if i else "")
            ax.set_ylabel("w₂" if j == 0 else "")
    fig.tight_layout()
    return fig


def geometry_view(lam: float, problem=PROBLEM) -> plt.Figure:
    """The dashboard's picture: the L1 panel and the L2 panel for one lambda.

    Two panels only: on a 2-core laptop every extra axes costs ~60 ms of
    rendering, and the dashboard must answer in about a quarter second.
    """
    paths = penalty_paths(problem)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.1))
    draw_constraint(axes[0], "L1", lam, problem=problem, path=paths["L1"])
    draw_constraint(axes[1], "L2", lam, problem=problem, path=paths["L2"])
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.13, top=0.92, wspace=0.15)
    return fig


def geometry_paths(problem=PROBLEM) -> plt.Figure:
    """Both weights of the L1 and L2 optima against lambda (log scale)."""
    paths = penalty_paths(problem)
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for k, ls in ((0, "-"), (1, "--")):
        ax.plot(paths["lams"], paths["L1"][:, k], color=L1_COLOUR, ls=ls, label=f"L1 w{'₁₂'[k]}")
        ax.plot(paths["lams"], paths["L2"][:, k], color=L2_COLOUR, ls=ls, label=f"L2 w{'₁₂'[k]}")
    ax.set(xscale="log", xlabel="λ", ylabel="weight at the optimum")
    ax.legend(fontsize=10, ncol=2)
    fig.tight_layout()
    return fig


# -- Adam vs AdamW ------------------------------------------------------------
def decay_by_gradient_scale(steps, traces: dict, scales) -> plt.Figure:
    """Mean weight over steps, one line per gradient scale, one panel per optimizer.

    ``traces``: ``{optimizer name: (len(steps), len(scales)) array}``.
    """
    fig, axes = plt.subplots(1, len(traces), figsize=(5 * len(traces), 3.8), sharey=True)
    colours = [PALETTE[k] for k in ("blue", "green", "orange", "vermillion")]
    for ax, (name, trace) in zip(np.atleast_1d(axes), traces.items()):
        for k, s in enumerate(scales):
            ax.plot(steps, trace[:, k], color=colours[k % 4], label=f"gradient noise {s:g}")
        ax.set(title=name, xlabel="step", ylim=(-0.05, 1.05))
    np.atleast_1d(axes)[0].set_ylabel("mean weight (starts at 1)")
    np.atleast_1d(axes)[0].legend(fontsize=10)
    fig.tight_layout()
    return fig


# -- digits: learning curves per lambda ---------------------------------------
def learning_curves_grid(histories: dict, metric: str = "loss") -> plt.Figure:
    """One panel per lambda: training (blue) and validation (orange) curves.

    ``histories``: ``{lam: History}``; titles give the final accuracies.
    """
    fig, axes = plt.subplots(1, len(histories), figsize=(3.4 * len(histories), 3.6),
                             sharey=True)
    for ax, (lam, h) in zip(np.atleast_1d(axes), histories.items()):
        ax.plot(getattr(h, f"train_{metric}"), color=TRAIN, label="train")
        ax.plot(getattr(h, f"val_{metric}"), color=VAL, label="validation")
        ax.set_title(f"λ = {lam:g}\ntrain {h.train_acc[-1]:.2f} / val {h.val_acc[-1]:.2f}",
                     fontsize=12)
        ax.set_xlabel("epoch")
    first = np.atleast_1d(axes)[0]
    first.set_ylabel(f"{metric} (no penalty)")
    if metric == "loss":
        first.set_yscale("log")
    first.legend(fontsize=10)
    fig.tight_layout()
    return fig


# -- sparse features ----------------------------------------------------------
def sparse_sweep_grid(grid: dict) -> plt.Figure:
    """Small multiples over the lambda sweep: validation accuracy, share of
    unused features and precision of the kept ones, one line per penalty."""
    lams = grid["lams"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.9), sharex=True)
    panels = [("val_acc", "validation accuracy"), ("zero_share", "share of unused features"),
              ("precision", "precision of kept features")]
    for ax, (key, title) in zip(axes, panels):
        for p in grid["penalties"]:
            ax.plot(lams, grid[p][key], marker="o", ms=4, color=PENALTY_COLOURS[p], label=p)
        ax.set(xscale="log", xlabel="λ", title=title)
    n_true = len(grid["support"])
    n_feat = grid[grid["penalties"][0]]["W"].shape[1]
    axes[1].axhline(1 - n_true / n_feat, color="k", ls=":", lw=1.2, label="truth")
    axes[0].legend(fontsize=10)
    fig.tight_layout()
    return fig


def sparse_weights_grid(grid: dict, lam_index: int) -> plt.Figure:
    """Weight histograms, one per penalty, at one lambda of the sweep."""
    pens = grid["penalties"]
    fig, axes = plt.subplots(1, len(pens), figsize=(3.4 * len(pens), 3.4), sharey=True)
    for ax, p in zip(axes, pens):
        _weight_hist(ax, grid[p]["W"][lam_index], p)
    axes[0].set_ylabel("number of weights")
    fig.suptitle(f"weights of Dense(100, 2) at λ = {grid['lams'][lam_index]:.2g}", y=1.02)
    fig.tight_layout()
    return fig


def _weight_hist(ax, W, penalty):
    """Histogram of the weights (log counts), exact zeros drawn apart, hatched."""
    w = np.asarray(W).ravel()
    zeros = int(np.sum(w == 0))
    counts, edges = np.histogram(w[w != 0], bins=np.linspace(-1.5, 1.5, 121))
    # one filled step patch instead of 120 bars: several times faster to draw
    ax.stairs(np.maximum(counts, 0.5), edges, baseline=0.5, fill=True,
              color=PENALTY_COLOURS[penalty], label="non-zero")
    if zeros:
        ax.bar(0, zeros, width=0.08, bottom=0.5, color="0.7", hatch="//", ec="0.3",
               label=f"{zeros} exactly 0")
    ax.set(yscale="log", ylim=(0.5, 400), xlabel="weight", title=penalty)
    _plain_log_ticks(ax.yaxis)
    ax.legend(fontsize=9, loc="upper left")


def sparse_view(grid: dict, penalty: str, lam_index: int) -> plt.Figure:
    """The dashboard's picture for one (penalty, lambda) of the sweep: what
    each input feature is worth to the model, and the weight histogram.
    (Accuracy against lambda is in :func:`sparse_sweep_grid` and the text.)"""
    W = grid[penalty]["W"][lam_index]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.7), gridspec_kw={"width_ratios": [1.6, 1]})
    ax = axes[0]
    importance = np.abs(W).max(axis=1)
    truth = np.zeros(len(importance), dtype=bool)
    truth[grid["support"]] = True
    idx = np.arange(len(importance))
    ax.vlines(idx[~truth], 0, importance[~truth], color="0.55", lw=1.5, label="noise feature")
    ax.vlines(idx[truth], 0, importance[truth], color=PENALTY_COLOURS[penalty], lw=4,
              label="informative feature")
    ax.set_yscale("symlog", linthresh=1e-3)
    _plain_log_ticks(ax.yaxis)
    ax.set(ylim=(0, 3), xlabel="input feature", ylabel="max |weight|",
           title=f"{penalty}, λ = {grid['lams'][lam_index]:.2g}")
    ax.legend(fontsize=9, loc="upper right", ncol=2)
    _weight_hist(axes[1], W, penalty)
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.15, top=0.9, wspace=0.18)
    return fig
