"""`Dashboard`: the one pattern behind every live control of the course.

A dashboard is a few controls, a pure ``compute(**values) -> result`` (the
slow part: training, a sweep) and a ``draw(result, **values) -> Figure``
(the fast part). Moving a control:

1. shows "computing…" at once for a setting not drawn before, so the class
   knows something is happening;
2. starts at once when the dashboard was idle (a single click or key press
   waits for nothing) or when the setting was drawn before; a move to a new
   setting that arrives while an update is running or within ``debounce``
   seconds of the last one joins a single trailing update, which reads the
   controls when it runs: a burst of key presses computes its first value
   and its last, never the ones in between;
3. looks the values up in a cache of results *and rendered images*, so going
   back to a setting is instant (drawing a figure costs 50-110 ms);
4. swaps the bytes of one ``Image`` widget inside a fixed-height frame, so
   the page does not jump: the PNG travels as a binary buffer and the
   browser points the same ``<img>`` at it, where an ``Output`` would send
   it base64-encoded and rebuild its output area at every move (less work;
   in JupyterLab the time of a seen move stayed the same, 31-34 ms p50);
5. on an exception, shows the traceback in an ``Output`` under the image
   (never a silent kernel log) and records it in ``state["error"]``.

Without a running event loop (a test, a script) updates run synchronously,
so a test can set ``slider.value`` and read ``dashboard.state`` at once.
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import io
import json
import time
import traceback
from typing import Any, Callable

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

#: Dashboards render at screen resolution: rendering is most of an update's
#: time, and a projector shows no more pixels than this.
DPI = 80
#: seconds without a move after which the heap is settled again (see _settle_heap)
SETTLE_AFTER = 2.0
#: ... when at least this many objects are in the collector's oldest generation
#: (a full collection walks them: about 1.5 ms per 1,000)
SETTLE_MIN_OBJECTS = 20_000


class Dashboard:
    """Controls + cached compute + figure, in one fixed-height output.

    Args:
        controls: ``{name: widget}``; each widget's ``value`` is passed to
            ``compute`` and ``draw`` under that name.
        compute: ``compute(**values) -> result`` (cached by the values).
        draw: ``draw(result, **values) -> matplotlib Figure``.
        describe: optional ``describe(result, **values) -> str`` (HTML) shown
            under the figure; also kept in ``state["text"]``.
        height: CSS height of the output area (fixed: no jumping).
        debounce: the shortest time between two updates that compute, in
            seconds: moves to new settings that come sooner are coalesced
            into one trailing update (a setting drawn before is shown at once).
        title: optional HTML heading.

    Attributes:
        state: ``values``, ``result``, ``text``, ``png`` (the image shown),
            ``computes`` (how many times compute and draw ran), ``cache_hits``, ``last_ms`` (time of the last
            update, compute + draw), ``error`` (traceback text or None).
    """

    def __init__(self, controls: dict[str, W.Widget], compute: Callable,
                 draw: Callable, *, describe: Callable | None = None,
                 height: str = "460px", debounce: float = 0.06, title: str | None = None):
        self.controls = dict(controls)
        self.compute, self.draw, self.describe = compute, draw, describe
        self.debounce = float(debounce)
        self.cache: dict[tuple, Any] = {}
        self.state: dict[str, Any] = {"values": None, "result": None, "text": "", "png": None,
                                      "computes": 0, "cache_hits": 0,
                                      "last_ms": None, "error": None}
        self.status = W.HTML(layout=W.Layout(min_height="1.6em"))
        self.image = W.Image(format="png")
        self.output = W.Output()    # a traceback, when there is one
        self.frame = W.Box([self.image, self.output],
                           layout=W.Layout(height=height, overflow="hidden", flex_flow="column",
                                           align_items="flex-start"))
        self.text = W.HTML()
        self._pending = None        # the scheduled update (an asyncio handle)
        self._settling = None       # the scheduled idle-time _settle_heap (a handle)
        self._idle_since = float("-inf")   # perf_counter() when the last update ended
        self._asked_at = None       # time.time() of the first move the next update answers
        self._bbox = None  # measured on the first figure, see _render
        for widget in self.controls.values():
            if hasattr(widget, "continuous_update"):
                widget.continuous_update = False
            widget.observe(self._on_change, names="value")
        head = [W.HTML(f"<b>{title}</b>")] if title else []
        self.widget = W.VBox(head + [W.HBox(list(self.controls.values()),
                                            layout=W.Layout(flex_flow="row wrap")),
                                     self.status, self.frame, self.text])
        self.widget.add_class("rk-dashboard")
        with _gc_paused():          # refresh's work, without arming an idle settle:
            self._update(self.values)
        _settle_heap()              # the build settles the heap itself

    # -- values and updates -------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        return {name: w.value for name, w in self.controls.items()}

    def set(self, **values) -> "Dashboard":
        """Set several controls at once and update once (tests, benchmarks)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; "
                             f"known: {sorted(self.controls)}")
        saved, self.debounce = self.debounce, -1.0  # suppress per-control updates
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self.debounce = saved
        return self.refresh()

    def _on_change(self, _change) -> None:
        if self.debounce < 0:
            return
        if self._asked_at is None:
            self._asked_at = time.time()
        cached = _key(self.values) in self.cache
        if not cached:                  # a cached setting answers at once:
            self.status.value = "<i>computing…</i>"   # one message fewer to send and draw
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: a test or a script
            self.refresh()
            return
        if self._settling is not None:  # not now: the learner is moving
            self._settling.cancel()
            self._settling = None
        if self._pending is not None:   # an update is scheduled: it will read this value
            return
        # Leading edge: idle for `debounce` already, or a setting already
        # drawn (showing it costs a message, not a computation: nothing to
        # spare the kernel), so start now (call_soon: after this message's
        # handler returns). Otherwise one trailing update `debounce` after
        # the last one ended collects the rest of the burst.
        wait = self._idle_since + self.debounce - time.perf_counter()
        self._pending = (loop.call_soon(self.refresh) if wait <= 0 or cached
                         else loop.call_later(wait, self.refresh))

    def refresh(self) -> "Dashboard":
        """Compute (or fetch from the cache) and redraw for the current values."""
        self._pending = None
        with _gc_paused():          # until the new image and status are sent
            self._update(self.values)
        self._idle_since = time.perf_counter()
        self._settle_when_idle()
        return self

    def _settle_when_idle(self) -> None:
        # The cells run after this dashboard was built leave objects the
        # collector still walks: in notebook 08's kernel about 75,000, a full
        # collection of 110 ms whenever CPython decides to run one, perhaps at
        # a move. Settling the heap once the learner has let go for
        # SETTLE_AFTER seconds does that work while nobody waits (once: later
        # settles find too few objects to bother); a move cancels it, and its
        # update re-arms it.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:        # a test or a script: nothing waits for a move
            return
        if self._settling is not None:
            self._settling.cancel()
        self._settling = loop.call_later(SETTLE_AFTER, self._settle)

    def _settle(self) -> None:
        self._settling = None
        if len(gc.get_objects(generation=2)) >= SETTLE_MIN_OBJECTS:
            _settle_heap()

    def _update(self, values: dict[str, Any]) -> None:
        key = _key(values)
        start = time.perf_counter()
        cached = key in self.cache
        if not cached:
            self.status.value = "<i>computing…</i>"
        try:
            if cached:
                result, png, text = self.cache[key]
                self.state["cache_hits"] += 1
            else:
                result = self.compute(**values)
                # a fixed title position: matplotlib's automatic one measures
                # every tick label of the axes again at each draw
                with plt.rc_context({"axes.titley": 1.0}):
                    fig = self.draw(result, **values)
                png, self._bbox = _render(fig, self._bbox)
                text = self.describe(result, **values) if self.describe else ""
                self.cache[key] = (result, png, text)
                self.state["computes"] += 1
            self._show(png)
            self.text.value = text
            self.state.update(values=values, result=result, text=text, png=png, error=None)
        except Exception:  # shown to the learner, kept for tests
            tb = traceback.format_exc()
            self._show(None, tb)
            self.state.update(values=values, error=tb)
        ms = (time.perf_counter() - start) * 1000
        self.state["last_ms"] = ms
        labels = {k: self._label(k, v) for k, v in values.items()}
        shown = ", ".join(f"{k} = {label}" for k, label in labels.items())
        flag = " · error" if self.state["error"] else (" · cached" if cached else "")
        data = html.escape(json.dumps(labels), quote=True)
        # wall-clock times (ms since the epoch) at which the kernel got the
        # move and sent its answer: the page can tell the kernel's share of
        # a slow move from the transport's (benchmarks/bench_browser.py)
        asked = self._asked_at if self._asked_at is not None else time.time() - ms / 1000
        self._asked_at = None
        self.status.value = (f"<span class='rk-status' data-done='1' data-values=\"{data}\" "
                             f"data-asked='{asked * 1000:.1f}' data-sent='{time.time() * 1000:.1f}'>"
                             f"{shown} · {ms:.0f} ms{flag}</span>")

    def _label(self, name: str, value: Any) -> str:
        """The value as its control displays it: a selection's label ("off"
        for ``inf``), else the number."""
        # from the options, not the widget's `label` trait, which is still ""
        # right after a SelectionSlider is built on the value 0.0
        for option in getattr(self.controls[name], "options", None) or ():
            label, option_value = option if isinstance(option, tuple) else (option, option)
            if option_value == value:
                return str(label)
        return _fmt(value)

    def _show(self, png: bytes | None, traceback_text: str | None = None) -> None:
        """The new image, or the traceback in place of it.

        Widget state only (``image.value``, ``output.outputs``), never
        ``with self.output:``, which tags a display with the message being
        handled: a debounced update runs after the slider's message has
        finished, and the browser would drop what it shows. Each trait is
        set only when it changes, so a move sends one message, the image.
        """
        if traceback_text is not None:
            self.output.outputs = ({"output_type": "stream", "name": "stderr",
                                    "text": traceback_text},)
            if self.image.layout.display != "none":
                self.image.layout.display = "none"
            return
        if self.output.outputs:
            self.output.outputs = ()
        if self.image.layout.display == "none":
            self.image.layout.display = None
        self.image.value = png

    # -- display ------------------------------------------------------
    def _ipython_display_(self):
        display(self.widget)

    def __repr__(self):
        return f"Dashboard(controls={list(self.controls)}, values={self.values})"


