"""On the local engine the plan's cost is exact: applying a plan with every kind of change
(creates in each mode, a create with overrides, a regenerate, a replace, an update, a
delete) takes from the engine's balance exactly the plan's total, and from each story
exactly the credits its change showed."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest
from lifecycle_helpers import lock_entries, vidflow
from support.images import png_bytes

pytestmark = pytest.mark.slow

QUIET = "audio_option: {has_bg_music: false, has_narration: false}"


def spec(*, idea: str, board_scene: str, title: str, overrides: str, extra: str) -> str:
    return f"""\
version: 1
provider: {{type: local}}
stories:
  sound:
    idea: {idea}
    scene_count: 2
    is_transition: true
    audio_option: {{has_bg_music: true, has_narration: true}}
  pics:
    mode: images
    idea: Two pictures.
    image_files: [a.png, b.png]
    is_transition: true
    audio_option: {{has_bg_music: true, has_narration: false}}
  board:
    mode: storyboard
    idea: A fox in a meadow.
    {QUIET}
    duration: 2
    loop: 2
    storyboard:
      characters: [{{name: Fox, description: a red fox}}]
      environments: [{{name: Meadow, description: green}}]
      objects: []
      scenes:
        - {{name: one, image_description: {board_scene}, environment: Meadow, elements: [Fox]}}
        - {{name: two, image_description: a fox sleeps, environment: Meadow, elements: []}}
  fixed:
    idea: A rabbit brings berries to a fox.
    scene_count: 2
    {QUIET}
    overrides:
      scenes:
        1: {{narrator: "{overrides}"}}
  edit:
    title: {title}
    idea: A quiet pond.
    scene_count: 1
    {QUIET}
{extra}"""


GONE = """\
  gone:
    idea: A kite over a hill.
    scene_count: 1
    audio_option: {has_bg_music: false, has_narration: false}
"""
NEW = """\
  new:
    idea: A lighthouse at dusk.
    scene_count: 1
    audio_option: {has_bg_music: false, native_audio: true}
"""


def spent(root: Path) -> int:
    """Credits the engine has taken so far (its own ledger, read directly)."""
    db = root / ".vidflow" / "engine" / "engine.sqlite3"
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        row = conn.execute("SELECT spent FROM accounts WHERE account = 'local'").fetchone()
    return int(row[0]) if row else 0


def plan_and_apply(root: Path) -> dict:
    """`plan --out`, then apply that plan: the plan document."""
    planned = vidflow("plan", "--out", str(root / "plan.json"), str(root))
    assert planned.code == 0, planned.out + planned.err
    document = json.loads((root / "plan.json").read_text())
    applied = vidflow("apply", str(root / "plan.json"))
    assert applied.code == 0, applied.out + applied.err
    return document


def credits_by_address(document: dict) -> dict[str, tuple[str, int]]:
    return {c["address"]: (c["action"], c["credits"]) for c in document["changes"]
            if c["action"] != "no-op"}


def test_the_plan_total_is_what_the_engine_charges_per_change_too(root: Path):
    (root / "a.png").write_bytes(png_bytes((200, 40, 40)))
    (root / "b.png").write_bytes(png_bytes((40, 40, 200)))
    (root / "videos.yaml").write_text(spec(
        idea="A fox wakes in a meadow.", board_scene="a fox runs", title="Pond",
        overrides="The fox smells berries.", extra=GONE), encoding="utf-8")

    first = plan_and_apply(root)
    planned = credits_by_address(first)
    assert {a for a, (action, _) in planned.items() if action == "create"} == {
        "sound", "pics", "board", "fixed", "edit", "gone"}
    assert first["cost"]["exact"] is True and first["cost"]["basis"] == "engine"
    after_first = lock_entries(root)
    assert spent(root) == first["cost"]["total"]
    for address, (_, credits) in planned.items():
        assert after_first[address]["used_credits"] == credits, address

    # Every kind of change at once: replace, regenerate (storyboard and overrides),
    # update, delete and create.
    (root / "videos.yaml").write_text(spec(
        idea="A fox wakes in the snow.", board_scene="a fox leaps", title="Still pond",
        overrides="The fox finds honey.", extra=NEW), encoding="utf-8")
    before = spent(root)
    second = plan_and_apply(root)
    planned = credits_by_address(second)
    assert {a: action for a, (action, _) in planned.items()} == {
        "sound": "replace", "board": "regenerate", "fixed": "regenerate", "edit": "update",
        "gone": "delete", "new": "create"}
    assert spent(root) - before == second["cost"]["total"] > 0
    after = lock_entries(root)
    # a replace's and a create's story is new: its own used credits are the charge
    for address in ("sound", "new"):
        assert after[address]["story_id"] != after_first.get(address, {}).get("story_id")
        assert after[address]["used_credits"] == planned[address][1], address
    # a regenerate adds to the same story's credits
    for address in ("board", "fixed"):
        assert after[address]["story_id"] == after_first[address]["story_id"]
        grew = after[address]["used_credits"] - after_first[address]["used_credits"]
        assert grew == planned[address][1] > 0, address
    assert planned["edit"][1] == planned["gone"][1] == 0
