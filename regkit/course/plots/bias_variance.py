"""Pictures of notebook 01: polynomial fits, the measured bias-variance
U-curve, learning curves, memorisation and the three loss-curve shapes.

Every function takes results already computed (by
:mod:`regkit.course.experiments.bias_variance` or scikit-learn) and returns a
Figure, so the notebook, the dashboard and ``make figures`` draw the same
picture from the same numbers.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from ...style import PALETTE, TEST, TRAIN, VAL, rk_style

#: colours of the decomposition terms (train blue / validation orange are
#: kept for train and validation curves only)
TERMS = {"bias2": PALETTE["vermillion"], "variance": PALETTE["purple"],
         "noise": PALETTE["grey"], "sum": PALETTE["black"],
         "expected_error": PALETTE["green"]}
LABELS = {"bias2": "bias²", "variance": "variance", "noise": "noise σ²",
          "sum": "bias² + variance + noise", "expected_error": "measured test error"}
YLIM = (-2.0, 2.0)
LIGHT_PURPLE = "#ebc9dd"  # PALETTE["purple"] at ~40% on white


# -- polynomial fits ---------------------------------------------------------
def one_fit(ax, result, set_index: int = 0) -> None:
    """One training set, its fitted polynomial and the truth, on ``ax``."""
    x, f = result["x_test"], result["truth"]
    ax.plot(x, f, color=PALETTE["black"], lw=1.5, ls="--", label="truth sin(πx)")
    ax.scatter(result["x_train"][set_index], result["y_train"][set_index], s=22,
               color=TRAIN, zorder=3, label="training points")
    ax.plot(x, result["predictions"][set_index], color=PALETTE["vermillion"], label="fit")
    _fit_axes(ax)


def many_fits(ax, result, n_show: int = 25) -> None:
    """``n_show`` fits from different training sets, their mean and the truth:
    the spread is the variance, the distance mean-truth is the bias."""
    x, f = result["x_test"], result["truth"]
    # an opaque light tint rather than alpha: same look, a third of the PNG size
    ax.plot(x, result["predictions"][:n_show].T, color=LIGHT_PURPLE, lw=0.9)
    ax.plot(x, result["mean_prediction"], color=PALETTE["vermillion"], lw=2.6,
            label="average fit")
    ax.plot(x, f, color=PALETTE["black"], lw=1.5, ls="--", label="truth")
    _fit_axes(ax)


def _fit_axes(ax) -> None:
    # few, round ticks: readable from the back, and cheap to redraw live
    ax.set_ylim(*YLIM)
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-2, -1, 0, 1, 2])


def degree_panels(results, n_show: int = 10):
    """Small multiples, one column per degree: top, one training set and its
    fit; bottom, ``n_show`` fits from fresh training sets around their mean.

    Args:
        results: list of :func:`regkit.course.experiments.bias_variance.decompose` results (one per
            degree), all with the same ``n_train``.
    """
    with rk_style():
        fig, axes = plt.subplots(2, len(results), figsize=(3.1 * len(results), 5.3),
                                 sharex=True, sharey=True, squeeze=False)
        for col, r in enumerate(results):
            one_fit(axes[0, col], r)
            axes[0, col].set_title(f"degree {r['degree']}: one training set")
            many_fits(axes[1, col], r, n_show)
            axes[1, col].set_title(f"bias² {_g(r['bias2'])} · variance {_g(r['variance'])}",
                                   fontsize=12)
            axes[1, col].set_xlabel("x")
        axes[0, 0].legend(loc="lower left", fontsize=10)
        axes[1, 0].legend(loc="lower left", fontsize=10)
        n = results[0]["x_train"].shape[1]
        total = results[0]["predictions"].shape[0]
        fig.suptitle(f"{n} noisy points per training set · bottom: {n_show} of "
                     f"{total} training sets", y=1.0)
        fig.tight_layout()
    return fig


# -- the U-curve ---------------------------------------------------------------
def u_curve(curve, ax=None, mark=None, legend=True):
    """bias², variance, noise, their sum and the separately measured test
    error against polynomial degree, on a log scale.

    Args:
        curve: a :func:`regkit.course.experiments.bias_variance.sweep` result.
        ax: an Axes to draw on, or None for a new figure.
        mark: a degree to highlight (the dashboard's current one).
        legend: False leaves the key out (the dashboard prints it as HTML,
            which costs nothing to redraw).

    Returns:
        The Figure.
    """
    with rk_style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(7.5, 4.6))
        fig = ax.figure
        d = curve["degree"]
        for key in ("bias2", "variance", "noise"):
            ax.plot(d, curve[key], color=TERMS[key], label=LABELS[key])
        if "n_sets" in curve:  # the average fit is itself an estimate
            ax.plot(d, curve["variance"] / curve["n_sets"], color=TERMS["bias2"], lw=1.2,
                    ls=":", label="variance / training sets (bias² floor)")
        ax.plot(d, curve["sum"], color=TERMS["sum"], ls="--", lw=2.0, label=LABELS["sum"])
        ax.plot(d, curve["expected_error"], "o", color=TERMS["expected_error"],
                ms=7, mfc="none", mew=2, label=LABELS["expected_error"])
        best = int(d[np.argmin(curve["expected_error"])])
        ax.axvline(best, color=TERMS["expected_error"], lw=1, alpha=0.6)
        if mark is not None:
            ax.axvline(mark, color=PALETTE["black"], lw=1.2, ls=":")
        ax.set_yscale("log")
        ax.set_ylim(max(1e-4, 0.3 * float(np.min(curve["bias2"]))), None)
        # plain-text powers of ten: mathtext labels cost a live redraw ~100 ms
        ax.yaxis.set_major_locator(mticker.LogLocator(numticks=8))
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(_power_label))
        ax.yaxis.set_minor_locator(mticker.NullLocator())
        ax.set_xticks(np.arange(0, int(d.max()) + 1, 3))
        ax.set_xlabel("polynomial degree (model complexity)")
        ax.set_ylabel("squared error")
        ax.set_title(f"lowest test error at degree {best}")
        if legend:
            ax.legend(fontsize=9, loc="upper left")
    return fig


def degree_view(result, curve, *, degree: int, n_train: int, n_sets: int):
    """The dashboard's picture: one training set and its fit, 25 fits around
    their average, and the U-curve with ``degree`` marked.

    Args:
        result: :func:`regkit.course.experiments.bias_variance.decompose` for
            ``degree``; ``curve``: the :func:`~regkit.course.experiments.bias_variance.sweep`
            on the same training sets.
    """
    with rk_style():
        fig, axes = plt.subplots(1, 3, figsize=(14.5, 4.4),
                                 gridspec_kw={"width_ratios": [1, 1, 1.25]})
        one_fit(axes[0], result)
        axes[0].set_title(f"degree {degree}, one training set")
        many_fits(axes[1], result)
        axes[1].set_title("fits to 25 training sets")
        u_curve(curve, ax=axes[2], mark=degree, legend=False)
        axes[2].set_title(f"n_train = {n_train}, {n_sets} training sets")
        # fixed margins: tight_layout would cost a second layout pass per update
        fig.subplots_adjust(left=0.05, right=0.99, bottom=0.13, top=0.91, wspace=0.2)
    return fig


# -- networks on digits ---------------------------------------------------
def learning_curves(train_sizes, train_scores, val_scores, ax=None, title=None):
    """scikit-learn's ``learning_curve`` output: accuracy against the number
    of training samples, mean over folds with a band of +-1 std."""
    with rk_style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 4.4))
        for scores, colour, label in ((train_scores, TRAIN, "training"),
                                      (val_scores, VAL, "cross-validation")):
            s = np.asarray(scores)
            mean, std = s.mean(axis=1), s.std(axis=1)
            ax.plot(train_sizes, mean, "o-", color=colour, label=label)
            ax.fill_between(train_sizes, mean - std, mean + std, color=colour, alpha=0.2)
        ax.set_xlabel("training samples")
        ax.set_ylabel("accuracy")
        ax.set_title(title or "learning curves")
        ax.legend(loc="lower right")
    return ax.figure


def memorisation(runs, chance: float = 0.1):
    """Accuracy per epoch for the true-label and shuffled-label runs of
    :func:`regkit.course.experiments.bias_variance.memorisation_runs` (train blue, test green)."""
    with rk_style():
        fig, axes = plt.subplots(1, len(runs), figsize=(6 * len(runs), 4.2), sharey=True)
        for ax, (name, h) in zip(np.atleast_1d(axes), runs.items()):
            epochs = np.arange(1, len(h.train_acc) + 1)
            ax.plot(epochs, h.train_acc, color=TRAIN, label="training accuracy")
            ax.plot(epochs, h.val_acc, color=TEST, label="test accuracy")
            ax.axhline(chance, color=PALETTE["grey"], ls=":", lw=1.5, label="chance")
            ax.set_title(f"{name}: train {h.train_acc[-1]:.0%}, test {h.val_acc[-1]:.0%}")
            ax.set_xlabel("epoch")
            ax.set_ylim(0, 1.04)
        np.atleast_1d(axes)[0].set_ylabel("accuracy")
        np.atleast_1d(axes)[0].legend(loc="center right")
        fig.tight_layout()
    return fig


def loss_shapes(runs, signals):
    """Small multiples of training and validation loss, one panel per run,
    with the epoch of lowest validation loss and the final gap marked.

    Args:
        runs: ``{name: History}`` (e.g.
            :func:`regkit.course.experiments.bias_variance.loss_shape_runs`).
        signals: ``{name: curve_signals(...)}`` for the same runs.
    """
    with rk_style():
        fig, axes = plt.subplots(1, len(runs), figsize=(4.6 * len(runs), 4.2), sharey=True)
        for ax, (name, h) in zip(np.atleast_1d(axes), runs.items()):
            s = signals[name]
            epochs = np.arange(len(h.train_loss))
            ax.plot(epochs, h.train_loss, color=TRAIN, label="train loss")
            ax.plot(epochs, h.val_loss, color=VAL, label="validation loss")
            ax.axvline(s["best_epoch"], color=PALETTE["grey"], ls=":", lw=1.5)
            late = s["best_epoch"] > 0.7 * len(epochs)  # label on the side with room
            ax.annotate(f"lowest val\nepoch {s['best_epoch']}", (s["best_epoch"], 2.2),
                        xytext=(-4 if late else 4, 0), textcoords="offset points",
                        fontsize=10, color=PALETTE["grey"], va="top",
                        ha="right" if late else "left")
            ax.set_title(f"{name}\ngap {s['gap']:.2f}, val rose {s['rise']:.2f}", fontsize=13)
            ax.set_xlabel("epoch (0-based)")
            ax.set_ylim(0, 2.4)
        np.atleast_1d(axes)[0].set_ylabel("cross-entropy")
        np.atleast_1d(axes)[-1].legend(loc="center right")
        fig.tight_layout()
    return fig


def _power_label(v, _pos=None) -> str:
    return f"{v:g}" if 1e-3 <= v <= 1e3 else f"1e{round(np.log10(v)):d}"


def _g(v: float) -> str:
    return f"{v:.2g}" if v < 1000 else f"{v:.1e}"
