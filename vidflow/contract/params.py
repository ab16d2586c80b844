"""Each Story API parameter once, and each operation with its route and parameters.

A `Param` says what the reference says of a parameter: its kind, default, enum or range,
whether it travels as a JSON string, and whether it is deprecated (accepted, ignored). An
`Operation` lists the parameters of one route in the reference's order. Defaults that
differ between routes (images-2-video's default idea) are per operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from vidflow.contract import enums

# "Maximum varies by subscription plan": the embedded engine's plan
MAX_SCENES = 20
MAX_IMAGES = 20
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_CONCAT_VIDEOS = 50
MAX_CONCAT_AUDIOS = 10
# Idempotency: `vidflow serve` and the embedded engine honour this header on every paid
# POST (a repeat with the same key and request gets the first answer and no new charge;
# the same key with another request is a 422), and announce it under this extension of
# the OpenAPI document's `info`. The reference documents no such key: an extension.
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_EXTENSION = "x-idempotency-key-header"
# story ids are UUID4s; anything else is "400 - Invalid story ID format"
STORY_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

Kind = Literal["text", "integer", "boolean", "choice", "json", "url", "urls", "files",
               "story_id"]


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    doc: str
    default: Any = None
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None  # integers: the largest value; text and lists: the length
    deprecated: bool = False  # accepted and ignored, as the reference says
    # "Ignored when narration is enabled": the narration's length sets each scene's length
    ignored_with_narration: bool = False
    # Not in the reference: vidflow's engine (local provider, `vidflow serve`) adds it, and
    # the hosted Story API does not take it (vidflow validate says so)
    extension: bool = False

    @property
    def json_string(self) -> bool:
        """Sent as a JSON string (the reference's `string (JSON)`)."""
        return self.kind == "json"


def _p(name: str, kind: Kind, doc: str, **extra: Any) -> Param:
    return Param(name, kind, doc, **extra)


_ALL = (
    _p("idea", "text", "Detailed text description of your story concept. Be specific about "
       "characters, settings, actions, visual style, and mood."),
    _p("scene_count", "integer", "Number of scenes.", default=3, minimum=1, maximum=MAX_SCENES),
    _p("image_tool", "choice", "Image generation model.", default="Seedream",
       choices=enums.IMAGE_TOOLS),
    _p("video_tool", "choice", "Animation method.", default="Auto", choices=enums.VIDEO_TOOLS),
    _p("scene_duration", "choice", 'Seconds per scene: "5" or "10". Ignored when narration is '
       "enabled (the narration sets each scene's length).", default="5",
       choices=enums.SCENE_DURATIONS, ignored_with_narration=True),
    _p("aspect_ratio", "choice", "Video aspect ratio.", default="16:9",
       choices=enums.ASPECT_RATIOS),
    _p("is_transition", "boolean", "Transition videos between scenes.", default=False),
    _p("elements", "json", "JSON string with 'characters', 'environments' or 'objects' arrays "
       "of {name, description, image_url}."),
    _p("audio_option", "json", "JSON string: has_bg_music, has_narration, native_audio (turns "
       "narration off), narrator."),
    _p("language", "choice", "Language of narration and storyboard.", default="English",
       choices=enums.LANGUAGES),
    _p("title", "text", "Story title.", default="", maximum=MAX_TITLE),
    _p("description", "text", "Story description.", maximum=MAX_DESCRIPTION),
    _p("visibility_status", "choice", '"0" private, "1" unlisted, "2" public.',
       choices=enums.VISIBILITY_STATUSES),
    _p("webhook_url", "url", "URL to POST to when generation completes."),
    _p("image_urls", "urls", "Publicly accessible http(s) image URLs.", default=(),
       maximum=MAX_IMAGES),
    _p("image_files", "files", "JPEG, PNG or WebP images.", default=(), maximum=MAX_IMAGES),
    _p("story_id", "story_id", "Edit this existing story's storyboard."),
    _p("option", "choice", "Image model of the advanced steps.", default="Seedream",
       choices=enums.IMAGE_OPTIONS),
    _p("storyboard", "json", "JSON string of an updated storyboard: 'characters', "
       "'environments', 'objects' and 'scenes' arrays."),
    _p("enhance_image", "boolean", "1x super-resolution enhancement.", default=False),
    _p("motion_type", "choice", "Motion style of the video animation.", default="Auto",
       choices=enums.MOTION_TYPES),
    _p("duration", "integer", "Seconds per scene (1-10). Ignored when narration is enabled.",
       default=5, minimum=1, maximum=10, ignored_with_narration=True),
    _p("loop", "integer", "Times the motion repeats (1-6). Ignored when narration is enabled.",
       default=1, minimum=1, maximum=6, ignored_with_narration=True),
    _p("concat_video_urls", "urls", "Videos to compose; default: the story's scene videos.",
       maximum=MAX_CONCAT_VIDEOS),
    _p("audio_urls", "urls", "Background audio to mix in.", maximum=MAX_CONCAT_AUDIOS),
    _p("captions", "json", "A vidflow extension (not on the hosted Story API): true, or a JSON "
       "object of style (plain | word), position (bottom | middle | top) and size (small | "
       "medium | large). Burned in, with SRT and WebVTT sidecars.", extension=True),
    # deprecated: accepted and ignored (audio is configured by audio_option in Step 1)
    *(_p(name, "text", "Ignored (deprecated).", deprecated=True)
      for name in ("has_bg_music", "generate_elements", "narrator", "has_narration",
                   "native_audio", "additional_videos")),
)
PARAMS: Mapping[str, Param] = MappingProxyType({p.name: p for p in _ALL})
# vidflow's own parameters, which the reference does not have; `vidflow serve` lists them
# under this key of its OpenAPI document's `info`, and marks each field with it
EXTENSIONS: frozenset[str] = frozenset(p.name for p in _ALL if p.extension)
EXTENSIONS_KEY = "x-vidflow-extensions"
EXTENSION_FIELD_KEY = "x-vidflow-extension"
DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {p.name: p.default for p in _ALL if p.default is not None and p.default != ()})

