"""Static figures of notebook 02 (L1 and L2), from the notebook's own experiments
(:mod:`regkit.course.experiments.l1_l2`)."""
from __future__ import annotations

import numpy as np

from ..experiments.l1_l2 import decay_traces, digits_lambda_runs, sparse_grid
from ..plots import l1_l2 as P


def _geometry():
    return P.geometry_grid()


def _adam():
    steps, traces = decay_traces()
    return P.decay_by_gradient_scale(steps, traces, (0.01, 0.1, 1.0, 10.0))


def _digits():
    return P.learning_curves_grid(digits_lambda_runs())


def _sweep():
    return P.sparse_sweep_grid(sparse_grid())


def _weights():
    grid = sparse_grid()
    return P.sparse_weights_grid(grid, int(np.argmax(grid["L1 prox"]["val_acc"])))


FIGURES = {
    "02_penalties.png": P.penalty_shapes,
    "02_geometry.png": _geometry,
    "02_geometry_paths.png": P.geometry_paths,
    "02_adam_vs_adamw.png": _adam,
    "02_digits_lambda.png": _digits,
    "02_sparse_sweep.png": _sweep,
    "02_sparse_weights.png": _weights,
}
