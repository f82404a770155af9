"""Checker for the early-stopping exercise of notebook 05.

The learner writes the stopping rule as a callback class::

    class MyEarlyStopping:
        def __init__(self, patience, min_delta=0.0): ...
        def on_train_begin(self, model, history): ...       # reset the state
        def on_epoch_end(self, epoch, logs, model): ...     # -> True to stop
        def on_train_end(self, model, history): ...         # restore the best

monitoring ``logs["val_loss"]`` (lower is better) and always restoring the
best weights. The checker drives it through fixed loss sequences with a
stand-in model whose "weights" are the epoch they were saved at, and
compares where it stops and what it restores with :class:`regkit.EarlyStopping`
driven the same way. It recognises the usual mistakes: patience off by
one, a tie counted as an improvement, a counter that is not reset,
min_delta ignored, the best weights not restored (or only after an early
stop), state that survives from one fit to the next.
"""
from __future__ import annotations

import numpy as np

from ...callbacks import EarlyStopping
from .base import Feedback, check_all

#: epoch t (0-based) -> value; each case is (name, values, patience, min_delta)
_CHAPTER = [round(1.0 - 0.04 * t, 2) for t in range(15)] + \
           [round(0.44 + 0.01 * t, 2) for t in range(1, 16)]   # best at 14, rising after
_RESETS = [1.0, 0.9, 0.95, 0.85, 0.95, 0.96, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9]
_TIES = [1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
# binary fractions, so value + min_delta == best is an exact tie
_DELTA = [1.0, 0.875, 0.75, 0.625, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
_TO_THE_END = [1.0, 0.8, 0.6, 0.7, 0.75]

CASES = {
    "chapter": (_CHAPTER, 10, 0.0),
    "resets": (_RESETS, 3, 0.0),
    "ties": (_TIES, 3, 0.0),
    "min_delta": (_DELTA, 3, 0.25),
    "to_the_end": (_TO_THE_END, 5, 0.0),
}


class _Model:
    """A stand-in model: its "weights" are the epoch at which they were taken."""

    def __init__(self):
        self.epoch = None
        self.loaded = None

    def state_dict(self):
        return {"epoch": np.array(self.epoch)}

    def load_state_dict(self, state):
        self.loaded = int(np.asarray(state["epoch"]))


def drive(callback, values) -> tuple[int | None, int | None]:
    """Feed ``values`` as ``val_loss`` to a callback the way ``rk.fit`` does.

    Returns ``(stopped_epoch, restored_epoch)``: the epoch after which
    ``on_epoch_end`` returned True (None: never), and the epoch whose
    weights ``on_train_end`` loaded into the model (None: nothing loaded).
    """
    model = _Model()
    callback.on_train_begin(model, None)
    stopped = None
    for epoch, value in enumerate(values):
        model.epoch = epoch
        logs = {"train_loss": 0.1, "val_loss": float(value)}
        if callback.on_epoch_end(epoch, logs, model):
            stopped = epoch
            break
    callback.on_train_end(model, None)
    return stopped, model.loaded


def expected(case: str) -> tuple[int | None, int | None]:
    """What :class:`regkit.EarlyStopping` does on a case."""
    values, patience, min_delta = CASES[case]
    return drive(EarlyStopping(patience=patience, min_delta=min_delta), values)


def _show(case) -> str:
    values = CASES[case][0]
    if len(values) > 12:
        return "the chapter's curve (30 epochs: falls to its best at epoch 14, then rises)"
    return str(values)


def _epoch(e) -> str:
    return "never" if e is None else f"after epoch {e}"


def check_early_stopping(cls) -> Feedback:
    """Grade ``cls(patience, min_delta)``: the Keras early-stopping rule as a callback.

    Epochs are 0-based, as ``rk.fit`` passes them. Checked in order: where it
    stops on the chapter's curve (best at epoch 14, patience 10: stop after
    epoch 24); the counter resets at each improvement; a tie is not an
    improvement; min_delta is an absolute margin; the best epoch's weights
    are loaded at the end, also when training was not stopped; a second fit
    with the same object starts afresh.
    """
    got = {}

    def run(case, obj=None):
        values, patience, min_delta = CASES[case]
        obj = obj if obj is not None else cls(patience, min_delta)
        got[case] = drive(obj, values)
        return got[case]

    def stop_where(case, hints):
        def check():
            _, patience, min_delta = CASES[case]
            stop, _ = run(case)
            want, best = expected(case)
            if stop == want:
                return None
            yours = "never stopped" if stop is None else f"stopped after epoch {stop}"
            head = (f"on {_show(case)} with patience={patience}, min_delta={min_delta} your "
                    f"callback {yours}; expected a stop {_epoch(want)} (the best value is "
                    f"at epoch {best})")
            for condition, hint in hints:
                if condition(stop, want):
                    return f"{head}. {hint}"
            return head
        return check

    off_by_one = [
        (lambda s, w: s == w + 1, "One epoch too late: stop as soon as the counter of "
         "epochs without improvement REACHES patience (>=, not >)."),
        (lambda s, w: s == w - 1, "One epoch too early: with patience P, P epochs in a "
         "row without improvement are allowed; stop after the P-th (count from 0 after "
         "each improvement)."),
        (lambda s, w: s is None, "on_epoch_end must return True to stop training (a "
         "function without `return` gives None, which never stops)."),
    ]
    resets = [(lambda s, w: s is not None and s < w,
               "The counter was not reset: set it back to 0 whenever the value improves; "
               "patience counts epochs IN A ROW without improvement.")]
    ties = [(lambda s, w: s is None or s > w,
             "A value equal to the best is not an improvement: compare with a strict "
             "`<` (val_loss + min_delta < best), so a flat plateau counts as waiting.")]
    delta = [(lambda s, w: s is not None and s > w,
              "min_delta was not applied: an epoch improves only when it beats the best "
              "by MORE than min_delta (val_loss + min_delta < best), an absolute margin. "
              "Do not move `best` on an epoch that does not count as an improvement.")]

    def restores_best():
        _, loaded = got["chapter"]
        _, best = expected("chapter")
        if loaded == best:
            return None
        if loaded is None:
            return ("on_train_end did not put any weights back: keep "
                    "model.state_dict() of the best epoch and call "
                    "model.load_state_dict(...) with it in on_train_end")
        return (f"restored the weights of epoch {loaded}, expected the best epoch {best}: "
                "save model.state_dict() only when the value improves (the state you "
                "keep must be a copy taken at that epoch)")

    def restores_at_end():
        _, loaded = run("to_the_end")
        _, best = expected("to_the_end")
        if loaded == best:
            return None
        return (f"on {_show('to_the_end')} training runs to the last epoch without "
                f"stopping; the best epoch is still {best}, and Keras' rule restores it "
                f"then too. Yours loaded {'nothing' if loaded is None else f'epoch {loaded}'}")

    def reusable():
        obj = cls(*CASES["chapter"][1:])
        first = run("chapter", obj)
        again = run("chapter", obj)
        if again == first:
            return None
        return ("a second fit with the same object behaved differently: reset the "
                "counter, the best value and the saved weights in on_train_begin, not "
                "only in __init__")

    return check_all("early stopping callback", [
        stop_where("chapter", off_by_one), stop_where("resets", resets),
        stop_where("ties", ties), stop_where("min_delta", delta),
        restores_best, restores_at_end, reusable])
