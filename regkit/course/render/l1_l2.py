"""Static figures of notebook 02 (L1 and L2), and the two small experiments
behind them that the notebook runs through these same functions:

* :func:`decay_traces`: Adam's coupled weight decay against AdamW's, on
  weights whose gradients are pure noise of different sizes;
* :func:`digits_lambda_runs`: a wide MLP on 100 digits, one run per lambda.
"""
from __future__ import annotations

import numpy as np

from ... import datasets
from ...layers import Dense, ReLU
from ...losses import SoftmaxCrossEntropy
from ...module import Parameter
from ...network import Sequential
from ...optim import SGD, Adam, AdamW
from ..plots import l1_l2 as P
from ...regularizers import L2
from ..sparsity import sparse_sweep
from ...training import fit

DIGITS_LAMS = (0.0, 1e-3, 1e-2, 1e-1)
SWEEP_LAMS = 10.0 ** np.arange(-3.0, -0.74, 0.25)          # 1e-3 ... ~0.18, 10 values
SWEEP_SETTINGS = {"epochs": 100, "batch_size": 200, "lr": 1.0}


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
    """``Dense(64, hidden) -> ReLU -> Dense(hidden, 10)``, both with ``L2(lam)`` (none at 0)."""
    reg = L2(lam) if lam else None
    return Sequential(Dense(64, hidden, regularizer=reg, rng=seed), ReLU(),
                      Dense(hidden, 10, regularizer=reg, rng=seed + 1))


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


def sparse_grid(seed=0):
    """The sweep the notebook and the figures share: 200 training samples of
    ``sparse_features`` (100 columns, 5 informative), 10 lambdas, 4 penalties."""
    data = datasets.sparse_features(n_train=200, random_state=seed)
    return sparse_sweep(data, SWEEP_LAMS, seed=seed, **SWEEP_SETTINGS)


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
