"""Static figures of notebook 03 (dropout), from the notebook's own functions."""
from __future__ import annotations

import functools

from ..experiments import dropout as exp
from ..experiments.choose import one_se_choice
from ..plots import choose
from ..plots import dropout as plots


@functools.lru_cache(maxsize=1)
def _grid():
    return exp.dropout_grid(exp.P_SHOWN)


def p_curves():
    """Digits train/validation loss for p = 0, 0.2, 0.5, 0.7."""
    return plots.p_multiples(_grid(), rows=("curves",))


def p_boundaries():
    """Moons decision boundaries for p = 0, 0.2, 0.5, 0.7."""
    return plots.p_multiples(_grid(), rows=("boundaries",))


def ensemble():
    """Averaging K dropout passes vs the eval-mode network (p = 0.5)."""
    run = _grid()[0.5]["digits"]
    return plots.ensemble_curve(exp.mc_ensemble(run["model"], run["data"].x_val,
                                                run["data"].y_val))


def p_choice():
    """Validation accuracy of p = 0, 0.3, 0.5, 0.7 over four seeds, and the one-SE choice."""
    scores = exp.digits_dropout_scores(exp.P_CHOICES, exp.CHOICE_SEEDS)["val"]
    return choose.validation_curve(exp.P_CHOICES, scores, one_se_choice(exp.P_CHOICES, scores),
                                   xlabel="dropout rate p")


FIGURES = {"03_dropout_p_curves.png": p_curves,
           "03_dropout_p_choice.png": p_choice,
           "03_dropout_p_boundaries.png": p_boundaries,
           "03_dropout_ensemble.png": ensemble}
