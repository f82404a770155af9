"""Augmentation: gallery rows, the strength grid, both dashboards headless."""
import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from regkit.course.experiments import augmentation as exp  # noqa: E402
from regkit.course.plots import augmentation as plots  # noqa: E402
from regkit.course.widgets.augmentation import gallery_dashboard, strength_dashboard  # noqa: E402

TINY = {"epochs": 3, "width": 16}


@pytest.fixture(scope="module")
def images():
    return exp.load().x_train[:8]


@pytest.fixture(scope="module")
def grid():
    return exp.strength_grid({"rotate": (0.0, 10.0, 30.0), "shift": (0, 1)}, **TINY)


def test_mosaic_places_tiles_with_gaps():
    a = np.ones((2, 3, 3))
    m = plots.mosaic([a, 2 * a[:1]], gap=1)
    assert m.shape == (7, 7)
    assert m[0, 0] == 1 and m[4, 0] == 2 and np.isnan(m[3, 0]) and np.isnan(m[4, 4])


def test_transform_and_label():
    assert exp.label("rotate", 15.0) == "rotate(degrees=15)"
    x = exp.load().x_train[:4]
    np.testing.assert_array_equal(exp.transform("shift", 0)(x, rng=0), x)
    with pytest.raises(ValueError, match="transform"):
        exp.transform("flip", 1)


def test_field_sets_are_fixed_moves_of_the_images():
    d = exp.load()
    field = exp.field_sets(d.x_val[:6], d.y_val[:6])
    moved, y = field["moved 1 px"]
    np.testing.assert_array_equal(moved[:, 1:, 1:], d.x_val[:6, :-1, :-1])
    assert np.all(moved[:, 0, :] == 0) and np.array_equal(y, d.y_val[:6])
    again = exp.field_sets(d.x_val[:6], d.y_val[:6])["tilted 15°"][0]
    np.testing.assert_array_equal(field["tilted 15°"][0], again)
    assert not np.allclose(again, d.x_val[:6])


def test_grid_shares_the_plain_run_and_trains_the_augmented(grid):
    assert grid[("rotate", 0.0)] is grid[("shift", 0)]
    assert grid[("rotate", 10.0)]["history"].config["augment"]
    assert not grid[("rotate", 0.0)]["history"].config["augment"]
    assert set(grid[("shift", 1)]["field"]) == {"tilted 15°", "moved 1 px"}


def test_gallery_sliders_change_only_their_row(images):
    d = gallery_dashboard(images)
    assert d.state["error"] is None, d.state["error"]
    rows = d.state["result"]["rows"]
    d.set(rotate=60.0)
    new = d.state["result"]["rows"]
    names = list(exp.SLIDERS)
    k = 1 + names.index("rotate")
    assert not np.allclose(rows[k], new[k])
    for i in range(len(rows)):
        if i != k:
            np.testing.assert_array_equal(rows[i], new[i])
    assert d.state["result"]["labels"][k] == "rotate(degrees=60)"
    d.set(rotate=0.0)
    np.testing.assert_array_equal(d.state["result"]["rows"][k], images)   # zero = identity
    with pytest.raises(ValueError, match="unknown transform"):
        gallery_dashboard(images, strengths={"flip": 1})


def test_strength_dashboard_follows_the_transform(grid, images):
    d = strength_dashboard(grid, images)
    assert d.values == {"name": "rotate", "strength": 10.0}
    assert d.state["result"] is grid[("rotate", 10.0)]
    d.controls["name"].value = "shift"
    assert d.state["error"] is None, d.state["error"]
    assert d.values == {"name": "shift", "strength": 1}       # same position, shift's values
    assert d.state["result"] is grid[("shift", 1)]
    assert "shift(pixels=1)" in d.state["text"]
    d.set(name="rotate", strength=30.0)
    assert d.state["result"] is grid[("rotate", 30.0)]
    n = len(grid)
    d.set(name="rotate", strength=10.0)
    assert d.state["cache_hits"] >= 1 and len(grid) == n       # nothing retrained
    with pytest.raises(ValueError, match="name"):
        strength_dashboard(grid, images, name="zoom")


def test_missing_combination_is_trained_on_the_spot(images, monkeypatch):
    small = exp.strength_grid({"rotate": (0.0, 10.0)}, **TINY)
    monkeypatch.setattr(exp, "CFG", {**exp.CFG, **TINY})
    d = strength_dashboard(small, images)
    d.compute(name="rotate", strength=20.0)
    assert ("rotate", 20.0) in small
