"""A rendered story (one variant, plain dict) → ResolvedStory with the reference's defaults.

Local files become {"path": <relative to the project root, posix>, "sha256": <hex>}, so the
fingerprint changes exactly when a file's bytes change.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidflow.errors import Location
from vidflow.spec.canonical import fingerprint, storyboard_fingerprint
from vidflow.spec.model import VISIBILITY, Lifecycle, ResolvedStory
from vidflow.spec.rules import DEFAULT_AUDIO, DEFAULT_IMAGES_IDEA, MODE_PARAMS, PARAM_DEFAULTS

Problem = tuple[tuple[str | int, ...], str, bool]
_ELEMENT_KINDS = ("objects", "characters", "environments")


@dataclass
class FileHasher:
    """sha256 of local files, each read once per load however many variants use it."""

    root: Path
    _seen: dict[str, dict[str, str] | None] = field(default_factory=dict)

    def ref(self, relative: str) -> dict[str, str] | None:
        """{"path", "sha256"} for a spec-relative path, or None if it is not a file."""
        if relative in self._seen:
            return self._seen[relative]
        target = self.root / relative
        result = None
        if not Path(relative).is_absolute() and target.is_file():
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            rel = os.path.relpath(target, self.root).replace(os.sep, "/")
            result = {"path": rel, "sha256": digest}
        self._seen[relative] = result
        return result


def build_params(mode: str, story: dict[str, Any], files: FileHasher,
                 problems: list[Problem]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    images_given = "image_urls" in story or "image_files" in story
    for name in MODE_PARAMS[mode]:
        if name in story:
            params[name] = story[name]
        elif name in PARAM_DEFAULTS and not (name == "scene_count" and images_given):
            params[name] = PARAM_DEFAULTS[name]
    if mode == "images" and not params.get("idea"):
        params["idea"] = DEFAULT_IMAGES_IDEA
    if "scene_duration" in params:
        params["scene_duration"] = str(params["scene_duration"])
    params["audio_option"] = _audio(story.get("audio_option") or {})
    if story.get("webhook_url"):
        params["webhook_url"] = story["webhook_url"]  # sent, but not in the fingerprint
    if "image_files" in params:
        params["image_files"] = [_file(p, ("image_files", i), files, problems)
                                 for i, p in enumerate(params["image_files"])]
    if "elements" in params:
        params["elements"] = _elements(params["elements"], "elements", files, problems)
    return params


def _audio(given: dict[str, Any]) -> dict[str, Any]:
    audio = {**DEFAULT_AUDIO, **given}
    if audio["native_audio"]:
        audio["has_narration"] = False  # the reference: native audio turns narration off
    return audio


def _elements(groups: dict[str, Any], top: str, files: FileHasher,
              problems: list[Problem]) -> dict[str, Any]:
    out = dict(groups)
    for kind in _ELEMENT_KINDS:
        if kind in groups:
            out[kind] = [_element(item, (top, kind, i), files, problems)
                         for i, item in enumerate(groups[kind])]
    return out


def _element(item: dict[str, Any], path: tuple[str | int, ...], files: FileHasher,
             problems: list[Problem]) -> dict[str, Any]:
    out = dict(item)
    out.setdefault("description", "")
    if "image" in item:
        out["image"] = _file(item["image"], (*path, "image"), files, problems)
    return out


def _file(relative: str, path: tuple[str | int, ...], files: FileHasher,
          problems: list[Problem]) -> dict[str, str]:
    ref = files.ref(relative)
    if ref is None:
        where = "absolute paths are not allowed; use a path relative to the spec" \
            if Path(relative).is_absolute() else "paths are relative to the project folder"
        problems.append((path, f"file not found: {relative} ({where})", False))
        return {"path": relative, "sha256": ""}
    return ref


def build_story(address: str, story: dict[str, Any], *, output: str, files: FileHasher,
                location: Location | None, variant: dict[str, Any],
                problems: list[Problem]) -> ResolvedStory:
    mode = story.get("mode", "idea")
    params = build_params(mode, story, files, problems)
    pinned = None
    if mode == "storyboard" and "storyboard" in story:
        pinned = _elements(story["storyboard"], "storyboard", files, problems)
    lifecycle = story.get("lifecycle") or {}
    return ResolvedStory(
        address=address,
        mode=mode,
        params=params,
        title=story.get("title") or "",
        description=story.get("description") or "",
        visibility_status=VISIBILITY[story.get("visibility", "private")],
        storyboard=pinned,
        output=output,
        lifecycle=Lifecycle(prevent_destroy=bool(lifecycle.get("prevent_destroy", False))),
        location=location,
        fingerprint=fingerprint(mode, params),
        storyboard_fingerprint=storyboard_fingerprint(pinned),
        webhook_url=story.get("webhook_url") or None,
        variant=variant,
    )
