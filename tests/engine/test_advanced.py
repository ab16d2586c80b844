"""Advanced mode: storyboard → elements → scenes → videos → concat, and what is reused."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from PIL import Image

from vidflow.engine.service import StoryEngine
from vidflow.engine.stages.ffmpeg import probe
from vidflow.errors import BadRequest, ValidationFailed

NO_AUDIO = {"has_bg_music": False, "has_narration": False, "native_audio": False}
TOLERANCE = 0.2


def assets(engine: StoryEngine, story_id: str, prefix: str) -> dict[str, int]:
    folder = engine.store.story_dir(story_id) / "assets"
    return {p.name: p.stat().st_mtime_ns for p in folder.glob(f"{prefix}-*")}


def test_storyboard_shape_and_defaults(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="Cute animals play music in a sunny meadow",
                                     scene_count=3, title="Musical Animals")
    board = story["storyboard"]
    assert {"characters", "environments", "objects", "scenes"} <= set(board)
    assert len(board["scenes"]) == story["scene_count"] == 3
    assert story["status"] == "new" and story["title"] == "Musical Animals"
    assert story["audio_option"] == {"has_bg_music": True, "has_narration": True,
                                     "native_audio": False, "narrator": "Rachel"}
    # Editing with story_id keeps the id and replaces the storyboard.
    again = engine.create_storyboard(idea="A robot in a city at night", scene_count=2,
                                     story_id=story["id"])
    assert again["id"] == story["id"] and len(again["storyboard"]["scenes"]) == 2


def test_storyboard_from_images_counts_images(engine: StoryEngine, tmp_path: Path,
                                              png) -> None:
    files = [tmp_path / "a.png", tmp_path / "b.png"]
    for f in files:
        f.write_bytes(png())
    story = engine.create_storyboard(idea="Show these", scene_count=5, image_files=files)
    assert story["scene_count"] == 2


def test_elements_use_custom_image_url(engine: StoryEngine, http_server, png) -> None:
    """An element with its own image_url keeps it; the others get generated images."""
    logo = http_server.route("/logo.png", body=png((0, 200, 0)), content_type="image/png")
    story = engine.create_storyboard(
        idea="A product launch for the Green Box in a studio", scene_count=1,
        elements={"objects": [{"name": "Green Box", "description": "a box",
                               "image_url": logo}]})
    story = engine.generate_elements(story["id"])
    objects = {o["name"]: o for o in story["storyboard"]["objects"]}
    assert objects["Green Box"]["image_url"] == logo
    assert len([r for r in http_server.requests if r[1] == "/logo.png"]) == 1
    generated = [e for k in ("characters", "environments") for e in story["storyboard"][k]]
    assert generated and all(engine.media_path(e["image_url"]).is_file() for e in generated)


def test_videos_need_scenes_first(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
    with pytest.raises(BadRequest, match="/scenes"):
        engine.create_videos(story["id"])


def test_updated_storyboard_must_have_all_arrays(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
    with pytest.raises(ValidationFailed) as info:
        engine.generate_scenes(story["id"], storyboard={"scenes": [{"name": "x"}]})
    assert ["body", "storyboard", "characters"] in [d["loc"] for d in info.value.details]


@pytest.mark.slow
def test_regenerating_rerenders_only_changed_scenes(engine: StoryEngine) -> None:
    """Changing one scene re-renders its image and clip only; the others are reused."""
    story = engine.create_storyboard(idea="A fox in a forest. A bear by a lake.",
                                     scene_count=2, audio_option=NO_AUDIO)
    story = engine.generate_scenes(story["id"])
    first_images = assets(engine, story["id"], "scene")
    assert len(first_images) == 2

    story = engine.create_videos(story["id"], duration=2, loop=2, is_transition=False)
    assert story["status"] in ("new", "processing")
    story = engine.wait(story["id"], timeout=180)
    assert story["status"] == "success", story["message"]
    info = probe(engine.media_path(story["video_url"]))
    assert abs(info.duration - 2 * 2 * 2) < TOLERANCE  # 2 scenes x duration 2 x loop 2
    first_clips = assets(engine, story["id"], "clip")
    assert len(first_clips) == 2

    board = copy.deepcopy(story["storyboard"])
    board["scenes"][1]["image_description"] = "A bear fishing by a blue lake at dawn"
    unchanged_url = story["scenes"][0]["image_url"]
    story = engine.generate_scenes(story["id"], storyboard=board)
    images = assets(engine, story["id"], "scene")
    assert len(images) == 3 and set(first_images) < set(images)
    assert all(images[n] == first_images[n] for n in first_images)  # untouched files
    assert story["scenes"][0]["image_url"] == unchanged_url
    assert story["scenes"][1]["image_url"] != unchanged_url

    story = engine.wait(engine.create_videos(story["id"], duration=2, loop=2)["id"],
                        timeout=180)
    assert story["status"] == "success", story["message"]
    clips = assets(engine, story["id"], "clip")
    assert len(clips) == 3 and all(clips[n] == first_clips[n] for n in first_clips)

    # concat: the story's own scene clips end to end.
    story = engine.wait(engine.concat(story["id"])["id"], timeout=120)
    assert story["status"] == "success", story["message"]
    assert abs(probe(engine.media_path(story["video_url"])).duration - 8.0) < TOLERANCE


@pytest.mark.slow
def test_concat_given_videos_with_audio(engine: StoryEngine, http_server, tmp_path) -> None:
    import numpy as np

    story = engine.idea_to_video(idea="A balloon over a city", scene_count=1,
                                 audio_option=NO_AUDIO, scene_duration=5)
    story = engine.wait(story["id"], timeout=180)
    assert story["status"] == "success", story["message"]
    clip = engine.media_path(story["scenes"][0]["video_url"])
    wav = tmp_path / "tone.wav"
    _write_tone(wav, seconds=3.0, np=np)
    served = http_server.route("/clip.mp4", body=clip.read_bytes(), content_type="video/mp4")
    result = engine.concat(story["id"], concat_video_urls=[served],
                           concat_video_files=[clip], audio_files=[wav])
    result = engine.wait(result["id"], timeout=120)
    assert result["status"] == "success", result["message"]
    info = probe(engine.media_path(result["video_url"]))
    assert info.has_audio
    assert abs(info.duration - 10.0) < TOLERANCE


def _write_tone(path: Path, *, seconds: float, np) -> None:
    import wave

    rate = 48000
    t = np.arange(int(rate * seconds)) / rate
    samples = (0.2 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


def test_local_element_images_only_in_process(make_engine, tmp_path: Path, png) -> None:
    """An element's local `image` file is used in process; a served engine refuses to read
    server files named by a client, and renders the element from its description."""
    picture = tmp_path / "jar.png"
    picture.write_bytes(png((10, 200, 10)))
    elements = {"objects": [{"name": "Jar", "description": "a jar", "image": str(picture)}]}
    local = make_engine(tmp_path / "local")
    served = make_engine(tmp_path / "served", public_base_url="http://127.0.0.1:9")
    colors = []
    for engine in (local, served):
        story = engine.create_storyboard(idea="A jar in a studio", scene_count=1,
                                         elements=elements)
        story = engine.generate_elements(story["id"])
        jar = story["storyboard"]["objects"][0]
        path = engine.media_path(jar["image_url"].removeprefix("http://127.0.0.1:9"))
        with Image.open(path) as img:
            colors.append(img.convert("RGB").getpixel((img.width // 2, img.height // 2)))
    assert colors[0] == (10, 200, 10)
    assert colors[1] != (10, 200, 10)


def test_concat_needs_videos(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
    with pytest.raises(BadRequest, match="/videos first"):
        engine.concat(story["id"])


def test_busy_story_refuses_synchronous_steps(make_engine) -> None:
    engine = make_engine(workers=1)
    story = engine.idea_to_video(idea="A slow snail in a garden", scene_count=3,
                                 scene_duration=10, audio_option=NO_AUDIO)
    with pytest.raises(BadRequest, match="being generated"):
        engine.generate_scenes(story["id"])
    assert engine.wait(story["id"], timeout=180)["status"] == "success"


@pytest.mark.slow
def test_narrated_videos_follow_the_narration(engine: StoryEngine) -> None:
    """With narration on, create_videos' duration and loop give way to the narration."""
    story = engine.create_storyboard(idea="A fox in a forest. A bear by a lake.",
                                     scene_count=2, audio_option=NO_AUDIO)
    story = engine.generate_scenes(story["id"], audio_option={"has_narration": True,
                                                              "has_bg_music": False})
    assert all("narration_url" in s for s in story["scenes"])
    story = engine.wait(engine.create_videos(story["id"], duration=10, loop=6)["id"],
                        timeout=180)
    assert story["status"] == "success", story["message"]
    for scene in story["scenes"]:
        assert scene["duration"] < 10  # follows the short narration, not 10 s x 6
        assert scene["duration"] >= scene["narration_duration"] + 0.5
    info = probe(engine.media_path(story["video_url"]))
    assert info.has_audio
    assert abs(info.duration - sum(s["duration"] for s in story["scenes"])) < TOLERANCE
