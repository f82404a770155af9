"""Early stopping: the replay agrees with rk.EarlyStopping; the dashboard reacts."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import regkit as rk
from regkit.course.experiments import early_stopping as exp


class _Model:
    """Stand-in whose weights are the epoch they were taken at."""

    def __init__(self):
        self.epoch, self.loaded = None, None

    def state_dict(self):
        return {"epoch": self.epoch}

    def load_state_dict(self, state):
        self.loaded = state["epoch"]


def _drive(values, **kw):
    cb, model = rk.EarlyStopping(**kw), _Model()
    cb.on_train_begin(model, None)
    stopped = None
    for epoch, v in enumerate(values):
        model.epoch = epoch
        if cb.on_epoch_end(epoch, {"val_loss": v, "val_acc": v}, model):
            stopped = epoch
            break
    cb.on_train_end(model, None)
    return stopped, model.loaded


@settings(deadline=None, max_examples=60)
@given(values=st.lists(st.sampled_from([0.5, 0.75, 1.0, 1.25, 1.5, 2.0]), min_size=1,
                       max_size=25),
       patience=st.integers(0, 6), min_delta=st.sampled_from([0.0, 0.25, 0.5]),
       start=st.integers(0, 3), baseline=st.sampled_from([None, 0.75, 1.25]),
       mode=st.sampled_from(["min", "max"]))
def test_replay_matches_regkit_earlystopping(values, patience, min_delta, start, baseline, mode):
    monitor = "val_loss" if mode == "min" else "val_acc"
    got = exp.replay(values, patience, min_delta, mode=mode, start_from_epoch=start,
                       baseline=baseline)
    want = _drive(values, monitor=monitor, mode=mode, patience=patience, min_delta=min_delta,
                  start_from_epoch=start, baseline=baseline)
    assert (got.stopped_epoch, got.best_epoch) == want
    assert len(got.wait) == (len(values) if got.stopped_epoch is None else got.stopped_epoch + 1)


def test_replay_chapter_example_and_counter():
    values = [1.0 - 0.04 * t for t in range(15)] + [0.44 + 0.01 * t for t in range(1, 16)]
    stop = exp.replay(values, 10)
    assert (stop.stopped_epoch, stop.best_epoch) == (24, 14)
    assert stop.wait[14] == 0 and stop.wait[24] == 10
    with pytest.raises(ValueError, match="mode"):
        exp.replay(values, 3, mode="auto")


def test_noisy_labels_changes_exactly_the_fraction():
    y = np.arange(100) % 10
    noisy = exp.noisy_labels(y, 0.2, 10, rng=0)
    assert np.sum(noisy != y) == 20 and noisy.dtype == y.dtype
    assert np.array_equal(y, np.arange(100) % 10)          # input untouched


@pytest.fixture(scope="module")
def run():
    return exp.record_run(epochs=25, width=32, n_train=60, lr=1e-2)   # overfits by epoch 9


def test_recorded_states_rebuild_each_epoch(run):
    assert len(run["states"]) == 25 == len(run["test_acc"]) == len(run["weight_norm"])
    model, data = run["model"], run["data"]
    model.load_state_dict(run["states"][7])
    acc = np.mean(model.predict(data.x_test).argmax(axis=1) == data.y_test)
    assert acc == run["test_acc"][7]
    assert run["weight_norm"][-1] > run["weight_norm"][0]   # weights grow with training
    assert not np.array_equal(run["states"][0]["0.W"], run["states"][-1]["0.W"])


def test_fit_with_earlystopping_restores_the_recorded_best(run):
    data, cfg = run["data"], run["config"]
    model = exp.wide_mlp(64, 10, cfg["width"], 0)
    stop = rk.EarlyStopping(patience=3)
    h = rk.fit(model, data.x_train, run["y_train"], loss=rk.SoftmaxCrossEntropy(),
               optimizer=rk.Adam(model.parameters(), lr=cfg["lr"]), epochs=cfg["epochs"],
               batch_size=cfg["batch_size"], validation_data=(data.x_val, data.y_val),
               callbacks=[stop], rng=0, progress=False)
    want = exp.replay(run["history"].val_loss, 3)
    assert h.stopped_epoch == want.stopped_epoch and h.best_epoch == want.best_epoch
    np.testing.assert_array_equal(model.state_dict()["0.W"], run["states"][want.best_epoch]["0.W"])


def test_dashboard_moves_the_stop(run):
    pytest.importorskip("ipywidgets")
    from regkit.course.widgets.early_stopping import early_stopping_dashboard
    d = early_stopping_dashboard(run, patience=1)
    assert d.state["error"] is None, d.state["error"]
    first = d.state["result"]["stop"]
    d.set(patience=20)
    later = d.state["result"]["stop"]
    assert d.state["error"] is None, d.state["error"]
    assert later.stopped_epoch is None or later.stopped_epoch > first.stopped_epoch
    assert d.state["result"]["val_acc"] == run["history"].val_acc[later.best_epoch]
    assert "test" not in d.state["text"]          # the test set stays out of the choice
    d.set(patience=1, min_delta=0.03)
    assert first.stopped_epoch is not None
    assert d.state["result"]["stop"].stopped_epoch <= first.stopped_epoch
    d.set(patience=1, min_delta=0.0)
    assert d.state["cache_hits"] == 1
    assert "restores epoch" in d.state["text"]
    with pytest.raises(ValueError, match="min_delta"):
        early_stopping_dashboard(run, min_delta=0.5)
