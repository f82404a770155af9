"""Notebook 06 (data augmentation): the figures, drawn from results.

Galleries are drawn as ONE image (a mosaic of tiles with thin gaps) instead
of one axes per digit: a 9 x 8 grid then renders in tens of milliseconds,
fast enough for a slider.

Figures: :func:`gallery_figure` (:func:`draw_gallery` from rows already
augmented), :func:`mirror_figure`, :func:`strength_multiples`,
:func:`strength_view`, :func:`curves_figure`. The runs they draw come from
:mod:`regkit.course.experiments.augmentation`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..experiments.augmentation import SLIDERS, gallery_rows, label, transform
from ...style import PALETTE, TRAIN, VAL


# -- drawing many small images fast -------------------------------------------
def mosaic(rows, gap: int = 1, fill: float = np.nan) -> np.ndarray:
    """Tile ``rows`` (a list of ``(n, h, w)`` arrays, one per row) into one
    2-D array with ``gap`` pixels of ``fill`` between tiles (NaN draws as
    background in imshow)."""
    rows = [np.asarray(r, dtype=np.float32) for r in rows]
    n, h, w = max(len(r) for r in rows), rows[0].shape[1], rows[0].shape[2]
    out = np.full((len(rows) * (h + gap) - gap, n * (w + gap) - gap), fill, dtype=np.float32)
    for i, row in enumerate(rows):
        for j, img in enumerate(row):
            out[i * (h + gap):i * (h + gap) + h, j * (w + gap):j * (w + gap) + w] = img
    return out


def _show_mosaic(ax, rows, row_labels=(), vmax=1.0) -> None:
    cmap = plt.get_cmap("gray_r").with_extremes(bad="#d9d9d9")   # gaps: a grey frame per tile
    ax.imshow(mosaic(rows), cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
    h = np.asarray(rows[0]).shape[1]
    ax.set_yticks([(h + 1) * i + (h - 1) / 2 for i in range(len(row_labels))], row_labels)
    ax.set_xticks([])
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)


def gallery_figure(images, strengths: dict | None = None, seed: int = 0) -> plt.Figure:
    """Every transform (rows) on the same digits (columns); the top row is
    the untouched images. ``strengths`` defaults to each slider's default."""
    strengths = strengths or {k: v[1] for k, v in SLIDERS.items()}
    return draw_gallery(*gallery_rows(images, strengths, seed))


def draw_gallery(rows, labels) -> plt.Figure:
    """The gallery from rows already computed (``gallery_rows``): one row of
    tiles per entry of ``rows``, named by ``labels``."""
    width = 0.75 * len(rows[0]) + 2.6
    fig, ax = plt.subplots(figsize=(width, 0.72 * len(rows) + 0.3))
    _show_mosaic(ax, rows, labels)
    fig.subplots_adjust(left=2.5 / width, right=0.99, bottom=0.01, top=0.99)
    return fig


def mirror_figure(images, labels) -> plt.Figure:
    """Digits above, their left-right mirror images below."""
    fig, ax = plt.subplots(figsize=(0.8 * len(images) + 1.6, 2.2))
    _show_mosaic(ax, [images, np.asarray(images)[:, :, ::-1]], ["digit", "mirrored"])
    ax.set_xticks([4 + 9 * i - 0.5 for i in range(len(images))], [str(v) for v in labels])
    ax.set_title("a mirrored digit is not the same digit (some are no digit at all)",
                 fontsize=12)
    fig.tight_layout()
    return fig


# -- figures -------------------------------------------------------------------
def _end(run, key):
    return getattr(run["history"], key)[-1]


def draw_strength(ax, grid: dict, name: str, current=None, title=True) -> None:
    """Final accuracy against the strength of one transform: train (blue) and
    validation (orange), and, dashed, the fixed tilted and moved validation
    digits of :func:`field_sets` (when the runs have them); ``current`` rings
    one strength."""
    strengths = sorted(s for (n, s) in grid if n == name)
    runs = [grid[(name, s)] for s in strengths]
    ax.plot(strengths, [_end(r, "train_acc") for r in runs], "o-", color=TRAIN,
            label="train (clean images)")
    val_acc = [_end(r, "val_acc") for r in runs]
    ax.plot(strengths, val_acc, "s-", color=VAL, label="validation")
    ax.axhline(val_acc[0], color=VAL, lw=1, ls=":")
    for key, colour in zip(runs[0].get("field", {}), (PALETTE["green"], PALETTE["purple"])):
        ax.plot(strengths, [r["field"][key] for r in runs], "^--", color=colour, lw=1.8,
                label=f"validation {key}")
    if current is not None:
        ax.plot(current, _end(grid[(name, current)], "val_acc"), "o", ms=13, mfc="none",
                mec=PALETTE["black"], mew=2.2)
    ax.set(xlabel=SLIDERS[name][0], ylim=(0.0, 1.03), xticks=strengths)
    if title:
        ax.set_title(name)


def strength_multiples(grid: dict, names=None) -> plt.Figure:
    """One panel per transform: accuracy against augmentation strength."""
    names = names or list(dict.fromkeys(n for n, _ in grid))
    fig, axes = plt.subplots(1, len(names), figsize=(2.75 * len(names), 3.4), sharey=True,
                             squeeze=False)
    for i, (ax, name) in enumerate(zip(axes[0], names)):
        draw_strength(ax, grid, name)
        ax.set_ylabel("final accuracy" if i == 0 else "")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=11, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def strength_view(grid: dict, name: str, strength, samples) -> plt.Figure:
    """The dashboard's picture for one (transform, strength): the strength
    curve with the current point, the run's loss curves, and training digits
    as the network saw them."""
    run = grid[(name, strength)]
    fig = plt.figure(figsize=(11.5, 4.0))
    a, b, c = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.0, 1.0, 0.8]})
    draw_strength(a, grid, name, current=strength, title=False)
    a.set(ylabel="final accuracy", title=f"{name}: accuracy vs strength")
    h = run["history"]
    epochs = np.arange(1, len(h.train_loss) + 1)
    b.plot(epochs, h.train_loss, color=TRAIN, label="train")
    b.plot(epochs, h.val_loss, color=VAL, label="validation")
    b.set(xlabel="epoch", ylabel="loss", ylim=(0, 1.5),
          title=f"val acc {h.val_acc[-1]:.1%}, train {h.train_acc[-1]:.0%}")
    b.legend(loc="upper right", fontsize=10)
    shown = samples if strength == 0 else transform(name, strength)(samples, rng=0)
    _show_mosaic(c, [shown[:4], shown[4:8]])
    c.set_title(label(name, strength), fontsize=11)
    handles, labels = a.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower left", ncol=4, fontsize=10, frameon=False)
    # fixed margins, not tight_layout: it would double the drawing time of a slider update
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.24, top=0.91, wspace=0.28)
    return fig


def curves_figure(runs: dict) -> plt.Figure:
    """Train and validation loss per epoch, one panel per run (``{title: run}``)."""
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.4), sharey=True,
                             squeeze=False)
    for i, (ax, (title, run)) in enumerate(zip(axes[0], runs.items())):
        h = run["history"]
        epochs = np.arange(1, len(h.train_loss) + 1)
        ax.plot(epochs, h.train_loss, color=TRAIN, label="train")
        ax.plot(epochs, h.val_loss, color=VAL, label="validation")
        ax.set(xlabel="epoch", ylabel="loss" if i == 0 else "", ylim=(0, 1.5),
               title=f"{title}\nval acc {h.val_acc[-1]:.1%}")
        if i == 0:
            ax.legend(loc="upper right", fontsize=10)
    fig.tight_layout()
    return fig
