"""Regenerate, refresh, import, saved plans and targets, end to end on the local engine."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from lifecycle_helpers import engine_story_ids, lock_entries, vidflow, write_spec

from vidflow.engine.service import EngineConfig, StoryEngine

pytestmark = pytest.mark.slow

BOARD_SPEC = """\
version: 1
stories:
  board:
    mode: storyboard
    title: Pinned
    idea: A fox in a meadow.
    audio_option: {{has_bg_music: false, has_narration: false}}
    duration: 2
    storyboard:
      characters: [{{name: Fox, description: a red fox}}]
      environments: [{{name: Meadow, description: {environment}}}]
      objects: []
      scenes:
        - {{name: one, image_description: {scene}, environment: Meadow, elements: [Fox]}}
"""


@contextlib.contextmanager
def engine_of(root: Path) -> Iterator[StoryEngine]:
    """The project's local engine, opened directly (as another tool would)."""
    engine = StoryEngine(EngineConfig(data_dir=root / ".vidflow" / "engine", scale=0.25, fps=10))
    try:
        yield engine
    finally:
        engine.close()


def test_pinned_storyboard_change_regenerates_on_the_same_story(root: Path):
    """Only the storyboard changed: `*` regenerate, same story id, a new video."""
    (root / "videos.yaml").write_text(BOARD_SPEC.format(environment="a sunny meadow",
                                                        scene="The fox sits."))
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    first = lock_entries(root)["board"]
    (root / "videos.yaml").write_text(BOARD_SPEC.format(environment="a snowy night forest",
                                                        scene="The fox runs in the snow."))
    planned = vidflow("plan", str(root))
    assert "* board" in planned.out and "1 to regenerate" in planned.out
    assert "0 to create" in planned.out and "0 to replace" in planned.out
    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 0, applied.out + applied.err
    second = lock_entries(root)["board"]
    assert second["story_id"] == first["story_id"]
    assert second["output_sha256"] != first["output_sha256"]
    assert engine_story_ids(root) == {first["story_id"]}
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0


def test_a_story_deleted_outside_vidflow_is_made_again(root: Path):
    """plan (refreshing) sees the 404; refresh drops the entry; apply re-creates it."""
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    old_id = lock_entries(root)["alpha"]["story_id"]
    with engine_of(root) as engine:
        engine.delete_story(old_id, account="local")

    assert "No changes" in vidflow("plan", "--no-refresh", str(root)).out
    planned = vidflow("plan", "--detailed-exitcode", str(root))
    assert planned.code == 2 and "+ alpha" in planned.out and "deleted outside" in planned.out

    refreshed = vidflow("refresh", str(root))
    assert refreshed.code == 0 and "gone" in refreshed.out
    assert lock_entries(root) == {}

    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    new_id = lock_entries(root)["alpha"]["story_id"]
    assert new_id != old_id and engine_story_ids(root) == {new_id}


def test_import_adopts_an_existing_story(root: Path):
    """An imported story is downloaded and locked; the next plan only fixes its title."""
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    with engine_of(root) as engine:
        made = engine.idea_to_video(idea="A fox in a sunny meadow.", scene_count=1,
                                    audio_option={"has_bg_music": False,
                                                  "has_narration": False},
                                    title="made by hand")
        assert engine.wait(made["id"], timeout=120)["status"] == "success"

    result = vidflow("import", "alpha", made["id"], str(root))
    assert result.code == 0, result.err
    entry = lock_entries(root)["alpha"]
    assert entry["story_id"] == made["id"] and entry["title"] == "made by hand"
    assert (root / entry["output"]).stat().st_size > 0

    planned = vidflow("plan", str(root))
    assert "~ alpha" in planned.out and "0 to create" in planned.out
    assert "0 to replace" in planned.out and "title" in planned.out
    again = vidflow("import", "alpha", made["id"], str(root))
    assert again.code == 1 and "already in the lockfile" in again.err


def test_saved_plan_applies_and_targets_narrow_the_plan(root: Path, tmp_path: Path):
    """`plan --target a --out f` then `apply f` makes only story a."""
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow."),
                      "beta": ("Beta", "A boat at night.")})
    plan_file = tmp_path / "plan.json"
    planned = vidflow("plan", "--target", "alpha", "--out", str(plan_file), str(root))
    assert planned.code == 0 and "+ alpha" in planned.out and "beta" not in planned.out
    applied = vidflow("apply", str(plan_file), "--project", str(root))
    assert applied.code == 0, applied.out + applied.err
    assert set(lock_entries(root)) == {"alpha"}
    # the lockfile moved on: the same saved plan is now stale
    stale = vidflow("apply", str(plan_file), "--project", str(root))
    assert stale.code == 1 and "run vidflow plan again" in stale.err


def test_destroy_respects_prevent_destroy(root: Path):
    """A protected story makes destroy refuse: nothing is deleted."""
    write_spec(root, {"alpha": ("Alpha", "A fox in a sunny meadow.")})
    spec = (root / "videos.yaml").read_text()
    (root / "videos.yaml").write_text(spec + "    lifecycle: {prevent_destroy: true}\n")
    assert vidflow("apply", "--auto-approve", str(root)).code == 0
    story_id = lock_entries(root)["alpha"]["story_id"]
    result = vidflow("destroy", "--auto-approve", str(root))
    assert result.code == 1 and "prevent_destroy" in result.out + result.err
    assert lock_entries(root)["alpha"]["story_id"] == story_id
    assert engine_story_ids(root) == {story_id}
