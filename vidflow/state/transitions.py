"""Every change of a lockfile entry, stated once: pure functions, value in, value out.

The executor's recorder (vidflow.apply.recorder) applies them and writes the result; the
plan simulation (vidflow.apply.simulate) runs the same executor over an in-memory provider,
so "apply, then plan again → no changes" is checked against this code, not a copy of it.
`refresh` and `import` use the same merge of a remote record; the planner and the output
check ask `awaiting_download` / `is_downloaded`. No I/O here.

A transition that changes nothing returns its input unchanged (the same object), so the
recorder can tell a write is not needed.
"""

from __future__ import annotations

from dataclasses import replace

from vidflow.api.models import StoryRecord
from vidflow.spec.model import ResolvedStory
from vidflow.spec.overrides import reference_shape
from vidflow.spec.variants import default_output
from vidflow.state.intents import Intent
from vidflow.state.lockfile import LockEntry, Lockfile

# What a create leaves unset: the API's defaults (a create call sends a title only).
CREATE_DEFAULTS = {"description": "", "visibility_status": "0"}


def recorded_status(record: StoryRecord) -> str:
    """The status the lockfile keeps. "new" and "processing" both mean: paid for, still
    running; resume it, never create it again."""
    return record.status if record.done else "processing"


def output_path(story: ResolvedStory) -> str:
    """Where the story's video goes, relative to the project root: the spec's `output`,
    else the spec's default (for stories built without it: older plans, tests)."""
    return story.output or default_output(story.address)


def is_downloaded(entry: LockEntry) -> bool:
    """A finished story whose video was downloaded and its sha256 recorded."""
    return entry.status == "success" and bool(entry.output) and bool(entry.output_sha256)


def awaiting_download(entry: LockEntry, status: str | None = None) -> bool:
    """Finished (per `status`, the refreshed one, else the entry's) but its video not
    downloaded yet: an apply cut off between the end of the render and the download."""
    status = entry.status if status is None else status
    return status == "success" and bool(entry.output) and not entry.output_sha256


def merge_remote(entry: LockEntry, record: StoryRecord, *,
                 metadata: bool = False) -> LockEntry:
    """The entry updated from what the provider reports of its story: status, message,
    credits, video URL (kept when the server sends none); with `metadata`, also title,
    description and visibility as they are now (refresh: so a plan shows the drift)."""
    new = replace(entry, status=recorded_status(record), message=record.message,
                  used_credits=record.used_credits,
                  video_url=record.video_url or entry.video_url,
                  updated_at=record.updated_at)
    if metadata:
        new = replace(new, title=record.title, description=record.description,
                      visibility_status=record.visibility_status)
    return entry if new == entry else new


def imported(story: ResolvedStory, record: StoryRecord, *, provider: str) -> LockEntry:
    """The entry adopting a story made elsewhere (`vidflow import`): the spec's
    fingerprint (so the next plan shows no replace), the remote metadata (so it shows the
    update); the video is recorded by `downloaded` once fetched."""
    entry = LockEntry.from_story(story, story_id=record.id, provider=provider,
                                 status=recorded_status(record), video_url=record.video_url,
                                 used_credits=record.used_credits,
                                 created_at=record.created_at, updated_at=record.updated_at)
    # a story made elsewhere has none of the spec's overrides yet: the next plan applies
    # them to its storyboard as it is
    plain = replace(story, overrides=None, overrides_fingerprint=None)
    return replace(entry, title=record.title, description=record.description,
                   visibility_status=record.visibility_status, overrides=None,
                   overrides_fingerprint=None,
                   storyboard=generated_storyboard(plain, record, None))


def downloaded(entry: LockEntry, output: str, sha256: str) -> LockEntry:
    """The entry recording its video at `output` (relative) with that sha256."""
    return replace(entry, output=output, output_sha256=sha256)


def _set(lock: Lockfile, address: str, entry: LockEntry) -> Lockfile:
    return lock if lock.get(address) == entry else lock.with_entry(address, entry)


