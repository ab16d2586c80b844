"""concat of the story's own scene videos keeps the story's soundtrack: each scene's
narration at its start and the background music, as the story's final video has them."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from vidflow.engine.service import StoryEngine
from vidflow.engine.stages.ffmpeg import probe

pytestmark = pytest.mark.slow

IDEA = "A fox explores a snowy forest. It finds a glowing lantern."
WINDOW = 0.1  # seconds per loudness sample


def envelope(path: Path) -> np.ndarray:
    """RMS loudness of the file's audio, one value per WINDOW seconds."""
    chunks, rate = [], 48000
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            rate = frame.sample_rate
            data = frame.to_ndarray().astype(np.float64)
            chunks.append(data.mean(axis=0) if data.ndim > 1 else data)
    samples = np.concatenate(chunks)
    step = int(rate * WINDOW)
    usable = len(samples) // step * step
    return np.sqrt((samples[:usable].reshape(-1, step) ** 2).mean(axis=1))


def story_with_videos(engine: StoryEngine, audio: dict) -> dict:
    story = engine.idea_to_video(idea=IDEA, scene_count=2, audio_option=audio)
    story = engine.wait(story["id"], timeout=180)
    assert story["status"] == "success", story["message"]
    return story


def test_narration_lands_where_each_scene_starts(engine: StoryEngine) -> None:
    story = story_with_videos(engine, {"has_bg_music": False, "has_narration": True})
    own = envelope(engine.media_path(story["video_url"]))
    done = engine.wait(engine.concat(story["id"])["id"], timeout=120)
    assert done["status"] == "success", done["message"]
    out = engine.media_path(done["video_url"])
    info = probe(out)
    assert info.has_audio
    assert abs(info.duration - sum(s["duration"] for s in story["scenes"])) < 0.2
    loud = envelope(out)
    start = 0.0
    for scene in story["scenes"]:
        first = slice(int(start / WINDOW), int((start + scene["narration_duration"]) / WINDOW))
        pad = slice(int((start + scene["duration"] - 0.35) / WINDOW),
                    int((start + scene["duration"]) / WINDOW) - 1)
        assert loud[first].mean() > 10 * max(loud[pad].mean(), 1e-6)  # voice, then quiet
        start += scene["duration"]
    n = min(len(own), len(loud))
    assert np.corrcoef(own[:n], loud[:n])[0, 1] > 0.9  # the story's own soundtrack


def test_music_runs_under_the_whole_concat(engine: StoryEngine) -> None:
    story = story_with_videos(engine, {"has_bg_music": True, "has_narration": False})
    done = engine.wait(engine.concat(story["id"])["id"], timeout=120)
    assert done["status"] == "success", done["message"]
    loud = envelope(engine.media_path(done["video_url"]))
    assert (loud[5:-5] > 1e-3).all()  # no gap: music all the way
