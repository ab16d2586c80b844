"""The JSON Schema (draft 2020-12) of a spec, built here so each enum is written once.

`schemas/vidflow.schema.json` is this document, committed for editors (a test keeps the two
equal); `vidflow schema` prints it. The Story API's parameters (enums, defaults, ranges,
descriptions) come from `vidflow.contract`; this module adds only the spec's own fields.

Any field may hold a Jinja2 template instead of its final value; such fields are
`anyOf: [<the real schema>, {"$ref": "#/$defs/template"}]`, always in that order, so the
error mapper and the per-variant check know branch 0 is the real one.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from vidflow.contract.captions import CAPTIONS_SCHEMA
from vidflow.contract.enums import NARRATORS, VISIBILITY
from vidflow.contract.params import EXTENSIONS, PARAMS, SPEC_MODES, Param
from vidflow.contract.prices import PRICE_NAMES
from vidflow.contract.storyboard import AUDIO_DEFAULTS, ELEMENT_KINDS, STORYBOARD_KEYS
from vidflow.spec.model import DEFAULT_DEADLINE
from vidflow.spec.rules import DEFAULT_OUTPUT, DURATION_PATTERN

SCHEMA_ID = "https://vidflow.dev/schemas/vidflow.schema.json"

ADDRESS_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
HTTP_URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
TEMPLATE_PATTERN = r"\{\{|\{%"
MOVED_ADDRESS_PATTERN = r"^[a-z0-9][a-z0-9_-]*(\[[^\[\]]+\])?$"
SCENE_NUMBER_PATTERN = r"^[1-9][0-9]*$"  # overrides number scenes from 1

# Human wording for the patterns above, used by the error mapper.
PATTERN_MESSAGES = {
    ADDRESS_PATTERN: "must be a lowercase slug: letters a-z, digits, '-' or '_', "
                     "starting with a letter or digit",
    IDENTIFIER_PATTERN: "must be a name made of letters, digits and '_' (not starting "
                        "with a digit), so templates can use it",
    HTTP_URL_PATTERN: "must be an http:// or https:// URL",
    MOVED_ADDRESS_PATTERN: "must be a story address such as promo or promo[tone=fun]",
    DURATION_PATTERN: "must be a duration such as 90s, 30m or 2h",
    SCENE_NUMBER_PATTERN: "is not a scene number: scenes are numbered from 1, as `vidflow "
                          "storyboard ADDR --scenes` lists them",
}


def templatable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"$ref": "#/$defs/template"}]}


def _enum(values: tuple[Any, ...], description: str, default: Any = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"enum": list(values), "description": description}
    if default is not None:
        schema["default"] = default
    return templatable(schema)


def _bool(description: str, default: bool) -> dict[str, Any]:
    return templatable({"type": "boolean", "description": description, "default": default})


def _int(description: str, minimum: int, maximum: int | None, default: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": minimum, "description": description,
                              "default": default}
    if maximum is not None:
        schema["maximum"] = maximum
    return templatable(schema)


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _param(name: str, *, maximum: int | None = None) -> dict[str, Any]:
    """A Story API parameter's schema, from the contract (choices, range, default)."""
    param: Param = PARAMS[name]
    if param.kind == "boolean":
        return _bool(param.doc, param.default)
    if param.kind == "integer":
        assert param.minimum is not None
        return _int(param.doc, param.minimum, maximum, param.default)
    choices = param.choices
    if name == "scene_duration":  # the reference also takes the numbers
        choices = (*choices, *(int(c) for c in choices))
    return _enum(choices, param.doc, param.default)


def _element_item() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": _string("Element name, as scenes mention it.", minLength=1),
            "description": _string("What it looks like."),
            "image_url": templatable({"$ref": "#/$defs/http_url"}),
            "image": _string("A local image file, relative to the spec file's folder and "
                             "inside the project; uploaded by vidflow. Use either image or "
                             "image_url.",
                             minLength=1),
        },
    }


def _elements() -> dict[str, Any]:
    items = {"type": "array", "items": {"$ref": "#/$defs/element"}}
    return {
        "type": "object",
        "description": "Initial elements (the API's JSON string `elements`, as a mapping).",
        "additionalProperties": False,
        "properties": {kind: items for kind in ELEMENT_KINDS},
    }


def _scene() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["image_description"],
        "additionalProperties": True,
        "properties": {
            "name": _string("Scene name."),
            "image_description": _string("What the scene shows.", minLength=1),
            "narrator": _string("The narration text of this scene (the reference's name)."),
            "camera_movement": _string("Camera movement, e.g. 'slow zoom in'."),
            "elements": {"type": "array", "items": {"type": "string"}},
            "environment": _string("Name of the scene's environment."),
        },
    }


