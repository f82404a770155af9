"""What each augmentation does to one image: a grid of random draws."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ... import augment
from ..._rng import as_rng
from ...style import rk_style


def augmentation_gallery(image, transforms=None, n_draws=6, rng=0, fig=None):
    """One row per transform: the original image, then ``n_draws`` random draws.

    Each row repeats the image ``n_draws`` times and transforms that batch
    in one call, so the row shows the spread of strengths a training batch
    would see. Rows are labelled with the transform's name.

    Args:
        image: one image, (h, w) or (1, h, w), e.g. ``digits(flatten=False).x_train[0]``.
        transforms: dict name -> callable ``t(images, rng=...)``; default every
            transform of :mod:`regkit.augment` at its default strength
            (``augment.TRANSFORMS``).
        n_draws: number of random draws per row.
        rng: None | int | Generator; one generator feeds every row, so the
            same int gives the same figure.
        fig: a Figure to draw into (cleared first), or None for a new one.

    Returns:
        The Figure.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[0] == 1:
        image = image[0]
    if image.ndim != 2:
        raise ValueError(f"image must be (h, w) or (1, h, w), got shape {image.shape}")
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise ValueError(f"n_draws must be a positive int, got {n_draws!r}")
    transforms = dict(augment.TRANSFORMS if transforms is None else transforms)
    if not transforms:
        raise ValueError("transforms must name at least one transform")
    g = as_rng(rng)
    batch = np.repeat(image[None], n_draws, axis=0)
    in_unit = image.min() >= 0 and image.max() <= 1
    vmin, vmax = (0.0, 1.0) if in_unit else (float(image.min()), float(image.max()))

    with rk_style():
        rows, cols = len(transforms), n_draws + 1
        if fig is None:
            fig = plt.figure(figsize=(1.1 * cols + 1.2, 1.1 * rows + 0.4))
        else:
            fig.clear()
        axes = fig.subplots(rows, cols, squeeze=False)
        for r, (name, t) in enumerate(transforms.items()):
            row = [image, *t(batch, rng=g)]
            for c, (ax, img) in enumerate(zip(axes[r], row)):
                ax.imshow(img, cmap="gray_r", vmin=vmin, vmax=vmax)
                ax.set_xticks([])
                ax.set_yticks([])
                ax.grid(False)
                for spine in ax.spines.values():
                    spine.set(visible=True, color="0.75", linewidth=0.6)
                if r == 0:
                    ax.set_title("original" if c == 0 else f"draw {c}", fontsize=10)
            axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=11)
        fig.subplots_adjust(wspace=0.05, hspace=0.08)
    return fig
