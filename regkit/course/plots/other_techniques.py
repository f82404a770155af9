"""Notebook 07 (label smoothing, mixup, gradient clipping, max-norm):
the experiments and the figures drawn from them.

Experiments (seeded, NumPy + regkit, one BLAS thread):

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

Figures: one ``*_multiples`` (small multiples, the static figure) and one
``*_view`` (a single setting, the dashboard's picture) per technique.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator
import numpy as np

from ... import datasets
from ..calibration import expected_calibration_error, reliability_bins
from ...constraints import clip_grad_norm
from ...functional import softmax
from ...labels import smooth_labels
from ...layers import Dense, Dropout, ReLU, Tanh
from ...losses import MSE, SoftmaxCrossEntropy
from ...network import Sequential
from ...optim import SGD, Adam
from ...threads import blas_threads
from ...training import fit
from .dropout import boundary_grid, draw_boundary
from ...style import PALETTE, TRAIN, VAL

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
OFF, ON = PALETTE["grey"], PALETTE["green"]


def _fixed_layout(fig) -> None:
    """Fixed margins and fewer ticks for the one-row dashboard figures:
    ``tight_layout`` costs ~100 ms per redraw and every tick label ~2 ms,
    against a slider budget of ~250 ms."""
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.16, top=0.9, wspace=0.25)
    for ax in fig.axes:
        if isinstance(ax.xaxis.get_major_locator(), MaxNLocator):   # keep fixed class ticks
            ax.locator_params(axis="x", nbins=5)
        if ax.get_yscale() == "linear":
            ax.locator_params(axis="y", nbins=4)


def _mlp(sizes, act=ReLU, p=0.0, init="he", rng=0) -> Sequential:
    """Dense layers of ``sizes`` with ``act`` (and Dropout(p)) between them."""
    gen = np.random.default_rng(rng)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(a, b, init=init, rng=gen))
        if i < len(sizes) - 2:
            layers += [act()] + ([Dropout(p, rng=gen)] if p else [])
    return Sequential(*layers)


# -- label smoothing -------------------------------------------------------------
def train_smoothing(eps: float, *, data=None, seed: int = 0, **cfg) -> dict:
    """Train on digits with ``SoftmaxCrossEntropy(label_smoothing=eps)``.

    Returns ``{"model", "history", "data", "probs"`` (validation softmax),
    ``"acc", "confidence"`` (mean max-probability), ``"ece"}``.
    """
    cfg = {**SMOOTH, **cfg}
    data = data if data is not None else datasets.digits(n_train=cfg["n_train"], random_state=0)
    model = _mlp((data.x_train.shape[1], cfg["width"], 10), rng=seed)
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


def draw_confidence(ax, run, title=None, xlabel="confidence (max softmax)") -> None:
    """Histogram of the validation max-probability, right (green) and wrong
    (vermillion) predictions stacked; a dashed line at the accuracy."""
    conf = run["probs"].max(axis=1)
    right = run["probs"].argmax(axis=1) == run["data"].y_val
    bins = np.linspace(0.0, 1.0, 21)
    n_all, _ = np.histogram(conf, bins)
    n_right, _ = np.histogram(conf[right], bins)
    # stacked as two filled outlines (one polygon each: much faster than 40 bars)
    ax.stairs(n_all, bins, fill=True, color=PALETTE["vermillion"], label="wrong")
    ax.stairs(n_right, bins, fill=True, color=PALETTE["green"], label="right")
    ax.axvline(run["acc"], color="k", ls="--", lw=1.8, label="accuracy")
    ax.set(xlim=(0, 1), xlabel=xlabel, title=title)


def _legend(ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(k) for k in ("right", "wrong", "accuracy") if k in labels]
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left",
              fontsize=10)


def draw_reliability(ax, run, title=None) -> None:
    """Reliability diagram: accuracy per confidence bin against the diagonal."""
    rel = reliability_bins(run["probs"], run["data"].y_val, n_bins=10)
    full = rel.count > 0
    centres = (rel.edges[:-1] + rel.edges[1:]) / 2
    ax.plot([0, 1], [0, 1], color=PALETTE["grey"], ls="--", lw=1.5)
    ax.bar(centres[full], rel.accuracy[full], width=0.09, color=PALETTE["sky"],
           edgecolor=PALETTE["blue"])
    ax.plot(rel.confidence[full], rel.accuracy[full], "o", color=PALETTE["blue"], ms=5)
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="confidence", title=title)
    ax.text(0.04, 0.95, f"ECE {run['ece']:.3f}", transform=ax.transAxes, va="top", fontsize=12,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})


def smoothing_multiples(grid: dict, eps_values=EPS_SHOWN) -> plt.Figure:
    """One column per eps: the confidence histogram above the reliability diagram."""
    eps_values = [round(float(e), 3) for e in eps_values]
    fig, axes = plt.subplots(2, len(eps_values), figsize=(2.5 * len(eps_values), 5.2),
                             squeeze=False)
    top = max(np.histogram(grid[e]["probs"].max(axis=1), np.linspace(0, 1, 21))[0].max()
              for e in eps_values)
    for col, e in enumerate(eps_values):
        run = grid[e]
        draw_confidence(axes[0, col], run, title=f"ε = {e:g}: acc {run['acc']:.1%}",
                        xlabel="confidence")
        axes[0, col].set_ylim(0, top * 1.05)
        draw_reliability(axes[1, col], run)
        if col:
            axes[0, col].set_ylabel("")
        else:
            axes[0, col].set_ylabel("validation images")
            axes[1, col].set_ylabel("accuracy")
            _legend(axes[0, col])
    fig.tight_layout()
    return fig


def smoothing_view(run: dict, eps: float, k: int = 10, label: int = 3) -> plt.Figure:
    """One eps: the smoothed target of one digit, the confidence histogram and
    the reliability diagram (the dashboard's picture)."""
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(12.5, 4), gridspec_kw={"width_ratios": [1, 1.2, 1]})
    target = smooth_labels(np.array([label]), eps, k)[0]
    a.bar(np.arange(k), target, color=PALETTE["purple"])
    a.set(ylim=(0, 1.05), xticks=np.arange(k), xlabel="class",
          title=f"target of a '{label}', ε = {eps:g}")
    a.text(label, target[label] + 0.02, f"{target[label]:.3f}", ha="center", fontsize=11)
    draw_confidence(b, run, title=f"acc {run['acc']:.1%}, mean conf. {run['confidence']:.1%}")
    _legend(b)
    draw_reliability(c, run, title="reliability")
    _fixed_layout(fig)
    return fig


