"""The YAML loader: positions, duplicate keys, and clear errors for broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from vidflow.errors import SpecErrors
from vidflow.spec import load_project
from vidflow.spec.loader import load_text


class TestPositions:
    def test_every_value_and_key_has_its_line_and_column(self) -> None:
        """Locations are 1-based and point at the value (or at the key for keys)."""
        doc = load_text("version: 1\nstories:\n  a:\n    idea: hi\n    tags: [x, y]\n", "f.yaml")
        assert str(doc.values[("stories", "a", "idea")]) == "f.yaml:4:11"
        assert str(doc.keys[("stories", "a", "idea")]) == "f.yaml:4:5"
        assert str(doc.values[("stories", "a", "tags", 1)]) == "f.yaml:5:15"

    def test_keys_stay_as_written_and_dates_stay_text(self) -> None:
        """`on:` is not True and a date is not a datetime: JSON has neither."""
        doc = load_text("on: 2024-01-02\nn: 5\nb: yes\n", "f.yaml")
        assert doc.data == {"on": "2024-01-02", "n": 5, "b": True}


class TestBrokenFiles:
    def test_duplicate_key(self, problems) -> None:
        """PyYAML would keep the last value silently; we name the second key."""
        text = "version: 1\nstories:\n  a:\n    idea: one\n    idea: two\n"
        assert problems(text) == [
            "videos.yaml:5:5: stories.a.idea: duplicate key 'idea' (first defined at line 4); "
            "remove one"]

    def test_duplicate_story_address_in_one_file(self, problems) -> None:
        text = "version: 1\nstories:\n  a: {idea: one}\n  a: {idea: two}\n"
        assert problems(text)[0].startswith("videos.yaml:4:3: stories.a: duplicate key 'a'")

    def test_tab_in_indentation(self, problems) -> None:
        text = "version: 1\nstories:\n  a:\n\tidea: x\n"
        assert problems(text) == [
            "videos.yaml:4:1: tab character in indentation; YAML indents with spaces only"]

    def test_bad_indentation(self, problems) -> None:
        text = "version: 1\nstories:\n  a:\n    idea: x\n   title: y\n"
        (only,) = problems(text)
        assert only.startswith("videos.yaml:5:4: invalid YAML:")
        assert "check the indentation" in only

    def test_non_utf8(self, problems) -> None:
        """The position of the first bad byte, and the fix."""
        text = b"version: 1\nstories:\n  a:\n    idea: caf\xe9\n"
        assert problems(text) == [
            "videos.yaml:4:14: the file is not UTF-8 (byte 0xe9); save it as UTF-8"]

    @pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
    def test_empty_file(self, problems, text: str) -> None:
        assert problems(text) == [
            "videos.yaml:1:1: the file is empty; a spec starts with `version: 1`"]

    def test_merge_keys_are_refused(self, problems) -> None:
        text = "version: 1\nstories:\n  a:\n    <<: {idea: x}\n"
        assert problems(text)[0].startswith("videos.yaml:4:5: stories.a: YAML merge keys")

    def test_missing_path(self, tmp_path: Path) -> None:
        with pytest.raises(Exception, match="no such file or folder"):
            load_project(tmp_path / "nope.yaml")


class TestFolders:
    def test_stories_from_several_files_merge(self, write, project_dir: Path) -> None:
        write("version: 1\nstories:\n  a: {idea: one}\n", "a.yaml")
        write("version: 1\nstories:\n  b: {idea: two}\n", "b.yml")
        write("not: a spec\n", "notes.txt")
        project = load_project(Path("."))
        assert list(project.stories) == ["a", "b"]
        assert project.files == ("a.yaml", "b.yml")

    def test_duplicate_address_across_files_names_both(self, write) -> None:
        write("version: 1\nstories:\n  promo: {idea: one}\n", "a.yaml")
        write("version: 1\nstories:\n\n  promo: {idea: two}\n", "b.yaml")
        with pytest.raises(SpecErrors) as info:
            load_project(Path("."))
        assert [str(e) for e in info.value.errors] == [
            "b.yaml:4:3: promo: address 'promo' is also declared at a.yaml:3:3; "
            "each story needs its own address"]

    def test_two_providers_are_an_error(self, write) -> None:
        write("version: 1\nprovider: {type: local}\n", "a.yaml")
        write("version: 1\nprovider: {type: local}\n", "b.yaml")
        with pytest.raises(SpecErrors, match=r"b.yaml:2:1: provider: provider is already "
                                             r"declared at a.yaml:2:1"):
            load_project(Path("."))

    def test_empty_folder(self, project_dir: Path) -> None:
        with pytest.raises(Exception, match=r"no \*.yaml or \*.yml files"):
            load_project(Path("."))
