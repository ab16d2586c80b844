"""Content-addressed asset files: the name is the sha256 of the inputs, so work is reused.

Every rendered file (element and scene images, narrations, music, clips, final videos) is
named `<stage>-<sha256(stage, version, inputs)>.<ext>`. If that file exists, the stage is
skipped; otherwise it is produced under a temporary name and renamed into place, so a
crash never leaves a half-written asset that would later be mistaken for a finished one.
An asset nobody may ask for (a scene's whole clip, which the film does not use) can be
deferred: its path is handed out with a recipe beside it, and it is made on first request.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vidflow.hashing import sha256_file

# Bump to invalidate every cached asset when a stage's output changes meaning.
ASSET_VERSION = "1"

_digest_cache: dict[tuple[str, int, int], str] = {}
_digest_lock = threading.Lock()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (memoized on path, size and mtime)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _digest_lock:
        if key in _digest_cache:
            return _digest_cache[key]
    digest = sha256_file(path)
    with _digest_lock:
        _digest_cache[key] = digest
    return digest


def inputs_key(stage: str, inputs: dict[str, Any]) -> str:
    """The canonical hash of a stage's inputs (paths must be given as digests)."""
    doc = json.dumps({"stage": stage, "v": ASSET_VERSION, "in": inputs}, sort_keys=True,
                     separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(doc.encode()).hexdigest()


class AssetStore:
    """One folder of content-addressed files; `produced` lists what was really rendered."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.produced: list[str] = []

    def path_for(self, stage: str, inputs: dict[str, Any], ext: str) -> Path:
        return self.folder / f"{stage}-{inputs_key(stage, inputs)}.{ext}"

    def get(self, stage: str, inputs: dict[str, Any], ext: str,
            produce: Callable[[Path], object]) -> Path:
        """The asset's path, produced first if it does not exist yet."""
        return self.make_at(self.path_for(stage, inputs, ext), produce)

    def make_at(self, path: Path, produce: Callable[[Path], object]) -> Path:
        """`path` (an asset's), produced under a temporary name first if it is missing."""
        if path.is_file() and path.stat().st_size > 0:
            return path
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
        try:
            produce(tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        self.produced.append(path.name)
        return path

    def defer(self, stage: str, inputs: dict[str, Any], ext: str,
              recipe: dict[str, Any]) -> Path:
        """The asset's path, not produced now: `recipe` (JSON) is written beside it, for
        whoever asks for the file first to make it (see `deferred_recipe`)."""
        path = self.path_for(stage, inputs, ext)
        if not path.is_file():
            self.folder.mkdir(parents=True, exist_ok=True)
            book = _recipe_path(path)
            tmp = book.with_name(f"{book.name}.{uuid.uuid4().hex[:8]}.tmp")
            tmp.write_text(json.dumps(recipe, sort_keys=True))
            os.replace(tmp, book)
        return path


def _recipe_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.recipe.json")


def deferred_recipe(path: Path) -> dict[str, Any] | None:
    """The recipe `AssetStore.defer` left for a missing asset, or None (not deferred, or
    unreadable: treated as absent, never trusted half-written)."""
    try:
        recipe = json.loads(_recipe_path(path).read_text())
    except (OSError, ValueError):
        return None
    return recipe if isinstance(recipe, dict) else None
