"""EarlyStopping and ModelCheckpoint, tested the way Keras tests its callback:
fixed sequences of monitored values through a dummy model whose "weights"
are the epoch they were taken at, asserting the exact stopping epoch and
which epoch's weights came back."""
import math
import os

import numpy as np
import pytest

import regkit as rk
from regkit.callbacks import Callback, EarlyStopping, ModelCheckpoint
from regkit.layers import Dense
from regkit.network import Sequential, load


class EpochModel:
    """A stand-in model: its only weight is the epoch it was last set to."""

    def __init__(self):
        self.epoch = -1

    def state_dict(self):
        return {"epoch": np.array(self.epoch)}

    def load_state_dict(self, d):
        self.epoch = int(d["epoch"])


def run(cb, values, monitor="val_loss", model=None):
    """Drive a callback like rk.fit does, recording in the History what fit
    records. Returns (epochs trained, model, history)."""
    model = model or EpochModel()
    hist = rk.History()
    cb.on_train_begin(model, hist)
    trained = 0
    for epoch, value in enumerate(values):
        trained += 1
        model.epoch = epoch            # "training" this epoch
        if cb.on_epoch_end(epoch, {monitor: value}, model):
            hist.stopped_epoch = epoch
            break
    hist.restored_epoch = cb.on_train_end(model, hist)
    return trained, model, hist


# -- EarlyStopping: stopping epoch ----------------------------------------------
@pytest.mark.parametrize("patience", [0, 1, 2, 3])
def test_patience_stopping_epoch_matches_keras(patience):
    # Keras' own case: the best is epoch 2, and the first epoch never stops.
    losses = [10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5]
    stop = EarlyStopping(monitor="train_loss", patience=patience)
    run(stop, losses, monitor="train_loss")
    assert stop.stopped_epoch == max(patience, 1) + 2
    assert stop.best_epoch == 2 and stop.best == 8.0


def test_restores_best_weights_after_stopping():
    losses = [0.2, 0.15, 0.1, 0.11, 0.12]
    trained, model, hist = run(EarlyStopping(patience=2), losses)
    assert trained == 5 and hist.stopped_epoch == 4
    assert model.epoch == 2
    assert hist.restored_epoch == hist.best_epoch == 2


def test_on_train_end_returns_the_restored_epoch_and_leaves_the_history_alone():
    stop = EarlyStopping(patience=1)
    model, hist = EpochModel(), rk.History()
    stop.on_train_begin(model, hist)
    for epoch, value in enumerate([0.3, 0.1, 0.2, 0.4]):
        model.epoch = epoch
        if stop.on_epoch_end(epoch, {"val_loss": value}, model):
            break
    assert stop.on_train_end(model, hist) == 1 and model.epoch == 1
    assert (hist.stopped_epoch, hist.restored_epoch) == (None, None)   # fit records them
    assert Callback().on_train_end(model, hist) is None


def test_restores_best_weights_when_training_runs_to_the_end():
    losses = [0.5, 0.4, 0.45, 0.47]
    stop = EarlyStopping(patience=10)
    trained, model, hist = run(stop, losses)
    assert trained == 4 and stop.stopped_epoch is None and hist.stopped_epoch is None
    assert model.epoch == 1 and hist.restored_epoch == hist.best_epoch == 1


def test_restore_best_false_keeps_last_weights():
    trained, model, hist = run(EarlyStopping(patience=2, restore_best=False),
                               [0.2, 0.15, 0.1, 0.11, 0.12])
    assert trained == 5 and model.epoch == 4
    assert hist.restored_epoch is None


