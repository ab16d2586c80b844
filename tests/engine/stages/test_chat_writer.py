"""ChatStoryboardWriter against a real HTTP server on loopback."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from support.loopback import QuietHandler, serve

from vidflow.engine.stages.storyboard import ChatStoryboardWriter, write_storyboard

GOOD = {
    "characters": [{"name": "Fox", "description": "a red fox"}],
    "environments": [{"name": "Forest", "description": "a pine forest"}],
    "objects": [{"name": "Lantern", "description": "a brass lantern"}],
    "scenes": [
        {"name": "One", "image_description": "Fox in the forest", "narrator": "A fox wakes.",
         "camera_movement": "pan_left", "elements": ["Fox"], "environment": "Forest"},
        {"name": "Two", "image_description": "Fox with lantern", "narrator": "It finds light.",
         "camera_movement": "spin_wildly", "elements": ["Fox", "Lantern"],
         "environment": "Forest"},
    ],
}


@dataclass
class FakeChat:
    """What the fake endpoint answers next, and what it was asked."""

    status: int = 200
    content: str = json.dumps(GOOD)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def chat() -> Iterator[tuple[FakeChat, str]]:
    state = FakeChat()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append({"path": self.path,
                                   "body": json.loads(self.rfile.read(length))})
            state.headers.append(dict(self.headers))
            body = json.dumps({"choices": [{"message": {"role": "assistant",
                                                        "content": state.content}}]})
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode() if state.status == 200 else b'{"error": "boom"}')

    with serve(Handler) as url:
        yield state, url


def test_good_reply_is_used_and_fixed_up(chat: tuple[FakeChat, str]) -> None:
    """A valid reply becomes the storyboard; an unknown camera move is replaced."""
    state, url = chat
    writer = ChatStoryboardWriter(url, "tiny-model", api_key="sk-test-secret")
    board = writer.write_storyboard("a fox in a forest", scene_count=2)
    assert writer.last_fallback is None
    assert [s["narrator"] for s in board["scenes"]] == ["A fox wakes.", "It finds light."]
    assert board["scenes"][1]["camera_movement"] == "zoom_in"
    assert state.requests[0]["path"] == "/v1/chat/completions"
    assert state.requests[0]["body"]["model"] == "tiny-model"
    assert state.headers[0]["Authorization"] == "Bearer sk-test-secret"
    assert "sk-test-secret" not in repr(writer)


def test_user_elements_win_over_the_models(chat: tuple[FakeChat, str]) -> None:
    _, url = chat
    jar = {"name": "Lantern", "description": "our lantern", "image_url": "https://x/l.png"}
    board = ChatStoryboardWriter(url, "m")(
        "a fox", scene_count=2, elements={"objects": [jar]})
    assert board["objects"] == [jar]
    assert "Lantern" in board["scenes"][-1]["elements"]


@pytest.mark.parametrize("status,content", [
    (200, "this is not json"),
    (200, json.dumps({"scenes": [GOOD["scenes"][0]]})),  # wrong scene count
    (500, ""),
])
def test_bad_replies_fall_back_to_the_rule_based_writer(
        chat: tuple[FakeChat, str], caplog: pytest.LogCaptureFixture, status: int,
        content: str) -> None:
    """Bad JSON, an invalid board or a 500 give the rule-based board and one warning."""
    state, url = chat
    state.status, state.content = status, content
    writer = ChatStoryboardWriter(url, "m", api_key="sk-test-secret")
    with caplog.at_level(logging.WARNING):
        board = writer.write_storyboard("A fox in the snowy forest.", scene_count=2)
    assert board == write_storyboard("A fox in the snowy forest.", scene_count=2)
    assert writer.last_fallback
    assert "rule-based writer" in caplog.text
    assert "sk-test-secret" not in caplog.text


def test_unreachable_endpoint_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    writer = ChatStoryboardWriter(f"http://127.0.0.1:{port}/v1", "m", timeout=2)
    board = writer.write_storyboard("Night city lights.", scene_count=1)
    assert len(board["scenes"]) == 1
    assert writer.last_fallback and "ConnectionError" in writer.last_fallback
