"""Checker for notebook 02's exercise "choose λ on the validation set".

The learner writes::

    def choose_lambda(estimator, x, y, lambdas, cv):   # -> (chosen, mean, sem)

with scikit-learn's ``validation_curve(estimator, x, y, param_name="l2",
param_range=lambdas, cv=cv)``: the mean validation score of each λ over the
folds, its standard error, and the one-standard-error choice (the largest λ
whose mean is within one standard error of the best mean). ``lambdas`` is
sorted in increasing order. The test set is not an argument: it plays no
part in the choice.

The checker passes a *scripted* estimator: ``validation_curve`` fits and
scores it as it would a real one, but its scores come from a fixed table
(one per λ and fold, and a higher one on the training folds), built so that
every usual slip picks another λ: the training scores, the best mean
instead of the rule, the smallest λ within the band instead of the largest,
the standard deviation instead of the standard error, the mean over the λs
instead of over the folds. So the checker is fast and names the slip.
"""
from __future__ import annotations

import numpy as np

from ..experiments.choose import one_se_choice
from .base import Feedback, Problem, check_all, compare_arrays

LAMBDAS = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)
#: validation score of each λ (columns) on each of 3 folds (rows): best mean
#: at 1e-3; within one standard error of it 1e-4 and 1e-2; within one
#: standard deviation also 1e-1
_VAL = np.array([[0.800, 0.858, 0.860, 0.860, 0.860],
                 [0.820, 0.850, 0.870, 0.850, 0.845],
                 [0.810, 0.855, 0.850, 0.855, 0.851]])
#: the training folds score higher, and best without a penalty
_TRAIN = np.array([1.0, 0.99, 0.97, 0.93, 0.86])
N_ROWS = 30


def scripted_estimator():
    """A scikit-learn classifier whose ``score`` comes from the table above.

    ``x`` must be the checker's data: column 0 holds each row's index, so the
    estimator can tell which fold ``validation_curve`` scores it on.
    """
    from sklearn.base import BaseEstimator, ClassifierMixin

    class ScriptedClassifier(ClassifierMixin, BaseEstimator):
        def __init__(self, l2=0.0):
            self.l2 = l2

        def fit(self, x, y):
            self.train_rows_ = frozenset(np.asarray(x)[:, 0].astype(int).tolist())
            self.classes_ = np.unique(y)
            return self

        def predict(self, x):
            return np.zeros(len(x), dtype=int)

        def score(self, x, y, sample_weight=None):
            rows = np.asarray(x)[:, 0].astype(int)
            k = LAMBDAS.index(self.l2)
            if frozenset(rows.tolist()) == self.train_rows_:
                return float(_TRAIN[k])
            return float(_VAL[rows.min() // (N_ROWS // len(_VAL)), k])

    return ScriptedClassifier()


def _data():
    x = np.column_stack([np.arange(N_ROWS), np.zeros(N_ROWS)]).astype(np.float64)
    y = np.arange(N_ROWS) % 2
    return x, y


def expected() -> tuple[float, np.ndarray, np.ndarray]:
    """What the rule gives on the scripted scores: ``(chosen, mean, sem)``."""
    c = one_se_choice(LAMBDAS, _VAL, stronger="larger")
    return LAMBDAS[c["one_se"]], c["mean"], c["sem"]


def check_choose_lambda(fn) -> Feedback:
    """Grade ``fn(estimator, x, y, lambdas, cv) -> (chosen, mean, sem)``."""
    from sklearn.model_selection import KFold

    x, y = _data()
    want_lam, want_mean, want_sem = expected()
    got = {}

    def runs():
        out = fn(scripted_estimator(), x, y, list(LAMBDAS), KFold(len(_VAL)))
        if not isinstance(out, tuple) or len(out) != 3:
            return "return the triple (chosen lambda, mean score per lambda, standard error per lambda)"
        chosen, mean, sem = out
        got.update(chosen=chosen, mean=np.asarray(mean, dtype=np.float64),
                   sem=np.asarray(sem, dtype=np.float64))
        return None

    def means():
        mean = got["mean"]
        if mean.shape == (len(_VAL),):
            return ("mean has one entry per fold: validation_curve returns scores of shape "
                    "(n_lambdas, n_folds); average over the folds, axis=1")
        if mean.shape != want_mean.shape:
            raise Problem(f"mean must have one entry per lambda, shape {want_mean.shape}, "
                          f"got {mean.shape}")
        if np.allclose(mean, _TRAIN):
            return ("mean holds the TRAINING scores (validation_curve's first result); "
                    "choose on the validation scores, the second")
        return compare_arrays("mean validation score per lambda", mean, want_mean)

    def sems():
        sem = got["sem"]
        std0 = _VAL.std(axis=0, ddof=0)
        if sem.shape == want_sem.shape and np.allclose(sem, _VAL.std(axis=0, ddof=1)):
            return ("sem is the standard deviation over the folds; the standard error of "
                    "the mean divides it by sqrt(number of folds)")
        if sem.shape == want_sem.shape and np.allclose(sem, std0 / np.sqrt(len(_VAL))):
            return ("sem uses np.std's default ddof=0; the sample standard deviation "
                    "(ddof=1) is the one the rule uses: std(ddof=1) / sqrt(folds)")
        return compare_arrays("standard error per lambda", sem, want_sem)

    def choice():
        chosen = got["chosen"]
        if chosen is None:
            return "the chosen lambda is None (did you forget to return it?)"
        try:
            chosen = float(chosen)
        except (TypeError, ValueError):
            return f"the chosen lambda must be one of lambdas, a number; got {chosen!r}"
        if np.isclose(chosen, want_lam):
            return None
        slips = {
            LAMBDAS[int(np.argmax(_TRAIN))]: "that is the best TRAINING score; use the validation scores",
            LAMBDAS[int(np.argmax(want_mean))]: (
                "that is the best mean. The rule takes the most regularised lambda whose "
                "mean is within one standard error of the best: its score is as good as "
                "the noise lets you tell, and it is the safer bet"),
            1e-4: ("that is the weakest lambda within one standard error of the best; the "
                   "rule takes the STRONGEST (the largest lambda)"),
            1e-1: ("that lambda is within one standard DEVIATION of the best mean, not "
                   "within one standard error (std / sqrt(folds))"),
        }
        hint = slips.get(chosen, "")
        return (f"you chose lambda = {chosen:g}, the rule gives {want_lam:g}"
                + (f": {hint}" if hint else ""))

    return check_all("choose_lambda", [runs, means, sems, choice])
