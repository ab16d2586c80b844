"""Client test helpers: a scriptable HTTP server on loopback for the fault tests.

Each test queues the responses the server gives, in order (the last one repeats), and reads
back every request that arrived, so a test can assert exactly how many were sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STORY = {"id": "0b7e5f5e-1111-4222-8333-444455556666", "status": "new",
         "progress_percentage": 0, "title": "", "used_credits": 7}


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow server)
    declared_length: int | None = None  # lie about Content-Length (a cut-off body)

    def payload(self) -> bytes:
        if self.body is None:
            return json.dumps({"data": STORY}).encode()
        if isinstance(self.body, dict):
            return json.dumps(self.body).encode()
        return self.body


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FaultServer:
    def __init__(self, port: int = 0) -> None:
        self.replies: list[Reply] = [Reply()]
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with owner.lock:
                    owner.requests.append(Seen(self.command, self.path, dict(self.headers),
                                               body))
                    reply = owner.replies.pop(0) if len(owner.replies) > 1 else owner.replies[0]
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.payload()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    declared = reply.declared_length
                    self.send_header("Content-Length",
                                     str(len(data) if declared is None else declared))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.declared_length is not None:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        # with an explicit port, nothing listens until start(): connections are refused
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler, bind_and_activate=False)
        self.httpd.daemon_threads = True
        self.httpd.allow_reuse_address = True
        self.bound = False
        if not port:
            self._bind()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def _bind(self) -> None:
        self.httpd.server_bind()
        self.httpd.server_activate()
        self.bound = True

    def start(self) -> FaultServer:
        if not self.bound:
            self._bind()
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, *replies: Reply) -> None:
        with self.lock:
            self.replies = list(replies)
            self.requests.clear()

    def count(self, method: str | None = None) -> int:
        return sum(1 for r in self.requests if method in (None, r.method))


# --- a real `vidflow serve` for the whole session -----------------------------------------
@dataclass
class LiveServer:
    base_url: str
    key: str
    engine: Any


OTHER_KEY = "vf_client-tests-other-account"
