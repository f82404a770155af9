"""Static figures of notebook 07 (label smoothing, mixup, clipping, max-norm),
from the notebook's own functions."""
from __future__ import annotations

from ..experiments import other_techniques as exp
from ..plots import other_techniques as plots


def smoothing_calibration():
    """Confidence histograms and reliability diagrams for eps = 0 ... 0.3."""
    return plots.smoothing_multiples(exp.smoothing_grid(exp.EPS_SHOWN))


def mixup_boundaries():
    """Beta(alpha, alpha) and the moons boundary for alpha = 0, 0.2, 1, 4."""
    return plots.mixup_multiples(exp.mixup_grid(exp.ALPHA_SHOWN))


def clipping_curves():
    """Loss and gradient norm per step: no clipping, then thresholds 100, 10, 1."""
    return plots.clip_multiples({t: exp.train_clipped(t) for t in exp.THRESHOLDS_SHOWN})


def maxnorm_columns():
    """Sorted column norms and accuracy curves: no constraint, c = 2, 1, 0.5."""
    return plots.maxnorm_multiples(exp.maxnorm_grid(exp.C_SHOWN))


FIGURES = {"07_smoothing_calibration.png": smoothing_calibration,
           "07_mixup_boundaries.png": mixup_boundaries,
           "07_clipping_curves.png": clipping_curves,
           "07_maxnorm_columns.png": maxnorm_columns}
