"""A paid call whose answer was lost, with a provider that cannot replay it: the plan
shows `?`, apply sends nothing for it and exits 1, and the user decides with
`vidflow import ADDR STORY_ID` or `vidflow state forget-intent ADDR`."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from lifecycle_helpers import vidflow, write_spec

from vidflow.spec import load_project
from vidflow.state.intents import new_intent
from vidflow.state.lockfile import lockfile_path, read_lockfile, write_lockfile


def _lost_create(root: Path) -> str:
    """The lockfile an apply against a provider that does not honour keys leaves when the
    create's answer never came: an intent, no entry."""
    story = load_project(root).stories["alpha"]
    intent = new_intent("create", story, provider="local", replayable=False)
    lock = read_lockfile(lockfile_path(root))
    write_lockfile(lockfile_path(root), lock.without("alpha").with_intent("alpha", intent))
    return intent.key


def _stories(root: Path) -> int:
    db = root / ".vidflow" / "engine" / "engine.sqlite3"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM stories").fetchone()[0]


def test_plan_and_apply_stop_for_a_decision(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    _lost_create(root)
    plan = vidflow("plan", "--detailed-exitcode", str(root))
    assert plan.code == 2
    assert "? alpha" in plan.out and "may have been paid" in plan.out
    assert "vidflow import 'alpha' STORY_ID" in plan.out
    assert "1 to decide on" in plan.out
    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 1
    assert "needs a decision" in applied.out and "forget-intent" in applied.out
    assert _stories(root) == 0  # nothing was sent for it
    assert "alpha" in read_lockfile(lockfile_path(root)).intents


def test_forgetting_the_intent_creates_it_again(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    _lost_create(root)
    assert "a create sent at" in vidflow("state", "list", str(root)).out
    forgot = vidflow("state", "forget-intent", "-C", str(root), "alpha")
    assert forgot.code == 0 and "paying again" not in forgot.out
    assert "unmanaged" in forgot.err
    assert read_lockfile(lockfile_path(root)).intents == {}
    assert "+ alpha" in vidflow("plan", str(root)).out
    assert vidflow("state", "forget-intent", "-C", str(root), "alpha").code == 1


def test_importing_the_story_found_ends_the_intent(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    story_id = read_lockfile(lockfile_path(root)).entries["alpha"].story_id
    _lost_create(root)  # as if that story's create answer had been lost
    imported = vidflow("import", "alpha", story_id, str(root))
    assert imported.code == 0, imported.err
    lock = read_lockfile(lockfile_path(root))
    assert lock.intents == {} and lock.entries["alpha"].story_id == story_id
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0
    assert _stories(root) == 1


def test_a_replayable_intent_is_resumed_without_a_decision(root: Path) -> None:
    write_spec(root, {"alpha": ("A", "A fox in the snow.")})
    _lost_create(root)
    lock = read_lockfile(lockfile_path(root))
    replayable = dataclasses.replace(lock.intents["alpha"], replayable=True)
    write_lockfile(lockfile_path(root), lock.with_intent("alpha", replayable))
    plan = vidflow("plan", str(root))
    assert "<= alpha" in plan.out and "idempotency key" in plan.out
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    assert _stories(root) == 1
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0
