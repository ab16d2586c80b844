"""YAML → plain data plus the line/column of every node.

PyYAML's composer gives nodes with marks; we build the Python values ourselves so that
duplicate keys are refused (PyYAML keeps the last one silently), keys stay the text the user
wrote (`on:` stays "on", not True) and dates stay strings (JSON has no dates).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from vidflow.errors import Location, SpecError, SpecErrors
from vidflow.spec.budgets import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_EXPANDED_CHARS,
    MAX_NODES,
    MAX_NUMBER_DIGITS,
    MAX_SPEC_BYTES,
)

PathKey = tuple[str | int, ...]
SPEC_SUFFIXES = (".yaml", ".yml")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = SafeConstructor()
_resolver = yaml.resolver.Resolver()


@dataclass
class Document:
    """One YAML file: its data and where each value (and each mapping key) sits."""

    file: str  # as shown in messages: relative to the project root, posix
    data: Any
    values: dict[PathKey, Location] = field(default_factory=dict)
    keys: dict[PathKey, Location] = field(default_factory=dict)

    def where(self, path: PathKey) -> Location:
        """The closest known location for `path` (walking up to the root if needed)."""
        for end in range(len(path), -1, -1):
            loc = self.values.get(path[:end])
            if loc is not None:
                return loc
        return Location(self.file, 1, 1)

    def key_where(self, path: PathKey) -> Location:
        """Where the key naming `path` is written (falls back to the value)."""
        return self.keys.get(path) or self.where(path)


def format_path(path: PathKey) -> str:
    """("stories", "promo", "elements", "objects", 0) → "stories.promo.elements.objects[0]"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def spec_files(path: Path) -> tuple[Path, list[Path]]:
    """(project root, spec files) for a file or a folder of *.yaml / *.yml files."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file())
        if not files:
            raise SpecError(f"no *.yaml or *.yml files in {path}; create videos.yaml "
                            "(see examples/quickstart)", field="", location=None)
        return path, files
    if not path.exists():
        raise SpecError(f"{path}: no such file or folder")
    if path.suffix.lower() not in SPEC_SUFFIXES:
        raise SpecError(f"{path} is not a YAML spec (expected .yaml/.yml or a folder)")
    return path.parent, [path]


def load_file(path: Path, display: str) -> Document:
    """Read and parse one YAML file; every problem is a SpecError with its position."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        raw = b"" if size > MAX_SPEC_BYTES else handle.read(MAX_SPEC_BYTES + 1)
    if size > MAX_SPEC_BYTES or len(raw) > MAX_SPEC_BYTES:
        raise SpecError(f"the file is {max(size, len(raw)):,} bytes; a spec file may be at most "
                        f"{MAX_SPEC_BYTES:,} bytes: split it into several files in the folder",
                        location=Location(display, 1, 1))
    return load_text(_decode(raw, display), display)


def load_text(text: str, display: str) -> Document:
    if not text.strip() or _only_comments(text):
        raise SpecError("the file is empty; a spec starts with `version: 1`",
                        location=Location(display, 1, 1))
    try:
        _check_budget(text, display)  # before composing: compose holds every node at once
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, display) from exc
    except yaml.YAMLError as exc:  # unmarked: rare
        raise SpecError(f"invalid YAML: {exc}", location=Location(display, 1, 1)) from exc
    if root is None:
        raise SpecError("the file is empty; a spec starts with `version: 1`",
                        location=Location(display, 1, 1))
    doc = Document(display, None)
    errors: list[SpecError] = []
    doc.data = _build(root, (), doc, errors)
    if errors:
        raise SpecErrors(errors)
    return doc


@dataclass
class _Open:
    """A mapping or list the scan is inside: what its next child is called."""

    path: PathKey
    anchor: str | None
    start: int  # nodes counted before it
    chars: int  # text counted before it
    mapping: bool
    index: int = 0  # next list index, or (mapping) 0 before a key, 1 before a value
    key: str | int = ""


def _check_budget(text: str, display: str) -> None:
    """Refuse a file whose values would cost too much, from its parse events alone (a few
    MB of memory whatever the file): more than MAX_NODES values once every alias is
    expanded ("billion laughs": nine aliases of nine aliases of ... is 9**n values), more
    than MAX_EXPANDED_CHARS of text likewise (an alias of a long string), more
    than MAX_ALIASES alias uses, an alias inside its own anchor, or nesting beyond
    MAX_DEPTH."""
    sizes: dict[str, tuple[int, int]] = {}  # anchor → the values and text it stands for
    stack: list[_Open] = []
    nodes = aliases = chars = 0
    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind in _ENDS:
            done = stack.pop()
            if done.anchor:
                sizes[done.anchor] = (nodes - done.start, chars - done.chars)
            continue
        if kind not in _NODES:
            continue
        path = _event_path(stack, event)
        where = _loc(display, event.start_mark)
        if kind is yaml.AliasEvent:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise SpecError(f"more than {MAX_ALIASES:,} alias uses (*name) in one file; "
                                "write the values out or use `defaults:`", location=where,
                                field=format_path(path))
            if event.anchor not in sizes:  # undefined is the composer's to report
                if any(o.anchor == event.anchor for o in stack):
                    raise SpecError(f"the alias *{event.anchor} is inside its own anchor, "
                                    "an endless value", location=where, field=format_path(path))
                continue
            nodes += sizes[event.anchor][0]
            chars += sizes[event.anchor][1]
        else:
            nodes += 1
            if kind is yaml.ScalarEvent:
                chars += len(event.value)
                if event.anchor:
                    sizes[event.anchor] = (1, len(event.value))
            else:
                stack.append(_Open(path, event.anchor, nodes - 1, chars,
                                   kind is yaml.MappingStartEvent))
                if len(stack) > MAX_DEPTH:
                    raise SpecError(f"nested more than {MAX_DEPTH} levels deep; flatten it",
                                    location=where, field=format_path(path[:4]) + "...")
        if nodes > MAX_NODES:
            raise SpecError(f"the file holds more than {MAX_NODES:,} values (counting each "
                            "alias as the values it repeats); split it or use fewer aliases",
                            location=where, field=format_path(path))
        if chars > MAX_EXPANDED_CHARS:
            raise SpecError(f"the file's text is over {MAX_EXPANDED_CHARS:,} characters once "
                            "its aliases are expanded; repeat long text less",
                            location=where, field=format_path(path))


