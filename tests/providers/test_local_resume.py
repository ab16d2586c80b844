"""The local provider reads the engine without resuming its renders unless asked (apply)."""

from __future__ import annotations

import time
from pathlib import Path

from vidflow.engine.service import EngineConfig, StoryEngine
from vidflow.providers.local import DEFAULT_DATA_DIR, LocalProvider

SMALL = {"scale": 0.25, "fps": 10}


def _interrupted_story(root: Path) -> str:
    """A story left `processing` by an engine closed mid-render (an interrupted apply)."""
    engine = StoryEngine(EngineConfig(data_dir=root / DEFAULT_DATA_DIR, **SMALL))
    try:
        story = engine.idea_to_video(idea="A red fox in the snow.", scene_count=1,
                                     audio_option={"has_bg_music": False,
                                                   "has_narration": False})
    finally:
        engine.close()
    return story["id"]


def test_reading_does_not_resume_and_apply_does(tmp_path: Path) -> None:
    story_id = _interrupted_story(tmp_path)

    reader = LocalProvider(tmp_path, overrides=SMALL, resume=False)
    try:
        first = reader.get(story_id)
        assert first.status == "processing"
        time.sleep(0.6)  # a resumed render would move on (or finish) meanwhile
        again = reader.get(story_id)
        assert (again.status, again.progress_percentage) == (
            first.status, first.progress_percentage)
        assert not reader.engine._owner.is_locked  # an apply beside it may still resume
    finally:
        reader.close()

    applier = LocalProvider(tmp_path, overrides=SMALL)  # apply's default: resume
    try:
        assert applier.wait(story_id).status == "success"
    finally:
        applier.close()
