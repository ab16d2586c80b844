"""The gallery's data: one card per story, from the specs, the lockfile and the planner.

Read-only: the lockfile is read without the state lock (it is replaced atomically, so a
read sees one whole version), the plan is made with no refresh (no provider, no
network), and nothing is written but the posters of videos that have none yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidflow.gallery import story_slug
from vidflow.gallery.posters import Scene, scenes_of, side_files_for
from vidflow.paths import UnsafePath, checked_input
from vidflow.plan.model import Action
from vidflow.plan.planner import story_name
from vidflow.spec.model import Project
from vidflow.state.lockfile import LockEntry, Lockfile
from vidflow.state.transitions import is_downloaded

NO_CREDITS = "—"  # a story with no lockfile entry has used none that vidflow knows of


@dataclass(frozen=True)
class Card:
    address: str
    slug: str
    name: str  # the story name, without the variant key
    variant: dict[str, str]  # the address's variant key values, as text
    title: str
    status: str  # the lockfile's status, or "not applied"
    credits: str  # used credits as the lockfile records them, or NO_CREDITS
    plan_state: str  # "in sync" or "would change: <symbol> <action>"
    in_sync: bool
    source: str  # spec file:line of the story ("" for a story only the lockfile has)
    video: Path | None = None  # absolute, checked to be inside the project
    poster: Path | None = None
    strip: Path | None = None
    scenes: tuple[Scene, ...] = ()


@dataclass(frozen=True)
class Group:
    """One story name's variants laid out as a matrix: rows by the first variant key,
    columns by the others (one key: one row; no variants: a 1x1 matrix)."""

    name: str
    slug: str
    row_key: str  # "" without variants
    column_keys: tuple[str, ...]
    rows: tuple[str, ...]  # row values, as text
    columns: tuple[str, ...]  # column labels: "k=v, k2=v2"
    cells: dict[tuple[str, str], Card] = field(default_factory=dict)

    @property
    def cards(self) -> list[Card]:
        return [self.cells[k] for k in sorted(self.cells)]


def variant_of(address: str) -> dict[str, str]:
    """`promo[aspect_ratio=9:16,tone=fun]` → {"aspect_ratio": "9:16", "tone": "fun"}."""
    _, sep, rest = address.partition("[")
    if not sep or not rest.endswith("]"):
        return {}
    return dict(part.partition("=")[::2] for part in rest[:-1].split(","))


def plan_states(project: Project, lock: Lockfile) -> dict[str, tuple[bool, str]]:
    """address → (in sync, words) from the real planner, without refreshing."""
    from vidflow.errors import VidflowError
    from vidflow.plan.planner import make_plan
    from vidflow.providers.factory import render_quality

    try:
        plan = make_plan(project, lock, None, quality=render_quality(project))
    except VidflowError as exc:
        return {a: (False, f"plan error: {exc.message}") for a in project.stories}
    out: dict[str, tuple[bool, str]] = {}
    for change in plan.changes:
        if change.deposed:
            continue
        if change.action is Action.NOOP:
            out[change.address] = (True, "in sync")
        else:
            out[change.address] = (False, f"would change: {change.action.symbol} "
                                          f"{change.action.key}")
    return out


def cards(project: Project, lock: Lockfile) -> list[Card]:
    """Every story of the specs and of the lockfile, in address order."""
    root = Path(project.root)
    states = plan_states(project, lock)
    out = []
    for address in sorted(set(project.stories) | set(lock.entries)):
        story = project.stories.get(address)
        entry = lock.entries.get(address)
        in_sync, words = states.get(address, (False, "would change"))
        location = story.root_location if story else None
        out.append(Card(
            address=address, slug=story_slug(address), name=story_name(address),
            variant=variant_of(address),
            title=(story.title if story else entry.title if entry else ""),
            status=entry.status if entry else "not applied",
            credits=str(entry.used_credits) if entry else NO_CREDITS,
            plan_state=words, in_sync=in_sync,
            source=f"{location.file}:{location.line}" if location else "",
            **_media(root, address, entry)))
    return out


def _media(root: Path, address: str, entry: LockEntry | None) -> dict[str, Any]:
    """The card's video and pictures, when the lockfile says the video was downloaded and
    every path passes the project's path rule (a lockfile is someone else's text)."""
    if entry is None or not is_downloaded(entry) or entry.output is None:
        return {"scenes": tuple(scenes_of(entry.storyboard if entry else None))}
    try:
        video = checked_input(root, entry.output, source=f"vidflow.lock: {address}")
        files = side_files_for(root, entry.output, address=address)
    except UnsafePath:
        return {}
    return {"video": video if video.is_file() else None,
            "poster": files.poster if files.poster.is_file() else None,
            "strip": files.strip if files.strip.is_file() else None,
            "scenes": tuple(scenes_of(entry.storyboard))}


def groups(all_cards: Sequence[Card]) -> list[Group]:
    """The cards by story name, each name's variants as a matrix."""
    by_name: dict[str, list[Card]] = {}
    for card in all_cards:
        by_name.setdefault(card.name, []).append(card)
    return [_group(name, members) for name, members in sorted(by_name.items())]


def _group(name: str, members: Sequence[Card]) -> Group:
    keys = sorted({k for c in members for k in c.variant})
    # one key: a row of columns; more: the first key down, the others across
    row_key, column_keys = ("", tuple(keys)) if len(keys) < 2 else (keys[0], tuple(keys[1:]))
    rows = _ordered(c.variant.get(row_key, "") for c in members)
    columns = _ordered(_label(c.variant, column_keys) for c in members)
    cells = {(c.variant.get(row_key, ""), _label(c.variant, column_keys)): c for c in members}
    return Group(name, story_slug(name), row_key, column_keys, tuple(rows), tuple(columns),
                 cells)


def _label(variant: Mapping[str, str], keys: Sequence[str]) -> str:
    return ", ".join(f"{k}={variant.get(k, '')}" for k in keys)


def _ordered(values: Any) -> list[str]:
    return sorted(set(values))
