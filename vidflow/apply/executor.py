"""Run Steps against a provider with bounded parallelism, recording state as it happens.

The guarantees that keep an apply from paying twice:
  - a create's story ID is recorded (status "processing") the moment the call returns,
    before anything else happens, so an interrupted apply resumes polling it;
  - a replace makes the new story first and deletes the old one only after the new video
    is downloaded; if the new one fails, the old one stays in the lockfile;
  - `stop` (Ctrl-C) ends the start of new work; in-flight calls finish and are recorded;
  - 402 (insufficient credit) stops every later create, other steps go on;
  - 401 (the key is refused) stops every later step: each call would fail the same way.

State changes go through `StateRecorder`, which serializes them (one writer) and writes the
lockfile atomically after each one.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from vidflow import faults
from vidflow.api.models import StoryRecord
from vidflow.api.poll import WaitTimeout
from vidflow.apply.outputs import file_beside, locked_video, video_target
from vidflow.apply.steps import Kind, Step
from vidflow.errors import (
    ApiConnectionError,
    InsufficientCredit,
    NotFound,
    StoryApiError,
    Unauthorized,
    VidflowError,
)
from vidflow.hashing import sha256_file
from vidflow.providers.base import Interrupted, Provider
from vidflow.spec.model import ResolvedStory
from vidflow.spec.overrides import apply_overrides, override_problems, reference_shape
from vidflow.state.intents import Intent, as_sent, new_intent, undecided_message
from vidflow.state.lockfile import LockEntry, scrub_provider
from vidflow.state.transitions import output_path

DEFAULT_PARALLELISM = 4


class StateRecorder(Protocol):
    """The executor's view of the lockfile; every method persists before returning."""

    def rename(self, old: str, new: str) -> None: ...

    def intended(self, address: str, intent: Intent) -> None: ...

    def abandoned(self, address: str) -> None: ...

    def started(self, story: ResolvedStory, record: StoryRecord, *,
                replacing: str | None = None) -> None: ...

    def progressed(self, address: str, record: StoryRecord) -> None: ...

    def finished(self, story: ResolvedStory, record: StoryRecord, *, output: str,
                 sha256: str, files: dict[str, str] | None = None) -> None: ...

    def previous(self, address: str) -> LockEntry | None: ...

    def failed_replacement(self, story: ResolvedStory, new_id: str) -> None: ...

    def updated(self, story: ResolvedStory, record: StoryRecord | None, *,
                output: str | None = None, sha256: str | None = None) -> None: ...

    def removed(self, address: str, story_id: str) -> None: ...


@dataclass(frozen=True)
class Event:
    """A progress report for the display."""

    address: str
    kind: Kind
    status: str  # "pending", "new", "processing", "success", "fail", "downloading", ...
    progress: int = 0
    message: str | None = None


@dataclass
class StepResult:
    address: str
    kind: Kind
    outcome: str  # "done" | "failed" | "skipped" | "interrupted" | "undecided"
    message: str | None = None
    story_id: str | None = None
    output: str | None = None
    used_credits: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "done"


@dataclass
class ApplyResult:
    results: list[StepResult] = field(default_factory=list)
    interrupted: bool = False
    out_of_credit: bool = False
    unauthorized: str | None = None  # the 401's message (with the fix), when one came
    signum: int | None = None  # the signal that stopped the apply, when one did

    @property
    def failed(self) -> list[StepResult]:
        return [r for r in self.results if r.outcome == "failed"]

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.ok for r in self.results)


class _Skip(Exception):
    """A step that must not start (stop requested, or out of credit)."""


