"""Through the whole engine at test size: the same idea told calmly and dramatically gives
two films that differ in colour and motion, each with its own music."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np

from vidflow.engine.service import StoryEngine

MUSIC_ONLY = {"has_bg_music": True, "has_narration": False, "native_audio": False}


def _film(engine: StoryEngine, tone: str) -> tuple[Path, dict]:
    story = engine.idea_to_video(
        idea=f"A {tone} fox and a rabbit share breakfast in a sunny meadow", scene_count=2,
        audio_option=MUSIC_ONLY)
    done = engine.wait(story["id"], timeout=180)
    assert done["status"] == "success", done["message"]
    return engine.store.story_dir(story["id"]) / "final.mp4", done


def _measure(video: Path) -> tuple[np.ndarray, float, np.ndarray]:
    """(mean colour, mean absolute frame difference, the audio's samples)."""
    with av.open(str(video)) as container:
        frames = [f.to_ndarray(format="rgb24").astype(np.float32)
                  for f in container.decode(video=0)]
    with av.open(str(video)) as container:
        sound = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    motion = float(np.mean([np.abs(a - b).mean() for a, b in itertools.pairwise(frames)]))
    return np.mean([f.reshape(-1, 3).mean(0) for f in frames], axis=0), motion, sound


def test_calm_and_dramatic_films_differ_in_colour_motion_and_music(engine: StoryEngine
                                                                  ) -> None:
    (calm_video, calm), (dramatic_video, dramatic) = (_film(engine, "calm"),
                                                      _film(engine, "dramatic"))
    speeds = [[s["camera_movement"].split("_")[0] for s in story["storyboard"]["scenes"]]
              for story in (calm, dramatic)]
    assert speeds == [["slow", "slow"], ["fast", "fast"]]  # the looks' camera speeds
    colour_calm, motion_calm, sound_calm = _measure(calm_video)
    colour_dramatic, motion_dramatic, sound_dramatic = _measure(dramatic_video)
    assert np.linalg.norm(colour_calm - colour_dramatic) > 30
    assert motion_dramatic > 1.5 * motion_calm
    n = min(len(sound_calm), len(sound_dramatic))
    assert n and not np.allclose(sound_calm[:n], sound_dramatic[:n], atol=1e-3)
