"""The Dashboard pattern: cache, error display, state, synchronous updates."""
import pytest

pytest.importorskip("ipywidgets")
import matplotlib.pyplot as plt  # noqa: E402

from regkit.course.widgets import Dashboard, log_slider, slider  # noqa: E402


def _dash(calls):
    def compute(a, lam):
        calls.append((a, lam))
        if a == 3:
            raise RuntimeError("boom at a=3")
        return a * lam

    def draw(result, a, lam):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.set_title(f"{result:.3g}")
        return fig

    return Dashboard({"a": slider("a", 1, 0, 5, 1), "lam": log_slider("lam", 1e-2, -4, 0)},
                     compute, draw, describe=lambda r, a, lam: f"r={r:.3g}")


def test_initial_state_computed_once():
    calls = []
    d = _dash(calls)
    assert calls == [(1, pytest.approx(1e-2))]
    assert d.state["result"] == pytest.approx(1e-2)
    assert d.state["text"] == "r=0.01"
    assert d.state["error"] is None


def test_value_change_updates_and_cache_answers_repeat():
    calls = []
    d = _dash(calls)
    d.controls["a"].value = 2
    assert d.state["result"] == pytest.approx(2e-2)
    d.controls["a"].value = 1
    assert d.state["cache_hits"] == 1 and d.state["computes"] == 2
    assert len(calls) == 2


def test_set_updates_once_for_several_controls():
    calls = []
    d = _dash(calls)
    d.set(a=4, lam=0.1)
    assert calls[-1] == (4, pytest.approx(0.1)) and len(calls) == 2
    with pytest.raises(ValueError, match="unknown control"):
        d.set(b=1)


def test_error_is_shown_and_recorded_then_recovers():
    d = _dash([])
    d.controls["a"].value = 3
    assert "boom at a=3" in d.state["error"]
    assert "error" in d.status.value
    d.controls["a"].value = 2
    assert d.state["error"] is None


def test_cached_setting_reuses_the_rendered_image():
    d = _dash([])
    first = d.state["png"]
    assert first.startswith(b"\x89PNG")
    d.controls["a"].value = 2
    assert d.state["png"] != first
    d.controls["a"].value = 1
    assert d.state["png"] is first  # not re-rendered


def test_one_image_widget_shows_the_current_image_and_an_output_the_traceback():
    d = _dash([])
    d.controls["a"].value = 2
    assert d.image.value == d.state["png"] and d.output.outputs == ()
    d.controls["a"].value = 3
    (out,) = d.output.outputs
    assert out["output_type"] == "stream" and "boom at a=3" in out["text"]
    assert d.image.layout.display == "none"          # the traceback in place of the image
    d.controls["a"].value = 1                        # a good setting again (cached)
    assert d.output.outputs == () and d.image.layout.display is None
    assert d.image.value == d.state["png"]
    assert d.frame.children == (d.image, d.output) and d.frame.layout.height == "460px"


def test_status_carries_the_values_as_data():
    import html
    import json
    import re
    d = _dash([])
    d.controls["a"].value = 4
    raw = re.search(r'data-values="([^"]*)"', d.status.value).group(1)
    assert json.loads(html.unescape(raw)) == {"a": "4", "lam": "0.01"}


def test_cycle_collector_is_paused_during_an_update_and_restored_after():
    # a full collection in a kernel with millions of objects can triple an
    # update's time; it is deferred until the new image is shown
    import gc
    seen = []

    def compute(a):
        seen.append(gc.isenabled())
        if a == 2:
            raise RuntimeError("boom")
        return a

    def draw(result, a):
        seen.append(gc.isenabled())
        return plt.subplots(figsize=(1, 1))[0]

    assert gc.isenabled()
    d = Dashboard({"a": slider("a", 1, 0, 3, 1)}, compute, draw)
    d.controls["a"].value = 2                      # compute raises: still restored
    assert d.state["error"] is not None
    assert seen == [False, False, False] and gc.isenabled()
    gc.disable()
    try:
        d.controls["a"].value = 3                  # a caller's own setting is kept
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_building_a_dashboard_collects_and_freezes_the_objects_alive():
    # later full collections (180 ms in a kernel after notebook 02) must not
    # walk the notebook's long-lived objects again at a slider move
    import gc
    import weakref

    class Cycle:
        pass

    def garbage_cycle():
        a, b = Cycle(), Cycle()
        a.other, b.other = b, a      # unreachable once returned: only the collector frees it
        return weakref.ref(a)

    gc.unfreeze()
    try:
        kept = [[i] for i in range(3)]   # lists: always tracked by the collector
        gone = garbage_cycle()
        young = lambda: {id(o) for o in gc.get_objects()}  # noqa: E731  (unfrozen objects only)
        assert id(kept[0]) in young() and gone() is not None
        before = gc.get_freeze_count()
        Dashboard({"a": slider("a", 1, 0, 3, 1)}, lambda a: a,
                  lambda result, a: plt.subplots(figsize=(1, 1))[0])
        assert gc.get_freeze_count() > before
        assert id(kept[0]) not in young()   # alive: frozen, out of later collections
        assert gone() is None               # garbage: collected first, not frozen
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def _run_in_loop(body):
    import asyncio
    return asyncio.run(body())


