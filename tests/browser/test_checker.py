"""The checker itself: it passes healthy dashboards and fails broken ones.

Both fixtures (tests/browser/fixtures/) run through the very routine the
course notebooks go through, so a callback that raises, a figure that
ignores its slider, or a burst of key presses that ends on an intermediate
value, in any notebook, makes the suite fail.
"""
import pytest
from rk_dashboards import KEY_BURST, check_page

OK, BROKEN = "fixtures/widgets_ok.ipynb", "fixtures/widgets_broken.ipynb"


@pytest.mark.parametrize("path", [OK])
def test_healthy_dashboards_pass(pages, shots, path):
    nb, run = pages.take(path)
    try:
        report = check_page(nb.page, "fixture-ok", shots, run_ok=run["ok"],
                            js_problems=nb.problems_from_js())
    finally:
        nb.close()
    assert report.problems == []
    # every kind of control: int, float and log sliders, a selection slider,
    # toggle buttons, a dropdown, a checkbox, radio buttons; two moves each
    assert (report.dashboards, report.controls, report.moves) == (2, 8, 16)
    assert len(report.screenshots) == 2 and all(p.stat().st_size > 0 for p in report.screenshots)


@pytest.mark.parametrize("path", [BROKEN])
def test_broken_dashboards_are_reported(pages, shots, path):
    nb, run = pages.take(path)
    try:
        # a short timeout: the third dashboard never settles, by design
        report = check_page(nb.page, "fixture-broken", shots, run_ok=run["ok"],
                            js_problems=nb.problems_from_js(), timeout_ms=5_000)
    finally:
        nb.close()
    assert run["ok"], "the fixture's cells themselves run"
    text = "\n".join(report.problems)
    # the callback raises at the end of the key burst (n = 10 + KEY_BURST):
    # the status says so and the traceback is quoted from the dashboard's output
    raised = [p for p in report.problems if p.startswith("dashboard 1, control 'n'")]
    assert len(raised) == 1 and "the update raised" in raised[0], text
    assert f"ValueError: fixture: n = {10 + KEY_BURST} is too large" in raised[0], text
    # the figure that ignores its slider
    frozen = [p for p in report.problems if p.startswith("dashboard 2, control 'p'")]
    assert len(frozen) == 1 and "the plot image did not change" in frozen[0], text
    # the burst that ends on its first value (11) while the slider shows the last
    stale = [p for p in report.problems if p.startswith("dashboard 3, control 'n'")]
    assert len(stale) == 1 and "never settled on the value shown" in stale[0], text
    assert "status 'n = 11 " in stale[0] and f"controls show ['{10 + KEY_BURST}']" in stale[0], text
    assert len(report.problems) == 3, text
    assert any(p.name == "fixture-broken__FAILED.png" for p in report.screenshots)
