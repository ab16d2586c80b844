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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vidflow.api.models import StoryRecord
from vidflow.errors import MediaError
from vidflow.hashing import sha256_file
from vidflow.providers.base import ApiProvider, local_file
from vidflow.spec.model import ResolvedStory

ACCOUNT = "local"
DEFAULT_DATA_DIR = ".vidflow/engine"


class LocalProvider(ApiProvider):
    identity = "local"
    poll_first = 0.1
    poll_max = 1.0

    def __init__(self, root: Path, *, data_dir: str | None = None,
                 overrides: Mapping[str, Any] | None = None, resume: bool = True) -> None:
        """`resume=False` reads the engine's stories without restarting the renders an
        interrupted apply left (plan and refresh only look; apply resumes them)."""
        super().__init__(root)
        from vidflow.engine.service import EngineConfig, StoryEngine

        _quiet_engine_logs()
        self.data_dir = (self.root / (data_dir or DEFAULT_DATA_DIR)).resolve()
        config = EngineConfig(data_dir=self.data_dir, resume=resume,
                              **dict(overrides or {}))
        self.engine = StoryEngine(config)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return getattr(self.engine, name)(*args, account=ACCOUNT, **kwargs)

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

    def download(self, record: StoryRecord, dest: Path) -> str:
        """Copy the engine's file beside `dest`, verify it, then rename into place."""
        if not record.video_url:
            raise MediaError(f"story {record.id} has no video_url to download")
        source = self.engine.media_path(_url_path(record.video_url))
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
                raise MediaError(f"story {record.id}: the video file is empty")
            digest = sha256_file(tmp)
            tmp.chmod(0o644)  # mkstemp makes it private; a video is an ordinary file
            os.replace(tmp, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return digest

    def close(self) -> None:
        self.engine.close()


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
