"""Fetching user-supplied URLs: http(s) only, timeouts, a size limit, errors as MediaError.

Used for image_urls, element image URLs, url-mode pages and concat inputs. A URL whose path
is one of this engine's own "/media/..." files is read from disk instead (the server's
clients hand our own URLs back to us).
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import requests

from vidflow.errors import MediaError, NotFound

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_MEDIA_BYTES = 500 * 1024 * 1024
MAX_PAGE_BYTES = 2 * 1024 * 1024
PAGE_TEXT_CHARS = 4000

LocalResolver = Callable[[str], Path | None]


def _check_scheme(url: str) -> None:
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise MediaError(f"Only http(s) URLs can be fetched: {url!r}")


def fetch_bytes(url: str, *, max_bytes: int) -> tuple[bytes, str]:
    """The body (at most max_bytes) and its content type."""
    _check_scheme(url)
    try:
        with requests.get(url, stream=True, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                          headers={"User-Agent": "vidflow-engine"}) as resp:
            if resp.status_code >= 400:
                raise MediaError(f"Fetching {url} failed: HTTP {resp.status_code}")
            declared = int(resp.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise MediaError(f"{url} is too large ({declared} bytes; limit {max_bytes})")
            chunks, total = [], 0
            for chunk in resp.iter_content(64 * 1024):
                total += len(chunk)
                if total > max_bytes:
                    raise MediaError(f"{url} is too large (over {max_bytes} bytes)")
                chunks.append(chunk)
            return b"".join(chunks), resp.headers.get("Content-Type", "")
    except requests.RequestException as exc:
        raise MediaError(f"Fetching {url} failed: {type(exc).__name__}") from exc


def fetch_to(url: str, out: Path, *, max_bytes: int = MAX_IMAGE_BYTES,
             local: LocalResolver | None = None) -> Path:
    """Save a URL's body to `out` (our own /media URLs are copied from disk)."""
    source = local(url) if local else None
    out.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, out)
        return out
    data, _ = fetch_bytes(url, max_bytes=max_bytes)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)  # a half-written download is never mistaken for a finished one
    return out


def page_text(url: str) -> str:
    """The readable text of a web page: title, headings, paragraphs; tags stripped."""
    data, ctype = fetch_bytes(url, max_bytes=MAX_PAGE_BYTES)
    text = data.decode("utf-8", errors="replace")
    if "html" in ctype.lower() or "<html" in text[:2000].lower():
        text = html_to_text(text)
    return re.sub(r"\s+", " ", text).strip()[:PAGE_TEXT_CHARS]


def html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|noscript|svg)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?s)<!--.*?-->", " ", markup)
    markup = re.sub(r"(?i)<(br|/p|/h\d|/li|/div|/title)\s*/?>", ". ", markup)
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    text = re.sub(r"(\.\s*){2,}", ". ", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def local_media_resolver(public_base_url: str, media_path: Callable[[str], Path]) -> LocalResolver:
    """Map "/media/..." or "<public_base_url>/media/..." to the file on disk, else None."""
    base = public_base_url.rstrip("/")

    def resolve(url: str) -> Path | None:
        path = url
        if base and url.startswith(base + "/media/"):
            path = url[len(base):]
        if not path.startswith("/media/"):
            return None
        try:
            return media_path(path)
        except NotFound as exc:
            raise MediaError(f"{url} is not a file of this engine") from exc

    return resolve
