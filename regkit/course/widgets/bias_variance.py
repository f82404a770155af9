"""Notebook 01's dashboard: polynomial degree and training-set size against
bias², variance and the measured test error.

Polynomial fits are closed-form least squares, so every slider position is
computed live (tens of milliseconds): no precomputed grid is needed.
"""
from __future__ import annotations

import functools

from ..experiments import bias_variance as biasvar
from ..plots import bias_variance as pb
from .base import Dashboard, slider

MAX_DEGREE = 15
SIZES = range(10, 201, 10)  # the training-set sizes the slider offers


def _key(term: str) -> str:
    """A term's name in its line colour: the figure's legend, as HTML."""
    return f"<span style='color:{pb.TERMS[term]};font-weight:bold'>{pb.LABELS[term]}</span>"


def bias_variance_dashboard(degree: int = 4, n_train: int = 30, *, n_sets: int = 200,
                            noise: float = 0.3, rng: int = 0, precompute: bool = True,
                            height: str = "430px") -> Dashboard:
    """Sliders for the polynomial degree (0-15) and the number of training
    points (10-200 in steps of 10); three panels: one training set and its
    fit, 25 fits from fresh training sets around their average, and the
    U-curve of bias², variance, noise and measured test error over every
    degree with the current degree marked.

    ``rng`` is an int seed: every slider position reuses the same draws of
    training sets, so moving the degree changes only the degree.

    The U-curve of a training-set size needs 16 fits over ``n_sets`` sets
    (up to ~100 ms at 200 points); with ``precompute`` all 20 sizes are
    computed when the dashboard is built (~1.5 s), so every slider move
    costs one fit plus drawing.

    ``state["result"]`` is ``(decompose_result, sweep_result)``.
    """
    @functools.lru_cache(maxsize=None)
    def curve(n):
        return biasvar.sweep(range(MAX_DEGREE + 1), n, n_sets, noise, rng=rng)

    @functools.lru_cache(maxsize=4)
    def draws(n):
        # the sweep's draws (same seed): the panels and the curve agree
        return biasvar._draw(n_sets, n, noise, 101, rng)

    def compute(degree, n_train):
        return biasvar._measure(draws(n_train), degree), curve(n_train)

    def draw(result, degree, n_train):
        return pb.degree_view(*result, degree=degree, n_train=n_train, n_sets=n_sets)

    def describe(result, degree, n_train):
        r, _ = result
        return (f"degree {degree}, {n_train} points: {_key('bias2')} <b>{r['bias2']:.3g}</b> + "
                f"{_key('variance')} <b>{r['variance']:.3g}</b> + {_key('noise')} "
                f"<b>{r['noise']:.3g}</b> = <b>{r['sum']:.3g}</b> (dashed); "
                f"{_key('expected_error')} <b>{r['expected_error']:.3g}</b> (circles, "
                f"Monte-Carlo ± {r['mc_se']:.2g}).<br>Left: dots are one training set, "
                f"dashed black is the truth sin(πx); middle: thin lines are fits to other "
                f"training sets, the thick line their average.")

    if precompute:
        for n in SIZES:
            curve(n)
    controls = {"degree": slider("degree", degree, 0, MAX_DEGREE, 1),
                "n_train": slider("training points", n_train, SIZES[0], SIZES[-1],
                                  SIZES[1] - SIZES[0])}
    return Dashboard(controls, compute, draw, describe=describe, height=height,
                     title="Bias and variance of polynomial regression")
