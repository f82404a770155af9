"""The batch-norm dashboard of notebook 04: learning rate x batch size.

Each setting trains two deep MLPs (with and without batch norm); at batch
size 8 that takes about 0.3 s, so the notebook computes
:func:`regkit.course.experiments.batchnorm.lr_batch_grid` once and the sliders only
draw. A setting missing from the grid is trained when first asked for.
"""
from __future__ import annotations

import ipywidgets as W

from ..experiments import batchnorm as exp
from ..plots import batchnorm as plots
from .base import Dashboard, log_slider


def batchnorm_dashboard(grid: dict | None = None, *, lr: float = 0.1, batch_size: int = 32,
                        batch_sizes=exp.BATCH_SIZES, seed: int = 0, data=None,
                        **cfg) -> Dashboard:
    """A log learning-rate slider (1e-3 to 1, half-decade steps) and a batch
    size slider over the training loss and validation accuracy of a deep
    MLP with and without batch norm.

    Args:
        grid: ``{(log10 lr, batch size): {"plain": run, "bn": run}}`` from
            :func:`regkit.course.experiments.batchnorm.lr_batch_grid`; None trains on demand.
        lr, batch_size: the starting values.
        batch_sizes: the values the batch-size slider offers.
        seed, data, cfg: used when a setting is trained here (see
            :func:`regkit.course.experiments.batchnorm.train_deep`).

    ``state["result"]`` is ``{"plain": run, "bn": run}`` of the current setting.
    """
    grid = {} if grid is None else grid

    def compute(lr, batch_size):
        key = (exp.log10(lr), int(batch_size))
        if key not in grid:
            grid.update(exp.lr_batch_grid([key[0]], [key[1]], seed=seed, data=data, **cfg))
        return grid[key]

    def draw(result, lr, batch_size):
        return plots.lr_view(result, lr, int(batch_size))

    def describe(result, lr, batch_size):
        parts = []
        for name, label in (("plain", "without batch norm"), ("bn", "with batch norm")):
            run = result[name]
            if run["diverged"] is not None:
                parts.append(f"{label}: diverged in epoch {run['diverged'] + 1}")
            else:
                parts.append(f"{label}: validation accuracy {exp.final_acc(run):.1%} "
                             "(mean of the last 3 epochs)")
        return f"lr = {lr:.3g}, batch size {batch_size} · " + " · ".join(parts)

    controls = {
        "lr": log_slider("learning rate", lr, -3, 0, step=0.5, fmt=".3g"),
        "batch_size": W.SelectionSlider(options=[int(b) for b in batch_sizes],
                                        value=int(batch_size), description="batch size",
                                        continuous_update=False,
                                        style={"description_width": "initial"}),
    }
    return Dashboard(controls, compute, draw, describe=describe, height="360px",
                     title="Deep MLP (7 hidden layers): learning rate and batch size")


def _bench_grid():
    grid = exp.lr_batch_grid(exp.LOG_LRS, exp.BATCH_SIZES, data=exp.deep_data())
    return {"grid": grid}


#: how ``benchmarks/bench_widgets.py`` builds the grid: as notebook 04 does
BENCH_KWARGS = {"batchnorm_dashboard": _bench_grid}