def test_min_delta_is_absolute_and_strict():
    # 0.75 + 0.25 == 1.0 exactly: a tie with the best is not an improvement.
    losses = [1.0, 0.75, 0.5, 0.25]
    stop = EarlyStopping(patience=1, min_delta=0.25)
    trained, model, _ = run(stop, losses)
    assert stop.stopped_epoch == 1 and model.epoch == 0
    # A smaller delta lets every step count.
    stop = EarlyStopping(patience=1, min_delta=0.125)
    trained, model, _ = run(stop, losses)
    assert stop.stopped_epoch is None and model.epoch == 3
    # Absolute, not relative: 100 -> 99.5 beats a delta of 0.25.
    stop = EarlyStopping(patience=1, min_delta=0.25)
    run(stop, [100.0, 99.5, 99.4])
    assert stop.best_epoch == 1 and stop.stopped_epoch == 2


def test_baseline_never_beaten_stops_after_patience_and_restores_best():
    # Keras' case: nothing beats 0.5, so training lasts `patience` epochs and
    # the best of them (epoch 2) is restored.
    losses = [0.9, 0.8, 0.7, 0.71, 0.72, 0.73]
    stop = EarlyStopping(patience=5, baseline=0.5)
    trained, model, _ = run(stop, losses)
    assert trained == 5 and stop.stopped_epoch == 4 and model.epoch == 2


def test_baseline_beaten_resets_the_wait():
    losses = [0.9, 0.4, 0.3, 0.35, 0.36]
    stop = EarlyStopping(patience=3, baseline=0.5)
    trained, model, _ = run(stop, losses)
    assert trained == 5 and stop.stopped_epoch is None and model.epoch == 2


def test_start_from_epoch_ignores_warm_up():
    losses = [1.0, 2.0, 3.0, 4.0, 0.5, 0.6, 0.7]
    stop = EarlyStopping(patience=2)
    run(stop, losses)
    assert stop.stopped_epoch == 2          # without warm-up: stops on the rise
    stop = EarlyStopping(patience=2, start_from_epoch=3)
    trained, model, _ = run(stop, losses)
    assert stop.stopped_epoch == 6 and model.epoch == 4


def test_mode_max_for_accuracy_and_forced_min():
    accs = [0.5, 0.6, 0.7, 0.65, 0.69, 0.68]
    stop = EarlyStopping(monitor="val_acc", patience=2)       # auto -> max
    trained, model, _ = run(stop, accs, monitor="val_acc")
    assert stop.stopped_epoch == 4 and model.epoch == 2
    stop = EarlyStopping(monitor="val_acc", mode="min", patience=2)
    trained, model, _ = run(stop, accs, monitor="val_acc")
    assert stop.stopped_epoch == 2 and model.epoch == 0


def test_keras_names_are_aliases():
    stop = EarlyStopping(monitor="val_accuracy", patience=1)
    run(stop, [0.5, 0.4], monitor="val_acc")
    assert stop.stopped_epoch == 1 and stop.best == 0.5
    stop = EarlyStopping(monitor="loss", patience=1)
    run(stop, [0.5, 0.6], monitor="train_loss")
    assert stop.stopped_epoch == 1


def test_nan_never_improves():
    stop = EarlyStopping(patience=2)
    trained, model, _ = run(stop, [1.0, math.nan, math.nan, 0.5])
    assert stop.stopped_epoch == 2 and model.epoch == 0


def test_reuse_resets_state():
    stop = EarlyStopping(patience=1)
    run(stop, [0.1, 0.2, 0.3])
    assert stop.stopped_epoch == 1 and stop.best == 0.1
    # A stale best of 0.1 would stop this run at epoch 1 and restore epoch 0.
    trained, model, hist = run(stop, [0.9, 0.8, 0.7])
    assert trained == 3 and stop.stopped_epoch is None and hist.stopped_epoch is None
    assert stop.best == 0.7 and model.epoch == 2


def test_missing_monitor_names_the_fix():
    with pytest.raises(ValueError, match="validation_data"):
        run(EarlyStopping(), [0.1], monitor="train_loss")


