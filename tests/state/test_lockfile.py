"""The lockfile: format, round trip, atomic writes, refusals."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vidflow.errors import LockfileError
from vidflow.spec.model import ResolvedStory
from vidflow.state import lockfile as lockfile_module
from vidflow.state.lockfile import (
    FORMAT_VERSION,
    LockEntry,
    Lockfile,
    dumps_lockfile,
    read_lockfile,
    schema_problems,
    scrub_provider,
    write_lockfile,
)


def entry(story_id: str = "s1", **changes) -> LockEntry:
    base = LockEntry(
        story_id=story_id, provider="local", mode="idea", fingerprint="f" * 64,
        storyboard_fingerprint=None, title="Winter", description="", visibility_status="0",
        status="success", video_url="http://127.0.0.1/v.mp4", output="out/a.mp4",
        output_sha256="a" * 64, used_credits=3, params={"idea": "snow", "scene_count": 3})
    return replace(base, **changes)


def two_entries() -> Lockfile:
    return Lockfile(lineage="").with_entry("b[x=1]", entry("s2")).with_entry("a", entry("s1"))


class TestFormat:
    def test_round_trip(self, tmp_path):
        path = tmp_path / "vidflow.lock"
        written = write_lockfile(path, two_entries())
        assert read_lockfile(path) == written
        assert written.entries["a"] == entry("s1")

    def test_sorted_keys_two_space_indent_newline_at_end(self, tmp_path):
        path = tmp_path / "vidflow.lock"
        write_lockfile(path, two_entries())
        text = path.read_text()
        doc = json.loads(text)
        assert text == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        assert list(doc) == ["entries", "lineage", "serial", "version"]
        assert list(doc["entries"]) == ["a", "b[x=1]"]

    def test_one_story_edit_is_one_contiguous_hunk(self, tmp_path):
        """Changing one entry changes only lines inside that entry (and the serial)."""
        path = tmp_path / "vidflow.lock"
        lock = write_lockfile(path, two_entries())
        before = path.read_text().splitlines()
        write_lockfile(path, lock.with_entry("b[x=1]", entry("s2", title="Spring")))
        after = path.read_text().splitlines()
        changed = [i for i, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]
        assert len(changed) == 2
        assert '"title": "Spring"' in after[changed[0]] and '"serial"' in after[changed[1]]

    def test_serial_increments_and_lineage_is_set_once(self, tmp_path):
        path = tmp_path / "vidflow.lock"
        first = write_lockfile(path, two_entries())
        second = write_lockfile(path, first.without("a"))
        assert (first.serial, second.serial) == (1, 2)
        assert first.lineage and second.lineage == first.lineage
        assert read_lockfile(path).serial == 2

    def test_missing_file_is_an_empty_lockfile(self, tmp_path):
        lock = read_lockfile(tmp_path / "vidflow.lock")
        assert (lock.entries, lock.serial, lock.lineage) == ({}, 0, "")

    def test_value_helpers_do_not_mutate(self):
        lock = two_entries()
        renamed = lock.renamed("a", "c")
        assert sorted(lock.entries) == ["a", "b[x=1]"]
        assert sorted(renamed.entries) == ["b[x=1]", "c"]
        assert sorted(lock.without("a").entries) == ["b[x=1]"] and "a" in lock

    def test_rename_refuses_unknown_source_and_taken_destination(self):
        with pytest.raises(LockfileError, match="no entry 'zz'"):
            two_entries().renamed("zz", "c")
        with pytest.raises(LockfileError, match="already has an entry 'a'"):
            two_entries().renamed("b[x=1]", "a")

    def test_from_story_records_what_the_planner_needs(self):
        story = ResolvedStory(address="a", mode="idea", params={"idea": "x"}, title="T",
                              output="out/a.mp4", fingerprint="f" * 64)
        made = LockEntry.from_story(story, story_id="id1",
                                    provider="http:https://k:secret@api.example/?key=secret")
        assert made.status == "processing" and made.params == {"idea": "x"}
        assert made.provider == "http:https://api.example"
        assert "secret" not in dumps_lockfile(Lockfile().with_entry("a", made))


class TestAtomicity:
    def test_crash_during_rename_leaves_the_old_file_intact(self, tmp_path, monkeypatch):
        path = tmp_path / "vidflow.lock"
        write_lockfile(path, two_entries())
        old_text = path.read_text()

        def crash(src, dst):
            raise OSError("disk died")

        monkeypatch.setattr(lockfile_module.os, "replace", crash)
        with pytest.raises(OSError, match="disk died"):
            write_lockfile(path, Lockfile(lineage=""))
        assert path.read_text() == old_text
        assert os.listdir(tmp_path) == ["vidflow.lock"]  # no temp file left behind

    def test_crash_while_writing_leaves_the_old_file_intact(self, tmp_path, monkeypatch):
        path = tmp_path / "vidflow.lock"
        write_lockfile(path, two_entries())
        old_text = path.read_text()

        def crash(fd):
            raise OSError("fsync failed")

        monkeypatch.setattr(lockfile_module.os, "fsync", crash)
        with pytest.raises(OSError, match="fsync failed"):
            write_lockfile(path, Lockfile(lineage=""))
        assert path.read_text() == old_text
        assert os.listdir(tmp_path) == ["vidflow.lock"]


class TestRefusals:
    @pytest.mark.parametrize("text", ["{not json", "", "[1, 2]"])
    def test_corrupt_lockfile_is_an_error_naming_the_file(self, tmp_path, text):
        path = tmp_path / "vidflow.lock"
        path.write_text(text)
        with pytest.raises(LockfileError) as info:
            read_lockfile(path)
        assert str(path) in str(info.value)
        assert path.read_text() == text

    def test_newer_format_version_is_refused(self, tmp_path):
        path = tmp_path / "vidflow.lock"
        text = json.dumps({"version": 2, "serial": 4, "lineage": "x", "entries": {},
                           "future": True})
        path.write_text(text)
        with pytest.raises(LockfileError, match=r"format version 2.*newer vidflow") as info:
            read_lockfile(path)
        assert "upgrade vidflow" in str(info.value)
        assert path.read_text() == text

    def test_schema_violation_names_the_field(self, tmp_path):
        path = tmp_path / "vidflow.lock"
        write_lockfile(path, two_entries())
        doc = json.loads(path.read_text())
        doc["entries"]["a"]["status"] = "done"
        del doc["entries"]["b[x=1]"]["story_id"]
        path.write_text(json.dumps(doc))
        with pytest.raises(LockfileError) as info:
            read_lockfile(path)
        message = str(info.value)
        assert "entries.a.status: 'done' is not one of" in message
        assert "entries.b[x=1]: 'story_id' is a required property" in message

    @pytest.mark.parametrize("output", ["/home/me/a.mp4", "C:\\videos\\a.mp4", "~/a.mp4"])
    def test_absolute_output_is_never_written(self, tmp_path, output):
        path = tmp_path / "vidflow.lock"
        with pytest.raises(LockfileError, match="absolute path"):
            write_lockfile(path, Lockfile().with_entry("a", entry(output=output)))
        assert not path.exists()

    def test_absolute_file_in_params_is_never_written(self, tmp_path):
        params = {"image_files": [{"path": "/etc/passwd", "sha256": "0" * 64}]}
        with pytest.raises(LockfileError, match=r"params.image_files\[0\].path"):
            write_lockfile(tmp_path / "vidflow.lock",
                           Lockfile().with_entry("a", entry(params=params)))

    def test_provider_with_credentials_is_never_written(self, tmp_path):
        bad = entry(provider="http:https://user:key@api.example")
        with pytest.raises(LockfileError, match="credentials"):
            write_lockfile(tmp_path / "vidflow.lock", Lockfile().with_entry("a", bad))
        assert not (tmp_path / "vidflow.lock").exists()

    def test_the_schema_itself_refuses_absolute_output(self):
        doc = Lockfile(lineage="x").with_entry("a", entry(output="/abs.mp4")).to_json()
        assert any("entries.a.output" in p for p in schema_problems(doc))


@pytest.mark.parametrize(("given", "expected"), [
    ("local", "local"),
    ("http:https://api.example.com/", "http:https://api.example.com"),
    ("http:https://u:p@api.example.com:8443/v1?api_key=k#x", "http:https://api.example.com:8443/v1"),
    ("http:http://127.0.0.1:8000", "http:http://127.0.0.1:8000"),
])
def test_scrub_provider(given, expected):
    assert scrub_provider(given) == expected


ADDRESSES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
                    max_size=12)


@settings(max_examples=60, deadline=None)
@given(addresses=st.lists(ADDRESSES, unique=True, max_size=5),
       titles=st.lists(st.text(max_size=8), min_size=5, max_size=5),
       params=st.dictionaries(st.text(max_size=4), st.one_of(st.integers(), st.text(max_size=4),
                                                             st.lists(st.booleans())),
                              max_size=3))
def test_written_text_is_exactly_the_canonical_dump(tmp_path_factory, addresses, titles,
                                                    params):
    """Writes assemble cached entry texts; the result is json.dumps(sort_keys, indent=2)."""
    lock = Lockfile(lineage="")
    for address, title in zip(addresses, titles, strict=False):
        lock = lock.with_entry(address, entry(title=title, params=params))
    path = tmp_path_factory.mktemp("lock") / "vidflow.lock"
    written = write_lockfile(path, lock)
    written = write_lockfile(path, written)  # second write: every entry from the cache
    assert path.read_text(encoding="utf-8") == dumps_lockfile(written)
    assert read_lockfile(path) == written


def test_entries_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry().status = "fail"  # type: ignore[misc]


def test_a_cached_entry_is_still_checked_in_its_new_document(tmp_path):
    """The cache skips re-serializing an entry, never the document's own checks."""
    good = Lockfile(lineage="").with_entry("a", entry())
    write_lockfile(tmp_path / "vidflow.lock", good)
    bad = dataclasses.replace(good, version=FORMAT_VERSION, lineage=5)  # type: ignore[arg-type]
    with pytest.raises(LockfileError, match="lineage"):
        write_lockfile(tmp_path / "vidflow.lock", bad)
