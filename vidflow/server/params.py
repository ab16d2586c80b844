"""The reference's request parameters as FastAPI form fields, derived from `vidflow.contract`.

`form_fields(operation)` gives each parameter of an operation its FastAPI annotation and
default, so every enum, default and range reaches the OpenAPI contract, and FastAPI answers
a wrong value with a 422 whose `loc` names the field. The JSON-string fields
(`audio_option`, `elements`, `storyboard`) are `Json[...]` models: the form carries a
string, the OpenAPI says it is JSON of that shape, and a malformed one is a 422 naming the
field (`body.audio_option.narrator`, say).

The engine validates again (it also serves in-process callers) from the same contract, so
both layers accept and refuse the same things.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal

from fastapi import File, Form, Path, UploadFile
from pydantic import BaseModel, ConfigDict, Field, Json

from vidflow.contract.enums import NARRATORS
from vidflow.contract.params import MAX_SCENES, PARAMS, STORY_ID_PATTERN, Operation, Param
from vidflow.contract.storyboard import AUDIO_DEFAULTS


# --- the JSON-string fields ------------------------------------------------------------
class AudioOption(BaseModel):
    """audio_option: native_audio turns narration off; narrator only matters with narration."""

    model_config = ConfigDict(extra="forbid")
    has_bg_music: bool = AUDIO_DEFAULTS["has_bg_music"]
    has_narration: bool = AUDIO_DEFAULTS["has_narration"]
    native_audio: bool = AUDIO_DEFAULTS["native_audio"]
    narrator: Literal[NARRATORS] = AUDIO_DEFAULTS["narrator"]  # type: ignore[valid-type]


class Element(BaseModel):
    """A character, environment or object; `image_url`/`URL` place a user's own image."""

    model_config = ConfigDict(extra="allow")
    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    image_url: Annotated[str, Field(pattern=r"^(|https?://\S+|/media/\S+)$")] | None = None
    URL: Annotated[str, Field(pattern=r"^(|https?://\S+|/media/\S+)$")] | None = None


class Elements(BaseModel):
    model_config = ConfigDict(extra="forbid")
    characters: list[Element] = []
    environments: list[Element] = []
    objects: list[Element] = []


class Scene(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = ""
    image_description: str = ""
    narrator: str = ""


class Storyboard(BaseModel):
    """An updated storyboard must carry the four arrays, as the reference says."""

    model_config = ConfigDict(extra="allow")
    characters: list[Element]
    environments: list[Element]
    objects: list[Element]
    scenes: Annotated[list[Scene], Field(min_length=1, max_length=MAX_SCENES)]


def as_dict(model: BaseModel | None) -> dict[str, Any] | None:
    """What the user sent, as a plain dict (defaults left for the engine to fill)."""
    return None if model is None else model.model_dump(exclude_unset=True)


# --- form fields, derived from the contract --------------------------------------------
HTTP_URL = r"^https?://\S+$"
MEDIA_OR_HTTP_URL = r"^(https?://\S+|/media/\S+)$"
UUID = STORY_ID_PATTERN
StoryId = Annotated[str, Path(description="The story's id (a UUID)", pattern=UUID)]
UrlItem = Annotated[str, Field(pattern=MEDIA_OR_HTTP_URL)]
JSON_MODELS: dict[str, type[BaseModel]] = {
    "audio_option": AudioOption, "elements": Elements, "storyboard": Storyboard}
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
        return Annotated[Json[JSON_MODELS[param.name]] | None, Form(description=doc)]  # type: ignore[misc]
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
