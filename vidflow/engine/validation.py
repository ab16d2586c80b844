"""Parameter checks of the Story API reference: enums, ranges, defaults, JSON-field shapes.

Pure functions: values in, normalized values out, or a ValidationFailed (422) carrying one
`{"loc": ["body", field, ...], "msg", "type"}` per problem. Missing required parameters and
malformed story ids are BadRequest (400), as the reference says.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from vidflow.contract.enums import NARRATORS, SCENE_DURATIONS
from vidflow.contract.params import MAX_SCENES, PARAMS, STORY_ID_PATTERN
from vidflow.contract.storyboard import (
    AUDIO_DEFAULTS,
    ELEMENT_IMAGE_FIELDS,
    ELEMENT_KINDS,
    STORYBOARD_KEYS,
    effective_audio,
)
from vidflow.errors import BadRequest, ValidationFailed

_URL = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
_STORY_ID = re.compile(STORY_ID_PATTERN)


@dataclass
class Problems:
    """Collects field errors so one 422 lists them all."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, loc: str | list[Any], msg: str, kind: str = "value_error") -> None:
        path = [loc] if isinstance(loc, str) else list(loc)
        self.items.append({"loc": ["body", *path], "msg": msg, "type": kind})

    def raise_if_any(self) -> None:
        if self.items:
            first = self.items[0]
            where = ".".join(str(p) for p in first["loc"][1:])
            more = f" (and {len(self.items) - 1} more)" if len(self.items) > 1 else ""
            raise ValidationFailed(f"{where}: {first['msg']}{more}", details=list(self.items))


def check_story_id(story_id: Any) -> str:
    if not isinstance(story_id, str) or not _STORY_ID.match(story_id):
        raise BadRequest(f"Invalid story ID format: {story_id!r} (expected a UUID)")
    return story_id


def require_idea(idea: Any) -> str:
    if idea is None or (isinstance(idea, str) and not idea.strip()):
        raise BadRequest("Missing required parameter: idea (a non-empty text)")
    if not isinstance(idea, str):
        raise ValidationFailed("idea: must be a string",
                               details=[{"loc": ["body", "idea"], "msg": "must be a string",
                                         "type": "type_error"}])
    return idea.strip()


def first_url(text: str) -> str | None:
    match = _URL.search(text)
    return match.group(0).rstrip(".,;:)]}") if match else None


def is_http_url(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^\s/]+", value, re.I) is not None


def choice(p: Problems, name: str, value: Any) -> str:
    """One of the parameter's choices (the contract's enum)."""
    return enum(p, name, value, PARAMS[name].choices)


def integer(p: Problems, name: str, value: Any) -> int:
    """An integer within the parameter's range (the contract's minimum and maximum)."""
    param = PARAMS[name]
    assert param.minimum is not None and param.maximum is not None
    return as_int(p, name, value, param.minimum, param.maximum)


