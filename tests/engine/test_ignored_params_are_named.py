"""A parameter the engine accepts but does not act on is named in the story's `message`,
which the job keeps through processing and success; a failure's message still wins."""

from __future__ import annotations

import pytest

from vidflow.engine import notes
from vidflow.engine.service import StoryEngine
from vidflow.errors import ValidationFailed

NO_AUDIO = {"has_bg_music": False, "has_narration": False, "native_audio": False}
NARRATED = {"has_bg_music": False, "has_narration": True}


def test_automatic_story_names_recorded_models_language_and_narrated_duration(
        engine: StoryEngine) -> None:
    story = engine.idea_to_video(idea="A fox in the snow", scene_count=1, image_tool="FluxTurbo",
                                 video_tool="KlingAI", scene_duration="10", language="French",
                                 audio_option=NARRATED)
    message = story["message"]
    assert f"image_tool=FluxTurbo {notes.RECORDED}" in message
    assert f"video_tool=KlingAI {notes.RECORDED}" in message
    assert f"scene_duration=10 {notes.WITH_NARRATION}" in message
    assert "language=French: the narration voice speaks French" in message
    done = engine.wait(story["id"], timeout=120)
    assert done["status"] == "success", done["message"]
    assert done["message"] == message  # neither processing nor success clears it
    assert engine.get_story(story["id"])["message"] == message


def test_defaults_and_honoured_values_say_nothing(engine: StoryEngine) -> None:
    story = engine.idea_to_video(idea="A fox in the snow", scene_count=1, scene_duration="10",
                                 audio_option=NO_AUDIO)  # no narration: duration is honoured
    assert story["message"] is None
    assert engine.wait(story["id"], timeout=120)["message"] is None
    board = engine.create_storyboard(idea="A dog in a park", scene_count=1)
    assert board["message"] is None


def test_advanced_steps_name_options_and_deprecated_fields(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1, language="Spanish",
                                     audio_option=NARRATED)
    assert "language=Spanish" in story["message"]
    story = engine.generate_elements(story["id"], option="FluxPro", enhance_image=True,
                                     deprecated=["has_bg_music"])
    assert f"option=FluxPro {notes.RECORDED}" in story["message"]
    assert f"enhance_image=True {notes.RECORDED}" in story["message"]
    assert f"has_bg_music: {notes.DEPRECATED}" in story["message"]
    story = engine.generate_scenes(story["id"], enhance_image="false")
    assert story["message"] is None  # "false" is the default, said as a form would say it
    videos = engine.create_videos(story["id"], motion_type="StaticMotion", duration=7, loop=2,
                                  deprecated=["native_audio"])
    assert videos["message"] == (f"duration=7, loop=2 {notes.WITH_NARRATION}; "
                                 f"native_audio: {notes.DEPRECATED}.")  # StaticMotion honoured
    done = engine.wait(story["id"], timeout=120)
    assert done["status"] == "success" and done["message"] == videos["message"]


def test_only_deprecated_fields_may_be_named_so(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1)
    with pytest.raises(ValidationFailed) as caught:
        engine.generate_elements(story["id"], deprecated=["option"])
    assert caught.value.details[0]["loc"] == ["body", "option"]


def test_update_names_ignored_fields_in_its_answer_only(engine: StoryEngine) -> None:
    story = engine.create_storyboard(idea="A dog in a park", scene_count=1, language="German")
    updated = engine.update_story(story["id"], title="T", deprecated=["additional_videos"])
    assert updated["message"].startswith(f"additional_videos: {notes.DEPRECATED}; language=")
    assert engine.get_story(story["id"])["message"] == story["message"]


def test_a_failure_message_wins_over_the_notes(engine: StoryEngine, http_server) -> None:
    bad = http_server.route("/not-an-image.png", body=b"plain text", content_type="image/png")
    story = engine.images_to_video(image_urls=[bad], video_tool="Pixverse",
                                   audio_option=NO_AUDIO)
    assert notes.RECORDED in story["message"]
    done = engine.wait(story["id"], timeout=60)
    assert done["status"] == "fail"
    assert "not a readable image" in done["message"] and notes.RECORDED not in done["message"]
