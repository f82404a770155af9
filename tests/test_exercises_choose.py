"""The choose-lambda checker (notebook 02) accepts the one-SE rule on validation_curve and names slips."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.model_selection import validation_curve  # noqa: E402

from regkit.course.exercises.choose import LAMBDAS, check_choose_lambda, expected  # noqa: E402
from regkit.course.experiments.choose import one_se_choice  # noqa: E402
from exercise_helpers import assert_rejects  # noqa: E402


def _scores(estimator, x, y, lambdas, cv, which=1):
    return validation_curve(estimator, x, y, param_name="l2", param_range=lambdas, cv=cv)[which]


def reference(estimator, x, y, lambdas, cv):
    val = _scores(estimator, x, y, lambdas, cv)               # (n_lambdas, n_folds)
    mean = val.mean(axis=1)
    sem = val.std(axis=1, ddof=1) / np.sqrt(val.shape[1])
    best = int(np.argmax(mean))
    ok = np.flatnonzero(mean >= mean[best] - sem[best])
    return lambdas[int(ok.max())], mean, sem


def with_regkits_helper(estimator, x, y, lambdas, cv):
    c = one_se_choice(lambdas, _scores(estimator, x, y, lambdas, cv).T, stronger="larger")
    return lambdas[c["one_se"]], c["mean"], c["sem"]


def test_the_rule_passes_written_out_or_through_one_se_choice():
    assert check_choose_lambda(reference).passed
    assert check_choose_lambda(with_regkits_helper).passed
    assert expected()[0] == 1e-2


def _variant(choose=None, mean_axis=1, which=1, spread=None):
    def fn(estimator, x, y, lambdas, cv):
        val = _scores(estimator, x, y, lambdas, cv, which)
        mean = val.mean(axis=mean_axis)
        sem = spread(val) if spread else val.std(axis=1, ddof=1) / np.sqrt(val.shape[1])
        if mean_axis != 1:
            return lambdas[0], mean, sem
        best = int(np.argmax(mean))
        ok = np.flatnonzero(mean >= mean[best] - sem[best])
        return lambdas[choose(mean, ok) if choose else int(ok.max())], mean, sem
    return fn


@pytest.mark.parametrize("fn, words", [
    (_variant(which=0), ["TRAINING scores"]),
    (_variant(mean_axis=0), ["one entry per fold", "axis=1"]),
    (_variant(spread=lambda v: v.std(axis=1, ddof=1)), ["standard deviation", "sqrt"]),
    (_variant(spread=lambda v: v.std(axis=1) / np.sqrt(v.shape[1])), ["ddof=1"]),
    (_variant(choose=lambda mean, ok: int(np.argmax(mean))), ["best mean", "most regularised"]),
    (_variant(choose=lambda mean, ok: int(ok.min())), ["STRONGEST"]),
])
def test_slips_are_named(fn, words):
    assert_rejects(check_choose_lambda(fn), *words)


def test_choosing_on_one_std_and_returning_nothing_are_named():
    def within_std(estimator, x, y, lambdas, cv):
        val = _scores(estimator, x, y, lambdas, cv)
        mean, sd = val.mean(axis=1), val.std(axis=1, ddof=1)
        best = int(np.argmax(mean))
        ok = np.flatnonzero(mean >= mean[best] - sd[best])
        return lambdas[int(ok.max())], mean, sd / np.sqrt(val.shape[1])

    assert_rejects(check_choose_lambda(within_std), "standard DEVIATION")
    assert_rejects(check_choose_lambda(lambda *a: None), "return the triple")
    assert LAMBDAS == (0.0, 1e-4, 1e-3, 1e-2, 1e-1)