def enum(p: Problems, name: str | list[Any], value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        p.add(name, f"must be one of {', '.join(options)}; got {value!r}", "enum")
        return options[0]
    return str(value)


def as_bool(p: Problems, name: str | list[Any], value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off", ""):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    p.add(name, f"must be a boolean; got {value!r}", "bool_parsing")
    return False


def as_int(p: Problems, name: str, value: Any, lo: int, hi: int) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        number = int(value)
    if number is None:
        p.add(name, f"must be an integer; got {value!r}", "int_parsing")
        return lo
    if not lo <= number <= hi:
        p.add(name, f"must be between {lo} and {hi}; got {number}", "range")
        return min(max(number, lo), hi)
    return number


def scene_duration(p: Problems, value: Any) -> int:
    """The reference's enum "5" "10" 5 10, as seconds."""
    if isinstance(value, bool) or str(value) not in SCENE_DURATIONS:
        p.add("scene_duration", f'must be one of "5", "10", 5, 10; got {value!r}', "enum")
        return 5
    return int(str(value))


def json_field(p: Problems, name: str, value: Any) -> Any:
    """JSON-string fields arrive as dicts (Python callers) or strings (forms)."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            p.add(name, f"is not valid JSON: {exc.msg} at character {exc.pos}", "json_invalid")
            return None
    return value


def audio_option(p: Problems, value: Any) -> dict[str, Any]:
    """Defaults filled; native_audio forces has_narration off, as the reference says."""
    raw = json_field(p, "audio_option", value)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        p.add("audio_option", "must be a JSON object", "dict_type")
        raw = {}
    audio: dict[str, Any] = {}
    for key, val in raw.items():
        if key not in AUDIO_DEFAULTS:
            p.add(["audio_option", key], "unknown field; allowed: " + ", ".join(AUDIO_DEFAULTS),
                  "extra_forbidden")
        elif key == "narrator":
            audio[key] = enum(p, ["audio_option", key], val, NARRATORS)
        else:
            audio[key] = as_bool(p, ["audio_option", key], val)
    return effective_audio(audio)


def _element_list(p: Problems, loc: list[Any], value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        p.add(loc, "must be an array of objects", "list_type")
        return []
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            p.add([*loc, i], "must be an object with a name", "dict_type")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            p.add([*loc, i, "name"], "is required (a non-empty string)", "missing")
        if "description" in item and not isinstance(item["description"], str):
            p.add([*loc, i, "description"], "must be a string", "string_type")
        for key in ELEMENT_IMAGE_FIELDS:
            url = item.get(key)
            if url not in (None, "") and not (is_http_url(url) or str(url).startswith("/media/")):
                p.add([*loc, i, key], "must be an http(s) URL", "url_scheme")
        out.append(dict(item))
    return out


def elements(p: Problems, value: Any) -> dict[str, list[dict[str, Any]]] | None:
    raw = json_field(p, "elements", value)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        p.add("elements", "must be a JSON object with characters, environments or objects "
                          "arrays", "dict_type")
        return None
    for key in raw:
        if key not in ELEMENT_KINDS:
            p.add(["elements", key], "unknown key; allowed: characters, environments, objects",
                  "extra_forbidden")
    return {kind: _element_list(p, ["elements", kind], raw[kind])
            for kind in ELEMENT_KINDS if kind in raw}


def storyboard(p: Problems, value: Any) -> dict[str, Any] | None:
    """An updated storyboard must contain the four arrays; scenes need a description."""
    raw = json_field(p, "storyboard", value)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        p.add("storyboard", "must be a JSON object", "dict_type")
        return None
    board = dict(raw)
    for key in STORYBOARD_KEYS:
        if key not in raw:
            p.add(["storyboard", key], "is required: a storyboard must contain characters, "
                                       "environments, objects and scenes arrays", "missing")
            board[key] = []
        elif key in ELEMENT_KINDS:
            board[key] = _element_list(p, ["storyboard", key], raw[key])
    scenes = raw.get("scenes", [])
    if not isinstance(scenes, list):
        p.add(["storyboard", "scenes"], "must be an array of scene objects", "list_type")
        scenes = []
    elif "scenes" in raw and not 1 <= len(scenes) <= MAX_SCENES:
        p.add(["storyboard", "scenes"], f"must hold 1 to {MAX_SCENES} scenes; got {len(scenes)}",
              "range")
    for i, scene in enumerate(scenes):
        if not isinstance(scene, dict):
            p.add(["storyboard", "scenes", i], "must be an object", "dict_type")
        elif not isinstance(scene.get("image_description", scene.get("description", "")), str):
            p.add(["storyboard", "scenes", i, "image_description"], "must be a string",
                  "string_type")
    board["scenes"] = [dict(s) for s in scenes if isinstance(s, dict)]
    return board


def title(p: Problems, value: Any) -> str:
    return text(p, "title", value)


def text(p: Problems, name: str, value: Any) -> str:
    """A string no longer than the parameter's maximum; None is ""."""
    if value is None:
        return ""
    if not isinstance(value, str):
        p.add(name, "must be a string", "string_type")
        return ""
    limit = PARAMS[name].maximum
    if limit is not None and len(value) > limit:
        p.add(name, f"must be at most {limit} characters", "string_too_long")
    return value


def webhook(p: Problems, value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not is_http_url(value):
        p.add("webhook_url", "must be an http(s) URL", "url_scheme")
        return None
    return str(value)


def url_list(p: Problems, name: str, value: Any) -> list[str]:
    """http(s) (or this engine's /media/) URLs, at most the parameter's maximum count."""
    limit = PARAMS[name].maximum
    assert limit is not None
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    items = list(value)
    if len(items) > limit:
        p.add(name, f"at most {limit} items; got {len(items)}", "too_long")
    for i, url in enumerate(items):
        if not (is_http_url(url) or str(url).startswith("/media/")):
            p.add([name, i], f"must be an http(s) URL; got {url!r}", "url_scheme")
    return [str(u) for u in items]
