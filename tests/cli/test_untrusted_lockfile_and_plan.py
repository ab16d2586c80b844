"""The lockfile and a saved plan come from git and from other people: a path in them that
leads out of the project (or onto its files) is refused with exit 1 naming the file, the
entry and the field, and nothing outside the project is moved, written or uploaded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from lifecycle_helpers import engine_story_ids, vidflow, write_spec

VICTIM = b"the user's precious file\n"


def _victim(folder: Path) -> tuple[Path, str, int]:
    path = folder / "victim.txt"
    path.write_bytes(VICTIM)
    return path, hashlib.sha256(VICTIM).hexdigest(), path.stat().st_mtime_ns


def _assert_untouched(path: Path, mtime: int) -> None:
    assert path.read_bytes() == VICTIM
    assert path.stat().st_mtime_ns == mtime


@pytest.mark.slow
def test_a_lockfile_entry_pointing_outside_is_refused_and_the_file_stays(root: Path) -> None:
    write_spec(root, {"a": ("A", "A fox in the snow.")})
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    video = (root / "out/a.mp4").read_bytes()
    ids = engine_story_ids(root)
    victim, sha, mtime = _victim(root.parent)
    lock = json.loads((root / "vidflow.lock").read_text())
    lock["entries"]["a"].update(output="../victim.txt", output_sha256=sha)
    (root / "vidflow.lock").write_text(json.dumps(lock, indent=2))
    locked = (root / "vidflow.lock").read_text()
    for command in (["plan", str(root)], ["apply", "--auto-approve", str(root)],
                    ["plan", "--no-refresh", str(root)]):
        result = vidflow(*command)
        assert result.code == 1, (command, result)
        text = result.out + result.err
        assert "vidflow.lock" in text and "entries.a.output: '../victim.txt' must be a " \
            "relative path inside the project" in text, text
        assert "Traceback" not in text
    _assert_untouched(victim, mtime)
    assert not (root / "out" / "victim.txt").exists()
    assert (root / "out/a.mp4").read_bytes() == video
    assert (root / "vidflow.lock").read_text() == locked  # never overwritten
    assert engine_story_ids(root) == ids  # nothing paid


@pytest.mark.parametrize("output", ["../victim.txt", "out/../../victim.txt", "/tmp/v.mp4",
                                    "~/v.mp4", "videos.yaml", ".git/hooks/pre-commit",
                                    ".vidflow/engine/engine.sqlite3", "out/"])
def test_every_unsafe_lockfile_output_is_refused_at_read(root: Path, output: str) -> None:
    write_spec(root, {"a": ("A", "A fox in the snow.")})
    _victim(root.parent)
    (root / "vidflow.lock").write_text(json.dumps({
        "version": 1, "serial": 3, "lineage": "l-1", "entries": {"a": {
            "story_id": "s1", "provider": "local", "mode": "idea", "fingerprint": "f",
            "storyboard_fingerprint": None, "title": "A", "description": "",
            "visibility_status": "0", "status": "success", "output": output,
            "output_sha256": "0" * 64, "deposed": []}}}))
    for command in (["plan", str(root)], ["state", "list", "-C", str(root)]):
        result = vidflow(*command)
        assert result.code == 1, result
        assert f"entries.a.output: {output!r}" in result.out + result.err
    assert vidflow("apply", "--auto-approve", str(root)).code == 1
    assert not (root / ".vidflow" / "engine").exists()  # refused before any provider call


@pytest.fixture
def saved(root: Path) -> Path:
    """A project with one story to create (nothing applied yet) and its saved plan."""
    (root / "assets").mkdir()
    (root / "assets" / "pic.png").write_bytes(b"\x89PNG a picture")
    (root / "videos.yaml").write_text("""\
version: 1
stories:
  a:
    mode: images
    title: A
    image_files: [assets/pic.png]
    audio_option: {has_bg_music: false, has_narration: false}
  b:
    title: B
    idea: A fox in the snow.
    scene_count: 1
    audio_option: {has_bg_music: false, has_narration: false}
    elements:
      objects: [{name: jar, image: assets/pic.png}]
""")
    plan = root / "plan.json"
    result = vidflow("plan", "--out", str(plan), str(root))
    assert result.code == 0, result
    return plan


def _edit(plan: Path, address: str, edit) -> None:
    doc = json.loads(plan.read_text())
    (change,) = [c for c in doc["changes"] if c["address"] == address]
    edit(change["after"])
    plan.write_text(json.dumps(doc, indent=2))


def _refused(root: Path, plan: Path, *expected: str, by_plan: bool = True) -> None:
    result = vidflow("apply", str(plan))
    text = result.out + result.err
    assert result.code == 1, result
    if by_plan:
        assert "plan.json" in text and "nothing was applied" in text, text
    for part in expected:
        assert part in text, text
    assert "Traceback" not in text
    assert not (root / "vidflow.lock").exists()
    assert not (root / ".vidflow" / "engine").exists() or not engine_story_ids(root)


def test_an_edited_plan_cannot_write_a_video_outside(root: Path, saved: Path) -> None:
    target = root.parent / "planted.mp4"
    _edit(saved, "a", lambda after: after.update(output="../planted.mp4"))
    _refused(root, saved, "changes[0] (a).after.output: '../planted.mp4' must be a relative "
                          "path inside the project")
    assert not target.exists()


def test_an_edited_plan_cannot_upload_a_file_from_outside(root: Path, saved: Path) -> None:
    secret, sha, mtime = _victim(root.parent)
    _edit(saved, "a", lambda after: after["params"]["image_files"][0].update(
        path="../victim.txt", sha256=sha))
    _refused(root, saved, "after.params.image_files[0]: '../victim.txt' must be a relative "
                          "path inside the project")
    _assert_untouched(secret, mtime)


def test_an_edited_plan_cannot_send_an_outside_element_image(root: Path, saved: Path) -> None:
    (root / "leak").symlink_to(root.parent, target_is_directory=True)
    _victim(root.parent)
    _edit(saved, "b", lambda after: after["params"]["elements"]["objects"][0]["image"].update(
        path="leak/victim.txt"))
    _refused(root, saved, "after.params.elements.objects[0].image: 'leak/victim.txt' leads "
                          "outside the project folder through the symlink leak")


def test_an_edited_plan_story_that_is_not_the_specs_is_refused(root: Path,
                                                               saved: Path) -> None:
    _edit(saved, "b", lambda after: after["params"].update(scene_count=9))
    _refused(root, saved, "changes[1] (b).after: differs from the specs in params")


def test_a_plan_whose_output_folder_became_a_symlink_is_refused(root: Path,
                                                                saved: Path) -> None:
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (root / "out").symlink_to(elsewhere, target_is_directory=True)
    # the specs are loaded (and checked on the disk) first: they say it
    _refused(root, saved, "videos.yaml:4:5: stories.a.output: leads outside the project "
                          "folder through the symlink out", by_plan=False)
    assert list(elsewhere.iterdir()) == []
