"""Reading JSON that vidflow wrote but anyone could have edited: vidflow.lock and plan.json.

Both are input: a pull request can change them. Python's own reader has three ways to fail
badly on a hostile file: it reads a file of any size whole, it raises RecursionError (not
ValueError) on `[[[[...` a hundred thousand deep, and a document nested a few hundred deep
parses but breaks whatever recurses over it later (the plan's field diff, json.dumps on
write). Every problem here is a `JsonProblem`, a ValueError, which the callers already
turn into their "the lockfile is not valid JSON" / "not a vidflow plan file" errors.
Integers longer than Python's int-str limit (4,300 digits) are refused by json itself with
a ValueError; no vidflow number comes near it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vidflow.spec.budgets import MAX_JSON_BYTES, MAX_JSON_DEPTH


class JsonProblem(ValueError):
    """The file is too large, too deep, or not JSON; the message says which."""


def read_text(path: Path, limit: int = MAX_JSON_BYTES) -> str:
    """The file's text, refusing one over `limit` bytes before reading it."""
    with path.open("rb") as handle:
        size = _size(handle)
        if size > limit:
            raise JsonProblem(f"the file is {size:,} bytes; vidflow reads at most {limit:,}")
        raw = handle.read(limit + 1)
    if len(raw) > limit:  # it grew while we read (or fstat lied: a pipe)
        raise JsonProblem(f"the file is over {limit:,} bytes; vidflow reads at most {limit:,}")
    return raw.decode("utf-8")


def _size(handle: Any) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except OSError:
        return 0


def loads(text: str, *, check_depth: bool = True) -> Any:
    """json.loads, with RecursionError and (unless the caller checks the free-form parts
    itself, see `check_depth`) nesting beyond MAX_JSON_DEPTH as JsonProblem."""
    try:
        doc = json.loads(text)
    except RecursionError as exc:
        raise JsonProblem(f"nested deeper than {MAX_JSON_DEPTH} levels") from exc
    if check_depth:
        check_nesting([doc])
    return doc


def check_nesting(values: Iterable[Any], limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse any of `values` nesting deeper than `limit`. Level by level, not recursively:
    a 10,000-entry lockfile's params take ~40 ms this way."""
    level = [v for v in values if type(v) in _CONTAINERS]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            raise JsonProblem(f"nested deeper than {limit} levels")
        deeper: list[Any] = []
        for value in level:
            deeper += [c for c in (value.values() if type(value) is dict else value)
                       if type(c) in _CONTAINERS]
        level = deeper


_CONTAINERS = (dict, list)
