"""Real HTTP servers on 127.0.0.1 for tests, each in a daemon thread, shut down on exit.

`serve(Handler)` runs any request handler and yields its base URL; `recording_server()`
is a ready-made one that answers routes by path and records every request (webhooks,
image hosts, slow or failing URLs).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from vidflow.engine.outbound import Opening


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that keeps the access log out of the test output."""

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free 127.0.0.1 port; yield "http://127.0.0.1:PORT"."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/octet-stream"
    statuses: list[int] = field(default_factory=list)  # consumed first, one per request
    delay: float = 0.0  # seconds to wait before answering (a slow server)


@dataclass
class LoopbackServer:
    """A real HTTP server on 127.0.0.1: routes by path, records every request."""

    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, str, bytes]]
    lock: threading.Lock

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def opening(self) -> Opening:
        """The explicit opening that lets the engine reach this server (it refuses
        loopback unless an operator opens it)."""
        return Opening.parse(("127.0.0.1/32",))

    def route(self, path: str, *, status: int = 200, body: bytes = b"",
              content_type: str = "application/octet-stream",
              statuses: list[int] | None = None, delay: float = 0.0) -> str:
        """Serve `body` at `path` (answering `statuses` first, one per request); its URL."""
        self.routes[path] = Route(status, body, content_type, list(statuses or []), delay)
        return self.url(path)

    def posts(self, path: str) -> list[dict]:
        with self.lock:
            return [json.loads(body) for method, p, body in self.requests
                    if method == "POST" and p == path]

    def paths(self, method: str) -> list[str]:
        """The paths (with their query) of every `method` request so far, in order."""
        with self.lock:
            return [p for m, p, _ in self.requests if m == method]


@contextlib.contextmanager
def recording_server() -> Iterator[LoopbackServer]:
    """A LoopbackServer with no routes yet: unknown paths answer 404."""
    routes: dict[str, Route] = {}
    requests: list[tuple[str, str, bytes]] = []
    lock = threading.Lock()

    class Handler(QuietHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                requests.append((method, self.path, body))
                route = routes.get(self.path)
                status = (route.statuses.pop(0) if route and route.statuses
                          else route.status if route else 404)
            if route and route.delay:
                time.sleep(route.delay)
            payload = route.body if route else b"not found"
            self.send_response(status)
            self.send_header("Content-Type", route.content_type if route else "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    with serve(Handler) as base:
        yield LoopbackServer(base, routes, requests, lock)
