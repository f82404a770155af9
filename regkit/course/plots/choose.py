"""The validation curve over seeds: each seed, the mean ± one standard deviation,
the best mean and the one-standard-error choice (see ``experiments/choose.py``)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...style import PALETTE, VAL


def validation_curve(values, scores, choice, *, xlabel="λ", ylabel="validation accuracy",
                     labels=None, ax=None):
    """Draw ``scores`` (n_seeds, n_values) against the settings, evenly spaced.

    The settings sit at equal distances (a λ grid with 0 has no log axis);
    ``labels`` are their tick labels (default ``f"{v:g}"``).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2))
    x = np.arange(len(values))
    for row in np.asarray(scores):
        ax.plot(x, row, color=PALETTE["grey"], lw=1.0, alpha=0.6)
    mean, std = choice["mean"], choice["std"]
    ax.fill_between(x, mean - std, mean + std, color=VAL, alpha=0.2, lw=0,
                    label="mean ± 1 sd over seeds")
    ax.plot(x, mean, "o-", color=VAL, label="mean")
    ax.axhline(choice["threshold"], color=PALETTE["black"], ls=":", lw=1.5,
               label="best mean − 1 standard error")
    ax.axvline(choice["best"], color=PALETTE["black"], ls="--", lw=1.5, label="best mean")
    ax.axvline(choice["one_se"], color=PALETTE["vermillion"], lw=2.2,
               label="one-standard-error choice")
    ax.set_xticks(x, labels or [f"{v:g}" for v in values])
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="lower left", fontsize=10)
    return ax.figure
