"""A rendered story (one variant, plain dict) → ResolvedStory with the reference's defaults.

Local files become {"path": <relative to the project root, posix>, "sha256": <hex>}, so the
fingerprint changes exactly when a file's bytes change.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidflow.bulk import instance
from vidflow.contract.captions import effective_captions
from vidflow.contract.enums import VISIBILITY
from vidflow.contract.params import OPERATIONS
from vidflow.contract.storyboard import ELEMENT_KINDS, effective_audio
from vidflow.errors import Location
from vidflow.hashing import sha256_file
from vidflow.spec.canonical import fingerprint, storyboard_fingerprint
from vidflow.spec.model import DEFAULT_DEADLINE, Lifecycle, ResolvedStory
from vidflow.spec.overrides import normalized, overrides_fingerprint
from vidflow.spec.rules import MODE_PARAMS, PARAM_DEFAULTS, duration_seconds

Problem = tuple[tuple[str | int, ...], str, bool]


OUTSIDE = "outside"  # FileHasher.lookup's answer for a path leading out of the project


@dataclass
class FileHasher:
    """sha256 of local files, each read once per load however many variants use it.

    Only files inside the project folder count: `../x.png`, or a symlink to /etc/passwd,
    would let a spec read (and upload) any file the user can read.
    """

    root: Path
    _seen: dict[str, dict[str, str] | str | None] = field(default_factory=dict)

    def ref(self, relative: str) -> dict[str, str] | None:
        """{"path", "sha256"} for a spec-relative path, or None if it is not usable."""
        found = self.lookup(relative)
        return found if isinstance(found, dict) else None

    def lookup(self, relative: str) -> dict[str, str] | str | None:
        """{"path", "sha256"}; OUTSIDE for a file outside the project; None: no file."""
        if relative not in self._seen:
            self._seen[relative] = self._lookup(relative)
        return self._seen[relative]

    def _lookup(self, relative: str) -> dict[str, str] | str | None:
        if Path(relative).is_absolute():
            return None
        target = self.root / relative
        try:
            real = target.resolve()
            if not target.is_file():
                return None
            if not real.is_relative_to(self.root.resolve()):
                return OUTSIDE
            digest = sha256_file(real)
        except (OSError, RuntimeError, ValueError):  # unreadable, a link loop, a NUL byte
            return None
        rel = os.path.relpath(target, self.root).replace(os.sep, "/")
        return {"path": rel, "sha256": digest}


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
        params["idea"] = OPERATIONS["images_to_video"].default("idea")
    if "scene_duration" in params:
        params["scene_duration"] = str(params["scene_duration"])
    params["audio_option"] = effective_audio(story.get("audio_option") or {})
    # captions off is no parameter at all: fingerprints without captions stay as they were
    captions = effective_captions(params.pop("captions", None))
    if captions is not None:
        params["captions"] = captions
    if story.get("webhook_url"):
        params["webhook_url"] = story["webhook_url"]  # sent, but not in the fingerprint
    if "image_files" in params:
        params["image_files"] = [_file(p, ("image_files", i), files, problems)
                                 for i, p in enumerate(params["image_files"])]
    if "elements" in params:
        params["elements"] = _elements(params["elements"], "elements", files, problems)
    return params


def _elements(groups: dict[str, Any], top: str, files: FileHasher,
              problems: list[Problem]) -> dict[str, Any]:
    out = dict(groups)
    for kind in ELEMENT_KINDS:
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
    ref = files.lookup(relative)
    if ref == OUTSIDE:
        problems.append((path, f"{relative} is outside the project folder (through '..' or "
                               "a symlink); copy the file into the project", False))
    elif ref is None or isinstance(ref, str):
        where = "absolute paths are not allowed; use a path relative to the spec" \
            if Path(relative).is_absolute() else "paths are relative to the project folder"
        problems.append((path, f"file not found: {relative} ({where})", False))
    else:
        return ref
    return {"path": relative, "sha256": ""}


def build_story(address: str, story: dict[str, Any], *, output: str, files: FileHasher,
                location: Location | None, variant: dict[str, Any],
                problems: list[Problem], root_location: Location | None = None,
                override_locations: Mapping[str, Location] | None = None,
                ) -> ResolvedStory:
    mode = story.get("mode", "idea")
    params = build_params(mode, story, files, problems)
    pinned = None
    if mode == "storyboard" and "storyboard" in story:
        pinned = _elements(story["storyboard"], "storyboard", files, problems)
    lifecycle = story.get("lifecycle") or {}
    overrides = normalized(story.get("overrides")) if mode != "storyboard" else None
    # ResolvedStory(...) with every field, in field order, without its frozen __init__
    return instance(ResolvedStory, {
        "address": address,
        "mode": mode,
        "params": params,
        "title": story.get("title") or "",
        "description": story.get("description") or "",
        "visibility_status": VISIBILITY[story.get("visibility", "private")],
        "storyboard": pinned,
        "output": output,
        "lifecycle": _LIFECYCLES[bool(lifecycle.get("prevent_destroy", False))],
        "location": location,
        "fingerprint": fingerprint(mode, params),
        "storyboard_fingerprint": storyboard_fingerprint(pinned),
        "overrides": overrides,
        "overrides_fingerprint": overrides_fingerprint(overrides),
        "webhook_url": story.get("webhook_url") or None,
        "variant": variant,
        "root_location": root_location,
        "deadline": duration_seconds(story.get("deadline") or DEFAULT_DEADLINE),
        "override_locations": override_locations or {},
    })


# Lifecycle is frozen: the two values are shared by every story
_LIFECYCLES = {flag: Lifecycle(prevent_destroy=flag) for flag in (False, True)}
