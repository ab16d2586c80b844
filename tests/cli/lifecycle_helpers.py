"""Helpers for the end-to-end lifecycle tests: a small project, running vidflow, probing."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from pathlib import Path

import av

# re-exported: the lifecycle tests run vidflow through the one in-process runner
from support.cli import SMALL_RENDER, Result  # noqa: F401
from support.cli import run as vidflow  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
VIDFLOW = ROOT / ".venv" / "bin" / "vidflow"

# Small, silent, one scene each: the cheapest real render the engine makes.
STORY = """\
  {address}:
    mode: idea
    title: {title}
    idea: {idea}
    scene_count: 1
    scene_duration: "5"
    aspect_ratio: "16:9"
    audio_option: {{has_bg_music: false, has_narration: false}}
"""


def write_spec(root: Path, stories: dict[str, tuple[str, str]], *, moved: str = "",
               provider: str = "{type: local}") -> None:
    """videos.yaml with `stories` (address → (title, idea)) and an optional moved block."""
    body = "".join(STORY.format(address=a, title=t, idea=i) for a, (t, i) in stories.items())
    stories_block = f"stories:\n{body}" if body else "stories: {}\n"
    text = f"version: 1\nprovider: {provider}\n{stories_block}"
    if moved:
        text += f"moved:\n{moved}"
    (root / "videos.yaml").write_text(text, encoding="utf-8")


def lock_entries(root: Path) -> dict[str, dict]:
    return json.loads((root / "vidflow.lock").read_text())["entries"]


def engine_story_ids(root: Path) -> set[str]:
    """Every story the local engine holds (its SQLite, read directly)."""
    db = root / ".vidflow" / "engine" / "engine.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM stories")}


def probe(path: Path) -> tuple[str, float]:
    """(video codec, duration in seconds) of an MP4, read with PyAV."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.name, container.duration / 1_000_000


def python() -> str:
    return sys.executable
