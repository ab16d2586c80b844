"""The JSON-string fields' shapes (audio_option, elements, storyboard) as JSON Schema, once.

The engine checks every such field against these schemas (so it refuses exactly what they
refuse, on every route), and the OpenAPI document gives them as each field's
`contentSchema`. Self-contained (no `$ref`), so they embed anywhere.
"""

from __future__ import annotations

from typing import Any

from vidflow.contract.captions import CAPTIONS_SCHEMA
from vidflow.contract.enums import NARRATORS
from vidflow.contract.params import MAX_SCENES
from vidflow.contract.storyboard import (
    AUDIO_DEFAULTS,
    ELEMENT_IMAGE_FIELDS,
    ELEMENT_KINDS,
    STORYBOARD_KEYS,
)

# a user's own image: http(s), or a media path of this engine (a storyboard handed back)
IMAGE_URL_PATTERN = r"^(https?://[^\s/]\S*|/media/\S+)?$"

AUDIO_OPTION: dict[str, Any] = {
    "type": "object",
    "description": "audio_option: native_audio turns narration off; narrator only matters "
                   "with narration.",
    "properties": {
        **{k: {"type": "boolean", "default": v} for k, v in AUDIO_DEFAULTS.items()
           if isinstance(v, bool)},
        "narrator": {"type": "string", "enum": list(NARRATORS),
                     "default": AUDIO_DEFAULTS["narrator"]},
    },
    "additionalProperties": False,
}

ELEMENT: dict[str, Any] = {
    "type": "object",
    "description": "A character, environment or object; `image_url`/`URL` place a user's "
                   "own image.",
    "properties": {
        "name": {"type": "string", "pattern": r"\S", "description": "must not be blank"},
        "description": {"type": "string"},
        **{k: {"type": ["string", "null"], "pattern": IMAGE_URL_PATTERN,
               "description": "must be an http(s) URL"} for k in ELEMENT_IMAGE_FIELDS},
    },
    "required": ["name"],
    "additionalProperties": True,
}
_ELEMENT_LIST = {"type": "array", "items": ELEMENT}

ELEMENTS: dict[str, Any] = {
    "type": "object",
    "description": "Characters, environments and objects the storyboard must use.",
    "properties": {kind: _ELEMENT_LIST for kind in ELEMENT_KINDS},
    "additionalProperties": False,
}

SCENE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "image_description": {"type": "string"},
        "description": {"type": "string"},  # accepted for image_description
        "narrator": {"type": "string", "description": "the scene's narration text"},
        "camera_movement": {"type": "string"},
        "elements": {"type": "array", "items": {"type": "string"}},
        "environment": {"type": "string"},
    },
    "additionalProperties": True,  # the media URLs and durations of a storyboard handed back
}

STORYBOARD: dict[str, Any] = {
    "type": "object",
    "description": "An updated storyboard must carry the four arrays, as the reference says.",
    "properties": {**{kind: _ELEMENT_LIST for kind in ELEMENT_KINDS},
                   "scenes": {"type": "array", "items": SCENE, "minItems": 1,
                              "maxItems": MAX_SCENES}},
    "required": list(STORYBOARD_KEYS),
    "additionalProperties": True,  # e.g. the engine's own "notes"
}

JSON_SCHEMAS: dict[str, dict[str, Any]] = {
    "audio_option": AUDIO_OPTION, "elements": ELEMENTS, "storyboard": STORYBOARD,
    "captions": CAPTIONS_SCHEMA}  # captions: a vidflow extension
