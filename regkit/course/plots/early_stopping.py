"""Notebook 05 (early stopping): one recorded run, the stopping rule replayed on it.

Early stopping needs no retraining to explore: train once, for far too
long, keep the weights of every epoch, and any (patience, min_delta) choice
is just a different place to stop on the recorded validation curve.

Experiment:

* :class:`StateRecorder` - a callback that keeps ``model.state_dict()``
  after every epoch;
* :func:`record_run` - a wide MLP on 150 digits (a fifth of them mislabelled) for 150 epochs, recorded,
  with the test accuracy and the squared weight norm of every epoch;
* :func:`replay` - the stopping rule of :class:`regkit.EarlyStopping`
  (Keras semantics) as a pure function of a sequence of values.

Figures: :func:`stop_multiples` (several patiences side by side),
:func:`stop_view` (one setting: the dashboard's picture),
:func:`weight_norm_figure` (early stopping as a limit on the weights).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np

from ... import datasets
from ...callbacks import Callback
from ...layers import Dense, ReLU
from ...losses import SoftmaxCrossEntropy
from ...network import Sequential
from ...optim import Adam
from ...training import fit
from ...style import PALETTE, TEST, TRAIN, VAL

#: few samples, a wide net, no regulariser, far too many epochs, and a fifth of
#: the training labels wrong: it overfits, in loss and in accuracy
RUN = {"n_train": 150, "width": 128, "epochs": 150, "lr": 5e-4, "batch_size": 16,
       "label_noise": 0.2}
#: top of the loss axis (the recorded run's validation loss stays near 1)
YMAX = 2.0
#: the patiences of the static figure
PATIENCE_SHOWN = (2, 5, 10, 30)
#: the min_delta values the dashboard offers
MIN_DELTAS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2)


# -- the experiment ------------------------------------------------------------
class StateRecorder(Callback):
    """Keep a copy of the model's weights after every epoch.

    ``states[t]`` is the state_dict at the end of epoch ``t`` (0-based), so
    any epoch's model can be rebuilt later with ``load_state_dict``.
    ``state_dict()`` returns copies, so later training does not change them.
    """

    def on_train_begin(self, model, history) -> None:
        self.states = []

    def on_epoch_end(self, epoch, logs, model) -> bool:
        self.states.append(model.state_dict())
        return False                     # recording never stops training


def wide_mlp(in_features: int, out_features: int, width: int = 128, rng=0) -> Sequential:
    """Two hidden ReLU layers of ``width`` units, no regularisation."""
    gen = np.random.default_rng(rng)
    return Sequential(Dense(in_features, width, rng=gen), ReLU(),
                      Dense(width, width, rng=gen), ReLU(),
                      Dense(width, out_features, rng=gen))


def squared_weight_norm(state: dict) -> float:
    """``sum(W**2)`` over the weight matrices of a state_dict (biases left out,
    as L2 leaves them out)."""
    return float(sum(float(np.sum(np.square(v, dtype=np.float64)))
                     for k, v in state.items() if k.endswith(".W")))


def noisy_labels(y, fraction: float, num_classes: int, rng=0) -> np.ndarray:
    """A copy of ``y`` with ``round(fraction * len(y))`` labels (chosen at random)
    replaced by a different, random class: the mislabelled samples that a
    network can only fit by memorising them."""
    gen = np.random.default_rng(rng)
    y = np.array(y, copy=True)
    idx = gen.choice(len(y), size=int(round(fraction * len(y))), replace=False)
    y[idx] = (y[idx] + gen.integers(1, num_classes, size=len(idx))) % num_classes
    return y


def record_run(seed: int = 0, data=None, **cfg) -> dict:
    """Train :func:`wide_mlp` on few digits for many epochs, recording every epoch.

    ``cfg`` overrides :data:`RUN`; ``label_noise`` is the share of training
    labels made wrong (validation and test labels stay correct). About one
    second with the defaults.

    Returns:
        ``{"history", "states", "model", "data", "y_train", "test_acc",
        "weight_norm", "config"}``: ``y_train`` the (noisy) labels trained on; ``states[t]`` the weights after epoch ``t``;
        ``test_acc[t]`` the test accuracy of those weights;
        ``weight_norm[t]`` their squared weight norm. ``model`` ends with the
        last epoch's weights.
    """
    cfg = {**RUN, **cfg}
    data = data if data is not None else datasets.digits(n_train=cfg["n_train"],
                                                         random_state=0)
    k = int(data.info["num_classes"])
    y_train = noisy_labels(data.y_train, cfg["label_noise"], k, rng=seed)
    model = wide_mlp(data.x_train.shape[1], k, cfg["width"], seed)
    recorder = StateRecorder()
    history = fit(model, data.x_train, y_train, loss=SoftmaxCrossEntropy(),
                  optimizer=Adam(model.parameters(), lr=cfg["lr"]), epochs=cfg["epochs"],
                  batch_size=cfg["batch_size"], validation_data=(data.x_val, data.y_val),
                  callbacks=[recorder], rng=seed, progress=False)
    last = model.state_dict()
    test_acc = []
    for state in recorder.states:
        model.load_state_dict(state)
        test_acc.append(float(np.mean(model.predict(data.x_test).argmax(axis=1) == data.y_test)))
    model.load_state_dict(last)
    return {"history": history, "states": recorder.states, "model": model, "data": data,
            "y_train": y_train,
            "test_acc": np.array(test_acc),
            "weight_norm": np.array([squared_weight_norm(s) for s in recorder.states]),
            "config": cfg}


class StopPoint(NamedTuple):
    """Where the rule stops on a sequence (all epochs 0-based).

    ``stopped_epoch``: the epoch after which training stops (None: it ran
    to the end); ``best_epoch``: the epoch whose weights are restored (None
    when no epoch was monitored); ``wait``: the patience counter after each
    epoch (0 where the epoch improved, and before ``start_from_epoch``).
    """

    stopped_epoch: int | None
    best_epoch: int | None
    wait: list


def replay(values, patience: int, min_delta: float = 0.0, *, mode: str = "min",
           start_from_epoch: int = 0, baseline: float | None = None) -> StopPoint:
    """Run the early-stopping rule on a recorded sequence, without any model.

    The rule of :class:`regkit.EarlyStopping` (the Keras rule), for
    ``mode="min"``: with ``best`` starting at +inf, epoch ``t`` improves when

        values[t] + min_delta < best          (strict; "max": values[t] - min_delta > best)

    An improvement sets ``best = values[t]``, makes ``t`` the epoch to
    restore and resets the counter ``wait`` to 0 (only if it also beats
    ``baseline``, when one is given); any other epoch adds 1 to ``wait``.
    Training stops after the first epoch (not epoch 0) where ``wait``
    reaches ``patience``. Epochs before ``start_from_epoch`` are skipped. If
    nothing ever improves, the first monitored epoch is restored.

    Args:
        values: the monitored value per epoch, e.g. ``history.val_loss``.
        patience, min_delta, mode, start_from_epoch, baseline: as in
            :class:`regkit.EarlyStopping`.

    Returns:
        :class:`StopPoint` ``(stopped_epoch, best_epoch, wait)``.
    """
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    sign = 1.0 if mode == "min" else -1.0       # "max" is "min" of the negated values
    best, best_epoch, wait, trace = math.inf, None, 0, []
    goal = math.inf if baseline is None else sign * baseline
    for t, value in enumerate(values):
        if t < start_from_epoch:
            trace.append(0)
            continue
        v = sign * float(value)
        if best_epoch is None:
            best_epoch = t                      # nothing better yet: keep the first
        wait += 1
        if v + min_delta < best:
            best, best_epoch = v, t
            if v + min_delta < goal:
                wait = 0
        elif wait >= patience and t > 0:
            trace.append(wait)
            return StopPoint(t, best_epoch, trace)
        trace.append(wait)
    return StopPoint(None, best_epoch, trace)


# -- figures -------------------------------------------------------------------
def draw_stop(ax, run: dict, patience: int, min_delta: float = 0.0, *,
              title: str | None = None, legend: bool = False) -> StopPoint:
    """Train and validation loss of the recorded run, where the rule stops
    (a vertical line; the epochs it saves are greyed) and the restored
    epoch (a ring). Epochs are drawn 1-based, as people count them."""
    h = run["history"]
    stop = replay(h.val_loss, patience, min_delta)
    epochs = np.arange(1, len(h.val_loss) + 1)
    ax.plot(epochs, h.train_loss, color=TRAIN, label="train")
    ax.plot(epochs, h.val_loss, color=VAL, label="validation")
    if stop.stopped_epoch is not None:
        s = stop.stopped_epoch + 1
        ax.axvspan(s, epochs[-1], color="0.92", zorder=0)
        ax.axvline(s, color=PALETTE["vermillion"], lw=2, ls="--", label="stop")
    b = stop.best_epoch
    ax.plot(b + 1, h.val_loss[b], "o", ms=11, mfc="none", mec=PALETTE["black"], mew=2.2,
            label="restored")
    # linear and cut above: the first epochs' loss would flatten the part that matters
    ax.set(xlabel="epoch", ylabel="loss", title=title, ylim=(0, YMAX))
    if legend:
        ax.legend(loc="lower left", fontsize=10)
    return stop


def _when(stop: StopPoint) -> str:
    return "ran to the end" if stop.stopped_epoch is None else f"stop at {stop.stopped_epoch + 1}"


def stop_multiples(run: dict, patiences=PATIENCE_SHOWN, min_delta: float = 0.0) -> plt.Figure:
    """One panel per patience: where it stops, which epoch it restores, and
    that epoch's test accuracy (the last epoch's for comparison in the title)."""
    fig, axes = plt.subplots(1, len(patiences), figsize=(3.2 * len(patiences), 3.6),
                             sharey=True, squeeze=False)
    for i, (ax, p) in enumerate(zip(axes[0], patiences)):
        stop = draw_stop(ax, run, p, min_delta, title=f"patience {p}")
        acc = run["test_acc"][stop.best_epoch]
        ax.text(0.97, 0.97, f"{_when(stop)}\nrestore {stop.best_epoch + 1}\ntest acc {acc:.1%}",
                transform=ax.transAxes, ha="right", va="top", fontsize=10,
                bbox={"fc": "white", "ec": "0.8", "alpha": 0.9})
        if i:
            ax.set_ylabel("")
    fig.suptitle(f"same recorded run, four patiences (min_delta = {min_delta:g}); "
                 f"last epoch's test accuracy {run['test_acc'][-1]:.1%}", fontsize=12)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=11, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def stop_view(run: dict, patience: int, min_delta: float = 0.0) -> plt.Figure:
    """The dashboard's picture: left the loss curves with the stop and the
    restored epoch, right the test accuracy of every epoch's weights."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10.5, 3.9))
    stop = draw_stop(a, run, patience, min_delta, legend=True,
                     title=f"patience {patience}, min_delta {min_delta:g}")
    acc = run["test_acc"]
    epochs = np.arange(1, len(acc) + 1)
    b.plot(epochs, acc, color=TEST, label="test accuracy of epoch t's weights")
    best = stop.best_epoch
    b.plot(best + 1, acc[best], "o", ms=11, mfc="none", mec=PALETTE["black"], mew=2.2)
    b.axhline(acc[-1], color="0.5", lw=1.2, ls=":", label=f"last epoch: {acc[-1]:.1%}")
    if stop.stopped_epoch is not None:
        b.axvspan(stop.stopped_epoch + 1, epochs[-1], color="0.92", zorder=0)
    lo = float(np.quantile(acc, 0.05))
    b.set(xlabel="epoch", ylabel="test accuracy", ylim=(lo - 0.01, acc.max() + 0.015),
          title=f"restored epoch {best + 1}: test accuracy {acc[best]:.1%}")
    b.legend(loc="upper right", fontsize=10)
    # fixed margins, not tight_layout: it would double the drawing time of a slider update
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.14, top=0.91, wspace=0.22)
    return fig


