"""The four dashboards of notebook 07, headless, on tiny configurations."""
import math

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("scipy")

import regkit as rk  # noqa: E402
from regkit.course.experiments.calibration import expected_calibration_error  # noqa: E402
from regkit.course.experiments import other_techniques as exp  # noqa: E402
from regkit.course.widgets.other_techniques import (clipping_dashboard, maxnorm_dashboard,  # noqa: E402
                                             mixup_dashboard, smoothing_dashboard)

TINY_SMOOTH = {"n_train": 100, "width": 16, "epochs": 15}
TINY_MIX = {"n_samples": 120, "n_train": 40, "width": 16, "epochs": 5}
TINY_MAX = {"n_train": 60, "width": 16, "epochs": 3}


def test_smoothing_slider_lowers_confidence_and_reports_ece():
    d = smoothing_dashboard(eps=0.0, **TINY_SMOOTH)
    assert d.state["error"] is None, d.state["error"]
    sharp = d.state["result"]
    d.controls["eps"].value = 0.3
    assert d.state["error"] is None, d.state["error"]
    soft = d.state["result"]
    assert soft["confidence"] < sharp["confidence"]
    assert soft["ece"] == pytest.approx(expected_calibration_error(soft["probs"],
                                                                   soft["data"].y_val))
    assert "keeps 0.730" in d.state["text"] and "ECE" in d.state["text"]
    d.controls["eps"].value = 0.0
    assert d.state["cache_hits"] == 1 and d.state["computes"] == 2


def test_smoothing_uses_a_precomputed_grid():
    grid = exp.smoothing_grid((0.0, 0.1), **TINY_SMOOTH)
    d = smoothing_dashboard(grid, eps=0.1)
    assert d.state["result"] is grid[0.1]
    d.set(eps=0.0)
    assert d.state["result"] is grid[0.0] and len(grid) == 2


def test_mixup_slider_trains_with_alpha_and_keeps_the_baseline():
    d = mixup_dashboard(alpha=0.0, **TINY_MIX)
    assert d.state["error"] is None, d.state["error"]
    run, base = d.state["result"]
    assert run is base                                    # alpha = 0 is the baseline
    assert run["history"].config["mixup_alpha"] == 0.0
    d.set(alpha=0.4)
    assert d.state["error"] is None, d.state["error"]
    run, base2 = d.state["result"]
    assert base2 is base and run["history"].config["mixup_alpha"] == 0.4
    assert "Beta(0.4, 0.4)" in d.state["text"]


def test_mean_distance_from_a_real_sample_grows_with_alpha():
    from regkit.course.widgets.other_techniques import _mean_min_lam
    values = [_mean_min_lam(a) for a in (0.1, 1.0, 10.0)]
    assert values[0] < values[1] < values[2] < 0.5
    assert values[1] == pytest.approx(0.25)               # uniform: E[min(l, 1-l)] = 1/4


def test_clipping_switch_and_threshold():
    d = clipping_dashboard(threshold=1.0, epochs=8)
    assert d.state["error"] is None, d.state["error"]
    calm = d.state["result"]
    assert calm["diverged_at"] is None and calm["clipped"] > 0
    d.set(clip=False)
    wild = d.state["result"]
    assert wild["threshold"] is None and wild["diverged_at"] is not None
    assert "NaN/inf" in d.state["text"]
    d.set(clip=True, threshold=1000.0)
    loose = d.state["result"]
    # the new threshold reached the run; how often a norm passes 1000 is
    # chaotic (it differs from CPU to CPU), so only its bookkeeping is checked
    assert loose["threshold"] == 1000.0
    assert loose["clipped"] == pytest.approx(np.mean(loose["grad_norm"] > 1000.0))
    assert not np.array_equal(loose["step_loss"][:len(calm["step_loss"])],
                              calm["step_loss"][:len(loose["step_loss"])])


def test_train_clipped_records_norm_before_clipping_and_xavier_is_calm():
    run = exp.train_clipped(1.0, epochs=2)
    # the recorded norms are the raw ones: some exceed the threshold
    assert run["grad_norm"].max() > 1.0
    assert len(run["grad_norm"]) == len(run["step_loss"]) == 2 * 6
    calm = exp.train_clipped(None, init="xavier", epochs=10)
    assert calm["diverged_at"] is None and np.isfinite(calm["val_loss"])


def test_maxnorm_slider_bounds_the_column_norms():
    d = maxnorm_dashboard(c=0.5, **TINY_MAX)
    assert d.state["error"] is None, d.state["error"]
    assert d.state["result"]["norms"].max() <= 0.5 * (1 + 1e-5)
    d.set(c=math.inf)                                     # the slider's "off"
    free = d.state["result"]
    assert free["c"] is None and free["norms"].max() > 0.5
    assert "no constraint" in d.state["text"]
    dense = [layer for layer in free["model"] if isinstance(layer, rk.Dense)]
    assert len(dense) == 3


def test_clip_seeds_and_summary_count_the_diverged_runs():
    runs = exp.clip_seeds((None, 1.0), seeds=(0, 1), epochs=8)
    assert set(runs) == {None, 1.0} and all(len(r) == 2 for r in runs.values())
    assert runs[1.0][0]["step_loss"].tolist() == exp.train_clipped(1.0, epochs=8)["step_loss"].tolist()
    wild, calm = exp.clip_summary(runs[None]), exp.clip_summary(runs[1.0])
    assert wild["n"] == 2 and wild["diverged"] >= 1
    assert len(wild["diverged_at"]) == wild["diverged"]
    assert calm["diverged"] == 0 and len(calm["finished_val"]) == 2
    assert calm["median_val"] == np.median(calm["finished_val"]) and 0 < calm["median_clipped"] <= 1
    nothing = exp.clip_summary([r for r in runs[None] if r["diverged_at"] is not None])
    assert math.isnan(nothing["median_val"]) and nothing["finished_val"] == []
