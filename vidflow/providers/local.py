"""The `local` provider: the embedded Story engine, in process, offline, no key.

Render quality (VIDFLOW_ENGINE_SCALE, VIDFLOW_ENGINE_FPS) and the optional storyboard
model come from the environment: see vidflow/engine/settings.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from vidflow import faults
from vidflow.api.models import StoryRecord
from vidflow.api.poll import ProgressCallback, poll_until_done
from vidflow.api.retry import RetryPolicy, retry_refused
from vidflow.errors import MediaError
from vidflow.hashing import sha256_file
from vidflow.providers.base import ApiProvider, local_file
from vidflow.spec.model import ResolvedStory

ACCOUNT = "local"
DEFAULT_DATA_DIR = ".vidflow/engine"
# Six attempts, as before the retry moved here: a job slot frees within the engine's
# Retry-After most of the time.
SPEND_POLICY = RetryPolicy(max_retries=5)
STOP_CHECK = 0.05  # seconds between looks at the stop event while a job runs


class LocalProvider(ApiProvider):
    identity = "local"
    honours_idempotency_keys = True  # the embedded engine keeps every key it was sent
    poll_first = 0.1
    poll_max = 1.0

    def __init__(self, root: Path, *, data_dir: str | None = None,
                 overrides: Mapping[str, Any] | None = None, resume: bool = True) -> None:
        """`resume=False` reads the engine's stories without restarting the renders an
        interrupted apply left (plan and refresh only look; apply resumes them)."""
        from vidflow.engine.service import EngineConfig, StoryEngine

        _quiet_engine_logs()
        self.data_dir = (Path(root) / (data_dir or DEFAULT_DATA_DIR)).resolve()
        config = EngineConfig(data_dir=self.data_dir, resume=resume,
                              **dict(overrides or {}))
        self.engine = StoryEngine(config)
        self.render_quality = {"scale": config.scale, "fps": config.fps}
        super().__init__(root, EngineBackend(self.engine))

    def _elements(self, story: ResolvedStory) -> dict[str, Any] | None:
        """Local element images become absolute paths the engine reads directly."""
        elements = story.params.get("elements")
        if not elements:
            return elements
        out: dict[str, Any] = {}
        for kind, items in elements.items():
            if not isinstance(items, list):
                out[kind] = items
                continue
            out[kind] = []
            for i, item in enumerate(items):
                item = dict(item)
                if isinstance(item.get("image"), dict | str):
                    item["image"] = str(local_file(self.root, item["image"],
                                                   address=story.address,
                                                   field=f"elements.{kind}[{i}].image"))
                out[kind].append(item)
        return out

    def wait(self, story_id: str, on_progress: ProgressCallback | None = None, *,
             stop: threading.Event | None = None,
             timeout: float | None = None) -> StoryRecord:
        """Poll for progress, but wake the moment the engine's job for the story ends: the
        finished record is read at once, not up to `poll_max` after the render."""
        stop = stop or threading.Event()
        jobs = self.engine.jobs

        def pause(seconds: float) -> bool:
            if not jobs.is_active(story_id):  # nothing running here to wake us: just wait
                return stop.wait(seconds)
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0 and not stop.is_set():
                # short slices: Ctrl-C (stop) is noticed within STOP_CHECK seconds
                if jobs.wait_idle(story_id, min(left, STOP_CHECK)):
                    break
            return stop.is_set()

        return poll_until_done(self.get, story_id, on_progress=on_progress, stop=stop,
                               timeout=timeout, first_interval=self.poll_first,
                               max_interval=self.poll_max, pause=pause)

    def download(self, record: StoryRecord, dest: Path) -> str:
        """Copy the engine's file beside `dest`, verify it, then rename into place."""
        if not record.video_url:
            raise MediaError(f"story {record.id} has no video_url to download")
        return self.fetch_media(record, record.video_url, dest)

    def fetch_media(self, record: StoryRecord, url: str, dest: Path) -> str:
        source = self.engine.media_path(_url_path(url))
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part",
                                        dir=dest.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            if tmp.stat().st_size == 0:
                raise MediaError(f"story {record.id}: the file {dest.name} is empty")
            digest = sha256_file(tmp)
            tmp.chmod(0o644)  # mkstemp makes it private; a video is an ordinary file
            os.replace(tmp, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return digest

    def close(self) -> None:
        self.engine.close()


class EngineBackend:
    """The engine's methods as a StoryBackend, on the local account.

    Calls that start paid work go through `retry_refused`: the engine answers 429 while
    the account runs its maximum of jobs, before doing anything, so asking again after
    its Retry-After cannot pay twice. This is the local transport's one retry layer.
    """

    def __init__(self, engine: Any, *, policy: RetryPolicy = SPEND_POLICY,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.engine = engine
        self.policy = policy
        self._sleep = sleep

    def _spend(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        faults.reached("request-sending")
        return retry_refused(call, policy=self.policy, sleep=self._sleep)

    def idea_to_video(self, **params: Any) -> dict[str, Any]:
        return self._spend(lambda: self.engine.idea_to_video(account=ACCOUNT, **params))

    def url_to_video(self, **params: Any) -> dict[str, Any]:
        return self._spend(lambda: self.engine.url_to_video(account=ACCOUNT, **params))

    def images_to_video(self, *, image_files: Sequence[Path] = (),
                        image_urls: Sequence[str] = (), **params: Any) -> dict[str, Any]:
        sources: dict[str, Any] = {}
        if image_files:
            sources["image_files"] = list(image_files)
        if image_urls:
            sources["image_urls"] = list(image_urls)
        return self._spend(lambda: self.engine.images_to_video(account=ACCOUNT, **sources,
                                                               **params))

    def create_storyboard(self, **params: Any) -> dict[str, Any]:
        return self._spend(lambda: self.engine.create_storyboard(account=ACCOUNT, **params))

    def generate_scenes(self, story_id: str, **params: Any) -> dict[str, Any]:
        return self._spend(lambda: self.engine.generate_scenes(story_id, account=ACCOUNT,
                                                               **params))

    def create_videos(self, story_id: str, **params: Any) -> dict[str, Any]:
        return self._spend(lambda: self.engine.create_videos(story_id, account=ACCOUNT,
                                                             **params))

    def get_story(self, story_id: str) -> dict[str, Any]:
        return self.engine.get_story(story_id, account=ACCOUNT)

    def update_story(self, story_id: str, *, title: str | None = None,
                     description: str | None = None,
                     visibility_status: str | None = None) -> dict[str, Any]:
        return self.engine.update_story(story_id, account=ACCOUNT, title=title,
                                        description=description,
                                        visibility_status=visibility_status)

    def delete_story(self, story_id: str) -> dict[str, Any]:
        return self.engine.delete_story(story_id, account=ACCOUNT)


def _quiet_engine_logs() -> None:
    """In the CLI a failed story is reported once, in the summary, with the engine's
    message; without a handler Python would also dump the engine's traceback on stderr.
    An application that configures logging itself still gets every record."""
    logger = logging.getLogger("vidflow.engine")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


def _url_path(url: str) -> str:
    """"/media/x.mp4" from a relative path or an absolute URL."""
    from urllib.parse import urlparse

    return urlparse(url).path if "://" in url else url