@contextlib.contextmanager
def _gc_paused():
    """Python's cycle collector off for one update, back on once it is shown.

    Drawing a figure allocates many objects, which can set off a full
    collection; in a kernel holding millions of objects (a learner's
    session after a few notebooks) that one collection took 300-400 ms of a
    ~130 ms update (measured: cold p95 of the batch-norm dashboard 135 ms
    with few live objects, 399 ms with 2 million, 139 ms with the collector
    paused). Paused, the collection runs after the new image is shown.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _settle_heap() -> None:
    """Collect once, then leave every object alive now out of later collections.

    Pausing the collector during an update (:func:`_gc_paused`) only moves a
    full collection to the next allocation, often the handling of the next
    slider message; in a kernel that has run a notebook (about 365,000
    objects after notebook 02) that collection took 180 ms and turned a
    140 ms move into a 290 ms one in the browser. ``gc.freeze()`` moves
    the objects alive when the dashboard is built (the notebook's data,
    models and grids, which stay alive while the learner slides) to the
    collector's permanent generation: a full collection then looks at the
    younger objects only (measured: 180 ms -> under 1 ms). The
    ``gc.collect()`` first frees the garbage of earlier cells, so that none is
    frozen; it costs one full collection per build (under 0.2 s, once for
    the first dashboard of a kernel, less for the next, which find
    the older objects frozen already). It runs again once the learner has
    not moved a control for :data:`SETTLE_AFTER` seconds (the objects of
    later cells and of the updates, see :meth:`Dashboard._settle_when_idle`).
    The price: an object alive at a settle that later becomes garbage inside
    a reference cycle (a figure of the same cell, closed after it) is never
    freed; call ``gc.unfreeze()`` to hand everything back to the collector.
    """
    gc.collect()
    gc.freeze()


def _render(fig, bbox=None) -> tuple[bytes, object]:
    """The figure as a 256-colour PNG (then closed, so figures do not pile up).

    ``bbox_inches="tight"`` measures the figure with an extra draw, which
    doubles the time of an update; so the tight box is measured once, on a
    dashboard's first figure, and reused (padded) for the later ones, which
    have the same layout. Returns ``(png, bbox)``.

    The image is a palette PNG rather than matplotlib's RGBA one: a
    dashboard's picture has a few dozen colours plus their anti-aliased
    edges, so 256 colours change a pixel by 1/255 on average and keep every
    line, and the file is about 3 times smaller (01's dashboard: 93 KB ->
    27 KB), which is what a browser waits for when it shows a setting seen
    before (01's seen p95: 61 -> see the README). Quantising and encoding
    take 6 ms where the RGBA encoding took 13.
    """
    buf = io.BytesIO()
    try:
        if bbox is None:
            bbox = fig.get_tightbbox().padded(0.15)
        fig.savefig(buf, format="rgba", dpi=DPI, bbox_inches=bbox)
    finally:
        plt.close(fig)
    return _palette_png(buf.getvalue(), bbox.width * DPI, bbox.height * DPI), bbox


def _palette_png(rgba: bytes, width: float, height: float) -> bytes:
    """Raw RGBA pixels of a ``width`` x ``height`` image as a 256-colour PNG.

    The raw buffer carries no size; matplotlib truncates the box's size in
    pixels to whole pixels, where a product of floats can land one below
    the exact figure, hence the neighbours tried."""
    from PIL import Image  # matplotlib's own PNG writer: always installed with it

    n = len(rgba) // 4
    sizes = [(w, n // w) for w in (int(width), int(width) + 1, int(width) - 1)
             if w > 0 and n % w == 0 and abs(n // w - height) <= 1.5]
    if not sizes:
        raise RuntimeError(f"cannot tell the size of a {n}-pixel image of about "
                           f"{width:.1f} x {height:.1f} pixels")
    pixels = np.frombuffer(rgba, dtype=np.uint8).reshape(sizes[0][1], sizes[0][0], 4)
    image = Image.fromarray(pixels[..., :3], "RGB")  # the figure is opaque
    out = io.BytesIO()
    image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        out, format="png")
    return out.getvalue()


def _key(values: dict[str, Any]) -> tuple:
    """The cache key of a setting: every control's value, hashable and in name order."""
    return tuple(sorted((k, _hashable(v)) for k, v in values.items()))


def _hashable(value):
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def log_slider(description: str, value: float, min_exp: int, max_exp: int,
               step: float = 0.25, fmt: str = ".0e") -> W.FloatLogSlider:
    """A log-scale slider (lambda, learning rate) that shows its value."""
    return W.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=step,
                            description=description, readout_format=fmt,
                            continuous_update=False,
                            style={"description_width": "initial"})


def slider(description: str, value, lo, hi, step, fmt: str | None = None):
    """A linear slider (int or float by the type of ``step``) with a readout."""
    cls = W.IntSlider if isinstance(step, int) and isinstance(value, int) else W.FloatSlider
    kw = {"readout_format": fmt} if fmt else {}
    return cls(value=value, min=lo, max=hi, step=step, description=description,
               continuous_update=False, style={"description_width": "initial"}, **kw)
