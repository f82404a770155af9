"""The capstone dashboard: headless, tiny runs, every control exercised."""
import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import regkit as rk  # noqa: E402
from regkit.course.experiments import capstone as exp  # noqa: E402
from regkit.course.widgets.capstone import capstone_dashboard  # noqa: E402

TINY = {"hidden": (16,), "epochs": 4, "batch_size": 16, "patience": 1}


@pytest.fixture(scope="module")
def setup():
    clean, _ = exp.capstone_data(40)
    noisy, _ = exp.capstone_data(40, 0.3)
    comps = {name: exp.run_compare(d, ("none", "dropout", "all"), **TINY)
             for name, d in (("clean", clean), ("noisy", noisy))}
    return comps, {"clean": clean, "noisy": noisy}


def _dash(setup, **kw):
    comps, data = setup
    return capstone_dashboard(comps, data, overrides={"clean": TINY, "noisy": TINY}, **kw)


def _layers(model, kind):
    return [layer for layer in model if isinstance(layer, kind)]


def test_precomputed_runs_are_reused_not_retrained(setup):
    comps, _ = setup
    d = _dash(setup)
    assert d.state["error"] is None, d.state["error"]
    assert d.state["result"]["model"] is comps["clean"].models["none"]
    d.controls["dropout"].value = True
    assert d.state["result"]["model"] is comps["clean"].models["dropout"]
    d.set(batchnorm=True, augmentation=True, l2=True, early_stopping=True)
    assert d.state["result"]["model"] is comps["clean"].models["all"]
    d.controls["labels"].value = "noisy"
    assert d.state["result"]["model"] is comps["noisy"].models["all"]
    assert d.state["computes"] == 4 and d.state["error"] is None


def test_a_new_combination_is_trained_with_those_techniques_and_cached(setup):
    d = _dash(setup)
    d.set(batchnorm=True, l2=True)
    model = d.state["result"]["model"]
    assert _layers(model, rk.BatchNorm) and not _layers(model, rk.Dropout)
    assert all(layer.regularizer is not None for layer in _layers(model, rk.Dense))
    assert d.state["result"]["row"]["technique"] == "batchnorm+l2"
    assert "batchnorm+l2" in d.state["text"] and "prescription" in d.state["text"]
    computes = d.state["computes"]
    d.set(batchnorm=False, l2=False)
    d.set(batchnorm=True, l2=True)
    assert d.state["computes"] == computes and d.state["cache_hits"] == 2   # both cached


def test_early_stopping_box_stops_and_restores(setup):
    d = _dash(setup, on=("early_stopping",))
    h = d.state["result"]["history"]
    assert h.config["early_stopping"] == TINY["patience"]
    d.controls["early_stopping"].value = False
    assert d.state["result"]["history"].config["early_stopping"] is None
    assert d.state["result"]["history"].stopped_epoch is None


def test_train_combo_single_technique_is_compares_run(setup):
    comps, data = setup
    one = exp.train_combo({"dropout"}, data["clean"], **TINY)
    assert np.array_equal(one.histories["dropout"].val_loss,
                          comps["clean"].histories["dropout"].val_loss)


def test_bad_arguments():
    comps = {"clean": None}
    with pytest.raises(ValueError, match="data must name"):
        capstone_dashboard(comps, {})
    with pytest.raises(ValueError, match="unknown technique"):
        exp.train_combo({"mixup"}, None)
    with pytest.raises(ValueError, match="unknown setting"):
        exp.run_compare(None, epoch=3)


def test_flip_labels_changes_the_share_asked_and_never_keeps_a_flipped_label():
    y = np.arange(1000) % 10
    y_noisy, flipped = exp.flip_labels(y, 0.3, rng=0)
    assert abs(flipped.mean() - 0.3) < 0.05
    assert np.all(y_noisy[flipped] != y[flipped]) and np.all(y_noisy[~flipped] == y[~flipped])
    assert np.array_equal(y, np.arange(1000) % 10)          # input untouched
