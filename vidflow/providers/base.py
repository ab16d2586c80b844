"""The one seam between vidflow and the Story API: the Provider protocol.

Two providers implement it (`local`: the embedded engine in process; `http`: the Story API
over HTTP) and tests use an in-memory fake. Both real providers share `ApiProvider`, which
turns a ResolvedStory into the API's calls, because the engine and the HTTP client expose
the same method names; the subclass says only how to reach the backend, how to name local
files and how to fetch the finished video.

    create      mode idea → idea_to_video, url → url_to_video, images → images_to_video,
                storyboard → create_storyboard, generate_scenes(storyboard), create_videos
    regenerate  generate_scenes(storyboard) then create_videos on the same story
    get / update / delete / wait / download
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from vidflow.api.models import StoryRecord
from vidflow.contract.storyboard import ELEMENT_KINDS
from vidflow.errors import PlanError, TooManyRequests, VidflowError
from vidflow.hashing import sha256_file
from vidflow.paths import checked_input
from vidflow.spec.model import ResolvedStory

ProgressCallback = Callable[[StoryRecord], None]

# Which generation inputs each call takes (the reference's parameter names). Keys missing
# from a story's params are left to the API's defaults.
IDEA_KEYS = ("idea", "scene_count", "image_tool", "video_tool", "scene_duration",
             "aspect_ratio", "is_transition", "elements", "audio_option", "language",
             "webhook_url")
IMAGES_KEYS = ("idea", "video_tool", "is_transition", "scene_duration", "aspect_ratio",
               "audio_option", "language", "webhook_url")
STORYBOARD_KEYS = ("idea", "scene_count", "language", "aspect_ratio", "audio_option",
                   "elements")
SCENES_KEYS = ("aspect_ratio", "enhance_image", "audio_option")
VIDEOS_KEYS = ("is_transition", "motion_type", "duration", "loop", "webhook_url")


RETRIES_ON_429 = 6


class Interrupted(VidflowError):
    """Waiting was stopped (Ctrl-C); the story keeps running on the provider."""

    exit_code = 130


@runtime_checkable
class Provider(Protocol):
    """How the executor reaches the Story API. Every call may raise StoryApiError."""

    identity: str  # "local" or "http:<base_url>"; recorded in the lockfile

    def create(self, story: ResolvedStory) -> StoryRecord: ...

    def regenerate(self, story_id: str, story: ResolvedStory) -> StoryRecord: ...

    def get(self, story_id: str) -> StoryRecord: ...

    def update(self, story_id: str, *, title: str, description: str,
               visibility_status: str) -> StoryRecord: ...

    def delete(self, story_id: str) -> None: ...

    def wait(self, story_id: str, on_progress: ProgressCallback | None = None, *,
             stop: threading.Event | None = None) -> StoryRecord: ...

    def download(self, record: StoryRecord, dest: Path) -> str: ...

    def check(self, story: ResolvedStory) -> None:
        """Raise PlanError if this provider cannot make `story` (checked at plan time)."""

    def close(self) -> None: ...


def poll_until_done(get: Callable[[str], StoryRecord], story_id: str, *,
                    on_progress: ProgressCallback | None = None,
                    stop: threading.Event | None = None,
                    first_interval: float = 0.2, max_interval: float = 2.0,
                    timeout: float | None = None,
                    clock: Callable[[], float] = time.monotonic) -> StoryRecord:
    """GET the story with growing pauses until it is success or fail.

    `stop` ends the wait early with Interrupted: the story keeps running remotely and the
    next apply resumes polling it, so nothing is paid twice.
    """
    stop = stop or threading.Event()
    deadline = None if timeout is None else clock() + timeout
    interval = first_interval
    while True:
        record = get(story_id)
        if on_progress is not None:
            on_progress(record)
        if record.done:
            return record
        if deadline is not None and clock() >= deadline:
            raise VidflowError(f"story {story_id} still {record.status} after {timeout:.0f}s",
                               hint="run `vidflow apply` again later to resume waiting")
        if stop.wait(interval):
            raise Interrupted(f"stopped waiting for story {story_id}")
        interval = min(max_interval, interval * 1.5)


def pick(params: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The subset of `params` a call takes; None means "API default", so it is left out."""
    return {k: params[k] for k in keys if k in params and params[k] is not None}


def local_file(root: Path, ref: Any, *, address: str, field: str) -> Path:
    """The file behind a {"path", "sha256"} reference, checked against the planned hash."""
    if isinstance(ref, str):
        ref = {"path": ref}
    path = checked_input(root, ref.get("path"), source=f"{address}: {field}")
    if not path.is_file():
        raise PlanError(f"{address}: {field}: file not found: {ref['path']}",
                        hint="fix the path in the spec (relative to the project folder)")
    expected = ref.get("sha256")
    if expected and sha256_file(path) != expected:
        raise PlanError(f"{address}: {field}: {ref['path']} changed since the plan was made",
                        hint="run `vidflow plan` again")
    return path


