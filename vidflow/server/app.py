"""The Story API's routes (same paths, methods and parameters as the reference) over the
engine's service layer. Handlers only translate: form values in, `{"data": story}` out;
the engine does the work and raises the typed errors that `errors.py` maps to status codes.

Media (`GET /media/...`) needs no key, like the hosted service's public media URLs: the
paths carry random story ids, so a URL is a capability to be shared with care.
"""

from __future__ import annotations

import inspect
import mimetypes
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Request, Security
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import APIKeyHeader

from vidflow import __version__
from vidflow.contract.params import (
    EXTENSIONS,
    EXTENSIONS_KEY,
    IDEMPOTENCY_EXTENSION,
    IDEMPOTENCY_HEADER,
    OPERATIONS,
    PARAMS,
    Operation,
)
from vidflow.engine.service import StoryEngine
from vidflow.errors import NotFound, Unauthorized, ValidationFailed
from vidflow.server import errors
from vidflow.server import responses as s
from vidflow.server.auth import KeyRing
from vidflow.server.limits import MAX_BODY_BYTES, BodyLimit
from vidflow.server.params import LIST_FIELDS, StoryId, form_fields
from vidflow.server.uploads import MAX_UPLOAD_BYTES, remove, store_images

DESCRIPTION = """Generate video stories from ideas, URLs or images — the Story API served by
`vidflow serve` over vidflow's offline engine. Send `X-Api-Key` with every `/story` call;
`/media/...` URLs need no key."""


@dataclass(frozen=True)
class ServerSettings:
    uploads_dir: Path | None = None  # default: <engine data dir>/uploads
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_body_bytes: int = MAX_BODY_BYTES


api_key_header = APIKeyHeader(name="X-Api-Key", auto_error=False, scheme_name="APIKeyHeader",
                              description="Your API key")


def current_account(request: Request, key: str | None = Security(api_key_header)) -> str:
    """The account behind the key; 401 without naming or echoing the key."""
    keys: KeyRing = request.app.state.keys
    account = keys.account_for(key)
    if account is None:
        raise Unauthorized("Missing X-Api-Key header" if not key else "Invalid API key")
    return account


def current_engine(request: Request) -> StoryEngine:
    return request.app.state.engine


Account = Annotated[str, Depends(current_account)]
Engine = Annotated[StoryEngine, Depends(current_engine)]

async def strict_form(request: Request, account: Account) -> None:
    """Form values FastAPI would quietly reinterpret are refused with a 422, so the server
    accepts exactly what its OpenAPI contract allows (after auth: 401 comes first):
    a single-valued field sent twice (the last copy would win over an invalid first one),
    and an empty value the field's schema refuses (FastAPI reads "" as "not sent")."""
    if not request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        return
    form = await request.form()  # Starlette caches it for the route's own parsing
    problems = [(k, "field given more than once", "repeated_field")
                for k in sorted(set(form)) if k not in LIST_FIELDS and len(form.getlist(k)) > 1]
    refuses_empty = _refuses_empty(request.app, request.scope.get("route"), request.method)
    problems += [(k, "empty value; leave the field out instead", "empty_value")
                 for k in sorted(set(form)) if k in refuses_empty and form.get(k) == ""]
    if problems:
        raise ValidationFailed(
            "; ".join(f"{k}: {msg}" for k, msg, _ in problems),
            details=[{"loc": ["body", k], "msg": msg, "type": kind} for k, msg, kind in problems])


def _refuses_empty(app: FastAPI, route: Any, method: str) -> frozenset[str]:
    """The form fields of `route` whose schema in the app's OpenAPI does not accept ""."""
    cache: dict[tuple[str, str], frozenset[str]] = app.state.refuses_empty
    key = (getattr(route, "path", ""), method.lower())
    if key not in cache:
        cache[key] = _fields_refusing_empty(app.openapi(), *key)
    return cache[key]


