"""A local HTTP server on 127.0.0.1 that serves checkpoint bytes; nothing reaches the network.

The server answers any path with one body, in a chosen mode, and counts requests:
``ok``, ``corrupt`` (last 16 bytes flipped), ``cutoff`` (connection closed halfway) or ``404``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WeightServer(ThreadingHTTPServer):
    """Serves one body at any path, in a chosen mode, and counts requests."""

    daemon_threads = True

    def __init__(self, filename: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.filename = filename
        self.body = b""
        self.mode = "ok"  # ok | corrupt | cutoff | 404
        self.requests = 0

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
        if self.server.mode == "cutoff":
            body = body[: len(body) // 2]
            self.close_connection = True
        self.wfile.write(body)
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@contextmanager
def serving(filename: str) -> Iterator[WeightServer]:
    """A running :class:`WeightServer`, shut down on exit."""
    srv = WeightServer(filename)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)
