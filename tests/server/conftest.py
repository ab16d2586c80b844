"""One live `vidflow serve` app per test session (real engine, small renders), plus helpers
for images and raw HTTP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from PIL import Image

from vidflow.engine.service import StoryEngine
from vidflow.testing import serve_files, story_server

OTHER_KEY = "vf_other-account-key"


@dataclass
class Live:
    base_url: str
    key: str
    engine: StoryEngine

    def url(self, path: str) -> str:
        return self.base_url + path

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"X-Api-Key": key or self.key}

    def post(self, path: str, key: str | None = None, **kw) -> requests.Response:
        return requests.post(self.url(path), headers=self.headers(key), timeout=60, **kw)

    def get(self, path: str, key: str | None = None) -> requests.Response:
        return requests.get(self.url(path), headers=self.headers(key), timeout=30)


@pytest.fixture(scope="session")
def live() -> Iterator[Live]:
    with story_server(api_keys=[OTHER_KEY]) as (base_url, key, engine):
        yield Live(base_url, key, engine)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48),
                color: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


@pytest.fixture(scope="session")
def image_host() -> Iterator[str]:
    """http(s) images for image_urls, served on loopback."""
    files = {f"/img{i}.png": image_bytes(color=(40 * i, 120, 200 - 30 * i)) for i in range(1, 5)}
    files["/photo.jpg"] = image_bytes("JPEG")
    with serve_files(files) as base:
        yield base
