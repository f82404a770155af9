"""Notebook 02 (L1 and L2): the experiments (NumPy + regkit, no drawing).

* :data:`PROBLEM`, :func:`penalty_paths` - the two-weight example of
  :mod:`~regkit.course.experiments.geometry` and its L1 / L2 optima over
  lambda;
* :func:`decay_traces` - Adam's coupled weight decay against AdamW's, on
  weights whose gradients are pure noise of different sizes;
* :func:`digits_lambda_runs` - a wide MLP on 100 digits, one run per lambda;
* :func:`sparse_grid` - the lambda sweep of a linear classifier on
  ``sparse_features`` (:func:`regkit.course.experiments.sparsity.sparse_sweep`).

The figures drawn from these are in :mod:`regkit.course.plots.l1_l2`.
"""
from __future__ import annotations

import functools

import numpy as np

from ... import datasets
from ...losses import SoftmaxCrossEntropy
from ...mlp import mlp
from ...module import Parameter
from ...optim import SGD, Adam, AdamW
from ...regularizers import L2
from ...training import fit
from .choose import seed_sweep
from .sparsity import sparse_sweep
from .geometry import ellipse_problem, solution_paths

#: the two-weight problem of the geometry figures: ``ellipse_problem(*PROBLEM)``
#: (ellipse_problem's defaults: contours tilted by 30 degrees, w* = (1.6, 0.8))
PROBLEM = (30.0, (1.2, 0.3), (1.6, 0.8))
DIGITS_LAMS = (0.0, 1e-3, 1e-2, 1e-1)
SWEEP_LAMS = 10.0 ** np.arange(-3.0, -0.74, 0.25)          # 1e-3 ... ~0.18, 10 values
SWEEP_SETTINGS = {"epochs": 100, "batch_size": 200, "lr": 1.0}


@functools.lru_cache(maxsize=4)
def penalty_paths(problem=PROBLEM, lams=tuple(np.geomspace(1e-3, 10, 60))) -> dict:
    """The L1 and L2 optima of :func:`~regkit.course.experiments.geometry.ellipse_problem`
    ``(*problem)`` for 60 lambdas from 1e-3 to 10 (cached: the dashboard
    draws the paths at every update). ``{"lams": (60,), "L1": (60, 2), "L2": (60, 2)}``."""
    H, w_star = ellipse_problem(*problem)
    out = {"lams": np.array(lams)}
    out["L1"], out["L2"] = solution_paths(H, w_star, lams)
    return out


def decay_traces(scales=(0.01, 0.1, 1.0, 10.0), *, steps=1500, n=400, lr=1e-2, wd=0.1,
                 seed=0, every=10):
    """Mean weight over time under Adam(weight_decay) and AdamW(weight_decay).

    Each group of ``n`` weights starts at 1 and gets a data gradient that is
    pure noise, ``scale * N(0, 1)``, so on average only the decay moves the
    weights. Both optimizers see the very same noise.

    Returns:
        ``(step numbers, {"Adam (coupled L2)": (T, len(scales)),
        "AdamW (decoupled)": (T, len(scales))})``.
    """
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((steps, len(scales), n), dtype=np.float32)
    traces = {}
    for name, cls in (("Adam (coupled L2)", Adam), ("AdamW (decoupled)", AdamW)):
        params = [Parameter(np.ones(n, dtype=np.float32)) for _ in scales]
        opt = cls(params, lr=lr, weight_decay=wd)
        rows = []
        for t in range(steps):
            for p, s, g in zip(params, scales, noise[t]):
                p.grad = float(s) * g
            opt.step()
            if t % every == every - 1:
                rows.append([float(p.data.mean()) for p in params])
        traces[name] = np.array(rows)
    return np.arange(every, steps + 1, every), traces


def digits_model(lam, hidden=256, seed=0):
    """``Dense(64, hidden) -> ReLU -> Dense(hidden, 10)``, both with ``L2(lam)`` (none at 0).

    Each layer is seeded on its own: the first with ``seed``, the second with
    ``seed + 1``."""
    return mlp((64, hidden, 10), regularizer=L2(lam) if lam else None, rng=[seed, seed + 1])


def digits_lambda_runs(lams=DIGITS_LAMS, *, n_train=100, epochs=150, seed=0):
    """Train the same wide MLP on ``n_train`` digits once per lambda.

    SGD with momentum 0.9, lr 0.05, batches of 32, the same initial weights
    and batch order for every lambda, so lambda is the only difference.

    Returns:
        ``{lam: History}``.
    """
    data = datasets.digits(n_train=n_train, random_state=seed)
    out = {}
    for lam in lams:
        model = digits_model(lam, seed=seed)
        out[lam] = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
                       optimizer=SGD(model.parameters(), lr=0.05, momentum=0.9),
                       epochs=epochs, batch_size=32, validation_data=(data.x_val, data.y_val),
                       rng=seed, progress=False)
    return out


def digits_lambda_scores(lams, seeds, *, n_train=100, epochs=150):
    """Validation and test accuracy of :func:`digits_lambda_runs` over several seeds.

    Each seed draws another training subset, split and initial weights.

    Returns:
        ``{"val": (n_seeds, n_lams), "test": (n_seeds, n_lams)}`` final-epoch
        accuracies (:func:`regkit.course.experiments.choose.seed_sweep`).
    """
    def train_and_score(lam, seed):
        data = datasets.digits(n_train=n_train, random_state=seed)
        model = digits_model(lam, seed=seed)
        fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
            optimizer=SGD(model.parameters(), lr=0.05, momentum=0.9), epochs=epochs,
            batch_size=32, rng=seed, progress=False)
        return _accuracy(model, data.x_val, data.y_val), _accuracy(model, data.x_test, data.y_test)

    return seed_sweep(train_and_score, lams, seeds)


def _accuracy(model, x, y) -> float:
    return float(np.mean(model.predict(x).argmax(axis=1) == y))


def sparse_grid(seed=0):
    """The sweep the notebook and the figures share: 200 training samples of
    ``sparse_features`` (100 columns, 5 informative), 10 lambdas, 4 penalties."""
    data = datasets.sparse_features(n_train=200, random_state=seed)
    return sparse_sweep(data, SWEEP_LAMS, seed=seed, **SWEEP_SETTINGS)
