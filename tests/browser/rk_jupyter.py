"""A throw-away Jupyter server and the notebook pages the browser tests drive.

* :class:`JupyterServer` copies the notebooks into a temporary root (the
  repository's files are never written to), starts ``jupyter lab`` on a free
  localhost port with an empty token and private config/settings/workspace
  folders, and waits for ``/api/status``.
* :class:`NotebookPage` opens one notebook in JupyterLab (or in the classic
  Notebook 7 interface), clears the stored outputs, runs all cells and records
  every JavaScript error the page reports.

Chromium is Debian's ``chromium`` package (Playwright's own browser download
is not used); :func:`chromium_executable` finds it.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from regkit.course.server import SETTING as KERNEL_CONNECTION

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: Flags that keep headless Chromium quiet on a closed network: without the
#: background-networking ones it keeps retrying connections it cannot make.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

#: What ``make lab`` passes the server on top of JupyterLab's defaults (its
#: SERVER_ARGS): the course's kernel connection, no 40 ms stalls
#: (regkit/course/server.py). The browser tests and benchmark 7 run the same.
SERVER_ARGS = [f"--ServerApp.kernel_websocket_connection_class={KERNEL_CONNECTION}"]

#: JupyterLab user settings for a closed network: no news or update checks
#: (no toast over the sliders), no autosave. Everything else is a learner's
#: JupyterLab, windowing included (benchmark 7 measures with these).
QUIET_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}
#: ... and for the browser tests every cell rendered (windowing off, so every
#: dashboard below the fold is laid out and can be read and clicked).
LAB_SETTINGS = {**QUIET_LAB_SETTINGS,
                "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"}}

#: JavaScript errors that JupyterLab / Notebook 7 themselves log on a normal
#: start, unrelated to widgets: a web font missing from the static files
#: (403), and two errors Notebook 7.6 raises while loading its settings.
BENIGN_JS_ERRORS = (
    "Failed to load resource",
    "Cannot read properties of undefined (reading 'schema')",
    "Command 'filebrowser:open-path' not registered",
)


def chromium_executable() -> str | None:
    """Path of a system Chromium: $CHROMIUM, else chromium on the PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """``jupyter lab`` serving a temporary copy of the notebooks.

    The root holds ``notebooks/`` and ``notebooks-classic/`` (copies),
    ``figures/`` (copied, for the images the markdown shows) and
    ``fixtures/`` (the browser-test fixtures).
    """

    def __init__(self, notebooks: Path = REPO / "notebooks", *, startup_timeout: float = 90.0,
                 lab_settings: dict = LAB_SETTINGS):
        self.lab_settings = lab_settings
        self.tmp = Path(tempfile.mkdtemp(prefix="rk-browser-"))
        self.root = self.tmp / "root"
        ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "src")
        shutil.copytree(notebooks, self.root / "notebooks", ignore=ignore)
        # A second copy for the classic interface: the server keys kernel
        # sessions by path, so one path open in two pages shares one kernel.
        shutil.copytree(notebooks, self.root / "notebooks-classic", ignore=ignore)
        if (REPO / "figures").is_dir():
            shutil.copytree(REPO / "figures", self.root / "figures")
        shutil.copytree(FIXTURES, self.root / "fixtures", ignore=ignore)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.tmp / "jupyter.log"
        self._log = open(self.log_path, "wb")
        # Same process group as pytest: whatever stops the run stops the server.
        self.proc = subprocess.Popen(self._command(), env=self._env(), cwd=self.root,
                                     stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        try:
            self._wait_ready(startup_timeout)
        except Exception:
            self.stop()
            raise

    def _command(self) -> list[str]:
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", "--ServerApp.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={self.root}",
               # window.jupyterapp: the command registry and the kernel status
               "--LabApp.expose_app_in_browser=True",
               "--JupyterNotebookApp.expose_app_in_browser=True",
               *SERVER_ARGS]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        # The tests' conftest sets MPLBACKEND=Agg; a learner's kernel uses the
        # inline backend, and so must ours.
        env.pop("MPLBACKEND", None)
        settings = self.tmp / "lab-settings"
        for plugin, values in self.lab_settings.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env.update(JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"))
        return env

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n"
                                   f"{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)  # polling a server that is starting: nothing to wait on
        raise TimeoutError(f"jupyter lab not up after {timeout:.0f} s:\n{self.log()}")

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down) and remove the root."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


# -- one notebook in one browser page -------------------------------------
_PANEL = "window.jupyterapp && window.jupyterapp.shell.currentWidget"
_READY = f"""() => {{
    const w = {_PANEL};
    const k = w && w.context && w.context.isReady && w.sessionContext
              && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}}"""
_RUN_ALL = """() => {
    window.__rkRun = undefined;
    const app = window.jupyterapp;
    app.commands.execute('notebook:clear-all-cell-outputs')
      .then(() => app.commands.execute('notebook:run-all-cells'))
      .then(ok => { window.__rkRun = {ok: ok !== false}; },
            err => { window.__rkRun = {ok: false, error: String(err)}; });
}"""


class NotebookPage:
    """A browser page showing one notebook, run top to bottom.

    ``ui`` is ``"lab"`` (JupyterLab, its own workspace so pages do not share
    layout state) or ``"notebook"`` (the classic Notebook 7 interface).
    """

    def __init__(self, context, server: JupyterServer, path: str, *, ui: str = "lab"):
        self.path, self.ui = path, ui
        self.js_errors: list[str] = []
        self.page = context.new_page()
        self.page.on("pageerror", lambda e: self.js_errors.append(f"page error: {e}"))
        self.page.on("console", self._on_console)
        if ui == "lab":
            workspace = "rk-" + Path(path).stem.replace("_", "-")
            url = f"{server.url}/lab/workspaces/{workspace}/tree/{path}?reset"
        else:
            url = f"{server.url}/notebooks/{path}"
        try:
            self.page.goto(url)
        except Exception:
            self.page.close()
            raise

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.js_errors.append(f"console error: {msg.text[:500]}")

    def start_run(self, timeout_ms: float = 90_000) -> None:
        """Wait for the kernel, then clear outputs and start Run All Cells."""
        self.page.wait_for_function(_READY, timeout=timeout_ms, polling=100)
        self.page.evaluate(_RUN_ALL)

    def wait_run(self, timeout_ms: float = 180_000) -> dict:
        """Wait for Run All to finish and the kernel to be idle again."""
        handle = self.page.wait_for_function("() => window.__rkRun", timeout=timeout_ms,
                                             polling=100)
        result = handle.json_value()
        self.page.wait_for_function(_READY, timeout=timeout_ms, polling=100)
        return result

    def problems_from_js(self) -> list[str]:
        return [e for e in self.js_errors if not any(b in e for b in BENIGN_JS_ERRORS)]

    def close(self) -> None:
        """Shut the kernel down (it would keep running on the server) and close."""
        try:
            self.page.evaluate(f"() => {{ const w = {_PANEL};"
                               " return w && w.sessionContext && w.sessionContext.shutdown(); }")
        except Exception:  # the page may already be broken; the server stops anyway
            pass
        self.page.close()


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def notebooks_with_widgets(folder: Path = REPO / "notebooks") -> list[str]:
    """The notebooks (file names) that show live widgets: a stored widget
    output, or a code cell using ``regkit.course.widgets``. New notebooks are picked
    up without touching the tests."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = "".join(cell.get("source", ""))
            outputs = cell.get("outputs", [])
            if "regkit.course.widgets" in source or any(WIDGET_MIME in o.get("data", {})
                                                 for o in outputs):
                found.append(path.name)
                break
    return found
