"""`vidflow show`: the stories in the lockfile, with status, video and credits."""

from __future__ import annotations

import json
from pathlib import Path

import click

from vidflow import output
from vidflow.commands import _lockview
from vidflow.commands._complete import addresses
from vidflow.errors import VidflowError


def show(address: str | None, root_arg: tuple[str, ...], *, as_json: bool = False) -> int:
    path = _lockview.split_args(root_arg)[1]
    if path.is_file() and path.suffix == ".json":
        return show_saved_plan(path, as_json=as_json)
    if not path.exists():
        raise VidflowError(f"{path}: no such file or folder",
                           hint="give the project folder holding vidflow.lock")
    if not _lockview.has_lockfile(path):
        # Like `state list`: no lockfile is a project with no stories yet, not an error.
        if as_json:
            output.raw("{}")
        else:
            output.echo(f"No stories yet (run `vidflow apply {path}`).")
        return 0
    root, lock = _lockview.read(path)
    entries = _lockview.select(lock, address)
    if as_json:
        doc = {a: e.to_json() for a, e in entries.items()}
        output.raw(json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False))
        return 0
    if address is not None and len(entries) == 1:
        (addr, entry), = entries.items()
        output.echo(f"address: {addr}")
        for key, value in entry.to_json().items():
            if key not in ("params", "storyboard") and value not in (None, [], ""):
                output.echo(f"{key}: {value}")
        return 0
    if not entries:
        output.echo(f"No stories yet (run `vidflow apply {path}`).")
        return 0
    rows = [("address", "status", "story id", "video", "credits")]
    for addr, entry in entries.items():
        video = (_lockview.display_path(root, entry.output)
                 if entry.output and entry.output_sha256 else entry.video_url or "-")
        rows.append((addr, entry.status, entry.story_id, video, str(entry.used_credits)))
    # Plain aligned columns: ids and paths are never cut, whatever the terminal's width.
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        output.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                    .rstrip())
    total = sum(e.used_credits for e in entries.values())
    output.echo(f"{_count(len(entries), 'story', 'stories')}, "
                f"{_count(total, 'credit', 'credits')} used.")
    return 0


def show_saved_plan(path: Path, *, as_json: bool) -> int:
    """A plan saved by `vidflow plan --out`: as plan would print it, or the whole document."""
    from vidflow.plan.planfile import read_plan
    from vidflow.plan.render import print_plan

    plan = read_plan(path)  # checked against the plan schema: a hand-edited file is refused
    if as_json:
        output.raw(plan.dumps())
    else:
        print_plan(plan)
    return 0


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


@click.command("show")
@click.argument("args", nargs=-1, metavar="[ADDR] [PATH]", shell_complete=addresses)
@click.option("--json", "as_json", is_flag=True,
              help="The lockfile entries (or the saved plan) as one JSON document.")
def command(args: tuple[str, ...], as_json: bool) -> int:
    """Show the stories vidflow made: status, story id, video path, credits used.

    Reads only the lockfile (vidflow.lock in PATH, default the current folder); no
    network. With ADDR, that story's whole entry (a story name shows all its variants).
    PATH may also be a plan saved by `vidflow plan --out`: it is shown as plan shows it,
    or with --json as the whole plan document.

    \b
    Example:
      vidflow show examples/quickstart
      vidflow show 'promo[tone=fun]' examples/promo --json
      vidflow plan --out plan.json . && vidflow show plan.json --json
    """
    address, _ = _lockview.split_args(args)
    return show(address, args, as_json=as_json)
