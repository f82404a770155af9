"""Notebook 03 (dropout): the experiments (NumPy + regkit, no drawing).

Seeded; ``rk.fit`` runs on one BLAS thread.

* :func:`wide_mlp` - two wide hidden layers with Dropout (or DropConnect) of
  rate ``p``;
* :func:`train_digits` - the wide MLP on 100 digits: overfits on purpose at
  ``p = 0``;
* :func:`train_moons` - the same idea on 2-D moons, kept for its decision
  boundary (:func:`boundary_grid`);
* :func:`dropout_grid` - both for several ``p`` (what the static figure and
  the dashboard draw; computed once);
* :func:`boundary_length` - how long (how wiggly) a moons boundary is;
* :func:`mc_ensemble` - averaging many dropout-on passes vs the eval-mode net.

The figures drawn from these are in :mod:`regkit.course.plots.dropout`.
"""
from __future__ import annotations

import numpy as np

from ... import datasets
from ...functional import softmax
from ...layers import DropConnect, Dropout
from ...losses import SoftmaxCrossEntropy
from ...mlp import mlp
from ...network import Sequential
from ...optim import Adam
from ...training import fit
from .choose import seed_sweep

#: the digits experiment: few samples, a wide net, long enough to overfit
DIGITS = {"n_train": 100, "width": 256, "epochs": 80, "lr": 2e-3, "batch_size": 20}
#: the moons experiment: 120 noisy training points, a net far bigger than needed
MOONS = {"n_samples": 200, "noise": 0.3, "width": 128, "epochs": 150, "lr": 1e-2,
         "batch_size": 32}
#: the rates of the static figure (the chapter's table: none, light, standard, heavy)
P_SHOWN = (0.0, 0.2, 0.5, 0.7)
#: the rates the dashboard offers (precomputed once)
P_GRID = tuple(round(0.1 * i, 1) for i in range(9))


def wide_mlp(in_features: int, out_features: int, p: float, *, width: int = 256,
             layer: str = "dropout", rng=0) -> Sequential:
    """Two hidden ReLU layers of ``width`` units with dropout of rate ``p``.

    ``layer="dropout"``: ``Dense -> ReLU -> Dropout(p)`` twice (units dropped);
    ``layer="dropconnect"``: ``DropConnect(p) -> ReLU`` twice (weights dropped).
    The output layer is a plain Dense (never dropped). One generator feeds
    every layer, so ``rng`` fixes the initial weights and the masks. At
    ``p = 0`` the Dropout layers are still there (they drop nothing), so every
    ``p`` of a sweep trains the same architecture.
    """
    sizes = (in_features, width, width, out_features)
    if layer == "dropout":
        return mlp(sizes, dropout=p, rng=rng)
    if layer == "dropconnect":
        return mlp(sizes, dropconnect=p, rng=rng)
    raise ValueError(f"layer must be 'dropout' or 'dropconnect', got {layer!r}")


def _train(data, p, cfg, layer, seed):
    model = wide_mlp(data.x_train.shape[1], int(data.info["num_classes"]), p,
                     width=cfg["width"], layer=layer, rng=seed)
    history = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
                  optimizer=Adam(model.parameters(), lr=cfg["lr"]), epochs=cfg["epochs"],
                  batch_size=cfg["batch_size"], validation_data=(data.x_val, data.y_val),
                  rng=seed, progress=False)
    return model, history


def train_digits(p: float, *, layer: str = "dropout", seed: int = 0, data=None, **cfg) -> dict:
    """Train the wide MLP on 100 digits with rate ``p``; returns
    ``{"model", "history", "data"}``. ``cfg`` overrides :data:`DIGITS`."""
    cfg = {**DIGITS, **cfg}
    data = data if data is not None else datasets.digits(n_train=cfg["n_train"], random_state=0)
    model, history = _train(data, p, cfg, layer, seed)
    return {"model": model, "history": history, "data": data}


#: the rates and seeds notebook 03 chooses p from (one-standard-error rule)
P_CHOICES, CHOICE_SEEDS = (0.0, 0.3, 0.5, 0.7), range(4)


def digits_dropout_scores(ps, seeds, **cfg) -> dict:
    """Final validation and test accuracy of :func:`train_digits` for every rate and seed.

    Each seed draws another 100 training digits (and split) and other initial
    weights and masks. Returns ``{"val": (n_seeds, n_ps), "test": ...}``
    (:func:`regkit.course.experiments.choose.seed_sweep`); choose with ``val``.
    """
    cfg = {**DIGITS, **cfg}

    def train_and_score(p, seed):
        data = datasets.digits(n_train=cfg["n_train"], random_state=seed)
        model, _ = _train(data, p, cfg, "dropout", seed)
        return tuple(float(np.mean(model.predict(x).argmax(axis=1) == y))
                     for x, y in ((data.x_val, data.y_val), (data.x_test, data.y_test)))

    return seed_sweep(train_and_score, ps, seeds)


