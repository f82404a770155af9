"""The early-stopping checker accepts the Keras rule and names typical mistakes."""
import math

from regkit.course.exercises.early_stopping import CASES, check_early_stopping, drive, expected
import regkit as rk
from exercise_helpers import assert_rejects


class Reference:
    """The rule written out plainly (what a learner should arrive at)."""

    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta

    def on_train_begin(self, model, history):
        self.best, self.wait, self.best_weights = math.inf, 0, None

    def on_epoch_end(self, epoch, logs, model):
        value = logs["val_loss"]
        if value + self.min_delta < self.best:
            self.best, self.wait = value, 0
            self.best_weights = model.state_dict()
            return False
        self.wait += 1
        return self.wait >= self.patience

    def on_train_end(self, model, history):
        if self.best_weights is not None:
            model.load_state_dict(self.best_weights)


def _variant(**overrides):
    """A subclass of Reference with some methods replaced (one mistake each)."""
    return type("Variant", (Reference,), overrides)


def _rejects(cls, *words):
    return assert_rejects(check_early_stopping(cls), *words)


def test_reference_and_regkit_pass():
    assert check_early_stopping(Reference).passed
    fb = check_early_stopping(lambda p, d: rk.EarlyStopping(patience=p, min_delta=d))
    assert fb.passed, str(fb)
    assert "passed" in str(fb)


def test_expected_values_are_the_hand_computed_ones():
    # worked by hand from the rule (see the sequences in the checker module)
    assert expected("chapter") == (24, 14)
    assert expected("resets") == (9, 6)
    assert expected("ties") == (4, 1)
    assert expected("min_delta") == (6, 3)
    assert expected("to_the_end") == (None, 2)
    assert drive(Reference(*CASES["ties"][1:]), CASES["ties"][0]) == (4, 1)


def test_off_by_one_patience():
    def late(self, epoch, logs, model):
        value = logs["val_loss"]
        if value + self.min_delta < self.best:
            self.best, self.wait, self.best_weights = value, 0, model.state_dict()
            return False
        self.wait += 1
        return self.wait > self.patience
    _rejects(_variant(on_epoch_end=late), "too late", ">=")


def test_no_return_never_stops():
    def silent(self, epoch, logs, model):
        Reference.on_epoch_end(self, epoch, logs, model)
    _rejects(_variant(on_epoch_end=silent), "return True")


def test_counter_not_reset():
    def no_reset(self, epoch, logs, model):
        value = logs["val_loss"]
        if value + self.min_delta < self.best:
            self.best, self.best_weights = value, model.state_dict()
            return False
        self.wait += 1
        return self.wait >= self.patience
    _rejects(_variant(on_epoch_end=no_reset), "not reset")


def test_tie_counted_as_improvement():
    def non_strict(self, epoch, logs, model):
        value = logs["val_loss"]
        if value + self.min_delta <= self.best:
            self.best, self.wait, self.best_weights = value, 0, model.state_dict()
            return False
        self.wait += 1
        return self.wait >= self.patience
    _rejects(_variant(on_epoch_end=non_strict), "strict", "plateau")


def test_min_delta_ignored():
    def ignores(self, epoch, logs, model):
        value = logs["val_loss"]
        if value < self.best:
            self.best, self.wait, self.best_weights = value, 0, model.state_dict()
            return False
        self.wait += 1
        return self.wait >= self.patience
    _rejects(_variant(on_epoch_end=ignores), "min_delta was not applied")


def test_not_restoring_or_restoring_the_last():
    _rejects(_variant(on_train_end=lambda self, model, history: None), "did not put any weights back")

    def keeps_last(self, epoch, logs, model):
        self.best_weights = model.state_dict()          # saved every epoch
        value = logs["val_loss"]
        if value + self.min_delta < self.best:
            self.best, self.wait = value, 0
            return False
        self.wait += 1
        return self.wait >= self.patience
    _rejects(_variant(on_epoch_end=keeps_last), "restored the weights of epoch 24")


def test_restores_only_after_an_early_stop():
    def only_if_stopped(self, model, history):
        if self.wait >= self.patience:
            model.load_state_dict(self.best_weights)
    _rejects(_variant(on_train_end=only_if_stopped), "runs to the last epoch")


def test_state_kept_between_fits():
    class Sticky(Reference):
        def __init__(self, patience, min_delta=0.0):
            super().__init__(patience, min_delta)
            Reference.on_train_begin(self, None, None)

        def on_train_begin(self, model, history):
            pass
    _rejects(Sticky, "on_train_begin")


def test_stub_and_crash():
    class Stub:
        def __init__(self, patience, min_delta=0.0):
            pass

        def on_train_begin(self, model, history):
            pass

        def on_epoch_end(self, epoch, logs, model):
            return False

        def on_train_end(self, model, history):
            pass
    _rejects(Stub, "never stopped")

    class Crash(Stub):
        def on_epoch_end(self, epoch, logs, model):
            return logs["loss"] > 1
    _rejects(Crash, "raised KeyError")
