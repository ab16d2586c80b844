"""Every failure becomes `{"detail": ...}` with the reference's status code; never a trace.

    StoryApiError subclass      its `status` (400, 402, 404, 422, 429 + Retry-After)
    form field missing/blank    400, as the engine says for a missing `idea`
    malformed story id (path)   400 "Invalid story ID format", as the reference says
    form field invalid          422, `detail` = [{"loc": ["body", field, ...], "msg", "type"}]
    other VidflowError          500 with its one-line message
    anything else               500 "Internal Server Error" (the trace goes to the log only)
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from vidflow.errors import StoryApiError, TooManyRequests, ValidationFailed, VidflowError

log = logging.getLogger("vidflow.server")
DEFAULT_RETRY_AFTER = 1


def _json(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def clean_items(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only loc/msg/type: the submitted value is not echoed back (it may be a large file)."""
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")),
             "type": str(e.get("type", "value_error"))} for e in errors]


_BLANK_TYPES = ("missing", "string_too_short", "string_pattern_mismatch")


def missing_fields(errors: list[dict[str, Any]]) -> list[str]:
    """Top-level form fields missing or blank (a nested missing key is a 422, not a 400)."""
    names = []
    for e in errors:
        loc = list(e.get("loc", ()))
        if len(loc) != 2 or loc[0] != "body" or e.get("type") not in _BLANK_TYPES:
            continue
        value = e.get("input")
        if e["type"] == "missing" or (isinstance(value, str) and not value.strip()):
            names.append(str(loc[1]))
    return names


def bad_path(errors: list[dict[str, Any]]) -> bool:
    return any(list(e.get("loc", ()))[:1] == ["path"] for e in errors)


def api_error_response(exc: StoryApiError) -> JSONResponse:
    status = exc.status if 400 <= exc.status <= 599 else 500
    if isinstance(exc, ValidationFailed) and exc.details:
        return _json(422, clean_items(list(exc.details)))
    headers = None
    if isinstance(exc, TooManyRequests):
        wait = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
        headers = {"Retry-After": str(max(1, math.ceil(wait)))}
    if status >= 500:
        log.error("engine error %s: %s", type(exc).__name__, exc.message)
    return _json(status, exc.message, headers)


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoryApiError)
    return api_error_response(exc)


async def _on_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    items = clean_items(errors)
    if bad_path(errors):
        return _json(400, "Invalid story ID format (expected a UUID)")
    missing = missing_fields(errors)
    if missing:
        names = ", ".join(missing)
        return _json(400, f"Missing required parameter{'s' if len(missing) > 1 else ''}: "
                          f"{names}")
    return _json(422, items)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return _json(exc.status_code, exc.detail, dict(exc.headers or {}) or None)


async def _on_vidflow(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return _json(500, str(exc))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("%s %s failed unexpectedly", request.method, request.url.path,
                  exc_info=exc)
    return _json(500, "Internal Server Error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(StoryApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_invalid)
    app.add_exception_handler(HTTPException, _on_http)
    app.add_exception_handler(VidflowError, _on_vidflow)
    app.add_exception_handler(Exception, _on_unexpected)