_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_NODES = (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def _event_path(stack: list[_Open], event: yaml.Event) -> PathKey:
    """The path of the value an event starts (a mapping key: its mapping's path)."""
    if not stack:
        return ()
    parent = stack[-1]
    if not parent.mapping:
        parent.index += 1
        return (*parent.path, parent.index - 1)
    if parent.index == 0:  # a key
        parent.index = 1
        parent.key = getattr(event, "value", None) or "?"
        return parent.path
    parent.index = 0
    return (*parent.path, parent.key)


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _decode(raw: bytes, display: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError(
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            location=Location(display, line, col),
        ) from exc


def _loc(display: str, mark: yaml.Mark) -> Location:
    return Location(display, mark.line + 1, mark.column + 1)


_INDENT_PROBLEMS = ("expected <block end>", "mapping values are not allowed",
                    "could not find expected ':'", "did not find expected key",
                    "did not find expected '-' indicator")


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, display: str) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    tab = _first_indent_tab(text, (mark.line + 1) if mark else None)
    if tab is not None:
        return SpecError("tab character in indentation; YAML indents with spaces only",
                         location=Location(display, *tab))
    problem = (exc.problem or "invalid YAML").strip()
    message = f"invalid YAML: {problem}"
    if exc.context:
        message += f" ({exc.context.strip()}"
        if exc.context_mark and exc.context_mark is not mark:
            message += f" at line {exc.context_mark.line + 1}"
        message += ")"
    if any(p in problem or p in (exc.context or "") for p in _INDENT_PROBLEMS):
        message += "; check the indentation: keys of one mapping must line up"
    loc = _loc(display, mark) if mark else Location(display, 1, 1)
    return SpecError(message, location=loc)


def _first_indent_tab(text: str, upto_line: int | None) -> tuple[int, int] | None:
    """(line, col) of the first tab in a line's leading whitespace, up to `upto_line`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if upto_line is not None and number > upto_line:
            break
        lead = re.match(r"[ \t]*", line).group(0)  # type: ignore[union-attr]
        if "\t" in lead and line.strip():
            return number, lead.index("\t") + 1
    return None


def _build(node: yaml.Node, path: PathKey, doc: Document, errors: list[SpecError]) -> Any:
    doc.values[path] = _loc(doc.file, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, doc, errors)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc, errors) for i, item in enumerate(node.value)]
    if _too_many_digits(node):
        errors.append(SpecError(f"a number of {len(node.value):,} characters; numbers in a spec "
                                f"have at most {MAX_NUMBER_DIGITS} digits (quote it if it is "
                                "text)", location=doc.values[path], field=format_path(path)))
        return None
    return scalar_value(node)


def _too_many_digits(node: yaml.ScalarNode) -> bool:
    # Python refuses to read an int of over 4,300 digits (a ValueError from deep inside).
    return node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_NUMBER_DIGITS


def _build_mapping(node: yaml.MappingNode, path: PathKey, doc: Document,
                   errors: list[SpecError]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key_loc = _loc(doc.file, key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            errors.append(SpecError("a mapping key must be a plain value, not a list or mapping",
                                    location=key_loc, field=format_path(path)))
            continue
        key = key_node.value
        if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
            errors.append(SpecError("YAML merge keys (<<) are not supported; use `defaults:`",
                                    location=key_loc, field=format_path(path)))
            continue
        child = (*path, key)
        if key in out:
            first = doc.keys[child]
            errors.append(SpecError(
                f"duplicate key {key!r} (first defined at line {first.line}); remove one",
                location=key_loc, field=format_path(child)))
            continue
        doc.keys[child] = key_loc
        out[key] = _build(value_node, child, doc, errors)
    return out


def scalar_value(node: yaml.ScalarNode) -> Any:
    """A scalar by YAML 1.1 safe rules, except timestamps and binary stay text."""
    tag = node.tag
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _constructor.construct_yaml_bool(node)
    if tag == "tag:yaml.org,2002:int":
        return _constructor.construct_yaml_int(node)
    if tag == "tag:yaml.org,2002:float":
        return _constructor.construct_yaml_float(node)
    return node.value


def coerce_scalar(text: str) -> Any:
    """A rendered template string read back by YAML's plain-scalar rules ("5" → 5)."""
    node = yaml.ScalarNode(_resolver.resolve(yaml.ScalarNode, text, (True, False)), text)
    if _too_many_digits(node):
        return text  # left as text: the schema then says the field wants a number
    return scalar_value(node)


def iter_paths(value: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    """Every leaf (path, value) of a plain data tree."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from iter_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from iter_paths(v, (*path, i))
    else:
        yield path, value
