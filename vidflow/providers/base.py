"""The one seam between vidflow and the Story API: the Provider protocol.

Two providers implement it (`local`: the embedded engine in process; `http`: the Story API
over HTTP) and tests use an in-memory fake. Both real providers are an `ApiProvider`, which
turns a ResolvedStory into the API's calls on a `StoryBackend`: typed methods, one per
Story API route, that the HTTP client has and the local provider's engine adapter has too.
The subclass says only how to reach the backend, how to name local files and how to fetch
the finished video.

    create      mode idea → idea_to_video, url → url_to_video, images → images_to_video,
                storyboard → create_storyboard, generate_scenes(storyboard), create_videos
    regenerate  generate_scenes(storyboard) then create_videos on the same story
    get / update / delete / wait (vidflow.api.poll, the one poll loop) / download

Retries live in the transport, once: the HTTP client (vidflow.api.retry's rules) and the
engine adapter (`retry_refused`, 429 only). A provider never retries on top of them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from vidflow.api.models import StoryRecord
from vidflow.api.poll import Interrupted, ProgressCallback, poll_until_done
from vidflow.contract.captions import CAPTION_URL_FIELDS
from vidflow.contract.params import sent_params
from vidflow.contract.storyboard import ELEMENT_KINDS
from vidflow.errors import PlanError
from vidflow.hashing import sha256_file
from vidflow.paths import checked_input
from vidflow.spec.model import ResolvedStory

__all__ = ["ApiProvider", "Interrupted", "ProgressCallback", "Provider", "StoryBackend",
           "local_element_images", "local_file", "pick", "poll_until_done"]

# Which generation inputs each call takes, from the contract: each call's parameters but
# those sent on their own (title, image sources, the storyboard). Keys missing from a
# story's params are left to the API's defaults.
_OWN = ("title", "image_files", "image_urls", "story_id", "storyboard", "option")
IDEA_KEYS = sent_params("idea_to_video", besides=_OWN)
IMAGES_KEYS = sent_params("images_to_video", besides=_OWN)
STORYBOARD_KEYS = sent_params("create_storyboard", besides=_OWN)
SCENES_KEYS = sent_params("generate_scenes", besides=_OWN)
VIDEOS_KEYS = sent_params("create_videos", besides=_OWN)

Answer = dict[str, Any] | StoryRecord  # the engine answers dicts, the client records


@runtime_checkable
class Provider(Protocol):
    """How the executor reaches the Story API. Every call may raise StoryApiError."""

    identity: str  # "local" or "http:<base_url>"; recorded in the lockfile
    # the provider said it honours Idempotency-Key: a paid call sent again with the same
    # key returns the story the first one made, and is not charged again
    honours_idempotency_keys: bool

    def create(self, story: ResolvedStory, *,
               idempotency_key: str | None = None) -> StoryRecord: ...

    def regenerate(self, story_id: str, story: ResolvedStory, *,
                   idempotency_key: str | None = None) -> StoryRecord: ...

    def get(self, story_id: str) -> StoryRecord: ...

    def update(self, story_id: str, *, title: str, description: str,
               visibility_status: str) -> StoryRecord: ...

    def delete(self, story_id: str) -> None: ...

    def wait(self, story_id: str, on_progress: ProgressCallback | None = None, *,
             stop: threading.Event | None = None,
             timeout: float | None = None) -> StoryRecord: ...

    def download(self, record: StoryRecord, dest: Path) -> str: ...

    def check(self, story: ResolvedStory) -> None:
        """Raise PlanError if this provider cannot make `story` (checked at plan time)."""

    def close(self) -> None: ...


class StoryBackend(Protocol):
    """The Story API's routes as typed methods (the reference's parameter names)."""

    def idea_to_video(self, **params: Any) -> Answer: ...

    def url_to_video(self, **params: Any) -> Answer: ...

    def images_to_video(self, *, image_files: Sequence[Path] = (),
                        image_urls: Sequence[str] = (), **params: Any) -> Answer: ...

    def create_storyboard(self, **params: Any) -> Answer: ...

    def generate_scenes(self, story_id: str, **params: Any) -> Answer: ...

    def create_videos(self, story_id: str, **params: Any) -> Answer: ...

    def get_story(self, story_id: str) -> Answer: ...

    def update_story(self, story_id: str, *, title: str | None = None,
                     description: str | None = None,
                     visibility_status: str | None = None) -> Answer: ...

    def delete_story(self, story_id: str) -> Answer: ...


def _keyed(key: str | None) -> Callable[[str], dict[str, str]]:
    """The idempotency_key argument of each paid POST of one operation: the operation's
    key, with "/<step>" for each of several POSTs (the advanced steps), so a replay of the
    whole operation is answered step by step with what each step made the first time."""
    def of(step: str) -> dict[str, str]:
        if key is None:
            return {}
        return {"idempotency_key": f"{key}/{step}" if step else key}
    return of


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
    """A Provider over a StoryBackend.

    Subclasses pass their backend and implement `download`; they may override
    `_elements(story)` (how element images are sent), `check(story)` and `_errors()` (how
    the backend's errors are explained to the user).
    """

    identity: str = ""
    honours_idempotency_keys: bool = False
    poll_first: float = 0.2
    poll_max: float = 2.0

    def __init__(self, root: Path, backend: StoryBackend) -> None:
        self.root = Path(root)
        self._backend = backend

    @property
    def backend(self) -> StoryBackend:
        return self._backend

    # --- what subclasses provide --------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        yield

    def _elements(self, story: ResolvedStory) -> dict[str, Any] | None:
        return story.params.get("elements")

    def check(self, story: ResolvedStory) -> None:
        return None

    def download(self, record: StoryRecord, dest: Path) -> str:
        raise NotImplementedError

    def fetch_media(self, record: StoryRecord, url: str, dest: Path) -> str:
        """One of the story's media files (`url`) to `dest`, verified; its sha256."""
        raise NotImplementedError

    def download_files(self, record: StoryRecord, video: Path) -> dict[str, str]:
        """The files a story has beside its video (caption sidecars: the extension's
        story fields), each downloaded next to `video` with its own suffix; {suffix:
        sha256}, empty when the story has none."""
        found: dict[str, str] = {}
        for suffix, field in CAPTION_URL_FIELDS.items():
            url = record.raw.get(field)
            if isinstance(url, str) and url:
                found[suffix] = self.fetch_media(record, url, video.with_suffix(suffix))
        return found

    def close(self) -> None:
        return None

    def _send(self, call: Callable[[], Answer]) -> StoryRecord:
        with self._errors():
            return self._record(call())

    # --- the protocol ---------------------------------------------------------------------
    def create(self, story: ResolvedStory, *,
               idempotency_key: str | None = None) -> StoryRecord:
        self.check(story)
        params = dict(story.params)
        if "elements" in params:
            params["elements"] = self._elements(story)
        api, key = self.backend, _keyed(idempotency_key)
        if story.mode == "idea":
            kwargs = {**pick(params, IDEA_KEYS), **key("")}
            return self._send(lambda: api.idea_to_video(title=story.title, **kwargs))
        if story.mode == "url":
            kwargs = {**pick(params, IDEA_KEYS), **key("")}
            return self._send(lambda: api.url_to_video(title=story.title, **kwargs))
        if story.mode == "images":
            kwargs = {**pick(params, IMAGES_KEYS), **self._image_sources(story), **key("")}
            return self._send(lambda: api.images_to_video(title=story.title, **kwargs))
        if story.mode == "storyboard":
            return self._create_advanced(story, params, idempotency_key)
        raise PlanError(f"{story.address}: mode: unknown mode {story.mode!r}")

    def regenerate(self, story_id: str, story: ResolvedStory, *,
                   idempotency_key: str | None = None) -> StoryRecord:
        params = dict(story.params)
        key = _keyed(idempotency_key)
        scenes = {**self._scenes_kwargs(params), **key("scenes")}
        videos = {**pick(params, VIDEOS_KEYS), **key("videos")}
        api = self.backend
        self._send(lambda: api.generate_scenes(story_id, storyboard=story.storyboard,
                                               **scenes))
        return self._send(lambda: api.create_videos(story_id, title=story.title, **videos))

    def get(self, story_id: str) -> StoryRecord:
        return self._send(lambda: self.backend.get_story(story_id))

    def update(self, story_id: str, *, title: str, description: str,
               visibility_status: str) -> StoryRecord:
        return self._send(lambda: self.backend.update_story(
            story_id, title=title, description=description,
            visibility_status=visibility_status))

    def delete(self, story_id: str) -> None:
        with self._errors():
            self.backend.delete_story(story_id)

    def wait(self, story_id: str, on_progress: ProgressCallback | None = None, *,
             stop: threading.Event | None = None,
             timeout: float | None = None) -> StoryRecord:
        return poll_until_done(self.get, story_id, on_progress=on_progress,
                               stop=stop or threading.Event(), timeout=timeout,
                               first_interval=self.poll_first, max_interval=self.poll_max)

    # --- helpers ----------------------------------------------------------------------------
    def _create_advanced(self, story: ResolvedStory, params: dict[str, Any],
                         idempotency_key: str | None) -> StoryRecord:
        board = story.storyboard or {}
        kwargs = pick(params, STORYBOARD_KEYS)
        kwargs.setdefault("idea", board.get("idea") or story.title or story.address)
        kwargs.update(self._image_sources(story, only_if_present=True))
        kwargs.update(_keyed(idempotency_key)("storyboard"))
        created = self._send(lambda: self.backend.create_storyboard(title=story.title,
                                                                    **kwargs))
        return self.regenerate(created.id, story, idempotency_key=idempotency_key)

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
