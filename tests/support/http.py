"""Local HTTP servers on 127.0.0.1 that misbehave on request; nothing reaches the network.

A :class:`FaultyServer` answers each GET with a body in a mode, and counts requests: ``ok``,
``corrupt`` (last 16 bytes flipped), ``cutoff`` (connection closed halfway), ``404``, ``trickle``
(one byte every ``interval`` seconds: never idle long enough for a read timeout) or ``stall``
(headers, then nothing). ``after_first_byte`` is called once a trickle has begun; ``queue``
holds the modes of the next requests (then ``mode`` applies again), to fail only once.
:class:`WeightServer` serves one body at any path; ``support.mirror`` serves a folder.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar
from urllib.parse import urlsplit


class FaultyServer(ThreadingHTTPServer):
    """Answers GET requests with :meth:`respond`'s body, in its mode; counts requests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.interval = 0.05  # seconds between bytes in trickle mode
        self.after_first_byte: Callable[[], None] | None = None
        self.requests = 0
        self.stopping = threading.Event()  # ends trickling and stalling handlers on shutdown

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def respond(self, path: str) -> tuple[bytes | None, str]:
        """The body for a request path (None: there is none) and the mode to send it in."""
        raise NotImplementedError


class WeightServer(FaultyServer):
    """Serves one body at any path, in a chosen mode."""

    def __init__(self, filename: str) -> None:
        super().__init__()
        self.filename = filename
        self.body = b""
        self.mode = "ok"  # ok | corrupt | cutoff | 404 | trickle | stall
        self.queue: list[str] = []  # modes of the next requests, before ``mode`` again

    @property
    def url(self) -> str:
        return f"{self.base_url}/weights/{self.filename}"

    def respond(self, path: str) -> tuple[bytes | None, str]:
        return self.body, self.queue.pop(0) if self.queue else self.mode


class _Handler(BaseHTTPRequestHandler):
    server: FaultyServer

    def do_GET(self) -> None:
        self.server.requests += 1
        body, mode = self.server.respond(urlsplit(self.path).path)
        if body is None or mode == "404":
            self.send_error(404, "Not Found")
            return
        if mode == "corrupt":
            body = body[:-16] + bytes(b ^ 0xFF for b in body[-16:])
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # the client may give up (its deadline): expected in the slow modes
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(body, mode)

    def _send(self, body: bytes, mode: str) -> None:
        if mode == "stall":
            self.wfile.flush()
            self.server.stopping.wait(30)
            return
        if mode == "trickle":
            self._trickle(body)
            return
        if mode == "cutoff":
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


Server = TypeVar("Server", bound=FaultyServer)


@contextlib.contextmanager
def running(srv: Server) -> Iterator[Server]:
    """Serve ``srv`` in a thread; shut it down (ending slow answers) on exit."""
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.stopping.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def serving(filename: str) -> contextlib.AbstractContextManager[WeightServer]:
    """A running :class:`WeightServer`, shut down on exit."""
    return running(WeightServer(filename))
