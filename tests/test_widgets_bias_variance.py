"""Dashboards of notebooks 00 and 01, headless: set a control, read the state."""
import pytest

pytest.importorskip("ipywidgets")

from regkit.course.widgets.bias_variance import bias_variance_dashboard  # noqa: E402
from regkit.course.widgets.start_here import hello_dashboard  # noqa: E402


@pytest.fixture(scope="module")
def dash():
    return bias_variance_dashboard(degree=3, n_train=30, n_sets=60, precompute=False)


def test_initial_state(dash):
    r, curve = dash.state["result"]
    assert dash.state["error"] is None
    assert r["degree"] == 3 and r["x_train"].shape == (60, 30)
    assert list(curve["degree"]) == list(range(16))
    assert "measured test error" in dash.state["text"]


def test_degree_slider_raises_variance_and_keeps_the_training_sets(dash):
    before = dash.state["result"][0]
    dash.controls["degree"].value = 12
    after = dash.state["result"][0]
    assert dash.state["error"] is None and after["degree"] == 12
    assert after["variance"] > 10 * before["variance"]
    # only the degree changed: the same draws of training sets
    assert (after["x_train"] == before["x_train"]).all()
    dash.controls["degree"].value = 3


def test_degree_one_has_more_bias_than_degree_three(dash):
    three = dash.state["result"][0]
    dash.controls["degree"].value = 1
    one = dash.state["result"][0]
    assert one["bias2"] > 10 * three["bias2"]
    dash.controls["degree"].value = 3


def test_more_training_points_lower_the_variance(dash):
    dash.set(degree=6, n_train=20)
    few = dash.state["result"][0]["variance"]
    dash.controls["n_train"].value = 150
    assert dash.controls["n_train"].value == 150        # a position of the slider
    many = dash.state["result"][0]
    assert many["x_train"].shape[1] == 150
    assert many["variance"] < few / 5


def test_going_back_is_a_cache_hit(dash):
    dash.set(degree=2, n_train=40)
    hits = dash.state["cache_hits"]
    dash.set(degree=5)
    dash.set(degree=2)
    assert dash.state["cache_hits"] == hits + 1


def test_hello_dashboard_reacts():
    d = hello_dashboard(n_points=20, noise=0.3)
    x, y = d.state["result"]
    assert x.shape == (20, 1) and d.state["error"] is None
    d.controls["n_points"].value = 50
    assert d.state["result"][0].shape == (50, 1)
    d.controls["noise"].value = 0.0
    x, y = d.state["result"]
    import numpy as np
    np.testing.assert_allclose(y, np.sin(np.pi * x), atol=1e-6)  # no noise: on the curve
