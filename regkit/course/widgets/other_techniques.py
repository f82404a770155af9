"""The four dashboards of notebook 07: label smoothing, mixup, gradient
clipping and max-norm.

Label smoothing, mixup and max-norm each retrain a network (0.15-0.4 s on
one thread), so the notebook computes a grid once with the ``*_grid``
functions of :mod:`regkit.course.experiments.other_techniques` and hands it in; a value
missing from the grid is trained when first asked for, and kept. The
clipping run is a few hundred tiny steps (~50 ms), so it is trained live.
"""
from __future__ import annotations

import math

import ipywidgets as W
import numpy as np

from ..experiments import other_techniques as exp
from ..plots import other_techniques as plots
from .base import Dashboard, log_slider, slider


def _selection(description, options, value):
    """A slider over fixed values (``options``: ``[(label, value), ...]``)."""
    return W.SelectionSlider(options=options, value=value, description=description,
                             continuous_update=False, style={"description_width": "initial"})


def smoothing_dashboard(grid: dict | None = None, *, eps: float = 0.1, seed: int = 0,
                        **cfg) -> Dashboard:
    """An ``eps`` slider (0 to 0.3): the smoothed target, the validation
    confidence histogram and the reliability diagram with its ECE.

    Args:
        grid: ``{eps: run}`` from :func:`regkit.course.experiments.other_techniques.smoothing_grid`;
            None trains each value when first asked for.
        eps: the starting value.
        seed, cfg: passed to ``train_smoothing`` for values trained here.

    ``state["result"]`` is the run of the current eps (``"ece"``, ``"acc"``...).
    """
    grid = {} if grid is None else grid

    def compute(eps):
        key = round(float(eps), 3)
        if key not in grid:
            grid[key] = exp.train_smoothing(key, seed=seed, **cfg)
        return grid[key]

    def draw(result, eps):
        return plots.smoothing_view(result, round(float(eps), 3))

    def describe(result, eps):
        gap = result["confidence"] - result["acc"]
        word = "over" if gap > 0 else "under"
        return (f"ε = {eps:.2f}: a target keeps {1 - eps + eps / 10:.3f} on the right digit and "
                f"gives {eps / 10:.3f} to each other one · validation accuracy "
                f"{result['acc']:.1%}, mean confidence {result['confidence']:.1%} "
                f"({word}confident by {abs(gap):.1%}) · ECE {result['ece']:.3f}")

    controls = {"eps": slider("smoothing ε", float(eps), 0.0, 0.3, 0.05, fmt=".2f")}
    return Dashboard(controls, compute, draw, describe=describe, height="360px",
                     title="Label smoothing on digits: confidence and calibration")


def mixup_dashboard(grid: dict | None = None, *, alpha: float = 0.2, seed: int = 0,
                    **cfg) -> Dashboard:
    """An ``alpha`` slider over :data:`~regkit.course.experiments.other_techniques.ALPHA_GRID`
    (0 = no mixup): the Beta(alpha, alpha) density, the moons boundary and
    the loss curves (validation without mixup in grey).

    ``state["result"]`` is ``(run, baseline)`` for the current alpha.
    """
    grid = {} if grid is None else grid
    options = [("off" if a == 0 else f"{a:g}", a) for a in exp.ALPHA_GRID]

    def run(alpha):
        key = round(float(alpha), 3)
        if key not in grid:
            grid[key] = exp.train_mixup(key, seed=seed, **cfg)
        return grid[key]

    def compute(alpha):
        return run(alpha), run(0.0)

    def draw(result, alpha):
        return plots.mixup_view(result[0], alpha, baseline=result[1])

    def describe(result, alpha):
        h, h0 = result[0]["history"], result[1]["history"]
        what = ("no mixing" if alpha == 0 else
                f"λ ~ Beta({alpha:g}, {alpha:g}), mean distance from the nearest real sample "
                f"{_mean_min_lam(alpha):.2f}")
        return (f"α = {alpha:g}: {what} · validation loss {h.val_loss[-1]:.3f} "
                f"(no mixup: {h0.val_loss[-1]:.3f}), accuracy {h.val_acc[-1]:.0%} · "
                f"training loss {h.train_loss[-1]:.3f}")

    controls = {"alpha": _selection("mixup α", options, _closest(exp.ALPHA_GRID, alpha))}
    return Dashboard(controls, compute, draw, describe=describe, height="360px",
                     title="Mixup on noisy moons: the Beta distribution and the boundary")


