"""Serving the gallery on this machine: a folder over HTTP on 127.0.0.1 only.

Starlette's StaticFiles answers Range requests, which a browser needs to seek in a video
(and the A/B page seeks to keep variants in step); http.server does not.
"""

from __future__ import annotations

import socket
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

LOOPBACK = "127.0.0.1"


def site_app(folder: Path) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/", StaticFiles(directory=str(folder), html=True), name="gallery")
    return app


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: any free port): never another address, a
    gallery shows unreleased videos."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(64)
    return sock


def serve_folder(folder: Path, sock: socket.socket) -> None:
    """Serve `folder` on `sock` until Ctrl-C."""
    from vidflow.server.runner import uvicorn_server

    uvicorn_server(site_app(folder)).run(sockets=[sock])