def local_element_images(story: ResolvedStory) -> list[str]:
    """Field paths of element images given as local files (not URLs)."""
    found = []
    elements = story.params.get("elements") or {}
    for kind in ELEMENT_KINDS:
        for i, element in enumerate(elements.get(kind) or []):
            if isinstance(element, dict) and isinstance(element.get("image"), dict | str):
                found.append(f"elements.{kind}[{i}].image")
    return found


class ApiProvider:
    """Shared logic for providers whose backend has the engine's method names.

    Subclasses implement `_call(name, *args, **kwargs)` and `download`, and may override
    `_elements(story)` (how element images are sent) and `check(story)`.
    """

    identity: str = ""
    poll_first: float = 0.2
    poll_max: float = 2.0

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # --- what subclasses provide --------------------------------------------------------
    def _call(self, name: str, *args: Any, **kwargs: Any) -> dict[str, Any] | StoryRecord:
        raise NotImplementedError

    def _elements(self, story: ResolvedStory) -> dict[str, Any] | None:
        return story.params.get("elements")

    def check(self, story: ResolvedStory) -> None:
        return None

    def download(self, record: StoryRecord, dest: Path) -> str:
        raise NotImplementedError

    def close(self) -> None:
        return None

    def _spend(self, name: str, *args: Any, **kwargs: Any) -> dict[str, Any] | StoryRecord:
        """A call that starts paid work. 429 means the work was not accepted, so waiting
        and asking again cannot pay twice; any other error is the caller's."""
        for attempt in range(RETRIES_ON_429):
            try:
                return self._call(name, *args, **kwargs)
            except TooManyRequests as exc:
                if attempt == RETRIES_ON_429 - 1:
                    raise
                time.sleep(min(30.0, exc.retry_after or 0.5 * 2 ** attempt))
        raise AssertionError("unreachable")

    # --- the protocol ---------------------------------------------------------------------
    def create(self, story: ResolvedStory) -> StoryRecord:
        self.check(story)
        params = dict(story.params)
        if "elements" in params:
            params["elements"] = self._elements(story)
        if story.mode in ("idea", "url"):
            kwargs = pick(params, IDEA_KEYS)
            return self._record(self._spend(f"{story.mode}_to_video", title=story.title,
                                            **kwargs))
        if story.mode == "images":
            return self._record(self._spend("images_to_video", title=story.title,
                                            **pick(params, IMAGES_KEYS),
                                            **self._image_sources(story)))
        if story.mode == "storyboard":
            return self._create_advanced(story, params)
        raise PlanError(f"{story.address}: mode: unknown mode {story.mode!r}")

    def regenerate(self, story_id: str, story: ResolvedStory) -> StoryRecord:
        params = dict(story.params)
        self._spend("generate_scenes", story_id, storyboard=story.storyboard,
                    **self._scenes_kwargs(params))
        return self._record(self._spend("create_videos", story_id, title=story.title,
                                        **pick(params, VIDEOS_KEYS)))

    def get(self, story_id: str) -> StoryRecord:
        return self._record(self._call("get_story", story_id))

    def update(self, story_id: str, *, title: str, description: str,
               visibility_status: str) -> StoryRecord:
        return self._record(self._call("update_story", story_id, title=title,
                                       description=description,
                                       visibility_status=visibility_status))

    def delete(self, story_id: str) -> None:
        self._call("delete_story", story_id)

    def wait(self, story_id: str, on_progress: ProgressCallback | None = None, *,
             stop: threading.Event | None = None) -> StoryRecord:
        return poll_until_done(self.get, story_id, on_progress=on_progress, stop=stop,
                               first_interval=self.poll_first, max_interval=self.poll_max)

    # --- helpers ----------------------------------------------------------------------------
    def _create_advanced(self, story: ResolvedStory, params: dict[str, Any]) -> StoryRecord:
        board = story.storyboard or {}
        kwargs = pick(params, STORYBOARD_KEYS)
        kwargs.setdefault("idea", board.get("idea") or story.title or story.address)
        kwargs.update(self._image_sources(story, only_if_present=True))
        created = self._record(self._spend("create_storyboard", title=story.title, **kwargs))
        return self.regenerate(created.id, story)

    def _scenes_kwargs(self, params: dict[str, Any]) -> dict[str, Any]:
        kwargs = pick(params, SCENES_KEYS)
        option = params.get("option") or params.get("image_tool")
        if option:
            kwargs["option"] = option
        return kwargs

    def _image_sources(self, story: ResolvedStory, *,
                       only_if_present: bool = False) -> dict[str, Any]:
        files = story.params.get("image_files") or []
        urls = story.params.get("image_urls") or []
        out: dict[str, Any] = {}
        if files:
            out["image_files"] = [local_file(self.root, ref, address=story.address,
                                             field=f"image_files[{i}]")
                                  for i, ref in enumerate(files)]
        if urls and not files:
            out["image_urls"] = list(urls)
        if not out and not only_if_present:
            raise PlanError(f"{story.address}: images mode needs image_urls or image_files")
        return out

    @staticmethod
    def _record(result: dict[str, Any] | StoryRecord) -> StoryRecord:
        return result if isinstance(result, StoryRecord) else StoryRecord.from_api(result)
