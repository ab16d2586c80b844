"""Helpers shared by the server tests (a module name of its own: test dirs share sys.path)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from support.images import image_bytes

from vidflow.engine.service import StoryEngine

__all__ = ["OTHER_KEY", "Live", "image_bytes"]

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

    def finished(self, story_id: str, timeout: float = 120) -> dict:
        """The story once it ended (success or fail), polled over HTTP."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            story = self.get(f"/story/{story_id}").json()["data"]
            if story["status"] in ("success", "fail"):
                return story
            time.sleep(0.1)
        raise AssertionError(f"story {story_id} did not finish")

    def get(self, path: str, key: str | None = None) -> requests.Response:
        return requests.get(self.url(path), headers=self.headers(key), timeout=30)


