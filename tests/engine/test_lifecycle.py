"""Records and the engine's life: get/update/delete, close, restart and resume."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vidflow.engine.service import StoryEngine
from vidflow.engine.store import Store
from vidflow.errors import NotFound

NO_AUDIO = {"has_bg_music": False, "has_narration": False, "native_audio": False}


def test_delete_removes_files_and_record(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
    story = engine.generate_scenes(story["id"])
    folder = engine.store.story_dir(story["id"])
    assert any(folder.rglob("*.png"))
    deleted = engine.delete_story(story["id"])
    assert deleted["id"] == story["id"]
    assert not folder.exists()
    with pytest.raises(NotFound):
        engine.get_story(story["id"])
    with pytest.raises(NotFound):
        engine.media_path(story["scenes"][0]["image_url"])


def test_other_accounts_cannot_touch_a_story(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1, account="alice")
    for call in (engine.get_story, engine.delete_story, engine.generate_scenes):
        with pytest.raises(NotFound):
            call(story["id"], account="bob")
    assert engine.get_story(story["id"], account="alice")["id"] == story["id"]


def test_public_base_url_prefixes_media(make_engine: Callable[..., StoryEngine]) -> None:
    engine = make_engine(public_base_url="http://127.0.0.1:8123")
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
    story = engine.generate_scenes(story["id"])
    url = story["scenes"][0]["image_url"]
    assert url.startswith("http://127.0.0.1:8123/media/")
    # The absolute URLs handed back in an updated storyboard are recognised as ours.
    again = engine.generate_scenes(story["id"], storyboard=story["storyboard"])
    assert again["scenes"][0]["image_url"] == url


@pytest.mark.slow
def test_restart_resumes_an_interrupted_story(make_engine: Callable[..., StoryEngine],
                                              tmp_path: Path) -> None:
    """close() mid-run leaves the story processing; a new engine finishes it."""
    data = tmp_path / "shared"
    first = make_engine(data, workers=1)
    story = first.idea_to_video(idea="A fox explores a snowy forest. It finds a lantern.",
                                scene_count=2, audio_option={"has_bg_music": True,
                                                             "has_narration": True})
    deadline = time.monotonic() + 60
    while first.get_story(story["id"])["progress_percentage"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    first.close()
    peek = Store(data, starting_balance=0)
    assert peek.get(story["id"]).status == "processing"  # left unfinished, job kept
    assert peek.get(story["id"]).job["kind"] == "auto"
    reached = peek.get(story["id"]).progress_percentage
    peek.close()
    second = make_engine(data, workers=1)
    mid = second.get_story(story["id"])
    assert mid["status"] in ("new", "processing")
    assert mid["progress_percentage"] >= reached > 0  # progress never goes back
    done = second.wait(story["id"], timeout=180)
    assert done["status"] == "success", done["message"]
    assert second.media_path(done["video_url"]).is_file()


def test_restart_fails_a_story_whose_inputs_are_gone(make_engine: Callable[..., StoryEngine],
                                                     tmp_path: Path, png) -> None:
    data = tmp_path / "shared"
    first = make_engine(data, workers=1)
    image = tmp_path / "a.png"
    image.write_bytes(png())
    # A story written as if a previous process had died while it was processing.
    row = first.store.create(account="local", mode="images",
                             params={"uploads": ["uploads/gone.png"], "aspect_ratio": "16:9"},
                             status="processing", job={"kind": "auto"})
    first.close()
    second = make_engine(data)
    story = second.get_story(row.id)
    assert story["status"] == "fail"
    assert "could not resume" in story["message"] and "uploads/gone.png" in story["message"]


def test_delete_while_processing(engine: StoryEngine, http_server, png) -> None:
    """Deleting a running story stops its job; no files come back, no webhook is sent."""
    hook = http_server.route("/hook")
    slow = http_server.route("/slow.png", body=png(), content_type="image/png", delay=1.0)
    story = engine.images_to_video(image_urls=[slow], audio_option=NO_AUDIO,
                                   webhook_url=hook)
    deadline = time.monotonic() + 60
    while not any(p == "/slow.png" for _, p, _ in http_server.requests):
        assert time.monotonic() < deadline  # the job is now inside its download
        time.sleep(0.01)
    engine.delete_story(story["id"])
    assert engine.jobs.wait_idle(story["id"], timeout=60)
    time.sleep(0.3)  # the sweeper runs right after the job stops
    assert not engine.store.story_dir(story["id"]).exists()
    assert http_server.posts("/hook") == []


def test_only_one_engine_resumes(make_engine: Callable[..., StoryEngine], tmp_path: Path) -> None:
    """A second live engine on the same folder leaves unfinished stories to the first."""
    data = tmp_path / "shared"
    owner = make_engine(data)
    row = owner.store.create(account="local", mode="idea", status="processing",
                             job={"kind": "auto"}, params={"uploads": ["uploads/gone.png"]})
    second = make_engine(data)
    assert second.get_story(row.id)["status"] == "processing"  # untouched
    owner.close()
    third = make_engine(data)
    assert third.get_story(row.id)["status"] == "fail"  # the new owner dealt with it
