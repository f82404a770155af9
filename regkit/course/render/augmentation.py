"""Static figures of notebook 06 (data augmentation), from the notebook's own functions."""
from __future__ import annotations

import functools

import numpy as np

from ... import augment
from ..plots import augmentation as plots


def first_of_each_class(n_classes: int = 8):
    """The first training image of each class 0..n_classes-1 (the gallery's digits)."""
    d = plots.load()
    return d.x_train[[int(np.flatnonzero(d.y_train == c)[0]) for c in range(n_classes)]]


@functools.lru_cache(maxsize=1)
def _grid():
    return plots.strength_grid()


def gallery():
    """Every transform of rk.augment at its default strength on eight digits."""
    return plots.gallery_figure(first_of_each_class())


def mirror():
    """2, 3, 5, 7 and their mirror images."""
    picks = [2, 3, 5, 7]
    return plots.mirror_figure(first_of_each_class()[picks], picks)


def strength():
    """Accuracy against augmentation strength, one panel per transform."""
    return plots.strength_multiples(_grid())


def with_without():
    """Loss curves without augmentation and with rotate(15) + zoom(0.1)."""
    both = augment.Compose([plots.transform("rotate", 15.0), plots.transform("zoom", 0.1)])
    return plots.curves_figure({"no augmentation": _grid()[("rotate", 0.0)],
                                "rotate(15) + zoom(0.1)": plots.train(both)})


FIGURES = {"06_gallery.png": gallery, "06_mirror.png": mirror,
           "06_strength.png": strength, "06_with_without.png": with_without}
