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

from vidflow.contract.params import OPERATIONS, PARAMS

JSON_FIELDS = frozenset(p.name for p in PARAMS.values() if p.json_string)
# what each operation's form carries: its live parameters (files travel as multipart parts)
PARAMETERS: dict[str, frozenset[str]] = {
    op.name: frozenset(n for n in op.live_params if PARAMS[n].kind != "files")
    for op in OPERATIONS.values() if op.live_params}


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
