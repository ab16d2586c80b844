"""Python values to the reference's form fields."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vidflow.api.forms import PARAMETERS, encode_form, encode_value

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=12)


@given(st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=5))
def test_json_string_fields_round_trip(value: dict) -> None:
    (text,) = encode_value("audio_option", value)
    assert json.loads(text) == value


def test_scalars() -> None:
    assert encode_value("is_transition", True) == ["true"]
    assert encode_value("enhance_image", False) == ["false"]
    assert encode_value("scene_count", 3) == ["3"]
    assert encode_value("title", None) == []


def test_arrays_become_repeated_fields_in_order() -> None:
    fields = encode_form("concat", {"concat_video_urls": ["b", "a"], "audio_urls": ["m"]})
    assert fields == [("audio_urls", "m"), ("concat_video_urls", "b"),
                      ("concat_video_urls", "a")]


def test_a_json_field_given_as_text_is_sent_as_is() -> None:
    assert encode_value("storyboard", '{"scenes": []}') == ['{"scenes": []}']


def test_unknown_names_are_refused_with_the_allowed_ones() -> None:
    with pytest.raises(TypeError, match="aspect_ratio"):
        encode_form("create_videos", {"aspect_ratio": "16:9"})


def test_every_operation_knows_the_reference_parameters() -> None:
    assert "scene_duration" in PARAMETERS["idea_to_video"]
    assert {"motion_type", "duration", "loop"} <= PARAMETERS["create_videos"]
    assert PARAMETERS["update_story"] == {"title", "description", "visibility_status"}
