"""Storyboard overrides: a generated story's storyboard, with a few fields changed by hand.

A storyboard here is the reference's own shape (`STORYBOARD_KEYS` arrays, each element and
scene with only `ELEMENT_FIELDS` / `SCENE_FIELDS`): what `vidflow storyboard` prints and
what the lockfile records as the story's `storyboard` (the one the engine generated, before
any override). Overrides are partial: scenes keyed by 1-based position (as text, so a plan
saved as JSON reads back the same), elements by name:

    {"scenes": {"3": {"narrator": "..."}}, "characters": {"Fox": {"description": "..."}}}

`apply_overrides(base, overrides)` is the storyboard sent to POST /story/{id}/scenes; a
plan shows `board_changes(before, after)` scene by scene. Pure functions, no I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from vidflow.contract.storyboard import (
    ELEMENT_FIELDS,
    ELEMENT_IMAGE_FIELDS,
    ELEMENT_KINDS,
    SCENE_FIELDS,
    SHOWN_KINDS,
)
from vidflow.spec.canonical import canonical_json, sha256_text
from vidflow.suggest import did_you_mean

OVERRIDE_KINDS = ("scenes", *ELEMENT_KINDS)
# an element is named by its key, so `name` is not overridden (it would rename it)
ELEMENT_OVERRIDE_FIELDS = tuple(f for f in ELEMENT_FIELDS if f != "name")
SCENE_OVERRIDE_FIELDS = SCENE_FIELDS
# what `vidflow storyboard` leaves out of elements: the engine's generated image URLs
_SHOWN_ELEMENT_FIELDS = tuple(f for f in ELEMENT_FIELDS if f not in ELEMENT_IMAGE_FIELDS)


def reference_shape(board: Mapping[str, Any] | None) -> dict[str, Any]:
    """The storyboard as the spec writes it: the four arrays, each item with the
    reference's fields only (no media URLs, no engine bookkeeping such as durations)."""
    board = board or {}
    out: dict[str, Any] = {}
    for kind in ELEMENT_KINDS:
        out[kind] = [{k: item[k] for k in _SHOWN_ELEMENT_FIELDS if k in item}
                     for item in board.get(kind) or [] if isinstance(item, dict)]
    out["scenes"] = [{k: copy.deepcopy(scene[k]) for k in SCENE_FIELDS if k in scene}
                     for scene in board.get("scenes") or [] if isinstance(scene, dict)]
    return out


