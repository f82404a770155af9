"""A kernel connection for the Jupyter server that sends each message at once.

The Jupyter server relays every kernel message to the page over a
WebSocket, a TCP connection on which Tornado leaves Nagle's algorithm on:
a small write waits while an earlier write is still unacknowledged, and
the browser may hold that acknowledgement back for 40 ms or more (Linux's
shortest delayed-ACK time). A slider move sends several messages back to
back (the kernel's busy and idle states, the control's echo, the new
image, the status line), so now and then one of them waits 40 ms for
nothing. That stall was behind most of the slow moves benchmark 7 caught
before (``benchmarks/bench_browser.py``; the README's performance section).

:class:`NoDelayKernelConnection` is the server's own connection with
``TCP_NODELAY`` set on the WebSocket, as Tornado's documentation of
``WebSocketHandler.set_nodelay`` advises for small, latency-sensitive
messages. ``make lab`` starts JupyterLab with it; by hand::

    jupyter lab --ServerApp.kernel_websocket_connection_class=regkit.course.server.NoDelayKernelConnection

It is for kernels the server runs itself: with a kernel gateway
(``--gateway-url``) the server's default connection is another class,
which this setting would replace. Only the Jupyter server imports this
module (``jupyter_server`` >= 2.0); the notebooks never do.
"""
from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

#: the ``--ServerApp.kernel_websocket_connection_class`` value that selects it
SETTING = f"{__name__}.NoDelayKernelConnection"


class NoDelayKernelConnection(ZMQChannelsWebsocketConnection):
    """The ZMQ-channels kernel connection, with Nagle's algorithm off on its WebSocket."""

    def connect(self):
        # the handshake is done (the server calls connect() from the
        # handler's open()), so the socket exists
        self.websocket_handler.set_nodelay(True)
        return super().connect()
