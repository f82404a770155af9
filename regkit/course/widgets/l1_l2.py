"""Dashboards of notebook 02 (L1 and L2).

* :func:`geometry_dashboard`: one log-lambda slider moves the L1 and L2
  optima of a two-weight problem; the diamond and the circle shrink with
  them and the L1 optimum sits on an axis for a whole range of lambda.

Both pictures have two panels on purpose: on a 2-core laptop each extra
axes costs tens of milliseconds of rendering, and an update must answer
in about a quarter of a second.
* :func:`sparse_dashboard`: a log-lambda slider and a penalty selector
  browse a precomputed sweep (:func:`regkit.course.experiments.sparsity.sparse_sweep`) of a
  linear classifier on ``sparse_features``: what each input feature is
  worth to the model and the weight histogram, with the accuracies and the
  support-recovery scores in the text below.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from ..experiments.geometry import ellipse_problem, first_zero_lambda, l1_solution, l2_solution
from ..experiments.l1_l2 import PROBLEM, sparse_grid
from ..plots.l1_l2 import geometry_view, sparse_view
from .base import Dashboard, log_slider


def geometry_dashboard(lam: float = 0.3, problem=PROBLEM) -> Dashboard:
    """L1 diamond vs L2 circle on a two-weight quadratic loss.

    Control: ``lam`` (log slider, 0.01 to ~3). ``state["result"]`` holds
    ``{"L1": (2,), "L2": (2,), "first_zero": lam_0}``; solving is a
    closed form (L2) and a few hundred ISTA steps (L1), well under a
    millisecond, so nothing is precomputed.
    """
    H, w_star = ellipse_problem(*problem)
    lam0, index = first_zero_lambda(H, w_star)

    def compute(lam):
        return {"L1": l1_solution(H, w_star, lam), "L2": l2_solution(H, w_star, lam),
                "first_zero": lam0}

    def draw(result, lam):
        return geometry_view(lam, problem)

    def describe(result, lam):
        w1, w2 = result["L1"], result["L2"]
        zero = [f"w{'₁₂'[k]}" for k in range(2) if w1[k] == 0.0]
        l1_text = (f"<b>{' and '.join(zero)} exactly 0</b>" if zero
                   else f"no zero yet (w{'₁₂'[index]} reaches 0 at λ = {lam0:.3f})")
        return (f"L1 optimum ({w1[0]:.3f}, {w1[1]:.3f}): {l1_text}. "
                f"L2 optimum ({w2[0]:.3f}, {w2[1]:.3f}): both weights smaller, neither zero.")

    controls = {"lam": log_slider("λ", lam, -2, 0.5, step=0.05, fmt=".3f")}
    return Dashboard(controls, compute, draw, describe=describe, height="380px",
                     title="L1 vs L2 on a two-weight loss")


def sparse_dashboard(grid: dict, penalty: str = "L1 prox", lam: float | None = None) -> Dashboard:
    """Browse a lambda sweep on ``sparse_features`` (no training while you slide).

    Args:
        grid: the output of :func:`regkit.course.experiments.sparsity.sparse_sweep`; its
            lambdas must be evenly spaced in log10 (the slider's steps).
        penalty: initial penalty, one of ``grid["penalties"]``.
        lam: initial lambda (snapped to the nearest grid value); default
            the middle of the grid.

    Controls: ``lam`` (log slider on the grid) and ``penalty``
    (ToggleButtons). ``state["result"]`` holds the chosen grid point:
    ``index``, ``lam``, ``train_acc``, ``val_acc``, ``zero_share``,
    ``precision``, ``recall``, ``top_k_hits``, ``weight_norm``.
    """
    lams = np.asarray(grid["lams"], dtype=np.float64)
    logs = np.log10(lams)
    steps = np.diff(logs)
    if len(lams) < 2 or not np.allclose(steps, steps[0], atol=1e-6):
        raise ValueError("grid['lams'] must hold at least two values evenly spaced in log10, "
                         f"got {lams}")
    if penalty not in grid["penalties"]:
        raise ValueError(f"penalty must be one of {grid['penalties']}, got {penalty!r}")
    lam = float(lams[len(lams) // 2]) if lam is None else float(lam)

    def nearest(lam):
        return int(np.argmin(np.abs(logs - np.log10(lam))))

    def compute(lam, penalty):
        i, res = nearest(lam), grid[penalty]
        out = {k: float(res[k][i]) for k in ("train_acc", "val_acc", "zero_share",
                                             "precision", "recall", "top_k_hits")}
        out.update(index=i, lam=float(lams[i]), penalty=penalty,
                   weight_norm=float(np.linalg.norm(res["W"][i])))
        return out

    def draw(result, lam, penalty):
        return sparse_view(grid, penalty, result["index"])

    def describe(r, lam, penalty):
        n_true = len(grid["support"])
        return (f"{penalty}, λ = {r['lam']:.2g}: train {r['train_acc']:.3f}, "
                f"validation {r['val_acc']:.3f}; <b>{r['zero_share']:.0%}</b> of the features "
                f"unused (all weights |w| ≤ 1e-3); of those kept, {r['precision']:.0%} are "
                f"truly informative; {r['recall']:.0%} of the {n_true} informative ones kept; "
                f"top-{n_true} by weight: {r['top_k_hits']:.0f} of {n_true} right.")

    controls = {
        "lam": log_slider("λ", float(lams[nearest(lam)]), float(logs[0]), float(logs[-1]),
                          step=float(steps[0]), fmt=".2g"),
        "penalty": W.ToggleButtons(options=list(grid["penalties"]), value=penalty,
                                   description="penalty",
                                   style={"button_width": "90px"}),
    }
    return Dashboard(controls, compute, draw, describe=describe, height="360px",
                     title="L1, L2 and Elastic Net on 100 features, 5 informative")


def _bench_sparse():
    return {"grid": sparse_grid(), "penalty": "L1 prox", "lam": 0.01}


#: how ``benchmarks/bench_widgets.py`` builds the data of a dashboard that needs
#: some: the way notebook 02 does
BENCH_KWARGS = {"sparse_dashboard": _bench_sparse}
