"""Exercise every regkit dashboard on a notebook page the way a learner does.

For each ``.rk-dashboard`` (the class :class:`regkit.course.widgets.base.Dashboard`
puts on its box) :func:`check_page`:

1. waits for the first render: the status line ``<span class='rk-status'
   data-done='1'>name = value, ... · N ms</span>`` and an image in the output;
2. moves each control: a slider with a burst of arrow keys *and* with a mouse
   drag, toggle buttons / a dropdown / radio buttons / a checkbox with two
   clicks (each to another value); after each move
   it waits until the status line shows the value the control now displays
   (so a burst must end on its *last* value) and the image differs from the
   one before the move;
3. saves a screenshot of the dashboard.

Every failure is collected as a sentence in ``Report.problems``: an update
that raised (``· error`` in the status, a traceback in the output), a control
that did not move, an image that did not change, a value never reached, a
widget that could not be displayed, a traceback anywhere on the page, a
JavaScript error, a live control outside any dashboard (untested).

The waits are conditions polled in the page, with a timeout; no sleeps.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: A cold update is a few hundred ms in the course; the margin is for a
#: machine busy running the next notebook at the same time.
UPDATE_TIMEOUT_MS = 20_000
#: After the status shows the final value the image must have changed; the
#: output is sent before the status, so this only covers rendering.
IMAGE_GRACE_MS = 2_000
#: Arrow presses in one burst, faster than the dashboard's debounce.
KEY_BURST = 4

_JS = r"""
() => {
  if (window.__rk) return;
  const unit = (s) => {           // the resolution of a displayed number
    const m = s.trim().match(/^[-+]?\d*(?:\.(\d+))?(?:e([-+]?\d+))?$/i);
    if (!m) return null;
    return Math.pow(10, (m[2] ? parseInt(m[2]) : 0) - (m[1] ? m[1].length : 0));
  };
  // Two displays of one value (a readout "2e-2", a status "0.0178") agree when
  // they differ by less than their rounding; one slider step is always more.
  const same = (a, b) => {
    a = String(a).replace(/\s+/g, ' ').trim(); b = String(b).replace(/\s+/g, ' ').trim();
    const ua = unit(a), ub = unit(b);
    if (a === '' || b === '' || ua === null || ub === null) return a === b;
    return Math.abs(Number(a) - Number(b)) < 0.5 * (ua + ub) * (1 - 1e-9);
  };
  const kind = (el) => {
    const c = el.classList;
    if (c.contains('widget-slider')) return 'slider';
    if (c.contains('widget-toggle-buttons')) return 'toggle';
    if (c.contains('widget-dropdown')) return 'dropdown';
    if (c.contains('widget-checkbox')) return 'checkbox';
    if (c.contains('widget-radio')) return 'radio';
    return 'other';
  };
  const shown = (el) => {         // the value a control displays
    switch (kind(el)) {
      case 'slider': { const r = el.querySelector('.widget-readout');
                       return r ? r.textContent.trim() : null; }
      case 'toggle': { const b = el.querySelector('button.mod-active');
                       return b ? b.textContent.trim() : null; }
      case 'dropdown': { const s = el.querySelector('select');
                         return s && s.selectedIndex >= 0 ? s.options[s.selectedIndex].text.trim() : null; }
      case 'checkbox': return el.querySelector('input').checked ? 'True' : 'False';
      case 'radio': { const i = el.querySelector('input:checked');
                      return i ? i.parentElement.textContent.trim() : null; }
    }
    return null;
  };
  const controls = (dash) => {
    const box = dash.querySelector(':scope > .widget-hbox');
    return box ? Array.from(box.children) : [];
  };
  // [[name, shown value], ...] from the status line; data-values (JSON, if
  // the Dashboard provides it) wins over parsing "a = 1, b = 2 · 12 ms".
  const entries = (st) => {
    if (st.dataset.values) {
      try { return Object.entries(JSON.parse(st.dataset.values)).map(([k, v]) => [k, String(v)]); }
      catch (e) { /* fall back to the text */ }
    }
    const head = st.textContent.split(' · ')[0];
    const re = /(?:^|, )([A-Za-z_][A-Za-z0-9_]*) = /g;
    const keys = []; let m;
    while ((m = re.exec(head))) keys.push([m[1], m.index, re.lastIndex]);
    return keys.map(([k, , from], i) => [k, head.slice(from, i + 1 < keys.length ? keys[i + 1][1] : head.length)]);
  };
  const imgSrc = (dash) => { const i = dash.querySelector('img.widget-image'); return i ? i.src : null; };
  // textContent, not innerText: innerText forces a layout of the page, and
  // the benchmark calls this while the page is busy showing the update
  const outputText = (dash) => { const o = dash.querySelector('.widget-output'); return o ? o.textContent : ''; };
  // The state of a dashboard after a move: null while it is still getting
  // there; {state: 'ok' | 'error' | 'unchanged' | 'mismatch', ...} once settled.
  const settled = (dash, before, t0) => {
    const st = dash.querySelector('.rk-status');
    if (!st || st.dataset.done !== '1') return null;            // computing…
    const text = st.textContent;
    const got = entries(st), ctl = controls(dash);
    const want = ctl.map(shown);
    const info = {status: text, want, output: outputText(dash).slice(0, 1500)};
    if (got.length !== ctl.length) return {...info, state: 'mismatch'};
    if (!got.every(([, v], i) => want[i] === null || same(v, want[i]))) return null;
    if (/·\s*error\s*$/.test(text) || info.output.includes('Traceback (most recent call last)'))
      return {...info, state: 'error'};
    const src = imgSrc(dash);
    if (src && src !== before) return {...info, state: 'ok'};
    if (performance.now() - t0 > %IMAGE_GRACE%) return {...info, state: 'unchanged'};
    return null;
  };
  window.__rk = {same, kind, shown, controls, entries, imgSrc, outputText, settled};
}
""".replace("%IMAGE_GRACE%", str(IMAGE_GRACE_MS))

# settled() waits the image grace from the moment the status matches.
_WAIT = """([dash, before]) => {
  const t = dash.__rkT || (dash.__rkT = {});
  const st = dash.querySelector('.rk-status');
  const key = st && st.dataset.done === '1' ? st.textContent : '';
  if (t.key !== key) { t.key = key; t.t0 = performance.now(); }
  return window.__rk.settled(dash, before, t.t0);
}"""

_PAGE_PROBLEMS = """() => {
  const out = [];
  const areas = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
  for (const el of areas) {
    const text = el.innerText || '';
    if (text.includes('Error displaying widget'))
      out.push('a widget could not be displayed: ' + text.trim().slice(0, 300));
    // a dashboard's own traceback is reported with the move that caused it
    if (text.includes('Traceback (most recent call last)') && !el.querySelector('.rk-dashboard')
        && !el.closest('.rk-dashboard'))
      out.push('a traceback on the page: ' + text.trim().slice(-600));
  }
  const live = '.widget-slider, .widget-toggle-buttons, .widget-dropdown, .widget-checkbox, '
             + '.widget-radio, .widget-text, .widget-button, .widget-play';
  for (const el of document.querySelectorAll(live)) {
    if (!el.closest('.rk-dashboard'))
      out.push('a live control outside any Dashboard (not exercised): ' + el.className);
  }
  return out;
}"""


@dataclass
class Report:
    """What :func:`check_page` did and found."""

    label: str
    dashboards: int = 0
    controls: int = 0
    moves: int = 0
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    #: how many problems a second run cannot fix (an exception, a missing
    #: dashboard); the others (a timeout, an unchanged image) may be timing
    certain: int = 0

    def add(self, problem: str, *, certain: bool = False) -> None:
        self.problems.append(problem)
        self.certain += certain

    @property
    def worth_a_retry(self) -> bool:
        return len(self.problems) > self.certain

    def summary(self) -> str:
        return (f"{self.label}: {self.dashboards} dashboard(s), {self.controls} control(s), "
                f"{self.moves} move(s), {len(self.problems)} problem(s)")


#: Every report of the session, summarised at the end of the run.
REPORTS: list[Report] = []


def check_page(page, label: str, shots: Path, *, js_problems=(), run_ok: bool = True,
               keyboard: bool = True, timeout_ms: float = UPDATE_TIMEOUT_MS) -> Report:
    """Exercise every dashboard on ``page``; the screenshots go to ``shots``.

    ``keyboard=False`` moves sliders with the mouse only; ``timeout_ms`` is
    how long one update may take to settle.
    """
    page.evaluate(_JS)
    report = Report(label)
    REPORTS.append(report)
    if not run_ok:
        report.add("Run All Cells stopped: a cell raised (see the traceback)", certain=True)
    dashes = page.locator(".rk-dashboard")
    report.dashboards = dashes.count()
    if report.dashboards == 0:
        report.add("no dashboard (.rk-dashboard) was rendered", certain=True)
    for i in range(report.dashboards):
        dash = dashes.nth(i)
        name = f"dashboard {i + 1}"
        _check_dashboard(page, dash, name, report, keyboard=keyboard, timeout_ms=timeout_ms)
        shot = shots / f"{label}__dashboard{i + 1}.png"
        try:
            dash.screenshot(path=str(shot))
            report.screenshots.append(shot)
        except Exception as exc:  # a screenshot must not hide the real result
            report.add(f"{name}: no screenshot ({exc.__class__.__name__})")
    for problem in page.evaluate(_PAGE_PROBLEMS):
        # a traceback in a cell or a widget that cannot be shown is no accident of timing
        report.add(problem, certain=True)
    for problem in js_problems:
        report.add(problem)
    if report.problems:
        shot = shots / f"{label}__FAILED.png"
        page.screenshot(path=str(shot))
        report.screenshots.append(shot)
    return report


def _check_dashboard(page, dash, name: str, report: Report, *, keyboard: bool,
                     timeout_ms: float) -> None:
    dash.scroll_into_view_if_needed()
    state = _wait_settled(page, dash, None, timeout_ms)
    if state.get("state") != "ok":
        report.add(_describe(f"{name}: first render", state, timeout_ms),
                   certain=state["state"] == "error")
        return
    controls = dash.locator(":scope > .widget-hbox > *")
    names = [k for k, _ in dash.evaluate(
        "d => window.__rk.entries(d.querySelector('.rk-status'))")]
    for j in range(controls.count()):
        ctl = controls.nth(j)
        report.controls += 1
        what = f"{name}, control '{names[j] if j < len(names) else j}'"
        kind = ctl.evaluate("el => window.__rk.kind(el)")
        if kind == "slider":
            moves = (["keyboard"] if keyboard else []) + ["drag"]
        elif kind in ("toggle", "dropdown", "radio", "checkbox"):
            moves = ["click", "click again"]
        else:
            report.add(f"{what}: a control the browser test cannot move "
                       f"({ctl.get_attribute('class')})", certain=True)
            continue
        for how in moves:
            report.moves += 1
            problem, certain = _move_and_wait(page, dash, ctl, kind, how, what, timeout_ms)
            if problem:
                report.add(problem, certain=certain)
                break  # the next move would start from a broken state


def _move_and_wait(page, dash, ctl, kind: str, how: str, what: str,
                   timeout_ms: float) -> tuple[str | None, bool]:
    """Move one control; return (the problem or None, whether it is certain)."""
    shown = lambda: ctl.evaluate("el => window.__rk.shown(el)")  # noqa: E731
    before_value = shown()
    before_img = dash.evaluate("d => window.__rk.imgSrc(d)")
    if kind == "slider":
        _move_slider(page, ctl, how)
    elif kind == "toggle":
        buttons = ctl.locator("button")
        buttons.nth(_other_option(buttons.all_inner_texts(), before_value)).click()
    elif kind == "radio":
        labels = ctl.locator(".widget-radio-box label")
        labels.nth(_other_option(labels.all_inner_texts(), before_value)).click()
    elif kind == "dropdown":
        select = ctl.locator("select")
        options = select.locator("option").all_inner_texts()
        select.select_option(index=_other_option(options, before_value))
    elif kind == "checkbox":
        ctl.locator("input").click()
    after_value = shown()
    if after_value == before_value:
        return f"{what}: did not move with {_how(how)} (still shows {before_value!r})", False
    state = _wait_settled(page, dash, before_img, timeout_ms)
    if state.get("state") != "ok":
        return (_describe(f"{what}: after {_how(how)} to {after_value!r}", state, timeout_ms),
                state["state"] == "error")
    return None, False


def _move_slider(page, ctl, how: str) -> None:
    handle = ctl.locator(".noUi-handle").first
    lo, hi, now = (float(handle.get_attribute(a))
                   for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))
    frac = (now - lo) / (hi - lo) if hi > lo else 0.0
    if how == "keyboard":
        handle.click()  # a learner clicks the handle, then uses the arrows
        key = "ArrowLeft" if frac > 0.5 else "ArrowRight"
        for _ in range(KEY_BURST):
            page.keyboard.press(key)
        return
    target = 0.15 if frac > 0.5 else 0.85
    handle.hover()
    track = ctl.locator(".noUi-base").first.bounding_box()
    box = handle.bounding_box()
    page.mouse.down()
    if handle.get_attribute("aria-orientation") == "vertical":
        x, y = box["x"] + box["width"] / 2, track["y"] + (1 - target) * track["height"]
    else:
        x, y = track["x"] + target * track["width"], box["y"] + box["height"] / 2
    page.mouse.move(x, y, steps=6)
    page.mouse.up()


def _other_option(options: list[str], current) -> int:
    """The first option that is not the one shown (0 if there is none)."""
    return next((i for i, o in enumerate(options) if o.strip() != current), 0)


def _wait_settled(page, dash, before, timeout_ms: float) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        handle = page.wait_for_function(_WAIT, arg=[dash.element_handle(), before],
                                        timeout=timeout_ms, polling=50)
        return handle.json_value()
    except PlaywrightTimeout:
        snapshot = dash.evaluate("""d => ({
            status: (d.querySelector(':scope > .widget-hbox + .widget-html')
                     || {textContent: ''}).textContent.trim(),
            want: window.__rk.controls(d).map(window.__rk.shown),
            output: window.__rk.outputText(d).slice(0, 1500)})""")
        return {**snapshot, "state": "timeout"}


def _describe(what: str, state: dict, timeout_ms: float = UPDATE_TIMEOUT_MS) -> str:
    reason = {
        "error": "the update raised",
        "unchanged": "the plot image did not change",
        "mismatch": "the status line does not list one value per control",
        "timeout": f"never settled on the value shown within {timeout_ms / 1000:.0f} s",
    }.get(state.get("state"), f"state {state.get('state')!r}")
    text = f"{what}: {reason} (status {state.get('status', '')!r}, controls show {state.get('want')})"
    output = (state.get("output") or "").strip()
    if output and state.get("state") in ("error", "timeout"):
        text += "\n    output: " + output[-800:].replace("\n", "\n    ")
    return text


def _how(how: str) -> str:
    return {"keyboard": f"{KEY_BURST} arrow-key presses", "drag": "a mouse drag"}.get(how, how)