# -- mixup ---------------------------------------------------------------------
def train_mixup(alpha: float, *, data=None, seed: int = 0, **cfg) -> dict:
    """The wide moons MLP trained with ``rk.fit(mixup_alpha=alpha)`` (0: off).

    Returns ``{"model", "history", "data", "boundary"}``."""
    cfg = {**MIXUP, **cfg}
    data = data if data is not None else _moons(cfg)
    model = _mlp((2, cfg["width"], cfg["width"], 2), rng=seed)
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


def draw_beta(ax, alpha: float, title=None) -> None:
    """The density of lambda ~ Beta(alpha, alpha); alpha = 0 means no mixing
    (lambda = 1, drawn as a spike)."""
    if alpha <= 0:
        ax.vlines([1.0], 0, 1, color=PALETTE["purple"], lw=4)
        ax.text(0.5, 0.5, "no mixup:\nλ = 1 always", ha="center", va="center",
                transform=ax.transAxes, fontsize=12)
        ax.set(ylim=(0, 1.1), yticks=[])
    else:
        from scipy.stats import beta
        lam = np.linspace(0.0025, 0.9975, 399)
        dens = beta.pdf(lam, alpha, alpha)
        ax.fill_between(lam, dens, color=PALETTE["purple"], alpha=0.35, lw=0)
        ax.plot(lam, dens, color=PALETTE["purple"])
        ax.set(ylim=(0, min(float(dens.max()) * 1.1, 6.0)))
    ax.set(xlim=(0, 1), xlabel="λ", title=title)


def mixup_multiples(grid: dict, alphas=ALPHA_SHOWN) -> plt.Figure:
    """One column per alpha: the Beta density above the moons boundary."""
    alphas = [round(float(a), 3) for a in alphas]
    fig, axes = plt.subplots(2, len(alphas), figsize=(2.9 * len(alphas), 5.6), squeeze=False,
                             gridspec_kw={"height_ratios": [0.7, 1]})
    for col, a in enumerate(alphas):
        draw_beta(axes[0, col], a, title=f"α = {a:g}" if a else "α = 0 (off)")
        h = grid[a]["history"]
        draw_boundary(axes[1, col], grid[a],
                      title=f"val loss {h.val_loss[-1]:.2f}, acc {h.val_acc[-1]:.0%}")
    axes[0, 0].set_ylabel("density")
    fig.tight_layout()
    return fig


