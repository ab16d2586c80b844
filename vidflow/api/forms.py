"""Python values to the Story API's form fields, per operation. Pure functions.

The reference takes some parameters as JSON strings (`audio_option`, `elements`,
`storyboard`), booleans and numbers as form text, and arrays as repeated fields; callers
pass plain Python values (dicts, bools, ints, lists) and these functions do the encoding.
An unknown parameter name is a TypeError, as for any Python call with a typo.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

JSON_FIELDS = frozenset({"audio_option", "elements", "storyboard"})

_AUTO = ("idea", "scene_count", "image_tool", "video_tool", "scene_duration", "aspect_ratio",
         "is_transition", "elements", "audio_option", "language", "title", "webhook_url")
PARAMETERS: dict[str, frozenset[str]] = {
    "idea_to_video": frozenset(_AUTO),
    "url_to_video": frozenset(_AUTO),
    "images_to_video": frozenset({"idea", "image_urls", "video_tool", "is_transition",
                                  "scene_duration", "aspect_ratio", "audio_option",
                                  "language", "title", "webhook_url"}),
    "create_storyboard": frozenset({"story_id", "idea", "scene_count", "language",
                                    "aspect_ratio", "audio_option", "elements", "image_urls",
                                    "title"}),
    "generate_elements": frozenset({"option", "aspect_ratio", "storyboard", "enhance_image"}),
    "generate_scenes": frozenset({"option", "aspect_ratio", "storyboard", "enhance_image",
                                  "audio_option"}),
    "create_videos": frozenset({"title", "storyboard", "is_transition", "motion_type",
                                "duration", "loop", "webhook_url"}),
    "concat": frozenset({"concat_video_urls", "audio_urls"}),
    "update_story": frozenset({"title", "description", "visibility_status"}),
}


def check_names(operation: str, params: Mapping[str, Any]) -> None:
    unknown = sorted(set(params) - PARAMETERS[operation])
    if unknown:
        allowed = ", ".join(sorted(PARAMETERS[operation]))
        raise TypeError(f"{operation}() got unknown parameter(s) {', '.join(unknown)}; "
                        f"allowed: {allowed}")


def encode_value(name: str, value: Any) -> list[str]:
    """The form text for one parameter: zero (None), one, or several (arrays) values."""
    if value is None:
        return []
    if name in JSON_FIELDS and not isinstance(value, str):
        return [json.dumps(value, ensure_ascii=False, separators=(",", ":"))]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str | int | float):
        return [str(value)]
    if isinstance(value, Iterable):
        return [item for v in value for item in encode_value(name, v)]
    raise TypeError(f"{name}: cannot send a {type(value).__name__} as a form value")


def encode_form(operation: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Form fields in a stable order (sorted by name; arrays keep their order)."""
    check_names(operation, params)
    return [(name, text) for name in sorted(params)
            for text in encode_value(name, params[name])]