@pytest.mark.parametrize("kwargs, err", [
    ({"patience": -1}, ValueError), ({"patience": 1.5}, TypeError),
    ({"min_delta": -0.1}, ValueError), ({"mode": "up"}, ValueError),
    ({"baseline": math.nan}, ValueError), ({"start_from_epoch": -2}, ValueError),
])
def test_bad_arguments(kwargs, err):
    with pytest.raises(err):
        EarlyStopping(**kwargs)


def test_repr_shows_settings():
    r = repr(EarlyStopping(patience=3, min_delta=0.01))
    assert r.startswith("EarlyStopping(") and "patience=3" in r and "min_delta=0.01" in r


def test_base_callback_is_a_no_op():
    cb = Callback()
    trained, model, hist = run(cb, [3.0, 2.0, 1.0])
    assert trained == 3 and model.epoch == 2 and hist.stopped_epoch is None


# -- ModelCheckpoint ------------------------------------------------------------
class FileModel(EpochModel):
    """Writes its epoch as text; `fail` makes save die half way through."""

    fail = False

    def save(self, path):
        with open(path, "w") as fh:
            fh.write("half")
            if self.fail:
                raise OSError("disk full")
            fh.write(f" epoch={self.epoch}")


def test_checkpoint_save_that_fails_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    # ModelCheckpoint calls model.save, which writes through regkit._io.atomic_write
    path = tmp_path / "best.npz"
    model = rk.Sequential(rk.Dense(3, 2, rng=0))
    ckpt = ModelCheckpoint(path, save_best_only=False)
    ckpt.on_train_begin(model, rk.History())
    ckpt.on_epoch_end(0, {"val_loss": 1.0}, model)
    before = path.read_bytes()

    real_open = open

    def failing_open(name, mode="r", *args, **kwargs):
        handle = real_open(name, mode, *args, **kwargs)
        if "w" in mode:
            handle.write(b"half")
            handle.close()
            raise OSError("disk full")
        return handle

    monkeypatch.setattr("regkit.saving.open", failing_open, raising=False)
    model.layers[0].W.data += 1.0
    with pytest.raises(OSError, match="disk full"):
        ckpt.on_epoch_end(1, {"val_loss": 0.5}, model)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["best.npz"]         # no temporary left


def test_checkpoint_saves_only_improvements(tmp_path):
    path = tmp_path / "ckpt.npz"
    ckpt = ModelCheckpoint(path)
    run(ckpt, [0.5, 0.4, 0.45, 0.3, 0.35], model=FileModel())
    assert ckpt.saved_epochs == [0, 1, 3] and ckpt.best_epoch == 3
    assert path.read_text() == "half epoch=3"
    every = ModelCheckpoint(tmp_path / "all.npz", save_best_only=False)
    run(every, [0.5, 0.6], model=FileModel())
    assert every.saved_epochs == [0, 1]


def test_checkpoint_refuses_to_overwrite_a_foreign_file(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("my thesis")
    with pytest.raises(FileExistsError, match="is not a regkit model; refusing to overwrite") \
            as err:
        run(ModelCheckpoint(path), [0.5], model=FileModel())
    assert "ModelCheckpoint" in str(err.value) and "notes.npz" in str(err.value)
    assert path.read_text() == "my thesis"
    with pytest.raises(IsADirectoryError, match="directory"):
        run(ModelCheckpoint(tmp_path), [0.5], model=FileModel())


def test_checkpoint_of_a_real_model_round_trips(tmp_path):
    model = Sequential(Dense(3, 2, rng=0))
    path = tmp_path / "best.npz"
    ckpt = ModelCheckpoint(path)
    ckpt.on_train_begin(model, rk.History())
    ckpt.on_epoch_end(0, {"val_loss": 1.0}, model)
    saved = model.layers[0].W.data.copy()
    model.layers[0].W.data = saved + 1.0
    ckpt.on_epoch_end(1, {"val_loss": 2.0}, model)      # worse: not written
    np.testing.assert_array_equal(load(path).layers[0].W.data, saved)
    # Its own file may be overwritten by the next fit.
    ModelCheckpoint(path).on_train_begin(model, rk.History())
