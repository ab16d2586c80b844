"""Fix one scene: `vidflow storyboard`, then `overrides:` regenerate the same story, scene by
scene, on the local provider and over HTTP (`vidflow serve` on loopback)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from lifecycle_helpers import lock_entries, vidflow

from vidflow.contract.storyboard import STORYBOARD_KEYS
from vidflow.testing import story_server

pytestmark = pytest.mark.slow
KEY_ENV = "VIDFLOW_TEST_STORY_KEY"
IDEA = "A fox wakes in a meadow. A rabbit brings berries. They share breakfast at noon."
NEW_LINE = "Outside, the first snow settles on the pines."


def write(root: Path, overrides: str = "", provider: str = "{type: local}") -> None:
    text = (f"version: 1\nprovider: {provider}\nstories:\n  morning:\n    idea: {IDEA}\n"
            "    scene_count: 3\n    audio_option: {has_bg_music: false}\n")
    if overrides:
        text += "    overrides:\n" + "".join(f"      {line}\n" for line in overrides.splitlines())
    (root / "videos.yaml").write_text(text, encoding="utf-8")


def clips(root: Path) -> set[str]:
    return {p.name for p in (root / ".vidflow").rglob("clip-*.mp4")}


def _fix_one_scene(root: Path, provider: str) -> None:
    write(root, provider=provider)
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    first = lock_entries(root)["morning"]

    shown = vidflow("storyboard", "morning", str(root))
    assert shown.code == 0, shown.err
    board = yaml.safe_load(shown.out)
    assert tuple(board) == STORYBOARD_KEYS and len(board["scenes"]) == 3
    assert "url" not in shown.out.lower() and "/media/" not in shown.out
    listed = vidflow("storyboard", "morning", str(root), "--scenes")
    assert "2. " in listed.out and board["scenes"][1]["narrator"] in listed.out
    lengths = re.findall(r"^\d+\. .* \(([^()]*)s\)$", listed.out, re.MULTILINE)
    assert len(lengths) == 3 and all(re.fullmatch(r"\d+(\.\d{1,2})?", n) for n in lengths)
    old_line = board["scenes"][1]["narrator"]

    write(root, f'scenes:\n  2: {{narrator: "{NEW_LINE}"}}', provider=provider)
    planned = vidflow("plan", "--detailed-exitcode", "--out", str(root / "plan.json"), str(root))
    assert planned.code == 2, planned.out + planned.err
    assert f"* morning (story {first['story_id']})" in planned.out
    assert f'scenes[2].narrator: "{old_line}" → "{NEW_LINE}"' in planned.out
    assert "1 of 3 scenes re-rendered" in planned.out
    change = json.loads((root / "plan.json").read_text())["changes"][0]
    assert change["action"] == "regenerate" and change["reasons"] == ["overrides"]
    assert change["scenes"] == {"rerendered": [2], "count": 3}
    assert [f["path"] for f in change["fields"]] == ["scenes[2].narrator"]

    before_clips = clips(root) if provider == "{type: local}" else set()
    applied = vidflow("apply", "--auto-approve", str(root / "plan.json"))
    assert applied.code == 0, applied.out + applied.err
    after = lock_entries(root)["morning"]
    assert after["story_id"] == first["story_id"]
    assert after["fingerprint"] == first["fingerprint"]
    assert after["output_sha256"] != first["output_sha256"]
    assert after["storyboard"] == first["storyboard"]  # the base stays the generated one
    if before_clips:  # content-addressed: only the changed scene's clip is new
        assert len(clips(root) - before_clips) == 1
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0
    now = yaml.safe_load(vidflow("storyboard", "morning", str(root)).out)
    assert now["scenes"][1]["narrator"] == NEW_LINE
    assert now["scenes"][0] == board["scenes"][0]

    # removing the override goes back to the generated storyboard, same story
    write(root, provider=provider)
    back = vidflow("plan", str(root))
    assert f'scenes[2].narrator: "{NEW_LINE}" → "{old_line}"' in back.out
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    assert lock_entries(root)["morning"]["story_id"] == first["story_id"]
    assert lock_entries(root)["morning"]["output_sha256"] == first["output_sha256"]


def test_fix_one_scene_local(root: Path):
    _fix_one_scene(root, "{type: local}")


def test_fix_one_scene_over_http(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with story_server(tmp_path / "server-data") as (base_url, api_key, _engine):
        monkeypatch.setenv(KEY_ENV, api_key)
        _fix_one_scene(root, f"{{type: http, base_url: '{base_url}', api_key_env: {KEY_ENV}}}")


def test_overrides_on_a_new_story_apply_in_the_same_run(root: Path):
    write(root, 'scenes:\n  1: {narrator: "Dawn."}\ncharacters:\n  Fox: {description: "a red fox"}')
    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 0, applied.out + applied.err
    entry = lock_entries(root)["morning"]
    assert entry["overrides_fingerprint"]
    assert entry["storyboard"]["scenes"][0]["narrator"] != "Dawn."  # the generated base
    board = yaml.safe_load(vidflow("storyboard", "morning", str(root)).out)
    assert board["scenes"][0]["narrator"] == "Dawn."
    assert board["characters"][0] == {"name": "Fox", "description": "a red fox"}
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0


def test_overrides_naming_nothing_are_plan_errors(root: Path):
    write(root)
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    write(root, 'scenes:\n  3: {narrator: "ok", elements: [Rabit]}\n'
                'characters:\n  Wolf: {description: "grey"}')
    planned = vidflow("plan", str(root))
    assert planned.code == 1
    # each at its own key: scene 3 on line 10, Wolf on line 12
    assert ":12:9: morning: overrides.characters.Wolf: no character named 'Wolf'" \
        in planned.out
    assert ":10:9: morning: overrides.scenes.3.elements.0: no character or object named " \
           "'Rabit'" in planned.out and "did you mean 'Rabbit'?" in planned.out
    assert "vidflow storyboard ADDR" in planned.out


def test_validate_locates_unknown_override_fields_and_scenes_past_the_count(root: Path):
    write(root, 'scenes:\n  4: {narrator: "x"}\n  1: {narator: "typo"}\n'
                'characters:\n  Fox: {colour: red}')
    checked = vidflow("validate", str(root))
    assert checked.code == 1
    text = checked.out + checked.err
    assert ("videos.yaml:10:9: stories.morning.overrides.scenes.4: the story has 3 scenes"
            in text)
    assert "overrides.scenes.1.narator: unknown field 'narator'; did you mean 'narrator'?" in text
    assert "overrides.characters.Fox.colour: unknown field 'colour'" in text


def test_storyboard_mode_cannot_take_overrides(root: Path):
    (root / "videos.yaml").write_text(
        "version: 1\nstories:\n  s:\n    mode: storyboard\n    idea: x\n    storyboard:\n"
        "      {characters: [], environments: [], objects: [],\n"
        "       scenes: [{image_description: a meadow}]}\n"
        "    overrides: {scenes: {1: {narrator: x}}}\n", encoding="utf-8")
    checked = vidflow("validate", str(root))
    assert checked.code == 1 and "edit it there" in checked.out + checked.err
