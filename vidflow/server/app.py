"""The Story API's routes (same paths, methods and parameters as the reference) over the
engine's service layer. Handlers only translate: form values in, `{"data": story}` out;
the engine does the work and raises the typed errors that `errors.py` maps to status codes.

Media (`GET /media/...`) needs no key, like the hosted service's public media URLs: the
paths carry random story ids, so a URL is a capability to be shared with care.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request, Security
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import APIKeyHeader

from vidflow import __version__
from vidflow.engine.service import DEFAULT_IMAGES_IDEA, StoryEngine
from vidflow.errors import NotFound, Unauthorized, ValidationFailed
from vidflow.server import errors
from vidflow.server import schemas as s
from vidflow.server.auth import KeyRing
from vidflow.server.limits import MAX_BODY_BYTES, BodyLimit
from vidflow.server.params import (
    IDEA_DOC,
    Aspect,
    Audio,
    Deprecated,
    Description,
    Duration,
    EditStoryId,
    ElementsField,
    Enhance,
    Idea,
    ImageFiles,
    ImageOption,
    ImageTool,
    ImageUrls,
    Lang,
    MotionType,
    OptAspect,
    OptTitle,
    SceneCount,
    StoryboardField,
    StoryId,
    Title,
    Transition,
    UrlIdea,
    UrlItem,
    VideoTool,
    Visibility,
    Webhook,
    as_dict,
)
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

# the form fields the reference takes as arrays; any other field sent twice is ambiguous
LIST_FIELDS = frozenset({"image_urls", "image_files", "concat_video_urls", "audio_urls"})


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


@auto.post("/story/idea-2-video", summary="[AUTO] Idea-to-Video", responses=_AUTO,
           operation_id="idea_to_video")
def idea_to_video(account: Account, engine: Engine, idea: Idea, scene_count: SceneCount = 3,
                  image_tool: Annotated[ImageTool, Form()] = "Seedream",
                  video_tool: Annotated[VideoTool, Form()] = "Auto",
                  scene_duration: Duration = "5", aspect_ratio: Aspect = "16:9",
                  is_transition: Transition = False, elements: ElementsField = None,
                  audio_option: Audio = None, language: Lang = "English", title: Title = "",
                  webhook_url: Webhook = None) -> JSONResponse:
    """Creates a complete video from a text idea; poll GET /story/{story_id}."""
    return _story(engine.idea_to_video(
        account=account, idea=idea, scene_count=scene_count, image_tool=image_tool,
        video_tool=video_tool, scene_duration=scene_duration, aspect_ratio=aspect_ratio,
        is_transition=is_transition, elements=as_dict(elements),
        audio_option=as_dict(audio_option), language=language, title=title,
        webhook_url=webhook_url or None))


@auto.post("/story/url-2-video", summary="[AUTO] URL-to-Video", responses=_AUTO,
           operation_id="url_to_video")
def url_to_video(account: Account, engine: Engine, idea: UrlIdea, scene_count: SceneCount = 3,
                 image_tool: Annotated[ImageTool, Form()] = "Seedream",
                 video_tool: Annotated[VideoTool, Form()] = "Auto",
                 scene_duration: Duration = "5", aspect_ratio: Aspect = "16:9",
                 is_transition: Transition = False, elements: ElementsField = None,
                 audio_option: Audio = None, language: Lang = "English", title: Title = "",
                 webhook_url: Webhook = None) -> JSONResponse:
    """Creates a complete video from an idea naming a website URL."""
    return _story(engine.url_to_video(
        account=account, idea=idea, scene_count=scene_count, image_tool=image_tool,
        video_tool=video_tool, scene_duration=scene_duration, aspect_ratio=aspect_ratio,
        is_transition=is_transition, elements=as_dict(elements),
        audio_option=as_dict(audio_option), language=language, title=title,
        webhook_url=webhook_url or None))


@auto.post("/story/images-2-video", summary="[AUTO] Images-to-Video", responses=_AUTO,
           operation_id="images_to_video")
def images_to_video(request: Request, account: Account, engine: Engine,
                    idea: Annotated[str, Form(description=IDEA_DOC)]
                    = DEFAULT_IMAGES_IDEA,
                    image_files: ImageFiles = [],  # noqa: B006 - FastAPI copies defaults
                    image_urls: ImageUrls = [],  # noqa: B006
                    video_tool: Annotated[VideoTool, Form()] = "Auto",
                    is_transition: Transition = False, scene_duration: Duration = "5",
                    aspect_ratio: Aspect = "16:9", audio_option: Audio = None,
                    language: Lang = "English", title: Title = "",
                    webhook_url: Webhook = None) -> JSONResponse:
    """A video from your images (uploaded `image_files`, or `image_urls`) and an idea."""
    files = _uploads(request, account, image_files)
    return _story(engine.images_to_video(
        account=account, idea=idea, image_urls=image_urls, image_files=files,
        video_tool=video_tool, is_transition=is_transition, scene_duration=scene_duration,
        aspect_ratio=aspect_ratio, audio_option=as_dict(audio_option), language=language,
        title=title, webhook_url=webhook_url or None))


@advanced.post("/story", summary="[ADVANCED] Step 1 - Create Storyboard", responses=_STEP,
               operation_id="create_storyboard")
def create_storyboard(request: Request, account: Account, engine: Engine, idea: Idea,
                      story_id: EditStoryId = None,
                      scene_count: SceneCount = 3, language: Lang = "English",
                      aspect_ratio: Aspect = "16:9", audio_option: Audio = None,
                      elements: ElementsField = None,
                      image_files: ImageFiles = [],  # noqa: B006
                      image_urls: ImageUrls = [],  # noqa: B006
                      title: Title = "") -> JSONResponse:
    """Creates (or, with story_id, rewrites) a storyboard; returns when it is ready."""
    files = _uploads(request, account, image_files)
    return _story(engine.create_storyboard(
        account=account, idea=idea, scene_count=scene_count, language=language,
        aspect_ratio=aspect_ratio, audio_option=as_dict(audio_option),
        elements=as_dict(elements), image_urls=image_urls, image_files=files,
        story_id=story_id or None, title=title))


@advanced.post("/story/{story_id}/elements", summary="[ADVANCED] Step 1.5 - Element Images",
               responses=_STEP, operation_id="generate_elements")
def generate_elements(story_id: StoryId, account: Account, engine: Engine,
                      option: Annotated[ImageOption, Form()] = "Seedream",
                      aspect_ratio: OptAspect = None, storyboard: StoryboardField = None,
                      enhance_image: Enhance = False,
                      has_bg_music: Deprecated = None) -> JSONResponse:
    """Generates images for the storyboard's characters, environments and objects."""
    return _story(engine.generate_elements(
        story_id, account=account, option=option, aspect_ratio=aspect_ratio,
        storyboard=as_dict(storyboard), enhance_image=enhance_image))


