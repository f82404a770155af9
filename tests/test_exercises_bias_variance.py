"""The checkers of notebooks 00/01 accept the reference answers and reject
the usual mistakes with a message that names the mistake."""
import numpy as np

from regkit.course.exercises.bias_variance import (check_accuracy, check_bias_variance,
                                            check_overfit_signals)


# -- accuracy (notebook 00) ----------------------------------------------------
def test_accuracy_reference_passes():
    fb = check_accuracy(lambda s, y: np.mean(np.argmax(s, axis=1) == y))
    assert fb.passed, str(fb)


def test_accuracy_mistakes():
    count = check_accuracy(lambda s, y: np.sum(np.argmax(s, axis=1) == y))
    assert not count and "number of correct rows" in str(count)
    percent = check_accuracy(lambda s, y: 100 * np.mean(np.argmax(s, axis=1) == y))
    assert not percent and "fraction" in str(percent)
    stub = check_accuracy(lambda s, y: None)
    assert not stub and "forget `return`" in str(stub)


def test_accuracy_stub_that_raises_is_reported_not_raised():
    def stub(scores, labels):
        raise NotImplementedError
    fb = check_accuracy(stub)
    assert not fb and "not implemented yet" in str(fb)


# -- bias and variance ----------------------------------------------------
def _reference(p, f):
    m = p.mean(axis=0)
    return np.mean((m - f) ** 2), np.mean(p.var(axis=0))


def test_bias_variance_reference_passes():
    fb = check_bias_variance(_reference)
    assert fb.passed, str(fb)


def test_bias_variance_catches_ddof_1():
    fb = check_bias_variance(lambda p, f: (_reference(p, f)[0], np.mean(p.var(axis=0, ddof=1))))
    assert not fb and "S - 1" in str(fb)


def test_bias_variance_catches_unsquared_and_square_of_mean():
    signed = check_bias_variance(lambda p, f: (np.mean(p.mean(0) - f), np.mean(p.var(0))))
    assert not signed and "must be squared" in str(signed)
    outer = check_bias_variance(lambda p, f: (np.mean(p.mean(0) - f) ** 2, np.mean(p.var(0))))
    assert not outer and "square before you average" in str(outer)


def test_bias_variance_catches_wrong_axis_and_mse():
    axis = check_bias_variance(lambda p, f: (_reference(p, f)[0], np.mean(p.var(axis=1))))
    assert not axis and "axis=0" in str(axis)
    mse = check_bias_variance(lambda p, f: (np.mean((p - f) ** 2), np.mean(p.var(0))))
    assert not mse and "bias² + variance" in str(mse)
    around_truth = check_bias_variance(lambda p, f: (_reference(p, f)[0], np.mean((p - f) ** 2)))
    assert not around_truth and "around the average model" in str(around_truth)


def test_bias_variance_catches_missing_return_and_per_point_arrays():
    none = check_bias_variance(lambda p, f: None)
    assert not none and "return" in str(none)
    arrays = check_bias_variance(lambda p, f: ((p.mean(0) - f) ** 2, p.var(0)))
    assert not arrays and "one number" in str(arrays)


# -- loss-curve signals -----------------------------------------------------
def _signals(tr, va):
    tr, va = np.asarray(tr), np.asarray(va)
    return int(np.argmin(va)), float(va[-1] - tr[-1])


def test_overfit_signals_reference_passes():
    fb = check_overfit_signals(_signals)
    assert fb.passed, str(fb)


def test_overfit_signals_mistakes():
    one_based = check_overfit_signals(lambda tr, va: (_signals(tr, va)[0] + 1, _signals(tr, va)[1]))
    assert not one_based and "from 0" in str(one_based)
    train_min = check_overfit_signals(lambda tr, va: (int(np.argmin(tr)), _signals(tr, va)[1]))
    assert not train_min and "VALIDATION" in str(train_min)
    sign = check_overfit_signals(lambda tr, va: (_signals(tr, va)[0], -_signals(tr, va)[1]))
    assert not sign and "validation minus training" in str(sign)

    def at_best(tr, va):
        e = int(np.argmin(va))
        return e, va[e] - tr[e]
    best = check_overfit_signals(at_best)
    assert not best and "LAST epoch" in str(best)


def test_overfit_signals_untouched_stub():
    fb = check_overfit_signals(lambda tr, va: (0, 0.0))
    assert not fb and "stub" in str(fb)


def test_overfit_signals_list_only_code_is_caught_on_arrays():
    # va[-1] - tr[-1] works on lists and arrays; list.index does not exist on arrays
    fb = check_overfit_signals(lambda tr, va: (list(va).index(min(va)), va[-1] - tr[-1]))
    assert fb.passed, str(fb)
    bad = check_overfit_signals(lambda tr, va: (va.index(min(va)), va[-1] - tr[-1]))
    assert not bad and "raised" in str(bad)
