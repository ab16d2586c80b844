"""The served OpenAPI, the spec's JSON Schema, the form encoder and the engine's checks all
say what `vidflow.contract` says: editing one layer alone fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from vidflow.api.forms import JSON_FIELDS, PARAMETERS
from vidflow.contract import enums
from vidflow.contract.params import (
    DEFAULTS,
    EXTENSION_FIELD_KEY,
    EXTENSIONS,
    EXTENSIONS_KEY,
    OPERATIONS,
    PARAMS,
    SPEC_MODES,
    mode_params,
)
from vidflow.engine import validation as v
from vidflow.server.app import create_app
from vidflow.server.auth import KeyRing
from vidflow.spec.rules import MODE_PARAMS
from vidflow.spec.schema import build_schema


@pytest.fixture(scope="module")
def served() -> dict[str, Any]:
    return create_app(None, KeyRing.of([])).openapi()


def _body(doc: dict[str, Any], op_name: str) -> dict[str, Any]:
    op = OPERATIONS[op_name]
    route = doc["paths"][op.route][op.method.lower()]
    content = route.get("requestBody", {}).get("content", {})
    if not content:
        return {"properties": {}, "required": []}
    ref = next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[-1]
    return doc["components"]["schemas"][ref]


def _real(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of an optional field's schema."""
    branches = [b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"]
    return {**branches[0], **{k: x for k, x in schema.items() if k != "anyOf"}}


@pytest.mark.parametrize("op_name", sorted(OPERATIONS))
def test_served_operation_has_the_contract_parameters(served: dict[str, Any],
                                                      op_name: str) -> None:
    op = OPERATIONS[op_name]
    body = _body(served, op_name)
    assert list(body["properties"]) == list(op.params)
    assert sorted(body.get("required", [])) == sorted(op.required)
    assert served["paths"][op.route][op.method.lower()]["operationId"] == op.name


@pytest.mark.parametrize("op_name", sorted(OPERATIONS))
def test_served_enums_defaults_and_ranges_are_the_contract(served: dict[str, Any],
                                                           op_name: str) -> None:
    op = OPERATIONS[op_name]
    for name, schema in _body(served, op_name)["properties"].items():
        param, real = PARAMS[name], _real(schema)
        assert real.get("deprecated", False) == param.deprecated, name
        if param.kind == "choice":
            assert tuple(real["enum"]) == param.choices, name
        if param.kind == "integer":
            assert (real["minimum"], real["maximum"]) == (param.minimum, param.maximum), name
        if param.kind == "urls":
            assert real.get("maxItems") == param.maximum, name
        default = op.default(name)
        if name not in op.required and default not in (None, ()):
            assert schema["default"] == default, name


def test_spec_schema_enums_and_defaults_are_the_contract() -> None:
    story = build_schema()["$defs"]["story"]["properties"]
    for mode in SPEC_MODES:
        for name in mode_params(mode):
            param = PARAMS[name]
            if param.kind not in ("choice", "integer", "boolean"):
                continue
            real = story[name]["anyOf"][0]
            assert real["default"] == DEFAULTS[name], name
            if param.kind == "choice":
                extra = tuple(int(c) for c in param.choices) if name == "scene_duration" else ()
                assert tuple(real["enum"]) == (*param.choices, *extra), name
    audio = story["audio_option"]["properties"]["narrator"]["anyOf"][0]
    assert tuple(audio["enum"]) == enums.NARRATORS
    assert tuple(story["visibility"]["anyOf"][0]["enum"]) == tuple(enums.VISIBILITY)


def test_spec_modes_take_the_parameters_of_their_operations() -> None:
    assert {mode: mode_params(mode) for mode in SPEC_MODES} == MODE_PARAMS
    story = build_schema()["$defs"]["story"]["properties"]
    assert set().union(*map(set, MODE_PARAMS.values())) <= set(story)


def test_form_encoder_sends_the_contract_parameters() -> None:
    for name, op in OPERATIONS.items():
        expected = {n for n in op.live_params if PARAMS[n].kind != "files"}
        assert PARAMETERS.get(name, frozenset()) == expected, name
    assert {p.name for p in PARAMS.values() if p.kind == "json"} == JSON_FIELDS


@pytest.mark.parametrize("name", sorted(n for n, p in PARAMS.items() if p.kind == "choice"))
def test_engine_accepts_exactly_the_contract_choices(name: str) -> None:
    for value in PARAMS[name].choices:
        problems = v.Problems()
        assert v.choice(problems, name, value) == value
        assert not problems.items
    problems = v.Problems()
    v.choice(problems, name, "not-a-choice")
    assert problems.items and problems.items[0]["loc"] == ["body", name]


@pytest.mark.parametrize("name", sorted(n for n, p in PARAMS.items() if p.kind == "integer"))
def test_engine_ranges_are_the_contract_ranges(name: str) -> None:
    param = PARAMS[name]
    assert param.minimum is not None and param.maximum is not None
    for value, ok in ((param.minimum, True), (param.maximum, True),
                      (param.minimum - 1, False), (param.maximum + 1, False)):
        problems = v.Problems()
        v.integer(problems, name, value)
        assert (not problems.items) is ok, (name, value)


def _reference_text() -> str:
    root = Path(__file__).resolve().parents[2]
    for place in (root.parent / "shared", Path("/work/shared")):
        if (place / "reference" / "story-api.txt").is_file():
            return (place / "reference" / "story-api.txt").read_text(encoding="utf-8")
    raise AssertionError("shared/reference/story-api.txt not found beside the repository")


def test_every_enum_of_the_reference_is_a_contract_enum() -> None:
    """Each `Enum:` line of the reference is one of the contract's tuples, letter for letter."""
    lines = set(re.findall(r"^Enum: (.+)$", _reference_text(), flags=re.M))
    contract = {enums.IMAGE_TOOLS, enums.IMAGE_OPTIONS, enums.VIDEO_TOOLS, enums.MOTION_TYPES,
                enums.ASPECT_RATIOS, enums.LANGUAGES, enums.VISIBILITY_STATUSES,
                (*enums.SCENE_DURATIONS, *(int(d) for d in enums.SCENE_DURATIONS))}
    given = {tuple(int(t) if t.isdigit() else t.strip('"') for t in line.split())
             for line in lines}
    assert given == contract
    voices = re.search(r"Available voices: ([A-Za-z, ]+)", _reference_text())
    assert voices and tuple(voices.group(1).split(", ")) == enums.NARRATORS


def test_every_parameter_is_the_reference_s_unless_marked_an_extension() -> None:
    """A parameter the reference does not name must say it is vidflow's own
    (`Param.extension`), and one it names must not: the exemption is explicit."""
    text = _reference_text()
    named = {name for name in PARAMS if re.search(rf"\b{re.escape(name)}\b", text)}
    assert {n for n, p in PARAMS.items() if not p.extension} <= named
    assert EXTENSIONS and not EXTENSIONS & named


def test_served_extensions_are_announced_and_marked(served: dict[str, Any]) -> None:
    assert served["info"][EXTENSIONS_KEY] == sorted(EXTENSIONS)
    for op_name in OPERATIONS:
        for name, schema in _body(served, op_name)["properties"].items():
            marked = any(b.get(EXTENSION_FIELD_KEY) for b in schema.get("anyOf", [schema]))
            assert marked == PARAMS[name].extension, (op_name, name)
    assert any(set(op.params) & EXTENSIONS for op in OPERATIONS.values())


def test_the_story_object_documents_the_extension_fields(served: dict[str, Any]) -> None:
    from vidflow.contract.captions import CAPTION_URL_FIELDS

    story = served["components"]["schemas"]["StoryObject"]["properties"]
    marked = {name for name, schema in story.items() if schema.get(EXTENSION_FIELD_KEY)}
    assert marked == set(CAPTION_URL_FIELDS.values())