def test_a_single_move_starts_at_once_without_waiting_for_the_debounce():
    import asyncio
    calls = []
    d = _dash(calls)
    d.debounce = 10.0          # a trailing update would wait 10 s

    async def body():
        d._idle_since = float("-inf")   # idle for long
        d.controls["a"].value = 2
        assert "computing" in d.status.value and len(calls) == 1   # scheduled, not run inline
        await asyncio.sleep(0)          # one turn of the event loop
        return len(calls), d.state["values"]["a"]
    assert _run_in_loop(body) == (2, 2)


def test_a_burst_computes_its_first_and_last_values_only():
    import asyncio
    calls = []
    d = _dash(calls)
    d.debounce = 0.05

    async def body():
        d._idle_since = float("-inf")
        d.controls["a"].value = 2       # leading edge: runs on the next turn
        await asyncio.sleep(0)
        for a in (4, 5, 0):             # arrive right after: one trailing update
            d.controls["a"].value = a
        assert [c[0] for c in calls] == [1, 2]
        await asyncio.sleep(0.2)
        return [c[0] for c in calls], d.state["values"]["a"], d.state["computes"]
    assert _run_in_loop(body) == ([1, 2, 0], 0, 3)


def test_a_setting_drawn_before_is_shown_at_once_even_inside_the_debounce():
    import asyncio
    calls = []
    d = _dash(calls)
    d.debounce = 10.0          # a trailing update would wait 10 s

    async def body():
        d._idle_since = float("-inf")
        d.controls["a"].value = 2       # new: leading edge
        await asyncio.sleep(0)
        d.controls["a"].value = 1       # drawn at build time, moved to right after
        await asyncio.sleep(0)          # one turn: no 10 s wait
        shown_back = d.state["values"]["a"]
        d.controls["a"].value = 3       # new again, inside the debounce: waits
        await asyncio.sleep(0)
        return shown_back, d.state["values"]["a"], [c[0] for c in calls], d._pending is not None
    assert _run_in_loop(body) == (1, 1, [1, 2], True)


def test_status_shows_a_selection_by_its_label():
    import ipywidgets as W
    d = Dashboard({"c": W.SelectionSlider(options=[("1", 1.0), ("off", float("inf"))], value=1.0)},
                  lambda c: c, lambda r, c: plt.subplots(figsize=(1, 1))[0])
    d.controls["c"].value = float("inf")
    assert "c = off" in d.status.value and '{&quot;c&quot;: &quot;off&quot;}' in d.status.value


def test_status_label_of_a_selection_built_on_zero():
    # ipywidgets leaves SelectionSlider.label empty when it is built on 0.0
    import ipywidgets as W
    d = Dashboard({"d": W.SelectionSlider(options=[("0", 0.0), ("1e-3", 1e-3)], value=0.0)},
                  lambda d: d, lambda r, d: plt.subplots(figsize=(1, 1))[0])
    assert "d = 0 ·" in d.status.value


def test_the_image_is_a_palette_png_of_the_figure():
    # 256 colours keep a plot's colours exactly when it has no more than that
    import io

    import numpy as np
    from PIL import Image

    from regkit.course.widgets.base import DPI, _palette_png, _render

    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, size=(40, 3), dtype=np.uint8)
    rgb = colours[rng.integers(0, 40, size=(7, 11))]
    rgba = np.concatenate([rgb, np.full((7, 11, 1), 255, np.uint8)], axis=2)
    image = Image.open(io.BytesIO(_palette_png(rgba.tobytes(), 11.0, 7.0)))
    assert image.mode == "P" and image.size == (11, 7)
    assert np.array_equal(np.asarray(image.convert("RGB")), rgb)
    with pytest.raises(RuntimeError, match="cannot tell the size"):
        _palette_png(rgba.tobytes(), 13.0, 6.0)
    # a real figure: the box's size in pixels, a palette image
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [1, 0])
    png, bbox = _render(fig)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P"
    assert abs(image.size[0] - bbox.width * DPI) <= 1 and abs(image.size[1] - bbox.height * DPI) <= 1


def test_an_idle_dashboard_settles_the_heap_again_and_a_move_cancels_it(monkeypatch):
    # objects made after the build (later cells, the updates) are frozen too,
    # once nobody has moved a control for SETTLE_AFTER seconds; a move in
    # between cancels the settle, so no full collection lands on a move
    import asyncio
    import gc
    from regkit.course.widgets import base

    monkeypatch.setattr(base, "SETTLE_AFTER", 0.3)
    monkeypatch.setattr(base, "SETTLE_MIN_OBJECTS", 0)
    import time
    settles = []
    monkeypatch.setattr(base, "_settle_heap", lambda: settles.append(time.perf_counter()))

    async def body():
        d = Dashboard({"a": slider("a", 1, 0, 3, 1)}, lambda a: a,
                      lambda result, a: plt.subplots(figsize=(1, 1))[0])
        assert len(settles) == 1                # the build settles at once
        await asyncio.sleep(0.02)
        d.controls["a"].value = 2               # a move before the idle settle: cancelled
        assert d._settling is None
        await asyncio.sleep(0.15)               # the update (after the debounce) re-arms it
        assert len(settles) == 1 and d._settling is not None
        await asyncio.sleep(0.5)
        assert len(settles) == 2 and d._settling is None
        monkeypatch.setattr(base, "SETTLE_MIN_OBJECTS", 10**9)
        d._settle()                             # too few objects to be worth a collection
        assert len(settles) == 2

    try:
        _run_in_loop(body)
    finally:
        gc.unfreeze()