DEFAULT_IMAGES_IDEA = ("Create a stunning video showcasing these images with a compelling "
                       "narrative")


@dataclass(frozen=True)
class Operation:
    name: str  # the Python method and the OpenAPI operation id
    method: str
    route: str
    summary: str
    params: tuple[str, ...]  # in the reference's order; deprecated ones included
    required: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)  # this route's own defaults
    paid: bool = False  # charges credits
    multipart: bool = False  # takes uploaded files
    idea_names_url: bool = False  # "Text description including the website URL"

    def default(self, name: str) -> Any:
        return self.defaults.get(name, PARAMS[name].default)

    @property
    def live_params(self) -> tuple[str, ...]:
        """The parameters that do something (deprecated ones left out)."""
        return tuple(n for n in self.params if not PARAMS[n].deprecated)


_AUTO = ("idea", "scene_count", "image_tool", "video_tool", "scene_duration", "aspect_ratio",
         "is_transition", "elements", "audio_option", "language", "title", "webhook_url",
         "captions")
_IMAGE_STEP = ("option", "aspect_ratio", "storyboard", "enhance_image")

_OPERATIONS = (
    Operation("idea_to_video", "POST", "/story/idea-2-video", "[AUTO] Idea-to-Video", _AUTO,
              required=("idea",), paid=True),
    Operation("url_to_video", "POST", "/story/url-2-video", "[AUTO] URL-to-Video", _AUTO,
              required=("idea",), paid=True, idea_names_url=True),
    Operation("images_to_video", "POST", "/story/images-2-video", "[AUTO] Images-to-Video",
              ("idea", "image_files", "image_urls", "video_tool", "is_transition",
               "scene_duration", "aspect_ratio", "audio_option", "language", "title",
               "webhook_url", "captions"),
              defaults={"idea": DEFAULT_IMAGES_IDEA}, paid=True, multipart=True),
    # title is not in the reference's table, but its example sends one: honoured
    Operation("create_storyboard", "POST", "/story", "[ADVANCED] Step 1 - Create Storyboard",
              ("story_id", "idea", "scene_count", "language", "aspect_ratio", "audio_option",
               "elements", "image_files", "image_urls", "title"),
              required=("idea",), paid=True, multipart=True),
    Operation("generate_elements", "POST", "/story/{story_id}/elements",
              "[ADVANCED] Step 1.5 - Element Images", (*_IMAGE_STEP, "has_bg_music"),
              defaults={"aspect_ratio": None}, paid=True),
    Operation("generate_scenes", "POST", "/story/{story_id}/scenes",
              "[ADVANCED] Step 2 - Create Scenes",
              (*_IMAGE_STEP, "audio_option", "generate_elements", "narrator", "has_narration",
               "has_bg_music"),
              defaults={"aspect_ratio": None}, paid=True),
    Operation("create_videos", "POST", "/story/{story_id}/videos",
              "[ADVANCED] Step 3 - Create Videos",
              ("title", "storyboard", "is_transition", "motion_type", "duration", "loop",
               "native_audio", "webhook_url", "captions"), paid=True),
    Operation("concat", "POST", "/story/{story_id}/concat", "Concat Story",
              ("concat_video_urls", "audio_urls"), paid=True),
    Operation("get_story", "GET", "/story/{story_id}", "Get Story Detail", ()),
    Operation("update_story", "PUT", "/story/{story_id}", "Update Story",
              ("title", "description", "visibility_status", "additional_videos"),
              defaults={"title": None}),
    Operation("delete_story", "DELETE", "/story/{story_id}", "Delete Story", ()),
)
OPERATIONS: Mapping[str, Operation] = MappingProxyType({op.name: op for op in _OPERATIONS})

# A spec's mode and the operations that make its story (storyboard: the advanced steps)
SPEC_MODES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "idea": ("idea_to_video",),
    "url": ("url_to_video",),
    "images": ("images_to_video",),
    "storyboard": ("create_storyboard", "generate_elements", "generate_scenes",
                   "create_videos"),
})
# sent with a create, but not what the video is made of (a spec has its own fields for them)
_NOT_GENERATION = frozenset({"title", "webhook_url", "storyboard", "story_id"})


def sent_params(op_name: str, *, besides: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The live parameters of an operation a caller sends from a story's params
    (`besides`: those it sends on its own, such as the title or the image sources)."""
    return tuple(n for n in OPERATIONS[op_name].live_params if n not in besides)


def mode_params(mode: str) -> tuple[str, ...]:
    """The generation inputs a spec story of `mode` takes, in the reference's order."""
    names: list[str] = []
    for op in SPEC_MODES[mode]:
        names += [n for n in OPERATIONS[op].live_params
                  if n not in _NOT_GENERATION and n not in names]
    return tuple(names)
