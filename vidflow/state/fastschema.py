"""A compiled checker for the small JSON Schema subset the lockfile schema uses.

jsonschema takes about 0.3 ms per lockfile entry: 3 s for 10,000 entries, on every read and
on every write the executor makes. The schema file stays the single source of truth: this
module compiles it into plain Python closures (about 50x faster), and refuses any keyword
it does not implement, so it can never silently check less than the schema says.
tests/state/test_fastschema.py checks that it agrees with jsonschema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any, str, list[str]], None]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment"})
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    # JSON Schema: 1.0 is an integer too (a number with no fractional part)
    "integer": lambda v: ((isinstance(v, int) and not isinstance(v, bool))
                          or (isinstance(v, float) and v.is_integer())),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def compile_schema(schema: Mapping[str, Any]) -> Callable[[Any], list[str]]:
    """A function returning every problem of a document as "field.path: message"."""
    defs = schema.get("$defs", {})
    compiled: dict[str, Check] = {}

    def resolve(ref: str) -> Check:
        prefix = "#/$defs/"
        name = ref[len(prefix):]
        if not ref.startswith(prefix) or name not in defs:
            raise UnsupportedSchema(f"$ref {ref!r}")
        if name not in compiled:
            compiled[name] = _noop  # a recursive $ref finds it while it compiles
            compiled[name] = _compile(defs[name], resolve)
        return lambda value, path, out: compiled[name](value, path, out)

    root = _compile(schema, resolve)

    def check(document: Any) -> list[str]:
        problems: list[str] = []
        root(document, "", problems)
        return problems

    return check


def _noop(value: Any, path: str, out: list[str]) -> None:
    return None


def _where(path: str) -> str:
    return path or "(document)"


def _compile(schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    checks: list[Check] = []
    for key, arg in schema.items():
        if key in _ANNOTATIONS:
            continue
        builder = _BUILDERS.get(key)
        if builder is None:
            raise UnsupportedSchema(f"keyword {key!r}")
        checks.append(builder(arg, schema, resolve))
    if len(checks) == 1:
        return checks[0]

    def run_all(value: Any, path: str, out: list[str]) -> None:
        for check in checks:
            check(value, path, out)

    return run_all


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int, float),
    "number": (int, float), "boolean": (bool,), "null": (type(None),),
}


def _type(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    names = [arg] if isinstance(arg, str) else list(arg)
    python_types = tuple(t for n in names for t in _PYTHON_TYPES[n])
    tests = [_TYPES[n] for n in names]
    label = " or ".join(names)
    exact = "integer" not in names and "number" not in names and "boolean" not in names

    def check(value: Any, path: str, out: list[str]) -> None:
        # isinstance alone settles most values; bools and floats need the precise test
        if isinstance(value, python_types) and (exact or any(t(value) for t in tests)):
            return
        out.append(f"{_where(path)}: {value!r} is not of type {label}")

    return check


def _enum(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    allowed = list(arg)

    def check(value: Any, path: str, out: list[str]) -> None:
        if not any(value == a and type(value) is type(a) for a in allowed):
            out.append(f"{_where(path)}: {value!r} is not one of {allowed!r}")

    return check


def _required(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    names = list(arg)

    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, dict):
            for name in names:
                if name not in value:
                    out.append(f"{_where(path)}: {name!r} is a required property")

    return check


def _properties(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    props = {name: _compile(sub, resolve) for name, sub in arg.items()}

    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, dict):
            for name, sub in props.items():
                if name in value:
                    sub(value[name], _join(path, name), out)

    return check


def _additional(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    known = frozenset(schema.get("properties", {}))
    if arg is True:
        return _noop
    sub = None if arg is False else _compile(arg, resolve)

    def check(value: Any, path: str, out: list[str]) -> None:
        if not isinstance(value, dict):
            return
        for name, item in value.items():
            if name in known:
                continue
            if sub is None:
                out.append(f"{_where(path)}: additional property {name!r} is not allowed")
            else:
                sub(item, _join(path, name), out)

    return check


def _items(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    sub = _compile(arg, resolve)

    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                sub(item, f"{path}[{i}]", out)

    return check


def _pattern(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    regex = re.compile(arg)

    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, str) and not regex.search(value):
            out.append(f"{_where(path)}: {value!r} does not match {arg!r}")

    return check


def _min_length(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    def check(value: Any, path: str, out: list[str]) -> None:
        if isinstance(value, str) and len(value) < arg:
            out.append(f"{_where(path)}: {value!r} is shorter than {arg} characters")

    return check


def _minimum(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    def check(value: Any, path: str, out: list[str]) -> None:
        if _TYPES["number"](value) and value < arg:
            out.append(f"{_where(path)}: {value!r} is less than the minimum of {arg}")

    return check


def _ref(arg: Any, schema: Mapping[str, Any], resolve: Callable[[str], Check]) -> Check:
    return resolve(arg)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_BUILDERS: dict[str, Callable[[Any, Mapping[str, Any], Callable[[str], Check]], Check]] = {
    "type": _type,
    "enum": _enum,
    "required": _required,
    "properties": _properties,
    "additionalProperties": _additional,
    "items": _items,
    "pattern": _pattern,
    "minLength": _min_length,
    "minimum": _minimum,
    "$ref": _ref,
}
