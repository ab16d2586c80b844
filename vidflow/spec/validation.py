"""JSON Schema checks with errors mapped back to `file:line:col: field.path: message`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from vidflow.errors import SpecError
from vidflow.spec.loader import Document, PathKey, coerce_scalar, format_path
from vidflow.spec.schema import PATTERN_MESSAGES, build_schema
from vidflow.state.fastschema import compile_predicate

if TYPE_CHECKING:  # jsonschema (0.12 s to import) loads only to word a problem
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(build_schema())


@cache
def _valid() -> Any:
    return compile_predicate(build_schema())


def schema_errors(doc: Document) -> list[tuple[PathKey, SpecError]]:
    """Every schema violation of one document, each at its own position, with the path
    of the value it is about (so the caller can skip resolving a broken story)."""
    if _valid()(doc.data):
        return []
    found: list[tuple[PathKey, SpecError]] = []
    for err in _validator().iter_errors(doc.data):
        path = tuple(err.absolute_path)
        found.extend((path, mapped) for mapped in _map_error(err, doc))
    return found


def _map_error(err: ValidationError, doc: Document) -> Iterable[SpecError]:
    path: PathKey = tuple(err.absolute_path)
    kind = err.validator
    if kind in ("anyOf", "oneOf") and err.context:
        # Branch 0 is the real schema; branch 1 only says "or a template".
        real = [e for e in err.context if e.relative_schema_path[0] == 0]
        for sub in real[:1] or err.context[:1]:
            yield from _map_error(sub, doc)
        return
    if kind == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        for key in sorted(set(err.instance) - set(allowed)):
            yield SpecError(_unknown_field(key, allowed), location=doc.key_where((*path, key)),
                            field=format_path((*path, key)))
        return
    if kind == "required":
        missing = str(err.message).split("'")[1]
        yield SpecError("required field is missing", location=doc.key_where(path),
                        field=format_path((*path, missing)))
        return
    if "propertyNames" in err.schema_path and isinstance(err.instance, str):
        # jsonschema reports a bad key as the key's own error, at the parent mapping.
        name = err.instance
        yield SpecError(f"the name {name!r} {_message(err)}",
                        location=doc.key_where((*path, name)), field=format_path((*path, name)))
        return
    yield SpecError(_message(err), location=doc.where(path), field=format_path(path))


def _message(err: ValidationError) -> str:
    kind = err.validator
    if kind == "enum":
        return (f"{show(err.instance)} is not one of: {_choices(err.validator_value)}"
                + sexagesimal_hint(err.instance, err.validator_value))
    if kind == "pattern":
        return PATTERN_MESSAGES.get(err.validator_value, err.message)
    if kind == "const" and list(err.absolute_path) == ["version"]:
        return f"unsupported version {err.instance!r}; this vidflow reads version 1"
    if kind == "type":
        wanted = err.validator_value
        names = [_TYPE_NAMES.get(t, t) for t in (wanted if isinstance(wanted, list) else [wanted])]
        return f"must be {' or '.join(names)}, not {show(err.instance)}"
    if kind == "minItems" and err.validator_value == 1:
        return "must not be empty"
    return err.message


def sexagesimal_hint(value: Any, choices: Iterable[Any]) -> str:
    """YAML 1.1 reads an unquoted `16:9` as the base-60 number 969: name the quoted form."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        return ""
    for choice in choices:
        first, sep, second = str(choice).partition(":")
        if sep and first.isdigit() and second.isdigit() \
                and int(first) * 60 + int(second) == int(value):
            return f" (YAML reads an unquoted {choice} as the number {value}: quote it: " \
                   f"'{choice}')"
    return ""


def _choices(values: list[Any]) -> str:
    """The allowed values, each once: scene_duration allows "5" and 5, shown as "5"."""
    texts = list(dict.fromkeys(str(v) for v in values))
    if len(texts) == len(values):
        return ", ".join(texts)
    return " or ".join(f'"{text}"' for text in texts)


