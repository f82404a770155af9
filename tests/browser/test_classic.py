"""The classic interface (Notebook 7): the first course notebook with
widgets opens, runs, and its dashboards render and answer the mouse."""
import importlib.util
import os

import pytest
from rk_dashboards import check_page
from rk_jupyter import notebooks_with_widgets

FIRST = [f"notebooks-classic/{name}" for name in notebooks_with_widgets()[:1]]


@pytest.mark.parametrize("classic_path", FIRST)
def test_widgets_render_in_notebook7(pages, shots, classic_path):
    if importlib.util.find_spec("notebook") is None:
        required = os.environ.get("RK_BROWSER_REQUIRED") == "1"
        (pytest.fail if required else pytest.skip)(
            "the classic interface needs the Python package 'notebook' (>= 7)")
    nb, run = pages.fresh(classic_path, ui="notebook")
    try:
        assert nb.page.evaluate("window.jupyterapp.name") == "Jupyter Notebook"
        # Mouse only: Notebook 7 binds ArrowLeft/ArrowRight (heading
        # navigation) in a capture-phase listener, so arrow keys never reach
        # a focused slider there (JupyterLab listens later and is fine).
        report = check_page(nb.page, "classic-" + classic_path.split("/")[-1][:-6], shots,
                            run_ok=run["ok"], js_problems=nb.problems_from_js(),
                            keyboard=False)
    finally:
        nb.close()
    assert report.dashboards >= 1
    assert not report.problems, "\n  ".join(report.problems)
