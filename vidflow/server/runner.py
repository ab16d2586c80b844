"""Putting the pieces together: a listening socket, an engine that knows its public URL,
the app, and uvicorn. Shared by `vidflow serve` and `vidflow.testing`.

The socket is bound first so that `--port 0` works: the engine needs the real port to
write absolute media URLs before the first request arrives.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from vidflow.engine.service import EngineConfig, StoryEngine
from vidflow.errors import VidflowError
from vidflow.server.app import ServerSettings, create_app
from vidflow.server.auth import KeyRing


@dataclass
class Served:
    app: FastAPI
    engine: StoryEngine
    sock: socket.socket
    base_url: str


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (IPv6 when the host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise VidflowError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                           hint="is another server running there? pass --port N, "
                                "or --port 0 for any free port") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def public_url(host: str, port: int) -> str:
    """Where clients reach us: a wildcard bind is advertised as loopback."""
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"
    if addr.is_unspecified:
        return f"http://127.0.0.1:{port}" if addr.version == 4 else f"http://[::1]:{port}"
    return f"http://[{host}]:{port}" if addr.version == 6 else f"http://{host}:{port}"


def engine_config(data_dir: Path, public_base_url: str, **options: Any) -> EngineConfig:
    known = {f.name for f in fields(EngineConfig)}
    unknown = set(options) - known
    if unknown:
        raise TypeError(f"unknown EngineConfig option(s): {', '.join(sorted(unknown))}")
    return EngineConfig(data_dir=Path(data_dir), public_base_url=public_base_url, **options)


def build(*, host: str, port: int, data_dir: Path, keys: list[str],
          public_base_url: str | None = None, **engine_options: Any) -> Served:
    """Bind, start the engine and make the app; the caller runs uvicorn and closes."""
    # clients of a server must not make it read its own files through element fields
    engine_options.setdefault("allow_local_files", False)
    sock = bind(host, port)
    try:
        base = (public_base_url or public_url(host, sock.getsockname()[1])).rstrip("/")
        engine = StoryEngine(engine_config(data_dir, base, **engine_options))
    except BaseException:
        sock.close()
        raise
    settings = ServerSettings(uploads_dir=Path(data_dir) / "uploads")
    app = create_app(engine, KeyRing.of(keys), settings)
    return Served(app=app, engine=engine, sock=sock, base_url=base)


def uvicorn_server(app: FastAPI, *, log_level: str = "info") -> uvicorn.Server:
    # the access log shows method, path and status: never headers, so never a key
    # keep-alive outlasts the client's longest poll interval (15 s), so a POST rarely meets
    # a connection the server is just closing (a POST cut off that way is never re-sent)
    config = uvicorn.Config(app, log_level=log_level, lifespan="off", timeout_keep_alive=30,
                            timeout_graceful_shutdown=5)
    return uvicorn.Server(config)