def _storyboard() -> dict[str, Any]:
    items = {"type": "array", "items": {"$ref": "#/$defs/element"}}
    return {
        "type": "object",
        "description": "A pinned storyboard (mode: storyboard): scenes regenerate on the "
                       "same story when only this changes.",
        "required": list(STORYBOARD_KEYS),
        "additionalProperties": False,
        "properties": {
            **{kind: items for kind in ELEMENT_KINDS},
            "scenes": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/scene"}},
        },
    }


def _overrides() -> dict[str, Any]:
    from vidflow.spec.overrides import ELEMENT_OVERRIDE_FIELDS

    scene = _scene()["properties"]
    element = _element_item()["properties"]
    scene_fields = {"type": "object", "minProperties": 1, "additionalProperties": False,
                    "properties": scene}
    element_fields = {"type": "object", "minProperties": 1, "additionalProperties": False,
                      "properties": {k: element.get(k, _string("An image URL."))
                                     for k in ELEMENT_OVERRIDE_FIELDS}}
    return {
        "type": "object",
        "description": "Changes to the storyboard the engine generated (idea, url and images "
                       "modes): scenes by number from 1, elements by name, only the fields "
                       "given. A change regenerates the story's scenes on the same story; "
                       "`vidflow storyboard ADDR` prints what there is to override.",
        "additionalProperties": False,
        "properties": {
            "scenes": {"type": "object", "propertyNames": {"pattern": SCENE_NUMBER_PATTERN},
                       "additionalProperties": scene_fields},
            **{kind: {"type": "object", "propertyNames": {"minLength": 1},
                      "additionalProperties": element_fields} for kind in ELEMENT_KINDS},
        },
    }


def _audio_option() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "The API's JSON string `audio_option`, as a mapping. native_audio: "
                       "true turns narration off.",
        "additionalProperties": False,
        "properties": {
            "has_bg_music": _bool("Background music.", AUDIO_DEFAULTS["has_bg_music"]),
            "has_narration": _bool("Narration (ignored when native_audio is true).",
                                   AUDIO_DEFAULTS["has_narration"]),
            "native_audio": _bool("Native sound effects and lip sync.",
                                  AUDIO_DEFAULTS["native_audio"]),
            "narrator": _enum(NARRATORS, "Narration voice.", AUDIO_DEFAULTS["narrator"]),
        },
    }


def _variants() -> dict[str, Any]:
    combo = {"type": "object", "minProperties": 1,
             "propertyNames": {"pattern": IDENTIFIER_PATTERN},
             "additionalProperties": {"$ref": "#/$defs/variant_value"}}
    return {
        "type": "object",
        "description": "A CI-style matrix: each combination becomes its own story, "
                       "addressed name[key=value,...] (keys sorted).",
        "additionalProperties": False,
        "properties": {
            "matrix": {"type": "object", "propertyNames": {"pattern": IDENTIFIER_PATTERN},
                       "additionalProperties": {"type": "array", "minItems": 1,
                                                "items": {"$ref": "#/$defs/variant_value"}}},
            "include": {"type": "array", "items": combo},
            "exclude": {"type": "array", "items": combo},
        },
    }


def story_properties() -> dict[str, Any]:
    """Every field a story (or `defaults`) may set."""
    return {
        "mode": _enum(tuple(SPEC_MODES), "idea (idea-2-video), url (url-2-video), images "
                      "(images-2-video) or storyboard (advanced mode, pinned storyboard).",
                      "idea"),
        "idea": _string("The story idea (url mode: must contain an http(s) URL).",
                        minLength=1),
        "title": _string("Story title (updated in place)."),
        "description": _string("Story description (updated in place)."),
        "visibility": _enum(tuple(VISIBILITY), "private, unlisted or public (updated in "
                            "place).", next(iter(VISIBILITY))),
        # no maximum: the hosted API's depends on the subscription plan
        "scene_count": _param("scene_count"),
        **{name: _param(name) for name in ("image_tool", "video_tool", "scene_duration",
                                           "aspect_ratio", "is_transition", "language")},
        "elements": _elements(),
        "audio_option": _audio_option(),
        # a vidflow extension: the local provider and `vidflow serve` have it, the hosted
        # Story API does not (validate says so for an http provider)
        "captions": CAPTIONS_SCHEMA,
        "image_urls": {"type": "array", "minItems": 1,
                       "items": templatable({"$ref": "#/$defs/http_url"})},
        "image_files": {"type": "array", "minItems": 1,
                        "items": _string("A local image, relative to the spec file's folder "
                                         "and inside the project.", minLength=1)},
        "storyboard": _storyboard(),
        "overrides": _overrides(),
        **{name: _param(name) for name in ("option", "enhance_image", "motion_type")},
        **{name: _param(name, maximum=PARAMS[name].maximum) for name in ("duration", "loop")},
        "webhook_url": templatable({"$ref": "#/$defs/http_url"}),
        "output": _string("Where apply downloads the video, relative to the project root.",
                          minLength=1, default=DEFAULT_OUTPUT),
        "deadline": templatable(_string(
            "How long apply waits for the story's render before it stops polling and "
            "reports it (e.g. 90s, 30m, 2h; `vidflow apply --deadline` overrides it). Not a "
            "generation input: changing it makes no new video.",
            pattern=DURATION_PATTERN, default=DEFAULT_DEADLINE)),
        "lifecycle": {"type": "object", "additionalProperties": False,
                      "properties": {"prevent_destroy": {"type": "boolean", "default": False}}},
    }


