"""Notebook 07 (label smoothing, mixup, gradient clipping, max-norm): the
experiments (seeded, NumPy + regkit, one BLAS thread; no drawing).

* :func:`train_smoothing` / :func:`smoothing_grid` - a small MLP on 300
  digits for several smoothing values ``eps``: accuracy, confidence, ECE;
* :func:`train_mixup` / :func:`mixup_grid` - a wide MLP on 120 noisy moons
  points for several mixup ``alpha``: the decision boundary;
* :func:`train_clipped` - a tanh MLP with a too-large (He) initialisation
  whose gradients explode, trained by a hand-written loop that records every
  step's loss and gradient norm, for a clipping threshold (or none);
  :func:`clip_seeds` / :func:`clip_summary` - the same over several seeds
  (a single exploding run is chaotic);
* :func:`train_maxnorm` / :func:`maxnorm_grid` - a dropout MLP on digits
  under a max-norm constraint ``c``: column norms and accuracy.

The figures drawn from these are in :mod:`regkit.course.plots.other_techniques`.
"""
from __future__ import annotations

import math

import numpy as np

from ... import datasets
from ...constraints import clip_grad_norm
from ...functional import softmax
from ...losses import MSE, SoftmaxCrossEntropy
from ...mlp import mlp
from ...network import Sequential
from ...optim import SGD, Adam
from ...threads import blas_threads
from ...training import fit
from .calibration import expected_calibration_error
from .dropout import boundary_grid

#: label smoothing: 300 digits, one hidden layer of 64, 60 epochs of Adam
SMOOTH = {"n_train": 300, "width": 64, "epochs": 60, "lr": 3e-3, "batch_size": 32}
EPS_SHOWN = (0.0, 0.05, 0.1, 0.2, 0.3)
EPS_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
#: mixup: 120 noisy moons points (validation: 100), two hidden layers of 64
MIXUP = {"n_samples": 500, "n_train": 120, "noise": 0.3, "width": 64, "epochs": 100,
         "lr": 1e-2, "batch_size": 32}
ALPHA_SHOWN = (0.0, 0.2, 1.0, 4.0)
ALPHA_GRID = (0.0, 0.05, 0.1, 0.2, 0.4, 1.0, 2.0, 4.0)
#: clipping: 3 tanh layers of 64 with He init (made for ReLU: too large for tanh),
#: SGD with momentum at a learning rate on the high side
CLIP = {"init": "he", "n_samples": 200, "noise": 0.2, "width": 64, "epochs": 60,
        "lr": 0.05, "momentum": 0.9, "batch_size": 20}
THRESHOLDS_SHOWN = (None, 100.0, 10.0, 1.0)
#: the seeds the clipping outcome is summarised over (one run is chaotic)
CLIP_SEEDS = (0, 1, 2, 3, 4)
#: max-norm: 300 digits, two hidden layers of 128 with Dropout(0.5), Adam at a high rate
MAXNORM = {"n_train": 300, "width": 128, "p": 0.5, "epochs": 30, "lr": 1e-2,
           "batch_size": 32}
C_SHOWN = (None, 2.0, 1.0, 0.5)
C_GRID = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0, None)


# -- label smoothing ---------------------------------------------------------
def train_smoothing(eps: float, *, data=None, seed: int = 0, **cfg) -> dict:
    """Train on digits with ``SoftmaxCrossEntropy(label_smoothing=eps)``.

    Returns ``{"model", "history", "data", "probs"`` (validation softmax),
    ``"acc", "confidence"`` (mean max-probability), ``"ece"}``.
    """
    cfg = {**SMOOTH, **cfg}
    data = data if data is not None else datasets.digits(n_train=cfg["n_train"], random_state=0)
    model = mlp((data.x_train.shape[1], cfg["width"], 10), rng=seed)
    history = fit(model, data.x_train, data.y_train,
                  loss=SoftmaxCrossEntropy(label_smoothing=eps),
                  optimizer=Adam(model.parameters(), lr=cfg["lr"]), epochs=cfg["epochs"],
                  batch_size=cfg["batch_size"], validation_data=(data.x_val, data.y_val),
                  rng=seed, progress=False)
    probs = softmax(model.predict(data.x_val).astype(np.float64))
    return {"model": model, "history": history, "data": data, "probs": probs,
            "acc": float(np.mean(probs.argmax(axis=1) == data.y_val)),
            "confidence": float(probs.max(axis=1).mean()),
            "ece": expected_calibration_error(probs, data.y_val)}