def boundary_grid(model, x, steps: int = 60, margin: float = 0.6):
    """``(xx, yy, prob)``: the eval-mode probability of class 1 on a grid
    covering ``x`` (n, 2) plus a margin."""
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps, dtype=np.float32),
                         np.linspace(lo[1], hi[1], steps, dtype=np.float32))
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    prob = softmax(model.predict(pts))[:, 1].reshape(xx.shape)
    return xx, yy, prob


def boundary_length(moons_run) -> int:
    """How long the moons decision boundary is, in steps of the plotting grid
    of :func:`boundary_grid`: the number of neighbouring grid points (left-right
    or up-down) that the eval-mode network puts in different classes. A
    boundary that bends around single stray points is longer; a smooth one is
    shorter."""
    side = moons_run["boundary"][2] > 0.5
    return int(np.sum(side[1:] != side[:-1]) + np.sum(side[:, 1:] != side[:, :-1]))


def train_moons(p: float, *, seed: int = 0, data=None, **cfg) -> dict:
    """The wide MLP on noisy moons with rate ``p``; returns ``{"model",
    "history", "data", "boundary"}`` (``boundary`` from :func:`boundary_grid`)."""
    cfg = {**MOONS, **cfg}
    data = data if data is not None else datasets.moons(
        n_samples=cfg["n_samples"], noise=cfg["noise"], random_state=0)
    model, history = _train(data, p, cfg, "dropout", seed)
    return {"model": model, "history": history, "data": data,
            "boundary": boundary_grid(model, data.x_train)}


def dropout_grid(ps=P_GRID, *, seed: int = 0, digits_cfg=None, moons_cfg=None) -> dict:
    """``{p: {"digits": train_digits(p), "moons": train_moons(p)}}`` for each p.

    The datasets are loaded once and shared. With the default settings each
    ``p`` takes about half a second on one thread.
    """
    digits_cfg, moons_cfg = {**DIGITS, **(digits_cfg or {})}, {**MOONS, **(moons_cfg or {})}
    d = datasets.digits(n_train=digits_cfg["n_train"], random_state=0)
    m = datasets.moons(n_samples=moons_cfg["n_samples"], noise=moons_cfg["noise"],
                       random_state=0)
    return {round(float(p), 2): {"digits": train_digits(p, seed=seed, data=d, **digits_cfg),
                                 "moons": train_moons(p, seed=seed, data=m, **moons_cfg)}
            for p in ps}


def mc_ensemble(model, x, y, passes=(1, 2, 5, 10, 20, 50, 100), rng=0) -> dict:
    """Monte-Carlo dropout: average the softmax of many training-mode passes.

    Each training-mode forward is one random sub-network; averaging K of
    them approximates the ensemble that the eval-mode network (all units,
    no scaling needed thanks to inverted dropout) stands in for.

    Returns:
        ``{"passes": [...], "mc_acc": [...], "agreement": [...],
        "eval_acc": float, "max_prob_gap": [...]}``: for each K, the accuracy
        of the K-pass average, the share of samples where its prediction
        equals the eval-mode one, and the mean largest absolute difference
        between the two probability vectors.
    """
    drops = [m for m in model.modules() if isinstance(m, (Dropout, DropConnect))]
    saved = [(m, m.rng) for m in drops]
    eval_prob = softmax(model.predict(x))
    eval_pred = eval_prob.argmax(axis=1)
    gen = np.random.default_rng(rng)
    for m in drops:
        m.rng = gen
    model.train()
    total = np.zeros_like(eval_prob)
    out = {"passes": [], "mc_acc": [], "agreement": [], "max_prob_gap": [],
           "eval_acc": float(np.mean(eval_pred == y))}
    done = 0
    try:
        for k in sorted(passes):
            while done < k:
                total += softmax(model.forward(x))
                done += 1
            avg = total / done
            pred = avg.argmax(axis=1)
            out["passes"].append(k)
            out["mc_acc"].append(float(np.mean(pred == y)))
            out["agreement"].append(float(np.mean(pred == eval_pred)))
            out["max_prob_gap"].append(float(np.mean(np.abs(avg - eval_prob).max(axis=1))))
    finally:
        model.eval()
        for m, r in saved:
            m.rng = r
    return out
