"""What a fully successful apply of a plan leaves in the lockfile, computed in memory.

Not a model of the executor but the executor itself: the real steps (`steps_from_plan`),
`Executor` and `LockRecorder` (so the real lockfile transitions) run against a Story API
that lives in memory and finishes every story at once; nothing is written to disk. Tests
use it to check the contract "apply, then plan again → no changes" on the code that runs.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

from vidflow.api.models import StoryRecord
from vidflow.apply.executor import Executor
from vidflow.apply.recorder import LockRecorder
from vidflow.apply.steps import steps_from_plan
from vidflow.plan.model import Plan
from vidflow.providers.base import ProgressCallback
from vidflow.spec.model import ResolvedStory
from vidflow.state.lockfile import Lockfile, lockfile_path

# No file can exist under a path through /dev/null: the executor's check for a video
# already on disk (to move it rather than fetch it) finds nothing, and nothing is written.
_NOWHERE = Path(os.devnull)


class InstantStories:
    """A Story API in memory whose every story succeeds at once (the Provider protocol)."""

    honours_idempotency_keys = True

    def __init__(self, identity: str, new_id: Callable[[str], str]) -> None:
        self.identity = identity
        self._new_id = new_id

    def create(self, story: ResolvedStory, *,
               idempotency_key: str | None = None) -> StoryRecord:
        return StoryRecord(id=self._new_id(story.address), status="new", title=story.title)

    def regenerate(self, story_id: str, story: ResolvedStory, *,
                   idempotency_key: str | None = None) -> StoryRecord:
        return StoryRecord(id=story_id, status="processing", title=story.title)

    def get(self, story_id: str) -> StoryRecord:
        return StoryRecord(id=story_id, status="success", progress_percentage=100,
                           video_url=f"/media/{story_id}.mp4")

    def update(self, story_id: str, *, title: str, description: str,
               visibility_status: str) -> StoryRecord:
        return StoryRecord(id=story_id, status="success", title=title,
                           description=description, visibility_status=visibility_status)

    def delete(self, story_id: str) -> None:
        return None

    def wait(self, story_id: str, on_progress: ProgressCallback | None = None, *,
             stop: threading.Event | None = None,
             timeout: float | None = None) -> StoryRecord:
        return self.get(story_id)

    def download(self, record: StoryRecord, dest: Path) -> str:
        return hashlib.sha256(f"video:{record.id}".encode()).hexdigest()

    def check(self, story: ResolvedStory) -> None:
        return None

    def close(self) -> None:
        return None


def simulate_apply(plan: Plan, lock: Lockfile,
                   new_id: Callable[[str], str] | None = None) -> Lockfile:
    """The lockfile after every change of `plan` succeeded (videos downloaded).

    `new_id(address)` names the story a create/replace makes (default: a hash of the
    address and the lock serial, never an id the lockfile already holds). The serial is
    left alone: `write_lockfile` bumps it.
    """
    if plan.errors:
        raise ValueError("a plan with errors cannot be applied")
    taken = {e.story_id for e in lock.entries.values()}
    taken |= {d for e in lock.entries.values() for d in e.deposed}

    def fresh_id(address: str) -> str:
        sid = new_id(address) if new_id else _fake_id(address, lock.serial)
        while sid in taken:  # a replace must never make the id it deletes
            sid = _fake_id(sid, lock.serial)
        taken.add(sid)
        return sid

    identity = plan.provider.identity if plan.provider else "local"
    recorder = LockRecorder(lockfile_path(_NOWHERE), lock, identity, persist=lambda new: new)
    executor = Executor(InstantStories(identity, fresh_id), recorder, _NOWHERE, parallelism=1)
    result = executor.run(steps_from_plan(plan))
    if not result.ok:
        raise AssertionError("the simulated apply failed: "
                             + "; ".join(f"{r.address}: {r.message}" for r in result.failed))
    return recorder.lock


def _fake_id(address: str, serial: int) -> str:
    return hashlib.sha256(f"{serial}:{address}".encode()).hexdigest()[:16]
