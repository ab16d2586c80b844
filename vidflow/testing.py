"""Test helpers for code that talks to the Story API over HTTP.

    from vidflow.testing import story_server

    with story_server() as (base_url, api_key, engine):
        client = StoryClient(base_url, api_key=api_key)
        ...

`story_server` runs `vidflow serve`'s app with uvicorn in a background thread on a free
127.0.0.1 port, with a temporary data folder (unless one is given) and a generated key.
Engine options default to small renders (scale 0.25, 10 fps) so tests stay fast; pass any
`EngineConfig` field to change them.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vidflow.engine.service import StoryEngine
from vidflow.server.auth import generate_key
from vidflow.server.runner import build, uvicorn_server

TEST_ENGINE_OPTIONS: dict[str, Any] = {"scale": 0.25, "fps": 10}
START_TIMEOUT = 30.0


@contextlib.contextmanager
def story_server(data_dir: Path | None = None, *, api_keys: list[str] | None = None,
                 log_level: str = "warning",
                 **engine_options: Any) -> Iterator[tuple[str, str, StoryEngine]]:
    """Yield (base_url, api_key, engine) for a live server; stopped and cleaned up after.

    `api_keys`: extra keys the server also accepts (the first yielded key is generated).
    """
    options = {**TEST_ENGINE_OPTIONS, **engine_options}
    key = generate_key()
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="vidflow-serve-")))
        served = build(host="127.0.0.1", port=0, data_dir=data_dir,
                       keys=[key, *(api_keys or [])], **options)
        stack.callback(served.engine.close)
        server = uvicorn_server(served.app, log_level=log_level)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [served.sock]},
                                  name="vidflow-test-server", daemon=True)
        thread.start()
        stack.callback(_stop, server, thread, served.sock)
        _wait_started(server, thread)
        yield served.base_url, key, served.engine


def _wait_started(server: Any, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test Story API server failed to start")
        if time.monotonic() > deadline:
            raise RuntimeError("the test Story API server did not start in time")
        time.sleep(0.02)


def _stop(server: Any, thread: threading.Thread, sock: Any) -> None:
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@contextlib.contextmanager
def serve_files(files: dict[str, bytes]) -> Iterator[str]:
    """A plain static file server on 127.0.0.1 (for `image_urls`, `concat_video_urls`...);
    yields its base URL. `files` maps paths such as "/a.png" to their bytes."""
    import mimetypes
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = files.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            kind = mimetypes.guess_type(self.path)[0] or "application/octet-stream"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
