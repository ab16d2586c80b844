"""An in-memory Story API: a plain class speaking the Provider protocol, for executor tests."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from pathlib import Path

from support.stories import story

from vidflow.api.models import StoryRecord
from vidflow.errors import InsufficientCredit, NotFound, Unauthorized
from vidflow.providers.base import Interrupted
from vidflow.spec.model import ResolvedStory

__all__ = ["FakeProvider", "story"]


class FakeProvider:
    identity = "local"
    honours_idempotency_keys = True  # a repeat with a key answers the first story

    def __init__(self, *, fail: set[str] = frozenset(), credits: int | None = None,
                 delay: float = 0.0, key_refused: bool = False) -> None:
        self.fail = set(fail)  # ideas whose stories end in "fail"
        self.credits = credits  # creates allowed before 402
        self.delay = delay  # seconds each create/wait takes
        self.key_refused = key_refused  # every call answers 401
        self.stories: dict[str, dict] = {}
        self.keys: dict[str, str] = {}  # idempotency key → the story it made
        self.calls: list[tuple[str, str]] = []  # (operation, story id or address)
        self._ids = itertools.count(1)
        self._mutex = threading.Lock()
        self.active = 0
        self.max_active = 0

    def _log(self, op: str, target: str) -> None:
        with self._mutex:
            self.calls.append((op, target))

    def _busy(self) -> None:
        with self._mutex:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        time.sleep(self.delay)
        with self._mutex:
            self.active -= 1

    def _authorize(self, op: str) -> None:
        if self.key_refused:
            self._log(op, "401")
            raise Unauthorized("Invalid API key")

    def create(self, story: ResolvedStory, *,
               idempotency_key: str | None = None) -> StoryRecord:
        self._authorize("create")
        with self._mutex:
            if idempotency_key in self.keys:
                return StoryRecord(id=self.keys[idempotency_key], status="new")
            if self.credits is not None:
                if self.credits <= 0:
                    raise InsufficientCredit("insufficient credit")
                self.credits -= 1
            sid = f"s{next(self._ids)}"
            # A create call sends a title only; the rest are the API's defaults.
            self.stories[sid] = {"idea": story.params["idea"], "title": story.title,
                                 "description": "", "visibility_status": "0"}
            if idempotency_key is not None:
                self.keys[idempotency_key] = sid
        self._log("create", sid)
        return StoryRecord(id=sid, status="new")

    def regenerate(self, story_id: str, story: ResolvedStory, *,
                   idempotency_key: str | None = None) -> StoryRecord:
        self._log("regenerate", story_id)
        return StoryRecord(id=story_id, status="processing")

    def get(self, story_id: str) -> StoryRecord:
        self._authorize("get")
        if story_id not in self.stories:
            raise NotFound(f"story {story_id} not found")
        data = self.stories[story_id]
        status = "fail" if data["idea"] in self.fail else "success"
        return StoryRecord(id=story_id, status=status, progress_percentage=100,
                           video_url=f"/media/{story_id}.mp4", title=data["title"],
                           description=data["description"],
                           visibility_status=data["visibility_status"],
                           message="the engine broke" if status == "fail" else None,
                           used_credits=10)

    def update(self, story_id: str, *, title: str, description: str,
               visibility_status: str) -> StoryRecord:
        self._authorize("update")
        self._log("update", story_id)
        self.stories[story_id].update(title=title, description=description,
                                      visibility_status=visibility_status)
        return self.get(story_id)

    def delete(self, story_id: str) -> None:
        self._log("delete", story_id)
        if self.stories.pop(story_id, None) is None:
            raise NotFound(f"story {story_id} not found")

    def wait(self, story_id, on_progress=None, *, stop=None, timeout=None) -> StoryRecord:
        self._busy()
        if stop is not None and stop.is_set():
            raise Interrupted("stopped")
        record = self.get(story_id)
        if on_progress:
            on_progress(record)
        return record

    def download(self, record: StoryRecord, dest: Path) -> str:
        self._log("download", record.id)
        dest.parent.mkdir(parents=True, exist_ok=True)
        data = f"video {record.id}".encode()
        dest.write_bytes(data)
        return hashlib.sha256(data).hexdigest()

    def check(self, story: ResolvedStory) -> None:
        return None

    def close(self) -> None:
        return None