def _mean_min_lam(alpha: float) -> float:
    """E[min(lam, 1 - lam)] for lam ~ Beta(alpha, alpha): how far a mix is
    from the nearer of its two real samples (0: a real sample; 0.5: halfway)."""
    from scipy.stats import beta
    return float(2 * beta.expect(lambda t: t, args=(alpha, alpha), lb=0.0, ub=0.5))


def _closest(options, value):
    return min(options, key=lambda o: abs(o - value))


def clipping_dashboard(*, threshold: float = 1.0, clip: bool = True, seed: int = 0,
                       **cfg) -> Dashboard:
    """A log threshold slider (0.01 to 1000) and a "clip" switch over the
    exploding tanh network: loss and gradient norm per step.

    ``state["result"]`` is the :func:`~regkit.course.experiments.other_techniques.train_clipped`
    run (``"diverged_at"``, ``"val_loss"``, ``"grad_norm"``...).
    """
    data = exp.exploding_data(**cfg)

    def compute(threshold, clip):
        return exp.train_clipped(float(threshold) if clip else None, data=data, seed=seed,
                                   **cfg)

    def draw(result, threshold, clip):
        return plots.clip_view(result)

    def describe(result, threshold, clip):
        head = f"threshold θ = {threshold:g}" if clip else "no clipping"
        if result["diverged_at"] is not None:
            return (f"{head}: the loss became NaN/inf at step {result['diverged_at']} "
                    f"(rk.fit would raise FloatingPointError here)")
        norms = result["grad_norm"]
        return (f"{head}: clipped on {result['clipped']:.0%} of the steps · median gradient "
                f"norm {float(np.median(norms)):.3g}, largest {norms.max():.3g} · final "
                f"validation MSE {result['val_loss']:.3f} (noise floor "
                f"{exp.CLIP['noise'] ** 2:.3f})")

    controls = {"threshold": log_slider("threshold θ", threshold, -2, 3, step=0.5, fmt=".2g"),
                "clip": W.Checkbox(value=bool(clip), description="clip",
                                   style={"description_width": "initial"})}
    return Dashboard(controls, compute, draw, describe=describe, height="360px",
                     title="Gradient clipping on a network whose gradients explode")


def maxnorm_dashboard(grid: dict | None = None, *, c: float | None = 1.0, seed: int = 0,
                      **cfg) -> Dashboard:
    """A ``c`` slider over :data:`~regkit.course.experiments.other_techniques.C_GRID`
    ("off" = no constraint; the control's value is then ``math.inf``): the
    sorted first-layer column norms with the line at ``c``, and the accuracy
    curves of the dropout network.

    ``state["result"]`` is the run of the current c (``"norms"``, ``"history"``).
    """
    grid = {} if grid is None else grid
    # the slider's "off" is c = inf (a selection slider cannot hold None)
    options = [("off", math.inf) if v is None else (f"{v:g}", v) for v in exp.C_GRID]

    def compute(c):
        c = None if math.isinf(c) else c
        if c not in grid:
            grid[c] = exp.train_maxnorm(c, seed=seed, **cfg)
        return grid[c]

    def draw(result, c):
        top = 1.1 * max(r["norms"].max() for r in grid.values())
        return plots.maxnorm_view(result, top=top)

    def describe(result, c):
        c = None if math.isinf(c) else c
        h = result["history"]
        free = grid.get(None)
        ref = "" if free is None or c is None else (
            f" (no constraint: {free['history'].val_acc[-1]:.1%})")
        at_c = "" if c is None else (f" · {int((result['norms'] >= c * 0.999).sum())} of "
                                     f"{result['norms'].size} units sit at the limit c = {c:g}")
        return (f"{'no constraint' if c is None else f'c = {c:g}'}: validation accuracy "
                f"{h.val_acc[-1]:.1%}{ref}, training loss {h.train_loss[-1]:.3f}{at_c}")

    controls = {"c": _selection("max-norm c", options, math.inf if c is None else c)}
    return Dashboard(controls, compute, draw, describe=describe, height="360px",
                     title="Max-norm with dropout on digits: column norms and accuracy")


#: how ``benchmarks/bench_widgets.py`` builds the grids: as notebook 07 does
#: (the clipping run is trained live there too)
BENCH_KWARGS = {
    "smoothing_dashboard": lambda: {"grid": exp.smoothing_grid(exp.EPS_GRID)},
    "mixup_dashboard": lambda: {"grid": exp.mixup_grid(exp.ALPHA_GRID)},
    "maxnorm_dashboard": lambda: {"grid": exp.maxnorm_grid(exp.C_GRID), "c": 2.0},
    "clipping_dashboard": lambda: {"threshold": 10.0},
}
