"""A local HTTP server on 127.0.0.1 that serves checkpoint bytes; nothing reaches the network.

The server answers any path with one body, in a chosen mode, and counts requests:
``ok``, ``corrupt`` (last 16 bytes flipped), ``cutoff`` (connection closed halfway), ``404``,
``trickle`` (one byte every ``interval`` seconds: never idle long enough for a read timeout) or
``stall`` (headers, then nothing). ``after_first_byte`` is called once a trickle has begun.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WeightServer(ThreadingHTTPServer):
    """Serves one body at any path, in a chosen mode, and counts requests."""

    daemon_threads = True

    def __init__(self, filename: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.filename = filename
        self.body = b""
        self.mode = "ok"  # ok | corrupt | cutoff | 404 | trickle | stall
        self.interval = 0.05  # seconds between bytes in trickle mode
        self.after_first_byte: Callable[[], None] | None = None
        self.requests = 0
        self.stopping = threading.Event()  # ends trickling and stalling handlers on shutdown

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/weights/{self.filename}"


class _Handler(BaseHTTPRequestHandler):
    server: WeightServer

    def do_GET(self) -> None:
        self.server.requests += 1
        if self.server.mode == "404":
            self.send_error(404, "Not Found")
            return
        body = self.server.body
        if self.server.mode == "corrupt":
            body = body[:-16] + bytes(b ^ 0xFF for b in body[-16:])
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # the client may give up (its deadline): expected in the slow modes
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(body)

    def _send(self, body: bytes) -> None:
        if self.server.mode == "stall":
            self.wfile.flush()
            self.server.stopping.wait(30)
            return
        if self.server.mode == "trickle":
            self._trickle(body)
            return
        if self.server.mode == "cutoff":
            body = body[: len(body) // 2]
            self.close_connection = True
        self.wfile.write(body)
        self.wfile.flush()

    def _trickle(self, body: bytes) -> None:
        for i in range(len(body)):
            self.wfile.write(body[i : i + 1])
            self.wfile.flush()
            if i == 0 and self.server.after_first_byte is not None:
                self.server.after_first_byte()
            if self.server.stopping.wait(self.server.interval):
                return

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@contextlib.contextmanager
def serving(filename: str) -> Iterator[WeightServer]:
    """A running :class:`WeightServer`, shut down on exit."""
    srv = WeightServer(filename)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.stopping.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)
