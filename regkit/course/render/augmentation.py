"""Static figures of notebook 06 (data augmentation), from the notebook's own functions."""
from __future__ import annotations

import functools

from ... import augment
from ..experiments import augmentation as exp
from ..experiments.choose import one_se_choice
from ..plots import augmentation as plots
from ..plots import choose


@functools.lru_cache(maxsize=1)
def _grid():
    return exp.strength_grid()


def gallery():
    """Every transform of rk.augment at its default strength on eight digits."""
    return plots.gallery_figure(exp.first_of_each_class())


def mirror():
    """2, 3, 5, 7 and their mirror images."""
    picks = [2, 3, 5, 7]
    return plots.mirror_figure(exp.first_of_each_class()[picks], picks)


def strength():
    """Accuracy against augmentation strength, one panel per transform."""
    return plots.strength_multiples(_grid())


def with_without():
    """Loss curves without augmentation and with rotate(15) + zoom(0.1)."""
    both = augment.Compose([exp.transform("rotate", 15.0), exp.transform("zoom", 0.1)])
    return plots.curves_figure({"no augmentation": _grid()[("rotate", 0.0)],
                                "rotate(15) + zoom(0.1)": exp.train(both)})


def rotation_choice():
    """Accuracy on tilted validation digits against rotation strength, four seeds, one-SE choice."""
    degrees = exp.TILT_DEGREES
    scores = exp.field_scores("rotate", degrees, exp.CHOICE_SEEDS)["val"]
    return choose.validation_curve(degrees, scores, one_se_choice(degrees, scores),
                                   xlabel="rotate(degrees=...)",
                                   ylabel="accuracy on tilted validation digits")


FIGURES = {"06_gallery.png": gallery, "06_rotation_choice.png": rotation_choice, "06_mirror.png": mirror,
           "06_strength.png": strength, "06_with_without.png": with_without}
