"""The dropout dashboard of notebook 03: one slider for the rate ``p``.

Training the wide digits MLP takes about half a second, too slow for a
slider, so the notebook computes :func:`regkit.course.experiments.dropout.dropout_grid`
once (``p = 0, 0.1, ..., 0.8``) and hands it in; moving the slider then only
draws. A ``p`` missing from the grid is trained on the spot (and kept).
"""
from __future__ import annotations

from ..experiments import dropout as exp
from ..plots import dropout as plots
from .base import Dashboard, slider


def dropout_dashboard(grid: dict | None = None, *, p: float = 0.5, seed: int = 0,
                      digits_cfg: dict | None = None, moons_cfg: dict | None = None,
                      ylim=(0.0, 1.2)) -> Dashboard:
    """A ``p`` slider (0 to 0.8) over digits train/validation loss curves and the
    moons decision boundary.

    Args:
        grid: ``{p: {"digits": ..., "moons": ...}}`` from
            :func:`regkit.course.experiments.dropout.dropout_grid`; ``None`` trains each
            value when first asked for.
        p: the starting rate.
        seed, digits_cfg, moons_cfg: passed on when a value is trained here.
        ylim: the loss axis, fixed so curves compare across ``p``.

    ``state["result"]`` is the grid entry of the current ``p``.
    """
    grid = {} if grid is None else grid

    def compute(p):
        key = round(float(p), 2)
        if key not in grid:
            grid.update(exp.dropout_grid([key], seed=seed, digits_cfg=digits_cfg,
                                           moons_cfg=moons_cfg))
        return grid[key]

    def draw(result, p):
        return plots.p_view(result, round(float(p), 2), ylim=ylim)

    def describe(result, p):
        h, mh = result["digits"]["history"], result["moons"]["history"]
        gap = h.val_loss[-1] - h.train_loss[-1]
        return (f"p = {p:.1f} (drop {p:.0%} of the hidden units each step, scale the rest "
                f"by {1 / (1 - p):.2f}) · digits: train loss {h.train_loss[-1]:.3f}, "
                f"validation loss {h.val_loss[-1]:.3f} (gap {gap:.3f}), validation accuracy "
                f"{h.val_acc[-1]:.1%} · moons: validation accuracy {mh.val_acc[-1]:.1%}")

    controls = {"p": slider("dropout rate p", float(p), 0.0, 0.8, 0.1, fmt=".1f")}
    return Dashboard(controls, compute, draw, describe=describe, height="380px",
                     title="Dropout rate: digits curves and the moons boundary")


#: how ``benchmarks/bench_widgets.py`` builds the grid: as notebook 03 does
BENCH_KWARGS = {"dropout_dashboard": lambda: {"grid": exp.dropout_grid(exp.P_GRID)}}