class Executor:
    def __init__(self, provider: Provider, state: StateRecorder, root: Path, *,
                 parallelism: int = DEFAULT_PARALLELISM,
                 on_event: Callable[[Event], None] | None = None,
                 stop: threading.Event | None = None,
                 deadline: float | None = None) -> None:
        if parallelism < 1:
            raise VidflowError("--parallelism must be at least 1")
        self.provider = provider
        self.state = state
        self.root = Path(root)
        self.parallelism = parallelism
        self.on_event = on_event or (lambda event: None)
        self.stop = stop or threading.Event()
        self.deadline = deadline  # seconds; overrides each story's own `deadline`
        self.no_credit = threading.Event()
        self.unauthorized: str | None = None  # set once, by the first 401

    # --- the run -----------------------------------------------------------------------
    def run(self, steps: Sequence[Step]) -> ApplyResult:
        # Renames touch only the lockfile and must precede everything else at that address.
        for step in steps:
            if step.moved_from:
                self.state.rename(step.moved_from, step.address)
        work = [s for s in steps if s.kind is not Kind.MOVE]
        result = ApplyResult(results=[StepResult(s.address, s.kind, "done")
                                      for s in steps if s.kind is Kind.MOVE])
        for step in work:
            self._emit(step, "pending")
        with ThreadPoolExecutor(max_workers=self.parallelism,
                                thread_name_prefix="vidflow-apply") as pool:
            futures: list[Future[StepResult]] = [pool.submit(self._guarded, s) for s in work]
            pending = set(futures)
            while pending:
                # A short timeout keeps the main thread free to take Ctrl-C.
                _, pending = wait_futures(pending, timeout=0.2)
        result.results.extend(f.result() for f in futures)
        result.interrupted = self.stop.is_set()
        result.out_of_credit = self.no_credit.is_set()
        result.unauthorized = self.unauthorized
        return result

    def _guarded(self, step: Step) -> StepResult:
        try:
            if self.stop.is_set():
                raise _Skip("not started: apply was interrupted")
            return self._run_step(step)
        except _Skip as exc:
            self._emit(step, "skipped", message=str(exc))
            return StepResult(step.address, step.kind, "skipped", str(exc), step.story_id)
        except Interrupted:
            self._emit(step, "interrupted")
            return StepResult(step.address, step.kind, "interrupted",
                              "still running; `vidflow apply` resumes it", step.story_id)
        except VidflowError as exc:
            if isinstance(exc, InsufficientCredit):
                self.no_credit.set()
            if isinstance(exc, Unauthorized) and self.unauthorized is None:
                self.unauthorized = str(exc)
            self._emit(step, "failed", message=str(exc))
            return StepResult(step.address, step.kind, "failed", str(exc), step.story_id)
        except Exception as exc:  # one story's bug must not stop the others
            message = f"unexpected {type(exc).__name__}: {exc}"
            self._emit(step, "failed", message=message)
            return StepResult(step.address, step.kind, "failed", message, step.story_id)

    def _run_step(self, step: Step) -> StepResult:
        if self.unauthorized is not None:
            raise _Skip("not started: the API refused the key (401)")
        if step.kind.creates and self.no_credit.is_set():
            raise _Skip("not started: the account is out of credit (402)")
        handler = {
            Kind.DECIDE: self._undecided,
            Kind.CREATE: self._create,
            Kind.RESUME: self._resume,
            Kind.REPLACE: self._replace,
            Kind.REGENERATE: self._regenerate,
            Kind.UPDATE: self._update,
            Kind.DELETE: self._delete,
            Kind.FORGET: self._forget,
        }[step.kind]
        result = handler(step)
        if result.ok and step.kind not in (Kind.DELETE, Kind.FORGET):
            # Older stories left at this address by an interrupted replace go only now.
            for old_id in step.deposed:
                self._delete_one(step.address, old_id)
        return result

    # --- paid calls: intent first, then the call with its key, then the answer ----------
    def _paid(self, step: Step, story: ResolvedStory, operation: str,
              call: Callable[[str], StoryRecord], *, story_id: str | None = None
              ) -> StoryRecord:
        """Send a paid call under an intent written before it (or replay the step's
        unanswered intent with its key). The caller records the answer, which ends the
        intent in the same write; a call provably refused before any work ends it here."""
        # the step's unanswered intent is for its first call: a create's overrides then
        # go out as a regenerate of their own, under an intent of their own
        replay = step.replay
        intent = replay if replay is not None and replay.operation == operation else None
        if intent is None:
            intent = new_intent(operation, story, provider=scrub_provider(
                self.provider.identity), replayable=self.provider.honours_idempotency_keys,
                story_id=story_id)
            self.state.intended(story.address, intent)
        faults.reached("intent-written")
        try:
            record = call(intent.key)
        except StoryApiError as exc:
            if not_processed(exc):
                self.state.abandoned(story.address)
            raise
        faults.reached("answer-received")
        return record

    # --- one handler per kind ----------------------------------------------------------
    def _create(self, step: Step) -> StepResult:
        story = _need_story(step)
        # Overrides change the storyboard the engine generates, so they follow the create
        # as a regenerate; the entry says "not overridden" until that one is recorded.
        plain = as_sent("create", story)
        record = self._paid(step, plain, "create", lambda key: self.provider.create(
            plain, idempotency_key=key))
        self.state.started(plain, record)
        self._put_after_create(step, story, record.id)
        result = self._finish(step, plain, record.id, put=False)
        return self._then_override(step, story, result)

    def _then_override(self, step: Step, story: ResolvedStory, result: StepResult
                       ) -> StepResult:
        if not story.overrides or not result.ok or result.story_id is None:
            return result
        story_id = result.story_id
        base = reference_shape(self.provider.get(story_id).storyboard)
        problems = override_problems(base, story.overrides)
        if problems:  # the new story's storyboard has no such scene or element
            message = "; ".join(f"{path}: {text}" for path, text in problems)
            self._emit(step, "failed", message=message)
            return StepResult(step.address, step.kind, "failed", message, story_id)
        story = self._with_overridden_board(story, story_id, base)
        record = self._paid(step, story, "regenerate", lambda key: self.provider.regenerate(
            story_id, story, idempotency_key=key), story_id=story_id)
        self.state.started(story, record)
        return self._finish(step, story, story_id)

    def _with_overridden_board(self, story: ResolvedStory, story_id: str,
                               base: dict[str, Any] | None) -> ResolvedStory:
        """The story carrying the storyboard to send: a pinned one as it is; else `base`
        (the lockfile's record of the generated one) or, without a record, the provider's,
        the overrides applied."""
        if story.mode == "storyboard":
            return story
        if base is None:
            base = reference_shape(self.provider.get(story_id).storyboard)
        return replace(story, storyboard=apply_overrides(base, story.overrides))

    def _resume(self, step: Step) -> StepResult:
        story = _need_story(step)
        assert step.story_id is not None
        # Metadata first (e.g. a create cut off before its PUT): right while it renders.
        self._put_after_create(step, story, step.story_id)
        return self._finish(step, story, step.story_id, put=False)

    def _regenerate(self, step: Step) -> StepResult:
        story = _need_story(step)
        story_id = step.story_id
        assert story_id is not None
        story = self._with_overridden_board(story, story_id, step.base_storyboard)
        record = self._paid(step, story, "regenerate", lambda key: self.provider.regenerate(
            story_id, story, idempotency_key=key), story_id=story_id)
        self.state.started(story, record)
        return self._finish(step, story, step.story_id)

    def _replace(self, step: Step) -> StepResult:
        story = _need_story(step)
        old_id = step.story_id
        assert old_id is not None
        plain = as_sent("replace", story)
        record = self._paid(step, plain, "replace", lambda key: self.provider.create(
            plain, idempotency_key=key), story_id=old_id)
        self.state.started(plain, record, replacing=old_id)
        self._put_after_create(step, story, record.id)
        result = self._finish(step, plain, record.id, replacing=old_id, put=False)
        result = self._then_override(step, story, result)
        if result.ok:
            # Only now, with the new video safe, does the old story go.
            self._emit(step, "deleting old", 100)
            self._delete_one(story.address, old_id)
            self._emit(step, "success", 100)
        return result

    def _undecided(self, step: Step) -> StepResult:
        """An unanswered paid call the provider cannot replay: nothing is sent until a
        person decides (import the story, or forget the intent and pay again)."""
        message = undecided_message(step.address)
        self._emit(step, "needs a decision", message=message)
        return StepResult(step.address, step.kind, "undecided", message, step.story_id)

    def _update(self, step: Step) -> StepResult:
        story = _need_story(step)
        assert step.story_id is not None
        self._emit(step, "updating")
        record = self._put_metadata(story, step.story_id) if step.update_metadata else None
        output = sha256 = None
        if step.output_changed:
            output, sha256 = self._move_video(step, story)
        self.state.updated(story, record, output=output, sha256=sha256)
        self._emit(step, "success", 100)
        return StepResult(step.address, step.kind, "done", story_id=step.story_id,
                          output=output, used_credits=record.used_credits if record else 0)

    def _delete(self, step: Step) -> StepResult:
        assert step.story_id is not None
        self._emit(step, "deleting")
        # Older stories first, so the entry disappears only with the last one.
        for story_id in (*step.deposed, step.story_id):
            self._delete_one(step.address, story_id)
        self._emit(step, "deleted", 100)
        return StepResult(step.address, step.kind, "done", story_id=step.story_id)

    def _forget(self, step: Step) -> StepResult:
        """A `removed:` block: the entry goes; the story and its video are not touched."""
        assert step.story_id is not None
        self.state.removed(step.address, step.story_id)
        self._emit(step, "forgotten", 100)
        return StepResult(step.address, step.kind, "done", story_id=step.story_id)

    def _delete_one(self, address: str, story_id: str) -> None:
        with contextlib.suppress(NotFound):  # deleted outside vidflow: what we wanted
            self.provider.delete(story_id)
        self.state.removed(address, story_id)

    # --- shared tail: wait, download, record ---------------------------------------------
    def _finish(self, step: Step, story: ResolvedStory, story_id: str, *,
                replacing: str | None = None, put: bool = True) -> StepResult:
        def progress(record: StoryRecord) -> None:
            if not record.done:  # the end is reported below, after the download
                self._emit(step, record.status, record.progress_percentage)

        deadline = self.deadline if self.deadline is not None else story.deadline
        try:
            record = self.provider.wait(story_id, progress, stop=self.stop, timeout=deadline)
        except WaitTimeout:
            message = past_deadline(story_id, deadline)
            self._emit(step, "failed", message=message)
            return StepResult(step.address, step.kind, "failed", message, story_id)
        self.state.progressed(story.address, record)
        if record.status != "success":
            message = record.message or f"story {story_id} ended with status {record.status}"
            if replacing is not None:
                self._discard_failed(story, story_id)
            self._emit(step, "failed", record.progress_percentage, message)
            return StepResult(step.address, step.kind, "failed", message, story_id,
                              used_credits=record.used_credits)
        output, sha256 = self._download(step, story, record)
        files = self._download_files(step, record, output)
        if put and step.update_metadata:
            self._put_metadata(story, story_id)
        self.state.finished(story, record, output=output, sha256=sha256, files=files)
        if replacing is None:  # a replace reports success once the old story is gone
            self._emit(step, "success", 100)
        return StepResult(step.address, step.kind, "done", record.message, story_id=story_id,
                          output=output, used_credits=record.used_credits)

    def _download(self, step: Step, story: ResolvedStory,
                  record: StoryRecord) -> tuple[str, str]:
        """Fetch the video to the story's output path; (relative path, sha256)."""
        self._emit(step, "downloading", 100)
        output = output_path(story)
        digest = self.provider.download(record, video_target(self.root, output,
                                                             address=step.address))
        faults.reached("downloaded")
        return output, digest

    def _download_files(self, step: Step, record: StoryRecord, output: str
                        ) -> dict[str, str] | None:
        """The files the story has beside its video (caption sidecars), next to it."""
        fetch = getattr(self.provider, "download_files", None)
        if fetch is None:
            return None
        files = dict(fetch(record, video_target(self.root, output, address=step.address)))
        # the story before had sidecars this one has not (captions turned off): the ones
        # vidflow wrote, still as it wrote them, go; anything else is left alone
        before = self.state.previous(step.address)
        if before is not None and before.output == output:
            for suffix, digest in (before.files or {}).items():
                if suffix in files:
                    continue
                old = file_beside(self.root, output, suffix, address=step.address)
                with contextlib.suppress(OSError):
                    if sha256_file(old) == digest:
                        old.unlink()
        return files or None

    def _move_video(self, step: Step, story: ResolvedStory) -> tuple[str, str]:
        """The spec's output path changed: move the verified file, or fetch it again."""
        output = output_path(story)
        # a path the rule refuses (outside, a project file) is never moved: download again
        old = locked_video(self.root, step.old_output, address=step.address)
        if old is not None and old.is_file() and step.old_sha256 \
                and sha256_file(old) == step.old_sha256:
            new = video_target(self.root, output, address=step.address)
            new.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, new)
            # its sidecars go with it (a missing one is downloaded by the next apply)
            entry = self.state.previous(step.address)
            for suffix in (entry.files or {}) if entry else ():
                with contextlib.suppress(OSError):
                    os.replace(file_beside(self.root, step.old_output or "", suffix,
                                           address=step.address),
                               file_beside(self.root, output, suffix, address=step.address))
            return output, step.old_sha256
        assert step.story_id is not None
        return self._download(step, story, self.provider.get(step.story_id))

    def _discard_failed(self, story: ResolvedStory, new_id: str) -> None:
        """A failed replacement: the old story stays; the failed new one is removed."""
        self.state.failed_replacement(story, new_id)
        # Best effort: the lockfile no longer points at it either way.
        with contextlib.suppress(StoryApiError):
            self.provider.delete(new_id)

    def _put_after_create(self, step: Step, story: ResolvedStory, story_id: str) -> None:
        """Create calls take a title only: description and visibility go in a PUT at once,
        then into the lockfile. (Interrupted before it, the lockfile holds what the create
        sent, so the next plan shows the update and the resume makes it, first thing.)"""
        if step.update_metadata:
            record = self._put_metadata(story, story_id)
            self.state.updated(story, record)

    def _put_metadata(self, story: ResolvedStory, story_id: str) -> StoryRecord | None:
        return self.provider.update(story_id, **story.metadata)

    def _emit(self, step: Step, status: str, progress: int = 0,
              message: str | None = None) -> None:
        self.on_event(Event(step.address, step.kind, status, progress, message))


def past_deadline(story_id: str, seconds: float) -> str:
    """Why polling stopped, and the honest answer about its credits."""
    return (f"no result after {_duration(seconds)}: polling stopped. Story {story_id} "
            "stays in the lockfile as processing: it may still finish, and its credits "
            "were charged when it was accepted. `vidflow apply` polls it again (never "
            "creating it twice); `vidflow destroy --target` deletes it")


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    return f"{seconds / 60:g}m" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:g}s"


def not_processed(exc: StoryApiError) -> bool:
    """The server provably did nothing with the request: refused it with a 4xx (checks,
    credit, key, rate) or was never reached. A 5xx or a lost answer may have been acted on."""
    if isinstance(exc, ApiConnectionError):
        return not exc.sent
    return 400 <= exc.status < 500


def _need_story(step: Step) -> ResolvedStory:
    if step.story is None:
        raise VidflowError(f"{step.address}: no spec for a {step.kind.value} step")
    return step.story

