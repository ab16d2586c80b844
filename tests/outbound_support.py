"""Real loopback listeners for the outbound-guard tests: they count every connection, so a
test can assert that a refused URL never reached them (not even a TCP handshake)."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

SECRET = "internal-admin-page-7f3a"  # what a leaked internal page would show

# Every spelling of 127.0.0.1 the attack used; each needs a listener on 127.0.0.1 only.
LOOPBACK_SPELLINGS = ("127.0.0.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1",
                      "127.1", "[::ffff:127.0.0.1]", "localhost", "LocalHost", "0.0.0.0")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    accepts = 0

    def get_request(self) -> tuple[socket.socket, object]:
        conn = super().get_request()
        self.accepts += 1
        return conn


class Listener:
    """An HTTP server on `host` answering every GET/POST with `body` (or a redirect)."""

    def __init__(self, host: str = "127.0.0.1", *, body: bytes = b"",
                 content_type: str = "text/html", location: str | None = None) -> None:
        self.body = body or f"<html><title>{SECRET}</title><p>{SECRET}</p></html>".encode()
        self.content_type = content_type
        self.location = location
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                if owner.location:
                    self.send_response(302)
                    self.send_header("Location", owner.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", owner.content_type)
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            do_GET = _answer
            do_POST = _answer

        server_class = _Server
        if ":" in host:
            server_class = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
        self.server = server_class((host, 0), Handler)
        self.port = self.server.server_address[1]
        self.host = host

    @property
    def accepts(self) -> int:
        return self.server.accepts

    def url(self, spelling: str | None = None, path: str = "/") -> str:
        return f"http://{spelling or self.host}:{self.port}{path}"


@contextmanager
def listening(host: str = "127.0.0.1", **kwargs: object) -> Iterator[Listener]:
    listener = Listener(host, **kwargs)  # type: ignore[arg-type]
    thread = threading.Thread(target=listener.server.serve_forever,
                              kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        listener.server.shutdown()
        listener.server.server_close()


def closed_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def pixel_bomb() -> bytes:
    """A PNG of ~17 KB declaring 12000x12000 pixels (432 MB once decoded to RGB)."""
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, format="PNG")
    return buf.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 160, 90)).save(buf, format="PNG")
    return buf.getvalue()
