"""Notebook 05 (early stopping): one recorded run, the stopping rule replayed on it.

Early stopping needs no retraining to explore: train once, for far too
long, keep the weights of every epoch, and any (patience, min_delta) choice
is just a different place to stop on the recorded validation curve.

* :class:`StateRecorder` - a callback that keeps ``model.state_dict()``
  after every epoch;
* :func:`record_run` - a wide MLP on 150 digits (a fifth of them
  mislabelled) for 150 epochs, recorded, with the test accuracy and the
  squared weight norm of every epoch;
* :func:`replay` - the stopping rule of :class:`regkit.EarlyStopping`
  (Keras semantics) as a pure function of a sequence of values.

NumPy + regkit only; the figures are in :mod:`regkit.course.plots.early_stopping`.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ... import datasets
from ...callbacks import Callback
from ...losses import SoftmaxCrossEntropy
from ...mlp import mlp
from ...network import Sequential
from ...optim import Adam
from ...training import fit

#: few samples, a wide net, no regulariser, far too many epochs, and a fifth of
#: the training labels wrong: it overfits, in loss and in accuracy
RUN = {"n_train": 150, "width": 128, "epochs": 150, "lr": 5e-4, "batch_size": 16,
       "label_noise": 0.2}
#: the patiences of the static figure
PATIENCE_SHOWN = (2, 5, 10, 30)
#: the min_delta values the dashboard offers
MIN_DELTAS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2)


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
    """Two hidden ReLU layers of ``width`` units, no regularisation; one
    generator (``rng``) draws every weight."""
    return mlp((in_features, width, width, out_features), rng=rng)


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
