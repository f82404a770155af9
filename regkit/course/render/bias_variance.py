"""Figures of notebook 01 (bias, variance, learning curves, loss shapes)."""
from __future__ import annotations

import matplotlib.pyplot as plt

from ...style import rk_style
from ..experiments import bias_variance as biasvar
from ..plots import bias_variance as pb

#: what notebook 01 uses: 30 noisy points, 200 training sets, seed 0
N_TRAIN, N_SETS, SEED = 30, 200, 0
DEGREES = (1, 4, 15)


def degree_fits():
    results = [biasvar.decompose(d, N_TRAIN, N_SETS, rng=SEED) for d in DEGREES]
    return pb.degree_panels(results)


def u_curve():
    return pb.u_curve(biasvar.sweep(range(16), N_TRAIN, N_SETS, rng=SEED))


def learning_curves():
    runs = biasvar.learning_curve_runs(biasvar.learning_curve_estimators(SEED))
    with rk_style():
        fig, axes = plt.subplots(1, len(runs), figsize=(6.2 * len(runs), 4.3), sharey=True)
        for ax, (name, (sizes, tr, va)) in zip(axes, runs.items()):
            pb.learning_curves(sizes, tr, va, ax=ax, title=name)
        fig.tight_layout()
    return fig


def memorisation():
    return pb.memorisation(biasvar.memorisation_runs(rng=SEED))


def loss_shapes():
    runs = biasvar.loss_shape_runs(rng=SEED)
    signals = {k: biasvar.curve_signals(h.train_loss, h.val_loss) for k, h in runs.items()}
    return pb.loss_shapes(runs, signals)


FIGURES = {
    "01_degree_fits.png": degree_fits,
    "01_u_curve.png": u_curve,
    "01_learning_curves.png": learning_curves,
    "01_memorisation.png": memorisation,
    "01_loss_shapes.png": loss_shapes,
}
