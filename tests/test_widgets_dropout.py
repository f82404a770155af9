"""The dropout dashboard: headless, tiny nets, every control exercised."""
import pytest

pytest.importorskip("ipywidgets")

import regkit as rk  # noqa: E402
from regkit.course.experiments import dropout as exp  # noqa: E402
from regkit.course.widgets.dropout import dropout_dashboard  # noqa: E402

TINY_DIGITS = {"width": 24, "epochs": 3, "n_train": 60}
TINY_MOONS = {"width": 12, "epochs": 3, "n_samples": 60}


def _dash(**kw):
    return dropout_dashboard(digits_cfg=TINY_DIGITS, moons_cfg=TINY_MOONS, **kw)


def _dropout_ps(model):
    return [layer.p for layer in model if isinstance(layer, rk.Dropout)]


def test_slider_retrains_with_the_chosen_rate_and_caches():
    d = _dash(p=0.2)
    assert d.state["error"] is None
    assert _dropout_ps(d.state["result"]["digits"]["model"]) == [0.2, 0.2]
    d.controls["p"].value = 0.8
    assert d.state["error"] is None, d.state["error"]
    assert _dropout_ps(d.state["result"]["digits"]["model"]) == [0.8, 0.8]
    assert _dropout_ps(d.state["result"]["moons"]["model"]) == [0.8, 0.8]
    assert "scale the rest by 5.00" in d.state["text"]
    assert d.state["computes"] == 2
    d.controls["p"].value = 0.2
    assert d.state["cache_hits"] == 1 and d.state["computes"] == 2


def test_precomputed_grid_is_used_not_retrained():
    grid = exp.dropout_grid([0.0, 0.5], digits_cfg=TINY_DIGITS, moons_cfg=TINY_MOONS)
    d = dropout_dashboard(grid, p=0.0)
    assert d.state["result"] is grid[0.0]
    d.set(p=0.5)
    assert d.state["result"] is grid[0.5]
    assert len(grid) == 2                      # nothing new was trained


def test_p_zero_has_no_dropout_effect_and_eval_is_deterministic():
    d = _dash(p=0.0)
    model = d.state["result"]["digits"]["model"]
    x = d.state["result"]["digits"]["data"].x_val
    model.train()
    a, b = model.forward(x), model.forward(x)   # p = 0: training mode is deterministic
    assert (a == b).all()


def test_mc_ensemble_converges_to_eval_mode():
    run = exp.train_digits(0.5, **TINY_DIGITS)
    x, y = run["data"].x_val, run["data"].y_val
    r = exp.mc_ensemble(run["model"], x, y, passes=(1, 50))
    assert r["agreement"][1] >= r["agreement"][0]
    assert r["max_prob_gap"][1] < r["max_prob_gap"][0]
    assert not run["model"].training              # left in eval mode


def test_boundary_length_counts_neighbours_on_both_sides():
    import numpy as np
    prob = np.zeros((5, 6))
    prob[:, 3:] = 1.0                      # a straight vertical boundary: 5 crossings
    assert exp.boundary_length({"boundary": (None, None, prob)}) == 5
    prob[2, 1] = 1.0                       # an island of one point adds its 4 edges
    assert exp.boundary_length({"boundary": (None, None, prob)}) == 9
