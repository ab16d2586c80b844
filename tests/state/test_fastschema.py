"""The compiled lockfile checker agrees with jsonschema on the lockfile schema."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from vidflow.state.fastschema import UnsupportedSchema, compile_schema
from vidflow.state.lockfile import SCHEMA_PATH

SCHEMA = json.loads(SCHEMA_PATH.read_text())
FAST = compile_schema(SCHEMA)
SLOW = Draft202012Validator(SCHEMA)

VALID = {
    "version": 1, "serial": 3, "lineage": "abc", "entries": {
        "a": {"story_id": "s1", "provider": "local", "mode": "idea", "fingerprint": "f",
              "storyboard_fingerprint": None, "title": "T", "description": "",
              "visibility_status": "0", "status": "success", "video_url": None,
              "output": "out/a.mp4", "output_sha256": "a" * 64, "used_credits": 1,
              "message": None, "created_at": None, "updated_at": None,
              "params": {"idea": "x"}, "prevent_destroy": False, "deposed": ["old"]}}}

FIELDS = list(VALID["entries"]["a"])
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False),
                 st.sampled_from(["", "x", "/abs", "C:\\x", "0", "3", "new", "fail", "idea",
                                  "http:https://a@b", "a" * 64, "A" * 64, "out/x.mp4"]),
                 st.lists(st.sampled_from(["", "x"]), max_size=2),
                 st.dictionaries(st.sampled_from(["k", "idea"]), st.integers(), max_size=2))


def test_the_valid_document_is_valid_for_both():
    assert FAST(VALID) == [] and SLOW.is_valid(VALID)


@settings(max_examples=400, deadline=None)
@given(where=st.sampled_from([*FIELDS, "version", "serial", "lineage", "extra", "drop"]),
       value=JUNK, drop=st.sampled_from(FIELDS))
def test_fast_and_jsonschema_agree_on_mutations(where, value, drop):
    doc = copy.deepcopy(VALID)
    if where in ("version", "serial", "lineage"):
        doc[where] = value
    elif where == "extra":
        doc["entries"]["a"]["unknown"] = value
    elif where == "drop":
        del doc["entries"]["a"][drop]
    else:
        doc["entries"]["a"][where] = value
    assert (FAST(doc) == []) == SLOW.is_valid(doc), FAST(doc)


def test_unsupported_keywords_are_refused_not_ignored():
    with pytest.raises(UnsupportedSchema, match="oneOf"):
        compile_schema({"oneOf": [{"type": "string"}]})
