"""Notebook 02's dashboards, headless: set a control, read the state."""
import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import regkit as rk  # noqa: E402
from regkit.course.experiments.sparsity import sparse_sweep  # noqa: E402
from regkit.course.widgets.l1_l2 import geometry_dashboard, sparse_dashboard  # noqa: E402


def test_geometry_larger_lambda_shrinks_both_and_l1_hits_zero():
    d = geometry_dashboard(lam=0.05)
    small = d.state["result"]
    assert d.state["error"] is None
    assert np.all(small["L1"] != 0) and "no zero yet" in d.state["text"]
    d.controls["lam"].value = 1.0
    big = d.state["result"]
    assert d.state["error"] is None and d.state["computes"] == 2
    assert np.abs(big["L1"]).sum() < np.abs(small["L1"]).sum()
    assert np.linalg.norm(big["L2"]) < np.linalg.norm(small["L2"])
    assert np.sum(big["L1"] == 0.0) == 1 and np.all(big["L2"] != 0)
    assert "exactly 0" in d.state["text"]
    assert big["first_zero"] < 1.0
    d.controls["lam"].value = 0.05                        # back: from the cache
    assert d.state["cache_hits"] == 1


@pytest.fixture(scope="module")
def small_grid():
    data = rk.datasets.sparse_features(n_samples=300, n_features=20, n_informative=3,
                                       random_state=1)
    lams = 10.0 ** np.array([-3.0, -2.0, -1.0])
    return sparse_sweep(data, lams, penalties=("L2", "L1 prox"), epochs=30,
                        batch_size=len(data.x_train), lr=1.0)


def test_sparse_dashboard_lambda_and_penalty(small_grid):
    d = sparse_dashboard(small_grid, penalty="L2", lam=1e-3)
    assert d.state["error"] is None
    weak = d.state["result"]
    assert weak["index"] == 0 and weak["penalty"] == "L2"
    d.controls["lam"].value = 0.1
    strong = d.state["result"]
    assert strong["index"] == 2 and d.state["error"] is None
    assert strong["weight_norm"] < weak["weight_norm"]
    d.controls["penalty"].value = "L1 prox"
    prox = d.state["result"]
    assert prox["penalty"] == "L1 prox" and prox["zero_share"] > strong["zero_share"]
    assert "unused" in d.state["text"]


def test_sparse_dashboard_snaps_to_grid_and_validates(small_grid):
    d = sparse_dashboard(small_grid, penalty="L1 prox", lam=0.012)
    assert d.state["result"]["index"] == 1
    with pytest.raises(ValueError, match="penalty"):
        sparse_dashboard(small_grid, penalty="L3")
    bad = dict(small_grid, lams=np.array([1e-3, 2e-3, 1e-1]))
    with pytest.raises(ValueError, match="evenly spaced"):
        sparse_dashboard(bad)