def _fields_refusing_empty(doc: dict[str, Any], path: str, method: str) -> frozenset[str]:
    from jsonschema import Draft202012Validator

    operation = doc["paths"].get(path, {}).get(method, {})
    content = operation.get("requestBody", {}).get("content", {})
    refs = [c["schema"].get("$ref", "") for c in content.values()]
    body = doc["components"]["schemas"].get(refs[0].rsplit("/", 1)[-1], {}) if refs else {}
    required = set(body.get("required", ()))  # an empty required field is a missing one: 400
    return frozenset(
        name for name, schema in body.get("properties", {}).items() if name not in required
        and not Draft202012Validator({**schema, "components": doc["components"]}).is_valid(""))


def _story(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"data": data})


def _uploads(request: Request, account: str, files: list[Any]) -> list[Path]:
    if not files:
        return []
    settings: ServerSettings = request.app.state.settings
    folder = settings.uploads_dir or _engine_data_dir(request.app.state.engine) / "uploads"
    paths = store_images([f.file for f in files], folder / account,
                         max_bytes=settings.max_upload_bytes)
    request.state.uploads = paths  # removed by `drop_uploads` when the request ends
    return paths


def drop_uploads(request: Request) -> Iterator[None]:
    """Uploads live for one request: the engine copies what it keeps into the story's folder
    (so DELETE /story removes them with it), and a refused request leaves nothing behind."""
    try:
        yield
    finally:
        remove(getattr(request.state, "uploads", []))


def _engine_data_dir(engine: StoryEngine) -> Path:
    return Path(engine.config.data_dir)  # type: ignore[attr-defined]


# scope "function" (FastAPI >= 0.121): uploads are gone before the response is sent
_FORMS = [Depends(drop_uploads, scope="function"), Depends(strict_form)]
auto = APIRouter(tags=["Automatic mode"], dependencies=_FORMS)
advanced = APIRouter(tags=["Advanced mode"], dependencies=_FORMS)
records = APIRouter(tags=["Stories"], dependencies=_FORMS)
media = APIRouter(tags=["Media"])

_AUTO = s.story_responses("Story Object", s.BAD_REQUEST, s.NO_CREDIT, s.INVALID, s.TOO_MANY,
                          s.TOO_LARGE)
_STEP = s.story_responses("Story Object", s.BAD_REQUEST, s.NO_CREDIT, s.NOT_FOUND, s.INVALID,
                          s.TOO_MANY, s.TOO_LARGE)
_RECORD = s.story_responses("Story Object", s.BAD_REQUEST, s.NOT_FOUND, s.INVALID)


_DOCS = {
    "idea_to_video": "Creates a complete video from a text idea; poll GET /story/{story_id}.",
    "url_to_video": "Creates a complete video from an idea naming a website URL.",
    "images_to_video": "A video from your images (uploaded `image_files`, or `image_urls`) "
                       "and an idea.",
    "create_storyboard": "Creates (or, with story_id, rewrites) a storyboard; returns when "
                         "it is ready.",
    "generate_elements": "Generates images for the storyboard's characters, environments and "
                         "objects.",
    "generate_scenes": "Generates scene images, narrations and background music.",
    "create_videos": "Animates the scenes and composes the final video; poll "
                     "GET /story/{story_id}.",
    "concat": "Composes scene videos (or the given video URLs) into one video.",
    "get_story": "Status, progress and generated assets of one of your stories.",
    "update_story": "Updates title, description or visibility; nothing is regenerated.",
    "delete_story": "Deletes the story and its files; returns the deleted story object.",
}
_ROUTERS = ((auto, _AUTO, ("idea_to_video", "url_to_video", "images_to_video")),
            (advanced, _STEP, ("create_storyboard", "generate_elements", "generate_scenes",
                               "create_videos", "concat")),
            (records, _RECORD, ("get_story", "update_story", "delete_story")))
_KW = inspect.Parameter.KEYWORD_ONLY
IdempotencyKey = Annotated[str | None, Header(
    alias=IDEMPOTENCY_HEADER, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="A vidflow extension: the same key with the same request gets the first "
                "answer again and is not charged again; with another request, a 422.")]


def _engine_args(op: Operation, form: dict[str, Any], request: Request,
                 account: str) -> dict[str, Any]:
    """Form values as the engine's method takes them; deprecated ones by name only (the
    engine names them as ignored in the story's message)."""
    args: dict[str, Any] = {}
    sent = [n for n in op.params if PARAMS[n].deprecated and form[n] not in (None, "")]
    if sent:
        args["deprecated"] = sent
    for name in op.live_params:
        value, kind = form[name], PARAMS[name].kind
        if kind == "files":
            value = _uploads(request, account, value)
        elif value in ("", []) and op.default(name) is None:
            value = None  # an empty optional value is "not sent"
        args[name] = value
    return args


