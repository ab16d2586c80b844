"""Every JSON-string field, on every route that takes it, goes through the engine's one
check: the same malformed value gets the same 422 (loc, msg, type) on each route, in
process and over `vidflow serve`, and the OpenAPI documents the schema that check uses."""

from __future__ import annotations

from typing import Any

import pytest
from server_support import Live

from vidflow.contract.json_fields import JSON_SCHEMAS
from vidflow.contract.params import OPERATIONS, PARAMS
from vidflow.errors import ValidationFailed
from vidflow.server.auth import account_id
from vidflow.server.errors import clean_items
from vidflow.server.openapi import openapi_document

BOARD = '{"characters": [], "environments": [], "objects": [], "scenes": [%s]}'
MALFORMED: dict[str, list[tuple[str, list[list[Any]]]]] = {
    "audio_option": [
        ('{"narrator": 5}', [["body", "audio_option", "narrator"]]),
        ('{"has_bg_music": "yes", "volume": 3}',
         [["body", "audio_option", "has_bg_music"], ["body", "audio_option", "volume"]]),
        ("{nope", [["body", "audio_option"]]),
    ],
    "elements": [
        ('{"characters": [{"name": "   "}]}', [["body", "elements", "characters", 0, "name"]]),
        ('{"props": []}', [["body", "elements", "props"]]),
        ("[1]", [["body", "elements"]]),
    ],
    "storyboard": [
        (BOARD % '{"narrator": 3}', [["body", "storyboard", "scenes", 0, "narrator"]]),
        (BOARD % "", [["body", "storyboard", "scenes"]]),
        ('{"scenes": [{}]}', [["body", "storyboard", k]
                              for k in ("characters", "environments", "objects")]),
    ],
    "captions": [  # a vidflow extension, checked the same way
        ('{"style": "karaoke"}', [["body", "captions", "style"]]),
        ('{"size": "huge", "font": "x"}', [["body", "captions", "size"],
                                           ["body", "captions", "font"]]),
        ("7", [["body", "captions"]]),
    ],
}
CASES = [(field, raw, locs) for field, values in MALFORMED.items() for raw, locs in values]
IDEA = {"url_to_video": "A video for https://127.0.0.1:9/shop"}


def routes_taking(field: str) -> list[str]:
    return [op.name for op in OPERATIONS.values() if field in op.params]


def test_every_json_field_has_cases_and_routes() -> None:
    assert set(MALFORMED) == {p.name for p in PARAMS.values() if p.json_string}
    assert all(routes_taking(field) for field in MALFORMED)


@pytest.fixture(scope="module")
def story_id(live: Live) -> str:
    resp = live.post("/story", data={"idea": "A lighthouse keeper", "scene_count": 1})
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]["id"]


def _in_process(live: Live, name: str, story: str, form: dict[str, Any]) -> list[dict]:
    op = OPERATIONS[name]
    call = getattr(live.engine, name)
    args = [story] if "{story_id}" in op.route else []
    with pytest.raises(ValidationFailed) as caught:
        call(*args, account=account_id(live.key), **form)
    return clean_items(list(caught.value.details))


@pytest.mark.parametrize(("field", "raw", "locs"), CASES)
def test_the_same_422_on_every_route_in_process_and_over_http(
        live: Live, story_id: str, field: str, raw: str, locs: list[list[Any]]) -> None:
    answers = {}
    for name in routes_taking(field):
        op = OPERATIONS[name]
        form = {field: raw}
        if "idea" in op.required:
            form["idea"] = IDEA.get(name, "A lighthouse keeper")
        resp = live.post(op.route.replace("{story_id}", story_id), data=form)
        assert resp.status_code == 422, (name, resp.text)
        detail = resp.json()["detail"]
        assert detail == _in_process(live, name, story_id, form), name
        answers[name] = detail
    first = next(iter(answers.values()))
    assert {tuple(d["loc"]) for d in first} == {tuple(x) for x in locs}
    assert all(a == first for a in answers.values()), answers


def test_the_openapi_documents_the_schema_the_engine_checks() -> None:
    doc = openapi_document()
    for field, schema in JSON_SCHEMAS.items():
        for name in routes_taking(field):
            body = doc["components"]["schemas"][f"Body_{name}"]["properties"][field]
            text = body["anyOf"][0]
            assert text["type"] == "string" and text["contentMediaType"] == "application/json"
            assert text["contentSchema"] == schema, (name, field)
