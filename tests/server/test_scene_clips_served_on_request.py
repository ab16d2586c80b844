"""Over `vidflow serve`: a scene's video_url is a real clip of that scene, though the
film was made of the scenes' cuts and crossfades: the whole clip is made at its first
request, and the same bytes are served after."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import av
import requests
from server_support import Live


def test_each_scene_video_url_serves_the_whole_scene(live: Live, tmp_path: Path) -> None:
    resp = live.post("/story/idea-2-video", data={
        "idea": "A lighthouse at dusk. A ship comes home.", "scene_count": 2,
        "is_transition": "true",
        "audio_option": json.dumps({"has_bg_music": False, "has_narration": False})})
    assert resp.status_code == 200, resp.text
    story = live.finished(resp.json()["data"]["id"])
    assert story["status"] == "success", story["message"]
    for n, scene in enumerate(story["scenes"]):
        place = live.engine.store.media_place(urlparse(scene["video_url"]).path)
        assert not place.exists()  # not made with the film
        first = requests.get(scene["video_url"], timeout=60)
        assert first.status_code == 200 and first.headers["content-type"] == "video/mp4"
        out = tmp_path / f"scene{n}.mp4"
        out.write_bytes(first.content)
        with av.open(str(out)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(video=0))
            rate = float(stream.average_rate)
        assert abs(frames / rate - scene["duration"]) < 1.5 / rate
        assert requests.get(scene["video_url"], timeout=60).content == first.content
    missing = story["scenes"][0]["video_url"].rsplit("/", 1)[0] + "/clip-" + "0" * 64 + ".mp4"
    assert requests.get(missing, timeout=30).status_code == 404
