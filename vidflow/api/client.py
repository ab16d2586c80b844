"""The Story API over HTTP: one method per route, typed records, typed errors, safe retries.

    client = StoryClient("http://127.0.0.1:8000")          # key from $VIMMERSE_API_KEY
    story = client.idea_to_video(idea="A fox in the snow", scene_count=2,
                                 audio_option={"has_narration": False})
    story = client.wait(story.id, on_progress=lambda s: print(s.progress_percentage))
    sha256 = client.download(story.video_url, "out/fox.mp4")

Retries follow `vidflow.api.retry` (a POST is only re-sent when the server provably did
not act on it). The API key goes only into the `X-Api-Key` header of requests to
`base_url`: never into a message, a repr, a log line or a media download.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from vidflow import faults
from vidflow.api.forms import encode_form
from vidflow.api.models import StoryRecord
from vidflow.api.poll import ProgressCallback, WaitTimeout, poll_until_done
from vidflow.api.retry import (
    RetryPolicy,
    never_sent,
    parse_retry_after,
    retry_delay,
    retry_on_exception,
    retry_on_status,
)
from vidflow.contract.params import EXTENSIONS_KEY, IDEMPOTENCY_EXTENSION, IDEMPOTENCY_HEADER
from vidflow.errors import (
    ApiConnectionError,
    ServerError,
    StoryApiError,
    Unauthorized,
    VidflowError,
    error_for_status,
)
from vidflow.scrub import scrub_text, scrub_url

log = logging.getLogger("vidflow.api")
__all__ = ["StoryClient", "WaitTimeout"]

Timeout = float | tuple[float, float]
_CHUNK = 256 * 1024


class _Secret:
    """Holds the API key; prints as `<secret>`, so no repr or vars() dump shows it."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


class _Incomplete(Exception):
    """A download ended before Content-Length bytes arrived."""


