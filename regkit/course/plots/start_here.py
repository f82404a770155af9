"""Notebook 00's pictures: a sample of the noisy sine (the smoke-test
dashboard's figure), the course palette, and the built-in datasets."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...datasets import sine_function
from ...style import PALETTE, TRAIN, VAL, rk_style


def sine_sample_figure(x, y, noise: float):
    """``len(x)`` points of the noisy sine (``x``, ``y`` of shape (n, 1)) over
    the truth sin(pi x); the title gives the noise level."""
    grid = np.linspace(-1, 1, 200)
    with rk_style():
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
        ax.plot(grid, sine_function(grid), color=PALETTE["black"], ls="--", lw=1.5,
                label="sin(πx)")
        ax.scatter(x[:, 0], y[:, 0], color=TRAIN, s=25, label=f"{len(x)} points")
        ax.set_ylim(-2.2, 2.2)
        ax.set_title(f"noise σ = {noise:.2f}")
        ax.legend(loc="lower right", fontsize=10)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.88)
    return fig


def palette_figure():
    """The course colours as swatches, and a mock pair of loss curves in the
    two colours every notebook uses for training (blue) and validation
    (orange)."""
    with rk_style():
        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 3.6),
                                       gridspec_kw={"width_ratios": [1.1, 1]})
        names = list(PALETTE)
        for i, name in enumerate(names):
            ax0.add_patch(plt.Rectangle((i, 0), 0.9, 1, color=PALETTE[name]))
            ax0.text(i + 0.45, -0.12, name, ha="center", va="top", rotation=45, fontsize=10)
        ax0.set_xlim(-0.1, len(names))
        ax0.set_ylim(-1.0, 1.05)
        ax0.axis("off")
        ax0.set_title("Okabe-Ito palette (colour-blind safe)")
        epochs = np.arange(60)
        train = 2.3 * np.exp(-epochs / 8) + 0.05
        val = 2.3 * np.exp(-epochs / 8) + 0.25 + 0.004 * np.maximum(epochs - 20, 0)
        ax1.plot(epochs, train, color=TRAIN, label="train")
        ax1.plot(epochs, val, color=VAL, label="validation")
        ax1.set_xlabel("epoch")
        ax1.set_ylabel("loss")
        ax1.set_title("train is blue, validation orange")
        ax1.legend()
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.2, top=0.86, wspace=0.15)
    return fig


def datasets_figure(split_digits, split_moons, split_sine, split_sparse):
    """One panel per built-in dataset: a few digits, the two moons, the noisy
    sine with its truth, and the true coefficients of ``sparse_features``."""
    with rk_style():
        fig = plt.figure(figsize=(14, 3.6))
        grid = fig.add_gridspec(1, 4, wspace=0.3)
        sub = grid[0].subgridspec(2, 4, wspace=0.05, hspace=0.05)
        for k in range(8):
            ax = fig.add_subplot(sub[k // 4, k % 4])
            ax.imshow(split_digits.x_train[k].reshape(8, 8), vmin=0, vmax=1)
            ax.axis("off")
            ax.set_title(str(split_digits.y_train[k]), fontsize=10, pad=2)
        box = grid[0].get_position(fig)
        fig.text((box.x0 + box.x1) / 2, box.y1 + 0.02, "digits (label above)",
                 ha="center", fontsize=14)
        ax = fig.add_subplot(grid[1])
        x, y = split_moons.x_train, split_moons.y_train
        ax.scatter(x[y == 0, 0], x[y == 0, 1], s=8, color=PALETTE["vermillion"])
        ax.scatter(x[y == 1, 0], x[y == 1, 1], s=8, color=PALETTE["sky"])
        ax.set_title("moons")
        ax = fig.add_subplot(grid[2])
        g = np.linspace(-1, 1, 200)
        ax.scatter(split_sine.x_train[:, 0], split_sine.y_train[:, 0], s=10, color=TRAIN)
        ax.plot(g, split_sine.true_function(g), color=PALETTE["black"], ls="--", lw=1.5)
        ax.set_title("noisy_sine")
        ax = fig.add_subplot(grid[3])
        coef = split_sparse.coef
        ax.bar(np.arange(len(coef)), coef, width=1.0, color=PALETTE["green"])
        ax.set_title(f"sparse_features: {np.count_nonzero(coef)} of {len(coef)} matter",
                     fontsize=12)
        ax.set_xlabel("column")
    return fig
