"""The lockfile transitions (vidflow.state.transitions): one function per change of an
entry, shared by the executor's recorder, refresh, import and the plan simulation."""

from __future__ import annotations

from pathlib import Path

from vidflow.api.models import StoryRecord
from vidflow.apply.recorder import LockRecorder
from vidflow.spec.model import ResolvedStory
from vidflow.state import transitions
from vidflow.state.lockfile import Lockfile, read_lockfile

STORY = ResolvedStory(address="promo", mode="idea", params={"idea": "a fox"}, title="Promo",
                      description="about a fox", visibility_status="2", fingerprint="f1",
                      output="out/promo.mp4")


def _done(story_id: str = "s1", **kw) -> StoryRecord:
    return StoryRecord(id=story_id, status="success", video_url="/media/s1.mp4", **kw)


def test_a_create_claims_only_the_title_it_sent_until_the_put():
    lock = transitions.started(Lockfile(lineage=""), STORY, StoryRecord(id="s1", status="new"),
                               provider="local")
    entry = lock.entries["promo"]
    assert (entry.status, entry.title, entry.description, entry.visibility_status) == (
        "processing", "Promo", "", "0")
    assert not transitions.is_downloaded(entry) and entry.output_sha256 is None
    lock = transitions.updated(lock, STORY, None)
    assert lock.entries["promo"].description == "about a fox"


def test_success_records_the_video_and_is_downloaded():
    lock = transitions.started(Lockfile(lineage=""), STORY, StoryRecord(id="s1", status="new"),
                               provider="local")
    lock = transitions.finished(lock, STORY, _done(), provider="local", output="out/x.mp4",
                                sha256="ab" * 32)
    entry = lock.entries["promo"]
    assert transitions.is_downloaded(entry) and entry.output == "out/x.mp4"
    assert not transitions.awaiting_download(entry)
    assert transitions.awaiting_download(transitions.downloaded(entry, "out/x.mp4", ""))


def test_a_poll_that_changes_nothing_returns_the_same_value():
    lock = transitions.started(Lockfile(lineage=""), STORY,
                               StoryRecord(id="s1", status="processing"), provider="local")
    again = transitions.progressed(lock, "promo",
                                   StoryRecord(id="s1", status="new", progress_percentage=40))
    assert again is lock  # "new" and "processing" are one lockfile status: no write
    other = transitions.progressed(lock, "promo", StoryRecord(id="s9", status="fail"))
    assert other is lock  # a record of another story never touches this entry


def test_refresh_merge_takes_metadata_only_when_asked():
    lock = transitions.finished(Lockfile(lineage=""), STORY, _done(), provider="local",
                                output="out/promo.mp4", sha256="ab" * 32)
    entry = lock.entries["promo"]
    drifted = _done(title="Renamed", used_credits=3)
    assert transitions.merge_remote(entry, drifted).title == "Promo"
    merged = transitions.merge_remote(entry, drifted, metadata=True)
    assert (merged.title, merged.used_credits, merged.output_sha256) == ("Renamed", 3, "ab" * 32)
    same = _done(title="Promo", description="about a fox", visibility_status="2")
    assert transitions.merge_remote(entry, same, metadata=True) is entry


def test_removing_the_old_story_of_a_replace_keeps_the_new_one():
    lock = transitions.finished(Lockfile(lineage=""), STORY, _done(), provider="local",
                                output="out/promo.mp4", sha256="ab" * 32)
    lock = transitions.started(lock, STORY, StoryRecord(id="s2", status="new"),
                               provider="local", replacing="s1")
    assert lock.entries["promo"].deposed == ["s1"]
    lock = transitions.removed(lock, "promo", "s1")
    assert (lock.entries["promo"].story_id, lock.entries["promo"].deposed) == ("s2", [])
    assert "promo" not in transitions.removed(lock, "promo", "s2")


def test_the_default_output_path_is_the_specs():
    assert transitions.output_path(STORY) == "out/promo.mp4"
    bare = ResolvedStory(address="Promo[tone=Fun]", mode="idea", params={}, title="")
    assert transitions.output_path(bare) == "out/promo-tone-fun.mp4"


def test_the_recorder_writes_only_real_changes(tmp_path: Path):
    path = tmp_path / "vidflow.lock"
    recorder = LockRecorder(path, Lockfile(lineage=""), "local")
    recorder.started(STORY, StoryRecord(id="s1", status="new"))
    serial = read_lockfile(path).serial
    recorder.progressed("promo", StoryRecord(id="s1", status="processing",
                                             progress_percentage=50))
    recorder.removed("elsewhere", "s1")
    assert read_lockfile(path).serial == serial
    recorder.finished(STORY, _done(), output="out/promo.mp4", sha256="ab" * 32)
    assert read_lockfile(path).entries["promo"] == recorder.lock.entries["promo"]
    assert read_lockfile(path).serial == serial + 1
