"""Over `vidflow serve`: POST /story/{id}/concat with no parameters composes the story's
scene videos with the story's narration (the reference's "synchronized audio")."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import requests
from server_support import Live


def test_concat_of_scene_videos_keeps_the_narration(live: Live, tmp_path: Path) -> None:
    resp = live.post("/story/idea-2-video", data={
        "idea": "A red kite over the sea. It lands on a boat.", "scene_count": 1,
        "audio_option": json.dumps({"has_bg_music": False, "has_narration": True})})
    assert resp.status_code == 200, resp.text
    story = live.finished(resp.json()["data"]["id"])
    assert story["status"] == "success", story["message"]
    scene = story["scenes"][0]
    resp = live.post(f"/story/{story['id']}/concat")
    assert resp.status_code == 200, resp.text
    done = live.finished(story["id"])
    assert done["status"] == "success", done["message"]
    out = tmp_path / "concat.mp4"
    out.write_bytes(requests.get(done["video_url"], timeout=30).content)
    with av.open(str(out)) as container:
        assert container.streams.audio  # before: the scene clips' silence
        duration = float(container.duration or 0) / av.time_base
        samples = np.concatenate([f.to_ndarray().mean(axis=0)
                                  for f in container.decode(audio=0)])
    assert abs(duration - scene["duration"]) < 0.2
    spoken = samples[: int(48000 * scene["narration_duration"])]
    assert np.sqrt((spoken ** 2).mean()) > 0.01  # the narration is heard
