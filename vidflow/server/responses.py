"""Response shapes for the OpenAPI contract: `{"data": story}` and `{"detail": ...}` errors.

The story object is open (`extra="allow"`): the engine may add fields, and clients read
what they know. Handlers return the engine's dict as is; these models document it, and the
schemathesis test checks real responses against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vidflow.contract.params import EXTENSION_FIELD_KEY

_SIDECAR = ("A vidflow extension: the finished video's captions as {}, when the story "
            "was created with `captions`.")


class StoryObject(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    status: Literal["new", "processing", "success", "fail"]
    progress_percentage: int = Field(ge=0, le=100)
    message: str | None = None
    title: str | None = ""
    description: str | None = ""
    visibility_status: str | None = "0"
    used_credits: int = 0
    created_at: str | None = None
    updated_at: str | None = None
    video_url: str | None = Field(None, description="Absolute URL of the final video.")
    storyboard: dict[str, Any] | None = None
    scenes: list[dict[str, Any]] = []
    scene_count: int | None = None
    aspect_ratio: str | None = None
    # vidflow extensions (contract.captions.CAPTION_URL_FIELDS): only on a captioned story
    captions_srt_url: str | None = Field(None, description=_SIDECAR.format("SRT"),
                                         json_schema_extra={EXTENSION_FIELD_KEY: True})
    captions_vtt_url: str | None = Field(None, description=_SIDECAR.format("WebVTT"),
                                         json_schema_extra={EXTENSION_FIELD_KEY: True})


class StoryResponse(BaseModel):
    data: StoryObject


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    detail: str | list[ErrorItem]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


BAD_REQUEST = {400: _error("Bad Request: invalid story id, missing required parameter")}
UNAUTHORIZED = {401: _error("Missing or unknown X-Api-Key")}
NO_CREDIT = {402: _error("Insufficient Credit")}
NOT_FOUND = {404: _error("Not Found (or another account's story)")}
INVALID = {422: _error("Validation Error: `loc` names the field")}
TOO_MANY = {429: {**_error("Too Many Requests: concurrency limit; see Retry-After"),
                  "headers": {"Retry-After": {"description": "Seconds to wait",
                                              "schema": {"type": "integer"}}}}}
TOO_LARGE = {413: _error("Request body larger than the server accepts")}
SERVER = {500: _error("Internal Server Error (no details leak)")}


def story_responses(description: str, *codes: dict[int, Any]) -> dict[int | str, Any]:
    """The 200 story object plus the listed error responses (401 and 500 always)."""
    out: dict[int | str, Any] = {200: {"model": StoryResponse, "description": description}}
    for group in (*codes, UNAUTHORIZED, SERVER):
        out.update(group)
    return dict(sorted(out.items(), key=lambda item: int(item[0])))
