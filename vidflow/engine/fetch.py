"""Fetching user-supplied URLs through the outbound guard, and the limits on user media.

Used for image_urls, element image URLs, url-mode pages and concat inputs. Every request goes
through `outbound` (public addresses only unless the operator opened a network; sizes and
times capped; one generic message on failure). A URL whose path is one of this engine's own
"/media/..." files is read from disk instead (the server's clients hand our own URLs back).
"""

from __future__ import annotations

import html
import re
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

from vidflow.engine import outbound
from vidflow.engine.outbound import CLOSED, Opening
from vidflow.errors import MediaError, NotFound

MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # width x height; refused before anything decodes the image
MAX_MEDIA_BYTES = 500 * 1024 * 1024
MAX_PAGE_BYTES = 2 * 1024 * 1024
MEDIA_TIMEOUT = 300.0  # seconds for a whole video/audio download (images, pages: 30)
PAGE_TEXT_CHARS = 4000

LocalResolver = Callable[[str], Path | None]


def fetch_bytes(url: str, *, max_bytes: int, opening: Opening = CLOSED,
                total_timeout: float = outbound.TOTAL_TIMEOUT) -> tuple[bytes, str]:
    """The body (at most max_bytes, within total_timeout seconds) and its content type."""
    answer = outbound.get(url, max_bytes=max_bytes, opening=opening,
                          total_timeout=total_timeout)
    return answer.body, answer.headers.get("content-type", "")


def fetch_to(url: str, out: Path, *, max_bytes: int = MAX_IMAGE_BYTES,
             local: LocalResolver | None = None, opening: Opening = CLOSED) -> Path:
    """Save a URL's body to `out` (our own /media URLs are copied from disk)."""
    source = local(url) if local else None
    out.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        shutil.copyfile(source, out)
        return out
    timeout = MEDIA_TIMEOUT if max_bytes > MAX_IMAGE_BYTES else outbound.TOTAL_TIMEOUT
    data, _ = fetch_bytes(url, max_bytes=max_bytes, opening=opening, total_timeout=timeout)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)  # a half-written download is never mistaken for a finished one
    return out


def page_text(url: str, *, opening: Opening = CLOSED) -> str:
    """The readable text of a web page: title, headings, paragraphs; tags stripped."""
    data, ctype = fetch_bytes(url, max_bytes=MAX_PAGE_BYTES, opening=opening)
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
            raise MediaError(f"{outbound.display_url(url)} is not a file of this engine"
                             ) from exc

    return resolve


def image_size_problem(path: Path) -> str | None:
    """What is wrong with an image file before it is decoded (None: fine to open).

    Pillow reads only the header for `.size`; a few hundred KB of PNG can declare a canvas
    of gigabytes, which must be refused here, not discovered by decoding it."""
    from PIL import Image, UnidentifiedImageError

    too_large = f"is too large (at most {MAX_IMAGE_PIXELS} pixels)"
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own limit; ours is lower and decides below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path)
        with img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                return too_large.replace("(", f"({width}x{height}; ", 1)
            img.verify()  # structure and checksums; does not decode the pixels
    except Image.DecompressionBombError:  # past twice Pillow's limit: refused by Image.open
        return too_large
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "is not a readable image (JPEG, PNG or WebP expected)"
    return None
