"""The engine uses a configured OpenAI-compatible endpoint, and says so when it falls back."""

from __future__ import annotations

import json
from collections.abc import Callable

from vidflow.engine.service import StoryEngine

BOARD = {
    "characters": [{"name": "Pip", "description": "a small robot"}],
    "environments": [{"name": "Moon Base", "description": "a grey moon base at night"}],
    "objects": [],
    "scenes": [{"name": "Arrival", "image_description": "Pip lands on the moon",
                "narrator": "Pip has arrived.", "camera_movement": "zoom_in",
                "elements": ["Pip"], "environment": "Moon Base"}],
}


def _completion(board: dict) -> bytes:
    return json.dumps({"choices": [{"message": {"role": "assistant",
                                                "content": json.dumps(board)}}]}).encode()


def test_endpoint_writes_the_storyboard(make_engine: Callable[..., StoryEngine],
                                        http_server, monkeypatch) -> None:
    monkeypatch.setenv("TEST_CHAT_KEY", "sk-secret-value")
    http_server.route("/v1/chat/completions", body=_completion(BOARD),
                      content_type="application/json")
    engine = make_engine(storyboard_endpoint=http_server.base,
                         storyboard_api_key_env="TEST_CHAT_KEY")
    story = engine.create_storyboard(idea="A robot visits the moon", scene_count=1)
    assert story["storyboard"]["scenes"][0]["narrator"] == "Pip has arrived."
    assert any("written by" in n for n in story["storyboard"]["notes"])
    assert "sk-secret-value" not in json.dumps(story)


def test_endpoint_failure_falls_back_with_a_note(make_engine: Callable[..., StoryEngine],
                                                 http_server) -> None:
    http_server.route("/v1/chat/completions", status=500)
    engine = make_engine(storyboard_endpoint=http_server.base)
    story = engine.create_storyboard(idea="A robot visits the moon", scene_count=2)
    assert len(story["storyboard"]["scenes"]) == 2  # the rule-based writer's
    assert any("rule-based" in n for n in story["storyboard"]["notes"])
