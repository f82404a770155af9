"""Notebook 03 (dropout): the experiments and the figures drawn from them.

Experiments (NumPy + regkit only, seeded, one BLAS thread via ``rk.fit``):

* :func:`train_digits` - a wide two-hidden-layer MLP on 100 digits, with
  Dropout (or DropConnect) of rate ``p``: overfits on purpose at ``p = 0``;
* :func:`train_moons` - the same idea on 2-D moons, kept for its decision
  boundary;
* :func:`dropout_grid` - both for several ``p`` (what the static figure and
  the dashboard draw; computed once);
* :func:`boundary_length` - how long (how wiggly) a moons boundary is;
* :func:`mc_ensemble` - averaging many dropout-on passes vs the eval-mode net.

Figures: :func:`p_multiples` (curves and boundaries side by side),
:func:`p_view` (one ``p``, the dashboard's picture), :func:`ensemble_curve`,
:func:`dropconnect_curves`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ... import datasets
from ...functional import softmax
from ...layers import Dense, DropConnect, Dropout, ReLU
from ...losses import SoftmaxCrossEntropy
from ...network import Sequential
from ...optim import Adam
from ...training import fit
from ...style import PALETTE, TRAIN, VAL

#: the digits experiment: few samples, a wide net, long enough to overfit
DIGITS = {"n_train": 100, "width": 256, "epochs": 80, "lr": 2e-3, "batch_size": 20}
#: the moons experiment: 120 noisy training points, a net far bigger than needed
MOONS = {"n_samples": 200, "noise": 0.3, "width": 128, "epochs": 150, "lr": 1e-2,
         "batch_size": 32}
#: the rates of the static figure (the chapter's table: none, light, standard, heavy)
P_SHOWN = (0.0, 0.2, 0.5, 0.7)
#: the rates the dashboard offers (precomputed once)
P_GRID = tuple(round(0.1 * i, 1) for i in range(9))


# -- experiments ---------------------------------------------------------------
def wide_mlp(in_features: int, out_features: int, p: float, *, width: int = 256,
             layer: str = "dropout", rng=0) -> Sequential:
    """Two hidden ReLU layers of ``width`` units with dropout of rate ``p``.

    ``layer="dropout"``: ``Dense -> ReLU -> Dropout(p)`` twice (units dropped);
    ``layer="dropconnect"``: ``DropConnect(p) -> ReLU`` twice (weights dropped).
    The output layer is a plain Dense (never dropped). One generator feeds
    every layer, so ``rng`` fixes the initial weights and the masks.
    """
    gen = np.random.default_rng(rng)
    if layer == "dropout":
        hidden = [Dense(in_features, width, rng=gen), ReLU(), Dropout(p, rng=gen),
                  Dense(width, width, rng=gen), ReLU(), Dropout(p, rng=gen)]
    elif layer == "dropconnect":
        hidden = [DropConnect(in_features, width, p=p, rng=gen), ReLU(),
                  DropConnect(width, width, p=p, rng=gen), ReLU()]
    else:
        raise ValueError(f"layer must be 'dropout' or 'dropconnect', got {layer!r}")
    return Sequential(*hidden, Dense(width, out_features, rng=gen))


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
    drops = [m for m in _walk(model) if isinstance(m, (Dropout, DropConnect))]
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


def _walk(module):
    yield module
    for child in module.children():
        yield from _walk(child)


# -- figures -------------------------------------------------------------------
def draw_curves(ax, history, metric: str = "loss", title: str | None = None) -> None:
    """Train (blue) and validation (orange) ``metric`` per epoch on ``ax``."""
    epochs = np.arange(1, len(history.train_loss) + 1)
    train = getattr(history, f"train_{metric}")
    val = getattr(history, f"val_{metric}")
    ax.plot(epochs, train, color=TRAIN, label="train")
    ax.plot(epochs, val, color=VAL, label="validation")
    best = int(np.argmin(val)) if metric == "loss" else int(np.argmax(val))
    ax.plot(epochs[best], val[best], "o", color=VAL, ms=7)
    ax.set(xlabel="epoch", ylabel=metric, title=title)


def draw_boundary(ax, moons_run, title: str | None = None) -> None:
    """The moons decision boundary (probability shading, 0.5 contour) and the
    training points."""
    xx, yy, prob = moons_run["boundary"]
    data = moons_run["data"]
    # flat pale bands (sure / unsure on each side), no transparency: small PNGs
    ax.contourf(xx, yy, prob, levels=[0, 0.1, 0.5, 0.9, 1],
                colors=["#c6dbef", "#e8f1fa", "#fbe3d6", "#f6bfa6"])
    ax.contour(xx, yy, prob, levels=[0.5], colors="k", linewidths=2)
    colours = np.where(data.y_train == 1, PALETTE["vermillion"], PALETTE["blue"])
    ax.scatter(data.x_train[:, 0], data.x_train[:, 1], c=colours, s=14, linewidths=0)
    ax.set(xticks=[], yticks=[], title=title)
    ax.grid(False)


def _digits_ylim(grid, ps):
    top = max(max(grid[p]["digits"]["history"].val_loss) for p in ps)
    return (0.0, min(top * 1.05, 2.5))


def p_multiples(grid: dict, ps=P_SHOWN, rows=("curves", "boundaries")) -> plt.Figure:
    """Small multiples, one column per ``p``: digits loss curves (row
    ``"curves"``) and the moons decision boundary (row ``"boundaries"``)."""
    ps = [round(float(p), 2) for p in ps]
    fig, axes = plt.subplots(len(rows), len(ps), figsize=(2.9 * len(ps), 2.8 * len(rows)),
                             squeeze=False)
    ylim = _digits_ylim(grid, ps)
    for row, kind in zip(axes, rows):
        for col, (ax, p) in enumerate(zip(row, ps)):
            if kind == "curves":
                h = grid[p]["digits"]["history"]
                draw_curves(ax, h, title=f"p = {p:g}")
                ax.set_ylim(*ylim)
                ax.text(0.97, 0.95, f"val acc {h.val_acc[-1]:.1%}", transform=ax.transAxes,
                        ha="right", va="top", fontsize=11)
                ax.set_ylabel("digits loss" if col == 0 else "")
                if col == 0:
                    ax.legend(loc="center right", fontsize=10)
            else:
                mh = grid[p]["moons"]["history"]
                title = f"moons, p = {p:g}: {mh.val_acc[-1]:.0%}"
                draw_boundary(ax, grid[p]["moons"], title=title)
    fig.tight_layout()
    return fig


def p_view(grid_entry: dict, p: float, ylim=(0.0, 1.2)) -> plt.Figure:
    """One ``p``: digits curves and the moons boundary (the dashboard's picture)."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4.2))
    draw_curves(a, grid_entry["digits"]["history"], title=f"wide MLP on 100 digits, p = {p:g}")
    a.set_ylim(*ylim)
    a.legend(loc="upper right")
    mh = grid_entry["moons"]["history"]
    draw_boundary(b, grid_entry["moons"], title=f"moons: val acc {mh.val_acc[-1]:.0%}")
    fig.tight_layout()
    return fig


def ensemble_curve(result: dict) -> plt.Figure:
    """Left: accuracy of the K-pass Monte-Carlo average vs K, with the
    eval-mode accuracy as a line. Right: how often the two predict the same
    class, and how far apart their probabilities are."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10.5, 4))
    ks = result["passes"]
    a.plot(ks, result["mc_acc"], "o-", color=PALETTE["green"], label="average of K passes")
    a.axhline(result["eval_acc"], color=PALETTE["black"], ls="--", label="eval mode")
    a.set(xscale="log", xlabel="K (dropout passes averaged)", ylabel="validation accuracy",
          title="accuracy")
    a.legend(loc="lower right", fontsize=10)
    b.plot(ks, result["agreement"], "s-", color=PALETTE["purple"], label="same class")
    b.plot(ks, result["max_prob_gap"], "^-", color=PALETTE["vermillion"],
           label="mean max |prob difference|")
    b.set(xscale="log", xlabel="K (dropout passes averaged)", ylim=(0, 1.02),
          title="K-pass average vs eval mode")
    b.legend(loc="center right", fontsize=10)
    fig.tight_layout()
    return fig


def dropconnect_curves(runs: dict) -> plt.Figure:
    """Validation loss and accuracy per epoch for several runs
    (``{label: history}``): e.g. no dropout, Dropout, DropConnect."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    colours = [PALETTE["grey"], PALETTE["green"], PALETTE["vermillion"], PALETTE["purple"]]
    for (label, h), colour in zip(runs.items(), colours):
        epochs = np.arange(1, len(h.val_loss) + 1)
        a.plot(epochs, h.val_loss, color=colour, label=label)
        b.plot(epochs, h.val_acc, color=colour, label=label)
    a.set(xlabel="epoch", ylabel="validation loss", title="validation loss")
    b.set(xlabel="epoch", ylabel="validation accuracy", title="validation accuracy")
    b.legend(loc="lower right", fontsize=10)
    fig.tight_layout()
    return fig
