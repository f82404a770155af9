"""Static figures of notebook 04 (batch norm), from the notebook's own functions."""
from __future__ import annotations

from ..experiments import batchnorm as exp
from ..plots import batchnorm as plots


def lr_multiples():
    """With vs without batch norm over learning rates (batch size 32)."""
    return plots.lr_multiples(exp.lr_batch_grid(batch_sizes=(32,)), batch_size=32)


def running_stats():
    """Running mean/variance approaching the data's for momentum 0.9 and 0.99."""
    return plots.running_stats_figure(exp.running_stats_trace())


def settle():
    """Eval-mode accuracy lagging while the running statistics settle."""
    return plots.settle_figure(exp.settle_curve())


FIGURES = {"04_batchnorm_lr.png": lr_multiples,
           "04_batchnorm_running_stats.png": running_stats,
           "04_batchnorm_settle.png": settle}
