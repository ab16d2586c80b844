"""One place of a JSON-like document changed: how the fast schema checks are held to
jsonschema on documents that are almost valid (most such changes still are)."""

from __future__ import annotations

import copy
from typing import Any


def places(value: Any, path: tuple = ()) -> list[tuple]:
    """The path of every value inside `value` (the document itself first, as ())."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += places(item, (*path, index))
    return found


def mutated(doc: Any, *, pick: int, junk: Any, how: str, key: str) -> Any | None:
    """A deep copy of `doc` whose `pick`-th place (modulo their count) is set to `junk`
    (how="set"), deleted ("delete"), or, in a mapping, given `key` → junk ("add"); None
    when the place picked is the document itself."""
    doc = copy.deepcopy(doc)
    found = places(doc)
    path = found[pick % len(found)]
    if not path:
        return None
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if how == "set":
        parent[path[-1]] = junk
    elif how == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[key] = junk
    return doc