@cache
def build_schema() -> dict[str, Any]:
    fields = story_properties()
    story = {"type": "object", "additionalProperties": False,
             "properties": {**fields, "variants": _variants()}}
    defaults = {"type": "object", "additionalProperties": False,
                "description": "Fields applied to every story of this file (a story's own "
                               "value wins; fields its mode does not take are skipped).",
                "properties": fields}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "vidflow spec",
        "description": "AI video stories as code. Story fields use the Story API's "
                       "parameter names.",
        "type": "object",
        "required": ["version"],
        "additionalProperties": False,
        "properties": {
            "version": {"const": 1, "description": "Spec format version."},
            "provider": _provider(),
            "vars": {"type": "object", "propertyNames": {"pattern": IDENTIFIER_PATTERN},
                     "description": "Template variables (override with --var / --var-file)."},
            "defaults": defaults,
            "stories": {"type": "object", "propertyNames": {"pattern": ADDRESS_PATTERN},
                        "additionalProperties": {"$ref": "#/$defs/story"}},
            "moved": {"type": "array", "items": {
                "type": "object", "required": ["from", "to"], "additionalProperties": False,
                "properties": {"from": {"type": "string", "pattern": MOVED_ADDRESS_PATTERN},
                               "to": {"type": "string", "pattern": MOVED_ADDRESS_PATTERN}}}},
            "removed": {"type": "array", "description": "Stories vidflow stops managing "
                        "without deleting them or their videos (Terraform's `removed` with "
                        "destroy = false); the lockfile forgets them at the next apply.",
                        "items": {
                "type": "object", "required": ["from"], "additionalProperties": False,
                "properties": {"from": {"type": "string", "pattern": MOVED_ADDRESS_PATTERN}}}},
        },
        "$defs": {
            "story": story,
            "element": _element_item(),
            "scene": _scene(),
            "http_url": {"type": "string", "pattern": HTTP_URL_PATTERN},
            "template": {"type": "string", "pattern": TEMPLATE_PATTERN,
                         "description": "A Jinja2 template rendering to the field's value."},
            "variant_value": {"type": ["string", "number", "boolean"]},
        },
    }


def _provider() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type"],
        "additionalProperties": False,
        "properties": {
            "type": {"enum": ["local", "http"]},
            "base_url": {"$ref": "#/$defs/http_url"},
            "api_key_env": {"type": "string", "pattern": IDENTIFIER_PATTERN,
                            "default": "VIMMERSE_API_KEY"},
            "data_dir": {"type": "string", "minLength": 1},
            "prices": {"type": "object", "additionalProperties": False,
                       "description": "http only: the provider's price of each unit, in "
                                      "credits, for the plan's estimate (unset: the average "
                                      "per scene the lockfile's stories used, else the local "
                                      "engine's table).",
                       "properties": {name: {"type": "integer", "minimum": 0}
                                      for name in PRICE_NAMES}},
            "max_credits": {"type": "integer", "minimum": 0,
                            "description": "Refuse a plan whose cost is above this, before "
                                           "any paid call (`--max-credits` wins)."},
            "extensions": {"type": "array", "uniqueItems": True,
                           "description": "The vidflow extensions this http server has "
                                          "(`vidflow serve` has them all; the hosted Story "
                                          "API none). A loopback base_url is taken to be "
                                          "`vidflow serve`.",
                           "items": {"enum": sorted(EXTENSIONS)}},
        },
        "if": {"properties": {"type": {"const": "http"}}},
        "then": {"required": ["base_url"]},
    }


def schema_text() -> str:
    """The schema as committed in schemas/vidflow.schema.json."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"