def smoothing_grid(eps_values=EPS_GRID, *, seed: int = 0, **cfg) -> dict:
    """``{eps: train_smoothing(eps)}``, the digits loaded once."""
    cfg = {**SMOOTH, **cfg}
    data = datasets.digits(n_train=cfg["n_train"], random_state=0)
    return {round(float(e), 3): train_smoothing(e, data=data, seed=seed, **cfg)
            for e in eps_values}


# -- mixup -------------------------------------------------------------------
def train_mixup(alpha: float, *, data=None, seed: int = 0, **cfg) -> dict:
    """The wide moons MLP trained with ``rk.fit(mixup_alpha=alpha)`` (0: off).

    Returns ``{"model", "history", "data", "boundary"}``."""
    cfg = {**MIXUP, **cfg}
    data = data if data is not None else _moons(cfg)
    model = mlp((2, cfg["width"], cfg["width"], 2), rng=seed)
    history = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
                  optimizer=Adam(model.parameters(), lr=cfg["lr"]), epochs=cfg["epochs"],
                  batch_size=cfg["batch_size"], validation_data=(data.x_val, data.y_val),
                  mixup_alpha=alpha, rng=seed, progress=False)
    return {"model": model, "history": history, "data": data,
            "boundary": boundary_grid(model, data.x_train)}


def _moons(cfg):
    return datasets.moons(n_samples=cfg["n_samples"], noise=cfg["noise"],
                          n_train=cfg["n_train"], random_state=0)


def mixup_grid(alphas=ALPHA_GRID, *, seed: int = 0, **cfg) -> dict:
    """``{alpha: train_mixup(alpha)}``, the moons drawn once."""
    cfg = {**MIXUP, **cfg}
    data = _moons(cfg)
    return {round(float(a), 3): train_mixup(a, data=data, seed=seed, **cfg) for a in alphas}


# -- gradient clipping -------------------------------------------------------
def exploding_data(**cfg):
    """The noisy sine of the clipping demo (x in [-1, 1], noise std ``noise``)."""
    cfg = {**CLIP, **cfg}
    return datasets.noisy_sine(n_samples=cfg["n_samples"], noise=cfg["noise"], random_state=0)


def exploding_mlp(width: int = 64, init: str = "he", rng=0) -> Sequential:
    """1 -> width -> width -> width -> 1 with tanh: the net of the clipping demo.

    He initialisation (std sqrt(2 / fan_in)) is made for ReLU; in a tanh
    network it is too large, and with SGD + momentum at lr 0.05 the
    gradients explode. ``init="xavier"`` (made for tanh) trains calmly."""
    return mlp((1, width, width, width, 1), "tanh", init=init, rng=rng)


def train_clipped(threshold: float | None, *, data=None, seed: int = 0, **cfg) -> dict:
    """Train :func:`exploding_mlp` with SGD + momentum, clipping the global
    gradient norm at ``threshold`` (None: no clipping), by a hand-written loop.

    Every step records the mini-batch loss and the gradient norm *before*
    clipping (what ``clip_grad_norm`` returns). A non-finite loss or norm
    stops the run (``diverged_at``: the step index); nothing is raised.

    Returns ``{"threshold", "step_loss", "grad_norm", "clipped"`` (share of
    steps that were clipped), ``"diverged_at", "val_loss", "model"}``.
    """
    cfg = {**CLIP, **cfg}
    data = data if data is not None else exploding_data(**cfg)
    model = exploding_mlp(cfg["width"], init=cfg["init"], rng=seed)
    params = model.parameters()
    loss, opt = MSE(), SGD(params, lr=cfg["lr"], momentum=cfg["momentum"])
    gen = np.random.default_rng(seed)
    x, y, bs = data.x_train, data.y_train, cfg["batch_size"]
    losses, norms, diverged = [], [], None
    model.train()
    with np.errstate(over="ignore", invalid="ignore"), blas_threads(1):
        for _ in range(cfg["epochs"]):
            order = gen.permutation(len(x))
            for start in range(0, len(x), bs):
                idx = order[start:start + bs]
                opt.zero_grad()
                value = loss.forward(model.forward(x[idx]), y[idx])
                model.backward(loss.backward())
                norm = (_global_norm(params) if threshold is None
                        else clip_grad_norm(params, threshold))
                losses.append(value)
                norms.append(norm)
                if not (math.isfinite(value) and math.isfinite(norm)):
                    diverged = len(losses) - 1
                    break
                opt.step()
            if diverged is not None:
                break
        val = float(loss.forward(model.predict(data.x_val), data.y_val))
    norms_arr = np.array(norms)
    clipped = 0.0 if threshold is None else float(np.mean(norms_arr > threshold))
    return {"threshold": threshold, "step_loss": np.array(losses), "grad_norm": norms_arr,
            "clipped": clipped, "diverged_at": diverged, "val_loss": val, "model": model}