class StoryClient:
    def __init__(self, base_url: str, *, api_key: str | None = None,
                 api_key_env: str = "VIMMERSE_API_KEY", timeout: Timeout = (5, 60),
                 max_retries: int = 4, backoff: float = 0.5,
                 session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        key = api_key if api_key is not None else os.environ.get(api_key_env, "")
        if not key:
            raise Unauthorized(f"No API key for {scrub_url(base_url)}: set the {api_key_env} "
                               "environment variable")
        self.base_url = base_url.rstrip("/")
        self._key = _Secret(key)
        self.timeout = timeout
        self.policy = RetryPolicy(max_retries=max_retries, backoff=backoff)
        self._own_session = session is None
        self._session = session or requests.Session()
        self._sleep = sleep
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        return f"StoryClient({self.base_url!r})"

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    def __enter__(self) -> StoryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- automatic mode -------------------------------------------------------------
    def idea_to_video(self, **params: Any) -> StoryRecord:
        """POST /story/idea-2-video (idea, scene_count, audio_option={...}, ...)."""
        return self._post("/story/idea-2-video", "idea_to_video", params)

    def url_to_video(self, **params: Any) -> StoryRecord:
        """POST /story/url-2-video: the idea names the website URL."""
        return self._post("/story/url-2-video", "url_to_video", params)

    def images_to_video(self, *, image_files: Sequence[str | Path] = (),
                        image_urls: Sequence[str] = (), **params: Any) -> StoryRecord:
        """POST /story/images-2-video with uploaded files (paths) or image URLs."""
        return self._post("/story/images-2-video", "images_to_video",
                          {**params, "image_urls": list(image_urls) or None},
                          files=image_files)

    # --- advanced mode --------------------------------------------------------------
    def create_storyboard(self, *, image_files: Sequence[str | Path] = (),
                          image_urls: Sequence[str] = (), **params: Any) -> StoryRecord:
        """POST /story: a storyboard from an idea (and images); story_id edits one."""
        return self._post("/story", "create_storyboard",
                          {**params, "image_urls": list(image_urls) or None},
                          files=image_files)

    def generate_elements(self, story_id: str, **params: Any) -> StoryRecord:
        return self._post(f"/story/{_seg(story_id)}/elements", "generate_elements", params)

    def generate_scenes(self, story_id: str, **params: Any) -> StoryRecord:
        return self._post(f"/story/{_seg(story_id)}/scenes", "generate_scenes", params)

    def create_videos(self, story_id: str, **params: Any) -> StoryRecord:
        return self._post(f"/story/{_seg(story_id)}/videos", "create_videos", params)

    def concat(self, story_id: str, *, concat_video_urls: Sequence[str] | None = None,
               audio_urls: Sequence[str] | None = None) -> StoryRecord:
        return self._post(f"/story/{_seg(story_id)}/concat", "concat",
                          {"concat_video_urls": concat_video_urls, "audio_urls": audio_urls})

    # --- records ----------------------------------------------------------------------
    def get_story(self, story_id: str) -> StoryRecord:
        return self._call("GET", f"/story/{_seg(story_id)}")

    def update_story(self, story_id: str, *, title: str | None = None,
                     description: str | None = None,
                     visibility_status: str | None = None) -> StoryRecord:
        fields = encode_form("update_story", {"title": title, "description": description,
                                              "visibility_status": visibility_status})
        return self._call("PUT", f"/story/{_seg(story_id)}", fields=fields)

    def delete_story(self, story_id: str) -> StoryRecord:
        return self._call("DELETE", f"/story/{_seg(story_id)}")

    # --- helpers ----------------------------------------------------------------------
    def wait(self, story_id: str, *, on_progress: ProgressCallback | None = None,
             timeout: float | None = None, poll_interval: float = 1.0,
             max_interval: float = 15.0) -> StoryRecord:
        """Poll until success or fail (returned, not raised; `vidflow.api.poll`): the
        interval grows 1.5x per poll up to max_interval; a timeout raises WaitTimeout.
        `on_progress` sees each new (status, progress)."""
        return poll_until_done(self.get_story, story_id, on_progress=_changes(on_progress),
                               sleep=self._sleep, first_interval=poll_interval,
                               max_interval=max_interval, timeout=timeout)

    def download(self, video_url: str, path: str | Path) -> str:
        """Stream a media URL to `path` (temp file beside it, size checked against
        Content-Length, then renamed); the file's sha256 hex digest."""
        url = urljoin(self.base_url + "/", video_url)
        if urlsplit(url).scheme not in ("http", "https"):
            raise ApiConnectionError(f"Cannot download {video_url!r}: not an http(s) URL")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(self.policy.max_retries + 1):
            try:
                return self._download_once(url, target)
            except (requests.RequestException, _Incomplete) as exc:
                retryable = isinstance(exc, _Incomplete) or retry_on_exception("GET", exc)
                if attempt == self.policy.max_retries or not retryable:
                    raise ApiConnectionError(scrub_text(
                        f"Download of {url} failed: {_reason(exc)}")) from None
                self._pause(attempt, None, scrub_text(f"download of {url}: {_reason(exc)}"))
            except _RetryableStatus as exc:
                if attempt == self.policy.max_retries:
                    raise exc.error from None
                self._pause(attempt, exc.retry_after, scrub_text(f"download of {url}: {exc.error}"))
        raise AssertionError("unreachable")

    # --- transport ------------------------------------------------------------------
    def _post(self, path: str, operation: str, params: Mapping[str, Any],
              files: Sequence[str | Path] = ()) -> StoryRecord:
        """A paid POST; `idempotency_key` among the params travels as the Idempotency-Key
        header (a server that honours it answers a repeat with the first answer)."""
        params = dict(params)
        key = params.pop("idempotency_key", None)
        fields = encode_form(operation, {k: v for k, v in params.items() if v is not None})
        headers = {IDEMPOTENCY_HEADER: key} if key else {}
        return self._call("POST", path, fields=fields, files=[Path(f) for f in files],
                          headers=headers)

    def honours_idempotency_keys(self) -> bool:
        """Whether the server announces (in its OpenAPI document) that it honours the
        Idempotency-Key header; False when it does not say so, or cannot be asked."""
        return self._info().get(IDEMPOTENCY_EXTENSION) == IDEMPOTENCY_HEADER

    def extensions(self) -> frozenset[str]:
        """The vidflow extensions (e.g. captions) the server announces in its OpenAPI
        document; none when it does not say, or cannot be asked (the hosted API)."""
        listed = self._info().get(EXTENSIONS_KEY)
        return frozenset(str(x) for x in listed) if isinstance(listed, list) else frozenset()

    def _info(self) -> dict[str, Any]:
        """The `info` of the server's OpenAPI document ({} when it cannot be read)."""
        try:
            resp = self._session.get(self.base_url + "/openapi.json", timeout=self.timeout)
            with resp:
                doc = resp.json() if resp.status_code == 200 else {}
        except (requests.RequestException, ValueError):
            return {}
        info = doc.get("info") if isinstance(doc, dict) else None
        return info if isinstance(info, dict) else {}

    def _call(self, method: str, path: str, *, fields: list[tuple[str, str]] | None = None,
              files: Sequence[Path] = (), headers: Mapping[str, str] | None = None
              ) -> StoryRecord:
        url = self.base_url + path
        for attempt in range(self.policy.max_retries + 1):
            last = attempt == self.policy.max_retries
            try:
                if method == "POST":
                    faults.reached("request-sending")
                with _opened(files) as uploads:
                    resp = self._session.request(
                        method, url, data=fields or None, files=uploads or None,
                        headers={"X-Api-Key": self._key.value, "Accept": "application/json",
                                 **(headers or {})},
                        timeout=self.timeout)
            except requests.RequestException as exc:
                if last or not retry_on_exception(method, exc):
                    raise _connection_error(method, url, exc) from None
                self._pause(attempt, None, scrub_text(f"{method} {path}: {_reason(exc)}"))
                continue
            with resp:
                if resp.status_code < 400:
                    return _record(method, path, resp)
                error = _http_error(method, path, resp)
            retry_after = getattr(error, "retry_after", None)
            if last or not retry_on_status(method, resp.status_code) or (
                    retry_after is not None and retry_after > self.policy.max_retry_after):
                raise error
            self._pause(attempt, retry_after, f"{method} {path}: {resp.status_code}")
        raise AssertionError("unreachable")

    def _pause(self, attempt: int, retry_after: float | None, why: str) -> None:
        delay = retry_delay(attempt, self.policy, self._rng, retry_after)
        log.info("retrying %s in %.2fs (attempt %d of %d)", why, delay, attempt + 2,
                 self.policy.max_retries + 1)
        self._sleep(delay)

    def _download_once(self, url: str, target: Path) -> str:
        # no X-Api-Key: media URLs are public, and may be on another host
        with self._session.get(url, stream=True, timeout=self.timeout,
                               headers={"Accept-Encoding": "identity"}) as resp:
            if resp.status_code >= 400:
                error = _http_error("GET", urlsplit(url).path, resp)
                if retry_on_status("GET", resp.status_code):
                    raise _RetryableStatus(error, getattr(error, "retry_after", None))
                raise error
            encoded = resp.headers.get("Content-Encoding", "identity") != "identity"
            expected = None if encoded else resp.headers.get("Content-Length")
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                       dir=target.parent)
            try:
                digest, size = hashlib.sha256(), 0
                with os.fdopen(fd, "wb") as out:
                    for chunk in resp.iter_content(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                if expected is not None and size != int(expected):
                    raise _Incomplete(f"got {size} of {expected} bytes")
                os.chmod(tmp, 0o644)  # mkstemp makes 0600; a video is an ordinary file
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        return digest.hexdigest()


def _changes(on_progress: ProgressCallback | None) -> ProgressCallback | None:
    """`on_progress` called only when the (status, progress) pair changed."""
    if on_progress is None:
        return None
    seen: list[tuple[str, int]] = []

    def report(record: StoryRecord) -> None:
        now = (record.status, record.progress_percentage)
        if not seen or seen[-1] != now:
            seen[:] = [now]
            on_progress(record)

    return report


class _RetryableStatus(Exception):
    def __init__(self, error: StoryApiError, retry_after: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _seg(story_id: str) -> str:
    """A story id as one path segment (never lets an id reach another route)."""
    from urllib.parse import quote

    return quote(str(story_id), safe="")


@contextlib.contextmanager
def _opened(files: Sequence[Path]) -> Iterator[list[tuple[str, Any]]]:
    """Multipart `image_files` parts, opened fresh for each attempt and always closed."""
    with contextlib.ExitStack() as stack:
        parts = []
        for path in files:
            try:
                handle = stack.enter_context(open(path, "rb"))
            except OSError as exc:
                raise VidflowError(f"Cannot read image file {path}: {exc.strerror}") from None
            parts.append(("image_files", (path.name, handle, "application/octet-stream")))
        yield parts


def _reason(exc: BaseException) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, requests.ReadTimeout):
        return "timed out waiting for the response"
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        if "refused" in text.lower():
            return "connection refused"
        return "connection failed"
    return type(exc).__name__ + (f": {exc}" if isinstance(exc, _Incomplete) else "")


def _connection_error(method: str, url: str, exc: requests.RequestException) -> StoryApiError:
    msg = scrub_text(f"{method} {url}: {_reason(exc)}")
    if method == "POST" and isinstance(exc, requests.ReadTimeout):
        msg += (" (not retried: the server may have accepted it, and a second request could "
                "pay for the story twice; check the story list before trying again)")
    error = ApiConnectionError(msg)
    error.sent = not never_sent(exc)
    return error


def _detail_text(detail: Any) -> str:
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, Mapping):
                loc = [str(p) for p in item.get("loc", []) if p != "body"]
                parts.append(f"{'.'.join(loc)}: {item.get('msg', '')}" if loc
                             else str(item.get("msg", "")))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)


def _http_error(method: str, path: str, resp: requests.Response) -> StoryApiError:
    try:
        body = resp.json()
        detail = body.get("detail", body) if isinstance(body, dict) else body
    except ValueError:
        detail = resp.text[:500].strip() or resp.reason
    text = _detail_text(detail) or resp.reason or "error"
    message = f"{method} {path}: {resp.status_code} {text}"
    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
    error = error_for_status(resp.status_code, message, details=detail,
                             retry_after=retry_after)
    if 400 <= resp.status_code < 500 and isinstance(error, ServerError):
        # a 4xx the reference does not list (413, 405...): the caller's fault, not ours
        error = error_for_status(400, message, details=detail)
        error.status = resp.status_code
    return error


def _record(method: str, path: str, resp: requests.Response) -> StoryRecord:
    try:
        data = resp.json()["data"]
        return StoryRecord.from_api(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise ServerError(f"{method} {path}: {resp.status_code} response is not a story "
                          f"object ({type(exc).__name__})") from None
