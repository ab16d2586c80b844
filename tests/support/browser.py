"""Debian's Chromium, driven by Playwright's Python package: never a downloaded browser.

Missing pieces fail the test with the command that installs them, never a silent skip:
a gallery nobody has seen play is not tested.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MISSING_CHROMIUM = ("Debian's chromium package is missing: apt-get install chromium "
                    "(bash .ci/run installs it)")
MISSING_PLAYWRIGHT = ("Playwright's Python package is missing: pip install -e '.[test]' "
                      "(make test installs it; the browser is Debian's chromium, never "
                      "`playwright install`)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"]


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    return found


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    """A fresh headless Chromium (its own user-data-dir, thrown away after): a context
    whose `new_page()` the tests call. Started once per session: it takes about 2 s."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(MISSING_PLAYWRIGHT, pytrace=False)
    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="vf-chromium-") as data:
        context = pw.chromium.launch_persistent_context(
            data, executable_path=executable, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            context.close()


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """`vidflow gallery`'s server over `folder` on a free loopback port; its base URL."""
    from vidflow.gallery.server import bind, site_app
    from vidflow.server.runner import uvicorn_server

    sock = bind(0)
    server = uvicorn_server(site_app(folder), log_level="warning")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def wait_until(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Poll `expression` until true. (Playwright's wait_for_function evaluates a string
    with eval, which `vidflow serve`'s Content-Security-Policy rightly refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)
