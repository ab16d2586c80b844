"""damaged_outputs: which downloaded videos are missing or altered, hashing only when needed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from apply_fakes import FakeProvider, story

from vidflow.apply import outputs
from vidflow.apply.executor import Executor
from vidflow.apply.recorder import LockRecorder
from vidflow.apply.steps import Kind, steps_from_plan
from vidflow.plan.model import Action, Reason
from vidflow.plan.planner import make_plan
from vidflow.spec.model import Project, ProviderConfig
from vidflow.state.lockfile import LockEntry, Lockfile, lockfile_path, read_lockfile

VIDEO = b"a small video"


def _locked(root: Path, status: str = "success") -> Lockfile:
    (root / "out").mkdir(exist_ok=True)
    (root / "out/a.mp4").write_bytes(VIDEO)
    entry = LockEntry.from_story(story("a", output="out/a.mp4"), story_id="s1",
                                 provider="local", status=status,
                                 output_sha256=hashlib.sha256(VIDEO).hexdigest())
    return read_lockfile(lockfile_path(root)).with_entry("a", entry)


def test_intact_missing_and_altered(tmp_path: Path) -> None:
    lock = _locked(tmp_path)
    assert outputs.damaged_outputs(tmp_path, lock) == frozenset()
    (tmp_path / "out/a.mp4").write_bytes(b"x" * len(VIDEO))  # same size, other bytes
    assert outputs.damaged_outputs(tmp_path, lock) == {"a"}
    (tmp_path / "out/a.mp4").unlink()
    assert outputs.damaged_outputs(tmp_path, lock) == {"a"}
    (tmp_path / "out/a.mp4").mkdir()
    assert outputs.damaged_outputs(tmp_path, lock) == {"a"}


def test_unfinished_stories_are_not_checked(tmp_path: Path) -> None:
    lock = _locked(tmp_path, status="processing")
    (tmp_path / "out/a.mp4").unlink()
    assert outputs.damaged_outputs(tmp_path, lock) == frozenset()


def test_a_verified_file_is_not_hashed_again(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    lock = _locked(tmp_path)
    assert outputs.damaged_outputs(tmp_path, lock) == frozenset()  # hashed once, recorded

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"{path} was hashed")

    monkeypatch.setattr(outputs, "sha256_file", no_hashing)
    assert outputs.damaged_outputs(tmp_path, lock) == frozenset()
    (tmp_path / "out/a.mp4").write_bytes(VIDEO + b"more")  # size changed: no read needed
    assert outputs.damaged_outputs(tmp_path, lock) == {"a"}


def test_plan_downloads_a_damaged_video_again_without_a_new_story(tmp_path: Path) -> None:
    provider = FakeProvider()
    project = Project(root=str(tmp_path), provider=ProviderConfig(),
                      stories={"a": story("a", output="out/a.mp4")})

    def apply_once():
        lock = read_lockfile(lockfile_path(tmp_path))
        plan = make_plan(project, lock, damaged=outputs.damaged_outputs(tmp_path, lock))
        recorder = LockRecorder(lockfile_path(tmp_path), lock, provider.identity)
        result = Executor(provider, recorder, tmp_path).run(steps_from_plan(plan))
        assert result.ok
        return plan

    apply_once()
    serial = read_lockfile(lockfile_path(tmp_path)).serial
    (tmp_path / "out/a.mp4").unlink()
    provider.calls.clear()
    plan = apply_once()
    # The same video again: the lockfile is not rewritten (no serial bump, no git diff).
    assert read_lockfile(lockfile_path(tmp_path)).serial == serial
    change = plan.change_for("a")
    assert change.action is Action.RESUME and Reason.OUTPUT_DAMAGED in change.reasons
    assert [s.kind for s in steps_from_plan(plan)] == [Kind.RESUME]
    assert provider.calls == [("download", "s1")]
    assert (tmp_path / "out/a.mp4").read_bytes() == b"video s1"
    lock = read_lockfile(lockfile_path(tmp_path))
    assert not make_plan(project, lock,
                         damaged=outputs.damaged_outputs(tmp_path, lock)).has_changes


def test_an_update_of_a_damaged_story_downloads_it_too(tmp_path: Path) -> None:
    lock = _locked(tmp_path)
    (tmp_path / "out/a.mp4").unlink()
    project = Project(root=str(tmp_path), provider=ProviderConfig(),
                      stories={"a": story("a", output="out/a.mp4", title="New title")})
    plan = make_plan(project, lock, damaged=outputs.damaged_outputs(tmp_path, lock))
    assert plan.change_for("a").action is Action.UPDATE
    [step] = steps_from_plan(plan)
    assert step.kind is Kind.RESUME and step.update_metadata
