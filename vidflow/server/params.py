"""The reference's request parameters as FastAPI form fields, with types, enums and ranges.

Declaring them here (rather than reading raw forms) puts every enum, default and range into
the OpenAPI contract, and FastAPI answers a wrong value with a 422 whose `loc` names the
field. The JSON-string fields (`audio_option`, `elements`, `storyboard`) are `Json[...]`
models: the form carries a string, the OpenAPI says it is JSON of that shape, and a
malformed one is a 422 naming the field (`body.audio_option.narrator`, say).

The engine validates again (it also serves in-process callers); these models follow
`vidflow.engine.validation` so both layers accept and refuse the same things.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import File, Form, Path, UploadFile
from pydantic import BaseModel, ConfigDict, Field, Json

from vidflow.engine.validation import (
    ASPECT_RATIOS,
    IMAGE_OPTIONS,
    IMAGE_TOOLS,
    LANGUAGES,
    MAX_IMAGES,
    MAX_SCENES,
    MAX_TITLE,
    MOTION_TYPES,
    NARRATORS,
    SCENE_DURATIONS,
    VIDEO_TOOLS,
    VISIBILITY,
)

# Literal types built from the engine's tuples, so one list of options feeds both layers.
AspectRatio = Literal[ASPECT_RATIOS]  # type: ignore[valid-type]
ImageTool = Literal[IMAGE_TOOLS]  # type: ignore[valid-type]
ImageOption = Literal[IMAGE_OPTIONS]  # type: ignore[valid-type]
VideoTool = Literal[VIDEO_TOOLS]  # type: ignore[valid-type]
MotionType = Literal[MOTION_TYPES]  # type: ignore[valid-type]
Language = Literal[LANGUAGES]  # type: ignore[valid-type]
Narrator = Literal[NARRATORS]  # type: ignore[valid-type]
SceneDuration = Literal[SCENE_DURATIONS]  # type: ignore[valid-type]
Visibility = Literal[VISIBILITY]  # type: ignore[valid-type]


# --- the JSON-string fields ------------------------------------------------------------
class AudioOption(BaseModel):
    """audio_option: native_audio turns narration off; narrator only matters with narration."""

    model_config = ConfigDict(extra="forbid")
    has_bg_music: bool = True
    has_narration: bool = True
    native_audio: bool = False
    narrator: Narrator = "Rachel"


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


# --- form fields, shared by the routes -------------------------------------------------
IDEA_DOC = ("Detailed text description of your story concept. Be specific about "
            "characters, settings, actions, visual style, and mood.")
AUDIO_DOC = ("JSON string: has_bg_music, has_narration, native_audio (turns narration off), "
             "narrator.")
ELEMENTS_DOC = ("JSON string with 'characters', 'environments' or 'objects' arrays of "
                "{name, description, image_url}.")
STORYBOARD_DOC = ("JSON string of an updated storyboard: 'characters', 'environments', "
                  "'objects' and 'scenes' arrays.")

# a blank idea is a missing one: errors.py answers 400 for it, as the engine does
Idea = Annotated[str, Form(description=IDEA_DOC, min_length=1, pattern=r"\S")]
UrlIdea = Annotated[str, Form(description=IDEA_DOC + " Must include the website's URL.",
                              min_length=1, pattern=r"https?://")]
HTTP_URL = r"^https?://\S+$"
MEDIA_OR_HTTP_URL = r"^(https?://\S+|/media/\S+)$"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
StoryId = Annotated[str, Path(description="The story's id (a UUID)", pattern=UUID)]
EditStoryId = Annotated[str | None, Form(
    pattern=UUID, description="Edit this existing story's storyboard")]
SceneCount = Annotated[int, Form(ge=1, le=MAX_SCENES, description="Number of scenes.")]
Title = Annotated[str, Form(max_length=MAX_TITLE, description="Story title.")]
OptTitle = Annotated[str | None, Form(max_length=MAX_TITLE, description="New title.")]
Description = Annotated[str | None, Form(description="New description.")]
Transition = Annotated[bool, Form(description="Transition videos between scenes.")]
Duration = Annotated[SceneDuration, Form(description='Seconds per scene: "5" or "10".')]
Aspect = Annotated[AspectRatio, Form(description="Video aspect ratio.")]
OptAspect = Annotated[AspectRatio | None, Form(description="Aspect ratio of the images.")]
Lang = Annotated[Language, Form(description="Language of narration and storyboard.")]
Audio = Annotated[Json[AudioOption] | None, Form(description=AUDIO_DOC)]
ElementsField = Annotated[Json[Elements] | None, Form(description=ELEMENTS_DOC)]
StoryboardField = Annotated[Json[Storyboard] | None, Form(description=STORYBOARD_DOC)]
Webhook = Annotated[str | None, Form(pattern=HTTP_URL,
                                     description="URL to POST to when generation completes.")]
UrlItem = Annotated[str, Field(pattern=MEDIA_OR_HTTP_URL)]
ImageUrls = Annotated[list[UrlItem], Form(max_length=MAX_IMAGES,
                                          description="Publicly accessible http(s) image URLs.")]
ImageFiles = Annotated[list[UploadFile], File(description="JPEG, PNG or WebP images.")]
Enhance = Annotated[bool, Form(description="1x super-resolution enhancement.")]
Deprecated = Annotated[str | None, Form(deprecated=True, description="Ignored (deprecated).")]
