"""Checkers for the exercises of notebooks 00 and 01.

The learner writes::

    def accuracy(scores, labels):                  # notebook 00 (warm-up)
    def bias_variance(predictions, truth):         # -> (bias2, variance)
    def overfit_signals(train_loss, val_loss):     # -> (best_epoch, gap)

Each checker compares with regkit's own answer (``regkit.course.experiments.bias_variance``) on small
arrays and, when the answer is wrong, recognises the usual slips (the wrong
axis, a variance divided by S - 1, a bias that is not squared, an epoch
counted from 1, a gap with the wrong sign) and says so.
"""
from __future__ import annotations

import numpy as np

from ..experiments import bias_variance as biasvar
from .base import Feedback, check_all, Problem as _Problem


def _close(a, b, tol=1e-6) -> bool:
    return bool(np.isclose(float(a), float(b), rtol=1e-5, atol=tol))


def _number(value, what) -> float:
    if value is None:
        raise _Problem(f"{what} is None (did you forget `return`?)")
    arr = np.asarray(value)
    if arr.ndim != 0 and arr.size != 1:
        raise _Problem(f"{what} must be one number, got an array of shape {arr.shape} "
                       "(did you average over only one axis?)")
    return float(arr.reshape(()))


def _pair(out, first: str, second: str) -> tuple[float, float]:
    """The learner's ``(first, second)`` as two numbers, or a Problem saying why not."""
    if out is None:
        raise _Problem(f"your function returned None (did you forget `return {first}, {second}`?)")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise _Problem(f"return a pair ({first}, {second}), got {type(out).__name__}")
    return _number(out[0], first), _number(out[1], second)


# -- notebook 00: accuracy ---------------------------------------------------
def check_accuracy(fn) -> Feedback:
    """Grade ``fn(scores, labels) -> float``: the share of rows whose largest
    score is at the true label. scores: (batch, classes), labels: (batch,)."""
    scores = np.array([[2.0, 1.0, 0.1], [0.2, 0.1, 3.0], [0.5, 2.5, 0.3],
                       [1.5, 0.2, 0.1], [0.1, 0.2, 0.3]], dtype=np.float32)
    labels = np.array([0, 2, 0, 0, 1])        # rows 0, 1, 3 right: 3/5
    want = 0.6

    def value():
        got = _number(fn(scores, labels), "accuracy")
        if _close(got, want):
            return None
        if _close(got, 3):
            return "you returned the number of correct rows (3); divide by the number of rows"
        if _close(got, 60):
            return "you returned a percentage (60); return a fraction in [0, 1] (0.6)"
        cols = np.argmax(scores, axis=0)          # argmax down the columns
        if _close(got, np.mean(cols == labels[:3])):
            return "take the argmax along axis=1 (over the classes of each row), not axis=0"
        return f"got {got:.4g}, expected {want} (3 of the 5 rows are right)"

    def another():
        rng = np.random.default_rng(1)
        s = rng.standard_normal((40, 10))
        y = rng.integers(0, 10, 40)
        want2 = float(np.mean(np.argmax(s, axis=1) == y))
        got = _number(fn(s, y), "accuracy")
        return None if _close(got, want2) else (
            f"right on the small example but {got:.4g} instead of {want2:.4g} on 40 random "
            "rows of 10 classes: is something hard-coded?")

    return check_all("accuracy", [value, another])


# -- notebook 01: bias and variance ------------------------------------------
def _bv_example():
    # 4 models (rows) predicting at 3 points; truth chosen so bias differs by point
    p = np.array([[0.0, 1.0, 2.0],
                  [1.0, 1.5, 4.0],
                  [2.0, 3.0, 2.5],
                  [1.0, 3.5, 4.5]])
    f = np.array([0.5, 2.0, 1.2])
    return p, f


