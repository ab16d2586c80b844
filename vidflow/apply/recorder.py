"""The executor's one lockfile writer: every state change is written at once, atomically.

What each change does to an entry is stated once, in vidflow.state.transitions; this class
only applies them in order and persists the result. Worker threads call these methods
concurrently; a threading.Lock serializes them so each write starts from the previous
one's value (the caller holds the cross-process state lock for the whole apply).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from vidflow.api.models import StoryRecord
from vidflow.spec.model import ResolvedStory
from vidflow.state import transitions
from vidflow.state.intents import Intent
from vidflow.state.lockfile import LockEntry, Lockfile, write_lockfile

Persist = Callable[[Lockfile], Lockfile]


class LockRecorder:
    def __init__(self, path: Path, lock: Lockfile, identity: str, *,
                 persist: Persist | None = None, render: dict | None = None) -> None:
        """`persist(lock)` stores a new value and returns the one stored; by default
        `write_lockfile` to `path` (the plan simulation keeps it in memory instead)."""
        self.path = Path(path)
        self.lock = lock
        self.identity = identity
        self.render = render  # the provider's render quality, recorded with each video
        self._persist = persist or (lambda new: write_lockfile(self.path, new))
        self._mutex = threading.Lock()
        self._replaced: dict[str, LockEntry] = {}  # address → entry before its replace
        self._before: dict[str, LockEntry] = {}  # address → entry before this apply changed it

    def _commit(self, new: Lockfile) -> None:
        if new is not self.lock:  # e.g. a video downloaded again, unchanged: no new serial
            self.lock = self._persist(new)

    def previous(self, address: str) -> LockEntry | None:
        """The entry as it was before this apply started a new call for `address`."""
        with self._mutex:
            return self._before.get(address) or self.lock.get(address)

    def rename(self, old: str, new: str) -> None:
        with self._mutex:
            self._commit(self.lock.renamed(old, new))

    def started(self, story: ResolvedStory, record: StoryRecord, *,
                replacing: str | None = None) -> None:
        with self._mutex:
            old = self.lock.get(story.address)
            if replacing is not None and old is not None:
                self._replaced[story.address] = old
            if old is not None:
                self._before[story.address] = old
            self._commit(transitions.started(self.lock, story, record, provider=self.identity,
                                             replacing=replacing))

    def intended(self, address: str, intent: Intent) -> None:
        with self._mutex:
            self._commit(transitions.intended(self.lock, address, intent))

    def abandoned(self, address: str) -> None:
        with self._mutex:
            self._commit(transitions.abandoned(self.lock, address))

    def progressed(self, address: str, record: StoryRecord) -> None:
        with self._mutex:
            self._commit(transitions.progressed(self.lock, address, record))

    def finished(self, story: ResolvedStory, record: StoryRecord, *, output: str,
                 sha256: str, files: dict[str, str] | None = None) -> None:
        with self._mutex:
            self._commit(transitions.finished(self.lock, story, record,
                                              provider=self.identity, output=output,
                                              sha256=sha256, render=self.render,
                                              files=files))

    def failed_replacement(self, story: ResolvedStory, new_id: str) -> None:
        """Put the story that was being replaced back: it is still the one that works."""
        with self._mutex:
            old = self._replaced.pop(story.address, None)
            if old is not None and self.lock.get(story.address) != old:
                self._commit(self.lock.with_entry(story.address, old))

    def updated(self, story: ResolvedStory, record: StoryRecord | None, *,
                output: str | None = None, sha256: str | None = None) -> None:
        """An in-place update: the entry takes the spec's metadata, lifecycle, output."""
        with self._mutex:
            self._commit(transitions.updated(self.lock, story, record, output=output,
                                             sha256=sha256))

    def removed(self, address: str, story_id: str) -> None:
        with self._mutex:
            self._commit(transitions.removed(self.lock, address, story_id))
