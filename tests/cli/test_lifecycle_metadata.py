"""Description and visibility, which a create call cannot send, reach the real engine even
when the apply stops between the create and the PUT that sets them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_helpers import SMALL_RENDER, lock_entries, vidflow

from vidflow.apply.session import execute
from vidflow.commands._options import load
from vidflow.engine.service import EngineConfig, StoryEngine
from vidflow.errors import ApiConnectionError
from vidflow.plan.planner import make_plan
from vidflow.providers.local import LocalProvider
from vidflow.state.lockfile import lockfile_path, read_lockfile

pytestmark = pytest.mark.slow

SPEC = """\
version: 1
stories:
  alpha:
    title: Alpha
    description: A fox, slowly.
    visibility: public
    idea: A fox in a sunny meadow.
    scene_count: 1
    audio_option: {has_bg_music: false, has_narration: false}
"""


class PutFails(LocalProvider):
    """The process is cut off right after the create: the PUT never arrives."""

    def update(self, story_id: str, **kwargs: str):
        raise ApiConnectionError("PUT: connection failed")


def test_a_create_cut_off_before_its_put_is_finished_by_the_next_apply(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SMALL_RENDER.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CI", raising=False)
    root = tmp_path / "videos"
    root.mkdir()
    (root / "videos.yaml").write_text(SPEC, encoding="utf-8")

    project = load(root, {}, ())
    lock = read_lockfile(lockfile_path(root))
    provider = PutFails(root, overrides={"scale": 0.25, "fps": 10})
    try:
        result = execute(project, make_plan(project, lock), provider, lock, parallelism=1)
    finally:
        provider.close()
    assert not result.ok
    entry = lock_entries(root)["alpha"]
    # Only what the create sent is claimed: the API's defaults for the rest.
    assert (entry["title"], entry["description"], entry["visibility_status"]) == (
        "Alpha", "", "0")

    refreshed = vidflow("refresh", str(root))
    assert refreshed.code == 0 and "outside" not in refreshed.out
    planned = vidflow("plan", str(root))
    assert "~ alpha" in planned.out or "<= alpha" in planned.out, planned.out
    assert "title, description or visibility changed" in planned.out
    assert "outside vidflow" not in planned.out

    applied = vidflow("apply", "--auto-approve", str(root))
    assert applied.code == 0, applied.out + applied.err
    engine = StoryEngine(EngineConfig(data_dir=root / ".vidflow" / "engine", resume=False))
    try:
        story = engine.get_story(entry["story_id"], account="local")
    finally:
        engine.close()
    assert (story["title"], story["description"], story["visibility_status"]) == (
        "Alpha", "A fox, slowly.", "2")
    assert story["status"] == "success"
    assert (root / lock_entries(root)["alpha"]["output"]).is_file()
    assert vidflow("plan", "--detailed-exitcode", str(root)).code == 0
