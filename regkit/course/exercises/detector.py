"""Checkers for the overfit-detector exercises of notebook 08.

The learner writes two small pieces of the detector::

    def classify_run(train_acc, val_acc):           # -> "underfitting" | "overfitting" | "good fit"
    def gap_at_best(val_loss, train_acc, val_acc):  # -> (best_epoch, gap)

``classify_run`` is the detector's core in two rules, with the default
:class:`regkit.Thresholds`: a training accuracy below 80% is underfitting
(judged first: with a poor fit the gap means nothing), then a train minus
validation gap above 10 points is overfitting, else a good fit.
``gap_at_best`` reads the per-epoch curves of one run: the best epoch is
the one with the lowest validation loss (0-based, the first one on a tie),
and the gap is train minus validation accuracy at that epoch. The real
detector does the same on smoothed curves; the exercise uses the raw ones.
"""
from __future__ import annotations

import numpy as np

from .base import Feedback, check_all

#: The thresholds of the exercise (the defaults of rk.Thresholds).
POOR, GAP = 0.80, 0.10
VERDICTS = ("underfitting", "overfitting", "good fit")


def reference_classify_run(train_acc: float, val_acc: float) -> str:
    """The answer ``classify_run`` is checked against."""
    if train_acc < POOR:
        return "underfitting"
    if train_acc - val_acc > GAP:
        return "overfitting"
    return "good fit"


def reference_gap_at_best(val_loss, train_acc, val_acc) -> tuple[int, float]:
    """The answer ``gap_at_best`` is checked against."""
    best = int(np.argmin(val_loss))
    return best, float(train_acc[best] - val_acc[best])


#: (train_acc, val_acc, why the case is there)
_CASES = (
    (0.99, 0.85, "the chapter's overfitting example (gap 14 points)"),
    (0.65, 0.63, "the chapter's underfitting example (both poor)"),
    (0.92, 0.88, "the chapter's production-ready model (gap 4 points)"),
    (0.95, 0.60, "the chapter's memorising model (gap 35 points)"),
    (0.70, 0.45, "a poor fit with a large gap"),
    (0.84, 0.97, "validation above training (e.g. dropout or augmentation on)"),
    (0.97, 0.90, "a gap of 7 points, under the 10-point threshold"),
)


def check_classify_run(fn) -> Feedback:
    """Grade ``fn(train_acc, val_acc) -> verdict`` on the chapter's numbers and
    on the cases where the order of the rules or the sign of the gap matters."""
    got = {}

    def answers():
        for train, val, _ in _CASES:
            verdict = fn(train, val)
            if verdict not in VERDICTS:
                return (f"classify_run({train}, {val}) returned {verdict!r}; return one of "
                        f"{', '.join(repr(v) for v in VERDICTS)}")
            got[(train, val)] = verdict
        return None

    def sign():
        if got[(0.99, 0.85)] == "good fit" and got[(0.84, 0.97)] == "overfitting":
            return ("the gap looks reversed: compute it as train_acc - val_acc (training "
                    "above validation is the overfitting signal)")
        return None

    def order():
        if got[(0.70, 0.45)] == "overfitting":
            return ("classify_run(0.70, 0.45) should be 'underfitting': check the training "
                    f"level first (train_acc < {POOR}); while the model cannot even fit its "
                    "training data, the gap is not the problem to fix")
        return None

    def absolute():
        if got[(0.84, 0.97)] == "overfitting":
            return ("classify_run(0.84, 0.97) should be 'good fit': validation above "
                    "training is not overfitting, so do not take the absolute value of the "
                    "gap (a negative gap is common with dropout or augmentation)")
        return None

    def values():
        for train, val, why in _CASES:
            want = reference_classify_run(train, val)
            if got[(train, val)] != want:
                return (f"classify_run({train}, {val}) returned {got[(train, val)]!r}, "
                        f"expected {want!r} ({why}; poor below {POOR:.0%} training "
                        f"accuracy, overfitting above a {GAP:.0%} gap)")
        return None

    return check_all("classify_run", [answers, sign, order, absolute, values])


def _curves():
    """A run whose best epoch (lowest val loss) is neither the last epoch, nor the
    epoch of the highest validation accuracy, nor that of the highest val loss."""
    val_loss = [1.90, 1.20, 0.80, 0.55, 0.48, 0.46, 0.51, 0.58, 0.66, 0.75]
    train_acc = [0.30, 0.60, 0.78, 0.88, 0.93, 0.96, 0.98, 0.99, 1.00, 1.00]
    val_acc = [0.28, 0.55, 0.70, 0.80, 0.83, 0.84, 0.83, 0.86, 0.83, 0.82]
    return val_loss, train_acc, val_acc


def check_gap_at_best(fn) -> Feedback:
    """Grade ``fn(val_loss, train_acc, val_acc) -> (best_epoch, gap)``.

    The curves are Python lists, as in a Keras ``History.history``; the
    best epoch is 0-based; the inputs must not be modified.
    """
    val_loss, train_acc, val_acc = _curves()
    before = [list(val_loss), list(train_acc), list(val_acc)]
    want_best, want_gap = reference_gap_at_best(val_loss, train_acc, val_acc)
    state = {}

    def shape():
        out = fn(val_loss, train_acc, val_acc)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return f"gap_at_best must return a pair (best_epoch, gap); got {out!r}"
        state["best"], state["gap"] = out
        return None

    def best_epoch():
        best = state["best"]
        if best == want_best:
            return None
        known = {len(val_loss) - 1: "the last epoch: the best epoch is where validation "
                                    "loss was lowest, not where training ended",
                 int(np.argmax(val_acc)): "the epoch of the highest validation accuracy; "
                                          "the detector (and early stopping) use the lowest "
                                          "validation LOSS",
                 int(np.argmax(val_loss)): "the highest validation loss: use argmin",
                 want_best + 1: "off by one: epochs are counted from 0 here, as list "
                                "indices (np.argmin gives that directly)"}
        if best in known:
            return f"best_epoch = {best!r} is {known[best]}"
        return (f"best_epoch = {best!r}, expected {want_best}: the index of the lowest "
                "validation loss")

    def gap():
        value = state["gap"]
        if np.isclose(value, want_gap, atol=1e-9):
            return None
        if np.isclose(value, -want_gap, atol=1e-9):
            return "the gap has the wrong sign: train_acc - val_acc, training first"
        if np.isclose(value, train_acc[-1] - val_acc[-1], atol=1e-9):
            return ("that is the gap at the last epoch; measure it at the best epoch, "
                    "the weights early stopping would keep")
        return (f"gap = {value!r}, expected train_acc[{want_best}] - val_acc[{want_best}] "
                f"= {want_gap:.2f}")

    def untouched():
        if [list(val_loss), list(train_acc), list(val_acc)] != before:
            return "your function changed the curves it was given; leave the inputs alone"
        return None

    def arrays_too():
        out = fn(np.array(val_loss), np.array(train_acc), np.array(val_acc))
        if int(out[0]) != want_best or not np.isclose(float(out[1]), want_gap):
            return "with NumPy arrays instead of lists your function gives another answer"
        return None

    return check_all("gap_at_best", [shape, best_epoch, gap, untouched, arrays_too])
