"""Fixtures of the browser suite: one Jupyter server, one headless Chromium.

The suite is skipped (not errored) when the Python package ``playwright`` or
a Chromium executable is missing, unless ``RK_BROWSER_REQUIRED=1`` (set by
``make test-browser``), which turns the skip into a failure so CI cannot pass
without running it. Screenshots go to ``$RK_SCREENSHOTS`` (default:
``browser-screenshots/`` at the repository root); the folder is printed at
the end of the run.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from rk_jupyter import (CHROMIUM_ARGS, REPO, JupyterServer, NotebookPage,  # noqa: E402
                        chromium_executable)
from rk_dashboards import REPORTS  # noqa: E402

REQUIRED = os.environ.get("RK_BROWSER_REQUIRED") == "1"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("the Python package 'playwright' is not installed "
                "(`make test-browser` installs it into .venv)")
    if chromium_executable() is None:
        return ("no Chromium found: install the Debian package 'chromium' "
                "(apt-get install chromium) or set CHROMIUM=/path/to/chromium")
    return None


@pytest.fixture(scope="session")
def shots() -> Path:
    folder = Path(os.environ.get("RK_SCREENSHOTS", REPO / "browser-screenshots")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for pattern in ("*__dashboard*.png", "*__FAILED.png"):  # ours, from a previous run
        for old in folder.glob(pattern):
            old.unlink()
    return folder


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        (pytest.fail if REQUIRED else pytest.skip)(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_executable(),
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def server(browser):  # after `browser`, so a missing Chromium skips before the server starts
    srv = JupyterServer()
    yield srv
    srv.stop()


class Pages:
    """Opens notebook pages ahead of time: while one notebook's dashboards
    are exercised, the next ``lookahead`` notebooks (in test order) are
    already loading and running, so both cores stay busy. The page being
    checked is brought to the front: Chromium throttles background tabs."""

    def __init__(self, context, server, order: list[str], lookahead: int = 2):
        self.context, self.server = context, server
        self.order, self.lookahead = list(order), lookahead
        self.open: dict[str, NotebookPage] = {}

    def _start(self, path: str, ui: str = "lab") -> NotebookPage:
        page = NotebookPage(self.context, self.server, path, ui=ui)
        try:
            page.start_run()
        except Exception:
            page.close()
            raise
        return page

    @staticmethod
    def _finish(page: NotebookPage) -> tuple[NotebookPage, dict]:
        page.page.bring_to_front()
        try:
            return page, page.wait_run()
        except Exception:
            page.close()
            raise

    def take(self, path: str) -> tuple[NotebookPage, dict]:
        """The page of ``path`` after Run All, and the run's result."""
        page = self.open.pop(path, None) or self._start(path)
        if path in self.order:
            upcoming = self.order[self.order.index(path) + 1:][:self.lookahead]
            for nxt in upcoming:
                if nxt not in self.open:
                    try:
                        self.open[nxt] = self._start(nxt)
                    except Exception:  # its own test will start it again, and report
                        pass
        return self._finish(page)

    def fresh(self, path: str, ui: str = "lab") -> tuple[NotebookPage, dict]:
        return self._finish(self._start(path, ui))

    def close(self) -> None:
        for page in self.open.values():
            page.close()
        self.open.clear()


@pytest.fixture(scope="session")
def pages(context, server, request):
    order = [item.callspec.params["path"] for item in request.session.items
             if hasattr(item, "callspec") and "path" in item.callspec.params]
    p = Pages(context, server, order)
    yield p
    p.close()


def pytest_terminal_summary(terminalreporter):
    if not REPORTS:
        return
    tr = terminalreporter
    tr.section("browser: dashboards exercised in Chromium")
    for report in REPORTS:
        tr.write_line(report.summary())
    folder = os.environ.get("RK_SCREENSHOTS", REPO / "browser-screenshots")
    tr.write_line(f"screenshots: {Path(folder).resolve()}")
