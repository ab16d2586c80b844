"""The engine checks a JSON-string field (storyboard, elements, audio_option, captions) with
a generated yes/no function and imports jsonschema only to word a refusal: the fast check
must never pass what jsonschema refuses, and must pass real values, or it is never taken."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from support.mutation import mutated

from vidflow.contract.json_fields import JSON_SCHEMAS
from vidflow.engine import validation as v
from vidflow.state.fastschema import compile_predicate

FAST = {name: compile_predicate(schema) for name, schema in JSON_SCHEMAS.items()}
SLOW = {name: Draft202012Validator(schema) for name, schema in JSON_SCHEMAS.items()}


def _names(schema: Any) -> set[str]:
    """Every property name the schema mentions (so generated objects hit real fields)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        found |= set(schema.get("properties", {}))
        for value in schema.values():
            found |= _names(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _names(value)
    return found


KEYS = sorted(set().union(*map(_names, JSON_SCHEMAS.values())) | {"extra"})
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 400), st.floats(-1, 20),
                    st.sampled_from(["", " ", "x", "Fox", "https://a.example/p.png", "ftp://x",
                                     "/media/a.png", "zoom_in", "English", "Rachel", "5",
                                     "word", "karaoke", "bottom"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=30)

STORYBOARD = {
    "characters": [{"name": "Fox", "description": "a red fox", "image_url": None}],
    "environments": [{"name": "Meadow", "description": "a green meadow"}],
    "objects": [],
    "scenes": [{"name": "One", "narrator": "A fox runs.", "image_description": "a fox",
                "elements": ["Fox"], "environment": "Meadow", "camera_movement": "zoom_in"}],
}


BASES = {"storyboard": STORYBOARD,
         "elements": {k: STORYBOARD[k] for k in ("characters", "environments", "objects")},
         "audio_option": {"has_bg_music": True, "has_narration": True, "narrator": "Aria"},
         "captions": {"style": "word", "position": "top", "size": "large"}}


@pytest.mark.parametrize("name", sorted(JSON_SCHEMAS))
@settings(max_examples=400, deadline=None)
@given(value=VALUES, pick=st.integers(0, 10_000), how=st.sampled_from(["set", "delete", "add"]))
def test_the_fast_check_never_passes_what_jsonschema_refuses(name: str, value: Any, pick: int,
                                                             how: str) -> None:
    """Random values, and real ones with one place changed (most of those still valid)."""
    changed = mutated(BASES[name], pick=pick, junk=value, how=how, key=KEYS[pick % len(KEYS)])
    for doc in (value, BASES[name] if changed is None else changed):
        if FAST[name](doc):
            assert SLOW[name].is_valid(doc), list(SLOW[name].iter_errors(doc))[:1]


@pytest.mark.parametrize("name", sorted(JSON_SCHEMAS))
def test_real_values_take_the_fast_path(name: str) -> None:
    assert SLOW[name].is_valid(BASES[name]) and FAST[name](BASES[name])


def test_a_real_storyboard_passes_the_engine_check() -> None:
    p = v.Problems()
    assert v.json_field(p, "storyboard", STORYBOARD) == STORYBOARD
    assert not p.items


def test_a_refused_field_is_still_worded_by_jsonschema() -> None:
    """The fast check's no goes to jsonschema, which names the field inside the value."""
    bad = {**STORYBOARD, "scenes": [{**STORYBOARD["scenes"][0], "name": 5}]}
    p = v.Problems()
    assert v.json_field(p, "storyboard", bad) is None
    assert any(item["loc"][:4] == ["body", "storyboard", "scenes", 0] for item in p.items), p.items
