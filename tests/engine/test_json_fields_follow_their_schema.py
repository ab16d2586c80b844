"""The engine's JSON-field check is the documented schema: whatever value it is given, it
refuses exactly what the schema (the OpenAPI's contentSchema) refuses."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from vidflow.contract.json_fields import JSON_SCHEMAS
from vidflow.engine import validation as v

KEYS = st.sampled_from(["characters", "environments", "objects", "scenes", "name",
                        "narrator", "has_bg_music", "image_url", "description", "x"])
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(
    ["", "  ", "Rachel", "Bob", "https://a.example/x.png", "/media/a.png", "ftp://x"]))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(JSON_SCHEMAS)), VALUES)
def test_refused_exactly_when_the_schema_refuses(field: str, value: object) -> None:
    p = v.Problems()
    v.json_field(p, field, json.dumps(value))
    schema_ok = Draft202012Validator(JSON_SCHEMAS[field]).is_valid(value)
    assert (not p.items) == schema_ok, p.items
    assert all(item["loc"][:2] == ["body", field] for item in p.items)
