"""Engine fixtures: small real engines on temp data folders, a real loopback HTTP server."""

from __future__ import annotations

import http.server
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from vidflow.engine.outbound import Opening
from vidflow.engine.service import EngineConfig, StoryEngine

# The image, page and webhook servers of these tests listen on 127.0.0.1, which the engine
# refuses unless opened: opened here as an operator would (VIDFLOW_ALLOW_NETWORKS). The
# tests of the refusal itself make engines with allow_networks=().
LOOPBACK_OPEN = ("127.0.0.1/32",)
SMALL = {"scale": 0.25, "fps": 10, "x264_preset": "ultrafast",
         "allow_networks": LOOPBACK_OPEN}


@pytest.fixture
def make_engine(tmp_path: Path) -> Iterator[Callable[..., StoryEngine]]:
    """StoryEngine factory at test size; every engine made is closed at the end."""
    made: list[StoryEngine] = []

    def make(data_dir: Path | None = None, **overrides: object) -> StoryEngine:
        options = {**SMALL, **overrides}
        engine = StoryEngine(EngineConfig(data_dir=data_dir or tmp_path / "data", **options))
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


@pytest.fixture
def png() -> Callable[..., bytes]:
    return png_bytes


@pytest.fixture
def engine(make_engine: Callable[..., StoryEngine]) -> StoryEngine:
    return make_engine()


def png_bytes(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (64, 48)
              ) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


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
        """The explicit opening that lets the engine reach this server."""
        return Opening.parse(LOOPBACK_OPEN)

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


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    routes: dict[str, Route] = {}
    requests: list[tuple[str, str, bytes]] = []
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
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

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LoopbackServer(f"http://127.0.0.1:{server.server_address[1]}", routes, requests,
                             lock)
    finally:
        server.shutdown()
        server.server_close()
