"""The course's kernel connection for the Jupyter server (regkit/course/server.py)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("jupyter_server")

from jupyter_server.services.kernels.connection.channels import (  # noqa: E402
    ZMQChannelsWebsocketConnection,
)
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler  # noqa: E402

from regkit.course.server import SETTING, NoDelayKernelConnection  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def test_the_handler_turns_nagle_off_as_tornado_does():
    # the fake below replaces set_nodelay: the real one must be Tornado's
    import tornado.websocket
    assert KernelWebsocketHandler.set_nodelay is tornado.websocket.WebSocketHandler.set_nodelay


class _Handler(KernelWebsocketHandler):
    """A kernel WebSocket handler that only records what is asked of it."""

    def __init__(self, log):
        self.log_ = log

    def set_nodelay(self, value):
        self.log_.append(("set_nodelay", value))


def test_the_connection_turns_nagle_off_before_it_connects(monkeypatch):
    log = []
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect",
                        lambda self: log.append(("connect",)) or "future")
    connection = NoDelayKernelConnection(websocket_handler=_Handler(log))
    assert connection.connect() == "future"     # the server awaits what connect returns
    assert log == [("set_nodelay", True), ("connect",)]


def test_the_setting_names_the_class():
    module, name = SETTING.rsplit(".", 1)
    assert getattr(sys.modules[module], name) is NoDelayKernelConnection


def test_make_lab_and_the_browser_tests_start_jupyter_with_it():
    makefile = (REPO / "Makefile").read_text()
    setting = re.search(r"^SERVER_ARGS\s*:=\s*(.*)$", makefile, re.M).group(1).strip()
    assert setting == f"--ServerApp.kernel_websocket_connection_class={SETTING}"
    lab = re.search(r"^lab:.*\n\t(.*)$", makefile, re.M).group(1)
    assert "$(SERVER_ARGS)" in lab
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    try:
        import rk_jupyter
    finally:
        sys.path.pop(0)
    assert rk_jupyter.SERVER_ARGS == [setting]