@advanced.post("/story/{story_id}/scenes", summary="[ADVANCED] Step 2 - Create Scenes",
               responses=_STEP, operation_id="generate_scenes")
def generate_scenes(story_id: StoryId, account: Account, engine: Engine,
                    option: Annotated[ImageOption, Form()] = "Seedream",
                    aspect_ratio: OptAspect = None, storyboard: StoryboardField = None,
                    enhance_image: Enhance = False, audio_option: Audio = None,
                    generate_elements: Deprecated = None, narrator: Deprecated = None,
                    has_narration: Deprecated = None,
                    has_bg_music: Deprecated = None) -> JSONResponse:
    """Generates scene images, narrations and background music."""
    return _story(engine.generate_scenes(
        story_id, account=account, option=option, aspect_ratio=aspect_ratio,
        storyboard=as_dict(storyboard), enhance_image=enhance_image,
        audio_option=as_dict(audio_option)))


@advanced.post("/story/{story_id}/videos", summary="[ADVANCED] Step 3 - Create Videos",
               responses=_STEP, operation_id="create_videos")
def create_videos(story_id: StoryId, account: Account, engine: Engine, title: Title = "",
                  storyboard: StoryboardField = None, is_transition: Transition = False,
                  motion_type: Annotated[MotionType, Form()] = "Auto",
                  duration: Annotated[int, Form(ge=1, le=10)] = 5,
                  loop: Annotated[int, Form(ge=1, le=6)] = 1,
                  native_audio: Deprecated = None,
                  webhook_url: Webhook = None) -> JSONResponse:
    """Animates the scenes and composes the final video; poll GET /story/{story_id}."""
    return _story(engine.create_videos(
        story_id, account=account, title=title, storyboard=as_dict(storyboard),
        is_transition=is_transition, motion_type=motion_type, duration=duration, loop=loop,
        webhook_url=webhook_url or None))


@advanced.post("/story/{story_id}/concat", summary="Concat Story", responses=_STEP,
               operation_id="concat")
def concat(story_id: StoryId, account: Account, engine: Engine,
           concat_video_urls: Annotated[list[UrlItem] | None, Form(
               description="Videos to compose; default: the story's scene videos")] = None,
           audio_urls: Annotated[list[UrlItem] | None, Form(
               description="Background audio to mix in")] = None) -> JSONResponse:
    """Composes scene videos (or the given video URLs) into one video."""
    return _story(engine.concat(story_id, account=account,
                                concat_video_urls=concat_video_urls or None,
                                audio_urls=audio_urls or None))


@records.get("/story/{story_id}", summary="Get Story Detail", responses=_RECORD,
             operation_id="get_story")
def get_story(story_id: StoryId, account: Account, engine: Engine) -> JSONResponse:
    """Status, progress and generated assets of one of your stories."""
    return _story(engine.get_story(story_id, account=account))


@records.put("/story/{story_id}", summary="Update Story", responses=_RECORD,
             operation_id="update_story")
def update_story(story_id: StoryId, account: Account, engine: Engine, title: OptTitle = None,
                 description: Description = None,
                 visibility_status: Annotated[Visibility | None, Form(
                     description='"0" private, "1" unlisted, "2" public')] = None,
                 additional_videos: Deprecated = None) -> JSONResponse:
    """Updates title, description or visibility; nothing is regenerated."""
    return _story(engine.update_story(story_id, account=account, title=title,
                                      description=description,
                                      visibility_status=visibility_status))


@records.delete("/story/{story_id}", summary="Delete Story", responses=_RECORD,
                operation_id="delete_story")
def delete_story(story_id: StoryId, account: Account, engine: Engine) -> JSONResponse:
    """Deletes the story and its files; returns the deleted story object."""
    return _story(engine.delete_story(story_id, account=account))


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
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
