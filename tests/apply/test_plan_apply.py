"""Planner and executor together: apply a plan, plan again, nothing is left to do."""

from __future__ import annotations

import tempfile
from pathlib import Path

from apply_fakes import FakeProvider, story
from hypothesis import given, settings
from hypothesis import strategies as st

from vidflow.apply.executor import Executor
from vidflow.apply.recorder import LockRecorder
from vidflow.apply.steps import Kind, steps_from_plan
from vidflow.plan.planner import make_plan
from vidflow.spec.model import Moved, Project, ProviderConfig
from vidflow.state.lockfile import LockEntry, lockfile_path, read_lockfile, write_lockfile

ADDRESSES = ("a", "b", "c")
IDEAS = ("fox", "boat", "heron")
TITLES = ("One", "Two")


def _project(root: Path, specs: dict[str, tuple[str, str]], moved=()) -> Project:
    stories = {a: story(a, idea, title=title) for a, (idea, title) in sorted(specs.items())}
    return Project(root=str(root), provider=ProviderConfig(), stories=stories,
                   moved=tuple(moved))


def _apply(root: Path, provider: FakeProvider, project: Project):
    path = lockfile_path(root)
    lock = read_lockfile(path)
    plan = make_plan(project, lock)
    recorder = LockRecorder(path, lock, provider.identity)
    result = Executor(provider, recorder, root, parallelism=2).run(steps_from_plan(plan))
    return plan, result


specs_strategy = st.dictionaries(st.sampled_from(ADDRESSES),
                                 st.tuples(st.sampled_from(IDEAS), st.sampled_from(TITLES)),
                                 max_size=3)


@settings(max_examples=25, deadline=None)
@given(st.lists(specs_strategy, min_size=1, max_size=4))
def test_apply_then_plan_has_no_changes(history):
    """After each apply of a sequence of spec edits, the next plan is empty and the
    provider holds exactly the locked stories."""
    provider = FakeProvider()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for specs in history:
            project = _project(root, specs)
            _, result = _apply(root, provider, project)
            assert result.ok
            lock = read_lockfile(lockfile_path(root))
            assert not make_plan(project, lock).has_changes
            assert {e.story_id for e in lock.entries.values()} == set(provider.stories)
            for address, (idea, title) in specs.items():
                made = provider.stories[lock.get(address).story_id]
                assert (made["idea"], made["title"]) == (idea, title)


def test_interrupted_replace_resumes_and_then_deletes_the_old_story(tmp_path: Path):
    """Entry left on the new id (processing) with the old id deposed: poll the new one,
    download it, then delete the old one; nothing is created."""
    provider = FakeProvider()
    old = provider.create(story("a", "fox"))
    new = provider.create(story("a", "heron"))
    provider.calls.clear()
    entry = LockEntry.from_story(story("a", "heron", title="One"), story_id=new.id,
                                 provider="local", status="processing", deposed=[old.id])
    path = lockfile_path(tmp_path)
    write_lockfile(path, read_lockfile(path).with_entry("a", entry))

    plan, result = _apply(tmp_path, provider, _project(tmp_path, {"a": ("heron", "One")}))
    assert [s.kind for s in steps_from_plan(plan)] == [Kind.RESUME]
    assert result.ok
    assert provider.calls == [("download", new.id), ("delete", old.id)]
    lock = read_lockfile(path)
    assert lock.get("a").story_id == new.id and lock.get("a").deposed == []
    assert lock.get("a").status == "success"


def test_moved_story_is_renamed_without_any_call(tmp_path: Path):
    provider = FakeProvider()
    _apply(tmp_path, provider, _project(tmp_path, {"a": ("fox", "One")}))
    story_id = read_lockfile(lockfile_path(tmp_path)).get("a").story_id
    provider.calls.clear()
    project = _project(tmp_path, {"b": ("fox", "One")}, [Moved("a", "b")])
    _, result = _apply(tmp_path, provider, project)
    assert result.ok and provider.calls == []
    lock = read_lockfile(lockfile_path(tmp_path))
    assert set(lock.entries) == {"b"} and lock.get("b").story_id == story_id
