"""Every live control of the course, exercised in JupyterLab in Chromium.

The notebooks are discovered (any notebook of notebooks/ with a widget
output or a ``regkit.course.widgets`` import), run top to bottom in a real
JupyterLab, and every dashboard on the page is moved with the keyboard and
the mouse (see rk_dashboards). A notebook whose check fails for a reason
that could be timing (a timeout, an image not yet changed) is run once more
on a fresh page and fails if the second run fails too (at most two such
retries per run); an exception fails at once.
"""
import warnings

import pytest
from rk_dashboards import Report, check_page
from rk_jupyter import notebooks_with_widgets

NOTEBOOKS = [f"notebooks/{name}" for name in notebooks_with_widgets()]
#: Retries left for the whole run: a broken Dashboard fails every notebook,
#: and re-running each one would double the time of a run that fails anyway.
RETRIES = {"left": 2}


def test_discovery_finds_the_dashboards():
    assert NOTEBOOKS, "no notebook with live widgets found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.split("/")[-1][:-6] for p in NOTEBOOKS])
def test_dashboards_live_in_jupyterlab(pages, shots, path):
    label = path.split("/")[-1][:-6]
    report = _check(lambda: pages.take(path), label, shots)
    if report.worth_a_retry and RETRIES["left"] > 0:
        RETRIES["left"] -= 1
        first = report
        report = _check(lambda: pages.fresh(path), label + "-retry", shots)
        if not report.problems:
            warnings.warn(f"{label} passed on the retry; the first run reported:\n  "
                          + "\n  ".join(first.problems))
    assert not report.problems, f"{label}:\n  " + "\n  ".join(report.problems)


def _check(open_and_run, label, shots) -> Report:
    try:
        nb, run = open_and_run()
    except Exception as exc:  # JupyterLab or the kernel did not come up in time
        report = Report(label)
        report.add(f"the notebook did not open and run: {exc.__class__.__name__}: {exc}")
        return report
    try:
        return check_page(nb.page, label, shots, run_ok=run["ok"],
                          js_problems=nb.problems_from_js())
    finally:
        nb.close()
