"""A refused API key (401) stops everything: no later step, no further refresh GETs."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_a_refused_key_stops_every_later_step(tmp_path: Path) -> None:
    from apply_fakes import FakeProvider, story

    from vidflow.apply.executor import Executor
    from vidflow.apply.recorder import LockRecorder
    from vidflow.apply.steps import Kind, Step
    from vidflow.state.lockfile import lockfile_path, read_lockfile

    provider = FakeProvider(key_refused=True)
    steps = [Step(x, Kind.CREATE, story(x)) for x in ("a", "b", "c")]
    recorder = LockRecorder(lockfile_path(tmp_path), read_lockfile(lockfile_path(tmp_path)),
                            "local")
    result = Executor(provider, recorder, tmp_path, parallelism=1).run(steps)
    assert [r.outcome for r in result.results] == ["failed", "skipped", "skipped"]
    assert provider.calls == [("create", "401")]  # one call, not one per story
    assert result.unauthorized is not None and "Invalid API key" in result.unauthorized
    assert not read_lockfile(lockfile_path(tmp_path)).entries


def test_refresh_stops_asking_after_a_refused_key(tmp_path: Path) -> None:
    """With 200 locked stories and a bad key, the refresh fails after a handful of GETs."""
    from apply_fakes import FakeProvider, story

    from vidflow.apply.session import refresh_remote
    from vidflow.errors import Unauthorized
    from vidflow.state.lockfile import LockEntry, lockfile_path, read_lockfile

    lock = read_lockfile(lockfile_path(tmp_path))
    for i in range(200):
        lock = lock.with_entry(f"s{i}", LockEntry.from_story(
            story(f"s{i}"), story_id=f"id{i}", provider="local", status="success"))
    provider = FakeProvider(key_refused=True)
    with pytest.raises(Unauthorized):
        refresh_remote(provider, lock)
    assert 1 <= len(provider.calls) <= 8  # at most the GETs already in flight
