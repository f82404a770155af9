"""The detector checkers accept the reference answers and name typical mistakes."""
import numpy as np

from regkit.course.exercises.detector import (check_classify_run, check_gap_at_best,
                                       reference_classify_run, reference_gap_at_best)
from exercise_helpers import assert_rejects


def _rejects(checker, fn, *words):
    return assert_rejects(checker(fn), *words)


def test_reference_answers_pass():
    for checker, fn in ((check_classify_run, reference_classify_run),
                        (check_gap_at_best, reference_gap_at_best)):
        fb = checker(fn)
        assert fb.passed, str(fb)
        assert "passed" in str(fb)


def test_reference_classify_run_matches_the_detector():
    import regkit as rk
    # the chapter's two examples as flat 30-epoch curves: the detector agrees
    for train, val, want in ((0.99, 0.85, "overfitting"), (0.65, 0.63, "underfitting")):
        log = {"accuracy": [train] * 30, "val_accuracy": [val] * 30}
        assert rk.diagnose(log).verdict == want == reference_classify_run(train, val)


def test_classify_run_mistakes():
    _rejects(check_classify_run, lambda t, v: "good fit" if v - t <= 0.10 else "overfitting"
             if t >= 0.8 else "underfitting", "reversed")

    def gap_first(t, v):
        if t - v > 0.10:
            return "overfitting"
        return "underfitting" if t < 0.8 else "good fit"
    _rejects(check_classify_run, gap_first, "training level first")

    def absolute(t, v):
        if t < 0.8:
            return "underfitting"
        return "overfitting" if abs(t - v) > 0.10 else "good fit"
    _rejects(check_classify_run, absolute, "absolute value")

    def tight(t, v):
        if t < 0.8:
            return "underfitting"
        return "overfitting" if t - v > 0.05 else "good fit"
    _rejects(check_classify_run, tight, "0.97, 0.9", "expected 'good fit'")
    _rejects(check_classify_run, lambda t, v: "overfit", "return one of")
    _rejects(check_classify_run, lambda t, v: None, "return one of")


def test_gap_at_best_mistakes():
    _rejects(check_gap_at_best, lambda vl, ta, va: (len(vl) - 1, ta[-1] - va[-1]),
             "last epoch")
    _rejects(check_gap_at_best, lambda vl, ta, va: (
        int(np.argmax(va)), ta[int(np.argmax(va))] - va[int(np.argmax(va))]),
        "validation accuracy")
    _rejects(check_gap_at_best, lambda vl, ta, va: (int(np.argmin(vl)) + 1, 0.0), "off by one")
    _rejects(check_gap_at_best, lambda vl, ta, va: (
        int(np.argmin(vl)), va[int(np.argmin(vl))] - ta[int(np.argmin(vl))]), "wrong sign")
    _rejects(check_gap_at_best, lambda vl, ta, va: (int(np.argmin(vl)), ta[-1] - va[-1]),
             "last epoch")
    _rejects(check_gap_at_best, lambda vl, ta, va: int(np.argmin(vl)), "pair")

    def sorts(vl, ta, va):
        vl.sort()
        return 0, 0.0
    _rejects(check_gap_at_best, sorts, "best_epoch = 0")

    def in_place(vl, ta, va):
        best = int(np.argmin(vl))
        gap = ta[best] - va[best]
        vl[0] = 0.0
        return best, gap
    _rejects(check_gap_at_best, in_place, "changed the curves")


def test_stub_is_reported_not_raised():
    def stub(*args):
        raise NotImplementedError
    assert "not implemented" in str(check_gap_at_best(stub))
    assert "not implemented" in str(check_classify_run(stub))
