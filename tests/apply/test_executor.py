"""The executor against an in-memory provider: ordering, bounds, failures, credit, state."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from apply_fakes import FakeProvider, story

from vidflow.apply.executor import Executor
from vidflow.apply.recorder import LockRecorder
from vidflow.apply.steps import Kind, Step
from vidflow.state.lockfile import LockEntry, read_lockfile, write_lockfile


def _run(tmp_path: Path, provider: FakeProvider, steps: list[Step], **kw):
    lock_path = tmp_path / "vidflow.lock"
    recorder = LockRecorder(lock_path, read_lockfile(lock_path), provider.identity)
    result = Executor(provider, recorder, tmp_path, **kw).run(steps)
    return result, read_lockfile(lock_path)


def _seed(tmp_path: Path, provider: FakeProvider, *stories) -> dict[str, str]:
    """Stories already made and locked; returns address → story id."""
    lock_path = tmp_path / "vidflow.lock"
    lock = read_lockfile(lock_path)
    ids = {}
    for s in stories:
        record = provider.create(s)
        lock = lock.with_entry(s.address, LockEntry.from_story(
            s, story_id=record.id, provider="local", status="success"))
        ids[s.address] = record.id
    write_lockfile(lock_path, lock)
    provider.calls.clear()
    return ids


class TestCreate:
    def test_story_id_is_locked_before_waiting(self, tmp_path: Path):
        """The lockfile on disk holds the new id (processing) while the story is polled."""
        seen = {}

        class Peeking(FakeProvider):
            def wait(self, story_id, on_progress=None, *, stop=None, timeout=None):
                doc = json.loads((tmp_path / "vidflow.lock").read_text())
                seen.update(doc["entries"]["a"])
                return super().wait(story_id, on_progress, stop=stop, timeout=timeout)

        result, lock = _run(tmp_path, Peeking(), [Step("a", Kind.CREATE, story("a"))])
        assert result.ok
        assert seen["status"] == "processing" and seen["story_id"] == "s1"
        entry = lock.get("a")
        assert entry.status == "success" and entry.output == "out/a.mp4"
        assert entry.output_sha256 and (tmp_path / "out/a.mp4").read_bytes() == b"video s1"

    def test_one_failure_does_not_stop_the_others(self, tmp_path: Path):
        """A failed story is reported with the server's message; the others finish."""
        provider = FakeProvider(fail={"bad idea"})
        steps = [Step("a", Kind.CREATE, story("a")),
                 Step("b", Kind.CREATE, story("b", "bad idea")),
                 Step("c", Kind.CREATE, story("c"))]
        result, lock = _run(tmp_path, provider, steps)
        assert not result.ok
        assert [(r.address, r.message) for r in result.failed] == [("b", "the engine broke")]
        assert lock.get("a").status == "success" and lock.get("c").status == "success"
        assert lock.get("b").status == "fail"

    def test_parallelism_is_bounded(self, tmp_path: Path):
        """No more than N stories are in flight at once, and N are used."""
        provider = FakeProvider(delay=0.05)
        steps = [Step(f"s{i}", Kind.CREATE, story(f"s{i}")) for i in range(8)]
        result, _ = _run(tmp_path, provider, steps, parallelism=2)
        assert result.ok and provider.max_active == 2

    def test_insufficient_credit_stops_later_creates(self, tmp_path: Path):
        """After a 402 no create starts; updates still run."""
        provider = FakeProvider()
        ids = _seed(tmp_path, provider, story("old"))
        provider.credits = 1
        steps = [Step("a", Kind.CREATE, story("a")), Step("b", Kind.CREATE, story("b")),
                 Step("c", Kind.CREATE, story("c")),
                 Step("old", Kind.UPDATE, story("old", title="New"), ids["old"],
                      update_metadata=True)]
        result, lock = _run(tmp_path, provider, steps, parallelism=1)
        outcomes = {r.address: r.outcome for r in result.results}
        assert outcomes == {"a": "done", "b": "failed", "c": "skipped", "old": "done"}
        assert result.out_of_credit
        assert [op for op, _ in provider.calls].count("create") == 1
        assert lock.get("old").title == "New"

    def test_stop_starts_nothing(self, tmp_path: Path):
        """With stop already set (Ctrl-C), no call is made and every step is skipped."""
        provider = FakeProvider()
        stop = threading.Event()
        stop.set()
        result, _ = _run(tmp_path, provider, [Step("a", Kind.CREATE, story("a"))], stop=stop)
        assert result.interrupted and provider.calls == []
        assert result.results[0].outcome == "skipped"


class TestReplace:
    def test_new_story_is_made_before_the_old_is_deleted(self, tmp_path: Path):
        """create(new) → download(new) → delete(old); the entry ends on the new id."""
        provider = FakeProvider()
        ids = _seed(tmp_path, provider, story("a"))
        step = Step("a", Kind.REPLACE, story("a", "new idea"), ids["a"])
        result, lock = _run(tmp_path, provider, [step])
        assert result.ok
        assert provider.calls == [("create", "s2"), ("download", "s2"), ("delete", "s1")]
        assert lock.get("a").story_id == "s2" and lock.get("a").deposed == []

    def test_failed_new_story_keeps_the_old_one(self, tmp_path: Path):
        """If the replacement fails, the old story is neither deleted nor forgotten."""
        provider = FakeProvider(fail={"bad idea"})
        ids = _seed(tmp_path, provider, story("a"))
        step = Step("a", Kind.REPLACE, story("a", "bad idea"), ids["a"])
        result, lock = _run(tmp_path, provider, [step])
        assert not result.ok
        assert ("delete", ids["a"]) not in provider.calls
        assert ids["a"] in provider.stories
        assert lock.get("a").story_id == ids["a"] and lock.get("a").deposed == []


class TestUpdateAndDelete:
    def test_update_is_a_put_only(self, tmp_path: Path):
        """A metadata change makes exactly one update call, on the same story."""
        provider = FakeProvider()
        ids = _seed(tmp_path, provider, story("a"))
        step = Step("a", Kind.UPDATE, story("a", title="Renamed"), ids["a"],
                    update_metadata=True)
        result, lock = _run(tmp_path, provider, [step])
        assert result.ok and provider.calls == [("update", ids["a"])]
        assert lock.get("a").title == "Renamed" and lock.get("a").story_id == ids["a"]

    def test_delete_of_a_story_already_gone_is_fine(self, tmp_path: Path):
        """404 on delete means the story is gone: the entry is dropped, no failure."""
        provider = FakeProvider()
        ids = _seed(tmp_path, provider, story("a"))
        provider.stories.clear()
        result, lock = _run(tmp_path, provider, [Step("a", Kind.DELETE, None, ids["a"])])
        assert result.ok and "a" not in lock

    def test_move_renames_without_calls(self, tmp_path: Path):
        """A moved address keeps its story id and makes no API call."""
        provider = FakeProvider()
        ids = _seed(tmp_path, provider, story("old"))
        result, lock = _run(tmp_path, provider,
                            [Step("new", Kind.MOVE, story("new"), ids["old"],
                                  moved_from="old")])
        assert result.ok and provider.calls == []
        assert lock.get("new").story_id == ids["old"] and "old" not in lock


@pytest.mark.parametrize("parallelism", [0, -1])
def test_parallelism_must_be_positive(tmp_path: Path, parallelism: int):
    from vidflow.errors import VidflowError

    with pytest.raises(VidflowError, match="parallelism"):
        _run(tmp_path, FakeProvider(), [], parallelism=parallelism)
