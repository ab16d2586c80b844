"""What a fully successful apply of a plan leaves in the lockfile, computed without I/O.

The executor does the same step by step with real story ids and statuses; this pure version
states the contract (apply, then plan again → no changes) so tests can check it, and lets
`entry_after` be shared: the entry the executor writes once a change has succeeded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace

from vidflow.plan.model import Action, Change, Plan
from vidflow.state.lockfile import LockEntry, Lockfile, scrub_provider


def entry_after(change: Change, *, provider: str, story_id: str | None = None,
                status: str = "success", output_sha256: str | None = None) -> LockEntry:
    """The lock entry recording `change.after` once the change succeeded.

    `story_id` defaults to the existing story's (update, regenerate, resume, move);
    a create or replace must pass the new one. The old id of a replace is not kept here:
    the executor deletes it (or lists it in `deposed` while the new story is running).
    """
    story = change.after
    if story is None:
        raise ValueError(f"{change.address}: a {change.action.key} leaves no entry")
    before = change.before
    sid = story_id or (before.story_id if before else None)
    if not sid:
        raise ValueError(f"{change.address}: a {change.action.key} needs the new story id")
    kept = before if before and sid == before.story_id else None
    entry = LockEntry.from_story(story, story_id=sid, provider=scrub_provider(provider),
                                 status=status)
    if kept is not None:
        entry = replace(entry, video_url=kept.video_url, used_credits=kept.used_credits,
                        created_at=kept.created_at, deposed=list(kept.deposed))
    if output_sha256 is not None:
        entry = replace(entry, output_sha256=output_sha256)
    elif kept is not None and kept.output == entry.output:
        entry = replace(entry, output_sha256=kept.output_sha256)
    return entry


def simulate_apply(plan: Plan, lock: Lockfile,
                   new_id: Callable[[str], str] | None = None) -> Lockfile:
    """The lockfile after every change of `plan` succeeded (videos downloaded).

    `new_id(address)` names the story a create/replace makes (default: a hash of the
    address and the lock serial). The serial is left alone: `write_lockfile` bumps it.
    """
    if plan.errors:
        raise ValueError("a plan with errors cannot be applied")
    make_id = new_id or (lambda address: _fake_id(address, lock.serial))
    provider = plan.provider.identity if plan.provider else "local"
    entries = dict(lock.entries)
    for change in plan.changes:
        if change.moved_from is not None and change.moved_from in entries:
            entries[change.address] = entries.pop(change.moved_from)
    for change in plan.changes:
        address = change.address
        if change.deposed is not None:
            current = entries.get(address)
            if current is not None:
                entries[address] = replace(
                    current, deposed=[d for d in current.deposed if d != change.deposed])
            continue
        if change.action is Action.DELETE:
            entries.pop(address, None)
            continue
        fresh = change.action in (Action.CREATE, Action.REPLACE)
        sid = make_id(address) if fresh else None
        sha = hashlib.sha256(f"video:{address}".encode()).hexdigest()
        entry = entry_after(change, provider=provider, story_id=sid, output_sha256=sha)
        if fresh:
            entry = replace(entry, deposed=[])
        entries[address] = entry
    return replace(lock, entries=entries)


def _fake_id(address: str, serial: int) -> str:
    return hashlib.sha256(f"{serial}:{address}".encode()).hexdigest()[:16]