def started(lock: Lockfile, story: ResolvedStory, record: StoryRecord, *, provider: str,
            replacing: str | None = None) -> Lockfile:
    """A create, replace or regenerate call returned: its story id is recorded at once.

    The entry claims only the metadata that call really set: a create sends the title,
    description and visibility are the API's defaults until the PUT that follows; a
    regenerate works on the same story, whose description and visibility stay. A replace
    lists the old id in `deposed` until it is deleted.
    """
    old = lock.get(story.address)
    deposed = list(old.deposed) if old else []
    if replacing is not None and old is not None and replacing not in deposed:
        deposed.append(replacing)
    entry = LockEntry.from_story(
        story, story_id=record.id, provider=provider, status=recorded_status(record),
        used_credits=record.used_credits, created_at=record.created_at,
        updated_at=record.updated_at, deposed=deposed)
    if old is not None and old.story_id == entry.story_id:
        entry = replace(entry, description=old.description,
                        visibility_status=old.visibility_status, storyboard=old.storyboard)
    else:
        entry = replace(entry, **CREATE_DEFAULTS)
    # the answer and the end of its intent in one write: never one without the other
    return _set(lock, story.address, entry).without_intent(story.address)


def intended(lock: Lockfile, address: str, intent: Intent) -> Lockfile:
    """A paid call for `address` is about to be sent (written before it is)."""
    return lock.with_intent(address, intent)


def abandoned(lock: Lockfile, address: str) -> Lockfile:
    """The paid call was refused before anything was made (a 4xx, a refused connection):
    its intent ends with nothing to record."""
    return lock.without_intent(address)


def progressed(lock: Lockfile, address: str, record: StoryRecord) -> Lockfile:
    """A poll of a running story. Progress percentages are not state: a poll that changes
    neither status, message nor credits leaves the lockfile alone (no write per poll)."""
    entry = lock.get(address)
    if entry is None or entry.story_id != record.id:
        return lock
    if (recorded_status(record), record.message, record.used_credits) == (
            entry.status, entry.message, entry.used_credits):
        return lock
    return _set(lock, address, merge_remote(entry, record))


def finished(lock: Lockfile, story: ResolvedStory, record: StoryRecord, *, provider: str,
             output: str, sha256: str, render: dict | None = None,
             files: dict[str, str] | None = None) -> Lockfile:
    """The story succeeded and its video is at `output`: the entry records the spec."""
    old = lock.get(story.address)
    entry = LockEntry.from_story(
        story, story_id=record.id, provider=provider, status="success",
        video_url=record.video_url, used_credits=record.used_credits, message=record.message,
        created_at=record.created_at, updated_at=record.updated_at,
        deposed=list(old.deposed) if old else [],
        storyboard=generated_storyboard(story, record, old),
        render=dict(render) if render else None, files=dict(files) if files else None)
    return _set(lock, story.address, downloaded(entry, output, sha256))


def generated_storyboard(story: ResolvedStory, record: StoryRecord,
                         old: LockEntry | None) -> dict | None:
    """The storyboard a finished story was generated from, before overrides: a pinned
    one is the spec's; a regenerate keeps the one recorded for the same story; a new story
    takes what the engine wrote (overrides are applied after it, by a regenerate)."""
    if story.mode == "storyboard":
        return reference_shape(story.storyboard) if story.storyboard else None
    if old is not None and old.story_id == record.id and old.storyboard is not None:
        return old.storyboard
    if story.overrides or not record.storyboard:
        return None  # what the engine has now may be overridden already: not a base
    return reference_shape(record.storyboard)


def updated(lock: Lockfile, story: ResolvedStory, record: StoryRecord | None, *,
            output: str | None = None, sha256: str | None = None) -> Lockfile:
    """An in-place update: the entry takes the spec's metadata, lifecycle and (if moved)
    output; `record` is the PUT's answer, None when no PUT was needed."""
    entry = lock.get(story.address)
    if entry is None:
        return lock
    new = replace(entry, title=story.title, description=story.description,
                  visibility_status=story.visibility_status,
                  prevent_destroy=story.lifecycle.prevent_destroy,
                  updated_at=record.updated_at if record else entry.updated_at)
    if output is not None:
        new = replace(new, output=output, output_sha256=sha256)
    return _set(lock, story.address, new)


def removed(lock: Lockfile, address: str, story_id: str) -> Lockfile:
    """A story was deleted: its entry goes, or, for an older story of a replace, its id
    leaves the entry's `deposed` list."""
    entry = lock.get(address)
    if entry is None:
        return lock
    if entry.story_id == story_id:
        return lock.without(address)
    if story_id in entry.deposed:
        return _set(lock, address, replace(entry, deposed=[d for d in entry.deposed
                                                           if d != story_id]))
    return lock