def normalized(overrides: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Overrides with scene keys as text and empty groups dropped; None when empty."""
    if not overrides:
        return None
    out: dict[str, Any] = {}
    for kind in OVERRIDE_KINDS:
        group = overrides.get(kind) or {}
        items = {str(key): dict(value) for key, value in group.items()
                 if isinstance(value, Mapping) and value}
        if items:
            out[kind] = dict(sorted(items.items(), key=lambda kv: _sort_key(kind, kv[0])))
    return out or None


def _sort_key(kind: str, key: str) -> tuple[int, str]:
    return (int(key), "") if kind == "scenes" and key.isdigit() else (0, key)


def overrides_fingerprint(overrides: Mapping[str, Any] | None) -> str | None:
    """The overrides' own hash, apart from the generation fingerprint: a change is a
    regenerate on the same story, never a new story."""
    return None if not overrides else sha256_text(canonical_json(overrides))


def override_problems(board: Mapping[str, Any], overrides: Mapping[str, Any] | None,
                      ) -> list[tuple[str, str]]:
    """(path, message) for each override the storyboard has nothing for: a scene past its
    last, an element name it does not have."""
    problems: list[tuple[str, str]] = []
    if not overrides:
        return problems
    count = len(board.get("scenes") or [])
    for key in (overrides.get("scenes") or {}):
        if not str(key).isdigit() or not 1 <= int(key) <= count:
            problems.append((f"overrides.scenes.{key}",
                             f"the story has {count} scenes; number them 1 to {count}"))
    for kind in ELEMENT_KINDS:
        names = [item.get("name") for item in board.get(kind) or []]
        for name in (overrides.get(kind) or {}):
            if name not in names:
                known = ", ".join(repr(n) for n in names) or "none"
                problems.append((f"overrides.{kind}.{name}",
                                 f"no {kind[:-1] if kind != 'objects' else 'object'} named "
                                 f"{name!r} in the story's storyboard (it has {known}); "
                                 "see `vidflow storyboard ADDR`"))
    board = apply_overrides(board, overrides)  # the names a changed scene now shows
    for key, fields in (overrides.get("scenes") or {}).items():
        index = int(key) - 1 if str(key).isdigit() else -1
        if 0 <= index < count and isinstance(fields, Mapping) and "elements" in fields:
            problems += [(f"overrides.scenes.{key}.elements.{path[-1]}", text)
                         for path, text in unknown_names(board, index)]
    return problems


def shown_names(board: Mapping[str, Any]) -> list[str]:
    """The names a scene's `elements` can show: its characters' and objects' (an
    environment is the scene's `environment`, free text the backdrop is chosen by)."""
    return [str(item["name"]) for kind in SHOWN_KINDS
            for item in board.get(kind) or []
            if isinstance(item, Mapping) and isinstance(item.get("name"), str)]


def unknown_names(board: Mapping[str, Any], index: int
                  ) -> list[tuple[tuple[str | int, ...], str]]:
    """(path from the board, message) for each name in scene `index`'s `elements` that
    is none of the storyboard's characters or objects: the engine draws only those, so a
    mistyped name would be paid for and silently left out of the picture."""
    scene = (board.get("scenes") or [])[index]
    names = shown_names(board)
    listed = scene.get("elements") if isinstance(scene, Mapping) else None
    known = ", ".join(repr(n) for n in names) or "none"
    return [(("scenes", index, "elements", j), f"no character or object named {name!r} in "
             f"the storyboard (it has {known})" + did_you_mean(name, names))
            for j, name in enumerate(listed if isinstance(listed, list) else [])
            if isinstance(name, str) and name not in names]


def apply_overrides(base: Mapping[str, Any], overrides: Mapping[str, Any] | None
                    ) -> dict[str, Any]:
    """The storyboard `base` with `overrides` merged in (fields replaced, never removed).
    Overrides naming nothing in `base` are skipped (`override_problems` reports them)."""
    board = reference_shape(base)
    for key, fields in (overrides or {}).get("scenes", {}).items():
        index = int(key) - 1 if str(key).isdigit() else -1
        if 0 <= index < len(board["scenes"]):
            board["scenes"][index].update(copy.deepcopy(fields))
    for kind in ELEMENT_KINDS:
        for name, fields in (overrides or {}).get(kind, {}).items():
            for item in board[kind]:
                if item.get("name") == name:
                    item.update(copy.deepcopy(fields))
    return board


def board_changes(before: Mapping[str, Any], after: Mapping[str, Any]
                  ) -> Iterator[tuple[str, Any, Any]]:
    """(path, old, new) per changed field: `scenes[3].narrator`, `characters[Fox].description`
    (scenes numbered from 1, as overrides number them; elements by name)."""
    old_scenes, new_scenes = before.get("scenes") or [], after.get("scenes") or []
    for index in range(max(len(old_scenes), len(new_scenes))):
        old = old_scenes[index] if index < len(old_scenes) else {}
        new = new_scenes[index] if index < len(new_scenes) else {}
        for field in sorted(old.keys() | new.keys()):
            if old.get(field) != new.get(field):
                yield f"scenes[{index + 1}].{field}", old.get(field), new.get(field)
    for kind in ELEMENT_KINDS:
        olds = {i.get("name"): i for i in before.get(kind) or []}
        news = {i.get("name"): i for i in after.get(kind) or []}
        for name in sorted(olds.keys() | news.keys(), key=str):
            old, new = olds.get(name, {}), news.get(name, {})
            for field in sorted(old.keys() | new.keys()):
                if old.get(field) != new.get(field):
                    yield f"{kind}[{name}].{field}", old.get(field), new.get(field)


def scenes_touched(board: Mapping[str, Any], paths: Iterator[str] | list[str]) -> set[int]:
    """The 1-based scenes a set of changed paths re-renders: the scenes changed, and the
    scenes showing a changed element (by name, or as their environment)."""
    touched: set[int] = set()
    scenes = board.get("scenes") or []
    for path in paths:
        head = path.split(".", 1)[0]
        if head.startswith("scenes[") and head[7:-1].isdigit():
            touched.add(int(head[7:-1]))
            continue
        name = head.partition("[")[2][:-1]
        for number, scene in enumerate(scenes, start=1):
            if name in (scene.get("elements") or []) or scene.get("environment") == name:
                touched.add(number)
    return touched
