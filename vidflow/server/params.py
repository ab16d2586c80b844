"""The reference's request parameters as FastAPI form fields, derived from `vidflow.contract`.

`form_fields(operation)` gives each parameter of an operation its FastAPI annotation and
default, so every enum, default and range reaches the OpenAPI contract, and FastAPI answers
a wrong value with a 422 whose `loc` names the field. The JSON-string fields
(`audio_option`, `elements`, `storyboard`) reach the engine as the text sent: its check is
the only one (the same for in-process callers and every route), and the OpenAPI documents
them as JSON strings whose contentSchema is the one the engine checks
(vidflow.contract.json_fields).
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal

from fastapi import File, Form, Path, UploadFile
from pydantic import Field, WithJsonSchema

from vidflow.contract.json_fields import JSON_SCHEMAS
from vidflow.contract.params import (
    EXTENSION_FIELD_KEY,
    PARAMS,
    STORY_ID_PATTERN,
    Operation,
    Param,
)


# --- the JSON-string fields ------------------------------------------------------------
def json_string(name: str) -> Any:
    """A JSON-string field: a string to FastAPI (the engine parses and checks it, the one
    check for every route), documented as JSON of the contract's shape; a vidflow
    extension is marked as one."""
    schema: dict[str, Any] = {"type": "string", "contentMediaType": "application/json",
                              "contentSchema": JSON_SCHEMAS[name]}
    if PARAMS[name].extension:
        schema[EXTENSION_FIELD_KEY] = True
    return Annotated[str, WithJsonSchema(schema)]


# --- form fields, derived from the contract --------------------------------------------
HTTP_URL = r"^https?://\S+$"
MEDIA_OR_HTTP_URL = r"^(https?://\S+|/media/\S+)$"
UUID = STORY_ID_PATTERN
StoryId = Annotated[str, Path(description="The story's id (a UUID)", pattern=UUID)]
UrlItem = Annotated[str, Field(pattern=MEDIA_OR_HTTP_URL)]
# the form fields that are arrays; any other field sent twice is ambiguous
LIST_FIELDS = frozenset(p.name for p in PARAMS.values() if p.kind in ("urls", "files"))

def form_fields(op: Operation) -> list[tuple[str, Any, Any]]:
    """(name, annotation, default) for each form parameter of `op`, in the contract's order;
    a required one's default is `inspect.Parameter.empty`."""
    fields = []
    for name in op.params:
        required = name in op.required
        default = inspect.Parameter.empty if required else op.default(name)
        if default == ():
            default = []
        fields.append((name, _annotation(op, PARAMS[name], required, default), default))
    return fields


def _annotation(op: Operation, param: Param, required: bool, default: Any) -> Any:
    doc = param.doc
    if param.name == "idea" and op.idea_names_url:
        doc += " Must include the website's URL."
    if param.deprecated:
        return Annotated[str | None, Form(deprecated=True, description=doc)]
    if param.kind == "files":
        return Annotated[list[UploadFile], File(description=doc)]
    if param.kind == "urls":
        kind = list[UrlItem] if default is not None else list[UrlItem] | None
        return Annotated[kind, Form(max_length=param.maximum, description=doc)]
    if param.kind == "json":
        return Annotated[json_string(param.name) | None, Form(description=doc)]
    form = Form(description=doc, **_constraints(op, param, required))
    return Annotated[_python_type(param, optional=default is None), form]


def _python_type(param: Param, *, optional: bool) -> Any:
    kind: Any = {"integer": int, "boolean": bool}.get(param.kind, str)
    if param.kind == "choice":
        kind = Literal[param.choices]  # type: ignore[valid-type]
    return kind | None if optional else kind


def _constraints(op: Operation, param: Param, required: bool) -> dict[str, Any]:
    if param.kind == "integer":
        return {"ge": param.minimum, "le": param.maximum}
    if param.kind == "url":
        return {"pattern": HTTP_URL}
    if param.kind == "story_id":
        return {"pattern": UUID}
    if param.kind != "text":
        return {}
    limits: dict[str, Any] = {"max_length": param.maximum} if param.maximum else {}
    if required:  # a blank idea is a missing one: errors.py answers 400, as the engine does
        limits.update(min_length=1, pattern=r"https?://" if op.idea_names_url else r"\S")
    return limits