def weight_norm_figure(run: dict, patience: int = 10) -> plt.Figure:
    """Left: the squared weight norm grows with every epoch (ring: the epoch
    early stopping restores). Right: loss against that norm: past the ring,
    bigger weights only fit the training set better."""
    h, norm = run["history"], run["weight_norm"]
    epochs = np.arange(1, len(norm) + 1)
    best = replay(h.val_loss, patience).best_epoch
    fig, (a, b) = plt.subplots(1, 2, figsize=(10.5, 3.9))
    a.plot(epochs, norm, color=PALETTE["purple"])
    a.plot(best + 1, norm[best], "o", ms=11, mfc="none", mec=PALETTE["black"], mew=2.2,
           label=f"restored (patience {patience}): epoch {best + 1}")
    a.set(xlabel="epoch", ylabel=r"$\sum W^2$", title="weights grow with training time")
    a.legend(loc="lower right", fontsize=10)
    b.plot(norm, h.train_loss, color=TRAIN, label="train")
    b.plot(norm, h.val_loss, color=VAL, label="validation")
    b.plot(norm[best], h.val_loss[best], "o", ms=11, mfc="none", mec=PALETTE["black"], mew=2.2)
    b.set(xlabel=r"$\sum W^2$ (grows with epochs $\rightarrow$)", ylabel="loss",
          ylim=(0, YMAX), title="loss against weight size")
    b.legend(loc="upper right", fontsize=10)
    fig.tight_layout()
    return fig
