"""`vidflow serve` honours Idempotency-Key on every paid POST, says so in its OpenAPI, and
the client both sends the key and can tell a server that announces it from one that does
not."""

from __future__ import annotations

import uuid

import pytest
import requests
from server_support import Live
from support.loopback import QuietHandler, serve

from vidflow.api.client import StoryClient
from vidflow.contract.params import IDEMPOTENCY_EXTENSION, IDEMPOTENCY_HEADER, OPERATIONS
from vidflow.errors import ValidationFailed

QUIET = {"has_bg_music": False, "has_narration": False}


def _count(live: Live, title: str) -> int:
    return len(live.engine.store._execute("SELECT id FROM stories WHERE title = ?", (title,)))


def test_a_create_sent_twice_with_its_key_is_one_story(live: Live) -> None:
    client = StoryClient(live.base_url, api_key=live.key)
    key, title = uuid.uuid4().hex, f"keyed {uuid.uuid4().hex[:8]}"
    first = client.idea_to_video(idea="A fox in the snow.", title=title, scene_count=1,
                                 audio_option=QUIET, idempotency_key=key)
    again = client.idea_to_video(idea="A fox in the snow.", title=title, scene_count=1,
                                 audio_option=QUIET, idempotency_key=key)
    assert again.id == first.id and _count(live, title) == 1
    with pytest.raises(ValidationFailed):
        client.idea_to_video(idea="Another idea.", title=title, scene_count=1,
                             audio_option=QUIET, idempotency_key=key)
    assert _count(live, title) == 1


def test_the_header_is_checked_like_any_field(live: Live) -> None:
    answer = requests.post(live.url("/story/idea-2-video"), timeout=30,
                           headers={"X-Api-Key": live.key, IDEMPOTENCY_HEADER: "x" * 300},
                           data={"idea": "A fox."})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:2] == ["header", IDEMPOTENCY_HEADER]


def test_the_openapi_announces_and_documents_the_key(live: Live) -> None:
    doc = requests.get(live.url("/openapi.json"), timeout=30).json()
    assert doc["info"][IDEMPOTENCY_EXTENSION] == IDEMPOTENCY_HEADER
    for op in OPERATIONS.values():
        route = doc["paths"][op.route][op.method.lower()]
        headers = [p["name"] for p in route.get("parameters", []) if p["in"] == "header"]
        assert (IDEMPOTENCY_HEADER in headers) is op.paid, op.name


def test_the_client_tells_an_announcing_server_from_a_silent_one(live: Live) -> None:
    assert StoryClient(live.base_url, api_key=live.key).honours_idempotency_keys() is True

    class NoDoc(QuietHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.end_headers()

    with serve(NoDoc) as base:
        assert StoryClient(base, api_key="k").honours_idempotency_keys() is False
    assert StoryClient("http://127.0.0.1:9", api_key="k").honours_idempotency_keys() is False
