"""Helpers shared by the server tests (a module name of its own: test dirs share sys.path)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import requests
from PIL import Image

from vidflow.engine.service import StoryEngine

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



def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48),
                color: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()

