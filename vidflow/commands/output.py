"""`vidflow output`: video paths (or URLs) for scripts, one per line."""

from __future__ import annotations

import json

import click

from vidflow import output as out
from vidflow.commands import _lockview
from vidflow.commands._complete import addresses


def output(args: tuple[str, ...], *, as_json: bool = False) -> int:
    address, path = _lockview.split_args(args)
    root, lock = _lockview.read(path)
    entries = _lockview.select(lock, address)
    rows = {}
    for addr, entry in entries.items():
        local = (_lockview.display_path(root, entry.output)
                 if entry.output and entry.output_sha256 else None)
        rows[addr] = {"path": local, "video_url": entry.video_url, "story_id": entry.story_id,
                      "status": entry.status, "sha256": entry.output_sha256}
    if as_json:
        out.raw(json.dumps(rows, sort_keys=True, indent=2, ensure_ascii=False))
        return 0
    for row in rows.values():
        line = row["path"] or row["video_url"]
        if line:
            out.raw(line)
    return 0


@click.command("output")
@click.argument("args", nargs=-1, metavar="[ADDR] [PATH]", shell_complete=addresses)
@click.option("--json", "as_json", is_flag=True,
              help="address → {path, video_url, story_id, status, sha256}.")
def command(args: tuple[str, ...], as_json: bool) -> int:
    """Print each story's video path (or URL if not downloaded), one per line.

    Reads only the lockfile; meant for scripts.

    \b
    Example:
      vidflow output examples/quickstart
      for f in $(vidflow output promo .); do ffplay "$f"; done
    """
    return output(args, as_json=as_json)
