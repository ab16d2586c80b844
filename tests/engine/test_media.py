"""Real pipelines at test size, checked with PyAV: durations, sizes, audio, scenes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from vidflow.engine.pipeline import render_size
from vidflow.engine.service import StoryEngine
from vidflow.engine.stages.ffmpeg import probe

from .conftest import SMALL

pytestmark = pytest.mark.slow

NO_AUDIO = {"has_bg_music": False, "has_narration": False, "native_audio": False}
TOLERANCE = 0.2  # seconds: AAC priming and frame rounding


def run_sampling(engine: StoryEngine, story: dict[str, Any], account: str = "local",
                 timeout: float = 180) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """Poll the story until it ends, recording every (status, progress) seen."""
    seen = [(story["status"], story["progress_percentage"])]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = engine.get_story(story["id"], account=account)
        seen.append((current["status"], current["progress_percentage"]))
        if current["status"] in ("success", "fail"):
            return current, seen
        time.sleep(0.02)
    raise AssertionError(f"story did not finish in {timeout} s: {seen[-1]}")


def final_file(engine: StoryEngine, story: dict[str, Any]) -> Path:
    assert story["video_url"], story
    return engine.media_path(story["video_url"])


def scene_seconds(story: dict[str, Any]) -> list[float]:
    return [s["duration"] for s in story["scenes"]]


def test_idea_story_with_narration_music_and_transitions(engine: StoryEngine) -> None:
    """The automatic pipeline: new → processing → success, monotonic progress, real MP4."""
    created = engine.idea_to_video(idea="A fox explores a snowy forest. It finds a lantern.",
                                   scene_count=2, aspect_ratio="16:9", is_transition=True,
                                   title="Fox")
    assert created["status"] == "new" and created["progress_percentage"] == 0
    story, seen = run_sampling(engine, created)
    assert story["status"] == "success", story["message"]
    statuses = [s for s, _ in seen]
    order = {"new": 0, "processing": 1, "success": 2}
    assert [order[s] for s in statuses] == sorted(order[s] for s in statuses)
    assert "processing" in statuses
    progress = [p for _, p in seen]
    assert progress == sorted(progress) and progress[-1] == 100
    assert all(p < 100 for s, p in seen if s != "success")

    info = probe(final_file(engine, story))
    assert (info.width, info.height) == render_size("16:9", 0.25) == (320, 180)
    assert info.has_audio and info.pix_fmt == "yuv420p" and info.video_codec == "h264"
    durations = scene_seconds(story)
    assert len(durations) == story["scene_count"] == 2
    expected = sum(durations) - 0.5  # one 0.5 s crossfade
    assert abs(info.duration - expected) < TOLERANCE
    for scene in story["scenes"]:
        # the film is made of the scenes' cuts: a scene's whole clip waits to be asked for
        place = engine.store.media_place(scene["video_url"])
        assert not place.exists()
        clip = probe(engine.media_path(scene["video_url"]), count_frames=True)
        assert clip.frames == round(scene["duration"] * SMALL["fps"])
        assert place.is_file()
        assert engine.media_path(scene["image_url"]).is_file()
        assert engine.media_path(scene["narration_url"]).is_file()
        # Narrated scenes last as long as their narration plus a short pad.
        assert scene["duration"] >= scene["narration_duration"] + 0.5
    assert story["used_credits"] > 0


def test_no_audio_means_no_audio_stream(engine: StoryEngine) -> None:
    story = engine.idea_to_video(idea="A quiet lighthouse at night", scene_count=1,
                                 aspect_ratio="9:16", scene_duration="5",
                                 audio_option=NO_AUDIO)
    story = engine.wait(story["id"], timeout=180)
    assert story["status"] == "success", story["message"]
    info = probe(final_file(engine, story))
    assert not info.has_audio
    assert (info.width, info.height) == (180, 320)
    assert abs(info.duration - 5.0) < TOLERANCE
    assert "narration_url" not in story["scenes"][0]


def test_native_audio_turns_narration_off(engine: StoryEngine) -> None:
    story = engine.idea_to_video(idea="Waves on an ocean shore", scene_count=1,
                                 aspect_ratio="1:1",
                                 audio_option={"native_audio": True, "has_bg_music": False,
                                               "has_narration": True})
    story = engine.wait(story["id"], timeout=180)
    assert story["status"] == "success", story["message"]
    assert story["audio_option"]["has_narration"] is False
    info = probe(final_file(engine, story))
    assert info.has_audio  # the ambient sound
    assert (info.width, info.height) == (180, 180)
    assert abs(info.duration - 5.0) < TOLERANCE


def test_images_story_files_win_over_urls(engine: StoryEngine, tmp_path: Path, png,
                                          http_server) -> None:
    files = []
    for i, color in enumerate([(200, 0, 0), (0, 0, 200)]):
        f = tmp_path / f"img{i}.png"
        f.write_bytes(png(color, (80, 80)))
        files.append(f)
    url = http_server.route("/x.png", body=png(), content_type="image/png")
    story = engine.images_to_video(image_files=files, image_urls=[url], is_transition=False,
                                   aspect_ratio="4:3",
                                   audio_option={"has_narration": False})
    assert story["scene_count"] == 2
    story = engine.wait(story["id"], timeout=180)
    assert story["status"] == "success", story["message"]
    assert http_server.requests == []  # the URL was never fetched
    info = probe(final_file(engine, story))
    assert (info.width, info.height) == render_size("4:3", 0.25)
    assert info.has_audio  # music
    assert abs(info.duration - 10.0) < TOLERANCE
    assert len(story["scenes"]) == 2


def test_unreadable_image_url_fails_with_a_message(engine: StoryEngine, http_server) -> None:
    hook = http_server.route("/hook")
    bad = http_server.route("/broken.jpg", body=b"<html>nope</html>", content_type="image/jpeg")
    balance = engine.balance()
    story = engine.images_to_video(image_urls=[bad], webhook_url=hook,
                                   audio_option=NO_AUDIO)
    # charged on acceptance (the balance itself may already be refunded: the job can fail
    # before this line reads it)
    assert story["used_credits"] > 0
    story = engine.wait(story["id"], timeout=60)
    assert story["status"] == "fail"
    assert story["used_credits"] == 0 and engine.balance() == balance  # refunded
    assert "not a readable image" in story["message"]
    assert "Traceback" not in story["message"] and "\n" not in story["message"]
    deadline = time.monotonic() + 10
    while not http_server.posts("/hook") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert http_server.posts("/hook") == [
        {"customer_id": "local", "batch_id": story["id"], "status": "fail"}]


def test_url_story_reads_the_page_or_notes_why_not(engine: StoryEngine, http_server) -> None:
    page = http_server.route("/shop", content_type="text/html", body=(
        b"<html><head><title>Moon Tea</title><script>x()</script></head><body>"
        b"<h1>Moon Tea</h1><p>Calm green tea picked at night.</p></body></html>"))
    ok = engine.url_to_video(idea=f"A promo for {page} and its tea", scene_count=1,
                             audio_option=NO_AUDIO, scene_duration=5)
    gone = engine.url_to_video(idea=f"A promo for {http_server.url('/missing')}",
                               scene_count=1, audio_option=NO_AUDIO)
    ok = engine.wait(ok["id"], timeout=180)
    gone = engine.wait(gone["id"], timeout=180)
    assert ok["status"] == gone["status"] == "success", (ok["message"], gone["message"])
    assert any("Page text read" in n for n in ok["storyboard"]["notes"])
    assert any("Could not read" in n for n in gone["storyboard"]["notes"])


def test_webhook_retried_after_500(engine: StoryEngine, http_server) -> None:
    hook = http_server.route("/hook", statuses=[500])
    story = engine.idea_to_video(idea="A red kite in a meadow", scene_count=1,
                                 audio_option=NO_AUDIO, webhook_url=hook)
    engine.wait(story["id"], timeout=180)
    deadline = time.monotonic() + 15
    while len(http_server.posts("/hook")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert http_server.posts("/hook") == [
        {"customer_id": "local", "batch_id": story["id"], "status": "success"}] * 2
