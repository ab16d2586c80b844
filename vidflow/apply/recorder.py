"""The executor's one lockfile writer: every state change is written at once, atomically.

Worker threads call these methods concurrently; a threading.Lock serializes them so each
write starts from the previous one's value (the caller holds the cross-process state lock
for the whole apply).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from vidflow.api.models import StoryRecord
from vidflow.spec.model import ResolvedStory
from vidflow.state.lockfile import LockEntry, Lockfile, write_lockfile


def _status(record: StoryRecord) -> str:
    # "new" and "processing" both mean: paid for, still running; resume it, never re-create.
    return record.status if record.done else "processing"


# What a create leaves unset: the API's defaults (a create call sends a title only).
CREATE_DEFAULTS = {"description": "", "visibility_status": "0"}


def _as_sent(entry: LockEntry, old: LockEntry | None) -> LockEntry:
    """The entry claiming only the metadata the call that started the story really set.

    A create (or a replace's create) sends the title; description and visibility are the
    API's defaults until the PUT that follows. A regenerate works on the same story, whose
    description and visibility stay what they were.
    """
    if old is not None and old.story_id == entry.story_id:
        return replace(entry, description=old.description,
                       visibility_status=old.visibility_status)
    return replace(entry, **CREATE_DEFAULTS)


class LockRecorder:
    def __init__(self, path: Path, lock: Lockfile, identity: str) -> None:
        self.path = Path(path)
        self.lock = lock
        self.identity = identity
        self._mutex = threading.Lock()
        self._replaced: dict[str, LockEntry] = {}  # address → entry before its replace

    def _write(self, lock: Lockfile) -> None:
        self.lock = write_lockfile(self.path, lock)

    def _set(self, address: str, entry: LockEntry) -> None:
        if self.lock.get(address) == entry:
            return  # e.g. a video downloaded again, unchanged: no new serial, no git diff
        self._write(self.lock.with_entry(address, entry))

    def rename(self, old: str, new: str) -> None:
        with self._mutex:
            self._write(self.lock.renamed(old, new))

    def started(self, story: ResolvedStory, record: StoryRecord, *,
                replacing: str | None = None) -> None:
        with self._mutex:
            old = self.lock.get(story.address)
            deposed = list(old.deposed) if old else []
            if replacing is not None and old is not None:
                self._replaced[story.address] = old
                if replacing not in deposed:
                    deposed.append(replacing)
            entry = LockEntry.from_story(
                story, story_id=record.id, provider=self.identity, status=_status(record),
                used_credits=record.used_credits, created_at=record.created_at,
                updated_at=record.updated_at, deposed=deposed)
            self._set(story.address, _as_sent(entry, old))

    def progressed(self, address: str, record: StoryRecord) -> None:
        with self._mutex:
            entry = self.lock.get(address)
            if entry is None or entry.story_id != record.id:
                return
            status = _status(record)
            if (status, record.message, record.used_credits) == (
                    entry.status, entry.message, entry.used_credits):
                return  # progress percentages are not state: no write per poll
            self._set(address, replace(entry, status=status, message=record.message,
                                       used_credits=record.used_credits,
                                       video_url=record.video_url or entry.video_url,
                                       updated_at=record.updated_at))

    def finished(self, story: ResolvedStory, record: StoryRecord, *, output: str,
                 sha256: str) -> None:
        with self._mutex:
            old = self.lock.get(story.address)
            entry = LockEntry.from_story(
                story, story_id=record.id, provider=self.identity, status="success",
                video_url=record.video_url, output_sha256=sha256,
                used_credits=record.used_credits, created_at=record.created_at,
                updated_at=record.updated_at, deposed=list(old.deposed) if old else [])
            self._set(story.address, replace(entry, output=output))

    def failed_replacement(self, story: ResolvedStory, new_id: str) -> None:
        """Put the story that was being replaced back: it is still the one that works."""
        with self._mutex:
            old = self._replaced.pop(story.address, None)
            if old is not None:
                self._set(story.address, old)

    def updated(self, story: ResolvedStory, record: StoryRecord | None, *,
                output: str | None = None, sha256: str | None = None) -> None:
        """An in-place update: the entry takes the spec's metadata, lifecycle, output."""
        with self._mutex:
            entry = self.lock.get(story.address)
            if entry is None:
                return
            entry = replace(entry, title=story.title, description=story.description,
                            visibility_status=story.visibility_status,
                            prevent_destroy=story.lifecycle.prevent_destroy,
                            updated_at=record.updated_at if record else entry.updated_at)
            if output is not None:
                entry = replace(entry, output=output, output_sha256=sha256)
            self._set(story.address, entry)

    def removed(self, address: str, story_id: str) -> None:
        with self._mutex:
            entry = self.lock.get(address)
            if entry is None:
                return
            if entry.story_id == story_id:
                self._write(self.lock.without(address))
            elif story_id in entry.deposed:
                self._set(address, replace(entry, deposed=[d for d in entry.deposed
                                                           if d != story_id]))
