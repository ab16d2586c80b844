"""`vidflow storyboard`: a story's current storyboard, in the spec's own shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vidflow import output
from vidflow.commands import _lockview
from vidflow.commands._complete import addresses
from vidflow.commands._options import load, lock_timeout_option
from vidflow.errors import VidflowError


def storyboard(address: str, path: Path, *, as_json: bool = False, scenes: bool = False,
               lock_timeout: float = 0.0) -> int:
    from vidflow.apply.workspace import open_workspace
    from vidflow.spec.overrides import reference_shape

    project = load(path)
    with open_workspace(project, lock_timeout=lock_timeout) as ws:
        entries = _lockview.select(ws.lock, address)
        if len(entries) != 1:
            raise VidflowError(f"{address!r} names {len(entries)} stories: "
                               + ", ".join(repr(a) for a in entries),
                               hint="give one address, with its variant keys")
        (addr, entry), = entries.items()
        record = ws.provider.get(entry.story_id)
    # the engine's extras (media URLs, durations) stay out: this is ready to paste
    board = reference_shape(record.storyboard)
    if scenes:
        durations = [s.get("duration") for s in (record.storyboard or {}).get("scenes") or []]
        _print_scenes(board, durations, as_json)
    elif as_json:
        output.raw(json.dumps(board, sort_keys=True, indent=2, ensure_ascii=False))
    else:
        import yaml

        output.raw(f"# {addr}: story {entry.story_id}\n"
                   + yaml.safe_dump(board, sort_keys=False, allow_unicode=True,
                                    default_flow_style=False, width=100))
    return 0


def _print_scenes(board: dict[str, Any], durations: list[Any], as_json: bool) -> None:
    rows = []
    for number, scene in enumerate(board["scenes"], start=1):
        duration = durations[number - 1] if number - 1 < len(durations) else None
        rows.append({"scene": number, "name": scene.get("name", ""),
                     "narrator": scene.get("narrator", ""),
                     "image_description": scene.get("image_description", ""),
                     "duration": duration})
    if as_json:
        output.raw(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        seconds = _seconds(row["duration"])
        output.echo(f"{row['scene']}. {row['name']} ({seconds})")
        output.echo(f"   narrator: {row['narrator']}")
        output.echo(f"   image: {row['image_description']}")


def _seconds(duration: Any) -> str:
    """"2.23s" for a scene of 67 frames at 30 fps: people read hundredths, not a float's
    seventeen digits (--json keeps the number as the provider gave it)."""
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        return "-" if duration is None else f"{duration}s"
    return f"{duration:.2f}".rstrip("0").rstrip(".") + "s"


@click.command("storyboard")
@click.argument("address", metavar="ADDR", shell_complete=addresses)
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The storyboard as JSON.")
@click.option("--scenes", is_flag=True,
              help="One line per scene: number, name, narration, image, duration.")
@lock_timeout_option
def command(address: str, path: Path, as_json: bool, scenes: bool,
            lock_timeout: float) -> int:
    """Print a story's current storyboard, from the provider, as spec YAML.

    The four arrays characters, environments, objects and scenes with the reference's
    field names only (no media URLs): paste parts of it under the story's `overrides:`
    (scenes by number from 1, elements by name), or all of it as a pinned storyboard.

    \b
    Example:
      vidflow storyboard hello-meadow examples/quickstart
      vidflow storyboard hello-meadow examples/quickstart --scenes
    """
    return storyboard(address, path, as_json=as_json, scenes=scenes, lock_timeout=lock_timeout)
