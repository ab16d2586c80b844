"""Uploaded images: checked by content (not by name or declared type), stored under names
the server chooses, inside the data folder. Nothing the client sends becomes a path.

Uploads are a request's temporary files: the engine copies what it keeps into the story's
own folder, so the app `remove`s them when the request ends, accepted or refused.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vidflow.engine.fetch import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, image_size_problem
from vidflow.errors import ValidationFailed

MAX_UPLOAD_BYTES = MAX_IMAGE_BYTES  # the same limits as for images fetched from URLs
MAX_PIXELS = MAX_IMAGE_PIXELS
_CHUNK = 1024 * 1024


def sniff_image(head: bytes) -> str | None:
    """The file extension for a JPEG, PNG or WebP by its magic bytes; None otherwise."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True)
class UploadProblem:
    index: int
    msg: str
    kind: str


def _problem(field: str, p: UploadProblem) -> ValidationFailed:
    detail = {"loc": ["body", field, p.index], "msg": p.msg, "type": p.kind}
    return ValidationFailed(f"{field}[{p.index}]: {p.msg}", details=[detail])


def _copy_limited(src: BinaryIO, dst: BinaryIO, limit: int) -> int:
    total = 0
    while chunk := src.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            return total
        dst.write(chunk)
    return total


def store_image(src: BinaryIO, folder: Path, index: int, *,
                max_bytes: int = MAX_UPLOAD_BYTES) -> Path | UploadProblem:
    """Copy one upload into `folder` under a random name; the path, or what is wrong."""
    head = src.read(16)
    ext = sniff_image(head)
    if ext is None:
        return UploadProblem(index, "must be a JPEG, PNG or WebP image", "file_type")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.{ext}"
    with open(path, "wb") as dst:
        dst.write(head)
        size = len(head) + _copy_limited(src, dst, max_bytes - len(head))
    problem = None
    if size > max_bytes:
        problem = UploadProblem(index, f"is larger than {max_bytes // (1024 * 1024)} MB",
                                "file_too_large")
    elif (msg := image_size_problem(path)) is not None:
        problem = UploadProblem(index, msg, "file_type")
    if problem is not None:
        path.unlink(missing_ok=True)
        return problem
    return path


def store_images(files: list[BinaryIO], folder: Path, *, field: str = "image_files",
                 max_bytes: int = MAX_UPLOAD_BYTES) -> list[Path]:
    """Store every upload or none: the first bad one is a 422 naming `field[index]`."""
    stored: list[Path] = []
    for index, src in enumerate(files):
        result = store_image(src, folder, index, max_bytes=max_bytes)
        if isinstance(result, UploadProblem):
            remove(stored)
            raise _problem(field, result)
        stored.append(result)
    return stored


def remove(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)

