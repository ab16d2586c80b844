"""StoryClient against a real `vidflow serve` (real engine, real FFmpeg): both halves of the
contract agree."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import pytest
from client_support import OTHER_KEY, LiveServer
from support.images import image_bytes

from vidflow.api.client import StoryClient
from vidflow.api.models import StoryRecord
from vidflow.errors import BadRequest, NotFound, Unauthorized, ValidationFailed

QUIET = {"has_bg_music": True, "has_narration": False, "native_audio": False}


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> StoryClient:
    return StoryClient(live_server.base_url, api_key=live_server.key, backoff=0.05)


def _png(path: Path, color: tuple[int, int, int]) -> Path:
    path.write_bytes(image_bytes(size=(80, 60), color=color))
    return path


def test_idea_to_video_wait_download(client: StoryClient, tmp_path: Path) -> None:
    story = client.idea_to_video(idea="A lantern festival over a river at night",
                                 scene_count=2, aspect_ratio="1:1", is_transition=True,
                                 audio_option=QUIET, title="Lanterns")
    assert isinstance(story, StoryRecord)
    assert story.status == "new" and story.title == "Lanterns"
    progress: list[int] = []
    done = client.wait(story.id, on_progress=lambda r: progress.append(r.progress_percentage),
                       poll_interval=0.2, max_interval=0.5, timeout=120)
    assert done.status == "success", done.message
    assert progress == sorted(progress) and progress[-1] == 100
    target = tmp_path / "out" / "lanterns.mp4"
    digest = client.download(done.video_url, target)
    assert digest == hashlib.sha256(target.read_bytes()).hexdigest()
    with av.open(str(target)) as container:
        video = container.streams.video[0]
        assert video.width == video.height  # 1:1
        assert container.streams.audio  # background music


def test_images_to_video_with_uploaded_files(client: StoryClient, tmp_path: Path) -> None:
    files = [_png(tmp_path / f"p{i}.png", (50 * i, 100, 150)) for i in range(1, 3)]
    story = client.images_to_video(image_files=files, idea="Two product shots",
                                   audio_option={"has_bg_music": False, "has_narration": False})
    done = client.wait(story.id, poll_interval=0.2, max_interval=0.5, timeout=120)
    assert done.status == "success", done.message
    assert len(done.scenes) == 2


def test_advanced_steps_update_and_delete(client: StoryClient) -> None:
    board = client.create_storyboard(idea="A snowman learns to skate", scene_count=2,
                                     audio_option=QUIET, title="Skating")
    assert len(board.storyboard["scenes"]) == 2
    with_elements = client.generate_elements(board.id, option="Seedream")
    assert all(c.get("image_url") for c in with_elements.storyboard["characters"])
    edited = dict(with_elements.storyboard)
    edited["scenes"] = [dict(s) for s in edited["scenes"]]
    edited["scenes"][0]["image_description"] = "A snowman on a frozen lake at sunrise"
    scenes = client.generate_scenes(board.id, storyboard=edited)
    assert scenes.storyboard["scenes"][0]["image_description"].startswith("A snowman on")
    client.create_videos(board.id, duration=2, motion_type="Auto")
    done = client.wait(board.id, poll_interval=0.2, max_interval=0.5, timeout=120)
    assert done.status == "success", done.message
    concat = client.concat(board.id, concat_video_urls=[s["video_url"] for s in done.scenes])
    assert concat.id == board.id
    assert client.wait(board.id, poll_interval=0.2, timeout=120).status == "success"

    updated = client.update_story(board.id, title="Skating Snowman", visibility_status="1")
    assert (updated.title, updated.visibility_status) == ("Skating Snowman", "1")
    deleted = client.delete_story(board.id)
    assert deleted.id == board.id
    with pytest.raises(NotFound):
        client.get_story(board.id)


def test_errors_from_the_real_server(client: StoryClient, live_server: LiveServer) -> None:
    with pytest.raises(ValidationFailed) as info:
        client.idea_to_video(idea="x", audio_option={"narrator": "Nobody"})
    assert "audio_option.narrator" in str(info.value)
    assert info.value.details[0]["loc"] == ["body", "audio_option", "narrator"]
    with pytest.raises(BadRequest, match="Invalid story ID"):
        client.get_story("not-a-uuid")
    with pytest.raises(NotFound):  # one quoted path segment: never another route or file
        client.get_story("../../etc/passwd")
    with pytest.raises(BadRequest, match="idea"):
        client.idea_to_video(idea="  ")
    with pytest.raises(Unauthorized):
        StoryClient(live_server.base_url, api_key="wrong-key").get_story(
            "00000000-0000-4000-8000-000000000000")


def test_other_accounts_stories_are_not_found(client: StoryClient,
                                              live_server: LiveServer) -> None:
    mine = client.create_storyboard(idea="A quiet library", scene_count=1)
    other = StoryClient(live_server.base_url, api_key=OTHER_KEY)
    with pytest.raises(NotFound):
        other.get_story(mine.id)
    with pytest.raises(NotFound):
        other.delete_story(mine.id)
    assert client.get_story(mine.id).id == mine.id
