"""Parameter checks of the Story API reference: enums, ranges, defaults, JSON-field shapes.

Pure functions: values in, normalized values out, or a ValidationFailed (422) carrying one
`{"loc": ["body", field, ...], "msg", "type"}` per problem. Missing required parameters and
malformed story ids are BadRequest (400), as the reference says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from vidflow.contract.captions import effective_captions
from vidflow.contract.enums import SCENE_DURATIONS
from vidflow.contract.json_fields import JSON_SCHEMAS
from vidflow.contract.params import PARAMS, STORY_ID_PATTERN
from vidflow.contract.storyboard import ELEMENT_KINDS, STORYBOARD_KEYS, effective_audio
from vidflow.errors import BadRequest, ValidationFailed
from vidflow.state.fastschema import compile_predicate

if TYPE_CHECKING:
    import jsonschema

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


_NOT_SENT = object()


@cache
def _valid(name: str) -> Callable[[Any], bool]:
    """The field's generated yes/no check: a yes needs no jsonschema (0.09 s to import)."""
    return compile_predicate(JSON_SCHEMAS[name])


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    """jsonschema for the field, only to word what the yes/no check refused."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(JSON_SCHEMAS[name])

_TYPE_ERRORS = {"object": ("a JSON object", "dict_type"), "array": ("an array", "list_type"),
                "string": ("a string", "string_type"),
                "boolean": ("a boolean (true or false)", "bool_type")}


def _parse(p: Problems, name: str, value: Any) -> Any:
    """JSON-string fields arrive as strings (forms) or as parsed values (Python callers)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _NOT_SENT
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        p.add(name, f"is not valid JSON: {exc.msg} at character {exc.pos}", "json_invalid")
        return _NOT_SENT


def json_field(p: Problems, name: str, value: Any) -> Any:
    """The one check of a JSON-string field, on every route: parsed, then held to its
    schema (vidflow.contract.json_fields, which the OpenAPI documents as contentSchema).
    None when it was not sent or is refused (each problem added to `p`)."""
    raw = _parse(p, name, value)
    if raw is _NOT_SENT:
        return None
    if _valid(name)(raw):
        return raw
    errors = list(_validator(name).iter_errors(raw))
    seen: set[str] = set()
    for error in errors:
        for loc, msg, kind in _describe(error):
            key = json.dumps([loc, kind], default=str)
            if key not in seen:  # "required" is one error per missing key, each naming all
                seen.add(key)
                p.add([name, *loc], msg, kind)
    return None if errors else raw


def _describe(e: jsonschema.ValidationError) -> list[tuple[list[Any], str, str]]:
    """A schema error as (location inside the field, message, type) items."""
    path, kw, instance = list(e.absolute_path), e.validator, e.instance
    if kw == "anyOf":  # (captions: true or a mapping) the branch of the value's own type
        inner = [c for c in e.context or () if c.validator != "type"]
        if inner:
            return [d for c in inner for d in _describe(c)]
        return [(path, "must be true, false or a mapping", "type_error")]
    if kw == "required":
        return [([*path, k], "is required", "missing") for k in e.validator_value
                if isinstance(instance, dict) and k not in instance]
    if kw == "additionalProperties":
        allowed = list(e.schema.get("properties", {}))
        return [([*path, k], "unknown field; allowed: " + ", ".join(allowed), "extra_forbidden")
                for k in instance if k not in allowed]
    if kw == "type":
        kinds = [e.validator_value] if isinstance(e.validator_value, str) else e.validator_value
        what, kind = _TYPE_ERRORS[next(k for k in kinds if k != "null")]
        return [(path, f"must be {what}", kind)]
    if kw == "enum":
        return [(path, f"must be one of {', '.join(map(str, e.validator_value))}; got "
                       f"{instance!r}", "enum")]
    if kw == "pattern":
        return [(path, str(e.schema.get("description", f"must match {e.validator_value}")),
                 "string_pattern_mismatch")]
    if kw in ("minItems", "maxItems"):
        return [(path, f"must hold {'at least' if kw == 'minItems' else 'at most'} "
                       f"{e.validator_value} items; got {len(instance)}",
                 "too_short" if kw == "minItems" else "too_long")]
    return [(path, e.message, str(kw))]


def audio_option(p: Problems, value: Any) -> dict[str, Any]:
    """Defaults filled; native_audio forces has_narration off, as the reference says."""
    return effective_audio(json_field(p, "audio_option", value) or {})


def captions(p: Problems, value: Any) -> dict[str, str] | None:
    """The vidflow extension `captions` (true, or style/position/size) with defaults
    filled; None for none."""
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "off"):
        return None
    return effective_captions(json_field(p, "captions", value))


def elements(p: Problems, value: Any) -> dict[str, list[dict[str, Any]]] | None:
    raw = json_field(p, "elements", value)
    if raw is None:
        return None
    return {kind: [dict(e) for e in raw[kind]] for kind in ELEMENT_KINDS if kind in raw}


def storyboard(p: Problems, value: Any) -> dict[str, Any] | None:
    """An updated storyboard: the four arrays (scenes need their texts as strings)."""
    raw = json_field(p, "storyboard", value)
    if raw is None:
        return None
    return {**raw, **{key: [dict(item) for item in raw[key]] for key in STORYBOARD_KEYS}}


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