def _endpoint(op: Operation) -> Callable[..., JSONResponse]:
    """The route function of `op`: its signature (what FastAPI parses and documents) is the
    contract's parameter list; the body calls the engine method of the same name."""
    def endpoint(request: Request, account: str, engine: StoryEngine,
                 **form: Any) -> JSONResponse:
        story_id = form.pop("story_id") if "{story_id}" in op.route else None
        key = form.pop("idempotency_key", None)
        call = getattr(engine, op.name)
        args = _engine_args(op, form, request, account)
        if key is not None:
            args["idempotency_key"] = key
        return _story(call(story_id, account=account, **args) if story_id is not None
                      else call(account=account, **args))

    fixed = [inspect.Parameter("request", _KW, annotation=Request),
             inspect.Parameter("account", _KW, annotation=Account),
             inspect.Parameter("engine", _KW, annotation=Engine)]
    if "{story_id}" in op.route:
        fixed.append(inspect.Parameter("story_id", _KW, annotation=StoryId))
    if op.paid:
        fixed.append(inspect.Parameter("idempotency_key", _KW, annotation=IdempotencyKey,
                                       default=None))
    fields = [inspect.Parameter(name, _KW, annotation=annotation, default=default)
              for name, annotation, default in form_fields(op)]
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        fixed + fields, return_annotation=JSONResponse)
    endpoint.__name__ = endpoint.__qualname__ = op.name
    endpoint.__doc__ = _DOCS[op.name]
    return endpoint


for _router, _responses, _names in _ROUTERS:
    for _name in _names:
        _op = OPERATIONS[_name]
        _router.add_api_route(_op.route, _endpoint(_op), methods=[_op.method],
                              summary=_op.summary, responses=_responses, operation_id=_op.name)


@media.head("/media/{path:path}", include_in_schema=False)
@media.get("/media/{path:path}", summary="Media file",
                 operation_id="media", response_class=FileResponse,
                 responses={200: {"description": "The file (video/mp4, image/png, audio/wav)",
                                  "content": {"application/octet-stream": {}}},
                            **s.NOT_FOUND})
def get_media(path: str, engine: Engine) -> FileResponse:
    """A generated file; no key needed (the URL itself is the capability)."""
    parts = path.split("/")
    if "\x00" in path or any(p in ("", ".", "..") for p in parts):
        raise NotFound("No such media file")
    try:
        file = engine.media_path("/media/" + path)
        if not file.is_file():
            raise NotFound("No such media file")
    except (OSError, ValueError) as exc:
        raise NotFound("No such media file") from exc
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return FileResponse(file, media_type=kind)


def create_app(engine: StoryEngine | None, keys: KeyRing,
               settings: ServerSettings | None = None) -> FastAPI:
    """The ASGI app; `engine=None` only to produce the OpenAPI document."""
    settings = settings or ServerSettings()
    app = FastAPI(title="Story API (vidflow serve)", version=__version__,
                  description=DESCRIPTION, docs_url="/docs", redoc_url=None)
    app.state.engine = engine
    app.state.keys = keys
    app.state.settings = settings
    app.state.refuses_empty = {}  # (path, method) → fields whose schema refuses ""
    for router in (auto, advanced, records, media):
        app.include_router(router)
    from vidflow.gallery.live import router as gallery  # `/`: not in the OpenAPI

    app.include_router(gallery)
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    _announce_idempotency(app)
    return app


def _announce_idempotency(app: FastAPI) -> None:
    """Say in the OpenAPI document's `info` that paid POSTs honour Idempotency-Key, so a
    client can tell, before it pays, that an answer lost in flight can be asked again."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            info = generate()["info"]
            info[IDEMPOTENCY_EXTENSION] = IDEMPOTENCY_HEADER
            # the parameters this server adds to the reference's (e.g. captions)
            info[EXTENSIONS_KEY] = sorted(EXTENSIONS)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
