"""The `http` provider: any server speaking the Story API (the hosted one, `vidflow serve`).

The key comes from the environment variable the spec names (`api_key_env`, default
VIMMERSE_API_KEY); it is handed to the client and never printed or recorded.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from vidflow.api.client import StoryClient
from vidflow.api.models import StoryRecord
from vidflow.contract.params import EXTENSIONS
from vidflow.errors import (
    ApiConnectionError,
    MediaError,
    PlanError,
    Unauthorized,
    VidflowError,
)
from vidflow.providers.base import ApiProvider, local_element_images
from vidflow.scrub import scrub_url
from vidflow.spec.model import ResolvedStory


def api_key_from_env(name: str, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    key = environ.get(name, "").strip()
    if not key:
        raise VidflowError(f"the http provider needs an API key in the environment "
                           f"variable {name}, which is not set",
                           hint=f"export {name}=<your key>, or use provider: {{type: local}}")
    return key


class HttpProvider(ApiProvider):
    poll_first = 0.5
    poll_max = 5.0

    def __init__(self, root: Path, *, base_url: str, api_key_env: str = "VIMMERSE_API_KEY",
                 environ: Mapping[str, str] | None = None) -> None:
        if not base_url:
            raise VidflowError("the http provider needs provider.base_url in the spec")
        self.base_url = base_url.rstrip("/")
        self.api_key_env = api_key_env
        self.identity = f"http:{self.base_url}"
        # The client is the http transport's one retry layer (vidflow.api.retry's rules).
        self.client = StoryClient(self.base_url, api_key=api_key_from_env(api_key_env,
                                                                           environ))
        super().__init__(root, self.client)

    @functools.cached_property
    def honours_idempotency_keys(self) -> bool:  # type: ignore[override]
        """Asked once, before the first paid call: does the server announce it?"""
        return self.client.honours_idempotency_keys()

    @property
    def backend(self) -> StoryClient:
        return self.client  # whichever client is set now (tests swap in their own)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (Unauthorized, ApiConnectionError) as exc:
            raise self._with_hint(exc) from None

    def _with_hint(self, exc: VidflowError) -> VidflowError:
        """The error with the fix the user needs added (the client cannot know it)."""
        if exc.hint:
            return exc
        if isinstance(exc, Unauthorized):
            exc.hint = (f"check the API key in the environment variable {self.api_key_env} "
                        f"(the server at {scrub_url(self.base_url)} refused it)")
        elif "refused" in exc.message:
            exc.hint = (f"is the server at {scrub_url(self.base_url)} running? check "
                        "provider.base_url, or pass --no-refresh to plan offline")
        return exc

    def check(self, story: ResolvedStory) -> None:
        """There is no upload route for element images: they must be URLs here; and a
        vidflow extension the story uses must be one the server announces, before paying."""
        missing = sorted(n for n in EXTENSIONS if n in story.params and n not in self.extensions)
        if missing:
            raise PlanError(
                f"{story.address}: {missing[0]}: a vidflow extension the server at "
                f"{scrub_url(self.base_url)} does not announce (the hosted Story API has "
                "none); nothing was sent",
                hint=f"use provider: {{type: local}} or a `vidflow serve`, or remove "
                     f"{missing[0]} from the story")
        fields = local_element_images(story)
        if fields:
            raise PlanError(
                f"{story.address}: {fields[0]}: a local file cannot be sent to the http "
                f"provider (the Story API has no upload for element images)",
                hint="use image_url with a public URL, or provider: {type: local}")

    def download(self, record: StoryRecord, dest: Path) -> str:
        if not record.video_url:
            raise MediaError(f"story {record.id} has no video_url to download")
        return self.fetch_media(record, record.video_url, dest)

    def fetch_media(self, record: StoryRecord, url: str, dest: Path) -> str:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with self._errors():
            return self.client.download(url, dest)

    @functools.cached_property
    def extensions(self) -> frozenset[str]:
        """Asked once, before the first paid call that needs one: what the server
        announces (`vidflow serve` lists its extensions; the hosted API has none)."""
        return self.client.extensions()

    def close(self) -> None:
        self.client.close()
