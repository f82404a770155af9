"""Static figures of notebook 05 (early stopping), from the notebook's own functions."""
from __future__ import annotations

import functools

from ..experiments import early_stopping as exp
from ..plots import early_stopping as plots


@functools.lru_cache(maxsize=1)
def _run():
    return exp.record_run()


def patience_multiples():
    """Where patience 2, 5, 10 and 30 stop on the same recorded run."""
    return plots.stop_multiples(_run())


def weight_norm():
    """The squared weight norm grows with epochs; validation loss against it."""
    return plots.weight_norm_figure(_run())


FIGURES = {"05_patience.png": patience_multiples,
           "05_weight_norm.png": weight_norm}
