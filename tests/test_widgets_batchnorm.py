"""The batch-norm dashboard: headless, tiny nets, both controls exercised."""
import pytest

pytest.importorskip("ipywidgets")

import regkit as rk  # noqa: E402
from regkit.course.experiments import batchnorm as exp  # noqa: E402
from regkit.course.widgets.batchnorm import batchnorm_dashboard  # noqa: E402

TINY = {"depth": 3, "width": 16, "epochs": 2, "n_train": 80}


def _has_bn(model):
    return any(isinstance(layer, rk.BatchNorm) for layer in model)


def test_controls_set_lr_and_batch_size_of_both_runs():
    d = batchnorm_dashboard(lr=0.01, batch_size=32, **TINY)
    res = d.state["result"]
    assert d.state["error"] is None, d.state["error"]
    assert not _has_bn(res["plain"]["model"]) and _has_bn(res["bn"]["model"])
    assert res["bn"]["history"].config["lr"] == pytest.approx(0.01)
    d.controls["lr"].value = 1.0
    d.controls["batch_size"].value = 8
    res = d.state["result"]
    for run in res.values():
        assert run["history"].config["lr"] == pytest.approx(1.0)
        assert run["history"].config["batch_size"] == 8
    assert "batch size 8" in d.state["text"]
    d.set(lr=0.01, batch_size=32)
    assert d.state["cache_hits"] >= 1


def test_precomputed_grid_is_used():
    data = exp.deep_data(TINY["n_train"])
    grid = exp.lr_batch_grid([-1.0], [16], data=data, **TINY)
    d = batchnorm_dashboard(grid, lr=0.1, batch_size=16)
    assert d.state["result"] is grid[(-1.0, 16)]
    assert len(grid) == 1


def test_high_learning_rate_fails_without_batch_norm_only():
    data = exp.deep_data(300)
    plain = exp.train_deep(0.3, 32, None, data=data, epochs=6)
    bn = exp.train_deep(0.3, 32, "before", data=data, epochs=6)
    assert exp.final_acc(plain) < 0.4
    assert bn["diverged"] is None and exp.final_acc(bn) > 0.7


def test_divergence_is_recorded_not_raised():
    run = exp.train_deep(30.0, 32, None, data=exp.deep_data(100), depth=6, epochs=3)
    assert run["diverged"] is not None and exp.final_acc(run) == 0.1


def test_running_stats_trace_approaches_the_data():
    tr = exp.running_stats_trace(momenta=(0.9,), steps=100)
    assert abs(tr[0.9]["mean"][-1] - 5.0) < 0.5 and abs(tr[0.9]["mean"][0] - 5.0) > 4.0
    assert abs(tr[0.9]["var"][-1] - 4.0) < 1.0


def test_placement_argument():
    assert sum(isinstance(m, rk.BatchNorm) for m in exp.deep_mlp(depth=4, batchnorm="after")) == 3
    with pytest.raises(ValueError, match="batchnorm"):
        exp.deep_mlp(batchnorm="middle")