_TYPE_NAMES = {"string": "a string", "integer": "an integer", "number": "a number",
               "boolean": "true or false", "object": "a mapping", "array": "a list"}


def show(value: Any) -> str:
    """A value as a YAML user would recognise it, kept short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown_field(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown field {key!r}{hint}"


# --- the per-variant check of templated values ------------------------------------------

_NON_STRING = {"integer", "boolean", "number"}


@cache
def leaf_schema(story_path: PathKey) -> dict[str, Any] | None:
    """The real (non-template) schema of a story field; list indices as 0."""
    root = build_schema()
    schema: dict[str, Any] | None = root["$defs"]["story"]
    for part in story_path:
        schema = _real(schema, root)
        if schema is None:
            return None
        if isinstance(part, int):
            schema = schema.get("items")
        else:
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            schema = props.get(part, extra if isinstance(extra, dict) else None)
    return _real(schema, root)


def _real(schema: dict[str, Any] | None, root: dict[str, Any]) -> dict[str, Any] | None:
    while schema is not None:
        if "$ref" in schema:
            schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema:
            schema = schema["anyOf"][0]
        else:
            return schema
    return None


@cache
def _leaf_validator(story_path: PathKey) -> Draft202012Validator | None:
    from jsonschema import Draft202012Validator

    schema = leaf_schema(story_path)
    return Draft202012Validator(schema) if schema is not None else None


@cache
def _quick_check(story_path: PathKey) -> Any:
    """A fast yes for the common valid value; jsonschema only runs to word a failure."""
    schema = leaf_schema(story_path) or {}
    keys = set(schema) - {"description", "default"}
    if "enum" in schema and keys == {"enum"}:
        allowed = {(type(v), v) for v in schema["enum"]}
        return lambda v: (type(v), v) in allowed
    if keys <= {"type", "minimum", "maximum"} and schema.get("type") == "integer":
        low, high = schema.get("minimum", -(2**63)), schema.get("maximum", 2**63)
        return lambda v: type(v) is int and low <= v <= high
    if keys == {"type"} and schema["type"] == "boolean":
        return lambda v: type(v) is bool
    if schema.get("type") == "string" and keys <= {"type", "minLength", "pattern"}:
        shortest = schema.get("minLength", 0)
        pattern = re.compile(schema.get("pattern", ""))
        return lambda v: type(v) is str and len(v) >= shortest and pattern.search(v) is not None
    return lambda v: False


@cache
def wants_non_string(story_path: PathKey) -> bool:
    schema = leaf_schema(story_path) or {}
    if schema.get("type") in _NON_STRING:
        return True
    return any(not isinstance(v, str) for v in schema.get("enum", ()))


def check_rendered(story_path: PathKey, text: str) -> tuple[Any, str | None]:
    """(value, problem) for a rendered template: coerced by YAML rules where the field
    is not a string, then checked against the field's schema."""
    non_string, quick = _field_checks(story_path)
    value: Any = coerce_scalar(text) if non_string else text
    if quick(value):
        return value, None
    return _worded(story_path, text)


@cache
def _field_checks(story_path: PathKey) -> tuple[bool, Any]:
    """(wants_non_string, _quick_check) of a field, looked up once per path: with 20,000
    different rendered texts, a cache keyed by the text as well only missed."""
    shape = tuple(0 if isinstance(p, int) else p for p in story_path)
    return wants_non_string(shape), _quick_check(shape)


@lru_cache(maxsize=65536)
def _worded(story_path: PathKey, text: str) -> tuple[Any, str | None]:
    """check_rendered past the quick yes: the field's schema through jsonschema (a value
    rendered alike in many variants is checked once)."""
    shape = tuple(0 if isinstance(p, int) else p for p in story_path)
    value: Any = coerce_scalar(text) if wants_non_string(shape) else text
    validator = _leaf_validator(shape)
    if validator is None:
        return value, None
    for err in validator.iter_errors(value):
        return value, f"rendered to {text!r}: {_message(err)}"
    return value, None