def check_bias_variance(fn) -> Feedback:
    """Grade ``fn(predictions, truth) -> (bias2, variance)``.

    predictions: (n_sets, n_points), one row per training set; truth:
    (n_points,). ``bias2 = mean_j (mean_s P[s, j] - f_j)^2`` and
    ``variance = mean_j mean_s (P[s, j] - mean_s P[s, j])^2`` (divided by
    S, as a population variance; ``np.var``'s default).
    """
    p, f = _bv_example()
    want_b, want_v = biasvar.bias_variance(p, f)
    state = {}

    def shape():
        state["b"], state["v"] = _pair(fn(p.copy(), f.copy()), "bias2", "variance")

    def bias():
        got = state["b"]
        if _close(got, want_b):
            return None
        mean = p.mean(axis=0)
        if _close(got, np.mean(mean - f)):
            return "bias² must be squared: average (mean prediction - truth)**2 over the points"
        if _close(got, np.mean(mean - f) ** 2):
            return ("square before you average over the points: mean((m - f)**2), not "
                    "mean(m - f)**2 (errors of opposite sign must not cancel)")
        if _close(got, np.mean((p - f) ** 2)):
            return ("that is the average squared error of the individual models, which is "
                    "bias² + variance; bias² uses the AVERAGE model, p.mean(axis=0)")
        if _close(got, np.mean((p.mean(axis=1) - f.mean()) ** 2)):
            return "average over the training sets, axis=0 (rows), not over the points"
        return f"bias² is {got:.4g}, expected {want_b:.4g} on the 4x3 example"

    def variance():
        got = state["v"]
        if _close(got, want_v):
            return None
        if _close(got, np.mean(p.var(axis=0, ddof=1))):
            return ("divide by the number of training sets S, not S - 1 (ddof=0, "
                    "np.var's default): then bias² + variance is exactly the mean squared "
                    "distance of the models from the truth")
        if _close(got, np.mean(p.var(axis=1))):
            return ("the variance is across training sets (axis=0): how much the models "
                    "disagree at the SAME point, then averaged over the points")
        if _close(got, np.mean(p.std(axis=0))):
            return "use the variance (squared spread), not the standard deviation"
        if _close(got, np.mean((p - f) ** 2)):
            return ("measure the spread around the average model p.mean(axis=0), not "
                    "around the truth")
        return f"variance is {got:.4g}, expected {want_v:.4g} on the 4x3 example"

    def real_run():
        r = biasvar.decompose(3, n_train=20, n_sets=50, rng=0)
        got = fn(r["predictions"], r["truth"])
        b, v = _number(got[0], "bias2"), _number(got[1], "variance")
        if not (_close(b, r["bias2"]) and _close(v, r["variance"])):
            return (f"right on the small example but not on 50 polynomial fits: got "
                    f"({b:.4g}, {v:.4g}), expected ({r['bias2']:.4g}, {r['variance']:.4g})")
        return None

    return check_all("bias_variance", [shape, bias, variance, real_run])


# -- notebook 01: reading loss curves ----------------------------------------
def check_overfit_signals(fn) -> Feedback:
    """Grade ``fn(train_loss, val_loss) -> (best_epoch, gap)``.

    ``best_epoch``: 0-based index of the lowest validation loss (as
    ``History.best_epoch`` and Keras count). ``gap``: validation minus
    training loss at the LAST epoch.
    """
    train = [2.0, 1.2, 0.8, 0.5, 0.3, 0.2, 0.1]
    val = [2.1, 1.4, 1.0, 0.9, 0.95, 1.1, 1.3]
    want = biasvar.curve_signals(train, val)
    state = {}

    def shape():
        state["e"], state["g"] = _pair(fn(list(train), list(val)), "best_epoch", "gap")

    def epoch():
        got = state["e"]
        if got == want["best_epoch"]:
            return None
        if got == 0 and state["g"] == 0:
            return "this is still the stub's answer (0, 0.0): replace it with your code"
        if got == want["best_epoch"] + 1:
            return "count epochs from 0 (the index into the list), as History.best_epoch does"
        if got == int(np.argmin(train)):
            return "look for the lowest VALIDATION loss, not the lowest training loss"
        if got == int(np.argmax(val)):
            return "the best epoch has the lowest validation loss (argmin, not argmax)"
        return f"best_epoch is {got:g}, expected {want['best_epoch']}"

    def gap():
        got = state["g"]
        if _close(got, want["gap"]):
            return None
        if _close(got, -want["gap"]):
            return "the gap is validation minus training loss (positive when overfitting)"
        b = want["best_epoch"]
        if _close(got, val[b] - train[b]):
            return "measure the gap at the LAST epoch, not at the best one"
        if _close(got, abs(val[-1] - train[0])):
            return "compare the last validation loss with the last training loss"
        return f"gap is {got:.4g}, expected {want['gap']:.4g}"

    def no_turn():
        # still improving: the best epoch is the last one
        tr, va = np.linspace(2, 1, 6), np.linspace(2.2, 1.1, 6)
        e, g = fn(tr, va)
        if _number(e, "best_epoch") != 5 or not _close(_number(g, "gap"), 0.1):
            return ("right on the example but wrong when validation loss is still falling "
                    f"at the end (expected (5, 0.1), got ({_number(e, 'best_epoch'):g}, "
                    f"{_number(g, 'gap'):.4g})): do your inputs work as NumPy arrays too?")
        return None

    return check_all("overfit_signals", [shape, epoch, gap, no_turn])
