"""Metadata a create does not send (description, visibility) is set right after it, and an
interrupted create is finished honestly by the next apply."""

from __future__ import annotations

import json
from pathlib import Path


def _desc_story(address: str = "a"):
    from apply_fakes import story

    return story(address, title="A", description="Long text", visibility="1",
                 output=f"out/{address}.mp4")


def _plan_and_run(root: Path, provider, stories, *, refresh: bool = True):
    from vidflow.apply.executor import Executor
    from vidflow.apply.recorder import LockRecorder
    from vidflow.apply.session import refresh_remote
    from vidflow.apply.steps import steps_from_plan
    from vidflow.plan.planner import make_plan
    from vidflow.spec.model import Project, ProviderConfig
    from vidflow.state.lockfile import lockfile_path, read_lockfile

    project = Project(root=str(root), provider=ProviderConfig(),
                      stories={s.address: s for s in stories})
    lock = read_lockfile(lockfile_path(root))
    remote = refresh_remote(provider, lock) if refresh and lock.entries else None
    plan = make_plan(project, lock, remote)
    recorder = LockRecorder(lockfile_path(root), lock, provider.identity)
    result = Executor(provider, recorder, root, parallelism=1).run(steps_from_plan(plan))
    return plan, result, read_lockfile(lockfile_path(root))


def test_create_sets_description_and_visibility_before_waiting(tmp_path: Path) -> None:
    """The PUT follows the create at once, so an interruption while the video renders
    leaves a story whose metadata already matches the spec (and the lockfile says so)."""
    from apply_fakes import FakeProvider

    seen = {}

    class Peeking(FakeProvider):
        def wait(self, story_id, on_progress=None, *, stop=None, timeout=None):
            seen["server"] = dict(self.stories[story_id])
            seen["lock"] = json.loads((tmp_path / "vidflow.lock").read_text())["entries"]["a"]
            return super().wait(story_id, on_progress, stop=stop, timeout=timeout)

    provider = Peeking()
    _, result, _ = _plan_and_run(tmp_path, provider, [_desc_story()])
    assert result.ok
    assert (seen["server"]["description"], seen["server"]["visibility_status"]) == (
        "Long text", "1")
    assert (seen["lock"]["description"], seen["lock"]["visibility_status"]) == ("Long text", "1")
    ops = [op for op, _ in provider.calls]
    assert ops.count("update") == 1 and ops.index("update") == ops.index("create") + 1


def test_interrupted_create_records_only_what_it_sent_and_resume_fixes_it(
        tmp_path: Path) -> None:
    """Stopped between the create and its PUT: the lockfile holds the API's defaults, the
    next plan shows an honest update (not drift), and the resume leaves the server's
    metadata equal to the spec."""
    from apply_fakes import FakeProvider

    from vidflow.errors import ApiConnectionError
    from vidflow.plan.model import Action, Reason

    class Flaky(FakeProvider):
        broken = True

        def update(self, story_id, **kw):
            if self.broken:
                raise ApiConnectionError("PUT: connection failed")
            return super().update(story_id, **kw)

    provider = Flaky()
    _, result, lock = _plan_and_run(tmp_path, provider, [_desc_story()])
    assert not result.ok
    entry = lock.get("a")
    assert (entry.title, entry.description, entry.visibility_status) == ("A", "", "0")

    provider.broken = False
    provider.calls.clear()
    plan, result, lock = _plan_and_run(tmp_path, provider, [_desc_story()])
    assert [op for op, _ in provider.calls] == ["update", "download"]  # PUT first
    change = plan.change_for("a")
    assert change.action is Action.UPDATE
    assert Reason.METADATA in change.reasons and Reason.REMOTE_DRIFT not in change.reasons
    assert result.ok
    record = provider.get(entry.story_id)
    assert (record.title, record.description, record.visibility_status) == (
        "A", "Long text", "1")
    assert (tmp_path / "out/a.mp4").is_file()
    assert not _plan_and_run(tmp_path, provider, [_desc_story()])[0].has_changes


def test_regenerate_keeps_the_recorded_metadata_of_the_same_story(tmp_path: Path) -> None:
    from vidflow.api.models import StoryRecord
    from vidflow.apply.recorder import LockRecorder
    from vidflow.state.lockfile import LockEntry, lockfile_path, read_lockfile

    story = _desc_story()
    lock = read_lockfile(lockfile_path(tmp_path)).with_entry("a", LockEntry.from_story(
        story, story_id="s1", provider="local", status="success"))
    recorder = LockRecorder(lockfile_path(tmp_path), lock, "local")
    recorder.started(story, StoryRecord(id="s1", status="processing"))
    assert recorder.lock.get("a").description == "Long text"
    recorder.started(story, StoryRecord(id="s2", status="new"), replacing="s1")
    assert recorder.lock.get("a").description == ""