def clip_seeds(thresholds=THRESHOLDS_SHOWN, seeds=CLIP_SEEDS, *, data=None, **cfg) -> dict:
    """``{threshold: [train_clipped(threshold, seed=s) for s in seeds]}``.

    One exploding run is chaotic: a different CPU's rounding moves the step
    it diverges at, and the val MSE of a run that bounces around (clip at 100)
    by orders of magnitude. Over a few seeds the *outcome* is stable; see
    :func:`clip_summary`. A run that diverges stops at once, so the whole
    grid costs about as much as 3-4 full runs per threshold."""
    cfg = {**CLIP, **cfg}
    data = data if data is not None else exploding_data(**cfg)
    return {t: [train_clipped(t, data=data, seed=int(s), **cfg) for s in seeds]
            for t in thresholds}


def clip_summary(runs: list) -> dict:
    """What a list of :func:`train_clipped` runs (one per seed) has in common:
    ``{"n", "diverged"`` (how many hit NaN/inf), ``"diverged_at"`` (their
    steps), ``"finished_val"`` (val MSE of the others), ``"median_val"``,
    ``"median_clipped", "median_norm"`` (largest norm, finished runs)``}``."""
    done = [r for r in runs if r["diverged_at"] is None]
    vals = [r["val_loss"] for r in done]
    return {"n": len(runs), "diverged": len(runs) - len(done),
            "diverged_at": [r["diverged_at"] for r in runs if r["diverged_at"] is not None],
            "finished_val": vals,
            "median_val": float(np.median(vals)) if vals else math.nan,
            "median_clipped": float(np.median([r["clipped"] for r in done])) if done else math.nan,
            "median_norm": float(np.median([r["grad_norm"].max() for r in done])) if done else math.nan}


def _global_norm(params) -> float:
    """sqrt(sum of every gradient entry squared): what clipping measures."""
    return math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))


def threshold_label(threshold) -> str:
    """A run's name in titles and tables: 'no clipping' or 'clip at 10'."""
    return "no clipping" if threshold is None else f"clip at {threshold:g}"


# -- max-norm ----------------------------------------------------------------
def train_maxnorm(c: float | None, *, data=None, seed: int = 0, **cfg) -> dict:
    """The dropout MLP on digits with ``rk.fit(max_norm=c)`` (None: off).

    Returns ``{"c", "model", "history", "norms"`` (the first layer's column
    norms, one per hidden unit) ``}``."""
    cfg = {**MAXNORM, **cfg}
    data = data if data is not None else datasets.digits(n_train=cfg["n_train"], random_state=0)
    w = cfg["width"]
    model = mlp((data.x_train.shape[1], w, w, 10), dropout=cfg["p"] or None, rng=seed)
    history = fit(model, data.x_train, data.y_train, loss=SoftmaxCrossEntropy(),
                  optimizer=Adam(model.parameters(), lr=cfg["lr"]), epochs=cfg["epochs"],
                  batch_size=cfg["batch_size"], validation_data=(data.x_val, data.y_val),
                  max_norm=c, rng=seed, progress=False)
    norms = np.linalg.norm(model.layers[0].W.data, axis=0)
    return {"c": c, "model": model, "history": history, "norms": norms}


def maxnorm_grid(cs=C_GRID, *, seed: int = 0, **cfg) -> dict:
    """``{c: train_maxnorm(c)}`` (``None`` key: unconstrained), digits loaded once."""
    cfg = {**MAXNORM, **cfg}
    data = datasets.digits(n_train=cfg["n_train"], random_state=0)
    return {c: train_maxnorm(c, data=data, seed=seed, **cfg) for c in cs}


def c_label(c) -> str:
    """A run's name: 'no constraint' or 'c = 2'."""
    return "no constraint" if c is None else f"c = {c:g}"