def mixup_view(run: dict, alpha: float, baseline: dict | None = None) -> plt.Figure:
    """One alpha: Beta density, boundary, and validation loss per epoch
    (grey: no mixup, for comparison)."""
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(13, 4), gridspec_kw={"width_ratios": [0.8, 1, 1]})
    draw_beta(a, alpha, title=f"Beta(α, α), α = {alpha:g}" if alpha else "no mixup")
    h = run["history"]
    draw_boundary(b, run, title=f"val acc {h.val_acc[-1]:.0%}")
    epochs = np.arange(1, len(h.val_loss) + 1)
    if baseline is not None and baseline is not run:
        c.plot(epochs, baseline["history"].val_loss, color=OFF, label="val, no mixup")
    c.plot(epochs, h.train_loss, color=TRAIN, label="train")
    c.plot(epochs, h.val_loss, color=VAL, label="validation")
    c.set(xlabel="epoch", ylabel="loss", ylim=(0, 0.8), title="loss (eval mode)")
    c.legend(loc="upper right", fontsize=10)
    _fixed_layout(fig)
    return fig


# -- gradient clipping ---------------------------------------------------------
def exploding_data(**cfg):
    """The noisy sine of the clipping demo (x in [-1, 1], noise std ``noise``)."""
    cfg = {**CLIP, **cfg}
    return datasets.noisy_sine(n_samples=cfg["n_samples"], noise=cfg["noise"], random_state=0)


def exploding_mlp(width: int = 64, init: str = "he", rng=0) -> Sequential:
    """1 -> width -> width -> width -> 1 with tanh: the net of the clipping demo.

    He initialisation (std sqrt(2 / fan_in)) is made for ReLU; in a tanh
    network it is too large, and with SGD + momentum at lr 0.05 the
    gradients explode. ``init="xavier"`` (made for tanh) trains calmly."""
    return _mlp((1, width, width, width, 1), act=Tanh, init=init, rng=rng)


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


def draw_clip_run(ax_loss, ax_norm, run, ylim_loss=(1e-2, 1e6), ylim_norm=(1e-1, 1e8)):
    """Loss per step (top) and gradient norm per step (bottom), log scales."""
    steps = np.arange(len(run["step_loss"]))
    ax_loss.plot(steps, np.clip(run["step_loss"], None, ylim_loss[1]), color=TRAIN, lw=1.6)
    ax_norm.plot(steps, np.clip(run["grad_norm"], None, ylim_norm[1]), color=PALETTE["purple"], lw=1.4)
    if run["threshold"] is not None:
        ax_norm.axhline(run["threshold"], color="k", ls="--", lw=1.8)
    if run["diverged_at"] is not None:
        for ax in (ax_loss, ax_norm):
            ax.axvline(run["diverged_at"], color=PALETTE["vermillion"], lw=2)
        ax_loss.text(0.97, 0.9, f"NaN/inf at step {run['diverged_at']}", transform=ax_loss.transAxes,
                     ha="right", va="top", color=PALETTE["vermillion"], fontsize=11)
    ax_loss.set(yscale="log", ylim=ylim_loss, ylabel="batch loss")
    ax_norm.set(yscale="log", ylim=ylim_norm, ylabel="‖g‖ before clipping", xlabel="step")
    for ax in (ax_loss, ax_norm):
        _plain_log_ticks(ax)


def _plain_log_ticks(ax) -> None:
    """Decade ticks labelled 1e+04 (no mathtext) and no minor ticks: a log
    axis then redraws in a fraction of the time."""
    ax.yaxis.set_major_locator(LogLocator(base=10.0, numticks=5))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_decade))


def _decade(v, _pos=None) -> str:
    if 1e-2 <= v <= 1e3:
        return f"{v:g}"
    return f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")


def clip_multiples(runs: dict) -> plt.Figure:
    """One column per threshold (``{threshold: train_clipped(threshold)}``)."""
    fig, axes = plt.subplots(2, len(runs), figsize=(3.0 * len(runs), 5.4), squeeze=False,
                             sharex=True)
    for col, (t, run) in enumerate(runs.items()):
        draw_clip_run(axes[0, col], axes[1, col], run)
        title = threshold_label(t) + ("" if run["diverged_at"] is not None
                             else f"\nval MSE {run['val_loss']:.3g}")
        axes[0, col].set_title(title, fontsize=12)
        if col:
            axes[0, col].set_ylabel("")
            axes[1, col].set_ylabel("")
    fig.tight_layout()
    return fig


def clip_view(run: dict) -> plt.Figure:
    """One threshold: loss and gradient norm per step side by side."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4))
    draw_clip_run(a, b, run)
    a.set(xlabel="step", title=threshold_label(run["threshold"]))
    b.set_title(f"clipped on {run['clipped']:.0%} of the steps")
    _fixed_layout(fig)
    return fig


# -- max-norm -------------------------------------------------------------------
def train_maxnorm(c: float | None, *, data=None, seed: int = 0, **cfg) -> dict:
    """The dropout MLP on digits with ``rk.fit(max_norm=c)`` (None: off).

    Returns ``{"c", "model", "history", "norms"`` (the first layer's column
    norms, one per hidden unit) ``}``."""
    cfg = {**MAXNORM, **cfg}
    data = data if data is not None else datasets.digits(n_train=cfg["n_train"], random_state=0)
    w = cfg["width"]
    model = _mlp((data.x_train.shape[1], w, w, 10), p=cfg["p"], rng=seed)
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


def draw_norms(ax, run, top=None, title=None) -> None:
    """The hidden units' incoming-weight norms, sorted, with the line at c."""
    norms = np.sort(run["norms"])[::-1]
    # one filled outline instead of 128 bars: faster to redraw, no seams
    ax.stairs(norms, np.arange(len(norms) + 1) - 0.5, fill=True, color=ON if run["c"] else OFF)
    if run["c"] is not None:
        ax.axhline(run["c"], color="k", ls="--", lw=1.8)
    ax.set(xlim=(-0.5, len(norms) - 0.5), ylim=(0, top or norms.max() * 1.1),
           xlabel="hidden unit (sorted)", title=title)


def c_label(c) -> str:
    """A run's name: 'no constraint' or 'c = 2'."""
    return "no constraint" if c is None else f"c = {c:g}"


def maxnorm_multiples(grid: dict, cs=C_SHOWN) -> plt.Figure:
    """One column per c: sorted column norms above the validation accuracy."""
    fig, axes = plt.subplots(2, len(cs), figsize=(3.0 * len(cs), 5.6), squeeze=False)
    top = max(grid[c]["norms"].max() for c in cs) * 1.1
    for col, c in enumerate(cs):
        h = grid[c]["history"]
        draw_norms(axes[0, col], grid[c], top=top, title=c_label(c))
        axes[1, col].plot(np.arange(1, len(h.val_acc) + 1), h.train_acc, color=TRAIN, label="train")
        axes[1, col].plot(np.arange(1, len(h.val_acc) + 1), h.val_acc, color=VAL, label="validation")
        axes[1, col].set(ylim=(0.5, 1.01), xlabel="epoch", title=f"val acc {h.val_acc[-1]:.1%}")
        if col == 0:
            axes[0, col].set_ylabel("‖W[:, j]‖")
            axes[1, col].set_ylabel("accuracy")
            axes[1, col].legend(loc="lower right", fontsize=10)
    fig.tight_layout()
    return fig


def maxnorm_view(run: dict, top: float | None = None) -> plt.Figure:
    """One c: sorted column norms and the train/validation accuracy curves."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4))
    draw_norms(a, run, top=top, title=f"{c_label(run['c'])}: first-layer column norms")
    h = run["history"]
    epochs = np.arange(1, len(h.val_acc) + 1)
    b.plot(epochs, h.train_acc, color=TRAIN, label="train")
    b.plot(epochs, h.val_acc, color=VAL, label="validation")
    b.set(ylim=(0.5, 1.01), xlabel="epoch", ylabel="accuracy",
          title=f"val acc {h.val_acc[-1]:.1%}, val loss {h.val_loss[-1]:.3f}")
    b.legend(loc="lower right", fontsize=10)
    _fixed_layout(fig)
    return fig
